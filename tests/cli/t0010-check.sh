#!/bin/sh
# check THUMBPRINT --fqdn FQDN [--warn-days N] [--no-chain]: the checks of
# certbind(1) CHECKS.  Expected verdicts come from certs-test/README.md, dates and
# names from openssl, never from certbind.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
PW="--password-file $PKI/password.txt"
CA="--ca-file $PKI/ca/root-ca.pem"
AT="--at 2026-06-01"

fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
# The openssl date of $2 (startdate/enddate) of $1 as YYYY-MM-DDThh:mm:ssZ.
odate() {
	date -u -d "$(openssl x509 -in "$1" -noout -"$2" | sed 's/.*=//')" \
	    +%Y-%m-%dT%H:%M:%SZ
}
# jcheck DESC PYTHON: PYTHON is an assertion on d, the JSON on stdout.
jcheck() {
	check "$1" python3 -c "
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
c = {x['Name']: x for x in d['Checks']}
assert $2, (d)" "$out"
}
# result NAME: the Result of check NAME in the JSON on stdout.
result() {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print(next((x['Result'] for x in d['Checks'] if x['Name'] == sys.argv[2]), 'none'))" "$out" "$1"
}
detail() {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print(next((x['Detail'] for x in d['Checks'] if x['Name'] == sys.argv[2]), 'none'))" "$out" "$1"
}
# chk FILE FQDN [OPTION...]: check in JSON with the usual store, time and CA.
chk() {
	_f=$1 _h=$2; shift 2
	run -s "$S" $PW $AT $CA -f json check "$(fp "$_f")" --fqdn "$_h" "$@"
}

M=$(fp "$S/mail.contoso.com.pem")

# --- the main leaf passes everything ---
chk "$S/mail.contoso.com.pem" mail.contoso.com
expect_rc 0 "main leaf: exit 0"
expect_err_empty "main leaf: nothing on stderr"
check "JSON shape: members in order, six checks of three members" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ['Thumbprint', 'Fqdn', 'Result', 'Checks'], list(d)
assert [x['Name'] for x in d['Checks']] == ['Domain', 'Validity', 'PrivateKey', 'Usage', 'Chain', 'Key']
for x in d['Checks']:
    assert list(x) == ['Name', 'Result', 'Detail'], x
    assert x['Result'] in ('Pass', 'Warn', 'Fail') and isinstance(x['Detail'], str) and x['Detail']
assert d['Thumbprint'] == sys.argv[2] and d['Fqdn'] == 'mail.contoso.com'
assert d['Result'] == 'Pass' and all(x['Result'] == 'Pass' for x in d['Checks'])
" "$out" "$M"
jcheck "Domain names the identifier that matched" "c['Domain']['Detail'] == 'matches mail.contoso.com'"
jcheck "Validity gives NotAfter (openssl) and days left" \
    "c['Validity']['Detail'] == 'valid until $(odate "$S/mail.contoso.com.pem" enddate) (214 days)'"
jcheck "Chain names the anchor" "c['Chain']['Detail'] == 'trusted: 3 certificates up to CN=Contoso Root CA, O=Contoso Ltd, C=US'"
jcheck "Key names size and signature" "c['Key']['Detail'] == 'RSA 2048 bits, sha256WithRSAEncryption'"

chk "$S/mail.contoso.com.pem" MAIL.Contoso.Com.
expect_rc 0 "case and one trailing dot are ignored"
jcheck "Fqdn is shown normalised" "d['Fqdn'] == 'mail.contoso.com'"

# --- formats ---
run -s "$S" $PW $AT $CA check "$M" --fqdn mail.contoso.com
expect_rc 0 "default format: exit 0"
expect_out_has '^Thumbprint : [0-9A-F]{40}$' "default is list: Name : value"
expect_out_has '^Result     : Pass$' "list: Result"
expect_out_has '^  Name +Result +Detail$' "list: the checks as an indented table"
expect_out_has '^  Chain +Pass +trusted: ' "list: a check row"
run -s "$S" $PW $AT $CA -f table check "$M" --fqdn mail.contoso.com
expect_out_has '^Thumbprint +Fqdn +Result$' "table: Thumbprint, Fqdn, Result"
expect_out_has "^$M  mail.contoso.com  Pass$" "table: the row"
run -s "$S" $PW $AT $CA -f junit check "$M" --fqdn mail.contoso.com
expect_rc 64 "--format junit is refused"
expect_err_has "'junit' is not a format of check \\(table, list or json\\)" "saying so"

# --- Domain ---
chk "$S/mail.contoso.com.pem" smtp.contoso.com
expect_rc 1 "an FQDN not covered: exit 1"
SANS=$(openssl x509 -in "$S/mail.contoso.com.pem" -noout -ext subjectAltName |
    tail -n 1 | sed 's/^ *//; s/DNS://g')
jcheck "Domain Fail lists what is covered (openssl's SAN list)" \
    "c['Domain']['Result'] == 'Fail' and c['Domain']['Detail'] == 'does not cover smtp.contoso.com; it covers $SANS' and d['Result'] == 'Fail'"
chk "$S/wildcard.contoso.com.pem" mail.contoso.com
expect_rc 0 "wildcard covers one label"
jcheck "naming the wildcard" "c['Domain']['Detail'] == 'matches *.contoso.com'"
chk "$S/wildcard.contoso.com.pem" contoso.com
expect_rc 1 "wildcard does not cover the bare domain"
jcheck "naming the FQDN and the rule" "c['Domain']['Detail'] == 'does not cover contoso.com; a wildcard does not cover the bare domain; it covers *.contoso.com'"
chk "$S/wildcard.contoso.com.pem" a.b.contoso.com
expect_rc 1 "wildcard does not cover two labels"
jcheck "Domain Fail" "c['Domain']['Result'] == 'Fail'"
chk "$S/wildcard.contoso.com.pem" SMTP.eu.contoso.com.
jcheck "naming the FQDN (normalised) and why" "c['Domain']['Detail'] == 'does not cover smtp.eu.contoso.com; a wildcard covers one label; it covers *.contoso.com'"
chk "$S/wildcard.contoso.com.pem" smtp.contoso.org
jcheck "no reason for a name that is not close" "c['Domain']['Detail'] == 'does not cover smtp.contoso.org; it covers *.contoso.com'"
chk "$S/legacy/legacy.contoso.com.pem" legacy.contoso.com
expect_rc 0 "CN-only match: a warning, exit 0"
jcheck "Domain Warn naming the CN" "c['Domain']['Result'] == 'Warn' and 'subject CN legacy.contoso.com' in c['Domain']['Detail'] and d['Result'] == 'Warn'"
chk "$S/legacy/legacy.contoso.com.pem" mail.contoso.com
expect_rc 1 "CN-only, no match"
jcheck "listing the CN" "c['Domain']['Detail'] == 'does not cover mail.contoso.com; it covers legacy.contoso.com (subject CN: no DNS names)'"
chk "$S/smtp.contoso.com-ip.pem" 192.0.2.10
expect_rc 0 "IPv4 FQDN matches an iPAddress SAN"
jcheck "naming the address" "c['Domain']['Detail'] == 'matches IP address 192.0.2.10'"
chk "$S/smtp.contoso.com-ip.pem" '[2001:DB8::0:10]'
expect_rc 0 "IPv6 FQDN (brackets, upper case, zeros) matches"
jcheck "in canonical form" "c['Domain']['Detail'] == 'matches IP address 2001:db8::10' and d['Fqdn'] == '2001:db8::10'"
chk "$S/smtp.contoso.com-ip.pem" 192.0.2.11
expect_rc 1 "another address does not match"
jcheck "covers lists DNS names and addresses" "c['Domain']['Detail'] == 'does not cover 192.0.2.11; it covers smtp.contoso.com, 192.0.2.10, 2001:db8::10'"
chk "$S/smtp.contoso.com-ip.pem" ::ffff:192.0.2.10
expect_rc 1 "a v4-mapped IPv6 address is other bytes"

# --- Validity ---
E=$S/expiring.contoso.com.pem
chk "$E" expiring.contoso.com
expect_rc 0 "expiring within 30 days: a warning, exit 0"
jcheck "Validity Warn with days and date" "c['Validity'] == {'Name': 'Validity', 'Result': 'Warn', 'Detail': 'expires in 14 days ($(odate "$E" enddate))'} and d['Result'] == 'Warn'"
chk "$E" expiring.contoso.com --warn-days 14
check "--warn-days 14: NotAfter 14 days away warns" test "$(result Validity)" = Warn
chk "$E" expiring.contoso.com --warn-days 13
check "--warn-days 13: passes" test "$(result Validity)" = Pass
chk "$E" expiring.contoso.com --warn-days=0
check "--warn-days=0: never warns" test "$(result Validity)" = Pass
run -s "$S" $PW --at 2026-05-01 $CA -f json check "$(fp "$E")" --fqdn expiring.contoso.com
check "45 days before: passes" test "$(result Validity)" = Pass
chk "$S/expired.contoso.com.pem" expired.contoso.com
expect_rc 1 "expired: exit 1"
check "Validity Fail with the date" test "$(detail Validity)" = "expired on $(odate "$S/expired.contoso.com.pem" enddate)"
check "Chain fails too (verified at --at)" test "$(detail Chain)" = "untrusted: certificate has expired"
chk "$S/future.contoso.com.pem" future.contoso.com
expect_rc 1 "not yet valid: exit 1"
check "Validity Fail with NotBefore" test "$(detail Validity)" = "not valid before $(odate "$S/future.contoso.com.pem" startdate)"
run -s "$S" $PW --at 2027-07-01 $CA -f json check "$(fp "$S/future.contoso.com.pem")" --fqdn future.contoso.com
expect_rc 0 "--at moves both Validity and Chain"

# --- PrivateKey ---
chk "$S/autodiscover.contoso.com.cer" autodiscover.contoso.com
expect_rc 1 "no key: exit 1"
check "PrivateKey Fail" test "$(result PrivateKey)" = Fail
run -s "$S" $AT $CA -f json check "$(fp "$S/secure.contoso.com.pem")" --fqdn secure.contoso.com
expect_rc 1 "an encrypted key without the passphrase does not count"
check "PrivateKey Fail" test "$(result PrivateKey)" = Fail
chk "$S/secure.contoso.com.pem" secure.contoso.com
expect_rc 0 "with it, it does"

# --- Usage ---
chk "$S/eku-clientauth-only.pem" client.contoso.com
expect_rc 1 "clientAuth only: exit 1"
check "Usage Fail naming the EKU" test "$(detail Usage)" = "extended key usage lacks serverAuth: clientAuth"
check "Chain Fail too (sslserver purpose)" test "$(detail Chain)" = "untrusted: unsuitable certificate purpose"
chk "$S/ku-keycertsign-only.pem" keyusage.contoso.com
expect_rc 1 "keyCertSign only: exit 1"
check "Usage Fail naming the key usage" test "$(detail Usage)" = "key usage lacks digitalSignature and keyEncipherment: keyCertSign"
chk "$S/ec-p256.contoso.com.pem" ec.contoso.com
expect_rc 0 "EC leaf from the other issuing CA passes"
check "Usage Pass" test "$(detail Usage)" = "extended key usage serverAuth; key usage digitalSignature"

# --- Chain ---
run -s "$S" $PW $AT -f json check "$M" --fqdn mail.contoso.com
expect_rc 1 "no --ca-file: the system roots do not know the test root"
check "Chain Fail with OpenSSL's reason" test "$(detail Chain)" = "untrusted: self-signed certificate in certificate chain (at CN=Contoso Root CA, O=Contoso Ltd, C=US)"
run -s "$S" $PW $AT -f json check "$M" --fqdn mail.contoso.com --no-chain
expect_rc 0 "--no-chain skips it"
jcheck "no Chain entry at all" "'Chain' not in c and len(d['Checks']) == 5"
run -s "$S/mail.contoso.com.pem" -s "$S/privkey-mail.contoso.com.pem" $AT $CA -f json check "$M" --fqdn mail.contoso.com
expect_rc 1 "without the intermediate in the store"
check "Chain Fail naming the missing issuer, absent from the store" test "$(detail Chain)" = "untrusted: unable to get local issuer certificate (missing issuer CN=Contoso Issuing CA 1, DC=contoso, DC=com); it is not in the store: add the issuer's certificate to the store, or to --ca-file if it is a root"
# A PFX exported without its chain: the leaf and its key alone.
P12=$PKI/p12/nopass.p12
openssl pkcs12 -in "$P12" -passin pass: -nodes -clcerts -nokeys -out "$T/p12leaf.pem" 2>/dev/null
openssl pkcs12 -in "$P12" -passin pass: -nodes -nocerts -out "$T/p12key.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/p12leaf.pem" -inkey "$T/p12key.pem" -passout pass: -out "$T/nochain.pfx" 2>/dev/null
run -s "$T/nochain.pfx" $AT $CA -f json check "$(fp "$T/p12leaf.pem")" --fqdn nopass.contoso.com
expect_rc 1 "a PFX without its chain"
check "Chain Fail naming the issuer (openssl) and the PFX export" test "$(detail Chain)" = "untrusted: unable to get local issuer certificate (missing issuer $(openssl x509 -in "$T/p12leaf.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//; s/,/, /g')); the PFX was exported without its chain: export it again with all certificates in the certification path, or add the issuer's certificate to the store"
run -s "$T/nochain.pfx" -s "$PKI/ca/issuing-ca-1.pem" $AT $CA -f json check "$(fp "$T/p12leaf.pem")" --fqdn nopass.contoso.com
check "the issuer beside it mends the chain" test "$(result Chain)" = Pass
mkdir "$T/capath" "$T/empty"
cp "$PKI/ca/root-ca.pem" "$T/capath/" && openssl rehash "$T/capath" 2>/dev/null
run -s "$S" $PW $AT --ca-path "$T/capath" -f json check "$M" --fqdn mail.contoso.com
expect_rc 0 "--ca-path with the root"
check "Chain Pass" test "$(result Chain)" = Pass
run -s "$S" $PW $AT --ca-path "$T/empty" -f json check "$M" --fqdn mail.contoso.com
expect_rc 1 "--ca-path without it"
run -s "$S" $PW $AT --ca-file "$T/nonexistent.pem" check "$M" --fqdn mail.contoso.com
expect_rc 2 "an unreadable --ca-file: exit 2"
expect_err_has "^certbind: .*nonexistent.pem: cannot load the trust anchors: No such file or directory$" "naming the file and the system's reason"
run -s "$S" $PW $AT --ca-file "$T/nonexistent.pem" -c "$PKI/connectors.xml" validate
expect_err_has "nonexistent.pem: cannot load the trust anchors: No such file or directory$" "validate: the system's reason too"
check "nothing on stdout" test ! -s "$out"
run -s "$S" $PW $AT --ca-file "$PKI/password.txt" check "$M" --fqdn mail.contoso.com
expect_rc 2 "a --ca-file without certificates: exit 2"
expect_err_has "password.txt: cannot load the trust anchors" "naming the file"
run -s "$S" $PW $AT --ca-file "$T/nonexistent.pem" -f json check "$M" --fqdn mail.contoso.com --no-chain
expect_rc 0 "--no-chain does not read the anchors"
SS=$S/selfsigned.contoso.com.pem
chk "$SS" selfsigned.contoso.com
expect_rc 0 "self-signed leaf: a warning, exit 0"
check "Chain Warn" test "$(result Chain)" = Warn
check "saying why" test "$(detail Chain)" = "self-signed: no trust anchor vouches for it"
run -s "$S" $PW $AT --ca-file "$SS" -f json check "$(fp "$SS")" --fqdn selfsigned.contoso.com
check "trusted itself, still a Warn" test "$(detail Chain)" = "self-signed, and a trust anchor"

# --- Key ---
chk "$S/weak-rsa1024.pem" weak-rsa.contoso.com
expect_rc 1 "RSA 1024: exit 1"
check "Key Fail" test "$(detail Key)" = "RSA 1024 bits, under the 2048 required; sha256WithRSAEncryption"
check "Chain passes: strength is Key's business" test "$(result Chain)" = Pass
chk "$S/sha1-signature.pem" sha1.contoso.com
expect_rc 0 "SHA-1 signature: a warning, exit 0"
check "Key Warn naming the algorithm" test "$(detail Key)" = "RSA 2048 bits; signed with SHA-1 ($(openssl x509 -in "$S/sha1-signature.pem" -noout -text | sed -n 's/^ *Signature Algorithm: //p' | head -n 1)), which can be forged"
run -s "$S" $PW $AT $CA -f json check "$(fp "$PKI/ca/root-ca.pem")" --fqdn mail.contoso.com
check "the root: Key names RSA 3072 (openssl)" test "$(detail Key)" = "RSA $(openssl x509 -in "$PKI/ca/root-ca.pem" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit)/\1/p') bits, sha384WithRSAEncryption"

# --- hostile certificates ---
H=$PKI/hostile
run -s "$H" -s "$S/ca" $AT $CA -f json check "$(fp "$H/nul-in-san.pem")" --fqdn www.paypal.com
expect_rc 1 "a SAN with a NUL does not match its prefix"
check "the NUL is shown, not cut" test "$(detail Domain)" = 'does not cover www.paypal.com; it covers www.paypal.com\x00.evil.com'
run -s "$H" -s "$S/ca" $AT $CA check "$(fp "$H/newline-cn.pem")" --fqdn evil.contoso.com
expect_out_lacks '^X-Injected' "a newline in a certificate name never starts a line"
run -s "$H" -s "$S/ca" $AT $CA check "$(fp "$H/ansi-escape-cn.pem")" --fqdn red.contoso.com
check "no raw escape reaches the terminal" sh -c "! grep -q \"\$(printf '\033')\" '$out'"
run -s "$H" -s "$S/ca" $AT $CA -f json check "$(fp "$H/long-name-many-sans.pem")" --fqdn x.contoso.com
check "200 SANs: the first 32, then how many more" test "$(detail Domain | sed 's/.*san031.contoso.com//')" = " and 168 more"

# --- usage errors (64) and lookups ---
run -s "$S" $PW check "$M"
expect_rc 64 "no --fqdn"
expect_err_has "--fqdn is required" "saying so"
run -s "$S" $PW check --fqdn mail.contoso.com
expect_rc 64 "no thumbprint"
expect_err_has "no thumbprint given" "saying so"
run -s "$S" $PW check "$M" "$M" --fqdn mail.contoso.com
expect_rc 64 "two thumbprints"
expect_err_has "one thumbprint only" "saying so"
run -s "$S" $PW check "$M" --fqdn mail_1.contoso.com
expect_rc 64 "an underscore"
expect_err_has "invalid FQDN 'mail_1.contoso.com' for --fqdn: underscore in host name" "saying so"
run -s "$S" $PW check "$M" --fqdn "$(printf 'mail\001.contoso.com')"
expect_rc 64 "a control character"
expect_err_has "invalid FQDN 'mail\\\\x01.contoso.com' for --fqdn: control character" "shown escaped"
check "never raw on stderr" sh -c "! grep -q \"\$(printf '\001')\" '$err'"
# argv cannot carry a NUL; what a shell makes of one is the text before it.
run -s "$S" $PW check "$M" --fqdn "$(printf 'mail.contoso.com\\0evil')"
expect_rc 64 "a backslash (an escaped NUL written out)"
expect_err_has "invalid character in host name" "saying so"
L=$(python3 -c "print('.'.join(['a' * 63] * 4))")
run -s "$S" $PW check "$M" --fqdn "$L"
expect_rc 64 "an FQDN of 255 characters"
expect_err_has "host name longer than 253 characters" "saying so"
run -s "$S" $PW check "$M" --fqdn "$(python3 -c "print('a' * 64 + '.com')")"
expect_rc 64 "a label of 64"
expect_err_has "label longer than 63 characters" "saying so"
for bad in '' 'mail..contoso.com' '*.contoso.com' 'mail.contoso.com:25' '[::1]:25' \
    'https://mail.contoso.com' '-mail.contoso.com' '1.2.3.256' 'fe80::1%eth0' 'mail contoso'; do
	run -s "$S" $PW check "$M" --fqdn "$bad"
	expect_rc 64 "invalid FQDN '$bad'"
	expect_err_has "invalid FQDN .* for --fqdn: " "saying why ('$bad')"
done
for bad in -1 abc 36501 '' 1x 99999999999999999999; do
	run -s "$S" $PW check "$M" --fqdn mail.contoso.com --warn-days "$bad"
	expect_rc 64 "--warn-days '$bad'"
	expect_err_has "warn-days takes a number of days from 0 to 36500" "saying so ('$bad')"
done
run -s "$S" $PW check 0000000000 --fqdn mail.contoso.com
expect_rc 1 "an unknown thumbprint: exit 1"
expect_err_has "no certificate with this thumbprint" "saying so"
run -s "$S" $PW check nothex --fqdn mail.contoso.com
expect_rc 64 "a malformed thumbprint: exit 64"
run -s "$T/missing" check "$M" --fqdn mail.contoso.com
expect_rc 2 "an unreadable store: exit 2"
run check --help
expect_rc 0 "--help"
expect_out_has "--warn-days" "lists the options"

done_testing
