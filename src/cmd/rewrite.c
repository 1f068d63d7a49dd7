/*
 * The one safe writer of the configuration (certbind(1), WRITING THE
 * CONFIGURATION), for bind and renew: take the lock, read the file under
 * it, let the command plan its edits on what it read, apply them
 * byte-exactly, and replace the file atomically -- or show the diff, or
 * touch nothing when nothing changes.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cmd.h"
#include "connectors.h"
#include "diff.h"
#include "diag.h"

#define LOCK_TIMEOUT 30 /* seconds, certbind(1) */

/*
 * Every signal whose disposition certbind changes, all here: SIGXFSZ is
 * ignored so that a write past RLIMIT_FSIZE fails with EFBIG instead of
 * killing us with a temporary file left.
 */
static const int changed_signals[] = {SIGXFSZ};

int
cmd_child_signals(void)
{
	struct sigaction sa;
	sigset_t	 none;
	size_t		 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(changed_signals) / sizeof(changed_signals[0]);
	     i++)
		if (sigaction(changed_signals[i], &sa, NULL) == -1)
			return -1;
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

static const char *
base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p != NULL && p[1] != '\0' ? p + 1 : path;
}

int
cmd_rewrite(struct rewrite *rw)
{
	struct atomic_file *af = NULL;
	struct atomic_err   e;
	struct conn_errs    errs;
	struct conn_edit   *edits = NULL;
	char		   *buf = NULL;
	const char	   *old;
	size_t		    len = 0, i, oldlen;
	int		    rc = EXIT_FAIL, arc, missing = 0;

	rw->state = REWRITE_NONE;
	rw->af = NULL;
	rw->cf = NULL;
	rw->diff = NULL;
	rw->difflen = 0;
	signal(SIGXFSZ, SIG_IGN); /* changed_signals */
	if ((arc = atomic_open(g.config,
			       (g.allow_unsafe ? ATOMIC_ALLOW_UNSAFE : 0) |
				   (rw->empty != NULL ? ATOMIC_CREATE : 0),
			       LOCK_TIMEOUT, &af, &e)) != ATOMIC_OK) {
		if (arc == ATOMIC_UNSAFE)
			diag_err(g.config,
				 "%s: another user could swap the file for a "
				 "link while certbind writes it; nothing "
				 "written (--allow-unsafe-config accepts the "
				 "risk)",
				 e.msg);
		else
			diag_err(g.config, "%s", e.msg);
		return EXIT_FAIL;
	}
	/* Read under the lock: a concurrent writer's change is kept. */
	if (atomic_fd(af) == -1) {
		/* Missing, with rw->empty: it starts as that. */
		missing = 1;
		arc = conn_load_mem(g.config, rw->empty, strlen(rw->empty),
				    &rw->cf, &errs);
	} else
		arc = conn_load_fd(g.config, atomic_fd(af), &rw->cf, &errs);
	if (arc == -1) {
		cmd_conn_errs(&errs, 0);
		conn_errs_release(&errs);
		goto out;
	}
	conn_errs_release(&errs); /* initialised on success too */
	if ((edits = calloc(rw->cf->n + 1, sizeof(*edits))) == NULL) {
		diag_err(NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < rw->cf->n; i++)
		conn_edit_init(&edits[i]);
	rw->af = af; /* borrowed by plan, for cmd_rewrite_open_beside */
	rc = rw->plan(rw->arg, rw->cf, edits);
	rw->af = NULL;
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if ((rw->apply != NULL
		 ? rw->apply(rw->arg, rw->cf, &buf, &len, &errs)
		 : conn_apply(rw->cf, edits, &buf, &len, &errs)) == -1) {
		cmd_conn_errs(&errs, 0);
		conn_errs_release(&errs);
		diag_err(g.config, "the edited configuration does not load; "
				   "nothing written");
		goto out;
	}
	conn_errs_release(&errs);
	old = missing ? "" : rw->cf->buf;
	oldlen = missing ? 0 : rw->cf->len;
	if (!missing && !conn_changed(rw->cf, buf, len)) {
		rw->state = REWRITE_UNCHANGED;
		rc = EXIT_OK;
		goto out;
	}
	if (rw->dry_run) {
		/* A relative label: patch(1) refuses absolute ones. */
		if ((rw->diff = diff_unified(old, oldlen, buf, len,
					     base_name(g.config),
					     &rw->difflen)) == NULL) {
			diag_err(NULL, "out of memory");
			goto out;
		}
		rw->state = REWRITE_DRY_RUN;
		rc = EXIT_OK;
		goto out;
	}
	switch (atomic_commit(af, buf, len, old, oldlen, rw->backup, &e)) {
	case ATOMIC_OK:
		break;
	case ATOMIC_SYNC:
		diag_err(g.config,
			 "%s; the new version is in place but may not "
			 "survive a crash",
			 e.msg);
		goto out;
	default:
		diag_err(g.config, "%s; the file is unchanged", e.msg);
		goto out;
	}
	rw->state = REWRITE_WRITTEN;
	rc = EXIT_OK;
out:
	if (rc == EXIT_OK && rw->keep_lock) {
		rw->af = af;
		af = NULL;
	}
	atomic_close(af);
	free(edits);
	free(buf);
	return rc;
}

/* The messages of atomic_open and atomic_commit for path. */
static void
report(const char *path, int arc, const struct atomic_err *e)
{
	if (arc == ATOMIC_UNSAFE)
		diag_err(path,
			 "%s: another user could swap the file for a link "
			 "while certbind writes it; nothing written "
			 "(--allow-unsafe-config accepts the risk)",
			 e->msg);
	else if (arc == ATOMIC_SYNC)
		diag_err(path,
			 "%s; the new version is in place but may not "
			 "survive a crash",
			 e->msg);
	else
		diag_err(path, "%s", e->msg);
}

int
cmd_rewrite_open_beside(const struct rewrite *rw, const char *suffix,
			struct atomic_file **out, char **pathp)
{
	struct atomic_err e;
	int		  arc;

	*out = NULL;
	if (asprintf(pathp, "%s%s", g.config, suffix) == -1) {
		*pathp = NULL;
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	if ((arc = atomic_open_beside(
		 rw->af, suffix,
		 ATOMIC_CREATE | (g.allow_unsafe ? ATOMIC_ALLOW_UNSAFE : 0),
		 out, &e)) != ATOMIC_OK) {
		report(*pathp, arc, &e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int
cmd_rewrite_commit_beside(struct atomic_file *af, const char *path,
			  const char *buf, size_t len)
{
	struct atomic_err e;
	int		  arc;

	if ((arc = atomic_commit(af, buf, len, NULL, 0, 0, &e)) != ATOMIC_OK) {
		report(path, arc, &e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void
cmd_rewrite_release(struct rewrite *rw)
{
	atomic_close(rw->af);
	rw->af = NULL;
	conn_file_free(rw->cf);
	free(rw->diff);
	rw->cf = NULL;
	rw->diff = NULL;
}

const char *
cmd_rewrite_outcome(const struct rewrite *rw)
{
	switch (rw->state) {
	case REWRITE_UNCHANGED:
		diag_note(g.config, "nothing to change; the file is not "
				    "touched");
		return "Unchanged";
	case REWRITE_DRY_RUN:
		return "DryRun";
	case REWRITE_WRITTEN:
		return "Changed";
	default:
		diag_err(g.config, "internal error: no result from the writer");
		return NULL;
	}
}
