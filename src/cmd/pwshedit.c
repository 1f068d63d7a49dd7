/*
 * --format powershell for bind and renew: the Exchange Management Shell
 * commands that make Exchange match the change written (certbind(1)
 * OUTPUT, "The PowerShell script").
 */
#include <stdio.h>
#include <stdlib.h>

#include "cert.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "pwsh.h"

/* A value pwsh_script refused, said as connectors says it. */
static void
refused(const struct pwsh_set *v, const struct pwsh_bad *bad)
{
	if (bad->field == NULL)
		diag_err(NULL, "out of memory");
	else if (bad->cp == -1)
		diag_err(g.config,
			 "connector '%s': %s is not valid UTF-8; a PowerShell "
			 "script cannot carry it; nothing written",
			 v[bad->index].identity, bad->field);
	else
		diag_err(g.config,
			 "connector '%s': %s holds a control character "
			 "(U+%04lX); a PowerShell script must not carry it; "
			 "nothing written",
			 v[bad->index].identity, bad->field,
			 (unsigned long)bad->cp);
}

int
cmd_pwsh_edits(const char *by, const struct conn_file *cf,
	       const struct conn_edit *edits, struct cert *const *certs,
	       char **bufp, size_t *lenp)
{
	struct pwsh_set	       *v = NULL;
	struct pwsh_bad		bad;
	const struct conn_edit *e;
	char(*hex)[41] = NULL;
	unsigned int mask;
	size_t	     i, n = 0;
	FILE	    *fp = NULL;
	int	     rc = EXIT_FAIL, wrote;

	*bufp = NULL;
	*lenp = 0;
	if ((v = calloc(cf->n + 1, sizeof(*v))) == NULL ||
	    (hex = calloc(cf->n + 1, sizeof(*hex))) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < cf->n; i++) {
		e = &edits[i];
		if ((mask = conn_edit_mask(&cf->v[i], e)) == 0)
			continue;
		v[n].send = cf->v[i].kind == CONN_SEND;
		v[n].identity = cf->v[i].identity;
		v[n].fqdn = mask & CONN_F_FQDN ? e->fqdn : NULL;
		v[n].tls_name = mask & CONN_F_TLSNAME ? e->tls_name : NULL;
		v[n].advertise = mask & CONN_F_ADVERTISE ? e->advertise : -1;
		if (certs != NULL && certs[i] != NULL) {
			cert_hex(certs[i]->sha1, 20, hex[n]);
			v[n].thumbprint = hex[n];
		}
		n++;
	}
	if ((fp = open_memstream(bufp, lenp)) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	wrote = pwsh_script(fp, by, v, n, &bad);
	if (fclose(fp) != 0 && wrote == 0) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	fp = NULL;
	if (wrote == -1) {
		refused(v, &bad);
		goto out;
	}
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK) {
		free(*bufp);
		*bufp = NULL;
		*lenp = 0;
	}
	free(hex);
	free(v);
	return rc;
}
