/*
 * hostile: a store directory that changes while it is walked (files
 * vanishing, turning into FIFOs, directories disappearing between
 * readdir and open) and password-based encryption asking for absurd
 * work.  The store reports each file and goes on; nothing blocks.
 * The report callback of the first file changes the directory, so the
 * race is deterministic.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

#define PKI "certs-test"

struct seen {
	char   dir[64];
	char  *paths[16];
	char  *msgs[16];
	size_t n;
	int    mutated;
};

static void
put(const char *path, const char *from)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, path);
	assert_int_equal(system(cmd), 0);
}

static void
path_of(char *buf, size_t sz, const struct seen *s, const char *name)
{
	snprintf(buf, sz, "%s/%s", s->dir, name);
}

/* The first report (a-trigger.txt, not a certificate) changes the rest. */
static void
record(void *arg, const char *path, const char *msg)
{
	struct seen *s = arg;
	char	     p[128];

	assert_true(s->n < 16);
	s->paths[s->n] = strdup(path);
	s->msgs[s->n++] = strdup(msg);
	if (s->mutated++)
		return;
	path_of(p, sizeof(p), s, "b-vanishes.pem");
	assert_int_equal(unlink(p), 0);
	path_of(p, sizeof(p), s, "c-becomes-fifo.pem");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	path_of(p, sizeof(p), s, "d-dir/cert.pem");
	assert_int_equal(unlink(p), 0);
	path_of(p, sizeof(p), s, "d-dir");
	assert_int_equal(rmdir(p), 0);
}

static const char *
msg_for(const struct seen *s, const char *name)
{
	char   p[128];
	size_t i;

	path_of(p, sizeof(p), s, name);
	for (i = 0; i < s->n; i++)
		if (strcmp(s->paths[i], p) == 0)
			return s->msgs[i];
	return NULL;
}

static void
test_vanishing_files(void **state)
{
	struct seen	  s;
	struct store_opts o;
	struct store	 *st;
	char		  p[128], cmd[160];
	size_t		  i;

	memset(&s, 0, sizeof(s));
	snprintf(s.dir, sizeof(s.dir), "%s/certbind-hostile.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(s.dir));
	path_of(p, sizeof(p), &s, "a-trigger.txt");
	put(p, PKI "/damaged/random-garbage.bin");
	path_of(p, sizeof(p), &s, "b-vanishes.pem");
	put(p, PKI "/store/wildcard.contoso.com.pem");
	path_of(p, sizeof(p), &s, "c-becomes-fifo.pem");
	put(p, PKI "/store/expired.contoso.com.pem");
	path_of(p, sizeof(p), &s, "d-dir");
	assert_int_equal(mkdir(p, 0700), 0);
	path_of(p, sizeof(p), &s, "d-dir/cert.pem");
	put(p, PKI "/store/future.contoso.com.pem");
	path_of(p, sizeof(p), &s, "e-good.pem");
	put(p, PKI "/store/mail.contoso.com.pem");

	memset(&o, 0, sizeof(o));
	o.report = record;
	o.arg = &s;
	assert_non_null(st = store_new());
	assert_int_equal(store_add_path(st, s.dir, &o), 0);
	store_finish(st);

	assert_string_equal(
	    msg_for(&s, "a-trigger.txt"),
	    "not a certificate, private key, PKCS#7 or PKCS#12 file");
	assert_string_equal(msg_for(&s, "b-vanishes.pem"),
			    "No such file or directory");
	assert_string_equal(msg_for(&s, "c-becomes-fifo.pem"),
			    "not a regular file, skipped");
	assert_string_equal(msg_for(&s, "d-dir"), "No such file or directory");
	assert_null(msg_for(&s, "e-good.pem"));
	assert_int_equal(s.n, 4);
	/* Only the file that stayed is in the store. */
	assert_int_equal(store_count(st), 1);
	assert_string_equal(store_get0(st, 0)->path + strlen(s.dir),
			    "/e-good.pem");

	store_free(st);
	for (i = 0; i < s.n; i++) {
		free(s.paths[i]);
		free(s.msgs[i]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s.dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vanishing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
