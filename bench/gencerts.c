/*
 * gencerts: makes a certificate store for `make bench`, like
 * ../shared/bench/genstore.py but in C for speed.  One P-256 CA key, one
 * P-256 leaf key, N leaves signed with ECDSA-SHA256 and fixed dates:
 *
 *	gencerts OUTDIR N
 *
 * writes OUTDIR/ca.pem, OUTDIR/certs/leaf-NNNNNN.pem (one file each, plus
 * OUTDIR/certs/leaf-key.pem so that key pairing is exercised),
 * OUTDIR/bundle.pem (every leaf, then the key) and OUTDIR/one/leaf.pem
 * (the first leaf alone, for start-up).  A bench tool: it exits on the
 * first error.
 */
#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *
keygen(void)
{
	EVP_PKEY *k;

	if ((k = EVP_EC_gen("P-256")) == NULL)
		errx(1, "EC key generation failed");
	return k;
}

static X509_NAME *
name(const char *cn, int leaf)
{
	X509_NAME *n;

	if ((n = X509_NAME_new()) == NULL)
		errx(1, "out of memory");
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
				   (const unsigned char *)"US", -1, -1, 0);
	if (leaf)
		X509_NAME_add_entry_by_txt(n, "ST", MBSTRING_ASC,
					   (const unsigned char *)"WA", -1, -1,
					   0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				   (const unsigned char *)"Bench Org", -1, -1,
				   0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	return n;
}

static void
ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    !X509_add_ext(x, e, -1))
		errx(1, "extension %s", value);
	X509_EXTENSION_free(e);
}

static X509 *
make(X509_NAME *subj, X509_NAME *iss, EVP_PKEY *pub, EVP_PKEY *signer,
     long serial, X509 *issuer)
{
	X509 *x;

	if ((x = X509_new()) == NULL)
		errx(1, "out of memory");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	/* Fixed dates: 2024-01-01 to 2099-01-01, as genstore.py. */
	ASN1_TIME_set_string(X509_getm_notBefore(x), "240101000000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20990101000000Z");
	X509_set_pubkey(x, pub);
	if (issuer == NULL) {
		ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		ext(x, x, NID_subject_key_identifier, "hash");
	}
	(void)issuer;
	return x;
}

static void
sign(X509 *x, EVP_PKEY *k)
{
	if (X509_sign(x, k, EVP_sha256()) == 0)
		errx(1, "signing failed");
}

static FILE *
create(const char *dir, const char *file)
{
	char  p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if ((f = fopen(p, "w")) == NULL)
		err(1, "%s", p);
	return f;
}

static void
finish(FILE *f)
{
	if (ferror(f) || fclose(f) == EOF)
		errx(1, "write error");
}

int
main(int argc, char **argv)
{
	EVP_PKEY  *cak, *leafk;
	X509_NAME *can, *ln;
	X509	  *ca, *x;
	FILE	  *f, *b;
	char	   dir[4096], cn[64], san[160], file[64];
	long	   n, i;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1)
		errx(64, "usage: gencerts OUTDIR N");
	snprintf(dir, sizeof(dir), "%s/certs", argv[1]);
	mkdir(argv[1], 0777);
	mkdir(dir, 0777);
	snprintf(dir, sizeof(dir), "%s/one", argv[1]);
	mkdir(dir, 0777);

	cak = keygen();
	leafk = keygen();
	can = name("Bench Root CA", 0);
	ca = make(can, can, cak, cak, 1, NULL);
	sign(ca, cak);
	f = create(argv[1], "ca.pem");
	PEM_write_X509(f, ca);
	finish(f);

	b = create(argv[1], "bundle.pem");
	for (i = 0; i < n; i++) {
		snprintf(cn, sizeof(cn), "host%06ld.bench.example", i);
		snprintf(san, sizeof(san), "DNS:%s,DNS:*.%s", cn, cn);
		ln = name(cn, 1);
		x = make(ln, can, leafk, cak, 1000 + i, ca);
		ext(x, ca, NID_subject_alt_name, san);
		ext(x, ca, NID_ext_key_usage, "serverAuth");
		sign(x, cak);
		snprintf(file, sizeof(file), "certs/leaf-%06ld.pem", i);
		f = create(argv[1], file);
		PEM_write_X509(f, x);
		finish(f);
		PEM_write_X509(b, x);
		if (i == 0) {
			f = create(argv[1], "one/leaf.pem");
			PEM_write_X509(f, x);
			finish(f);
		}
		X509_free(x);
		X509_NAME_free(ln);
	}
	PEM_write_PrivateKey(b, leafk, NULL, NULL, 0, NULL, NULL);
	finish(b);
	f = create(argv[1], "certs/leaf-key.pem");
	PEM_write_PrivateKey(f, leafk, NULL, NULL, 0, NULL, NULL);
	finish(f);
	f = create(argv[1], "one/leaf-key.pem");
	PEM_write_PrivateKey(f, leafk, NULL, NULL, 0, NULL, NULL);
	finish(f);

	X509_free(ca);
	X509_NAME_free(can);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(leafk);
	return 0;
}
