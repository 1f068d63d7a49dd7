/*
 * dn: the Windows string of an X.509 Name (certbind(1) CERTIFICATE FIELDS).
 *
 * The DER is walked here rather than through X509_NAME: Windows prints
 * values OpenSSL's X509_NAME will not hold (BOOLEAN, NULL, OCTET STRING,
 * SET), and the walk costs no allocation but the output buffer.  The
 * output is measured first and written second into one exact buffer.
 *
 * References for Windows' behaviour, none copied: Microsoft's
 * CertNameToStr and CERT_RDN_ATTR documentation; Wine
 * dlls/crypt32/str.c (quote_rdn_value_to_str_w) and oid.c (the RDN key
 * table); dotnet/runtime X500NameEncoder.cs and its
 * X500DistinguishedNameTests.cs, which run against Windows' own
 * CertNameToStr.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "cert.h"
#include "dn.h"
#include "mem.h"
#include "safe.h"

/* Where output goes: measured only while p is NULL. */
struct out {
	char  *p;
	size_t n;
};

struct tlv {
	const unsigned char *start; /* first header byte */
	const unsigned char *val;   /* contents */
	size_t		     vlen;
	size_t		     tlen; /* header and contents */
	unsigned int	     tag;  /* first identifier byte */
};

/* How a value's contents become code points. */
enum vkind {
	VK_BYTES, /* one byte, one code point (ISO 8859-1) */
	VK_UTF8,
	VK_BMP, /* UCS-2 / UTF-16 big-endian */
	VK_UCS4 /* UniversalString, big-endian */
};

struct key {
	const char	   *name;
	size_t		    olen;
	const unsigned char oid[10]; /* DER contents of the OID */
};

/*
 * CertNameToStr's X.500 keys (Wine oid.c, group CRYPT_RDN_ATTR_OID_GROUP_ID,
 * first name of each OID; certbind(1) CERTIFICATE FIELDS).  Every other OID is
 * "OID." + dotted.
 */
static const struct key keys[] = {
    {"CN", 3, {0x55, 0x04, 0x03}},
    {"SN", 3, {0x55, 0x04, 0x04}},
    {"SERIALNUMBER", 3, {0x55, 0x04, 0x05}},
    {"C", 3, {0x55, 0x04, 0x06}},
    {"L", 3, {0x55, 0x04, 0x07}},
    {"S", 3, {0x55, 0x04, 0x08}},
    {"STREET", 3, {0x55, 0x04, 0x09}},
    {"O", 3, {0x55, 0x04, 0x0a}},
    {"OU", 3, {0x55, 0x04, 0x0b}},
    {"T", 3, {0x55, 0x04, 0x0c}},
    {"Description", 3, {0x55, 0x04, 0x0d}},
    {"PostalCode", 3, {0x55, 0x04, 0x11}},
    {"POBox", 3, {0x55, 0x04, 0x12}},
    {"Phone", 3, {0x55, 0x04, 0x14}},
    {"X21Address", 3, {0x55, 0x04, 0x18}},
    {"G", 3, {0x55, 0x04, 0x2a}},
    {"I", 3, {0x55, 0x04, 0x2b}},
    {"dnQualifier", 3, {0x55, 0x04, 0x2e}},
    {"DC", 10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}},
    {"E", 9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}},
};

/* Small names keep their RDN list on the stack. */
#define RDN_STACK 32

static void
put(struct out *o, const void *s, size_t len)
{
	if (o->p != NULL && len > 0)
		memcpy(o->p + o->n, s, len);
	o->n += len;
}

static void
put_cp(struct out *o, unsigned long cp)
{
	unsigned char b[4];
	size_t	      n;

	if (cp < 0x80) {
		b[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	put(o, b, n);
}

static void
put_hex(struct out *o, const unsigned char *s, size_t len)
{
	char   b[2 * 32 + 1];
	size_t n;

	for (; len > 0; s += n, len -= n) {
		n = len < 32 ? len : 32;
		cert_hex(s, n, b);
		put(o, b, 2 * n);
	}
}

/*
 * Reads one DER element from [*pp, end) into *t and advances *pp past
 * it.  Definite lengths only (long form up to sizeof(size_t) bytes, not
 * required minimal); the element must fit.  Returns 0, or -1 when the
 * bytes are not an element.
 */
static int
der_next(const unsigned char **pp, const unsigned char *end, struct tlv *t)
{
	const unsigned char *p = *pp;
	size_t		     len, i, n;

	if (p >= end)
		return -1;
	t->start = p;
	t->tag = *p++;
	if ((t->tag & 0x1f) == 0x1f) {
		/* High tag number: only its extent matters here. */
		for (i = 0; p < end && (*p & 0x80); i++, p++)
			if (i >= 4)
				return -1;
		if (p >= end)
			return -1;
		p++;
	}
	if (p >= end)
		return -1;
	if (*p < 0x80)
		len = *p++;
	else {
		n = *p++ & 0x7f;
		if (n == 0 || n > sizeof(size_t) || (size_t)(end - p) < n)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | *p++;
	}
	if ((size_t)(end - p) < len)
		return -1;
	t->val = p;
	t->vlen = len;
	t->tlen = (size_t)(p - t->start) + len;
	*pp = p + len;
	return 0;
}

static int
utf8_valid(const unsigned char *s, size_t len)
{
	unsigned long cp;
	size_t	      i, n;

	for (i = 0; i < len; i += n)
		if ((n = safe_utf8_next(s + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

/*
 * The code point at s[*i] (len bytes in all) of a value of kind k;
 * advances *i.  Undecodable input becomes U+FFFD: a byte of invalid
 * UTF-8, a lone surrogate, a UniversalString value past U+10FFFF, a
 * trailing partial unit.  Windows would decode such a value through
 * MultiByteToWideChar / its UCS-4 conversion, which also substitute
 * U+FFFD; the output stays valid UTF-8 either way.
 */
static unsigned long
next_cp(enum vkind k, const unsigned char *s, size_t len, size_t *i)
{
	unsigned long cp, lo;
	size_t	      n;

	switch (k) {
	case VK_BYTES:
		return s[(*i)++];
	case VK_UTF8:
		if ((n = safe_utf8_next(s + *i, len - *i, &cp)) == 0) {
			(*i)++;
			return 0xfffd;
		}
		*i += n;
		return cp;
	case VK_BMP:
		if (len - *i < 2) {
			*i = len;
			return 0xfffd;
		}
		cp = (unsigned long)s[*i] << 8 | s[*i + 1];
		*i += 2;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return 0xfffd;
		if (cp < 0xd800 || cp > 0xdbff)
			return cp;
		if (len - *i < 2)
			return 0xfffd;
		lo = (unsigned long)s[*i] << 8 | s[*i + 1];
		if (lo < 0xdc00 || lo > 0xdfff)
			return 0xfffd;
		*i += 2;
		return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	case VK_UCS4:
		if (len - *i < 4) {
			*i = len;
			return 0xfffd;
		}
		cp = (unsigned long)s[*i] << 24 |
		     (unsigned long)s[*i + 1] << 16 |
		     (unsigned long)s[*i + 2] << 8 | s[*i + 3];
		*i += 4;
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0xfffd;
		return cp;
	default:
		(*i)++;
		return 0xfffd;
	}
}

/*
 * Quotable white space is what C's isspace() gives in the "C" locale:
 * space, TAB, LF, VT, FF, CR, and nothing beyond ASCII (Wine
 * quote_rdn_value_to_str_w; dotnet IsQuotableWhitespace, whose tests
 * show U+2002 left unquoted by Windows).
 */
static int
is_quote_space(unsigned long cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0d);
}

/* CertNameToStr's quote-forcing characters; CR is not one of them. */
static int
is_quote_char(unsigned long cp)
{
	switch (cp) {
	case ',':
	case '+':
	case '=':
	case '"':
	case '\n':
	case '<':
	case '>':
	case '#':
	case ';':
		return 1;
	default:
		return 0;
	}
}

static void
put_string(struct out *o, enum vkind k, const unsigned char *s, size_t len)
{
	unsigned long cp;
	size_t	      i;
	int	      quote = (len == 0), first = 1;

	for (i = 0; i < len && !quote; first = 0) {
		cp = next_cp(k, s, len, &i);
		if (is_quote_char(cp) ||
		    ((first || i == len) && is_quote_space(cp)))
			quote = 1;
	}
	if (quote)
		put(o, "\"", 1);
	for (i = 0; i < len;) {
		cp = next_cp(k, s, len, &i);
		put_cp(o, cp);
		if (cp == '"')
			put(o, "\"", 1);
	}
	if (quote)
		put(o, "\"", 1);
}

/*
 * A value as CertRDNValueToStr shows it.  The string types map to
 * CERT_RDN_* string types; NumericString, PrintableString, IA5String,
 * VisibleString, VideotexString, GraphicString and GeneralString are
 * 8-bit strings that Windows widens byte for byte (ISO 8859-1, as Wine's
 * CertRDNValueToStrW does), T61String is UTF-8 when valid else 8-bit
 * (CertNameToStr documentation).  An OCTET STRING prints as '#' and the
 * hex of its contents, anything else as '#' and the hex of its whole
 * encoding, never quoted (dotnet Format_ComponentWithNonStringContent).
 */
static void
put_value(struct out *o, const struct tlv *v)
{
	switch (v->tag) {
	case V_ASN1_UTF8STRING:
		put_string(o, VK_UTF8, v->val, v->vlen);
		break;
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_VIDEOTEXSTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_GRAPHICSTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_GENERALSTRING:
		put_string(o, VK_BYTES, v->val, v->vlen);
		break;
	case V_ASN1_T61STRING:
		put_string(o, utf8_valid(v->val, v->vlen) ? VK_UTF8 : VK_BYTES,
			   v->val, v->vlen);
		break;
	case V_ASN1_BMPSTRING:
		put_string(o, VK_BMP, v->val, v->vlen);
		break;
	case V_ASN1_UNIVERSALSTRING:
		put_string(o, VK_UCS4, v->val, v->vlen);
		break;
	case V_ASN1_OCTET_STRING:
		put(o, "#", 1);
		put_hex(o, v->val, v->vlen);
		break;
	default:
		put(o, "#", 1);
		put_hex(o, v->start, v->tlen);
		break;
	}
}

/*
 * The dotted form of an OID whose DER contents are (s, len), each arc
 * fitting 64 bits.  Returns 0, 1 when an arc is larger (the caller
 * falls back to OpenSSL), or -1 when the contents are not an OID.
 */
static int
put_dotted(struct out *o, const unsigned char *s, size_t len)
{
	char	 b[24];
	uint64_t v;
	size_t	 i, n;
	int	 first = 1;

	if (len == 0 || (s[len - 1] & 0x80))
		return -1;
	for (i = 0; i < len;) {
		if (s[i] == 0x80)
			return -1; /* not minimal: X.690 8.19.2 */
		for (v = 0;; i++) {
			if (v > (UINT64_MAX >> 7))
				return 1;
			v = (v << 7) | (s[i] & 0x7f);
			if (!(s[i] & 0x80))
				break;
		}
		i++;
		if (first) {
			n = v < 80 ? v / 40 : 2;
			put(o, n == 0 ? "0." : n == 1 ? "1." : "2.", 2);
			v -= 40 * n;
			first = 0;
		} else
			put(o, ".", 1);
		n = sizeof(b);
		do {
			b[--n] = '0' + v % 10;
			v /= 10;
		} while (v > 0);
		put(o, b + n, sizeof(b) - n);
	}
	return 0;
}

/* An OID too large for put_dotted, through OBJ_obj2txt.  0 or -1. */
static int
put_dotted_big(struct out *o, const struct tlv *t)
{
	ASN1_OBJECT	    *obj = NULL;
	const unsigned char *p = t->start;
	char		     sbuf[128], *b = sbuf;
	int		     n, rc = -1;

	if ((obj = d2i_ASN1_OBJECT(NULL, &p, (long)t->tlen)) == NULL)
		goto out;
	if ((n = OBJ_obj2txt(sbuf, sizeof(sbuf), obj, 1)) <= 0)
		goto out;
	if ((size_t)n >= sizeof(sbuf)) {
		if ((b = malloc((size_t)n + 1)) == NULL)
			goto out;
		if (OBJ_obj2txt(b, n + 1, obj, 1) != n)
			goto out;
	}
	put(o, b, (size_t)n);
	rc = 0;
out:
	if (b != sbuf)
		free(b);
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
	return rc;
}

static int
put_key(struct out *o, const struct tlv *t)
{
	size_t i;
	int    rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].olen == t->vlen &&
		    memcmp(keys[i].oid, t->val, t->vlen) == 0) {
			put(o, keys[i].name, strlen(keys[i].name));
			return 0;
		}
	}
	/* A dry run first: put_dotted may give up halfway. */
	if ((rc = put_dotted(&(struct out){NULL, 0}, t->val, t->vlen)) == -1)
		return -1;
	put(o, "OID.", 4);
	return rc == 0 ? put_dotted(o, t->val, t->vlen) : put_dotted_big(o, t);
}

/*
 * One RelativeDistinguishedName, the SET element at rdn: its attributes
 * in encoded order joined by " + ".  Returns 0, or -1 on malformed DER.
 */
static int
put_rdn(struct out *o, const struct tlv *rdn)
{
	const unsigned char *p = rdn->val, *end = rdn->val + rdn->vlen;
	const unsigned char *q, *aend;
	struct tlv	     atv, oid, val;

	while (p < end) {
		if (der_next(&p, end, &atv) == -1 || atv.tag != 0x30)
			return -1;
		q = atv.val;
		aend = atv.val + atv.vlen;
		if (der_next(&q, aend, &oid) == -1 ||
		    oid.tag != V_ASN1_OBJECT ||
		    der_next(&q, aend, &val) == -1 || q != aend)
			return -1;
		if (atv.start != rdn->val)
			put(o, " + ", 3);
		if (put_key(o, &oid) == -1)
			return -1;
		put(o, "=", 1);
		put_value(o, &val);
	}
	return 0;
}

/* Every RDN, last first, joined by ", ".  0 or -1. */
static int
put_name(struct out *o, const struct tlv *rdns, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		if (i != n)
			put(o, ", ", 2);
		if (put_rdn(o, &rdns[i - 1]) == -1)
			return -1;
	}
	return 0;
}

char *
dn_der_to_windows(const unsigned char *der, size_t len, size_t *outlen)
{
	struct tlv	     name, sbuf[RDN_STACK] = {{0}};
	struct tlv	    *rdns = sbuf, *heap = NULL;
	struct out	     o = {NULL, 0};
	const unsigned char *p = der, *end, *q;
	size_t		     n = 0, cap = RDN_STACK, hcap = 0;
	char		    *ret = NULL;

	/* Output is bounded by a small multiple of the input: no overflow. */
	if (der == NULL || len > SIZE_MAX / 16)
		goto out;
	if (der_next(&p, der + len, &name) == -1 || name.tag != 0x30 ||
	    p != der + len)
		goto out;
	end = name.val + name.vlen;
	for (q = name.val; q < end; n++) {
		if (n == cap) {
			if (mem_grow(&heap, &hcap, n + 1, sizeof(*heap)) == -1)
				goto out;
			if (rdns == sbuf)
				memcpy(heap, sbuf, sizeof(sbuf));
			rdns = heap;
			cap = hcap;
		}
		if (der_next(&q, end, &rdns[n]) == -1 || rdns[n].tag != 0x31)
			goto out;
	}
	if (put_name(&o, rdns, n) == -1)
		goto out;
	if ((o.p = malloc(o.n + 1)) == NULL)
		goto out;
	o.n = 0;
	if (put_name(&o, rdns, n) == -1) {
		free(o.p);
		goto out;
	}
	o.p[o.n] = '\0';
	if (outlen != NULL)
		*outlen = o.n;
	ret = o.p;
out:
	free(heap);
	return ret;
}

char *
dn_name_to_windows(const X509_NAME *name, size_t *outlen)
{
	const unsigned char *der;
	size_t		     len;

	if (name == NULL || !X509_NAME_get0_der(name, &der, &len)) {
		ERR_clear_error();
		return NULL;
	}
	return dn_der_to_windows(der, len, outlen);
}

char *
dn_tls_name(const char *issuer, size_t ilen, const char *subject, size_t slen,
	    size_t *outlen)
{
	char  *s;
	size_t n;

	if (ilen > SIZE_MAX / 2 || slen > SIZE_MAX / 2 - 8)
		return NULL;
	n = 3 + ilen + 3 + slen;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, "<I>", 3);
	if (ilen > 0)
		memcpy(s + 3, issuer, ilen);
	memcpy(s + 3 + ilen, "<S>", 3);
	if (slen > 0)
		memcpy(s + 6 + ilen, subject, slen);
	s[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return s;
}
