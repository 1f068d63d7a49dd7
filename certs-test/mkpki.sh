#!/bin/sh
# mkpki.sh: regenerates certbind's test PKI in the directory of this script.
# Wipes and recreates ca/ store/ renewal/ hostile/ damaged/ certbot/ p12/
# and index.tsv; leaves the hand-written files (README.md, connectors.xml,
# expected-names.tsv) alone.  Dates are fixed; keys are random, so
# thumbprints change on every run (index.tsv lists them).
#
# Needs: Debian's /usr/bin/python3 with python3-cryptography, OpenSSL 3 CLI
# (with the legacy provider for p12/legacy-3des.pfx).
set -eu
cd "$(dirname "$0")"

PY=/usr/bin/python3
OSSL=${OPENSSL:-openssl}

rm -rf ca store renewal hostile damaged certbot p12 tmp index.tsv
printf 'Test-Passw0rd!\n' >password.txt
PW=file:password.txt

"$PY" mkpki.py .

# store/: PKCS#12 with cert, key and chain; OpenSSL 3 defaults spelled out
"$OSSL" pkcs12 -export -in tmp/pfx.crt -inkey tmp/pfx.key \
	-certfile tmp/chain1.pem -name mailbox01.contoso.com \
	-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 \
	-passout "$PW" -out store/exchange.pfx

# store/: encrypted PKCS#8 key (AES-256-CBC, PBKDF2 HMAC-SHA256)
"$OSSL" pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 \
	-in tmp/secure.key -passout "$PW" -out store/secure.contoso.com.key

# p12/
mkdir -p p12
"$OSSL" pkcs12 -export -in tmp/nopass.crt -inkey tmp/nopass.key \
	-certfile tmp/chain1.pem -name nopass.contoso.com \
	-passout pass: -out p12/nopass.p12
if "$OSSL" pkcs12 -export -legacy -in tmp/legacy.crt -inkey tmp/legacy.key \
	-certfile tmp/chain1.pem -name legacy-p12.contoso.com \
	-passout "$PW" -out p12/legacy-3des.pfx 2>/dev/null; then :; else
	echo "mkpki.sh: no legacy provider, p12/legacy-3des.pfx not made" >&2
	rm -f p12/legacy-3des.pfx
fi
"$OSSL" pkcs12 -export -in tmp/nopass.crt -inkey tmp/nopass.key \
	-certfile tmp/chain1.pem -name nopass.contoso.com \
	-keypbe NONE -certpbe NONE -nomac -passout pass: -out p12/unencrypted.p12
"$OSSL" pkcs12 -export -nokeys -in tmp/nopass.crt -certfile tmp/chain1.pem \
	-passout "$PW" -out p12/certs-only.p12

# damaged/
d=damaged
head -n 10 tmp/damaged.pem >$d/truncated.pem
# line 5 of the base64 gets characters outside the base64 alphabet
sed '5s/^..../@@!!/' tmp/damaged.pem >$d/bad-base64.pem
head -c 300 tmp/damaged.der >$d/truncated.der
: >$d/empty.pem
cat >$d/not-a-certificate.txt <<'EOF'
This is a plain text file that happens to live in a certificate store.
It contains no PEM armour and is not DER.
EOF
# valid PEM armour and base64 around bytes that are not a certificate
{
	echo '-----BEGIN CERTIFICATE-----'
	printf 'This is not DER, just text wrapped in PEM armour.' | base64 -w 64
	echo '-----END CERTIFICATE-----'
} >$d/not-der-in-pem.pem
head -c 700 store/exchange.pfx >$d/truncated.pfx
ln -s loop $d/loop
ln -s . $d/cycle
ln -s does-not-exist.pem $d/dangling.pem

# certbot/live/: relative links to the latest archive version, as certbot
a=certbot/archive/mail.contoso.com
l=certbot/live/mail.contoso.com
mkdir -p $l
for f in cert chain fullchain privkey; do
	ln -s ../../archive/mail.contoso.com/${f}2.pem $l/$f.pem
done
cat >certbot/live/README <<'EOF'
This directory contains your keys and certificates.

`[cert name]/privkey.pem`  : the private key for your certificate.
`[cert name]/fullchain.pem`: the certificate file used in most server software.
`[cert name]/chain.pem`    : used for OCSP stapling in Nginx >=1.3.7.
`[cert name]/cert.pem`     : will break many server configurations, and should not be used
                             without reading further documentation (see link below).

WARNING: DO NOT MOVE OR RENAME THESE FILES!
         Certbot expects these files to remain in this location in order
         to function properly!

We recommend not moving these files. For more information, see the Certbot
User Guide at https://certbot.eff.org/docs/using.html#where-are-my-certificates.
EOF
cp certbot/live/README $l/README
chmod 600 $a/privkey*.pem

rm -rf tmp

# index.tsv: path, SHA-1, SHA-256, serial, notBefore, notAfter of every
# certificate in a PEM or DER file (not PKCS#12), computed by OpenSSL;
# files OpenSSL cannot parse (hostile/invalid-utf8.pem) are left out.
{
	printf 'file\tsha1\tsha256\tserial\tnotBefore\tnotAfter\n'
	find ca store renewal hostile certbot/archive damaged/.hidden.pem \
		-type f \( -name '*.pem' -o -name '*.cer' \) | LC_ALL=C sort |
	while read -r f; do
		case $f in *.cer) inform=DER ;; *) inform=PEM ;; esac
		if [ $inform = PEM ]; then
			n=$(grep -c 'BEGIN CERTIFICATE' "$f" || true)
		else
			n=1
		fi
		i=1
		[ "$f" = hostile/invalid-utf8.pem ] && n=0
		while [ "$i" -le "$n" ]; do
			if [ $inform = PEM ]; then
				awk -v want="$i" '/-----BEGIN CERTIFICATE-----/{k++}
					k==want{print}
					/-----END CERTIFICATE-----/{if(k==want)exit}' "$f" \
					>index.tmp
			else
				cp "$f" index.tmp
			fi
			sha1=$("$OSSL" x509 -inform $inform -in index.tmp -noout \
				-fingerprint -sha1 | sed 's/.*=//; s/://g')
			sha256=$("$OSSL" x509 -inform $inform -in index.tmp -noout \
				-fingerprint -sha256 | sed 's/.*=//; s/://g')
			serial=$("$OSSL" x509 -inform $inform -in index.tmp -noout \
				-serial | sed 's/.*=//')
			nb=$("$OSSL" x509 -inform $inform -in index.tmp -noout \
				-startdate -dateopt iso_8601 | sed 's/.*=//; s/ /T/')
			na=$("$OSSL" x509 -inform $inform -in index.tmp -noout \
				-enddate -dateopt iso_8601 | sed 's/.*=//; s/ /T/')
			name=$f
			[ "$n" -gt 1 ] && name="$f#$i"
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$sha1" "$sha256" \
				"$serial" "$nb" "$na"
			i=$((i + 1))
		done
	done
} >index.tsv
rm -f index.tmp
echo "mkpki.sh: done" >&2
