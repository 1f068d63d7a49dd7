#!/bin/sh
# Hostile stores and names (issue 7): noise, huge bundles, many SANs,
# deep nesting, absurd PKCS#12 and key iteration counts, a NUL in a
# SAN, unsafe characters in every output format, secrets.  Files that
# vanish mid-walk are in tests/unit/test_hostile.c; FIFOs, sockets,
# devices, unreadable, damaged and too large files in t0001-store.sh.
# Hostile files are made here by tests/cli/mkhostile.py (standard
# library only); every run is bounded by timeout so that a hang fails.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
H=$PKI/hostile
PW=$PKI/password.txt
GOOD=$S/mail.contoso.com.pem
gen() { python3 "$top/tests/cli/mkhostile.py" "$@"; }
# timed ARGS...: run with a time limit; $secs is the wall-clock time.
LIMIT=120
timed() {
	_t0=$(date +%s)
	timeout $LIMIT ${CERTBIND_TEST_WRAP:-} "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
	secs=$(($(date +%s) - _t0))
}
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }

# 60 MiB of noise (under the 64 MiB cap): not a certificate, read once.
mkdir "$T/noise"
gen noise 62914560 20260601 "$T/noise/noise.bin"
timed -s "$T/noise" -s "$GOOD" list
expect_rc 0 "a store with 60 MiB of noise still lists the good certificate"
expect_err_has "^certbind: $T/noise/noise.bin: not a certificate, private key, PKCS#7 or PKCS#12 file$" \
    "the noise is reported as not a certificate"
check "in bounded time (${secs}s)" test "$secs" -lt $LIMIT
# The same noise behind a DER header claiming 60 MiB, and in PEM armour.
{ printf '\060\204\003\300\000\000'; head -c 1048576 "$T/noise/noise.bin"; } >"$T/noise/der.bin"
{ echo '-----BEGIN CERTIFICATE-----'; head -c 6291456 "$T/noise/noise.bin" | base64
  echo '-----END CERTIFICATE-----'; } >"$T/noise/armoured.pem"
rm "$T/noise/noise.bin"
timed -s "$T/noise" -s "$GOOD" list
expect_rc 0 "noise behind a DER header or in PEM armour is skipped"
expect_err_has "^certbind: $T/noise/der.bin: DER certificate: truncated or damaged DER certificate$" \
    "a DER length past the end of the file is truncated"
expect_err_has "^certbind: $T/noise/armoured.pem: certificate 1: not a DER certificate$" \
    "6 MiB of base64 noise is not a certificate"

# A PEM file with 10,000 distinct certificates (serials 1..10000).
gen many-certs 10000 "$GOOD" "$T/many.pem"
timed -s "$T/many.pem" list
expect_rc 0 "a PEM file with 10,000 certificates loads"
expect_err_empty "without a complaint"
check "in bounded time (${secs}s)" test "$secs" -lt $LIMIT
python3 - "$T/many.pem" "$out" >"$T/cmp" 2>&1 <<'PY'
import base64, hashlib, sys
data = open(sys.argv[1], "rb").read()
want = {hashlib.sha1(base64.b64decode(b.split(b"-----END")[0])).hexdigest().upper()
        for b in data.split(b"-----BEGIN CERTIFICATE-----")[1:]}
got = [l.split()[0] for l in open(sys.argv[2]).read().splitlines()[2:]]
assert len(want) == 10000, len(want)
assert len(got) == 10000, len(got)
assert set(got) == want, "thumbprints differ"
print("ok")
PY
check "each of the 10,000 is listed once, by its SHA-1 (hashlib)" grep -q '^ok' "$T/cmp"
N=$(awk 'NR == 5000 + 2 { print $1 }' "$out")
run -s "$T/many.pem" name "$N"
expect_rc 0 "one of them is found by thumbprint among 10,000"

# A certificate with 10,000 SAN dNSNames.
gen many-sans 10000 "$GOOD" "$T/sans.pem"
timed -s "$T/sans.pem" list --domain san09999.example.com
expect_rc 0 "the last of 10,000 SANs matches"
expect_out_has "CN=many-sans.example.com" "and the certificate is listed"
check "in bounded time (${secs}s)" test "$secs" -lt $LIMIT
run -s "$T/sans.pem" list --domain san10000.example.com
expect_rc 1 "a name not among them does not match"
run -s "$T/sans.pem" -f json show "$(fp "$T/sans.pem")"
expect_rc 0 "show prints it"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["CertificateDomains"] == ["san%05d.example.com" % i for i in range(10000)]
' "$out" 2>/dev/null
check "with all 10,000 CertificateDomains in certificate order" test $? -eq 0

# ASN.1 nested 100,000 deep: as DER, in PEM, after a PFX version, and
# as the value of a SAN extension.  Refused or ignored, never a crash.
mkdir "$T/deep"
gen nested 100000 "$T/deep/nested.der"
{ echo '-----BEGIN CERTIFICATE-----'; base64 "$T/deep/nested.der"
  echo '-----END CERTIFICATE-----'; } >"$T/deep/nested.pem"
gen nested-p12 100000 "$T/deep/nested.p12"
timed -s "$T/deep" -s "$GOOD" list
expect_rc 0 "deeply nested ASN.1 is skipped and the rest loads"
expect_err_has "^certbind: $T/deep/nested.der: DER certificate: not a DER certificate$" "nested DER"
expect_err_has "^certbind: $T/deep/nested.pem: certificate 1: not a DER certificate$" "nested DER in PEM"
expect_err_has "^certbind: $T/deep/nested.p12: damaged PKCS#12 file$" "nested PKCS#12"
gen nested-ext 100000 "$GOOD" "$T/nested-ext.pem"
timed -s "$T/nested-ext.pem" -f json list
expect_rc 0 "a certificate whose SAN nests 100,000 deep loads"
expect_out_has '"CertificateDomains": \[\]' "and its undecodable SAN gives no domains"
run -s "$T/nested-ext.pem" list --domain mail.contoso.com
expect_rc 1 "and it matches nothing, not even its CN"

# PKCS#12 and key iteration counts are bounded (10,000,000) before any
# work is done.
mkdir "$T/iter"
gen p12-iter "$S/exchange.pfx" 2147483647 "$T/iter/mac.pfx"
timed -s "$T/iter/mac.pfx" --password-file "$PW" list
expect_rc 1 "a PKCS#12 MAC iteration count of 2^31-1 is refused"
expect_err_has "^certbind: $T/iter/mac.pfx: PKCS#12 MAC iteration count 2147483647 out of range \(1 to 10000000\)$" \
    "saying so"
check "at once (${secs}s)" test "$secs" -lt 60
openssl pkcs12 -export -in "$GOOD" -inkey "$S/privkey-mail.contoso.com.pem" \
    -passout file:"$PW" -nomac -out "$T/nomac.p12" 2>/dev/null
gen pbe-iter "$T/nomac.p12" 2000000000 "$T/iter/pbe.p12"
timed -s "$T/iter/pbe.p12" --password-file "$PW" -f json list
expect_err_has "^certbind: $T/iter/pbe.p12: private key: encryption iteration count 2000000000 out of range \(1 to 10000000\)$" \
    "a PKCS#12 key bag asking for 2,000,000,000 PBKDF2 iterations is refused"
check "at once (${secs}s)" test "$secs" -lt 60
gen pbe-iter "$S/secure.contoso.com.key" 2000000000 "$T/iter/key.pem"
timed -s "$T/iter/key.pem" -s "$S/secure.contoso.com.pem" --password-file "$PW" \
    -f json list
expect_rc 0 "an encrypted key asking for 2,000,000,000 iterations"
expect_err_has "^certbind: $T/iter/key.pem: private key 1: encryption iteration count 2000000000 out of range \(1 to 10000000\)$" \
    "is refused before decrypting"
expect_out_has '"HasPrivateKey": false' "and pairs with nothing"
check "at once (${secs}s)" test "$secs" -lt 60
run -s "$T/nomac.p12" --password-file "$PW" -f json list
expect_out_has "\"Thumbprint\": \"$(fp "$GOOD")\"" \
    "the same PKCS#12 with its own count (no MAC, encrypted) loads its certificate"
expect_out_has '"HasPrivateKey": true' "and its key"
# A PKCS#12 file of one certificate and its key, no chain (OpenSSL 3.0
# then gives no CA stack): the certificate is there.
openssl pkcs12 -export -in "$GOOD" -inkey "$S/privkey-mail.contoso.com.pem" \
    -passout file:"$PW" -out "$T/single.p12" 2>/dev/null
run -s "$T/single.p12" --password-file "$PW" -f json list
expect_rc 0 "a PKCS#12 file without a chain loads"
expect_out_has "\"Thumbprint\": \"$(fp "$GOOD")\"" "with its certificate"
expect_out_has '"HasPrivateKey": true' "paired with its key"
# Wrong and missing passwords for a PKCS#8 key (PKCS#12: t0001).
echo wrong >"$T/wrong"
run -s "$S/secure.contoso.com.key" --password-file "$T/wrong" list
expect_err_has "^certbind: $S/secure.contoso.com.key: private key 1: cannot decrypt \(wrong passphrase\?\)$" \
    "a wrong passphrase for an encrypted key is reported"

# certbind(1) HOST NAME MATCHING: www.paypal.com NUL .evil.com never matches www.paypal.com.
run -s "$H" list --domain www.paypal.com
expect_rc 1 "no hostile certificate covers www.paypal.com"
expect_out "" "and nothing is listed"
run -s "$H/nul-in-san.pem" list --domain evil.com
expect_rc 1 "nor evil.com"
run -s "$H/nul-in-san.pem" -f json list
expect_out_has '"www\.paypal\.com\\u0000\.evil\.com"' "the SAN is shown whole, its NUL escaped"

# Every hostile certificate, shown in every format: no raw control
# character, bidi override or invalid UTF-8 on stdout; JSON valid.
for f in "$H"/*.pem; do
	b=$(basename "$f")
	[ "$b" = invalid-utf8.pem ] && continue	# OpenSSL refuses it
	t=$(fp "$f")
	for fmt in table list; do
		run -s "$H" -f $fmt show "$t"
		if [ "$rc" -ne 0 ]; then not_ok "$b $fmt: show exit $rc"; continue; fi
		if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$out" ||
		    [ "$(tr -d '\000' <"$out" | wc -c)" -ne "$(wc -c <"$out")" ] ||
		    grep -q "$(printf '\342\200[\252-\256]')" "$out" ||
		    ! iconv -f UTF-8 -t UTF-8 "$out" >/dev/null 2>&1; then
			not_ok "$b $fmt: show prints something raw"
		else
			ok "$b $fmt: show prints it safely"
		fi
	done
	run -s "$H" -f json show "$t"
	check "$b json: valid JSON and UTF-8" python3 -c '
import json, sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")
json.loads(b)
assert all(c >= 0x20 or c == 0x0a for c in b)' "$out"
done
# File names are hostile too: a diagnostic escapes them.
mkdir "$T/names"
bad=$(printf 'evil\033[2J\nname.pem')
cp "$PKI/damaged/random-garbage.bin" "$T/names/$bad"
run -s "$T/names" list
check "a file name with ESC and a newline gives one escaped line on stderr" \
    sh -c "test \$(wc -l <'$err') -eq 1 && ! grep -q \"\$(printf '\\033')\" '$err'"
expect_err_has 'evil\\x1B\[2J\\nname\.pem: not a certificate' "naming it escaped"

# Secrets: the passphrase never appears in any output, whatever fails.
CANARY=Canary-Secret-7f3a9
echo "$CANARY" >"$T/canary"
leaked=0
for args in "-s $S/exchange.pfx list" "-s $S/secure.contoso.com.key list" \
    "-s $PKI/damaged list" "-s $T/iter list" "-s $S show 0000000000" \
    "-s $S show nothex" "-v -s $PKI/p12 -f json list" "-s $T/nonexistent list"; do
	# shellcheck disable=SC2086
	run --password-file "$T/canary" $args
	grep -qF "$CANARY" "$out" "$err" && leaked=1
	# shellcheck disable=SC2086
	CERTBIND_PASSWORD=$CANARY run $args
	grep -qF "$CANARY" "$out" "$err" && leaked=1
done
check "the passphrase appears in no stdout or stderr of 16 failing runs" test $leaked -eq 0

# Core dumps are disabled while the passphrase and keys are in memory:
# a preloaded opendir() asks the kernel during the store walk.
cat >"$T/shim.c" <<'C'
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
DIR *
opendir(const char *name)
{
	DIR *(*real)(const char *) = (DIR *(*)(const char *))dlsym(RTLD_NEXT, "opendir");
	const char *p = getenv("SHIM_OUT");
	FILE *fp;

	if (p != NULL && (fp = fopen(p, "a")) != NULL) {
		fprintf(fp, "dumpable=%d\n", prctl(PR_GET_DUMPABLE));
		fclose(fp);
	}
	return real(name);
}
C
if cc -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl 2>/dev/null; then
	SHIM_OUT=$T/dump LD_PRELOAD=$T/shim.so ASAN_OPTIONS=verify_asan_link_order=0 \
	    "$BIN" -s "$S" --password-file "$PW" list >/dev/null 2>&1
	check "the store is walked with the process not dumpable" \
	    sh -c "grep -q dumpable '$T/dump' && ! grep -qv '^dumpable=0$' '$T/dump'"
	SHIM_OUT=$T/dump2 LD_PRELOAD=$T/shim.so ASAN_OPTIONS=verify_asan_link_order=0 \
	    sh -c 'ls / >/dev/null'
	check "(the probe sees a dumpable process as dumpable)" grep -q '^dumpable=1$' "$T/dump2"
else
	ok "# SKIP no C compiler for the dumpable probe"
	ok "# SKIP no C compiler for the dumpable probe"
fi
# Usage errors quote what was typed: never raw, so a pasted escape
# sequence cannot drive the terminal.  Every such message, every
# command that takes arguments.
E=$(printf '\033')
for args in "list x${E}[31m" "connectors x${E}]0;t" "validate x${E}c" \
    "renew x${E}[2J" "bind --identity x --fqdn a${E}b" \
    "bind --identity x --thumbprint 00 extra${E}[1m" \
    "list --domain ${E}[31m" "check --fqdn ${E}x 00" \
    "--format j${E}[31m list" "--at ${E}[2J list"; do
	# shellcheck disable=SC2086
	run $args
	expect_rc 64 "usage error: $(printf '%s' "$args" | cat -v)"
	check "  the argument is shown escaped" grep -q 'x1B' "$err"
	check "  and no raw ESC reaches stderr" sh -c "! grep -q '$E' '$err'"
done
done_testing
