/*
 * exchange: which certificate Exchange presents (certbind(1) WHAT
 * EXCHANGE DOES).  The rules are Exchange's; where it leaves an order to
 * the Windows store, certbind's preference (sel_cmp) stands in, and the
 * callers say that Exchange may pick any of ntop.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "cert.h"
#include "checks.h"
#include "exchange.h"
#include "hostname.h"
#include "select.h"
#include "store.h"

void
exch_pick_release(struct exch_pick *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].why);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/*
 * The order of the candidates: the valid ones first; with no name
 * (by_host), an exact name before a wildcard and a certificate issued
 * by a CA before a self-signed one, as Exchange ranks them; then
 * sel_cmp, standing in for the Windows store's order.
 */
struct order {
	time_t at;
	int    by_host;
};

static int
order(const void *a, const void *b, void *arg)
{
	const struct exch_cand *x = a, *y = b;
	const struct order     *o = arg;

	if ((x->why == NULL) != (y->why == NULL))
		return x->why == NULL ? -1 : 1;
	if (o->by_host && x->wildcard != y->wildcard)
		return x->wildcard - y->wildcard;
	if (o->by_host && x->self_signed != y->self_signed)
		return x->self_signed - y->self_signed;
	return sel_cmp(x->c, y->c, o->at);
}

/*
 * Fills p from the n candidates v (wild[i]: v[i] covers the host by a
 * wildcard only; NULL by name): each is asked whether Exchange counts it
 * as valid, then they are put in order and ntop counted.  0 or -1 (p is
 * then released).
 */
static int
fill(struct cert **v, const int *wild, size_t n, const struct check_opts *o,
     struct exch_pick *p)
{
	struct order ord = {o->at, wild != NULL};
	size_t	     i;
	int	     r;

	memset(p, 0, sizeof(*p));
	if (n == 0)
		return 0;
	if ((p->v = calloc(n, sizeof(*p->v))) == NULL)
		return -1;
	p->n = n;
	for (i = 0; i < n; i++) {
		p->v[i].c = v[i];
		p->v[i].wildcard = wild != NULL && wild[i];
		p->v[i].self_signed = cert_is_self_signed(v[i]) == 1;
		if ((r = checks_exchange_valid(v[i], o, &p->v[i].why)) == -1) {
			exch_pick_release(p);
			return -1;
		}
		p->nvalid += r == 1;
	}
	qsort_r(p->v, n, sizeof(*p->v), order, &ord);
	/* By name every valid one has the name: the store's order decides. */
	for (p->ntop = p->nvalid > 0; p->ntop < p->nvalid; p->ntop++)
		if (wild != NULL &&
		    (p->v[p->ntop].wildcard != p->v[0].wildcard ||
		     p->v[p->ntop].self_signed != p->v[0].self_signed))
			break;
	return 0;
}

int
exch_by_name(struct sel_index *ix, const struct sel_name *nm,
	     const struct check_opts *o, struct exch_pick *p)
{
	struct cert **v;
	size_t	      n;
	int	      rc;

	memset(p, 0, sizeof(*p));
	if ((v = sel_index_select(ix, nm, o->at, &n)) == NULL)
		return n == (size_t)-1 ? -1 : 0;
	rc = fill(v, NULL, n, o, p);
	free(v);
	return rc;
}

/*
 * Does c cover h, and only by a wildcard (*wild)?  1 when it covers h,
 * 0 when not, -1 when OpenSSL failed.
 */
static int
covers(struct cert *c, const struct host *h, int *wild)
{
	struct host_match m;
	X509		 *x;
	int		  had = c->x509 != NULL, rc = 0;

	memset(&m, 0, sizeof(m));
	if ((x = cert_get0_x509(c)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	if (host_match_cert(x, h, &m) == -1)
		rc = -1;
	else if (m.matched) {
		*wild = m.identlen >= 2 && m.ident[0] == '*';
		rc = 1;
	}
	host_match_release(&m);
	if (!had)
		cert_drop_x509(c);
	return rc;
}

int
exch_by_host(struct sel_hosts *hx, struct store *st, const struct host *h,
	     const struct check_opts *o, struct exch_pick *p)
{
	struct cert **v = NULL, *c;
	size_t	     *pos, n, i, cnt = 0;
	int	     *wild = NULL, w = 0, r, rc = -1;

	memset(p, 0, sizeof(*p));
	if ((pos = sel_hosts_find(hx, h, &n)) == NULL)
		return n == (size_t)-1 ? -1 : 0;
	if ((v = calloc(n, sizeof(*v))) == NULL ||
	    (wild = calloc(n, sizeof(*wild))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		c = store_get0(st, pos[i]);
		if ((r = covers(c, h, &w)) == -1)
			goto out;
		if (r == 1) {
			wild[cnt] = w;
			v[cnt++] = c;
		}
	}
	rc = fill(v, wild, cnt, o, p);
out:
	free(wild);
	free(v);
	free(pos);
	return rc;
}
