/*
 * atomic: a locked read-modify-write of one file, replaced atomically
 * (certbind(1), WRITING THE CONFIGURATION and SECURITY).
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"

struct atomic_file {
	char	   *dir;   /* the resolved directory, for messages */
	char	   *base;  /* the file's name in it */
	int	    dirfd; /* every name below is relative to this */
	int	    lockfd;
	int	    fd; /* the file read under the lock, or -1 */
	struct stat st; /* fd's, when it was opened */
	/* A new file beside another: that file's owner, group, mode. */
	struct stat meta;
	int	    has_meta;
};

/*
 * Fills e: msg from fmt, then ": " and strerror(err) when err is not 0;
 * fmt NULL gives strerror(err) alone.  Returns code.
 */
static int __attribute__((format(printf, 4, 5)))
fail(struct atomic_err *e, int code, int err, const char *fmt, ...)
{
	va_list ap;
	int	n = 0;

	e->err = err;
	e->msg[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		if (n < 0)
			n = 0;
	}
	if (err != 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, "%s%s",
			 fmt != NULL ? ": " : "", strerror(err));
	return code;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Whether someone other than root and owner may change st, or (for a
 * directory) rename its entries: owned by another user, or writable by
 * its group or others and not sticky.  In a sticky directory (/tmp)
 * others may add names, but not rename or remove those of root or the
 * owner, so they cannot swap the file; at most they block a run by
 * taking a name first.
 */
static int
unsafe(const struct stat *st, uid_t owner)
{
	if (st->st_uid != 0 && st->st_uid != owner)
		return 1;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 0;
	return !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX));
}

static const char *
who(const struct stat *st, uid_t owner)
{
	if (st->st_uid != 0 && st->st_uid != owner)
		return "is owned by another user";
	return (st->st_mode & S_IWOTH) ? "is writable by every user"
				       : "is writable by its group";
}

/*
 * The ownership and mode rules of atomic_open: the file (st, NULL when
 * it does not exist yet), its directory and every directory above it.
 * A user who may rename entries of one of them could swap the file for
 * a link to another file while certbind writes it as root.
 */
static int
check_safe(const struct atomic_file *af, const struct stat *st,
	   struct atomic_err *e)
{
	struct stat ds;
	uid_t	    owner = st != NULL ? st->st_uid : geteuid();
	char	   *p = NULL, *slash;
	int	    rc = ATOMIC_ERR;

	if (st != NULL && unsafe(st, owner))
		return fail(e, ATOMIC_UNSAFE, 0, "the file %s (mode %04o)",
			    who(st, owner), (unsigned)(st->st_mode & 07777));
	if (fstat(af->dirfd, &ds) == -1)
		return fail(e, ATOMIC_ERR, errno, "cannot read %s's metadata",
			    af->dir);
	if (unsafe(&ds, owner))
		return fail(e, ATOMIC_UNSAFE, 0,
			    "its directory %s %s (mode %04o)", af->dir,
			    who(&ds, owner), (unsigned)(ds.st_mode & 07777));
	/* The directories above, by name: af->dir is resolved, no links. */
	if ((p = strdup(af->dir)) == NULL)
		return fail(e, ATOMIC_ERR, ENOMEM, NULL);
	while ((slash = strrchr(p, '/')) != NULL && p[1] != '\0') {
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (lstat(p, &ds) == -1) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot read %s's metadata", p);
			goto out;
		}
		if (unsafe(&ds, owner)) {
			rc = fail(e, ATOMIC_UNSAFE, 0,
				  "the directory %s above it %s (mode %04o)", p,
				  who(&ds, owner),
				  (unsigned)(ds.st_mode & 07777));
			goto out;
		}
	}
	rc = ATOMIC_OK;
out:
	free(p);
	return rc;
}

/*
 * Resolves path once into af->dir and af->base and opens the directory.
 * With create, a missing file is named in its resolved directory.
 */
static int
locate(struct atomic_file *af, const char *path, int create,
       struct atomic_err *e)
{
	struct stat st;
	const char *base;
	char	   *real = NULL, *dir = NULL, *slash;
	int	    rc = ATOMIC_ERR;

	if ((real = realpath(path, NULL)) == NULL) {
		if (errno != ENOENT || !create)
			return fail(e, ATOMIC_ERR, errno, NULL);
		/* realpath fails on a dangling link too: never write one. */
		if (lstat(path, &st) == 0)
			return fail(e, ATOMIC_ERR, 0,
				    "a symbolic link to a missing file");
		slash = strrchr(path, '/');
		base = slash != NULL ? slash + 1 : path;
		dir = slash == NULL   ? strdup(".")
		      : slash == path ? strdup("/")
				      : strndup(path, (size_t)(slash - path));
		if (dir == NULL)
			return fail(e, ATOMIC_ERR, ENOMEM, NULL);
		if ((real = realpath(dir, NULL)) == NULL) {
			rc = fail(e, ATOMIC_ERR, errno, "cannot resolve %s",
				  dir);
			goto out;
		}
		af->dir = real;
		real = NULL;
		af->base = strdup(base);
	} else {
		slash = strrchr(real, '/');
		af->base = strdup(slash + 1);
		*(slash == real ? slash + 1 : slash) = '\0';
		af->dir = real;
		real = NULL;
	}
	if (af->base == NULL) {
		rc = fail(e, ATOMIC_ERR, ENOMEM, NULL);
		goto out;
	}
	if (af->base[0] == '\0' || strcmp(af->base, ".") == 0 ||
	    strcmp(af->base, "..") == 0) {
		rc = fail(e, ATOMIC_ERR, 0, "not a regular file");
		goto out;
	}
	/* O_NOFOLLOW: the directory swapped for a link since realpath. */
	if ((af->dirfd = open(af->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC)) == -1) {
		rc = fail(e, ATOMIC_ERR, errno, "cannot open %s", af->dir);
		goto out;
	}
	rc = ATOMIC_OK;
out:
	free(real);
	free(dir);
	return rc;
}

/* The file by its name in the directory, never through a link. */
static int
stat_name(const struct atomic_file *af, struct stat *st)
{
	return fstatat(af->dirfd, af->base, st, AT_SYMLINK_NOFOLLOW);
}

/*
 * certbind-connectors(5) The lock: a lock file of ours takes the
 * configuration's group and its group bits, so an admin of that group who
 * may edit the file may lock it too; never bits for others, and an
 * owner-only configuration keeps an owner-only lock.  cfg is NULL when the
 * configuration does not exist yet.  Best effort: the lock works for us
 * whatever happens here.
 */
static void
lock_perms(int fd, const struct stat *lk, const struct stat *cfg)
{
	mode_t mode = S_IRUSR | S_IWUSR;

	/* Another user's lock file is theirs to set. */
	if (lk->st_uid != geteuid())
		return;
	/* Owner before mode: chown clears set-id bits. */
	if (cfg != NULL && (lk->st_gid == cfg->st_gid ||
			    fchown(fd, (uid_t)-1, cfg->st_gid) == 0))
		mode |= cfg->st_mode & (S_IRGRP | S_IWGRP);
	if ((lk->st_mode & 07777) != mode)
		(void)fchmod(fd, mode);
}

static int
lock(struct atomic_file *af, const struct stat *cfg, unsigned int timeout,
     struct atomic_err *e)
{
	struct timespec nap = {0, 50 * 1000 * 1000};
	struct stat	st;
	char	       *name = NULL;
	double		deadline;
	int		rc = ATOMIC_ERR;

	if (asprintf(&name, "%s.lock", af->base) == -1)
		return fail(e, ATOMIC_ERR, ENOMEM, NULL);
	/* O_NOFOLLOW: a planted link must not make us create files. */
	if ((af->lockfd = openat(af->dirfd, name,
				 O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
				     O_NOCTTY | O_NONBLOCK,
				 0600)) == -1) {
		rc = fail(e, ATOMIC_ERR, errno, "cannot open the lock file");
		goto out;
	}
	if (fstat(af->lockfd, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = fail(e, ATOMIC_ERR, 0,
			  "the lock file %s/%s is not a regular file", af->dir,
			  name);
		goto out;
	}
	lock_perms(af->lockfd, &st, cfg);
	deadline = now() + timeout;
	for (;;) {
		if (flock(af->lockfd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot lock the lock file");
			goto out;
		}
		if (now() >= deadline) {
			rc = fail(e, ATOMIC_TIMEOUT, 0,
				  "timed out waiting for the lock (another "
				  "certbind has held %s/%s for %u s)",
				  af->dir, name, timeout);
			goto out;
		}
		(void)nanosleep(&nap, NULL);
	}
	rc = ATOMIC_OK;
out:
	free(name);
	return rc;
}

int
atomic_open(const char *path, int flags, unsigned int timeout,
	    struct atomic_file **out, struct atomic_err *e)
{
	struct atomic_file *af;
	struct stat	    st;
	int		    rc, exists = 1, fl;

	*out = NULL;
	if ((af = calloc(1, sizeof(*af))) == NULL)
		return fail(e, ATOMIC_ERR, ENOMEM, NULL);
	af->dirfd = af->lockfd = af->fd = -1;
	if ((rc = locate(af, path, flags & ATOMIC_CREATE, e)) != ATOMIC_OK)
		goto out;
	/* Before the lock: no lock file beside what cannot be a config. */
	if (stat_name(af, &st) == -1) {
		if (errno != ENOENT || !(flags & ATOMIC_CREATE)) {
			rc = fail(e, ATOMIC_ERR, errno, NULL);
			goto out;
		}
		exists = 0;
	} else if (!S_ISREG(st.st_mode)) {
		rc = fail(e, ATOMIC_ERR, 0, "not a regular file");
		goto out;
	}
	if (!(flags & ATOMIC_ALLOW_UNSAFE) &&
	    (rc = check_safe(af, exists ? &st : NULL, e)) != ATOMIC_OK)
		goto out;
	if ((rc = lock(af, exists ? &st : NULL, timeout, e)) != ATOMIC_OK)
		goto out;
	/* Again under the lock: a concurrent writer's version is read. */
	if ((af->fd = openat(af->dirfd, af->base,
			     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
				 O_NOCTTY)) == -1) {
		if (errno != ENOENT || !(flags & ATOMIC_CREATE)) {
			rc = fail(e, ATOMIC_ERR, errno,
				  errno == ELOOP ? "replaced by a symbolic link"
						 : NULL);
			goto out;
		}
	} else {
		if (fstat(af->fd, &af->st) == -1) {
			rc = fail(e, ATOMIC_ERR, errno, NULL);
			goto out;
		}
		if (!S_ISREG(af->st.st_mode)) {
			rc = fail(e, ATOMIC_ERR, 0, "not a regular file");
			goto out;
		}
		if (!(flags & ATOMIC_ALLOW_UNSAFE) &&
		    (rc = check_safe(af, &af->st, e)) != ATOMIC_OK)
			goto out;
		if ((fl = fcntl(af->fd, F_GETFL)) != -1)
			(void)fcntl(af->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	*out = af;
	af = NULL;
	rc = ATOMIC_OK;
out:
	atomic_close(af);
	return rc;
}

int
atomic_open_beside(const struct atomic_file *of, const char *suffix, int flags,
		   struct atomic_file **out, struct atomic_err *e)
{
	struct atomic_file *af;
	int		    rc = ATOMIC_ERR, fl;

	*out = NULL;
	if ((af = calloc(1, sizeof(*af))) == NULL)
		return fail(e, ATOMIC_ERR, ENOMEM, NULL);
	af->dirfd = af->lockfd = af->fd = -1;
	if ((af->dir = strdup(of->dir)) == NULL ||
	    asprintf(&af->base, "%s%s", of->base, suffix) == -1) {
		af->base = NULL;
		rc = fail(e, ATOMIC_ERR, ENOMEM, NULL);
		goto out;
	}
	if ((af->dirfd = fcntl(of->dirfd, F_DUPFD_CLOEXEC, 0)) == -1) {
		rc = fail(e, ATOMIC_ERR, errno, "cannot open %s", af->dir);
		goto out;
	}
	if ((af->fd = openat(af->dirfd, af->base,
			     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
				 O_NOCTTY)) == -1) {
		if (errno != ENOENT || !(flags & ATOMIC_CREATE)) {
			rc = fail(e, ATOMIC_ERR, errno,
				  errno == ELOOP
				      ? "a symbolic link, not followed"
				      : NULL);
			goto out;
		}
		af->meta = of->st;
		af->has_meta = of->fd != -1;
	} else {
		if (fstat(af->fd, &af->st) == -1) {
			rc = fail(e, ATOMIC_ERR, errno, NULL);
			goto out;
		}
		if (!S_ISREG(af->st.st_mode)) {
			rc = fail(e, ATOMIC_ERR, 0, "not a regular file");
			goto out;
		}
		/* The directory was checked with the file beside it. */
		if (!(flags & ATOMIC_ALLOW_UNSAFE) && of->fd != -1 &&
		    unsafe(&af->st, of->st.st_uid)) {
			rc =
			    fail(e, ATOMIC_UNSAFE, 0, "the file %s (mode %04o)",
				 who(&af->st, of->st.st_uid),
				 (unsigned)(af->st.st_mode & 07777));
			goto out;
		}
		if ((fl = fcntl(af->fd, F_GETFL)) != -1)
			(void)fcntl(af->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	*out = af;
	af = NULL;
	rc = ATOMIC_OK;
out:
	atomic_close(af);
	return rc;
}

int
atomic_fd(const struct atomic_file *af)
{
	return af->fd;
}

void
atomic_close(struct atomic_file *af)
{
	if (af == NULL)
		return;
	if (af->fd != -1)
		close(af->fd);
	if (af->lockfd != -1)
		close(af->lockfd);
	if (af->dirfd != -1)
		close(af->dirfd);
	free(af->dir);
	free(af->base);
	free(af);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Gives to every extended attribute of from, POSIX ACLs
 * (system.posix_acl_access) and a SELinux label (security.selinux)
 * included: a service user granted read access by an ACL must keep it
 * after a renewal.
 */
static int
copy_xattrs(int from, int to, struct atomic_err *e)
{
	char   *names = NULL, *val = NULL, *p, *nv;
	ssize_t n, vlen;
	int	rc = ATOMIC_ERR;

	if ((n = flistxattr(from, NULL, 0)) == -1) {
		if (errno == ENOTSUP)
			return ATOMIC_OK;
		return fail(e, ATOMIC_ERR, errno,
			    "cannot read the extended attributes");
	}
	if (n == 0)
		return ATOMIC_OK;
	if ((names = malloc((size_t)n)) == NULL)
		return fail(e, ATOMIC_ERR, ENOMEM, NULL);
	if ((n = flistxattr(from, names, (size_t)n)) == -1) {
		rc = fail(e, ATOMIC_ERR, errno,
			  "cannot read the extended attributes");
		goto out;
	}
	for (p = names; p < names + n; p += strlen(p) + 1) {
		if ((vlen = fgetxattr(from, p, NULL, 0)) == -1) {
			if (errno == ENODATA)
				continue;
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot read the extended attribute '%s'", p);
			goto out;
		}
		if ((nv = realloc(val, (size_t)vlen + 1)) == NULL) {
			rc = fail(e, ATOMIC_ERR, ENOMEM, NULL);
			goto out;
		}
		val = nv;
		if ((vlen = fgetxattr(from, p, val, (size_t)vlen)) == -1 ||
		    fsetxattr(to, p, val, (size_t)vlen, 0) == -1) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot keep the extended attribute '%s'", p);
			goto out;
		}
	}
	rc = ATOMIC_OK;
out:
	free(names);
	free(val);
	return rc;
}

/*
 * Creates ".BASE[SUFFIX].XXXXXXXXXXXXXXXX" in the directory, holding
 * (buf, len) with the metadata of the file read (a new file's when
 * there is none), fsync'd and closed.  Returns ATOMIC_OK with its name
 * in *tmpp (caller frees, renames or unlinks), or an error with nothing
 * left behind.
 */
static int
make_temp(const struct atomic_file *af, const char *suffix, const char *buf,
	  size_t len, char **tmpp, struct atomic_err *e)
{
	struct stat   st;
	unsigned char r[8];
	char	     *tmp = NULL;
	mode_t	      um;
	int	      fd = -1, rc = ATOMIC_ERR, tries;

	*tmpp = NULL;
	for (tries = 0; fd == -1; tries++) {
		free(tmp);
		tmp = NULL;
		if (tries == 100 || getrandom(r, sizeof(r), 0) != sizeof(r))
			return fail(e, ATOMIC_ERR,
				    tries == 100 ? EEXIST : errno,
				    "cannot create a temporary file");
		if (asprintf(&tmp, ".%s%s.%02x%02x%02x%02x%02x%02x%02x%02x",
			     af->base, suffix, r[0], r[1], r[2], r[3], r[4],
			     r[5], r[6], r[7]) == -1)
			return fail(e, ATOMIC_ERR, ENOMEM, NULL);
		fd = openat(af->dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC | O_NOCTTY,
			    0600);
		if (fd == -1 && errno != EEXIST) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot create a temporary file");
			free(tmp);
			return rc;
		}
	}
	if (write_all(fd, buf, len) == -1) {
		rc = fail(e, ATOMIC_ERR, errno,
			  "cannot write the temporary file");
		goto out;
	}
	if (af->fd != -1) {
		/*
		 * Owner before mode: chown clears set-id bits.  A file we
		 * cannot give its owner back is not replaced: quietly
		 * handing a root-owned config to the user who ran certbind
		 * would be worse than failing.
		 */
		if (fstat(fd, &st) == -1 ||
		    ((st.st_uid != af->st.st_uid ||
		      st.st_gid != af->st.st_gid) &&
		     fchown(fd, af->st.st_uid, af->st.st_gid) == -1)) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot keep the owner and group");
			goto out;
		}
		if (fchmod(fd, af->st.st_mode & 07777) == -1) {
			rc = fail(e, ATOMIC_ERR, errno, "cannot keep the mode");
			goto out;
		}
		/* After the mode: an ACL sets the group bits (its mask). */
		if ((rc = copy_xattrs(af->fd, fd, e)) != ATOMIC_OK)
			goto out;
		rc = ATOMIC_ERR;
	} else if (af->has_meta) {
		/* Owner before mode, as above. */
		if (fstat(fd, &st) == -1 ||
		    ((st.st_uid != af->meta.st_uid ||
		      st.st_gid != af->meta.st_gid) &&
		     fchown(fd, af->meta.st_uid, af->meta.st_gid) == -1)) {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot give it the owner and group of %s",
				  af->dir);
			goto out;
		}
		if (fchmod(fd, af->meta.st_mode & 0666) == -1) {
			rc = fail(e, ATOMIC_ERR, errno, "cannot set the mode");
			goto out;
		}
	} else {
		um = umask(022);
		(void)umask(um);
		if (fchmod(fd, 0666 & ~um) == -1) {
			rc = fail(e, ATOMIC_ERR, errno, "cannot set the mode");
			goto out;
		}
	}
	if (fsync(fd) == -1) {
		rc = fail(e, ATOMIC_ERR, errno,
			  "cannot write the temporary file");
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		rc = fail(e, ATOMIC_ERR, errno,
			  "cannot write the temporary file");
		goto out;
	}
	fd = -1;
	*tmpp = tmp;
	tmp = NULL;
	rc = ATOMIC_OK;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		(void)unlinkat(af->dirfd, tmp, 0);
		free(tmp);
	}
	return rc;
}

/*
 * ATOMIC_OK when the name still refers to the file read under the lock
 * (or still to nothing), unchanged since: else someone replaced or
 * edited it without the lock, and writing would lose their change or
 * write where they point.
 */
static int
still(const struct atomic_file *af, struct atomic_err *e)
{
	struct stat named, cur;

	if (stat_name(af, &named) == -1) {
		if (errno == ENOENT && af->fd == -1)
			return ATOMIC_OK;
		if (errno == ENOENT)
			return fail(e, ATOMIC_CHANGED, 0,
				    "removed while certbind ran");
		return fail(e, ATOMIC_ERR, errno, NULL);
	}
	if (af->fd == -1)
		return fail(e, ATOMIC_CHANGED, 0,
			    "created by someone else while certbind ran");
	if (named.st_dev != af->st.st_dev || named.st_ino != af->st.st_ino)
		return fail(e, ATOMIC_CHANGED, 0,
			    "replaced while certbind ran (%s)",
			    S_ISLNK(named.st_mode)
				? "now a symbolic link, not followed"
				: "by a writer that did not take the lock");
	if (fstat(af->fd, &cur) == -1)
		return fail(e, ATOMIC_ERR, errno, NULL);
	if (cur.st_size != af->st.st_size ||
	    cur.st_mtim.tv_sec != af->st.st_mtim.tv_sec ||
	    cur.st_mtim.tv_nsec != af->st.st_mtim.tv_nsec)
		return fail(e, ATOMIC_CHANGED, 0,
			    "changed while certbind ran, by a writer that did "
			    "not take the lock");
	return ATOMIC_OK;
}

int
atomic_commit(struct atomic_file *af, const char *buf, size_t len,
	      const char *old, size_t oldlen, int backup, struct atomic_err *e)
{
	char *tmp = NULL, *btmp = NULL, *bak = NULL;
	int   rc, swapped = 0, created = 0, late = 0;

	backup = backup && af->fd != -1;
	if ((rc = make_temp(af, "", buf, len, &tmp, e)) != ATOMIC_OK)
		goto out;
	if (backup) {
		if (asprintf(&bak, "%s.bak", af->base) == -1) {
			bak = NULL;
			rc = fail(e, ATOMIC_ERR, ENOMEM, NULL);
			goto out;
		}
		/* The bytes read under the lock: a snapshot, not a link. */
		if ((rc = make_temp(af, ".bak", old, oldlen, &btmp, e)) !=
		    ATOMIC_OK)
			goto out;
	}
	if ((rc = still(af, e)) != ATOMIC_OK)
		goto out;
	/*
	 * The new backup takes the place of the previous one in a swap
	 * that is undone if the file cannot be replaced: a failed write
	 * leaves the previous backup.
	 */
	if (backup) {
		if (renameat2(af->dirfd, btmp, af->dirfd, bak,
			      RENAME_EXCHANGE) == 0)
			swapped = 1;
		else if (errno == ENOENT &&
			 renameat2(af->dirfd, btmp, af->dirfd, bak,
				   RENAME_NOREPLACE) == 0)
			created = 1;
		else if (errno == EINVAL || errno == ENOSYS)
			late = 1; /* no RENAME_EXCHANGE here: after the file */
		else {
			rc = fail(e, ATOMIC_ERR, errno,
				  "cannot make the backup %s/%s", af->dir, bak);
			goto out;
		}
		if (created) {
			free(btmp);
			btmp = NULL;
		}
	}
	if (renameat2(af->dirfd, tmp, af->dirfd, af->base,
		      af->fd == -1 ? RENAME_NOREPLACE : 0) == -1) {
		rc = fail(e, ATOMIC_ERR, errno,
			  "cannot rename the temporary file");
		if (swapped)
			(void)renameat2(af->dirfd, btmp, af->dirfd, bak,
					RENAME_EXCHANGE);
		if (created)
			(void)unlinkat(af->dirfd, bak, 0);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (late && renameat(af->dirfd, btmp, af->dirfd, bak) == -1) {
		rc = fail(e, ATOMIC_SYNC, errno, "cannot make the backup %s/%s",
			  af->dir, bak);
		goto out;
	}
	if (late) {
		free(btmp);
		btmp = NULL;
	}
	/* swapped: btmp now names the previous backup, removed below. */
	rc = ATOMIC_OK;
	/* The rename is only durable once the directory is on disk. */
	if (fsync(af->dirfd) == -1 && errno != EINVAL)
		rc = fail(e, ATOMIC_SYNC, errno, "cannot sync the directory");
out:
	if (tmp != NULL)
		(void)unlinkat(af->dirfd, tmp, 0);
	if (btmp != NULL)
		(void)unlinkat(af->dirfd, btmp, 0);
	free(tmp);
	free(btmp);
	free(bak);
	return rc;
}
