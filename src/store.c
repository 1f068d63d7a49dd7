#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "der.h"
#include "mem.h"
#include "store.h"

/*
 * Directory depth we accept, and the work of password-based encryption
 * (iterations; scrypt: N * r * p) we accept for one key derivation and
 * for all of a run's together, every try counted: see certbind(1).
 */
#define MAX_DEPTH     64
#define MAX_PBE_ITER  10000000L
#define MAX_PBE_TOTAL 30000000L

struct dirid {
	dev_t dev;
	ino_t ino;
};

/*
 * What the store keeps of a certificate between uses: enough to dedupe,
 * pair keys, sort and find it, and where to read it again.  The DER
 * itself is re-read on demand (store_get0), so a store of 100,000
 * certificates costs ~150 bytes each, not a kilobyte or more.
 */
struct rec {
	unsigned char sha1[20];
	unsigned char sha256[32];
	unsigned char spki[32]; /* SHA-256 of the SubjectPublicKeyInfo */
	time_t	      not_before, not_after;
	uint64_t      subkey, isskey; /* cert_name_key of each name */
	unsigned char keyok;	      /* STORE_KEY_* of those valid */
	off_t	      off;	      /* where the PEM base64 body or DER is */
	unsigned int  len;
	unsigned int  path; /* index into paths */
	unsigned char kind; /* REC_* */
	unsigned char has_key;
	struct cert  *c; /* the whole certificate, when loaded */
};

#define REC_PEM	    0 /* base64 between BEGIN and END */
#define REC_PEM_AUX 1 /* the same, TRUSTED CERTIFICATE */
#define REC_DER	    2 /* the whole file */
#define REC_PINNED  3 /* from PKCS#12: c is kept, never re-read */

/* A file being read again, kept open while the next record is in it. */
struct reread {
	int	       fd; /* -1 when none */
	unsigned int   path;
	unsigned char *buf; /* bytes of the file from off */
	off_t	       off;
	size_t	       len, cap;
};

struct store {
	struct rec *recs;
	size_t	    ncerts, capcerts;
	size_t	   *table; /* SHA-1 hash set: index + 1, 0 empty */
	size_t	    tablesz;
	unsigned char (*keys)[32]; /* SHA-256 of each key's SPKI */
	size_t	      nkeys, capkeys;
	char	    **paths; /* every file a certificate came from */
	size_t	      npaths, cappaths;
	struct dirid *dirs; /* directories walked, against loops */
	size_t	      ndirs, capdirs;
	struct reread rr;
	long	      pbe_spent; /* iterations of key derivation so far */
	void (*report)(void *, const char *, const char *);
	void *arg;
	void (*each)(void *, size_t, struct cert *);
	void *each_arg;
};

/* A file being loaded, read in pieces so a large bundle is never whole. */
struct rd {
	int	       fd;
	unsigned char *buf;
	size_t	       len, cap;
	off_t	       base; /* file offset of buf[0] */
	int	       eof;
};

/* What one file's loading needs. */
struct file {
	struct store		*st;
	const struct store_opts *opts;
	const char		*path;
	const char		*saved; /* path as kept by the store, or NULL */
	size_t			 pathi; /* its index in st->paths */
	size_t			 found; /* certificates and keys */
	int			 bad;	/* a problem was reported */
};

/* A piece of a file read at once; PEM blocks larger than this grow it. */
#define RD_CHUNK (1UL << 20)

static void report(struct file *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct file *f, const char *fmt, ...)
{
	va_list ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->bad = 1;
	if (f->opts->report != NULL)
		f->opts->report(f->opts->arg, f->path, msg);
}

static const char *
ssl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char   *r = e ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : fallback;
}

/* A certificate the store allocated, released and freed (NULL is fine). */
static void
free_cert(struct cert *c)
{
	cert_release(c);
	free(c);
}

struct store *
store_new(void)
{
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) != NULL)
		st->rr.fd = -1;
	return st;
}

void
store_free(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ncerts; i++)
		free_cert(st->recs[i].c);
	for (i = 0; i < st->npaths; i++)
		free(st->paths[i]);
	if (st->rr.fd != -1)
		close(st->rr.fd);
	/* A certificate's file may hold its private key next to it. */
	if (st->rr.buf != NULL)
		OPENSSL_cleanse(st->rr.buf, st->rr.cap);
	free(st->rr.buf);
	free(st->recs);
	free(st->table);
	free(st->keys);
	free(st->paths);
	free(st->dirs);
	free(st);
}

static size_t
slot(const unsigned char *sha1, size_t tablesz)
{
	size_t h;

	memcpy(&h, sha1, sizeof(h));
	return h & (tablesz - 1);
}

/* Puts v, an index + 1, in table t's first free slot for sha1. */
static void
table_put(size_t *t, size_t sz, const unsigned char *sha1, size_t v)
{
	size_t j;

	j = slot(sha1, sz);
	while (t[j] != 0)
		j = (j + 1) & (sz - 1);
	t[j] = v;
}

static int
rehash(struct store *st)
{
	size_t *t, sz, i;

	sz = st->tablesz ? st->tablesz * 2 : 1024;
	if ((t = calloc(sz, sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < st->ncerts; i++)
		table_put(t, sz, st->recs[i].sha1, i + 1);
	free(st->table);
	st->table = t;
	st->tablesz = sz;
	return 0;
}

/* The index + 1 of the certificate with this SHA-1, or 0. */
static size_t
lookup(const struct store *st, const unsigned char *sha1)
{
	size_t j;

	if (st->tablesz == 0)
		return 0;
	for (j = slot(sha1, st->tablesz); st->table[j] != 0;
	     j = (j + 1) & (st->tablesz - 1))
		if (memcmp(st->recs[st->table[j] - 1].sha1, sha1, 20) == 0)
			return st->table[j];
	return 0;
}

/* The store's copy of the current file's path, made on first need. */
static const char *
saved_path(struct file *f)
{
	struct store *st = f->st;

	if (f->saved != NULL)
		return f->saved;
	if (st->npaths >= UINT_MAX ||
	    mem_grow(&st->paths, &st->cappaths, st->npaths + 1,
		     sizeof(*st->paths)) == -1 ||
	    (st->paths[st->npaths] = strdup(f->path)) == NULL)
		return NULL;
	f->pathi = st->npaths;
	f->saved = st->paths[st->npaths++];
	return f->saved;
}

/*
 * Adds one certificate, taking ownership of (der, len), read from (off,
 * n) of the file as kind (REC_*).  A duplicate is dropped silently: the
 * same certificate in a bundle and on its own is normal.  Returns 0, or
 * -1 when memory ran out.
 */
static int
add_cert(struct file *f, unsigned char *der, size_t len, int kind, off_t off,
	 size_t n, const char *what)
{
	struct store *st = f->st;
	struct cert  *c;
	struct rec   *r;
	const char   *why;

	if ((c = malloc(sizeof(*c))) == NULL) {
		free(der);
		return -1;
	}
	if (cert_init_der(c, der, len, kind == REC_PEM_AUX, &why) == -1) {
		report(f, "%s: %s", what, why);
		free(c);
		return 0;
	}
	f->found++;
	if (lookup(st, c->sha1) != 0 || n > UINT_MAX) {
		if (n > UINT_MAX)
			report(f, "%s: too large", what);
		free_cert(c);
		return 0;
	}
	if ((c->path = saved_path(f)) == NULL ||
	    mem_grow(&st->recs, &st->capcerts, st->ncerts + 1,
		     sizeof(*st->recs)) == -1 ||
	    ((st->ncerts + 1) * 2 > st->tablesz && rehash(st) == -1)) {
		free_cert(c);
		return -1;
	}
	r = &st->recs[st->ncerts++];
	memset(r, 0, sizeof(*r));
	memcpy(r->sha1, c->sha1, sizeof(r->sha1));
	memcpy(r->sha256, cert_get0_sha256(c), sizeof(r->sha256));
	SHA256(c->der + c->spki.off, c->spki.len, r->spki);
	r->not_before = c->not_before;
	r->not_after = c->not_after;
	r->off = off;
	r->len = n;
	r->path = f->pathi;
	r->kind = kind;
	if (cert_name_key(c, &c->subject, &r->subkey) == 0)
		r->keyok |= STORE_KEY_SUBJECT;
	if (cert_name_key(c, &c->issuer, &r->isskey) == 0)
		r->keyok |= STORE_KEY_ISSUER;
	if (st->each != NULL)
		st->each(st->each_arg, st->ncerts - 1, c);
	if (kind == REC_PINNED)
		r->c = c;
	else
		free_cert(c);
	table_put(st->table, st->tablesz, r->sha1, st->ncerts);
	return 0;
}

/* Remembers a private key by md, the SHA-256 of its SPKI. */
static int
add_key_md(struct file *f, const unsigned char md[32])
{
	struct store *st = f->st;

	if (mem_grow(&st->keys, &st->capkeys, st->nkeys + 1,
		     sizeof(*st->keys)) == -1)
		return -1;
	memcpy(st->keys[st->nkeys++], md, 32);
	f->found++;
	return 0;
}

/*
 * The SHA-256 of private key pk's SubjectPublicKeyInfo, in md: all that
 * pairing needs of it, so pk is freed at once.  Returns 0, or -1 after
 * reporting.
 */
static int
key_md(struct file *f, EVP_PKEY *pk, unsigned char md[32])
{
	unsigned char *spki = NULL;
	int	       len;

	len = i2d_PUBKEY(pk, &spki);
	EVP_PKEY_free(pk);
	if (len <= 0) {
		report(f, "private key: cannot derive its public key");
		ERR_clear_error();
		return -1;
	}
	SHA256(spki, len, md);
	OPENSSL_free(spki);
	return 0;
}

/* Remembers the public half of a private key and frees the key. */
static int
add_key(struct file *f, EVP_PKEY *pk)
{
	unsigned char md[32];

	if (key_md(f, pk, md) == -1)
		return 0;
	return add_key_md(f, md);
}

/*
 * Moves the first len bytes of *buf (of *cap bytes, or NULL) to a new
 * buffer of ncap bytes, wiping and freeing the old one: not realloc,
 * which would leave what may be key text in freed memory.  Returns 0, or
 * -1 with nothing changed when memory ran out.
 */
static int
grow_wiping(unsigned char **buf, size_t *cap, size_t len, size_t ncap)
{
	unsigned char *n;

	if ((n = malloc(ncap)) == NULL)
		return -1;
	if (*buf != NULL) {
		memcpy(n, *buf, len);
		OPENSSL_cleanse(*buf, *cap);
	}
	free(*buf);
	*buf = n;
	*cap = ncap;
	return 0;
}

/* OpenSSL allocates with OPENSSL_malloc; the store frees with free(). */
static unsigned char *
dup_der(const unsigned char *p, size_t len)
{
	unsigned char *d;

	if ((d = malloc(len)) != NULL)
		memcpy(d, p, len);
	return d;
}

/*
 * The work an encryption algorithm asks of us: the iteration count of
 * PBES2/PBKDF2 or of a PKCS#5 v1.5 / PKCS#12 PBE, N * r * p for scrypt,
 * 0 for an algorithm that is not password-based.  The file chooses the
 * count, so a hostile key or PKCS#12 bag asking for 2^31 iterations
 * would keep us busy for a quarter of an hour or more: pbe_take bounds
 * it before the derivation.  Returns -1 when the parameters do not
 * decode or name no positive count (ASN1_INTEGER_get gives -1 for one
 * too large too): we cannot tell what OpenSSL would spend on them.
 */
static long
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

/*
 * Takes work iterations from the run's budget before a derivation that
 * costs them; what names it in a report ("private key 2: encryption").
 * Returns 0, or -1 after reporting a count above MAX_PBE_ITER or one that
 * would take the run (the whole store) over MAX_PBE_TOTAL.
 */
static int
pbe_take(struct file *f, long work, const char *what)
{
	struct store *st = f->st;

	if (work > MAX_PBE_ITER) {
		report(f, "%s iteration count %ld out of range (1 to %ld)",
		       what, work, MAX_PBE_ITER);
		return -1;
	}
	if (work > MAX_PBE_TOTAL - st->pbe_spent) {
		report(f,
		       "%s iteration count %ld would exceed the budget of %ld "
		       "iterations per run (%ld spent)",
		       what, work, MAX_PBE_TOTAL, st->pbe_spent);
		return -1;
	}
	st->pbe_spent += work;
	return 0;
}

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
		report(f,
		       "private key %d is encrypted; give its passphrase with "
		       "--password-file or CERTBIND_PASSWORD",
		       n);
	else
		report(f, "private key %d: cannot decrypt (wrong passphrase?)",
		       n);
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
		report(f,
		       "private key %d: damaged PEM (BEGIN inside the block)",
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
			report(f, "private key %d: %s", n,
			       ssl_reason("damaged"));
		ERR_clear_error();
		return 0;
	}
	return add_key(f, pk);
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
		report(f, "private key %d: bad base64", n);
		return 0;
	}
	p = der;
	if ((sig = d2i_X509_SIG(NULL, &p, (long)derlen)) == NULL ||
	    p != der + derlen) {
		report(f, "private key %d: damaged encrypted PKCS#8 key", n);
		goto out;
	}
	X509_SIG_get0(sig, &alg, NULL);
	if ((work = pbe_work(alg)) == -1) {
		report(f, "private key %d: damaged encryption parameters", n);
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
		report(f, "private key %d: %s", n, ssl_reason("damaged"));
		goto out;
	}
	rc = add_key(f, pk);
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

/*
 * Reads more of the file into rd, growing the buffer when it is full (a
 * PEM block larger than a chunk) up to STORE_MAX_FILE.  Returns 0 (with
 * rd->eof set at the end), or -1 after reporting.
 */
static int
rd_fill(struct file *f, struct rd *rd)
{
	ssize_t r;

	if (rd->len == rd->cap) {
		if (rd->cap >= STORE_MAX_FILE) {
			report(f, "file too large (over %lu MiB)",
			       STORE_MAX_FILE >> 20);
			return -1;
		}
		if (grow_wiping(&rd->buf, &rd->cap, rd->len, rd->cap * 2) ==
		    -1) {
			report(f, "out of memory");
			return -1;
		}
	}
	for (;;) {
		r = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			report(f, "%s", strerror(errno));
			return -1;
		}
		break;
	}
	if (r == 0)
		rd->eof = 1;
	rd->len += r;
	return 0;
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

/*
 * Every "-----BEGIN X-----" ... "-----END X-----" block of the file:
 * certificates and private keys are loaded, anything else (requests,
 * parameters, CRLs) is passed over.  The file is read in pieces; a
 * block cut at the end of a piece is read again whole.
 */
static int
load_pem(struct file *f, struct rd *rd)
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
			report(f, "damaged PEM header");
			return 0;
		}
		body = labend + 5;
		if (e == NULL) {
			report(f, "truncated PEM: BEGIN %.*s without END",
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
				report(f, "%s: bad base64", what);
			else if (add_cert(f, der, derlen,
					  trusted ? REC_PEM_AUX : REC_PEM,
					  rd->base + (body - buf), e - body,
					  what) == -1)
				return -1;
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
		report(f, "PKCS#12 file is protected by a password; give it "
			  "with --password-file or CERTBIND_PASSWORD");
	else
		report(f, "wrong password for PKCS#12 file (or the file is "
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
	report(w->f, "cannot read PKCS#12 contents: %s", ssl_reason("damaged"));
	return -1;
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
	void  *r = NULL;
	char   pre[48];
	long   work;
	size_t i;

	if ((work = pbe_work(alg)) == -1) {
		report(w->f, "%s: damaged encryption parameters", what);
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
	if (key_md(w->f, pk, md) == -1)
		return 0;
	if (mem_grow(&w->keys, &w->capkeys, w->nkeys + 1, sizeof(*w->keys)) ==
	    -1) {
		report(w->f, "out of memory");
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
			if (!sk_X509_push(w->certs, x)) {
				X509_free(x);
				report(w->f, "out of memory");
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

/*
 * PKCS#12 (RFC 7292): the MAC checked with the password we have, an empty
 * one or none, then every safe and bag read here rather than by
 * PKCS12_parse, so that each key derivation is bounded and taken from
 * the run's budget before it is made, and made once.  Returns 0
 * (problems reported) or -1 when memory ran out.
 */
static int
load_p12(struct file *f, const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;
	const ASN1_INTEGER  *iter = NULL;
	struct p12	     w;
	PKCS12		    *p12 = NULL;
	unsigned char	    *der = NULL, *copy;
	char		     what[32];
	long		     it;
	size_t		     i;
	int		     n, rc = -1, dlen;

	memset(&w, 0, sizeof(w));
	w.f = f;
	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL || p != buf + len) {
		report(f, "damaged PKCS#12 file");
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
			report(f,
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
	for (i = 0, n = 0; i < (size_t)sk_X509_num(w.certs); i++) {
		dlen = i2d_X509(sk_X509_value(w.certs, i), &der);
		if (dlen <= 0)
			goto out;
		copy = dup_der(der, dlen);
		OPENSSL_free(der);
		der = NULL;
		snprintf(what, sizeof(what), "certificate %d", ++n);
		if (copy == NULL ||
		    add_cert(f, copy, dlen, REC_PINNED, 0, 0, what) == -1)
			goto out;
	}
	for (i = 0; i < w.nkeys; i++)
		if (add_key_md(f, w.keys[i]) == -1)
			goto out;
	rc = 0;
out:
	ERR_clear_error();
	sk_X509_pop_free(w.certs, X509_free);
	free(w.keys);
	PKCS12_free(p12);
	return rc;
}

/*
 * A DER file: a Certificate is SEQUENCE { SEQUENCE tbs, ... }, a PFX is
 * SEQUENCE { INTEGER version, ... }.  The tag after the outer header
 * tells them apart, even when the file is truncated.
 */
static int
load_der(struct file *f, const unsigned char *buf, size_t len)
{
	unsigned char *der;
	size_t	       hdr;

	hdr = len > 1 && (buf[1] & 0x80) ? 2 + (buf[1] & 0x7f) : 2;
	if (hdr < len && buf[hdr] == 0x02)
		return load_p12(f, buf, len);
	if ((der = dup_der(buf, len)) == NULL)
		return -1;
	return add_cert(f, der, len, REC_DER, 0, len, "DER certificate");
}

/*
 * Opens a regular file for reading.  O_NONBLOCK so that a FIFO swapped
 * in after the stat cannot block us; fstat decides.  Returns the fd and
 * its size, or -1 after reporting.
 */
static int
open_file(struct file *f, off_t *size)
{
	struct stat sb;
	int	    fd;

	if ((fd = open(f->path,
		       O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		report(f, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		report(f, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		report(f, "not a regular file, skipped");
		close(fd);
		return -1;
	}
	*size = sb.st_size;
	return fd;
}

/*
 * A PEM file (one that has a BEGIN line in its first piece) is read in
 * pieces, so a bundle of any size costs one piece of memory; anything
 * else is read whole, up to STORE_MAX_FILE.
 */
static int
load_file(struct store *st, const char *path, const struct store_opts *opts)
{
	struct file f = {st, opts, path, NULL, 0, 0, 0};
	struct rd   rd;
	off_t	    size;
	int	    rc = 0;

	memset(&rd, 0, sizeof(rd));
	if ((rd.fd = open_file(&f, &size)) == -1)
		return 0;
	rd.cap =
	    (unsigned long long)size < RD_CHUNK ? (size_t)size + 1 : RD_CHUNK;
	if ((rd.buf = malloc(rd.cap)) == NULL) {
		rc = -1;
		goto out;
	}
	/* Up to the size fstat gave: no read just to see the end. */
	while (!rd.eof && rd.len < rd.cap && rd.len < (size_t)size)
		if (rd_fill(&f, &rd) == -1)
			goto out;
	if (rd.len == (size_t)size)
		rd.eof = 1;
	if (rd.len == 0) {
		report(&f, "empty file");
		goto out;
	}
	if (memmem(rd.buf, rd.len, "-----BEGIN ", 11) == NULL) {
		/* Not PEM at the start: the whole file decides. */
		if ((unsigned long long)size > STORE_MAX_FILE) {
			report(&f, "file too large (over %lu MiB)",
			       STORE_MAX_FILE >> 20);
			goto out;
		}
		if (rd.cap < (size_t)size + 1 &&
		    grow_wiping(&rd.buf, &rd.cap, rd.len, (size_t)size + 1) ==
			-1) {
			rc = -1;
			goto out;
		}
		while (!rd.eof)
			if (rd_fill(&f, &rd) == -1)
				goto out;
	}
	if (memmem(rd.buf, rd.len, "-----BEGIN ", 11) != NULL) {
		rc = load_pem(&f, &rd);
		if (rc == 0 && f.found == 0 && !f.bad)
			report(&f, "no certificate or private key in PEM "
				   "file");
	} else if (rd.buf[0] == 0x30)
		rc = load_der(&f, rd.buf, rd.len);
	else
		report(&f, "not a certificate, private key or PKCS#12 file");
out:
	/* The buffer may hold a decrypted-key's PEM: wipe it. */
	if (rd.buf != NULL)
		OPENSSL_cleanse(rd.buf, rd.cap);
	free(rd.buf);
	close(rd.fd);
	return rc;
}

static int
namecmp(const void *a, const void *b)
{
	/* Past the d_type byte walk_dir puts in front of each name. */
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int walk(struct store *, const char *, int, const struct store_opts *);

static int
walk_dir(struct store *st, const char *path, const struct stat *sb, int depth,
	 const struct store_opts *opts)
{
	struct file    f = {st, opts, path, NULL, 0, 0, 0};
	DIR	      *d;
	struct dirent *de;
	char	     **names = NULL, child[PATH_MAX];
	size_t	       n = 0, cap = 0, i;
	int	       rc = -1;

	for (i = 0; i < st->ndirs; i++)
		if (st->dirs[i].dev == sb->st_dev &&
		    st->dirs[i].ino == sb->st_ino)
			return 0; /* a link back: already walked */
	if (depth > MAX_DEPTH) {
		report(&f, "directories nested too deep, skipped");
		return 0;
	}
	if (mem_grow(&st->dirs, &st->capdirs, st->ndirs + 1,
		     sizeof(*st->dirs)) == -1)
		return -1;
	st->dirs[st->ndirs].dev = sb->st_dev;
	st->dirs[st->ndirs++].ino = sb->st_ino;
	if ((d = opendir(path)) == NULL) {
		report(&f, "%s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (mem_grow(&names, &cap, n + 1, sizeof(*names)) == -1 ||
		    (names[n] = malloc(strlen(de->d_name) + 2)) == NULL)
			goto out;
		names[n][0] = (char)de->d_type;
		memcpy(names[n] + 1, de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	qsort(names, n, sizeof(*names), namecmp);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", path,
				     path[strlen(path) - 1] == '/' ? "" : "/",
				     names[i] + 1) >= sizeof(child)) {
			report(&f, "%s: path too long, skipped", names[i] + 1);
			continue;
		}
		/*
		 * A regular file needs no stat: load_file's fstat checks
		 * what it opened.  Links and the rest go through walk.
		 */
		if (names[i][0] == DT_REG) {
			if (load_file(st, child, opts) == -1)
				goto out;
		} else if (walk(st, child, depth + 1, opts) == -1)
			goto out;
	}
	rc = 0;
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Returns 0 (problems reported), or -1 when memory ran out. */
static int
walk(struct store *st, const char *path, int depth,
     const struct store_opts *opts)
{
	struct file f = {st, opts, path, NULL, 0, 0, 0};
	struct stat sb;

	if (stat(path, &sb) == -1) {
		if (errno == ELOOP)
			report(&f, "symbolic link loop, skipped");
		else if (errno == ENOENT && lstat(path, &sb) == 0)
			report(&f, "dangling symbolic link, skipped");
		else
			report(&f, "%s", strerror(errno));
		return depth == 0 ? 1 : 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(st, path, &sb, depth, opts);
	if (!S_ISREG(sb.st_mode)) {
		report(&f, "not a regular file, skipped");
		return 0;
	}
	return load_file(st, path, opts);
}

int
store_add_path(struct store *st, const char *path,
	       const struct store_opts *opts)
{
	int rc;

	st->report = opts->report;
	st->arg = opts->arg;
	st->each = opts->each;
	st->each_arg = opts->each_arg;
	rc = walk(st, path, 0, opts);
	return rc == 0 ? 0 : -1;
}

static int
keycmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void
store_finish(struct store *st)
{
	size_t	    i;
	struct rec *r;

	if (st->nkeys == 0)
		return;
	qsort(st->keys, st->nkeys, sizeof(*st->keys), keycmp);
	for (i = 0; i < st->ncerts; i++) {
		r = &st->recs[i];
		r->has_key = bsearch(r->spki, st->keys, st->nkeys,
				     sizeof(*st->keys), keycmp) != NULL;
		if (r->c != NULL)
			r->c->has_key = r->has_key;
	}
}

size_t
store_count(const struct store *st)
{
	return st->ncerts;
}

/*
 * Makes (off, len) of the record's file available in st->rr.buf, reading
 * it when it is not there yet.  A store read in order reads each file
 * once more, in pieces.  Returns a pointer into the buffer or NULL.
 */
static const unsigned char *
reread(struct store *st, const struct rec *r, const char **why)
{
	struct reread *rr = &st->rr;
	struct stat    sb;
	size_t	       want;
	ssize_t	       got;

	if (rr->fd != -1 && rr->path == r->path && r->off >= rr->off &&
	    r->off + (off_t)r->len <= rr->off + (off_t)rr->len)
		return rr->buf + (r->off - rr->off);
	if (rr->fd == -1 || rr->path != r->path) {
		if (rr->fd != -1)
			close(rr->fd);
		rr->len = 0;
		if ((rr->fd = open(st->paths[r->path], O_RDONLY | O_NONBLOCK |
							   O_NOCTTY |
							   O_CLOEXEC)) == -1) {
			*why = strerror(errno);
			return NULL;
		}
		rr->path = r->path;
		if (fstat(rr->fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			*why = "no longer a regular file";
			close(rr->fd);
			rr->fd = -1;
			return NULL;
		}
	}
	want = r->len > RD_CHUNK ? r->len : RD_CHUNK;
	if (rr->cap < want && grow_wiping(&rr->buf, &rr->cap, 0, want) == -1) {
		*why = "out of memory";
		return NULL;
	}
	rr->off = r->off;
	rr->len = 0;
	while (rr->len < rr->cap) {
		want = rr->cap - rr->len;
		got = pread(rr->fd, rr->buf + rr->len, want, rr->off + rr->len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			*why = strerror(errno);
			return NULL;
		}
		rr->len += got;
		/* A short read of a regular file is its end. */
		if ((size_t)got < want && rr->len >= r->len)
			break;
		if (got == 0)
			break;
	}
	if (rr->len < r->len) {
		*why = "file shrank since it was read";
		return NULL;
	}
	return rr->buf;
}

/*
 * Reads record i's certificate again.  What is read must be the same
 * certificate (same SHA-1); when the file changed or vanished since the
 * store was loaded, the problem is reported and an empty certificate
 * (derlen 0, every span empty) stands in, so callers never see NULL.
 */
static struct cert *
materialize(struct store *st, struct rec *r)
{
	struct cert	    *c;
	const unsigned char *p;
	unsigned char	    *der = NULL;
	const char	    *why = "changed since it was read";
	size_t		     len;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((p = reread(st, r, &why)) == NULL)
		goto fail;
	if (r->kind == REC_DER)
		der = dup_der(p, r->len), len = r->len;
	else
		der = der_from_base64((const char *)p, r->len, &len);
	if (der == NULL ||
	    cert_init_der(c, der, len, r->kind == REC_PEM_AUX, &why) == -1) {
		why = "changed since it was read";
		memset(c, 0, sizeof(*c));
		goto fail;
	}
	if (memcmp(c->sha1, r->sha1, sizeof(r->sha1)) != 0) {
		cert_release(c);
		goto fail;
	}
	goto done;
fail:
	if (st->report != NULL)
		st->report(st->arg, st->paths[r->path], why);
	if ((c->der = malloc(1)) == NULL) {
		free(c);
		return NULL;
	}
	c->derlen = 0;
	memcpy(c->sha1, r->sha1, sizeof(c->sha1));
done:
	memcpy(c->sha256, r->sha256, sizeof(c->sha256));
	c->have_sha256 = 1;
	c->not_before = r->not_before;
	c->not_after = r->not_after;
	c->path = st->paths[r->path];
	c->has_key = r->has_key;
	return c;
}

int
store_name_keys(const struct store *st, size_t i, uint64_t *sub, uint64_t *iss)
{
	if (i >= st->ncerts)
		return 0;
	*sub = st->recs[i].subkey;
	*iss = st->recs[i].isskey;
	return st->recs[i].keyok;
}

struct cert *
store_get0(const struct store *cst, size_t i)
{
	/* Loading on demand changes the cache, not the store's contents. */
	struct store *st = (struct store *)cst;

	if (i >= st->ncerts)
		return NULL;
	if (st->recs[i].c == NULL)
		st->recs[i].c = materialize(st, &st->recs[i]);
	return st->recs[i].c;
}

void
store_forget(struct store *st, size_t i)
{
	if (i >= st->ncerts || st->recs[i].kind == REC_PINNED)
		return;
	free_cert(st->recs[i].c);
	st->recs[i].c = NULL;
}

int
store_loaded(const struct store *st, size_t i)
{
	return i < st->ncerts && st->recs[i].c != NULL;
}

size_t
store_key_count(const struct store *st)
{
	return st->nkeys;
}

/* Does the upper-case hex prefix (hex, n digits) start md? */
static int
hex_prefix(const unsigned char *md, const char *hex, size_t n)
{
	char buf[65];

	cert_hex(md, (n + 1) / 2, buf);
	return memcmp(buf, hex, n) == 0;
}

long
store_find(struct store *st, const struct thumb *t, struct cert **out,
	   size_t max)
{
	unsigned char sha1[20];
	size_t	      i, k;
	long	      n = 0;
	int	      pass;

	if (t->kind == THUMB_SHA1) {
		for (i = 0; i < 20; i++)
			sscanf(t->hex + 2 * i, "%2hhx", &sha1[i]);
		if ((k = lookup(st, sha1)) == 0)
			return 0;
		if (max > 0 && (out[0] = store_get0(st, k - 1)) == NULL)
			return -1;
		return 1;
	}
	for (pass = 0; pass < 2 && n == 0; pass++) {
		if (pass == 0 && t->kind == THUMB_SHA256)
			continue;
		if (pass == 0 && t->len > 40)
			continue;
		for (i = 0; i < st->ncerts; i++) {
			if (!hex_prefix(pass == 0 ? st->recs[i].sha1
						  : st->recs[i].sha256,
					t->hex, t->len))
				continue;
			if ((size_t)n < max &&
			    (out[n] = store_get0(st, i)) == NULL)
				return -1;
			n++;
		}
	}
	return n;
}
