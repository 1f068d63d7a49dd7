/*
 * atomic: replacing a file so that at every instant it is either the
 * old or the new version (SPEC §11), under a lock that serialises
 * read-modify-write cycles.
 *
 * The caller must have set SIGXFSZ to SIG_IGN (the command layer does,
 * at start): a write past RLIMIT_FSIZE then fails with EFBIG and is
 * cleaned up instead of killing the process with a temp file left.
 *
 * Errors: functions return ATOMIC_OK, ATOMIC_ERR with errno set and
 * *what naming the step that failed (a static string such as "cannot
 * create a temporary file"), or ATOMIC_TIMEOUT.
 */
#ifndef ATOMIC_H
#define ATOMIC_H

#include <stddef.h>

#define ATOMIC_OK      0
#define ATOMIC_ERR     (-1)
#define ATOMIC_TIMEOUT (-2) /* the lock was not free in time */

/*
 * Takes an exclusive flock(2) on "PATH.lock" beside path (through
 * symbolic links: beside the file they name), creating it mode 0600 if
 * missing.  The lock file is never removed: removing it would let two
 * processes lock different inodes.  Waits up to timeout seconds (0: try
 * once).  Returns ATOMIC_OK and the descriptor in *fd (release with
 * atomic_unlock), ATOMIC_TIMEOUT, or ATOMIC_ERR.
 */
int atomic_lock(const char *path, unsigned int timeout, int *fd,
		const char **what);

/* Releases the lock (closing fd); fd may be -1. */
void atomic_unlock(int fd);

/*
 * Replaces path (through symbolic links: the file they name, the links
 * stay) with (buf, len): a temporary ".NAME.XXXXXX" in the same
 * directory is written in full, given the old file's owner, group and
 * mode (0666 & ~umask when there was none), fsync'd and renamed over
 * path; then the directory is fsync'd.  When the owner or group cannot
 * be kept (not root), nothing is replaced.  With backup, the old
 * version becomes "PATH.bak": a hard link to the old inode (so it
 * keeps its metadata), or a copy where hard links are refused.  On any
 * failure before the rename the temporary file is removed and path is
 * untouched.  A failure of the final directory fsync is reported
 * although the new version is in place (it may not survive a crash).
 */
int atomic_replace(const char *path, const char *buf, size_t len, int backup,
		   const char **what);

#endif
