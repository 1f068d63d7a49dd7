/*
 * checks: the checks of certbind(1) CHECKS, one function per check, each
 * filling one struct check.  The verdicts come from OpenSSL where it has one
 * (X509_check_host through hostname.c, X509_verify_cert, the decoded
 * extensions); this file only decides what is Pass, Warn or Fail and
 * words the detail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "checks.h"
#include "dn.h"
#include "hostname.h"
#include "store.h"

#define DAY 86400
/* A "covers" list longer than this is cut, saying how many are left. */
#define COVERS_MAX 32

/*
 * Past this many issuer steps from the leaf, no store certificate is
 * offered: OpenSSL's chains stop at the verify depth (100 by default),
 * and a certificate at chain position k is found at step k or earlier.
 */
#define CHAIN_MAX_STEPS 256

/*
 * checks_run frees the X509 it decodes for a leaf, so that validating
 * thousands of connectors does not keep thousands of decoded
 * certificates; connectors next to each other often share one (one
 * server's), so the last few stay here.
 */
#define LEAF_CACHE 8

/* A store certificate by the key of its Subject. */
struct chain_ent {
	uint64_t key;
	size_t	 i; /* store index */
};

/*
 * What Chain needs once per run: the anchors and an index of the store
 * certificates by cert_name_key of their Subject, so that each check
 * hands OpenSSL only the certificates that can be issuers on some path
 * up from the leaf instead of the whole store (OpenSSL copies the
 * untrusted stack and scans it at every step).
 */
struct checks_chain {
	X509_STORE	 *anchors;
	struct store	 *store;
	size_t		  n;	 /* store certificates */
	struct chain_ent *bysub; /* keyed Subjects, by (key, i) */
	size_t		  nbysub;
	size_t		 *unkeyed; /* Subjects without a key */
	size_t		  nunkeyed;
	/* Per check: visited marks (== gen), the work queue. */
	unsigned       *seen;  /* by store index */
	unsigned       *kseen; /* by bysub position of a key */
	unsigned	gen;
	size_t	       *queue;
	unsigned short *step;
	/* The last leaves decoded, by SHA-1, each holding a reference. */
	struct {
		unsigned char sha1[20];
		X509	     *x;
	} leaf[LEAF_CACHE];
	size_t leafnext;
};

/* A growing one-line detail; err is set once memory ran out. */
struct sb {
	char  *buf;
	size_t len;
	size_t cap;
	int    err;
};

static void
sb_grow(struct sb *b, size_t more)
{
	char  *n;
	size_t cap;

	if (b->err || b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((n = realloc(b->buf, cap)) == NULL) {
		b->err = 1;
		return;
	}
	b->buf = n;
	b->cap = cap;
}

/*
 * Appends (s, len) from a certificate.  The detail is a C string, so a
 * NUL byte (a forged name) is written as the text "\x00" rather than
 * cutting the line; everything else is escaped by the output writer.
 */
static void
sb_addn(struct sb *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		sb_grow(b, 4);
		if (b->err)
			return;
		if (s[i] == '\0') {
			memcpy(b->buf + b->len, "\\x00", 4);
			b->len += 4;
		} else
			b->buf[b->len++] = s[i];
		b->buf[b->len] = '\0';
	}
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = 1;
		return;
	}
	sb_grow(b, n);
	if (b->err)
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* Makes the built detail the check's; -1 when memory ran out. */
static int
set(struct check *ck, const char *name, enum check_result r, struct sb *b)
{
	ck->name = name;
	ck->result = r;
	if (b->err || b->buf == NULL) {
		free(b->buf);
		memset(b, 0, sizeof(*b));
		return -1;
	}
	ck->detail = b->buf;
	memset(b, 0, sizeof(*b));
	return 0;
}

/* A check whose detail is a fixed text. */
static int
set_str(struct check *ck, const char *name, enum check_result r,
	const char *detail)
{
	struct sb b;

	memset(&b, 0, sizeof(b));
	sb_printf(&b, "%s", detail);
	return set(ck, name, r, &b);
}

/* Appends the Windows string of name (a hostile one included). */
static void
sb_add_name(struct sb *b, const X509_NAME *name)
{
	char  *s;
	size_t len;

	if ((s = dn_name_to_windows(name, &len)) == NULL) {
		ERR_clear_error();
		sb_printf(b, "?");
		return;
	}
	sb_addn(b, s, len);
	free(s);
}

/*
 * Domain (certbind(1) HOST NAME MATCHING, §9): the identifier that matched, or
 * what the certificate covers so the admin sees why it did not.
 */
static int
check_domain(struct check *ck, X509 *x, const struct host *h)
{
	struct host_match m;
	struct sb	  b;
	enum check_result r;
	size_t		  i;
	int		  rc;

	memset(&b, 0, sizeof(b));
	if (x == NULL)
		return set_str(ck, "Domain", CHECK_FAIL,
			       "cannot decode the certificate");
	if (host_match_cert(x, h, &m) == -1) {
		ERR_clear_error();
		return -1;
	}
	if (m.bad_san) {
		r = CHECK_FAIL;
		sb_printf(&b, "the subject alternative name extension cannot "
			      "be decoded: covers nothing");
	} else if (m.matched && m.by_cn) {
		r = CHECK_WARN;
		sb_printf(&b, "matches the subject CN ");
		sb_addn(&b, m.ident, m.identlen);
		sb_printf(&b, " only: the certificate has no DNS names, which "
			      "current clients require");
	} else if (m.matched) {
		r = CHECK_PASS;
		sb_printf(&b, "matches %s",
			  h->kind == HOST_DNS ? "" : "IP address ");
		sb_addn(&b, m.ident, m.identlen);
	} else {
		r = CHECK_FAIL;
		if (m.ncovers == 0)
			sb_printf(&b, "covers no host names");
		else
			sb_printf(&b, "covers ");
		for (i = 0; i < m.ncovers && i < COVERS_MAX; i++) {
			if (i > 0)
				sb_printf(&b, ", ");
			sb_addn(&b, m.covers[i].name, m.covers[i].len);
		}
		if (m.ncovers > COVERS_MAX)
			sb_printf(&b, " and %zu more", m.ncovers - COVERS_MAX);
		if (m.ncovers > 0 && m.covers[0].kind == HOST_IDENT_CN)
			sb_printf(&b, " (subject CN: no DNS names)");
	}
	rc = set(ck, "Domain", r, &b);
	host_match_release(&m);
	return rc;
}

/* Validity at opts->at, warning within warn_days of NotAfter. */
static int
check_validity(struct check *ck, const struct cert *c,
	       const struct check_opts *o)
{
	struct sb	  b;
	char		  date[32];
	long long	  left, days;
	enum check_result r;

	memset(&b, 0, sizeof(b));
	switch (cert_status(c, o->at)) {
	case CERT_STATUS_EXPIRED:
		cert_format_time(c->not_after, date, sizeof(date));
		r = CHECK_FAIL;
		sb_printf(&b, "expired on %s", date);
		break;
	case CERT_STATUS_NOTYET:
		cert_format_time(c->not_before, date, sizeof(date));
		r = CHECK_FAIL;
		sb_printf(&b, "not valid before %s", date);
		break;
	case CERT_STATUS_VALID:
		cert_format_time(c->not_after, date, sizeof(date));
		left = (long long)c->not_after - (long long)o->at;
		days = left / DAY;
		/* Same rule as list --expiring: NotAfter <= at + days. */
		r = left <= (long long)o->warn_days * DAY ? CHECK_WARN
							  : CHECK_PASS;
		if (r == CHECK_WARN && days == 0)
			sb_printf(&b, "expires in less than a day (%s)", date);
		else if (r == CHECK_WARN)
			sb_printf(&b, "expires in %lld day%s (%s)", days,
				  days == 1 ? "" : "s", date);
		else
			sb_printf(&b, "valid until %s (%lld days)", date, days);
		break;
	default:
		return set_str(ck, "Validity", CHECK_FAIL,
			       "cannot read the dates");
	}
	return set(ck, "Validity", r, &b);
}

static int
check_private_key(struct check *ck, const struct cert *c)
{
	if (c->has_key)
		return set_str(ck, "PrivateKey", CHECK_PASS,
			       "private key in the store");
	return set_str(
	    ck, "PrivateKey", CHECK_FAIL,
	    "no private key in the store (an encrypted one needs the "
	    "passphrase)");
}

/* The names of the EKU purposes of x, comma-separated. */
static void
sb_add_ekus(struct sb *b, X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	const ASN1_OBJECT  *obj;
	const char	   *sn;
	char		    oid[128];
	int		    i, nid;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) ==
	    NULL) {
		ERR_clear_error();
		return;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		/* RFC 5280's names (serverAuth), else the dotted OID. */
		if ((nid = OBJ_obj2nid(obj)) != NID_undef &&
		    (sn = OBJ_nid2sn(nid)) != NULL)
			snprintf(oid, sizeof(oid), "%s", sn);
		else
			OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		sb_printf(b, "%s%s", i ? ", " : "", oid);
	}
	if (i == 0)
		sb_printf(b, "none");
	EXTENDED_KEY_USAGE_free(eku);
}

static const struct {
	uint32_t    bit;
	const char *name;
} ku_names[] = {
    {KU_DIGITAL_SIGNATURE, "digitalSignature"},
    {KU_NON_REPUDIATION, "nonRepudiation"},
    {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
    {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {KU_KEY_AGREEMENT, "keyAgreement"},
    {KU_KEY_CERT_SIGN, "keyCertSign"},
    {KU_CRL_SIGN, "cRLSign"},
    {KU_ENCIPHER_ONLY, "encipherOnly"},
    {KU_DECIPHER_ONLY, "decipherOnly"},
};

static void
sb_add_kus(struct sb *b, uint32_t ku)
{
	size_t i;
	int    any = 0;

	for (i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
		if (ku & ku_names[i].bit) {
			sb_printf(b, "%s%s", any ? ", " : "", ku_names[i].name);
			any = 1;
		}
	if (!any)
		sb_printf(b, "none");
}

/*
 * Usage: the certificate may serve TLS.  An absent extension allows
 * everything (RFC 5280 §4.2.1.3, §4.2.1.12).  RSA may do with
 * keyEncipherment alone (RSA key transport); other keys must sign.
 */
static int
check_usage(struct check *ck, struct cert *c, X509 *x)
{
	struct sb   b;
	uint32_t    eku, ku, want;
	const char *alg;
	int	    bits, rsa, fail = 0;

	memset(&b, 0, sizeof(b));
	if (x == NULL)
		return set_str(ck, "Usage", CHECK_FAIL,
			       "cannot decode the certificate");
	/* Computes OpenSSL's cached extension flags first. */
	eku = X509_get_extended_key_usage(x);
	ku = X509_get_key_usage(x);
	if (X509_get_extension_flags(x) & EXFLAG_INVALID) {
		ERR_clear_error();
		return set_str(
		    ck, "Usage", CHECK_FAIL,
		    "the certificate's extensions cannot be decoded");
	}
	rsa = cert_key_info(c, &alg, &bits) == 0 && strcmp(alg, "RSA") == 0;
	want = KU_DIGITAL_SIGNATURE | (rsa ? KU_KEY_ENCIPHERMENT : 0);

	if (eku != UINT32_MAX && !(eku & (XKU_SSL_SERVER | XKU_ANYEKU))) {
		fail = 1;
		sb_printf(&b, "extended key usage lacks serverAuth: ");
		sb_add_ekus(&b, x);
	}
	if (ku != UINT32_MAX && !(ku & want)) {
		sb_printf(&b, "%skey usage lacks digitalSignature%s: ",
			  fail ? "; " : "", rsa ? " and keyEncipherment" : "");
		fail = 1;
		sb_add_kus(&b, ku);
	}
	if (fail)
		return set(ck, "Usage", CHECK_FAIL, &b);
	if (eku == UINT32_MAX)
		sb_printf(&b, "no extended key usage (any use)");
	else {
		sb_printf(&b, "extended key usage ");
		sb_add_ekus(&b, x);
	}
	if (ku == UINT32_MAX)
		sb_printf(&b, "; no key usage (any use)");
	else {
		sb_printf(&b, "; key usage ");
		sb_add_kus(&b, ku);
	}
	return set(ck, "Usage", CHECK_PASS, &b);
}

static void
chain_free(struct checks_chain *ch)
{
	size_t i;

	if (ch == NULL)
		return;
	X509_STORE_free(ch->anchors);
	for (i = 0; i < LEAF_CACHE; i++)
		X509_free(ch->leaf[i].x);
	free(ch->bysub);
	free(ch->unkeyed);
	free(ch->seen);
	free(ch->kseen);
	free(ch->queue);
	free(ch->step);
	free(ch);
}

static int
entcmp(const void *a, const void *b)
{
	const struct chain_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Indexes the store's certificates by Subject key, from the keys the
 * store took as it loaded.  Returns 0 or -1.
 */
static int
chain_index(struct checks_chain *ch, struct store *st)
{
	uint64_t key, iss;
	size_t	 i, n;

	ch->store = st;
	ch->n = n = st != NULL ? store_count(st) : 0;
	if ((ch->bysub = calloc(n + 1, sizeof(*ch->bysub))) == NULL ||
	    (ch->unkeyed = calloc(n + 1, sizeof(*ch->unkeyed))) == NULL ||
	    (ch->seen = calloc(n + 1, sizeof(*ch->seen))) == NULL ||
	    (ch->kseen = calloc(n + 1, sizeof(*ch->kseen))) == NULL ||
	    (ch->queue = calloc(n + 1, sizeof(*ch->queue))) == NULL ||
	    (ch->step = calloc(n + 1, sizeof(*ch->step))) == NULL)
		return -1;
	/*
	 * The keys were taken as the store loaded: no certificate is read
	 * again here.  One that changed on disk since fails to decode when
	 * it is a candidate and is left out then.
	 */
	for (i = 0; i < n; i++) {
		if (store_name_keys(st, i, &key, &iss) & STORE_KEY_SUBJECT) {
			ch->bysub[ch->nbysub].key = key;
			ch->bysub[ch->nbysub++].i = i;
		} else
			ch->unkeyed[ch->nunkeyed++] = i;
	}
	qsort(ch->bysub, ch->nbysub, sizeof(*ch->bysub), entcmp);
	return 0;
}

/* The chain cache of o; NULL when the anchors cannot be loaded. */
static struct checks_chain *
chain_new(const struct check_opts *o)
{
	struct checks_chain *ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	if ((ch->anchors = X509_STORE_new()) == NULL)
		goto fail;
	if (o->ca_file == NULL && o->ca_path == NULL) {
		if (!X509_STORE_set_default_paths(ch->anchors))
			goto fail;
	} else {
		if (o->ca_file != NULL &&
		    !X509_STORE_load_file(ch->anchors, o->ca_file))
			goto fail;
		if (o->ca_path != NULL &&
		    !X509_STORE_load_path(ch->anchors, o->ca_path))
			goto fail;
	}
	if (chain_index(ch, o->store) == -1)
		goto fail;
	return ch;
fail:
	chain_free(ch);
	return NULL;
}

static int
sizecmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Queues, at step s, each certificate not yet seen whose Subject has key. */
static void
chain_visit(struct checks_chain *ch, uint64_t key, unsigned short s, size_t *nq)
{
	size_t lo = 0, hi = ch->nbysub, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ch->bysub[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ch->nbysub || ch->bysub[lo].key != key ||
	    ch->kseen[lo] == ch->gen)
		return;
	ch->kseen[lo] = ch->gen;
	for (; lo < ch->nbysub && ch->bysub[lo].key == key; lo++) {
		if (ch->seen[ch->bysub[lo].i] == ch->gen)
			continue;
		ch->seen[ch->bysub[lo].i] = ch->gen;
		ch->step[*nq] = s;
		ch->queue[(*nq)++] = ch->bysub[lo].i;
	}
}

/*
 * The store certificates that may be issuers on some path up from c: the
 * closure of "whose Subject key is the Issuer key of one already in",
 * starting at c, in store order (OpenSSL takes the first suitable issuer
 * of the untrusted stack, so the order must be the store's).  An
 * unkeyed Subject is in every closure; an unkeyed Issuer along the way
 * makes it the whole store.  Fills ch->queue; returns how many.
 */
static size_t
chain_candidates(struct checks_chain *ch, struct cert *c)
{
	uint64_t key, sub;
	size_t	 nq = 0, k, i;

	if (++ch->gen == 0) {
		memset(ch->seen, 0, ch->n * sizeof(*ch->seen));
		memset(ch->kseen, 0, ch->n * sizeof(*ch->kseen));
		ch->gen = 1;
	}
	if (cert_name_key(c, &c->issuer, &key) == -1)
		goto all;
	for (k = 0; k < ch->nunkeyed; k++) {
		ch->seen[ch->unkeyed[k]] = ch->gen;
		ch->step[nq] = 1;
		ch->queue[nq++] = ch->unkeyed[k];
	}
	chain_visit(ch, key, 1, &nq);
	for (k = 0; k < nq; k++) {
		i = ch->queue[k];
		if (ch->step[k] >= CHAIN_MAX_STEPS)
			continue;
		/* The store took the keys as it loaded. */
		if (!(store_name_keys(ch->store, i, &sub, &key) &
		      STORE_KEY_ISSUER))
			goto all;
		chain_visit(ch, key, ch->step[k] + 1, &nq);
	}
	qsort(ch->queue, nq, sizeof(*ch->queue), sizecmp);
	return nq;
all:
	for (i = 0; i < ch->n; i++)
		ch->queue[i] = i;
	return ch->n;
}

/*
 * The untrusted intermediates for c: its candidates, decoded (they stay
 * cached on their certificates: the same few intermediates serve every
 * leaf).  NULL when memory ran out.
 */
static STACK_OF(X509) * chain_untrusted(struct checks_chain *ch, struct cert *c,
					STACK_OF(X509) * extra)
{
	STACK_OF(X509) * sk;
	struct cert *ic;
	X509	    *x;
	size_t	     i, n;
	int	     k;

	n = chain_candidates(ch, c);
	if ((sk = sk_X509_new_reserve(NULL, n > 0 ? (int)n : 1)) == NULL)
		return NULL;
	for (k = 0; extra != NULL && k < sk_X509_num(extra); k++) {
		x = sk_X509_value(extra, k);
		if (!X509_up_ref(x))
			goto fail;
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		if ((ic = store_get0(ch->store, ch->queue[i])) == NULL)
			goto fail;
		if ((x = cert_get0_x509(ic)) == NULL) {
			ERR_clear_error();
			continue;
		}
		if (!X509_up_ref(x))
			goto fail;
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto fail;
		}
	}
	return sk;
fail:
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

int
checks_opts_init(struct check_opts *o)
{
	if (o->no_chain || o->chain != NULL)
		return 0;
	if ((o->chain = chain_new(o)) == NULL)
		return -1;
	return 0;
}

void
checks_opts_release(struct check_opts *o)
{
	chain_free(o->chain);
	o->chain = NULL;
}

/*
 * Chain: X509_verify_cert at opts->at with the sslserver purpose, so
 * every certificate of the path must allow TLS server use (an
 * intermediate restricted to other uses fails here, not in Usage).
 * Security level checks are left to Key.  A self-signed certificate is
 * a Warn whether or not it is itself a trust anchor.
 */
static int
check_chain(struct check *ck, struct cert *c, X509 *x,
	    const struct check_opts *o)
{
	struct checks_chain *ch = o->chain, *own = NULL;
	X509_STORE_CTX	    *ctx = NULL;
	X509_VERIFY_PARAM   *param;
	STACK_OF(X509) * path, *untrusted = NULL;
	X509		 *at;
	struct sb	  b;
	unsigned long	  e;
	char		  reason[256];
	enum check_result r;
	int		  ok, err, depth, self, rc = -1;

	memset(&b, 0, sizeof(b));
	if (x == NULL)
		return set_str(ck, "Chain", CHECK_FAIL,
			       "cannot decode the certificate");
	if (ch == NULL && (ch = own = chain_new(o)) == NULL) {
		e = ERR_peek_last_error();
		if (e == 0 || ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			goto out;
		ERR_error_string_n(e, reason, sizeof(reason));
		ERR_clear_error();
		sb_printf(&b, "cannot load the trust anchors: %s", reason);
		rc = set(ck, "Chain", CHECK_FAIL, &b);
		goto out;
	}
	if ((untrusted = chain_untrusted(ch, c, o->untrusted)) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, ch->anchors, x, untrusted) ||
	    !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER))
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, o->at);
	ok = X509_verify_cert(ctx);
	ERR_clear_error();
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	self = cert_is_self_signed(c);

	if (self &&
	    (ok == 1 || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)) {
		r = CHECK_WARN;
		sb_printf(&b, "self-signed%s",
			  ok == 1 ? ", and a trust "
				    "anchor"
				  : ": no trust anchor vouches for it");
	} else if (ok == 1) {
		r = CHECK_PASS;
		path = X509_STORE_CTX_get0_chain(ctx);
		sb_printf(&b, "trusted: %d certificate%s up to ",
			  sk_X509_num(path), sk_X509_num(path) == 1 ? "" : "s");
		sb_add_name(&b, X509_get_subject_name(sk_X509_value(
				    path, sk_X509_num(path) - 1)));
	} else {
		r = CHECK_FAIL;
		sb_printf(&b, "untrusted: %s",
			  X509_verify_cert_error_string(err));
		at = X509_STORE_CTX_get_current_cert(ctx);
		if ((err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		     err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
		    at != NULL) {
			/* The admin's next step: find that certificate. */
			sb_printf(&b, " (missing issuer ");
			sb_add_name(&b, X509_get_issuer_name(at));
			sb_printf(&b, ")");
		} else if (depth > 0 && at != NULL) {
			sb_printf(&b, " (at ");
			sb_add_name(&b, X509_get_subject_name(at));
			sb_printf(&b, ")");
		}
	}
	rc = set(ck, "Chain", r, &b);
out:
	free(b.buf);
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	chain_free(own);
	ERR_clear_error();
	return rc;
}

/* SHA-1 and weaker digests: collisions are practical (SHAttered). */
static const char *
weak_digest(int mdnid)
{
	switch (mdnid) {
	case NID_sha1:
		return "SHA-1";
	case NID_md5:
	case NID_md5_sha1:
		return "MD5";
	case NID_md4:
		return "MD4";
	case NID_md2:
		return "MD2";
	default:
		return NULL;
	}
}

/*
 * Key: RSA under 2048 bits fails; a weak signature digest warns unless
 * the certificate signs itself (a root's or self-signed certificate's
 * own signature is never what a client relies on).
 */
static int
check_key(struct check *ck, struct cert *c, X509 *x)
{
	struct sb	  b;
	const char	 *alg, *sig, *weak = NULL;
	enum check_result r = CHECK_PASS;
	int		  bits, mdnid;

	memset(&b, 0, sizeof(b));
	if (x == NULL || cert_key_info(c, &alg, &bits) == -1)
		return set_str(ck, "Key", CHECK_FAIL,
			       "cannot decode the public key");
	if ((sig = cert_sig_alg(c)) == NULL)
		sig = "unknown signature algorithm";
	if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) == 1)
		weak = weak_digest(mdnid);
	ERR_clear_error();
	if (strcmp(alg, "RSA") == 0 && bits < 2048) {
		r = CHECK_FAIL;
		sb_printf(&b, "RSA %d bits, under the 2048 required", bits);
	} else
		sb_printf(&b, "%s %d bits", alg, bits);
	if (weak != NULL && !cert_is_self_signed(c)) {
		if (r == CHECK_PASS)
			r = CHECK_WARN;
		sb_printf(&b, "; signed with %s (%s), which can be forged",
			  weak, sig);
	} else
		sb_printf(&b, "%s%s", r == CHECK_FAIL ? "; " : ", ", sig);
	return set(ck, "Key", r, &b);
}

/*
 * The decoded c: cached on c, or in ch's leaf cache, or decoded now
 * (and then also kept in the cache).  Borrowed for one checks_run;
 * NULL when c does not decode.
 */
static X509 *
leaf_x509(struct checks_chain *ch, struct cert *c)
{
	X509  *x;
	size_t i;

	if (c->x509 != NULL || ch == NULL)
		return cert_get0_x509(c);
	for (i = 0; i < LEAF_CACHE; i++)
		if (ch->leaf[i].x != NULL &&
		    memcmp(ch->leaf[i].sha1, c->sha1, sizeof(c->sha1)) == 0)
			return ch->leaf[i].x;
	if ((x = cert_get0_x509(c)) == NULL || !X509_up_ref(x))
		return x;
	i = ch->leafnext++ % LEAF_CACHE;
	X509_free(ch->leaf[i].x);
	ch->leaf[i].x = x;
	memcpy(ch->leaf[i].sha1, c->sha1, sizeof(c->sha1));
	return x;
}

/* out->worst from its entries. */
static void
set_worst(struct checks *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		if (out->v[i].result > out->worst)
			out->worst = out->v[i].result;
}

int
checks_run(struct cert *c, const struct host *h, const struct check_opts *o,
	   struct checks *out)
{
	X509 *x;
	int   rc = -1, had;

	memset(out, 0, sizeof(*out));
	had = c->x509 != NULL;
	if ((x = leaf_x509(o->chain, c)) == NULL)
		ERR_clear_error();
	/* No host: the caller reported the Fqdn itself (validate). */
	if (h != NULL) {
		if (check_domain(&out->v[out->n], x, h) == -1)
			goto out;
		out->n++;
	}
	if (check_validity(&out->v[out->n], c, o) == -1)
		goto out;
	out->n++;
	if (!o->no_private_key) {
		if (check_private_key(&out->v[out->n], c) == -1)
			goto out;
		out->n++;
	}
	if (check_usage(&out->v[out->n], c, x) == -1)
		goto out;
	out->n++;
	if (!o->no_chain) {
		if (check_chain(&out->v[out->n], c, x, o) == -1)
			goto out;
		out->n++;
	}
	if (check_key(&out->v[out->n], c, x) == -1)
		goto out;
	out->n++;
	set_worst(out);
	rc = 0;
out:
	/*
	 * What this call decoded onto c goes (see LEAF_CACHE); decoded
	 * issuers stay cached, as the same few serve every leaf.
	 */
	if (!had)
		cert_drop_x509(c);
	if (rc == -1)
		checks_release(out);
	return rc;
}

int
checks_run_common(struct cert *c, const struct host *h,
		  const struct checks *common, struct checks *out)
{
	X509  *x;
	size_t i;
	int    rc = -1;

	memset(out, 0, sizeof(*out));
	if (common->n + 1 > CHECKS_MAX)
		goto out;
	if ((x = cert_get0_x509(c)) == NULL)
		ERR_clear_error();
	if (check_domain(&out->v[out->n], x, h) == -1)
		goto out;
	out->n++;
	for (i = 0; i < common->n; i++) {
		out->v[out->n] = common->v[i];
		if ((out->v[out->n].detail = strdup(common->v[i].detail)) ==
		    NULL)
			goto out;
		out->n++;
	}
	set_worst(out);
	rc = 0;
out:
	if (rc == -1)
		checks_release(out);
	return rc;
}

int
checks_addf(struct checks *cs, const char *name, enum check_result r,
	    const char *fmt, ...)
{
	va_list ap;
	char   *d;
	int	n;

	if (cs->n == CHECKS_MAX)
		return -1;
	va_start(ap, fmt);
	n = vasprintf(&d, fmt, ap);
	va_end(ap);
	if (n == -1)
		return -1;
	cs->v[cs->n].name = name;
	cs->v[cs->n].result = r;
	cs->v[cs->n++].detail = d;
	if (r > cs->worst)
		cs->worst = r;
	return 0;
}

void
checks_release(struct checks *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		free(cs->v[i].detail);
	memset(cs, 0, sizeof(*cs));
}

const char *
check_result_name(enum check_result r)
{
	switch (r) {
	case CHECK_PASS:
		return "Pass";
	case CHECK_WARN:
		return "Warn";
	case CHECK_FAIL:
		return "Fail";
	default:
		return "Fail";
	}
}
