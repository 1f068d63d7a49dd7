/*
 * fuzz_namekey: cert_name_key, the key of a Name read from the DER by
 * hand that Chain's issuer index uses instead of OpenSSL's decode
 * (README, "Performance"), held to OpenSSL's name comparison: two Names
 * that X509_NAME_cmp finds equal must never have different keys (a name
 * without a key is equal to every name).  The input is one or two DER
 * Names back to back; the first is also compared with a variant made
 * from OpenSSL's decode of it that OpenSSL finds equal to it: other
 * letter case, more white space, another string type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* cert_name_key of the bare Name (p, len); 1 when it has a key. */
static int
key_of(const unsigned char *p, size_t len, uint64_t *key)
{
	struct cert	 c;
	struct cert_span s;

	memset(&c, 0, sizeof(c));
	c.der = (unsigned char *)p;
	c.derlen = len;
	s.off = 0;
	s.len = len;
	return cert_name_key(&c, &s, key) == 0;
}

/* Aborts when a and b are equal to OpenSSL and their keys differ. */
static void
same_key(const X509_NAME *a, const unsigned char *pa, size_t la,
	 const X509_NAME *b, const unsigned char *pb, size_t lb)
{
	uint64_t ka, kb;

	if (X509_NAME_cmp(a, b) != 0)
		return;
	if (key_of(pa, la, &ka) && key_of(pb, lb, &kb) && ka != kb)
		abort();
}

/*
 * One value changed in ways OpenSSL's canonical form ignores: ASCII
 * letters in the other case, a space before and two for each space, as
 * a UTF8String or (when every code point fits) a BMPString.  NULL when
 * the value is not one of the types OpenSSL canonicalises.
 */
static ASN1_STRING *
variant_value(const ASN1_STRING *v, int bmp)
{
	ASN1_STRING   *out = NULL;
	unsigned char *u = NULL, *w = NULL;
	int	       n, i, k, mask;

	switch (ASN1_STRING_type(v)) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_VISIBLESTRING:
		break;
	default:
		return NULL;
	}
	if ((n = ASN1_STRING_to_UTF8(&u, v)) < 0)
		goto out;
	if ((w = malloc(2 * (size_t)n + 1)) == NULL)
		abort();
	k = 0;
	w[k++] = ' ';
	for (i = 0; i < n; i++) {
		if (u[i] >= 'a' && u[i] <= 'z')
			w[k++] = u[i] - 'a' + 'A';
		else if (u[i] >= 'A' && u[i] <= 'Z')
			w[k++] = u[i] - 'A' + 'a';
		else if (u[i] == ' ') {
			w[k++] = ' ';
			w[k++] = ' ';
		} else
			w[k++] = u[i];
	}
	mask = bmp ? B_ASN1_BMPSTRING : B_ASN1_UTF8STRING;
	if (ASN1_mbstring_copy(&out, w, k, MBSTRING_UTF8, mask) < 0 &&
	    (mask == B_ASN1_UTF8STRING ||
	     ASN1_mbstring_copy(&out, w, k, MBSTRING_UTF8, B_ASN1_UTF8STRING) <
		 0))
		out = NULL;
out:
	OPENSSL_free(u);
	free(w);
	ERR_clear_error();
	return out;
}

/* The variant of a, in the same RDNs; NULL when it cannot be made. */
static X509_NAME *
variant(const X509_NAME *a, int bmp)
{
	const X509_NAME_ENTRY *e;
	X509_NAME_ENTRY	      *ne;
	X509_NAME	      *v;
	ASN1_STRING	      *s, *val;
	int		       i, set, prev = -1, ok;

	if ((v = X509_NAME_new()) == NULL)
		abort();
	for (i = 0; i < X509_NAME_entry_count(a); i++) {
		e = X509_NAME_get_entry(a, i);
		val = X509_NAME_ENTRY_get_data(e);
		set = X509_NAME_ENTRY_set(e);
		s = variant_value(val, bmp);
		ne = X509_NAME_ENTRY_create_by_OBJ(
		    NULL, X509_NAME_ENTRY_get_object(e),
		    ASN1_STRING_type(s != NULL ? s : val),
		    ASN1_STRING_get0_data(s != NULL ? s : val),
		    ASN1_STRING_length(s != NULL ? s : val));
		ASN1_STRING_free(s);
		/* -1: into the RDN of the entry before, 0: a new one. */
		ok = ne != NULL &&
		     X509_NAME_add_entry(v, ne, -1, set == prev ? -1 : 0);
		X509_NAME_ENTRY_free(ne);
		if (!ok) {
			X509_NAME_free(v);
			ERR_clear_error();
			return NULL;
		}
		prev = set;
	}
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data, *q;
	X509_NAME	    *a, *b = NULL, *v;
	unsigned char	    *buf;
	size_t		     la;
	int		     n, bmp;

	if ((a = d2i_X509_NAME(NULL, &p, (long)size)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	la = p - data;
	if (la < size) {
		q = p;
		b = d2i_X509_NAME(NULL, &q, (long)(size - la));
		if (b != NULL && q == data + size)
			same_key(a, data, la, b, p, size - la);
	}
	for (bmp = 0; bmp < 2; bmp++) {
		if ((v = variant(a, bmp)) == NULL)
			continue;
		buf = NULL;
		if ((n = i2d_X509_NAME(v, &buf)) > 0)
			same_key(a, data, la, v, buf, (size_t)n);
		OPENSSL_free(buf);
		X509_NAME_free(v);
	}
	X509_NAME_free(a);
	X509_NAME_free(b);
	ERR_clear_error();
	return 0;
}
