/*
 * certbind connectors [--identity PATTERN] [--kind receive|send]: the
 * connectors of the
 * configuration (certbind-connectors(5), §8) with the fields certbind reads and
 * sets, or the PowerShell script that sets them (certbind(1) OUTPUT).
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "output.h"
#include "pwsh.h"

enum { OPT_IDENTITY = 0x200, OPT_KIND };

struct connectors_opts {
	const char *pattern;
	int	    kind; /* -1: both */
};

static const struct argp_option options[] = {
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "only connectors whose Identity or Name matches the "
     "case-insensitive glob PATTERN (* and ?)",
     0},
    {"kind", OPT_KIND, "KIND", 0,
     "only receive or only send connectors (KIND: receive or send)", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct connectors_opts *o = state->input;

	switch (key) {
	case OPT_IDENTITY:
		o->pattern = arg;
		break;
	case OPT_KIND:
		o->kind = cmd_parse_kind(state, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp connectors_argp = {
    options,
    parse,
    NULL,
    "List the connectors of the configuration: Identity, Kind, Fqdn, "
    "TlsCertificateName, AdvertiseClientSettings; --format powershell: "
    "the Exchange Management Shell commands that set them.  Exit status 1 "
    "when PATTERN selects none.",
    cmd_global_children,
    NULL,
    NULL};

static const char *const columns[] = {
    "Identity", "Kind", "Fqdn", "TlsCertificateName", "AdvertiseClientSettings",
    NULL};

/* The connector as an output object; NULL when memory ran out. */
static struct ov *
conn_ov(const struct conn *c)
{
	struct ov *o;
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	err |= ov_add_cstr(o, "Identity", c->identity);
	err |= ov_add_cstr(o, "Kind", conn_kind_name(c));
	err |= ov_add_cstr(o, "Fqdn", c->fqdn);
	err |= ov_add_cstr(o, "TlsCertificateName", c->tls_name);
	if (c->advertise == CONN_UNSET)
		err |= ov_add_null(o, "AdvertiseClientSettings");
	else
		err |= ov_add_bool(o, "AdvertiseClientSettings", c->advertise);
	if (err) {
		ov_free(o);
		return NULL;
	}
	return o;
}

/*
 * --format powershell: the script that makes Exchange match the
 * selected connectors, every parameter the config has (certbind(1),
 * connectors).
 */
static int
print_script(const struct conn_file *cf, const struct connectors_opts *o)
{
	struct pwsh_set *v;
	struct pwsh_bad	 bad;
	size_t		 i, n = 0;
	int		 rc = EXIT_FAIL;

	if ((v = calloc(cf->n > 0 ? cf->n : 1, sizeof(*v))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < cf->n; i++) {
		if (!cmd_conn_selected(&cf->v[i], o->pattern, o->kind))
			continue;
		v[n].send = cf->v[i].kind == CONN_SEND;
		v[n].identity = cf->v[i].identity;
		v[n].fqdn = cf->v[i].fqdn;
		v[n].tls_name = cf->v[i].tls_name;
		v[n].advertise =
		    cf->v[i].advertise == CONN_UNSET ? -1 : cf->v[i].advertise;
		n++;
	}
	if (n == 0) {
		if (o->pattern != NULL)
			diag_err(g.config, "no connector matches '%s'",
				 o->pattern);
		else
			diag_err(g.config, "no connectors");
		rc = EXIT_NO;
		goto out;
	}
	if (pwsh_script(stdout, "certbind connectors", v, n, &bad) == 0) {
		rc = EXIT_OK;
		goto out;
	}
	if (bad.field == NULL)
		diag_err("stdout", "write error");
	else if (bad.cp == -1)
		diag_err(g.config,
			 "connector '%s': %s is not valid UTF-8; a PowerShell "
			 "script cannot carry it",
			 v[bad.index].identity, bad.field);
	else
		diag_err(g.config,
			 "connector '%s': %s holds a control character "
			 "(U+%04lX); a PowerShell script must not carry it",
			 v[bad.index].identity, bad.field,
			 (unsigned long)bad.cp);
out:
	free(v);
	return rc;
}

int
cmd_connectors(int argc, char **argv)
{
	struct conn_file      *cf = NULL;
	struct conn_errs       errs;
	struct out	      *out = NULL;
	struct ov	      *item;
	struct connectors_opts o = {NULL, -1};
	enum out_format	       fmt;
	size_t		       i, shown = 0;
	int		       rc = EXIT_FAIL;

	argp_parse(&connectors_argp, argc, argv, 0, NULL, &o);
	fmt = cmd_format(OUT_TABLE);
	/* Opened first: a JSON run that stops early still prints []. */
	if (fmt != OUT_POWERSHELL &&
	    (out = out_open(stdout, fmt, columns)) == NULL)
		goto out;
	if (conn_load(g.config, &cf, &errs) == -1) {
		cmd_conn_errs(&errs, 0);
		conn_errs_release(&errs);
		goto out;
	}
	conn_errs_release(&errs);
	if (fmt == OUT_POWERSHELL) {
		rc = print_script(cf, &o);
		goto out;
	}
	for (i = 0; i < cf->n; i++) {
		if (!cmd_conn_selected(&cf->v[i], o.pattern, o.kind))
			continue;
		if ((item = conn_ov(&cf->v[i])) == NULL)
			goto out;
		if (out_item(out, item) == -1) {
			ov_free(item);
			goto out;
		}
		ov_free(item);
		shown++;
	}
	if (shown == 0) {
		if (o.pattern != NULL)
			diag_err(g.config, "no connector matches '%s'",
				 o.pattern);
		else if (o.kind != -1)
			diag_err(g.config, "no %s connectors",
				 o.kind == CONN_SEND ? "send" : "receive");
		else
			diag_err(g.config, "no connectors");
		rc = EXIT_NO;
	} else
		rc = EXIT_OK;
out:
	if (out != NULL && out_close(out) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
	}
	conn_file_free(cf);
	return rc;
}
