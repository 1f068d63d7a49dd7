/*
 * Unit tests for atomic.c: every sentence of SPEC §11 that the module
 * carries, with failures provoked in forked children.
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

static void
test_replace(void **state)
{
	struct stat st;
	const char *what;

	assert_int_equal(chmod(cfg, 0640), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(cfg, 12345, 23456), 0);
	assert_int_equal(
	    atomic_replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
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
	struct stat before, bak;
	const char *what;
	char	    path[160];

	snprintf(path, sizeof(path), "%s.bak", cfg);
	assert_int_equal(stat(cfg, &before), 0);
	assert_int_equal(
	    atomic_replace(cfg, new_xml, sizeof(new_xml) - 1, 1, &what),
	    ATOMIC_OK);
	assert_true(file_is(cfg, new_xml, sizeof(new_xml) - 1));
	assert_true(file_is(path, old_xml, sizeof(old_xml) - 1));
	/* A hard link: the old inode itself, metadata and all. */
	assert_int_equal(stat(path, &bak), 0);
	assert_int_equal(bak.st_ino, before.st_ino);
	assert_int_equal(bak.st_nlink, 1);
	/* The next backup replaces the previous one. */
	assert_int_equal(
	    atomic_replace(cfg, old_xml, sizeof(old_xml) - 1, 1, &what),
	    ATOMIC_OK);
	assert_true(file_is(path, new_xml, sizeof(new_xml) - 1));
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
}

/* A symbolic link stays a link; the file it names is replaced. */
static void
test_symlink(void **state)
{
	struct stat st;
	const char *what;
	char	    target[160], lock[200];

	snprintf(target, sizeof(target), "%s/target.xml", dir);
	assert_int_equal(rename(cfg, target), 0);
	assert_int_equal(symlink("target.xml", cfg), 0);
	assert_int_equal(
	    atomic_replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what),
	    ATOMIC_OK);
	assert_int_equal(lstat(cfg, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_true(file_is(target, new_xml, sizeof(new_xml) - 1));
	assert_int_equal(strays(), 0);
	snprintf(lock, sizeof(lock), "%s.lock", target);
	{
		int fd;

		assert_int_equal(atomic_lock(cfg, 0, &fd, &what), ATOMIC_OK);
		assert_int_equal(access(lock, F_OK), 0);
		atomic_unlock(fd);
	}
}

static void
test_not_regular(void **state)
{
	const char *what;

	assert_int_equal(atomic_replace(dir, "x", 1, 0, &what), ATOMIC_ERR);
	assert_string_equal(what, "not a regular file");
}

/* A new file gets 0666 & ~umask. */
static void
test_new_file(void **state)
{
	struct stat st;
	const char *what;
	mode_t	    um;

	assert_int_equal(unlink(cfg), 0);
	um = umask(027);
	assert_int_equal(
	    atomic_replace(cfg, new_xml, sizeof(new_xml) - 1, 1, &what),
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
	struct rlimit rl = {4096, 4096};
	const char   *what;
	char	     *big;
	pid_t	      pid;
	size_t	      len = 1 << 20;

	big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN); /* as the command layer does */
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(3);
		if (atomic_replace(cfg, big, len, 1, &what) != ATOMIC_ERR)
			_exit(1);
		_exit(errno == EFBIG ? 0 : 2);
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
	const char    *what;
	char	       mnt[160], path[200], fill[200], *big;
	struct dirent *de;
	DIR	      *d;
	size_t	       len = 256 * 1024;
	int	       fd, r, n = 0;

	if (unshare(CLONE_NEWNS) == -1 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1)
		return 77;
	snprintf(mnt, sizeof(mnt), "%s/full", dir);
	snprintf(path, sizeof(path), "%s/cfg.xml", mnt);
	snprintf(fill, sizeof(fill), "%s/filler", mnt);
	if (mkdir(mnt, 0755) == -1 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k") == -1)
		return 77;
	put(path, old_xml, sizeof(old_xml) - 1, 0644);
	if ((fd = open(fill, O_WRONLY | O_CREAT, 0600)) == -1)
		return 4;
	if ((big = calloc(1, len)) == NULL)
		return 4;
	while (write(fd, big, 4096) > 0)
		;
	close(fd);
	r = atomic_replace(path, big, len, 0, &what);
	if (r != ATOMIC_ERR || errno != ENOSPC)
		return 1;
	if (!file_is(path, old_xml, sizeof(old_xml) - 1))
		return 2;
	/* No temporary file may be left: only cfg.xml and filler. */
	if ((d = opendir(mnt)) == NULL)
		return 3;
	while ((de = readdir(d)) != NULL)
		n++;
	closedir(d);
	free(big);
	return n == 4 ? 0 : 3;
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

static int
try_replace(void)
{
	const char *what;

	if (atomic_replace(cfg, new_xml, sizeof(new_xml) - 1, 0, &what) !=
	    ATOMIC_ERR)
		return 1;
	return errno == EACCES || errno == EPERM ? 0 : 2;
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
	assert_int_equal(as_nobody(try_replace), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(file_is(cfg, old_xml, sizeof(old_xml) - 1));
	assert_int_equal(strays(), 0);
}

static void
test_lock_timeout(void **state)
{
	struct timespec t0, t1;
	struct stat	st;
	const char     *what;
	double		el;
	char		c, lock[160];
	pid_t		pid;
	int		p[2], fd;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (atomic_lock(cfg, 0, &fd, &what) != ATOMIC_OK)
			_exit(1);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(atomic_lock(cfg, 1, &fd, &what), ATOMIC_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(el >= 0.9 && el < 3);
	assert_int_equal(fd, -1);
	kill(pid, SIGKILL);
	assert_int_equal(child_status(pid), 128 + SIGKILL);
	assert_int_equal(atomic_lock(cfg, 5, &fd, &what), ATOMIC_OK);
	atomic_unlock(fd);
	snprintf(lock, sizeof(lock), "%s.lock", cfg);
	assert_int_equal(stat(lock, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* One lock-read-modify-write cycle on connector i, as bind does it. */
static int
bump(size_t i)
{
	struct conn_file *cf = NULL;
	struct conn_errs  errs;
	struct conn_edit *e = NULL;
	const char	 *what;
	char		 *out = NULL, fqdn[64];
	size_t		  outlen, k;
	int		  fd, rc = 1;

	if (atomic_lock(cfg, 30, &fd, &what) != ATOMIC_OK)
		return 2;
	if (conn_load(cfg, &cf, &errs) == -1)
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
	    atomic_replace(cfg, out, outlen, 0, &what) != ATOMIC_OK)
		goto out;
	rc = 0;
out:
	conn_errs_release(&errs);
	conn_file_free(cf);
	free(e);
	free(out);
	atomic_unlock(fd);
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
	const char  *what;
	unsigned int seed = 42;
	pid_t	     pid;
	int	     round;

	for (round = 0; round < 25; round++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				atomic_replace(cfg, new_xml,
					       sizeof(new_xml) - 1, round & 1,
					       &what);
				atomic_replace(cfg, old_xml,
					       sizeof(old_xml) - 1, round & 1,
					       &what);
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

static int
teardown_all(void **state)
{
	xmlCleanupParser();
	return 0;
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
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
