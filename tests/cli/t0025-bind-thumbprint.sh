#!/bin/sh
# bind --thumbprint: the name written (oracle: the names derived by hand
# in certs-test/README.md and expected-names.tsv, read back by xmllint),
# the checks of certbind(1) CHECKS refusing (exit 1, nothing written) unless
# --force, the ambiguity warning, hostile names.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
C=$T/connectors.xml
ORIG=$PKI/connectors.xml
fresh() { cp "$ORIG" "$C"; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//'; }
B() { run -c "$C" -s "$S" --password-file "$PKI/password.txt" --at 2026-06-01 \
    --ca-file "$PKI/ca/root-ca.pem" "$@"; }
tls() { xmllint --xpath "string(//ReceiveConnector[Name=\"$1\"]/TlsCertificateName)" "$C"; }
I1='CN=Contoso Issuing CA 1, DC=contoso, DC=com'

# A good binding: every check passes, the name is written escaped.
fresh
W=$(fp "$S/wildcard.contoso.com.pem")
B bind --identity 'Default Frontend MAILBOX01' --thumbprint "$W" --fqdn mail.contoso.com
expect_rc 0 "binding a certificate that passes every check exits 0"
check "xmllint reads the hand-derived name" test "$(tls 'Default Frontend MAILBOX01')" = "<I>$I1<S>CN=*.contoso.com"
check "written escaped by libxml2 (&lt; &gt;)" grep -qF "<TlsCertificateName>&lt;I&gt;$I1&lt;S&gt;CN=*.contoso.com</TlsCertificateName>" "$C"
check "diff: exactly the two lines changed" test "$(diff "$ORIG" "$C" | grep -c '^[<>]')" -eq 4
expect_out_has "^MAILBOX01\\\\Default Frontend MAILBOX01 +Changed +TlsCertificateName +<I>$I1<S>CN=\*\.contoso\.com$" \
    "output: the field, empty old value, the new name"
B bind --identity 'Default Frontend MAILBOX01' --thumbprint "$(echo "$W" | tr 'A-F' 'a-f' | sed 's/:/ /g')"
expect_rc 0 "the same binding again, thumbprint in another form"
expect_out_has "Unchanged" "is unchanged"

# A pasted thumbprint with U+200E in front (the Windows dialog).
fresh
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$(printf '\342\200\216')$W" --fqdn mail.contoso.com
expect_rc 0 "a thumbprint pasted with an invisible mark"
expect_err_has "removed 1 U\+200E LEFT-TO-RIGHT MARK from the thumbprint" "with a note"

# Checks in JSON.
fresh
B -f json bind --identity 'Client Frontend MAILBOX02' --thumbprint "$W"
expect_rc 0 "the wildcard for the connector's own Fqdn (mailbox02.contoso.com)"
check "JSON: the six checks in order, all Pass" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); c=d['Connectors'][0]
assert d['Result']=='Changed' and [k['Name'] for k in c['Checks']]==['Domain','Validity','PrivateKey','Usage','Chain','Key'], d
assert all(k['Result']=='Pass' for k in c['Checks']), c" "$out"

# A failing check refuses: exit 1, the checks named, nothing written.
fresh
E=$(fp "$S/expired.contoso.com.pem")
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$E" --fqdn expired.contoso.com
expect_rc 1 "an expired certificate is refused"
expect_err_has "^certbind: MAILBOX02\\\\Client Frontend MAILBOX02: Validity: Fail: " "naming the connector and the failed check"
expect_err_has "bind refused for 1 connector; nothing written" "and that nothing was written"
check "the file is unchanged" cmp -s "$ORIG" "$C"
B -f json bind --identity 'Client Frontend MAILBOX02' --thumbprint "$E" --fqdn expired.contoso.com
expect_rc 1 "refused, JSON"
check "JSON: Result Refused, the Validity check Fail" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); c=d['Connectors'][0]
assert d['Result']=='Refused' and c['Result']=='Refused'
assert [k['Result'] for k in c['Checks'] if k['Name']=='Validity']==['Fail'], c" "$out"
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$E" --fqdn expired.contoso.com --force
expect_rc 0 "--force writes anyway"
expect_err_has "warning: .*writing although 1 connector failed the checks \(--force\)" "with a warning"
check "and the name is written" test "$(tls 'Client Frontend MAILBOX02')" = "<I>$I1<S>CN=expired.contoso.com"

# Domain: the certificate must cover the connector's resulting Fqdn.
fresh
M=$(fp "$S/mail.contoso.com.pem")
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$M"
expect_rc 1 "a certificate that does not cover the connector's Fqdn is refused"
expect_err_has "Domain: Fail" "by the Domain check"
check "nothing written" cmp -s "$ORIG" "$C"
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$M" --fqdn mail.contoso.com
expect_rc 0 "with --fqdn it covers, it binds"
expect_err_has "warning: .*2 valid certificates in the store have this certificate's name; the binding is ambiguous"     "warning that another certificate has the same name"
expect_err_has "$(fp "$S/mail.contoso.com-renewed.pem" | tr -d :)" "listing the other one"
check "Fqdn and name written" test "$(tls 'Client Frontend MAILBOX02')" = "<I>$I1<S>CN=mail.contoso.com" -a \
    "$(xmllint --xpath 'string(//ReceiveConnector[Name="Client Frontend MAILBOX02"]/Fqdn)' "$C")" = mail.contoso.com

# Several connectors: one failing refuses them all.
fresh
B bind --identity 'Client Frontend*' --thumbprint "$M"
expect_rc 1 "one of two connectors failing refuses both"
check "nothing written" cmp -s "$ORIG" "$C"

# A connector with no Fqdn cannot be checked.
fresh
sed '/<Fqdn>mailbox02.contoso.com<\/Fqdn>/d' "$ORIG" >"$C"; cp "$C" "$T/nofqdn"
B bind --identity 'Client Frontend MAILBOX02' --thumbprint "$W"
expect_rc 1 "no Fqdn to check against: refused"
expect_err_has "the connector has no Fqdn to check the certificate against; give --fqdn" "saying what to do"
check "nothing written" cmp -s "$T/nofqdn" "$C"

# --no-chain: a self-signed certificate's Chain is not judged.
fresh
SS=$(fp "$S/selfsigned.contoso.com.pem")
B -f json bind --identity 'Client Frontend MAILBOX02' --thumbprint "$SS" --fqdn selfsigned.contoso.com --no-chain
expect_rc 0 "--no-chain"
check "no Chain check in the result" python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert 'Chain' not in [k['Name'] for k in d['Connectors'][0]['Checks']], d" "$out"

# Names with XML's special characters: escaped by libxml2, read back exactly.
fresh
# A name Exchange would refuse (its first CN= is not a domain name) is
# refused even with --force; nothing written (certbind-connectors(5)).
Q=$S/names/quoting-chars.pem
fresh
B bind --identity 'Default MAILBOX01' --thumbprint "$(fp "$Q")" --force --no-chain
expect_rc 1 "a name whose CN is not a domain name: refused even with --force"
expect_err_has "Exchange's Set-ReceiveConnector and Set-SendConnector would refuse the TlsCertificateName '<I>$I1<S>CN=\"\"\"quoted.*: the first CN= of its subject part is not a domain name or \\*\\.domain; nothing written" "saying why"
check "nothing written" cmp -s "$ORIG" "$C"

# < > " , in values Exchange accepts: a leaf of a throwaway CA.
fresh
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/qca.key" -out "$T/qca.pem" -subj '/CN=Quoting CA' -days 30 \
    2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/q.key" -out "$T/q.csr" \
    -subj '/C=US/O=Contoso, Ltd/OU=Less<Than/OU=Greater>Than/OU=Say "Hi"/CN=mail.contoso.com' \
    2>/dev/null
openssl x509 -req -in "$T/q.csr" -CA "$T/qca.pem" -CAkey "$T/qca.key" \
    -out "$T/q.pem" -days 30 -extfile /dev/null 2>/dev/null
want='<I>CN=Quoting CA<S>CN=mail.contoso.com, OU="Say ""Hi""", OU="Greater>Than", OU="Less<Than", O="Contoso, Ltd", C=US'
run -c "$C" -s "$T/q.pem" bind --identity 'Default MAILBOX01' \
    --thumbprint "$(fp "$T/q.pem")" --force --no-chain
expect_rc 0 "a name with < > \" , in values (forced: no key)"
check "xmllint reads back the hand-derived name exactly" test "$(tls 'Default MAILBOX01')" = "$want"
check "< and > in values written as &lt; and &gt;" grep -qF 'OU=&quot;Greater&gt;Than&quot;, OU=&quot;Less&lt;Than&quot;' "$C"

# Hostile names are never written, even with --force.
for h in ansi-escape-cn newline-cn cr-cn tab-cn bidi-override-cn nul-in-cn; do
	fresh
	run -c "$C" -s "$PKI/hostile/$h.pem" bind --identity 'Default MAILBOX01' \
	    --thumbprint "$(fp "$PKI/hostile/$h.pem")" --force --fqdn mx.contoso.com
	expect_rc 1 "$h: refused even with --force"
	expect_err_has "the certificate's name holds control characters or invalid UTF-8; it is not written" "$h: saying why"
	check "$h: nothing written" cmp -s "$ORIG" "$C"
done

# Thumbprint problems keep their own exit statuses; nothing written.
fresh
B bind --identity '*' --thumbprint 00000000
expect_rc 1 "an unknown thumbprint: exit 1"
B bind --identity '*' --thumbprint 'xyz'
expect_rc 64 "a malformed thumbprint: exit 64"
check "nothing written" cmp -s "$ORIG" "$C"
B --ca-file "$T/none.pem" bind --identity 'Default MAILBOX01' --thumbprint "$W"
expect_rc 2 "trust anchors that cannot be loaded: exit 2"
check "nothing written" cmp -s "$ORIG" "$C"
done_testing
