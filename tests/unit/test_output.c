/*
 * test_output: the table, list and JSON writers (certbind(1) OUTPUT).  Expected
 * outputs are written from the rules in output.h; JSON is checked by
 * Python's json module as an independent parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "output.h"
#include "safe.h"

/* Renders items (or one value) in fmt; the caller frees the result. */
static char *
render(enum out_format fmt, const char *const *cols, struct ov **items,
       size_t n, int as_value)
{
	struct out *o;
	char	   *buf = NULL;
	size_t	    len = 0, i;
	FILE	   *fp;

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	o = out_open(fp, fmt, cols);
	assert_non_null(o);
	for (i = 0; i < n; i++)
		assert_int_equal(as_value ? out_value(o, items[i])
					  : out_item(o, items[i]),
				 0);
	assert_int_equal(out_close(o), 0);
	fclose(fp);
	for (i = 0; i < n; i++)
		ov_free(items[i]);
	return buf;
}

static struct ov *
strings(const char *first, ...)
{
	struct ov  *a = ov_new_array();
	va_list	    ap;
	const char *s;

	assert_non_null(a);
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		assert_int_equal(ov_push_str(a, s, strlen(s)), 0);
	va_end(ap);
	return a;
}

static struct ov *
cert(const char *tp, struct ov *services, const char *na, const char *subj)
{
	struct ov *o = ov_new_object();

	assert_non_null(o);
	assert_int_equal(ov_add_cstr(o, "Thumbprint", tp), 0);
	assert_int_equal(ov_add(o, "Services", services), 0);
	assert_int_equal(ov_add_cstr(o, "NotAfter", na), 0);
	assert_int_equal(ov_add_cstr(o, "Subject", subj), 0);
	return o;
}

static const char *const list_cols[] = {"Thumbprint", "Services", "NotAfter",
					"Subject", NULL};

static void
test_table_basic(void **state)
{
	struct ov *it[2];
	char	  *s;

	(void)state;
	it[0] = cert("3A1B", strings("SMTP", "IMAP", (char *)NULL),
		     "2027-01-01T00:00:00Z", "CN=mail.contoso.com");
	it[1] = cert("FFEE00112233", strings(NULL), "2026-05-01T00:00:00Z",
		     "CN=\xC3\xA9t\xC3\xA9");
	s = render(OUT_TABLE, list_cols, it, 2, 0);
	assert_string_equal(
	    s, "Thumbprint    Services      NotAfter              Subject\n"
	       "----------    --------      --------              -------\n"
	       "3A1B          {SMTP, IMAP}  2027-01-01T00:00:00Z  "
	       "CN=mail.contoso.com\n"
	       "FFEE00112233  {}            2026-05-01T00:00:00Z  "
	       "CN=\xC3\xA9t\xC3\xA9\n");
	free(s);
}

/* Scalars, missing members, empty cells, widths of escaped and UTF-8. */
static void
test_table_cells(void **state)
{
	static const char *const cols[] = {"A", "Bool", "N", "Last", NULL};
	struct ov		*it[3], *inner, *arr;
	char			*s;

	(void)state;
	it[0] = ov_new_object();
	ov_add_cstr(it[0], "A", "\xC3\xA9\xC3\xA9\xC3\xA9");
	ov_add_bool(it[0], "Bool", 1);
	ov_add_int(it[0], "N", -42);
	ov_add_null(it[0], "Last");
	it[1] = ov_new_object();
	ov_add_str(it[1], "A", "a\tb", 3);
	ov_add_bool(it[1], "Bool", 0);
	ov_add_cstr(it[1], "Extra", "not shown");
	ov_add_cstr(it[1], "Last", "x");
	it[2] = ov_new_object();
	inner = ov_new_object();
	ov_add_cstr(inner, "K", "v");
	ov_add_int(inner, "K2", 2);
	arr = ov_new_array();
	ov_push(arr, inner);
	ov_push_str(arr, "s", 1);
	ov_add(it[2], "Last", arr);
	ov_add_int(it[2], "N", 1234567);
	s = render(OUT_TABLE, cols, it, 3, 0);
	assert_string_equal(s, "A     Bool   N        Last\n"
			       "-     ----   -        ----\n"
			       "\xC3\xA9\xC3\xA9\xC3\xA9   True   -42\n"
			       "a\\tb  False           x\n"
			       "             1234567  {{K=v; K2=2}, s}\n");
	free(s);
}

static void
test_table_empty(void **state)
{
	char *s;

	(void)state;
	s = render(OUT_TABLE, list_cols, NULL, 0, 0);
	assert_string_equal(s, "");
	free(s);
}

/* Without columns a table shows the first object's members. */
static void
test_table_default_cols(void **state)
{
	struct ov *it[1];
	char	  *s;

	(void)state;
	it[0] = ov_new_object();
	ov_add_cstr(it[0], "Identity", "MAILBOX01\\Client Frontend");
	ov_add_bool(it[0], "AdvertiseClientSettings", 0);
	s = render(OUT_TABLE, NULL, it, 1, 1);
	assert_string_equal(
	    s, "Identity                   AdvertiseClientSettings\n"
	       "--------                   -----------------------\n"
	       "MAILBOX01\\Client Frontend  False\n");
	free(s);
}

static struct ov *
check_obj(const char *name, const char *result, const char *detail)
{
	struct ov *c = ov_new_object();

	ov_add_cstr(c, "Name", name);
	ov_add_cstr(c, "Result", result);
	ov_add_cstr(c, "Detail", detail);
	return c;
}

static struct ov *
check_result(void)
{
	struct ov *o = ov_new_object(), *checks = ov_new_array();

	ov_add_cstr(o, "Thumbprint", "3A1B");
	ov_add_cstr(o, "Fqdn", "mail.contoso.com");
	ov_add_cstr(o, "Result", "Fail");
	ov_push(checks,
		check_obj("Domain", "Pass", "matched mail.contoso.com"));
	ov_push(checks, check_obj("Validity", "Fail",
				  "expired on 2025-01-01T00:00:00Z"));
	ov_add(o, "Checks", checks);
	return o;
}

static void
test_list_check(void **state)
{
	struct ov *it[1];
	char	  *s;

	(void)state;
	it[0] = check_result();
	s = render(OUT_LIST, NULL, it, 1, 1);
	assert_string_equal(
	    s, "Thumbprint : 3A1B\n"
	       "Fqdn       : mail.contoso.com\n"
	       "Result     : Fail\n"
	       "\n"
	       "  Name      Result  Detail\n"
	       "  ----      ------  ------\n"
	       "  Domain    Pass    matched mail.contoso.com\n"
	       "  Validity  Fail    expired on 2025-01-01T00:00:00Z\n");
	free(s);
}

/* Several objects, one blank line apart; empty values; nested values. */
static void
test_list_many(void **state)
{
	struct ov *it[4], *nested, *tb;
	char	  *s;

	(void)state;
	it[0] = cert("3A1B", strings("SMTP", "IMAP", (char *)NULL),
		     "2027-01-01T00:00:00Z", "CN=a");
	it[1] = ov_new_object();
	it[2] = ov_new_object();
	ov_add_null(it[2], "Path");
	ov_add_cstr(it[2], "Empty", "");
	ov_add(it[2], "None", ov_new_array());
	nested = ov_new_object();
	ov_add_cstr(nested, "Key", "value");
	ov_add_bool(nested, "Key2", 1);
	ov_add(it[2], "KeyInfo", nested);
	ov_add_int(it[2], "KeySize", 4096);
	it[3] = ov_new_object();
	tb = ov_new_array();
	ov_push(tb, check_obj("Key", "Warn", NULL));
	ov_push(tb, check_obj("Chain", "Pass", "ok"));
	ov_add(it[3], "Checks", tb);
	tb = ov_new_array();
	nested = ov_new_object();
	ov_add_cstr(nested, "Field", "Fqdn");
	ov_add_cstr(nested, "Old", "a");
	ov_add_cstr(nested, "New", "b");
	ov_push(tb, nested);
	nested = ov_new_object();
	ov_add_cstr(nested, "Field", "AdvertiseClientSettings");
	ov_add_cstr(nested, "New", "true");
	ov_add_cstr(nested, "Note", "added");
	ov_push(tb, nested);
	ov_add(it[3], "Changes", tb);
	s = render(OUT_LIST, NULL, it, 4, 0);
	assert_string_equal(s, "Thumbprint : 3A1B\n"
			       "Services   : {SMTP, IMAP}\n"
			       "NotAfter   : 2027-01-01T00:00:00Z\n"
			       "Subject    : CN=a\n"
			       "\n"
			       "Path    :\n"
			       "Empty   :\n"
			       "None    : {}\n"
			       "KeyInfo : {Key=value; Key2=True}\n"
			       "KeySize : 4096\n"
			       "\n"
			       "  Name   Result  Detail\n"
			       "  ----   ------  ------\n"
			       "  Key    Warn\n"
			       "  Chain  Pass    ok\n"
			       "\n"
			       "  Field                    Old  New   Note\n"
			       "  -----                    ---  ---   ----\n"
			       "  Fqdn                     a    b\n"
			       "  AdvertiseClientSettings       true  added\n");
	free(s);
}

static void
test_json_items(void **state)
{
	struct ov *it[2];
	char	  *s;

	(void)state;
	it[0] = ov_new_object();
	ov_add_cstr(it[0], "Thumbprint", "3A1B");
	ov_add(it[0], "Services", strings("SMTP", "IMAP", (char *)NULL));
	ov_add(it[0], "Empty", ov_new_array());
	ov_add(it[0], "Obj", ov_new_object());
	ov_add_bool(it[0], "HasPrivateKey", 1);
	ov_add_bool(it[0], "IsSelfSigned", 0);
	ov_add_int(it[0], "KeySize", 2048);
	ov_add_int(it[0], "Min", -9223372036854775807LL - 1);
	ov_add_cstr(it[0], "Path", NULL);
	it[1] = ov_new_object();
	ov_add_cstr(it[1], "Thumbprint", "FF");
	s = render(OUT_JSON, list_cols, it, 2, 0);
	assert_string_equal(s, "[\n"
			       "  {\n"
			       "    \"Thumbprint\": \"3A1B\",\n"
			       "    \"Services\": [\n"
			       "      \"SMTP\",\n"
			       "      \"IMAP\"\n"
			       "    ],\n"
			       "    \"Empty\": [],\n"
			       "    \"Obj\": {},\n"
			       "    \"HasPrivateKey\": true,\n"
			       "    \"IsSelfSigned\": false,\n"
			       "    \"KeySize\": 2048,\n"
			       "    \"Min\": -9223372036854775808,\n"
			       "    \"Path\": null\n"
			       "  },\n"
			       "  {\n"
			       "    \"Thumbprint\": \"FF\"\n"
			       "  }\n"
			       "]\n");
	free(s);
}

static void
test_json_empty(void **state)
{
	char *s;

	(void)state;
	s = render(OUT_JSON, NULL, NULL, 0, 0);
	assert_string_equal(s, "[]\n");
	free(s);
	s = render(OUT_LIST, NULL, NULL, 0, 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_json_value(void **state)
{
	struct ov *it[1];
	char	  *s;

	(void)state;
	it[0] = check_result();
	s = render(OUT_JSON, NULL, it, 1, 1);
	assert_string_equal(
	    s, "{\n"
	       "  \"Thumbprint\": \"3A1B\",\n"
	       "  \"Fqdn\": \"mail.contoso.com\",\n"
	       "  \"Result\": \"Fail\",\n"
	       "  \"Checks\": [\n"
	       "    {\n"
	       "      \"Name\": \"Domain\",\n"
	       "      \"Result\": \"Pass\",\n"
	       "      \"Detail\": \"matched mail.contoso.com\"\n"
	       "    },\n"
	       "    {\n"
	       "      \"Name\": \"Validity\",\n"
	       "      \"Result\": \"Fail\",\n"
	       "      \"Detail\": \"expired on 2025-01-01T00:00:00Z\"\n"
	       "    }\n"
	       "  ]\n"
	       "}\n");
	free(s);
}

/* {"Name": "Usage", "Detail": "serverAuth"} */
static struct ov *
usage_check(void)
{
	struct ov *o;

	assert_non_null(o = ov_new_object());
	assert_int_equal(ov_add_cstr(o, "Name", "Usage"), 0);
	assert_int_equal(ov_add_cstr(o, "Detail", "serverAuth"), 0);
	return o;
}

/* {"Id": "c", "Checks": [one, two]} */
static struct ov *
conn_item(struct ov *one, struct ov *two)
{
	struct ov *o, *arr;

	assert_non_null(arr = ov_new_array());
	assert_int_equal(ov_push(arr, one), 0);
	assert_int_equal(ov_push(arr, two), 0);
	assert_non_null(o = ov_new_object());
	assert_int_equal(ov_add_cstr(o, "Id", "c"), 0);
	assert_int_equal(ov_add(o, "Checks", arr), 0);
	return o;
}

/*
 * A value shared (ov_share) by two trees, twice in each, renders as
 * copies would in every format, and is freed once, by the last ov_free
 * (ASan and valgrind see a double free or a leak).
 */
static void
test_shared(void **state)
{
	static const enum out_format fmts[] = {OUT_JSON, OUT_LIST, OUT_TABLE};
	struct ov		    *sh, *a[2], *b[2];
	char			    *x, *y;
	size_t			     f, i;

	(void)state;
	for (f = 0; f < 3; f++) {
		sh = usage_check();
		for (i = 0; i < 2; i++) {
			a[i] = conn_item(ov_share(sh), ov_share(sh));
			b[i] = conn_item(usage_check(), usage_check());
		}
		ov_free(sh); /* the trees still hold it */
		x = render(fmts[f], NULL, a, 2, 0);
		y = render(fmts[f], NULL, b, 2, 0);
		assert_string_equal(x, y);
		assert_non_null(strstr(x, "serverAuth"));
		free(x);
		free(y);
	}
}

static void
test_json_escapes(void **state)
{
	static const char in[] =
	    "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f"
	    "\xC2\x80\xC2\x9F\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9\xE2\x80\xAE"
	    "\xE2\x81\xA6\xE2\x82\xAC\xF0\x9F\x94\x92"
	    "\xFF|\xC0\xAF|\xE2\x80|\xED\xA0\x80|\xF4\x90\x80\x80|\xE2";
	struct ov *it[1];
	char	  *s;

	(void)state;
	it[0] = ov_new_object();
	ov_add_str(it[0], "S", in, sizeof(in) - 1);
	ov_add_str(it[0], "Nul", "a\0b", 3);
	s = render(OUT_JSON, NULL, it, 1, 1);
	assert_string_equal(
	    s, "{\n"
	       "  \"S\": \"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f"
	       "\\u0080\\u009f\xC2\xA0\\u2028\\u2029\\u202e"
	       "\\u2066\xE2\x82\xAC\xF0\x9F\x94\x92"
	       "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD|"
	       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
	       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
	       "\xEF\xBF\xBD\",\n"
	       "  \"Nul\": \"a\\u0000b\"\n"
	       "}\n");
	free(s);
}

/* Strings no terminal should see raw, and no decoder should reject. */
struct hostile {
	char   s[300];
	size_t len;
};

static size_t
hostile_set(struct hostile *h)
{
	static const char *const fixed[] = {
	    "\xE2\x80\xA8line\xE2\x80\xA9sep",
	    "\xE2\x80\xAEtxt.exe\xE2\x81\xA6\xE2\x81\xA9",
	    "\x1b]0;title\x07\x1b[2J\x9b"
	    "31m",
	    "\xC2\x9B"
	    "31m\xC2\x85nel",
	    "\xC0\x80\xC1\xBF\xE0\x80\x80\xED\xBF\xBF\xF8\x88\x80\x80\x80",
	    "\xF0\x90\x80\xE2\x82\xF4\x90\x80\x80\xFE\xFF",
	    "trunc\xF0\x9F\x94",
	    "\"},{\"injected\":true,\"x\":\"",
	};
	size_t i, n = 0;
	int    b;

	for (b = 0; b < 256; b++)
		h[n].s[b] = (char)b;
	h[n++].len = 256;
	for (b = 0; b < 128; b++) {
		h[n].s[2 * b] = (char)(0x80 + b);
		h[n].s[2 * b + 1] = 'a';
	}
	h[n++].len = 256;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		h[n].len = strlen(fixed[i]);
		memcpy(h[n++].s, fixed[i], strlen(fixed[i]));
	}
	memcpy(h[n].s, "nul\0inside", 10);
	h[n++].len = 10;
	return n;
}

static char *
hexstr(const char *s, size_t len)
{
	char  *h = malloc(2 * len + 1);
	size_t i;

	assert_non_null(h);
	h[0] = '\0';
	for (i = 0; i < len; i++)
		snprintf(h + 2 * i, 3, "%02x", (unsigned char)s[i]);
	return h;
}

static int
have_python(void)
{
	return system("python3 -c 'import json' >/dev/null 2>&1") == 0;
}

/*
 * Python decodes the document strictly (any invalid UTF-8 fails) and
 * checks that the value equals the raw bytes decoded with U+FFFD
 * replacement.
 */
static void
test_json_oracle(void **state)
{
	static const char py[] =
	    "import json,sys\n"
	    "d=json.loads(open(sys.argv[1],'rb').read().decode('utf-8'))\n"
	    "for i,h in enumerate(sys.argv[2:]):\n"
	    "  want=bytes.fromhex(h).decode('utf-8','replace')\n"
	    "  if d[i]['S']!=want or d[i]['K']!=i or list(d[i])!=['S','K']:\n"
	    "    print('# mismatch',i,ascii(d[i]['S']),ascii(want))\n"
	    "    sys.exit(1)\n"
	    "sys.exit(0 if len(d)==len(sys.argv)-2 else 1)\n";
	struct hostile h[16];
	struct ov     *it[16];
	char	       path[] = "/tmp/test_output.XXXXXX", *cmd, *hex;
	size_t	       n, i, cl;
	FILE	      *fp, *pf;
	struct out    *o;
	int	       fd;

	(void)state;
	if (!have_python())
		skip();
	n = hostile_set(h);
	for (i = 0; i < n; i++) {
		it[i] = ov_new_object();
		assert_int_equal(ov_add_str(it[i], "S", h[i].s, h[i].len), 0);
		assert_int_equal(ov_add_int(it[i], "K", (long long)i), 0);
	}
	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	o = out_open(fp, OUT_JSON, NULL);
	for (i = 0; i < n; i++)
		assert_int_equal(out_item(o, it[i]), 0);
	assert_int_equal(out_close(o), 0);
	fclose(fp);

	cl = sizeof(py) + sizeof(path) + 64;
	for (i = 0; i < n; i++)
		cl += 2 * h[i].len + 1;
	cmd = malloc(cl);
	assert_non_null(cmd);
	snprintf(cmd, cl, "python3 - %s", path);
	for (i = 0; i < n; i++) {
		hex = hexstr(h[i].s, h[i].len);
		strcat(cmd, " ");
		strcat(cmd, hex[0] != '\0' ? hex : "''");
		free(hex);
	}
	pf = popen(cmd, "w");
	assert_non_null(pf);
	fputs(py, pf);
	assert_int_equal(pclose(pf), 0);
	free(cmd);
	unlink(path);
	for (i = 0; i < n; i++)
		ov_free(it[i]);
}

/* No raw control, DEL, C1 or bidi override; the text is valid UTF-8. */
static void
assert_terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x20 && p[i] != '\n')
			fail_msg("byte 0x%02x at %zu", p[i], i);
		if (p[i] == 0x7f || p[i] >= 0xf5 || p[i] == 0xc0 ||
		    p[i] == 0xc1)
			fail_msg("byte 0x%02x at %zu", p[i], i);
		if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			fail_msg("C1 control at %zu", i);
		if (p[i] == 0xe2 && p[i + 1] == 0x80 && p[i + 2] >= 0xaa &&
		    p[i + 2] <= 0xae)
			fail_msg("bidi override at %zu", i);
		if (p[i] == 0xe2 && p[i + 1] == 0x81 && p[i + 2] >= 0xa6 &&
		    p[i + 2] <= 0xa9)
			fail_msg("bidi isolate at %zu", i);
	}
}

static void
test_hostile_terminal(void **state)
{
	static const char *const cols[] = {"S", "Arr", NULL};
	struct hostile		 h[16];
	struct ov		*it[16], *ch, *arr;
	enum out_format		 fmt;
	char			*s;
	size_t			 n, i;

	(void)state;
	n = hostile_set(h);
	for (fmt = OUT_TABLE; fmt <= OUT_JSON; fmt++) {
		for (i = 0; i < n; i++) {
			it[i] = ov_new_object();
			ov_add_str(it[i], "S", h[i].s, h[i].len);
			arr = ov_new_array();
			ov_push_str(arr, h[i].s, h[i].len);
			ov_add(it[i], "Arr", arr);
			arr = ov_new_array();
			ch = ov_new_object();
			ov_add_str(ch, "Detail", h[i].s, h[i].len);
			ov_push(arr, ch);
			ov_add(it[i], "Checks", arr);
		}
		s = render(fmt, cols, it, n, 0);
		assert_true(strlen(s) > 256);
		assert_terminal_safe(s);
		free(s);
	}
}

/* What safe_fputs_lines writes for (s, len), and how many it escaped. */
static char *
lines(const char *s, size_t len, size_t *nesc)
{
	char  *buf = NULL;
	size_t blen = 0;
	FILE  *fp;

	fp = open_memstream(&buf, &blen);
	assert_non_null(fp);
	*nesc = 0;
	assert_int_equal(safe_fputs_lines(s, len, fp, nesc), 0);
	fclose(fp);
	return buf;
}

/*
 * A --dry-run diff: lines of ordinary text come out exactly (tabs,
 * CRLF, UTF-8, backslashes), so patch(1) applies them; everything
 * safe_escape escapes is escaped, but for the newline, the tab and a CR
 * before a newline.
 */
static void
test_diff_lines(void **state)
{
	static const char plain[] =
	    "--- a/c.xml\n+++ b/c.xml\n@@ -1,3 +1,3 @@\n"
	    " <A>\tcaf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92 EX1\\Name</A>\r\n"
	    "-<Fqdn>a</Fqdn>\r\n"
	    "+<Fqdn>b</Fqdn>\r\n"
	    "\\ No newline at end of file\n";
	static const char hostile[] =
	    " <!-- \x1b[31m\x07\x7f \xC2\x85\xC2\x9B \xE2\x80\xAE\xE2\x81\xA6"
	    " a\rb \xFF\xFE \xE2\x82 \xEF\xBF\xBE -->\n"
	    "+end\r";
	static const char want[] =
	    " <!-- \\x1B[31m\\x07\\x7F \\u{0085}\\u{009B} \\u{202E}\\u{2066}"
	    " a\\rb \\xFF\\xFE \\xE2\\x82 \\u{FFFE} -->\n"
	    "+end\\r";
	size_t n;
	char  *s;

	(void)state;
	s = lines(plain, sizeof(plain) - 1, &n);
	assert_string_equal(s, plain);
	assert_int_equal(n, 0);
	free(s);
	s = lines(hostile, sizeof(hostile) - 1, &n);
	assert_string_equal(s, want);
	assert_int_equal(n, 14);
	free(s);
}

/* s with XML's markup characters escaped. */
static void
put_markup(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputc(*s, fp);
			break;
		}
	}
}

/*
 * JUnit text is safe_escape's form: U+FFFE and U+FFFF (which XML 1.0
 * forbids) are escaped too.  xmllint, when installed, checks that a
 * document of every hostile string is well-formed.
 */
static void
test_escape_xml(void **state)
{
	static const char nonchar[] = "a\xEF\xBF\xBE\xEF\xBF\xBF"
				      "b\xEF\xBF\xBD\xF4\x8F\xBF\xBF";
	struct hostile	  h[17];
	char		  path[] = "/tmp/test_output.XXXXXX", cmd[128];
	char		 *x;
	size_t		  n, i;
	FILE		 *fp;
	int		  fd;

	(void)state;
	x = safe_escape(nonchar, sizeof(nonchar) - 1, NULL);
	assert_string_equal(x,
			    "a\\u{FFFE}\\u{FFFF}b\xEF\xBF\xBD\xF4\x8F\xBF\xBF");
	free(x);

	n = hostile_set(h);
	memcpy(h[n].s, nonchar, sizeof(nonchar) - 1);
	h[n++].len = sizeof(nonchar) - 1;
	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n", fp);
	for (i = 0; i < n; i++) {
		x = safe_escape(h[i].s, h[i].len, NULL);
		assert_non_null(x);
		assert_terminal_safe(x);
		assert_null(strstr(x, "\xEF\xBF\xBE"));
		assert_null(strstr(x, "\xEF\xBF\xBF"));
		/* The markup, as libxml2's writer escapes it for validate. */
		fputs("<e a=\"", fp);
		put_markup(fp, x);
		fputs("\">", fp);
		put_markup(fp, x);
		fputs("</e>\n", fp);
		free(x);
	}
	fputs("</r>\n", fp);
	fclose(fp);
	if (system("xmllint --version >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
		assert_int_equal(system(cmd), 0);
	}
	unlink(path);
}

/* What a JSON run prints when its command stops early. */
static void
test_json_stopped(void **state)
{
	char  *buf = NULL;
	size_t len = 0;
	FILE  *fp;

	(void)state;
	fp = open_memstream(&buf, &len);
	assert_int_equal(out_json_stopped(fp, NULL), 0);
	assert_int_equal(out_json_stopped(fp, "Error"), 0);
	fclose(fp);
	assert_string_equal(buf, "{}\n"
				 "{\n"
				 "  \"Result\": \"Error\",\n"
				 "  \"Connectors\": []\n"
				 "}\n");
	free(buf);
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	assert_int_equal(out_json_stopped(fp, "Fail"), -1);
	fclose(fp);
}

/* out_close reports a write that failed, even one only flushing saw. */
static void
test_dev_full(void **state)
{
	enum out_format fmt;
	struct out     *o;
	struct ov      *v;
	FILE	       *fp;
	int		i;

	(void)state;
	for (fmt = OUT_TABLE; fmt <= OUT_JSON; fmt++) {
		fp = fopen("/dev/full", "w");
		if (fp == NULL)
			skip();
		o = out_open(fp, fmt, list_cols);
		assert_non_null(o);
		v = cert("3A1B", strings("SMTP", (char *)NULL), "2027", "CN=a");
		assert_int_equal(out_item(o, v), 0);
		ov_free(v);
		assert_int_equal(out_close(o), -1);
		fclose(fp);

		/* Unbuffered: the item itself reports it (table buffers). */
		fp = fopen("/dev/full", "w");
		setvbuf(fp, NULL, _IONBF, 0);
		o = out_open(fp, fmt, list_cols);
		v = cert("3A1B", strings("SMTP", (char *)NULL), "2027", "CN=a");
		for (i = 0; i < 3; i++)
			assert_int_equal(out_item(o, v),
					 fmt == OUT_TABLE ? 0 : -1);
		ov_free(v);
		assert_int_equal(out_close(o), -1);
		fclose(fp);
	}
}

/* List and JSON write each item as it comes; a table waits. */
static void
test_streaming(void **state)
{
	enum out_format fmt;
	struct out     *o;
	struct ov      *v;
	char	       *buf = NULL;
	size_t		len = 0;
	FILE	       *fp;

	(void)state;
	for (fmt = OUT_TABLE; fmt <= OUT_JSON; fmt++) {
		fp = open_memstream(&buf, &len);
		o = out_open(fp, fmt, list_cols);
		v = cert("3A1B", strings(NULL), "2027", "CN=a");
		assert_int_equal(out_item(o, v), 0);
		ov_free(v);
		fflush(fp);
		if (fmt == OUT_TABLE)
			assert_int_equal(len, 0);
		else
			assert_true(len > 0 && strstr(buf, "3A1B") != NULL);
		assert_int_equal(out_close(o), 0);
		fclose(fp);
		free(buf);
		buf = NULL;
	}
}

static void
test_misuse(void **state)
{
	struct ov  *obj, *arr;
	struct out *o;
	FILE	   *fp;

	(void)state;
	obj = ov_new_object();
	arr = ov_new_array();
	/* The child is freed on failure: ASan and valgrind see no leak. */
	assert_int_equal(ov_add(arr, "k", ov_new_object()), -1);
	assert_int_equal(ov_push(obj, ov_new_array()), -1);
	assert_int_equal(ov_add(NULL, "k", ov_new_array()), -1);
	assert_int_equal(ov_add(obj, NULL, ov_new_array()), -1);
	assert_int_equal(ov_add(obj, "k", NULL), -1);
	assert_int_equal(ov_add_cstr(arr, "k", "v"), -1);
	assert_int_equal(ov_push_str(obj, "v", 1), -1);
	assert_int_equal(ov_push_str(arr, NULL, 0), 0);
	ov_free(NULL);

	errno = 0;
	fp = fopen("/dev/null", "w");
	assert_null(out_open(fp, OUT_JUNIT, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(out_open(fp, OUT_PROMETHEUS, NULL));
	assert_int_equal(errno, EINVAL);
	o = out_open(fp, OUT_JSON, NULL);
	assert_int_equal(out_item(o, arr), -1);
	assert_int_equal(out_item(o, NULL), -1);
	assert_int_equal(out_item(o, obj), 0);
	assert_int_equal(out_value(o, obj), -1);
	assert_int_equal(out_close(o), 0);
	o = out_open(fp, OUT_LIST, NULL);
	assert_int_equal(out_value(o, obj), 0);
	assert_int_equal(out_value(o, obj), -1);
	assert_int_equal(out_item(o, obj), -1);
	assert_int_equal(out_close(o), 0);
	assert_int_equal(out_close(NULL), 0);
	fclose(fp);
	ov_free(obj);
	ov_free(arr);
}

/* Many rows: widths follow the widest cell, nothing is retained twice. */
static void
test_table_many(void **state)
{
	static const char *const cols[] = {"N", "S", NULL};
	struct out		*o;
	struct ov		*v;
	char			*buf = NULL, *last;
	size_t			 len = 0;
	FILE			*fp;
	int			 i;

	(void)state;
	fp = open_memstream(&buf, &len);
	o = out_open(fp, OUT_TABLE, cols);
	for (i = 0; i < 5000; i++) {
		v = ov_new_object();
		ov_add_int(v, "N", i);
		ov_add_cstr(v, "S", "x");
		assert_int_equal(out_item(o, v), 0);
		ov_free(v);
	}
	assert_int_equal(out_close(o), 0);
	fclose(fp);
	assert_true(strncmp(buf, "N     S\n-     -\n0     x\n", 24) == 0);
	last = buf + len - 8;
	assert_string_equal(last, "4999  x\n");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_basic),
	    cmocka_unit_test(test_table_cells),
	    cmocka_unit_test(test_table_empty),
	    cmocka_unit_test(test_table_default_cols),
	    cmocka_unit_test(test_table_many),
	    cmocka_unit_test(test_list_check),
	    cmocka_unit_test(test_list_many),
	    cmocka_unit_test(test_json_items),
	    cmocka_unit_test(test_json_empty),
	    cmocka_unit_test(test_json_value),
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_shared),
	    cmocka_unit_test(test_json_oracle),
	    cmocka_unit_test(test_hostile_terminal),
	    cmocka_unit_test(test_diff_lines),
	    cmocka_unit_test(test_escape_xml),
	    cmocka_unit_test(test_json_stopped),
	    cmocka_unit_test(test_dev_full),
	    cmocka_unit_test(test_streaming),
	    cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
