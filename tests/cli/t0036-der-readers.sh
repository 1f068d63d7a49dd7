#!/bin/sh
# One reader for each field (issue 15): a certificate's subject
# alternative names and validity dates are read by OpenSSL's decoders,
# so every command gives the same answer for the same certificate.
# Forged certificates come from tests/cli/mkhostile.py.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
AT=--at=2026-06-01
GOOD=$S/mail.contoso.com.pem
gen() { python3 "$top/tests/cli/mkhostile.py" "$@"; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }

# A SAN of dNSName a.example and a directoryName that is no Name:
# OpenSSL cannot decode the extension, so list shows no domains (and
# says why) and the Domain check fails, instead of list showing
# a.example while check refuses it.
mkdir "$T/san"
gen san-dirname "$GOOD" "$T/san/san.pem"
SAN=$(fp "$T/san/san.pem")
check "openssl cannot decode that extension either" sh -c \
    "openssl x509 -in '$T/san/san.pem' -noout -ext subjectAltName 2>&1 | grep -qv 'DNS:a.example'"
run -s "$T/san" $AT list --format json
expect_rc 0 "list still lists the certificate"
check "CertificateDomains is empty" sh -c \
    "tr -d ' \n' <'$out' | grep -q '\"CertificateDomains\":\[\],'"
expect_out_lacks "a\\.example" "a.example is not shown"
expect_err_has "^certbind: note: $T/san/san.pem: certificate $SAN: the subject alternative name extension cannot be decoded: no CertificateDomains$" \
    "a note says why"
run -s "$T/san" $AT show "$SAN" --format json
check "show agrees" sh -c \
    "tr -d ' \n' <'$out' | grep -q '\"CertificateDomains\":\[\],'"
run -s "$T/san" $AT check "$SAN" --fqdn a.example
expect_rc 1 "check fails"
expect_out_has "^  Domain +Fail +the subject alternative name extension cannot be decoded: covers nothing$" \
    "Domain says the extension cannot be decoded"
run -s "$T/san" $AT list --domain a.example
expect_rc 1 "list --domain a.example finds nothing"
run -s "$T/san" -q $AT list --format json
expect_err_empty "-q hides the note"

# Dates OpenSSL refuses (31 February; second 60) are not rolled over
# into March: the file is reported as damaged, like any certificate
# that cannot be read, and the rest of the store loads.
for d in 270231000000Z 270228235960Z; do
	mkdir "$T/$d"
	gen validity 260101000000Z "$d" "$GOOD" "$T/$d/c.pem"
	check "openssl refuses $d" sh -c \
	    "openssl x509 -in '$T/$d/c.pem' -noout -enddate | grep -q 'Bad time value'"
	run -s "$T/$d" -s "$GOOD" $AT list --format json
	expect_rc 0 "a store with NotAfter $d lists the good certificate"
	expect_err_has "^certbind: $T/$d/c.pem: certificate 1: bad validity dates$" \
	    "NotAfter $d: the file is reported"
	expect_out_lacks "2027-03-0" "nothing is shown rolled over into March"
	check "only the good certificate is listed" \
	    test "$(grep -c "\"Thumbprint\"" "$out")" -eq 1
	mkdir "$T/nb$d"
	gen validity "$d" 280101000000Z "$GOOD" "$T/nb$d/c.pem"
	run -s "$T/nb$d" $AT list
	expect_err_has "^certbind: $T/nb$d/c.pem: certificate 1: bad validity dates$" \
	    "NotBefore $d: the file is reported"
done
# The last second of February is a date.
mkdir "$T/feb"
gen validity 260101000000Z 270228235959Z "$GOOD" "$T/feb/c.pem"
run -s "$T/feb" $AT list --format json
expect_rc 0 "23:59:59 on 28 February is read"
expect_out_has '"NotAfter": "2027-02-28T23:59:59Z"' "as itself"
expect_err_empty "without a complaint"

done_testing
