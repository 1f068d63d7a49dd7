/*
 * certbind renew [--identity PATTERN] [--kind receive|send] [--warn-days N]
 *     [--exec CMD]
 *     [--dry-run] [--no-chain] [--include-unbound]: rebinds connectors to
 * the best certificate for their Fqdn (certbind(1) renew).  Made to run
 * unattended as a certbot deploy hook or from cron: one lock, one atomic
 * replace for the whole run, the hook command whenever the certificate a
 * binding selects changed since the hook last succeeded (the state file,
 * certbind(1) FILES), and nothing on stdout with -q when nothing changed.
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

#include "atomic.h"
#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "fold.h"
#include "diag.h"
#include "dn.h"
#include "exchange.h"
#include "hostname.h"
#include "output.h"
#include "select.h"
#include "store.h"

enum {
	OPT_IDENTITY = 0x200,
	OPT_WARN_DAYS,
	OPT_EXEC,
	OPT_DRY_RUN,
	OPT_NO_CHAIN,
	OPT_INCLUDE_UNBOUND,
	OPT_KIND
};

/* Beside the configuration: certbind(1) FILES. */
#define STATE_SUFFIX ".state"
/* Ends the line of a send connector's (an identity cannot hold a TAB). */
#define SEND_MARK "\tSend"
#define STATE_HEADER                                                           \
	"# certbind renew: what --exec was last given, identity<TAB>"          \
	"thumbprint\n"
#define STATE_MAX (64u << 20) /* bytes; a larger file is damaged */

struct renew_opts {
	const char *identity;
	int	    kind; /* -1: both */
	long	    warn_days;
	const char *exec;
	int	    dry_run;
	int	    no_chain;
	int	    include_unbound;
};

static const struct argp_option options[] = {
    {"identity", OPT_IDENTITY, "PATTERN", 0,
     "only connectors whose Identity or Name matches the glob", 0},
    {"kind", OPT_KIND, "KIND", 0,
     "only receive or only send connectors (KIND: receive or send)", 0},
    {"warn-days", OPT_WARN_DAYS, "N", 0,
     "the Validity check warns within N days (30)", 0},
    {"exec", OPT_EXEC, "CMD", 0,
     "run CMD with /bin/sh -c once when the certificate a binding selects "
     "changed since CMD last succeeded, or the configuration was written",
     0},
    {"dry-run", OPT_DRY_RUN, NULL, 0,
     "print the change as a unified diff; write nothing", 0},
    {"no-chain", OPT_NO_CHAIN, NULL, 0, "skip the Chain check", 0},
    {"include-unbound", OPT_INCLUDE_UNBOUND, NULL, 0,
     "also bind connectors whose TlsCertificateName is empty", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

static error_t
parse(int key, char *arg, struct argp_state *state)
{
	struct renew_opts *o = state->input;

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
	case OPT_INCLUDE_UNBOUND:
		o->include_unbound = 1;
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

enum action { ACT_UNCHANGED, ACT_REBIND, ACT_RENEWED, ACT_FAILED, ACT_SKIPPED };

/* What renew decided for one connector. */
struct decision {
	struct conn *cn; /* borrowed from the loaded file */
	enum action  action;
	struct cert *current; /* what Exchange presents now, or NULL */
	struct cert *best;    /* the best candidate, or NULL */
	char	    *name;    /* best's TLS name (owned) */
	char	    *detail;  /* why (owned) */
	struct cert *now;     /* what the binding selects after the run */
	int	     hook;    /* now is news to the hook */
};

/* One line of the state file. */
struct given {
	char *identity; /* owned */
	int   send;	/* a send connector's: "<TAB>Send" ends its line */
	char  hex[41];
};

/* The state file: what the hook was last given, sorted by identity. */
struct state {
	struct given *v;
	size_t	      n;
};

struct renew_run {
	struct renew_opts   o;
	struct store	   *st;
	struct sel_index   *ix;
	struct sel_hosts   *hx; /* candidates for a host */
	struct check_opts   copts;
	struct decision	   *d;
	size_t		    n;
	int		    failed;
	int		    printed; /* print_result ran */
	int		    hook;    /* --exec is to run */
	struct state	    state;
	struct rewrite	   *rw;
	struct atomic_file *saf; /* the state file, with --exec */
	char		   *spath;
	char		   *script; /* --format powershell, made by plan */
	size_t		    scriptlen;
};

static void setf(char **dst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
setf(char **dst, const char *fmt, ...)
{
	va_list ap;
	char   *s;

	/* Formatted before the old one is freed: it may be an argument. */
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	free(*dst);
	*dst = s;
}

/*
 * 1 when c passes every check for h (Warn passes), 0 when not, -1; a
 * send connector's certificate is checked as a client certificate.
 */
static int
passes(struct renew_run *r, struct cert *c, const struct host *h, int send)
{
	struct check_opts co = r->copts;
	struct checks	  cs;
	int		  ok;

	co.client = send;
	if (checks_run(c, h, &co, &cs) == -1)
		return -1;
	ok = cs.worst != CHECK_FAIL;
	checks_release(&cs);
	return ok;
}

/*
 * The best certificate of the store for h: among those whose Domain
 * matches (checked first, it is cheap), the best that passes every
 * check.  Returns 0 with *best (NULL when none), or -1.
 */
static int
best_for(struct renew_run *r, const struct host *h, int send,
	 struct cert **best)
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
		/* Only a better one can replace the best so far. */
		if (*best != NULL && sel_cmp(c, *best, g.at) >= 0)
			continue;
		if ((x = cert_get0_x509(c)) == NULL)
			continue;
		if (host_match_cert(x, h, &m) == -1)
			goto out;
		p = m.matched;
		host_match_release(&m);
		if (!p)
			continue;
		if ((p = passes(r, c, h, send)) == -1)
			goto out;
		if (p)
			*best = c;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* Decides for one connector (certbind(1) renew).  Returns 0 or -1 (memory). */
static int
decide(struct renew_run *r, struct decision *d)
{
	struct sel_name	  nm;
	struct exch_pick  pk;
	struct check_opts co;
	struct host	  h;
	const char	 *why, *iss, *sub, *fqdn = d->cn->fqdn;
	size_t		  ilen, slen, len;
	int		  current_ok = 0, send = d->cn->kind == CONN_SEND;
	char		  hex[41];

	if (!r->o.include_unbound &&
	    (d->cn->tls_name == NULL || *d->cn->tls_name == '\0')) {
		d->action = ACT_SKIPPED;
		setf(&d->detail, "TlsCertificateName is empty: Exchange picks "
				 "by the Fqdn (--include-unbound binds it)");
		return 0;
	}
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
		/* What Exchange presents now (exchange.h). */
		co = r->copts;
		co.client = send;
		if (exch_by_name(r->ix, &nm, &co, &pk) == -1)
			return -1;
		if (pk.nvalid > 0)
			d->current = pk.v[0].c;
		exch_pick_release(&pk);
		if (d->current != NULL &&
		    (current_ok = passes(r, d->current, &h, send)) == -1)
			return -1;
	}
	if (best_for(r, &h, send, &d->best) == -1)
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
			     d->current == NULL ? "selects no valid certificate"
						: "fails",
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
	     current_ok ? "expires later:"
	     : d->current == NULL
		 ? "the current binding selects no valid certificate; now"
		 : "the current binding fails; now",
	     hex);
	return 0;
}

static int
given_cmp(const void *a, const void *b)
{
	const struct given *x = a, *y = b;

	if (x->send != y->send)
		return x->send - y->send;
	return strcmp(x->identity, y->identity);
}

static void
state_release(struct state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].identity);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* The thumbprint the hook was last given for connector c, or NULL. */
static const char *
state_get(const struct state *s, const struct conn *c)
{
	struct given key, *g1;

	if (s->n == 0)
		return NULL;
	key.identity = c->identity;
	key.send = c->kind == CONN_SEND;
	g1 = bsearch(&key, s->v, s->n, sizeof(*s->v), given_cmp);
	return g1 != NULL ? g1->hex : NULL;
}

/*
 * Whether (p, len) holds a control character (C0, DEL, or C1 as UTF-8):
 * an identity never does (the configuration's loader refuses them), so a
 * line that does is damage, and a TAB or a line break never splits one.
 */
static int
has_control(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		     p[i + 1] <= 0x9f))
			return 1;
	return 0;
}

/*
 * Parses the state file (certbind(1) FILES): the header line, then one
 * "identity<TAB>thumbprint" per line, "<TAB>Send" after it for a send
 * connector.  Returns 0, -1 when it is damaged
 * with *line (1 based, 0: the whole) and *why, or -2 (memory).
 */
static int
state_parse(const char *buf, size_t len, struct state *s, size_t *line,
	    const char **why)
{
	const char   *p = buf, *end = buf + len, *nl, *tab;
	struct given *nv;
	size_t	      i, cap = 0;

	*line = 1;
	/* Only the first line is a comment: an identity may begin with #. */
	if (len < sizeof(STATE_HEADER) - 1 ||
	    memcmp(buf, STATE_HEADER, sizeof(STATE_HEADER) - 1) != 0) {
		*why = "not a state file of certbind renew";
		return -1;
	}
	p += sizeof(STATE_HEADER) - 1;
	while (p < end) {
		++*line;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			*why = "the last line is not complete";
			return -1;
		}
		if ((tab = memchr(p, '\t', (size_t)(nl - p))) == NULL ||
		    tab == p ||
		    (nl - tab - 1 != 40 &&
		     (nl - tab - 1 != 40 + sizeof(SEND_MARK) - 1 ||
		      memcmp(tab + 41, SEND_MARK, sizeof(SEND_MARK) - 1) !=
			  0))) {
			*why = "not an identity, a tab and a thumbprint";
			return -1;
		}
		if (has_control((const unsigned char *)p, (size_t)(tab - p))) {
			*why = "the identity holds a control character";
			return -1;
		}
		for (i = 0; i < 40; i++)
			if (strchr("0123456789ABCDEF", tab[1 + i]) == NULL ||
			    tab[1 + i] == '\0') {
				*why = "the thumbprint is not 40 upper-case "
				       "hexadecimal digits";
				return -1;
			}
		if (s->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(s->v, cap, sizeof(*nv))) ==
			    NULL) {
				return -2;
			}
			s->v = nv;
		}
		if ((s->v[s->n].identity = strndup(p, (size_t)(tab - p))) ==
		    NULL)
			return -2;
		memcpy(s->v[s->n].hex, tab + 1, 40);
		s->v[s->n].hex[40] = '\0';
		s->v[s->n].send = nl - tab - 1 != 40;
		s->n++;
		p = nl + 1;
	}
	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), given_cmp);
	for (i = 1; i < s->n; i++)
		if (given_cmp(&s->v[i - 1], &s->v[i]) == 0) {
			*line = 0;
			*why = "an identity is listed twice";
			return -1;
		}
	return 0;
}

/*
 * Reads the state file from fd (-1: there is none) into r->state.  A
 * damaged one is reported and taken as empty: the hook runs once more
 * and writes it anew.  Returns 0, or -1 (reported).
 */
static int
state_load(struct renew_run *r, int fd, const char *path)
{
	struct state s = {NULL, 0};
	const char  *why;
	char	    *buf = NULL, *nb;
	size_t	     len = 0, cap = 0, line;
	ssize_t	     k;
	int	     rc = -1;

	if (fd == -1)
		return 0;
	for (;;) {
		if (len == cap) {
			if (cap >= STATE_MAX) {
				diag_warn(path,
					  "larger than %u bytes; taken as "
					  "empty (--exec runs)",
					  STATE_MAX);
				rc = 0;
				goto out;
			}
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				diag_err(NULL, "out of memory");
				goto out;
			}
			buf = nb;
		}
		if ((k = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			diag_err(path, "%s", strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if ((k = state_parse(buf, len, &s, &line, &why)) == -2) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	if (k == -1) {
		if (line > 0)
			diag_warn(path,
				  "line %zu: %s; taken as empty (--exec "
				  "runs)",
				  line, why);
		else
			diag_warn(path, "%s; taken as empty (--exec runs)",
				  why);
		state_release(&s);
		rc = 0;
		goto out;
	}
	r->state = s;
	s.v = NULL;
	s.n = 0;
	rc = 0;
out:
	state_release(&s);
	free(buf);
	return rc;
}

/*
 * --format powershell: the script for the connectors rebound, each with
 * its new certificate, made before anything is written so that a value
 * it must not carry stops the run (exit 2, nothing written).
 */
static int
make_script(struct renew_run *r, const struct conn_file *cf,
	    const struct conn_edit *edits)
{
	struct cert **certs;
	size_t	      i;
	int	      rc;

	if ((certs = calloc(cf->n + 1, sizeof(*certs))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < r->n; i++)
		if (r->d[i].action == ACT_REBIND)
			certs[r->d[i].cn - cf->v] = r->d[i].best;
	rc = cmd_pwsh_edits("certbind renew", cf, edits, certs, &r->script,
			    &r->scriptlen);
	free(certs);
	return rc;
}

/* Plans the edits under the lock, on the configuration as read there. */
static int
plan(void *arg, struct conn_file *cf, struct conn_edit *edits)
{
	struct renew_run *r = arg;
	size_t		  i;

	/* Before anything is written: a state file we cannot use stops all. */
	if (r->o.exec != NULL &&
	    (cmd_rewrite_open_beside(r->rw, STATE_SUFFIX, &r->saf, &r->spath) !=
		 EXIT_OK ||
	     state_load(r, atomic_fd(r->saf), r->spath) == -1))
		return EXIT_FAIL;
	if ((r->d = calloc(cf->n + 1, sizeof(*r->d))) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < cf->n; i++) {
		if (!cmd_conn_selected(&cf->v[i], r->o.identity, r->o.kind))
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
	if (cmd_format(OUT_TABLE) == OUT_POWERSHELL)
		return make_script(r, cf, edits);
	return EXIT_OK;
}

static const char *
action_name(enum action a)
{
	switch (a) {
	case ACT_REBIND:
		return "Rebound";
	case ACT_RENEWED:
		return "Renewed";
	case ACT_FAILED:
		return "Failed";
	case ACT_SKIPPED:
		return "Skipped";
	case ACT_UNCHANGED:
	default:
		return "Unchanged";
	}
}

/*
 * The state file after a hook that succeeded: what each connector of the
 * configuration selects now, for those this run considered and did not
 * skip or fail, and what the file held for the others.  Returns a new buffer
 * (caller frees) or NULL.
 */
static char *
state_format(const struct renew_run *r, const struct conn_file *cf,
	     size_t *lenp)
{
	struct state s = {NULL, 0};
	FILE	    *fp;
	const char  *hex;
	char	    *buf = NULL, h[41];
	size_t	     i, j, len = 0;

	if ((s.v = calloc(cf->n + 1, sizeof(*s.v))) == NULL)
		return NULL;
	for (i = 0, j = 0; i < cf->n; i++) {
		hex = state_get(&r->state, &cf->v[i]);
		for (; j < r->n && r->d[j].cn < &cf->v[i]; j++)
			;
		if (j < r->n && r->d[j].cn == &cf->v[i] &&
		    r->d[j].action != ACT_SKIPPED &&
		    r->d[j].action != ACT_FAILED) {
			hex = NULL;
			if (r->d[j].now != NULL) {
				cert_hex(r->d[j].now->sha1, 20, h);
				hex = h;
			}
		}
		if (hex == NULL ||
		    has_control((const unsigned char *)cf->v[i].identity,
				strlen(cf->v[i].identity)))
			continue;
		s.v[s.n].identity = cf->v[i].identity; /* borrowed */
		s.v[s.n].send = cf->v[i].kind == CONN_SEND;
		memcpy(s.v[s.n].hex, hex, 41);
		s.n++;
	}
	if (s.n > 0)
		qsort(s.v, s.n, sizeof(*s.v), given_cmp);
	if ((fp = open_memstream(&buf, &len)) == NULL)
		goto out;
	fputs(STATE_HEADER, fp);
	for (i = 0; i < s.n; i++)
		if (i == 0 || given_cmp(&s.v[i - 1], &s.v[i]) != 0)
			fprintf(fp, "%s\t%s%s\n", s.v[i].identity, s.v[i].hex,
				s.v[i].send ? SEND_MARK : "");
	if (fclose(fp) != 0) {
		free(buf);
		buf = NULL;
	}
	*lenp = len;
out:
	free(s.v); /* the identities are borrowed */
	return buf;
}

/*
 * What each connector's binding selects after the run, and whether the
 * hook was last given something else (certbind(1) renew): a same-name
 * renewal becomes Renewed.  Sets r->hook.
 */
static void
mark(struct renew_run *r, const struct rewrite *rw)
{
	struct decision *d;
	const char	*last;
	char		 hex[41];
	size_t		 i;

	r->hook = r->o.exec != NULL && rw->state == REWRITE_WRITTEN;
	for (i = 0; i < r->n; i++) {
		d = &r->d[i];
		/* A failing binding is nothing a reload would fix. */
		if (d->action == ACT_SKIPPED || d->action == ACT_FAILED)
			continue;
		d->now = d->action == ACT_REBIND ? d->best : d->current;
		if (r->o.exec == NULL || d->now == NULL)
			continue;
		cert_hex(d->now->sha1, 20, hex);
		if ((last = state_get(&r->state, d->cn)) != NULL &&
		    strcmp(last, hex) == 0)
			continue;
		d->hook = 1;
		r->hook = 1;
		if (d->action != ACT_UNCHANGED)
			continue;
		if (last == NULL) {
			setf(&d->detail, "%s; --exec was not given %s yet",
			     d->detail != NULL ? d->detail : "", hex);
			continue;
		}
		d->action = ACT_RENEWED;
		setf(&d->detail,
		     "the name selects %s, renewed since --exec was given %s",
		     hex, last);
	}
}

/* Whether the run is news: -q prints nothing when it is not. */
static int
news(const struct renew_run *r, const struct rewrite *rw)
{
	return r->failed || r->hook || rw->state == REWRITE_WRITTEN ||
	       rw->state == REWRITE_DRY_RUN;
}

static const char *const columns[] = {"Identity", "Outcome", "Thumbprint",
				      "Reason", NULL};

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
	int		 err = 0, json = fmt == OUT_JSON;

	r->printed = 1;
	/* The script alone, also for --dry-run (certbind(1) OUTPUT). */
	if (fmt == OUT_POWERSHELL)
		return fwrite(r->script, 1, r->scriptlen, stdout) ==
			       r->scriptlen
			   ? 0
			   : -1;
	result = r->failed			? "Failed"
		 : rw->state == REWRITE_WRITTEN ? "Changed"
		 : rw->state == REWRITE_DRY_RUN ? "DryRun"
						: "Unchanged";
	if ((out = out_open(stdout, fmt, columns)) == NULL)
		return -1;
	if (json && ((root = ov_new_object()) == NULL ||
		     (arr = ov_new_array()) == NULL))
		err = 1;
	for (i = 0; i < r->n && !err; i++) {
		d = &r->d[i];
		c = d->action == ACT_REBIND ? d->best : d->current;
		if ((o = ov_new_object()) == NULL) {
			err = 1;
			break;
		}
		/* Table and list: Outcome and Reason; JSON keeps its names. */
		err |= ov_add_cstr(o, "Identity", d->cn->identity);
		err |= ov_add_cstr(o, "Kind", conn_kind_name(d->cn));
		if (json)
			err |= ov_add_cstr(o, "Fqdn", d->cn->fqdn);
		err |= ov_add_cstr(o, json ? "Action" : "Outcome",
				   action_name(d->action));
		if (c != NULL) {
			cert_hex(c->sha1, 20, hex);
			err |= ov_add_cstr(o, "Thumbprint", hex);
		} else
			err |= ov_add_null(o, "Thumbprint");
		if (json) {
			err |= ov_add_cstr(o, "OldTlsCertificateName",
					   d->cn->tls_name);
			err |= ov_add_cstr(o, "TlsCertificateName",
					   d->action == ACT_REBIND
					       ? d->name
					       : d->cn->tls_name);
		}
		err |= ov_add_cstr(o, json ? "Detail" : "Reason", d->detail);
		if (json)
			err |= ov_push(arr, o);
		else {
			err |= out_item(out, o);
			ov_free(o);
		}
	}
	if (json && !err) {
		err |= ov_add_cstr(root, "Result", result);
		if (rw->state == REWRITE_DRY_RUN)
			err |= ov_add_str(root, "Diff", rw->diff, rw->difflen);
		err |= ov_add(root, "Connectors", arr);
		arr = NULL;
		err |= out_value(out, root);
	}
	ov_free(arr);
	ov_free(root);
	if (out_close(out) == -1 || err)
		return -1;
	/* After the outcomes, the diff: patch(1) skips what comes first. */
	if (rw->state == REWRITE_DRY_RUN && !json)
		return fputc('\n', stdout) == EOF
			   ? -1
			   : cmd_print_diff(rw->diff, rw->difflen);
	return 0;
}

/*
 * Runs CMD with /bin/sh -c, its standard output sent to our standard
 * error so that ours stays the result.  Returns 0 when it exited 0.
 */
static int
run_hook(struct renew_run *r, int written)
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
		if (r->d[i].action != ACT_REBIND && !r->d[i].hook)
			continue;
		cert_hex(r->d[i].now->sha1, 20, hex);
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
			 "'%s' exited with status %d; %sthe next renew runs "
			 "it again",
			 r->o.exec, WEXITSTATUS(status),
			 written ? "the configuration was written; " : "");
	else
		diag_err("--exec",
			 "'%s' was killed by signal %d; %sthe next renew runs "
			 "it again",
			 r->o.exec, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			 written ? "the configuration was written; " : "");
	return -1;
}

/*
 * Under the lock the rewrite kept: runs the hook when there is news for
 * it, and then records what it was given (certbind(1) FILES).  Returns
 * an exit status.
 */
static int
hook_and_state(struct renew_run *r, const struct rewrite *rw,
	       struct atomic_file *saf, const char *spath)
{
	char  *buf;
	size_t len = 0;
	int    rc;

	if (!r->hook || rw->state == REWRITE_DRY_RUN)
		return EXIT_OK;
	if (run_hook(r, rw->state == REWRITE_WRITTEN) == -1)
		return EXIT_FAIL;
	if ((buf = state_format(r, rw->cf, &len)) == NULL) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	rc = cmd_rewrite_commit_beside(saf, spath, buf, len);
	free(buf);
	return rc;
}

int
cmd_renew(int argc, char **argv)
{
	struct renew_run r;
	struct sel_both	 both;
	struct rewrite	 rw;
	size_t		 i;
	int		 rc;

	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	r.o.identity = "*";
	r.o.kind = -1;
	r.o.warn_days = 30;
	argp_parse(&renew_argp, argc, argv, 0, NULL, &r.o);
	rc = EXIT_FAIL;
	/* The index is built as the store loads: no certificate read twice. */
	if ((r.ix = sel_index_empty()) == NULL ||
	    (r.hx = sel_hosts_empty()) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	both.ix = r.ix;
	both.hx = r.hx;
	if ((r.st = cmd_load_store_each(sel_both_add, &both)) == NULL)
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
	rw.keep_lock = 1;
	r.rw = &rw;
	if ((rc = cmd_rewrite(&rw)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	mark(&r, &rw);
	/* Cron mails what a quiet run prints: only news. */
	if ((diag_get_level() >= DIAG_NORMAL ||
	     cmd_format(OUT_TABLE) == OUT_JSON || news(&r, &rw)) &&
	    print_result(&r, &rw) == -1) {
		diag_err("stdout", "write error");
		goto out;
	}
	if (rw.state == REWRITE_UNCHANGED)
		diag_note(g.config, "nothing to change; the file is not "
				    "touched");
	if ((rc = hook_and_state(&r, &rw, r.saf, r.spath)) != EXIT_OK)
		goto out;
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
	free(r.script);
	state_release(&r.state);
	atomic_close(r.saf);
	free(r.spath);
	cmd_rewrite_release(&rw);
	checks_opts_release(&r.copts);
	sel_index_free(r.ix);
	sel_hosts_free(r.hx);
	store_free(r.st);
	return rc;
}
