/*
 * certbind name THUMBPRINT: the TLS certificate name <I>issuer<S>subject
 * (certbind(1) CERTIFICATE FIELDS), a newline, nothing else.
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>

#include "cert.h"
#include "cmd.h"
#include "diag.h"
#include "dn.h"
#include "output.h"
#include "safe.h"
#include "select.h"
#include "store.h"

/* The thumbprint is the operand main.c's table declares (g.operand). */
static const struct argp name_argp = {
    NULL,
    NULL,
    "THUMBPRINT",
    "Print the certificate's TLS certificate name, <I>issuer<S>subject, "
    "as Exchange's TlsCertificateName wants it.",
    cmd_global_children,
    NULL,
    NULL};

static const char *const columns[] = {"TlsCertificateName", NULL};

int
cmd_name(int argc, char **argv)
{
	const char     *iss, *sub, *why;
	struct store   *st = NULL;
	struct cert    *c;
	struct out     *out = NULL;
	struct ov      *o = NULL;
	char	       *name = NULL, hex[41];
	size_t		ilen, slen, len;
	enum out_format fmt;
	int		rc = EXIT_FAIL;

	argp_parse(&name_argp, argc, argv, 0, NULL, NULL);
	fmt = cmd_format(OUT_LIST);
	if ((st = cmd_load_store()) == NULL)
		goto out;
	if ((rc = cmd_find_cert(st, g.operand, &c)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if ((iss = cert_get0_issuer(c, &ilen)) == NULL ||
	    (sub = cert_get0_subject(c, &slen)) == NULL) {
		diag_err(c->path, "cannot decode the certificate's names");
		goto out;
	}
	if ((name = dn_tls_name(iss, ilen, sub, slen, &len)) == NULL)
		goto out;
	/*
	 * The name is printed all the same: it still says which certificate
	 * this is (certbind(1) name).
	 */
	if (!sel_exchange_accepts(name, len, &why))
		diag_warn(c->path,
			  "Exchange's Set-ReceiveConnector would refuse this "
			  "TlsCertificateName: %s",
			  why);
	if (fmt == OUT_JSON) {
		cert_hex(c->sha1, 20, hex);
		if ((o = ov_new_object()) == NULL ||
		    ov_add_cstr(o, "Thumbprint", hex) == -1 ||
		    ov_add_str(o, "TlsCertificateName", name, len) == -1 ||
		    (out = out_open(stdout, fmt, columns)) == NULL ||
		    out_value(out, o) == -1)
			goto out;
	} else if (safe_is_unsafe(name, len)) {
		/*
		 * Raw control characters would reach the terminal or a
		 * script; the JSON form carries them escaped.
		 */
		diag_err(
		    c->path,
		    "the certificate's name holds control "
		    "characters or invalid UTF-8; see it with --format json");
		goto out;
	} else if (fwrite(name, 1, len, stdout) != len || putchar('\n') == EOF)
		goto out;
	rc = EXIT_OK;
out:
	/* Every JSON run prints a document: {} when there is no name. */
	if (fmt == OUT_JSON && out == NULL)
		(void)out_json_stopped(stdout, NULL);
	if (out != NULL && out_close(out) == -1)
		rc = EXIT_FAIL;
	ov_free(o);
	free(name);
	store_free(st);
	return rc;
}
