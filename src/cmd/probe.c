/*
 * certbind probe HOST[:PORT] [--starttls smtp|imap|pop3|none]
 *     [--servername NAME] [--timeout SEC] [--identity PATTERN]
 *     [--warn-days N] [--no-chain]: what a live server presents, and the
 * checks of certbind(1) on it (PROBE).
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "exchange.h"
#include "dn.h"
#include "hostname.h"
#include "output.h"
#include "probe.h"
#include "select.h"
#include "store.h"

enum {
	OPT_STARTTLS = 0x200,
	OPT_SERVERNAME,
	OPT_TIMEOUT,
	OPT_IDENTITY,
	OPT_WARN_DAYS,
	OPT_NO_CHAIN
};

#define DEFAULT_PORT	587
#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT	3600 /* seconds */

struct probe_args {
	const char *target;
	struct host host;   /* from the target */
	int	    port;   /* 0: not given */
	int	    proto;  /* enum probe_proto, or -1: by port */
	struct host server; /* --servername */
	int	    have_server;
	long	    timeout_ms;
	const char *identity;
	long	    warn_days;
	int	    no_chain;
};

static const struct argp_option options[] = {
    {"starttls", OPT_STARTTLS, "PROTO", 0,
     "smtp, imap, pop3 or none (TLS from the first byte); default by port", 0},
    {"servername", OPT_SERVERNAME, "NAME", 0,
     "the name to ask for (SNI) and check Domain against (default HOST)", 0},
    {"timeout", OPT_TIMEOUT, "SEC", 0,
     "give up after SEC seconds in all (default 10)", 0},
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "also check the binding of the connectors whose Identity or Name "
     "matches the glob",
     0},
    {"warn-days", OPT_WARN_DAYS, "N", 0,
     "warn when NotAfter is within N days (default 30)", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the chain check", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

/*
 * HOST, HOST:PORT, [IPV6] or [IPV6]:PORT; a bare IPv6 address (two or
 * more colons) has no port.  Returns 0, or -1 with *why.
 */
static int
parse_target(const char *arg, struct probe_args *a, const char **why)
{
	const char *host = arg, *port = NULL, *end;
	size_t	    hlen;
	char	   *e;
	long	    p;

	if (*arg == '[') {
		if ((end = strchr(arg, ']')) == NULL) {
			*why = "no ']' after the IPv6 address";
			return -1;
		}
		host = arg + 1;
		hlen = end - host;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			*why = "only ':PORT' may follow ']'";
			return -1;
		}
	} else if ((end = strchr(arg, ':')) != NULL &&
		   strchr(end + 1, ':') == NULL) {
		hlen = end - arg;
		port = end + 1;
	} else
		hlen = strlen(arg);
	if (host_parse_fqdn(host, hlen, &a->host, why) == -1)
		return -1;
	if (*arg == '[' && a->host.kind != HOST_IPV6) {
		*why = "brackets hold an IPv6 address only";
		return -1;
	}
	if (port == NULL)
		return 0;
	errno = 0;
	p = strtol(port, &e, 10);
	if (*port < '0' || *port > '9' || *e != '\0' || errno != 0 || p < 1 ||
	    p > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return -1;
	}
	a->port = (int)p;
	return 0;
}

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct probe_args *a = state->input;
	const char	  *why;
	char		  *end;
	double		   t;

	switch (key) {
	case OPT_STARTTLS:
		if (strcmp(arg, "smtp") == 0)
			a->proto = PROBE_SMTP;
		else if (strcmp(arg, "imap") == 0)
			a->proto = PROBE_IMAP;
		else if (strcmp(arg, "pop3") == 0)
			a->proto = PROBE_POP3;
		else if (strcmp(arg, "none") == 0)
			a->proto = PROBE_TLS;
		else
			cmd_arg_error(state, "unknown protocol", arg,
				      " for --starttls (smtp, imap, pop3 or "
				      "none)",
				      "");
		break;
	case OPT_SERVERNAME:
		if (host_parse_fqdn(arg, strlen(arg), &a->server, &why) == -1)
			cmd_arg_error(state, "invalid name", arg,
				      " for --servername: ", why);
		if (a->server.kind != HOST_DNS)
			cmd_arg_error(state, "invalid name", arg,
				      " for --servername: ",
				      "an address cannot be sent as a server "
				      "name");
		a->have_server = 1;
		break;
	case OPT_TIMEOUT:
		errno = 0;
		t = strtod(arg, &end);
		if (end == arg || *end != '\0' || errno != 0 || !isfinite(t) ||
		    t <= 0 || t > MAX_TIMEOUT)
			cmd_arg_error(state, "invalid timeout", arg,
				      ": give a positive number of seconds, "
				      "at most 3600",
				      "");
		a->timeout_ms = (long)(t * 1000 + 0.999);
		break;
	case OPT_IDENTITY:
		a->identity = arg;
		break;
	case OPT_WARN_DAYS:
		a->warn_days = cmd_parse_days(state, "--warn-days", arg);
		break;
	case OPT_NO_CHAIN:
		a->no_chain = 1;
		break;
	case ARGP_KEY_ARG:
		if (a->target != NULL)
			argp_error(state, "one HOST[:PORT] only");
		if (parse_target(arg, a, &why) == -1)
			cmd_arg_error(state, "invalid HOST[:PORT]", arg, ": ",
				      why);
		a->target = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no HOST[:PORT] given");
		break;
	case ARGP_KEY_END:
		if (a->port == 0)
			a->port = DEFAULT_PORT;
		if (a->proto != -1)
			break;
		switch (a->port) {
		case 25:
		case 587:
			a->proto = PROBE_SMTP;
			break;
		case 143:
			a->proto = PROBE_IMAP;
			break;
		case 110:
			a->proto = PROBE_POP3;
			break;
		case 465:
		case 993:
		case 995:
			a->proto = PROBE_TLS;
			break;
		default:
			argp_error(state,
				   "no protocol is known for port %d: give "
				   "--starttls smtp, imap, pop3 or none",
				   a->port);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp probe_argp = {
    options,
    parse,
    "HOST[:PORT]",
    "Connect to a mail server (default port 587), start TLS as its port "
    "wants (25, 587: SMTP STARTTLS; 143: IMAP; 110: POP3; 465, 993, 995: "
    "TLS from the first byte), and check the certificate chain it "
    "presents: Domain, Validity, Usage, Chain and Key.  With --identity, "
    "also whether it is the certificate each connector's binding selects "
    "from the store.  Never authenticates.  Exit status 1 when a check "
    "fails, 2 when the server could not be probed.",
    cmd_global_children,
    NULL,
    NULL};

/* One connector's checks. */
struct pconn {
	const struct conn *cn;
	struct checks	   cs;
};

/* The leaf fields shown: those of show, but none of the store's. */
static const char *const leaf_cols[] = {"Thumbprint",
					"Sha256Thumbprint",
					"Subject",
					"Issuer",
					"CertificateDomains",
					"NotBefore",
					"NotAfter",
					"Status",
					"IsSelfSigned",
					"SerialNumber",
					"KeyAlgorithm",
					"KeySize",
					"SignatureAlgorithm",
					"Services",
					NULL};
static const char *const chain_cols[] = {"Thumbprint", "Subject", "Issuer",
					 NULL};
static const char *const table_cols[] = {"For", "Check", "Result", "Detail",
					 NULL};

/*
 * Binding (certbind(1), PROBE): Pass when the presented leaf is the
 * certificate Exchange would present for the connector, judged on the
 * store (certbind(1) WHAT EXCHANGE DOES): what its TlsCertificateName
 * selects, or with none what the search by its Fqdn finds (byhost); Warn
 * when it is one of several Exchange cannot tell apart but not the one
 * certbind prefers; else Fail naming both.  Returns 0 or -1 (memory).
 */
static int
judge(struct checks *cs, const struct exch_pick *pk, int byhost,
      struct cert *leaf)
{
	const char *pre = byhost ? "no TlsCertificateName: " : "";
	const char *what =
	    byhost ? "the Fqdn search finds" : "TlsCertificateName selects";
	char   have[41], want[41], na[32], more[80] = "";
	size_t i;
	int    hit = 0, other = 0;

	cert_hex(leaf->sha1, 20, have);
	for (i = 0; i < pk->n; i++)
		if (memcmp(pk->v[i].c->sha1, leaf->sha1, 20) == 0) {
			hit = i < pk->ntop;
			other = i >= pk->ntop;
		}
	if (pk->ntop > 1)
		snprintf(more, sizeof(more),
			 "; ambiguous: %zu valid certificates tie", pk->ntop);
	if (pk->nvalid == 0)
		return checks_addf(cs, "Binding", CHECK_FAIL,
				   "%s%s no valid certificate in the store "
				   "(Exchange logs event 12014); the server "
				   "presents %s",
				   pre, what, have);
	if (hit && memcmp(pk->v[0].c->sha1, leaf->sha1, 20) == 0)
		return checks_addf(cs, "Binding", CHECK_PASS,
				   "%sthe server presents %s, the certificate "
				   "%s%s",
				   pre, have, what, more);
	cert_hex(pk->v[0].c->sha1, 20, want);
	cert_format_time(pk->v[0].c->not_after, na, sizeof(na));
	/* Exchange may present any of the tie; certbind prefers one. */
	if (hit)
		return checks_addf(cs, "Binding", CHECK_WARN,
				   "%sthe server presents %s, one of the %zu "
				   "valid certificates %s, not %s (NotAfter "
				   "%s), which certbind prefers: reload the "
				   "server if it was renewed",
				   pre, have, pk->ntop, what, want, na);
	return checks_addf(
	    cs, "Binding", CHECK_FAIL,
	    "%sthe server presents %s, but %s %s (NotAfter "
	    "%s)%s%s",
	    pre, have, what, want, na,
	    other ? "; Exchange would not use the presented one" : "", more);
}

static int
binding(struct checks *cs, const struct conn *cn, struct sel_both *ix,
	struct store *st, const struct check_opts *sco, struct cert *leaf)
{
	struct sel_name	 nm;
	struct exch_pick pk;
	struct host	 h;
	const char	*why, *tls = cn->tls_name, *fqdn = cn->fqdn;
	char		 have[41];
	int		 rc, byhost = tls == NULL || *tls == '\0';

	cert_hex(leaf->sha1, 20, have);
	if (byhost && (fqdn == NULL ||
		       host_parse_fqdn(fqdn, strlen(fqdn), &h, NULL) == -1))
		return checks_addf(cs, "Binding", CHECK_WARN,
				   "no TlsCertificateName: Exchange searches "
				   "by the server's FQDN, which the "
				   "configuration does not hold; the server "
				   "presents %s",
				   have);
	if (!byhost && sel_parse(tls, strlen(tls), &nm, &why) == -1)
		return checks_addf(cs, "Binding", CHECK_FAIL,
				   "malformed TlsCertificateName: %s", why);
	if ((byhost ? exch_by_host(ix->hx, st, &h, sco, &pk)
		    : exch_by_name(ix->ix, &nm, sco, &pk)) == -1)
		return -1;
	rc = judge(cs, &pk, byhost, leaf);
	exch_pick_release(&pk);
	return rc;
}

/* Binding and Domain against the connector's Fqdn; 0 or -1 (memory). */
static int
probe_conn(struct pconn *pc, struct sel_both *ix, struct store *st,
	   const struct check_opts *sco, struct cert *leaf)
{
	struct checks empty, dom;
	struct host   h;
	const char   *why, *fqdn = pc->cn->fqdn;
	size_t	      i;

	memset(&empty, 0, sizeof(empty));
	if (binding(&pc->cs, pc->cn, ix, st, sco, leaf) == -1)
		return -1;
	if (fqdn == NULL || *fqdn == '\0')
		return checks_addf(&pc->cs, "Domain", CHECK_FAIL, "no Fqdn");
	if (host_parse_fqdn(fqdn, strlen(fqdn), &h, &why) == -1)
		return checks_addf(&pc->cs, "Domain", CHECK_FAIL,
				   "Fqdn is not a host name: %s", why);
	if (checks_run_common(leaf, &h, &empty, &dom) == -1)
		return -1;
	for (i = 0; i < dom.n; i++)
		if (checks_addf(&pc->cs, dom.v[i].name, dom.v[i].result, "%s",
				dom.v[i].detail) == -1) {
			checks_release(&dom);
			return -1;
		}
	checks_release(&dom);
	return 0;
}

static struct ov *
conn_ov(const struct pconn *pc)
{
	struct ov *o;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	if (ov_add_cstr(o, "Identity", pc->cn->identity) == -1 ||
	    ov_add_cstr(o, "Fqdn", pc->cn->fqdn) == -1 ||
	    ov_add(o, "Checks", cmd_checks_ov(&pc->cs)) == -1) {
		ov_free(o);
		return NULL;
	}
	return o;
}

/* What the probe found, as one object; NULL when memory ran out. */
static struct ov *
probe_ov(const struct probe_args *a, const struct probe_result *res,
	 struct cert *certs, const struct checks *cs, const struct pconn *pcs,
	 size_t npc, int with_conns)
{
	struct ov  *o, *arr, *e;
	const char *iss, *sub;
	char	   *tls;
	size_t	    ilen, slen, tlen, i;
	int	    err = 0;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	err |= ov_add_str(o, "Host", a->host.name, a->host.namelen);
	err |= ov_add_int(o, "Port", a->port);
	err |= ov_add_cstr(o, "Protocol", probe_proto_name(a->proto));
	err |= ov_add_cstr(o, "TlsVersion", res->version);
	err |= ov_add_cstr(o, "Cipher", res->cipher);
	err |= cmd_cert_ov_add(o, &certs[0], 0, leaf_cols);
	iss = cert_get0_issuer(&certs[0], &ilen);
	sub = cert_get0_subject(&certs[0], &slen);
	if (iss != NULL && sub != NULL &&
	    (tls = dn_tls_name(iss, ilen, sub, slen, &tlen)) != NULL) {
		err |= ov_add_str(o, "TlsCertificateName", tls, tlen);
		free(tls);
	} else
		err |= ov_add_null(o, "TlsCertificateName");
	if ((arr = ov_new_array()) == NULL)
		goto fail;
	for (i = 0; i < res->nchain; i++)
		if ((e = cmd_cert_ov(&certs[i], 0, chain_cols)) == NULL ||
		    ov_push(arr, e) == -1) {
			ov_free(arr);
			goto fail;
		}
	err |= ov_add(o, "Chain", arr);
	err |= ov_add(o, "Checks", cmd_checks_ov(cs));
	if (with_conns) {
		if ((arr = ov_new_array()) == NULL)
			goto fail;
		for (i = 0; i < npc; i++)
			if (ov_push(arr, conn_ov(&pcs[i])) == -1) {
				ov_free(arr);
				goto fail;
			}
		err |= ov_add(o, "Connectors", arr);
	}
	if (err)
		goto fail;
	return o;
fail:
	ov_free(o);
	return NULL;
}

/* One table row per check, the server's first, then each connector's. */
static int
print_table(const struct host *checked, const struct checks *cs,
	    const struct pconn *pcs, size_t npc, FILE *fp)
{
	const struct checks *s;
	const char	    *who;
	struct out	    *out;
	struct ov	    *row;
	size_t		     i, k;
	int		     err = 0;

	if ((out = out_open(fp, OUT_TABLE, table_cols)) == NULL)
		return -1;
	for (i = 0; i <= npc && !err; i++) {
		s = i == 0 ? cs : &pcs[i - 1].cs;
		who = i == 0 ? checked->name : pcs[i - 1].cn->identity;
		for (k = 0; k < s->n && !err; k++) {
			if ((row = ov_new_object()) == NULL) {
				err = 1;
				break;
			}
			err |= ov_add_cstr(row, "For", who);
			err |= ov_add_cstr(row, "Check", s->v[k].name);
			err |= ov_add_cstr(row, "Result",
					   check_result_name(s->v[k].result));
			err |= ov_add_cstr(row, "Detail", s->v[k].detail);
			err |= out_item(out, row);
			ov_free(row);
		}
	}
	return out_close(out) == -1 || err ? -1 : 0;
}

/* List: the server's object, then each connector as an object of its own. */
static int
print_list(const struct ov *o, const struct pconn *pcs, size_t npc, FILE *fp)
{
	struct out *out;
	struct ov  *c;
	size_t	    i;
	int	    err = 0;

	if ((out = out_open(fp, OUT_LIST, NULL)) == NULL)
		return -1;
	err |= out_value(out, o);
	if (out_close(out) == -1 || err)
		return -1;
	if (npc == 0)
		return 0;
	if (fputc('\n', fp) == EOF ||
	    (out = out_open(fp, OUT_LIST, NULL)) == NULL)
		return -1;
	for (i = 0; i < npc && !err; i++) {
		if ((c = conn_ov(&pcs[i])) == NULL) {
			err = 1;
			break;
		}
		err |= out_item(out, c);
		ov_free(c);
	}
	return out_close(out) == -1 || err ? -1 : 0;
}

/*
 * Before connecting: the connectors --identity selects (into *pcs, *npc)
 * and the store their bindings select from.  Returns EXIT_OK, or an exit
 * status after reporting.
 */
static int
load_connectors(const struct probe_args *a, struct conn_file **cfp,
		struct store **stp, struct pconn **pcs, size_t *npc)
{
	struct conn_errs errs;
	size_t		 i;

	if (conn_load(g.config, cfp, &errs) == -1) {
		cmd_conn_errs(&errs, 0);
		conn_errs_release(&errs);
		return EXIT_FAIL;
	}
	conn_errs_release(&errs);
	if ((*pcs = calloc((*cfp)->n + 1, sizeof(**pcs))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	/* A server presents what its receive connectors bind; a send
	 * connector's certificate is a client's (certbind(1) PROBE). */
	for (i = 0; i < (*cfp)->n; i++)
		if (cmd_conn_selected(&(*cfp)->v[i], a->identity, CONN_RECEIVE))
			(*pcs)[(*npc)++].cn = &(*cfp)->v[i];
	if (*npc == 0) {
		diag_err(g.config, "no receive connector matches '%s'",
			 a->identity);
		return EXIT_NO;
	}
	if ((*stp = cmd_load_store()) == NULL)
		return EXIT_FAIL;
	return EXIT_OK;
}

int
cmd_probe(int argc, char **argv)
{
	struct probe_args   a;
	struct probe_req    req;
	struct probe_result res;
	struct check_opts   co, sco; /* the server's chain; the store's */
	struct sel_both	    ix = {NULL, NULL};
	struct checks	    cs;
	struct cert	   *certs = NULL;
	struct pconn	   *pcs = NULL;
	struct conn_file   *cf = NULL;
	struct store	   *st = NULL;
	struct ov	   *o = NULL;
	struct out	   *out = NULL;
	const struct host  *checked;
	enum out_format	    fmt;
	enum check_result   worst;
	STACK_OF(X509) *sk = NULL;
	unsigned char *der;
	const char    *why;
	char	       where[HOST_FQDN_MAX + 16];
	size_t	       i, ncerts = 0, npc = 0;
	X509	      *x;
	int	       rc = EXIT_FAIL, prc;

	memset(&a, 0, sizeof(a));
	memset(&co, 0, sizeof(co));
	memset(&sco, 0, sizeof(sco));
	memset(&cs, 0, sizeof(cs));
	memset(&res, 0, sizeof(res));
	a.proto = -1;
	a.timeout_ms = DEFAULT_TIMEOUT * 1000L;
	a.warn_days = 30;
	argp_parse(&probe_argp, argc, argv, 0, NULL, &a);
	fmt = cmd_format(OUT_LIST);
	/* What --identity needs is read first: no connection for nothing. */
	if (a.identity != NULL &&
	    (rc = load_connectors(&a, &cf, &st, &pcs, &npc)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	/* A server that closes early must not end certbind by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	checked = a.have_server ? &a.server : &a.host;
	snprintf(where, sizeof(where),
		 a.host.kind == HOST_IPV6 ? "[%s]:%d" : "%s:%d", a.host.name,
		 a.port);
	memset(&req, 0, sizeof(req));
	req.host = a.host.name;
	req.port = (unsigned short)a.port;
	req.proto = a.proto;
	req.timeout_ms = a.timeout_ms;
	/* SNI carries a name, never an address (RFC 6066 §3). */
	req.sni = a.have_server		    ? a.server.name
		  : a.host.kind == HOST_DNS ? a.host.name
					    : NULL;
	if (probe_run(&req, &res) == -1) {
		diag_err(where, "%s", res.err);
		goto out;
	}
	if ((certs = calloc(res.nchain, sizeof(*certs))) == NULL)
		goto nomem;
	for (ncerts = 0; ncerts < res.nchain; ncerts++) {
		if ((der = malloc(res.chain[ncerts].len)) == NULL)
			goto nomem;
		memcpy(der, res.chain[ncerts].der, res.chain[ncerts].len);
		if (cert_init_der(&certs[ncerts], der, res.chain[ncerts].len, 0,
				  &why) == -1) {
			diag_err(where,
				 "certificate %zu of the chain it presents "
				 "cannot be read: %s",
				 ncerts + 1, why);
			goto out;
		}
	}
	/* Chain is built from what the server presented, not the store. */
	if ((sk = sk_X509_new_null()) == NULL)
		goto nomem;
	for (i = 1; i < ncerts; i++) {
		if ((x = cert_get0_x509(&certs[i])) == NULL) {
			ERR_clear_error();
			continue;
		}
		if (!X509_up_ref(x))
			goto nomem;
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto nomem;
		}
	}
	co.at = g.at;
	co.warn_days = a.warn_days;
	co.no_chain = a.no_chain;
	co.ca_file = g.ca_file;
	co.ca_path = g.ca_path;
	co.untrusted = sk;
	co.no_private_key = 1;
	if (checks_opts_init(&co) == -1) {
		diag_ssl(g.ca_file != NULL ? g.ca_file : g.ca_path,
			 "cannot load the trust anchors");
		goto out;
	}
	if (checks_run(&certs[0], checked, &co, &cs) == -1)
		goto nomem;
	worst = cs.worst;
	/* What Exchange would present is judged on the store's chains. */
	if (npc > 0) {
		if (cmd_check_opts(&sco, st, a.warn_days, a.no_chain) == -1)
			goto out;
		if ((ix.ix = sel_index_new(st)) == NULL ||
		    (ix.hx = sel_hosts_new(st)) == NULL)
			goto nomem;
	}
	for (i = 0; i < npc; i++) {
		if (probe_conn(&pcs[i], &ix, st, &sco, &certs[0]) == -1)
			goto nomem;
		if (pcs[i].cs.worst > worst)
			worst = pcs[i].cs.worst;
	}
	cmd_services_init();
	/* List shows the connectors after the server, not inside it. */
	if ((o = probe_ov(&a, &res, certs, &cs, pcs, npc,
			  a.identity != NULL && fmt == OUT_JSON)) == NULL)
		goto nomem;
	if (fmt == OUT_TABLE)
		prc = print_table(checked, &cs, pcs, npc, stdout);
	else if (fmt == OUT_LIST)
		prc = print_list(o, pcs, npc, stdout);
	else
		prc = (out = out_open(stdout, fmt, NULL)) == NULL ||
			      out_value(out, o) == -1
			  ? -1
			  : 0;
	if (out != NULL && out_close(out) == -1)
		prc = -1;
	if (prc == -1) {
		diag_err("stdout", "write error");
		goto out;
	}
	rc = worst == CHECK_FAIL ? EXIT_NO : EXIT_OK;
	goto out;
nomem:
	diag_err(NULL, "out of memory");
out:
	ov_free(o);
	for (i = 0; pcs != NULL && i < npc; i++)
		checks_release(&pcs[i].cs);
	free(pcs);
	checks_release(&cs);
	checks_opts_release(&co);
	checks_opts_release(&sco);
	sel_index_free(ix.ix);
	sel_hosts_free(ix.hx);
	sk_X509_pop_free(sk, X509_free);
	for (i = 0; i < ncerts; i++)
		cert_release(&certs[i]);
	free(certs);
	probe_result_release(&res);
	conn_file_free(cf);
	store_free(st);
	cmd_services_free();
	return rc;
}
