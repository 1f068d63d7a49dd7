/*
 * Unit tests for connectors.c: loading, hostile input, globs, folding,
 * byte-exact edits against hand-written expected files, and the diff
 * against diff -u as the oracle.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#if LIBXML_VERSION >= 21200
#define XERR_CONST const
#else
#define XERR_CONST
#endif

#include "connectors.h"
#include "fold.h"
#include "diff.h"

#define DATA "tests/unit/data/conn/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf;
	long  n;

	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Whether any message in errs contains needle. */
static int
errs_have(const struct conn_errs *errs, const char *needle, long line)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		if (strstr(errs->v[i].msg, needle) != NULL &&
		    (line < 0 || errs->v[i].line == line))
			return 1;
	return 0;
}

static void
dump_errs(const struct conn_errs *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		print_message("# %s:%ld: %s\n", errs->file, errs->v[i].line,
			      errs->v[i].msg);
}

/* Loading name must fail with a message containing needle at line. */
static void
expect_refused(const char *name, const char *needle, long line)
{
	struct conn_file *cf = NULL;
	struct conn_errs  errs;
	char		  path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	assert_int_equal(conn_load(path, &cf, &errs), -1);
	assert_null(cf);
	if (!errs_have(&errs, needle, line)) {
		dump_errs(&errs);
		fail_msg("%s: no error \"%s\" at line %ld", name, needle, line);
	}
	assert_string_equal(errs.file, path);
	conn_errs_release(&errs);
}

static void
test_load_good(void **state)
{
	struct conn_file  *cf;
	struct conn_errs   errs;
	const struct conn *c;

	if (conn_load(DATA "good.xml", &cf, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 4);
	c = &cf->v[0];
	assert_string_equal(c->server, "MAILBOX01");
	assert_string_equal(c->name, "Client Frontend MAILBOX01");
	assert_string_equal(c->identity,
			    "MAILBOX01\\Client Frontend MAILBOX01");
	assert_string_equal(c->fqdn, "mailbox01.contoso.com");
	assert_string_equal(c->tls_name, "<I>CN=Contoso CA, DC=contoso, "
					 "DC=com<S>CN=mail.contoso.com");
	assert_int_equal(c->advertise, 0);
	assert_int_equal(c->line, 3);
	assert_string_equal(c->role, "FrontendTransport");
	assert_string_equal(c->auth, "Tls, BasicAuth, BasicAuthRequireTLS");
	assert_int_equal(c->port_2525, 0);
	c = &cf->v[1];
	assert_null(c->fqdn);
	assert_null(c->tls_name);
	assert_null(c->role);
	assert_null(c->auth);
	assert_int_equal(c->advertise, 1);
	assert_int_equal(c->line, 13);
	c = &cf->v[2];
	assert_null(c->server);
	assert_string_equal(c->identity, "Relay [Partners] *");
	assert_string_equal(c->fqdn, "");
	assert_int_equal(c->advertise, 0);
	c = &cf->v[3];
	assert_string_equal(c->identity, "ΠΟΣΤΑ\\Почта Österreich");
	assert_int_equal(c->advertise, CONN_UNSET);
	conn_file_free(cf);
}

/* certbind-connectors(5): AuthMechanism's Tls token. */
static void
test_offers_tls(void **state)
{
	static const char *const yes[] = {"Tls", "tls", "BasicAuth, Tls",
					  " TLS ,Integrated", "Integrated,Tls"};
	static const char *const no[] = {
	    "",		 "None",       "BasicAuth, BasicAuthRequireTLS",
	    "TlsX",	 "Integrated", "ExternalAuthoritative, Tls2",
	    "T ls, Xtls"};
	struct conn c;
	size_t	    i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(conn_offers_tls(&c), 1);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		c.auth = (char *)yes[i];
		assert_int_equal(conn_offers_tls(&c), 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		c.auth = (char *)no[i];
		assert_int_equal(conn_offers_tls(&c), 0);
	}
}

/* certbind-connectors(5): the Default <Server> HubTransport connector. */
static void
test_default_hub(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.server = "MAILBOX01";
	c.name = "Default MAILBOX01";
	c.role = "HubTransport";
	assert_int_equal(conn_is_default_hub(&c), 1);
	c.name = "default mailbox01";
	c.role = "hubtransport";
	assert_int_equal(conn_is_default_hub(&c), 1);
	c.role = "FrontendTransport";
	assert_int_equal(conn_is_default_hub(&c), 0);
	c.role = NULL;
	assert_int_equal(conn_is_default_hub(&c), 0);
	c.port_2525 = 1;
	assert_int_equal(conn_is_default_hub(&c), 1);
	c.name = "Default Frontend MAILBOX01";
	assert_int_equal(conn_is_default_hub(&c), 0);
	c.name = "Default MAILBOX02";
	assert_int_equal(conn_is_default_hub(&c), 0);
	c.name = "DefaultMAILBOX01";
	assert_int_equal(conn_is_default_hub(&c), 0);
	c.name = "Default MAILBOX01";
	c.server = NULL;
	assert_int_equal(conn_is_default_hub(&c), 0);
}

static void
test_load_empty_root(void **state)
{
	static const char x[] = "<ReceiveConnectors/>";
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load_mem("mem", x, strlen(x), &cf, &errs), 0);
	assert_int_equal(cf->n, 0);
	conn_errs_release(&errs);
	conn_file_free(cf);
}

static void
test_refuse_xxe(void **state)
{
	expect_refused("xxe.xml", "<!DOCTYPE", 2);
}

static void
test_refuse_bomb(void **state)
{
	expect_refused("bomb.xml", "<!DOCTYPE", 2);
}

static void
test_refuse_network_dtd(void **state)
{
	expect_refused("netdtd.xml", "<!DOCTYPE", 3);
}

static void
test_refuse_malformed(void **state)
{
	expect_refused("malformed.xml", "mismatch", 5);
}

static void
test_refuse_missing_name(void **state)
{
	expect_refused("missing-name.xml", "connector has no Name", 3);
}

static void
test_refuse_bool(void **state)
{
	expect_refused("bool-maybe.xml", "\"maybe\" is not true, false, 1 or 0",
		       5);
}

static void
test_refuse_twice(void **state)
{
	expect_refused("fqdn-twice.xml",
		       "Fqdn given twice in one connector "
		       "(also at line 5)",
		       6);
}

static void
test_refuse_duplicates(void **state)
{
	expect_refused("dup-names.xml",
		       "duplicate identity \"EX01\\Default\" (also at line 3)",
		       11);
}

static void
test_refuse_duplicates_case(void **state)
{
	expect_refused("dup-case.xml", "duplicate identity", 6);
}

static void
test_refuse_nul(void **state)
{
	expect_refused("nul.xml", "xmlChar", 4);
}

static void
test_refuse_raw_nul(void **state)
{
	static const char x[] =
	    "<ReceiveConnectors><ReceiveConnector>"
	    "<Name>a\0b</Name></ReceiveConnector></ReceiveConnectors>";
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load_mem("nul", x, sizeof(x) - 1, &cf, &errs),
			 -1);
	assert_null(cf);
	assert_true(errs.n > 0);
	conn_errs_release(&errs);
}

/* libxml2 stops at a NUL after the root element; the loader must not. */
static void
test_refuse_nul_after_root(void **state)
{
	static const char x[] =
	    "<ReceiveConnectors>\n<ReceiveConnector><Name>a</Name>"
	    "</ReceiveConnector>\n</ReceiveConnectors>\n\0<junk>";
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load_mem("nul", x, sizeof(x) - 1, &cf, &errs),
			 -1);
	assert_null(cf);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 4);
	assert_string_equal(errs.v[0].msg, "NUL byte in the file");
	conn_errs_release(&errs);
}

/* Found by fuzz_conn: applying (no) edits to a file without connectors. */
static void
test_apply_no_connectors(void **state)
{
	static const char x[] = "<ReceiveConnectors/>\n";
	struct conn_file *cf;
	struct conn_errs  errs;
	char		 *out;
	size_t		  len;

	assert_int_equal(conn_load_mem("empty", x, sizeof(x) - 1, &cf, &errs),
			 0);
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 0);
	assert_int_equal(conn_apply(cf, NULL, &out, &len, &errs), 0);
	assert_int_equal(len, sizeof(x) - 1);
	assert_memory_equal(out, x, len);
	assert_int_equal(conn_changed(cf, out, len), 0);
	conn_errs_release(&errs);
	free(out);
	conn_file_free(cf);
}

static void
test_refuse_latin1(void **state)
{
	expect_refused("latin1.xml", "only UTF-8", 1);
}

static void
test_refuse_utf16(void **state)
{
	static const char x[] = "\xff\xfe<\0R\0/\0>\0";
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load_mem("u16", x, sizeof(x) - 1, &cf, &errs),
			 -1);
	assert_true(errs_have(&errs, "only UTF-8", 1));
	conn_errs_release(&errs);
}

/*
 * An overlong UTF-8 form ("y" as C1 B9, "<" as C0 BC) inside a CDATA
 * section (found by fuzz_conn, when a push parser read the file): the
 * load must refuse it, in a foreign element or in a value.
 */
static void
test_refuse_overlong_cdata(void **state)
{
	static const char *const x[] = {
	    "<ReceiveConnectors><ReceiveConnector><Name>a</Name>"
	    "<Banner><![CDATA[x\xc1\xb9]]></Banner>"
	    "</ReceiveConnector></ReceiveConnectors>",
	    "<ReceiveConnectors><ReceiveConnector>"
	    "<Name><![CDATA[\xc0\xbc"
	    "b]]></Name>"
	    "</ReceiveConnector></ReceiveConnectors>",
	    "<ReceiveConnectors>\n<ReceiveConnector><Name>a</Name>"
	    "<Fqdn><![CDATA[\xe0\x80\xaf]]></Fqdn>"
	    "</ReceiveConnector></ReceiveConnectors>",
	};
	struct conn_file *cf;
	struct conn_errs  errs;
	size_t		  i;

	for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		assert_int_equal(
		    conn_load_mem("o", x[i], strlen(x[i]), &cf, &errs), -1);
		assert_null(cf);
		if (!errs_have(&errs, "UTF-8", -1)) {
			dump_errs(&errs);
			fail_msg("case %zu: no UTF-8 error", i);
		}
		conn_errs_release(&errs);
	}
}

/*
 * A Name or Server holding a control character (C0, DEL, C1): every
 * load refuses it, naming the element and its line, so an identity is
 * always one line (renew's hook lists them one per line).
 */
static void
test_refuse_control(void **state)
{
	static const struct {
		const char *x, *needle;
		long	    line;
	} bad[] = {
	    {"<ReceiveConnectors>\n<ReceiveConnector>\n"
	     "<Name>a&#10;b</Name></ReceiveConnector></ReceiveConnectors>",
	     "Name \"a\nb\" holds a control character (U+000A)", 3},
	    {"<ReceiveConnectors>\n<ReceiveConnector>\n<Name>a\nb</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "Name \"a\nb\" holds a control character (U+000A)", 3},
	    /* A raw CR reads as LF; a reference stays a CR. */
	    {"<ReceiveConnectors><ReceiveConnector><Name>a\r\nb</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+000A)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a&#13;</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+000D)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>\ta</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "Name \"\ta\" holds a control character (U+0009)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a \t</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+0009)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a\x7f</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+007F)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a&#x80;</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+0080)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a\xc2\x9f</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "(U+009F)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>"
	     "<![CDATA[a\nb]]></Name></ReceiveConnector></ReceiveConnectors>",
	     "(U+000A)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a<!--c-->&#10;"
	     "</Name></ReceiveConnector></ReceiveConnectors>",
	     "(U+000A)", 1},
	    {"<ReceiveConnectors>\n<ReceiveConnector><Name>a</Name>\n"
	     "<Server>S&#10;</Server></ReceiveConnector></ReceiveConnectors>",
	     "Server \"S\n\" holds a control character (U+000A)", 3},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a</Name>"
	     "<Server>\tS</Server></ReceiveConnector></ReceiveConnectors>",
	     "Server \"\tS\" holds a control character (U+0009)", 1},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a</Name>"
	     "<Server>S\xc2\x85</Server></ReceiveConnector>"
	     "</ReceiveConnectors>",
	     "(U+0085)", 1},
	    /* The first of several is named; the good connector loads. */
	    {"<ReceiveConnectors><ReceiveConnector><Name>ok</Name>"
	     "</ReceiveConnector>\n<ReceiveConnector><Name>a&#9;b&#10;"
	     "</Name></ReceiveConnector></ReceiveConnectors>",
	     "(U+0009)", 2},
	};
	struct conn_file *cf;
	struct conn_errs  errs;
	size_t		  i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (conn_load_mem("c.xml", bad[i].x, strlen(bad[i].x), &cf,
				  &errs) != -1)
			fail_msg("case %zu: loaded", i);
		assert_null(cf);
		if (!errs_have(&errs, bad[i].needle, bad[i].line)) {
			dump_errs(&errs);
			fail_msg("case %zu: no \"%s\" at line %ld", i,
				 bad[i].needle, bad[i].line);
		}
		conn_errs_release(&errs);
	}
	expect_refused("name-control.xml",
		       "Name \"Client Frontend\nEX01\" holds a control "
		       "character (U+000A)",
		       11);
	expect_refused("name-control.xml", "(U+0009)", 14);
	expect_refused("name-control.xml", "(U+0085)", 15);
	expect_refused("name-control.xml", "(U+000A)", 19);
}

/*
 * What is not a control character still loads both ways, as it did:
 * spaces around a name are kept (values are not trimmed), U+00A0 (just
 * past C1) and U+2028 are not controls, and a Name or Server of white
 * space alone is "empty", whatever the white space.
 */
static void
test_control_edges(void **state)
{
	static const struct {
		const char *x, *identity;
	} good[] = {
	    {"<ReceiveConnectors><ReceiveConnector><Server> S </Server>"
	     "<Name> a b </Name></ReceiveConnector></ReceiveConnectors>",
	     " S \\ a b "},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a&#xA0;"
	     "\xc2\xa0</Name></ReceiveConnector></ReceiveConnectors>",
	     "a\xc2\xa0\xc2\xa0"},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a&#x2028;</Name>"
	     "</ReceiveConnector></ReceiveConnectors>",
	     "a\xe2\x80\xa8"},
	};
	static const struct {
		const char *x, *needle;
	} blank[] = {
	    {"<ReceiveConnectors><ReceiveConnector><Name>&#9;&#10;&#13; "
	     "</Name></ReceiveConnector></ReceiveConnectors>",
	     "empty Name"},
	    {"<ReceiveConnectors><ReceiveConnector><Name>a</Name>"
	     "<Server>\n</Server></ReceiveConnector></ReceiveConnectors>",
	     "empty Server"},
	};
	struct conn_file *cf;
	struct conn_errs  errs;
	size_t		  i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (conn_load_mem("g.xml", good[i].x, strlen(good[i].x), &cf,
				  &errs) != 0) {
			dump_errs(&errs);
			fail_msg("case %zu: refused", i);
		}
		assert_string_equal(cf->v[0].identity, good[i].identity);
		conn_errs_release(&errs);
		conn_file_free(cf);
	}
	for (i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		assert_int_equal(conn_load_mem("b.xml", blank[i].x,
					       strlen(blank[i].x), &cf, &errs),
				 -1);
		if (!errs_have(&errs, blank[i].needle, 1) ||
		    errs_have(&errs, "control", -1)) {
			dump_errs(&errs);
			fail_msg("blank case %zu", i);
		}
		conn_errs_release(&errs);
	}
}

static void
test_refuse_wrong_root(void **state)
{
	expect_refused("wrong-root.xml", "not ReceiveConnectors", 2);
}

static void
test_refuse_text(void **state)
{
	expect_refused("text-in-connector.xml", "failed to validate content",
		       3);
}

static void
test_refuse_not_regular(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load(DATA, &cf, &errs), -1);
	assert_true(errs_have(&errs, "not a regular file", 0));
	conn_errs_release(&errs);
	assert_int_equal(conn_load(DATA "nonexistent.xml", &cf, &errs), -1);
	assert_int_equal(errs.sys_errno, ENOENT);
	conn_errs_release(&errs);
}

/* 200,000 levels must be refused by libxml2's depth limit, and fast. */
static void
test_refuse_deep(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	struct timespec	  t0, t1;
	size_t		  depth = 200000, i, len;
	char		 *x, *p;

	len = depth * 7 + 64;
	x = malloc(len);
	assert_non_null(x);
	p = x;
	p += sprintf(p, "<ReceiveConnectors>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	p += sprintf(p, "</ReceiveConnectors>");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(conn_load_mem("deep", x, (size_t)(p - x), &cf, &errs),
			 -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(errs_have(&errs, "depth", -1));
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	conn_errs_release(&errs);
	free(x);
}

static void
test_errors_capped(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	size_t		  i;
	char		 *x, *p;

	x = malloc(1000 * 80 + 64);
	assert_non_null(x);
	p = x + sprintf(x, "<ReceiveConnectors>\n");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "<ReceiveConnector><Name>same</Name>"
				"</ReceiveConnector>\n");
	p += sprintf(p, "</ReceiveConnectors>\n");
	assert_int_equal(conn_load_mem("many", x, (size_t)(p - x), &cf, &errs),
			 -1);
	assert_int_equal(errs.n, CONN_MAX_ERRS + 1);
	assert_true(errs_have(&errs, "too many errors", 0));
	conn_errs_release(&errs);
	free(x);
}

static void
test_casecmp(void **state)
{
	assert_int_equal(fold_casecmp("Default EX01", "default ex01"), 0);
	assert_int_equal(fold_casecmp("ÀÉÎÕÜÝÞ", "àéîõüýþ"), 0);
	assert_int_equal(fold_casecmp("ŸĀĹŽſ", "ÿāĺžS"), 0);
	assert_int_equal(fold_casecmp("ΣΊΣΥΦΟΣ", "σίσυφος"), 0);
	assert_int_equal(fold_casecmp("ЁЖИК Ѣ Ӂ", "ёжик ѣ ӂ"), 0);
	assert_int_equal(fold_casecmp("µ", "Μ"), 0);
	assert_int_not_equal(fold_casecmp("İ", "i"), 0);
	assert_int_not_equal(fold_casecmp("×", "÷"), 0);
	assert_int_not_equal(fold_casecmp("a", "ab"), 0);
	assert_true(fold_casecmp("a", "B") < 0);
	/* Invalid UTF-8 compares as bytes, never equal to something else. */
	assert_int_equal(fold_casecmp("\xc3", "\xc3"), 0);
	assert_int_not_equal(fold_casecmp("\xc3", "\xe3"), 0);
	assert_int_not_equal(fold_casecmp("\xc0\x80", ""), 0);
	assert_int_equal(fold_cp(0x10400), 0x10400);
}

static void
test_glob(void **state)
{
	assert_true(fold_glob("Client Frontend*", "Client Frontend EX01"));
	assert_true(fold_glob("client frontend*", "CLIENT FRONTEND EX01"));
	assert_true(fold_glob("*", ""));
	assert_true(fold_glob("EX0?\\*", "EX01\\Default"));
	assert_true(fold_glob("*\\default", "EX01\\Default"));
	assert_true(fold_glob("Relay [Partners] *", "Relay [Partners] *"));
	assert_false(fold_glob("Relay [P]*", "Relay P"));
	assert_true(fold_glob("почта*", "ПОЧТА Österreich"));
	assert_true(fold_glob("?ochta", "Жochta"));
	assert_false(fold_glob("?", "ab"));
	assert_false(fold_glob("a*b", "acbx"));
	assert_true(fold_glob("a*b*c", "aXbYbZc"));
	assert_false(fold_glob("", "a"));
	/* A hostile pattern stays polynomial. */
	assert_false(fold_glob(
	    "*a*a*a*a*a*a*a*a*a*a*a*b",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void
test_match(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;

	assert_int_equal(conn_load(DATA "good.xml", &cf, &errs), 0);
	conn_errs_release(&errs);
	assert_true(conn_match("client frontend*", &cf->v[0]));
	assert_true(conn_match("client frontend*", &cf->v[1]));
	assert_false(conn_match("client frontend*", &cf->v[2]));
	assert_true(conn_match("mailbox01\\*", &cf->v[0]));
	assert_false(conn_match("mailbox01\\*", &cf->v[1]));
	assert_true(conn_match("ποστα\\почта*", &cf->v[3]));
	assert_true(conn_match("почта österreich", &cf->v[3]));
	conn_file_free(cf);
}

static int
xmllint_ok(const char *buf, size_t len)
{
	char  path[] = "/tmp/certbind-conn-XXXXXX";
	char  cmd[128];
	FILE *fp;
	int   fd, rc;

	if ((fd = mkstemp(path)) == -1)
		return 0;
	fp = fdopen(fd, "wb");
	fwrite(buf, 1, len, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --nonet %s", path);
	fp = popen(cmd, "r");
	rc = pclose(fp);
	unlink(path);
	return rc == 0;
}

/* Applies the edits of edit-in.xml and compares with a hand-written file. */
static void
check_edit(const char *in, const char *expected)
{
	struct conn_file *cf, *nf;
	struct conn_errs  errs;
	struct conn_edit  e[4];
	char		 *out, *want;
	size_t		  outlen, wantlen;
	int		  i;

	if (conn_load(in, &cf, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 4);
	assert_string_equal(cf->v[1].identity, "EX01\\Default Frontend EX01");
	assert_string_equal(cf->v[3].name, "Tabbed & Untouched");
	for (i = 0; i < 4; i++)
		conn_edit_init(&e[i]);
	e[0].fqdn = "mail.contoso.com";
	e[0].tls_name = "<I>CN=Contoso CA, DC=contoso, DC=com<S>"
			"CN=mail.contoso.com";
	e[0].advertise = 1; /* already "1": left alone */
	e[1].fqdn = "smtp.contoso.com";
	e[1].tls_name = "<I>CN=R3, O=Let's Encrypt, C=US<S>"
			"CN=\"Mail & More\"";
	e[1].advertise = 0;
	e[2].advertise = 1;
	e[3].fqdn = "untouched.contoso.com"; /* same value */
	assert_int_equal(conn_edit_mask(&cf->v[0], &e[0]),
			 CONN_F_FQDN | CONN_F_TLSNAME);
	assert_int_equal(conn_edit_mask(&cf->v[1], &e[1]),
			 CONN_F_FQDN | CONN_F_TLSNAME | CONN_F_ADVERTISE);
	assert_int_equal(conn_edit_mask(&cf->v[3], &e[3]), 0);
	if (conn_apply(cf, e, &out, &outlen, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	want = slurp(expected, &wantlen);
	assert_int_equal(outlen, wantlen);
	assert_memory_equal(out, want, wantlen);
	assert_true(conn_changed(cf, out, outlen));
	assert_true(xmllint_ok(out, outlen));

	/* The result loads, and a second identical edit changes nothing. */
	assert_int_equal(conn_load_mem("again", out, outlen, &nf, &errs), 0);
	conn_errs_release(&errs);
	assert_string_equal(nf->v[1].tls_name, e[1].tls_name);
	for (i = 0; i < 4; i++)
		assert_int_equal(conn_edit_mask(&nf->v[i], &e[i]), 0);
	free(out);
	assert_int_equal(conn_apply(nf, e, &out, &outlen, &errs), 0);
	conn_errs_release(&errs);
	assert_false(conn_changed(nf, out, outlen));
	free(out);
	free(want);
	conn_file_free(nf);
	conn_file_free(cf);
}

static void
test_edit_lf(void **state)
{
	check_edit(DATA "edit-in.xml", DATA "edit-out.xml");
}

static void
test_edit_crlf(void **state)
{
	check_edit(DATA "edit-crlf-in.xml", DATA "edit-crlf-out.xml");
}

static void
test_edit_nothing(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	char		 *out;
	size_t		  outlen;

	assert_int_equal(conn_load(DATA "edit-in.xml", &cf, &errs), 0);
	conn_errs_release(&errs);
	assert_int_equal(conn_apply(cf, NULL, &out, &outlen, &errs), 0);
	conn_errs_release(&errs);
	assert_false(conn_changed(cf, out, outlen));
	free(out);
	conn_file_free(cf);
}

static void
test_edit_refuses_control(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	struct conn_edit  e[4];
	char		 *out;
	size_t		  outlen;
	int		  i;

	assert_int_equal(conn_load(DATA "edit-in.xml", &cf, &errs), 0);
	conn_errs_release(&errs);
	for (i = 0; i < 4; i++)
		conn_edit_init(&e[i]);
	e[2].fqdn = "evil\n.contoso.com";
	e[3].tls_name = "bad \xff utf-8";
	assert_int_equal(conn_apply(cf, e, &out, &outlen, &errs), -1);
	assert_null(out);
	assert_int_equal(errs.n, 2);
	assert_true(errs_have(&errs, "Inline: Fqdn value", 22));
	conn_errs_release(&errs);
	conn_file_free(cf);
}

/* A connector written <ReceiveConnector> with children all on one line
 * and another that needs all three fields. */
static void
test_edit_add_all(void **state)
{
	static const char in[] = "<ReceiveConnectors>\n"
				 "\t<ReceiveConnector>\n"
				 "\n"
				 "\t\t<Name>A</Name>\n"
				 "\t</ReceiveConnector>\n"
				 "</ReceiveConnectors>";
	static const char want[] =
	    "<ReceiveConnectors>\n"
	    "\t<ReceiveConnector>\n"
	    "\n"
	    "\t\t<Name>A</Name>\n"
	    "\t\t<Fqdn>a.example</Fqdn>\n"
	    "\t\t<TlsCertificateName></TlsCertificateName>\n"
	    "\t\t<AdvertiseClientSettings>true</AdvertiseClientSettings>\n"
	    "\t</ReceiveConnector>\n"
	    "</ReceiveConnectors>";
	struct conn_file *cf;
	struct conn_errs  errs;
	struct conn_edit  e;
	char		 *out;
	size_t		  outlen;

	assert_int_equal(conn_load_mem("m", in, strlen(in), &cf, &errs), 0);
	conn_errs_release(&errs);
	conn_edit_init(&e);
	e.fqdn = "a.example";
	e.tls_name = "";
	e.advertise = 1;
	assert_int_equal(conn_apply(cf, &e, &out, &outlen, &errs), 0);
	conn_errs_release(&errs);
	assert_int_equal(outlen, strlen(want));
	assert_memory_equal(out, want, outlen);
	free(out);
	conn_file_free(cf);
}

/* ------------------------------------------------------- send connectors */

/* A <Connectors> file: both kinds, hybrid fields, lists as text and as
 * child elements (certbind-connectors(5)). */
static const char mixed_doc[] =
    "<?xml version=\"1.0\"?>\n"
    "<Connectors>\n"
    "  <SendConnector>\n"
    "    <Name>Outbound to Office 365</Name>\n"
    "    <CloudServicesMailEnabled> TRUE </CloudServicesMailEnabled>\n"
    "    <TlsDomain>mail.protection.outlook.com</TlsDomain>\n"
    "    <TlsAuthLevel>DomainValidation</TlsAuthLevel>\n"
    "    <RequireTLS>1</RequireTLS>\n"
    "    <SmartHosts><Value>a.example</Value><Value>b.example</Value>"
    "</SmartHosts>\n"
    "    <AddressSpaces>smtp:*.mail.onmicrosoft.com;1</AddressSpaces>\n"
    "    <SourceTransportServers>EX01, EX02</SourceTransportServers>\n"
    "    <Enabled>false</Enabled>\n"
    "    <Fqdn>mail.contoso.com</Fqdn>\n"
    "  </SendConnector>\n"
    "  <ReceiveConnector>\n"
    "    <Server>EX01</Server>\n"
    "    <Name>Default Frontend EX01</Name>\n"
    "    <TlsDomainCapabilities><V>mail.protection.outlook.com:"
    "AcceptCloudServicesMail</V><V>x:y</V></TlsDomainCapabilities>\n"
    "  </ReceiveConnector>\n"
    "  <SendConnector>\n"
    "    <Name>EX01\\Default Frontend EX01</Name>\n"
    "    <Server>EX01</Server>\n"
    "  </SendConnector>\n"
    "</Connectors>\n";

static void
test_load_mixed(void **state)
{
	static const char doc[] =
	    "<Connectors>\n"
	    "  <SendConnector><Name>S</Name>"
	    "<CloudServicesMailEnabled>0</CloudServicesMailEnabled>"
	    "</SendConnector>\n"
	    "  <ReceiveConnector><Name>R</Name>"
	    "<TlsDomainCapabilities>a:b</TlsDomainCapabilities>"
	    "<CloudServicesMailEnabled>yes</CloudServicesMailEnabled>"
	    "<Enabled>maybe</Enabled><Enabled/>"
	    "</ReceiveConnector>\n"
	    "  <ReceiveConnector><Name>R2</Name>"
	    "<TlsDomainCapabilities> </TlsDomainCapabilities>"
	    "<AuthMechanism>BasicAuth</AuthMechanism>"
	    "</ReceiveConnector>\n"
	    "  <SendConnector><Name>Default EX01</Name>"
	    "<TransportRole>HubTransport</TransportRole>"
	    "<AuthMechanism>None</AuthMechanism></SendConnector>\n"
	    "</Connectors>\n";
	struct conn_file  *cf;
	struct conn_errs   errs;
	const struct conn *c;
	char		  *bad;
	size_t		   len;

	/* The Server in the second send connector is refused (below). */
	len = strlen(mixed_doc);
	assert_non_null(bad = strdup(mixed_doc));
	memcpy(strstr(bad, "    <Server>EX01</Server>\n  </Send"),
	       "    <!--er>EX01</Server>-->\n", 27);
	if (conn_load_mem("mixed", bad, len, &cf, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	free(bad);
	assert_int_equal(cf->n, 3);
	c = &cf->v[0];
	assert_int_equal(c->kind, CONN_SEND);
	assert_string_equal(conn_kind_name(c), "Send");
	assert_string_equal(c->identity, "Outbound to Office 365");
	assert_null(c->server);
	assert_int_equal(c->cloud, 1);
	assert_string_equal(c->tls_domain, "mail.protection.outlook.com");
	assert_int_equal(c->require_tls, 1);
	assert_int_equal(c->enabled, 0);
	assert_int_equal(c->advertise, CONN_UNSET);
	assert_null(c->tls_domain_caps);
	assert_string_equal(c->fqdn, "mail.contoso.com");
	assert_int_equal(c->line, 3);
	assert_true(conn_is_cloud(c));
	assert_true(conn_offers_tls(c));
	c = &cf->v[1];
	assert_int_equal(c->kind, CONN_RECEIVE);
	assert_string_equal(conn_kind_name(c), "Receive");
	assert_string_equal(c->identity, "EX01\\Default Frontend EX01");
	assert_string_equal(c->tls_domain_caps, "mail.protection.outlook.com:"
						"AcceptCloudServicesMail, x:y");
	assert_int_equal(c->cloud, CONN_UNSET);
	assert_int_equal(c->line, 15);
	assert_true(conn_is_cloud(c));
	/* The same identity as the receive connector: another kind. */
	c = &cf->v[2];
	assert_int_equal(c->kind, CONN_SEND);
	assert_string_equal(c->identity, "EX01\\Default Frontend EX01");
	assert_int_equal(c->cloud, CONN_UNSET);
	assert_int_equal(c->require_tls, CONN_UNSET);
	assert_int_equal(c->enabled, CONN_UNSET);
	assert_null(c->tls_domain);
	assert_false(conn_is_cloud(c));
	assert_int_equal(c->dup_line, 0);
	assert_int_equal(cf->v[1].dup_line, 0);
	conn_file_free(cf);

	/*
	 * Booleans of the other kind are foreign there (not read, not
	 * checked); a blank TlsDomainCapabilities is not hybrid; a send
	 * connector neither offers TLS by AuthMechanism nor is a Default
	 * HubTransport connector.
	 */
	if (conn_load_mem("kinds", doc, strlen(doc), &cf, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 4);
	assert_int_equal(cf->v[0].cloud, 0);
	assert_false(conn_is_cloud(&cf->v[0]));
	assert_string_equal(cf->v[1].tls_domain_caps, "a:b");
	assert_int_equal(cf->v[1].cloud, CONN_UNSET);
	assert_int_equal(cf->v[1].enabled, CONN_UNSET);
	assert_true(conn_is_cloud(&cf->v[1]));
	assert_false(conn_is_cloud(&cf->v[2]));
	assert_false(conn_offers_tls(&cf->v[2]));
	assert_true(conn_offers_tls(&cf->v[3]));
	assert_false(conn_is_default_hub(&cf->v[3]));
	conn_file_free(cf);
}

/* Refusals of the send connector's own rules, with their lines. */
static void
test_refuse_send(void **state)
{
	static const struct {
		const char *doc, *needle;
		long	    line;
	} v[] = {
	    {mixed_doc, "a SendConnector has no Server", 22},
	    {"<Connectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "<AdvertiseClientSettings>true</AdvertiseClientSettings>\n"
	     "</SendConnector>\n</Connectors>",
	     "a SendConnector has no AdvertiseClientSettings", 4},
	    {"<Connectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "<RequireTLS>yes</RequireTLS>\n</SendConnector>\n</Connectors>",
	     "RequireTLS \"yes\" is not true, false, 1 or 0", 4},
	    {"<Connectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "<Enabled>1</Enabled>\n<Enabled>1</Enabled>\n"
	     "</SendConnector>\n</Connectors>",
	     "Enabled given twice in one connector (also at line 4)", 5},
	    {"<Connectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "<CloudServicesMailEnabled/>\n</SendConnector>\n</Connectors>",
	     "CloudServicesMailEnabled \"\" is not true, false, 1 or 0", 4},
	    {"<Connectors>\n<SendConnector>\n<Fqdn>a</Fqdn>\n"
	     "</SendConnector>\n</Connectors>",
	     "connector has no Name", 2},
	    {"<Connectors>\n<ReceiveConnector>\n<Name>a</Name>\n"
	     "<TlsDomainCapabilities/>\n<TlsDomainCapabilities/>\n"
	     "</ReceiveConnector>\n</Connectors>",
	     "TlsDomainCapabilities given twice", 5},
	    /* Send connectors only under <Connectors>. */
	    {"<ReceiveConnectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "</SendConnector>\n</ReceiveConnectors>",
	     "SendConnector", 2},
	    {"<Connectors>\n<SendConnector>\n<Name>a</Name>\n"
	     "</SendConnector>\n<SendConnector>\n<Name>A</Name>\n"
	     "</SendConnector>\n</Connectors>",
	     "duplicate identity \"A\" (also at line 2)", 5},
	};
	struct conn_file *cf;
	struct conn_errs  errs;
	size_t		  i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(
		    conn_load_mem("s", v[i].doc, strlen(v[i].doc), &cf, &errs),
		    -1);
		assert_null(cf);
		if (!errs_have(&errs, v[i].needle, v[i].line)) {
			dump_errs(&errs);
			fail_msg("case %zu: no \"%s\" at line %ld", i,
				 v[i].needle, v[i].line);
		}
		conn_errs_release(&errs);
	}
}

/* Duplicates per kind: a CONN_LOAD_DUPLICATES load keeps and links them. */
static void
test_duplicates_per_kind(void **state)
{
	static const char doc[] = "<Connectors>\n"
				  "<SendConnector><Name>X</Name>"
				  "</SendConnector>\n"
				  "<ReceiveConnector><Name>x</Name>"
				  "</ReceiveConnector>\n"
				  "<SendConnector><Name>x</Name>"
				  "</SendConnector>\n"
				  "</Connectors>\n";
	char		  path[] = "/tmp/certbind-dup-XXXXXX";
	struct conn_file *cf;
	struct conn_errs  errs;
	FILE		 *fp;
	int		  fd;

	assert_int_equal(conn_load_mem("d", doc, strlen(doc), &cf, &errs), -1);
	assert_true(errs_have(&errs,
			      "duplicate identity \"x\" (also at "
			      "line 2)",
			      4));
	assert_int_equal(errs.n, 1);
	conn_errs_release(&errs);
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "wb"));
	fputs(doc, fp);
	fclose(fp);
	assert_int_equal(
	    conn_load_flags(path, CONN_LOAD_DUPLICATES, &cf, &errs), 0);
	unlink(path);
	conn_errs_release(&errs);
	assert_int_equal(cf->n, 3);
	assert_int_equal(cf->v[0].dup_line, 4);
	assert_int_equal(cf->v[1].dup_line, 0);
	assert_int_equal(cf->v[2].dup_line, 2);
	conn_file_free(cf);
}

/*
 * Edits inside <SendConnector> as inside <ReceiveConnector>: replaced,
 * opened up, added at the end indented like siblings; every other byte
 * kept.  The expected text is written by hand.
 */
static void
test_edit_send(void **state)
{
	static const char in[] =
	    "<?xml version=\"1.0\"?>\r\n"
	    "<Connectors>\r\n"
	    "  <ReceiveConnector>\r\n"
	    "    <Name>R</Name>\r\n"
	    "    <Fqdn>r.example</Fqdn>\r\n"
	    "  </ReceiveConnector>\r\n"
	    "  <SendConnector a='1'>\r\n"
	    "      <Name>S &amp; T</Name>\r\n"
	    "      <Fqdn>old.example</Fqdn><!-- keep -->\r\n"
	    "      <SmartHosts><V>h</V></SmartHosts>\r\n"
	    "  </SendConnector>\r\n"
	    "  <SendConnector><Name>U</Name><TlsCertificateName "
	    "x=\"1\" /></SendConnector>\r\n"
	    "</Connectors>\r\n";
	static const char want[] =
	    "<?xml version=\"1.0\"?>\r\n"
	    "<Connectors>\r\n"
	    "  <ReceiveConnector>\r\n"
	    "    <Name>R</Name>\r\n"
	    "    <Fqdn>r.example</Fqdn>\r\n"
	    "  </ReceiveConnector>\r\n"
	    "  <SendConnector a='1'>\r\n"
	    "      <Name>S &amp; T</Name>\r\n"
	    "      <Fqdn>new.example</Fqdn><!-- keep -->\r\n"
	    "      <SmartHosts><V>h</V></SmartHosts>\r\n"
	    "      <TlsCertificateName>&lt;I&gt;CN=CA&lt;S&gt;CN=a &amp; b"
	    "</TlsCertificateName>\r\n"
	    "  </SendConnector>\r\n"
	    "  <SendConnector><Name>U</Name><TlsCertificateName "
	    "x=\"1\">&lt;I&gt;CN=CA&lt;S&gt;CN=u</TlsCertificateName>"
	    "<Fqdn>u.example</Fqdn></SendConnector>\r\n"
	    "</Connectors>\r\n";
	struct conn_file *cf, *nf;
	struct conn_errs  errs;
	struct conn_edit  e[3];
	char		 *out;
	size_t		  outlen;
	int		  i;

	assert_int_equal(conn_load_mem("e", in, strlen(in), &cf, &errs), 0);
	conn_errs_release(&errs);
	for (i = 0; i < 3; i++)
		conn_edit_init(&e[i]);
	e[1].fqdn = "new.example";
	e[1].tls_name = "<I>CN=CA<S>CN=a & b";
	e[2].fqdn = "u.example";
	e[2].tls_name = "<I>CN=CA<S>CN=u";
	if (conn_apply(cf, e, &out, &outlen, &errs) != 0) {
		dump_errs(&errs);
		fail();
	}
	conn_errs_release(&errs);
	assert_int_equal(outlen, strlen(want));
	assert_memory_equal(out, want, outlen);
	assert_true(xmllint_ok(out, outlen));
	assert_int_equal(conn_load_mem("again", out, outlen, &nf, &errs), 0);
	conn_errs_release(&errs);
	assert_int_equal(nf->v[1].kind, CONN_SEND);
	assert_string_equal(nf->v[1].tls_name, e[1].tls_name);
	assert_string_equal(nf->v[2].fqdn, "u.example");
	conn_file_free(nf);
	free(out);
	conn_file_free(cf);
}

/* AdvertiseClientSettings is never written into a send connector. */
static void
test_edit_refuses_advertise_send(void **state)
{
	struct conn_file *cf;
	struct conn_errs  errs;
	struct conn_edit  e[2];
	char		 *out;
	size_t		  outlen;
	static const char in[] = "<Connectors>\n"
				 "<ReceiveConnector><Name>R</Name>"
				 "</ReceiveConnector>\n"
				 "<SendConnector><Name>S</Name>"
				 "</SendConnector>\n"
				 "</Connectors>\n";

	assert_int_equal(conn_load_mem("a", in, strlen(in), &cf, &errs), 0);
	conn_errs_release(&errs);
	conn_edit_init(&e[0]);
	conn_edit_init(&e[1]);
	e[0].advertise = 1;
	e[1].advertise = 0;
	e[1].fqdn = "s.example";
	assert_int_equal(conn_apply(cf, e, &out, &outlen, &errs), -1);
	assert_null(out);
	assert_int_equal(errs.n, 1);
	assert_true(errs_have(&errs,
			      "S: Set-SendConnector has no "
			      "AdvertiseClientSettings",
			      3));
	conn_errs_release(&errs);
	/* Without it, the receive connector's edit goes through. */
	conn_edit_init(&e[1]);
	assert_int_equal(conn_apply(cf, e, &out, &outlen, &errs), 0);
	conn_errs_release(&errs);
	assert_non_null(strstr(out, "<Name>R</Name><AdvertiseClientSettings>"
				    "true</AdvertiseClientSettings>"));
	free(out);
	conn_file_free(cf);
}

/* ------------------------------------------------------------------ diff */

static char *
run_diff_u(const char *a, size_t alen, const char *b, size_t blen,
	   size_t *outlen)
{
	char pa[] = "/tmp/certbind-da-XXXXXX", pb[] = "/tmp/certbind-db-XXXXXX";
	char cmd[128], *buf = NULL;
	size_t cap = 0, len = 0, r;
	FILE  *fp;
	int    fd;

	fd = mkstemp(pa);
	assert_true(write(fd, a, alen) == (ssize_t)alen);
	close(fd);
	fd = mkstemp(pb);
	assert_true(write(fd, b, blen) == (ssize_t)blen);
	close(fd);
	snprintf(cmd, sizeof(cmd), "diff -u %s %s | tail -n +3", pa, pb);
	fp = popen(cmd, "r");
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
		}
		r = fread(buf + len, 1, cap - len - 1, fp);
		if (r == 0)
			break;
		len += r;
	}
	pclose(fp);
	buf[len] = '\0';
	unlink(pa);
	unlink(pb);
	*outlen = len;
	return buf;
}

/* Our diff must equal diff -u's once the two header lines are cut. */
static void
diff_against_oracle(const char *a, size_t alen, const char *b, size_t blen)
{
	char  *ours, *theirs, *body;
	size_t olen, tlen;

	ours = diff_unified(a, alen, b, blen, "connectors.xml", &olen);
	assert_non_null(ours);
	theirs = run_diff_u(a, alen, b, blen, &tlen);
	if (tlen == 0) {
		assert_int_equal(olen, 0);
	} else {
		assert_true(strncmp(ours,
				    "--- a/connectors.xml\n"
				    "+++ b/connectors.xml\n",
				    42) == 0);
		body = ours + 42;
		if (strcmp(body, theirs) != 0) {
			print_message("# ours:\n%s# theirs:\n%s", body, theirs);
			fail();
		}
	}
	free(ours);
	free(theirs);
}

static void
test_diff_simple(void **state)
{
	static const char a[] = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n"
				"14\n15\n16\n17\n18\n19\n20\n";
	static const char b[] = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n"
				"twelve\n13\n14\n15\n16\n17\n18\n19\n20\n21";
	static const char c[] = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";

	diff_against_oracle(a, strlen(a), b, strlen(b));
	diff_against_oracle(b, strlen(b), a, strlen(a));
	diff_against_oracle(a, strlen(a), c, strlen(c));
	diff_against_oracle("", 0, a, strlen(a));
	diff_against_oracle(a, strlen(a), "", 0);
	diff_against_oracle(a, strlen(a), a, strlen(a));
	diff_against_oracle("x", 1, "x\n", 2);
	diff_against_oracle("a\r\nb\r\n", 6, "a\r\nc\r\n", 6);
}

/*
 * Random edit scripts on 40-200 line files.  With unique lines the
 * shortest script is unique, so the output must equal diff -u's.
 */
static void
test_diff_random(void **state)
{
	char	    *a, *b, *pa, *pb;
	int	     round, i, n, r;
	unsigned int seed = 12345;

	a = malloc(16384);
	b = malloc(16384);
	for (round = 0; round < 60; round++) {
		n = 40 + (int)(rand_r(&seed) % 160);
		pa = a;
		pb = b;
		for (i = 0; i < n; i++) {
			r = (int)(rand_r(&seed) % 100);
			if (r < 6)
				pb += sprintf(pb, "new %d\n", i);
			else if (r < 12)
				pa += sprintf(pa, "gone %d\n", i);
			else if (r < 16) {
				pa += sprintf(pa, "old %d\n", i);
				pb += sprintf(pb, "changed %d\n", i);
			} else {
				pa += sprintf(pa, "line %d\n", i);
				pb += sprintf(pb, "line %d\n", i);
			}
		}
		if (round % 3 == 0 && pb > b)
			pb--; /* no newline at the end */
		if (round % 5 == 0 && pa > a)
			pa--;
		diff_against_oracle(a, (size_t)(pa - a), b, (size_t)(pb - b));
	}
	free(a);
	free(b);
}

/*
 * With repeated lines several shortest scripts exist and diff -u may
 * pick another; patch(1) is then the oracle: ours must turn a into b.
 */
static void
test_diff_patch(void **state)
{
	char	     pa[] = "/tmp/certbind-pa-XXXXXX";
	char	     pd[] = "/tmp/certbind-pd-XXXXXX";
	char	     cmd[256], *a, *b, *pa_, *pb, *d, *got;
	size_t	     dlen, glen;
	int	     round, i, n, r, fd;
	unsigned int seed = 777;

	a = malloc(16384);
	b = malloc(16384);
	for (round = 0; round < 40; round++) {
		n = 40 + (int)(rand_r(&seed) % 160);
		pa_ = a;
		pb = b;
		for (i = 0; i < n; i++) {
			r = (int)(rand_r(&seed) % 100);
			if (r < 10)
				pb += sprintf(pb, "x %d\n", r % 3);
			else if (r < 20)
				pa_ += sprintf(pa_, "x %d\n", r % 3);
			else {
				pa_ += sprintf(pa_, "line %d\n", i % 5);
				pb += sprintf(pb, "line %d\n", i % 5);
			}
		}
		d = diff_unified(a, (size_t)(pa_ - a), b, (size_t)(pb - b), "f",
				 &dlen);
		assert_non_null(d);
		fd = mkstemp(pa);
		assert_true(write(fd, a, (size_t)(pa_ - a)) == pa_ - a);
		close(fd);
		fd = mkstemp(pd);
		assert_true(write(fd, d, dlen) == (ssize_t)dlen);
		close(fd);
		snprintf(cmd, sizeof(cmd), "patch -s %s < %s", pa, pd);
		assert_int_equal(system(cmd), 0);
		got = slurp(pa, &glen);
		assert_int_equal(glen, (size_t)(pb - b));
		assert_memory_equal(got, b, glen);
		unlink(pa);
		unlink(pd);
		strcpy(pa, "/tmp/certbind-pa-XXXXXX");
		strcpy(pd, "/tmp/certbind-pd-XXXXXX");
		free(got);
		free(d);
	}
	free(a);
	free(b);
}

/* Past the edit bound the diff is coarse but still correct. */
static void
test_diff_large(void **state)
{
	char  *a, *b, *pa, *pb, *d;
	size_t dlen;
	int    i;

	pa = a = malloc(65536);
	pb = b = malloc(65536);
	for (i = 0; i < 3000; i++) {
		pa += sprintf(pa, "%s %d\n", i % 2 ? "same" : "a", i);
		pb += sprintf(pb, "%s %d\n", i % 2 ? "same" : "b", i);
	}
	d = diff_unified(a, (size_t)(pa - a), b, (size_t)(pb - b), "big",
			 &dlen);
	assert_non_null(d);
	assert_true(strstr(d, "@@ -1,3000 +1,3000 @@\n") != NULL);
	free(d);
	free(a);
	free(b);
}

/* ----------------------------------- against the whole-document parser */

/*
 * The oracle: libxml2's whole-document parser (not the incremental one
 * its reader drives, which the load uses) and its RELAX NG validator on
 * the whole tree, with the schema read from src/connectors.rng, and the
 * values read from that tree.
 */
struct oracle_conn {
	char *name, *server, *fqdn, *tls;
	char *tls_domain, *caps;	 /* send; receive */
	int   adv, cloud, rtls, enabled; /* -1 when absent */
	int   kind;
	long  line;
};

static xmlRelaxNG *oracle_schema;

static void
quiet(void *ctx, const char *fmt, ...)
{
}

static void
squiet(void *ctx, XERR_CONST xmlError *e)
{
}

static char *
first_text(const xmlNode *c, const char *name, int *seen)
{
	const xmlNode *k;

	*seen = 0;
	for (k = c->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns == NULL &&
		    strcmp((const char *)k->name, name) == 0) {
			*seen = 1;
			return (char *)xmlNodeGetContent(k);
		}
	return NULL;
}

/*
 * The boolean element name of c as *out (-1 when absent); 0, or -1 when
 * its spelling is not one certbind takes: XML white space around true
 * or false in any case, 1 or 0 (the schema leaves that to certbind).
 */
static int
oracle_bool(const xmlNode *c, const char *name, int *out)
{
	char *t, *b;
	int   i, seen, rc = 0;

	*out = -1;
	if ((t = first_text(c, name, &seen)) == NULL)
		return 0;
	for (b = t; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		;
	i = (int)strcspn(b, " \t\n\r");
	if (b[i + strspn(b + i, " \t\n\r")] != '\0')
		rc = -1;
	else if ((i == 4 && strncasecmp(b, "true", 4) == 0) ||
		 (i == 1 && *b == '1'))
		*out = 1;
	else if ((i == 5 && strncasecmp(b, "false", 5) == 0) ||
		 (i == 1 && *b == '0'))
		*out = 0;
	else
		rc = -1;
	xmlFree(t);
	return rc;
}

/*
 * certbind-connectors(5)'s list: the texts of the child elements joined
 * with ", ", or the element's text when it has none.  malloc'd or NULL.
 */
static char *
oracle_list(const xmlNode *c, const char *name)
{
	const xmlNode *k, *e;
	char	      *t, *s = NULL, *x;
	int	       seen, any = 0;

	if ((t = first_text(c, name, &seen)) == NULL)
		return NULL;
	for (e = c->children; e != NULL; e = e->next)
		if (e->type == XML_ELEMENT_NODE && e->ns == NULL &&
		    strcmp((const char *)e->name, name) == 0)
			break;
	for (k = e->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		x = (char *)xmlNodeGetContent(k);
		if (s == NULL)
			assert_true(asprintf(&s, "%s", x) != -1);
		else {
			char *o = s;

			assert_true(asprintf(&s, "%s, %s", o, x) != -1);
			free(o);
		}
		xmlFree(x);
		any = 1;
	}
	if (!any)
		assert_non_null(s = strdup(t));
	xmlFree(t);
	return s;
}

static void
oracle_free(struct oracle_conn *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xmlFree(v[i].name);
		xmlFree(v[i].server);
		xmlFree(v[i].fqdn);
		xmlFree(v[i].tls);
		xmlFree(v[i].tls_domain);
		free(v[i].caps);
	}
	free(v);
}

/*
 * Whether the oracle accepts buf; when it does, *out holds its
 * connectors (*n of them).
 */
static int
oracle_load(const char *buf, size_t len, struct oracle_conn **out, size_t *n)
{
	xmlRelaxNGParserCtxt *pc;
	xmlRelaxNGValidCtxt  *vc;
	xmlDoc		     *doc;
	const xmlNode	     *root, *c;
	struct oracle_conn   *v = NULL;
	size_t		      cnt = 0;
	int		      ok, seen, bad = 0;

	xmlSetGenericErrorFunc(NULL, quiet);
	xmlSetStructuredErrorFunc(NULL, squiet);
	if (oracle_schema == NULL) {
		assert_non_null(
		    pc = xmlRelaxNGNewParserCtxt("src/connectors.rng"));
		assert_non_null(oracle_schema = xmlRelaxNGParse(pc));
		xmlRelaxNGFreeParserCtxt(pc);
	}
	*out = NULL;
	*n = 0;
	doc = xmlReadMemory(buf, (int)len, "o.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (doc == NULL)
		goto out;
	assert_non_null(vc = xmlRelaxNGNewValidCtxt(oracle_schema));
	xmlRelaxNGSetValidStructuredErrors(vc, squiet, NULL);
	ok = xmlRelaxNGValidateDoc(vc, doc) == 0;
	xmlRelaxNGFreeValidCtxt(vc);
	if (!ok) {
		xmlFreeDoc(doc);
		doc = NULL;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			cnt++;
	assert_non_null(v = calloc(cnt + 1, sizeof(*v)));
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		v[*n].line = xmlGetLineNo(c);
		v[*n].kind = strcmp((const char *)c->name, "SendConnector") == 0
				 ? CONN_SEND
				 : CONN_RECEIVE;
		v[*n].name = first_text(c, "Name", &seen);
		v[*n].server = first_text(c, "Server", &seen);
		v[*n].fqdn = first_text(c, "Fqdn", &seen);
		v[*n].tls = first_text(c, "TlsCertificateName", &seen);
		v[*n].adv = v[*n].cloud = v[*n].rtls = v[*n].enabled = -1;
		if (v[*n].kind == CONN_RECEIVE) {
			bad |= oracle_bool(c, "AdvertiseClientSettings",
					   &v[*n].adv);
			v[*n].caps = oracle_list(c, "TlsDomainCapabilities");
		} else {
			bad |= oracle_bool(c, "CloudServicesMailEnabled",
					   &v[*n].cloud);
			bad |= oracle_bool(c, "RequireTLS", &v[*n].rtls);
			bad |= oracle_bool(c, "Enabled", &v[*n].enabled);
			v[*n].tls_domain = first_text(c, "TlsDomain", &seen);
		}
		(*n)++;
	}
	if (bad) {
		oracle_free(v, *n);
		v = NULL;
		*n = 0;
	}
	*out = v;
out:
	xmlFreeDoc(doc);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlSetStructuredErrorFunc(NULL, NULL);
	return *out != NULL;
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * conn_load_mem against the oracle.  What the load accepts, the oracle
 * must accept, with the same values and lines; what the oracle accepts,
 * the load may refuse only by certbind's own rules (certbind-connectors(5):
 * control characters in Name or Server, identities that repeat, a
 * document type, an encoding other than UTF-8, a NUL byte).
 * Returns whether the load accepted.
 */
static int
against_oracle(const char *label, const char *buf, size_t len)
{
	struct conn_file   *cf = NULL;
	struct conn_errs    errs;
	struct oracle_conn *o;
	const struct conn  *a;
	size_t		    n, i;
	int		    ours, theirs;

	ours = conn_load_mem(label, buf, len, &cf, &errs) == 0;
	theirs = oracle_load(buf, len, &o, &n);
	if (ours && !theirs)
		fail_msg("%s: loaded, but the oracle refuses:\n%.*s", label,
			 (int)len, buf);
	if (!ours && theirs && !errs_have(&errs, "control character", -1) &&
	    !errs_have(&errs, "duplicate identity", -1) &&
	    !errs_have(&errs, "(<!DOCTYPE) are not allowed", -1) &&
	    !errs_have(&errs, "only UTF-8", -1) &&
	    !errs_have(&errs, "NUL byte", -1)) {
		dump_errs(&errs);
		fail_msg("%s: refused, but the oracle accepts:\n%.*s", label,
			 (int)len, buf);
	}
	if (ours) {
		assert_int_equal(cf->n, n);
		for (i = 0; i < n; i++) {
			a = &cf->v[i];
			if (a->kind != o[i].kind ||
			    !same_str(a->tls_domain_caps, o[i].caps) ||
			    !same_str(a->tls_domain, o[i].tls_domain) ||
			    a->cloud != o[i].cloud ||
			    a->require_tls != o[i].rtls ||
			    a->enabled != o[i].enabled ||
			    !same_str(a->name, o[i].name) ||
			    !same_str(a->server, o[i].server) ||
			    !same_str(a->fqdn, o[i].fqdn) ||
			    !same_str(a->tls_name, o[i].tls) ||
			    a->advertise !=
				(o[i].adv == -1 ? CONN_UNSET : o[i].adv) ||
			    a->line != o[i].line)
				fail_msg("%s: connector %zu differs:\n%.*s",
					 label, i, (int)len, buf);
		}
	}
	if (theirs)
		oracle_free(o, n);
	conn_errs_release(&errs);
	conn_file_free(cf);
	return ours;
}

/* Tiny deterministic PRNG (xorshift64*), so a failure repeats. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned int
rnd(unsigned int n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned int)((rng_state * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

/*
 * Pieces of connectors: what the schema allows, what it refuses, and
 * the corners between (white space in tokens, comments, CDATA, PIs and
 * character references inside values, namespaces on known names).
 * %d is replaced by the connector's number, so names rarely collide.
 */
static const char *const p_name[] = {
    "<Name>n%d</Name>",
    "<Name> n%d </Name>",
    "<Name>n%d\xc2\xa0 x</Name>",
    "<Name>n%d<!--c-->b</Name>",
    "<Name><![CDATA[n%d]]></Name>",
    "<Name a=\"1\">n%d</Name>",
    "<Name>n%d<?pi x?></Name>",
    "<Name>&amp;%d</Name>",
    "<Name>&#160;%d</Name>",
    "<Name xmlns=\"\">n%d</Name>",
    "<Name></Name>",
    "<Name/>",
    "<Name> </Name>",
    "<Name>&#9;&#13;</Name>",
    "<Name><![CDATA[ ]]></Name>",
    "<Name>n%d<x/></Name>",
    "<n:Name xmlns:n=\"u\">n%d</n:Name>",
    "<Name xmlns=\"u\">n%d</Name>",
    "<Name>&#160;</Name>",
    "<Name>n%d\r\nx</Name>",
    "<Name>n%d\rx</Name>",
    "<Name><![CDATA[n%d\r\nx]]></Name>",
    "<Name>n%d\n x</Name>",
    "<Name>n%d&#10;</Name>",
    "<Name>\tn%d</Name>",
    "<Name>n%d\x7f</Name>",
    "<Name>n%d&#x85;</Name>",
    "<Name>n%d\xc2\x9f</Name>",
    "<Name><![CDATA[n%d\t]]></Name>",
};
static const char *const p_server[] = {
    "<Server>S%d</Server>",
    "<Server>\tS</Server>",
    "<Server/>",
    "<Server> </Server>",
    "<Server>S<b/></Server>",
    "<s:Server xmlns:s=\"u\"/>",
    "<Server> S%d </Server>",
    "<Server>S&#x9F;</Server>",
    "<Server>S\x7f</Server>",
};
static const char *const p_text[] = {
    "<Fqdn>mail%d.example</Fqdn>",
    "<Fqdn/>",
    "<Fqdn> </Fqdn>",
    "<Fqdn>x<!--c--></Fqdn>",
    "<Fqdn><![CDATA[a]]>b</Fqdn>",
    "<Fqdn>a<b/></Fqdn>",
    "<Fqdn a=\"b\">x</Fqdn>",
    "<TlsCertificateName>&lt;I&gt;CN=x&lt;S&gt;CN=y</TlsCertificateName>",
    "<TlsCertificateName/>",
    "<TlsCertificateName><x/></TlsCertificateName>",
    "<TransportRole>FrontendTransport</TransportRole>",
    "<TransportRole><r/></TransportRole>",
    "<AuthMechanism>Tls</AuthMechanism>",
    "<AuthMechanism/>",
    "<AuthMechanism>a<?p?>b</AuthMechanism>",
    "<Fqdn>a\rb</Fqdn>",
    "<Fqdn><![CDATA[a\rb]]></Fqdn>",
    "<TlsCertificateName><![CDATA[\r\n]]></TlsCertificateName>",
};
static const char *const p_bool[] = {
    "<AdvertiseClientSettings>true</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>FALSE</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>TrUe</AdvertiseClientSettings>",
    "<AdvertiseClientSettings> 1 </AdvertiseClientSettings>",
    "<AdvertiseClientSettings>0</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>\ntrue\t</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>&#13;false</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>tr<!---->ue</AdvertiseClientSettings>",
    "<AdvertiseClientSettings><![CDATA[true]]></AdvertiseClientSettings>",
    "<AdvertiseClientSettings>tru<![CDATA[e]]></AdvertiseClientSettings>",
    "<AdvertiseClientSettings a=\"1\">0</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>01</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>yes</AdvertiseClientSettings>",
    "<AdvertiseClientSettings/>",
    "<AdvertiseClientSettings>t rue</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>true&#160;</AdvertiseClientSettings>",
    "<AdvertiseClientSettings>true<x/></AdvertiseClientSettings>",
    "<AdvertiseClientSettings>truee</AdvertiseClientSettings>",
    "<a:AdvertiseClientSettings xmlns:a=\"u\">x</a:AdvertiseClientSettings>",
};
static const char *const p_bindings[] = {
    "<Bindings/>",
    "<Bindings><Binding>0.0.0.0:587</Binding><Binding/></Bindings>",
    "<Bindings> <!--c--> <?p?> </Bindings>",
    "<Bindings a=\"1\"><Binding a=\"2\">z</Binding></Bindings>",
    "<Bindings><Binding>a<!--c--></Binding></Bindings>",
    "<Bindings><![CDATA[ ]]></Bindings>",
    "<Bindings>x</Bindings>",
    "<Bindings><Other/></Bindings>",
    "<Bindings><Binding><x/></Binding></Bindings>",
    "<Bindings><b:Binding xmlns:b=\"u\"/></Bindings>",
    "<Bindings><![CDATA[x]]></Bindings>",
};
static const char *const p_foreign[] = {
    "<Enabled>true</Enabled>",
    "<Foo>bar<x a=\"1\">t<y/></x></Foo>",
    "<Foo/>",
    "<p:Fqdn xmlns:p=\"u\"><any/></p:Fqdn>",
    "<name>lower</name>",
    "<Binding>loose</Binding>",
    "<ReceiveConnector><Name>inner</Name></ReceiveConnector>",
    "<x:Bindings xmlns:x=\"u\">t</x:Bindings>",
};
/* A send connector's own elements, and a receive connector's caps. */
static const char *const p_send[] = {
    "<CloudServicesMailEnabled>true</CloudServicesMailEnabled>",
    "<CloudServicesMailEnabled> 0 </CloudServicesMailEnabled>",
    "<RequireTLS>TRUE</RequireTLS>",
    "<Enabled>false</Enabled>",
    "<TlsDomain>mail.protection.outlook.com</TlsDomain>",
    "<TlsAuthLevel>DomainValidation</TlsAuthLevel>",
    "<SmartHosts>a.example, b.example</SmartHosts>",
    "<SmartHosts><V>a</V> <V>b<!--c--></V></SmartHosts>",
    "<AddressSpaces><A>smtp:*;1</A></AddressSpaces>",
    "<SourceTransportServers>EX01</SourceTransportServers>",
    "<TlsDomain/>",
    "<RequireTLS>yes</RequireTLS>",
    "<Enabled/>",
    "<CloudServicesMailEnabled>t<x/></CloudServicesMailEnabled>",
    "<SmartHosts><V><deep/></V></SmartHosts>",
    "<TlsDomain>a<b/></TlsDomain>",
    "<Server>S</Server>",
    "<AdvertiseClientSettings>true</AdvertiseClientSettings>",
    "<Bindings><Binding>0.0.0.0:25</Binding></Bindings>",
};
static const char *const p_caps[] = {
    "<TlsDomainCapabilities>mail.protection.outlook.com:"
    "AcceptCloudServicesMail</TlsDomainCapabilities>",
    "<TlsDomainCapabilities><V>a:b</V><V a=\"1\">c<!--x-->d</V>"
    "</TlsDomainCapabilities>",
    "<TlsDomainCapabilities/>",
    "<TlsDomainCapabilities> x <![CDATA[y]]><V>z</V></TlsDomainCapabilities>",
    "<TlsDomainCapabilities><V><w/></V></TlsDomainCapabilities>",
    "<CloudServicesMailEnabled>maybe</CloudServicesMailEnabled>",
};
static const char *const p_fill[] = {
    "",
    "",
    "\n    ",
    " ",
    "<!-- c -->",
    "<?pi data?>",
    "<![CDATA[ ]]>",
    "&#32;",
    "\r\n",
    "text",
    "<![CDATA[x]]>",
    "&#160;",
};
static const char *const p_attr[] = {
    "", "", " a=\"1\"", " xmlns:q=\"u\" q:b=\"2\"", " xml:lang=\"en\""};

/* Appends piece to buf, its "%d" (if any) replaced by k. */
static void
add(char *buf, size_t cap, size_t *len, const char *piece, int k)
{
	const char *d = strstr(piece, "%d");
	size_t	    pre = d != NULL ? (size_t)(d - piece) : strlen(piece);
	int	    n;

	assert_true(pre < cap - *len);
	memcpy(buf + *len, piece, pre);
	*len += pre;
	buf[*len] = '\0';
	if (d == NULL)
		return;
	n = snprintf(buf + *len, cap - *len, "%d%s", k, d + 2);
	assert_true(n >= 0 && (size_t)n < cap - *len);
	*len += (size_t)n;
}

/* Fill pieces are mostly white space; text is the rare refusal. */
static const char *
fill(void)
{
	return rnd(8) == 0 ? PICK(p_fill) : p_fill[rnd(5)];
}

/* One generated document; connector k's pieces in random order. */
static size_t
gen_doc(char *buf, size_t cap)
{
	const char *piece[16];
	size_t	    len = 0, np, i, j;
	int	    k, nconn, mixed, send;
	const char *t, *root, *elem;

	if (rnd(2))
		add(buf, cap, &len, "<?xml version=\"1.0\"?>\n", 0);
	/* <Connectors> half the time; a SendConnector under
	 * <ReceiveConnectors> now and then, which the schema refuses. */
	mixed = (int)rnd(2);
	root = mixed ? "Connectors" : "ReceiveConnectors";
	add(buf, cap, &len, "<", 0);
	add(buf, cap, &len, root, 0);
	add(buf, cap, &len, PICK(p_attr), 0);
	add(buf, cap, &len, ">", 0);
	nconn = (int)rnd(4);
	for (k = 0; k < nconn; k++) {
		send = mixed ? rnd(2) == 0 : rnd(40) == 0;
		elem = send ? "SendConnector" : "ReceiveConnector";
		add(buf, cap, &len, fill(), k);
		add(buf, cap, &len, "<", k);
		add(buf, cap, &len, elem, k);
		add(buf, cap, &len, PICK(p_attr), k);
		add(buf, cap, &len, ">", k);
		np = 0;
		/* Usually one good Name; sometimes none, a bad one, or two. */
		i = rnd(10);
		if (i < 6)
			piece[np++] = p_name[rnd(10)];
		else if (i < 9)
			piece[np++] = PICK(p_name);
		else if (i == 9) {
			piece[np++] = p_name[0];
			piece[np++] = PICK(p_name);
		}
		if (!send && rnd(2))
			piece[np++] = rnd(3) ? p_server[0] : PICK(p_server);
		for (i = rnd(4); i > 0; i--)
			piece[np++] = rnd(3) ? p_text[rnd(3)] : PICK(p_text);
		if (!send && rnd(2))
			piece[np++] = rnd(2) ? p_bool[rnd(11)] : PICK(p_bool);
		if (!send && rnd(3) == 0)
			piece[np++] =
			    rnd(2) ? p_bindings[rnd(6)] : PICK(p_bindings);
		if (!send && rnd(4) == 0)
			piece[np++] = rnd(2) ? p_caps[rnd(2)] : PICK(p_caps);
		/* Mostly what a send connector may hold, each once. */
		for (i = send ? rnd(4) : 0; i > 0; i--)
			piece[np++] = rnd(5) ? p_send[rnd(10)] : PICK(p_send);
		for (i = rnd(3); i > 0 && np < 16; i--)
			piece[np++] = PICK(p_foreign);
		for (i = np; i > 1; i--) {
			j = rnd((unsigned int)i);
			t = piece[i - 1];
			piece[i - 1] = piece[j];
			piece[j] = t;
		}
		for (i = 0; i < np; i++) {
			add(buf, cap, &len, fill(), k);
			add(buf, cap, &len, piece[i], k);
		}
		add(buf, cap, &len, fill(), k);
		add(buf, cap, &len, "</", k);
		add(buf, cap, &len, elem, k);
		add(buf, cap, &len, ">", k);
	}
	add(buf, cap, &len, fill(), 0);
	add(buf, cap, &len, "</", 0);
	add(buf, cap, &len, root, 0);
	add(buf, cap, &len, ">\n", 0);
	return len;
}

/*
 * Generated documents: every one the load accepts or refuses as the
 * oracle does, and both verdicts frequent, or the test proves little.
 */
static void
test_matches_oracle(void **state)
{
	char   buf[16384], label[32];
	size_t len;
	int    i, nok = 0, nbad = 0;

	for (i = 0; i < 4000; i++) {
		len = gen_doc(buf, sizeof(buf));
		snprintf(label, sizeof(label), "gen-%d.xml", i);
		if (against_oracle(label, buf, len))
			nok++;
		else
			nbad++;
	}
	print_message("# generated: %d accepted, %d refused\n", nok, nbad);
	assert_true(nok > 800 && nbad > 800);
}

/*
 * libxml2's reader hands the input to its parser in small pieces (512
 * bytes in 2.9).  A comment before the root moves these documents over
 * every offset of a 1 KiB window, so a piece boundary falls inside
 * multi-byte characters, CR LF pairs, references, CDATA sections,
 * comments, tags and attribute values.  Every position must load and
 * read what the oracle reads.
 */
static void
test_piece_boundaries(void **state)
{
	static const char *const docs[] = {
	    "<ReceiveConnectors a='1'>\r\n"
	    "  <ReceiveConnector Note=\"a &gt; b\">\r\n"
	    "    <Server>\xce\xa0\xce\x9f\xce\xa3</Server>\r\n"
	    "    <Name>Client \xe2\x82\xac \xf0\x9f\x98\x80 &amp; "
	    "&#x1F600;&#233;</Name>\r\n"
	    "    <!-- a comment \xc3\x96 -->\r\n"
	    "    <Fqdn><![CDATA[mail.\xc3\xa9xample.com\r\n]]></Fqdn>\r\n"
	    "    <TlsCertificateName>&lt;I&gt;CN=Caf\xc3\xa9\r\n"
	    "CA&lt;S&gt;CN=x&#13;</TlsCertificateName>\r\n"
	    "    <?pi \xe2\x80\x94 data?>\r\n"
	    "    <AdvertiseClientSettings>\r\n TRUE\r\n"
	    "</AdvertiseClientSettings>\r\n"
	    "    <Bindings><Binding>[::]:587</Binding></Bindings>\r\n"
	    "  </ReceiveConnector>\r\n"
	    "</ReceiveConnectors>\r\n",
	    "<ReceiveConnectors>\n"
	    "<ReceiveConnector><Name>a</Name><TlsCertificateName>a\rb"
	    "<![CDATA[c\rd\r\ne\n\r]]></TlsCertificateName><Foo "
	    "x=\"\xe2\x82\xac\">"
	    "<![CDATA[<not a tag> ]] > \xf0\x90\x8d\x88]]></Foo>"
	    "<Fqdn/></ReceiveConnector>\n"
	    "<ReceiveConnector><Name><![CDATA[b]]>&#x20AC;</Name>"
	    "<AdvertiseClientSettings>0</AdvertiseClientSettings>"
	    "</ReceiveConnector><!-- end -->\n"
	    "</ReceiveConnectors>",
	};
	char  *buf, label[48];
	size_t d, pad, len;

	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		len = strlen(docs[d]);
		assert_non_null(buf = malloc(1024 + 8 + len));
		for (pad = 7; pad < 1024 + 7; pad++) {
			memcpy(buf, "<!--", 4);
			memset(buf + 4, 'x', pad - 7);
			memcpy(buf + pad - 3, "-->", 3);
			memcpy(buf + pad, docs[d], len);
			snprintf(label, sizeof(label), "doc-%zu-pad-%zu.xml", d,
				 pad);
			if (!against_oracle(label, buf, pad + len))
				fail_msg("%s: did not load", label);
		}
		free(buf);
	}
}

/* The same over the test files and the fuzzing corpus. */
static void
test_files_match_oracle(void **state)
{
	const char *const dirs[] = {DATA, "tests/fuzz/corpus/conn/"};
	char		  path[512];
	struct dirent	 *de;
	DIR		 *d;
	char		 *buf;
	size_t		  len, i;
	int		  n = 0;

	for (i = 0; i < 2; i++) {
		assert_non_null(d = opendir(dirs[i]));
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s%s", dirs[i],
				 de->d_name);
			buf = slurp(path, &len);
			(void)against_oracle(path, buf, len);
			free(buf);
			n++;
		}
		closedir(d);
	}
	assert_true(n >= 30);
}

static int
teardown_all(void **state)
{
	xmlRelaxNGFree(oracle_schema);
	xmlCleanupParser();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_good),
	    cmocka_unit_test(test_offers_tls),
	    cmocka_unit_test(test_default_hub),
	    cmocka_unit_test(test_load_empty_root),
	    cmocka_unit_test(test_refuse_xxe),
	    cmocka_unit_test(test_refuse_bomb),
	    cmocka_unit_test(test_refuse_network_dtd),
	    cmocka_unit_test(test_refuse_malformed),
	    cmocka_unit_test(test_refuse_missing_name),
	    cmocka_unit_test(test_refuse_bool),
	    cmocka_unit_test(test_refuse_twice),
	    cmocka_unit_test(test_refuse_duplicates),
	    cmocka_unit_test(test_refuse_duplicates_case),
	    cmocka_unit_test(test_refuse_nul),
	    cmocka_unit_test(test_refuse_raw_nul),
	    cmocka_unit_test(test_refuse_nul_after_root),
	    cmocka_unit_test(test_apply_no_connectors),
	    cmocka_unit_test(test_refuse_latin1),
	    cmocka_unit_test(test_refuse_utf16),
	    cmocka_unit_test(test_refuse_overlong_cdata),
	    cmocka_unit_test(test_refuse_control),
	    cmocka_unit_test(test_control_edges),
	    cmocka_unit_test(test_refuse_wrong_root),
	    cmocka_unit_test(test_refuse_text),
	    cmocka_unit_test(test_refuse_not_regular),
	    cmocka_unit_test(test_refuse_deep),
	    cmocka_unit_test(test_errors_capped),
	    cmocka_unit_test(test_casecmp),
	    cmocka_unit_test(test_glob),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_edit_lf),
	    cmocka_unit_test(test_edit_crlf),
	    cmocka_unit_test(test_edit_nothing),
	    cmocka_unit_test(test_edit_refuses_control),
	    cmocka_unit_test(test_edit_add_all),
	    cmocka_unit_test(test_load_mixed),
	    cmocka_unit_test(test_refuse_send),
	    cmocka_unit_test(test_duplicates_per_kind),
	    cmocka_unit_test(test_edit_send),
	    cmocka_unit_test(test_edit_refuses_advertise_send),
	    cmocka_unit_test(test_diff_simple),
	    cmocka_unit_test(test_diff_random),
	    cmocka_unit_test(test_diff_patch),
	    cmocka_unit_test(test_diff_large),
	    cmocka_unit_test(test_matches_oracle),
	    cmocka_unit_test(test_piece_boundaries),
	    cmocka_unit_test(test_files_match_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
