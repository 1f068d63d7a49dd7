/*
 * der: the few DER readers of cert.c (a certificate's outer layers).
 * Strict: whatever is not minimally encoded DER is refused, and the
 * caller then falls back to OpenSSL's full decode.
 */
#ifndef DER_H
#define DER_H

#include <stddef.h>
#include <string.h>

/* The contents of the key algorithms' OBJECT IDENTIFIERs. */
#define OID_RSA	    "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" /* rsaEncryption */
#define OID_RSA_PSS "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"
#define OID_EC	    "\x2a\x86\x48\xce\x3d\x02\x01" /* id-ecPublicKey */

/* Is (v, len), the contents of an OBJECT IDENTIFIER, the OID lit? */
#define OID_IS(v, len, lit)                                                    \
	((len) == sizeof(lit) - 1 && memcmp((v), (lit), sizeof(lit) - 1) == 0)

/*
 * Reads one TLV at *p (before end): low tag numbers and definite lengths
 * of at most four bytes, minimally encoded.  Sets *tag, the contents in
 * (*val, *vlen) and advances *p past the TLV.  Returns 0 or -1.
 */
int der_tlv(const unsigned char **p, const unsigned char *end, int *tag,
	    const unsigned char **val, size_t *vlen);

/*
 * The bit length of an INTEGER's contents (v, len) when it is a minimally
 * encoded number that is not negative (0 for zero); -1 otherwise.
 */
int der_uint_bits(const unsigned char *v, size_t len);

/* A named curve: OID contents, bits as EVP_PKEY_get_bits, field bytes. */
struct der_curve {
	const char *oid;
	size_t	    oidlen;
	int	    bits;
	size_t	    field;
};

/* The curve whose OID contents are (oid, len), or NULL. */
const struct der_curve *der_curve_find(const unsigned char *oid, size_t len);

/*
 * The bytes of a PEM block's base64 body (b, len), in a new buffer the
 * caller frees (wiping it if it holds a key); NULL when the body is not
 * base64 or decodes to nothing.  On failure a partly decoded buffer is
 * wiped before it is freed.
 */
unsigned char *der_from_base64(const char *b, size_t len, size_t *outlen);

#endif
