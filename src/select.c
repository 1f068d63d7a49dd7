#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "connectors.h"
#include "fold.h"
#include "hostname.h"
#include "mem.h"
#include "safe.h"
#include "select.h"
#include "store.h"

/* Is (s, 3) the tag "<c>" in any case? */
static int
tag(const char *s, char c)
{
	return s[0] == '<' && (s[1] == c || s[1] == c + 'a' - 'A') &&
	       s[2] == '>';
}

int
sel_parse(const char *s, size_t len, struct sel_name *out, const char **why)
{
	size_t i;
	int    quoted = 0;

	/* "<S>subject" alone selects that subject under any issuer. */
	if (len >= 3 && tag(s, 'S')) {
		if (len == 3) {
			*why = "has an empty subject after <S>";
			return -1;
		}
		out->any_issuer = 1;
		out->issuer = NULL;
		out->ilen = 0;
		out->subject = s + 3;
		out->slen = len - 3;
		return 0;
	}
	if (len < 6 || !tag(s, 'I')) {
		*why = "does not begin with <I> or <S>";
		return -1;
	}
	/* A '<' inside a quoted value is part of the value (certbind(1)
	 * SELECTION). */
	for (i = 3; i + 3 <= len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && tag(s + i, 'S'))
			break;
	}
	if (i + 3 > len) {
		*why = "has no <S> after the issuer";
		return -1;
	}
	out->any_issuer = 0;
	out->issuer = s + 3;
	out->ilen = i - 3;
	out->subject = s + i + 3;
	out->slen = len - i - 3;
	return 0;
}

/* The first "CN=" of (s, len), in any case, or NULL. */
static const char *
find_cn(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++)
		if ((s[i] == 'C' || s[i] == 'c') &&
		    (s[i + 1] == 'N' || s[i + 1] == 'n') && s[i + 2] == '=')
			return s + i;
	return NULL;
}

int
sel_exchange_accepts(const char *s, size_t len, const char **why)
{
	const char *sub, *cn, *end, *lt;
	size_t	    slen, cnlen;
	struct host h;

	if (len >= 3 && tag(s, 'I')) {
		/* The issuer part is [^<]+: the first '<' must open <S>. */
		lt = memchr(s + 3, '<', len - 3);
		if (lt == NULL || (size_t)(s + len - lt) < 3 || !tag(lt, 'S')) {
			*why = lt == NULL ? "it has no <S> after the issuer"
					  : "its issuer part holds '<'";
			return 0;
		}
		sub = lt + 3;
	} else if (len >= 3 && tag(s, 'S'))
		sub = s + 3;
	else {
		*why = "it does not begin with <I> or <S>";
		return 0;
	}
	slen = len - (size_t)(sub - s);
	if (slen == 0) {
		*why = "its subject part is empty: a certificate without a "
		       "subject (SAN-only) cannot be bound by name";
		return 0;
	}
	if (sub == s + 6) {
		*why = "its issuer part is empty";
		return 0;
	}
	if ((cn = find_cn(sub, slen)) == NULL) {
		*why = "its subject part has no CN=";
		return 0;
	}
	cn += 3;
	cnlen = slen - (size_t)(cn - sub);
	if ((end = memchr(cn, ',', cnlen)) != NULL)
		cnlen = (size_t)(end - cn);
	if (cnlen >= 2 && cn[0] == '*' && cn[1] == '.') {
		cn += 2;
		cnlen -= 2;
	}
	/* A trailing dot is not part of a name a certificate holds. */
	if (cnlen == 0 || cn[cnlen - 1] == '.' ||
	    host_parse_fqdn(cn, cnlen, &h, NULL) == -1 || h.kind != HOST_DNS) {
		*why = "the first CN= of its subject part is not a domain name "
		       "or *.domain";
		return 0;
	}
	return 1;
}

int
sel_matches(struct cert *c, const struct sel_name *n)
{
	const char *iss, *sub;
	size_t	    ilen, slen;

	if ((iss = cert_get0_issuer(c, &ilen)) == NULL ||
	    (sub = cert_get0_subject(c, &slen)) == NULL)
		return -1;
	return (n->any_issuer ||
		fold_casecmp_n(iss, ilen, n->issuer, n->ilen) == 0) &&
	       fold_casecmp_n(sub, slen, n->subject, n->slen) == 0;
}

int
sel_cmp(const struct cert *x, const struct cert *y, time_t t)
{
	int ux, uy;

	ux = x->has_key && cert_status(x, t) == CERT_STATUS_VALID;
	uy = y->has_key && cert_status(y, t) == CERT_STATUS_VALID;
	if (ux != uy)
		return uy - ux;
	if (x->not_after != y->not_after)
		return x->not_after > y->not_after ? -1 : 1;
	if (x->not_before != y->not_before)
		return x->not_before > y->not_before ? -1 : 1;
	return memcmp(x->sha1, y->sha1, sizeof(x->sha1));
}

/* sel_cmp for qsort_r over an array of certificates; at is a time_t. */
static int
prefer(const void *a, const void *b, void *at)
{
	return sel_cmp(*(struct cert *const *)a, *(struct cert *const *)b,
		       *(const time_t *)at);
}

/* Adds c to a growing array; returns 0 or -1. */
static int
push(struct cert ***v, size_t *cnt, size_t *cap, struct cert *c)
{
	if (mem_grow(v, cap, *cnt + 1, sizeof(**v)) == -1)
		return -1;
	(*v)[(*cnt)++] = c;
	return 0;
}

static struct cert **
finish(struct cert **v, size_t cnt, time_t at, size_t *np)
{
	if (cnt > 1)
		qsort_r(v, cnt, sizeof(*v), prefer, &at);
	*np = cnt;
	return v;
}

struct cert **
sel_select(struct store *st, const struct sel_name *n, time_t at, size_t *np)
{
	struct cert **v = NULL, *c;
	size_t	      i, cnt = 0, cap = 0;

	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		if (sel_matches(c, n) == 1 && push(&v, &cnt, &cap, c) == -1) {
			free(v);
			*np = (size_t)-1;
			return NULL;
		}
	}
	return finish(v, cnt, at, np);
}

struct sel_entry {
	unsigned long long hash;
	size_t		   i; /* in the store, or among the names */
};

/* Adds (h, i) to a growing array of entries; returns 0 or -1. */
static int
entry_push(struct sel_entry **v, size_t *cnt, size_t *cap, unsigned long long h,
	   size_t i)
{
	if (mem_grow(v, cap, *cnt + 1, sizeof(**v)) == -1)
		return -1;
	(*v)[*cnt].hash = h;
	(*v)[(*cnt)++].i = i;
	return 0;
}

/* Adds a position to a growing array of them; returns 0 or -1. */
static int
pos_push(size_t **v, size_t *cnt, size_t *cap, size_t i)
{
	if (mem_grow(v, cap, *cnt + 1, sizeof(**v)) == -1)
		return -1;
	(*v)[(*cnt)++] = i;
	return 0;
}

struct sel_index {
	struct store	 *st;
	struct sel_entry *v;
	size_t		  n, cap;
	int		  failed; /* memory ran out in sel_index_add */
};

/* FNV-1a: the basis, and one step over the value b. */
#define FNV_BASIS 0xcbf29ce484222325ULL

static unsigned long long
fnv_step(unsigned long long h, unsigned b)
{
	return (h ^ b) * 0x100000001b3ULL;
}

/* FNV-1a over the folded code points of (s, len), continuing from h. */
static unsigned long long
fold_hash(unsigned long long h, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, k;

	while (i < len) {
		cp = fold_next(p, len, &i);
		for (k = 0; k < 4; k++)
			h = fnv_step(h, (cp >> (8 * k)) & 0xff);
	}
	return h;
}

/*
 * The key of a name or a certificate: its folded Subject alone, so that
 * a name without an issuer part finds its certificates under the same
 * key; the issuer is compared by sel_matches.
 */
static unsigned long long
name_hash(const char *sub, size_t slen)
{
	return fold_hash(FNV_BASIS, sub, slen);
}

/* The hash of c's names; 0, or -1 when they don't decode. */
static int
cert_hash(struct cert *c, unsigned long long *h)
{
	const char *iss, *sub;
	size_t	    ilen, slen;

	if ((iss = cert_get0_issuer(c, &ilen)) == NULL ||
	    (sub = cert_get0_subject(c, &slen)) == NULL)
		return -1;
	*h = name_hash(sub, slen);
	return 0;
}

/*
 * By hash, then position (in the store, or among the names), so that
 * equal hashes come out in their original order.
 */
static int
entrycmp(const void *a, const void *b)
{
	const struct sel_entry *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The first of the n sorted entries v whose hash is h, or n. */
static size_t
first_hash(const struct sel_entry *v, size_t n, unsigned long long h)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct sel_index *
sel_index_empty(void)
{
	return calloc(1, sizeof(struct sel_index));
}

void
sel_index_add(void *arg, size_t i, struct cert *c)
{
	struct sel_index  *ix = arg;
	unsigned long long h;

	if (cert_hash(c, &h) == 0 &&
	    entry_push(&ix->v, &ix->n, &ix->cap, h, i) == -1)
		ix->failed = 1;
}

int
sel_index_done(struct sel_index *ix, struct store *st)
{
	if (ix->failed)
		return -1;
	ix->st = st;
	/* With nothing added ix->v is NULL, which qsort may not be given. */
	if (ix->n > 1)
		qsort(ix->v, ix->n, sizeof(*ix->v), entrycmp);
	return 0;
}

struct sel_index *
sel_index_new(struct store *st)
{
	struct sel_index *ix;
	size_t		  i;

	if ((ix = sel_index_empty()) == NULL)
		return NULL;
	for (i = 0; i < store_count(st); i++)
		sel_index_add(ix, i, store_get0(st, i));
	if (sel_index_done(ix, st) == -1) {
		sel_index_free(ix);
		return NULL;
	}
	return ix;
}

void
sel_index_free(struct sel_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->v);
	free(ix);
}

struct cert **
sel_index_select(struct sel_index *ix, const struct sel_name *n, time_t at,
		 size_t *np)
{
	struct cert	 **v = NULL, *c;
	unsigned long long h;
	size_t		   lo, cnt = 0, cap = 0;

	h = name_hash(n->subject, n->slen);
	/* Equal hashes are candidates; the folded comparison decides. */
	for (lo = first_hash(ix->v, ix->n, h);
	     lo < ix->n && ix->v[lo].hash == h; lo++) {
		if ((c = store_get0(ix->st, ix->v[lo].i)) == NULL ||
		    sel_matches(c, n) != 1)
			continue;
		if (push(&v, &cnt, &cap, c) == -1) {
			free(v);
			*np = (size_t)-1;
			return NULL;
		}
	}
	return finish(v, cnt, at, np);
}

struct sel_names {
	const struct sel_name *names;
	struct sel_entry      *v; /* i: position among the names */
	size_t		       n;
};

struct sel_names *
sel_names_new(const struct sel_name *names, const int *ok, size_t n)
{
	struct sel_names *ix;
	size_t		  i;

	if ((ix = calloc(1, sizeof(*ix))) == NULL ||
	    (ix->v = calloc(n + 1, sizeof(*ix->v))) == NULL) {
		sel_names_free(ix);
		return NULL;
	}
	ix->names = names;
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		ix->v[ix->n].hash = name_hash(names[i].subject, names[i].slen);
		ix->v[ix->n++].i = i;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), entrycmp);
	return ix;
}

void
sel_names_free(struct sel_names *ix)
{
	if (ix == NULL)
		return;
	free(ix->v);
	free(ix);
}

size_t *
sel_names_find(struct sel_names *ix, struct cert *c, size_t *np)
{
	unsigned long long h;
	size_t		  *v = NULL, lo, cnt = 0, cap = 0;

	*np = 0;
	if (cert_hash(c, &h) == -1)
		return NULL;
	/* Equal hashes are candidates; the folded comparison decides. */
	for (lo = first_hash(ix->v, ix->n, h);
	     lo < ix->n && ix->v[lo].hash == h; lo++) {
		if (sel_matches(c, &ix->names[ix->v[lo].i]) != 1)
			continue;
		if (pos_push(&v, &cnt, &cap, ix->v[lo].i) == -1) {
			free(v);
			*np = (size_t)-1;
			return NULL;
		}
	}
	*np = cnt;
	return v;
}

struct sel_hosts {
	size_t		  count; /* certificates in the store */
	struct sel_entry *v;	 /* i: position in the store */
	size_t		  n, cap;
	size_t		 *always; /* candidates for every host */
	size_t		  nalways, capalways;
	int		  failed; /* memory ran out in sel_hosts_add */
};

/* FNV-1a over (s, len) in ASCII lower case, continuing from h. */
static unsigned long long
lower_hash(unsigned long long h, const char *s, size_t len)
{
	unsigned char c;
	size_t	      i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 'a' - 'A');
		h = fnv_step(h, c);
	}
	return h;
}

/*
 * The key of "*." and rest: filed apart from the names it covers, by a
 * first value no byte of a name hashes.
 */
static unsigned long long
wild_key(const char *rest, size_t len)
{
	return lower_hash(fnv_step(FNV_BASIS, 0x100), rest, len);
}

/* The key a certificate's DNS name is filed under. */
static unsigned long long
host_key(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '*' && s[1] == '.')
		return wild_key(s + 2, len - 2);
	return lower_hash(FNV_BASIS, s, len);
}

struct sel_hosts *
sel_hosts_empty(void)
{
	return calloc(1, sizeof(struct sel_hosts));
}

void
sel_hosts_add(void *arg, size_t i, struct cert *c)
{
	struct sel_hosts *hx = arg;
	struct cert_names cn;
	size_t		  k;

	if (cert_get_dns_names(c, &cn) == 0 && cn.n > 0) {
		for (k = 0; k < cn.n; k++)
			if (entry_push(&hx->v, &hx->n, &hx->cap,
				       host_key(cn.s[k], cn.len[k]), i) == -1)
				hx->failed = 1;
		cert_names_free(&cn);
		return;
	}
	if (pos_push(&hx->always, &hx->nalways, &hx->capalways, i) == -1)
		hx->failed = 1;
}

int
sel_hosts_done(struct sel_hosts *hx, struct store *st)
{
	if (hx->failed)
		return -1;
	hx->count = store_count(st);
	if (hx->n > 1)
		qsort(hx->v, hx->n, sizeof(*hx->v), entrycmp);
	return 0;
}

struct sel_hosts *
sel_hosts_new(struct store *st)
{
	struct sel_hosts *hx;
	size_t		  i;

	if ((hx = sel_hosts_empty()) == NULL)
		return NULL;
	for (i = 0; i < store_count(st); i++)
		sel_hosts_add(hx, i, store_get0(st, i));
	if (sel_hosts_done(hx, st) == -1) {
		sel_hosts_free(hx);
		return NULL;
	}
	return hx;
}

void
sel_hosts_free(struct sel_hosts *hx)
{
	if (hx == NULL)
		return;
	free(hx->v);
	free(hx->always);
	free(hx);
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

size_t *
sel_hosts_find(struct sel_hosts *hx, const struct host *h, size_t *np)
{
	unsigned long long key[2];
	const char	  *dot;
	size_t		  *v = NULL, cnt = 0, cap = 0, lo, k, nkeys = 1;

	*np = (size_t)-1;
	if (h->kind != HOST_DNS) {
		if ((v = calloc(hx->count + 1, sizeof(*v))) == NULL)
			return NULL;
		for (cnt = 0; cnt < hx->count; cnt++)
			v[cnt] = cnt;
		*np = cnt;
		return v;
	}
	key[0] = host_key(h->name, h->namelen);
	/* "*.rest" covers "label.rest": the key of "*." and rest. */
	if ((dot = memchr(h->name, '.', h->namelen)) != NULL) {
		key[1] =
		    wild_key(dot + 1, h->namelen - (size_t)(dot + 1 - h->name));
		nkeys = 2;
	}
	for (k = 0; k < hx->nalways; k++)
		if (pos_push(&v, &cnt, &cap, hx->always[k]) == -1)
			goto fail;
	for (k = 0; k < nkeys; k++)
		for (lo = first_hash(hx->v, hx->n, key[k]);
		     lo < hx->n && hx->v[lo].hash == key[k]; lo++)
			if (pos_push(&v, &cnt, &cap, hx->v[lo].i) == -1)
				goto fail;
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_size);
	/* One certificate may be filed under several of the keys. */
	for (lo = k = 0; k < cnt; k++)
		if (lo == 0 || v[lo - 1] != v[k])
			v[lo++] = v[k];
	*np = lo;
	return v;
fail:
	free(v);
	return NULL;
}

void
sel_both_add(void *arg, size_t i, struct cert *c)
{
	struct sel_both *b = arg;

	sel_index_add(b->ix, i, c);
	sel_hosts_add(b->hx, i, c);
}
