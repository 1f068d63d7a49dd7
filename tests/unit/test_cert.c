/*
 * cert: the DER walk that loading relies on, checked against OpenSSL's
 * full decode (the independent oracle) on every certificate of the
 * system's Mozilla bundle and of the test PKI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cert.h"
#include "store.h"

#define MOZILLA	"/usr/share/ca-certificates/mozilla"
#define PKI	"certs-test"

static void
no_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm	 tm;

	assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
	return timegm(&tm);
}

/*
 * Compares every field the walk extracts with OpenSSL's decode.  Returns
 * 0, or 1 when OpenSSL refuses the certificate (the walk checks only the
 * structure; OpenSSL also refuses, e.g., invalid UTF-8 in a UTF8String).
 */
static int
compare_with_openssl(struct cert *c)
{
	const unsigned char	*p = c->der;
	unsigned char		*buf = NULL, md[20];
	X509			*x;
	unsigned int		 mdlen;
	int			 len;
	char			*serial, hex[256];
	const ASN1_INTEGER	*sn;

	if ((x = d2i_X509(NULL, &p, (long)c->derlen)) == NULL)
		return 1;
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &mdlen), 1);
	assert_memory_equal(md, c->sha1, 20);
	assert_int_equal(asn1_time(X509_get0_notBefore(x)), c->not_before);
	assert_int_equal(asn1_time(X509_get0_notAfter(x)), c->not_after);

	len = i2d_X509_NAME(X509_get_subject_name(x), &buf);
	assert_int_equal((size_t)len, c->subject.len);
	assert_memory_equal(buf, c->der + c->subject.off, len);
	OPENSSL_free(buf);
	buf = NULL;
	len = i2d_X509_NAME(X509_get_issuer_name(x), &buf);
	assert_int_equal((size_t)len, c->issuer.len);
	assert_memory_equal(buf, c->der + c->issuer.off, len);
	OPENSSL_free(buf);
	buf = NULL;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &buf);
	assert_int_equal((size_t)len, c->spki.len);
	assert_memory_equal(buf, c->der + c->spki.off, len);
	OPENSSL_free(buf);
	buf = NULL;

	/* The serial's content octets, as encoded (i2c gives them). */
	sn = X509_get0_serialNumber(x);
	len = i2d_ASN1_INTEGER(sn, &buf);
	assert_true(len > 2 && len < 120);
	cert_hex(buf + 2, len - 2, hex);
	OPENSSL_free(buf);
	serial = cert_get1_serial_hex(c);
	assert_non_null(serial);
	assert_string_equal(serial, hex);
	free(serial);
	X509_free(x);
	return 0;
}

static size_t
check_store(const char *path, size_t *refused)
{
	struct store		*st;
	struct store_opts	 opts = { NULL, 0, no_report, NULL };
	size_t			 i, n;

	st = store_new();
	assert_non_null(st);
	if (store_add_path(st, path, &opts) == -1) {
		store_free(st);
		return 0;
	}
	store_finish(st);
	n = store_count(st);
	for (i = 0, *refused = 0; i < n; i++)
		*refused += compare_with_openssl(store_get0(st, i));
	store_free(st);
	return n;
}

static void
test_mozilla_bundle(void **state)
{
	size_t	 refused;

	(void)state;
	/* ca-certificates holds well over 100 real roots. */
	assert_true(check_store(MOZILLA, &refused) > 100);
	assert_int_equal(refused, 0);
}

static void
test_test_pki(void **state)
{
	size_t	 refused;

	(void)state;
	assert_true(check_store(PKI, &refused) > 40);
	/* Only hostile/invalid-utf8.pem, whose CN OpenSSL will not decode. */
	assert_int_equal(refused, 1);
}

/* A real certificate's DER, for the mutation tests. */
static unsigned char *
one_der(size_t *len)
{
	FILE		*fp;
	X509		*x;
	unsigned char	*der = NULL, *copy;
	int		 n;

	fp = fopen(MOZILLA "/ISRG_Root_X1.crt", "r");
	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	copy = malloc(n);
	memcpy(copy, der, n);
	OPENSSL_free(der);
	X509_free(x);
	*len = n;
	return copy;
}

static void
test_truncated(void **state)
{
	struct cert	 c;
	unsigned char	*der, *cut;
	const char	*why;
	size_t		 len, i;

	(void)state;
	der = one_der(&len);
	for (i = 0; i < len; i++) {
		cut = malloc(i ? i : 1);
		memcpy(cut, der, i);
		assert_int_equal(cert_init_der(&c, cut, i, 0, &why), -1);
		assert_non_null(why);
	}
	/* Trailing data is refused unless asked for. */
	cut = malloc(len + 1);
	memcpy(cut, der, len);
	cut[len] = 0;
	assert_int_equal(cert_init_der(&c, cut, len + 1, 0, &why), -1);
	assert_string_equal(why, "trailing data after the certificate");
	cut = malloc(len + 1);
	memcpy(cut, der, len);
	cut[len] = 0;
	assert_int_equal(cert_init_der(&c, cut, len + 1, 1, &why), 0);
	assert_int_equal(c.derlen, len);
	cert_release(&c);
	free(der);
}

/*
 * Every single-byte change of the outer structure: the walk may refuse
 * or accept, but must never read out of bounds (ASan watches), and what
 * it accepts must still be a structure OpenSSL's parser agrees on.
 */
static void
test_mutations(void **state)
{
	struct cert		 c;
	unsigned char		*der, *m;
	const char		*why;
	size_t			 len, i;
	int			 v;

	(void)state;
	der = one_der(&len);
	for (i = 0; i < 200 && i < len; i++) {
		for (v = 0; v < 256; v += 17) {
			m = malloc(len);
			memcpy(m, der, len);
			m[i] = (unsigned char)v;
			if (cert_init_der(&c, m, len, 0, &why) == 0)
				cert_release(&c);
		}
	}
	free(der);
}

static void
test_status(void **state)
{
	struct cert	 c;
	unsigned char	*der;
	const char	*why;
	size_t		 len;

	(void)state;
	der = one_der(&len);
	assert_int_equal(cert_init_der(&c, der, len, 0, &why), 0);
	assert_int_equal(cert_status(&c, c.not_before - 1), CERT_STATUS_NOTYET);
	assert_int_equal(cert_status(&c, c.not_before), CERT_STATUS_VALID);
	assert_int_equal(cert_status(&c, c.not_after), CERT_STATUS_VALID);
	assert_int_equal(cert_status(&c, c.not_after + 1), CERT_STATUS_EXPIRED);
	assert_string_equal(cert_status_name(CERT_STATUS_NOTYET), "NotYetValid");
	cert_release(&c);
}

static void
test_format_time(void **state)
{
	char	 buf[32];

	(void)state;
	cert_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	cert_format_time(4102444799, buf, sizeof(buf));
	assert_string_equal(buf, "2099-12-31T23:59:59Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mozilla_bundle),
		cmocka_unit_test(test_test_pki),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_format_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
