/*
 * fuzz_key: key_spki_pem (key.h) held to OpenSSL's decoder on arbitrary
 * input.  The first byte chooses what the rest is: 0-2, the DER of a key
 * that is wrapped in a PEM block labelled PRIVATE KEY, RSA PRIVATE KEY
 * or EC PRIVATE KEY; 3, the PEM text itself.  Whenever key_spki_pem
 * reads the key, PEM_read_bio_PrivateKey must read it too and i2d_PUBKEY
 * must give the same bytes: the store trusts the hand reading instead of
 * OpenSSL's, so any difference would pair a key differently.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
no_pass(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static void
check(const char *pem, size_t len)
{
	BIO	      *b;
	EVP_PKEY      *pk;
	unsigned char *hand = NULL, *ref = NULL;
	size_t	       handlen = 0;
	int	       rc, reflen;

	if ((rc = key_spki_pem(pem, len, &hand, &handlen)) == -1)
		abort();
	if (rc == 0) {
		if (hand != NULL || ERR_peek_error() != 0)
			abort();
		return;
	}
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		abort();
	pk = PEM_read_bio_PrivateKey(b, NULL, no_pass, NULL);
	BIO_free(b);
	if (pk == NULL || (reflen = i2d_PUBKEY(pk, &ref)) <= 0 ||
	    (size_t)reflen != handlen || memcmp(ref, hand, handlen) != 0)
		abort();
	EVP_PKEY_free(pk);
	OPENSSL_free(ref);
	free(hand);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *labels[] = {"PRIVATE KEY", "RSA PRIVATE KEY",
				       "EC PRIVATE KEY"};
	BIO		  *b;
	char		  *p;
	long		   n;

	if (size < 2 || size > 65536)
		return 0;
	if (data[0] % 4 == 3) {
		check((const char *)data + 1, size - 1);
		return 0;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(b, labels[data[0] % 4], "", data + 1,
			  (long)size - 1) <= 0)
		abort();
	/* Without the final newline: as the store cuts a block. */
	if ((n = BIO_get_mem_data(b, &p)) > 0 && p[n - 1] == '\n')
		n--;
	check(p, n);
	BIO_free(b);
	return 0;
}
