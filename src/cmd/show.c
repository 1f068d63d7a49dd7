/*
 * certbind show THUMBPRINT
 */
#include <argp.h>

#include "cert.h"
#include "cmd.h"
#include "diag.h"
#include "output.h"
#include "store.h"

/* The thumbprint is the operand main.c's table declares (g.operand). */
static const struct argp show_argp = {NULL,
				      NULL,
				      "THUMBPRINT",
				      "Show every field of one certificate.",
				      cmd_global_children,
				      NULL,
				      NULL};

static const char *const columns[] = {"Thumbprint", "NotAfter", "HasPrivateKey",
				      "Subject", NULL};

int
cmd_show(int argc, char **argv)
{
	struct store   *st = NULL;
	struct cert    *c;
	struct out     *out = NULL;
	struct ov      *o = NULL;
	enum out_format fmt;
	int		rc = EXIT_FAIL;

	argp_parse(&show_argp, argc, argv, 0, NULL, NULL);
	fmt = cmd_format(OUT_LIST);
	if ((st = cmd_load_store()) == NULL)
		goto out;
	if ((rc = cmd_find_cert(st, g.operand, &c)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	cmd_services_init();
	if ((o = cmd_cert_ov(c, 1, NULL)) == NULL ||
	    (out = out_open(stdout, fmt, columns)) == NULL)
		goto out;
	if (out_value(out, o) == -1)
		goto out;
	rc = EXIT_OK;
out:
	/* Every JSON run prints a document: {} when there is no certificate. */
	if (fmt == OUT_JSON && out == NULL)
		(void)out_json_stopped(stdout, NULL);
	if (out != NULL && out_close(out) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
	}
	ov_free(o);
	store_free(st);
	cmd_services_free();
	return rc;
}
