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
	/*
	 * Every Chain result of the run, by SHA-1 and purpose: Exchange's
	 * pick (checks_exchange_valid) and the checks of the certificate
	 * it picks ask for the same one.  Open addressing, at most half
	 * full.
	 */
	struct chain_memo {
		unsigned char	  sha1[20];
		int		  used, client;
		enum check_result r;
		char		 *detail;
	} * memo;
	size_t nmemo, capmemo;
};

/*
 * A check's detail as it is written: a memory stream (open_memstream),
 * whose text set() makes the check's.
 */
struct detail {
	FILE  *fp;
	char  *buf;
	size_t len;
};

/* Opens d for writing; -1 when memory ran out. */
static int
detail_open(struct detail *d)
{
	d->buf = NULL;
	d->len = 0;
	return (d->fp = open_memstream(&d->buf, &d->len)) == NULL ? -1 : 0;
}

/*
 * Closes d and makes its text the check's detail.  Returns 0, or -1 when
 * memory ran out (the text is then freed).
 */
static int
set(struct check *ck, const char *name, enum check_result r, struct detail *d)
{
	int bad;

	ck->name = name;
	ck->result = r;
	bad = ferror(d->fp);
	if (fclose(d->fp) != 0 || bad) {
		free(d->buf);
		return -1;
	}
	ck->detail = d->buf;
	return 0;
}

/* A check whose detail is a fixed text. */
static int
set_str(struct check *ck, const char *name, enum check_result r,
	const char *detail)
{
	ck->name = name;
	ck->result = r;
	return (ck->detail = strdup(detail)) == NULL ? -1 : 0;
}

/*
 * Writes (s, len) from a certificate.  The detail is a C string, so a
 * NUL byte (a forged name) is written as the text "\x00" rather than
 * cutting the line; everything else is escaped by the output writer.
 */
static void
put_cert_text(FILE *fp, const char *s, size_t len)
{
	const char *nul;

	while (len > 0 && (nul = memchr(s, '\0', len)) != NULL) {
		fwrite(s, 1, (size_t)(nul - s), fp);
		fputs("\\x00", fp);
		len -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	if (len > 0)
		fwrite(s, 1, len, fp);
}

/* Writes the Windows string of name (a hostile one included). */
static void
put_name(FILE *fp, const X509_NAME *name)
{
	char  *s;
	size_t len;

	if ((s = dn_name_to_windows(name, &len)) == NULL) {
		ERR_clear_error();
		fputs("?", fp);
		return;
	}
	put_cert_text(fp, s, len);
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
	struct detail	  d;
	enum check_result r;
	size_t		  i;
	int		  rc;

	if (x == NULL)
		return set_str(ck, "Domain", CHECK_FAIL,
			       "cannot decode the certificate");
	if (host_match_cert(x, h, &m) == -1) {
		ERR_clear_error();
		return -1;
	}
	if (detail_open(&d) == -1) {
		host_match_release(&m);
		return -1;
	}
	if (m.bad_san) {
		r = CHECK_FAIL;
		fputs("the subject alternative name extension cannot "
		      "be decoded: covers nothing",
		      d.fp);
	} else if (m.matched && m.by_cn) {
		r = CHECK_WARN;
		fputs("matches the subject CN ", d.fp);
		put_cert_text(d.fp, m.ident, m.identlen);
		fputs(" only: the certificate has no DNS names, which "
		      "current clients require",
		      d.fp);
	} else if (m.matched) {
		r = CHECK_PASS;
		fprintf(d.fp, "matches %s",
			h->kind == HOST_DNS ? "" : "IP address ");
		put_cert_text(d.fp, m.ident, m.identlen);
	} else {
		r = CHECK_FAIL;
		fprintf(d.fp, "does not cover %s; ", h->name);
		if (m.why != NULL)
			fprintf(d.fp, "%s; ", m.why);
		if (m.ncovers == 0)
			fputs("it covers no host names", d.fp);
		else
			fputs("it covers ", d.fp);
		for (i = 0; i < m.ncovers && i < COVERS_MAX; i++) {
			if (i > 0)
				fputs(", ", d.fp);
			put_cert_text(d.fp, m.covers[i].name, m.covers[i].len);
		}
		if (m.ncovers > COVERS_MAX)
			fprintf(d.fp, " and %zu more", m.ncovers - COVERS_MAX);
		if (m.ncovers > 0 && m.covers[0].kind == HOST_IDENT_CN)
			fputs(" (subject CN: no DNS names)", d.fp);
	}
	rc = set(ck, "Domain", r, &d);
	host_match_release(&m);
	return rc;
}

/* Validity at opts->at, warning within warn_days of NotAfter. */
static int
check_validity(struct check *ck, const struct cert *c,
	       const struct check_opts *o)
{
	struct detail	  d;
	char		  date[32];
	long long	  left, days;
	enum check_result r;

	if (detail_open(&d) == -1)
		return -1;
	switch (cert_status(c, o->at)) {
	case CERT_STATUS_EXPIRED:
		cert_format_time(c->not_after, date, sizeof(date));
		r = CHECK_FAIL;
		fprintf(d.fp, "expired on %s", date);
		break;
	case CERT_STATUS_NOTYET:
		cert_format_time(c->not_before, date, sizeof(date));
		r = CHECK_FAIL;
		fprintf(d.fp, "not valid before %s", date);
		break;
	case CERT_STATUS_VALID:
		cert_format_time(c->not_after, date, sizeof(date));
		left = (long long)c->not_after - (long long)o->at;
		days = left / DAY;
		/* Same rule as list --expiring: NotAfter <= at + days. */
		r = left <= (long long)o->warn_days * DAY ? CHECK_WARN
							  : CHECK_PASS;
		if (r == CHECK_WARN && days == 0)
			fprintf(d.fp, "expires in less than a day (%s)", date);
		else if (r == CHECK_WARN)
			fprintf(d.fp, "expires in %lld day%s (%s)", days,
				days == 1 ? "" : "s", date);
		else
			fprintf(d.fp, "valid until %s (%lld days)", date, days);
		break;
	default:
		r = CHECK_FAIL;
		fputs("cannot read the dates", d.fp);
		break;
	}
	return set(ck, "Validity", r, &d);
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

/* Writes the names of the EKU purposes of x, comma-separated. */
static void
put_ekus(FILE *fp, X509 *x)
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
		fprintf(fp, "%s%s", i ? ", " : "", oid);
	}
	if (i == 0)
		fputs("none", fp);
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
put_kus(FILE *fp, uint32_t ku)
{
	size_t i;
	int    any = 0;

	for (i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
		if (ku & ku_names[i].bit) {
			fprintf(fp, "%s%s", any ? ", " : "", ku_names[i].name);
			any = 1;
		}
	if (!any)
		fputs("none", fp);
}

/*
 * Usage: the certificate may serve TLS.  An absent extension allows
 * everything (RFC 5280 §4.2.1.3, §4.2.1.12).  RSA may do with
 * keyEncipherment alone (RSA key transport); other keys must sign.
 */
static int
check_usage(struct check *ck, struct cert *c, X509 *x,
	    const struct check_opts *o)
{
	struct detail d;
	uint32_t      eku, ku, want;
	const char   *alg;
	int	      bits, rsa, fail = 0;

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

	if (detail_open(&d) == -1)
		return -1;
	if (!o->client && eku != UINT32_MAX &&
	    !(eku & (XKU_SSL_SERVER | XKU_ANYEKU))) {
		fail = 1;
		fputs("extended key usage lacks serverAuth: ", d.fp);
		put_ekus(d.fp, x);
	}
	if (ku != UINT32_MAX && !(ku & want)) {
		fprintf(d.fp, "%skey usage lacks digitalSignature%s: ",
			fail ? "; " : "", rsa ? " and keyEncipherment" : "");
		fail = 1;
		put_kus(d.fp, ku);
	}
	if (fail)
		return set(ck, "Usage", CHECK_FAIL, &d);
	/* A send connector's certificate is a TLS client certificate. */
	if (o->client && eku != UINT32_MAX &&
	    !(eku & (XKU_SSL_CLIENT | XKU_ANYEKU))) {
		fputs("extended key usage lacks clientAuth (", d.fp);
		put_ekus(d.fp, x);
		fputs("), and a send connector presents its certificate as a "
		      "TLS client certificate: a server that asks for one may "
		      "refuse it (public CAs have been dropping clientAuth "
		      "from their server certificates)",
		      d.fp);
		return set(ck, "Usage", CHECK_WARN, &d);
	}
	if (eku == UINT32_MAX)
		fputs("no extended key usage (any use)", d.fp);
	else {
		fputs("extended key usage ", d.fp);
		put_ekus(d.fp, x);
	}
	if (ku == UINT32_MAX)
		fputs("; no key usage (any use)", d.fp);
	else {
		fputs("; key usage ", d.fp);
		put_kus(d.fp, ku);
	}
	return set(ck, "Usage", CHECK_PASS, &d);
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
	for (i = 0; i < ch->capmemo; i++)
		free(ch->memo[i].detail);
	free(ch->memo);
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
 * certbind(1) CHECKS, Chain: where the missing issuer of the certificate at
 * depth should have come from.  A leaf read from a PKCS#12 file whose issuer
 * is in no file of the store was exported without its chain; otherwise the
 * issuer is simply not in the store.  Nothing for what a server presented
 * (probe), whose chain the store does not mend.
 */
static void
put_missing_advice(FILE *fp, const struct cert *c, const struct check_opts *o,
		   int depth)
{
	if (o->store == NULL || o->untrusted != NULL)
		return;
	if (depth == 0 && store_from_pkcs12(o->store, c->sha1))
		fputs("; the PFX was exported without its chain: export it "
		      "again with all certificates in the certification "
		      "path, or add the issuer's certificate to the store",
		      fp);
	else
		fputs("; it is not in the store: add the issuer's "
		      "certificate to the store, or to --ca-file if it is a "
		      "root",
		      fp);
}

/* The slot of (sha1, client) in ch's memo: its entry, or the free one. */
static struct chain_memo *
memo_slot(struct chain_memo *v, size_t cap, const unsigned char *sha1,
	  int client)
{
	size_t i;

	memcpy(&i, sha1, sizeof(i));
	for (i = (i ^ (size_t)client) % cap;; i = (i + 1) % cap)
		if (!v[i].used ||
		    (v[i].client == client && memcmp(v[i].sha1, sha1, 20) == 0))
			return &v[i];
}

/* Keeps ck as c's Chain result; a failure only costs the memo. */
static void
memo_put(struct checks_chain *ch, const struct cert *c, int client,
	 const struct check *ck)
{
	struct chain_memo *v, *m;
	size_t		   i, cap;

	if (2 * (ch->nmemo + 1) > ch->capmemo) {
		cap = ch->capmemo ? 2 * ch->capmemo : 64;
		if ((v = calloc(cap, sizeof(*v))) == NULL)
			return;
		for (i = 0; i < ch->capmemo; i++)
			if (ch->memo[i].used)
				*memo_slot(v, cap, ch->memo[i].sha1,
					   ch->memo[i].client) = ch->memo[i];
		free(ch->memo);
		ch->memo = v;
		ch->capmemo = cap;
	}
	m = memo_slot(ch->memo, ch->capmemo, c->sha1, client);
	if (m->used || (m->detail = strdup(ck->detail)) == NULL)
		return;
	memcpy(m->sha1, c->sha1, 20);
	m->used = 1;
	m->client = client;
	m->r = ck->result;
	ch->nmemo++;
}

/*
 * Chain: X509_verify_cert at opts->at with the sslserver purpose, so
 * every certificate of the path must allow TLS server use (an
 * intermediate restricted to other uses fails here, not in Usage).  A
 * client certificate (a send connector's) is verified for any purpose:
 * Usage says what its EKU lacks.
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
	X509		  *at;
	struct detail	   d;
	unsigned long	   e;
	char		   reason[256];
	enum check_result  r;
	struct chain_memo *m;
	int		   ok, err, depth, self, rc = -1;

	if (x == NULL)
		return set_str(ck, "Chain", CHECK_FAIL,
			       "cannot decode the certificate");
	if (ch != NULL && ch->capmemo > 0 &&
	    (m = memo_slot(ch->memo, ch->capmemo, c->sha1, o->client))->used)
		return set_str(ck, "Chain", m->r, m->detail);
	if (ch == NULL && (ch = own = chain_new(o)) == NULL) {
		e = ERR_peek_last_error();
		if (e == 0 || ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			goto out;
		ERR_error_string_n(e, reason, sizeof(reason));
		ERR_clear_error();
		if (detail_open(&d) == -1)
			goto out;
		fprintf(d.fp, "cannot load the trust anchors: %s", reason);
		rc = set(ck, "Chain", CHECK_FAIL, &d);
		goto out;
	}
	if ((untrusted = chain_untrusted(ch, c, o->untrusted)) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, ch->anchors, x, untrusted) ||
	    !X509_STORE_CTX_set_purpose(
		ctx, o->client ? X509_PURPOSE_ANY : X509_PURPOSE_SSL_SERVER))
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, o->at);
	ok = X509_verify_cert(ctx);
	ERR_clear_error();
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	self = cert_is_self_signed(c);

	if (detail_open(&d) == -1)
		goto out;
	if (self &&
	    (ok == 1 || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)) {
		r = CHECK_WARN;
		fprintf(d.fp, "self-signed%s",
			ok == 1 ? ", and a trust "
				  "anchor"
				: ": no trust anchor vouches for it");
	} else if (ok == 1) {
		r = CHECK_PASS;
		path = X509_STORE_CTX_get0_chain(ctx);
		fprintf(d.fp, "trusted: %d certificate%s up to ",
			sk_X509_num(path), sk_X509_num(path) == 1 ? "" : "s");
		put_name(d.fp, X509_get_subject_name(
				   sk_X509_value(path, sk_X509_num(path) - 1)));
	} else {
		r = CHECK_FAIL;
		fprintf(d.fp, "untrusted: %s",
			X509_verify_cert_error_string(err));
		at = X509_STORE_CTX_get_current_cert(ctx);
		if ((err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		     err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
		    at != NULL) {
			/* The admin's next step: find that certificate. */
			fputs(" (missing issuer ", d.fp);
			put_name(d.fp, X509_get_issuer_name(at));
			fputs(")", d.fp);
			put_missing_advice(d.fp, c, o, depth);
		} else if (depth > 0 && at != NULL) {
			fputs(" (at ", d.fp);
			put_name(d.fp, X509_get_subject_name(at));
			fputs(")", d.fp);
		}
	}
	if ((rc = set(ck, "Chain", r, &d)) == 0 && own == NULL)
		memo_put(ch, c, o->client, ck);
out:
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
	struct detail	  d;
	const char	 *alg, *sig, *weak = NULL;
	enum check_result r = CHECK_PASS;
	int		  bits, mdnid;

	if (x == NULL || cert_key_info(c, &alg, &bits) == -1)
		return set_str(ck, "Key", CHECK_FAIL,
			       "cannot decode the public key");
	if ((sig = cert_sig_alg(c)) == NULL)
		sig = "unknown signature algorithm";
	if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) == 1)
		weak = weak_digest(mdnid);
	ERR_clear_error();
	if (detail_open(&d) == -1)
		return -1;
	if (strcmp(alg, "RSA") == 0 && bits < 2048) {
		r = CHECK_FAIL;
		fprintf(d.fp, "RSA %d bits, under the 2048 required", bits);
	} else
		fprintf(d.fp, "%s %d bits", alg, bits);
	if (weak != NULL && !cert_is_self_signed(c)) {
		if (r == CHECK_PASS)
			r = CHECK_WARN;
		fprintf(d.fp, "; signed with %s (%s), which can be forged",
			weak, sig);
	} else
		fprintf(d.fp, "%s%s", r == CHECK_FAIL ? "; " : ", ", sig);
	return set(ck, "Key", r, &d);
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

int
checks_exchange_valid(struct cert *c, const struct check_opts *o, char **why)
{
	struct check ck;
	X509	    *x;
	char	     date[32];
	int	     had, rc = -1;

	*why = NULL;
	switch (cert_status(c, o->at)) {
	case CERT_STATUS_VALID:
		break;
	case CERT_STATUS_EXPIRED:
		cert_format_time(c->not_after, date, sizeof(date));
		return asprintf(why, "expired on %s", date) < 0 ? -1 : 0;
	case CERT_STATUS_NOTYET:
		cert_format_time(c->not_before, date, sizeof(date));
		return asprintf(why, "not valid before %s", date) < 0 ? -1 : 0;
	default:
		return (*why = strdup("its dates cannot be read")) == NULL ? -1
									   : 0;
	}
	if (o->no_chain)
		return 1;
	memset(&ck, 0, sizeof(ck));
	had = c->x509 != NULL;
	if ((x = leaf_x509(o->chain, c)) == NULL)
		ERR_clear_error();
	if (check_chain(&ck, c, x, o) == 0) {
		/* Self-signed is a Warn: Exchange trusts its own (CHECKS). */
		if (ck.result == CHECK_FAIL) {
			*why = ck.detail;
			ck.detail = NULL;
			rc = 0;
		} else
			rc = 1;
	}
	free(ck.detail);
	if (!had)
		cert_drop_x509(c);
	return rc;
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
	if (check_usage(&out->v[out->n], c, x, o) == -1)
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
