/*
 * certbind validate [--identity PATTERN] [--warn-days N] [--strict]
 *     [--no-chain]: the pre-deployment check of certbind(1) CHECKS for every
 * selected connector, in one pass over the store, also as JUnit XML and
 * as Prometheus metrics.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "exchange.h"
#include "hostname.h"
#include "output.h"
#include "safe.h"
#include "select.h"
#include "store.h"

enum {
	OPT_IDENTITY = 0x200,
	OPT_WARN_DAYS,
	OPT_STRICT,
	OPT_NO_CHAIN,
	OPT_KIND
};

struct validate_opts {
	const char *identity;
	int	    kind; /* -1: both */
	long	    warn_days;
	int	    strict;
	int	    no_chain;
};

static const struct argp_option options[] = {
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "only connectors whose Identity or Name matches the glob", 0},
    {"kind", OPT_KIND, "KIND", 0,
     "only receive or only send connectors (KIND: receive or send)", 0},
    {"warn-days", OPT_WARN_DAYS, "N", 0,
     "warn when a certificate expires within N days (30)", 0},
    {"strict", OPT_STRICT, NULL, 0, "a warning fails too (exit 1)", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the Chain check", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct validate_opts *o = state->input;

	switch (key) {
	case OPT_IDENTITY:
		o->identity = arg;
		break;
	case OPT_KIND:
		o->kind = cmd_parse_kind(state, arg);
		break;
	case OPT_WARN_DAYS:
		o->warn_days = cmd_parse_days(state, "--warn-days", arg);
		break;
	case OPT_STRICT:
		o->strict = 1;
		break;
	case OPT_NO_CHAIN:
		o->no_chain = 1;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp validate_argp = {
    options,
    parse,
    NULL,
    "Check every selected connector before deployment: its binding "
    "resolves, matches its Fqdn and passes every check.  Exit status 1 "
    "when a check failed (with --strict: or warned).\v"
    "--format junit writes JUnit XML, a testcase per connector and check; "
    "--format prometheus the Prometheus text format, for node_exporter's "
    "textfile collector.",
    cmd_global_children,
    NULL,
    NULL};

/*
 * One connector's result, built up as checks run (at most CHECKS_MAX:
 * Identity, Binding, Fqdn or Domain, and the five other checks).
 */
struct vconn {
	const struct conn *cn;
	char		   thumb[41]; /* "" when nothing selected */
	time_t		   not_after; /* of that certificate */
	struct checks	   cs;
	/* Prometheus: the next selected connector with exactly this
	 * identity, and whether an earlier one has it (print_prometheus). */
	struct vconn *next_same;
	int	      shadowed;
};

/* ", T (NotBefore to NotAfter)" for each of the n candidates v. */
static void
put_cands(FILE *fp, const struct exch_cand *v, size_t n)
{
	char   hex[41], nb[32], na[32];
	size_t i;

	for (i = 0; i < n; i++) {
		cert_hex(v[i].c->sha1, 20, hex);
		cert_format_time(v[i].c->not_before, nb, sizeof(nb));
		cert_format_time(v[i].c->not_after, na, sizeof(na));
		fprintf(fp, "%s %s (%s to %s)", i ? "," : "", hex, nb, na);
	}
}

/* "; Exchange ignores T (why), ..." for the candidates it ignores. */
static void
put_ignored(FILE *fp, const struct exch_pick *pk, const char *lead)
{
	char   hex[41];
	size_t i;

	for (i = pk->nvalid; i < pk->n; i++) {
		cert_hex(pk->v[i].c->sha1, 20, hex);
		fprintf(fp, "%s %s (%s)", i == pk->nvalid ? lead : ",", hex,
			pk->v[i].why);
	}
}

/*
 * The Binding check with no TlsCertificateName: Exchange searches by the
 * Fqdn (certbind(1) WHAT EXCHANGE DOES).  Sets *best to what it presents.
 */
static int
binding_by_host(struct vconn *r, struct sel_both *ix, struct store *st,
		const struct check_opts *copts, FILE *fp,
		enum check_result *res, struct cert **best)
{
	struct exch_pick pk;
	struct host	 h;
	const char	*fqdn = r->cn->fqdn;
	char		 hex[41];

	*res = CHECK_WARN;
	if (fqdn == NULL || *fqdn == '\0') {
		fputs("no TlsCertificateName and no Fqdn: Exchange searches "
		      "for a certificate by the server's FQDN, which the "
		      "configuration does not hold",
		      fp);
		return 0;
	}
	if (host_parse_fqdn(fqdn, strlen(fqdn), &h, NULL) == -1) {
		fputs("no TlsCertificateName: Exchange searches for a "
		      "certificate by the Fqdn, which is not a host name",
		      fp);
		return 0;
	}
	if (exch_by_host(ix->hx, st, &h, copts, &pk) == -1)
		return -1;
	if (pk.nvalid == 0) {
		*res = CHECK_FAIL;
		fprintf(fp,
			"no TlsCertificateName, and no valid certificate in "
			"the store covers %s: Exchange logs event 12014 and "
			"does not offer STARTTLS",
			h.name);
		put_ignored(fp, &pk, "; it ignores");
	} else if (pk.ntop == 1) {
		*res = CHECK_PASS;
		*best = pk.v[0].c;
		cert_hex(pk.v[0].c->sha1, 20, hex);
		fprintf(fp,
			"no TlsCertificateName: Exchange searches by the Fqdn "
			"and presents %s (%s, %s)",
			hex,
			pk.v[0].wildcard ? "covers it by a wildcard"
					 : "covers it by name",
			pk.v[0].self_signed ? "self-signed" : "issued by a CA");
	} else {
		*best = pk.v[0].c;
		fprintf(fp,
			"no TlsCertificateName: %zu valid certificates cover "
			"%s equally well, and Exchange may present any:",
			pk.ntop, h.name);
		put_cands(fp, pk.v, pk.ntop);
	}
	exch_pick_release(&pk);
	return 0;
}

/*
 * The Binding check: what Exchange does with the connector's
 * TlsCertificateName (certbind(1) WHAT EXCHANGE DOES).  Sets *best to the
 * certificate it presents, or NULL.  Returns 0, or -1 when memory ran
 * out.
 */
static int
binding(struct vconn *r, struct sel_both *ix, struct store *st,
	const struct check_opts *copts, struct cert **best)
{
	struct sel_name	  nm;
	struct exch_pick  pk;
	enum check_result res = CHECK_FAIL;
	const char	 *why, *tls = r->cn->tls_name;
	char		 *d = NULL, hex[41];
	size_t		  len = 0;
	FILE		 *fp;
	int		  rc = 0, bad, cloud = conn_is_cloud(r->cn);

	*best = NULL;
	memset(&pk, 0, sizeof(pk));
	if ((fp = open_memstream(&d, &len)) == NULL)
		return -1;
	if (cloud && (tls == NULL || *tls == '\0'))
		fputs("no TlsCertificateName", fp);
	else if (!conn_offers_tls(r->cn)) {
		res = CHECK_WARN;
		fprintf(fp,
			"AuthMechanism has no Tls: the connector does not "
			"offer STARTTLS, so %s",
			tls == NULL || *tls == '\0'
			    ? "it presents no certificate"
			    : "its TlsCertificateName is unused");
	} else if (tls == NULL || *tls == '\0')
		rc = binding_by_host(r, ix, st, copts, fp, &res, best);
	else if (!sel_exchange_accepts(tls, strlen(tls), &why))
		fprintf(fp,
			"Exchange's Set-%sConnector refuses this "
			"TlsCertificateName: %s",
			conn_kind_name(r->cn), why);
	else if (sel_parse(tls, strlen(tls), &nm, &why) == -1)
		fprintf(fp, "malformed TlsCertificateName: %s", why);
	else if ((rc = exch_by_name(ix->ix, &nm, copts, &pk)) == -1)
		;
	else if (pk.n == 0)
		fputs("TlsCertificateName selects no certificate in the store "
		      "(Exchange logs event 12014 and cannot use it for "
		      "STARTTLS)",
		      fp);
	else if (pk.nvalid == 0) {
		fprintf(fp,
			"TlsCertificateName selects %zu certificate%s and "
			"none is valid (Exchange logs event 12014 and cannot "
			"use it for STARTTLS):",
			pk.n, pk.n == 1 ? "" : "s");
		put_ignored(fp, &pk, "");
	} else {
		*best = pk.v[0].c;
		if (pk.nvalid == 1) {
			res = CHECK_PASS;
			cert_hex(pk.v[0].c->sha1, 20, hex);
			fprintf(fp, "selects %s", hex);
		} else {
			res = CHECK_WARN;
			fprintf(fp,
				"ambiguous: selects %zu valid certificates, "
				"Exchange may use any:",
				pk.nvalid);
			put_cands(fp, pk.v, pk.nvalid);
		}
		put_ignored(fp, &pk, "; Exchange ignores");
	}
	exch_pick_release(&pk);
	/*
	 * Hybrid (certbind(1) WHAT EXCHANGE DOES): mail flow with Exchange
	 * Online needs a name that selects a valid certificate.
	 */
	if (cloud && (*best == NULL || tls == NULL || *tls == '\0')) {
		res = CHECK_FAIL;
		*best = NULL;
		if (r->cn->kind == CONN_SEND)
			fputs("; this send connector has "
			      "CloudServicesMailEnabled "
			      "true (hybrid)",
			      fp);
		else
			fprintf(fp,
				"; this receive connector has "
				"TlsDomainCapabilities %s (hybrid)",
				r->cn->tls_domain_caps);
		fputs(": mail flow with Exchange Online needs a "
		      "TlsCertificateName that selects a valid certificate",
		      fp);
	}
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad || rc == -1)
		rc = -1;
	else
		rc = checks_addf(&r->cs, "Binding", res, "%s", d);
	free(d);
	return rc;
}

/*
 * Validates one connector: Identity (only when duplicated), Binding,
 * Fqdn (only when missing or not a host name), then every check of the
 * selected certificate against the Fqdn.  Returns 0 or -1 (memory).
 */
static int
validate_one(struct vconn *r, struct sel_both *ix, struct store *st,
	     const struct check_opts *copts)
{
	struct check_opts co = *copts;
	struct checks	  cs;
	struct host	  h;
	struct cert	 *c;
	const char	 *why, *fqdn = r->cn->fqdn;
	size_t		  i;
	int		  host_ok = 0;

	/* A send connector presents a client certificate (CHECKS). */
	co.client = r->cn->kind == CONN_SEND;
	if (r->cn->dup_line != 0 &&
	    checks_addf(
		&r->cs, "Identity", CHECK_FAIL,
		"also the identity of the connector at line %ld; Exchange "
		"needs unique names",
		r->cn->dup_line) == -1)
		return -1;
	if (binding(r, ix, st, &co, &c) == -1)
		return -1;
	if (fqdn == NULL || *fqdn == '\0') {
		if (checks_addf(&r->cs, "Fqdn", CHECK_FAIL, "no Fqdn") == -1)
			return -1;
	} else if (host_parse_fqdn(fqdn, strlen(fqdn), &h, &why) == -1) {
		if (checks_addf(&r->cs, "Fqdn", CHECK_FAIL,
				"Fqdn is not a host "
				"name: %s",
				why) == -1)
			return -1;
	} else
		host_ok = 1;
	if (c == NULL)
		return 0;
	cert_hex(c->sha1, 20, r->thumb);
	r->not_after = c->not_after;
	if (checks_run(c, host_ok ? &h : NULL, &co, &cs) == -1)
		return -1;
	for (i = 0; i < cs.n; i++)
		if (checks_addf(&r->cs, cs.v[i].name, cs.v[i].result, "%s",
				cs.v[i].detail) == -1) {
			checks_release(&cs);
			return -1;
		}
	checks_release(&cs);
	return 0;
}

static struct ov *
vconn_ov(const struct vconn *r)
{
	struct ov *o;
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	err |= ov_add_cstr(o, "Identity", r->cn->identity);
	err |= ov_add_cstr(o, "Kind", conn_kind_name(r->cn));
	err |= ov_add_cstr(o, "Fqdn", r->cn->fqdn);
	err |= ov_add_cstr(o, "TlsCertificateName", r->cn->tls_name);
	err |= ov_add_cstr(o, "Thumbprint", *r->thumb ? r->thumb : NULL);
	err |= ov_add_cstr(o, "Result", check_result_name(r->cs.worst));
	err |= ov_add(o, "Checks", cmd_checks_ov(&r->cs));
	if (err) {
		ov_free(o);
		return NULL;
	}
	return o;
}

static const char *const table_cols[] = {"Identity", "Check", "Result",
					 "Detail", NULL};

/* Table: a row per connector and check, so every problem is in view. */
static int
print_table(const struct vconn *rs, size_t n, FILE *fp)
{
	struct out *out;
	struct ov  *row;
	size_t	    i, k;
	int	    err = 0;

	if ((out = out_open(fp, OUT_TABLE, table_cols)) == NULL)
		return -1;
	for (i = 0; i < n && !err; i++)
		for (k = 0; k < rs[i].cs.n && !err; k++) {
			if ((row = ov_new_object()) == NULL) {
				err = 1;
				break;
			}
			err |= ov_add_cstr(row, "Identity", rs[i].cn->identity);
			err |= ov_add_cstr(row, "Check", rs[i].cs.v[k].name);
			err |= ov_add_cstr(
			    row, "Result",
			    check_result_name(rs[i].cs.v[k].result));
			err |= ov_add_cstr(row, "Detail", rs[i].cs.v[k].detail);
			err |= out_item(out, row);
			ov_free(row);
		}
	return out_close(out) == -1 || err ? -1 : 0;
}

static int
print_tree(const struct vconn *rs, size_t n, enum check_result worst,
	   enum out_format fmt, FILE *fp)
{
	struct out *out = NULL;
	struct ov  *root, *arr, *one;
	size_t	    i;
	int	    rc = -1;

	if ((root = ov_new_object()) == NULL)
		return -1;
	if (ov_add_cstr(root, "Result", check_result_name(worst)) == -1 ||
	    (arr = ov_new_array()) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if ((one = vconn_ov(&rs[i])) == NULL ||
		    ov_push(arr, one) == -1) {
			ov_free(arr);
			goto out;
		}
	if (ov_add(root, "Connectors", arr) == -1)
		goto out;
	if (fmt == OUT_LIST) {
		/* A list of connectors, each with its checks below it. */
		if ((out = out_open(fp, fmt, NULL)) == NULL)
			goto out;
		for (i = 0; i < n; i++) {
			if ((one = vconn_ov(&rs[i])) == NULL)
				goto out;
			if (out_item(out, one) == -1) {
				ov_free(one);
				goto out;
			}
			ov_free(one);
		}
	} else if ((out = out_open(fp, fmt, NULL)) == NULL ||
		   out_value(out, root) == -1)
		goto out;
	rc = 0;
out:
	if (out != NULL && out_close(out) == -1)
		rc = -1;
	ov_free(root);
	return rc;
}

/*
 * An attribute of a JUnit element holding text from a connector or a
 * certificate: escaped as in a table (safe.h), so that no character
 * XML 1.0 forbids and nothing that drives a terminal reaches the
 * report; libxml2 escapes the markup.  0 or -1.
 */
static int
junit_attr(xmlTextWriterPtr w, const char *name, const char *s)
{
	char *e;
	int   rc;

	if ((e = safe_escape(s, strlen(s), NULL)) == NULL)
		return -1;
	rc = xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST e);
	free(e);
	return rc < 0 ? -1 : 0;
}

/* <system-out>RESULT: DETAIL</system-out>, DETAIL escaped the same way. */
static int
junit_note(xmlTextWriterPtr w, enum check_result res, const char *detail)
{
	char *e;
	int   rc;

	if ((e = safe_escape(detail, strlen(detail), NULL)) == NULL)
		return -1;
	rc = xmlTextWriterWriteFormatElement(w, BAD_CAST "system-out", "%s: %s",
					     check_result_name(res), e);
	free(e);
	return rc < 0 ? -1 : 0;
}

/*
 * The opening of a JUnit document: one testsuite of tests testcases,
 * failures of them failed.  Returns the writer (and *bufp, which
 * junit_end frees), or NULL when memory ran out.
 */
static xmlTextWriterPtr
junit_begin(xmlBufferPtr *bufp, size_t tests, size_t failures, int *err)
{
	xmlTextWriterPtr w;
	char		 num[32];

	if ((*bufp = xmlBufferCreate()) == NULL)
		return NULL;
	if ((w = xmlNewTextWriterMemory(*bufp, 0)) == NULL) {
		xmlBufferFree(*bufp);
		return NULL;
	}
	xmlTextWriterSetIndent(w, 1);
	*err |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	*err |= xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
	*err |= xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	*err |= junit_attr(w, "name", "certbind validate");
	snprintf(num, sizeof(num), "%zu", tests);
	*err |= junit_attr(w, "tests", num);
	snprintf(num, sizeof(num), "%zu", failures);
	*err |= junit_attr(w, "failures", num);
	return w;
}

/* Closes the document, writes it to fp and frees w and buf.  0 or -1. */
static int
junit_end(xmlTextWriterPtr w, xmlBufferPtr buf, int err, FILE *fp)
{
	err |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	if (!err && fwrite(xmlBufferContent(buf), 1, xmlBufferLength(buf),
			   fp) != (size_t)xmlBufferLength(buf))
		err = 1;
	xmlBufferFree(buf);
	return err ? -1 : 0;
}

/*
 * JUnit XML (the de-facto schema Jenkins, GitLab and GitHub read): one
 * testsuite, a testcase per connector and check; Fail is a <failure>,
 * Warn a <failure> with --strict, else a note in <system-out>.
 */
static int
print_junit(const struct vconn *rs, size_t n, int strict, FILE *fp)
{
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	size_t		 i, k, tests = 0, failures = 0;
	int		 err = 0, fail;

	for (i = 0; i < n; i++)
		for (k = 0; k < rs[i].cs.n; k++) {
			tests++;
			failures +=
			    rs[i].cs.v[k].result == CHECK_FAIL ||
			    (strict && rs[i].cs.v[k].result == CHECK_WARN);
		}
	if ((w = junit_begin(&buf, tests, failures, &err)) == NULL)
		return -1;
	for (i = 0; i < n && !err; i++)
		for (k = 0; k < rs[i].cs.n && !err; k++) {
			const struct check *c = &rs[i].cs.v[k];

			fail = c->result == CHECK_FAIL ||
			       (strict && c->result == CHECK_WARN);
			err |= xmlTextWriterStartElement(w, BAD_CAST
							 "testcase") < 0;
			err |= junit_attr(w, "classname", rs[i].cn->identity);
			err |= junit_attr(w, "name", c->name);
			if (fail) {
				err |= xmlTextWriterStartElement(w, BAD_CAST
								 "failure") < 0;
				err |= junit_attr(w, "type",
						  check_result_name(c->result));
				err |= junit_attr(w, "message", c->detail);
				err |= xmlTextWriterEndElement(w) < 0;
			} else
				err |= junit_note(w, c->result, c->detail);
			err |= xmlTextWriterEndElement(w) < 0;
		}
	return junit_end(w, buf, err, fp);
}

/*
 * A label value of the Prometheus text format: the text exactly, only
 * backslash, double quote and line feed escaped, as the format requires
 * (certbind(1) validate).  The configuration is UTF-8, as it requires.
 */
static void
prom_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '\\':
			fputs("\\\\", fp);
			break;
		case '"':
			fputs("\\\"", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		default:
			putc(*s, fp);
			break;
		}
}

/* The HELP and TYPE lines of a family; help holds no \ or newline. */
static void
prom_family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/*
 * The families every document has: when the checks were judged, whether
 * the configuration was read, whether every selected connector was
 * checked.
 */
static void
prom_head(FILE *fp, int config_ok, int success)
{
	prom_family(fp, "certbind_validate_timestamp_seconds",
		    "The time the checks were judged at (Unix time).");
	fprintf(fp, "certbind_validate_timestamp_seconds %lld\n",
		(long long)g.at);
	prom_family(fp, "certbind_config_ok",
		    "1 when the connector configuration was read and is "
		    "valid, else 0.");
	fprintf(fp, "certbind_config_ok %d\n", config_ok);
	prom_family(fp, "certbind_validate_success",
		    "1 when every selected connector was checked, 0 when "
		    "validate stopped before.");
	fprintf(fp, "certbind_validate_success %d\n", success);
}

/*
 * The kind label: a send and a receive connector may share an identity,
 * so every per-connector series carries it.
 */
static const char *
prom_kind(const struct conn *c)
{
	return c->kind == CONN_SEND ? "send" : "receive";
}

static int
vconn_ptr_cmp(const void *a, const void *b)
{
	const struct vconn *x = *(const struct vconn *const *)a;
	const struct vconn *y = *(const struct vconn *const *)b;
	int		    c;

	if (x->cn->kind != y->cn->kind)
		return x->cn->kind - y->cn->kind;
	if ((c = strcmp(x->cn->identity, y->cn->identity)) != 0)
		return c;
	return x < y ? -1 : x > y;
}

/*
 * Links the connectors whose identities are exactly the same (the
 * Identity check fails for them): a series is named by its labels, and
 * node_exporter refuses a file that has one twice, so they are printed
 * as one.  Only connectors with dup_line can share an identity.
 * Returns 0, or -1 when memory ran out.
 */
static int
prom_link_same(struct vconn *rs, size_t n)
{
	struct vconn **v;
	size_t	       i, k = 0;

	for (i = 0; i < n; i++)
		k += rs[i].cn->dup_line != 0;
	if (k < 2)
		return 0;
	if ((v = calloc(k, sizeof(*v))) == NULL)
		return -1;
	for (k = 0, i = 0; i < n; i++)
		if (rs[i].cn->dup_line != 0)
			v[k++] = &rs[i];
	qsort(v, k, sizeof(*v), vconn_ptr_cmp);
	for (i = 1; i < k; i++)
		if (v[i - 1]->cn->kind == v[i]->cn->kind &&
		    strcmp(v[i - 1]->cn->identity, v[i]->cn->identity) == 0) {
			v[i - 1]->next_same = v[i];
			v[i]->shadowed = 1;
		}
	free(v);
	return 0;
}

/*
 * Room for the distinct check names of one identity: a connector has at
 * most CHECKS_MAX, and connectors sharing one add at most Fqdn or
 * Domain, so none is ever left out.
 */
#define PROM_NAMES (2 * CHECKS_MAX)

/*
 * The check results of r and every connector with its identity, one per
 * check name (the worst), in order of first appearance.
 */
static void
prom_checks(FILE *fp, const struct vconn *r)
{
	const struct vconn *m;
	const char	   *name[PROM_NAMES];
	enum check_result   res[PROM_NAMES];
	size_t		    k, j, nn = 0;

	for (m = r; m != NULL; m = m->next_same)
		for (k = 0; k < m->cs.n; k++) {
			for (j = 0; j < nn; j++)
				if (strcmp(name[j], m->cs.v[k].name) == 0)
					break;
			if (j == nn) {
				if (nn == PROM_NAMES)
					continue;
				name[nn] = m->cs.v[k].name;
				res[nn++] = m->cs.v[k].result;
			} else if (m->cs.v[k].result > res[j])
				res[j] = m->cs.v[k].result;
		}
	for (j = 0; j < nn; j++) {
		fputs("certbind_check_result{identity=\"", fp);
		prom_label(fp, r->cn->identity);
		fprintf(fp, "\",kind=\"%s\",check=\"", prom_kind(r->cn));
		prom_label(fp, name[j]);
		fprintf(fp, "\"} %d\n", (int)res[j]);
	}
}

/*
 * Prometheus text format for node_exporter's textfile collector
 * (certbind(1) validate): per connector its result and each check's, 0
 * Pass, 1 Warn, 2 Fail, and the NotAfter of the certificate it selects.
 * Connectors with the same identity are linked first (prom_link_same).
 * Returns 0, or -1 on a write error.
 */
static int
print_prometheus(const struct vconn *rs, size_t n, FILE *fp)
{
	const struct vconn *m, *e;
	enum check_result   worst;
	size_t		    i;
	int		    any = 0;

	prom_head(fp, 1, 1);
	prom_family(fp, "certbind_connector_result",
		    "The worst check result of a connector: 0 Pass, 1 Warn, "
		    "2 Fail.");
	for (i = 0; i < n; i++) {
		if (rs[i].shadowed)
			continue;
		for (worst = CHECK_PASS, m = &rs[i]; m != NULL;
		     m = m->next_same)
			if (m->cs.worst > worst)
				worst = m->cs.worst;
		fputs("certbind_connector_result{identity=\"", fp);
		prom_label(fp, rs[i].cn->identity);
		fprintf(fp, "\",kind=\"%s\"} %d\n", prom_kind(rs[i].cn),
			(int)worst);
	}
	prom_family(fp, "certbind_check_result",
		    "The result of one check of a connector: 0 Pass, 1 Warn, "
		    "2 Fail.");
	for (i = 0; i < n; i++)
		if (!rs[i].shadowed)
			prom_checks(fp, &rs[i]);
	for (i = 0; i < n; i++) {
		if (rs[i].shadowed)
			continue;
		for (m = &rs[i]; m != NULL; m = m->next_same) {
			if (*m->thumb == '\0')
				continue;
			for (e = &rs[i]; e != m; e = e->next_same)
				if (strcmp(e->thumb, m->thumb) == 0)
					break;
			if (e != m)
				continue;
			if (!any)
				prom_family(
				    fp,
				    "certbind_certificate_not_after_seconds",
				    "The NotAfter of the certificate a "
				    "connector's TlsCertificateName selects "
				    "(Unix time).");
			any = 1;
			fputs("certbind_certificate_not_after_seconds{"
			      "identity=\"",
			      fp);
			prom_label(fp, m->cn->identity);
			fprintf(fp, "\",kind=\"%s\",thumbprint=\"%s\"} %lld\n",
				prom_kind(m->cn), m->thumb,
				(long long)m->not_after);
		}
	}
	return ferror(fp) ? -1 : 0;
}

/*
 * A run that stopped before any check (the configuration could not be read,
 * nothing selected, the store failed) still writes a JUnit document: one
 * testcase named name, failed with message, so that CI shows the failure
 * rather than a parse error.  0 or -1.
 */
static int
junit_stopped(FILE *fp, const char *name, const char *message)
{
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 err = 0;

	if ((w = junit_begin(&buf, 1, 1, &err)) == NULL)
		return -1;
	err |= xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
	err |= junit_attr(w, "classname", "certbind validate");
	err |= junit_attr(w, "name", name);
	err |= xmlTextWriterStartElement(w, BAD_CAST "failure") < 0;
	err |= junit_attr(w, "type", "Error");
	err |= junit_attr(w, "message", message);
	return junit_end(w, buf, err, fp);
}

/*
 * What junit_stopped says of a configuration that could not be loaded: its
 * first problem, as cmd_conn_errs reports it.  A new string, or NULL.
 */
static char *
conn_errs_first(const struct conn_errs *errs)
{
	char *s = NULL;
	int   n;

	if (errs->n > 0 && errs->v[0].line > 0)
		n = asprintf(&s, "%s:%ld: %s", errs->file, errs->v[0].line,
			     errs->v[0].msg);
	else if (errs->n > 0)
		n = asprintf(&s, "%s: %s", errs->file, errs->v[0].msg);
	else
		n = asprintf(&s, "%s: %s", errs->file,
			     strerror(errs->sys_errno));
	return n == -1 ? NULL : s;
}

int
cmd_validate(int argc, char **argv)
{
	struct validate_opts o;
	struct conn_file    *cf = NULL;
	struct conn_errs     errs;
	struct store	    *st = NULL;
	struct sel_both	     ix = {NULL, NULL};
	struct check_opts    copts;
	struct vconn	    *rs = NULL;
	enum check_result    worst = CHECK_PASS;
	enum out_format	     fmt;
	size_t		     i, n = 0;
	int		     rc = EXIT_FAIL, prc, printed = 0;
	char		    *stopped = NULL;

	memset(&o, 0, sizeof(o));
	o.identity = "*";
	o.kind = -1;
	o.warn_days = 30;
	argp_parse(&validate_argp, argc, argv, 0, NULL, &o);
	fmt = cmd_format(OUT_TABLE);
	memset(&copts, 0, sizeof(copts));
	if (conn_load_flags(g.config, CONN_LOAD_DUPLICATES, &cf, &errs) == -1) {
		cmd_conn_errs(&errs, 0);
		stopped = conn_errs_first(&errs);
		conn_errs_release(&errs);
		goto out;
	}
	conn_errs_release(&errs);
	if ((rs = calloc(cf->n + 1, sizeof(*rs))) == NULL)
		goto nomem;
	for (i = 0; i < cf->n; i++)
		if (cmd_conn_selected(&cf->v[i], o.identity, o.kind))
			rs[n++].cn = &cf->v[i];
	if (n == 0) {
		diag_err(g.config, "no connector matches '%s'", o.identity);
		rc = EXIT_NO;
		goto out;
	}
	/* The index is built as the store loads: no certificate read twice. */
	if ((ix.ix = sel_index_empty()) == NULL ||
	    (ix.hx = sel_hosts_empty()) == NULL)
		goto nomem;
	if ((st = cmd_load_store_each(sel_both_add, &ix)) == NULL)
		goto out;
	if (sel_index_done(ix.ix, st) == -1 || sel_hosts_done(ix.hx, st) == -1)
		goto nomem;
	if (cmd_check_opts(&copts, st, o.warn_days, o.no_chain) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (validate_one(&rs[i], &ix, st, &copts) == -1)
			goto nomem;
		if (rs[i].cs.worst > worst)
			worst = rs[i].cs.worst;
	}
	if (fmt == OUT_PROMETHEUS && prom_link_same(rs, n) == -1)
		goto nomem;
	printed = 1;
	if (fmt == OUT_JUNIT)
		prc = print_junit(rs, n, o.strict, stdout);
	else if (fmt == OUT_PROMETHEUS)
		prc = print_prometheus(rs, n, stdout);
	else if (fmt == OUT_TABLE)
		prc = print_table(rs, n, stdout);
	else
		prc = print_tree(rs, n, worst, fmt, stdout);
	if (prc == -1) {
		diag_err("stdout", "write error");
		goto out;
	}
	rc = worst == CHECK_FAIL || (o.strict && worst == CHECK_WARN) ? EXIT_NO
								      : EXIT_OK;
	goto out;
nomem:
	diag_err(NULL, "out of memory");
out:
	/* Every JSON and Prometheus run prints a document (main reports a
	 * write error). */
	if (fmt == OUT_JSON && !printed)
		(void)out_json_stopped(stdout,
				       rc == EXIT_NO ? "Fail" : "Error");
	if (fmt == OUT_PROMETHEUS && !printed)
		prom_head(stdout, cf != NULL, 0);
	if (fmt == OUT_JUNIT && !printed)
		(void)junit_stopped(stdout,
				    cf == NULL ? "Configuration" : "Validate",
				    stopped != NULL ? stopped
						    : "validate stopped before "
						      "its checks: see the "
						      "diagnostics");
	free(stopped);
	for (i = 0; rs != NULL && i < n; i++)
		checks_release(&rs[i].cs);
	free(rs);
	checks_opts_release(&copts);
	sel_index_free(ix.ix);
	sel_hosts_free(ix.hx);
	store_free(st);
	conn_file_free(cf);
	return rc;
}
