/*
 * key: the public half of a private key read by hand, for pairing keys
 * with certificates without starting OpenSSL's key decoders, whose
 * first use costs more than the rest of a one-certificate listing.
 */
#ifndef KEY_H
#define KEY_H

#include <stddef.h>

/*
 * The DER SubjectPublicKeyInfo of the unencrypted private key in the PEM
 * block (block, len) -- "-----BEGIN" to the end of the END line -- as
 * i2d_PUBKEY would write it after PEM_read_bio_PrivateKey, when the block
 * is in one of the plain shapes:
 *   - "PRIVATE KEY": PKCS#8 v1 of an rsaEncryption key or of a P-256,
 *     P-384 or P-521 key, without attributes;
 *   - "RSA PRIVATE KEY": PKCS#1 RSAPrivateKey, two primes;
 *   - "EC PRIVATE KEY": SEC 1 ECPrivateKey with a named curve;
 * strict DER, the EC public point present, uncompressed and on the curve,
 * and the block without PEM headers, blank lines or long lines.
 *
 * Returns 1 with *spki a new buffer (free()) of *spkilen bytes; 0 when
 * the key is not in a plain shape -- the caller decodes it with OpenSSL,
 * which then decides whether it is valid (nothing is queued on OpenSSL's
 * error stack); -1 when out of memory.  The decoded key is wiped.
 */
int key_spki_pem(const char *block, size_t len, unsigned char **spki,
		 size_t *spkilen);

#endif
