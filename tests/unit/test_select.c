/*
 * select: parsing <I>issuer<S>subject, selection, preference order, and
 * the index giving exactly what the linear selection gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cert.h"
#include "dn.h"
#include "select.h"
#include "store.h"

static void
no_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
}

static void
parse_ok(const char *in, const char *iss, const char *sub)
{
	struct sel_name n;
	const char     *why = NULL;

	assert_int_equal(sel_parse(in, strlen(in), &n, &why), 0);
	assert_int_equal(n.ilen, strlen(iss));
	assert_memory_equal(n.issuer, iss, n.ilen);
	assert_int_equal(n.slen, strlen(sub));
	assert_memory_equal(n.subject, sub, n.slen);
}

static void
parse_bad(const char *in, const char *why_want)
{
	struct sel_name n;
	const char     *why = NULL;

	assert_int_equal(sel_parse(in, strlen(in), &n, &why), -1);
	assert_string_equal(why, why_want);
}

static void
test_parse(void **state)
{
	(void)state;
	parse_ok("<I>CN=CA<S>CN=mail", "CN=CA", "CN=mail");
	parse_ok("<i>CN=CA<s>CN=mail", "CN=CA", "CN=mail");
	parse_ok("<I>CN=CA<S>", "CN=CA", "");
	parse_ok("<I><S>CN=x", "", "CN=x");
	/* A quoted value may hold "<S>"; the tag is the one outside quotes. */
	parse_ok("<I>O=\"a<S>b\", CN=CA<S>CN=mail", "O=\"a<S>b\", CN=CA",
		 "CN=mail");
	parse_ok("<I>O=\"say \"\"<S>\"\"\"<S>CN=m", "O=\"say \"\"<S>\"\"\"",
		 "CN=m");
	parse_bad("", "does not begin with <I>");
	parse_bad("CN=CA<S>CN=mail", "does not begin with <I>");
	parse_bad(" <I>CN=CA<S>CN=mail", "does not begin with <I>");
	parse_bad("<I>CN=CA", "has no <S> after the issuer");
	parse_bad("<I>CN=CA<X>CN=mail", "has no <S> after the issuer");
	parse_bad("<I>O=\"unterminated<S>CN=mail",
		  "has no <S> after the issuer");
}

static struct store *
load(const char *path)
{
	struct store	 *st;
	struct store_opts o = {NULL, 0, no_report, NULL, NULL, NULL};

	st = store_new();
	assert_non_null(st);
	assert_int_equal(store_add_path(st, path, &o), 0);
	store_finish(st);
	return st;
}

/* The TLS name of c with every ASCII letter's case flipped. */
static char *
flipped_name(struct cert *c, size_t *len)
{
	const char *i, *s;
	size_t	    il, sl, k;
	char	   *n;

	i = cert_get0_issuer(c, &il);
	s = cert_get0_subject(c, &sl);
	n = dn_tls_name(i, il, s, sl, len);
	for (k = 0; k < *len; k++)
		if ((n[k] >= 'a' && n[k] <= 'z') ||
		    (n[k] >= 'A' && n[k] <= 'Z'))
			n[k] ^= 0x20;
	return n;
}

static void
test_index_agrees(void **state)
{
	struct store	 *st;
	struct sel_index *ix;
	struct sel_name	  nm;
	struct cert	**a, **b;
	const char	 *why;
	char		 *name;
	size_t		  i, na, nb, len, total = 0;

	(void)state;
	st = load("certs-test/store");
	ix = sel_index_new(st);
	assert_non_null(ix);
	for (i = 0; i < store_count(st); i++) {
		name = flipped_name(store_get0(st, i), &len);
		assert_int_equal(sel_parse(name, len, &nm, &why), 0);
		a = sel_select(st, &nm, 1780272000, &na);
		b = sel_index_select(ix, &nm, 1780272000, &nb);
		assert_true(na >= 1);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * sizeof(*a));
		total += na;
		free(a);
		free(b);
		free(name);
	}
	/* The renewal pair shares a name: more selections than certs. */
	assert_true(total > store_count(st));
	sel_index_free(ix);
	store_free(st);
}

/*
 * The index built while the store loads (sel_index_add as the store's
 * each function) selects exactly what the linear selection selects;
 * and the name keys the store took as it loaded are those of the
 * certificates read again.
 */
static void
test_index_while_loading(void **state)
{
	struct store_opts o = {NULL, 0, no_report, NULL, NULL, NULL};
	struct store	 *st;
	struct sel_index *ix;
	struct sel_name	  nm;
	struct cert	**a, **b, *c;
	const char	 *why;
	char		 *name;
	uint64_t	  sk, ik, want;
	size_t		  i, na, nb, len;
	int		  ok, sub_ok = 0;

	(void)state;
	assert_non_null(ix = sel_index_empty());
	o.each = sel_index_add;
	o.each_arg = ix;
	assert_non_null(st = store_new());
	assert_int_equal(store_add_path(st, "certs-test/store", &o), 0);
	store_finish(st);
	assert_int_equal(sel_index_done(ix, st), 0);
	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		name = flipped_name(c, &len);
		assert_int_equal(sel_parse(name, len, &nm, &why), 0);
		a = sel_select(st, &nm, 1780272000, &na);
		b = sel_index_select(ix, &nm, 1780272000, &nb);
		assert_true(na >= 1);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * sizeof(*a));
		free(a);
		free(b);
		free(name);

		ok = store_name_keys(st, i, &sk, &ik);
		assert_int_equal((ok & STORE_KEY_SUBJECT) != 0,
				 cert_name_key(c, &c->subject, &want) == 0);
		if (ok & STORE_KEY_SUBJECT) {
			assert_true(sk == want);
			sub_ok++;
		}
		assert_int_equal((ok & STORE_KEY_ISSUER) != 0,
				 cert_name_key(c, &c->issuer, &want) == 0);
		if (ok & STORE_KEY_ISSUER)
			assert_true(ik == want);
	}
	assert_true(sub_ok > 0);
	sel_index_free(ix);
	store_free(st);
}

/*
 * The reverse index: for every certificate, the names selecting it are
 * exactly those a comparison with every name finds, in order.  The
 * names are every certificate's own in flipped case, each twice (two
 * connectors with one name), one left out (not ok) and one selecting
 * nothing.
 */
static void
test_names_agrees(void **state)
{
	struct store	 *st;
	struct sel_names *ix;
	struct sel_name	 *nm;
	char		**names;
	const char	 *why;
	int		 *ok;
	size_t		  i, j, k, n, cnt, len, *pos, hits = 0;

	(void)state;
	st = load("certs-test/store");
	n = 2 * store_count(st) + 1;
	nm = calloc(n, sizeof(*nm));
	ok = calloc(n, sizeof(*ok));
	names = calloc(n, sizeof(*names));
	assert_true(nm != NULL && ok != NULL && names != NULL);
	for (i = 0; i + 1 < n; i++) {
		names[i] = flipped_name(store_get0(st, i / 2), &len);
		assert_int_equal(sel_parse(names[i], len, &nm[i], &why), 0);
		ok[i] = i != 4;
	}
	names[n - 1] = strdup("<I>CN=Nobody<S>CN=nothing.contoso.com");
	assert_non_null(names[n - 1]);
	assert_int_equal(
	    sel_parse(names[n - 1], strlen(names[n - 1]), &nm[n - 1], &why), 0);
	ok[n - 1] = 1;
	ix = sel_names_new(nm, ok, n);
	assert_non_null(ix);
	for (i = 0; i < store_count(st); i++) {
		pos = sel_names_find(ix, store_get0(st, i), &cnt);
		assert_true(cnt != (size_t)-1);
		for (j = 0, k = 0; j < n; j++) {
			if (!ok[j] ||
			    sel_matches(store_get0(st, i), &nm[j]) != 1)
				continue;
			assert_true(k < cnt);
			assert_int_equal(pos[k], j);
			k++;
		}
		assert_int_equal(k, cnt);
		hits += cnt;
		free(pos);
	}
	/* Each name twice (one not ok), the renewal pair sharing one. */
	assert_true(hits > store_count(st));
	sel_names_free(ix);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(nm);
	free(ok);
	store_free(st);
}

/* The mail.contoso.com pair: the renewal (later NotAfter) comes first. */
static void
test_preference(void **state)
{
	struct store   *st;
	struct sel_name nm;
	struct cert   **v;
	const char     *why;
	const char     *name = "<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com"
			       "<S>CN=mail.contoso.com";
	size_t		n;

	(void)state;
	st = load("certs-test/store");
	assert_int_equal(sel_parse(name, strlen(name), &nm, &why), 0);
	/* 2026-06-01: both valid with keys; the later NotAfter wins. */
	v = sel_select(st, &nm, 1780272000, &n);
	assert_int_equal(n, 2);
	assert_true(v[0]->not_after > v[1]->not_after);
	free(v);
	/* 2026-02-01: the renewal (from 2026-05-01) is not yet valid, so
	 * the usable one comes first despite its earlier NotAfter. */
	v = sel_select(st, &nm, 1769904000, &n);
	assert_int_equal(n, 2);
	assert_true(v[0]->not_after < v[1]->not_after);
	free(v);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_index_agrees),
	    cmocka_unit_test(test_names_agrees),
	    cmocka_unit_test(test_index_while_loading),
	    cmocka_unit_test(test_preference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
