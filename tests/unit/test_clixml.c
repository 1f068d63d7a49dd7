/*
 * Unit tests for src/clixml.c: every value shape of doc/clixml.md, type
 * names through <TNRef>, <Ref> resolution, the same document in each
 * encoding PowerShell writes, and the hostile cases.  The expected
 * values are read off the documents written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clixml.h"

#define NS "http://schemas.microsoft.com/powershell/2004/04"

/* One of each shape: MS-PSRP 2.2.5 as Export-Clixml writes it. */
static const char doc1[] =
    "<Objs Version=\"1.1.0.1\" xmlns=\"" NS "\">\r\n"
    "  <Obj RefId=\"0\">\r\n"
    "    <TN RefId=\"0\">\r\n"
    "      <T>Deserialized.Microsoft.Exchange.Data.Directory."
    "SystemConfiguration.ReceiveConnector</T>\r\n"
    "      <T>Deserialized.System.Object</T>\r\n"
    "    </TN>\r\n"
    "    <ToString>EX01\\Default EX01</ToString>\r\n"
    "    <Props>\r\n"
    "      <S N=\"Name\">Default EX01</S>\r\n"
    "      <S N=\"Banner\"></S>\r\n"
    "      <S N=\"Esc\">a_x000D__x000A_b_x005F_x0041_ &amp; \xc3\xa9"
    "_xD83D__xDE00_</S>\r\n"
    "      <B N=\"AdvertiseClientSettings\">true</B>\r\n"
    "      <B N=\"Enabled\">false</B>\r\n"
    "      <I32 N=\"MaxHopCount\">60</I32>\r\n"
    "      <I64 N=\"Ticks\">6000000000</I64>\r\n"
    "      <DT N=\"WhenChanged\">2026-01-02T03:04:05+00:00</DT>\r\n"
    "      <Nil N=\"TlsCertificateName\" />\r\n"
    "      <BA N=\"Raw\">AAEC/w==</BA>\r\n"
    "      <BA N=\"Empty\" />\r\n"
    "      <Obj N=\"Fqdn\" RefId=\"1\">\r\n"
    "        <TN RefId=\"1\"><T>Deserialized.Microsoft.Exchange.Data.Fqdn"
    "</T></TN>\r\n"
    "        <ToString>mail.contoso.com</ToString>\r\n"
    "        <Props><S N=\"Domain\">mail.contoso.com</S></Props>\r\n"
    "      </Obj>\r\n"
    "      <Obj N=\"AuthMechanism\" RefId=\"2\">\r\n"
    "        <TN RefId=\"2\"><T>System.Enum</T></TN>\r\n"
    "        <I32>31</I32>\r\n"
    "      </Obj>\r\n"
    "      <Obj N=\"Bindings\" RefId=\"3\">\r\n"
    "        <TN RefId=\"3\"><T>Deserialized.Microsoft.Exchange.Data."
    "MultiValuedProperty`1</T></TN>\r\n"
    "        <LST>\r\n"
    "          <S>0.0.0.0:25</S>\r\n"
    "          <Obj RefId=\"4\"><ToString>[::]:25</ToString></Obj>\r\n"
    "        </LST>\r\n"
    "      </Obj>\r\n"
    "      <Obj N=\"Table\" RefId=\"5\">\r\n"
    "        <DCT>\r\n"
    "          <En><S N=\"Key\">k1</S><I32 N=\"Value\">1</I32></En>\r\n"
    "        </DCT>\r\n"
    "      </Obj>\r\n"
    "      <Ref N=\"FqdnAgain\" RefId=\"1\" />\r\n"
    "      <Ref N=\"Self\" RefId=\"0\" />\r\n"
    "    </Props>\r\n"
    "    <MS>\r\n"
    "      <S N=\"PSComputerName\">ex01</S>\r\n"
    "    </MS>\r\n"
    "  </Obj>\r\n"
    "  <S>a top-level string is no object</S>\r\n"
    "  <Obj RefId=\"6\">\r\n"
    "    <TNRef RefId=\"0\" />\r\n"
    "    <Props><S N=\"Name\">Second</S></Props>\r\n"
    "  </Obj>\r\n"
    "</Objs>\r\n";

static struct clixml_doc *
parse_ok(const void *b, size_t len)
{
	struct clixml_err  err;
	struct clixml_doc *d;

	d = clixml_parse(b, len, &err);
	if (d == NULL)
		fail_msg("parse failed: line %ld: %s", err.line, err.msg);
	return d;
}

/* The message of a refused document, which must be refused. */
static const char *
parse_bad(const void *b, size_t len, long *line)
{
	static struct clixml_err err;
	struct clixml_doc	*d;

	d = clixml_parse(b, len, &err);
	if (d != NULL) {
		clixml_free(d);
		fail_msg("parsed what must be refused");
	}
	assert_int_equal(err.nomem, 0);
	assert_true(err.msg[0] != '\0');
	/* One line, whatever libxml2 quotes after its message. */
	assert_null(strchr(err.msg, '\n'));
	if (line != NULL)
		*line = err.line;
	return err.msg;
}

static void
assert_has(const char *msg, const char *part)
{
	if (strstr(msg, part) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", msg, part);
}

static const struct clixml_val *
get(const struct clixml_obj *o, const char *name)
{
	const struct clixml_prop *p = clixml_get(o, name);

	if (p == NULL)
		fail_msg("no property %s", name);
	return &p->v;
}

static void
check_doc1(const struct clixml_doc *d)
{
	const struct clixml_obj *o, *f;
	const struct clixml_val *v;
	const char		*t;
	size_t			 len;

	assert_int_equal(d->nobjs, 2);
	o = d->objs[0];
	assert_int_equal(o->line, 2);
	assert_int_equal(o->ntypes, 2);
	assert_string_equal(o->types[1], "Deserialized.System.Object");
	assert_true(clixml_is_type(o, "Microsoft.Exchange.Data.Directory."
				      "SystemConfiguration.ReceiveConnector"));
	assert_false(clixml_is_type(o, "ReceiveConnector"));
	assert_string_equal(o->text, "EX01\\Default EX01");

	v = get(o, "name"); /* case-insensitive */
	assert_int_equal(v->kind, CLIXML_STR);
	assert_string_equal(v->s, "Default EX01");
	assert_string_equal(v->tag, "S");
	assert_int_equal(v->line, 9);
	v = get(o, "Banner");
	assert_int_equal(v->kind, CLIXML_STR);
	assert_int_equal(v->len, 0);
	/* CR LF escaped; _x005F_ is "_", so x0041_ stays text; U+1F600. */
	v = get(o, "Esc");
	assert_int_equal(v->len, 20);
	assert_memory_equal(v->s, "a\r\nb_x0041_ & \xc3\xa9\xf0\x9f\x98\x80",
			    20);
	v = get(o, "AdvertiseClientSettings");
	assert_true(v->is_bool);
	assert_int_equal(v->b, 1);
	assert_string_equal(v->s, "True");
	v = get(o, "Enabled");
	assert_true(v->is_bool);
	assert_int_equal(v->b, 0);
	assert_string_equal(v->s, "False");
	assert_string_equal(get(o, "MaxHopCount")->s, "60");
	assert_string_equal(get(o, "MaxHopCount")->tag, "I32");
	assert_string_equal(get(o, "Ticks")->s, "6000000000");
	assert_string_equal(get(o, "WhenChanged")->s,
			    "2026-01-02T03:04:05+00:00");
	v = get(o, "TlsCertificateName");
	assert_int_equal(v->kind, CLIXML_NIL);
	assert_null(clixml_text(v, &len));
	v = get(o, "Raw");
	assert_int_equal(v->kind, CLIXML_BYTES);
	assert_int_equal(v->len, 4);
	assert_memory_equal(v->s, "\x00\x01\x02\xff", 4);
	assert_int_equal(get(o, "Empty")->kind, CLIXML_BYTES);
	assert_int_equal(get(o, "Empty")->len, 0);

	v = get(o, "Fqdn");
	assert_int_equal(v->kind, CLIXML_OBJ);
	t = clixml_text(v, &len);
	assert_non_null(t);
	assert_string_equal(t, "mail.contoso.com");
	f = v->obj;
	assert_string_equal(get(f, "Domain")->s, "mail.contoso.com");
	assert_string_equal(f->types[0], "Deserialized.Microsoft.Exchange."
					 "Data.Fqdn");
	/* An enum: no ToString here, so its number is its text. */
	v = get(o, "AuthMechanism");
	assert_int_equal(v->kind, CLIXML_OBJ);
	assert_string_equal(clixml_text(v, &len), "31");

	v = get(o, "Bindings");
	assert_int_equal(v->kind, CLIXML_LIST);
	assert_int_equal(v->obj->nitems, 2);
	assert_string_equal(clixml_text(&v->obj->items[0], &len), "0.0.0.0:25");
	assert_int_equal(v->obj->items[1].kind, CLIXML_OBJ);
	assert_string_equal(clixml_text(&v->obj->items[1], &len), "[::]:25");

	v = get(o, "Table");
	assert_string_equal(get(v->obj, "k1")->s, "1");

	/* A Ref is the object it names, itself included. */
	assert_ptr_equal(get(o, "FqdnAgain")->obj, f);
	assert_int_equal(get(o, "FqdnAgain")->kind, CLIXML_OBJ);
	assert_ptr_equal(get(o, "Self")->obj, o);
	assert_string_equal(get(o, "PSComputerName")->s, "ex01");
	assert_null(clixml_get(o, "Nothing"));

	/* TNRef: the second object has the first one's types. */
	assert_ptr_equal(d->objs[1]->types, o->types);
	assert_int_equal(d->objs[1]->ntypes, 2);
	assert_string_equal(get(d->objs[1], "Name")->s, "Second");
}

/* doc1 (ASCII but for é) as UTF-16, with or without its BOM. */
static unsigned char *
utf16(const char *s, int be, int bom, size_t *len)
{
	unsigned char *out = malloc(strlen(s) * 2 + 2);
	size_t	       i, o = 0;
	unsigned int   u;

	assert_non_null(out);
	if (bom) {
		out[o++] = be ? 0xfe : 0xff;
		out[o++] = be ? 0xff : 0xfe;
	}
	for (i = 0; s[i] != '\0'; i++) {
		u = (unsigned char)s[i];
		if (u == 0xc3) /* é, the only non-ASCII character */
			u = 0xc0 | ((unsigned char)s[++i] & 0x3f);
		out[o++] = be ? u >> 8 : u & 0xff;
		out[o++] = be ? u & 0xff : u >> 8;
	}
	*len = o;
	return out;
}

static void
test_shapes(void **state)
{
	struct clixml_doc *d;
	unsigned char	  *b, *u;
	size_t		   len;

	(void)state;
	d = parse_ok(doc1, sizeof(doc1) - 1);
	check_doc1(d);
	clixml_free(d);

	/* UTF-8 with a BOM. */
	b = malloc(sizeof(doc1) + 3);
	memcpy(b, "\xef\xbb\xbf", 3);
	memcpy(b + 3, doc1, sizeof(doc1));
	d = parse_ok(b, sizeof(doc1) + 2);
	check_doc1(d);
	clixml_free(d);
	free(b);

	/* UTF-16LE and BE with their BOM. */
	u = utf16(doc1, 0, 1, &len);
	d = parse_ok(u, len);
	check_doc1(d);
	clixml_free(d);
	assert_true(clixml_sniff(u, len));
	free(u);
	u = utf16(doc1, 1, 1, &len);
	d = parse_ok(u, len);
	check_doc1(d);
	clixml_free(d);
	free(u);
}

static void
test_declaration(void **state)
{
	static const char ok8[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
				  "<Objs xmlns=\"" NS "\"/>";
	static const char ok16[] = "<?xml version=\"1.0\" encoding=\"utf-16\"?>"
				   "<Objs xmlns=\"" NS "\"/>";
	struct clixml_doc *d;
	unsigned char	  *u;
	size_t		   len;

	(void)state;
	d = parse_ok(ok8, sizeof(ok8) - 1);
	assert_int_equal(d->nobjs, 0);
	clixml_free(d);
	/* UTF-16 saying so: libxml2 must not convert it again. */
	u = utf16(ok16, 0, 1, &len);
	d = parse_ok(u, len);
	clixml_free(d);
	free(u);
	/* A declaration that lies about the bytes. */
	assert_has(parse_bad(ok16, sizeof(ok16) - 1, NULL),
		   "the declaration says encoding \"utf-16\" but the file is "
		   "UTF-8");
	u = utf16(ok8, 0, 1, &len);
	assert_has(parse_bad(u, len, NULL),
		   "says encoding \"utf-8\" but the file is UTF-16LE");
	free(u);
}

static void
test_hostile_encoding(void **state)
{
	static const char lie[] = "\xff\xfe<Objs xmlns=\"" NS "\"/>";
	unsigned char	 *u;
	size_t		  len;
	long		  line;

	(void)state;
	/* A UTF-16 BOM on UTF-8 text. */
	assert_has(parse_bad(lie, sizeof(lie) - 1, NULL),
		   "the byte order mark says UTF-16LE but the text is not");
	/* An odd byte count. */
	u = utf16(doc1, 0, 1, &len);
	assert_has(parse_bad(u, len - 1, &line), "odd number of bytes");
	assert_true(line > 50);
	/* An unpaired surrogate: a high one before '<'. */
	u[len - 4] = 0x00;
	u[len - 3] = 0xd8;
	assert_has(parse_bad(u, len, NULL), "unpaired surrogate U+D800");
	u[len - 3] = 0xdc;
	assert_has(parse_bad(u, len, NULL), "unpaired surrogate U+DC00");
	free(u);
	/* UTF-16 without its BOM. */
	u = utf16(doc1, 0, 0, &len);
	assert_has(parse_bad(u, len, NULL), "UTF-16 without a byte order mark");
	free(u);
	/* Bad UTF-8: an overlong '<', a surrogate in UTF-8. */
	for (len = 0; len < 3; len++) {
		static const char *const b8[][2] = {
		    {"<Objs xmlns=\"" NS "\"><S>\xc0\xbc</S></Objs>",
		     "invalid UTF-8 (byte 0xC0)"},
		    {"<Objs xmlns=\"" NS "\"><S>\xed\xa0\x80</S></Objs>",
		     "invalid UTF-8 (byte 0xED)"},
		    {"<Objs xmlns=\"" NS "\"><S>_xD800_</S></Objs>",
		     "unpaired surrogate U+D800 in an _xHHHH_ escape"},
		};
		assert_has(parse_bad(b8[len][0], strlen(b8[len][0]), NULL),
			   b8[len][1]);
	}
	assert_has(parse_bad("", 0, NULL), "empty document");
}

static void
test_hostile_xml(void **state)
{
	static const char *const bad[][2] = {
	    {"<!DOCTYPE Objs [<!ENTITY a \"aaaa\">]><Objs xmlns=\"" NS
	     "\"><S>&a;</S></Objs>",
	     "document type declarations (<!DOCTYPE) are not allowed"},
	    {"<!-- c --><!DOCTYPE Objs SYSTEM \"http://example/x.dtd\">"
	     "<Objs xmlns=\"" NS "\"/>",
	     "document type declarations"},
	    {"<Objs xmlns=\"" NS "\"><S>&a;</S></Objs>",
	     "entity 'a' not defined"},
	    {"<Objs xmlns=\"" NS "\"><Obj RefId=\"0\"><Props><S N=\"a\">x",
	     "premature end of data"},
	    {"<Objs xmlns=\"urn:other\"/>", "the root is not <Objs>"},
	    {"<Obj xmlns=\"" NS "\"/>", "the root is not <Objs>"},
	    {"<Objs xmlns=\"" NS "\"><Foo/></Objs>", "unknown element <Foo>"},
	    {"<Objs xmlns=\"" NS "\"><Obj><Props><S>x</S></Props></Obj></Objs>",
	     "without a name (N)"},
	    {"<Objs xmlns=\"" NS "\"><Ref RefId=\"9\"/></Objs>",
	     "Ref to unknown RefId 9"},
	    {"<Objs xmlns=\"" NS "\"><Obj><TNRef RefId=\"1\"/></Obj></Objs>",
	     "TNRef to unknown RefId 1"},
	    {"<Objs xmlns=\"" NS "\"><Obj RefId=\"x\"/></Objs>",
	     "RefId \"x\" is not a number"},
	    {"<Objs xmlns=\"" NS
	     "\"><Obj RefId=\"1\"/><Obj RefId=\"1\"/></Objs>",
	     "RefId 1 given twice"},
	    {"<Objs xmlns=\"" NS "\"><B>maybe</B></Objs>", "not true or false"},
	    {"<Objs xmlns=\"" NS "\"><B>a&#10;b</B></Objs>",
	     "<B> holds \"a?b\", not true or false"},
	    {"<Objs xmlns=\"" NS "\"><BA>!!!!</BA></Objs>", "bad base64"},
	    {"<Objs xmlns=\"" NS "\"><S>a<S>b</S></S></Objs>",
	     "<S> holds an element"},
	    {"<Objs xmlns=\"" NS "\">text</Objs>", "text outside a value"},
	    {"<Objs xmlns=\"" NS "\"><S xmlns=\"urn:x\">a</S></Objs>",
	     "not in the PowerShell namespace"},
	    {"\x01<Objs/>", "not XML"},
	    {"<Objs xmlns=\"" NS "\"><S><![CDATA[x\n  <S>y</S>\n",
	     "section not finished"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_has(parse_bad(bad[i][0], strlen(bad[i][0]), NULL),
			   bad[i][1]);
}

/* n nested objects, each in the last one's <Props>. */
static char *
nested(int n)
{
	char *b = malloc(100 + (size_t)n * 64), *p;
	int   i;

	assert_non_null(b);
	p = b + sprintf(b, "<Objs xmlns=\"" NS "\">");
	for (i = 0; i < n; i++)
		p += sprintf(p, "<Obj N=\"a\"><Props>");
	p += sprintf(p, "<S N=\"x\">deep</S>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "</Props></Obj>");
	sprintf(p, "</Objs>");
	return b;
}

static void
test_limits(void **state)
{
	struct clixml_doc *d;
	char		  *b, *p;
	size_t		   n, i;

	(void)state;
	/* Two elements a level: 31 objects stay within 64, 33 do not. */
	b = nested(31);
	d = parse_ok(b, strlen(b));
	clixml_free(d);
	free(b);
	b = nested(33);
	assert_has(parse_bad(b, strlen(b), NULL), "nested too deep (over 64)");
	free(b);
	/* Far deeper than libxml2's own limit. */
	b = nested(400);
	parse_bad(b, strlen(b), NULL);
	free(b);
	/* A byte array one byte over the bound. */
	n = (CLIXML_MAX_BA + 1 + 2) / 3 * 4;
	b = malloc(n + 200);
	p = b + sprintf(b, "<Objs xmlns=\"" NS "\"><BA N=\"big\">");
	for (i = 0; i < n; i++)
		*p++ = 'A';
	sprintf(p, "</BA></Objs>");
	assert_has(parse_bad(b, strlen(b), NULL),
		   "byte array too large (over 4 MiB)");
	free(b);
	assert_has(parse_bad("x", CLIXML_MAX_INPUT + 1, NULL),
		   "file too large");
}

static void
test_sniff(void **state)
{
	static const char *const yes[] = {
	    "<Objs Version=\"1.1.0.1\" xmlns=\"" NS "\">",
	    "\xef\xbb\xbf  <?xml version=\"1.0\"?>\r\n<!-- x --><Objs>",
	    "<Objs/>",
	    "<!DOCTYPE x><Objs>",
	};
	static const char *const no[] = {
	    "<Objects>", "-----BEGIN CERTIFICATE-----", "MIIB", "<objs>", "",
	};
	unsigned char *u;
	size_t	       i, len;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(clixml_sniff((const unsigned char *)yes[i],
					 strlen(yes[i])));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(
		    clixml_sniff((const unsigned char *)no[i], strlen(no[i])));
	u = utf16("<Objs>", 1, 1, &len);
	assert_true(clixml_sniff(u, len));
	free(u);
	u = utf16("<Objs>", 0, 0, &len);
	assert_false(clixml_sniff(u, len));
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shapes),
	    cmocka_unit_test(test_declaration),
	    cmocka_unit_test(test_hostile_encoding),
	    cmocka_unit_test(test_hostile_xml),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
