/*
 * store: the store's records (store.h, store_int.h).  Each certificate is
 * kept once (by SHA-1) as a compact record and read again from its file
 * on demand; each private key as the SHA-256 of its public half, paired
 * with the certificates once the store is loaded; a thumbprint finds a
 * certificate through them.  The walk is in walk.c, the formats in
 * pem.c and pkcs12.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "der.h"
#include "mem.h"
#include "store.h"
#include "store_int.h"

void
store_report(struct file *f, const char *fmt, ...)
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

const char *
store_ssl_reason(const char *fallback)
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
 * store_add_cert, and for a pinned certificate the friendly name (fn,
 * fnlen) it keeps, fn NULL when none.
 */
static int
add_cert(struct file *f, unsigned char *der, size_t len, int kind, off_t off,
	 size_t n, const char *what, const unsigned char *fn, int fnlen)
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
		store_report(f, "%s: %s", what, why);
		free(c);
		return 0;
	}
	if (fn != NULL && fnlen > 0) {
		if ((c->friendly = mem_dup(fn, fnlen)) == NULL) {
			free_cert(c);
			return -1;
		}
		c->friendly_len = fnlen;
	}
	f->found++;
	if (lookup(st, c->sha1) != 0 || n > UINT_MAX) {
		if (n > UINT_MAX)
			store_report(f, "%s: too large", what);
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
	r->from_p12 = f->pkcs12 != 0;
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

int
store_add_cert(struct file *f, unsigned char *der, size_t len, int kind,
	       off_t off, size_t n, const char *what)
{
	return add_cert(f, der, len, kind, off, n, what, NULL, 0);
}

int
store_add_pinned(struct file *f, X509 *x, const char *what)
{
	const unsigned char *fn;
	unsigned char	    *enc = NULL, *der;
	int		     dlen, fnlen = 0;

	if ((dlen = i2d_X509(x, &enc)) <= 0) {
		store_report(f, "%s: %s", what, store_ssl_reason("damaged"));
		ERR_clear_error();
		return 0;
	}
	der = store_dup_der(enc, dlen);
	OPENSSL_free(enc);
	if (der == NULL)
		return -1;
	fn = X509_alias_get0(x, &fnlen);
	return add_cert(f, der, dlen, REC_PINNED, 0, 0, what, fn, fnlen);
}

int
store_add_key_md(struct file *f, const unsigned char md[32])
{
	struct store *st = f->st;

	if (mem_grow(&st->keys, &st->capkeys, st->nkeys + 1,
		     sizeof(*st->keys)) == -1)
		return -1;
	memcpy(st->keys[st->nkeys++], md, 32);
	f->found++;
	return 0;
}

int
store_key_md(struct file *f, EVP_PKEY *pk, unsigned char md[32])
{
	unsigned char *spki = NULL;
	int	       len;

	len = i2d_PUBKEY(pk, &spki);
	EVP_PKEY_free(pk);
	if (len <= 0) {
		store_report(f, "private key: cannot derive its public key");
		ERR_clear_error();
		return -1;
	}
	SHA256(spki, len, md);
	OPENSSL_free(spki);
	return 0;
}

int
store_add_key(struct file *f, EVP_PKEY *pk)
{
	unsigned char md[32];

	if (store_key_md(f, pk, md) == -1)
		return 0;
	return store_add_key_md(f, md);
}

int
store_grow_wiping(unsigned char **buf, size_t *cap, size_t len, size_t ncap)
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

unsigned char *
store_dup_der(const unsigned char *p, size_t len)
{
	unsigned char *d;

	if ((d = malloc(len)) != NULL)
		memcpy(d, p, len);
	return d;
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
	if (rr->cap < want &&
	    store_grow_wiping(&rr->buf, &rr->cap, 0, want) == -1) {
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
		der = store_dup_der(p, r->len), len = r->len;
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
store_from_pkcs12(const struct store *st, const unsigned char sha1[20])
{
	size_t k;

	if (st == NULL || (k = lookup(st, sha1)) == 0)
		return 0;
	return st->recs[k - 1].from_p12;
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
