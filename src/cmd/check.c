/*
 * certbind check THUMBPRINT --fqdn FQDN [--warn-days N] [--no-chain]:
 * the checks of certbind(1) CHECKS for one certificate.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "diag.h"
#include "hostname.h"
#include "output.h"
#include "safe.h"
#include "store.h"

enum { OPT_FQDN = 0x200, OPT_WARN_DAYS, OPT_NO_CHAIN };

/* The thumbprint is the operand main.c's table declares (g.operand). */
struct check_args {
	struct host host;
	int	    have_host;
	long	    warn_days;
	int	    no_chain;
};

static const struct argp_option options[] = {
    {"fqdn", OPT_FQDN, "FQDN", 0,
     "the host name the certificate must cover (required)", 0},
    {"warn-days", OPT_WARN_DAYS, "N", 0,
     "warn when NotAfter is within N days (default 30)", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the chain check", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	const char	  *why;

	switch (key) {
	case OPT_FQDN:
		if (host_parse_fqdn(arg, strlen(arg), &a->host, &why) == -1)
			cmd_arg_error(state, "invalid FQDN", arg,
				      " for --fqdn: ", why);
		a->have_host = 1;
		break;
	case OPT_WARN_DAYS:
		a->warn_days = cmd_parse_days(state, "--warn-days", arg);
		break;
	case OPT_NO_CHAIN:
		a->no_chain = 1;
		break;
	case ARGP_KEY_END:
		if (!a->have_host)
			argp_error(state, "--fqdn is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp check_argp = {
    options,
    parse,
    "THUMBPRINT",
    "Run the checks a connector's certificate must pass: Domain, "
    "Validity, PrivateKey, Usage, Chain and Key.  Exit status 1 when "
    "one fails.",
    cmd_global_children,
    NULL,
    NULL};

static const char *const columns[] = {"Thumbprint", "Fqdn", "Result", NULL};

/*
 * The result as an output object; NULL when memory ran out.  c is NULL
 * (Thumbprint null) when none was found; result names the outcome.
 */
static struct ov *
check_ov(struct cert *c, const struct host *h, const struct checks *cs,
	 const char *result)
{
	struct ov *o;
	char	   hex[41];
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	if (c != NULL)
		cert_hex(c->sha1, 20, hex);
	err |= ov_add_cstr(o, "Thumbprint", c != NULL ? hex : NULL);
	err |= ov_add_str(o, "Fqdn", h->name, h->namelen);
	err |= ov_add_cstr(o, "Result", result);
	err |= ov_add(o, "Checks", cmd_checks_ov(cs));
	if (err) {
		ov_free(o);
		return NULL;
	}
	return o;
}

int
cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct check_opts co;
	struct checks	  cs, none;
	struct store	 *st = NULL;
	struct cert	 *c = NULL;
	struct out	 *out = NULL;
	struct ov	 *o = NULL;
	enum out_format	  fmt;
	int		  rc = EXIT_FAIL;

	memset(&a, 0, sizeof(a));
	memset(&co, 0, sizeof(co));
	memset(&cs, 0, sizeof(cs));
	memset(&none, 0, sizeof(none));
	a.warn_days = 30;
	argp_parse(&check_argp, argc, argv, 0, NULL, &a);
	fmt = cmd_format(OUT_LIST);
	if ((st = cmd_load_store()) == NULL)
		goto out;
	if ((rc = cmd_find_cert(st, g.operand, &c)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if (cmd_check_opts(&co, st, a.warn_days, a.no_chain) == -1)
		goto out;
	if (checks_run(c, &a.host, &co, &cs) == -1) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	if ((o = check_ov(c, &a.host, &cs, check_result_name(cs.worst))) ==
		NULL ||
	    (out = out_open(stdout, fmt, columns)) == NULL ||
	    out_value(out, o) == -1)
		goto out;
	rc = cs.worst == CHECK_FAIL ? EXIT_NO : EXIT_OK;
out:
	/*
	 * Every JSON run prints a document: one that stopped early has no
	 * checks, Result Fail (no such certificate) or Error.
	 */
	if (fmt == OUT_JSON && out == NULL) {
		ov_free(o);
		if ((o = check_ov(c, &a.host, &none,
				  rc == EXIT_NO ? "Fail" : "Error")) == NULL ||
		    (out = out_open(stdout, fmt, columns)) == NULL)
			diag_err(NULL, "out of memory");
		else
			(void)out_value(out, o);
	}
	if (out != NULL && out_close(out) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
	}
	ov_free(o);
	checks_release(&cs);
	checks_opts_release(&co);
	store_free(st);
	return rc;
}
