#!/usr/bin/python3
# mkrules.py: writes certs-test/rules/, the certificates for the tests of
# certbind(1) WHAT EXCHANGE DOES (see README.md, "Exchange's rules").
# Signed by the committed CAs of ca/ (mkpki.sh), so run it after mkpki.sh;
# it touches nothing else.  Dates are fixed, keys random: tests take
# thumbprints from openssl, never from here.
#
# Needs Debian's python3-cryptography (38).

import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rules")


def day(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d")


def load_ca(name):
    with open(os.path.join(HERE, "ca", name + ".pem"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(HERE, "ca", name + ".key"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    return cert, key


def write(base, cert, key):
    with open(os.path.join(OUT, base + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        with open(os.path.join(OUT, base + ".key"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))


def leaf(base, cn, sans, issuer, ikey, nb="2026-01-01", na="2027-01-01",
         ekus=(ExtendedKeyUsageOID.SERVER_AUTH,), serial=None, name=None):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = name if name is not None else x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder()
         .subject_name(subject)
         .issuer_name(issuer.subject)
         .public_key(key.public_key())
         .serial_number(serial or x509.random_serial_number())
         .not_valid_before(day(nb))
         .not_valid_after(day(na))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
         .add_extension(x509.KeyUsage(True, False, True, False, False, False,
                                      False, False, False), True)
         .add_extension(x509.ExtendedKeyUsage(list(ekus)), False))
    if sans:
        # A certificate with an empty subject must mark its SAN critical
        # (RFC 5280 4.2.1.6).
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(s) for s in sans]), len(subject) == 0)
    cert = b.sign(ikey, hashes.SHA256())
    write(base, cert, key)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.unlink(os.path.join(OUT, f))
    ca1, k1 = load_ca("issuing-ca-1")
    ca2, k2 = load_ca("issuing-ca-2")
    # The intermediates, so that the directory is a store on its own.
    for n, c in (("issuing-ca-1", ca1), ("issuing-ca-2", ca2)):
        write(n, c, None)

    # Three certificates named <I>CA 1<S>CN=twin.contoso.com: valid,
    # expired, and one whose signature is not CA 1's (an impostor key
    # under CA 1's name): untrusted.
    leaf("twin-valid", "twin.contoso.com", ["twin.contoso.com"], ca1, k1)
    leaf("twin-expired", "twin.contoso.com", ["twin.contoso.com"], ca1, k1,
         nb="2025-01-01", na="2026-01-01")
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf("twin-untrusted", "twin.contoso.com", ["twin.contoso.com"], ca1,
         impostor)
    # Two valid ones of one name: ambiguous.
    leaf("pair-a", "pair.contoso.com", ["pair.contoso.com"], ca1, k1)
    leaf("pair-b", "pair.contoso.com", ["pair.contoso.com"], ca1, k1,
         nb="2026-02-01", na="2027-02-01")
    # A name whose only certificate is expired: event 12014.
    leaf("old-expired", "old.contoso.com", ["old.contoso.com"], ca1, k1,
         nb="2025-01-01", na="2026-01-01")
    # Names Set-ReceiveConnector refuses.
    leaf("cn-display-name", "Contoso Mail Server", ["display.contoso.com"],
         ca1, k1)
    leaf("san-only", None, ["sanonly.contoso.com"], ca1, k1,
         name=x509.Name([]))
    # An unbound connector's Fqdn covered exactly and by a wildcard.
    leaf("relay-exact", "relay.contoso.com", ["relay.contoso.com"], ca1, k1)
    leaf("wildcard-rules", "*.rules.contoso.com",
         ["*.rules.contoso.com", "*.contoso.com"], ca1, k1,
         na="2027-06-01")
    # Send connectors: a server-only EKU (no clientAuth), and both.
    leaf("outbound-serveronly", "outbound.contoso.com",
         ["outbound.contoso.com"], ca1, k1)
    # Issued by CA 2: bound by "<S>CN=hybrid.contoso.com" alone.
    leaf("hybrid", "hybrid.contoso.com", ["hybrid.contoso.com"], ca2, k2,
         ekus=(ExtendedKeyUsageOID.SERVER_AUTH,
               ExtendedKeyUsageOID.CLIENT_AUTH))


if __name__ == "__main__":
    sys.exit(main())
