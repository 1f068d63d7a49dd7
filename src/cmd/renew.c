/*
 * certbind renew [--identity PATTERN] [--warn-days N] [--exec CMD]
 *     [--dry-run] [--no-chain]: rebinds connectors to the best
 * certificate for their Fqdn (certbind(1) renew).  Made to run unattended as a
 * certbot deploy hook: one lock, one atomic replace for the whole run,
 * the hook command only after a write.
 */
#include <sys/wait.h>

#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "fold.h"
#include "diag.h"
#include "dn.h"
#include "hostname.h"
#include "output.h"
#include "select.h"
#include "store.h"

enum {
	OPT_IDENTITY = 0x200,
	OPT_WARN_DAYS,
	OPT_EXEC,
	OPT_DRY_RUN,
	OPT_NO_CHAIN
};

struct renew_opts {
	const char *identity;
	long	    warn_days;
	const char *exec;
	int	    dry_run;
	int	    no_chain;
};

static const struct argp_option options[] = {
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "only connectors whose Identity or Name matches the glob", 0},
    {"warn-days", OPT_WARN_DAYS, "N", 0,
     "the Validity check warns within N days (30)", 0},
    {"exec", OPT_EXEC, "CMD", 0,
     "run CMD with /bin/sh -c once after the configuration was "
     "written",
     0},
    {"dry-run", OPT_DRY_RUN, NULL, 0,
     "print the change as a unified diff; write nothing", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the Chain check", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct renew_opts *o = state->input;

	switch (key) {
	case OPT_IDENTITY:
		o->identity = arg;
		break;
	case OPT_WARN_DAYS:
		o->warn_days = cmd_parse_days(state, "--warn-days", arg);
		break;
	case OPT_EXEC:
		if (*arg == '\0')
			argp_error(state, "--exec needs a command");
		o->exec = arg;
		break;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case OPT_NO_CHAIN:
		o->no_chain = 1;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp renew_argp = {
    options,
    parse,
    NULL,
    "Rebind every selected connector to the best certificate for its "
    "Fqdn: the one passing every check with the latest NotAfter.  Exit "
    "status 1 when a connector's binding fails and no certificate can "
    "replace it.\v"
    "As a certbot deploy hook:\n"
    "  certbot renew --deploy-hook 'certbind --store /etc/letsencrypt/live \\\n"
    "      renew --exec \"systemctl reload postfix\"'",
    cmd_global_children,
    NULL,
    NULL};

enum action { ACT_UNCHANGED, ACT_REBIND, ACT_FAILED };

/* What renew decided for one connector. */
struct decision {
	struct conn *cn; /* borrowed from the loaded file */
	enum action  action;
	struct cert *current; /* what the name selects now, or NULL */
	struct cert *best;    /* the best candidate, or NULL */
	char	    *name;    /* best's TLS name (owned) */
	char	    *detail;  /* why (owned) */
};

struct renew_run {
	struct renew_opts o;
	struct store	 *st;
	struct sel_index *ix;
	struct sel_hosts *hx; /* candidates for a host */
	struct check_opts copts;
	struct decision	 *d;
	size_t		  n;
	int		  failed;
	int		  printed; /* print_result ran */
};

static void setf(char **dst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
setf(char **dst, const char *fmt, ...)
{
	va_list ap;

	free(*dst);
	va_start(ap, fmt);
	if (vasprintf(dst, fmt, ap) == -1)
		*dst = NULL;
	va_end(ap);
}

/* 1 when c passes every check for h (Warn passes), 0 when not, -1. */
static int
passes(struct renew_run *r, struct cert *c, const struct host *h)
{
	struct checks cs;
	int	      ok;

	if (checks_run(c, h, &r->copts, &cs) == -1)
		return -1;
	ok = cs.worst != CHECK_FAIL;
	checks_release(&cs);
	return ok;
}

/* Latest NotAfter, then latest NotBefore, then lowest Thumbprint. */
static int
better(const struct cert *a, const struct cert *b)
{
	if (a->not_after != b->not_after)
		return a->not_after > b->not_after;
	if (a->not_before != b->not_before)
		return a->not_before > b->not_before;
	return memcmp(a->sha1, b->sha1, sizeof(a->sha1)) < 0;
}

/*
 * The best certificate of the store for h: among those whose Domain
 * matches (checked first, it is cheap), the best that passes every
 * check.  Returns 0 with *best (NULL when none), or -1.
 */
static int
best_for(struct renew_run *r, const struct host *h, struct cert **best)
{
	struct host_match m;
	struct cert	 *c;
	X509		 *x;
	size_t		 *v, n, i;
	int		  p, rc = -1;

	*best = NULL;
	/* Only those that may cover h (select.h); host_match decides. */
	if ((v = sel_hosts_find(r->hx, h, &n)) == NULL && n == (size_t)-1)
		return -1;
	for (i = 0; i < n; i++) {
		c = store_get0(r->st, v[i]);
		if (*best != NULL && !better(c, *best))
			continue;
		if ((x = cert_get0_x509(c)) == NULL)
			continue;
		if (host_match_cert(x, h, &m) == -1)
			goto out;
		p = m.matched;
		host_match_release(&m);
		if (!p)
			continue;
		if ((p = passes(r, c, h)) == -1)
			goto out;
		if (p)
			*best = c;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* The store's `each`: both indexes are built as it loads. */
static void
index_both(void *arg, size_t i, struct cert *c)
{
	struct renew_run *r = arg;

	sel_index_add(r->ix, i, c);
	sel_hosts_add(r->hx, i, c);
}

/* Decides for one connector (certbind(1) renew).  Returns 0 or -1 (memory). */
static int
decide(struct renew_run *r, struct decision *d)
{
	struct sel_name nm;
	struct host	h;
	struct cert   **v = NULL;
	const char     *why, *iss, *sub, *fqdn = d->cn->fqdn;
	size_t		n = 0, i, ilen, slen, len;
	int		current_ok = 0, p;
	char		hex[41];

	if (fqdn == NULL ||
	    host_parse_fqdn(fqdn, strlen(fqdn), &h, &why) == -1) {
		d->action = ACT_FAILED;
		setf(&d->detail, "Fqdn %s",
		     fqdn == NULL ? "is missing" : "is not a host name");
		return 0;
	}
	if (d->cn->tls_name != NULL && *d->cn->tls_name != '\0' &&
	    sel_parse(d->cn->tls_name, strlen(d->cn->tls_name), &nm, &why) ==
		0) {
		if ((v = sel_index_select(r->ix, &nm, g.at, &n)) == NULL &&
		    n == (size_t)-1)
			return -1;
		if (n > 0)
			d->current = v[0];
		for (i = 0; i < n && !current_ok; i++) {
			if ((p = passes(r, v[i], &h)) == -1) {
				free(v);
				return -1;
			}
			current_ok = p;
		}
		free(v);
	}
	if (best_for(r, &h, &d->best) == -1)
		return -1;
	if (d->best == NULL) {
		if (current_ok) {
			d->action = ACT_UNCHANGED;
			setf(&d->detail,
			     "no other certificate for %s; the "
			     "current binding still passes",
			     h.name);
		} else {
			d->action = ACT_FAILED;
			setf(&d->detail,
			     "the current binding %s and no "
			     "certificate in the store passes every check for "
			     "%s",
			     d->current == NULL ? "selects nothing" : "fails",
			     h.name);
		}
		return 0;
	}
	cert_hex(d->best->sha1, 20, hex);
	if (current_ok && d->current != NULL &&
	    !(d->best->not_after > d->current->not_after)) {
		d->action = ACT_UNCHANGED;
		if (d->best == d->current)
			setf(&d->detail, "bound to the best certificate");
		else
			setf(&d->detail,
			     "the current binding passes and "
			     "expires no earlier than the best candidate %s",
			     hex);
		return 0;
	}
	if ((iss = cert_get0_issuer(d->best, &ilen)) == NULL ||
	    (sub = cert_get0_subject(d->best, &slen)) == NULL ||
	    (d->name = dn_tls_name(iss, ilen, sub, slen, &len)) == NULL)
		return -1;
	if (d->cn->tls_name != NULL &&
	    fold_casecmp_n(d->name, len, d->cn->tls_name,
			   strlen(d->cn->tls_name)) == 0) {
		/* A same-name renewal: the name already selects it. */
		d->action = ACT_UNCHANGED;
		setf(&d->detail,
		     "the name already selects the best "
		     "certificate %s",
		     hex);
		return 0;
	}
	if (strlen(d->name) != len) {
		/* A NUL in the name cannot be written to the XML. */
		d->action = ACT_FAILED;
		setf(&d->detail,
		     "the best certificate %s has a name that "
		     "cannot be written",
		     hex);
		return 0;
	}
	d->action = ACT_REBIND;
	setf(&d->detail, "%s %s",
	     current_ok		  ? "expires later:"
	     : d->current == NULL ? "the current binding selects nothing; now"
				  : "the current binding fails; now",
	     hex);
	return 0;
}

/* Plans the edits under the lock, on the configuration as read there. */
static int
plan(void *arg, struct conn_file *cf, struct conn_edit *edits)
{
	struct renew_run *r = arg;
	size_t		  i;

	if ((r->d = calloc(cf->n + 1, sizeof(*r->d))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < cf->n; i++) {
		if (!conn_match(r->o.identity, &cf->v[i]))
			continue;
		r->d[r->n].cn = &cf->v[i];
		if (decide(r, &r->d[r->n]) == -1) {
			diag_err(NULL, "out of memory");
			return EXIT_FAIL;
		}
		if (r->d[r->n].action == ACT_REBIND)
			edits[i].tls_name = r->d[r->n].name;
		else if (r->d[r->n].action == ACT_FAILED)
			r->failed = 1;
		r->n++;
	}
	if (r->n == 0) {
		diag_err(g.config, "no connector matches '%s'", r->o.identity);
		return EXIT_NO;
	}
	return EXIT_OK;
}

static const char *
action_name(enum action a)
{
	switch (a) {
	case ACT_REBIND:
		return "Rebound";
	case ACT_FAILED:
		return "Failed";
	case ACT_UNCHANGED:
	default:
		return "Unchanged";
	}
}

static const char *const columns[] = {"Identity", "Action", "Thumbprint",
				      "Detail", NULL};

static int
print_result(struct renew_run *r, const struct rewrite *rw)
{
	struct out	*out;
	struct ov	*root = NULL, *arr = NULL, *o;
	struct decision *d;
	struct cert	*c;
	enum out_format	 fmt = cmd_format(OUT_TABLE);
	const char	*result;
	char		 hex[41];
	size_t		 i;
	int		 err = 0;

	r->printed = 1;
	if (rw->state == REWRITE_DRY_RUN && fmt != OUT_JSON)
		return cmd_print_diff(rw->diff, rw->difflen);
	result = r->failed			? "Failed"
		 : rw->state == REWRITE_WRITTEN ? "Changed"
		 : rw->state == REWRITE_DRY_RUN ? "DryRun"
						: "Unchanged";
	if ((out = out_open(stdout, fmt, columns)) == NULL)
		return -1;
	if (fmt == OUT_JSON && ((root = ov_new_object()) == NULL ||
				(arr = ov_new_array()) == NULL))
		err = 1;
	for (i = 0; i < r->n && !err; i++) {
		d = &r->d[i];
		c = d->action == ACT_REBIND ? d->best : d->current;
		if ((o = ov_new_object()) == NULL) {
			err = 1;
			break;
		}
		err |= ov_add_cstr(o, "Identity", d->cn->identity);
		err |= ov_add_cstr(o, "Fqdn", d->cn->fqdn);
		err |= ov_add_cstr(o, "Action", action_name(d->action));
		if (c != NULL) {
			cert_hex(c->sha1, 20, hex);
			err |= ov_add_cstr(o, "Thumbprint", hex);
		} else
			err |= ov_add_null(o, "Thumbprint");
		err |= ov_add_cstr(o, "OldTlsCertificateName", d->cn->tls_name);
		err |= ov_add_cstr(o, "TlsCertificateName",
				   d->action == ACT_REBIND ? d->name
							   : d->cn->tls_name);
		err |= ov_add_cstr(o, "Detail", d->detail);
		if (fmt == OUT_JSON)
			err |= ov_push(arr, o);
		else {
			err |= out_item(out, o);
			ov_free(o);
		}
	}
	if (fmt == OUT_JSON && !err) {
		err |= ov_add_cstr(root, "Result", result);
		if (rw->state == REWRITE_DRY_RUN)
			err |= ov_add_str(root, "Diff", rw->diff, rw->difflen);
		err |= ov_add(root, "Connectors", arr);
		arr = NULL;
		err |= out_value(out, root);
	}
	ov_free(arr);
	ov_free(root);
	return out_close(out) == -1 || err ? -1 : 0;
}

/*
 * Every signal whose disposition certbind changes: cmd_rewrite ignores
 * SIGXFSZ so that a write past RLIMIT_FSIZE fails with EFBIG.  An
 * ignored signal stays ignored across execve(2), and a hook (a reload
 * command that writes a log) must not inherit that.
 */
/*
 * Runs CMD with /bin/sh -c, its standard output sent to our standard
 * error so that ours stays the result.  Returns 0 when it exited 0.
 */
static int
run_hook(struct renew_run *r)
{
	char  *changed = NULL, *thumbs = NULL, hex[41];
	size_t clen = 0, tlen = 0, i;
	FILE  *cf, *tf;
	pid_t  pid;
	int    status;

	if ((cf = open_memstream(&changed, &clen)) == NULL ||
	    (tf = open_memstream(&thumbs, &tlen)) == NULL) {
		diag_err(NULL, "out of memory");
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (r->d[i].action != ACT_REBIND)
			continue;
		cert_hex(r->d[i].best->sha1, 20, hex);
		fprintf(cf, "%s%s", clen ? "\n" : "", r->d[i].cn->identity);
		fflush(cf);
		fprintf(tf, "%s%s", tlen ? "\n" : "", hex);
		fflush(tf);
	}
	fclose(cf);
	fclose(tf);
	fflush(stdout);
	if ((pid = fork()) == -1) {
		diag_err("--exec", "cannot fork: %s", strerror(errno));
		free(changed);
		free(thumbs);
		return -1;
	}
	if (pid == 0) {
		if (setenv("CERTBIND_CONFIG", g.config, 1) == -1 ||
		    setenv("CERTBIND_CHANGED", changed, 1) == -1 ||
		    setenv("CERTBIND_THUMBPRINTS", thumbs, 1) == -1 ||
		    dup2(STDERR_FILENO, STDOUT_FILENO) == -1 ||
		    cmd_child_signals() == -1)
			_exit(127);
		execl("/bin/sh", "sh", "-c", r->o.exec, (char *)NULL);
		_exit(127);
	}
	free(changed);
	free(thumbs);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			diag_err("--exec", "%s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		diag_err("--exec",
			 "'%s' exited with status %d; the "
			 "configuration was written",
			 r->o.exec, WEXITSTATUS(status));
	else
		diag_err("--exec",
			 "'%s' was killed by signal %d; the "
			 "configuration was written",
			 r->o.exec, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

int
cmd_renew(int argc, char **argv)
{
	struct renew_run r;
	struct rewrite	 rw;
	size_t		 i;
	int		 rc;

	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	r.o.identity = "*";
	r.o.warn_days = 30;
	argp_parse(&renew_argp, argc, argv, 0, NULL, &r.o);
	rc = EXIT_FAIL;
	/* The index is built as the store loads: no certificate read twice. */
	if ((r.ix = sel_index_empty()) == NULL ||
	    (r.hx = sel_hosts_empty()) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	if ((r.st = cmd_load_store_each(index_both, &r)) == NULL)
		goto out;
	if (sel_index_done(r.ix, r.st) == -1 ||
	    sel_hosts_done(r.hx, r.st) == -1) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	if (cmd_check_opts(&r.copts, r.st, r.o.warn_days, r.o.no_chain) == -1)
		goto out;
	rw.dry_run = r.o.dry_run;
	rw.plan = plan;
	rw.arg = &r;
	if ((rc = cmd_rewrite(&rw)) != EXIT_OK)
		goto out;
	if (print_result(&r, &rw) == -1) {
		diag_err("stdout", "write error");
		rc = EXIT_FAIL;
		goto out;
	}
	if (rw.state == REWRITE_UNCHANGED)
		diag_note(g.config, "nothing to change; the file is not "
				    "touched");
	if (rw.state == REWRITE_WRITTEN && r.o.exec != NULL &&
	    run_hook(&r) == -1) {
		rc = EXIT_FAIL;
		goto out;
	}
	rc = r.failed ? EXIT_NO : EXIT_OK;
out:
	/* Every JSON run prints a document (main reports a write error). */
	if (rc != EXIT_OK && !r.printed && cmd_format(OUT_TABLE) == OUT_JSON)
		(void)out_json_stopped(stdout,
				       rc == EXIT_NO ? "Failed" : "Error");
	for (i = 0; r.d != NULL && i < r.n; i++) {
		free(r.d[i].name);
		free(r.d[i].detail);
	}
	free(r.d);
	cmd_rewrite_release(&rw);
	checks_opts_release(&r.copts);
	sel_index_free(r.ix);
	sel_hosts_free(r.hx);
	store_free(r.st);
	return rc;
}
