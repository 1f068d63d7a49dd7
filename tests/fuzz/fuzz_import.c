/*
 * fuzz_import: the export readers (import.c) on any bytes -- the
 * decoder, CLIXML, JSON and CSV, the one mapping -- then the duplicate
 * check and a merge of what was read into a small configuration
 * (conn_merge), which must never fail its own read-back: a refusal is
 * fine, an "internal error" is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connectors.h"
#include "fold.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char conf[] = "<Connectors>\n"
			   "  <ReceiveConnector>\n"
			   "    <Server>EX01</Server>\n"
			   "    <Name>Client EX01</Name>\n"
			   "    <Fqdn>mail.contoso.com</Fqdn>\n"
			   "  </ReceiveConnector>\n"
			   "</Connectors>\n";

static void
merge(const struct import_file *f)
{
	struct conn_errs  errs;
	struct conn_file *cf = NULL;
	struct conn_set	  sets[1];
	struct conn_new	 *adds;
	size_t		  i, n = 0, k;
	char		 *out = NULL;
	size_t		  len;
	int		  fi;

	if (conn_load_mem("c.xml", conf, strlen(conf), &cf, &errs) != 0)
		abort();
	conn_errs_release(&errs);
	memset(sets, 0, sizeof(sets));
	if ((adds = calloc(f->n + 1, sizeof(*adds))) == NULL)
		abort();
	for (i = 0; i < f->n; i++) {
		if (f->v[i].kind == CONN_RECEIVE &&
		    fold_casecmp(f->v[i].identity, cf->v[0].identity) == 0) {
			for (fi = 0; fi < CONN_NFIELDS; fi++)
				if (f->v[i].v[fi] != NULL)
					sets[0].v[fi] = f->v[i].v[fi];
			continue;
		}
		adds[n].kind = f->v[i].kind;
		adds[n].server = f->v[i].server;
		adds[n].name = f->v[i].name;
		for (fi = 0; fi < CONN_NFIELDS; fi++)
			adds[n].set.v[fi] = f->v[i].v[fi];
		n++;
	}
	if (conn_merge(cf, sets, adds, n, &out, &len, &errs) == 0) {
		if (out == NULL || strlen(out) != len)
			abort();
	} else
		for (k = 0; k < errs.n; k++)
			if (strncmp(errs.v[k].msg, "internal error", 14) == 0)
				abort();
	conn_errs_release(&errs);
	free(out);
	free(adds);
	conn_file_free(cf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_errs  errs;
	struct import_file *f = NULL;
	size_t		    i;
	int		    fi;

	memset(&errs, 0, sizeof(errs));
	if (import_read_mem("x", data, size, &f, &errs) == -1) {
		if (f != NULL || (errs.n == 0 && !errs.nomem))
			abort();
		for (i = 0; i < errs.n; i++)
			if (errs.v[i].msg == NULL ||
			    strchr(errs.v[i].msg, '\n') != NULL)
				abort();
		import_errs_release(&errs);
		return 0;
	}
	if (errs.n != 0)
		abort();
	for (i = 0; i < f->n; i++) {
		if (f->v[i].name == NULL || f->v[i].identity == NULL ||
		    (f->v[i].kind != CONN_RECEIVE && f->v[i].kind != CONN_SEND))
			abort();
		for (fi = 0; fi < CONN_NFIELDS; fi++)
			if (f->v[i].v[fi] != NULL &&
			    !conn_field_of_kind(fi, f->v[i].kind))
				abort();
	}
	if (import_check_duplicates(&f, 1, &errs) == 0)
		merge(f);
	import_errs_release(&errs);
	import_file_free(f);
	return 0;
}
