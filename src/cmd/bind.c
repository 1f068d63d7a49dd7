/*
 * certbind bind --identity PATTERN [--kind receive|send] [--thumbprint T]
 *     [--fqdn F]
 *     [--advertise-client-settings BOOL] [--dry-run] [--force] [--backup]
 *     [--no-chain]
 *
 * The one command that changes a file (certbind(1) COMMANDS, §9, §11), run
 * unattended by renewal automation.  The order matters: every input is checked
 * before the lock is taken; the configuration is read under the lock,
 * so a concurrent bind's change is seen and kept; every refusal happens
 * before anything is written; the file is replaced atomically or not at
 * all, and not touched when nothing changes.
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "exchange.h"
#include "dn.h"
#include "hostname.h"
#include "output.h"
#include "safe.h"
#include "select.h"
#include "store.h"

enum {
	OPT_IDENTITY = 0x200,
	OPT_THUMBPRINT,
	OPT_FQDN,
	OPT_ADVERTISE,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_BACKUP,
	OPT_NO_CHAIN,
	OPT_KIND
};

struct bind_opts {
	const char *identity;
	int	    kind; /* -1: both */
	const char *thumbprint;
	const char *fqdn;      /* as given, validated */
	struct host host;      /* fqdn parsed */
	int	    advertise; /* 0, 1 or CONN_UNSET */
	int	    dry_run;
	int	    force;
	int	    backup;
	int	    no_chain;
};

static const struct argp_option options[] = {
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "the connectors to change: a case-insensitive glob (* and ?) "
     "matched against Identity and Name (required)",
     0},
    {"kind", OPT_KIND, "KIND", 0,
     "only receive or only send connectors (KIND: receive or send)", 0},
    {"thumbprint", OPT_THUMBPRINT, "T", 0,
     "bind the certificate with this thumbprint: set "
     "TlsCertificateName to its name",
     0},
    {"fqdn", OPT_FQDN, "FQDN", 0, "set Fqdn", 0},
    {"advertise-client-settings", OPT_ADVERTISE, "BOOL", 0,
     "set AdvertiseClientSettings (true, false, 1 or 0)", 0},
    {"dry-run", OPT_DRY_RUN, NULL, 0,
     "print the change as a unified diff; write nothing", 0},
    {"force", OPT_FORCE, NULL, 0,
     "write even when a check fails (with a warning)", 0},
    {"backup", OPT_BACKUP, NULL, 0, "keep the previous version as FILE.bak", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the Chain check", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct bind_opts *o = state->input;
	const char	 *why;

	switch (key) {
	case OPT_IDENTITY:
		o->identity = arg;
		break;
	case OPT_KIND:
		o->kind = cmd_parse_kind(state, arg);
		break;
	case OPT_THUMBPRINT:
		o->thumbprint = arg;
		break;
	case OPT_FQDN:
		if (host_parse_fqdn(arg, strlen(arg), &o->host, &why) == -1)
			cmd_arg_error(state, "invalid FQDN", arg,
				      " for --fqdn: ", why);
		o->fqdn = arg;
		break;
	case OPT_ADVERTISE:
		if ((o->advertise = cmd_parse_bool(arg)) == -1)
			argp_error(state,
				   "--advertise-client-settings takes "
				   "true, false, 1 or 0, not '%s'",
				   arg);
		break;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case OPT_FORCE:
		o->force = 1;
		break;
	case OPT_BACKUP:
		o->backup = 1;
		break;
	case OPT_NO_CHAIN:
		o->no_chain = 1;
		break;
	case ARGP_KEY_END:
		if (o->identity == NULL)
			argp_error(state, "--identity is required");
		if (o->thumbprint == NULL && o->fqdn == NULL &&
		    o->advertise == CONN_UNSET)
			argp_error(state,
				   "nothing to set: give --thumbprint, "
				   "--fqdn or --advertise-client-settings");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp bind_argp = {
    options,
    parse,
    NULL,
    "Set TlsCertificateName (from --thumbprint), Fqdn and "
    "AdvertiseClientSettings on every connector PATTERN selects.  The "
    "configuration is rewritten atomically under a lock; only the values "
    "set change.  Exit status 1 when a check refuses the binding or "
    "PATTERN selects no connector.",
    cmd_global_children,
    NULL,
    NULL};

/* Everything one run holds, released in one place. */
struct bind_run {
	struct bind_opts  o;
	struct store	 *st;
	struct cert	 *cert;	    /* --thumbprint's certificate */
	char		 *tls_name; /* its TLS certificate name */
	size_t		  tls_len;
	struct conn_file *cf;	    /* owned by the rewrite */
	struct conn_edit *edits;    /* cf->n, a copy for output */
	int		 *selected; /* cf->n */
	struct ov	**items;    /* cf->n output objects, when keep */
	int		  keep;	    /* the format prints items (json, list) */
	struct check_opts co;	    /* for the checks, once co_ready */
	int		  co_ready;
	struct sel_index *ix; /* the store's, from run_exchange */
	/* Its checks but Domain, run once per kind of connector (a send
	 * connector's certificate is a client certificate), and the same
	 * as output. */
	struct checks common[2];
	struct ov    *common_ov[2][CHECKS_MAX];
	size_t	      refused; /* connectors a check refused */
	int	      printed; /* print_result ran */
	char	     *script;  /* --format powershell, made by plan_cb */
	size_t	      scriptlen;
};

/* The store, loaded on first use.  NULL after reporting. */
static struct store *
run_store(struct bind_run *r)
{
	if (r->st == NULL)
		r->st = cmd_load_store();
	return r->st;
}

static void
thumb_of(const struct cert *c, char *hex)
{
	cert_hex(c->sha1, 20, hex);
}

/*
 * The store, its index and the check options (trust anchors,
 * intermediates), loaded on first use, for the checks and for what
 * Exchange picks (exchange.h).  -1 after reporting.
 */
static int
run_exchange(struct bind_run *r)
{
	if (run_store(r) == NULL)
		return -1;
	if (!r->co_ready) {
		if (cmd_check_opts(&r->co, r->st, 30, r->o.no_chain) == -1)
			return -1;
		r->co_ready = 1;
	}
	if (r->ix == NULL && (r->ix = sel_index_new(r->st)) == NULL) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * Warns when other valid certificates of the store have the name of the
 * certificate being bound: Exchange then presents any of them
 * (certbind(1) WHAT EXCHANGE DOES), which may not be the one the user
 * pasted.  Those Exchange ignores are mentioned with -v.
 */
static int
warn_ambiguous(struct bind_run *r)
{
	struct sel_name	 sn;
	struct exch_pick pk;
	const char	*why;
	char		 hex[41], date[32];
	size_t		 i;

	if (sel_parse(r->tls_name, r->tls_len, &sn, &why) == -1)
		return 0;
	if (exch_by_name(r->ix, &sn, &r->co, &pk) == -1) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	thumb_of(r->cert, hex);
	if (pk.nvalid > 1)
		diag_warn(hex,
			  "%zu valid certificates in the store have this "
			  "certificate's name; the binding is ambiguous and "
			  "Exchange may present another:",
			  pk.nvalid);
	else if (pk.nvalid == 1 && pk.v[0].c != r->cert)
		diag_warn(hex, "another certificate in the store has this "
			       "certificate's name and is valid, so Exchange "
			       "would present it, not this one:");
	for (i = 0; i < pk.n; i++) {
		thumb_of(pk.v[i].c, hex);
		cert_format_time(pk.v[i].c->not_after, date, sizeof(date));
		if (pk.v[i].why != NULL)
			diag_verbose(hex,
				     "has the same name; Exchange ignores it "
				     "(%s)",
				     pk.v[i].why);
		else if (pk.nvalid > 1 || pk.v[0].c != r->cert)
			diag_warn(hex, "NotAfter %s%s%s", date,
				  pk.v[i].c->has_key ? "" : ", no private key",
				  pk.v[i].c == r->cert ? " (this one)" : "");
	}
	exch_pick_release(&pk);
	return 0;
}

/*
 * Resolves --thumbprint: the certificate and its TLS certificate name.
 * Returns EXIT_OK or the exit status after reporting.
 */
static int
resolve_cert(struct bind_run *r)
{
	const char *iss, *sub, *why;
	size_t	    ilen, slen;
	int	    rc;

	if (run_store(r) == NULL)
		return EXIT_FAIL;
	if ((rc = cmd_find_cert(r->st, r->o.thumbprint, &r->cert)) != EXIT_OK)
		return rc;
	if ((iss = cert_get0_issuer(r->cert, &ilen)) == NULL ||
	    (sub = cert_get0_subject(r->cert, &slen)) == NULL) {
		diag_err(r->cert->path, "cannot decode the certificate's "
					"names");
		return EXIT_FAIL;
	}
	if ((r->tls_name = dn_tls_name(iss, ilen, sub, slen, &r->tls_len)) ==
	    NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	/*
	 * A control character, bidi override or invalid UTF-8 in the name
	 * would go into a file an administrator reads and Exchange parses;
	 * no real CA issues such a name.  Refused even with --force.
	 */
	if (safe_is_unsafe(r->tls_name, r->tls_len) ||
	    strlen(r->tls_name) != r->tls_len) {
		diag_err(r->cert->path,
			 "the certificate's name holds control "
			 "characters or invalid UTF-8; it is not written to a "
			 "configuration");
		return EXIT_NO;
	}
	/* Exchange would not take the value: refused even with --force. */
	if (!sel_exchange_accepts(r->tls_name, r->tls_len, &why)) {
		diag_err(r->cert->path,
			 "Exchange's Set-ReceiveConnector and "
			 "Set-SendConnector would refuse the "
			 "TlsCertificateName '%s': %s; nothing written",
			 r->tls_name, why);
		return EXIT_NO;
	}
	/* The trust anchors and intermediates, once for every connector. */
	if (run_exchange(r) == -1 || warn_ambiguous(r) == -1)
		return EXIT_FAIL;
	return EXIT_OK;
}

/*
 * The checks of certbind(1) CHECKS for the certificate being bound against the
 * connector's resulting Fqdn, reported on stderr and, unless arrp is
 * NULL, returned in *arrp (Name, Result, Detail; caller frees).
 * Returns 1 when the binding must be refused, 0 when not, -1 when
 * memory ran out.
 */
static int
check_binding(struct bind_run *r, const struct conn *c, struct ov **arrp)
{
	struct checks	    ck;
	struct check_opts   co = r->co;
	struct host	    h;
	struct ov	   *arr = NULL, *o, **cov;
	const struct check *k;
	const char	   *fqdn, *why;
	size_t		    i;
	int		    err = 0, bad = 0, send = c->kind == CONN_SEND;

	if (arrp != NULL)
		*arrp = NULL;
	fqdn = r->o.fqdn != NULL ? r->o.fqdn : c->fqdn;
	if (fqdn == NULL || *fqdn == '\0') {
		diag_err(c->identity, "the connector has no Fqdn to check the "
				      "certificate against; give --fqdn");
		return 1;
	}
	if (r->o.fqdn != NULL)
		h = r->o.host;
	else if (host_parse_fqdn(fqdn, strlen(fqdn), &h, &why) == -1) {
		diag_err(c->identity,
			 "the connector's Fqdn '%s' is not a host "
			 "name (%s); give --fqdn",
			 fqdn, why);
		return 1;
	}
	/* Only Domain depends on the connector: the rest is run once. */
	co.client = send;
	cov = r->common_ov[send];
	if (r->common[send].n == 0 &&
	    checks_run(r->cert, NULL, &co, &r->common[send]) == -1) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	if (checks_run_common(r->cert, &h, &r->common[send], &ck) == -1) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	if (arrp != NULL && (arr = ov_new_array()) == NULL)
		err = 1;
	for (i = 0; i < ck.n; i++) {
		k = &ck.v[i];
		switch (k->result) {
		case CHECK_FAIL:
			bad = 1;
			diag_err(c->identity, "%s: Fail: %s", k->name,
				 k->detail);
			break;
		case CHECK_WARN:
			diag_warn(c->identity, "%s: %s", k->name, k->detail);
			break;
		default:
			diag_verbose(c->identity, "%s: Pass: %s", k->name,
				     k->detail);
			break;
		}
		if (arrp == NULL || err)
			continue;
		/*
		 * After Domain come r->common's checks (checks_run_common):
		 * built once, then shared by every connector's array.
		 */
		if (i > 0 && cov[i - 1] != NULL) {
			err |= ov_push(arr, ov_share(cov[i - 1]));
			continue;
		}
		if ((o = cmd_check_ov(k->name, k->result, k->detail)) == NULL) {
			err = 1;
			continue;
		}
		if (!err && i > 0)
			cov[i - 1] = ov_share(o);
		err |= ov_push(arr, o);
	}
	checks_release(&ck);
	if (err) {
		ov_free(arr);
		diag_err(NULL, "out of memory");
		return -1;
	}
	if (arrp != NULL)
		*arrp = arr;
	return bad;
}

/*
 * bind --fqdn without --thumbprint: the certificate the connector's
 * current name selects (the preferred one, as certbind ranks them) must
 * cover the new FQDN, or the connector would present a certificate for
 * another name.  A connector without a name, or whose name selects
 * nothing, has nothing to break: said, and allowed.  Returns 1 to
 * refuse, 0 to allow, -1 after reporting a failure (exit 2).
 */
static int
check_current(struct bind_run *r, const struct conn *c)
{
	struct sel_name	  sn;
	struct host_match m;
	struct exch_pick  pk;
	struct cert	 *cur;
	X509		 *x;
	const char	 *why;
	char		  hex[41];
	int		  rc = -1;

	if (c->tls_name == NULL || *c->tls_name == '\0') {
		diag_note(c->identity, "no TlsCertificateName; the new Fqdn "
				       "is not checked against a certificate");
		return 0;
	}
	if (sel_parse(c->tls_name, strlen(c->tls_name), &sn, &why) == -1) {
		diag_warn(c->identity,
			  "TlsCertificateName is malformed (%s); "
			  "the new Fqdn is not checked against a certificate",
			  why);
		return 0;
	}
	if (run_exchange(r) == -1)
		return -1;
	if (exch_by_name(r->ix, &sn, &r->co, &pk) == -1) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	/*
	 * What Exchange presents; when it would present none of them
	 * (untrusted here, perhaps only for want of --ca-file), the one
	 * certbind prefers still tells whether the new Fqdn is covered.
	 */
	cur = pk.n > 0 ? pk.v[0].c : NULL;
	if (cur != NULL && pk.nvalid == 0)
		diag_verbose(c->identity,
			     "Exchange would use no certificate of the "
			     "TlsCertificateName (%s); checking the new Fqdn "
			     "against the preferred one",
			     pk.v[0].why);
	exch_pick_release(&pk);
	if (cur == NULL) {
		diag_warn(c->identity,
			  "TlsCertificateName selects no certificate in the "
			  "store; the new Fqdn is not checked against a "
			  "certificate");
		return 0;
	}
	thumb_of(cur, hex);
	memset(&m, 0, sizeof(m));
	if ((x = cert_get0_x509(cur)) == NULL) {
		diag_err(c->identity,
			 "cannot decode certificate %s, which "
			 "TlsCertificateName selects",
			 hex);
		rc = 1;
		goto out;
	}
	if (host_match_cert(x, &r->o.host, &m) == -1) {
		diag_ssl(c->identity, "cannot match certificate %s", hex);
		goto out;
	}
	if (m.matched) {
		diag_verbose(c->identity, "certificate %s covers %s", hex,
			     r->o.host.name);
		rc = 0;
		goto out;
	}
	diag_err(
	    c->identity,
	    "certificate %s, which TlsCertificateName "
	    "selects, does not cover %s; bind one that does with --thumbprint "
	    "(or --force)",
	    hex, r->o.fqdn);
	rc = 1;
out:
	host_match_release(&m);
	return rc;
}

/* Adds {"Field", "Old", "New"} to changes for a string field. */
static int
change_str(struct ov *changes, const char *field, const char *old,
	   const char *new)
{
	struct ov *o;
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return -1;
	err |= ov_add_cstr(o, "Field", field);
	err |= ov_add_cstr(o, "Old", old);
	err |= ov_add_cstr(o, "New", new);
	if (err) {
		ov_free(o);
		return -1;
	}
	return ov_push(changes, o);
}

static int
change_bool(struct ov *changes, const char *field, int old, int new)
{
	struct ov *o;
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return -1;
	err |= ov_add_cstr(o, "Field", field);
	err |= old == CONN_UNSET ? ov_add_null(o, "Old")
				 : ov_add_bool(o, "Old", old);
	err |= ov_add_bool(o, "New", new);
	if (err) {
		ov_free(o);
		return -1;
	}
	return ov_push(changes, o);
}

/*
 * The output object of connector c: Identity, Result, Changes (every
 * field e changes, old and new) and, when not NULL, Checks (taken).
 */
static struct ov *
connector_item(const struct conn *c, const struct conn_edit *e, int refused,
	       struct ov *checks)
{
	struct ov   *o, *ch;
	unsigned int mask;
	int	     err = 0;

	mask = conn_edit_mask(c, e);
	if ((o = ov_new_object()) == NULL) {
		ov_free(checks);
		return NULL;
	}
	if ((ch = ov_new_array()) == NULL) {
		ov_free(checks);
		ov_free(o);
		return NULL;
	}
	if (mask & CONN_F_FQDN)
		err |= change_str(ch, "Fqdn", c->fqdn, e->fqdn);
	if (mask & CONN_F_TLSNAME)
		err |= change_str(ch, "TlsCertificateName", c->tls_name,
				  e->tls_name);
	if (mask & CONN_F_ADVERTISE)
		err |= change_bool(ch, "AdvertiseClientSettings", c->advertise,
				   e->advertise);
	err |= ov_add_cstr(o, "Identity", c->identity);
	err |= ov_add_cstr(o, "Kind", conn_kind_name(c));
	err |= ov_add_cstr(o, "Result",
			   refused ? "Refused"
			   : mask  ? "Changed"
				   : "Unchanged");
	err |= ov_add(o, "Changes", ch);
	if (checks != NULL)
		err |= ov_add(o, "Checks", checks);
	if (err) {
		ov_free(o);
		return NULL;
	}
	return o;
}

static const char *const table_columns[] = {"Identity", "Result", "Field",
					    "Old",	"New",	  NULL};

/* One table row; old/new as the inline form of a value. */
static int
table_row(struct out *out, const struct conn *c, const char *result,
	  const char *field, const char *old, const char *new)
{
	struct ov *o;
	int	   err = 0;

	if ((o = ov_new_object()) == NULL)
		return -1;
	err |= ov_add_cstr(o, "Identity", c->identity);
	err |= ov_add_cstr(o, "Result", result);
	err |= ov_add_cstr(o, "Field", field);
	err |= ov_add_cstr(o, "Old", old);
	err |= ov_add_cstr(o, "New", new);
	if (!err)
		err |= out_item(out, o);
	ov_free(o);
	return err ? -1 : 0;
}

static const char *
bool_name(int b)
{
	return b == CONN_UNSET ? NULL : b ? "True" : "False";
}

/*
 * Prints the result: a table of one row per field changed (one
 * "Unchanged" row for a connector left as it was), or per connector an
 * object with its Changes in list and JSON, JSON wrapped in
 * {"Result": result, "Connectors": [...]} plus "Diff" for --dry-run.
 * Returns 0, or -1 when writing failed.
 */
static int
print_result(struct bind_run *r, const char *result, const char *diff,
	     size_t difflen)
{
	struct out	       *out = NULL;
	struct ov	       *doc = NULL, *arr = NULL;
	const struct conn      *c;
	const struct conn_edit *e;
	enum out_format		fmt;
	unsigned int		mask;
	size_t			i;
	int			rc = -1, err = 0;

	r->printed = 1;
	fmt = cmd_format(OUT_TABLE);
	/* The script alone, also for --dry-run (certbind(1) OUTPUT). */
	if (fmt == OUT_POWERSHELL)
		return fwrite(r->script, 1, r->scriptlen, stdout) ==
			       r->scriptlen
			   ? 0
			   : -1;
	if (fmt == OUT_JSON) {
		if ((doc = ov_new_object()) == NULL ||
		    (arr = ov_new_array()) == NULL)
			goto out;
		for (i = 0; i < r->cf->n; i++) {
			if (!r->selected[i])
				continue;
			err |= ov_push(arr, r->items[i]);
			r->items[i] = NULL;
		}
		err |= ov_add_cstr(doc, "Result", result);
		err |= ov_add(doc, "Connectors", arr);
		arr = NULL;
		if (diff != NULL)
			err |= ov_add_str(doc, "Diff", diff, difflen);
		if (err || (out = out_open(stdout, fmt, NULL)) == NULL ||
		    out_value(out, doc) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	if (diff != NULL) {
		/* The diff alone, so that patch(1) can apply it. */
		if (cmd_print_diff(diff, difflen) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	if (fmt == OUT_LIST) {
		if ((out = out_open(stdout, fmt, NULL)) == NULL)
			goto out;
		for (i = 0; i < r->cf->n; i++)
			if (r->selected[i] && out_item(out, r->items[i]) == -1)
				goto out;
		rc = 0;
		goto out;
	}
	if ((out = out_open(stdout, OUT_TABLE, table_columns)) == NULL)
		goto out;
	for (i = 0; i < r->cf->n; i++) {
		if (!r->selected[i])
			continue;
		c = &r->cf->v[i];
		e = &r->edits[i];
		mask = conn_edit_mask(c, e);
		if (mask == 0)
			err |= table_row(out, c, "Unchanged", NULL, NULL, NULL);
		if (mask & CONN_F_FQDN)
			err |= table_row(out, c, "Changed", "Fqdn", c->fqdn,
					 e->fqdn);
		if (mask & CONN_F_TLSNAME)
			err |=
			    table_row(out, c, "Changed", "TlsCertificateName",
				      c->tls_name, e->tls_name);
		if (mask & CONN_F_ADVERTISE)
			err |= table_row(
			    out, c, "Changed", "AdvertiseClientSettings",
			    bool_name(c->advertise), bool_name(e->advertise));
	}
	if (!err)
		rc = 0;
out:
	if (out != NULL && out_close(out) == -1)
		rc = -1;
	ov_free(doc);
	ov_free(arr);
	return rc;
}

/*
 * Microsoft warns that changing the Fqdn of a server's "Default <Server>"
 * HubTransport connector breaks mail flow between Mailbox servers
 * (certbind-connectors(5)).  Returns 1 to refuse (said), 0 when the
 * connector is another or its Fqdn does not change.
 */
static int
check_default_hub(const struct bind_run *r, const struct conn *c,
		  const struct conn_edit *e)
{
	if (r->o.fqdn == NULL || !(conn_edit_mask(c, e) & CONN_F_FQDN) ||
	    !conn_is_default_hub(c))
		return 0;
	if (r->o.force)
		diag_warn(c->identity,
			  "changing the Fqdn of the Default HubTransport "
			  "connector breaks mail flow between Mailbox servers, "
			  "as Microsoft warns");
	else
		diag_err(c->identity,
			 "changing the Fqdn of the Default HubTransport "
			 "connector breaks mail flow between Mailbox servers, "
			 "as Microsoft warns; refused without --force");
	return 1;
}

/*
 * Selects the connectors, runs the checks, and fills edits and items.
 * Returns EXIT_OK, or the exit status after reporting (EXIT_NO when the
 * pattern selects nothing or a check refuses).
 */
static int
plan(struct bind_run *r)
{
	struct conn *c;
	struct ov   *checks;
	size_t	     i, nsel = 0;
	int	     bad;

	for (i = 0; i < r->cf->n; i++) {
		c = &r->cf->v[i];
		conn_edit_init(&r->edits[i]);
		if (!cmd_conn_selected(c, r->o.identity, r->o.kind))
			continue;
		/* Set-SendConnector has no AdvertiseClientSettings. */
		if (r->o.advertise != CONN_UNSET && c->kind == CONN_SEND) {
			diag_err(c->identity,
				 "a send connector has no "
				 "AdvertiseClientSettings; nothing written "
				 "(--kind receive leaves send connectors out)");
			return EXIT_FAIL;
		}
		r->selected[i] = 1;
		nsel++;
		r->edits[i].fqdn = r->o.fqdn;
		r->edits[i].tls_name = r->tls_name;
		r->edits[i].advertise = r->o.advertise;
		checks = NULL;
		if (r->cert != NULL)
			bad = check_binding(r, c, r->keep ? &checks : NULL);
		else if (r->o.fqdn != NULL &&
			 (conn_edit_mask(c, &r->edits[i]) & CONN_F_FQDN))
			bad = check_current(r, c);
		else
			bad = 0;
		if (bad == -1)
			return EXIT_FAIL;
		if (check_default_hub(r, c, &r->edits[i]))
			bad = 1;
		r->refused += bad;
		if (r->keep && (r->items[i] = connector_item(c, &r->edits[i],
							     bad && !r->o.force,
							     checks)) == NULL) {
			diag_err(NULL, "out of memory");
			return EXIT_FAIL;
		}
	}
	if (nsel == 0) {
		diag_err(g.config, "no connector matches '%s'; nothing written",
			 r->o.identity);
		return EXIT_NO;
	}
	if (r->refused == 0)
		return EXIT_OK;
	if (r->o.force) {
		diag_warn(g.config,
			  "%s although %zu connector%s failed the checks "
			  "(--force%s)",
			  r->o.dry_run ? "would write" : "writing", r->refused,
			  r->refused == 1 ? "" : "s",
			  r->o.dry_run ? ", --dry-run: nothing written" : "");
		return EXIT_OK;
	}
	diag_err(g.config,
		 "bind refused for %zu connector%s; nothing "
		 "written (--force writes anyway)",
		 r->refused, r->refused == 1 ? "" : "s");
	return EXIT_NO;
}

/*
 * --format powershell: the script, made before anything is written so
 * that a value it must not carry stops the run (exit 2, nothing
 * written).  Every changed connector is bound to --thumbprint's
 * certificate, when given.
 */
static int
make_script(struct bind_run *r)
{
	struct cert **certs;
	size_t	      i;
	int	      rc;

	if ((certs = calloc(r->cf->n + 1, sizeof(*certs))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < r->cf->n; i++)
		certs[i] = r->cert;
	rc = cmd_pwsh_edits("certbind bind", r->cf, r->edits, certs, &r->script,
			    &r->scriptlen);
	free(certs);
	return rc;
}

/*
 * cmd_rewrite's plan: called under the lock with the configuration as
 * read then.  Keeps its own copy of the edits for the output (cmd_rewrite
 * frees its array).
 */
static int
plan_cb(void *arg, struct conn_file *cf, struct conn_edit *edits)
{
	struct bind_run *r = arg;
	int		 rc;

	r->cf = cf;
	if ((r->edits = calloc(cf->n + 1, sizeof(*r->edits))) == NULL ||
	    (r->selected = calloc(cf->n + 1, sizeof(*r->selected))) == NULL ||
	    (r->items = calloc(cf->n + 1, sizeof(*r->items))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	if ((rc = plan(r)) != EXIT_OK)
		return rc;
	if (cmd_format(OUT_TABLE) == OUT_POWERSHELL &&
	    (rc = make_script(r)) != EXIT_OK)
		return rc;
	memcpy(edits, r->edits, cf->n * sizeof(*edits));
	return EXIT_OK;
}

int
cmd_bind(int argc, char **argv)
{
	struct bind_run r;
	struct rewrite	rw;
	const char     *what;
	size_t		i;
	int		rc = EXIT_FAIL;

	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	r.o.advertise = CONN_UNSET;
	r.o.kind = -1;
	argp_parse(&bind_argp, argc, argv, 0, NULL, &r.o);
	/* The table is made from the edits; only these print the items. */
	r.keep = cmd_format(OUT_TABLE) == OUT_JSON ||
		 cmd_format(OUT_TABLE) == OUT_LIST;
	if (r.o.thumbprint != NULL && (rc = resolve_cert(&r)) != EXIT_OK)
		goto out;
	/*
	 * The shared writer takes the lock, reads the configuration under
	 * it, lets plan_cb select and check, and writes atomically or not
	 * at all (certbind(1) WRITING THE CONFIGURATION).
	 */
	rw.dry_run = r.o.dry_run;
	rw.backup = r.o.backup;
	rw.plan = plan_cb;
	rw.arg = &r;
	rc = cmd_rewrite(&rw);
	if (rc == EXIT_NO && r.refused > 0 && cmd_format(OUT_TABLE) == OUT_JSON)
		(void)print_result(&r, "Refused", NULL, 0);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	/* rw.diff is NULL but after a dry run. */
	if ((what = cmd_rewrite_outcome(&rw)) != NULL &&
	    print_result(&r, what, rw.diff, rw.difflen) == 0)
		rc = EXIT_OK;
out:
	/* Every JSON run prints a document (main reports a write error). */
	if (rc != EXIT_OK && !r.printed && cmd_format(OUT_TABLE) == OUT_JSON)
		(void)out_json_stopped(stdout,
				       rc == EXIT_NO ? "Refused" : "Error");
	if (r.items != NULL)
		for (i = 0; r.cf != NULL && i < r.cf->n; i++)
			ov_free(r.items[i]);
	free(r.items);
	free(r.script);
	free(r.selected);
	free(r.edits);
	cmd_rewrite_release(&rw);
	free(r.tls_name);
	checks_release(&r.common[0]);
	checks_release(&r.common[1]);
	for (i = 0; i < CHECKS_MAX; i++) {
		ov_free(r.common_ov[0][i]);
		ov_free(r.common_ov[1][i]);
	}
	checks_opts_release(&r.co);
	sel_index_free(r.ix);
	store_free(r.st);
	return rc;
}
