/*
 * checks: the checks of certbind(1) CHECKS on one certificate for one FQDN,
 * shared by check, bind, validate and renew.  Nothing here prints.
 */
#ifndef CHECKS_H
#define CHECKS_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

struct cert;
struct checks_chain;
struct host;
struct store;

enum check_result { CHECK_PASS = 0, CHECK_WARN = 1, CHECK_FAIL = 2 };

struct check {
	const char	 *name; /* "Domain", "Validity", ... (static) */
	enum check_result result;
	char		 *detail; /* one line, owned */
};

/*
 * The most entries a list of checks holds: checks_run's six, and what
 * validate adds around them (Identity, Binding; Fqdn stands for Domain).
 */
#define CHECKS_MAX 8

struct checks {
	struct check	  v[CHECKS_MAX];
	size_t		  n;
	enum check_result worst;
};

struct check_opts {
	time_t		     at;	/* validity and chain time */
	long		     warn_days; /* Validity warns within this (30) */
	int		     no_chain;	/* skip Chain */
	const char	    *ca_file;	/* trust anchors, or NULL ... */
	const char	    *ca_path;	/* ... for OpenSSL's default paths */
	struct store	    *store;	/* intermediates for Chain */
	struct checks_chain *chain;	/* from checks_opts_init, or NULL */
	/* More untrusted intermediates for Chain (what a server presented),
	 * offered after the store's; borrowed, may be NULL. */
	STACK_OF(X509) * untrusted;
	int no_private_key; /* no PrivateKey entry: the key is not in
			       the store's reach (probe: on the server) */
	int client;	    /* a TLS client certificate (a send connector's):
			       Usage wants clientAuth, Chain any purpose */
};

/*
 * Builds, once per run, what Chain needs: the trust anchors (ca_file
 * and/or ca_path, else OpenSSL's default paths) and an index of
 * opts->store, whose certificates may all be untrusted intermediates:
 * each check hands OpenSSL those that can be issuers on a path up from
 * its certificate (by name, as OpenSSL matches them), decoded once and
 * kept.  Optional: without it each checks_run builds and frees them
 * itself.  Does nothing with no_chain.
 * Returns 0, or -1 when the anchors cannot be loaded or memory ran out,
 * with OpenSSL's error queue left for the caller to report.
 */
int checks_opts_init(struct check_opts *);
/* Frees what checks_opts_init built; safe on a zeroed struct. */
void checks_opts_release(struct check_opts *);

/*
 * Runs Domain, Validity, PrivateKey (unless no_private_key), Usage, Chain
 * (unless no_chain: then there is no Chain entry at all) and Key, in that
 * order, on c for host h (NULL: no Domain entry, for a caller that reports an
 * unusable FQDN itself).  Returns 0 with out filled (release with
 * checks_release), or -1 when memory ran out.
 */
int checks_run(struct cert *c, const struct host *h, const struct check_opts *,
	       struct checks *out);
/*
 * checks_run for one certificate and many hosts: common is what
 * checks_run(c, NULL, o, ...) gave, run once; only Domain is run for h.
 * out is exactly what checks_run(c, h, o, out) gives.  Returns 0, or -1
 * when memory ran out.
 */
int checks_run_common(struct cert *c, const struct host *h,
		      const struct checks *common, struct checks *out);
/*
 * Appends a check whose detail is printf-formatted, keeping worst.
 * Returns 0, or -1 when memory ran out or cs is full.
 */
int checks_addf(struct checks *cs, const char *name, enum check_result r,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void checks_release(struct checks *);

/*
 * Does Exchange count c as valid when it picks a certificate (certbind(1)
 * WHAT EXCHANGE DOES): within its dates at o->at, and, unless
 * no_chain, its Chain check not a Fail (a self-signed certificate counts:
 * Exchange puts its own among the server's trusted roots)?  Returns 1;
 * 0 with *why (caller frees) saying why not, in one line; -1 when memory
 * ran out.
 */
int checks_exchange_valid(struct cert *c, const struct check_opts *o,
			  char **why);

/* "Pass", "Warn", "Fail". */
const char *check_result_name(enum check_result);

#endif
