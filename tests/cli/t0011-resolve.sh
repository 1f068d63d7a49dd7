#!/bin/sh
# resolve NAME: the certificates a TLS certificate name selects, in the
# preference order of certbind(1) SELECTION.  Names are written by hand from
# certs-test/README.md; dates and thumbprints come from openssl.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
PW="--password-file $PKI/password.txt"
AT="--at 2026-06-01"
CA1='CN=Contoso Issuing CA 1, DC=contoso, DC=com'
NAME="<I>$CA1<S>CN=mail.contoso.com"

fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
odate() {
	date -u -d "$(openssl x509 -in "$1" -noout -"$2" | sed 's/.*=//')" \
	    +%Y-%m-%dT%H:%M:%SZ
}
# thumbs: the Thumbprints of the JSON array on stdout, one per line.
thumbs() {
	python3 -c "
import json, sys
for o in json.load(open(sys.argv[1])): print(o['Thumbprint'])" "$out"
}

OLD=$S/mail.contoso.com.pem NEW=$S/mail.contoso.com-renewed.pem
OLDT=$(fp "$OLD") NEWT=$(fp "$NEW")
# The oracle for the order: the later NotAfter (openssl) first.
if [ "$(odate "$NEW" enddate)" \> "$(odate "$OLD" enddate)" ]; then
	WANT=$(printf '%s\n%s' "$NEWT" "$OLDT")
else
	WANT=$(printf '%s\n%s' "$OLDT" "$NEWT")
fi

# --- the renewal pair: ambiguous, preferred first ---
run -s "$S" $PW $AT -f json resolve "$NAME"
expect_rc 0 "the renewal pair: exit 0"
check "both selected, latest NotAfter first" test "$(thumbs)" = "$WANT"
check "JSON: every field of every certificate" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 2
for o in d:
    for k in ('Thumbprint', 'Sha256Thumbprint', 'Subject', 'Issuer', 'CertificateDomains',
              'NotBefore', 'NotAfter', 'Status', 'HasPrivateKey', 'IsSelfSigned', 'SerialNumber',
              'KeyAlgorithm', 'KeySize', 'SignatureAlgorithm', 'Services', 'Path'):
        assert k in o, k
    assert o['Subject'] == 'CN=mail.contoso.com' and o['Issuer'] == sys.argv[2]
" "$out" "$CA1"
expect_err_has "warning: the name selects 2 certificates, so the binding is ambiguous" "warns that the binding is ambiguous"
for f in "$OLD" "$NEW"; do
	expect_err_has "NotBefore $(odate "$f" startdate)  NotAfter $(odate "$f" enddate)  Thumbprint $(fp "$f")" \
	    "the warning lists $(basename "$f") with its dates (openssl)"
done
expect_err_has "Thumbprint $(echo "$WANT" | head -n 1)  \(preferred\)" "and marks the preferred one"

# "<S>subject" selects by the subject alone, under any issuer: the
# oracle is every certificate file of the store whose subject openssl
# prints as exactly CN = mail.contoso.com, whatever its issuer.
run -s "$S" $PW $AT -f json resolve "<S>CN=mail.contoso.com"
expect_rc 0 "<S>CN=mail.contoso.com: exit 0"
want=$(for f in "$S"/*.pem; do
	openssl x509 -in "$f" -noout -subject -nameopt RFC2253 2>/dev/null |
	    grep -qx 'subject=CN=mail.contoso.com' && fp "$f"
done | sort -u)
check "<S>CN=mail.contoso.com selects every certificate with that subject (openssl)" \
    test "$(thumbs | sort)" = "$want"
check "... at least the renewal pair" \
    test "$(echo "$want" | wc -l)" -ge 2
run -s "$S" $PW $AT -f json resolve "<s>cn=MAIL.contoso.com"
check "<s> in any case, the subject compared case-insensitively" \
    test "$(thumbs | sort)" = "$want"

run -s "$S" $PW $AT -q -f json resolve "$NAME"
expect_rc 0 "-q: exit 0"
expect_err_empty "-q hides the warning"

# table (the default) and list
run -s "$S" $PW $AT resolve "$NAME"
expect_out_has '^Thumbprint +NotBefore +NotAfter +HasPrivateKey +Status +Subject$' "table: the header"
check "table: two rows, preferred first" test "$(sed -n '3,$p' "$out" | cut -d' ' -f1)" = "$WANT"
expect_out_has "^$NEWT  $(odate "$NEW" startdate)  $(odate "$NEW" enddate)  True +Valid +CN=mail.contoso.com$" "table: the row"
run -s "$S" $PW $AT -f list resolve "$NAME"
expect_out_has '^Sha256Thumbprint +: ' "list shows every field"
check "list: two objects" test "$(grep -c '^Thumbprint ' "$out")" -eq 2

# Exchange compares case-insensitively, tags included.
LOWER=$(printf '%s' "$NAME" | tr 'A-Z' 'a-z')
run -s "$S" $PW $AT -f json resolve "$LOWER"
expect_rc 0 "a lower-case name (tags too) selects the same"
check "same order" test "$(thumbs)" = "$WANT"

# Only valid certificates with a key come first: before 2026-05-01 the
# renewed one is not yet valid.
run -s "$S" $PW --at 2026-04-15 -f json resolve "$NAME"
check "--at 2026-04-15: the one valid then comes first" test "$(thumbs)" = "$(printf '%s\n%s' "$OLDT" "$NEWT")"
# ...and after 2027-01-01 the old one is expired: the renewed first.
run -s "$S" $PW --at 2027-02-01 -f json resolve "$NAME"
check "--at 2027-02-01: the renewed one first" test "$(thumbs)" = "$(printf '%s\n%s' "$NEWT" "$OLDT")"
# Without its key the renewed certificate comes second though later.
run -s "$OLD" -s "$NEW" -s "$S/privkey-mail.contoso.com.pem" $AT -f json resolve "$NAME"
check "a keyed valid certificate beats a later one without key" test "$(thumbs)" = "$(printf '%s\n%s' "$OLDT" "$NEWT")"
run -s "$OLD" -s "$NEW" $AT -f json resolve "$NAME"
check "neither keyed: the latest NotAfter first" test "$(thumbs)" = "$WANT"

# Equal names and dates: the lowest thumbprint first (certs-test/ambiguous
# holds two such copies of the wildcard certificate).
A=$PKI/ambiguous
WNAME="<I>$CA1<S>CN=*.contoso.com"
LOW=$(printf '%s\n%s\n' "$(fp "$A/a.pem")" "$(fp "$A/b.pem")" | sort | head -n 1)
HIGH=$(printf '%s\n%s\n' "$(fp "$A/a.pem")" "$(fp "$A/b.pem")" | sort | tail -n 1)
run -s "$A" $AT -f json resolve "$WNAME"
check "equal dates, no keys: lowest thumbprint first" test "$(thumbs)" = "$(printf '%s\n%s' "$LOW" "$HIGH")"
run -s "$A" -s "$S/wildcard.contoso.com.pem" -s "$S/wildcard.contoso.com.key" $AT -f json resolve "$WNAME"
check "the keyed copy first, then by thumbprint" test "$(thumbs)" = "$(printf '%s\n%s\n%s' "$(fp "$S/wildcard.contoso.com.pem")" "$LOW" "$HIGH")"

# --- one certificate: no warning ---
run -s "$S" $PW $AT -f json resolve "$WNAME"
expect_rc 0 "one certificate: exit 0"
check "just it" test "$(thumbs)" = "$(fp "$S/wildcard.contoso.com.pem")"
expect_err_empty "no warning"

# Quoted values with < > , " in them (names/quoting-chars.pem, Subject as
# derived by hand in certs-test/expected-names.tsv).
Q=$(awk -F'\t' '$1 == "store/names/quoting-chars.pem" { print $2 }' "$PKI/expected-names.tsv")
run -s "$S" $AT -f json resolve "<I>$CA1<S>$Q"
expect_rc 0 "a subject with quoted <, >, \", comma"
check "selects names/quoting-chars.pem" test "$(thumbs)" = "$(fp "$S/names/quoting-chars.pem")"
# An issuer holding "<S>" inside quotes does not end at it.
run -s "$S" $AT resolve '<I>O="a<S>b"<S>CN=mail.contoso.com'
expect_rc 1 "a quoted <S> in the issuer is part of it"
expect_err_has 'selects no certificate' "so nothing matches"

# --- nothing selected: exit 1 ---
for nm in "<I>$CA1<S>CN=mail.contoso" "<I>$CA1<S>CN=mail.contoso.com " "<I>$CA1 <S>CN=mail.contoso.com" \
    "<I>CN=Contoso Issuing CA 2, DC=contoso, DC=com<S>CN=mail.contoso.com" "<I><S>"; do
	run -s "$S" $PW $AT resolve "$nm"
	expect_rc 1 "whole-string comparison: '$nm' selects nothing"
	expect_err_has ": selects no certificate in the store$" "saying so"
	check "nothing on stdout" test ! -s "$out"
done
CTL=$(printf '<I>CN=a\033[31m<S>CN=b\tc')
run -s "$S" $PW $AT resolve "$CTL"
expect_rc 1 "a name with control characters selects nothing"
expect_err_has 'CN=a\\x1B\[31m<S>CN=b\\tc: selects no certificate' "shown escaped"
check "no raw escape on stderr" sh -c "! grep -q \"\$(printf '\033')\" '$err'"

# A hostile certificate's name is selected as written (newline inside quotes).
HN=$(printf '<I>%s<S>CN="evil.contoso.com\nX-Injected: yes"' "$CA1")
run -s "$PKI/hostile" $AT resolve "$HN"
expect_rc 0 "a name with a newline selects hostile/newline-cn.pem"
expect_out_lacks '^X-Injected' "printed escaped in the table"
run -s "$PKI/hostile" $AT -f json resolve "$HN"
check "by thumbprint" test "$(thumbs)" = "$(fp "$PKI/hostile/newline-cn.pem")"

# --- usage errors (64) ---
for nm in 'foo' "CN=mail.contoso.com" "<I>$CA1" '<I' '' "$CA1<S>CN=mail.contoso.com" '<S>'; do
	run -s "$S" resolve "$nm"
	expect_rc 64 "'$nm' is not <I>...<S>... nor <S>..."
	expect_err_has "invalid TLS certificate name .*: (does not begin with <I> or <S>|has no <S> after the issuer|has an empty subject after <S>) \(want <I>issuer<S>subject or <S>subject\)" "saying why ('$nm')"
done
# The issuer part is optional (Exchange's grammar ^(<I>([^<]+))?(<S>(.+))):
# "<S>subject" selects that subject under any issuer, and what follows
# <S> is all subject, so "<S>CN=a<I>CN=b" is a name that selects nothing.
run -s "$S" resolve "<S>CN=a<I>CN=b"
expect_rc 1 "'<S>CN=a<I>CN=b' is a subject-only name selecting nothing"
expect_err_has "selects no certificate in the store" "saying so"
run -s "$S" resolve '<I>O="x<S>y'
expect_rc 64 "an unclosed quote hides the <S>"
expect_err_has "has no <S> after the issuer" "saying so"
run -s "$S" resolve
expect_rc 64 "no name"
expect_err_has "no TLS certificate name given" "saying so"
run -s "$S" resolve "$NAME" "$NAME"
expect_rc 64 "two names"
expect_err_has "one name only" "saying so"
run -s "$S" -f junit resolve "$NAME"
expect_rc 64 "--format junit"
run -s "$T/missing" resolve "$NAME"
expect_rc 2 "an unreadable store: exit 2"
run resolve --help
expect_rc 0 "--help"

done_testing
