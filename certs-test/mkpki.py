#!/usr/bin/python3
# mkpki.py OUTDIR: writes the certificates and keys of certbind's test PKI.
# Run by mkpki.sh (which adds the PKCS#12 files, encrypted keys, damaged
# files and symbolic links); see README.md for what every file is for.
#
# Needs Debian's python3-cryptography (38).  Every date is fixed; keys are
# random, so thumbprints change on every run -- tests read them from
# index.tsv or from `openssl x509 -fingerprint`, never hard-code them.
#
# Names: subjects are encoded here by hand (encode_name), not by the
# cryptography package, so that the string type of every value (UTF8String,
# PrintableString, IA5String, BMPString, T61String, UniversalString), the
# order of the attributes of a multi-valued RDN, and hostile bytes (NUL,
# ESC, invalid UTF-8) are exactly what the README says.  The certificate is
# built by cryptography with a placeholder name, then its TBSCertificate is
# re-assembled with the real subject and the issuer's subject bytes and
# signed again.

import datetime
import hashlib
import ipaddress
import os
import random
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

warnings.filterwarnings("ignore")  # SHA-1 signatures are deliberate here

OUT = sys.argv[1] if len(sys.argv) > 1 else "."


# --- DER -------------------------------------------------------------------

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def read_tlv(buf, off):
    """(tag, start of content, end of element) of the element at off."""
    tag = buf[off]
    n = buf[off + 1]
    p = off + 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[p:p + k], "big")
        p += k
    return tag, p, p + n


def children(buf, start, end):
    out = []
    while start < end:
        _, c, e = read_tlv(buf, start)
        out.append(buf[start:e])
        start = e
    return out


def der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for v in parts[2:]:
        enc = [v & 0x7F]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7F))
            v >>= 7
        body += bytes(reversed(enc))
    return tlv(0x06, body)


UTF8, NUMERIC, PRINTABLE, T61, IA5, UNIVERSAL, BMP = (
    0x0C, 0x12, 0x13, 0x14, 0x16, 0x1C, 0x1E)

OID = {
    "CN": "2.5.4.3", "SN": "2.5.4.4", "SERIALNUMBER": "2.5.4.5",
    "C": "2.5.4.6", "L": "2.5.4.7", "S": "2.5.4.8", "STREET": "2.5.4.9",
    "O": "2.5.4.10", "OU": "2.5.4.11", "T": "2.5.4.12",
    "Description": "2.5.4.13", "businessCategory": "2.5.4.15",
    "PostalCode": "2.5.4.17", "POBox": "2.5.4.18", "Phone": "2.5.4.20",
    "X21Address": "2.5.4.24", "G": "2.5.4.42", "I": "2.5.4.43",
    "dnQualifier": "2.5.4.46", "DC": "0.9.2342.19200300.100.1.25",
    "E": "1.2.840.113549.1.9.1",
    "jurisdictionST": "1.3.6.1.4.1.311.60.2.1.2",
    "jurisdictionC": "1.3.6.1.4.1.311.60.2.1.3",
}
DEFAULT_TAG = {
    "C": PRINTABLE, "SERIALNUMBER": PRINTABLE, "dnQualifier": PRINTABLE,
    "jurisdictionC": PRINTABLE, "DC": IA5, "E": IA5, "X21Address": NUMERIC,
}


def encode_value(tag, value):
    if isinstance(value, bytes):
        return tlv(tag, value)          # raw bytes, possibly hostile
    if tag == BMP:
        return tlv(tag, value.encode("utf-16-be"))
    if tag == UNIVERSAL:
        return tlv(tag, value.encode("utf-32-be"))
    return tlv(tag, value.encode("utf-8"))


def encode_name(rdns):
    """rdns: list, first = first in DER (most general).  An RDN is
    (key, value[, tag]) or a list of such for a multi-valued RDN, whose
    attributes are written in the order given (callers give DER order)."""
    out = b""
    for rdn in rdns:
        attrs = rdn if isinstance(rdn, list) else [rdn]
        body = b""
        for a in attrs:
            key, value = a[0], a[1]
            tag = a[2] if len(a) > 2 else DEFAULT_TAG.get(key, UTF8)
            body += tlv(0x30, der_oid(OID[key]) + encode_value(tag, value))
        out += tlv(0x31, body)
    return tlv(0x30, out)


# --- certificates ----------------------------------------------------------

def D(y, m, d):
    return datetime.datetime(y, m, d, 0, 0, 0)


def serial_for(label):
    # Stable across runs, unique per certificate, positive, 16 bytes.
    h = hashlib.sha256(("certbind-test:" + label).encode()).digest()[:16]
    return int.from_bytes(h, "big") >> 1


class Issued:
    def __init__(self, key, der, subject_der):
        self.key = key
        self.der = der
        self.subject_der = subject_der
        self.cert = x509.load_der_x509_certificate(der)


def gen_key(kind):
    if kind == "rsa2048":
        return rsa.generate_private_key(65537, 2048)
    if kind == "rsa3072":
        return rsa.generate_private_key(65537, 3072)
    if kind == "rsa1024":
        return rsa.generate_private_key(65537, 1024)
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(kind)


def sign_raw(key, data, hash_alg):
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hash_alg)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hash_alg))
    return key.sign(data)


def make_cert(label, subject, issuer, key, not_before, not_after, sans=None,
              ip_sans=None, eku="server", ku="default", ca=False,
              pathlen=None, hash_alg=None, san_raw=None):
    """subject: rdns for encode_name.  issuer: an Issued, or None for
    self-signed.  sans: dNSName strings (None: no SAN extension).
    san_raw: dNSName values as bytes, placed verbatim (hostile)."""
    if hash_alg is None:
        hash_alg = hashes.SHA256()
    signer = issuer.key if issuer else key
    if isinstance(signer, ed25519.Ed25519PrivateKey):
        hash_alg = None
    pub = key.public_key()
    placeholder = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    b = (x509.CertificateBuilder()
         .subject_name(placeholder).issuer_name(placeholder)
         .public_key(pub).serial_number(serial_for(label))
         .not_valid_before(not_before).not_valid_after(not_after))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen),
                        critical=True)
    if ku == "default":
        if ca:
            ku = {"key_cert_sign", "crl_sign", "digital_signature"}
        elif isinstance(key, rsa.RSAPrivateKey):
            ku = {"digital_signature", "key_encipherment"}
        else:
            ku = {"digital_signature"}
    if ku:
        flags = dict(digital_signature=False, content_commitment=False,
                     key_encipherment=False, data_encipherment=False,
                     key_agreement=False, key_cert_sign=False,
                     crl_sign=False, encipher_only=False,
                     decipher_only=False)
        for f in ku:
            flags[f] = True
        b = b.add_extension(x509.KeyUsage(**flags), critical=True)
    if eku == "server":
        b = b.add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    elif eku == "client":
        b = b.add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    gn = []
    placeholders = []
    for s in sans or []:
        gn.append(x509.DNSName(s))
    for i, raw in enumerate(san_raw or []):
        ph = ("p%d" % i).ljust(len(raw), "q")
        placeholders.append((ph.encode(), raw))
        gn.append(x509.DNSName(ph))
    for ip in ip_sans or []:
        gn.append(x509.IPAddress(ipaddress.ip_address(ip)))
    if sans is not None or san_raw or ip_sans:
        b = b.add_extension(x509.SubjectAlternativeName(gn), critical=False)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(pub),
                        critical=False)
    ipub = issuer.key.public_key() if issuer else pub
    b = b.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ipub),
        critical=False)
    tmp = b.sign(signer, hash_alg).public_bytes(serialization.Encoding.DER)

    # Re-assemble TBSCertificate with the real names, then sign again.
    _, c, e = read_tlv(tmp, 0)
    tbs_el, sigalg_el, _ = children(tmp, c, e)
    _, tc, te = read_tlv(tbs_el, 0)
    f = children(tbs_el, tc, te)
    # version, serial, signature, issuer, validity, subject, spki, [3] exts
    subject_der = encode_name(subject)
    f[3] = issuer.subject_der if issuer else subject_der
    f[5] = subject_der
    body = b"".join(f)
    for ph, raw in placeholders:
        assert body.count(ph) == 1
        body = body.replace(ph, raw)
    tbs = tlv(0x30, body)
    sig = sign_raw(signer, tbs, hash_alg)
    der = tlv(0x30, tbs + sigalg_el + tlv(0x03, b"\x00" + sig))
    return Issued(key, der, subject_der)


# --- output ----------------------------------------------------------------

def path(rel):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def pem_cert(c):
    return c.cert.public_bytes(serialization.Encoding.PEM)


def pem_key(key, traditional=False):
    fmt = (serialization.PrivateFormat.TraditionalOpenSSL if traditional
           else serialization.PrivateFormat.PKCS8)
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             serialization.NoEncryption())


def write(rel, data, mode=0o644):
    p = path(rel)
    with open(p, "wb") as fh:
        fh.write(data)
    os.chmod(p, mode)


def write_cert(rel, c):
    write(rel, pem_cert(c))


def write_key(rel, key, traditional=False):
    write(rel, pem_key(key, traditional), 0o600)


# --- the PKI ---------------------------------------------------------------

def main():
    # CAs
    root = make_cert(
        "root", [("C", "US"), ("O", "Contoso Ltd"), ("CN", "Contoso Root CA")],
        None, gen_key("rsa3072"), D(2020, 1, 1), D(2040, 1, 1),
        eku=None, ca=True, hash_alg=hashes.SHA384())
    ca1 = make_cert(
        "issuing-ca-1",
        [("DC", "com"), ("DC", "contoso"), ("CN", "Contoso Issuing CA 1")],
        root, gen_key("rsa2048"), D(2021, 1, 1), D(2035, 1, 1),
        eku=None, ca=True, pathlen=0, hash_alg=hashes.SHA384())
    ca2 = make_cert(
        "issuing-ca-2",
        [("DC", "com"), ("DC", "contoso"), ("CN", "Contoso Issuing CA 2")],
        root, gen_key("p256"), D(2025, 1, 1), D(2035, 1, 1),
        eku=None, ca=True, pathlen=0, hash_alg=hashes.SHA384())
    for name, c in (("root-ca", root), ("issuing-ca-1", ca1),
                    ("issuing-ca-2", ca2)):
        write_cert("ca/%s.pem" % name, c)
        write_key("ca/%s.key" % name, c.key)

    Y0, Y1 = D(2026, 1, 1), D(2027, 1, 1)

    def leaf(label, cn, issuer=ca1, key="rsa2048", nb=Y0, na=Y1, sans=(),
             **kw):
        subj = cn if isinstance(cn, list) else [("CN", cn)]
        if sans == ():
            sans = [cn] if isinstance(cn, str) else None
        return make_cert(label, subj, issuer, gen_key(key), nb, na,
                         sans=sans, **kw)

    # store/ -- the main store
    s = "store/"
    for name, c in (("root-ca", root), ("issuing-ca-1", ca1),
                    ("issuing-ca-2", ca2)):
        write_cert(s + "ca/%s.pem" % name, c)

    mail = leaf("mail", "mail.contoso.com",
                sans=["mail.contoso.com", "autodiscover.contoso.com"])
    write_cert(s + "mail.contoso.com.pem", mail)
    write_key(s + "privkey-mail.contoso.com.pem", mail.key)

    mail2 = leaf("mail-renewed", "mail.contoso.com", nb=D(2026, 5, 1),
                 na=D(2027, 5, 1),
                 sans=["mail.contoso.com", "autodiscover.contoso.com"])
    write_cert(s + "mail.contoso.com-renewed.pem", mail2)
    write_key(s + "mail.contoso.com-renewed.key", mail2.key)

    wild = leaf("wildcard", "*.contoso.com")
    write_cert(s + "wildcard.contoso.com.pem", wild)
    write_key(s + "wildcard.contoso.com.key", wild.key)

    c = leaf("expired", "expired.contoso.com", nb=D(2024, 1, 1),
             na=D(2025, 1, 1))
    write_cert(s + "expired.contoso.com.pem", c)
    write_key(s + "expired.contoso.com.key", c.key)

    c = leaf("future", "future.contoso.com", nb=D(2027, 6, 1),
             na=D(2028, 6, 1))
    write_cert(s + "future.contoso.com.pem", c)
    write_key(s + "future.contoso.com.key", c.key)

    c = leaf("expiring", "expiring.contoso.com", nb=D(2025, 6, 15),
             na=D(2026, 6, 15))
    write_cert(s + "expiring.contoso.com.pem", c)
    write_key(s + "expiring.contoso.com.key", c.key)

    c = leaf("legacy", [("C", "US"), ("O", "Contoso Ltd"),
                        ("CN", "legacy.contoso.com")], sans=None)
    write_cert(s + "legacy/legacy.contoso.com.pem", c)
    write_key(s + "legacy/legacy.contoso.com.key", c.key)

    c = leaf("ip", "smtp.contoso.com", sans=["smtp.contoso.com"],
             ip_sans=["192.0.2.10", "2001:db8::10"])
    write_cert(s + "smtp.contoso.com-ip.pem", c)
    write_key(s + "smtp.contoso.com-ip.key", c.key)

    c = leaf("rsa1024", "weak-rsa.contoso.com", key="rsa1024")
    write_cert(s + "weak-rsa1024.pem", c)
    write_key(s + "weak-rsa1024.key", c.key)

    c = leaf("sha1", "sha1.contoso.com", hash_alg=hashes.SHA1())
    write_cert(s + "sha1-signature.pem", c)
    write_key(s + "sha1-signature.key", c.key)

    c = leaf("clientauth", "client.contoso.com", eku="client")
    write_cert(s + "eku-clientauth-only.pem", c)
    write_key(s + "eku-clientauth-only.key", c.key)

    c = leaf("keycertsign", "keyusage.contoso.com", ku={"key_cert_sign"})
    write_cert(s + "ku-keycertsign-only.pem", c)
    write_key(s + "ku-keycertsign-only.key", c.key)

    ss_key = gen_key("rsa2048")
    c = make_cert("selfsigned", [("CN", "selfsigned.contoso.com")], None,
                  ss_key, Y0, Y1, sans=["selfsigned.contoso.com"])
    write_cert(s + "selfsigned.contoso.com.pem", c)
    write_key(s + "selfsigned.contoso.com.key", c.key)

    c = leaf("www", "www.contoso.com", sans=["www.contoso.com",
                                             "contoso.com"])
    write(s + "fullchain-www.contoso.com.pem",
          pem_cert(c) + pem_cert(ca1) + pem_cert(root))
    write_key(s + "www.contoso.com.key", c.key)

    c = leaf("der", "autodiscover.contoso.com")
    write(s + "autodiscover.contoso.com.cer", c.der)   # no key: on purpose

    # For mkpki.sh: PKCS#12 and encrypted-key inputs (removed afterwards).
    c = leaf("pfx", "mailbox01.contoso.com",
             sans=["mailbox01.contoso.com", "mailbox02.contoso.com"])
    write_cert("tmp/pfx.crt", c)
    write_key("tmp/pfx.key", c.key)
    write("tmp/chain1.pem", pem_cert(ca1) + pem_cert(root))
    write("tmp/chain2.pem", pem_cert(ca2) + pem_cert(root))

    c = leaf("encrypted-key", "secure.contoso.com")
    write_cert(s + "secure.contoso.com.pem", c)
    write_key("tmp/secure.key", c.key)   # encrypted by mkpki.sh

    c = leaf("combined", "relay.contoso.com")
    write(s + "relay.contoso.com-with-key.pem", pem_cert(c) + pem_key(c.key),
          0o600)

    c = leaf("ec", "ec.contoso.com", issuer=ca2, key="p256")
    write_cert(s + "ec-p256.contoso.com.pem", c)
    write_key(s + "ec-p256.contoso.com.key", c.key)

    c = leaf("ed25519", "ed25519.contoso.com", key="ed25519")
    write_cert(s + "ed25519.contoso.com.pem", c)
    write_key(s + "ed25519.contoso.com.key", c.key)

    # store/names/ -- the Windows name strings of certbind(1) SELECTION (no keys)
    n = s + "names/"
    c = leaf("quoting-space", [
        ("C", "US"),
        ("S", "Washington"),
        ("L", " Redmond"),                       # leading space
        ("STREET", "One Microsoft Way "),         # trailing space
        ("O", "Contoso's (Test) Lab \\ Co. & Sons!"),  # nothing to quote
        ("OU", ""),                               # empty
        ("OU", "Mail  Team"),                     # inner spaces: no quotes
        ("CN", "quoting-space.contoso.com"),
    ], sans=["quoting-space.contoso.com"])
    write_cert(n + "quoting-space.pem", c)

    c = leaf("quoting-chars", [
        ("C", "US"),
        ("O", "Contoso, Ltd"),
        ("OU", "R+D"),
        ("OU", "a=b"),
        ("OU", 'Say "Hello"'),
        ("OU", "Less<Than"),
        ("OU", "Greater>Than"),
        ("OU", "#1 Team"),
        ("OU", "Semi;colon"),
        ("OU", 'Team#2 "Blue"'),
        ("CN", '"quoted"'),
    ], sans=["quoting-chars.contoso.com"])
    write_cert(n + "quoting-chars.pem", c)

    # Multi-valued RDNs, attributes in DER (SET OF, sorted) order.
    c = leaf("multivalued", [
        ("DC", "com"), ("DC", "contoso"),
        [("OU", "Hub"), ("OU", "Mail")],
        [("SERIALNUMBER", "1234"), ("CN", "hub.contoso.com")],
    ], sans=["hub.contoso.com"])
    write_cert(n + "multivalued-rdn.pem", c)

    c = leaf("utf8", [
        ("C", "DE"), ("L", "München"), ("O", "Müller Straße GmbH"),
        ("OU", "Ελληνικά"), ("CN", "邮件服务器"),
    ], sans=["utf8.contoso.com"])
    write_cert(n + "utf8.pem", c)

    c = leaf("string-types", [
        ("C", "FR"),
        ("L", "Zürich 😀", UNIVERSAL),
        ("O", "Société Générale Ω", BMP),
        ("OU", "Café", T61),                      # UTF-8 bytes: valid
        ("OU", "Élysée".encode("latin-1"), T61),  # Latin-1 bytes
        ("CN", "string-types.contoso.com", T61),
    ], sans=["string-types.contoso.com"])
    write_cert(n + "string-types.pem", c)

    c = leaf("person", [
        ("C", "US"), ("O", "Contoso Ltd"),
        ("T", "Postmaster General"), ("G", "Pat"), ("I", "Q."),
        ("SN", "Smith"), ("E", "postmaster@contoso.com"),
        ("CN", "Pat Q. Smith"),
    ], sans=["person.contoso.com"])
    write_cert(n + "person.pem", c)

    c = leaf("address", [
        ("C", "US"), ("S", "Washington"), ("L", "Redmond"),
        ("STREET", "One Microsoft Way"), ("PostalCode", "98052"),
        ("POBox", "PO Box 123"), ("Phone", "+1 425 555 0100"),
        ("X21Address", "12345"), ("dnQualifier", "q1"),
        ("Description", "Test address"),
        ("O", "Contoso Ltd"), ("CN", "address.contoso.com"),
    ], sans=["address.contoso.com"])
    write_cert(n + "address.pem", c)

    c = leaf("ev", [
        ("jurisdictionC", "US"), ("jurisdictionST", "Delaware"),
        ("businessCategory", "Private Organization"),
        ("SERIALNUMBER", "5157550"),
        ("C", "US"), ("S", "Washington"), ("L", "Redmond"),
        ("O", "Contoso Ltd"), ("CN", "ev.contoso.com"),
    ], sans=["ev.contoso.com"])
    write_cert(n + "ev.pem", c)

    # renewal/ -- mail.contoso.com renewed by the other issuing CA
    c = leaf("mail-ca2", "mail.contoso.com", issuer=ca2, key="p256",
             nb=D(2026, 5, 15), na=D(2027, 8, 15),
             sans=["mail.contoso.com", "autodiscover.contoso.com"])
    write_cert("renewal/mail.contoso.com-ca2.pem", c)
    write_key("renewal/mail.contoso.com-ca2.key", c.key)

    # hostile/
    h = "hostile/"
    c = leaf("ansi", "\x1b[31mred.contoso.com\x1b[0m",
             sans=["ansi.contoso.com"])
    write_cert(h + "ansi-escape-cn.pem", c)
    c = leaf("newline", "evil.contoso.com\nX-Injected: yes",
             sans=["newline.contoso.com"])
    write_cert(h + "newline-cn.pem", c)
    c = leaf("newline-ou", [("O", "Contoso Ltd"), ("OU", "Line1\nLine2"),
                            ("CN", "newline-ou.contoso.com")],
             sans=["newline-ou.contoso.com"])
    write_cert(h + "newline-ou.pem", c)
    c = leaf("cr", "cr\rtest.contoso.com", sans=["cr.contoso.com"])
    write_cert(h + "cr-cn.pem", c)
    c = leaf("tab", "tab\ttest.contoso.com", sans=["tab.contoso.com"])
    write_cert(h + "tab-cn.pem", c)
    c = leaf("nul-san", "nul-san.evil.com", sans=None,
             san_raw=[b"www.paypal.com\x00.evil.com"])
    write_cert(h + "nul-in-san.pem", c)
    write_key(h + "nul-in-san.key", c.key)
    c = leaf("nul-cn", [("CN", b"www.paypal.com\x00.evil.com", UTF8)],
             sans=None)
    write_cert(h + "nul-in-cn.pem", c)
    write_key(h + "nul-in-cn.key", c.key)
    c = leaf("bidi", "\u202emoc.elpmaxe.www", sans=["bidi.contoso.com"])
    write_cert(h + "bidi-override-cn.pem", c)
    c = leaf("bad-utf8", [("O", b"Bad\xff\xfeUTF8\xc3\x28", UTF8),
                          ("CN", b"bad-utf8\xc0\xaf.contoso.com", UTF8)],
             sans=["bad-utf8.contoso.com"])
    write_cert(h + "invalid-utf8.pem", c)
    c = leaf("high-bytes-san", "high-bytes-san.contoso.com", sans=None,
             san_raw=[b"caf\xc3\xa9.contoso.com", b"bad\xff.contoso.com",
                      b"sp ace.contoso.com"])
    write_cert(h + "high-bytes-in-san.pem", c)
    write_key(h + "high-bytes-in-san.key", c.key)
    c = leaf("wildcards", "bad-wildcards.contoso.com", sans=[
        "m*.contoso.com", "www.*.com", "*.*.contoso.com", "*", "*.com",
        "**.contoso.com", "*.", "a.*"])
    write_cert(h + "bad-wildcards.pem", c)
    write_key(h + "bad-wildcards.key", c.key)
    c = leaf("long", "x" * 1000 + ".contoso.com",
             sans=["san%03d.contoso.com" % i for i in range(200)])
    write_cert(h + "long-name-many-sans.pem", c)

    # certbot/ -- archive; live/ links are made by mkpki.sh
    a = "certbot/archive/mail.contoso.com/"
    sans = ["mail.contoso.com", "autodiscover.contoso.com"]
    c1 = leaf("certbot1", "mail.contoso.com", sans=sans,
              nb=D(2026, 3, 1), na=D(2026, 5, 30))
    c2 = leaf("certbot2", "mail.contoso.com", issuer=ca2, key="p256",
              sans=sans, nb=D(2026, 5, 1), na=D(2026, 7, 30))
    for i, c, chain in ((1, c1, ca1), (2, c2, ca2)):
        write(a + "cert%d.pem" % i, pem_cert(c))
        write(a + "chain%d.pem" % i, pem_cert(chain))
        write(a + "fullchain%d.pem" % i, pem_cert(c) + pem_cert(chain))
        # certbot 1.x wrote RSA keys in the traditional format
        write_key(a + "privkey%d.pem" % i, c.key, traditional=(i == 1))

    # damaged/ inputs
    c = leaf("damaged", "damaged.contoso.com")
    write("tmp/damaged.der", c.der)
    write_cert("tmp/damaged.pem", c)
    c = leaf("hidden", "hidden.contoso.com")
    write_cert("damaged/.hidden.pem", c)
    write_cert("damaged/.hidden-dir/cert.pem", c)
    write("damaged/random-garbage.bin", random.Random(20260601).randbytes(
        1024))

    # p12/ inputs
    c = leaf("p12-nopass", "nopass.contoso.com")
    write_cert("tmp/nopass.crt", c)
    write_key("tmp/nopass.key", c.key)
    c = leaf("p12-legacy", "legacy-p12.contoso.com")
    write_cert("tmp/legacy.crt", c)
    write_key("tmp/legacy.key", c.key)


main()
