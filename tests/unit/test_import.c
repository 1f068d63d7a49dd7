/*
 * Unit tests for src/import.c and conn_merge (src/connedit.c): each
 * value shape of certbind(1) import mapped to the field's text, in each
 * format and encoding; the kind by type name and by properties; the
 * Identity from Server or from Identity; duplicates; and the merge's
 * bytes.  The expected values are read off the documents written here,
 * and the merged files are written out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors.h"
#include "import.h"

#define NS "http://schemas.microsoft.com/powershell/2004/04"
#define RC "Microsoft.Exchange.Data.Directory.SystemConfiguration."

static const char clixml_recv[] =
    "<Objs Version=\"1.1.0.1\" xmlns=\"" NS "\">\n"
    "  <Obj RefId=\"0\">\n"
    "    <TN RefId=\"0\"><T>Deserialized." RC "ReceiveConnector</T></TN>\n"
    "    <ToString>EX01\\Client EX01</ToString>\n"
    "    <Props>\n"
    "      <Obj N=\"AuthMechanism\" RefId=\"1\">\n"
    "        <TN RefId=\"1\"><T>Deserialized." RC "AuthMechanisms</T>"
    "<T>Deserialized.System.Enum</T></TN>\n"
    "        <ToString>Tls, BasicAuth</ToString><I32>3</I32>\n"
    "      </Obj>\n"
    "      <Obj N=\"Bindings\" RefId=\"2\">\n"
    "        <TN RefId=\"2\"><T>Deserialized.Microsoft.Exchange.Data."
    "MultiValuedProperty`1</T></TN>\n"
    "        <LST><S>0.0.0.0:587</S><S>[::]:587</S></LST>\n"
    "      </Obj>\n"
    "      <B N=\"AdvertiseClientSettings\">true</B>\n"
    "      <Obj N=\"Fqdn\" RefId=\"3\"><TN RefId=\"3\"><T>Deserialized."
    "Microsoft.Exchange.Data.Fqdn</T></TN>"
    "<ToString>mail.contoso.com</ToString></Obj>\n"
    "      <Obj N=\"TlsCertificateName\" RefId=\"4\"><TN RefId=\"4\">"
    "<T>Deserialized.Microsoft.Exchange.Data.SmtpX509Identifier</T></TN>"
    "<ToString>&lt;I&gt;CN=CA&lt;S&gt;CN=mail.contoso.com</ToString>"
    "</Obj>\n"
    "      <Nil N=\"TlsDomainCapabilities\" />\n"
    "      <B N=\"Enabled\">true</B>\n"
    "      <Obj N=\"Server\" RefId=\"5\"><TN RefId=\"5\"><T>Deserialized."
    "Microsoft.Exchange.Data.Directory.ADObjectId</T></TN>"
    "<ToString>EX01</ToString></Obj>\n"
    "      <S N=\"Name\">Client EX01</S>\n"
    "    </Props>\n"
    "  </Obj>\n"
    "  <Obj RefId=\"6\">\n"
    "    <TNRef RefId=\"0\" />\n"
    "    <Props>\n"
    "      <S N=\"Identity\">EX02\\Relay</S>\n"
    "      <S N=\"Name\">Relay</S>\n"
    "      <Nil N=\"AdvertiseClientSettings\" />\n"
    "    </Props>\n"
    "  </Obj>\n"
    "</Objs>\n";

static struct import_file *
read_ok(const char *label, const void *buf, size_t len)
{
	struct import_errs  errs;
	struct import_file *f = NULL;

	memset(&errs, 0, sizeof(errs));
	if (import_read_mem(label, buf, len, &f, &errs) != 0) {
		if (errs.n > 0)
			print_error("%s:%ld: %s\n", errs.v[0].file,
				    errs.v[0].line, errs.v[0].msg);
		fail();
	}
	assert_int_equal(errs.n, 0);
	import_errs_release(&errs);
	return f;
}

/* The first message of a read that must fail, "LINE: msg". */
static char *
read_fails(const void *buf, size_t len)
{
	struct import_errs  errs;
	struct import_file *f = NULL;
	char		   *s;

	memset(&errs, 0, sizeof(errs));
	assert_int_equal(import_read_mem("x", buf, len, &f, &errs), -1);
	assert_null(f);
	assert_true(errs.n > 0);
	assert_true(asprintf(&s, "%ld: %s", errs.v[0].line, errs.v[0].msg) !=
		    -1);
	import_errs_release(&errs);
	return s;
}

static void
assert_field(const struct import_conn *c, enum conn_field f, const char *v)
{
	if (v == NULL)
		assert_null(c->v[f]);
	else {
		assert_non_null(c->v[f]);
		assert_string_equal(c->v[f], v);
	}
}

static void
test_clixml_shapes(void **state)
{
	struct import_file	 *f;
	const struct import_conn *c;

	(void)state;
	f = read_ok("r.xml", clixml_recv, strlen(clixml_recv));
	assert_int_equal(f->format, IMPORT_CLIXML);
	assert_int_equal(f->n, 2);
	c = &f->v[0];
	assert_int_equal(c->kind, CONN_RECEIVE);
	assert_string_equal(c->identity, "EX01\\Client EX01");
	assert_int_equal(c->line, 2);
	assert_field(c, CONN_AUTH, "Tls, BasicAuth");		 /* enum */
	assert_field(c, CONN_BINDINGS, "0.0.0.0:587, [::]:587"); /* list */
	assert_field(c, CONN_ADVERTISE, "true");		 /* <B> */
	assert_field(c, CONN_FQDN, "mail.contoso.com");		 /* Fqdn */
	assert_field(c, CONN_TLSNAME, "<I>CN=CA<S>CN=mail.contoso.com");
	assert_field(c, CONN_TLSDOMAINCAPS, ""); /* Nil list: empty */
	assert_field(c, CONN_ENABLED, NULL);	 /* not a receive field */
	assert_field(c, CONN_ROLE, NULL);	 /* not carried */
	c = &f->v[1];
	/* Server from Identity's "SERVER\Name"; a Nil boolean left alone. */
	assert_string_equal(c->server, "EX02");
	assert_string_equal(c->identity, "EX02\\Relay");
	assert_field(c, CONN_ADVERTISE, NULL);
	import_file_free(f);
}

/* The same document in UTF-16LE with a byte order mark. */
static void
test_clixml_utf16(void **state)
{
	struct import_file *f;
	unsigned char	   *u;
	size_t		    i, n = strlen(clixml_recv);

	(void)state;
	assert_non_null(u = malloc(2 * n + 2));
	u[0] = 0xff;
	u[1] = 0xfe;
	for (i = 0; i < n; i++) {
		u[2 + 2 * i] = (unsigned char)clixml_recv[i];
		u[3 + 2 * i] = 0;
	}
	f = read_ok("r16.xml", u, 2 * n + 2);
	assert_int_equal(f->n, 2);
	assert_field(&f->v[0], CONN_TLSNAME, "<I>CN=CA<S>CN=mail.contoso.com");
	import_file_free(f);
	/* One byte more: odd. */
	free(read_fails(u, 2 * n + 1));
	free(u);
}

static void
test_json_shapes(void **state)
{
	static const char js[] =
	    "[{\"Name\": \"Outbound\", \"Fqdn\": {\"Domain\": "
	    "\"smtp.contoso.com\"},\n"
	    " \"TlsCertificateName\": {\"CertificateSubject\": \"CN=a\","
	    " \"CertificateIssuer\": \"CN=b\"},\n"
	    " \"SmartHosts\": [{\"Domain\": \"h.example\", \"IsIPAddress\": "
	    "false},"
	    " {\"IsIPAddress\": true, \"Address\": {\"IPAddressToString\": "
	    "\"10.0.0.1\"}}],\n"
	    " \"AddressSpaces\": [{\"Type\": \"SMTP\", \"Address\": \"*\", "
	    "\"Cost\": 1}],\n"
	    " \"SourceTransportServers\": [{\"Name\": \"EX01\", "
	    "\"DistinguishedName\": \"CN=EX01\"}],\n"
	    " \"TlsAuthLevel\": 2, \"RequireTLS\": true, \"TlsDomain\": null,\n"
	    " \"Enabled\": false, \"CloudServicesMailEnabled\": \"True\"},\n"
	    " {\"Name\": \"R\u00e9\", \"Server\": \"EX01\", \"Bindings\": "
	    "[{\"Port\": 25, \"Address\": \"::\"}, {\"Port\": 25, \"Address\":"
	    " \"0.0.0.0\"}], \"TlsDomainCapabilities\": [{\"Domain\": "
	    "{\"Domain\": \"mail.protection.outlook.com\"}, \"Capabilities\": "
	    "\"AcceptCloudServicesMail\"}]}]";
	struct import_file	 *f;
	const struct import_conn *c;

	(void)state;
	f = read_ok("j.json", js, strlen(js));
	assert_int_equal(f->format, IMPORT_JSON);
	assert_int_equal(f->n, 2);
	c = &f->v[0];
	assert_int_equal(c->kind, CONN_SEND); /* by its send-only fields */
	assert_string_equal(c->identity, "Outbound");
	assert_field(c, CONN_FQDN, "smtp.contoso.com");
	assert_field(c, CONN_TLSNAME, "<I>CN=b<S>CN=a");
	assert_field(c, CONN_SMARTHOSTS, "h.example, 10.0.0.1");
	assert_field(c, CONN_ADDRESSSPACES, "SMTP:*;1");
	assert_field(c, CONN_SOURCESERVERS, "EX01");
	assert_field(c, CONN_TLSAUTHLEVEL, NULL); /* an enum's number */
	assert_field(c, CONN_REQUIRETLS, "true");
	assert_field(c, CONN_TLSDOMAIN, "");
	assert_field(c, CONN_ENABLED, "false");
	assert_field(c, CONN_CLOUD, "true");
	c = &f->v[1];
	assert_int_equal(c->kind, CONN_RECEIVE);
	assert_string_equal(c->identity, "EX01\\R\xc3\xa9");
	assert_int_equal(c->line, 8);
	assert_field(c, CONN_BINDINGS, "[::]:25, 0.0.0.0:25");
	assert_field(c, CONN_TLSDOMAINCAPS,
		     "mail.protection.outlook.com:AcceptCloudServicesMail");
	import_file_free(f);
}

static void
test_csv_shapes(void **state)
{
	static const char typed[] =
	    "#TYPE Deserialized." RC "ReceiveConnector\r\n"
	    "\"Identity\",\"Name\",\"Fqdn\",\"Bindings\","
	    "\"AdvertiseClientSettings\","
	    "\"Banner\"\r\n"
	    "\"EX01\\Client\",\"Client\",\"mail.contoso.com\",\"System.Object[]"
	    "\","
	    "\"False\",\"a \"\"quoted\"\"\r\nbanner\"\r\n";
	static const char bare[] =
	    "Name,SmartHosts,Fqdn,RequireTLS\n"
	    "Out,Microsoft.Exchange.Data.MultiValuedProperty`1[[x]],"
	    "\"a,b\",\n";
	struct import_file *f;

	(void)state;
	f = read_ok("t.csv", typed, strlen(typed));
	assert_int_equal(f->format, IMPORT_CSV);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->v[0].kind, CONN_RECEIVE);
	assert_string_equal(f->v[0].identity, "EX01\\Client");
	assert_int_equal(f->v[0].line, 3);
	assert_field(&f->v[0], CONN_FQDN, "mail.contoso.com");
	assert_field(&f->v[0], CONN_BINDINGS, NULL); /* left alone */
	assert_field(&f->v[0], CONN_ADVERTISE, "false");
	import_file_free(f);
	f = read_ok("b.csv", bare, strlen(bare));
	assert_int_equal(f->v[0].kind, CONN_SEND);
	assert_field(&f->v[0], CONN_SMARTHOSTS, NULL);
	assert_field(&f->v[0], CONN_FQDN, "a,b");
	assert_field(&f->v[0], CONN_REQUIRETLS, NULL); /* empty boolean */
	import_file_free(f);
}

static void
test_refused(void **state)
{
	static const struct {
		const char *doc, *want;
	} v[] = {
	    {"<Objs xmlns=\"" NS "\"><Obj RefId=\"0\"><TN RefId=\"0\"><T>"
	     "System.Object</T></TN></Obj></Objs>",
	     "1: an object of type System.Object is not a receive or send "
	     "connector"},
	    {"<Objs xmlns=\"" NS "\">\n<Obj RefId=\"0\"><TN RefId=\"0\"><T>" RC
	     "SmtpSendConnectorConfig</T></TN><Props><S N=\"Fqdn\">x</S>"
	     "</Props></Obj></Objs>",
	     "2: a connector without a Name"},
	    {"[{\"Name\": \"x\"}]",
	     "1: an object with neither or both of Bindings and "
	     "SmartHosts-like "
	     "properties is not a receive or send connector"},
	    {"{\"Name\": \"x\", \"SmartHosts\": \"a\", \"RequireTLS\": \"no\"}",
	     "1: RequireTLS \"no\" is not a boolean"},
	    {"[{\"Name\": \"x\",\n \"Bindings\": [1]}, ]",
	     "2: JSON: a value expected"},
	    {"[1 2]", "1: JSON: ',' or ']' expected"},
	    {"[\"\\ud800\"]", "1: JSON: an unpaired surrogate"},
	    {"{\"Name\": \"a\\u0007\", \"Bindings\": \"\"}",
	     "1: Name holds a control character"},
	    {"Name,Fqdn\nx,\"y\n", "2: CSV: broken quoting"},
	    {"#TYPE System.String\nName\nx\n",
	     "1: CSV of type \"System.String\": not a receive or send "
	     "connector"},
	    {"   \n", "0: empty export"},
	};
	size_t i;
	char  *s;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = read_fails(v[i].doc, strlen(v[i].doc));
		if (strcmp(s, v[i].want) != 0)
			print_error("case %zu: got \"%s\"\n", i, s);
		assert_string_equal(s, v[i].want);
		free(s);
	}
}

static void
test_duplicates(void **state)
{
	static const char   a[] = "[{\"Name\": \"X\", \"Server\": \"EX01\", "
				  "\"Bindings\": []},\n"
				  " {\"Name\": \"X\", \"SmartHosts\": []}]";
	static const char   b[] = "\n[{\"Name\": \"x\", \"Server\": \"ex01\", "
				  "\"Bindings\": []}]";
	struct import_file *f[2];
	struct import_errs  errs;

	(void)state;
	f[0] = read_ok("a.json", a, strlen(a));
	f[1] = read_ok("b.json", b, strlen(b));
	memset(&errs, 0, sizeof(errs));
	/* "X" receive and "X" send are two connectors; EX01\X is twice. */
	assert_int_equal(import_check_duplicates(f, 2, &errs), 1);
	assert_string_equal(errs.v[0].file, "b.json");
	assert_int_equal(errs.v[0].line, 2);
	assert_string_equal(
	    errs.v[0].msg, "duplicate identity \"ex01\\x\" (also at a.json:1)");
	import_errs_release(&errs);
	import_file_free(f[0]);
	import_file_free(f[1]);
}

/* Writes s to a temporary file and loads it as a configuration. */
static struct conn_file *
load_conf(const char *s)
{
	struct conn_errs  errs;
	struct conn_file *cf = NULL;

	if (conn_load_mem("c.xml", s, strlen(s), &cf, &errs) != 0) {
		if (errs.n > 0)
			print_error("%ld: %s\n", errs.v[0].line, errs.v[0].msg);
		fail();
	}
	conn_errs_release(&errs);
	return cf;
}

static void
test_merge_bytes(void **state)
{
	static const char conf[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<Connectors>\n"
	    "\t<ReceiveConnector x=\"1\">\n"
	    "\t\t<Server>EX01</Server>\n"
	    "\t\t<Name>A</Name><!-- keep -->\n"
	    "\t\t<Bindings>\n\t\t\t<Binding>0.0.0.0:25</Binding>\n"
	    "\t\t</Bindings>\n"
	    "\t\t<AuthMechanism/>\n"
	    "\t</ReceiveConnector>\n"
	    "</Connectors>\n";
	static const char want[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<Connectors>\n"
	    "\t<ReceiveConnector x=\"1\">\n"
	    "\t\t<Server>EX01</Server>\n"
	    "\t\t<Name>A</Name><!-- keep -->\n"
	    "\t\t<Bindings><Binding>0.0.0.0:25</Binding><Binding>[::]:25"
	    "</Binding></Bindings>\n"
	    "\t\t<AuthMechanism>Tls &amp; more</AuthMechanism>\n"
	    "\t\t<Fqdn>a&lt;b</Fqdn>\n"
	    "\t</ReceiveConnector>\n"
	    "\t<SendConnector>\n"
	    "\t\t<Name>S &amp; T</Name>\n"
	    "\t\t<SmartHosts>h1, h2</SmartHosts>\n"
	    "\t\t<Enabled>false</Enabled>\n"
	    "\t</SendConnector>\n"
	    "</Connectors>\n";
	struct conn_file *cf;
	struct conn_set	  set;
	struct conn_new	  add;
	struct conn_errs  errs;
	char		 *out = NULL;
	size_t		  len = 0;

	(void)state;
	cf = load_conf(conf);
	memset(&set, 0, sizeof(set));
	set.v[CONN_BINDINGS] = "0.0.0.0:25, [::]:25";
	set.v[CONN_AUTH] = "Tls & more";
	set.v[CONN_FQDN] = "a<b";
	memset(&add, 0, sizeof(add));
	add.kind = CONN_SEND;
	add.name = "S & T";
	add.set.v[CONN_SMARTHOSTS] = "h1, h2";
	add.set.v[CONN_ENABLED] = "false";
	assert_int_equal(conn_merge(cf, &set, &add, 1, &out, &len, &errs), 0);
	conn_errs_release(&errs);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
	/* A receive-only field on a send connector is refused. */
	add.set.v[CONN_ADVERTISE] = "true";
	assert_int_equal(conn_merge(cf, NULL, &add, 1, &out, &len, &errs), -1);
	assert_null(out);
	conn_errs_release(&errs);
	conn_file_free(cf);

	/* <ReceiveConnectors> takes no send connector. */
	cf = load_conf("<ReceiveConnectors/>");
	add.set.v[CONN_ADVERTISE] = NULL;
	assert_int_equal(conn_merge(cf, NULL, &add, 1, &out, &len, &errs), -1);
	assert_non_null(strstr(errs.v[0].msg, "rename the root element"));
	conn_errs_release(&errs);
	add.kind = CONN_RECEIVE;
	add.server = "EX9";
	add.set.v[CONN_SMARTHOSTS] = NULL;
	add.set.v[CONN_ENABLED] = NULL;
	assert_int_equal(conn_merge(cf, NULL, &add, 1, &out, &len, &errs), 0);
	assert_string_equal(out, "<ReceiveConnectors>\n"
				 "  <ReceiveConnector>\n"
				 "    <Server>EX9</Server>\n"
				 "    <Name>S &amp; T</Name>\n"
				 "  </ReceiveConnector>\n"
				 "</ReceiveConnectors>");
	conn_errs_release(&errs);
	free(out);
	conn_file_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clixml_shapes),
	    cmocka_unit_test(test_clixml_utf16),
	    cmocka_unit_test(test_json_shapes),
	    cmocka_unit_test(test_csv_shapes),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_merge_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
