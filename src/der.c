/*
 * der: strict DER readers for cert.c (see der.h).
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "der.h"

int
der_tlv(const unsigned char **p, const unsigned char *end, int *tag,
	const unsigned char **val, size_t *vlen)
{
	const unsigned char *q = *p;
	size_t		     len, n, i;

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

int
der_uint_bits(const unsigned char *v, size_t len)
{
	int	      bits;
	unsigned char b;

	if (len == 0 || (v[0] & 0x80) ||
	    (len > 1 && v[0] == 0 && !(v[1] & 0x80)))
		return -1;
	if (v[0] == 0) {
		if (len == 1)
			return 0;
		v++;
		len--;
	}
	if (len > 8192)
		return -1;
	for (bits = 0, b = v[0]; b != 0; b >>= 1)
		bits++;
	return bits + 8 * (int)(len - 1);
}

static const struct der_curve curves[] = {
#define C(o, b, f)                                                             \
	{                                                                      \
		o, sizeof(o) - 1, b, f                                         \
	}
    C("\x2a\x86\x48\xce\x3d\x03\x01\x07", 256, 32),	/* P-256 */
    C("\x2b\x81\x04\x00\x22", 384, 48),			/* P-384 */
    C("\x2b\x81\x04\x00\x23", 521, 66),			/* P-521 */
    C("\x2b\x81\x04\x00\x21", 224, 28),			/* P-224 */
    C("\x2a\x86\x48\xce\x3d\x03\x01\x01", 192, 24),	/* P-192 */
    C("\x2b\x81\x04\x00\x0a", 256, 32),			/* secp256k1 */
    C("\x2b\x24\x03\x03\x02\x08\x01\x01\x07", 256, 32), /* brainpoolP256r1 */
    C("\x2b\x24\x03\x03\x02\x08\x01\x01\x0b", 384, 48), /* brainpoolP384r1 */
    C("\x2b\x24\x03\x03\x02\x08\x01\x01\x0d", 512, 64), /* brainpoolP512r1 */
#undef C
};

const struct der_curve *
der_curve_find(const unsigned char *oid, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (len == curves[i].oidlen &&
		    memcmp(oid, curves[i].oid, len) == 0)
			return &curves[i];
	return NULL;
}

unsigned char *
der_from_base64(const char *b, size_t len, size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char  *der;
	size_t		cap;
	int		n1, n2;

	cap = len / 4 * 3 + 3;
	if (len > INT_MAX || (der = malloc(cap)) == NULL)
		return NULL;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(der);
		return NULL;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, der, &n1, (const unsigned char *)b,
			     (int)len) == -1 ||
	    EVP_DecodeFinal(ctx, der + n1, &n2) == -1 || n1 + n2 == 0) {
		EVP_ENCODE_CTX_free(ctx);
		OPENSSL_cleanse(der, cap);
		free(der);
		return NULL;
	}
	EVP_ENCODE_CTX_free(ctx);
	*outlen = n1 + n2;
	return der;
}
