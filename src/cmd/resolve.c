/*
 * certbind resolve NAME: the certificates a TLS certificate name
 * <I>issuer<S>subject selects, in preference order (certbind(1) SELECTION).
 */
#include <argp.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cmd.h"
#include "diag.h"
#include "output.h"
#include "select.h"
#include "store.h"

/* NAME is the operand main.c's table declares (g.operand). */
static const struct argp resolve_argp = {
    NULL,
    NULL,
    "NAME",
    "List the certificates the TLS certificate name NAME "
    "(<I>issuer<S>subject) selects, preferred first, as Exchange "
    "compares names.  Warns when there are several; exit status 1 when "
    "there is none.",
    cmd_global_children,
    NULL,
    NULL};

static const char *const columns[] = {
    "Thumbprint", "NotBefore", "NotAfter", "HasPrivateKey",
    "Status",	  "Subject",   NULL};

/* Lists every candidate on stderr: the binding does not say which. */
static void
warn_ambiguous(struct cert **v, size_t n)
{
	char   hex[41], nb[32], na[32];
	size_t i;

	diag_warn(NULL,
		  "the name selects %zu certificates, so the binding "
		  "is ambiguous; in order of preference:",
		  n);
	for (i = 0; i < n; i++) {
		cert_hex(v[i]->sha1, 20, hex);
		cert_format_time(v[i]->not_before, nb, sizeof(nb));
		cert_format_time(v[i]->not_after, na, sizeof(na));
		diag_warn(NULL, "  NotBefore %s  NotAfter %s  Thumbprint %s%s",
			  nb, na, hex, i == 0 ? "  (preferred)" : "");
	}
}

int
cmd_resolve(int argc, char **argv)
{
	const char     *name, *why;
	struct sel_name sn;
	struct store   *st = NULL;
	struct cert   **v = NULL;
	struct out     *out = NULL;
	struct ov      *item;
	enum out_format fmt;
	size_t		n = 0, i;
	int		rc = EXIT_FAIL;

	argp_parse(&resolve_argp, argc, argv, 0, NULL, NULL);
	name = g.operand;
	fmt = cmd_format(OUT_TABLE);
	/* Opened first: a JSON run that stops early still prints []. */
	if ((out = out_open(stdout, fmt, columns)) == NULL)
		goto out;
	if (sel_parse(name, strlen(name), &sn, &why) == -1) {
		/* diag escapes the name: it may hold anything. */
		diag_err(NULL,
			 "invalid TLS certificate name '%s': %s "
			 "(want <I>issuer<S>subject or <S>subject)",
			 name, why);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((st = cmd_load_store()) == NULL)
		goto out;
	if ((v = sel_select(st, &sn, g.at, &n)) == NULL && n != 0) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	if (n == 0) {
		diag_err(name, "selects no certificate in the store");
		rc = EXIT_NO;
		goto out;
	}
	if (n > 1)
		warn_ambiguous(v, n);
	cmd_services_init();
	for (i = 0; i < n; i++) {
		if ((item = cmd_cert_ov(v[i], fmt != OUT_TABLE, columns)) ==
		    NULL)
			goto out;
		if (out_item(out, item) == -1) {
			ov_free(item);
			goto out;
		}
		ov_free(item);
	}
	rc = EXIT_OK;
out:
	if (out != NULL && out_close(out) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
	}
	free(v);
	store_free(st);
	cmd_services_free();
	return rc;
}
