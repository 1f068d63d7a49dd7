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
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "dn.h"
#include "hostname.h"
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
	assert_int_equal(n.any_issuer, 0);
	assert_int_equal(n.ilen, strlen(iss));
	assert_memory_equal(n.issuer, iss, n.ilen);
	assert_int_equal(n.slen, strlen(sub));
	assert_memory_equal(n.subject, sub, n.slen);
}

/* A name without an issuer part: any issuer, the subject sub. */
static void
parse_any(const char *in, const char *sub)
{
	struct sel_name n;
	const char     *why = NULL;

	assert_int_equal(sel_parse(in, strlen(in), &n, &why), 0);
	assert_int_equal(n.any_issuer, 1);
	assert_null(n.issuer);
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
	parse_bad("", "does not begin with <I> or <S>");
	parse_bad("CN=CA<S>CN=mail", "does not begin with <I> or <S>");
	parse_bad(" <I>CN=CA<S>CN=mail", "does not begin with <I> or <S>");
	/* The issuer part is optional (Exchange's ^(<I>([^<]+))?(<S>(.+))):
	 * the rest after "<S>" is the subject, whatever it holds. */
	parse_any("<S>CN=mail", "CN=mail");
	parse_any("<s>CN=mail, O=x", "CN=mail, O=x");
	parse_any("<S>CN=a<I>CN=b", "CN=a<I>CN=b");
	parse_bad("<S>", "has an empty subject after <S>");
	parse_bad("<I>CN=CA", "has no <S> after the issuer");
	parse_bad("<I>CN=CA<X>CN=mail", "has no <S> after the issuer");
	parse_bad("<I>O=\"unterminated<S>CN=mail",
		  "has no <S> after the issuer");
}

static struct store *
load(const char *path)
{
	struct store	 *st;
	struct store_opts o = {NULL, 0, no_report, NULL, NULL, NULL, NULL};

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

/*
 * c's own TLS name, in flipped case, selects at least c, and the same
 * certificates in the same order through the index as linearly.
 * Returns how many it selects.
 */
static size_t
index_agrees_on(struct store *st, struct sel_index *ix, struct cert *c)
{
	struct sel_name nm;
	struct cert   **a, **b;
	const char     *why;
	char	       *name;
	size_t		na, nb, len;

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
	return na;
}

static void
test_index_agrees(void **state)
{
	struct store	 *st;
	struct sel_index *ix;
	size_t		  i, total = 0;

	(void)state;
	st = load("certs-test/store");
	ix = sel_index_new(st);
	assert_non_null(ix);
	for (i = 0; i < store_count(st); i++)
		total += index_agrees_on(st, ix, store_get0(st, i));
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
	struct store_opts o = {NULL, 0, no_report, NULL, NULL, NULL, NULL};
	struct store	 *st;
	struct sel_index *ix;
	struct cert	 *c;
	uint64_t	  sk, ik, want;
	size_t		  i;
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
		(void)index_agrees_on(st, ix, c);

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
 * An empty store: the indexes build (no qsort of a NULL array, which a
 * -fsanitize=undefined build reports) and find nothing.
 */
static void
test_empty_store(void **state)
{
	struct sel_name	  n;
	struct sel_index *ix;
	struct sel_hosts *hx;
	struct store	 *st;
	struct host	  h;
	struct cert	**v;
	size_t		 *cand, nc;
	const char	 *name = "<I>CN=A<S>CN=B", *why;

	(void)state;
	assert_non_null(st = store_new());
	store_finish(st);
	assert_int_equal(sel_parse(name, strlen(name), &n, &why), 0);
	assert_non_null(ix = sel_index_new(st));
	v = sel_index_select(ix, &n, 0, &nc);
	assert_null(v);
	assert_int_equal(nc, 0);
	sel_index_free(ix);
	assert_non_null(hx = sel_hosts_empty());
	assert_int_equal(sel_hosts_done(hx, st), 0);
	assert_int_equal(host_parse_fqdn("a.example", 9, &h, NULL), 0);
	cand = sel_hosts_find(hx, &h, &nc);
	assert_int_equal(nc, 0);
	free(cand);
	sel_hosts_free(hx);
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

/* Adds (s, len) to hosts when it is a valid FQDN. */
static void
add_host(struct host *hosts, size_t *n, size_t cap, const char *s, size_t len)
{
	if (*n < cap && host_parse_fqdn(s, len, &hosts[*n], NULL) == 0)
		(*n)++;
}

/*
 * Hosts around a name a certificate presents: the name, a subdomain,
 * its parent, in upper case; for "*.rest", labels under rest (LDH,
 * A-label, two labels), and rest itself.
 */
static void
hosts_around(struct host *hosts, size_t *n, size_t cap, const char *name,
	     size_t len)
{
	static const char *const pre[] = {"a.", "xn--a.", "A-B.", "x.y."};
	char			 buf[600];
	const char		*rest = name, *dot;
	size_t			 k, rlen = len;

	if (len > 256)
		return;
	if (len >= 2 && name[0] == '*' && name[1] == '.') {
		rest = name + 2;
		rlen = len - 2;
	} else
		add_host(hosts, n, cap, name, len);
	add_host(hosts, n, cap, rest, rlen);
	for (k = 0; k < sizeof(pre) / sizeof(pre[0]); k++) {
		snprintf(buf, sizeof(buf), "%s%.*s", pre[k], (int)rlen, rest);
		add_host(hosts, n, cap, buf, strlen(buf));
	}
	for (k = 0; k < len; k++)
		buf[k] =
		    (name[k] >= 'a' && name[k] <= 'z') ? name[k] - 32 : name[k];
	add_host(hosts, n, cap, buf, len);
	if ((dot = memchr(rest, '.', rlen)) != NULL)
		add_host(hosts, n, cap, dot + 1,
			 rlen - (size_t)(dot + 1 - rest));
}

/*
 * Writes to path a self-signed certificate with the given SAN dNSNames
 * (none: no SAN extension) and subject CN.
 */
static void
write_cert(const char *path, const char *const *sans, size_t nsans,
	   const char *cn)
{
	GENERAL_NAMES  *gens;
	GENERAL_NAME   *gen;
	ASN1_IA5STRING *ia5;
	X509_NAME      *name;
	EVP_PKEY       *pk;
	X509	       *x;
	FILE	       *fp;
	size_t		k;

	assert_non_null(pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_non_null(name = X509_get_subject_name(x));
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn,
						    -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, pk), 1);
	if (nsans > 0) {
		assert_non_null(gens = GENERAL_NAMES_new());
		for (k = 0; k < nsans; k++) {
			assert_non_null(gen = GENERAL_NAME_new());
			assert_non_null(ia5 = ASN1_IA5STRING_new());
			assert_int_equal(ASN1_STRING_set(ia5, sans[k], -1), 1);
			GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
			assert_true(sk_GENERAL_NAME_push(gens, gen) > 0);
		}
		assert_int_equal(
		    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0), 1);
		GENERAL_NAMES_free(gens);
	}
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	X509_free(x);
	EVP_PKEY_free(pk);
}

/*
 * A store of certificates presenting names in mixed case, wildcards in
 * mixed case, names OpenSSL does not take as wildcards, a trailing dot,
 * and a CN standing in for absent dNSNames: certs-test has no such
 * names.  Returns the directory (five files, a.pem to e.pem).
 */
static const char *
mixed_store(void)
{
	static const char *const a[] = {
	    "MiXeD.Example.COM", "*.WILD.example.com", "Plain.example.org"};
	static const char *const b[] = {"f*.example.com", "*.com",
					"trailing.example.com.", "*.a.B.c"};
	static const char *const c[] = {"*.XN--80AK6AA92E.com",
					"sub.*.example.net"};
	static char		 dir[] = "/tmp/test_select.XXXXXX";
	char			 path[64];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.pem", dir);
	write_cert(path, a, 3, "ignored.example.com");
	snprintf(path, sizeof(path), "%s/b.pem", dir);
	write_cert(path, b, 4, "b.example.com");
	snprintf(path, sizeof(path), "%s/c.pem", dir);
	write_cert(path, c, 2, "c.example.com");
	snprintf(path, sizeof(path), "%s/d.pem", dir);
	write_cert(path, NULL, 0, "CN-Only.Example.COM");
	snprintf(path, sizeof(path), "%s/e.pem", dir);
	write_cert(path, NULL, 0, "*.CnWild.example.com");
	return dir;
}

/*
 * sel_hosts over-approximates host_match_cert: for hosts made from
 * every name every certificate of the test PKI presents, each
 * certificate that host_match_cert finds covering a host is among the
 * candidates sel_hosts_find returns for it.  And it does filter: for
 * most DNS hosts, most of the store is left out.
 */
static void
test_hosts_cover(void **state)
{
	const char *const dirs[] = {"certs-test/store", "certs-test/hostile",
				    "certs-test/ambiguous", mixed_store()};
	struct store_opts o = {NULL, 0, no_report, NULL, NULL, NULL, NULL};
	struct host_match m;
	struct host	  probe, *hosts;
	struct sel_hosts *hx;
	struct store	 *st;
	X509		 *x;
	size_t		  d, i, j, k, nh, nc, *cand, matches, narrow;
	const size_t	  cap = 20000;
	char		  path[64];

	(void)state;
	assert_int_equal(host_parse_fqdn("probe.invalid", 13, &probe, NULL), 0);
	assert_non_null(hosts = calloc(cap, sizeof(*hosts)));
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		assert_non_null(hx = sel_hosts_empty());
		o.each = sel_hosts_add;
		o.each_arg = hx;
		assert_non_null(st = store_new());
		(void)store_add_path(st, dirs[d], &o);
		store_finish(st);
		assert_int_equal(sel_hosts_done(hx, st), 0);
		nh = 0;
		for (i = 0; i < store_count(st); i++) {
			if ((x = cert_get0_x509(store_get0(st, i))) == NULL)
				continue;
			assert_int_equal(host_match_cert(x, &probe, &m), 0);
			for (k = 0; k < m.ncovers; k++)
				hosts_around(hosts, &nh, cap, m.covers[k].name,
					     m.covers[k].len);
			host_match_release(&m);
		}
		matches = narrow = 0;
		for (j = 0; j < nh; j++) {
			cand = sel_hosts_find(hx, &hosts[j], &nc);
			assert_true(nc != (size_t)-1);
			for (k = 1; k < nc; k++)
				assert_true(cand[k - 1] < cand[k]);
			if (hosts[j].kind == HOST_DNS &&
			    nc * 2 < store_count(st))
				narrow++;
			for (i = 0; i < store_count(st); i++) {
				if ((x = cert_get0_x509(store_get0(st, i))) ==
				    NULL)
					continue;
				assert_int_equal(
				    host_match_cert(x, &hosts[j], &m), 0);
				if (m.matched) {
					matches++;
					k = 0;
					while (k < nc && cand[k] != i)
						k++;
					if (k == nc)
						fail_msg("%s: certificate %zu "
							 "covers %s but is no "
							 "candidate",
							 dirs[d], i,
							 hosts[j].name);
				}
				host_match_release(&m);
			}
			free(cand);
		}
		print_message("# %s: %zu certificates, %zu hosts, %zu "
			      "matches, %zu narrowed\n",
			      dirs[d], store_count(st), nh, matches, narrow);
		if (d == 0)
			assert_true(matches > 20 && narrow > nh / 2);
		if (d == 3)
			assert_true(matches >= 10);
		sel_hosts_free(hx);
		store_free(st);
	}
	free(hosts);
	for (d = 0; d < 5; d++) {
		snprintf(path, sizeof(path), "%s/%c.pem", dirs[3],
			 (int)('a' + d));
		unlink(path);
	}
	rmdir(dirs[3]);
}

static void
accepts(const char *in)
{
	const char *why = NULL;

	assert_int_equal(sel_exchange_accepts(in, strlen(in), &why), 1);
}

static void
refuses(const char *in, const char *why_want)
{
	const char *why = NULL;

	assert_int_equal(sel_exchange_accepts(in, strlen(in), &why), 0);
	assert_non_null(why);
	assert_non_null(strstr(why, why_want));
}

/* certbind(1) SELECTION: what Set-ReceiveConnector takes.
 */
static void
test_exchange_accepts(void **state)
{
	const char *why;

	(void)state;
	accepts("<I>CN=CA, O=Contoso<S>CN=mail.contoso.com, O=Contoso");
	accepts("<i>CN=CA<s>cn=mail.contoso.com");
	accepts("<S>CN=mail.contoso.com");
	accepts("<s>CN=*.contoso.com, OU=IT");
	accepts("<I>CN=CA<S>O=Contoso, CN=mail.contoso.com");
	accepts("<I>CN=CA<S>CN=mail");
	/* The subject part is .+: it may hold '<'. */
	accepts("<I>CN=CA<S>CN=mail.contoso.com, O=\"a<S>b\"");
	refuses("<I>CN=CA<S>CN=Contoso Mail Server", "not a domain name");
	refuses("<I>CN=CA<S>", "SAN-only");
	refuses("<S>", "SAN-only");
	refuses("<I><S>", "SAN-only");
	refuses("<I>CN=CA<S>O=Contoso, OU=Mail", "has no CN=");
	refuses("<I>CN=CA<S>CN=*.*.contoso.com", "not a domain name");
	refuses("<I>CN=CA<S>CN=m*.contoso.com", "not a domain name");
	refuses("<I>CN=CA<S>CN=*", "not a domain name");
	refuses("<I>CN=CA<S>CN=192.0.2.1", "not a domain name");
	refuses("<I>CN=CA<S>CN=mail.contoso.com.", "not a domain name");
	refuses("<I>CN=CA<S>CN=mail_1.contoso.com", "not a domain name");
	refuses("<I>CN=CA<S>CN=, O=x", "not a domain name");
	refuses("<I>CN=CA<S>CN=mail.contoso.com + O=x", "not a domain name");
	/* The first CN= decides, not the most specific one. */
	refuses("<I>CN=CA<S>CN=Contoso Ltd, CN=mail.contoso.com",
		"not a domain");
	refuses("<I>O=\"a<b\"<S>CN=mail.contoso.com", "issuer part holds '<'");
	refuses("<I><S>CN=mail.contoso.com", "issuer part is empty");
	refuses("<I>CN=CA", "no <S>");
	refuses("CN=mail.contoso.com", "does not begin with <I> or <S>");
	refuses("", "does not begin");
	assert_int_equal(
	    sel_exchange_accepts("<S>CN=mail\0.contoso.com", 23, &why), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_exchange_accepts),
	    cmocka_unit_test(test_index_agrees),
	    cmocka_unit_test(test_names_agrees),
	    cmocka_unit_test(test_index_while_loading),
	    cmocka_unit_test(test_preference),
	    cmocka_unit_test(test_hosts_cover),
	    cmocka_unit_test(test_empty_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
