#!/bin/sh
# Output that carries hostile text (issue 14): the JUnit report is
# well-formed XML whatever certificates and connectors hold, and safe on
# a terminal; --dry-run diffs escape what would drive a terminal and
# leave ordinary lines alone; every JSON run prints one JSON document;
# JSON replaces invalid UTF-8 with U+FFFD and nothing else.  Oracles:
# xmllint and Python's XML parser, Python's json and UTF-8 decoder,
# patch(1).
. "$(dirname "$0")/lib.sh"
S=$PKI/store
H=$PKI/hostile
CA=$PKI/ca/root-ca.pem
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '&lt;I&gt;%s&lt;S&gt;%s' "$i" "$s"
}
# safe FILE [tab] [xml]: 0 when FILE is valid UTF-8 and holds nothing a
# terminal acts on: no C0 control but newline (and tab), no DEL, C1
# control, bidi override or isolate; with xml, no U+FFFE or U+FFFF.
safe() {
	python3 - "$@" <<'PY'
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
allowed = "\n\t" if "tab" in sys.argv[2:] else "\n"
bad = [c for c in t if (ord(c) < 0x20 and c not in allowed) or
       0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e or
       0x2066 <= ord(c) <= 0x2069 or
       ("xml" in sys.argv[2:] and ord(c) in (0xfffe, 0xffff))]
sys.exit(1 if bad else 0)
PY
}

# Certificates whose names hold what the JUnit report must not carry
# raw, built with mkhostile.py's DER helpers: SANs with ESC, BEL, DEL,
# the bytes FF FE, U+FFFE/U+FFFF, C1 controls, a bidi override and
# XML's markup characters; and a certificate without SANs whose CN
# holds a tab, C1 controls, a bidi override and an isolate.
mkdir "$T/h"
python3 - "$top/tests/cli" "$S/mail.contoso.com.pem" "$T/h" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from mkhostile import tlv, tbs_fields, pem_certs, pem, cert, integer, SHA256RSA
f = tbs_fields(pem_certs(sys.argv[2])[0])
def name(cn):
    return tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, b"\x55\x04\x03") + tlv(0x0c, cn))))
def write(path, serial, cn, sans):
    ext = b""
    if sans:
        san = tlv(0x30, b"".join(tlv(0x82, v) for v in sans))
        ext = tlv(0xa3, tlv(0x30, tlv(0x30, tlv(0x06, b"\x55\x1d\x11") + tlv(0x04, san))))
    # self-issued: version, serial, algorithm, issuer, validity, subject, key
    tbs = tlv(0x30, f[0] + integer(serial) + SHA256RSA + name(cn) + f[4] +
              name(cn) + f[6] + ext)
    open(path, "wb").write(pem(cert(tbs)))
write(sys.argv[3] + "/sans.pem", 14001, b"hostile-sans.example.com", [
    b"esc\x1b[31m.example.com", b"bel\x07.example.com", b"del\x7f.example.com",
    b"ff\xff\xfe.example.com", b"nonchar\xef\xbf\xbe\xef\xbf\xbf.example.com",
    b"c1\xc2\x85\xc2\x9b.example.com", b"bidi\xe2\x80\xae.example.com",
    b"amp&lt<gt>q\"a'.example.com"])
write(sys.argv[3] + "/cn.pem", 14002,
      "cn\t\u0085\u009b\u202e\u2066.example.com".encode(), None)
PY
check "the hostile certificates were made" test -s "$T/h/sans.pem" -a -s "$T/h/cn.pem"
# A Name or Server cannot hold controls (the loader refuses them, t0042):
# the bidi overrides and markup in the Name, the controls elsewhere.
CN_NAME='&lt;I&gt;CN=cn&#9;&#x85;&#x9B;&#x202E;&#x2066;.example.com&lt;S&gt;CN=cn&#9;&#x85;&#x9B;&#x202E;&#x2066;.example.com'
cat >"$T/junit.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ReceiveConnectors>
  <ReceiveConnector>
    <Server>EX1</Server>
    <Name>odd&#x202E;&#x2066; &lt;&amp;&quot;'&gt; ]]&gt; &#xFFFD;</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <TlsCertificateName>$(tlsname "$T/h/sans.pem")</TlsCertificateName>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>EX1</Server>
    <Name>cn</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <TlsCertificateName>$CN_NAME</TlsCertificateName>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>EX1</Server>
    <Name>fqdn</Name>
    <Fqdn>x&#x85;&#x202E;&#9;y.example.com</Fqdn>
    <TlsCertificateName>$(tlsname "$T/h/sans.pem")</TlsCertificateName>
  </ReceiveConnector>
</ReceiveConnectors>
XML
check "the JUnit fixture is well-formed (xmllint)" xmllint --noout "$T/junit.xml"

# --no-chain: these certificates' signatures are not real, so with Chain
# Exchange would ignore them (event 12014) and no Domain check would run.
run -s "$T/h" --at 2026-06-01 -c "$T/junit.xml" -f junit validate --no-chain
expect_rc 1 "junit: the hostile connectors fail their checks (exit 1)"
check "junit: the report is well-formed XML (xmllint)" xmllint --noout "$out"
check "junit: nothing in it drives a terminal, no U+FFFE/U+FFFF, valid UTF-8" safe "$out" xml
python3 - "$out" >"$T/j" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
by = {}
for c in cases:
    by.setdefault(c.get("classname"), {})[c.get("name")] = c
odd = "EX1\\odd\\u{202E}\\u{2066} <&\"'> ]]> \ufffd"
assert odd in by, sorted(by)
assert set(by) == {odd, "EX1\\cn", "EX1\\fqdn"}, sorted(by)
dom = by[odd]["Domain"].find("failure").get("message")
want = ("; it covers esc\\x1B[31m.example.com, bel\\x07.example.com, "
        "del\\x7F.example.com, ff\\xFF\\xFE.example.com, "
        "nonchar\\u{FFFE}\\u{FFFF}.example.com, "
        "c1\\u{0085}\\u{009B}.example.com, bidi\\u{202E}.example.com, "
        "amp&lt<gt>q\"a'.example.com")
assert dom.startswith("does not cover ") and dom.endswith(want), (dom, want)
# Its CN is no domain name: Exchange's Set-ReceiveConnector refuses the
# name (certbind(1) SELECTION), so Binding fails and nothing else is run.
cn = by["EX1\\cn"]["Binding"].find("failure").get("message")
assert "refuses this TlsCertificateName: the first CN= of its subject part is not a domain name" in cn, cn
assert "Domain" not in by["EX1\\cn"], sorted(by["EX1\\cn"])
assert by["EX1\\fqdn"]["Fqdn"].find("failure") is not None
n = int(root.find("testsuite").get("failures"))
assert n == len(root.findall("./testsuite/testcase/failure")), n
print("ok")
PY
check "junit: the names and details are there, escaped as in a table (Python's XML parser)" grep -qx ok "$T/j"
sed 's/^/# /' "$T/j" | grep -v '^# ok$'
run -s "$T/h" --at 2026-06-01 -c "$T/junit.xml" -f junit validate --strict
check "junit --strict: well-formed too (xmllint)" xmllint --noout "$out"
run -s "$T/h" --at 2026-06-01 -c "$T/junit.xml" -f table validate
check "table: the same connectors print safely" safe "$out"

# --dry-run: a comment with C1 controls, a bidi override and isolate and
# a lone CR next to the value bind changes.  (ESC cannot be in a
# configuration: XML 1.0 forbids it, and the file is refused.)
conf() { # FILE COMMENT-BYTES (printf format)
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveConnectors>\n'
		printf '  <ReceiveConnector>\n    <Server>EX1</Server>\n    <Name>Mail</Name>\n'
		printf "    <!-- $2 -->\n"
		printf '    <Fqdn>mail.contoso.com</Fqdn>\n'
		printf '    <TlsCertificateName>%s</TlsCertificateName>\n' "$(tlsname "$S/mail.contoso.com.pem")"
		printf '  </ReceiveConnector>\n</ReceiveConnectors>\n'
	} >"$1"
}
conf "$T/hostile.xml" 'c1 \302\205\302\233 bidi \342\200\256evil\342\201\246 cr a\rb tab\tc'
cp "$T/hostile.xml" "$T/c.xml"
B="-s $S -c $T/c.xml"
run $B bind --identity Mail --fqdn autodiscover.contoso.com --dry-run
expect_rc 0 "bind --dry-run with a hostile comment in the context: exit 0"
check "the diff holds no C1 control, bidi override or lone CR raw" safe "$out" tab
expect_out_has '^     <!-- c1 \\u\{0085\}\\u\{009B\} bidi \\u\{202E\}evil\\u\{2066\} cr a\\rb tab	c -->$' \
    "the comment is shown escaped, its tab kept"
expect_out_has '^-    <Fqdn>mail\.contoso\.com</Fqdn>$' "the old line is there as it is"
expect_out_has '^\+    <Fqdn>autodiscover\.contoso\.com</Fqdn>$' "and the new one"
expect_err_has '^certbind: warning: .*: 5 characters of the diff shown escaped \(controls, bidi controls, invalid UTF-8\); the lines holding them do not apply with patch\(1\)$' \
    "a warning says that the diff was escaped"
check "nothing is written" cmp -s "$T/hostile.xml" "$T/c.xml"
run $B -f json bind --identity Mail --fqdn autodiscover.contoso.com --dry-run
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read().decode("utf-8")
comment = [l for l in raw.split("\n") if "<!--" in l][0]
assert d["Result"] == "DryRun", d["Result"]
assert " " + comment in d["Diff"].split("\n"), d["Diff"]
assert "\u0085\u009b" in d["Diff"] and "\u202e" in d["Diff"]
' "$out" "$T/hostile.xml"
check "bind --dry-run -f json: the Diff carries the comment exactly" test $? -eq 0

# renew --dry-run: the same comment beside the TlsCertificateName it
# rebinds (the store of t0041: mail.contoso.com renewed by CA 2).
mkdir "$T/store"
cp "$PKI"/ca/*.pem "$PKI"/renewal/* "$T/store/"
cp "$T/hostile.xml" "$T/c.xml"
run -s "$T/store" --ca-file "$CA" --at 2026-06-01 -c "$T/c.xml" renew --dry-run
expect_rc 0 "renew --dry-run with a hostile comment in the context: exit 0"
expect_out_has '^\+    <TlsCertificateName>&lt;I&gt;CN=Contoso Issuing CA 2' "the diff rebinds"
check "the diff holds no C1 control, bidi override or lone CR raw" safe "$out" tab
expect_out_has '^     <!-- c1 \\u\{0085\}\\u\{009B\} bidi \\u\{202E\}evil' "the comment is shown escaped"
expect_err_has 'characters of the diff shown escaped' "with the warning"

# ESC in a comment: the configuration is refused, nothing raw anywhere.
conf "$T/esc.xml" 'esc \033[31m red'
cp "$T/esc.xml" "$T/c.xml"
run $B bind --identity Mail --fqdn autodiscover.contoso.com --dry-run
expect_rc 2 "ESC in the configuration: refused (exit 2)"
expect_out "" "nothing on stdout"
check "no raw ESC on stderr" sh -c "! grep -q \"\$(printf '\\033')\" '$err'"

# Ordinary text is printed as it is: tabs, CRLF line ends, UTF-8,
# backslashes; the diff applies with patch(1) and gives what bind writes.
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\r\n<ReceiveConnectors>\r\n'
	printf '\t<ReceiveConnector>\r\n\t\t<Server>EX1</Server>\r\n\t\t<Name>Mail</Name>\r\n'
	printf '\t\t<!-- caf\303\251 \342\202\254 \360\237\224\222 C:\\certs\\new \344\270\255\346\226\207 -->\r\n'
	printf '\t\t<Fqdn>mail.contoso.com</Fqdn>\r\n'
	printf '\t\t<TlsCertificateName>%s</TlsCertificateName>\r\n' "$(tlsname "$S/mail.contoso.com.pem")"
	printf '\t</ReceiveConnector>\r\n</ReceiveConnectors>\r\n'
} >"$T/plain.xml"
mkdir "$T/p"
cp "$T/plain.xml" "$T/p/c.xml"
run -s "$S" -c "$T/p/c.xml" bind --identity Mail --fqdn autodiscover.contoso.com --dry-run
expect_rc 0 "bind --dry-run of an ordinary configuration: exit 0"
check "the ordinary comment line is in the diff byte for byte" \
    grep -qF "$(printf ' \t\t<!-- caf\303\251 \342\202\254 \360\237\224\222 C:\\certs\\new \344\270\255\346\226\207 -->\r')" "$out"
check "no warning about escaping" sh -c "! grep -q 'escaped' '$err'"
cp "$out" "$T/plain.diff"
(cd "$T/p" && patch -s -p1 <"$T/plain.diff" >/dev/null 2>&1)
cp "$T/plain.xml" "$T/real.xml"
run -s "$S" -c "$T/real.xml" bind --identity Mail --fqdn autodiscover.contoso.com
check "patch(1) applies the diff and gives the file bind writes" cmp -s "$T/p/c.xml" "$T/real.xml"
check "(which changed)" sh -c "! cmp -s '$T/plain.xml' '$T/real.xml'"

# Every JSON run prints one JSON document, also when the command finds
# nothing or cannot do its job.  json_is RC WANT DESC: the last run
# exited RC and its stdout is one JSON document equal to WANT (Python).
json_is() {
	_rc=$rc
	python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
w = json.loads(sys.argv[2])
sys.exit(0 if d == w else "%r != %r" % (d, w))' "$out" "$2" 2>"$T/why"
	if [ $? -eq 0 ] && [ "$_rc" -eq "$1" ]; then ok "$3"; else
		not_ok "$3 (want exit $1 and $2)"; sed 's/^/#   /' "$T/why"; fi
}
GOOD=$(fp "$S/mail.contoso.com.pem")
NOPE=0000000000000000000000000000000000000000
run -s "$T/nonexistent" -f json list
json_is 2 '[]' "list, store unreadable: []"
run -s "$S" -f json list --domain nothing.example.org
json_is 1 '[]' "list, nothing listed: []"
run -s "$S" -f json show "$NOPE"
json_is 1 '{}' "show, no such certificate: {}"
run -s "$S" -f json show nothex
json_is 64 '{}' "show, not a thumbprint: {}"
run -s "$T/nonexistent" -f json show "$GOOD"
json_is 2 '{}' "show, store unreadable: {}"
run -s "$S" -f json name "$NOPE"
json_is 1 '{}' "name, no such certificate: {}"
run -s "$S" -f json resolve '<I>CN=Nobody<S>CN=nothing.example.org'
json_is 1 '[]' "resolve, selects nothing: []"
run -s "$S" -f json resolve 'CN=no tags'
json_is 64 '[]' "resolve, not a TLS certificate name: []"
run -s "$T/nonexistent" -f json resolve '<I>CN=a<S>CN=b'
json_is 2 '[]' "resolve, store unreadable: []"
run -s "$S" -f json check "$NOPE" --fqdn mail.contoso.com
json_is 1 '{"Thumbprint": null, "Fqdn": "mail.contoso.com", "Result": "Fail", "Checks": []}' \
    "check, no such certificate: Result Fail, no checks"
run -s "$S" --ca-file "$T/nonexistent.pem" -f json check "$GOOD" --fqdn Mail.Contoso.com.
json_is 2 "{\"Thumbprint\": \"$GOOD\", \"Fqdn\": \"mail.contoso.com\", \"Result\": \"Error\", \"Checks\": []}" \
    "check, trust anchors unreadable: Result Error"
run -c "$T/nonexistent.xml" -f json connectors
json_is 2 '[]' "connectors, configuration unreadable: []"
run -c "$PKI/connectors.xml" -f json connectors --identity Nobody
json_is 1 '[]' "connectors, pattern selects nothing: []"
run -s "$S" -c "$T/nonexistent.xml" -f json validate
json_is 2 '{"Result": "Error", "Connectors": []}' "validate, configuration unreadable: Result Error"
run -s "$S" -c "$PKI/connectors.xml" -f json validate --identity Nobody
json_is 1 '{"Result": "Fail", "Connectors": []}' "validate, pattern selects nothing: Result Fail"
run -s "$S" -c "$T/nonexistent.xml" -f json renew
json_is 2 '{"Result": "Error", "Connectors": []}' "renew, configuration unreadable: Result Error"
cp "$PKI/connectors.xml" "$T/c.xml"
run -s "$S" -c "$T/c.xml" -f json renew --identity Nobody
json_is 1 '{"Result": "Failed", "Connectors": []}' "renew, pattern selects nothing: Result Failed"
run -s "$S" -c "$T/c.xml" -f json bind --identity Nobody --fqdn autodiscover.contoso.com
json_is 1 '{"Result": "Refused", "Connectors": []}' "bind, pattern selects nothing: Result Refused"
run -s "$S" -c "$T/c.xml" -f json bind --identity '*' --thumbprint "$NOPE"
json_is 1 '{"Result": "Refused", "Connectors": []}' "bind, no such certificate: Result Refused"
run -s "$H" -c "$T/c.xml" -f json bind --identity '*' --thumbprint "$(fp "$H/ansi-escape-cn.pem")" --force
json_is 1 '{"Result": "Refused", "Connectors": []}' "bind, a certificate name with ESC: Result Refused"
expect_err_has 'holds control characters' "saying why"
run -s "$S" -c "$T/nonexistent.xml" -f json bind --identity '*' --fqdn autodiscover.contoso.com
json_is 2 '{"Result": "Error", "Connectors": []}' "bind, configuration unreadable: Result Error"
check "and no bind wrote the configuration" cmp -s "$PKI/connectors.xml" "$T/c.xml"

# JSON keeps every valid string exactly (controls, C1, bidi as \u
# escapes that decode to them) and replaces each maximal ill-formed
# UTF-8 subpart with one U+FFFD, as Python decodes with "replace".  The
# SANs are read from the DER by Python.
sans() {
	python3 - "$top/tests/cli" "$1" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from mkhostile import parse, children, pem_certs
der = pem_certs(sys.argv[2])[0]
def walk(b, s, e):
    for t, i, cs, ce in children(b, s, e):
        if t == 0x30:
            kids = children(b, cs, ce)
            if kids and kids[0][0] == 0x06 and b[kids[0][2]:kids[0][3]] == b"\x55\x1d\x11":
                _, os_, oe = parse(b, kids[-1][1])
                _, ss, se = parse(b, os_)
                return [b[x:y] for t2, _, x, y in children(b, ss, se) if t2 == 0x82]
        if t & 0x20:
            r = walk(b, cs, ce)
            if r is not None:
                return r
    return None
print(repr(walk(der, 0, len(der))))
PY
}
for f in "$T/h/sans.pem" "$H/high-bytes-in-san.pem"; do
	sans "$f" >"$T/sans"
	run -s "$f" -f json show "$(fp "$f")"
	python3 -c '
import ast, json, sys
raw = ast.literal_eval(open(sys.argv[2]).read())
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
want = [b.decode("utf-8", "replace") for b in raw]
assert d["CertificateDomains"] == want, (d["CertificateDomains"], want)
assert any(b"\xff" in b for b in raw) and any("\ufffd" in w for w in want)
assert any(len(w.encode()) != len(w) and "\ufffd" not in w for w in want)
' "$out" "$T/sans" 2>"$T/why"
	check "$(basename "$f"): CertificateDomains as Python decodes the DER's bytes, U+FFFD for invalid UTF-8" test $? -eq 0
	sed 's/^/#   /' "$T/why"
done
run -s "$H" -f json show "$(fp "$H/bidi-override-cn.pem")"
check "a bidi override in a subject comes out exactly" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Subject"] == "CN=\u202emoc.elpmaxe.www", ascii(d["Subject"])' "$out"
done_testing
