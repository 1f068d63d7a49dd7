#!/bin/sh
# renew (certbind(1) renew) on the test PKI: when it rebinds, when it leaves a
# connector alone, when it fails; --dry-run, --exec and its environment.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
CA=$PKI/ca/root-ca.pem
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '<I>%s<S>%s' "$i" "$s"
}
xmlesc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
conn() { # NAME FQDN TLSNAME
	printf '  <ReceiveConnector>\n    <Server>EX1</Server>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n  </ReceiveConnector>\n' "$1" "$2" "$(printf '%s' "$3" | xmlesc)"
}
value() { xmllint --xpath "string(//ReceiveConnector[Name='$1']/TlsCertificateName)" "$T/c.xml"; }

# The store a renewal leaves behind: the CA certificates, and
# mail.contoso.com re-issued by Issuing CA 2 (a new issuer name).
mkdir "$T/store"
cp "$PKI"/ca/*.pem "$T/store/"
cp "$PKI"/renewal/* "$T/store/"
cp "$S/expired.contoso.com.pem" "$S/expired.contoso.com.key" "$T/store/"
NEW=$PKI/renewal/mail.contoso.com-ca2.pem
OLDNAME=$(tlsname "$S/mail.contoso.com.pem")
NEWNAME=$(tlsname "$NEW")
check "the renewed certificate has another name (another issuer)" test "$OLDNAME" != "$NEWNAME"
{
	echo '<ReceiveConnectors>'
	conn "Mail" "mail.contoso.com" "$OLDNAME"
	conn "Autodiscover" "autodiscover.contoso.com" ""
	conn "Expired" "expired.contoso.com" "$(tlsname "$S/expired.contoso.com.pem")"
	echo '</ReceiveConnectors>'
} >"$T/orig.xml"
cp "$T/orig.xml" "$T/c.xml"
R="-s $T/store --ca-file $CA --at 2026-06-01 -c $T/c.xml"
HOOK='printf "%s\n--\n%s\n--\n%s\n" "$CERTBIND_CONFIG" "$CERTBIND_CHANGED" "$CERTBIND_THUMBPRINTS" >'"$T/hook.out; echo hook-stdout"

run $R renew --identity Mail --dry-run
expect_rc 0 "--dry-run exits 0"
expect_out_has '^-    <TlsCertificateName>&lt;I&gt;CN=Contoso Issuing CA 1' "the diff removes the old name"
expect_out_has '^\+    <TlsCertificateName>&lt;I&gt;CN=Contoso Issuing CA 2' "and adds the new one"
check "--dry-run writes nothing" cmp -s "$T/orig.xml" "$T/c.xml"
cp "$out" "$T/diff"
(cd "$T" && cp orig.xml c2.xml && sed 's#^--- a/c.xml#--- a/c2.xml#; s#^+++ b/c.xml#+++ b/c2.xml#' diff | patch -s -p1 >/dev/null 2>&1)
check "the diff applies with patch(1) and gives the new name" \
    sh -c "xmllint --xpath \"string(//ReceiveConnector[Name='Mail']/TlsCertificateName)\" '$T/c2.xml' | grep -qF 'CN=Contoso Issuing CA 2'"

run $R renew
expect_rc 1 "without --include-unbound: the failure still counts"
expect_out_has '^EX1.Autodiscover +Skipped +TlsCertificateName is empty' \
    "a connector with an empty TlsCertificateName is Skipped, saying why"
# Exchange ignores the expired certificate (certbind(1) WHAT EXCHANGE
# DOES): the connector presents nothing, so no thumbprint is shown.
expect_out_has '^EX1.Expired +Failed +the current binding selects no valid certificate and no certificate' \
    "a failure's reason is in the table"
check "the unbound connector is left alone" test "$(value Autodiscover)" = ""
cp "$T/orig.xml" "$T/c.xml"
rm -f "$T/c.xml.state"
run $R renew --include-unbound --exec "$HOOK" -f json
expect_rc 1 "one connector cannot be fixed: exit 1 (the others are still renewed)"
check "json stays valid although the hook printed (its stdout goes to stderr)" \
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"
expect_err_has "^hook-stdout$" "the hook's output is on stderr"
check "Mail: rebound to the renewed certificate's name (openssl's view)" test "$(value Mail)" = "$NEWNAME"
check "Autodiscover (no binding): bound to the certificate covering it" test "$(value Autodiscover)" = "$NEWNAME"
check "Expired: left as it was" test "$(value Expired)" = "$(tlsname "$S/expired.contoso.com.pem")"
python3 - "$out" "$(fp "$NEW")" >"$T/j" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {c["Identity"]: c for c in d["Connectors"]}
assert d["Result"] == "Failed", d["Result"]
assert by["EX1\\Mail"]["Action"] == "Rebound"
assert by["EX1\\Mail"]["Thumbprint"] == sys.argv[2]
assert by["EX1\\Autodiscover"]["Action"] == "Rebound"
assert by["EX1\\Expired"]["Action"] == "Failed"
assert "no certificate in the store passes" in by["EX1\\Expired"]["Detail"]
print("ok")
PY
check "the JSON result names each connector's action" grep -qx ok "$T/j"
sed 's/^/# /' "$T/j" | grep -v '^# ok$'
check "the hook saw CERTBIND_CONFIG" test "$(sed -n 1p "$T/hook.out")" = "$T/c.xml"
check "CERTBIND_CHANGED: the changed identities, one per line" \
    test "$(sed -n '/^--$/,/^--$/p' "$T/hook.out" | sed 1d | sed '$d' | tr '\n' ' ')" = 'EX1\Mail EX1\Autodiscover '
check "CERTBIND_THUMBPRINTS: their thumbprints" \
    test "$(sed -n '4,$p' "$T/hook.out" | sed '1,/^--$/d' | sort -u)" = "$(fp "$NEW")"
xmllint --noout "$T/c.xml"
check "the result is well-formed" test $? -eq 0

# Nothing to change now: not touched, no hook (the state file has
# what the hook was given).
rm -f "$T/hook.out"
before=$(stat -c '%i %Y' "$T/c.xml")
sleep 1
run $R renew --identity 'Mail' --exec "$HOOK"
expect_rc 0 "nothing to change: exit 0"
check "the file is not touched (inode, mtime)" test "$(stat -c '%i %Y' "$T/c.xml")" = "$before"
check "no hook" test ! -e "$T/hook.out"
expect_err_has "nothing to change; the file is not touched" "says so"

# A later certificate for a binding that still passes: rebind.
cp "$T/orig.xml" "$T/c.xml"
cp "$S/mail.contoso.com.pem" "$S/privkey-mail.contoso.com.pem" "$T/store/"
run $R renew --identity Mail
expect_rc 0 "the old certificate still passes, but the new one expires later"
check "rebound to the later one" test "$(value Mail)" = "$NEWNAME"
expect_out_has 'expires later' "saying why"

# The hook fails: exit 2, reported; the configuration stays written.
cp "$T/orig.xml" "$T/c.xml"
run $R renew --identity Mail --exec 'exit 3'
expect_rc 2 "a failing --exec is exit 2"
expect_err_has "'exit 3' exited with status 3; the configuration was written" "reported"
check "the configuration was written all the same" test "$(value Mail)" = "$NEWNAME"

# Usage and selection errors.
run $R renew --identity 'Nobody'
expect_rc 1 "a pattern that selects nothing is exit 1"
run $R renew --warn-days -3
expect_rc 64 "a negative --warn-days is a usage error"
run $R renew --exec ''
expect_rc 64 "an empty --exec is a usage error"
run -s "$T/store" -c "$T/missing.xml" renew
expect_rc 2 "a missing configuration is exit 2"
done_testing
