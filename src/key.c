/*
 * key: a private key's public half without OpenSSL's decoders (key.h).
 *
 * OpenSSL 3 decodes a key by building a decoder chain over every
 * provider's decoders; the first time, that costs about 1.5 ms, more
 * than all the rest of `certbind list` of one certificate.  Pairing needs
 * only the public key, which the plain encodings carry in clear: RSA's
 * modulus and exponent, EC's public point.  What is read here is a strict
 * subset of what OpenSSL accepts; anything else goes to OpenSSL, so the
 * result is OpenSSL's either way (tests/unit/test_key.c compares the two
 * on the test PKI, on generated keys and on mutations of them).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "der.h"
#include "key.h"

/* Longest base64 line (RFC 7468 writers use 64; MIME 76). */
#define LINE_MAX_B64 76

enum shape { PKCS8, PKCS1, SEC1 };

static int
b64char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/* Steps *p over an LF or a CR LF; -1 when there is neither. */
static int
eol(const char **p, const char *end)
{
	if (end - *p >= 2 && (*p)[0] == '\r' && (*p)[1] == '\n')
		*p += 2;
	else if (end - *p >= 1 && (*p)[0] == '\n')
		*p += 1;
	else
		return -1;
	return 0;
}

/*
 * Checks the block's shape: "-----BEGIN L-----", EOL, lines of 1 to
 * LINE_MAX_B64 base64 characters each ended by EOL, then "-----END
 * L-----" ending the block, EOL being LF or CR LF.  On this shape
 * OpenSSL's PEM reader (no header: no ':'; no blank line; no line it
 * would split) and our base64 decode see the same characters.  Sets the
 * label's shape and the body.  Returns 0 or -1.
 */
static int
pem_shape(const char *b, size_t len, enum shape *sh, const char **body,
	  size_t *bodylen)
{
	static const struct {
		const char *label;
		enum shape  shape;
	} labels[] = {
	    {"PRIVATE KEY", PKCS8},
	    {"RSA PRIVATE KEY", PKCS1},
	    {"EC PRIVATE KEY", SEC1},
	};
	const char *end = b + len, *p, *lab = NULL;
	size_t	    labl = 0, i, n;

	if (len < 11 || memcmp(b, "-----BEGIN ", 11) != 0)
		return -1;
	p = b + 11;
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		n = strlen(labels[i].label);
		if ((size_t)(end - p) >= n + 5 &&
		    memcmp(p, labels[i].label, n) == 0 &&
		    memcmp(p + n, "-----", 5) == 0) {
			lab = p;
			labl = n;
			*sh = labels[i].shape;
			break;
		}
	}
	if (lab == NULL)
		return -1;
	p += labl + 5;
	if (eol(&p, end) == -1)
		return -1;
	*body = p;
	for (;;) {
		if (end - p >= 9 && memcmp(p, "-----END ", 9) == 0)
			break;
		for (n = 0; p + n < end && b64char((unsigned char)p[n]); n++)
			;
		if (n == 0 || n > LINE_MAX_B64)
			return -1;
		p += n;
		if (eol(&p, end) == -1)
			return -1;
	}
	*bodylen = p - *body;
	p += 9;
	if ((size_t)(end - p) != labl + 5 || memcmp(p, lab, labl) != 0 ||
	    memcmp(p + labl, "-----", 5) != 0 || *bodylen == 0)
		return -1;
	return 0;
}

/* The size of a DER header for contents of len bytes (len < 2^24). */
static size_t
hdr_len(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
}

/* Writes a DER header at q; returns the byte after it. */
static unsigned char *
put_hdr(unsigned char *q, int tag, size_t len)
{
	*q++ = tag;
	if (len < 0x80)
		*q++ = len;
	else if (len < 0x100) {
		*q++ = 0x81;
		*q++ = len;
	} else if (len < 0x10000) {
		*q++ = 0x82;
		*q++ = len >> 8;
		*q++ = len;
	} else {
		*q++ = 0x83;
		*q++ = len >> 16;
		*q++ = len >> 8;
		*q++ = len;
	}
	return q;
}

/*
 * SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier { alg,
 * params }, BIT STRING { 0 unused bits, key } }, where (alg, params) is
 * the whole AlgorithmIdentifier's contents.  Returns 0 or -1.
 */
static int
spki_build(const unsigned char *algc, size_t algclen, const unsigned char *k,
	   size_t klen, unsigned char **out, size_t *outlen)
{
	unsigned char *buf, *q;
	size_t	       alg, bits, len;

	if (algclen >= 0x1000000 || klen >= 0x1000000)
		return -1;
	alg = hdr_len(algclen) + algclen;
	bits = hdr_len(klen + 1) + klen + 1;
	len = hdr_len(alg + bits) + alg + bits;
	if ((buf = malloc(len)) == NULL)
		return -1;
	q = put_hdr(buf, 0x30, alg + bits);
	q = put_hdr(q, 0x30, algclen);
	memcpy(q, algc, algclen);
	q = put_hdr(q + algclen, 0x03, klen + 1);
	*q++ = 0;
	memcpy(q, k, klen);
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv },
 * the SEQUENCE's contents (p, len): the SubjectPublicKeyInfo of
 * rsaEncryption with RSAPublicKey { n, e }.  Returns 1, 0 (not plain) or
 * -1 (memory).
 */
static int
rsa_spki(const unsigned char *p, size_t len, unsigned char **spki,
	 size_t *spkilen)
{
	/* AlgorithmIdentifier { rsaEncryption, NULL }'s contents. */
	static const char    alg[] = "\x06\x09" OID_RSA "\x05\x00";
	const unsigned char *end = p + len, *v, *n = NULL;
	unsigned char	    *pub;
	size_t		     vlen, nelen = 0, publen;
	int		     tag, i, bits, rc;

	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x02 ||
	    vlen != 1 || v[0] != 0)
		return 0;
	for (i = 0; i < 8; i++) {
		const unsigned char *t = p;

		if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x02 ||
		    (bits = der_uint_bits(v, vlen)) == -1)
			return 0;
		/* A modulus OpenSSL can use, an odd exponent above 1. */
		if (i == 0 && (bits < 512 || bits > 16384))
			return 0;
		if (i == 1 && (bits < 2 || !(v[vlen - 1] & 1)))
			return 0;
		if (i == 0)
			n = t;
		if (i <= 1)
			nelen = p - n;
	}
	if (p != end)
		return 0;
	publen = hdr_len(nelen) + nelen;
	if ((pub = malloc(publen)) == NULL)
		return -1;
	memcpy(put_hdr(pub, 0x30, nelen), n, nelen);
	rc = spki_build((const unsigned char *)alg, sizeof(alg) - 1, pub,
			publen, spki, spkilen) == 0
		 ? 1
		 : -1;
	free(pub);
	return rc;
}

/*
 * Is the private scalar (k, klen) in [1, order - 1] and the point (pt,
 * ptlen) on the curve?  The point check is OpenSSL's own, the one its
 * decoder makes.  Returns 1 or 0 (also when OpenSSL fails: the caller
 * then leaves the key to OpenSSL's decoder).
 */
static int
ec_ok(const struct der_curve *cv, const unsigned char *k, size_t klen,
      const unsigned char *pt, size_t ptlen)
{
	EC_GROUP     *g;
	EC_POINT     *point = NULL;
	unsigned char ord[66];
	size_t	      i;
	int	      rc = 0;

	if ((g = EC_GROUP_new_by_curve_name(cv->nid)) == NULL ||
	    (point = EC_POINT_new(g)) == NULL)
		goto out;
	if (klen > sizeof(ord) ||
	    BN_bn2binpad(EC_GROUP_get0_order(g), ord, klen) != (int)klen ||
	    memcmp(k, ord, klen) >= 0)
		goto out;
	for (i = 0; i < klen && k[i] == 0; i++)
		;
	if (i == klen || EC_POINT_oct2point(g, point, pt, ptlen, NULL) != 1)
		goto out;
	rc = 1;
out:
	EC_POINT_free(point);
	EC_GROUP_free(g);
	ERR_clear_error();
	return rc;
}

/*
 * ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
 * parameters [0] OID OPTIONAL, publicKey [1] BIT STRING }, the
 * SEQUENCE's contents (p, len).  cv is the curve of the PKCS#8
 * AlgorithmIdentifier (then [0] must be absent), or NULL for SEC 1 (then
 * [0] must name it).  Returns 1, 0 (not plain) or -1 (memory).
 */
static int
ec_spki(const unsigned char *p, size_t len, const struct der_curve *cv,
	unsigned char **spki, size_t *spkilen)
{
	/* AlgorithmIdentifier { id-ecPublicKey, curve }'s contents. */
	static const char    ec[] = "\x06\x07" OID_EC;
	const size_t	     eclen = sizeof(ec) - 1;
	const unsigned char *end = p + len, *v, *k, *pt, *w;
	unsigned char	     alg[sizeof(ec) - 1 + 2 + 16];
	size_t		     vlen, klen, ptlen, wlen;
	int		     tag;

	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x02 ||
	    vlen != 1 || v[0] != 1 || der_tlv(&p, end, &tag, &k, &klen) == -1 ||
	    tag != 0x04 || der_tlv(&p, end, &tag, &v, &vlen) == -1)
		return 0;
	if (tag == 0xa0) {
		if (cv != NULL ||
		    der_tlv(&v, v + vlen, &tag, &w, &wlen) == -1 ||
		    tag != 0x06 || v != w + wlen ||
		    (cv = der_curve_find(w, wlen)) == NULL ||
		    der_tlv(&p, end, &tag, &v, &vlen) == -1)
			return 0;
	}
	if (cv == NULL || tag != 0xa1 || p != end ||
	    der_tlv(&v, v + vlen, &tag, &pt, &ptlen) == -1 || tag != 0x03 ||
	    v != pt + ptlen)
		return 0;
	/* The curves tested against OpenSSL; others go to OpenSSL. */
	if (cv->nid != NID_X9_62_prime256v1 && cv->nid != NID_secp384r1 &&
	    cv->nid != NID_secp521r1)
		return 0;
	/* No unused bits; an uncompressed point; a full-width scalar. */
	if (ptlen != 2 + 2 * cv->field || pt[0] != 0 || pt[1] != 0x04 ||
	    klen != cv->field)
		return 0;
	pt++;
	ptlen--;
	if (!ec_ok(cv, k, klen, pt, ptlen))
		return 0;
	memcpy(alg, ec, eclen);
	alg[eclen] = 0x06;
	alg[eclen + 1] = cv->oidlen;
	memcpy(alg + eclen + 2, cv->oid, cv->oidlen);
	return spki_build(alg, eclen + 2 + cv->oidlen, pt, ptlen, spki,
			  spkilen) == 0
		   ? 1
		   : -1;
}

/*
 * PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier,
 * privateKey OCTET STRING } (RFC 5208), without attributes.
 */
static int
pkcs8_spki(const unsigned char *p, size_t len, unsigned char **spki,
	   size_t *spkilen)
{
	const unsigned char    *end = p + len, *v, *a, *oid, *par, *k;
	const struct der_curve *cv;
	size_t			vlen, alen, oidlen, parlen, klen;
	int			tag;

	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x02 ||
	    vlen != 1 || v[0] != 0 || der_tlv(&p, end, &tag, &a, &alen) == -1 ||
	    tag != 0x30 || der_tlv(&p, end, &tag, &k, &klen) == -1 ||
	    tag != 0x04 || p != end)
		return 0;
	end = a + alen;
	if (der_tlv(&a, end, &tag, &oid, &oidlen) == -1 || tag != 0x06 ||
	    der_tlv(&a, end, &tag, &par, &parlen) == -1 || a != end)
		return 0;
	if (OID_IS(oid, oidlen, OID_RSA)) {
		if (tag != 0x05 || parlen != 0 ||
		    der_tlv(&k, k + klen, &tag, &v, &vlen) == -1 ||
		    tag != 0x30 || k != v + vlen)
			return 0;
		return rsa_spki(v, vlen, spki, spkilen);
	}
	if (OID_IS(oid, oidlen, OID_EC)) {
		if (tag != 0x06 || (cv = der_curve_find(par, parlen)) == NULL ||
		    der_tlv(&k, k + klen, &tag, &v, &vlen) == -1 ||
		    tag != 0x30 || k != v + vlen)
			return 0;
		return ec_spki(v, vlen, cv, spki, spkilen);
	}
	return 0;
}

int
key_spki_pem(const char *block, size_t len, unsigned char **spki,
	     size_t *spkilen)
{
	const unsigned char *p, *v;
	unsigned char	    *der;
	const char	    *body;
	enum shape	     sh;
	size_t		     derlen, bodylen, vlen;
	int		     tag, rc = 0;

	if (pem_shape(block, len, &sh, &body, &bodylen) == -1)
		return 0;
	if ((der = der_from_base64(body, bodylen, &derlen)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	p = der;
	if (der_tlv(&p, der + derlen, &tag, &v, &vlen) == -1 || tag != 0x30 ||
	    p != der + derlen)
		goto out;
	switch (sh) {
	case PKCS8:
		rc = pkcs8_spki(v, vlen, spki, spkilen);
		break;
	case PKCS1:
		rc = rsa_spki(v, vlen, spki, spkilen);
		break;
	case SEC1:
		rc = ec_spki(v, vlen, NULL, spki, spkilen);
		break;
	default:
		break;
	}
out:
	OPENSSL_cleanse(der, derlen);
	free(der);
	return rc;
}
