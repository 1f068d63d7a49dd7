/*
 * The one safe writer of the configuration (SPEC §11), for bind and
 * renew: take the lock, read the file under it, let the command plan its
 * edits on what it read, apply them byte-exactly, and replace the file
 * atomically -- or show the diff, or touch nothing when nothing changes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"

#define LOCK_TIMEOUT 30 /* seconds, SPEC §11 */

static const char *
base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p != NULL && p[1] != '\0' ? p + 1 : path;
}

int
cmd_rewrite(struct rewrite *rw)
{
	struct conn_errs  errs;
	struct conn_edit *edits = NULL;
	struct stat	  sb;
	const char	 *what;
	char		 *buf = NULL;
	size_t		  len = 0, i;
	int		  rc = EXIT_FAIL, lrc, fd = -1;

	rw->state = REWRITE_NONE;
	rw->cf = NULL;
	rw->diff = NULL;
	rw->difflen = 0;
	/* A write past RLIMIT_FSIZE must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	/* Don't leave a lock file beside a configuration that isn't there. */
	if (stat(g.config, &sb) == -1) {
		diag_err(g.config, "%s", strerror(errno));
		return EXIT_FAIL;
	}
	if ((lrc = atomic_lock(g.config, LOCK_TIMEOUT, &fd, &what)) !=
	    ATOMIC_OK) {
		if (lrc == ATOMIC_TIMEOUT)
			diag_err(g.config,
				 "timed out waiting for the lock "
				 "(another certbind has held %s.lock for %d s)",
				 g.config, LOCK_TIMEOUT);
		else
			diag_err(g.config, "%s: %s", what, strerror(errno));
		return EXIT_FAIL;
	}
	/* Read under the lock: a concurrent writer's change is kept. */
	if (conn_load(g.config, &rw->cf, &errs) == -1) {
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
	if ((rc = rw->plan(rw->arg, rw->cf, edits)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if (conn_apply(rw->cf, edits, &buf, &len, &errs) == -1) {
		cmd_conn_errs(&errs, 0);
		conn_errs_release(&errs);
		diag_err(g.config, "the edited configuration does not load; "
				   "nothing written");
		goto out;
	}
	conn_errs_release(&errs);
	if (!conn_changed(rw->cf, buf, len)) {
		rw->state = REWRITE_UNCHANGED;
		rc = EXIT_OK;
		goto out;
	}
	if (rw->dry_run) {
		/* A relative label: patch(1) refuses absolute ones. */
		if ((rw->diff = conn_diff(rw->cf->buf, rw->cf->len, buf, len,
					  base_name(g.config), &rw->difflen)) ==
		    NULL) {
			diag_err(NULL, "out of memory");
			goto out;
		}
		rw->state = REWRITE_DRY_RUN;
		rc = EXIT_OK;
		goto out;
	}
	if (atomic_replace(g.config, buf, len, rw->backup, &what) != 0) {
		/* Only the final directory fsync fails after the rename. */
		if (strcmp(what, "cannot sync the directory") == 0)
			diag_err(g.config,
				 "%s: %s; the new version is in "
				 "place but may not survive a crash",
				 what, strerror(errno));
		else
			diag_err(g.config, "%s: %s; the file is unchanged",
				 what, strerror(errno));
		goto out;
	}
	rw->state = REWRITE_WRITTEN;
	rc = EXIT_OK;
out:
	atomic_unlock(fd);
	free(edits);
	free(buf);
	return rc;
}

void
cmd_rewrite_release(struct rewrite *rw)
{
	conn_file_free(rw->cf);
	free(rw->diff);
	rw->cf = NULL;
	rw->diff = NULL;
}
