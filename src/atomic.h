/*
 * atomic: a locked read-modify-write of one file, replaced so that at
 * every instant it is either the old or the new version (certbind(1),
 * WRITING THE CONFIGURATION and SECURITY).
 *
 * The path is resolved once, when the file is opened; from then on
 * everything happens relative to a descriptor of the directory that
 * holds the file, and the final name is never followed: a symbolic link
 * swapped in while certbind runs is refused, not written through.
 *
 * The caller must have set SIGXFSZ to SIG_IGN (the command layer does):
 * a write past RLIMIT_FSIZE then fails with EFBIG and is cleaned up
 * instead of killing the process with a temporary file left.
 */
#ifndef ATOMIC_H
#define ATOMIC_H

#include <limits.h>
#include <stddef.h>

#define ATOMIC_OK      0
#define ATOMIC_ERR     (-1) /* a step failed; see the message */
#define ATOMIC_TIMEOUT (-2) /* the lock was not free in time */
#define ATOMIC_UNSAFE                                                          \
	(-3)		    /* someone else may write the file or a            \
			       directory above it */
#define ATOMIC_CHANGED (-4) /* the name no longer names the file read */
#define ATOMIC_SYNC                                                            \
	(-5) /* replaced, but the directory's fsync                            \
		failed: the rename may not survive a crash */

/* atomic_open flags */
#define ATOMIC_CREATE	    0x1 /* a missing file is created by commit */
#define ATOMIC_ALLOW_UNSAFE 0x2 /* skip the ownership and mode checks */

/*
 * Why a call failed: a sentence without the file's own path (the
 * caller names it), lower case, with the system's reason when there is
 * one; err is that errno, or 0.
 */
struct atomic_err {
	int  err;
	char msg[PATH_MAX + 256];
};

struct atomic_file; /* opaque */

/*
 * Opens path for a read-modify-write:
 * - resolves it once (symbolic links the admin made are followed here,
 *   and only here) and opens the directory that holds the file;
 * - unless ATOMIC_ALLOW_UNSAFE, refuses (ATOMIC_UNSAFE) a file, its
 *   directory or a directory above that is owned by a user other than
 *   root and the file's owner, or is writable by its group or others
 *   (a directory may be when it is sticky, as /tmp);
 * - refuses anything but a regular file before it creates a lock;
 * - takes an exclusive flock(2) on "NAME.lock" in the same directory
 *   (created mode 0600, never followed through a link, never removed:
 *   removing it would let two processes lock different inodes),
 *   waiting up to timeout seconds (0: once);
 * - opens the file again under the lock, without following a link.
 * Returns ATOMIC_OK with *out (release with atomic_close), or an
 * ATOMIC_* error with e filled and *out NULL.
 */
int atomic_open(const char *path, int flags, unsigned int timeout,
		struct atomic_file **out, struct atomic_err *e);

/*
 * Opens NAME followed by suffix in the directory of of, a file opened
 * by atomic_open, for a read-modify-write under the lock of holds (of
 * must stay open until this one is closed): never followed through a
 * symbolic link (ELOOP); anything but a regular file is refused; unless
 * ATOMIC_ALLOW_UNSAFE, a file owned by a user other than root and of's
 * owner, or writable by its group or others, is ATOMIC_UNSAFE.  With
 * ATOMIC_CREATE a missing file is created by atomic_commit with of's
 * owner, group and read and write bits.  Returns as atomic_open.
 */
int atomic_open_beside(const struct atomic_file *of, const char *suffix,
		       int flags, struct atomic_file **out,
		       struct atomic_err *e);

/*
 * The descriptor of the file as opened under the lock, positioned at
 * its start, or -1 when it did not exist (ATOMIC_CREATE).  Borrowed.
 */
int atomic_fd(const struct atomic_file *);

/*
 * Replaces the file with (buf, len): a temporary file in the same
 * directory is written in full, given the old file's owner, group,
 * mode, POSIX ACLs and extended attributes (a new file: 0666 & ~umask),
 * fsync'd, and renamed over the name -- but only if the name still
 * refers to the file read under the lock, unchanged (else
 * ATOMIC_CHANGED).  Then the directory is fsync'd.
 *
 * With backup, (old, oldlen) -- the bytes read under the lock, never
 * the file read again by name -- becomes "NAME.bak": a new file with
 * the old one's metadata.  It replaces the previous backup only when
 * the new version is in place; a failure leaves the previous NAME.bak.
 *
 * On any error but ATOMIC_SYNC the file is unchanged and no temporary
 * file is left.  When the owner or group cannot be kept (not root),
 * nothing is replaced.
 */
int atomic_commit(struct atomic_file *, const char *buf, size_t len,
		  const char *old, size_t oldlen, int backup,
		  struct atomic_err *e);

/* Closes the file and releases the lock; NULL is allowed. */
void atomic_close(struct atomic_file *);

#endif
