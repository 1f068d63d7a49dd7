/*
 * select: which certificates a TLS certificate name selects (certbind(1)
 * SELECTION).
 * "<I>issuer<S>subject" selects every certificate whose Issuer and
 * Subject strings equal the two parts, compared case-insensitively as
 * Exchange compares them ("<S>subject": the Subject alone); several are
 * ordered by preference.  Which of them Exchange uses is exchange.h's
 * business.
 */
#ifndef SELECT_H
#define SELECT_H

#include <stddef.h>
#include <time.h>

struct cert;
struct store;

/*
 * The two parts of a TLS certificate name, as spans into it.  A name
 * "<S>subject" has no issuer part: any_issuer is set, issuer is NULL,
 * and it selects that subject under any issuer.
 */
struct sel_name {
	const char *issuer;
	size_t	    ilen;
	const char *subject;
	size_t	    slen;
	int	    any_issuer;
};

/*
 * Splits (s, len) into issuer and subject: "<I>issuer<S>subject", with
 * "<S>" outside any quoted value, or "<S>subject" alone, tags in any
 * case.  Returns 0, or -1 with *why a static message.
 */
int sel_parse(const char *s, size_t len, struct sel_name *out,
	      const char **why);

/*
 * Would Exchange's Set-ReceiveConnector accept (s, len) as a
 * TlsCertificateName (certbind(1) SELECTION)?  The
 * grammar is ^(<I>([^<]+))?(<S>(.+)), tags in any case; the subject part
 * must hold "CN=" (in any case), and its first CN= value, up to the next
 * ',' or the end, must be a domain name or "*." and a domain name.
 * Returns 1 when it would, 0 with *why a static lower-case message
 * saying why it would not.
 */
int sel_exchange_accepts(const char *s, size_t len, const char **why);

/* 1 when the name selects c, 0 when not, -1 when c's names don't decode. */
int sel_matches(struct cert *c, const struct sel_name *);

/*
 * The preference between two certificates: valid at t and with a private
 * key first, then the latest NotAfter, the latest NotBefore, the lowest
 * Thumbprint.  Negative when x comes first, as for qsort.
 */
int sel_cmp(const struct cert *x, const struct cert *y, time_t t);

/*
 * Every certificate of the store the name selects, best first (sel_cmp).
 * Returns a new array (caller frees) of *n entries (NULL with *n == 0 when
 * none), or NULL with *n == (size_t)-1 when memory ran out.
 */
struct cert **sel_select(struct store *, const struct sel_name *, time_t at,
			 size_t *np);

/*
 * An index of a store's certificates by their folded (Issuer, Subject),
 * built in one pass, so that selecting for thousands of connectors does
 * not scan the store again for each.  The store must outlive it.  NULL
 * when memory ran out.
 */
struct sel_index;
struct sel_index *sel_index_new(struct store *);
void		  sel_index_free(struct sel_index *);
/*
 * The same index built while the store loads, so that no certificate is
 * read twice: sel_index_empty, then sel_index_add as the store's `each`
 * function (struct store_opts) with the index as its argument, then
 * sel_index_done once the store is loaded.  sel_index_done returns 0,
 * or -1 when memory ran out along the way.
 */
struct sel_index *sel_index_empty(void);
void		  sel_index_add(void *ix, size_t i, struct cert *c);
int		  sel_index_done(struct sel_index *, struct store *);
/* sel_select through the index: the same result, the same order. */
struct cert **sel_index_select(struct sel_index *, const struct sel_name *,
			       time_t at, size_t *np);

/*
 * The other way round: an index of n names (those with ok[i] set) so
 * that the names selecting one certificate are found without comparing
 * it with every name -- list's Services against thousands of
 * connectors.  The names must outlive it.  NULL when memory ran out.
 */
struct sel_names;
struct sel_names *sel_names_new(const struct sel_name *, const int *ok,
				size_t n);
void		  sel_names_free(struct sel_names *);
/*
 * The positions of the names that select c, ascending, as a new array
 * (caller frees) of *np entries (NULL with *np == 0 when none), or NULL
 * with *np == (size_t)-1 when memory ran out.
 */
size_t *sel_names_find(struct sel_names *, struct cert *c, size_t *np);

/*
 * An index of a store's certificates by the DNS names they present, so
 * that finding the certificates that may cover a host (renew, for each
 * connector) does not ask every certificate.  It over-approximates:
 * sel_hosts_find returns every certificate host_match_cert could find
 * covering the host, and perhaps some it will not, so the caller still
 * asks host_match_cert.  A SAN dNSName is filed under itself in ASCII
 * lower case, "*.rest" under "*." and rest, which is what OpenSSL's
 * matching (ASCII case-insensitive, a whole left-most "*" label) can
 * match; a certificate without a readable SAN dNSName (it matches by
 * its CN, or not at all) is a candidate for every host, and every
 * certificate is one for an IP address.  Built as the store loads, as
 * sel_index is: sel_hosts_empty, sel_hosts_add as the `each` function,
 * sel_hosts_done (0, or -1 when memory ran out).
 */
struct host;
struct sel_hosts;
struct sel_hosts *sel_hosts_empty(void);
void		  sel_hosts_add(void *hx, size_t i, struct cert *c);
int		  sel_hosts_done(struct sel_hosts *, struct store *);
void		  sel_hosts_free(struct sel_hosts *);
/* The same index of a loaded store; NULL when memory ran out. */
struct sel_hosts *sel_hosts_new(struct store *);
/*
 * The store positions of the candidates for h, ascending and without
 * repeats, as a new array (caller frees) of *np entries (NULL with
 * *np == 0 when none), or NULL with *np == (size_t)-1 when memory ran
 * out.
 */
size_t *sel_hosts_find(struct sel_hosts *, const struct host *h, size_t *np);

/*
 * Both indexes as one store loads: sel_both_add is the `each` function,
 * with a struct sel_both holding the two empty indexes as its argument.
 */
struct sel_both {
	struct sel_index *ix;
	struct sel_hosts *hx;
};
void sel_both_add(void *both, size_t i, struct cert *c);

#endif
