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
#include "dn.h"

/*
 * Reads one DER TLV at *p (before end).  Only what a certificate's
 * outer layers use: low tag numbers and definite lengths of at most four
 * bytes, minimally encoded as DER requires.  Sets *tag, the contents in
 * (*val, *vlen) and advances *p past the TLV.  Returns 0 or -1.
 */
static int
tlv(const unsigned char **p, const unsigned char *end, int *tag,
    const unsigned char **val, size_t *vlen)
{
	const unsigned char	*q = *p;
	size_t			 len, n, i;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	len = *q++;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - q) < n || q[0] == 0)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | *q++;
		if (len < 0x80)
			return -1;
	}
	if ((size_t)(end - q) < len)
		return -1;
	*val = q;
	*vlen = len;
	*p = q + len;
	return 0;
}

/*
 * Parses a UTCTime (YYMMDDhhmmssZ; RFC 5280 4.1.2.5.1: YY < 50 is 20YY)
 * or GeneralizedTime (YYYYMMDDhhmmssZ).  Returns 0 or -1.
 */
static int
der_time(int tag, const unsigned char *v, size_t len, time_t *t)
{
	struct tm	 tm;
	int		 d[7], i, off;

	if ((tag == 0x17 && len != 13) || (tag == 0x18 && len != 15) ||
	    (tag != 0x17 && tag != 0x18) || v[len - 1] != 'Z')
		return -1;
	for (i = 0; i < (int)len - 1; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	if (tag == 0x17) {
		d[0] = (v[0] - '0') * 10 + (v[1] - '0');
		d[0] += d[0] < 50 ? 2000 : 1900;
		off = 2;
	} else {
		d[0] = (v[0] - '0') * 1000 + (v[1] - '0') * 100 +
		    (v[2] - '0') * 10 + (v[3] - '0');
		off = 4;
	}
	for (i = 1; i < 6; i++)
		d[i] = (v[off + 2 * (i - 1)] - '0') * 10 +
		    (v[off + 2 * (i - 1) + 1] - '0');
	if (d[1] < 1 || d[1] > 12 || d[2] < 1 || d[2] > 31 || d[3] > 23 ||
	    d[4] > 59 || d[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d[0] - 1900;
	tm.tm_mon = d[1] - 1;
	tm.tm_mday = d[2];
	tm.tm_hour = d[3];
	tm.tm_min = d[4];
	tm.tm_sec = d[5];
	*t = timegm(&tm);
	return 0;
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
	const unsigned char	*p = c->der, *end = c->der + c->derlen;
	const unsigned char	*v, *tbs, *tend, *start, *vv, *vend;
	size_t			 len, vlen;
	int			 tag;

	*why = "not a DER certificate";
	if (tlv(&p, end, &tag, &v, &len) == -1) {
		if (c->derlen > 4 && c->der[0] == 0x30 &&
		    c->der[1] >= 0x81 && c->der[1] <= 0x84)
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
	if (tlv(&p, end, &tag, &tbs, &len) == -1 || tag != 0x30)
		return -1;
	tend = tbs + len;
	if (tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	if (tlv(&p, end, &tag, &v, &vlen) == -1 || tag != 0x03 || p != end)
		return -1;

	p = tbs;
	start = p;
	if (tlv(&p, tend, &tag, &v, &vlen) == -1)
		return -1;
	if (tag == 0xa0) {
		start = p;
		if (tlv(&p, tend, &tag, &v, &vlen) == -1)
			return -1;
	}
	if (tag != 0x02 || vlen == 0)
		return -1;
	span(&c->serial, c->der, start, p);
	if (tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	start = p;
	if (tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->issuer, c->der, start, p);
	if (tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	vv = v;
	vend = v + vlen;
	*why = "bad validity dates";
	if (tlv(&vv, vend, &tag, &v, &len) == -1 ||
	    der_time(tag, v, len, &c->not_before) == -1)
		return -1;
	if (tlv(&vv, vend, &tag, &v, &len) == -1 ||
	    der_time(tag, v, len, &c->not_after) == -1 || vv != vend)
		return -1;
	*why = "not a DER certificate";
	start = p;
	if (tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->subject, c->der, start, p);
	start = p;
	if (tlv(&p, tend, &tag, &v, &vlen) == -1 || tag != 0x30)
		return -1;
	span(&c->spki, c->der, start, p);
	/* Optional issuerUniqueID [1], subjectUniqueID [2], extensions [3]. */
	while (p != tend) {
		if (tlv(&p, tend, &tag, &v, &vlen) == -1 ||
		    (tag != 0x81 && tag != 0xa1 && tag != 0x82 && tag != 0xa2 &&
		    tag != 0xa3))
			return -1;
	}
	return 0;
}

int
cert_init_der(struct cert *c, unsigned char *der, size_t len,
    int trailing_ok, const char **why)
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
	X509_free(c->x509);
	memset(c, 0, sizeof(*c));
}

const char *
cert_get0_subject(struct cert *c, size_t *len)
{
	if (c->subject_str == NULL)
		c->subject_str = dn_der_to_windows(c->der + c->subject.off,
		    c->subject.len, &c->subject_len);
	*len = c->subject_len;
	return c->subject_str;
}

const char *
cert_get0_issuer(struct cert *c, size_t *len)
{
	if (c->issuer_str == NULL)
		c->issuer_str = dn_der_to_windows(c->der + c->issuer.off,
		    c->issuer.len, &c->issuer_len);
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
	const unsigned char	*p = c->der;

	if (c->x509 == NULL && !c->x509_failed) {
		c->x509 = d2i_X509(NULL, &p, (long)c->derlen);
		if (c->x509 == NULL)
			c->x509_failed = 1;
		ERR_clear_error();
	}
	return c->x509;
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
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

char *
cert_get1_serial_hex(const struct cert *c)
{
	const unsigned char	*p = c->der + c->serial.off, *v;
	size_t			 vlen;
	int			 tag;
	char			*s;

	if (tlv(&p, p + c->serial.len, &tag, &v, &vlen) == -1)
		return NULL;
	if ((s = malloc(2 * vlen + 1)) == NULL)
		return NULL;
	cert_hex(v, vlen, s);
	return s;
}

void
cert_format_time(time_t t, char *buf, size_t sz)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sz, "?");
}

int
cert_key_info(struct cert *c, const char **alg, int *bits)
{
	X509		*x;
	EVP_PKEY	*pk;

	if ((x = cert_get0_x509(c)) == NULL ||
	    (pk = X509_get0_pubkey(x)) == NULL) {
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
	return 0;
}

const char *
cert_sig_alg(struct cert *c)
{
	X509		*x;
	int		 nid;

	if ((x = cert_get0_x509(c)) == NULL)
		return NULL;
	nid = X509_get_signature_nid(x);
	return nid == NID_undef ? NULL : OBJ_nid2ln(nid);
}

int
cert_is_self_signed(struct cert *c)
{
	X509	*x;
	int	 rc;

	if ((x = cert_get0_x509(c)) == NULL)
		return 0;
	rc = X509_self_signed(x, 1) == 1;
	ERR_clear_error();
	return rc;
}

int
cert_get_dns_names(struct cert *c, struct cert_names *out)
{
	GENERAL_NAMES		*gens = NULL;
	const GENERAL_NAME	*gn;
	const ASN1_IA5STRING	*s;
	X509			*x;
	int			 i, n, crit, rc = -1;

	memset(out, 0, sizeof(*out));
	if ((x = cert_get0_x509(c)) == NULL)
		goto out;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		/* crit == -1: no SAN at all; else it did not decode. */
		rc = crit == -1 ? 0 : -1;
		goto out;
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
		if ((out->s[out->n] = malloc(s->length + 1)) == NULL)
			goto out;
		memcpy(out->s[out->n], s->data, s->length);
		out->s[out->n][s->length] = '\0';
		out->len[out->n++] = s->length;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	if (rc == -1)
		cert_names_free(out);
	return rc;
}

void
cert_names_free(struct cert_names *nm)
{
	size_t	 i;

	for (i = 0; i < nm->n; i++)
		free(nm->s[i]);
	free(nm->s);
	free(nm->len);
	memset(nm, 0, sizeof(*nm));
}
