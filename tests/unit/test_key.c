/*
 * key: the hand reading of plain private keys, held to OpenSSL's
 * decoder -- PEM_read_bio_PrivateKey, then i2d_PUBKEY, the path it
 * replaces -- on every key of the test PKI, on keys generated here in
 * every encoding, and on single changes to their DER and to their PEM
 * text.  Whenever key_spki_pem answers, OpenSSL must accept the key and
 * give the same bytes; when it declines, the store asks OpenSSL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key.h"

#define PKI "certs-test"

/* Results over a test, for the assertions that both answers occur. */
static size_t n_hand, n_declined, n_refused;

static int
no_pass(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* OpenSSL's answer: the SPKI of the key, or NULL when it refuses. */
static unsigned char *
oracle(const char *pem, size_t len, int *outlen)
{
	BIO	      *b;
	EVP_PKEY      *pk;
	unsigned char *spki = NULL;

	assert_non_null(b = BIO_new_mem_buf(pem, (int)len));
	pk = PEM_read_bio_PrivateKey(b, NULL, no_pass, NULL);
	BIO_free(b);
	if (pk != NULL && (*outlen = i2d_PUBKEY(pk, &spki)) <= 0)
		spki = NULL;
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return spki;
}

/*
 * Compares the two on one block.  Returns key_spki_pem's answer (1 or
 * 0); fails the test on any disagreement that matters.  OpenSSL's own
 * answer is needed only when key_spki_pem reads the key (when it
 * declines, the store asks OpenSSL), or with ask_anyway.
 */
static int
compare_key(const char *pem, size_t len, int ask_anyway)
{
	unsigned char *hand = NULL, *ref = NULL;
	size_t	       handlen = 0;
	int	       rc, reflen = 0;

	rc = key_spki_pem(pem, len, &hand, &handlen);
	assert_true(rc == 0 || rc == 1);
	if (rc == 1 || ask_anyway)
		ref = oracle(pem, len, &reflen);
	if (rc == 1) {
		n_hand++;
		if (ref == NULL || (size_t)reflen != handlen ||
		    memcmp(ref, hand, handlen) != 0) {
			fprintf(stderr, "disagreement on:\n%.*s\n", (int)len,
				pem);
			fail_msg("key_spki_pem accepted what OpenSSL %s",
				 ref == NULL ? "refuses" : "reads otherwise");
		}
	} else {
		n_declined++;
		assert_null(hand);
	}
	if (ref == NULL && (rc == 1 || ask_anyway))
		n_refused++;
	OPENSSL_free(ref);
	free(hand);
	return rc;
}

static int
compare(const char *pem, size_t len)
{
	return compare_key(pem, len, 0);
}

/* The PEM text of (der, len) under label; a new string of *outlen. */
static char *
to_pem(const char *label, const unsigned char *der, size_t len, size_t *outlen)
{
	BIO  *b;
	char *p, *s;
	long  n;

	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_true(PEM_write_bio(b, label, "", der, (long)len) > 0);
	n = BIO_get_mem_data(b, &p);
	assert_true(n > 0);
	/* Without the final newline: as the store cuts a block. */
	if (p[n - 1] == '\n')
		n--;
	assert_non_null(s = malloc(n + 1));
	memcpy(s, p, n);
	s[n] = '\0';
	*outlen = n;
	BIO_free(b);
	return s;
}

/* Every block labelled "... PRIVATE KEY" in the file's text. */
static size_t
blocks_of(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *q, *e;
	size_t	    n = 0;

	while ((p = memmem(p, end - p, "-----BEGIN ", 11)) != NULL) {
		if ((q = memmem(p, end - p, "-----\n", 6)) == NULL &&
		    (q = memmem(p, end - p, "-----\r\n", 7)) == NULL)
			break;
		if (q - p >= 22 && memcmp(q - 11, "PRIVATE KEY", 11) == 0 &&
		    (e = memmem(q, end - q, "-----END ", 9)) != NULL &&
		    (e = memmem(e + 9, end - e - 9, "-----", 5)) != NULL) {
			compare(p, e + 5 - p);
			n++;
			p = e + 5;
		} else
			p = q;
	}
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf;
	long  n;

	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((n = ftell(fp)) >= 0);
	rewind(fp);
	assert_non_null(buf = malloc(n + 1));
	assert_int_equal(fread(buf, 1, n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = n;
	return buf;
}

static size_t
walk(const char *dir)
{
	DIR	      *d;
	struct dirent *de;
	struct stat    sb;
	char	       path[1024], *text;
	size_t	       n = 0, len;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == -1 || S_ISLNK(sb.st_mode))
			continue;
		if (S_ISDIR(sb.st_mode)) {
			n += walk(path);
			continue;
		}
		text = slurp(path, &len);
		n += blocks_of(text, len);
		free(text);
	}
	closedir(d);
	return n;
}

/* Which of the test PKI's own keys are read by hand. */
static int
hand_reads(const char *path)
{
	unsigned char *spki = NULL;
	char	      *text, *e;
	size_t	       len, spkilen;
	int	       rc;

	text = slurp(path, &len);
	assert_non_null(e = strstr(text, "-----END "));
	assert_non_null(e = strstr(e + 9, "-----"));
	rc = key_spki_pem(text, e + 5 - text, &spki, &spkilen);
	free(spki);
	free(text);
	return rc;
}

/*
 * Every private key block in the test PKI.  The plain ones (PKCS#8 RSA
 * and P-256, the traditional RSA key certbot 1.x wrote) are read by hand;
 * Ed25519 and the encrypted key are left to OpenSSL.
 */
static void
test_pki_keys(void **state)
{
	(void)state;
	n_hand = n_declined = 0;
	assert_true(walk(PKI) >= 25);
	assert_true(n_hand >= 20);
	assert_int_equal(hand_reads(PKI "/store/ec-p256.contoso.com.key"), 1);
	assert_int_equal(hand_reads(PKI "/store/privkey-mail.contoso.com.pem"),
			 1);
	assert_int_equal(
	    hand_reads(PKI "/certbot/archive/mail.contoso.com/privkey1.pem"),
	    1);
	assert_int_equal(hand_reads(PKI "/store/ed25519.contoso.com.key"), 0);
	assert_int_equal(hand_reads(PKI "/store/secure.contoso.com.key"), 0);
}

static EVP_PKEY *
gen(const char *type, const char *curve, unsigned bits)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY     *pk = NULL;

	assert_non_null(ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL));
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	if (curve != NULL)
		assert_int_equal(EVP_PKEY_CTX_set_group_name(ctx, curve), 1);
	if (bits != 0)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits),
				 1);
	assert_int_equal(EVP_PKEY_generate(ctx, &pk), 1);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* The key's PKCS#8 DER (pkcs8) or its traditional DER. */
static unsigned char *
der_of(EVP_PKEY *pk, int pkcs8, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8;
	unsigned char	    *der = NULL;
	int		     n;

	if (pkcs8) {
		assert_non_null(p8 = EVP_PKEY2PKCS8(pk));
		n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
		PKCS8_PRIV_KEY_INFO_free(p8);
	} else
		n = i2d_PrivateKey(pk, &der);
	assert_true(n > 0);
	*len = n;
	return der;
}

/* A PEM text re-wrapped: lines of width w, ended by eol. */
static char *
rewrap(const char *pem, size_t len, size_t w, const char *eol, size_t *outlen)
{
	const char *body, *end;
	char	   *out, *q;
	size_t	    col = 0;

	assert_non_null(body = memchr(pem, '\n', len));
	body++;
	assert_non_null(end = strstr(body, "-----END "));
	assert_non_null(out = malloc(len * 2 + 16));
	q = out;
	memcpy(q, pem, body - 1 - pem);
	q += body - 1 - pem;
	q += sprintf(q, "%s", eol);
	for (; body < end; body++) {
		if (*body == '\n')
			continue;
		*q++ = *body;
		if (++col == w) {
			q += sprintf(q, "%s", eol);
			col = 0;
		}
	}
	if (col != 0)
		q += sprintf(q, "%s", eol);
	memcpy(q, end, pem + len - end);
	q += pem + len - end;
	*q = '\0';
	*outlen = q - out;
	return out;
}

/*
 * The positions changed: all of a short encoding; of a long one (RSA)
 * the first and last 64, where the structure and the public numbers
 * are, and one in 17 of the middle, which is only numbers.
 */
static int
pick(size_t i, size_t len)
{
	return len < 400 || i < 64 || i + 64 >= len || i % 17 == 0;
}

/*
 * Changes of the PEM text at the picked positions: a character replaced
 * by one of those that steer a PEM reader, deleted, or doubled.
 */
static void
pem_mutations(const char *pem, size_t len)
{
	static const char subs[] = "\n\r :-A=\t/";
	char		 *m;
	size_t		  i, j;

	assert_non_null(m = malloc(len + 2));
	for (i = 0; i < len; i++) {
		if (!pick(i, len))
			continue;
		for (j = 0; j < sizeof(subs) - 1; j++) {
			memcpy(m, pem, len);
			if (m[i] == subs[j])
				continue;
			m[i] = subs[j];
			compare(m, len);
		}
		memcpy(m, pem, i);
		memcpy(m + i, pem + i + 1, len - i - 1);
		compare(m, len - 1);
		memcpy(m, pem, i + 1);
		memcpy(m + i + 1, pem + i, len - i);
		compare(m, len + 1);
	}
	free(m);
}

/*
 * Changes of the DER at the picked bytes: bits flipped, set to 0x00,
 * 0x01, 0x7f, 0x80 or 0xff, the byte dropped; and truncation there.
 */
static void
der_mutations(const char *label, const unsigned char *der, size_t len)
{
	static const int vals[] = {-0x01, -0x80, -0x02, 0x00,
				   0x01,  0x7f,	 0x80,	0xff};
	unsigned char	*m;
	char		*pem;
	size_t		 i, j, plen;

	assert_non_null(m = malloc(len));
	for (i = 0; i < len; i++) {
		if (!pick(i, len))
			continue;
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			memcpy(m, der, len);
			m[i] = vals[j] < 0 ? der[i] ^ -vals[j] : vals[j];
			if (m[i] == der[i])
				continue;
			pem = to_pem(label, m, len, &plen);
			compare(pem, plen);
			free(pem);
		}
		memcpy(m, der, i);
		memcpy(m + i, der + i + 1, len - i - 1);
		pem = to_pem(label, m, len - 1, &plen);
		compare(pem, plen);
		free(pem);
		pem = to_pem(label, der, i + 1, &plen);
		compare(pem, plen);
		free(pem);
	}
	free(m);
}

/* One generated key in its encodings, each compared, then mutated. */
static void
one_key(EVP_PKEY *pk, const char *trad, int mutate)
{
	unsigned char *der;
	char	      *pem, *w;
	size_t	       len, plen, wlen;
	int	       pkcs8;

	for (pkcs8 = 1; pkcs8 >= 0; pkcs8--) {
		if (!pkcs8 && trad == NULL)
			break;
		der = der_of(pk, pkcs8, &len);
		pem = to_pem(pkcs8 ? "PRIVATE KEY" : trad, der, len, &plen);
		assert_int_equal(compare(pem, plen), 1);
		/* CR LF and 76-column lines are read too. */
		w = rewrap(pem, plen, 76, "\r\n", &wlen);
		assert_int_equal(compare(w, wlen), 1);
		free(w);
		/* A 77-column line is not (OpenSSL reads it). */
		w = rewrap(pem, plen, 77, "\n", &wlen);
		assert_int_equal(compare(w, wlen), 0);
		free(w);
		if (mutate) {
			der_mutations(pkcs8 ? "PRIVATE KEY" : trad, der, len);
			pem_mutations(pem, plen);
		}
		free(pem);
		OPENSSL_free(der);
	}
}

static void
test_generated(void **state)
{
	static const char *curves[] = {"P-256", "P-384", "P-521"};
	EVP_PKEY	  *pk;
	size_t		   i;

	(void)state;
	n_hand = n_declined = 0;
	for (i = 0; i < 3; i++) {
		pk = gen("EC", curves[i], 0);
		one_key(pk, "EC PRIVATE KEY", 0);
		EVP_PKEY_free(pk);
	}
	pk = gen("RSA", NULL, 2048);
	one_key(pk, "RSA PRIVATE KEY", 0);
	EVP_PKEY_free(pk);
}

/*
 * Keys outside the plain shapes are declined (and OpenSSL reads them):
 * a compressed point, an EC key without its public point, a curve
 * not on the list, Ed25519, RSA-PSS.
 */
static void
test_declined(void **state)
{
	EVP_PKEY      *pk;
	unsigned char *der;
	char	      *pem;
	size_t	       len, plen;
	int	       i;

	(void)state;
	for (i = 0; i < 5; i++) {
		switch (i) {
		case 0:
			pk = gen("EC", "P-256", 0);
			assert_int_equal(
			    EVP_PKEY_set_utf8_string_param(
				pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
				"compressed"),
			    1);
			break;
		case 1:
			pk = gen("EC", "P-256", 0);
			assert_int_equal(
			    EVP_PKEY_set_int_param(
				pk, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 0),
			    1);
			break;
		case 2:
			pk = gen("EC", "secp256k1", 0);
			break;
		case 3:
			pk = gen("ED25519", NULL, 0);
			break;
		default:
			pk = gen("RSA-PSS", NULL, 1024);
			break;
		}
		der = der_of(pk, 1, &len);
		pem = to_pem("PRIVATE KEY", der, len, &plen);
		n_refused = 0;
		assert_int_equal(compare_key(pem, plen, 1), 0);
		assert_int_equal(n_refused, 0);
		free(pem);
		OPENSSL_free(der);
		EVP_PKEY_free(pk);
	}
}

/*
 * Single changes of an RSA and an EC key in each encoding.  Both
 * answers must be frequent, or the comparison proves little: changes
 * to the private numbers keep the key plain; changes to the structure
 * do not.
 */
static void
test_mutations(void **state)
{
	EVP_PKEY *pk;

	(void)state;
	n_hand = n_declined = n_refused = 0;
	pk = gen("EC", "P-256", 0);
	one_key(pk, "EC PRIVATE KEY", 1);
	EVP_PKEY_free(pk);
	pk = gen("RSA", NULL, 1024);
	one_key(pk, "RSA PRIVATE KEY", 1);
	EVP_PKEY_free(pk);
	fprintf(stderr, "# mutations: %zu read by hand, %zu declined\n", n_hand,
		n_declined);
	assert_true(n_hand > 1000);
	assert_true(n_declined > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pki_keys),
	    cmocka_unit_test(test_generated),
	    cmocka_unit_test(test_declined),
	    cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
