#!/bin/sh
# bind and renew --format powershell (certbind(1) OUTPUT, "The PowerShell
# script"): the script read back by an independent PowerShell parser
# (tree-sitter's grammar, tests/pwsh/parse.js) and compared with the
# configuration before and after as Python's xml.etree reads it (never
# certbind): a Set- line per connector that changed, with exactly the
# fields that changed and their values as written; the thumbprint is
# openssl's SHA-1 fingerprint of the certificate bound.  --dry-run prints
# the same script as the run that writes.  A refusal prints nothing; a
# value the script must not carry is exit 2 with nothing written.
. "$(dirname "$0")/lib.sh"
PARSE=$top/tests/pwsh/parse.js
S=$PKI/store
CA=$PKI/ca/root-ca.pem
C=$T/c.xml

if ! command -v node >/dev/null || [ ! -d "$top/tests/pwsh/node_modules" ]; then
	not_ok "node and tests/pwsh/node_modules are needed: make deps (npm ci --prefix tests/pwsh)"
	done_testing
	exit 1
fi

fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
B() { run -c "$C" -s "$S" --password-file "$PKI/password.txt" --at 2026-06-01 \
    --ca-file "$CA" "$@"; }

# oracle BEFORE AFTER PARSED [THUMBPRINT]: per connector (file order,
# both kinds) whose Fqdn, TlsCertificateName or AdvertiseClientSettings
# differs between BEFORE and AFTER, a Set-ReceiveConnector or
# Set-SendConnector with exactly those parameters and AFTER's values (an
# empty one as $null); then per such connector its Get- | Format-List
# check; then, with THUMBPRINT, one Get-ExchangeCertificate for it.
# Nothing else runs.  Prints what differs; exit 1 when anything does.
cat >"$T/oracle.py" <<'EOF'
import json, sys
import xml.etree.ElementTree as ET

before, after, parsed = sys.argv[1], sys.argv[2], sys.argv[3]
thumb = sys.argv[4] if len(sys.argv) > 4 else ''

def conns(path):
    r = []
    for c in ET.parse(path).getroot():
        if c.tag not in ('ReceiveConnector', 'SendConnector'):
            continue
        name, server = c.findtext('Name'), c.findtext('Server')
        ident = server + '\\' + name if server is not None else name
        v = {}
        for f in ('Fqdn', 'TlsCertificateName'):
            e = c.find(f)
            v[f] = None if e is None else (e.text or '')
        a = c.findtext('AdvertiseClientSettings')
        v['AdvertiseClientSettings'] = (None if a is None else
                                        a.strip().lower() in ('true', '1'))
        r.append((c.tag, ident, v))
    return r

b, a = conns(before), conns(after)
assert len(b) == len(a) and all(x[:2] == y[:2] for x, y in zip(b, a))
want_set, want_get = [], []
for (tag, ident, old), (_, _, new) in zip(b, a):
    params = {f: (new[f] or None) if f != 'AdvertiseClientSettings' else new[f]
              for f in new if new[f] != old[f]}
    if not params:
        continue
    kind = 'Receive' if tag == 'ReceiveConnector' else 'Send'
    want_set.append([{'name': 'Set-%sConnector' % kind,
                      'params': dict(Identity=ident, **params), 'args': []}])
    fl = ['Name', 'Fqdn', 'TlsCertificateName']
    if kind == 'Receive':
        fl.append('AdvertiseClientSettings')
    want_get.append([{'name': 'Get-%sConnector' % kind,
                      'params': {'Identity': ident}, 'args': []},
                     {'name': 'Format-List', 'params': {}, 'args': [fl]}])
want = want_set + want_get
if thumb and want_set:
    want.append([{'name': 'Get-ExchangeCertificate',
                  'params': {'Thumbprint': thumb}, 'args': []},
                 {'name': 'Format-List', 'params': {},
                  'args': [['Thumbprint', 'Issuer', 'Subject',
                            'CertificateDomains', 'Services']]}])
got = json.load(open(parsed))
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

# parsed DESC: parse.js on $out into $T/parsed.json.
parsed() {
	if node "$PARSE" "$out" >"$T/parsed.json" 2>"$T/parse.err"; then
		ok "$1: the script parses as PowerShell"
	else
		not_ok "$1: the script parses as PowerShell"
		sed 's/^/#   /' "$T/parse.err"
	fi
}
# oracle DESC BEFORE AFTER [THUMBPRINT]: parsed, then the oracle.
oracle() {
	_d=$1 _b=$2 _a=$3 _t=${4:-}
	parsed "$_d"
	if python3 "$T/oracle.py" "$_b" "$_a" "$T/parsed.json" $_t >"$T/oracle.out"; then
		ok "$_d: exactly the fields that changed, with the values written"
	else
		not_ok "$_d: exactly the fields that changed, with the values written"
		head -n 20 "$T/oracle.out"
	fi
}

# (a) bind --thumbprint --fqdn on the bundled configuration: --dry-run
# writes nothing and prints the script the writing run prints.
W=$(fp "$S/wildcard.contoso.com.pem")
cp "$PKI/connectors.xml" "$C"
B bind --identity 'Default Frontend MAILBOX01' --thumbprint "$W" \
    --fqdn mail.contoso.com --dry-run --format powershell
expect_rc 0 "bind --dry-run -f powershell: exit 0"
check "bind --dry-run: nothing written" cmp -s "$PKI/connectors.xml" "$C"
check "bind --dry-run: no diff, only the script" sh -c "! grep -q '^[-+@]' '$out'"
cp "$out" "$T/dry.ps1"
B bind --identity 'Default Frontend MAILBOX01' --thumbprint "$W" \
    --fqdn mail.contoso.com --format powershell
expect_rc 0 "bind -f powershell: exit 0"
check "bind: the configuration is written" sh -c "! cmp -s '$PKI/connectors.xml' '$C'"
check "bind: the script --dry-run printed is the one printed when writing" \
    cmp -s "$T/dry.ps1" "$out"
expect_out_has "^# Exchange Management Shell commands written by certbind bind$" \
    "a header says what wrote it"
expect_out_has "^Set-ReceiveConnector -Identity 'MAILBOX01\\\\Default Frontend MAILBOX01' -Fqdn 'mail\.contoso\.com' -TlsCertificateName '<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=\*\.contoso\.com'$" \
    "the Set line as written by hand (AdvertiseClientSettings does not change)"
expect_out_has "^#   Enable-ExchangeCertificate -Thumbprint '$W' -Services SMTP$" \
    "the comment names the thumbprint to enable"
oracle "bind --thumbprint --fqdn" "$PKI/connectors.xml" "$C" "$W"

# (b) Several connectors, some already as asked: only those that change,
# and of each only what changes; no certificate, so no thumbprint.
cp "$PKI/connectors.xml" "$C"
B bind --identity '*Frontend*' --advertise-client-settings true --format powershell
expect_rc 0 "bind --advertise-client-settings on several connectors: exit 0"
oracle "bind on several connectors" "$PKI/connectors.xml" "$C"
check "Client Frontend MAILBOX01 (already true) has no Set line" \
    sh -c "! grep -q '^Set-.*Client Frontend MAILBOX01' '$out'"
check "three Set lines" test "$(grep -c '^Set-ReceiveConnector ' "$out")" -eq 3
expect_out_has "^#   Enable-ExchangeCertificate -Thumbprint <thumbprint> -Services SMTP$" \
    "no certificate bound: the comment says how"
expect_out_lacks "^Get-ExchangeCertificate" "and no Get-ExchangeCertificate line"

# --fqdn given but already the connectors' own: no -Fqdn.
cp "$PKI/connectors.xml" "$C"
B bind --identity 'Default*' --fqdn mailbox01.contoso.com \
    --advertise-client-settings true --format powershell
expect_rc 0 "bind --fqdn (unchanged) --advertise-client-settings: exit 0"
oracle "an Fqdn given that does not change" "$PKI/connectors.xml" "$C"
expect_out_lacks "-Fqdn" "no -Fqdn parameter"
check "two Set lines" test "$(grep -c '^Set-ReceiveConnector .* -AdvertiseClientSettings \$true$' "$out")" -eq 2

# (c) Nothing to change: the header and one comment, the file untouched.
cp "$PKI/connectors.xml" "$C"
B bind --identity '*Frontend*' --advertise-client-settings true
cp "$C" "$T/before.xml"
B bind --identity '*Frontend*' --advertise-client-settings true --format powershell
expect_rc 0 "bind changing nothing: exit 0"
check "the file is not touched" cmp -s "$T/before.xml" "$C"
# (tree-sitter's grammar takes a file of only comments for an error, so
# the oracle here is that every line starts with #.)
check "nothing runs: every line a comment" sh -c "! grep -qv '^#' '$out'"
expect_out "# Exchange Management Shell commands written by certbind bind
# (certbind(1)): run them on the Exchange server.
# Nothing to change: the connectors already have these values." \
    "the header and a comment that nothing changes"
B bind --identity '*Frontend*' --advertise-client-settings true --format powershell --dry-run
expect_rc 0 "bind --dry-run changing nothing: exit 0"
expect_out_has "^# Nothing to change" "says so too"

# (d) A check refuses (exit 1): nothing on stdout, nothing written.
cp "$PKI/connectors.xml" "$C"
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$(fp "$S/expired.contoso.com.pem")" \
    --fqdn expired.contoso.com --format powershell
expect_rc 1 "bind refused by a check: exit 1"
check "refused: nothing on stdout" test ! -s "$out"
check "refused: nothing written" cmp -s "$PKI/connectors.xml" "$C"

# (e) A send connector in a <Connectors> file: Set-SendConnector, no
# AdvertiseClientSettings, the thumbprint of the certificate bound.
cat >"$T/send.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Connectors>
  <ReceiveConnector>
    <Server>EX1</Server>
    <Name>Default Frontend EX1</Name>
    <Fqdn>mail.contoso.com</Fqdn>
  </ReceiveConnector>
  <SendConnector>
    <Name>Outbound to Office 365</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <TlsDomain>mail.protection.outlook.com</TlsDomain>
  </SendConnector>
</Connectors>
EOF
M=$(fp "$S/mail.contoso.com.pem")
cp "$T/send.xml" "$C"
B bind --identity 'Outbound*' --thumbprint "$M" --format powershell
expect_rc 0 "bind a send connector: exit 0"
expect_out_has "^Set-SendConnector -Identity 'Outbound to Office 365' -TlsCertificateName '<I>" \
    "Set-SendConnector with -TlsCertificateName"
expect_out_has "^Get-SendConnector -Identity 'Outbound to Office 365' \| Format-List Name,Fqdn,TlsCertificateName$" \
    "checked with Get-SendConnector"
oracle "bind a send connector" "$T/send.xml" "$C" "$M"

# (f) A hostile identity: the five single quotes, $( ), backticks,
# double quotes, written by xml.etree.
cat >"$T/mk.py" <<'EOF'
import sys
import xml.etree.ElementTree as ET
Q = "'\u2018\u2019\u201a\u201b"
root = ET.Element("ReceiveConnectors")
for server, name in (("EX'1", "hostile " + Q + " $(Remove-Item C:\\) `t`\" ${x} @(1) end"),
                     (None, "hostile2 " + Q[::-1] + "`"),
                     ("EX1", "plain")):
    rc = ET.SubElement(root, "ReceiveConnector")
    if server is not None:
        ET.SubElement(rc, "Server").text = server
    ET.SubElement(rc, "Name").text = name
    ET.SubElement(rc, "Fqdn").text = "old.contoso.com"
ET.ElementTree(root).write(sys.argv[1], encoding="UTF-8", xml_declaration=True)
EOF
python3 "$T/mk.py" "$T/hostile.xml"
cp "$T/hostile.xml" "$C"
B bind --identity 'hostile*' --fqdn mail.contoso.com --format powershell
expect_rc 0 "bind on hostile identities: exit 0"
oracle "hostile identities" "$T/hostile.xml" "$C"
check "two Set lines" test "$(grep -c '^Set-ReceiveConnector ' "$out")" -eq 2

# (g) A control character in the identity of a connector being changed:
# exit 2, nothing on stdout, the file untouched; in one left alone, fine.
printf '<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Server>EX1</Server>\n    <Name>bad&#x2028;name</Name>\n    <Fqdn>old.contoso.com</Fqdn>\n  </ReceiveConnector>\n  <ReceiveConnector>\n    <Name>good</Name>\n    <Fqdn>old.contoso.com</Fqdn>\n  </ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/ctl.xml"
cp "$T/ctl.xml" "$C"
B bind --identity 'bad*' --fqdn mail.contoso.com --format powershell
expect_rc 2 "bind: U+2028 in a changed connector's identity: exit 2"
check "nothing on stdout" test ! -s "$out"
check "the file untouched" cmp -s "$T/ctl.xml" "$C"
expect_err_has "connector 'EX1.bad.*name': Identity holds a control character \(U\+2028\)" \
    "the message names the connector, the field and the character"
B bind --identity 'bad*' --fqdn mail.contoso.com --format powershell --dry-run
expect_rc 2 "the same with --dry-run: exit 2"
check "nothing on stdout" test ! -s "$out"
B bind --identity 'bad*' --fqdn mail.contoso.com
expect_rc 0 "the table format writes it"
B bind --identity 'bad*' --fqdn mail.contoso.com --format powershell
expect_rc 0 "unchanged: not in the script, exit 0"
expect_out_has "^# Nothing to change" "saying nothing changes"
cp "$C" "$T/ctl2.xml"
B bind --identity 'good' --fqdn mail.contoso.com --format powershell
expect_rc 0 "another connector changed: exit 0"
oracle "the other connector" "$T/ctl2.xml" "$C"

# (h) renew: the connectors rebound, with the new certificate's
# thumbprint (the store and connectors of t0041).
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '<I>%s<S>%s' "$i" "$s"
}
xmlesc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
conn() { # KIND NAME FQDN TLSNAME
	printf '  <%sConnector>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n  </%sConnector>\n' "$1" "$2" "$3" "$(printf '%s' "$4" | xmlesc)" "$1"
}
mkdir "$T/store"
cp "$PKI"/ca/*.pem "$T/store/"
cp "$PKI"/renewal/* "$T/store/"
NEW=$PKI/renewal/mail.contoso.com-ca2.pem
OLDNAME=$(tlsname "$S/mail.contoso.com.pem")
{
	echo '<Connectors>'
	conn Receive "Mail 'a' \$(x) \`" "mail.contoso.com" "$OLDNAME"
	conn Send "Out" "mail.contoso.com" "$OLDNAME"
	conn Receive "Other" "mail.contoso.com" "$(tlsname "$NEW")"
	echo '</Connectors>'
} >"$T/renew.xml"
cp "$T/renew.xml" "$C"
R="-s $T/store --ca-file $CA --at 2026-06-01 -c $C"
run $R renew --dry-run --format powershell
expect_rc 0 "renew --dry-run -f powershell: exit 0"
check "renew --dry-run: nothing written" cmp -s "$T/renew.xml" "$C"
check "renew --dry-run: no table, no diff" sh -c "! grep -q '^[-+@]\|Rebound' '$out'"
cp "$out" "$T/dry.ps1"
expect_out_has "^# Exchange Management Shell commands written by certbind renew$" \
    "a header says what wrote it"
run $R renew --format powershell
expect_rc 0 "renew -f powershell: exit 0"
check "renew: the script --dry-run printed is the one printed when writing" \
    cmp -s "$T/dry.ps1" "$out"
oracle "renew" "$T/renew.xml" "$C" "$(fp "$NEW")"
check "renew: a receive and a send connector rebound" \
    test "$(grep -c '^Set-ReceiveConnector \|^Set-SendConnector ' "$out")" -eq 2
run $R -q renew --format powershell
expect_rc 0 "renew -q with nothing to change: exit 0"
check "renew -q: nothing on stdout" test ! -s "$out"
run $R renew --format powershell
expect_rc 0 "renew without -q with nothing to change: exit 0"
expect_out_has "^# Nothing to change" "says nothing changes"

# A control character in the identity of a connector renew rebinds.
{
	echo '<ReceiveConnectors>'
	conn Receive "bad&#x202E;name" "mail.contoso.com" "$OLDNAME"
	echo '</ReceiveConnectors>'
} | sed 's/&amp;#x202E;/\&#x202E;/' >"$T/renew-ctl.xml"
cp "$T/renew-ctl.xml" "$C"
run $R renew --format powershell
expect_rc 2 "renew: U+202E in a rebound connector's identity: exit 2"
check "nothing on stdout" test ! -s "$out"
check "the file untouched" cmp -s "$T/renew-ctl.xml" "$C"
expect_err_has "Identity holds a control character \(U\+202E\)" "saying so"

# validate keeps refusing the format.
run -c "$PKI/connectors.xml" validate --format powershell
expect_rc 64 "validate -f powershell: a usage error"
check "nothing on stdout" test ! -s "$out"
done_testing
