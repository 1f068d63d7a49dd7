#!/usr/bin/python3
"""mkhostile.py: hostile store files for tests/cli/t0030-hostile.sh, built
with the standard library only (DER written by hand; signatures are
zero bytes: the store does not verify them, and nothing here must).

  mkhostile.py noise SIZE SEED OUT          SIZE random bytes, first not 0x30
  mkhostile.py many-certs N PEM OUT         N distinct certs: PEM's first
                                            certificate with serials 1..N
  mkhostile.py many-sans N PEM OUT          one cert with N dNSNames
                                            san00000.example.com ..., key of PEM
  mkhostile.py nested DEPTH OUT             SEQUENCE nested DEPTH deep
  mkhostile.py nested-p12 DEPTH OUT         the same after a PFX's version
  mkhostile.py nested-ext DEPTH PEM OUT     PEM's certificate with its
                                            extensions replaced by a SAN
                                            whose value nests DEPTH deep
  mkhostile.py san-dirname PEM OUT         PEM's certificate with its
                                            extensions replaced by a SAN of
                                            dNSName a.example and a
                                            directoryName that is no Name
  mkhostile.py validity NB NA PEM OUT       PEM's certificate with UTCTime
                                            NB and NA as its validity
  mkhostile.py p12-iter IN ITER OUT         IN with its MAC iteration count
                                            replaced (the MAC no longer
                                            matters: it is checked later)
  mkhostile.py pbe-iter IN ITER OUT         every PBKDF2/PKCS#12-PBE
                                            iteration count in the DER of IN
                                            (PKCS#12 without MAC, or an
                                            encrypted PKCS#8 PEM) replaced
"""
import base64, random, sys

def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b

def tlv(tag, body):
    return bytes([tag]) + length(len(body)) + body

def integer(n):
    b = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return tlv(0x02, b)

def parse(b, i=0):
    """(tag, content start, end) of the TLV at b[i]."""
    n = b[i + 1]
    if n < 0x80:
        return b[i], i + 2, i + 2 + n
    k = n & 0x7f
    return b[i], i + 2 + k, i + 2 + k + int.from_bytes(b[i + 2:i + 2 + k], "big")

def children(b, start, end):
    out, i = [], start
    while i < end:
        t, s, e = parse(b, i)
        out.append((t, i, s, e))
        i = e
    return out

def pem_certs(path):
    data = open(path, "rb").read()
    return [base64.b64decode(blk.split(b"-----END")[0])
            for blk in data.split(b"-----BEGIN CERTIFICATE-----")[1:]]

def pem(der, label=b"CERTIFICATE"):
    b64 = base64.encodebytes(der).replace(b"\n", b"")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return (b"-----BEGIN " + label + b"-----\n" + b"\n".join(lines) +
            b"\n-----END " + label + b"-----\n")

def nested(depth):
    """NULL inside depth SEQUENCEs, headers built inside out: linear."""
    size, heads = 2, []
    for _ in range(depth):
        h = b"\x30" + length(size)
        heads.append(h)
        size += len(h)
    return b"".join(reversed(heads)) + b"\x05\x00"

def tbs_fields(der):
    """The TBSCertificate's fields as raw TLVs."""
    _, s, e = parse(der)
    _, ts, te = parse(der, s)
    return [der[i:en] for _, i, _, en in children(der, ts, te)]

SHA256RSA = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d01010b")) + b"\x05\x00")

def cert(tbs):
    return tlv(0x30, tbs + SHA256RSA + tlv(0x03, b"\x00" + bytes(256)))

def main():
    cmd = sys.argv[1]
    if cmd == "noise":
        size, seed, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        data = bytearray(random.Random(seed).randbytes(size))
        if data[0] == 0x30:
            data[0] = 0x31
        open(out, "wb").write(data)
    elif cmd == "many-certs":
        n, src, out = int(sys.argv[2]), sys.argv[3], sys.argv[4]
        f = tbs_fields(pem_certs(src)[0])
        # f[0] is [0] version, f[1] the serial
        with open(out, "wb") as fp:
            for k in range(1, n + 1):
                tbs = tlv(0x30, f[0] + integer(0x10000000 + k) + b"".join(f[2:]))
                fp.write(pem(cert(tbs)))
    elif cmd == "many-sans":
        n, src, out = int(sys.argv[2]), sys.argv[3], sys.argv[4]
        f = tbs_fields(pem_certs(src)[0])
        name = tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, b"\x55\x04\x03") +
                                        tlv(0x0c, b"many-sans.example.com"))))
        sans = b"".join(tlv(0x82, b"san%05d.example.com" % i) for i in range(n))
        ext = tlv(0x30, tlv(0x06, b"\x55\x1d\x11") + tlv(0x04, tlv(0x30, sans)))
        tbs = tlv(0x30, f[0] + integer(4242) + SHA256RSA + name + f[4] + name +
                  f[6] + tlv(0xa3, tlv(0x30, ext)))
        open(out, "wb").write(pem(cert(tbs)))
    elif cmd == "nested":
        open(sys.argv[3], "wb").write(nested(int(sys.argv[2])))
    elif cmd in ("nested-p12", "nested-ext"):
        b = nested(int(sys.argv[2]))
        if cmd == "nested-p12":
            open(sys.argv[3], "wb").write(tlv(0x30, integer(3) + b))
        else:
            f = tbs_fields(pem_certs(sys.argv[3])[0])
            ext = tlv(0x30, tlv(0x06, b"\x55\x1d\x11") + tlv(0x04, b))
            tbs = tlv(0x30, b"".join(f[:7]) + tlv(0xa3, tlv(0x30, ext)))
            open(sys.argv[4], "wb").write(pem(cert(tbs)))
    elif cmd == "san-dirname":
        f = tbs_fields(pem_certs(sys.argv[2])[0])
        # [4] EXPLICIT Name holding SEQUENCE { INTEGER 1 }: well-formed
        # DER, but no SEQUENCE OF RelativeDistinguishedName.
        sans = tlv(0x82, b"a.example") + tlv(0xa4, tlv(0x30, integer(1)))
        ext = tlv(0x30, tlv(0x06, b"\x55\x1d\x11") + tlv(0x04, tlv(0x30, sans)))
        tbs = tlv(0x30, b"".join(f[:7]) + tlv(0xa3, tlv(0x30, ext)))
        open(sys.argv[3], "wb").write(pem(cert(tbs)))
    elif cmd == "validity":
        nb, na, src, out = sys.argv[2:6]
        f = tbs_fields(pem_certs(src)[0])
        f[4] = tlv(0x30, tlv(0x17, nb.encode()) + tlv(0x17, na.encode()))
        open(out, "wb").write(pem(cert(tlv(0x30, b"".join(f)))))
    elif cmd == "p12-iter":
        src, it, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        d = open(src, "rb").read()
        _, s, e = parse(d)
        kids = children(d, s, e)            # version, authSafe, macData
        _, mi, ms, me = kids[2]
        mac = children(d, ms, me)           # DigestInfo, salt, iterations
        newmac = d[mac[0][1]:mac[1][3]] + integer(it)
        body = d[s:mi] + tlv(0x30, newmac)
        open(out, "wb").write(tlv(0x30, body))
    elif cmd == "pbe-iter":
        src, it, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        d = open(src, "rb").read()
        is_pem = d.startswith(b"-----BEGIN ")
        if is_pem:
            label = d.split(b"-----")[1][6:]
            d = base64.b64decode(d.split(b"-----")[2])
        d = set_iters(d, it)
        open(out, "wb").write(pem(d, label) if is_pem else d)
    else:
        sys.exit("unknown command " + cmd)

PBKDF2 = tlv(0x06, bytes.fromhex("2a864886f70d01050c"))
PKCS12PBE = bytes.fromhex("2a864886f70d010c01")  # arc of pbeWithSHAAnd*

def set_iters(d, it):
    """Re-encodes d with the iteration count of every PBKDF2-params
    (OID pbkdf2, SEQUENCE { salt, iterations, ... }) and PKCS#12 PBE
    params (SEQUENCE { salt, iterations }) set to it.  Walks into
    constructed TLVs and into OCTET STRINGs that hold DER."""
    out, i = b"", 0
    prev_oid = None
    while i < len(d):
        t, s, e = parse(d, i)
        body = d[s:e]
        if t == 0x06:
            prev_oid = body
            out += d[i:e]
        elif t == 0x30 and prev_oid is not None and (
                prev_oid == PBKDF2[2:] or prev_oid.startswith(PKCS12PBE)):
            kids = children(d, s, e)
            nb = d[kids[0][1]:kids[0][3]] + integer(it) + \
                b"".join(d[k[1]:k[3]] for k in kids[2:])
            out += tlv(0x30, nb)
            prev_oid = None
        elif t & 0x20:
            out += tlv(t, set_iters(body, it))
            prev_oid = None
        elif t == 0x04 and looks_der(body):
            out += tlv(t, set_iters(body, it))
            prev_oid = None
        else:
            out += d[i:e]
            prev_oid = None
        i = e
    return out

def looks_der(b):
    try:
        if not b or b[0] != 0x30:
            return False
        return parse(b)[2] == len(b)
    except IndexError:
        return False

if __name__ == "__main__":
    main()
