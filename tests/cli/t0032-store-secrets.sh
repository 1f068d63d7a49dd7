#!/bin/sh
# The store's secrets (issue 14).  F3: password-based key derivation is
# bounded on the very bytes certbind decrypts, per derivation and per
# run, PKCS#8 and PKCS#12 alike; traditional PEM encryption still works.
# F5: file bytes that may hold key text are wiped before their memory is
# freed, checked through tests/shim/freescan.c, an LD_PRELOAD allocator
# shim that reports every freed block holding a marker.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
PW=$PKI/password.txt
GOOD=$S/mail.contoso.com.pem
gen() { python3 "$top/tests/cli/mkhostile.py" "$@"; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
# timed ARGS...: run under a time limit; $ms is the wall-clock time.
LIMIT=5
[ -n "${CERTBIND_TEST_WRAP:-}" ] && LIMIT=300
timed() {
	_t0=$(date +%s%N)
	timeout $LIMIT ${CERTBIND_TEST_WRAP:-} "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
	ms=$((($(date +%s%N) - _t0) / 1000000))
}
fast() {
	if [ -n "${CERTBIND_TEST_WRAP:-}" ]; then
		skip "timing under CERTBIND_TEST_WRAP"
	else
		check "$1 (${ms} ms)" test "$ms" -lt 1000
	fi
}
skip() { n=$((n + 1)); echo "ok $n # skip $*"; }

# --- F3: an encrypted PKCS#8 key asking for 2^31-1 PBKDF2 iterations
# (about 15 to 25 minutes here), in PEM that OpenSSL's reader accepts
# and certbind's base64 reader does not: a trailing control byte or high
# byte on a line.  OpenSSL must never be handed it.
gen pbe-iter "$S/secure.contoso.com.key" 2147483647 "$T/huge.pem"
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
lines = open(t + "/huge.pem", "rb").read().split(b"\n")
for name, byte in (("ctl", b"\x01"), ("high", b"\xff")):
    l = list(lines)
    l[3] += byte
    open("%s/%s.pem" % (t, name), "wb").write(b"\n".join(l))
PY
for kind in ctl:"a trailing control byte" high:"a trailing high byte"; do
	f=$T/${kind%%:*}.pem
	timed -s "$f" -s "$S/secure.contoso.com.pem" --password-file "$PW" \
	    -f json list
	expect_rc 0 "a 2^31-1 iteration key with ${kind#*:} on a line is skipped"
	expect_err_has "^certbind: $f: private key 1: bad base64$" \
	    "as bad base64, naming the file"
	expect_out_has '"HasPrivateKey": false' "and pairs with nothing"
	fast "at once"
done

# The same key behind "Proc-Type: 4,ENCRYPTED" (AES-128-CBC, the key made
# by EVP_BytesToKey with the password): OpenSSL would undo that layer
# and then run PBKDF2 on what it found.
python3 - "$T" "$PW" <<'PY'
import base64, hashlib, subprocess, sys
t, pwfile = sys.argv[1], sys.argv[2]
pw = open(pwfile, "rb").read().split(b"\n")[0]
der = base64.b64decode(open(t + "/huge.pem", "rb").read().split(b"-----")[2])
iv = bytes(range(16))
key = hashlib.md5(pw + iv[:8]).digest()
ct = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-K", key.hex(),
                     "-iv", iv.hex()], input=der, capture_output=True,
                    check=True).stdout
b = base64.b64encode(ct)
body = b"\n".join(b[i:i + 64] for i in range(0, len(b), 64))
open(t + "/proctype.pem", "wb").write(
    b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
    b"DEK-Info: AES-128-CBC," + iv.hex().upper().encode() + b"\n\n" + body +
    b"\n-----END ENCRYPTED PRIVATE KEY-----\n")
PY
timed -s "$T/proctype.pem" -s "$S/secure.contoso.com.pem" --password-file "$PW" list
expect_rc 0 "the same key inside traditional PEM encryption is skipped"
expect_err_has "^certbind: $T/proctype.pem: private key 1: damaged encrypted PKCS#8 key$" \
    "as a damaged PKCS#8 key"
fast "at once"

# The same key inside an RSA PRIVATE KEY block whose BEGIN line OpenSSL
# does not accept (text after the dashes): its reader would pass over
# that line and decrypt the ENCRYPTED PRIVATE KEY inside.
{ echo '-----BEGIN RSA PRIVATE KEY-----x'; cat "$T/huge.pem"
  echo '-----END RSA PRIVATE KEY-----'; } >"$T/nested.pem"
timed -s "$T/nested.pem" -s "$S/secure.contoso.com.pem" --password-file "$PW" list
expect_rc 0 "an encrypted key hidden inside another key block is skipped"
expect_err_has "^certbind: $T/nested.pem: private key 1: damaged PEM \(BEGIN inside the block\)$" \
    "as damaged PEM"
fast "at once"

# Counts certbind cannot weigh (zero; 2^64, past what OpenSSL reads into
# a long) are refused too, not left to OpenSSL.
for it in 0 18446744073709551616; do
	gen pbe-iter "$S/secure.contoso.com.key" $it "$T/count-$it.pem"
	timed -s "$T/count-$it.pem" --password-file "$PW" list
	expect_err_has "^certbind: $T/count-$it.pem: private key 1: damaged encryption parameters$" \
	    "an iteration count of $it is refused"
done

# --- F3: the budget of a run.  Keys just under the per-derivation limit
# (9,999,999 iterations, a few seconds each) and a PKCS#12 file between
# them: the third key and every one after it would take the run over
# 30,000,000 iterations and are refused.  The oracle of what was spent:
# the keys' count and the counts openssl reports for the PKCS#12 file
# (its MAC, verified at the first try, its certificate safe, its key).
if [ -n "${CERTBIND_TEST_WRAP:-}" ]; then
	for i in 1 2 3 4; do
		skip "the budget test (30,000,000 PBKDF2 iterations) under CERTBIND_TEST_WRAP"
	done
else
	B=$T/budget
	mkdir "$B"
	openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 9999999 \
	    -in "$S/privkey-mail.contoso.com.pem" -passout file:"$PW" -out "$B/a.key"
	cp "$B/a.key" "$B/b.key"
	cp "$S/exchange.pfx" "$B/c.p12"
	cp "$B/a.key" "$B/d.key"
	cp "$B/a.key" "$B/e.key"
	cp "$GOOD" "$B/mail.pem"
	p12=$(openssl pkcs12 -info -noout -in "$S/exchange.pfx" -passin file:"$PW" 2>&1 |
	    sed -n 's/.*Iteration \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s }')
	spent=$((2 * 9999999 + p12))
	echo "# exchange.pfx costs $p12 iterations; spent before d.key: $spent"
	_t0=$(date +%s)
	run -s "$B" --password-file "$PW" -f json list
	echo "# the budget run took $(($(date +%s) - _t0)) s"
	expect_rc 0 "a store over the run's budget still lists its certificates"
	for k in d e; do
		expect_err_has "^certbind: $B/$k.key: private key 1: encryption iteration count 9999999 would exceed the budget of 30000000 iterations per run \($spent spent\)$" \
		    "$k.key would take the run over its budget, counting the PKCS#12 file's derivations"
	done
	python3 - "$out" "$(fp "$GOOD")" >"$T/cmp" 2>&1 <<'PY'
import json, sys
d = {c["Thumbprint"]: c["HasPrivateKey"] for c in json.load(open(sys.argv[1]))}
assert d[sys.argv[2]] is True, "mail.contoso.com has no key"
assert sum(d.values()) == 2, d
print("ok")
PY
	check "the keys within the budget pair, as does the PKCS#12 file's" grep -q '^ok' "$T/cmp"
fi

# --- Traditional PEM encryption (EVP_BytesToKey, one iteration) still
# works; so does an encrypted PKCS#8 key with a PKCS#12 PBE.
openssl pkey -in "$S/privkey-mail.contoso.com.pem" -traditional -aes128 \
    -passout file:"$PW" -out "$T/trad.key"
check "openssl wrote a Proc-Type: 4,ENCRYPTED key" grep -q '^Proc-Type: 4,ENCRYPTED' "$T/trad.key"
run -s "$T/trad.key" -s "$GOOD" --password-file "$PW" -f json list
expect_rc 0 "a traditional encrypted key loads"
expect_out_has '"HasPrivateKey": true' "and pairs with its certificate"
expect_err_empty "without a complaint"
echo wrong >"$T/wrong"
run -s "$T/trad.key" -s "$GOOD" --password-file "$T/wrong" list
expect_err_has "^certbind: $T/trad.key: private key 1: cannot decrypt \(wrong passphrase\?\)$" \
    "with a wrong passphrase it is reported"
run -s "$T/trad.key" -s "$GOOD" list
expect_err_has "^certbind: $T/trad.key: private key 1 is encrypted; give its passphrase with --password-file or CERTBIND_PASSWORD$" \
    "without one, how to give it"
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in "$S/privkey-mail.contoso.com.pem" \
    -passout file:"$PW" -out "$T/pbe1.key"
run -s "$T/pbe1.key" -s "$GOOD" --password-file "$PW" -f json list
expect_out_has '"HasPrivateKey": true' "a PKCS#8 key under PBE-SHA1-3DES pairs"
expect_err_empty "without a complaint"

# --- F5: no freed block holds key text.  A certificate and its plain
# private key in one file: list and show read the certificate again
# from that file (1 MiB from its offset, the key with it).
F=$T/relay.pem
cp "$S/relay.contoso.com-with-key.pem" "$F"
SHIM=$top/build/shim/freescan.so
[ -f "$SHIM" ] || make -s -C "$top" build/shim/freescan.so >/dev/null
# shim MARKER ARGS...: runs certbind with the shim looking for MARKER.
shim() {
	_m=$1; shift
	LD_PRELOAD=$SHIM CERTBIND_SHIM_MARKER=$_m "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
}
if [ -n "${CERTBIND_TEST_WRAP:-}" ]; then
	reason="the allocator shim cannot run under CERTBIND_TEST_WRAP"
elif grep -aq __asan_init "$BIN"; then
	reason="./certbind is an AddressSanitizer build, whose allocator the shim would fight"
else
	reason=
fi
if [ -n "$reason" ]; then
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do skip "$reason"; done
else
	KEYLINE=$(sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p' "$F" | sed -n 5p)
	check "the marker, a line of the key's base64, is in the file once" \
	    test "$(grep -cF "$KEYLINE" "$F")" -eq 1
	M=$(printf '%s' "$KEYLINE" | hex)
	PRIV=$(sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p' "$F" |
	    openssl pkey -outform DER | tail -c 32 | hex)
	# The shim works: certbind frees a certificate's DER without
	# wiping it (it is public), so its first bytes are found.
	shim "$(openssl x509 -in "$F" -outform DER | head -c 48 | hex)" -s "$F" list
	expect_err_has "^certbind-shim: freed block of [0-9]+ bytes holds the marker$" \
	    "the shim finds a certificate's DER in a freed block"
	TH=$(fp "$F")
	for args in "list" "-f json list" "show $TH" "list --private-key"; do
		shim "$M" -s "$F" $args
		expect_rc 0 "$args through the shim"
		if grep -q '^certbind-shim' "$err"; then
			not_ok "no freed block holds the key's base64 ($args)"
		else
			ok "no freed block holds the key's base64 ($args)"
		fi
	done
	shim "$PRIV" -s "$F" show "$TH"
	check "nor the end of its private key DER" sh -c "! grep -q '^certbind-shim' '$err'"
	expect_out_has "relay.contoso.com" "(show printed the certificate)"
	# Keys OpenSSL decodes itself (encrypted PKCS#8, Ed25519, PKCS#12):
	# its decoders free the decoded key's DER, and certbind's allocator
	# for OpenSSL wipes every block it frees.
	for k in secure.contoso.com ed25519.contoso.com; do
		cp "$S/$k.pem" "$S/$k.key" "$T/"
		KD=$(openssl pkey -in "$S/$k.key" -passin "file:$PW" -outform DER | tail -c 32 | hex)
		shim "$KD" -s "$T/$k.pem" -s "$T/$k.key" --password-file "$PW" list --private-key
		expect_out_has "$k" "$k: its key pairs (list --private-key)"
		check "$k: no freed block holds the end of its key DER" sh -c "! grep -q '^certbind-shim' '$err'"
	done
	KD=$(openssl pkcs12 -in "$S/exchange.pfx" -passin "file:$PW" -nodes -nocerts 2>/dev/null |
	    openssl pkey -outform DER | tail -c 32 | hex)
	shim "$KD" -s "$S/exchange.pfx" --password-file "$PW" list --private-key
	expect_rc 0 "exchange.pfx: list --private-key"
	check "exchange.pfx: no freed block holds the end of its key DER" sh -c "! grep -q '^certbind-shim' '$err'"
	# A file that is not PEM at its start is read whole: the first
	# piece, moved to a larger buffer, held key text too.
	{ sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p' "$F" | sed 1d
	  head -c 2000000 /dev/zero | tr '\0' '#'; } >"$T/big.bin"
	shim "$M" -s "$T/big.bin" -v list
	expect_err_has "^certbind: $T/big.bin: text without a certificate or key, skipped$" \
	    "key text without a BEGIN line, then 2 MB: text, passed over"
	check "and no freed block holds the key's base64" sh -c "! grep -q '^certbind-shim' '$err'"
fi
done_testing
