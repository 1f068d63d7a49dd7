/*
 * pkcs12: a PKCS#12 file of the store (store_int.h), read safe by safe
 * and bag by bag; and the guard on password-based key derivation that
 * PKCS#12 files and encrypted PEM keys (pem.c) go through: each count
 * bounded before it is spent, all of a run's counted against one budget
 * (certbind(1), THE STORE).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "mem.h"
#include "store_int.h"

long
pbe_work(const X509_ALGOR *alg)
{
	PBE2PARAM     *p2 = NULL;
	PBKDF2PARAM   *kdf = NULL;
	SCRYPT_PARAMS *sc = NULL;
	PBEPARAM      *p1 = NULL;
	uint64_t       n, r, par;
	long	       work = -1;
	int	       pbe = 1;

	if (OBJ_obj2nid(alg->algorithm) != NID_pbes2) {
		if (EVP_PBE_find(EVP_PBE_TYPE_OUTER,
				 OBJ_obj2nid(alg->algorithm), NULL, NULL,
				 NULL) == 0)
			pbe = 0;
		else if ((p1 = ASN1_TYPE_unpack_sequence(
			      ASN1_ITEM_rptr(PBEPARAM), alg->parameter)) !=
			 NULL)
			work = ASN1_INTEGER_get(p1->iter);
		goto out;
	}
	if ((p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
					    alg->parameter)) == NULL)
		goto out;
	switch (OBJ_obj2nid(p2->keyfunc->algorithm)) {
	case NID_id_pbkdf2:
		if ((kdf = ASN1_TYPE_unpack_sequence(
			 ASN1_ITEM_rptr(PBKDF2PARAM),
			 p2->keyfunc->parameter)) != NULL)
			work = ASN1_INTEGER_get(kdf->iter);
		break;
	case NID_id_scrypt:
		if ((sc = ASN1_TYPE_unpack_sequence(
			 ASN1_ITEM_rptr(SCRYPT_PARAMS),
			 p2->keyfunc->parameter)) == NULL ||
		    !ASN1_INTEGER_get_uint64(&n, sc->costParameter) ||
		    !ASN1_INTEGER_get_uint64(&r, sc->blockSize) ||
		    !ASN1_INTEGER_get_uint64(&par,
					     sc->parallelizationParameter))
			break;
		/* Each factor is bounded first: the product cannot wrap. */
		if (n > MAX_PBE_ITER || r > MAX_PBE_ITER ||
		    n * r > MAX_PBE_ITER || par > MAX_PBE_ITER ||
		    n * r * par > MAX_PBE_ITER)
			work = MAX_PBE_ITER + 1;
		else
			work = (long)(n * r * par);
		break;
	default:
		pbe = 0; /* OpenSSL knows no other: it fails at once */
		break;
	}
out:
	PBEPARAM_free(p1);
	PBE2PARAM_free(p2);
	PBKDF2PARAM_free(kdf);
	SCRYPT_PARAMS_free(sc);
	ERR_clear_error();
	if (!pbe)
		return 0;
	return work < 1 ? -1 : work;
}

int
pbe_take(struct file *f, long work, const char *what)
{
	struct store *st = f->st;

	if (work > MAX_PBE_ITER) {
		store_report(f,
			     "%s iteration count %ld out of range (1 to %ld)",
			     what, work, MAX_PBE_ITER);
		return -1;
	}
	if (work > MAX_PBE_TOTAL - st->pbe_spent) {
		store_report(
		    f,
		    "%s iteration count %ld would exceed the budget of %ld "
		    "iterations per run (%ld spent)",
		    what, work, MAX_PBE_TOTAL, st->pbe_spent);
		return -1;
	}
	st->pbe_spent += work;
	return 0;
}

/* Loaded once for the life of the process, unloaded at exit. */
static OSSL_PROVIDER *legacy;

/*
 * A static that is only written is optimised away, which left the
 * provider unreachable: valgrind's "definitely lost" at every exit.
 */
static void
unload_legacy(void)
{
	OSSL_PROVIDER_unload(legacy);
	legacy = NULL;
}

static void
load_legacy(void)
{
	static int tried;

	if (tried)
		return;
	tried = 1;
	/* With fallbacks, so the default provider stays available. */
	if ((legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1)) == NULL)
		ERR_clear_error();
	else
		atexit(unload_legacy);
}

/*
 * One PKCS#12 file being read: the passwords to try, and what it holds,
 * added to the store only once the whole file has been read.
 */
struct p12 {
	struct file *f;
	const char  *pass[3]; /* the first that works is kept alone */
	int	     passlen[3];
	size_t	     npass;
	int	     mac; /* pass[0] verified the MAC */
	STACK_OF(X509) * certs;
	unsigned char (*keys)[32]; /* SHA-256 of each key's SPKI */
	size_t nkeys, capkeys;
};

/*
 * Reports that the file needs a password: none was given, or the one
 * given does not open it.
 */
static void
p12_password_failed(struct file *f)
{
	if (f->opts->password == NULL)
		store_report(f,
			     "PKCS#12 file is protected by a password; give it "
			     "with --password-file or CERTBIND_PASSWORD");
	else
		store_report(f,
			     "wrong password for PKCS#12 file (or the file is "
			     "damaged)");
}

/* Keeps pass[i], the one that worked, alone for the rest of the file. */
static void
p12_keep(struct p12 *w, size_t i)
{
	w->pass[0] = w->pass[i];
	w->passlen[0] = w->passlen[i];
	w->npass = 1;
}

/* Reports the file's contents unreadable; returns -1. */
static int
p12_damaged(struct p12 *w)
{
	store_report(w->f, "cannot read PKCS#12 contents: %s",
		     store_ssl_reason("damaged"));
	return -1;
}

/*
 * The cipher of a PKCS#5 v1.5 or PKCS#12 PBE alg when no loaded provider
 * implements it (RC2-40, as Windows and openssl pkcs12 -legacy export,
 * is only in OpenSSL's legacy provider): its name, a static string.
 * NULL when it is there, or for PBES2, whose cipher OpenSSL names itself.
 */
static const char *
p12_cipher_missing(const X509_ALGOR *alg)
{
	EVP_CIPHER *ciph;
	const char *name;
	int	    cnid;

	if (!EVP_PBE_find(EVP_PBE_TYPE_OUTER, OBJ_obj2nid(alg->algorithm),
			  &cnid, NULL, NULL) ||
	    cnid == NID_undef || (name = OBJ_nid2sn(cnid)) == NULL)
		return NULL;
	if ((ciph = EVP_CIPHER_fetch(NULL, name, NULL)) != NULL) {
		EVP_CIPHER_free(ciph);
		return NULL;
	}
	ERR_clear_error();
	return name;
}

/*
 * Decrypts an encrypted safe (p7) or a shrouded key bag (sig), whose
 * algorithm is alg, with the file's password: the one that verified its
 * MAC or, without a MAC, the first candidate that decrypts, kept for the
 * rest of the file.  Each try is taken from the run's budget before it
 * is made.  Returns the safe's bags or the key, or NULL after reporting.
 */
static void *
p12_decrypt(struct p12 *w, const X509_ALGOR *alg, PKCS7 *p7,
	    const X509_SIG *sig, const char *what)
{
	void	   *r = NULL;
	const char *ciph;
	char	    pre[48];
	long	    work;
	size_t	    i;

	if ((work = pbe_work(alg)) == -1) {
		store_report(w->f, "%s: damaged encryption parameters", what);
		return NULL;
	}
	if ((ciph = p12_cipher_missing(alg)) != NULL) {
		store_report(w->f,
			     "%s: encryption %s needs OpenSSL's legacy "
			     "provider, which could not be loaded; install it "
			     "or export the file again with AES",
			     what, ciph);
		return NULL;
	}
	snprintf(pre, sizeof(pre), "%s: encryption", what);
	for (i = 0; i < w->npass && r == NULL; i++) {
		if (pbe_take(w->f, work, pre) == -1)
			return NULL;
		ERR_clear_error();
		if (p7 != NULL)
			r = PKCS12_unpack_p7encdata(p7, w->pass[i],
						    w->passlen[i]);
		else
			r = PKCS8_decrypt(sig, w->pass[i], w->passlen[i]);
	}
	if (r == NULL) {
		if (w->mac)
			p12_damaged(w);
		else
			p12_password_failed(w->f);
		return NULL;
	}
	p12_keep(w, i - 1);
	return r;
}

/* Keeps the public half of a key bag's key.  Returns 0, or -1 after
 * reporting. */
static int
p12_key(struct p12 *w, const PKCS8_PRIV_KEY_INFO *p8)
{
	EVP_PKEY     *pk;
	unsigned char md[32];

	if ((pk = EVP_PKCS82PKEY(p8)) == NULL)
		return p12_damaged(w);
	if (store_key_md(w->f, pk, md) == -1)
		return 0;
	if (mem_grow(&w->keys, &w->capkeys, w->nkeys + 1, sizeof(*w->keys)) ==
	    -1) {
		store_report(w->f, "out of memory");
		return -1;
	}
	memcpy(w->keys[w->nkeys++], md, sizeof(md));
	return 0;
}

/* Every bag of bags, nested ones included.  Returns 0, or -1 after
 * reporting. */
static int
p12_bags(struct p12 *w, const STACK_OF(PKCS12_SAFEBAG) * bags)
{
	const PKCS12_SAFEBAG *bag;
	const X509_ALGOR     *alg;
	const X509_SIG	     *sig;
	PKCS8_PRIV_KEY_INFO  *p8;
	X509		     *x;
	char		     *fn;
	int		      i, rc;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_keyBag:
			if (p12_key(w, PKCS12_SAFEBAG_get0_p8inf(bag)) == -1)
				return -1;
			break;
		case NID_pkcs8ShroudedKeyBag:
			sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
			X509_SIG_get0(sig, &alg, NULL);
			if ((p8 = p12_decrypt(w, alg, NULL, sig,
					      "private key")) == NULL)
				return -1;
			rc = p12_key(w, p8);
			PKCS8_PRIV_KEY_INFO_free(p8);
			if (rc == -1)
				return -1;
			break;
		case NID_certBag:
			if (PKCS12_SAFEBAG_get_bag_nid(bag) !=
			    NID_x509Certificate)
				break;
			if ((x = PKCS12_SAFEBAG_get1_cert(bag)) == NULL)
				return p12_damaged(w);
			/* As PKCS12_parse keeps it: certbind(1) FriendlyName.
			 */
			if ((fn = PKCS12_get_friendlyname(
				 (PKCS12_SAFEBAG *)bag)) != NULL) {
				rc =
				    X509_alias_set1(x, (unsigned char *)fn, -1);
				OPENSSL_free(fn);
				if (!rc) {
					X509_free(x);
					store_report(w->f, "out of memory");
					return -1;
				}
			}
			if (!sk_X509_push(w->certs, x)) {
				X509_free(x);
				store_report(w->f, "out of memory");
				return -1;
			}
			break;
		case NID_safeContentsBag:
			if (p12_bags(w, PKCS12_SAFEBAG_get0_safes(bag)) == -1)
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * Every safe of the file, the encrypted ones decrypted.  Returns 0, or -1
 * after reporting.
 */
static int
p12_safes(struct p12 *w, const PKCS12 *p12)
{
	STACK_OF(PKCS7) * safes;
	STACK_OF(PKCS12_SAFEBAG) * bags;
	PKCS7 *p7;
	int    i, rc = 0;

	if ((safes = PKCS12_unpack_authsafes(p12)) == NULL)
		return p12_damaged(w);
	for (i = 0; rc == 0 && i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		bags = NULL;
		switch (OBJ_obj2nid(p7->type)) {
		case NID_pkcs7_data:
			if ((bags = PKCS12_unpack_p7data(p7)) == NULL)
				rc = p12_damaged(w);
			/* Plain key bags are read from it: wipe the copy. */
			if (p7->d.data != NULL)
				OPENSSL_cleanse(p7->d.data->data,
						p7->d.data->length);
			break;
		case NID_pkcs7_encrypted:
			if (p7->d.encrypted == NULL ||
			    p7->d.encrypted->enc_data == NULL ||
			    p7->d.encrypted->enc_data->algorithm == NULL)
				rc = p12_damaged(w);
			else if ((bags = p12_decrypt(
				      w, p7->d.encrypted->enc_data->algorithm,
				      p7, NULL, "certificates")) == NULL)
				rc = -1;
			break;
		default:
			break; /* enveloped data: PKCS12_parse skips it too */
		}
		if (rc == 0 && bags != NULL)
			rc = p12_bags(w, bags);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return rc;
}

int
pkcs12_load(struct file *f, const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;
	const ASN1_INTEGER  *iter = NULL;
	struct p12	     w;
	PKCS12		    *p12 = NULL;
	char		     what[48];
	long		     it;
	size_t		     i;
	int		     rc = -1;

	memset(&w, 0, sizeof(w));
	w.f = f;
	f->pkcs12 = 1;
	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL || p != buf + len) {
		store_report(f, "damaged PKCS#12 file");
		rc = 0;
		goto out;
	}
	if (f->opts->password != NULL) {
		w.pass[w.npass] = f->opts->password;
		w.passlen[w.npass++] = (int)f->opts->passlen;
	}
	if (PKCS12_mac_present(p12)) {
		/* Under RFC 7292 no password and an empty one differ. */
		w.pass[w.npass] = "";
		w.passlen[w.npass++] = 0;
	}
	w.pass[w.npass] = NULL;
	w.passlen[w.npass++] = 0;
	if (PKCS12_mac_present(p12)) {
		PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
		it = iter != NULL ? ASN1_INTEGER_get(iter) : 1;
		if (it < 1 || it > MAX_PBE_ITER) {
			store_report(f,
				     "PKCS#12 MAC iteration count %ld out of "
				     "range (1 to %ld)",
				     it, MAX_PBE_ITER);
			rc = 0;
			goto out;
		}
		for (i = 0; i < w.npass; i++) {
			if (pbe_take(f, it, "PKCS#12 MAC") == -1) {
				rc = 0;
				goto out;
			}
			if (PKCS12_verify_mac(p12, w.pass[i], w.passlen[i]))
				break;
		}
		if (i == w.npass) {
			p12_password_failed(f);
			rc = 0;
			goto out;
		}
		p12_keep(&w, i);
		w.mac = 1;
	}
	/*
	 * Windows and older OpenSSL export with RC2-40 and 3DES, which
	 * OpenSSL 3 keeps in its legacy provider: load it on first need.
	 */
	load_legacy();
	if ((w.certs = sk_X509_new_null()) == NULL)
		goto out;
	if (p12_safes(&w, p12) == -1) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < (size_t)sk_X509_num(w.certs); i++) {
		snprintf(what, sizeof(what), "certificate %zu", i + 1);
		if (store_add_pinned(f, sk_X509_value(w.certs, i), what) == -1)
			goto out;
	}
	for (i = 0; i < w.nkeys; i++)
		if (store_add_key_md(f, w.keys[i]) == -1)
			goto out;
	rc = 0;
out:
	ERR_clear_error();
	sk_X509_pop_free(w.certs, X509_free);
	free(w.keys);
	PKCS12_free(p12);
	return rc;
}
