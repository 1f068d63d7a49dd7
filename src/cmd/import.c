/*
 * certbind import FILE... [--dry-run] [--backup]
 *
 * Exchange's exports merged into the configuration (certbind(1) import):
 * every export is read and checked before the lock is taken; under it
 * each connector is matched to the configuration's by kind and
 * identity, its fields set or the connector appended, through the one
 * safe writer (certbind(1) WRITING THE CONFIGURATION).
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "fold.h"
#include "import.h"
#include "output.h"

enum { OPT_DRY_RUN = 0x200, OPT_BACKUP };

/* A configuration that does not exist yet (certbind(1) import). */
static const char empty_config[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Connectors>\n"
    "</Connectors>\n";

struct import_opts {
	char **files;
	size_t nfiles;
	int    dry_run;
	int    backup;
};

static const struct argp_option options[] = {
    {"dry-run", OPT_DRY_RUN, NULL, 0,
     "print the change as a unified diff; write nothing", 0},
    {"backup", OPT_BACKUP, NULL, 0, "keep the previous version as FILE.bak", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct import_opts *o = state->input;

	switch (key) {
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case OPT_BACKUP:
		o->backup = 1;
		break;
	case ARGP_KEY_ARG:
		o->files = &state->argv[state->next - 1];
		o->nfiles = (size_t)(state->argc - state->next + 1);
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (o->nfiles == 0)
			argp_error(state, "no export given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp import_argp = {
    options,
    parse,
    "FILE...",
    "Merge the receive and send connectors of Exchange's exports "
    "(Export-Clixml, ConvertTo-Json or Export-Csv of Get-ReceiveConnector "
    "and Get-SendConnector) into the configuration, created when absent.  "
    "A connector already there has the fields the export carries replaced; "
    "a new one is appended.  Exit status 2 when an export cannot be read.",
    cmd_global_children,
    NULL,
    NULL};

/* Everything one run holds, released in one place. */
struct import_run {
	struct import_opts   o;
	struct import_file **files;
	size_t		     nfiles;
	struct conn_file    *cf;   /* owned by the rewrite */
	struct conn_set	    *sets; /* cf->n */
	struct conn_new	    *adds; /* one per import connector at most */
	size_t		     nadds;
	/* Per import connector (files in order): the config's index, or
	 * -1 when it is added. */
	long *target;
};

/* The connector of the configuration with c's kind and identity, or -1. */
static long
find_conn(const struct conn_file *cf, const struct import_conn *c)
{
	size_t i;

	for (i = 0; i < cf->n; i++)
		if (cf->v[i].kind == c->kind &&
		    fold_casecmp(cf->v[i].identity, c->identity) == 0)
			return (long)i;
	return -1;
}

/* cmd_rewrite's plan: under the lock, match every connector. */
static int
plan_cb(void *arg, struct conn_file *cf, struct conn_edit *edits)
{
	struct import_run	 *r = arg;
	const struct import_conn *c;
	size_t			  fi, i, k = 0, total = 0;
	long			  t;
	int			  f;

	(void)edits;
	r->cf = cf;
	for (fi = 0; fi < r->nfiles; fi++)
		total += r->files[fi]->n;
	if ((r->sets = calloc(cf->n + 1, sizeof(*r->sets))) == NULL ||
	    (r->adds = calloc(total + 1, sizeof(*r->adds))) == NULL ||
	    (r->target = calloc(total + 1, sizeof(*r->target))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (fi = 0; fi < r->nfiles; fi++) {
		for (i = 0; i < r->files[fi]->n; i++, k++) {
			c = &r->files[fi]->v[i];
			if ((t = find_conn(cf, c)) == -1) {
				if (c->kind == CONN_SEND &&
				    conn_root_is_receive(cf)) {
					diag_err(g.config,
						 "the root element is "
						 "<ReceiveConnectors>, which "
						 "holds no send connector "
						 "(\"%s\" from %s:%ld); rename "
						 "it to <Connectors> (both "
						 "tags) and import again; "
						 "nothing written",
						 c->identity,
						 r->files[fi]->path, c->line);
					return EXIT_FAIL;
				}
				r->adds[r->nadds].kind = c->kind;
				r->adds[r->nadds].server = c->server;
				r->adds[r->nadds].name = c->name;
				for (f = 0; f < CONN_NFIELDS; f++)
					r->adds[r->nadds].set.v[f] = c->v[f];
				r->nadds++;
			} else
				for (f = 0; f < CONN_NFIELDS; f++)
					if (c->v[f] != NULL)
						r->sets[t].v[f] = c->v[f];
			r->target[k] = t;
		}
	}
	return EXIT_OK;
}

static int
apply_cb(void *arg, const struct conn_file *cf, char **out, size_t *outlen,
	 struct conn_errs *errs)
{
	struct import_run *r = arg;

	return conn_merge(cf, r->sets, r->adds, r->nadds, out, outlen, errs);
}

static const char *const table_columns[] = {"Identity", "Result", "Field",
					    "Old",	"New",	  NULL};

/* Adds key as the value v of field f: a boolean or text (NULL: null). */
static int
add_value(struct ov *o, const char *key, int f, const char *v)
{
	if (v == NULL)
		return ov_add_null(o, key);
	if (conn_field_is_bool(f))
		return ov_add_bool(o, key, strcmp(v, "true") == 0);
	return ov_add_cstr(o, key, v);
}

/* "True"/"False" as bind prints booleans in a table. */
static const char *
table_value(int f, const char *v)
{
	if (v == NULL || !conn_field_is_bool(f))
		return v;
	return strcmp(v, "true") == 0 ? "True" : "False";
}

/*
 * The output object of import connector c (k-th overall): its Result
 * (Added, Updated or Unchanged) and Changes, each field's old and new
 * value.  NULL when memory ran out.
 */
static struct ov *
connector_item(const struct import_run *r, const struct import_conn *c, long t)
{
	const struct conn *old = t >= 0 ? &r->cf->v[t] : NULL;
	struct ov	  *o, *ch, *x;
	const char	  *ov, *result;
	int		   f, err = 0, n = 0;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	if ((ch = ov_new_array()) == NULL) {
		ov_free(o);
		return NULL;
	}
	for (f = 0; f < CONN_NFIELDS; f++) {
		if (c->v[f] == NULL)
			continue;
		ov = old != NULL ? conn_field_value(old, f) : NULL;
		if (ov != NULL && strcmp(ov, c->v[f]) == 0)
			continue;
		if ((x = ov_new_object()) == NULL) {
			err = 1;
			break;
		}
		err |= ov_add_cstr(x, "Field", conn_field_name(f));
		err |= add_value(x, "Old", f, ov);
		err |= add_value(x, "New", f, c->v[f]);
		err |= ov_push(ch, x);
		n++;
	}
	result = old == NULL ? "Added" : n > 0 ? "Updated" : "Unchanged";
	/* The configuration's spelling of an identity found there. */
	err |= ov_add_cstr(o, "Identity",
			   old != NULL ? old->identity : c->identity);
	err |=
	    ov_add_cstr(o, "Kind", c->kind == CONN_SEND ? "Send" : "Receive");
	err |= ov_add_cstr(o, "Result", result);
	err |= ov_add(o, "Changes", ch);
	if (err) {
		ov_free(o);
		return NULL;
	}
	return o;
}

/* One table row per field changed, one for an unchanged connector. */
static int
table_rows(struct out *out, const struct import_run *r,
	   const struct import_conn *c, long t)
{
	const struct conn *old = t >= 0 ? &r->cf->v[t] : NULL;
	struct ov	  *o;
	const char	  *ov, *result = old == NULL ? "Added" : "Updated";
	int		   f, err = 0, n = 0;

	for (f = 0; f <= CONN_NFIELDS && !err; f++) {
		if (f < CONN_NFIELDS) {
			if (c->v[f] == NULL)
				continue;
			ov = old != NULL ? conn_field_value(old, f) : NULL;
			if (ov != NULL && strcmp(ov, c->v[f]) == 0)
				continue;
		} else if (n > 0)
			break;
		else {
			result = old == NULL ? "Added" : "Unchanged";
			ov = NULL;
		}
		if ((o = ov_new_object()) == NULL)
			return -1;
		err |= ov_add_cstr(o, "Identity",
				   old != NULL ? old->identity : c->identity);
		err |= ov_add_cstr(o, "Result", result);
		if (f < CONN_NFIELDS) {
			err |= ov_add_cstr(o, "Field", conn_field_name(f));
			err |= ov_add_cstr(o, "Old", table_value(f, ov));
			err |= ov_add_cstr(o, "New", table_value(f, c->v[f]));
		}
		if (!err)
			err |= out_item(out, o);
		ov_free(o);
		n++;
	}
	return err ? -1 : 0;
}

/*
 * Prints the result as bind does: a table of one row per field changed,
 * per connector an object with its Changes in list and JSON, JSON
 * wrapped in {"Result": result, "Connectors": [...]} plus "Diff" for
 * --dry-run.  Returns 0, or -1 when writing failed.
 */
static int
print_result(struct import_run *r, const char *result, const char *diff,
	     size_t difflen)
{
	struct out		 *out = NULL;
	struct ov		 *doc = NULL, *arr = NULL, *o;
	const struct import_conn *c;
	enum out_format		  fmt = cmd_format(OUT_TABLE);
	size_t			  fi, i, k;
	int			  rc = -1, err = 0;

	if (fmt != OUT_JSON && diff != NULL)
		return cmd_print_diff(diff, difflen);
	if (fmt == OUT_JSON &&
	    ((doc = ov_new_object()) == NULL || (arr = ov_new_array()) == NULL))
		goto out;
	if ((out = out_open(stdout, fmt == OUT_TABLE ? OUT_TABLE : fmt,
			    fmt == OUT_TABLE ? table_columns : NULL)) == NULL)
		goto out;
	for (fi = 0, k = 0; fi < r->nfiles && !err; fi++) {
		for (i = 0; i < r->files[fi]->n && !err; i++, k++) {
			c = &r->files[fi]->v[i];
			if (fmt == OUT_TABLE) {
				err |= table_rows(out, r, c, r->target[k]);
				continue;
			}
			if ((o = connector_item(r, c, r->target[k])) == NULL) {
				err = 1;
				break;
			}
			if (fmt == OUT_JSON)
				err |= ov_push(arr, o);
			else {
				err |= out_item(out, o);
				ov_free(o);
			}
		}
	}
	if (err)
		goto out;
	if (fmt == OUT_JSON) {
		err |= ov_add_cstr(doc, "Result", result);
		err |= ov_add(doc, "Connectors", arr);
		arr = NULL;
		if (diff != NULL)
			err |= ov_add_str(doc, "Diff", diff, difflen);
		if (err || out_value(out, doc) == -1)
			goto out;
	}
	rc = 0;
out:
	if (out != NULL && out_close(out) == -1)
		rc = -1;
	ov_free(doc);
	ov_free(arr);
	return rc;
}

/* Reports every problem of the exports. */
static void
report(const struct import_errs *errs)
{
	char   where[4096];
	size_t i;

	for (i = 0; i < errs->n; i++) {
		if (errs->v[i].line > 0)
			snprintf(where, sizeof(where), "%s:%ld",
				 errs->v[i].file, errs->v[i].line);
		else
			snprintf(where, sizeof(where), "%s", errs->v[i].file);
		diag_err(where, "%s", errs->v[i].msg);
	}
	if (errs->nomem)
		diag_err(NULL, "out of memory");
}

int
cmd_import(int argc, char **argv)
{
	struct import_run  r;
	struct import_errs errs;
	struct rewrite	   rw;
	const char	  *what;
	size_t		   i;
	int		   rc = EXIT_FAIL, printed = 0;

	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	memset(&errs, 0, sizeof(errs));
	argp_parse(&import_argp, argc, argv, 0, NULL, &r.o);
	/* Every export is read and checked before the lock is taken. */
	if ((r.files = calloc(r.o.nfiles, sizeof(*r.files))) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < r.o.nfiles; i++)
		if (import_read(r.o.files[i], &r.files[r.nfiles], &errs) == 0)
			r.nfiles++;
	if (errs.n == 0 && !errs.nomem)
		(void)import_check_duplicates(r.files, r.nfiles, &errs);
	if (errs.n > 0 || errs.nomem) {
		report(&errs);
		diag_err(g.config, "nothing written");
		goto out;
	}
	rw.dry_run = r.o.dry_run;
	rw.backup = r.o.backup;
	rw.plan = plan_cb;
	rw.apply = apply_cb;
	rw.empty = empty_config;
	rw.arg = &r;
	if ((rc = cmd_rewrite(&rw)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	printed = 1;
	/* rw.diff is NULL but after a dry run. */
	if ((what = cmd_rewrite_outcome(&rw)) != NULL &&
	    print_result(&r, what, rw.diff, rw.difflen) == 0)
		rc = EXIT_OK;
out:
	/* Every JSON run prints a document (main reports a write error). */
	if (rc != EXIT_OK && !printed && cmd_format(OUT_TABLE) == OUT_JSON)
		(void)out_json_stopped(stdout, "Error");
	import_errs_release(&errs);
	for (i = 0; i < r.nfiles; i++)
		import_file_free(r.files[i]);
	free(r.files);
	free(r.sets);
	free(r.adds);
	free(r.target);
	cmd_rewrite_release(&rw);
	return rc;
}
