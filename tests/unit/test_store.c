/*
 * store: reading PEM in pieces (blocks across piece boundaries, a PEM
 * file larger than STORE_MAX_FILE), reading certificates again on
 * demand, and what happens when a file changes in between.  The oracle
 * is OpenSSL's own PEM reader and digest.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "cert.h"
#include "store.h"

#define MOZILLA "/usr/share/ca-certificates/mozilla"
#define PKI	"certs-test"

static char dir[] = "/tmp/certbind-test-store-XXXXXX";
static char lastmsg[512];
static int  reports;

static void
count_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	snprintf(lastmsg, sizeof(lastmsg), "%s", msg);
	reports++;
}

static const struct store_opts opts = {NULL, 0,	   count_report, NULL,
				       NULL, NULL, NULL};

static X509 *
read_x509(const char *path)
{
	FILE *fp;
	X509 *x;

	assert_non_null(fp = fopen(path, "r"));
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

static void
sha1_of(X509 *x, unsigned char *md)
{
	unsigned int len;

	assert_int_equal(X509_digest(x, EVP_sha1(), md, &len), 1);
}

static struct store *
load(const char *path)
{
	struct store *st;

	assert_non_null(st = store_new());
	assert_int_equal(store_add_path(st, path, &opts), 0);
	store_finish(st);
	return st;
}

static char *
tmp(const char *name)
{
	static char p[4][256];
	static int  k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/*
 * Every Mozilla root, twice over, with padding of varying length between
 * them, so that blocks straddle the 1 MiB pieces; a private key among
 * them.  The store must hold each root once, in file order, and read
 * each again to the same bytes.
 */
static void
test_bundle_in_pieces(void **state)
{
	unsigned char  md[20];
	struct store  *st;
	struct cert   *c;
	DIR	      *d;
	struct dirent *de;
	X509	      *x, *xs[1024];
	EVP_PKEY      *k;
	FILE	      *fp, *kf;
	char	       path[1024], *pad;
	size_t	       n = 0, i, j, padlen;

	(void)state;
	assert_non_null(d = opendir(MOZILLA));
	while ((de = readdir(d)) != NULL && n < 1024) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MOZILLA "/%s", de->d_name);
		xs[n++] = read_x509(path);
	}
	closedir(d);
	assert_true(n > 100);
	assert_non_null(pad = malloc(40000));
	memset(pad, '#', 40000);
	assert_non_null(fp = fopen(tmp("bundle.pem"), "w"));
	for (j = 0; j < 2; j++) {
		for (i = 0; i < n; i++) {
			padlen = (i * 7919 + j * 104729) % 30000;
			pad[padlen] = '\n';
			fwrite(pad, 1, padlen + 1, fp);
			pad[padlen] = '#';
			assert_int_equal(PEM_write_X509(fp, xs[i]), 1);
			if (i == n / 2 && j == 0) {
				kf = fopen(PKI "/store/ec-p256.contoso.com.key",
					   "r");
				assert_non_null(kf);
				k = PEM_read_PrivateKey(kf, NULL, NULL, NULL);
				fclose(kf);
				assert_non_null(k);
				PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL,
						     NULL);
				EVP_PKEY_free(k);
			}
		}
	}
	x = read_x509(PKI "/store/ec-p256.contoso.com.pem");
	assert_int_equal(PEM_write_X509(fp, x), 1);
	assert_int_equal(fclose(fp), 0);
	free(pad);

	reports = 0;
	st = load(tmp("bundle.pem"));
	assert_int_equal(reports, 0);
	assert_int_equal(store_key_count(st), 1);
	assert_int_equal(store_count(st), n + 1);
	for (i = 0; i < n; i++) {
		sha1_of(xs[i], md);
		c = store_get0(st, i);
		assert_non_null(c);
		assert_memory_equal(c->sha1, md, 20);
		assert_int_equal(c->has_key, 0);
		/* Forgotten and read again: the same certificate. */
		store_forget(st, i);
		c = store_get0(st, i);
		assert_memory_equal(c->sha1, md, 20);
		assert_true(c->derlen > 0);
		store_forget(st, i);
		X509_free(xs[i]);
	}
	/* The key, in the middle of the bundle, pairs with the last one. */
	sha1_of(x, md);
	c = store_get0(st, n);
	assert_memory_equal(c->sha1, md, 20);
	assert_int_equal(c->has_key, 1);
	X509_free(x);
	assert_int_equal(reports, 0);
	store_free(st);
	unlink(tmp("bundle.pem"));
}

/*
 * A PEM file larger than STORE_MAX_FILE is read in pieces, not refused:
 * a certificate, 65 MiB of nothing (a sparse hole), a certificate.
 */
static void
test_pem_over_limit(void **state)
{
	struct store *st;
	X509	     *a, *b;
	FILE	     *fp;

	(void)state;
	a = read_x509(PKI "/store/mail.contoso.com.pem");
	b = read_x509(PKI "/store/wildcard.contoso.com.pem");
	assert_non_null(fp = fopen(tmp("huge.pem"), "w"));
	PEM_write_X509(fp, a);
	assert_int_equal(fseeko(fp, STORE_MAX_FILE + (1 << 20), SEEK_SET), 0);
	fputs("\n", fp);
	PEM_write_X509(fp, b);
	assert_int_equal(fclose(fp), 0);
	reports = 0;
	st = load(tmp("huge.pem"));
	assert_int_equal(reports, 0);
	assert_int_equal(store_count(st), 2);
	assert_true(store_get0(st, 1)->derlen > 0);
	store_free(st);
	X509_free(a);
	X509_free(b);
	unlink(tmp("huge.pem"));
}

/* A certificate written as PEM to path. */
static void
write_pem(const char *path, X509 *x)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	assert_int_equal(fclose(fp), 0);
}

/*
 * A file that changes or vanishes between loading and use: reported,
 * and an empty certificate with the recorded SHA-1 stands in.
 */
static void
test_changed_file(void **state)
{
	unsigned char md[20];
	struct store *st;
	struct cert  *c;
	X509	     *a, *b;

	(void)state;
	a = read_x509(PKI "/store/mail.contoso.com.pem");
	b = read_x509(PKI "/store/wildcard.contoso.com.pem");
	sha1_of(a, md);
	write_pem(tmp("a.pem"), a);
	st = load(tmp("a.pem"));
	assert_int_equal(store_count(st), 1);
	write_pem(tmp("a.pem"), b);
	reports = 0;
	c = store_get0(st, 0);
	assert_non_null(c);
	assert_int_equal(reports, 1);
	/* Shorter than before, or as long and different. */
	assert_non_null(strstr(lastmsg, "since it was read"));
	assert_int_equal(c->derlen, 0);
	assert_memory_equal(c->sha1, md, 20);
	/* Every field of the stand-in is safe to ask for. */
	{
		struct cert_names nm;
		const char	 *alg;
		size_t		  len;
		int		  bits;

		assert_null(cert_get0_subject(c, &len));
		assert_null(cert_sig_alg(c));
		assert_int_equal(cert_key_info(c, &alg, &bits), -1);
		assert_int_equal(cert_is_self_signed(c), 0);
		assert_int_equal(cert_get_dns_names(c, &nm), 0);
		assert_int_equal(nm.n, 0);
		assert_null(cert_get0_x509(c));
	}
	store_free(st);
	st = load(tmp("a.pem"));
	unlink(tmp("a.pem"));
	reports = 0;
	c = store_get0(st, 0);
	assert_int_equal(reports, 1);
	assert_string_equal(lastmsg, "No such file or directory");
	assert_int_equal(c->derlen, 0);
	store_free(st);
	X509_free(a);
	X509_free(b);
}

/*
 * DER, TRUSTED CERTIFICATE (with trailing trust settings) and PKCS#12
 * certificates, forgotten and read again.
 */
static void
test_kinds(void **state)
{
	unsigned char md[20];
	struct store *st;
	struct cert  *c;
	X509	     *a;
	FILE	     *fp;
	size_t	      i;

	(void)state;
	a = read_x509(PKI "/store/mail.contoso.com.pem");
	sha1_of(a, md);
	assert_non_null(fp = fopen(tmp("a.der"), "w"));
	assert_int_equal(i2d_X509_fp(fp, a), 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(
	    X509_add1_trust_object(a, OBJ_nid2obj(NID_server_auth)), 1);
	assert_non_null(fp = fopen(tmp("b.pem"), "w"));
	assert_int_equal(PEM_write_X509_AUX(fp, a), 1);
	assert_int_equal(fclose(fp), 0);

	reports = 0;
	st = load(tmp("a.der"));
	assert_int_equal(store_add_path(st, tmp("b.pem"), &opts), 0);
	assert_int_equal(store_add_path(st, PKI "/p12/nopass.p12", &opts), 0);
	store_finish(st);
	assert_int_equal(reports, 0);
	/* The TRUSTED CERTIFICATE is the same certificate: kept once. */
	assert_true(store_count(st) >= 2);
	c = store_get0(st, 0);
	assert_memory_equal(c->sha1, md, 20);
	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		memcpy(md, c->sha1, 20);
		store_forget(st, i);
		c = store_get0(st, i);
		assert_memory_equal(c->sha1, md, 20);
		assert_true(c->derlen > 0);
	}
	store_free(st);

	/* Alone, the TRUSTED CERTIFICATE is read again with its trailer. */
	st = load(tmp("b.pem"));
	assert_int_equal(store_count(st), 1);
	store_forget(st, 0);
	sha1_of(a, md);
	assert_memory_equal(store_get0(st, 0)->sha1, md, 20);
	assert_int_equal(reports, 0);
	store_free(st);
	X509_free(a);
	unlink(tmp("a.der"));
	unlink(tmp("b.pem"));
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int notes;

static void
count_note(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
	notes++;
}

/*
 * A PKCS#7 bundle (DER) of two certificates, the first in bare base64
 * after a byte order mark, and plain text: both certificates of the
 * bundle are kept, the base64 one is read again from its file, the text
 * is a note, not a problem.
 */
static void
test_bundle_base64_text(void **state)
{
	static const char text[] = "version = 2.11.0\n[renewalparams]\n";
	struct store_opts o = opts;
	unsigned char	  md[2][20], *der = NULL;
	struct store	 *st;
	PKCS7		 *p7;
	X509		 *a, *b;
	FILE		 *fp;
	char		 *b64;
	int		  len;

	(void)state;
	o.note = count_note;
	a = read_x509(PKI "/store/mail.contoso.com.pem");
	b = read_x509(PKI "/ca/issuing-ca-1.pem");
	sha1_of(a, md[0]);
	sha1_of(b, md[1]);
	assert_non_null(p7 = PKCS7_new());
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	assert_int_equal(PKCS7_add_certificate(p7, a), 1);
	assert_int_equal(PKCS7_add_certificate(p7, b), 1);
	assert_non_null(fp = fopen(tmp("chain.p7b"), "w"));
	assert_int_equal(i2d_PKCS7_fp(fp, p7), 1);
	assert_int_equal(fclose(fp), 0);
	PKCS7_free(p7);
	assert_true((len = i2d_X509(a, &der)) > 0);
	assert_non_null(b64 = malloc(len * 2 + 8));
	assert_true(EVP_EncodeBlock((unsigned char *)b64, der, len) > 0);
	assert_non_null(fp = fopen(tmp("bare.cer"), "w"));
	fprintf(fp, "\xef\xbb\xbf%s\r\n", b64);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(fp = fopen(tmp("a.conf"), "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);

	reports = notes = 0;
	assert_non_null(st = store_new());
	assert_int_equal(store_add_path(st, tmp("bare.cer"), &o), 0);
	assert_int_equal(store_add_path(st, tmp("chain.p7b"), &o), 0);
	assert_int_equal(store_add_path(st, tmp("a.conf"), &o), 0);
	store_finish(st);
	assert_int_equal(reports, 0);
	assert_int_equal(notes, 1);
	assert_int_equal(store_count(st), 2);
	store_forget(st, 0);
	assert_memory_equal(store_get0(st, 0)->sha1, md[0], 20);
	assert_string_equal(store_get0(st, 0)->path, tmp("bare.cer"));
	assert_memory_equal(store_get0(st, 1)->sha1, md[1], 20);
	assert_string_equal(store_get0(st, 1)->path, tmp("chain.p7b"));
	assert_null(store_get0(st, 1)->friendly);
	assert_int_equal(reports, 0);
	store_free(st);
	OPENSSL_free(der);
	free(b64);
	X509_free(a);
	X509_free(b);
	unlink(tmp("chain.p7b"));
	unlink(tmp("bare.cer"));
	unlink(tmp("a.conf"));
}

static int
teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bundle_in_pieces),
	    cmocka_unit_test(test_pem_over_limit),
	    cmocka_unit_test(test_changed_file),
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_bundle_base64_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
