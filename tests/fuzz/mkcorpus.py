#!/usr/bin/python3
"""mkcorpus.py: (re)writes the seed corpora tests/fuzz/corpus/NAME/ from
the test PKI (certs-test/), the connector samples and hand-written
inputs.  Run from anywhere; the output is committed, so fuzzing never
depends on this script.  Needs the openssl command."""
import base64, glob, hashlib, os, shutil, subprocess

top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
pki = os.path.join(top, "certs-test")
out = os.path.join(top, "tests", "fuzz", "corpus")
pw = b"Test-Passw0rd!"

def reset(name):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d

def put(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def ders_of(path):
    """The DER of every certificate in a PEM or DER file, unparsed."""
    data = open(path, "rb").read()
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return [data] if data[:1] == b"\x30" else []
    ders = []
    for blk in data.split(b"-----BEGIN CERTIFICATE-----")[1:]:
        b64 = blk.split(b"-----END CERTIFICATE-----")[0]
        ders.append(base64.b64decode(b64))
    return ders

def tlv(b, i):
    """(start, content start, end) of the DER TLV at b[i]."""
    n = b[i + 1]
    if n < 0x80:
        return i, i + 2, i + 2 + n
    k = n & 0x7f
    n = int.from_bytes(b[i + 2:i + 2 + k], "big")
    return i, i + 2 + k, i + 2 + k + n

def names_of(der):
    """Issuer and subject Name DER, walking the TBS by hand, so that
    names cryptography refuses (invalid UTF-8) are seeds too."""
    _, c, _ = tlv(der, 0)            # Certificate
    _, i, _ = tlv(der, c)            # tbsCertificate
    if der[i] == 0xa0:               # [0] version
        i = tlv(der, i)[2]
    i = tlv(der, i)[2]               # serialNumber
    i = tlv(der, i)[2]               # signature
    s, _, e = tlv(der, i)            # issuer
    issuer = der[s:e]
    i = tlv(der, e)[2]               # validity
    s, _, e = tlv(der, i)            # subject
    return issuer, der[s:e]

# store: one of each kind of file the store reads, and the damaged ones.
d = reset("store")
pick = ["store/mail.contoso.com.pem", "store/privkey-mail.contoso.com.pem",
        "store/autodiscover.contoso.com.cer", "store/exchange.pfx",
        "store/secure.contoso.com.pem", "store/secure.contoso.com.key",
        "store/relay.contoso.com-with-key.pem",
        "store/fullchain-www.contoso.com.pem",
        "store/ec-p256.contoso.com.pem", "store/ec-p256.contoso.com.key",
        "store/ed25519.contoso.com.pem", "store/ed25519.contoso.com.key",
        "store/smtp.contoso.com-ip.pem", "store/legacy/legacy.contoso.com.pem",
        "certbot/archive/mail.contoso.com/privkey1.pem"]
pick += sorted(os.path.relpath(p, pki) for p in
               glob.glob(pki + "/store/names/*.pem") +
               glob.glob(pki + "/hostile/*.pem") + glob.glob(pki + "/p12/*"))
pick += ["damaged/" + f for f in ("truncated.pem", "bad-base64.pem",
         "not-der-in-pem.pem", "truncated.der", "truncated.pfx")]
pick += ["exchange/live-utf16.xml", "exchange/live-utf8bom.xml",
         "exchange/damaged/notcert.xml"]
for p in pick:
    put(d, p.replace("/", "_"), open(os.path.join(pki, p), "rb").read())
# A traditional encrypted PEM key (Proc-Type/DEK-Info) and a TRUSTED
# CERTIFICATE, which no file of the PKI has.
key = subprocess.run(["openssl", "pkey", "-in",
                      pki + "/store/weak-rsa1024.key", "-traditional",
                      "-aes128", "-passout", "pass:" + pw.decode()],
                     capture_output=True, check=True).stdout
put(d, "traditional-encrypted.key", key)
tc = subprocess.run(["openssl", "x509", "-in", pki + "/store/weak-rsa1024.pem",
                     "-trustout", "-addtrust", "serverAuth"],
                    capture_output=True, check=True).stdout
put(d, "trusted-certificate.pem", tc)

# clixml: the Export-Clixml files of certs-test/exchange/ and a few
# shapes they lack (DCT, STK, QUE, a Ref to itself, a declaration).
d = reset("clixml")
for p in sorted(glob.glob(pki + "/exchange/**/*.xml", recursive=True)):
    put(d, os.path.relpath(p, pki + "/exchange").replace("/", "_"),
        open(p, "rb").read())
ns = "http://schemas.microsoft.com/powershell/2004/04"
put(d, "dict-ref", ('<Objs xmlns="%s"><Obj RefId="0"><TN RefId="0"><T>A</T>'
    '</TN><DCT><En><S N="Key">k</S><Ref N="Value" RefId="0"/></En></DCT>'
    '<STK><Nil/></STK></Obj><Obj RefId="1"><TNRef RefId="0"/><QUE>'
    '<B>true</B></QUE></Obj></Objs>' % ns).encode())
put(d, "decl-utf16", b"\xff\xfe" + ('<?xml version="1.0" encoding="utf-16"?>'
    '\r\n<Objs Version="1.1.0.1" xmlns="%s"><S>x_x000A_</S></Objs>' % ns)
    .encode("utf-16-le"))

# import: the exports of certs-test/exports/ (CLIXML, JSON, CSV, each
# encoding, and the hostile ones).
d = reset("import")
for p in sorted(glob.glob(pki + "/exports/**/*.*", recursive=True)):
    put(d, os.path.relpath(p, pki + "/exports").replace("/", "_"),
        open(p, "rb").read())

# dn: the DER of every distinct subject and issuer name.
d = reset("dn")
seen = set()
files = (glob.glob(pki + "/store/**/*.pem", recursive=True) +
         glob.glob(pki + "/store/*.cer") + glob.glob(pki + "/hostile/*.pem"))
for p in sorted(files):
    for c in ders_of(p):
        for der in names_of(c):
            if der not in seen:
                seen.add(der)
                put(d, hashlib.sha1(der).hexdigest()[:16] + ".der", der)
put(d, "empty-name.der", b"\x30\x00")

# namekey: each certificate's issuer and subject back to back (a leaf's
# issuer is its CA's subject, so equal pairs arise as the fuzzer splices
# seeds), and each distinct name alone.
d = reset("namekey")
seen = set()
for p in sorted(files):
    for c in ders_of(p):
        issuer, subject = names_of(c)
        for der in (issuer + subject, issuer, subject):
            if der not in seen:
                seen.add(der)
                put(d, hashlib.sha1(der).hexdigest()[:16] + ".der", der)

# host: FQDN length, FQDN, then (type, length, bytes) identifiers:
# type 0 dNSName, 1 iPAddress, 2 CN, 3 rfc822Name (see fuzz_host.c).
d = reset("host")
def host(name, fqdn, *ids):
    b = bytes([len(fqdn)]) + fqdn
    for t, v in ids:
        b += bytes([t, len(v)]) + v
    put(d, name, b)
host("exact", b"mail.contoso.com", (0, b"mail.contoso.com"),
     (0, b"autodiscover.contoso.com"))
host("wildcard", b"mail.contoso.com", (0, b"*.contoso.com"))
host("wildcard-deep", b"a.b.contoso.com", (0, b"*.contoso.com"))
host("bad-wildcards", b"mail.contoso.com", (0, b"m*.contoso.com"),
     (0, b"www.*.com"), (0, b"*.*.contoso.com"), (0, b"*"), (0, b"*.com"))
host("cn-only", b"legacy.contoso.com", (2, b"legacy.contoso.com"))
host("cn-ignored", b"legacy.contoso.com", (2, b"legacy.contoso.com"),
     (0, b"other.contoso.com"))
host("nul-san", b"www.paypal.com", (0, b"www.paypal.com\0.evil.com"))
host("nul-cn", b"www.paypal.com", (2, b"www.paypal.com\0.evil.com"))
host("ipv4", b"192.0.2.10", (0, b"smtp.contoso.com"),
     (1, bytes([192, 0, 2, 10])))
host("ipv6", b"[2001:db8::10]", (1, bytes.fromhex("20010db8" + "00" * 10 + "0010")))
host("trailing-dot", b"MAIL.Contoso.COM.", (0, b"mail.contoso.com"),
     (3, b"postmaster@contoso.com"))
host("high-bytes", b"cafe.contoso.com", (0, b"caf\xc3\xa9.contoso.com"),
     (0, b"bad\xff.contoso.com"))

# thumb: thumbprints as people paste them.
d = reset("thumb")
sha1 = "5E2D3F1A9C8B7D6E5F4A3B2C1D0E9F8A7B6C5D4E"
sha256 = "A1" * 32
spaced = " ".join(sha1[i:i + 2] for i in range(0, 40, 2))
for n, s in [("plain", sha1), ("lower", sha1.lower()), ("spaced", spaced),
             ("colons", ":".join(sha1[i:i + 2] for i in range(0, 40, 2))),
             ("dashes", "-".join(sha1[i:i + 4] for i in range(0, 40, 4))),
             ("openssl1", "SHA1 Fingerprint=" + sha1),
             ("openssl3", "sha1 Fingerprint=" + sha1),
             ("sha256", "SHA256 Fingerprint=" + sha256),
             ("lrm", "\u200e" + spaced), ("bidi", "\u202a" + sha1 + "\u202c"),
             ("nbsp", sha1[:20] + "\u00a0" + sha1[20:]),
             ("bom", "\ufeff" + sha1), ("question", "?" + sha1),
             ("prefix", sha1[:8]), ("short", sha1[:6]),
             ("crlf", sha1 + "\r\n"), ("bad-hex", sha1[:10] + "g" + sha1[11:]),
             ("too-long", sha256 + "00")]:
    put(d, n, s.encode())
put(d, "latin1", sha1.encode() + b"\xe9")

# conn: the unit test samples and the PKI's sample configuration.
d = reset("conn")
for p in sorted(glob.glob(top + "/tests/unit/data/conn/*.xml")):
    put(d, os.path.basename(p), open(p, "rb").read())
put(d, "certs-test-connectors.xml",
    open(pki + "/connectors.xml", "rb").read())
