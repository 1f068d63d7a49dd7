#!/bin/sh
# validate: certbind(1) CHECKS's per-connector checks, every output format, exit
# status, --strict, JUnit; config-level failures.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
CA=$PKI/ca/root-ca.pem
V="-s $S --password-file $PKI/password.txt --ca-file $CA --at 2026-06-01"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
# A TLS name from openssl's view of a file (single-valued RDNs only; the
# names module has its own oracle tests).
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '&lt;I&gt;%s&lt;S&gt;%s' "$i" "$s"
}
conn() { # NAME FQDN TLSNAME(xml-escaped)
	printf '  <ReceiveConnector>\n    <Server>EX1</Server>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n    <AdvertiseClientSettings>false</AdvertiseClientSettings>\n  </ReceiveConnector>\n' "$1" "$2" "$3"
}
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<ReceiveConnectors>'
	conn "Good" "www.contoso.com" "$(tlsname "$S/fullchain-www.contoso.com.pem")"
	conn "Expired" "expired.contoso.com" "$(tlsname "$S/expired.contoso.com.pem")"
	conn "Expiring" "expiring.contoso.com" "$(tlsname "$S/expiring.contoso.com.pem")"
	conn "Wrong host" "smtp.fabrikam.com" "$(tlsname "$S/wildcard.contoso.com.pem")"
	conn "Nothing" "mail.contoso.com" "&lt;I&gt;CN=Gone CA&lt;S&gt;CN=mail.contoso.com"
	conn "Malformed" "mail.contoso.com" "CN=mail.contoso.com"
	conn "Empty" "mail.contoso.com" ""
	conn "Bad fqdn" "mail_01.contoso.com" "$(tlsname "$S/wildcard.contoso.com.pem")"
	echo '</ReceiveConnectors>'
} >"$T/c.xml"
check "the fixture is well-formed (xmllint)" xmllint --noout "$T/c.xml"

run $V -c "$T/c.xml" -f json validate
expect_rc 1 "a failing connector makes validate exit 1"
python3 - "$out" >"$T/j" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Result"] == "Fail", d["Result"]
by = {c["Identity"]: c for c in d["Connectors"]}
def chk(ident, name):
    return {c["Name"]: c for c in by[ident]["Checks"]}.get(name)
for c in d["Connectors"]:
    for k in ("Identity", "Fqdn", "TlsCertificateName", "Thumbprint", "Result", "Checks"):
        assert k in c, (k, c)
assert by["EX1\\Good"]["Result"] == "Pass", by["EX1\\Good"]
assert by["EX1\\Good"]["Thumbprint"] and len(by["EX1\\Good"]["Thumbprint"]) == 40
# Exchange ignores an expired certificate: a name whose only
# certificate is expired is event 12014 (certbind(1) WHAT EXCHANGE DOES),
# and no check runs on a certificate Exchange does not present.
b = chk("EX1\\Expired", "Binding")
assert b["Result"] == "Fail" and "12014" in b["Detail"] and "expired on" in b["Detail"], b
assert chk("EX1\\Expired", "Validity") is None
assert by["EX1\\Expired"]["Thumbprint"] is None
assert chk("EX1\\Expiring", "Validity")["Result"] == "Warn"
assert chk("EX1\\Wrong host", "Domain")["Result"] == "Fail"
assert "covers" in chk("EX1\\Wrong host", "Domain")["Detail"]
b = chk("EX1\\Nothing", "Binding")
assert b["Result"] == "Fail" and "12014" in b["Detail"], b
assert by["EX1\\Nothing"]["Thumbprint"] is None
assert chk("EX1\\Malformed", "Binding")["Result"] == "Fail"
# No name: Exchange searches by the Fqdn; the renewal pair of
# mail.contoso.com covers it equally well (both exact, both CA-issued).
b = chk("EX1\\Empty", "Binding")
assert b["Result"] == "Warn" and "equally well" in b["Detail"], b
assert by["EX1\\Empty"]["Thumbprint"] in b["Detail"], b
assert chk("EX1\\Bad fqdn", "Fqdn")["Result"] == "Fail"
print("ok")
PY
check "every connector has the expected results (JSON)" grep -qx ok "$T/j"
sed 's/^/# /' "$T/j" | grep -v '^# ok$'

run $V -c "$T/c.xml" validate --identity Good
expect_rc 0 "a connector that passes: exit 0"
check "the table shows a row per check" test "$(grep -c '^EX1\\Good ' "$out")" -ge 6
run $V -c "$T/c.xml" validate --identity Expiring
expect_rc 0 "a warning alone is exit 0"
run $V -c "$T/c.xml" validate --identity Expiring --strict
expect_rc 1 "--strict makes a warning exit 1"
run $V -c "$T/c.xml" validate --identity Expiring --warn-days 10
expect_out_lacks "Validity +Warn" "--warn-days 10: 14 days left is no warning"
run $V -c "$T/c.xml" validate --identity 'Nobody*'
expect_rc 1 "a pattern that selects nothing is exit 1"
expect_err_has "no connector matches 'Nobody\*'" "saying so"
run $V -c "$T/c.xml" validate --identity Good --no-chain -f json
expect_out_lacks '"Chain"' "--no-chain skips the Chain check"
run -s "$S" --at 2026-06-01 -c "$T/c.xml" validate --identity Good -f json
expect_out_has 'none is valid .*untrusted: ' "without --ca-file the system roots are used"
expect_out_has '"Result": "Fail",' "and the test root is not among them: Exchange would ignore the certificate (12014)"
expect_rc 1 "exit 1"

# JUnit: well-formed, a testcase per connector and check, failures counted.
run $V -c "$T/c.xml" -f junit validate
expect_rc 1 "junit: exit status as for the other formats"
check "junit is well-formed XML (xmllint)" xmllint --noout "$out"
tc=$(xmllint --xpath 'count(//testcase)' "$out")
fl=$(xmllint --xpath 'count(//testcase[failure])' "$out")
check "a testcase per connector and check" test "$tc" -ge 20
check "the failures attribute counts the failed testcases" \
    test "$(xmllint --xpath 'string(//testsuite/@failures)' "$out")" = "$fl"
check "a failure carries its detail" test -n "$(xmllint --xpath "string(//testcase[@classname='EX1\\Expired'][@name='Binding']/failure/@message)" "$out")"
run $V -c "$T/c.xml" -f junit validate --strict
fs=$(xmllint --xpath 'count(//testcase[failure])' "$out")
check "--strict turns warnings into JUnit failures" test "$fs" -gt "$fl"

# The list format: each connector, its checks as a table below it.
run $V -c "$T/c.xml" -f list validate --identity Good
expect_out_has '^Identity +: EX1\\Good$' "list: Name : value lines"
expect_out_has '^  Name +Result +Detail$' "list: the checks as an indented table"

# Config-level problems.
sed 's#<Name>Expired</Name>#<Name>GOOD</Name>#' "$T/c.xml" >"$T/dup.xml"
run $V -c "$T/dup.xml" -f json validate
expect_rc 1 "duplicate identities are a failure, not a refusal to run"
expect_out_has '"Name": "Identity"' "reported as an Identity check"
expect_out_has 'also the identity of the connector at line' "naming the other line"
printf '<ReceiveConnectors><ReceiveConnector><Name>a</Name></ReceiveConnector>' >"$T/broken.xml"
run $V -c "$T/broken.xml" validate
expect_rc 2 "a malformed configuration is exit 2"
expect_err_has "$T/broken.xml:1: " "with file and line"
run $V -c "$T/none.xml" validate
expect_rc 2 "a missing configuration is exit 2"
run $V -c "$T/c.xml" validate --warn-days x
expect_rc 64 "a bad --warn-days is a usage error"
run $V -c "$T/c.xml" --ca-file "$T/nope.pem" validate
expect_rc 2 "unreadable trust anchors are exit 2"

# One pass: the store is read once however many connectors there are.
{
	echo '<ReceiveConnectors>'
	for i in $(seq 1 300); do conn "C$i" "www.contoso.com" "$(tlsname "$S/fullchain-www.contoso.com.pem")"; done
	echo '</ReceiveConnectors>'
} >"$T/many.xml"
# (The store may open a file again to re-read a certificate it needs, but
# how often must not depend on the number of connectors.)
{
	echo '<ReceiveConnectors>'
	conn "C1" "www.contoso.com" "$(tlsname "$S/fullchain-www.contoso.com.pem")"
	echo '</ReceiveConnectors>'
} >"$T/one.xml"
strace -f -e trace=openat -o "$T/trace1" "$BIN" $V -c "$T/one.xml" validate >/dev/null 2>&1
strace -f -e trace=openat -o "$T/trace" "$BIN" $V -c "$T/many.xml" validate >/dev/null 2>&1
n1=$(grep -c 'fullchain-www.contoso.com.pem' "$T/trace1")
n300=$(grep -c 'fullchain-www.contoso.com.pem' "$T/trace")
check "300 connectors open each store file as often as 1 does ($n1)" \
    test "$n1" -ge 1 -a "$n300" -eq "$n1"
done_testing
