/*
 * certbind list [--domain FQDN] [--expiring DAYS] [--private-key]
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cmd.h"
#include "diag.h"
#include "hostname.h"
#include "output.h"
#include "safe.h"
#include "store.h"

enum { OPT_DOMAIN = 0x200, OPT_EXPIRING, OPT_PRIVATE_KEY };

struct list_opts {
	struct host host;
	int	    domain;
	long	    expiring; /* days, or -1 */
	int	    private_key;
};

static const struct argp_option options[] = {
    {"domain", OPT_DOMAIN, "FQDN", 0, "only certificates that cover FQDN", 0},
    {"expiring", OPT_EXPIRING, "DAYS", 0,
     "only certificates whose NotAfter is within DAYS (or past)", 0},
    {"private-key", OPT_PRIVATE_KEY, NULL, 0,
     "only certificates with a private key in the store", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct list_opts *o = state->input;
	const char	 *why;

	switch (key) {
	case OPT_DOMAIN:
		if (host_parse_fqdn(arg, strlen(arg), &o->host, &why) == -1)
			cmd_arg_error(state, "invalid FQDN", arg,
				      " for --domain: ", why);
		o->domain = 1;
		break;
	case OPT_EXPIRING:
		o->expiring = cmd_parse_days(state, "--expiring", arg);
		break;
	case OPT_PRIVATE_KEY:
		o->private_key = 1;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp list_argp = {
    options,
    parse,
    NULL,
    "List the certificates of the store.  Exit status 1 when none is "
    "listed.",
    cmd_global_children,
    NULL,
    NULL};

static const char *const columns[] = {"Thumbprint", "Services", "NotAfter",
				      "Subject", NULL};

/* 1 when c passes the filters, 0 when not, -1 when memory ran out. */
static int
selected(const struct list_opts *o, struct cert *c)
{
	struct host_match m;
	X509		 *x;
	int		  rc;

	if (o->private_key && !c->has_key)
		return 0;
	if (o->expiring >= 0 &&
	    c->not_after > g.at + (time_t)o->expiring * 86400)
		return 0;
	if (!o->domain)
		return 1;
	if ((x = cert_get0_x509(c)) == NULL)
		return 0;
	if (host_match_cert(x, &o->host, &m) == -1)
		return -1;
	rc = m.matched;
	host_match_release(&m);
	return rc;
}

int
cmd_list(int argc, char **argv)
{
	struct list_opts o;
	struct store	*st = NULL;
	struct out	*out = NULL;
	struct ov	*item;
	struct cert	*c;
	enum out_format	 fmt;
	size_t		 i, shown = 0;
	int		 rc = EXIT_FAIL, sel;

	memset(&o, 0, sizeof(o));
	o.expiring = -1;
	argp_parse(&list_argp, argc, argv, 0, NULL, &o);
	fmt = cmd_format(OUT_TABLE);
	/* Opened first: a JSON run that stops early still prints []. */
	if ((out = out_open(stdout, fmt, columns)) == NULL)
		goto out;
	if ((st = cmd_load_store()) == NULL)
		goto out;
	cmd_services_init();
	/*
	 * One certificate at a time, forgotten once printed: the store reads
	 * each again from its file, so memory stays flat however large the
	 * store is.  One that changed since loading was reported; skip it.
	 */
	for (i = 0; i < store_count(st); i++) {
		if ((c = store_get0(st, i)) == NULL)
			goto out;
		if (c->derlen == 0 || (sel = selected(&o, c)) == 0) {
			store_forget(st, i);
			continue;
		}
		if (sel == -1 ||
		    (item = cmd_cert_ov(c, fmt != OUT_TABLE, columns)) == NULL)
			goto out;
		store_forget(st, i);
		if (out_item(out, item) == -1) {
			ov_free(item);
			goto out;
		}
		ov_free(item);
		shown++;
	}
	rc = shown > 0 ? EXIT_OK : EXIT_NO;
out:
	if (out != NULL && out_close(out) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
	}
	store_free(st);
	cmd_services_free();
	return rc;
}
