#!/bin/sh
# The store (certbind(1) THE STORE): formats, de-duplication, key pairing, damaged and
# odd files, links, passwords.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
AT=--at=2026-06-01
PW=$PKI/password.txt

# Every certificate file of the store is read, and each one once.
run -s "$S" --password-file "$PW" $AT list -f json
expect_rc 0 "the test store loads"
expect_err_empty "the test store loads without a complaint"
python3 - "$out" "$S" >"$T/cmp" 2>&1 <<'PY'
import json, subprocess, sys, os, hashlib
got = json.load(open(sys.argv[1]))
thumbs = [c["Thumbprint"] for c in got]
assert len(thumbs) == len(set(thumbs)), "a certificate listed twice"
# Oracle: openssl reads every PEM/DER certificate file of the store.
want = set()
for root, dirs, files in os.walk(sys.argv[2], followlinks=True):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for f in files:
        if f.startswith("."): continue
        p = os.path.join(root, f)
        data = open(p, "rb").read()
        if b"-----BEGIN CERTIFICATE-----" in data:
            for blk in data.split(b"-----BEGIN CERTIFICATE-----")[1:]:
                pem = b"-----BEGIN CERTIFICATE-----" + blk.split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
                der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem, capture_output=True).stdout
                want.add(hashlib.sha1(der).hexdigest().upper())
        elif data[:1] == b"\x30" and not f.endswith((".pfx", ".p12")):
            der = subprocess.run(["openssl", "x509", "-inform", "DER", "-outform", "DER", "-in", p], capture_output=True).stdout
            if der: want.add(hashlib.sha1(der).hexdigest().upper())
missing = want - set(thumbs)
assert not missing, "not listed: %s" % sorted(missing)
print("ok", len(want), len(thumbs))
PY
check "every certificate openssl finds in the store is listed once" grep -q '^ok' "$T/cmp"
cat "$T/cmp" | sed 's/^/# /'

# PKCS#12: the password unlocks its certificates and key.
run -s "$S/exchange.pfx" list -f json
expect_rc 1 "a PKCS#12 file without its password lists nothing"
expect_err_has "exchange.pfx: PKCS#12 file is protected by a password; give it with --password-file or CERTBIND_PASSWORD" \
    "and says which file needs a password and how to give it"
run -s "$S/exchange.pfx" --password-file "$PW" list -f json
expect_rc 0 "the password file unlocks the PKCS#12 file"
expect_out_has '"HasPrivateKey": true' "its certificate pairs with its key"
CERTBIND_PASSWORD=$(cat "$PW") run -s "$S/exchange.pfx" list -f json
expect_rc 0 "CERTBIND_PASSWORD unlocks it too"
# Notepad's UTF-8 password file starts with a byte order mark.
printf '\357\273\277%s\r\n' "$(cat "$PW")" >"$T/bom"
run -s "$S/exchange.pfx" --password-file "$T/bom" list -f json
expect_rc 0 "a password file with a UTF-8 byte order mark unlocks it"
expect_out_has '"HasPrivateKey": true' "the mark is not part of the password"
echo wrong >"$T/wrong"
run -s "$S/exchange.pfx" --password-file "$T/wrong" list
expect_rc 1 "a wrong password lists nothing"
expect_err_has "exchange.pfx: wrong password for PKCS#12 file" "and says the password is wrong"
check "the password never appears in any output" \
    sh -c "! grep -qF \"\$(cat '$PW')\" '$out' '$err'"
run -s "$S" --password-file "$S" list
expect_rc 2 "a directory as password file is refused"
expect_err_has "certbind: $S: not a regular file" "naming it"
run -s "$PKI/p12/nopass.p12" list -f json
expect_rc 0 "a PKCS#12 file with an empty password needs none"

# RC2-40 (Windows' and openssl pkcs12 -legacy's export) is only in
# OpenSSL's legacy provider: without it, the message says so.
L=$PKI/p12/legacy-3des.pfx
run -s "$L" --password-file "$PW" list -f json
expect_rc 0 "a PKCS#12 file encrypted with RC2-40 loads"
OPENSSL_MODULES=$T/no-modules run -s "$L" --password-file "$PW" list
expect_rc 1 "without the legacy provider it lists nothing"
expect_err_has "^certbind: $L: certificates: encryption RC2-40-CBC needs OpenSSL's legacy provider, which could not be loaded; install it or export the file again with AES$" \
    "and the message names the cipher and the provider"

# PKCS#7 bundles (.p7b, as Windows exports a chain), DER and PEM, sniffed
# by content: every certificate in them is listed.  Oracle: openssl pkcs7.
F=$S/fullchain-www.contoso.com.pem
openssl crl2pkcs7 -nocrl -certfile "$F" -outform DER -out "$T/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile "$F" -out "$T/chain-pem.txt"
openssl pkcs7 -inform DER -in "$T/chain.p7b" -print_certs |
    awk -v d="$T" '/BEGIN CERT/ { f = d "/p7cert" ++k } f { print >f }
	/END CERT/ { f = "" }'
for c in "$T"/p7cert*; do
	openssl x509 -noout -fingerprint -sha1 -in "$c"
done | sed -n 's/^sha1 Fingerprint=//Ip' | tr -d : | sort >"$T/p7want"
check "openssl finds several certificates in the bundle" \
    test "$(wc -l <"$T/p7want")" -ge 2
for p7 in chain.p7b chain-pem.txt; do
	run -s "$T/$p7" -f json list
	expect_rc 0 "$p7: a PKCS#7 bundle loads"
	expect_err_empty "$p7: without a complaint"
	sed -n 's/.*"Thumbprint": "\(.*\)".*/\1/p' "$out" | sort >"$T/p7got"
	check "$p7: every certificate of the bundle is listed" \
	    cmp -s "$T/p7want" "$T/p7got"
	expect_out_has "\"Path\": \"$T/$p7\"" "$p7: with the bundle as its path"
done
head -c 200 "$T/chain.p7b" >"$T/cut.p7b"
run -s "$T/cut.p7b" -s "$S/mail.contoso.com.pem" list
expect_rc 0 "a truncated PKCS#7 bundle does not stop the store"
expect_err_has "^certbind: $T/cut.p7b: damaged PKCS#7 bundle$" "it is named as damaged"
printf '%s\n' '-----BEGIN PKCS7-----' 'MIIBtwYJ' '-----END PKCS7-----' >"$T/bad.p7"
run -s "$T/bad.p7" list
expect_err_has "^certbind: $T/bad.p7: damaged PKCS#7 bundle$" "a damaged PEM PKCS7 block is named"

# Encrypted PEM key: pairs only with the passphrase.
run -s "$S" $AT list --private-key
expect_err_has "secure.contoso.com.key: private key 1 is encrypted" "an encrypted key without a passphrase is reported"
expect_out_lacks "CN=secure.contoso.com" "and its certificate has no key"
run -s "$S" --password-file "$PW" $AT list --private-key
expect_out_has "CN=secure.contoso.com" "with the passphrase its certificate has a key"

# Key pairing by public key across files: cert.pem and privkey.pem.
run -s "$PKI/certbot/live" -f json list
expect_rc 0 "certbot's live/ directory (links into archive/) loads"
expect_out_has '"HasPrivateKey": true' "cert.pem pairs with privkey.pem"
expect_err_empty "certbot's README files are skipped silently"
run -s "$PKI/certbot/live" -v list
expect_err_has "^certbind: $PKI/certbot/live/README: text without a certificate or key, skipped$" \
    "with -v, certbot's README is named as skipped"
run -s "$PKI/certbot/live/mail.contoso.com/cert.pem" -f json list
expect_out_has '"HasPrivateKey": false' "without privkey.pem there is no key"

# Damaged files: each is named with what is wrong, the rest still loads.
D=$PKI/damaged
run -s "$D" -s "$S/mail.contoso.com.pem" list
expect_rc 0 "a store with damaged files still lists the good ones"
expect_out_has "CN=mail.contoso.com" "the good certificate is there"
expect_err_has "^certbind: $D/truncated.pem: truncated PEM: BEGIN CERTIFICATE without END$" "truncated PEM"
expect_err_has "^certbind: $D/bad-base64.pem: certificate 1: bad base64$" "bad base64"
expect_err_has "^certbind: $D/truncated.der: DER certificate: truncated or damaged DER certificate$" "truncated DER"
expect_err_has "^certbind: $D/random-garbage.bin: not a certificate, private key, PKCS#7 or PKCS#12 file$" "garbage"
expect_err_has "^certbind: $D/empty.pem: empty file$" "empty file"
check "a text file with no certificate marker is not reported" \
    sh -c "! grep -q 'not-a-certificate.txt' '$err'"
expect_err_has "^certbind: $D/not-der-in-pem.pem: certificate 1: not a DER certificate$" "PEM that holds no certificate"
expect_err_has "^certbind: $D/loop: symbolic link loop, skipped$" "symbolic link loop"
expect_err_has "^certbind: $D/dangling.pem: dangling symbolic link, skipped$" "dangling link"
expect_err_has "^certbind: $D/truncated.pfx: damaged PKCS#12 file$" "truncated PKCS#12"
check "the directory cycle ends and reports nothing" sh -c "! grep -q 'cycle' '$err'"
check "the hidden file is skipped" sh -c "! grep -q 'hidden' '$out' '$err'"

# certbot's renewal/*.conf and other plain text: skipped silently, named
# with -v; damaged certificate-looking text is still reported.
mkdir "$T/text"
printf '%s\n' '# renew_before_expiry = 30 days' 'version = 2.11.0' \
    'cert = /etc/letsencrypt/live/a/cert.pem' '[renewalparams]' \
    'authenticator = nginx' >"$T/text/a.conf"
printf '{"account": "x"}\n' >"$T/text/meta.json"
printf 'caf\303\251 au lait\n' >"$T/text/notes-utf8.txt"
cp "$S/mail.contoso.com.pem" "$T/text/good.pem"
run -s "$T/text" -f json list
expect_rc 0 "a store with text files lists its certificate"
expect_err_empty "plain text files are skipped silently"
run -s "$T/text" -f json -v list
expect_err_has "^certbind: $T/text/meta.json: text without a certificate or key, skipped$" \
    "with -v each is named as skipped"
check "every text file is named with -v" \
    test "$(grep -c 'text without a certificate or key, skipped' "$err")" -eq "$(ls "$T/text" | grep -vc good.pem)"
sed 's/^-----.*//' "$D/truncated.pem" | grep . >"$T/text/cut-base64.cer"
run -s "$T/text" list
expect_err_has "^certbind: $T/text/cut-base64.cer: base64 without PEM header lines: " \
    "a cut certificate in bare base64 is reported"

# A certificate in bare base64 (no BEGIN and END lines, as some Windows
# tools write a .cer), LF or CRLF, with or without a BOM, is read.
A=$S/mail.contoso.com.pem
want=$(openssl x509 -in "$A" -noout -fingerprint -sha1 | sed 's/.*=//' | tr -d :)
grep -v '^-----' "$A" >"$T/bare.cer"
grep -v '^-----' "$A" | sed 's/$/\r/' >"$T/bare-crlf.cer"
grep -v '^-----' "$A" | tr -d '\n' >"$T/bare-oneline.cer"
{ printf '\357\273\277'; grep -v '^-----' "$A"; } >"$T/bare-bom.cer"
for b in bare bare-crlf bare-oneline bare-bom; do
	run -s "$T/$b.cer" -f json list
	expect_rc 0 "$b.cer: a bare base64 certificate loads"
	expect_err_empty "$b.cer: without a complaint"
	expect_out_has "\"Thumbprint\": \"$want\"" "$b.cer: it is the certificate openssl reads"
done
run -s "$T/bare.cer" show "$want" -f json
expect_rc 0 "show reads it again from the file"
expect_out_has "\"Path\": \"$T/bare.cer\"" "and names the file"
{ grep -v '^-----' "$A"; echo 'not base64!'; } >"$T/mixed.cer"
run -s "$T/mixed.cer" -v list
expect_err_has "mixed.cer: text without a certificate or key, skipped" \
    "base64 followed by other text is no certificate"

# Files that are not regular files: skipped, never read or waited on.
mkdir "$T/odd"
cp "$S/mail.contoso.com.pem" "$T/odd/good.pem"
mkfifo "$T/odd/fifo.pem"
ln -s /dev/zero "$T/odd/zero.pem"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$T/odd/sock.pem"
timeout 10 "$BIN" -s "$T/odd" list >"$out" 2>"$err"; rc=$?
expect_rc 0 "a FIFO, a socket and a link to /dev/zero do not block the walk"
expect_err_has "fifo.pem: not a regular file, skipped" "the FIFO is named"
expect_err_has "zero.pem: not a regular file, skipped" "the device is named"
expect_err_has "sock.pem: not a regular file, skipped" "the socket is named"

# A store path that does not exist is a failure to do the job.
run -s "$T/nonexistent" list
expect_rc 2 "a missing store is exit 2"
expect_err_has "^certbind: $T/nonexistent: No such file or directory$" "and names it"

# The same certificate in two files and in a bundle is one certificate.
cp "$S/mail.contoso.com.pem" "$T/a.pem"
cp "$S/mail.contoso.com.pem" "$T/b.pem"
run -s "$T/a.pem" -s "$T/b.pem" -f json list
check "a duplicate is listed once" test "$(grep -c '"Thumbprint"' "$out")" -eq 1
expect_out_has "\"Path\": \"$T/a.pem\"" "with the path it was first read from"

# CERTBIND_STORE is a colon-separated list.
CERTBIND_STORE="$T/a.pem:$S/wildcard.contoso.com.pem" run -f json list
check "CERTBIND_STORE names several stores" test "$(grep -c '"Thumbprint"' "$out")" -eq 2

# An unreadable file is reported, not fatal (not as root: root reads all).
if [ "$(id -u)" -ne 0 ]; then
	cp "$S/mail.contoso.com.pem" "$T/noread.pem"; chmod 000 "$T/noread.pem"
	run -s "$T/noread.pem" -s "$T/a.pem" list
	expect_err_has "noread.pem: Permission denied" "an unreadable file is reported"
else
	ok "# SKIP unreadable files (running as root)"
fi

# A file too large is refused before it is read.
truncate -s 65M "$T/huge.pem"
run -s "$T/huge.pem" -s "$T/a.pem" list
expect_err_has "huge.pem: file too large \(over 64 MiB\)" "a 65 MiB file is refused"
expect_rc 0 "and the rest still loads"

# An empty directory is an empty store: nothing listed, exit 1, no
# complaint (it once sorted a null array, which UBSan refuses).
mkdir "$T/emptydir"
run -s "$T/emptydir" list -f json
expect_rc 1 "an empty directory lists nothing"
expect_out '[]' "an empty directory lists an empty array"
expect_err_empty "an empty directory is no error"
done_testing
