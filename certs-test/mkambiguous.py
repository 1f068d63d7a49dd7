#!/usr/bin/env python3
"""Makes ambiguous/: two certificates whose SHA-1 thumbprints share their
first 8 hex digits (32 bits), for the "ambiguous prefix" test of certbind(1) THUMBPRINTS.

It takes store/wildcard.contoso.com.pem and replaces its serial number
(same length) with counter values until two DER encodings collide on the
first 4 bytes of SHA-1 (a birthday search: about 2^16 tries).  The
signatures no longer verify; that does not matter for looking up
thumbprints.  Both files also share an 8-digit SHA-256 prefix with nothing.
"""
import base64, hashlib, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
der = subprocess.run(["openssl", "x509", "-in", os.path.join(here, "store/wildcard.contoso.com.pem"),
                      "-outform", "DER"], capture_output=True, check=True).stdout
serial = bytes.fromhex(subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"],
                                      input=der, capture_output=True, check=True)
                       .stdout.decode().split("=")[1].strip().zfill(32))
at = der.index(serial)
seen = {}
i = 0
while True:
    s = (0x10 << 120 | i).to_bytes(len(serial), "big")
    d = der[:at] + s + der[at + len(serial):]
    k = hashlib.sha1(d).digest()[:4]
    if k in seen:
        break
    seen[k] = d
    i += 1
out = os.path.join(here, "ambiguous")
os.makedirs(out, exist_ok=True)
for n, d in (("a.pem", seen[k]), ("b.pem", d)):
    b64 = base64.encodebytes(d).decode().replace("\n", "")
    lines = [b64[j:j + 64] for j in range(0, len(b64), 64)]
    with open(os.path.join(out, n), "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n")
print(k.hex().upper(), i, file=sys.stderr)
