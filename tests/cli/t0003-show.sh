#!/bin/sh
# show: every field of one certificate, against openssl as the oracle.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
AT=--at=2026-06-01

# For every single-certificate PEM file of the store: the fields certbind
# shows equal what openssl says of the same file.
for f in "$S"/*.pem "$S"/ca/*.pem "$S"/names/*.pem; do
	[ "$(grep -c 'BEGIN CERTIFICATE' "$f")" -eq 1 ] || continue
	name=${f#"$PKI"/}
	sha1=$(openssl x509 -in "$f" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
	run -s "$S" --password-file "$PKI/password.txt" $AT -f json show "$sha1"
	if [ "$rc" -ne 0 ]; then not_ok "$name: show exits 0"; continue; fi
	python3 - "$out" "$f" >"$T/cmp" 2>&1 <<'PY'
import json, subprocess, sys, datetime
c = json.load(open(sys.argv[1]))
f = sys.argv[2]
def ossl(*a):
    return subprocess.run(["openssl", "x509", "-in", f, "-noout", *a],
                          capture_output=True, text=True, check=True).stdout.strip()
def hexfp(alg):
    return ossl("-fingerprint", "-" + alg).split("=", 1)[1].replace(":", "")
def date(opt):
    s = ossl("-" + opt).split("=", 1)[1]
    d = datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT")
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")
bad = []
def eq(k, want):
    if c[k] != want: bad.append("%s: got %r want %r" % (k, c[k], want))
eq("Thumbprint", hexfp("sha1"))
eq("Sha256Thumbprint", hexfp("sha256"))
eq("NotBefore", date("startdate"))
eq("NotAfter", date("enddate"))
# openssl prints the serial's value; .NET (and certbind) its encoded bytes,
# which add a 00 octet when the high bit is set.
ser = ossl("-serial").split("=", 1)[1]
if len(ser) % 2: ser = "0" + ser
if int(ser[:2], 16) >= 0x80: ser = "00" + ser
eq("SerialNumber", ser)
text = ossl("-text")
import re
m = re.search(r"Signature Algorithm: (\S+)", text)
eq("SignatureAlgorithm", m.group(1))
m = re.search(r"Public-Key: \((\d+) bit\)", text)
if m: eq("KeySize", int(m.group(1)))
alg = re.search(r"Public Key Algorithm: (\S+)", text).group(1)
eq("KeyAlgorithm", {"rsaEncryption": "RSA", "id-ecPublicKey": "EC", "ED25519": "Ed25519"}[alg])
san = re.search(r"X509v3 Subject Alternative Name:.*?\n\s+(.*)\n", text)
dns = [x.strip()[4:] for x in san.group(1).split(",") if x.strip().startswith("DNS:")] if san else []
eq("CertificateDomains", dns)
import ipaddress
ips = [str(ipaddress.ip_address(x.strip()[11:])) for x in san.group(1).split(",") if x.strip().startswith("IP Address:")] if san else []
eq("IPAddresses", ips)
eku = re.search(r"X509v3 Extended Key Usage:.*?\n\s+(.*)\n", text)
short = {"TLS Web Server Authentication": "serverAuth",
         "TLS Web Client Authentication": "clientAuth",
         "Code Signing": "codeSigning", "E-mail Protection": "emailProtection",
         "Time Stamping": "timeStamping", "OCSP Signing": "OCSPSigning",
         "Any Extended Key Usage": "anyExtendedKeyUsage"}
if eku:
    eq("EnhancedKeyUsage", [short.get(x.strip(), x.strip()) for x in eku.group(1).split(",")])
elif "EnhancedKeyUsage" in c:
    bad.append("EnhancedKeyUsage present without the extension")
eq("FriendlyName", "")
eq("Path", f)
print("\n".join(bad) if bad else "ok")
PY
	if grep -qx ok "$T/cmp"; then ok "$name: every field agrees with openssl"; else
		not_ok "$name: fields differ from openssl"; sed 's/^/#   /' "$T/cmp"; fi
done

# The list format is the default and shows every field in certbind(1) CERTIFICATE FIELDS's order.
M=$(openssl x509 -in "$S/mail.contoso.com.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run -s "$S" $AT show "$M"
expect_rc 0 "show exits 0"
check "fields in order" sh -c "sed 's/ *:.*//' '$out' | tr '\n' ' ' | grep -qx 'Thumbprint Sha256Thumbprint Subject Issuer CertificateDomains NotBefore NotAfter Status HasPrivateKey IsSelfSigned SerialNumber KeyAlgorithm KeySize SignatureAlgorithm Services Path FriendlyName EnhancedKeyUsage IPAddresses '"
expect_out_has "^Status +: Valid$" "valid at --at 2026-06-01"
expect_out_has "^HasPrivateKey +: True$" "its key is in privkey-mail.contoso.com.pem"
run -s "$S" --at 2027-02-01 show "$M"
expect_out_has "^Status +: Expired$" "expired at --at 2027-02-01"
run -s "$S" --at 2025-12-31T23:59:59Z show "$M"
expect_out_has "^Status +: NotYetValid$" "not yet valid one second before NotBefore"
run -s "$S" --at 2026-01-01T00:00:00Z show "$M"
expect_out_has "^Status +: Valid$" "valid at NotBefore exactly"
run -s "$S" -f json show "$M"
check "json show is one object" python3 -c "import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)" "$out"
R=$(openssl x509 -in "$S/ca/root-ca.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run -s "$S" show "$R"
expect_out_has "^IsSelfSigned +: True$" "the root is self-signed"
run -s "$S" show "$M"
expect_out_has "^IsSelfSigned +: False$" "a leaf is not"

# Services: the connectors whose TlsCertificateName selects the certificate.
C=$PKI/connectors.xml
run -s "$S" -c "$C" -f json show "$M"
expect_out_has '"MAILBOX01\\\\Client Frontend MAILBOX01"' "Services names the connector bound to it"
run -s "$S" -c "$C" show "$M"
expect_out_has '^Services +: \{MAILBOX01\\Client Frontend MAILBOX01\}$' "shown as Server\\Name in the list format"
run -s "$S" -c "$C" -f json show "$R"
expect_out_has '"Services": \[\]' "a certificate no connector selects has none"
# Tags in any case, names compared case-insensitively (as Exchange does).
sed 's/&lt;I&gt;CN=Contoso Issuing CA 1/\&lt;i\&gt;cn=CONTOSO issuing ca 1/; s/&lt;S&gt;CN=mail/\&lt;s\&gt;cn=MAIL/' "$C" >"$T/lower.xml"
check "the lower-cased fixture differs from the original" sh -c "! cmp -s '$C' '$T/lower.xml'"
run -s "$S" -c "$T/lower.xml" -f json show "$M"
expect_out_has '"MAILBOX01\\\\Client Frontend MAILBOX01"' "a name in other case still selects"
CERTBIND_CONFIG=$C run -s "$S" -f json show "$M"
expect_out_has '"MAILBOX01\\\\Client Frontend MAILBOX01"' "CERTBIND_CONFIG names the configuration"
run -s "$S" -c "$T/missing.xml" -f json show "$M"
expect_rc 0 "an unreadable configuration does not stop show"
expect_err_has "warning: $T/missing.xml: cannot read the configuration; Services are not shown" "but is a warning"
printf '<ReceiveConnectors><ReceiveConnector/></ReceiveConnectors>' >"$T/bad.xml"
run -s "$S" -c "$T/bad.xml" show "$M"
expect_err_has "warning: $T/bad.xml:1: " "an invalid configuration is a warning with file and line"

# Negative answers and usage errors.
run -s "$S" show 0000000000000000000000000000000000000000
expect_rc 1 "an unknown thumbprint is exit 1"
expect_err_has "no certificate with this thumbprint in $S" "naming the stores searched"
run -s "$S" show
expect_rc 64 "no thumbprint is a usage error"
run -s "$S" show "$M" "$M"
expect_rc 64 "two thumbprints are a usage error"
run -s "$S" show "xyz"
expect_rc 64 "a malformed thumbprint is a usage error"
expect_err_has "invalid thumbprint: 'x' at position 1 is not a hex digit" "saying what is wrong"

# FriendlyName, EnhancedKeyUsage and IPAddresses (certbind(1) CERTIFICATE
# FIELDS) on certificates made here; openssl is the oracle.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/f.key" -out "$T/f.pem" -subj /CN=fields.contoso.com -days 30 \
    -addext "subjectAltName=DNS:fields.contoso.com,IP:192.0.2.7,IP:2001:db8:0:0:0:0:0:a,IP:::ffff:192.0.2.1,IP:fe80:0:0:1:0:0:0:1" \
    -addext "extendedKeyUsage=serverAuth,clientAuth,1.2.3.4.5,1.3.6.1.4.1.311.10.3.4" 2>/dev/null
openssl pkcs12 -export -in "$T/f.pem" -inkey "$T/f.key" -passout pass: \
    -name "$(printf 'Caf\303\251 SMTP 2026')" -out "$T/f.pfx"
openssl pkcs12 -in "$T/f.pfx" -passin pass: -nokeys -info 2>/dev/null |
    sed -n 's/^ *friendlyName: //p' | head -n 1 >"$T/fn-want"
F=$(openssl x509 -in "$T/f.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run -s "$T/f.pfx" -f json show "$F"
expect_rc 0 "show reads the PKCS#12 file made here"
python3 - "$out" "$T/fn-want" >"$T/cmp" 2>&1 <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
# openssl prints a BMPString's characters below U+0100 as Latin-1 bytes.
raw = open(sys.argv[2], "rb").read().strip()
try: fn = raw.decode("utf-8")
except UnicodeDecodeError: fn = raw.decode("latin-1")
assert fn == "Caf\u00e9 SMTP 2026", "oracle: %r" % fn
assert c["FriendlyName"] == fn, c["FriendlyName"]
assert c["EnhancedKeyUsage"] == ["serverAuth", "clientAuth", "1.2.3.4.5", "msEFS"], c["EnhancedKeyUsage"]
assert c["IPAddresses"] == ["192.0.2.7", "2001:db8::a", "::ffff:192.0.2.1", "fe80:0:0:1::1"], c["IPAddresses"]
assert c["CertificateDomains"] == ["fields.contoso.com"]
print("ok")
PY
check "FriendlyName (UTF-8), EnhancedKeyUsage and IPAddresses as openssl and .NET give them" grep -qx ok "$T/cmp"
sed 's/^/# /' "$T/cmp"
run -s "$T/f.pfx" -f json list
expect_out_has '"FriendlyName": "Caf' "list -f json has FriendlyName too"
expect_out_has '"2001:db8::a"' "and IPAddresses"
expect_out_has '"msEFS"' "and EnhancedKeyUsage"
run -s "$T/f.pem" show "$F"
expect_out_has '^IPAddresses +: \{192\.0\.2\.7, 2001:db8::a, ::ffff:192\.0\.2\.1, fe80:0:0:1::1\}$' "the list format shows the addresses"
expect_out_has '^FriendlyName +:$' "a PEM certificate has an empty FriendlyName"
run -s "$PKI/ca/root-ca.pem" -f json list
expect_out_lacks '"EnhancedKeyUsage"' "a certificate without the extension has no EnhancedKeyUsage"
done_testing
