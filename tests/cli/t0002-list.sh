#!/bin/sh
# list: filters, formats, exit status, safe output of hostile names.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
AT=--at=2026-06-01
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
MAIL=$(fp "$S/mail.contoso.com.pem")
EXPIRED=$(fp "$S/expired.contoso.com.pem")
EXPIRING=$(fp "$S/expiring.contoso.com.pem")
FUTURE=$(fp "$S/future.contoso.com.pem")
WILD=$(fp "$S/wildcard.contoso.com.pem")

run -s "$S" $AT list
expect_rc 0 "list exits 0"
check "the table has the four columns of certbind(1) COMMANDS in order" \
    sh -c "head -n 1 '$out' | grep -Eq '^Thumbprint +Services +NotAfter +Subject$'"
check "a dashes line under the header" \
    sh -c "sed -n 2p '$out' | grep -Eq '^-{10} +-{8} +-{8} +-{7}$'"
expect_out_has "^$MAIL " "the mail certificate's SHA-1 (openssl's) starts its row"
check "no trailing white space in the table" sh -c "! grep -q ' \$' '$out'"

# --expiring DAYS: NotAfter within DAYS of --at, already expired included.
run -s "$S" $AT list --expiring 30
expect_rc 0 "--expiring 30 finds something"
expect_out_has "^$EXPIRING " "the certificate expiring on 2026-06-15 is within 30 days of 2026-06-01"
expect_out_has "^$EXPIRED " "an expired certificate is included"
expect_out_lacks "^$MAIL " "one valid until 2027 is not"
expect_out_lacks "^$FUTURE " "nor one valid from 2027"
run -s "$S" --at 2026-05-01 list --expiring 44
expect_out_lacks "^$EXPIRING " "2026-06-15 is not within 44 days of 2026-05-01"
run -s "$S" --at 2026-05-01 list --expiring 45
expect_out_has "^$EXPIRING " "but is within 45"
run -s "$S" list --expiring soon
expect_rc 64 "a non-number for --expiring is a usage error"
expect_err_has "expiring takes a number of days" "saying what it takes"
run -s "$S" list --expiring -1
expect_rc 64 "a negative number of days is a usage error"

# --private-key
run -s "$S" $AT list --private-key -f json
expect_rc 0 "--private-key lists certificates with keys"
check "every one listed has a key" sh -c "! grep -q '\"HasPrivateKey\": false' '$out'"
expect_out_has "\"Thumbprint\": \"$WILD\"" "the wildcard certificate's key beside it pairs"
run -s "$PKI/ca/root-ca.pem" list --private-key
expect_rc 1 "nothing listed is exit 1"
check "and prints nothing" test ! -s "$out"

# --domain FQDN: certbind(1) HOST NAME MATCHING matching (the rules have their own tests).
run -s "$S" $AT list --domain MAIL.contoso.com.
expect_rc 0 "--domain finds certificates (case and a trailing dot ignored)"
expect_out_has "^$MAIL " "the mail certificate covers mail.contoso.com"
expect_out_has "^$WILD " "so does *.contoso.com"
expect_out_lacks "^$EXPIRED " "an unrelated certificate is not listed"
run -s "$S" $AT list --domain a.b.contoso.com
expect_out_lacks "^$WILD " "*.contoso.com does not cover a.b.contoso.com"
run -s "$S" $AT list --domain nothing.example.org
expect_rc 1 "no certificate for the domain is exit 1"
run -s "$S" list --domain 'bad_name.contoso.com'
expect_rc 64 "an invalid FQDN is a usage error"
expect_err_has "invalid FQDN 'bad_name.contoso.com'" "naming it"
run -s "$S" list --domain "$(printf 'a\033[31m.com')"
expect_rc 64 "an FQDN with an escape sequence is a usage error"
check "its ESC is not echoed raw" sh -c "! grep -q \"\$(printf '\\033')\" '$err'"
expect_err_has 'a\\x1B\[31m.com' "but shown escaped"

# JSON is one valid document with the fields of certbind(1) CERTIFICATE FIELDS.
run -s "$S" $AT -f json list
python3 - "$out" >"$T/j" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and d
need = ["Thumbprint", "Sha256Thumbprint", "Subject", "Issuer", "CertificateDomains",
        "NotBefore", "NotAfter", "Status", "HasPrivateKey", "IsSelfSigned",
        "SerialNumber", "KeyAlgorithm", "KeySize", "SignatureAlgorithm", "Services", "Path"]
for c in d:
    for k in need:
        assert k in c, (k, c)
    assert len(c["Thumbprint"]) == 40 and c["Thumbprint"] == c["Thumbprint"].upper()
    assert len(c["Sha256Thumbprint"]) == 64
    assert c["Status"] in ("Valid", "Expired", "NotYetValid")
    assert isinstance(c["CertificateDomains"], list)
print("ok")
PY
check "JSON parses and has every field of certbind(1) CERTIFICATE FIELDS on every certificate" grep -q '^ok' "$T/j"

# The list format: "Name : value", a blank line between objects.
run -s "$S/mail.contoso.com.pem" -s "$S/wildcard.contoso.com.pem" $AT -f list list
expect_rc 0 "list format"
check "two objects separated by exactly one blank line" test "$(grep -c '^$' "$out")" -eq 1
expect_out_has "^Thumbprint +: $MAIL$" "Name : value lines"
expect_out_has "^CertificateDomains +: \{mail.contoso.com, autodiscover.contoso.com\}$" \
    "SAN dNSNames in certificate order"

# Hostile names never reach the terminal raw, in any format.
H=$PKI/hostile
for f in table list; do
	run -s "$H" -f $f list
	check "$f: no ESC byte in the output" sh -c "! grep -q \"\$(printf '\\033')\" '$out'"
	check "$f: no CR byte in the output" sh -c "! grep -q \"\$(printf '\\r')\" '$out'"
	check "$f: no bidi override in the output" sh -c "! grep -q \"\$(printf '\\342\\200\\256')\" '$out'"
	check "$f: no NUL in the output" sh -c "test \$(tr -d '\\000' < '$out' | wc -c) -eq \$(wc -c < '$out')"
	expect_out_has 'CN=\\x1B\[31mred' "$f: the escape sequence is shown escaped"
	check "$f: output is valid UTF-8" sh -c "iconv -f UTF-8 -t UTF-8 '$out' >/dev/null"
done
run -s "$H" -f json list
check "json: hostile names give valid JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"
check "json: output is valid UTF-8" sh -c "iconv -f UTF-8 -t UTF-8 '$out' >/dev/null"
python3 - "$out" >"$T/h" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
subj = [c["Subject"] for c in d]
assert any("\x1b[31m" in s for s in subj), "ESC lost"
assert any("\n" in s for s in subj), "newline lost"
assert any("\u202e" in s for s in subj), "bidi override lost"
print("ok")
PY
check "json carries the hostile characters, escaped, not dropped" grep -q '^ok' "$T/h"

# Usage errors.
run -s "$S" list extra
expect_rc 64 "an extra argument is a usage error"
run -s "$S" list --bogus
expect_rc 64 "an unknown option is a usage error"
run -s "$S" -f yaml list
expect_rc 64 "an unknown format is a usage error"
expect_err_has "'yaml' is not a format of list \\(table, list or json\\)" "naming it and list's formats"
run -s "$S" --at 2026-13-01 list
expect_rc 64 "an impossible --at date is a usage error"
run -s "$S" --at yesterday list
expect_rc 64 "a non-date --at is a usage error"
run -s "$S" list > /dev/full
"$BIN" -s "$S" list >/dev/full 2>"$err"; rc=$?
expect_rc 2 "a write error on stdout is exit 2"
expect_err_has "write error" "and is reported"

# Global options also after the command name.
run list -s "$S/mail.contoso.com.pem" --format json
expect_rc 0 "global options after the command"
expect_out_has '^\[' "--format after the command is honoured"
done_testing
