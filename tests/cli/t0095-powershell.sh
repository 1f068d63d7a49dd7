#!/bin/sh
# connectors --format powershell: the script certbind(1) OUTPUT describes,
# read back by an independent PowerShell parser (tree-sitter's grammar,
# tests/pwsh/parse.js) and compared, value for value, with the
# configuration as Python's xml.etree reads it, for the bundled
# configuration and for hostile names and values; a value with a control
# character is refused (exit 2) with nothing on standard output.
. "$(dirname "$0")/lib.sh"
PARSE=$top/tests/pwsh/parse.js

if ! command -v node >/dev/null || [ ! -d "$top/tests/pwsh/node_modules" ]; then
	not_ok "node and tests/pwsh/node_modules are needed: make deps (npm ci --prefix tests/pwsh)"
	done_testing
	exit 1
fi

# oracle CONFIG PATTERN JSON: the parsed script against the config read by
# xml.etree: per selected connector (file order) a Set-ReceiveConnector
# with exactly the parameters present (an empty one as $null), then per
# connector the Get-ReceiveConnector | Format-List check; nothing else
# runs.  Prints what differs; exit 1 when anything does.
cat >"$T/oracle.py" <<'EOF'
import fnmatch, json, sys
import xml.etree.ElementTree as ET

cfg, pattern, parsed = sys.argv[1], sys.argv[2], sys.argv[3]
want_set, want_get = [], []
for rc in ET.parse(cfg).getroot().findall('ReceiveConnector'):
    name = rc.findtext('Name')
    server = rc.findtext('Server')
    ident = server + '\\' + name if server is not None else name
    if pattern and not (fnmatch.fnmatchcase(ident.lower(), pattern.lower()) or
                        fnmatch.fnmatchcase(name.lower(), pattern.lower())):
        continue
    params = {}
    for f in ('Fqdn', 'TlsCertificateName'):
        e = rc.find(f)
        if e is not None:
            params[f] = (e.text or '') or None
    a = rc.findtext('AdvertiseClientSettings')
    if a is not None:
        params['AdvertiseClientSettings'] = a.strip().lower() in ('true', '1')
    if params:
        want_set.append([{'name': 'Set-ReceiveConnector',
                          'params': dict(Identity=ident, **params), 'args': []}])
    want_get.append([{'name': 'Get-ReceiveConnector',
                      'params': {'Identity': ident}, 'args': []},
                     {'name': 'Format-List', 'params': {},
                      'args': [['Name', 'Fqdn', 'TlsCertificateName',
                                'AdvertiseClientSettings']]}])
got = json.load(open(parsed))
want = want_set + want_get
bad = 0
if len(got) != len(want):
    print('# %d pipelines, want %d' % (len(got), len(want)))
    bad = 1
for g, w in zip(got, want):
    if g != w:
        print('# got  %s\n# want %s' % (json.dumps(g, ensure_ascii=False),
                                       json.dumps(w, ensure_ascii=False)))
        bad = 1
sys.exit(bad)
EOF

# script CONFIG [PATTERN] DESC: runs connectors --format powershell and
# checks its script with parse.js and the oracle.
script() {
	_c=$1 _p=$2 _d=$3
	if [ -n "$_p" ]; then run -c "$_c" connectors --identity "$_p" -f powershell
	else run -c "$_c" connectors --format powershell; fi
	expect_rc 0 "$_d: exit 0"
	expect_err_empty "$_d: nothing on stderr"
	cp "$out" "$T/script.ps1"
	if node "$PARSE" "$T/script.ps1" >"$T/parsed.json" 2>"$T/parse.err"; then
		ok "$_d: the script parses as PowerShell"
	else
		not_ok "$_d: the script parses as PowerShell"
		sed 's/^/#   /' "$T/parse.err"
	fi
	if python3 "$T/oracle.py" "$_c" "$_p" "$T/parsed.json" >"$T/oracle.out"; then
		ok "$_d: every decoded value equals the configuration's"
	else
		not_ok "$_d: every decoded value equals the configuration's"
		head -n 20 "$T/oracle.out"
	fi
}

# (a) The bundled configuration.
script "$PKI/connectors.xml" "" "bundled connectors.xml"
expect_out_has "^# Exchange Management Shell commands written by certbind connectors$" \
    "a header says what wrote it"
expect_out_has "^#   Enable-ExchangeCertificate -Thumbprint <thumbprint> -Services SMTP$" \
    "a comment says the certificate must be enabled for SMTP"
expect_out_has "^Set-ReceiveConnector -Identity 'MAILBOX01\\\\Client Frontend MAILBOX01' -Fqdn 'mail\.contoso\.com' -TlsCertificateName '<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=mail\.contoso\.com' -AdvertiseClientSettings \\\$true$" \
    "the Client Frontend line as written by hand from the config"
expect_out_has "^Set-ReceiveConnector -Identity 'MAILBOX01\\\\Outbound Proxy Frontend MAILBOX01' -Fqdn 'mailbox01\.contoso\.com'$" \
    "a connector without TlsCertificateName and AdvertiseClientSettings: only -Fqdn"
script "$PKI/connectors.xml" "mailbox02*" "--identity selects"
check "--identity: one connector set" test "$(grep -c '^Set-' "$out")" -eq 1
run -c "$PKI/connectors.xml" connectors --identity 'nothing*' -f powershell
expect_rc 1 "a pattern that selects nothing: exit 1"
check "and nothing on stdout" test ! -s "$out"
expect_err_has "no connector matches 'nothing\*'" "saying so"

# (b) Hostile names and values, written by xml.etree so that the XML
# escaping is not ours either.
cat >"$T/mk.py" <<'EOF'
import sys
import xml.etree.ElementTree as ET
Q = "'\u2018\u2019\u201a\u201b"
long_ = (Q + "$(x)`\"" + "\u00e9") * 400
rows = [
    # (server, name, fqdn, tls_name, advertise)
    ("EX1", "all quotes " + Q + " end", "a'b\u2018c\u2019d\u201ae\u201bf",
     "<I>CN=O'Brien CA, O=\u2019Q\u2018<S>CN=mail.contoso.com", "true"),
    ("EX'1", "$(Remove-Item -Recurse C:\\) $env:x ${x} @(1) ", "x'; Remove-Item x; '",
     "$null", "false"),
    (None, "back`tick`", "trail`", "`'", "1"),
    ("EX1", "dq \"a\" ; | & # <x> -Fqdn", "\"$x\"", "'';''", None),
    ("EX1", "\u00e9 \u4e2d\u6587 \U0001F600 \u2018\u2018", "\u00e9.\u4e2d\u6587.example",
     "\U0001F600'\U0001F600", "0"),
    ("EX1", "'", "''", "'''", None),
    ("EX1", "\u201b", "\u201b\u201b", "", "TRUE"),
    ("EX1", "long " + "x" * 2000, long_, long_[::-1], None),
    ("EX1", "empty fields", "", "", None),
    ("EX1", "no fields", None, None, None),
    ("EX2", "$true", "$false", "@'", None),
]
root = ET.Element("ReceiveConnectors")
for server, name, fqdn, tls, adv in rows:
    rc = ET.SubElement(root, "ReceiveConnector")
    if server is not None:
        ET.SubElement(rc, "Server").text = server
    ET.SubElement(rc, "Name").text = name
    if fqdn is not None:
        ET.SubElement(rc, "Fqdn").text = fqdn
    if tls is not None:
        ET.SubElement(rc, "TlsCertificateName").text = tls
    if adv is not None:
        ET.SubElement(rc, "AdvertiseClientSettings").text = adv
ET.ElementTree(root).write(sys.argv[1], encoding="UTF-8", xml_declaration=True)
EOF
python3 "$T/mk.py" "$T/hostile.xml"
script "$T/hostile.xml" "" "hostile names and values"
cp "$T/script.ps1" "$T/hostile.ps1"
check "the header and the comments are the only lines not run" \
    sh -c "! grep -v '^Set-ReceiveConnector \|^Get-ReceiveConnector \|^#\|^\$' '$T/script.ps1' | grep -q ."
script "$T/hostile.xml" "EX'1*" "a quote in --identity's pattern"

# The parser is a real check: the same script with one quote left single
# (as a writer that forgot U+2019 would leave it) is refused.
sed "s/c\xe2\x80\x99\xe2\x80\x99d/c\xe2\x80\x99d/" "$T/hostile.ps1" >"$T/broken.ps1"
check "the test's script holds the doubled U+2019" \
    sh -c "! cmp -s '$T/hostile.ps1' '$T/broken.ps1'"
node "$PARSE" "$T/broken.ps1" >/dev/null 2>"$T/parse.err"
rc=$?
expect_rc 1 "parse.js refuses a lone U+2019 inside a string"
check "naming where" grep -q "unpaired quote U+2019" "$T/parse.err"

# Control characters: refused with exit 2, nothing on standard output.
# conn NAME FQDN TLSNAME: a config of one connector (XML-escaped text).
conn() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Server>EX1</Server>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n  </ReceiveConnector>\n</ReceiveConnectors>\n' "$1" "$2" "$3" >"$T/ctl.xml"
}
refused() { # DESC CODEPOINT-RE
	run -c "$T/ctl.xml" connectors -f powershell
	expect_rc 2 "$1: exit 2"
	check "$1: nothing on stdout" test ! -s "$out"
	expect_err_has "$2" "$1: the message says which"
}
conn "C" "a&#9;b" "x"
refused "a TAB in Fqdn" "connector 'EX1\\\\C': Fqdn holds a control character \(U\+0009\)"
conn "C" "mail.contoso.com" "&lt;I&gt;CN=x&#x85;&lt;S&gt;CN=y"
refused "NEL (U+0085) in TlsCertificateName" "TlsCertificateName holds a control character \(U\+0085\)"
conn "C" "a&#x2028;b" "x"
refused "U+2028 in Fqdn" "Fqdn holds a control character \(U\+2028\)"
conn "C" "mail.contoso.com" "&lt;I&gt;CN=x&#x202E;&lt;S&gt;CN=y"
refused "a bidirectional override in TlsCertificateName" "U\+202E"
conn "C" "a&#x7f;b" "x"
refused "DEL in Fqdn" "U\+007F"
conn "C&#x85;" "mail.contoso.com" "x"
refused "NEL in a Name (the config does not load)" "control character"
conn "C&#1;" "mail.contoso.com" "x"
refused "&#1; in a Name (not XML)" "ctl\.xml"
# The check comes before anything is written: a bad last connector
# stops the whole script.
python3 - "$T/hostile.xml" "$T/late.xml" <<'EOF'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
s = s.replace("</ReceiveConnectors>", "<ReceiveConnector><Name>late</Name>"
              "<Fqdn>a&#x9b;31m</Fqdn></ReceiveConnector></ReceiveConnectors>")
open(sys.argv[2], "w", encoding="utf-8").write(s)
EOF
run -c "$T/late.xml" connectors -f powershell
expect_rc 2 "a C1 CSI in the last connector: exit 2"
check "nothing written for the connectors before it" test ! -s "$out"
expect_err_has "connector 'late': Fqdn holds a control character \(U\+009B\)" "named"

# The format is connectors', bind's and renew's (t0097): a usage error
# elsewhere.
for c in list "show 00" "name 00" "check 00 --fqdn x" "resolve x" validate \
    "probe 127.0.0.1:1"; do
	set -f
	# shellcheck disable=SC2086
	run -c "$PKI/connectors.xml" $c -f powershell
	set +f
	expect_rc 64 "${c%% *} -f powershell: a usage error"
	check "${c%% *} -f powershell: nothing on stdout" test ! -s "$out"
done
run -f powershell -c "$PKI/connectors.xml" connectors
expect_rc 0 "-f powershell before the command name"
expect_out_has "^Set-ReceiveConnector " "prints the script"
done_testing
