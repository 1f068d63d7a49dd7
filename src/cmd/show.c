/*
 * certbind show THUMBPRINT
 */
#include <argp.h>

#include "cert.h"
#include "cmd.h"
#include "diag.h"
#include "output.h"
#include "store.h"

static const struct argp_child children[] = {
    {&cmd_global_argp, 0, "Global options:", 0}, {NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	const char **thumb = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (*thumb != NULL)
			argp_error(state, "one thumbprint only");
		*thumb = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no thumbprint given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp show_argp = {
    NULL,     parse, "THUMBPRINT", "Show every field of one certificate.",
    children, NULL,  NULL};

static const char *const columns[] = {"Thumbprint", "NotAfter", "HasPrivateKey",
				      "Subject", NULL};

int
cmd_show(int argc, char **argv)
{
	const char     *thumb = NULL;
	struct store   *st = NULL;
	struct cert    *c;
	struct out     *out = NULL;
	struct ov      *o = NULL;
	enum out_format fmt;
	int		rc = EXIT_FAIL;

	argp_parse(&show_argp, argc, argv, 0, NULL, &thumb);
	fmt = cmd_format(OUT_LIST);
	if (fmt == OUT_JUNIT) {
		diag_err(NULL, "--format junit is for validate only");
		return EXIT_USAGE;
	}
	if ((st = cmd_load_store()) == NULL)
		goto out;
	if ((rc = cmd_find_cert(st, thumb, &c)) != EXIT_OK)
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
