#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "der.h"
#include "dn.h"
#include "mem.h"

/*
 * One validity date, the Time TLV (p, len), as OpenSSL's verifier reads
 * it: decoded by d2i_ASN1_TIME, then held to RFC 5280's YYMMDDhhmmssZ
 * or YYYYMMDDhhmmssZ and to the calendar (no 31 February, no second 60)
 * by ASN1_TIME_set_string_X509's check, which refuses what
 * X509_cmp_time cannot compare.  Returns 0 or -1.
 */
static int
validity_time(const unsigned char *p, size_t len, time_t *t)
{
	const unsigned char *end = p + len;
	ASN1_TIME	    *at = NULL;
	struct tm	     tm;
	char		     buf[16];
	int		     n, type, rc = -1;

	if (len > LONG_MAX ||
	    (at = d2i_ASN1_TIME(NULL, &p, (long)len)) == NULL || p != end)
		goto out;
	n = ASN1_STRING_length(at);
	type = ASN1_STRING_type(at);
	/* The check picks the type by length: it must be the tag's. */
	if (!(type == V_ASN1_UTCTIME && n == 13) &&
	    !(type == V_ASN1_GENERALIZEDTIME && n == 15))
		goto out;
	memcpy(buf, ASN1_STRING_get0_data(at), n);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL ||
	    !ASN1_TIME_set_string_X509(NULL, buf) || !ASN1_TIME_to_tm(at, &tm))
		goto out;
	*t = timegm(&tm);
	rc = 0;
out:
	ASN1_TIME_free(at);
	if (rc == -1)
		ERR_clear_error();
	return rc;
}

static void
span(struct cert_span *s, const unsigned char *base, const unsigned char *from,
     const unsigned char *to)
{
	s->off = from - base;
	s->len = to - from;
}

/*
 * Walks Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue } down to the TBS fields certbind reads (RFC 5280 4.1).
 */
static int
walk(struct cert *c, int trailing_ok, const char **why)
{
	const unsigned char *p = c->der, *end = c->der + c->derlen;
	const unsigned char *v, *tbs, *tend, *start, *vv, *vend;
	size_t		     len, vlen;
	int		     tag;

	*why = "not a DER certificate";
	if (der_tlv(&p, end, &tag, &v, &len) == -1) {
		if (c->derlen > 4 && c->der[0] == 0x30 && c->der[1] >= 0x81 &&
		    c->der[1] <= 0x84)
			*why = "truncated or damaged DER certificate";
		return -1;
	}
	if (tag != 0x30)
		return -1;
	if (p != end && !trailing_ok) {
		*why = "trailing data after the certificate";
		return -1;
	}
	c->derlen = p - c->der;
	end = p;
	p = v;
	if (der_tlv(&p, end, &tag, &tbs, &len) == -1 || tag != 0x30)
		return -1;
	tend = tbs + len;
	start = p;
	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->sig_alg, c->der, start, p);
	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x03 || p != end)
		return -1;

	p = tbs;
	start = p;
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1)
		return -1;
	if (tag == 0xa0) {
		start = p;
		if (der_tlv(&p, tend, &tag, &v, &vlen) == -1)
			return -1;
	}
	if (tag != 0x02 || vlen == 0)
		return -1;
	span(&c->serial, c->der, start, p);
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	start = p;
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->issuer, c->der, start, p);
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	vv = v;
	vend = v + vlen;
	*why = "bad validity dates";
	start = vv;
	if (der_tlv(&vv, vend, &tag, &v, &len) == -1 ||
	    validity_time(start, vv - start, &c->not_before) == -1)
		return -1;
	start = vv;
	if (der_tlv(&vv, vend, &tag, &v, &len) == -1 ||
	    validity_time(start, vv - start, &c->not_after) == -1 || vv != vend)
		return -1;
	*why = "not a DER certificate";
	start = p;
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->subject, c->der, start, p);
	start = p;
	if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->spki, c->der, start, p);
	/* Optional issuerUniqueID [1], subjectUniqueID [2], extensions [3]. */
	while (p != tend) {
		if (der_tlv(&p, tend, &tag, &v, &vlen) == -1 ||
		    (tag != 0x81 && tag != 0xa1 && tag != 0x82 && tag != 0xa2 &&
		     tag != 0xa3))
			return -1;
		if (tag != 0xa3)
			continue;
		/* [3] EXPLICIT Extensions: exactly one SEQUENCE, once. */
		vv = v;
		vend = v + vlen;
		if (c->exts.len != 0 ||
		    der_tlv(&vv, vend, &tag, &start, &len) == -1 ||
		    tag != 0x30 || vv != vend)
			return -1;
		span(&c->exts, c->der, v, vv);
	}
	return 0;
}

int
cert_init_der(struct cert *c, unsigned char *der, size_t len, int trailing_ok,
	      const char **why)
{
	memset(c, 0, sizeof(*c));
	c->der = der;
	c->derlen = len;
	if (walk(c, trailing_ok, why) == -1) {
		free(der);
		c->der = NULL;
		return -1;
	}
	SHA1(c->der, c->derlen, c->sha1);
	return 0;
}

void
cert_release(struct cert *c)
{
	if (c == NULL)
		return;
	free(c->der);
	free(c->subject_str);
	free(c->issuer_str);
	free(c->friendly);
	X509_free(c->x509);
	memset(c, 0, sizeof(*c));
}

const char *
cert_get0_subject(struct cert *c, size_t *len)
{
	if (c->subject_str == NULL)
		c->subject_str = dn_der_to_windows(
		    c->der + c->subject.off, c->subject.len, &c->subject_len);
	*len = c->subject_len;
	return c->subject_str;
}

const char *
cert_get0_issuer(struct cert *c, size_t *len)
{
	if (c->issuer_str == NULL)
		c->issuer_str = dn_der_to_windows(
		    c->der + c->issuer.off, c->issuer.len, &c->issuer_len);
	*len = c->issuer_len;
	return c->issuer_str;
}

const unsigned char *
cert_get0_sha256(struct cert *c)
{
	if (!c->have_sha256) {
		SHA256(c->der, c->derlen, c->sha256);
		c->have_sha256 = 1;
	}
	return c->sha256;
}

X509 *
cert_get0_x509(struct cert *c)
{
	const unsigned char *p = c->der;

	if (c->x509 == NULL && !c->x509_failed) {
		c->x509 = d2i_X509(NULL, &p, (long)c->derlen);
		if (c->x509 == NULL)
			c->x509_failed = 1;
		ERR_clear_error();
	}
	return c->x509;
}

void
cert_drop_x509(struct cert *c)
{
	X509_free(c->x509);
	c->x509 = NULL;
}

/*
 * cert_name_key: why equal names get equal keys.
 *
 * X509_NAME_cmp (OpenSSL 3.0, crypto/x509/x_name.c) memcmp()s the
 * canonical encodings x509_name_canon made when the Name was decoded:
 * one SET OF AttributeTypeAndValue per RDN that has entries (an empty
 * RDN leaves no entry, hence no trace), in RDN order, each SET DER-sorted
 * as SET OF requires, each entry the same OID and the value through
 * asn1_string_canon.  That function turns the seven types of
 * ASN1_MASK_CANON (UTF8String, BMPString, UniversalString,
 * PrintableString, T61String, IA5String, VisibleString) into a
 * UTF8String by ASN1_STRING_to_UTF8 (one byte a code point for the
 * 8-bit types, two for BMP, four for Universal, UTF-8 validated as such),
 * then drops leading and trailing ASCII white space, collapses inner runs
 * to one space and lower-cases ASCII letters; bytes >= 0x80 are copied.
 * Every other type is copied with its type and contents.
 *
 * So if two Names are equal after that:
 *  - they have the same non-empty RDNs in the same order, so a key that
 *    skips empty RDNs and hashes the RDNs in order agrees;
 *  - each RDN has the same multiset of entries, so an order-blind sum of
 *    per-entry hashes agrees, whatever order the DER SETs were in;
 *  - each entry's OID has the same contents bytes (OpenSSL refuses the
 *    non-minimal OID encodings that could differ);
 *  - a canonicalised value equal in UTF-8 holds the same ASCII letters
 *    and digits, lower-cased, in the same order: canonicalising touches
 *    only white space and the case of ASCII letters, and an ASCII code
 *    point is one byte < 0x80 in UTF-8 while every byte of any other code
 *    point is >= 0x80.  So hashing only the code points < 0x80 that are
 *    letters or digits, lower-cased, agrees whatever the source type,
 *    and white space, punctuation and other scripts are left out.  The
 *    type only says "canonical", since all seven become UTF8String;
 *  - any other value has the same tag and contents, except that a BIT
 *    STRING's unused bits are cleared on decoding, so there only the tag
 *    is hashed.
 * Whatever the walk below cannot read as plain DER (a constructed or
 * high-tag value, whose contents OpenSSL reassembles; a BER length) makes
 * the name unkeyed, and the caller treats it as equal to every name.
 * That argument rests on OpenSSL's internals, so tests/unit/test_chain.c
 * (every name of the test PKI) and fuzz_namekey check the key against
 * X509_NAME_cmp itself.
 */
#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t
fnv_u64(uint64_t h, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

/* splitmix64's finaliser, so that sums of entry hashes spread well. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Adds one AttributeValue to h; -1 when the key does not cover it. */
static int
value_key(uint64_t *h, int tag, const unsigned char *v, size_t len)
{
	unsigned char b;
	uint32_t      cp;
	size_t	      i, k, w;

	if (tag & 0xe0)
		return -1;
	switch (tag) {
	case 0x0c: /* UTF8String */
	case 0x13: /* PrintableString */
	case 0x14: /* T61String */
	case 0x16: /* IA5String */
	case 0x1a: /* VisibleString */
		w = 1;
		break;
	case 0x1e: /* BMPString */
		w = 2;
		break;
	case 0x1c: /* UniversalString */
		w = 4;
		break;
	case 0x03: /* BIT STRING */
		b = 'B';
		*h = fnv(*h, &b, 1);
		return 0;
	default:
		b = 'N';
		*h = fnv(*h, &b, 1);
		b = tag;
		*h = fnv(*h, &b, 1);
		*h = fnv_u64(*h, len);
		*h = fnv(*h, v, len);
		return 0;
	}
	if (len % w != 0)
		return -1;
	b = 'C';
	*h = fnv(*h, &b, 1);
	for (i = 0; i < len; i += w) {
		for (cp = 0, k = 0; k < w; k++)
			cp = (cp << 8) | v[i + k];
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		else if (!(cp >= 'a' && cp <= 'z') && !(cp >= '0' && cp <= '9'))
			continue;
		b = cp;
		*h = fnv(*h, &b, 1);
	}
	return 0;
}

int
cert_name_key(const struct cert *c, const struct cert_span *s, uint64_t *key)
{
	const unsigned char *p, *end, *q, *qend, *a, *aend, *v, *oid, *val;
	size_t		     len, rlen, alen, olen, vlen, n;
	uint64_t	     h = FNV_BASIS, e, sum;
	int		     tag;

	if (s->len == 0 || s->off + s->len > c->derlen)
		return -1;
	p = c->der + s->off;
	if (der_tlv(&p, p + s->len, &tag, &v, &len) == -1 || tag != 0x30)
		return -1;
	p = v;
	end = v + len;
	while (p != end) {
		if (der_tlv(&p, end, &tag, &q, &rlen) == -1 || tag != 0x31)
			return -1;
		qend = q + rlen;
		for (sum = 0, n = 0; q != qend; n++) {
			if (der_tlv(&q, qend, &tag, &a, &alen) == -1 ||
			    tag != 0x30)
				return -1;
			aend = a + alen;
			if (der_tlv(&a, aend, &tag, &oid, &olen) == -1 ||
			    tag != 0x06 ||
			    der_tlv(&a, aend, &tag, &val, &vlen) == -1 ||
			    a != aend)
				return -1;
			e = fnv(fnv_u64(FNV_BASIS, olen), oid, olen);
			if (value_key(&e, tag, val, vlen) == -1)
				return -1;
			sum += mix(e);
		}
		/* OpenSSL keeps no trace of an empty RDN. */
		if (n > 0)
			h = fnv_u64(fnv_u64(h, n), sum);
	}
	*key = mix(h);
	return 0;
}

int
cert_status(const struct cert *c, time_t t)
{
	if (t < c->not_before)
		return CERT_STATUS_NOTYET;
	if (t > c->not_after)
		return CERT_STATUS_EXPIRED;
	return CERT_STATUS_VALID;
}

const char *
cert_status_name(int status)
{
	switch (status) {
	case CERT_STATUS_VALID:
		return "Valid";
	case CERT_STATUS_EXPIRED:
		return "Expired";
	case CERT_STATUS_NOTYET:
		return "NotYetValid";
	default:
		return "Unknown";
	}
}

void
cert_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		  i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

char *
cert_get1_serial_hex(const struct cert *c)
{
	const unsigned char *p = c->der + c->serial.off, *v;
	size_t		     vlen;
	int		     tag;
	char		    *s;

	if (der_tlv(&p, p + c->serial.len, &tag, &v, &vlen) == -1)
		return NULL;
	if ((s = malloc(2 * vlen + 1)) == NULL)
		return NULL;
	cert_hex(v, vlen, s);
	return s;
}

void
cert_format_time(time_t t, char *buf, size_t sz)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sz, "?");
}

/*
 * Splits AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY
 * OPTIONAL }, the whole TLV (p, len), into the OID's contents and the
 * parameters' TLV ((NULL, 0) when absent).  Returns 0 or -1.
 */
static int
alg_id(const unsigned char *p, size_t len, const unsigned char **oid,
       size_t *oidlen, const unsigned char **par, size_t *parlen)
{
	const unsigned char *end = p + len, *v, *pv;
	size_t		     vlen, pvlen;
	int		     tag;

	if (der_tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x30 || p != end)
		return -1;
	end = v + vlen;
	if (der_tlv(&v, end, &tag, oid, oidlen) == -1 || tag != 0x06 ||
	    *oidlen == 0)
		return -1;
	*par = NULL;
	*parlen = 0;
	if (v != end) {
		*par = v;
		if (der_tlv(&v, end, &tag, &pv, &pvlen) == -1 || v != end)
			return -1;
		*parlen = v - *par;
	}
	return 0;
}

/*
 * The key algorithm and size read from the SubjectPublicKeyInfo alone.
 * Returns 0, or -1 when this is not one of the simple cases (the caller
 * then asks OpenSSL).
 */
static int
spki_info(const struct cert *c, const char **alg, int *bits)
{
	const unsigned char    *p = c->der + c->spki.off, *end, *v, *oid;
	const unsigned char    *par, *k, *kend, *n;
	const struct der_curve *cv;
	size_t			vlen, oidlen, parlen, klen, nlen;
	int			tag;

	if (der_tlv(&p, p + c->spki.len, &tag, &v, &vlen) == -1)
		return -1;
	end = v + vlen;
	p = v;
	if (der_tlv(&v, end, &tag, &k, &klen) == -1 ||
	    alg_id(p, v - p, &oid, &oidlen, &par, &parlen) == -1)
		return -1;
	/* subjectPublicKey BIT STRING, no unused bits. */
	if (der_tlv(&v, end, &tag, &k, &klen) == -1 || tag != 0x03 ||
	    v != end || klen < 2 || k[0] != 0)
		return -1;
	k++;
	klen--;
	kend = k + klen;
	if (OID_IS(oid, oidlen, OID_RSA) || OID_IS(oid, oidlen, OID_RSA_PSS)) {
		/* rsaEncryption needs NULL parameters; PSS may have some. */
		if (oid[oidlen - 1] == 0x01 &&
		    (parlen != 2 || par[0] != 0x05 || par[1] != 0))
			return -1;
		/* RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
		if (der_tlv(&k, kend, &tag, &v, &vlen) == -1 || tag != 0x30 ||
		    k != kend)
			return -1;
		end = v + vlen;
		if (der_tlv(&v, end, &tag, &n, &nlen) == -1 || tag != 0x02 ||
		    (*bits = der_uint_bits(n, nlen)) == -1 ||
		    der_tlv(&v, end, &tag, &n, &nlen) == -1 || tag != 0x02 ||
		    der_uint_bits(n, nlen) == -1 || v != end)
			return -1;
		*alg = "RSA";
		return 0;
	}
	if (OID_IS(oid, oidlen, OID_EC)) {
		if (par == NULL ||
		    der_tlv(&par, par + parlen, &tag, &v, &vlen) == -1 ||
		    tag != 0x06)
			return -1;
		if ((cv = der_curve_find(v, vlen)) == NULL)
			return -1;
		/* Uncompressed or compressed point of that field. */
		if (!(klen == 1 + 2 * cv->field && k[0] == 0x04) &&
		    !(klen == 1 + cv->field && (k[0] == 0x02 || k[0] == 0x03)))
			return -1;
		*alg = "EC";
		*bits = cv->bits;
		return 0;
	}
	/* RFC 8410: no parameters; the key is the bit string itself. */
	if (OID_IS(oid, oidlen, "\x2b\x65\x70") && par == NULL && klen == 32) {
		*alg = "Ed25519";
		*bits = 256;
		return 0;
	}
	if (OID_IS(oid, oidlen, "\x2b\x65\x71") && par == NULL && klen == 57) {
		*alg = "Ed448";
		*bits = 456;
		return 0;
	}
	return -1;
}

/*
 * The key as OpenSSL decodes it: d2i_PUBKEY on the SubjectPublicKeyInfo
 * (what X509_get0_pubkey decodes).  Returns 0 or -1.
 */
static int
key_info_openssl(const struct cert *c, const char **alg, int *bits)
{
	const unsigned char *p = c->der + c->spki.off;
	EVP_PKEY	    *pk;

	if ((pk = d2i_PUBKEY(NULL, &p, (long)c->spki.len)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		*alg = "RSA";
		break;
	case EVP_PKEY_EC:
		*alg = "EC";
		break;
	case EVP_PKEY_ED25519:
		*alg = "Ed25519";
		break;
	case EVP_PKEY_ED448:
		*alg = "Ed448";
		break;
	case EVP_PKEY_DSA:
		*alg = "DSA";
		break;
	default:
		*alg = OBJ_nid2sn(EVP_PKEY_get_base_id(pk));
		if (*alg == NULL)
			*alg = "Unknown";
		break;
	}
	*bits = EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	return 0;
}

int
cert_key_info(struct cert *c, const char **alg, int *bits)
{
	/*
	 * OpenSSL's key decode costs more than all else a listing does
	 * (README, "Performance"): the common keys are read by hand, held
	 * to key_info_openssl by tests/unit/test_cert.c and fuzz_store.
	 */
	if (spki_info(c, alg, bits) == 0)
		return 0;
	return key_info_openssl(c, alg, bits);
}

const char *
cert_sig_alg(struct cert *c)
{
	const unsigned char *oid, *par, *p;
	ASN1_OBJECT	    *obj;
	size_t		     oidlen, parlen;
	int		     nid;

	if (alg_id(c->der + c->sig_alg.off, c->sig_alg.len, &oid, &oidlen, &par,
		   &parlen) == -1)
		return NULL;
	/* The OID's whole TLV starts two bytes before its contents. */
	p = oid - 2;
	if (oidlen > 127 || p[1] != oidlen ||
	    (obj = d2i_ASN1_OBJECT(NULL, &p, (long)oidlen + 2)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	nid = OBJ_obj2nid(obj);
	ASN1_OBJECT_free(obj);
	return nid == NID_undef ? NULL : OBJ_nid2ln(nid);
}

int
cert_is_self_signed(struct cert *c)
{
	X509 *x;
	int   rc;

	if (c->issuer.len != c->subject.len ||
	    memcmp(c->der + c->issuer.off, c->der + c->subject.off,
		   c->issuer.len) != 0)
		return 0;
	if ((x = cert_get0_x509(c)) == NULL)
		return 0;
	rc = X509_self_signed(x, 1) == 1;
	ERR_clear_error();
	return rc;
}

/* An OBJECT IDENTIFIER's contents: base-128, minimal, complete. */
static int
oid_ok(const unsigned char *v, size_t len)
{
	size_t i;

	if (len == 0 || (v[len - 1] & 0x80))
		return -1;
	for (i = 0; i < len; i++)
		if (v[i] == 0x80 && (i == 0 || !(v[i - 1] & 0x80)))
			return -1;
	return 0;
}

/*
 * The extnValue contents of the one extension with OID (oid, oidlen),
 * walking Extensions ::= SEQUENCE OF SEQUENCE { extnID, critical BOOLEAN
 * DEFAULT FALSE, extnValue OCTET STRING }.  Returns 1 when found, 0 when
 * absent, -1 when the extensions are malformed or it appears twice.
 */
static int
find_ext(const struct cert *c, const char *oid, size_t oidlen,
	 const unsigned char **val, size_t *vallen)
{
	const unsigned char *p, *end, *v, *e, *eend, *id, *ov;
	size_t		     vlen, idlen, ovlen;
	int		     tag, found = 0;

	if (c->exts.len == 0)
		return 0;
	p = c->der + c->exts.off;
	if (der_tlv(&p, p + c->exts.len, &tag, &v, &vlen) == -1)
		return -1;
	p = v;
	end = v + vlen;
	while (p != end) {
		if (der_tlv(&p, end, &tag, &e, &vlen) == -1 || tag != 0x30)
			return -1;
		eend = e + vlen;
		if (der_tlv(&e, eend, &tag, &id, &idlen) == -1 || tag != 0x06 ||
		    oid_ok(id, idlen) == -1 ||
		    der_tlv(&e, eend, &tag, &ov, &ovlen) == -1)
			return -1;
		if (tag == 0x01) {
			if (ovlen != 1 ||
			    der_tlv(&e, eend, &tag, &ov, &ovlen) == -1)
				return -1;
		}
		if (tag != 0x04 || e != eend)
			return -1;
		if (idlen != oidlen || memcmp(id, oid, oidlen) != 0)
			continue;
		if (found)
			return -1;
		found = 1;
		*val = ov;
		*vallen = ovlen;
	}
	return found;
}

/*
 * The extension (oid, oidlen) of c decoded as it: from the walk of
 * find_ext, or, when the walk cannot read the extensions (twice, or BER
 * that OpenSSL may accept), from OpenSSL's decode of the whole
 * certificate (X509_get_ext_d2i with nid), which then answers.  Only
 * the fallback decodes the certificate: list reads every certificate's
 * extensions.  Returns 1 with *out (free with ASN1_item_free), 0 when
 * absent, -1 when it cannot be decoded.
 */
static int
ext_d2i(struct cert *c, const char *oid, size_t oidlen, int nid,
	const ASN1_ITEM *it, void **out)
{
	const unsigned char *v, *p;
	X509		    *x;
	size_t		     vlen;
	int		     crit, rc = -1;

	*out = NULL;
	switch (find_ext(c, oid, oidlen, &v, &vlen)) {
	case 0:
		return 0;
	case 1:
		/* X509V3_EXT_d2i's decode, trailing bytes and all. */
		p = v;
		if (vlen <= LONG_MAX &&
		    (*out = ASN1_item_d2i(NULL, &p, (long)vlen, it)) != NULL)
			rc = 1;
		break;
	default:
		if ((x = cert_get0_x509(c)) == NULL)
			break;
		*out = X509_get_ext_d2i(x, nid, &crit, NULL);
		if (*out != NULL)
			rc = 1;
		else if (crit == -1)
			rc = 0;
		break;
	}
	ERR_clear_error();
	return rc;
}

int
cert_get1_san(struct cert *c, GENERAL_NAMES **gens)
{
	void *v;
	int   rc;

	rc = ext_d2i(c, "\x55\x1d\x11", 3, NID_subject_alt_name,
		     ASN1_ITEM_rptr(GENERAL_NAMES), &v);
	*gens = v;
	return rc;
}

int
cert_get_dns_names(struct cert *c, struct cert_names *out)
{
	GENERAL_NAMES	   *gens = NULL;
	const GENERAL_NAME *gn;
	const ASN1_STRING  *s;
	size_t		    len;
	int		    i, n, rc = -1;

	memset(out, 0, sizeof(*out));
	switch (cert_get1_san(c, &gens)) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		return -1;
	}
	n = sk_GENERAL_NAME_num(gens);
	if ((out->s = calloc(n + 1, sizeof(*out->s))) == NULL ||
	    (out->len = calloc(n + 1, sizeof(*out->len))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		gn = sk_GENERAL_NAME_value(gens, i);
		if (gn->type != GEN_DNS)
			continue;
		s = gn->d.dNSName;
		len = ASN1_STRING_length(s);
		if ((out->s[out->n] = mem_dup(ASN1_STRING_get0_data(s), len)) ==
		    NULL)
			goto out;
		out->len[out->n++] = len;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	if (rc == -1)
		cert_names_free(out);
	return rc;
}

void
cert_names_free(struct cert_names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->s[i]);
	free(nm->s);
	free(nm->len);
	memset(nm, 0, sizeof(*nm));
}

/* Room for n entries in a new nm.  Returns 0, or -1 (nm empty). */
static int
names_alloc(struct cert_names *nm, int n)
{
	memset(nm, 0, sizeof(*nm));
	if ((nm->s = calloc(n + 1, sizeof(*nm->s))) == NULL ||
	    (nm->len = calloc(n + 1, sizeof(*nm->len))) == NULL) {
		cert_names_free(nm);
		return -1;
	}
	return 0;
}

int
cert_get_eku(struct cert *c, struct cert_names *out)
{
	EXTENDED_KEY_USAGE *eku;
	const ASN1_OBJECT  *obj;
	const char	   *sn;
	void		   *v;
	int		    i, n, nid, len, rc = -1;

	memset(out, 0, sizeof(*out));
	/* extKeyUsage, 2.5.29.37 */
	if ((rc = ext_d2i(c, "\x55\x1d\x25", 3, NID_ext_key_usage,
			  ASN1_ITEM_rptr(EXTENDED_KEY_USAGE), &v)) != 1)
		return rc;
	rc = -1;
	eku = v;
	n = sk_ASN1_OBJECT_num(eku);
	if (names_alloc(out, n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		nid = OBJ_obj2nid(obj);
		if (nid != NID_undef && (sn = OBJ_nid2sn(nid)) != NULL) {
			len = (int)strlen(sn);
			if ((out->s[out->n] = mem_dup(sn, len)) == NULL)
				goto out;
		} else {
			if ((len = OBJ_obj2txt(NULL, 0, obj, 1)) <= 0)
				continue;
			if ((out->s[out->n] = malloc(len + 1)) == NULL)
				goto out;
			OBJ_obj2txt(out->s[out->n], len + 1, obj, 1);
		}
		out->len[out->n++] = len;
	}
	rc = 1;
out:
	EXTENDED_KEY_USAGE_free(eku);
	ERR_clear_error();
	if (rc == -1)
		cert_names_free(out);
	return rc;
}

int
cert_get_ip_addresses(struct cert *c, struct cert_names *out)
{
	GENERAL_NAMES	   *gens = NULL;
	const GENERAL_NAME *gn;
	const ASN1_STRING  *s;
	char		    buf[INET6_ADDRSTRLEN];
	int		    i, n, af, rc = -1;

	memset(out, 0, sizeof(*out));
	switch (cert_get1_san(c, &gens)) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		return -1;
	}
	n = sk_GENERAL_NAME_num(gens);
	if (names_alloc(out, n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		gn = sk_GENERAL_NAME_value(gens, i);
		if (gn->type != GEN_IPADD)
			continue;
		s = gn->d.iPAddress;
		switch (ASN1_STRING_length(s)) {
		case 4:
			af = AF_INET;
			break;
		case 16:
			af = AF_INET6;
			break;
		default:
			continue;
		}
		if (inet_ntop(af, ASN1_STRING_get0_data(s), buf, sizeof(buf)) ==
		    NULL)
			continue;
		out->len[out->n] = strlen(buf);
		if ((out->s[out->n] = mem_dup(buf, out->len[out->n])) == NULL)
			goto out;
		out->n++;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	if (rc == -1)
		cert_names_free(out);
	return rc;
}
