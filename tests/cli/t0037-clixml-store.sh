#!/bin/sh
# Get-ExchangeCertificate | Export-Clixml as a store file (certbind(1)
# THE STORE): the exports in certs-test/exchange/ were made by
# certs-test/mkclixml.py from certificates of certs-test/store/, so
# openssl, reading those sources, says which thumbprints they hold.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
X=$PKI/exchange
AT=--at=2026-06-01
fp() { openssl x509 -in "$1" -inform "${2:-PEM}" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g'; }
MAIL=$(fp "$S/mail.contoso.com.pem")
EC=$(fp "$S/ec-p256.contoso.com.pem")
AUTOD=$(fp "$S/autodiscover.contoso.com.cer" DER)
SELF=$(fp "$S/selfsigned.contoso.com.pem")
OLD=$(fp "$S/expired.contoso.com.pem")
printf '%s\n' "$MAIL" "$EC" "$AUTOD" "$SELF" "$OLD" | sort >"$T/want5"
printf '%s\n' "$MAIL" "$EC" "$AUTOD" | sort >"$T/want3"
thumbs() { sed -n 's/^ *"Thumbprint": "\([0-9A-F]*\)",$/\1/p' "$out" | sort; }

# Every encoding and both shapes give exactly the source certificates.
for f in certs-utf16.xml:want5 certs-utf8.xml:want5 \
    live-utf16.xml:want3 live-utf8bom.xml:want3; do
	file=${f%%:*} want=${f##*:}
	run -s "$X/$file" $AT list --format json
	expect_rc 0 "$file: list succeeds"
	expect_err_empty "$file: nothing reported"
	thumbs >"$T/got"
	check "$file: the thumbprints openssl gives for the sources" \
	    cmp -s "$T/got" "$T/$want"
done

# The whole certificate is there: show agrees with openssl on fields,
# FriendlyName comes from the export, and no private key is claimed.
run -s "$X/certs-utf16.xml" $AT show "$AUTOD" --format json
expect_rc 0 "show by thumbprint"
SUBJ=$(openssl x509 -in "$S/autodiscover.contoso.com.cer" -inform DER \
    -noout -serial | sed 's/.*=//')
expect_out_has "\"SerialNumber\": \"$SUBJ\"" "SerialNumber is openssl's"
expect_out_has '"FriendlyName": "Autodiscover & <web>"' \
    "FriendlyName from the export, XML escapes decoded"
expect_out_has '"HasPrivateKey": false' "no private key"
expect_out_has "\"Path\": \"$X/certs-utf16.xml\"" "Path is the export"
run -s "$X/certs-utf16.xml" $AT show "$OLD" --format json
expect_out_has '"FriendlyName": "Old_x_cert"' \
    "an _x005F_ escape decodes to an underscore"
run -s "$X/certs-utf16.xml" $AT show "$EC" --format json
expect_out_has '"FriendlyName": ""' "a Nil FriendlyName is none"
run -s "$X/certs-utf16.xml" $AT name "$MAIL"
expect_rc 0 "name works"
expect_out "<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=mail.contoso.com" \
    "the TLS name of the certificate"

# A certificate from an export is no PFX: a missing issuer is not in the
# store, not left out of a PFX export.
run -s "$X/certs-utf16.xml" $AT check "$MAIL" --fqdn mail.contoso.com
expect_rc 1 "check fails without the issuer"
expect_out_has "^  Chain +Fail +.*; it is not in the store: add the issuer's certificate" \
    "Chain says the issuer is not in the store"
expect_out_lacks "PFX" "nothing about a PFX"
expect_out_has "^  PrivateKey +Fail" "the export holds no private key"

# Damaged exports are reported with path and line, and skipped; the rest
# of the store loads.
D=$X/damaged
run -s "$D/truncated.xml" -s "$S/mail.contoso.com.pem" $AT list --format json
expect_rc 0 "a truncated export does not stop the store"
expect_err_has "^certbind: $D/truncated.xml: line [0-9]+: PowerShell CLIXML: premature end of data" \
    "truncated: path, line and what is wrong"
thumbs >"$T/got"
check "only the PEM certificate is listed" \
    test "$(cat "$T/got")" = "$MAIL"
run -s "$D/odd.xml" $AT list
expect_err_has "^certbind: $D/odd.xml: line [0-9]+: PowerShell CLIXML: UTF-16LE: odd number of bytes" \
    "an odd UTF-16 byte count is reported"
run -s "$D/badbase64.xml" $AT list
expect_err_has "^certbind: $D/badbase64.xml: line 11: PowerShell CLIXML: <BA N=\"RawData\">: bad base64$" \
    "bad base64 in RawData is reported with its line"
run -s "$D/notcert.xml" $AT list --format json
expect_err_has "^certbind: $D/notcert.xml: line 11: certificate 1: RawData is not a certificate$" \
    "a RawData that is no certificate is reported"
thumbs >"$T/got"
check "the next object of the same export still loads" \
    test "$(cat "$T/got")" = "$EC"
run -s "$D/connectors.xml" $AT list
expect_err_empty "an export without RawData is passed over silently"
run -s "$D/connectors.xml" -v $AT list
expect_err_has "^certbind: $D/connectors.xml: PowerShell CLIXML without certificates \(RawData\), skipped$" \
    "-v names it"

# A whole directory: the good exports are one store (duplicates kept
# once), each damaged one reported once.
run -s "$X" $AT list --format json
expect_rc 0 "the directory loads"
thumbs >"$T/got"
check "five certificates, each once" cmp -s "$T/got" "$T/want5"
check "each damaged file reported once" \
    test "$(grep -c '^certbind: .*damaged/' "$err")" -eq 4

printf '<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04">\n<Obj><Props>\n<S N="RawData">MIIB</S>\n</Props></Obj></Objs>\n' >"$T/str.xml"
run -s "$T/str.xml" list
expect_err_has "^certbind: $T/str.xml: line 3: certificate 1: RawData is not a byte array \(<BA>\)$" \
    "a RawData that is a string is reported"

# UTF-16 with a lying declaration, a DOCTYPE: refused, never read.
printf '<?xml version="1.0" encoding="utf-16"?>\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"/>\n' >"$T/lie.xml"
run -s "$T/lie.xml" list
expect_err_has "^certbind: $T/lie.xml: line 1: PowerShell CLIXML: the declaration says encoding \"utf-16\" but the file is UTF-8$" \
    "a UTF-8 file declaring UTF-16 is refused"
printf '<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04"><S>&a;</S></Objs>\n' >"$T/dtd.xml"
run -s "$T/dtd.xml" list
expect_err_has "^certbind: $T/dtd.xml: line 1: PowerShell CLIXML: document type declarations \(<!DOCTYPE\) are not allowed$" \
    "a DOCTYPE is refused"
done_testing
