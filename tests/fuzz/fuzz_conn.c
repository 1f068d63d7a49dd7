/*
 * fuzz_conn: the connector configuration (certbind-connectors(5)):
 * conn_load_mem on arbitrary bytes; when it loads, a few edit sets applied with
 * conn_apply, whose result must load again with exactly the values set
 * and every other connector unchanged, and conn_diff of old and new.
 *
 * conn_apply failing on a file that loaded, with values that are
 * printable UTF-8, is a bug (it says "internal error"): abort.  So is
 * a loaded identity holding a control character.
 *
 * Every file that loads is also read by libxml2's whole-document parser
 * and validated on the whole tree with the same compiled-in schema: it
 * must be accepted there, with the same Name, Server, Fqdn and
 * TlsCertificateName values (the load reads them with libxml2's
 * reader, an incremental parser that has its own bugs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "connectors.h"
#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

extern const char	   conn_schema_rng[];
extern const unsigned long conn_schema_rng_len;

static const char *const fqdns[] = {"mail.contoso.com", "", "x"};
static const char *const names[] = {
    "<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=mail.contoso.com",
    "<I>CN=\"a & b <c>\"]]><S>O=\"x\"\"y\", CN=&amp;", ""};

/*
 * Whether s (UTF-8, as loaded) holds a control character: C0, DEL, or
 * C1 (U+0080-U+009F, written C2 80-C2 9F).  No loaded identity may:
 * renew's hook lists them one per line.
 */
static int
has_control(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 1;
	return 0;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
quiet(void *ctx, const char *fmt, ...)
{
}

/* The text of c's first child element called name, or NULL. */
static xmlChar *
first_text(const xmlNode *c, const char *name)
{
	const xmlNode *k;

	for (k = c->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns == NULL &&
		    strcmp((const char *)k->name, name) == 0)
			return xmlNodeGetContent(k);
	return NULL;
}

static int
same_x(const char *a, xmlChar *b)
{
	int r = same(a, (const char *)b);

	xmlFree(b);
	return r;
}

/* cf loaded from (data, size): the whole-document reading must agree. */
static void
against_tree(const uint8_t *data, size_t size, const struct conn_file *cf)
{
	static xmlRelaxNG    *schema;
	xmlRelaxNGParserCtxt *pc;
	xmlRelaxNGValidCtxt  *vc;
	xmlDoc		     *doc;
	const xmlNode	     *c;
	size_t		      i = 0;

	xmlSetGenericErrorFunc(NULL, quiet);
	if (schema == NULL) {
		if ((pc = xmlRelaxNGNewMemParserCtxt(
			 conn_schema_rng, (int)conn_schema_rng_len)) == NULL ||
		    (schema = xmlRelaxNGParse(pc)) == NULL)
			abort();
		xmlRelaxNGFreeParserCtxt(pc);
	}
	if ((doc = xmlReadMemory((const char *)data, (int)size, "fuzz.xml",
				 NULL, XML_PARSE_NONET)) == NULL ||
	    (vc = xmlRelaxNGNewValidCtxt(schema)) == NULL)
		abort();
	xmlRelaxNGSetValidErrors(vc, quiet, quiet, NULL);
	if (xmlRelaxNGValidateDoc(vc, doc) != 0)
		abort();
	xmlRelaxNGFreeValidCtxt(vc);
	for (c = xmlDocGetRootElement(doc)->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (i >= cf->n ||
		    !same_x(cf->v[i].name, first_text(c, "Name")) ||
		    !same_x(cf->v[i].server, first_text(c, "Server")) ||
		    !same_x(cf->v[i].fqdn, first_text(c, "Fqdn")) ||
		    !same_x(cf->v[i].tls_name,
			    first_text(c, "TlsCertificateName")))
			abort();
		i++;
	}
	if (i != cf->n)
		abort();
	xmlFreeDoc(doc);
	xmlSetGenericErrorFunc(NULL, NULL);
}

static void
try_edit(const struct conn_file *cf, int variant)
{
	struct conn_errs  errs, lerrs;
	struct conn_file *nf = NULL;
	struct conn_edit *e;
	char		 *buf = NULL, *buf2 = NULL, *diff;
	size_t		  len, len2, dlen, i;

	if ((e = calloc(cf->n + 1, sizeof(*e))) == NULL)
		abort();
	for (i = 0; i < cf->n; i++) {
		conn_edit_init(&e[i]);
		/* Not every connector: the others must stay as they were. */
		if ((i + variant) % 2 == 0)
			continue;
		switch (variant) {
		case 0:
			e[i].fqdn = fqdns[i % 3];
			break;
		case 1:
			e[i].tls_name = names[i % 3];
			break;
		case 2:
			e[i].advertise = cf->v[i].advertise != 1;
			break;
		default:
			e[i].fqdn = fqdns[(i + 1) % 3];
			e[i].tls_name = names[(i + 1) % 3];
			e[i].advertise = (int)(i % 2);
			break;
		}
		/* A send connector has none: certbind-connectors(5). */
		if (cf->v[i].kind == CONN_SEND &&
		    e[i].advertise != CONN_UNSET) {
			if (conn_apply(cf, e, &buf, &len, &errs) != -1 ||
			    buf != NULL)
				abort();
			conn_errs_release(&errs);
			e[i].advertise = CONN_UNSET;
		}
	}
	if (conn_apply(cf, e, &buf, &len, &errs) == -1)
		abort();
	conn_errs_release(&errs);
	if (conn_changed(cf, buf, len) !=
	    (len != cf->len || memcmp(buf, cf->buf, len) != 0))
		abort();
	if (conn_load_mem("edited", buf, len, &nf, &lerrs) == -1 ||
	    nf->n != cf->n)
		abort();
	conn_errs_release(&lerrs);
	for (i = 0; i < cf->n; i++) {
		if (!same(nf->v[i].identity, cf->v[i].identity) ||
		    !same(nf->v[i].fqdn,
			  e[i].fqdn ? e[i].fqdn : cf->v[i].fqdn) ||
		    !same(nf->v[i].tls_name,
			  e[i].tls_name ? e[i].tls_name : cf->v[i].tls_name) ||
		    nf->v[i].advertise != (e[i].advertise != CONN_UNSET
					       ? e[i].advertise
					       : cf->v[i].advertise))
			abort();
		if (conn_edit_mask(&nf->v[i], &e[i]) != 0)
			abort();
	}
	/* The same edits again change nothing. */
	if (conn_apply(nf, e, &buf2, &len2, &errs) == -1 || len2 != len ||
	    memcmp(buf2, buf, len) != 0)
		abort();
	conn_errs_release(&errs);
	if ((diff = diff_unified(cf->buf, cf->len, buf, len, "fuzz.xml",
				 &dlen)) == NULL)
		abort();
	if ((dlen == 0) != (len == cf->len && memcmp(buf, cf->buf, len) == 0) ||
	    diff[dlen] != '\0')
		abort();
	free(diff);
	free(buf);
	free(buf2);
	free(e);
	conn_file_free(nf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn_errs  errs;
	struct conn_file *cf = NULL;
	size_t		  i;
	int		  v;

	if (conn_load_mem("fuzz.xml", (const char *)data, size, &cf, &errs) ==
	    -1) {
		if (errs.n == 0 && errs.sys_errno == 0)
			abort(); /* a failure always says why */
		for (i = 0; i < errs.n; i++)
			if (errs.v[i].msg == NULL || *errs.v[i].msg == '\0')
				abort();
		conn_errs_release(&errs);
		return 0;
	}
	conn_errs_release(&errs);
	against_tree(data, size, cf);
	for (i = 0; i < cf->n; i++) {
		if (cf->v[i].name == NULL || cf->v[i].identity == NULL ||
		    conn_match(cf->v[i].identity, &cf->v[i]) != 1 ||
		    has_control(cf->v[i].identity))
			abort();
	}
	for (v = 0; v < 4; v++)
		try_edit(cf, v);
	conn_file_free(cf);
	return 0;
}
