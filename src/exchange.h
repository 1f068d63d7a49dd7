/*
 * exchange: which certificate Exchange itself presents for a connector
 * (certbind(1) WHAT EXCHANGE DOES), for validate, bind, renew and probe.
 *
 * Exchange keeps only the valid certificates (checks_exchange_valid)
 * among those a TlsCertificateName selects and uses the first of them in
 * the Windows store's order, which no one controls: two valid ones are
 * ambiguous, an invalid one is ignored, none is event 12014.  With no
 * TlsCertificateName it searches by the connector's Fqdn: a valid
 * certificate covering it by an exact name before one covering it by a
 * wildcard, one issued by a CA before a self-signed one.
 */
#ifndef EXCHANGE_H
#define EXCHANGE_H

#include <stddef.h>

struct cert;
struct check_opts;
struct host;
struct sel_hosts;
struct sel_index;
struct sel_name;
struct store;

struct exch_cand {
	struct cert *c;
	char	    *why;      /* not valid: why, one line; else NULL */
	int	     wildcard; /* by Fqdn: covered by a wildcard only */
	int	     self_signed;
};

/*
 * The candidates: the valid ones first, in the order Exchange prefers
 * them as far as it has one and then as sel_select orders them, then
 * the ones Exchange ignores.  The first ntop valid ones are those
 * Exchange cannot tell apart: ntop 1 is the certificate it presents,
 * more is ambiguous, 0 (nvalid 0) is event 12014.
 */
struct exch_pick {
	struct exch_cand *v;
	size_t		  n;
	size_t		  nvalid;
	size_t		  ntop;
};

/*
 * What Exchange picks for a TlsCertificateName, through the store's
 * index.  Returns 0 with *p filled (release with exch_pick_release), or
 * -1 when memory ran out.
 */
int exch_by_name(struct sel_index *, const struct sel_name *,
		 const struct check_opts *, struct exch_pick *p);

/*
 * What Exchange picks with no TlsCertificateName, for host h: the
 * certificates of st that cover h (candidates from the hosts index
 * hx), the valid ones ranked by Exchange's preference.  Returns 0 with
 * *p filled, or -1 when memory ran out or OpenSSL failed.
 */
int exch_by_host(struct sel_hosts *hx, struct store *st, const struct host *h,
		 const struct check_opts *, struct exch_pick *p);

void exch_pick_release(struct exch_pick *);

#endif
