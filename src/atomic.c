/*
 * atomic: lock files and atomic replacement (SPEC §11).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"

/*
 * The file path names: through symbolic links, so that the link stays
 * a link and every name of the file locks the same lock file.  A file
 * that does not exist yet is taken as named.  Returns a new string.
 */
static char *
resolve(const char *path)
{
	char *r;

	if ((r = realpath(path, NULL)) != NULL)
		return r;
	if (errno != ENOENT)
		return NULL;
	return strdup(path);
}

/* Splits path into a new directory string and a pointer to its base. */
static char *
split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return strdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
atomic_lock(const char *path, unsigned int timeout, int *fdp, const char **what)
{
	struct timespec nap = {0, 50 * 1000 * 1000};
	char	       *real = NULL, *lock = NULL;
	double		deadline;
	int		fd = -1, rc = ATOMIC_ERR, saved;

	*fdp = -1;
	*what = "cannot resolve the path";
	if ((real = resolve(path)) == NULL)
		goto out;
	*what = "out of memory";
	if (asprintf(&lock, "%s.lock", real) == -1) {
		lock = NULL;
		goto out;
	}
	/* O_NOFOLLOW: a planted link must not make us create files. */
	*what = "cannot open the lock file";
	if ((fd = open(lock,
		       O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		       0600)) == -1)
		goto out;
	deadline = now() + timeout;
	*what = "cannot lock the lock file";
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			goto out;
		if (now() >= deadline) {
			*what = "timed out waiting for the lock";
			rc = ATOMIC_TIMEOUT;
			goto out;
		}
		(void)nanosleep(&nap, NULL);
	}
	*fdp = fd;
	fd = -1;
	*what = NULL;
	rc = ATOMIC_OK;
out:
	saved = errno;
	if (fd != -1)
		close(fd);
	free(real);
	free(lock);
	errno = saved;
	return rc;
}

void
atomic_unlock(int fd)
{
	if (fd != -1)
		close(fd);
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
 * Writes (buf, len) to a new temporary file beside the target, with the
 * metadata of old (NULL: a new file's), fsync'd and closed.  Returns 0
 * with its name in *tmpp (caller frees and eventually renames or
 * unlinks), or -1 with nothing left behind.
 */
static int
make_temp(const char *dir, const char *base, const char *buf, size_t len,
	  const struct stat *old, char **tmpp, const char **what)
{
	struct stat st;
	char	   *tmp = NULL;
	mode_t	    um;
	int	    fd = -1, rc = -1, saved;

	*tmpp = NULL;
	*what = "out of memory";
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) == -1) {
		tmp = NULL;
		goto out;
	}
	*what = "cannot create a temporary file";
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	*what = "cannot write the temporary file";
	if (write_all(fd, buf, len) == -1)
		goto out;
	*what = "cannot keep the owner and group";
	if (fstat(fd, &st) == -1)
		goto out;
	/*
	 * Owner before mode: chown clears set-id bits.  A file we cannot
	 * give its owner back is not replaced: quietly handing a root-owned
	 * config to the user who ran certbind would be worse than failing.
	 */
	if (old != NULL &&
	    (st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(fd, old->st_uid, old->st_gid) == -1)
		goto out;
	*what = "cannot keep the mode";
	if (old != NULL) {
		if (fchmod(fd, old->st_mode & 07777) == -1)
			goto out;
	} else {
		um = umask(022);
		(void)umask(um);
		if (fchmod(fd, 0666 & ~um) == -1)
			goto out;
	}
	*what = "cannot write the temporary file";
	if (fsync(fd) == -1)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		goto out;
	}
	fd = -1;
	*tmpp = tmp;
	tmp = NULL;
	*what = NULL;
	rc = 0;
out:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	errno = saved;
	return rc;
}

/* The whole of a regular file, for the backup copy. */
static char *
slurp(const char *path, size_t *lenp)
{
	struct stat st;
	char	   *buf = NULL;
	size_t	    len = 0;
	ssize_t	    r;
	int	    fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*lenp = len;
	return buf;
fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return NULL;
}

/*
 * Makes PATH.bak the current version of real: a hard link to its inode
 * under a temporary name renamed over PATH.bak (atomic, and keeps the
 * metadata), else a copy.  Returns 0 or -1.
 */
static int
backup_old(const char *real, const char *dir, const char *base, const char *tmp,
	   const struct stat *old, const char **what)
{
	char  *bak = NULL, *btmp = NULL, *data = NULL;
	size_t len = 0;
	int    rc = -1, saved;

	*what = "out of memory";
	if (asprintf(&bak, "%s.bak", real) == -1) {
		bak = NULL;
		goto out;
	}
	if (asprintf(&btmp, "%s.bak", tmp) == -1) {
		btmp = NULL;
		goto out;
	}
	if (link(real, btmp) == -1) {
		/* Hard links refused (protected_hardlinks, vfat): copy. */
		if (errno != EPERM && errno != EXDEV && errno != EMLINK &&
		    errno != EOPNOTSUPP && errno != ENOSYS) {
			*what = "cannot make the backup";
			goto out;
		}
		free(btmp);
		btmp = NULL;
		*what = "cannot read the file for the backup";
		if ((data = slurp(real, &len)) == NULL)
			goto out;
		if (make_temp(dir, base, data, len, old, &btmp, what) == -1)
			goto out;
	}
	*what = "cannot make the backup";
	if (rename(btmp, bak) == -1)
		goto out;
	free(btmp);
	btmp = NULL;
	*what = NULL;
	rc = 0;
out:
	saved = errno;
	if (btmp != NULL)
		(void)unlink(btmp);
	free(bak);
	free(btmp);
	free(data);
	errno = saved;
	return rc;
}

int
atomic_replace(const char *path, const char *buf, size_t len, int backup,
	       const char **what)
{
	struct stat old;
	const char *base;
	char	   *real = NULL, *dir = NULL, *tmp = NULL;
	int	    have_old, dfd = -1, rc = ATOMIC_ERR, saved;

	*what = "cannot resolve the path";
	if ((real = resolve(path)) == NULL)
		goto out;
	*what = "out of memory";
	if ((dir = split(real, &base)) == NULL)
		goto out;
	*what = "cannot read the file's metadata";
	if (stat(real, &old) == 0)
		have_old = 1;
	else if (errno == ENOENT)
		have_old = 0;
	else
		goto out;
	if (have_old && !S_ISREG(old.st_mode)) {
		*what = "not a regular file";
		errno = EINVAL;
		goto out;
	}
	if (make_temp(dir, base, buf, len, have_old ? &old : NULL, &tmp,
		      what) == -1)
		goto out;
	if (backup && have_old &&
	    backup_old(real, dir, base, tmp, &old, what) == -1)
		goto out;
	*what = "cannot rename the temporary file";
	if (rename(tmp, real) == -1)
		goto out;
	free(tmp);
	tmp = NULL;

	/* The rename is only durable once the directory is on disk. */
	*what = "cannot sync the directory";
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	if (fsync(dfd) == -1 && errno != EINVAL)
		goto out;
	*what = NULL;
	rc = ATOMIC_OK;
out:
	saved = errno;
	if (tmp != NULL)
		(void)unlink(tmp);
	if (dfd != -1)
		close(dfd);
	free(real);
	free(dir);
	free(tmp);
	errno = saved;
	return rc;
}
