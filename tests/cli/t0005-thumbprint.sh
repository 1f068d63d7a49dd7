#!/bin/sh
# Thumbprints as people type and paste them (certbind(1) THUMBPRINTS), through `show`.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
F=$S/mail.contoso.com.pem
fp() { openssl x509 -in "$1" -noout -fingerprint -"$2"; }
SHA1=$(fp "$F" sha1 | sed 's/.*=//; s/://g')
SHA256=$(fp "$F" sha256 | sed 's/.*=//; s/://g')
lower=$(echo "$SHA1" | tr 'A-F' 'a-f')
spaced=$(echo "$lower" | sed 's/../& /g; s/ $//')
shown() { expect_out_has "^Thumbprint +: $SHA1$" "$1"; }

run -s "$S" --password-file "$PKI/password.txt" show "$(fp "$F" sha1)"
expect_rc 0 "openssl's 'sha1 Fingerprint=AB:CD:...' as printed"
shown "finds the certificate"
run -s "$S" --password-file "$PKI/password.txt" show "$(fp "$F" sha256)"
expect_rc 0 "openssl's 'sha256 Fingerprint=...' as printed"
shown "finds it by SHA-256"
expect_err_has "matched by SHA-256; Windows and Exchange show the SHA-1" "and says SHA-1 is what Windows shows"
run -s "$S" --password-file "$PKI/password.txt" show "$spaced"
expect_rc 0 "lower case with spaces, as the Windows dialog shows it"
shown "finds it"
expect_err_empty "no note when nothing invisible was removed"
run -s "$S" --password-file "$PKI/password.txt" show "$(printf '\342\200\216')$spaced"
expect_rc 0 "with the U+200E the Windows dialog puts in front"
shown "finds it"
expect_err_has "note: removed 19 spaces, 1 U\+200E LEFT-TO-RIGHT MARK from the thumbprint$" "and says what it removed, every kind counted"
run -s "$S" --password-file "$PKI/password.txt" show "?$spaced"
expect_rc 0 "with a '?' where the mark was lost in a code page"
expect_err_has "removed 19 spaces, 1 '\?' from the thumbprint" "noted"
run -s "$S" --password-file "$PKI/password.txt" show "$(printf '\357\273\277')$(echo "$SHA1" | sed 's/..../&-/g; s/-$//')$(printf '\302\240')"
expect_rc 0 "BOM, dashes and a no-break space"
expect_err_has "note: removed 1 U\+00A0 NO-BREAK SPACE, 1 U\+FEFF ZERO WIDTH NO-BREAK SPACE from the thumbprint$" "every kind of invisible character named"
run -s "$S" --password-file "$PKI/password.txt" show "$(printf '\342\200\216')$(echo "$SHA1" | cut -c1-10) $(echo "$SHA1" | cut -c11-40) $(printf '\357\273\277')"
expect_rc 0 "an LRM, two spaces and a BOM"
expect_err_has "note: removed 2 spaces, 1 U\+200E LEFT-TO-RIGHT MARK, 1 U\+FEFF ZERO WIDTH NO-BREAK SPACE from the thumbprint$" "all of them listed"
run -s "$S" --password-file "$PKI/password.txt" show "$(echo "$SHA1" | cut -c1-39)"
expect_rc 0 "39 digits: a unique prefix"
shown "finds it"
expect_err_has "note: 39 hex digits, one short of a SHA-1 thumbprint: taken as a prefix$" "saying it was taken as a prefix"
run -s "$S" --password-file "$PKI/password.txt" show "$(echo "$SHA256" | cut -c1-63)"
expect_rc 0 "63 digits of the SHA-256"
expect_err_has "note: 63 hex digits, one short of a SHA-256 thumbprint: taken as a prefix$" "the same for SHA-256"
run -s "$S" --password-file "$PKI/password.txt" show "$(echo "$SHA1" | cut -c1-38)"
expect_err_empty "38 digits: a prefix, no note"
run -s "$S" --password-file "$PKI/password.txt" show "$(printf '%s\t' "$SHA1")"
expect_rc 0 "a trailing tab"
run -s "$S" --password-file "$PKI/password.txt" show "$(echo "$SHA1" | cut -c1-8)"
expect_rc 0 "a unique 8-digit prefix"
shown "finds it"
run -s "$S" --password-file "$PKI/password.txt" show "$(echo "$SHA256" | cut -c1-12)"
expect_rc 0 "a unique prefix of the SHA-256 when no SHA-1 has it"
shown "finds it"

# Two certificates whose SHA-1s share 8 digits (made by mkambiguous.py).
A=$PKI/ambiguous
P=$(fp "$A/a.pem" sha1 | sed 's/.*=//; s/://g' | cut -c1-8)
check "the fixture's two SHA-1s really share 8 digits (openssl)" \
    test "$(fp "$A/b.pem" sha1 | sed 's/.*=//; s/://g' | cut -c1-8)" = "$P"
run -s "$A" show "$P"
expect_rc 2 "an ambiguous prefix is exit 2"
expect_err_has "thumbprint prefix matches 2 certificates; give more digits" "saying so"
check "listing both" test "$(grep -c "^  $P" "$err")" -eq 2
run -s "$A" show "$(fp "$A/a.pem" sha1 | sed 's/.*=//; s/://g' | cut -c1-9)"
expect_rc 0 "one more digit decides"

# What is wrong with the input is said plainly, exit 64.
bad() {
	run -s "$S" --password-file "$PKI/password.txt" show "$1"
	expect_rc 64 "$3: usage error"
	expect_err_has "invalid thumbprint: $2" "$3: says what is wrong"
}
bad "" "empty thumbprint" "empty"
bad "ABCDEF1" "too short: 7 hex digits, at least 8 needed" "7 digits"
bad "${SHA256}00" "too long: 66 hex digits, at most 64 allowed" "66 digits"
bad "${SHA1%?}G" "'G' at position 40 is not a hex digit" "a G"
bad "SHA1 Fingerprint=$SHA256" "SHA1 fingerprint with 64 hex digits, 40 expected" "label and length disagree"
bad "$(printf 'AB\001CDEF12')" "U\+0001 at position 3 is not a hex digit" "a control character"
bad "$(printf 'ABCD\377EF12')" "byte 0xFF at position 5 is not valid UTF-8" "invalid UTF-8"
check "a control character in the input never reaches stderr raw" \
    sh -c "! grep -q \"\$(printf '\\001')\" '$err'"
done_testing
