/*
 * pem: the PEM blocks of a store file (store_int.h).  Certificates are
 * added to the store; a private key is decrypted, with the passphrase
 * given, only for the public half that pairing needs.  An ENCRYPTED
 * PRIVATE KEY is decoded here and its key derivation bounded (pkcs12.c)
 * before it is decrypted.  A PKCS7 block is a bundle of certificates
 * (pkcs7.c).  Other blocks are passed over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "der.h"
#include "store_int.h"

struct pwarg {
	const struct store_opts *opts;
	int			 asked;
};

/* OpenSSL's passphrase callback: never prompts, uses what we were given. */
static int
pem_password(char *buf, int size, int rwflag, void *u)
{
	struct pwarg *pw = u;

	pw->asked = 1;
	if (pw->opts->password == NULL || pw->opts->passlen > (size_t)size)
		return -1;
	memcpy(buf, pw->opts->password, pw->opts->passlen);
	return (int)pw->opts->passlen;
}

/*
 * Reports that private key n needs a passphrase: none was given, or the
 * one given does not decrypt it.
 */
static void
key_passphrase_failed(struct file *f, int n)
{
	if (f->opts->password == NULL)
		store_report(
		    f,
		    "private key %d is encrypted; give its passphrase with "
		    "--password-file or CERTBIND_PASSWORD",
		    n);
	else
		store_report(
		    f, "private key %d: cannot decrypt (wrong passphrase?)", n);
}

/*
 * A private key block other than ENCRYPTED PRIVATE KEY, from "-----BEGIN"
 * to the end of its END line.  OpenSSL decrypts such a block only when
 * it has a "Proc-Type: 4,ENCRYPTED" header, whose key derivation
 * (EVP_BytesToKey) runs one iteration.  Returns 0 (problems reported) or
 * -1 when memory ran out.
 */
static int
load_pem_key(struct file *f, const char *block, size_t len, int n)
{
	BIO	    *bio;
	EVP_PKEY    *pk;
	struct pwarg pw = {f->opts, 0};

	/*
	 * OpenSSL's PEM reader passes over a BEGIN line it does not accept
	 * and reads the next one: with a second BEGIN inside it would
	 * decrypt an ENCRYPTED PRIVATE KEY that load_pkcs8 never checked.
	 */
	if (memmem(block + 1, len - 1, "-----BEGIN", 10) != NULL) {
		store_report(
		    f, "private key %d: damaged PEM (BEGIN inside the block)",
		    n);
		return 0;
	}
	if ((bio = BIO_new_mem_buf(block, (int)len)) == NULL)
		return -1;
	pk = PEM_read_bio_PrivateKey(bio, NULL, pem_password, &pw);
	BIO_free(bio);
	if (pk == NULL) {
		if (pw.asked)
			key_passphrase_failed(f, n);
		else
			store_report(f, "private key %d: %s", n,
				     store_ssl_reason("damaged"));
		ERR_clear_error();
		return 0;
	}
	return store_add_key(f, pk);
}

/*
 * An ENCRYPTED PRIVATE KEY block's body (body, len): an encrypted PKCS#8
 * EncryptedPrivateKeyInfo.  We decode it, check its iteration count and
 * decrypt that same DER; OpenSSL's PEM reader, which accepts lines our
 * base64 reader refuses, never sees it, so the count checked is the
 * count spent.  Returns 0 (problems reported) or -1 when memory ran out.
 */
static int
load_pkcs8(struct file *f, const char *body, size_t len, int n)
{
	const unsigned char *p;
	const X509_ALGOR    *alg;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char	    *der;
	X509_SIG	    *sig = NULL;
	EVP_PKEY	    *pk;
	size_t		     derlen = 0;
	char		     what[48];
	long		     work;
	int		     rc = 0;

	if ((der = der_from_base64(body, len, &derlen)) == NULL) {
		store_report(f, "private key %d: bad base64", n);
		return 0;
	}
	p = der;
	if ((sig = d2i_X509_SIG(NULL, &p, (long)derlen)) == NULL ||
	    p != der + derlen) {
		store_report(f, "private key %d: damaged encrypted PKCS#8 key",
			     n);
		goto out;
	}
	X509_SIG_get0(sig, &alg, NULL);
	if ((work = pbe_work(alg)) == -1) {
		store_report(f, "private key %d: damaged encryption parameters",
			     n);
		goto out;
	}
	/* An absurd count is reported even when there is no passphrase. */
	if (work <= MAX_PBE_ITER && f->opts->password == NULL) {
		key_passphrase_failed(f, n);
		goto out;
	}
	snprintf(what, sizeof(what), "private key %d: encryption", n);
	if (pbe_take(f, work, what) == -1)
		goto out;
	if ((p8 = PKCS8_decrypt(sig, f->opts->password,
				(int)f->opts->passlen)) == NULL) {
		key_passphrase_failed(f, n);
		goto out;
	}
	if ((pk = EVP_PKCS82PKEY(p8)) == NULL) {
		store_report(f, "private key %d: %s", n,
			     store_ssl_reason("damaged"));
		goto out;
	}
	rc = store_add_key(f, pk);
out:
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_SIG_free(sig);
	OPENSSL_cleanse(der, derlen);
	free(der);
	ERR_clear_error();
	return rc;
}

static const char *
memmem_str(const char *h, size_t hlen, const char *n)
{
	return memmem(h, hlen, n, strlen(n));
}

/* Forgets the first n bytes of rd's buffer, wiping them. */
static void
rd_drop(struct rd *rd, size_t n)
{
	memmove(rd->buf, rd->buf + n, rd->len - n);
	OPENSSL_cleanse(rd->buf + rd->len - n, n);
	rd->len -= n;
	rd->base += n;
}

int
pem_load(struct file *f, struct rd *rd)
{
	const char    *buf, *p, *end, *lab, *labend, *body, *e, *bend;
	char	       endmark[96];
	unsigned char *der;
	size_t	       labl, derlen, pos = 0, n;
	int	       ncert = 0, nkey = 0, trusted, labok, r;

	for (;;) {
		buf = (const char *)rd->buf;
		end = buf + rd->len;
		if ((p = memmem_str(buf + pos, end - buf - pos,
				    "-----BEGIN ")) == NULL) {
			if (rd->eof)
				return 0;
			/* Keep what may be the start of a BEGIN line. */
			n = rd->len - pos > 10 ? rd->len - 10 : pos;
			rd_drop(rd, n);
			pos = 0;
			if (rd_fill(f, rd) == -1)
				return 0;
			continue;
		}
		lab = p + 11;
		n = end - lab < 70 ? end - lab : 70;
		labend = memmem_str(lab, n, "-----");
		e = NULL;
		labok = labend != NULL && (labl = labend - lab) > 0 &&
			labl <= 64 && memchr(lab, '\n', labl) == NULL;
		if (labok) {
			body = labend + 5;
			snprintf(endmark, sizeof(endmark), "-----END %.*s-----",
				 (int)labl, lab);
			e = memmem_str(body, end - body, endmark);
		}
		if (!rd->eof && e == NULL && (labend != NULL || n < 70) &&
		    (labend == NULL || labok)) {
			/* The block goes on past this piece: read it whole. */
			rd_drop(rd, p - buf);
			pos = 0;
			if (rd_fill(f, rd) == -1)
				return 0;
			continue;
		}
		if (!labok) {
			store_report(f, "damaged PEM header");
			return 0;
		}
		body = labend + 5;
		if (e == NULL) {
			store_report(f, "truncated PEM: BEGIN %.*s without END",
				     (int)labl, lab);
			return 0;
		}
		bend = e + strlen(endmark);
		trusted =
		    labl == 19 && memcmp(lab, "TRUSTED CERTIFICATE", 19) == 0;
		if ((labl == 11 && memcmp(lab, "CERTIFICATE", 11) == 0) ||
		    (labl == 16 && memcmp(lab, "X509 CERTIFICATE", 16) == 0) ||
		    trusted) {
			char what[32];

			snprintf(what, sizeof(what), "certificate %d", ++ncert);
			if ((der = der_from_base64(body, e - body, &derlen)) ==
			    NULL)
				store_report(f, "%s: bad base64", what);
			else if (store_add_cert(f, der, derlen,
						trusted ? REC_PEM_AUX : REC_PEM,
						rd->base + (body - buf),
						e - body, what) == -1)
				return -1;
		} else if ((labl == 5 && memcmp(lab, "PKCS7", 5) == 0) ||
			   (labl == 19 &&
			    memcmp(lab, "PKCS #7 SIGNED DATA", 19) == 0)) {
			if ((der = der_from_base64(body, e - body, &derlen)) ==
			    NULL)
				store_report(f, "PKCS#7 bundle: bad base64");
			else {
				r = pkcs7_load(f, der, derlen, &ncert);
				free(der);
				if (r == -1)
					return -1;
			}
		} else if (labl >= 11 &&
			   memcmp(lab + labl - 11, "PRIVATE KEY", 11) == 0) {
			++nkey;
			if (labl == 21 &&
			    memcmp(lab, "ENCRYPTED PRIVATE KEY", 21) == 0)
				r = load_pkcs8(f, body, e - body, nkey);
			else
				r = load_pem_key(f, p, bend - p, nkey);
			if (r == -1)
				return -1;
		}
		pos = bend - buf;
	}
}
