/*
 * swap.so: an LD_PRELOAD shim for tests/cli/t0026-write-security.sh.  It
 * performs, at one exact point of a certbind run, what an attacker who
 * may write the configuration's directory would race to do, so the test
 * does not depend on timing.  Environment:
 *   SHIM_FILE  the configuration's resolved path
 *   SHIM_AT    eof:    when a read of SHIM_FILE returns end of file
 *              fsync:  at the first fsync of a file beside it
 *              rename: make renaming anything onto SHIM_FILE fail (EIO)
 *   SHIM_SWAP  (eof, fsync) an entry renamed over SHIM_FILE then
 * Test code only: never built into certbind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int done;

static const char *
env(const char *k)
{
	const char *v = getenv(k);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The path fd was opened at, or "" */
static void
fd_path(int fd, char *buf, size_t sz)
{
	char	link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sz - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

static void
swap(void)
{
	const char *file = env("SHIM_FILE"), *with = env("SHIM_SWAP");

	done = 1;
	if (file != NULL && with != NULL && rename(with, file) == -1)
		perror("swap.so: rename");
}

static int
at(const char *what)
{
	const char *a = env("SHIM_AT");

	return !done && a != NULL && strcmp(a, what) == 0;
}

static void
after_read(int fd, ssize_t r)
{
	char p[PATH_MAX];

	if (r != 0 || !at("eof"))
		return;
	fd_path(fd, p, sizeof(p));
	if (env("SHIM_FILE") != NULL && strcmp(p, env("SHIM_FILE")) == 0)
		swap();
}

ssize_t
read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	ssize_t r;

	if (real == NULL)
		real =
		    (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	r = real(fd, buf, n);
	after_read(fd, r);
	return r;
}

int
fsync(int fd)
{
	static int (*real)(int);
	const char *file = env("SHIM_FILE"), *slash;
	char	    p[PATH_MAX];
	int	    r;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	r = real(fd);
	if (at("fsync") && file != NULL && (slash = strrchr(file, '/'))) {
		fd_path(fd, p, sizeof(p));
		if (strncmp(p, file, (size_t)(slash - file + 1)) == 0 &&
		    p[slash - file + 1] == '.')
			swap();
	}
	return r;
}

static int
onto_file(const char *newpath)
{
	const char *file = env("SHIM_FILE"), *a, *b;

	if (file == NULL || !at("rename"))
		return 0;
	a = strrchr(file, '/');
	b = strrchr(newpath, '/');
	return strcmp(a != NULL ? a + 1 : file, b != NULL ? b + 1 : newpath) ==
	       0;
}

int
rename(const char *o, const char *n)
{
	static int (*real)(const char *, const char *);

	if (real == NULL)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT,
								  "rename");
	if (onto_file(n)) {
		errno = EIO;
		return -1;
	}
	return real(o, n);
}

int
renameat(int od, const char *o, int nd, const char *n)
{
	static int (*real)(int, const char *, int, const char *);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *))dlsym(
		    RTLD_NEXT, "renameat");
	if (onto_file(n)) {
		errno = EIO;
		return -1;
	}
	return real(od, o, nd, n);
}

int
renameat2(int od, const char *o, int nd, const char *n, unsigned int fl)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *,
				unsigned int))dlsym(RTLD_NEXT, "renameat2");
	if (onto_file(n)) {
		errno = EIO;
		return -1;
	}
	return real(od, o, nd, n, fl);
}
