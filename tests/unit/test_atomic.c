/*
 * Unit tests for atomic.c: every sentence of certbind(1) WRITING THE
 * CONFIGURATION that the module carries, with failures provoked in forked
 * children.
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "atomic.h"
#include "connectors.h"

static char dir[64];
static char cfg[128];

static const char old_xml[] = "<ReceiveConnectors>\n"
			      "  <ReceiveConnector>\n"
			      "    <Name>A</Name>\n"
			      "    <Fqdn>old.example</Fqdn>\n"
			      "  </ReceiveConnector>\n"
			      "</ReceiveConnectors>\n";
static const char new_xml[] = "<ReceiveConnectors>\n"
			      "  <ReceiveConnector>\n"
			      "    <Name>A</Name>\n"
			      "    <Fqdn>new.example</Fqdn>\n"
			      "  </ReceiveConnector>\n"
			      "</ReceiveConnectors>\n";

static void
put(const char *path, const char *s, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd != -1);
	assert_true(write(fd, s, len) == (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int
file_is(const char *path, const char *s, size_t len)
{
	char	buf[1 << 16];
	ssize_t n;
	int	fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)len && memcmp(buf, s, len) == 0;
}

/* Entries of the test directory other than cfg.xml, .lock and .bak. */
static int
strays(void)
{
	struct dirent *de;
	DIR	      *d;
	int	       n = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "cfg.xml") == 0 ||
		    strcmp(de->d_name, "cfg.xml.lock") == 0 ||
		    strcmp(de->d_name, "cfg.xml.bak") == 0 ||
		    strcmp(de->d_name, "cfg.xml.state") == 0 ||
		    strcmp(de->d_name, "target.xml") == 0 ||
		    strcmp(de->d_name, "target.xml.lock") == 0)
			continue;
		print_message("# stray: %s\n", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	strcpy(dir, "/tmp/certbind-atomic-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	chmod(dir, 0755);
	snprintf(cfg, sizeof(cfg), "%s/cfg.xml", dir);
	put(cfg, old_xml, sizeof(old_xml) - 1, 0644);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
child_status(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * One read-modify-write cycle as the command layer does it: open (lock),
 * read the old bytes, commit buf.  Returns the first ATOMIC_* not OK.
 */
static int
replace_f(const char *path, const char *buf, size_t len, int backup, int flags,
	  struct atomic_err *e)
{
	struct atomic_file *af;
	char		    old[1 << 16];
	ssize_t		    n = 0;
	int		    rc;

	if ((rc = atomic_open(path, flags, 0, &af, e)) != ATOMIC_OK)
		return rc;
	if (atomic_fd(af) != -1 &&
	    (n = read(atomic_fd(af), old, sizeof(old))) < 0)
		n = 0;
	rc = atomic_commit(af, buf, len, old, (size_t)n, backup, e);
	atomic_close(af);
	return rc;
}

static int
replace(const char *path, const char *buf, size_t len, int backup,
	struct atomic_err *e)
{
	return replace_f(path, buf, len, backup, 0, e);
}

static void
test_replace(void **state)
{
	struct stat	  st;
	struct atomic_err what;

	assert_int_equal(chmod(cfg, 0640), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(cfg, 12345, 23456), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
			 ATOMIC_OK);
	assert_true(file_is(cfg, new_xml, sizeof(new_xml) - 1));
	assert_int_equal(stat(cfg, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 12345);
		assert_int_equal(st.st_gid, 23456);
	}
	assert_int_equal(strays(), 0);
}

static void
test_backup(void **state)
{
	struct stat	  before, bak;
	struct atomic_err what;
	char		  path[160];

	snprintf(path, sizeof(path), "%s.bak", cfg);
	assert_int_equal(stat(cfg, &before), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 1, &what),
			 ATOMIC_OK);
	assert_true(file_is(cfg, new_xml, sizeof(new_xml) - 1));
	assert_true(file_is(path, old_xml, sizeof(old_xml) - 1));
	/*
	 * A snapshot of the bytes read, not a link to the old inode (a
	 * later write through another name of it would change the
	 * backup), with the old file's metadata.
	 */
	assert_int_equal(stat(path, &bak), 0);
	assert_int_not_equal(bak.st_ino, before.st_ino);
	assert_int_equal(bak.st_nlink, 1);
	assert_int_equal(bak.st_mode, before.st_mode);
	assert_int_equal(bak.st_uid, before.st_uid);
	assert_int_equal(bak.st_gid, before.st_gid);
	/* The next backup replaces the previous one. */
	assert_int_equal(replace(cfg, old_xml, sizeof(old_xml) - 1, 1, &what),
			 ATOMIC_OK);
	assert_true(file_is(path, new_xml, sizeof(new_xml) - 1));
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
}

/* A symbolic link stays a link; the file it names is replaced. */
static void
test_symlink(void **state)
{
	struct stat	  st;
	struct atomic_err what;
	char		  target[160], lock[200];

	snprintf(target, sizeof(target), "%s/target.xml", dir);
	assert_int_equal(rename(cfg, target), 0);
	assert_int_equal(symlink("target.xml", cfg), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
			 ATOMIC_OK);
	assert_int_equal(lstat(cfg, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_true(file_is(target, new_xml, sizeof(new_xml) - 1));
	assert_int_equal(strays(), 0);
	snprintf(lock, sizeof(lock), "%s.lock", target);
	assert_int_equal(access(lock, F_OK), 0);
}

static void
test_not_regular(void **state)
{
	struct atomic_err what;
	char		  fifo[160], lock[200];

	assert_int_equal(replace(dir, "x", 1, 0, &what), ATOMIC_ERR);
	assert_string_equal(what.msg, "not a regular file");
	/* No lock file beside what cannot be a configuration. */
	snprintf(fifo, sizeof(fifo), "%s/fifo.xml", dir);
	snprintf(lock, sizeof(lock), "%s.lock", fifo);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(replace(fifo, "x", 1, 0, &what), ATOMIC_ERR);
	assert_string_equal(what.msg, "not a regular file");
	assert_int_equal(access(lock, F_OK), -1);
	assert_int_equal(unlink(fifo), 0);
}

/* A new file gets 0666 & ~umask. */
static void
test_new_file(void **state)
{
	struct stat	  st;
	struct atomic_err what;
	mode_t		  um;

	assert_int_equal(unlink(cfg), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 1, &what),
			 ATOMIC_ERR);
	assert_int_equal(what.err, ENOENT);
	um = umask(027);
	assert_int_equal(replace_f(cfg, new_xml, sizeof(new_xml) - 1, 1,
				   ATOMIC_CREATE, &what),
			 ATOMIC_OK);
	umask(um);
	assert_int_equal(stat(cfg, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(strays(), 0);
}

/* RLIMIT_FSIZE hit mid-write: the old file stays, no temp file stays. */
static void
test_fsize_limit(void **state)
{
	struct rlimit	  rl = {4096, 4096};
	struct atomic_err what;
	char		 *big;
	pid_t		  pid;
	size_t		  len = 1 << 20;

	big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN); /* as the command layer does */
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(3);
		if (replace(cfg, big, len, 1, &what) != ATOMIC_ERR)
			_exit(1);
		_exit(what.err == EFBIG ? 0 : 2);
	}
	assert_true(pid > 0);
	assert_int_equal(child_status(pid), 0);
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
	free(big);
}

/*
 * A full disk: a child in its own mount namespace mounts a 64 KiB tmpfs,
 * fills it, and tries to replace a file there.  Skipped where mount
 * namespaces are not allowed.
 */
static int
full_disk(void)
{
	struct atomic_err what;
	char		  mnt[160], path[200], fill[200], *big;
	struct dirent	 *de;
	DIR		 *d;
	size_t		  len = 256 * 1024;
	int		  fd, r, n = 0;

	if (unshare(CLONE_NEWNS) == -1 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1)
		return 77;
	snprintf(mnt, sizeof(mnt), "%s/full", dir);
	snprintf(path, sizeof(path), "%s/cfg.xml", mnt);
	snprintf(fill, sizeof(fill), "%s/filler", mnt);
	if (mkdir(mnt, 0755) == -1 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0755") == -1)
		return 77;
	put(path, old_xml, sizeof(old_xml) - 1, 0644);
	if ((fd = open(fill, O_WRONLY | O_CREAT, 0600)) == -1)
		return 4;
	if ((big = calloc(1, len)) == NULL)
		return 4;
	while (write(fd, big, 4096) > 0)
		;
	close(fd);
	r = replace(path, big, len, 0, &what);
	if (r != ATOMIC_ERR || what.err != ENOSPC)
		return 1;
	if (!file_is(path, old_xml, sizeof(old_xml) - 1))
		return 2;
	/* No temporary file may be left: cfg.xml, its lock and filler. */
	if ((d = opendir(mnt)) == NULL)
		return 3;
	while ((de = readdir(d)) != NULL)
		n++;
	closedir(d);
	free(big);
	return n == 5 ? 0 : 3;
}

static void
test_full_disk(void **state)
{
	pid_t pid;
	int   st;

	if (geteuid() != 0)
		skip();
	if ((pid = fork()) == 0)
		_exit(full_disk());
	assert_true(pid > 0);
	st = child_status(pid);
	if (st == 77)
		skip();
	assert_int_equal(st, 0);
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
}

/* Runs fn in a child as an unprivileged user when we are root. */
static int
as_nobody(int (*fn)(void))
{
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (geteuid() == 0 &&
		    (setgid(65534) == -1 || setuid(65534) == -1))
			_exit(3);
		_exit(fn());
	}
	assert_true(pid > 0);
	return child_status(pid);
}

static int try_flags;

static int
try_replace(void)
{
	struct atomic_err what;

	if (replace_f(cfg, new_xml, sizeof(new_xml) - 1, 0, try_flags, &what) !=
	    ATOMIC_ERR)
		return 1;
	return what.err == EACCES || what.err == EPERM ? 0 : 2;
}

static void
test_unwritable_dir(void **state)
{
	assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(as_nobody(try_replace), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
}

/* Someone else's file in a directory we may write: the owner cannot be
 * kept, so nothing is replaced. */
static void
test_foreign_owner(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(cfg, 12345, 12345), 0);
	assert_int_equal(chmod(cfg, 0666), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	try_flags = ATOMIC_ALLOW_UNSAFE;
	assert_int_equal(as_nobody(try_replace), 0);
	try_flags = 0;
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
}

static void
test_lock_timeout(void **state)
{
	struct timespec	    t0, t1;
	struct stat	    st, cst;
	struct atomic_err   what;
	struct atomic_file *af;
	double		    el;
	char		    c, lock[160];
	pid_t		    pid;
	int		    p[2];

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (atomic_open(cfg, 0, 0, &af, &what) != ATOMIC_OK)
			_exit(1);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(atomic_open(cfg, 0, 1, &af, &what), ATOMIC_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(el >= 0.9 && el < 3);
	assert_null(af);
	assert_non_null(strstr(what.msg, "timed out waiting for the lock"));
	kill(pid, SIGKILL);
	assert_int_equal(child_status(pid), 128 + SIGKILL);
	assert_int_equal(atomic_open(cfg, 0, 5, &af, &what), ATOMIC_OK);
	atomic_close(af);
	snprintf(lock, sizeof(lock), "%s.lock", cfg);
	/* certbind-connectors(5) The lock: the configuration's group bits. */
	assert_int_equal(stat(cfg, &cst), 0);
	assert_int_equal(stat(lock, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600 | (cst.st_mode & 0060));
	assert_int_equal(st.st_gid, cst.st_gid);
	/* An owner-only configuration: an owner-only lock, put right. */
	assert_int_equal(chmod(cfg, 0600), 0);
	assert_int_equal(atomic_open(cfg, 0, 5, &af, &what), ATOMIC_OK);
	atomic_close(af);
	assert_int_equal(stat(lock, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(chmod(cfg, cst.st_mode & 07777), 0);
}

/* One lock-read-modify-write cycle on connector i, as bind does it. */
static int
bump(size_t i)
{
	struct atomic_file *af;
	struct atomic_err   what;
	struct conn_file   *cf = NULL;
	struct conn_errs    errs;
	struct conn_edit   *e = NULL;
	char		   *out = NULL, fqdn[64];
	size_t		    outlen, k;
	int		    rc = 1;

	if (atomic_open(cfg, 0, 30, &af, &what) != ATOMIC_OK)
		return 2;
	if (conn_load_fd(cfg, atomic_fd(af), &cf, &errs) == -1)
		goto out;
	conn_errs_release(&errs);
	if ((e = calloc(cf->n, sizeof(*e))) == NULL)
		goto out;
	for (k = 0; k < cf->n; k++)
		conn_edit_init(&e[k]);
	snprintf(fqdn, sizeof(fqdn), "writer%zu.example", i);
	e[i].fqdn = fqdn;
	if (conn_apply(cf, e, &out, &outlen, &errs) == -1)
		goto out;
	/* Widen the window in which a lost update would show. */
	usleep(2000);
	if (conn_changed(cf, out, outlen) &&
	    atomic_commit(af, out, outlen, cf->buf, cf->len, 0, &what) !=
		ATOMIC_OK)
		goto out;
	rc = 0;
out:
	conn_errs_release(&errs);
	conn_file_free(cf);
	free(e);
	free(out);
	atomic_close(af);
	return rc;
}

static void
test_concurrent_writers(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	char		  buf[4096], *p = buf, want[64];
	pid_t		  pids[12];
	size_t		  i;

	p += sprintf(p, "<ReceiveConnectors>\n");
	for (i = 0; i < 12; i++)
		p += sprintf(p,
			     "  <ReceiveConnector>\n    <Name>C%zu</Name>\n"
			     "  </ReceiveConnector>\n",
			     i);
	p += sprintf(p, "</ReceiveConnectors>\n");
	put(cfg, buf, (size_t)(p - buf), 0644);
	for (i = 0; i < 12; i++) {
		if ((pids[i] = fork()) == 0)
			_exit(bump(i));
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 12; i++)
		assert_int_equal(child_status(pids[i]), 0);
	assert_int_equal(conn_load(cfg, &cf, &errs), 0);
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 12);
	for (i = 0; i < 12; i++) {
		snprintf(want, sizeof(want), "writer%zu.example", i);
		assert_non_null(cf->v[i].fqdn);
		assert_string_equal(cf->v[i].fqdn, want);
	}
	conn_file_free(cf);
	assert_int_equal(strays(), 0);
}

/* Nothing to change: the caller skips the write; inode and mtime stay. */
static void
test_nothing_to_change(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	struct conn_edit  e;
	struct stat	  a, b;
	char		 *out;
	size_t		  outlen;

	assert_int_equal(stat(cfg, &a), 0);
	sleep(1);
	assert_int_equal(conn_load(cfg, &cf, &errs), 0);
	conn_errs_release(&errs);
	conn_edit_init(&e);
	e.fqdn = "old.example";
	assert_int_equal(conn_apply(cf, &e, &out, &outlen, &errs), 0);
	conn_errs_release(&errs);
	assert_false(conn_changed(cf, out, outlen));
	free(out);
	conn_file_free(cf);
	assert_int_equal(stat(cfg, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
	assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
}

/*
 * kill -9 at random instants of a writer flipping between two versions:
 * the file is always one of them, complete.  (A temp file may survive a
 * SIGKILL; nothing can remove it.)
 */
static void
test_kill9(void **state)
{
	struct atomic_err what;
	unsigned int	  seed = 42;
	pid_t		  pid;
	int		  round;

	for (round = 0; round < 25; round++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				replace(cfg, new_xml, sizeof(new_xml) - 1,
					round & 1, &what);
				replace(cfg, old_xml, sizeof(old_xml) - 1,
					round & 1, &what);
			}
		}
		assert_true(pid > 0);
		usleep(1000 + rand_r(&seed) % 20000);
		kill(pid, SIGKILL);
		child_status(pid);
		assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1) ||
			    file_is(cfg, new_xml, sizeof(new_xml) - 1));
	}
}

/*
 * The ownership and mode rules: a file, its directory or a directory
 * above that another user may write is refused, unless allowed; a
 * sticky directory (as /tmp) is fine.
 */
static void
test_unsafe(void **state)
{
	struct atomic_err what;
	char		  sub[160], subcfg[200];

	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
			 ATOMIC_UNSAFE);
	assert_non_null(strstr(what.msg, "is writable by every user"));
	assert_non_null(strstr(what.msg, dir));
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	/* Sticky (as /tmp): others cannot rename root's file. */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(replace(cfg, old_xml, sizeof(old_xml) - 1, 0, &what),
			 ATOMIC_OK);
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
			 ATOMIC_UNSAFE);
	assert_non_null(strstr(what.msg, "is writable by its group"));
	assert_int_equal(replace_f(cfg, new_xml, sizeof(new_xml) - 1, 0,
				   ATOMIC_ALLOW_UNSAFE, &what),
			 ATOMIC_OK);
	assert_true(file_is(cfg, new_xml, sizeof(new_xml) - 1));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(cfg, 0646), 0);
	assert_int_equal(replace(cfg, old_xml, sizeof(old_xml) - 1, 0, &what),
			 ATOMIC_UNSAFE);
	assert_non_null(strstr(what.msg, "the file is writable"));
	assert_int_equal(chmod(cfg, 0644), 0);

	/* A directory above: refused when writable, fine when sticky. */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(subcfg, sizeof(subcfg), "%s/cfg.xml", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	put(subcfg, old_xml, sizeof(old_xml) - 1, 0644);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(
	    replace(subcfg, new_xml, sizeof(new_xml) - 1, 0, &what),
	    ATOMIC_UNSAFE);
	assert_non_null(strstr(what.msg, "above it"));
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(
	    replace(subcfg, new_xml, sizeof(new_xml) - 1, 0, &what), ATOMIC_OK);
	assert_int_equal(chmod(dir, 0755), 0);

	/* Another user's directory holding root's file. */
	if (geteuid() == 0) {
		assert_int_equal(chown(sub, 12345, 12345), 0);
		assert_int_equal(
		    replace(subcfg, old_xml, sizeof(old_xml) - 1, 0, &what),
		    ATOMIC_UNSAFE);
		assert_non_null(strstr(what.msg, "is owned by another user"));
		/* ... is fine when the file is that user's too. */
		assert_int_equal(chown(subcfg, 12345, 12345), 0);
		assert_int_equal(
		    replace(subcfg, old_xml, sizeof(old_xml) - 1, 0, &what),
		    ATOMIC_OK);
	}
}

/*
 * The attack of a user who may write the directory, driven at the exact
 * point: after the file was read under the lock, its name is swapped for
 * a link to another file.  Nothing is written anywhere.
 */
static void
test_swapped_for_link(void **state)
{
	struct atomic_file *af;
	struct atomic_err   what;
	struct stat	    st;
	char		    victim[160], link[200];

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	put(victim, "root:x:0:0\n", 11, 0644);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(atomic_open(cfg, 0, 0, &af, &what), ATOMIC_OK);
	assert_int_equal(rename(link, cfg), 0);
	assert_int_equal(atomic_commit(af, new_xml, sizeof(new_xml) - 1,
				       old_xml, sizeof(old_xml) - 1, 1, &what),
			 ATOMIC_CHANGED);
	assert_non_null(strstr(what.msg, "symbolic link"));
	atomic_close(af);
	assert_true(file_is(victim, "root:x:0:0\n", 11));
	assert_int_equal(lstat(cfg, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(link, sizeof(link), "%s.bak", cfg);
	assert_int_equal(access(link, F_OK), -1);
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(strays(), 0);

	/* A link already in place when the path is opened is followed
	 * once, on purpose; a link in place of the file under the lock is
	 * never followed. */
	assert_int_equal(unlink(cfg), 0);
	put(cfg, old_xml, sizeof(old_xml) - 1, 0644);
}

/* Edited in place by a writer that ignored the lock: not overwritten. */
static void
test_edited_meanwhile(void **state)
{
	struct atomic_file *af;
	struct atomic_err   what;
	int		    fd;

	assert_int_equal(atomic_open(cfg, 0, 0, &af, &what), ATOMIC_OK);
	fd = open(cfg, O_WRONLY | O_APPEND);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "<!-- x -->\n", 11), 11);
	close(fd);
	assert_int_equal(atomic_commit(af, new_xml, sizeof(new_xml) - 1,
				       old_xml, sizeof(old_xml) - 1, 0, &what),
			 ATOMIC_CHANGED);
	atomic_close(af);
	assert_int_equal(strays(), 0);
}

/* Extended attributes (and so POSIX ACLs) go to the new version. */
static void
test_xattrs(void **state)
{
	struct atomic_err what;
	char		  v[16];
	ssize_t		  n;

	if (setxattr(cfg, "user.certbind-test", "kept", 4, 0) == -1) {
		print_message("# user xattrs not supported here\n");
		skip();
	}
	assert_int_equal(replace(cfg, new_xml, sizeof(new_xml) - 1, 1, &what),
			 ATOMIC_OK);
	n = getxattr(cfg, "user.certbind-test", v, sizeof(v));
	assert_int_equal(n, 4);
	assert_memory_equal(v, "kept", 4);
	snprintf(v, sizeof(v), "x");
	{
		char bak[160];

		snprintf(bak, sizeof(bak), "%s.bak", cfg);
		assert_int_equal(
		    getxattr(bak, "user.certbind-test", v, sizeof(v)), 4);
	}
}

static int
teardown_all(void **state)
{
	xmlCleanupParser();
	return 0;
}

/*
 * A file beside the configuration, under its lock: created on commit
 * with the configuration's mode, replaced atomically, never followed
 * through a link, refused when unsafe, and no lock file of its own.
 */
static void
test_beside(void **state)
{
	struct atomic_file *af, *sf;
	struct atomic_err   what;
	struct stat	    st;
	char		    sp[160], lock[200], target[160];

	snprintf(sp, sizeof(sp), "%s.state", cfg);
	snprintf(lock, sizeof(lock), "%s.lock", sp);
	snprintf(target, sizeof(target), "%s/target.xml", dir);
	assert_int_equal(chmod(cfg, 0640), 0);
	assert_int_equal(atomic_open(cfg, 0, 0, &af, &what), ATOMIC_OK);
	/* Missing, without ATOMIC_CREATE: an error. */
	assert_int_equal(atomic_open_beside(af, ".state", 0, &sf, &what),
			 ATOMIC_ERR);
	assert_int_equal(what.err, ENOENT);
	assert_int_equal(
	    atomic_open_beside(af, ".state", ATOMIC_CREATE, &sf, &what),
	    ATOMIC_OK);
	assert_int_equal(atomic_fd(sf), -1);
	assert_int_equal(atomic_commit(sf, "one\n", 4, NULL, 0, 0, &what),
			 ATOMIC_OK);
	atomic_close(sf);
	assert_true(file_is(sp, "one\n", 4));
	assert_int_equal(stat(sp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(access(lock, F_OK), -1);
	/* Replaced. */
	assert_int_equal(
	    atomic_open_beside(af, ".state", ATOMIC_CREATE, &sf, &what),
	    ATOMIC_OK);
	assert_true(atomic_fd(sf) != -1);
	assert_int_equal(atomic_commit(sf, "two\n", 4, NULL, 0, 0, &what),
			 ATOMIC_OK);
	atomic_close(sf);
	assert_true(file_is(sp, "two\n", 4));
	/* Unsafe: writable by the group. */
	assert_int_equal(chmod(sp, 0660), 0);
	assert_int_equal(
	    atomic_open_beside(af, ".state", ATOMIC_CREATE, &sf, &what),
	    ATOMIC_UNSAFE);
	assert_int_equal(atomic_open_beside(af, ".state",
					    ATOMIC_CREATE | ATOMIC_ALLOW_UNSAFE,
					    &sf, &what),
			 ATOMIC_OK);
	atomic_close(sf);
	/* A link: not followed, the target untouched. */
	put(target, "precious", 8, 0644);
	assert_int_equal(unlink(sp), 0);
	assert_int_equal(symlink("target.xml", sp), 0);
	assert_int_equal(
	    atomic_open_beside(af, ".state", ATOMIC_CREATE, &sf, &what),
	    ATOMIC_ERR);
	assert_int_equal(what.err, ELOOP);
	assert_true(file_is(target, "precious", 8));
	assert_int_equal(unlink(sp), 0);
	atomic_close(af);
	assert_int_equal(strays(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fsize_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable_dir, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_owner, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_lock_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_writers, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_nothing_to_change, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsafe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_swapped_for_link, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_edited_meanwhile, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_xattrs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_beside, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
