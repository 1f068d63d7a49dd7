/*
 * connectors: loading the connector configuration (certbind-connectors(5)).
 *
 * A file is read as bytes, its prolog and bytes checked by hand (no
 * <!DOCTYPE>, strict UTF-8, no NUL), then read in one pass by
 * libxml2's xmlTextReader without network, DTD or entity loading and
 * with its default depth limit, validating against the compiled-in
 * RELAX NG schema as it goes; each connector is read into the model
 * and freed.  A refused file is read again as a whole tree, only to
 * report every problem.  Edits are in connedit.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "conn_int.h"
#include "connectors.h"
#include "fold.h"
#include "mem.h"
#include "safe.h"

extern const char	   conn_schema_rng[];
extern const unsigned long conn_schema_rng_len;

/*
 * Every property the schema names for a connector of each kind; each
 * may appear once.  Server and AdvertiseClientSettings are named for a
 * send connector only to refuse them there (the schema does too).
 */
enum {
	K_NAME,
	K_SERVER,
	K_FQDN,
	K_TLSNAME,
	K_ADVERTISE,
	K_ROLE,
	K_AUTH,
	K_BINDINGS,
	K_CAPS,
	K_CLOUD,
	K_TLSDOMAIN,
	K_AUTHLEVEL,
	K_REQUIRETLS,
	K_SMARTHOSTS,
	K_SPACES,
	K_SOURCES,
	K_ENABLED
};
#define KR (1 << CONN_RECEIVE)
#define KS (1 << CONN_SEND)
static const struct {
	const char *name;
	int	    kinds;
} known[] = {
    {"Name", KR | KS},
    {"Server", KR | KS},
    {"Fqdn", KR | KS},
    {"TlsCertificateName", KR | KS},
    {"AdvertiseClientSettings", KR | KS},
    {"TransportRole", KR},
    {"AuthMechanism", KR},
    {"Bindings", KR},
    {"TlsDomainCapabilities", KR},
    {"CloudServicesMailEnabled", KS},
    {"TlsDomain", KS},
    {"TlsAuthLevel", KS},
    {"RequireTLS", KS},
    {"SmartHosts", KS},
    {"AddressSpaces", KS},
    {"SourceTransportServers", KS},
    {"Enabled", KS},
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/* The connector elements, by kind. */
static const char *const kind_elem[] = {"ReceiveConnector", "SendConnector"};

/* ---------------------------------------------------------------- errors */

void
conn_errs_init(struct conn_errs *errs, const char *file)
{
	memset(errs, 0, sizeof(*errs));
	errs->file = strdup(file != NULL ? file : "");
}

void
conn_errs_release(struct conn_errs *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->v[i].msg);
	free(errs->v);
	free(errs->file);
	memset(errs, 0, sizeof(*errs));
}

void
conn_errs_add(struct conn_errs *errs, long line, const char *fmt, ...)
{
	va_list ap;
	char   *msg = NULL;
	int	r;

	if (errs->n > CONN_MAX_ERRS)
		return;
	if (errs->n == CONN_MAX_ERRS) {
		fmt = "too many errors, giving up";
		line = 0;
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		msg = NULL;
	if (mem_grow(&errs->v, &errs->cap, errs->n + 1, sizeof(*errs->v)) ==
	    -1) {
		free(msg);
		return;
	}
	errs->v[errs->n].line = line;
	errs->v[errs->n].msg = msg != NULL ? msg : strdup("out of memory");
	errs->n++;
}

int
conn_match(const char *pattern, const struct conn *c)
{
	return fold_glob(pattern, c->identity) || fold_glob(pattern, c->name);
}

/* ------------------------------------------------------------ reading */

/*
 * The encoding pseudo-attribute of an XML declaration ending before
 * end, as a pointer and length, or NULL when there is none.
 */
static const char *
decl_encoding(const char *b, size_t end, size_t *vlen)
{
	const char *p, *e;
	char	    q;

	p = memmem(b, end, "encoding", 8);
	if (p == NULL)
		return NULL;
	p += 8;
	while ((size_t)(p - b) < end && conn_is_ws(*p))
		p++;
	if ((size_t)(p - b) >= end || *p++ != '=')
		return NULL;
	while ((size_t)(p - b) < end && conn_is_ws(*p))
		p++;
	if ((size_t)(p - b) >= end || (*p != '"' && *p != '\''))
		return NULL;
	q = *p++;
	e = memchr(p, q, end - (size_t)(p - b));
	if (e == NULL)
		return NULL;
	*vlen = (size_t)(e - p);
	return p;
}

/*
 * Checks the prolog by hand, before libxml2 sees anything: a document
 * type declaration is refused outright (it is the door for every entity
 * attack, and the format has no use for one), and only UTF-8 is read,
 * because edits are spliced into the bytes as UTF-8.  Returns 0 or -1.
 */
static int
check_prolog(const char *b, size_t len, struct conn_errs *errs)
{
	static const char *const ok_enc[] = {"UTF-8", "UTF8", "US-ASCII",
					     "ASCII"};
	const unsigned char	*u = (const unsigned char *)b;
	const char		*enc;
	size_t			 pos = 0, end, elen, i;

	if (len >= 2 &&
	    ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe) ||
	     u[0] == 0 || u[1] == 0)) {
		conn_errs_add(errs, 1,
			      "not UTF-8 (UTF-16 or UCS-4): only UTF-8 "
			      "is supported");
		return -1;
	}
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		pos = 3;
	if (conn_starts(b, len, pos, "<?xml") && pos + 5 < len &&
	    conn_is_ws(b[pos + 5])) {
		end = conn_skip_past(b, len, pos, "?>");
		if ((enc = decl_encoding(b + pos, end - pos, &elen)) != NULL) {
			for (i = 0; i < sizeof(ok_enc) / sizeof(ok_enc[0]); i++)
				if (strlen(ok_enc[i]) == elen &&
				    strncasecmp(enc, ok_enc[i], elen) == 0)
					break;
			if (i == sizeof(ok_enc) / sizeof(ok_enc[0])) {
				conn_errs_add(
				    errs, mem_line_at(b, pos),
				    "encoding \"%.*s\" is not supported: only "
				    "UTF-8 is",
				    (int)(elen > 40 ? 40 : elen), enc);
				return -1;
			}
		}
		pos = end;
	}
	for (;;) {
		while (pos < len && conn_is_ws(b[pos]))
			pos++;
		if (conn_starts(b, len, pos, "<!--"))
			pos = conn_skip_past(b, len, pos + 4, "-->");
		else if (conn_starts(b, len, pos, "<?"))
			pos = conn_skip_past(b, len, pos + 2, "?>");
		else
			break;
	}
	if (pos + 2 <= len && b[pos] == '<' && b[pos + 1] == '!' &&
	    (len - pos < 9 || strncasecmp(b + pos, "<!DOCTYPE", 9) == 0)) {
		conn_errs_add(errs, mem_line_at(b, pos),
			      "document type declarations "
			      "(<!DOCTYPE) are not allowed");
		return -1;
	}
	return 0;
}

/*
 * The whole of the regular file open on fd, at most CONN_MAX_FILE
 * bytes, NUL-terminated.  fd is left open.
 */
static int
read_fd(int fd, char **out, size_t *outlen, struct conn_errs *errs)
{
	struct stat st;
	char	   *buf = NULL;
	size_t	    len = 0, cap = 0, need;
	ssize_t	    r;
	int	    flags, rc = -1;

	if (fstat(fd, &st) == -1) {
		errs->sys_errno = errno;
		conn_errs_add(errs, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errs->sys_errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		conn_errs_add(errs, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)CONN_MAX_FILE) {
		errs->sys_errno = EFBIG;
		conn_errs_add(errs, 0, "file too large (over %lu bytes)",
			      CONN_MAX_FILE);
		goto out;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	/*
	 * Room for the whole file, one more byte to see its end and the
	 * NUL; a file that grows meanwhile grows the buffer.
	 */
	for (need = (size_t)st.st_size + 2;; need = len + 2) {
		if (len > CONN_MAX_FILE) {
			errs->sys_errno = EFBIG;
			conn_errs_add(errs, 0,
				      "file too large (over %lu bytes)",
				      CONN_MAX_FILE);
			goto out;
		}
		if (mem_grow(&buf, &cap, need, 1) == -1) {
			errs->sys_errno = ENOMEM;
			conn_errs_add(errs, 0, "out of memory");
			goto out;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			errs->sys_errno = errno;
			conn_errs_add(errs, 0, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > CONN_MAX_FILE) {
		errs->sys_errno = EFBIG;
		conn_errs_add(errs, 0, "file too large (over %lu bytes)",
			      CONN_MAX_FILE);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

static int
read_file(const char *path, char **out, size_t *outlen, struct conn_errs *errs)
{
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not hang before fstat refuses it. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) ==
	    -1) {
		errs->sys_errno = errno;
		conn_errs_add(errs, 0, "%s", strerror(errno));
		return -1;
	}
	rc = read_fd(fd, out, outlen, errs);
	close(fd);
	return rc;
}

/* --------------------------------------------------------------- libxml2 */

#if LIBXML_VERSION >= 21200
#define XERR_CONST const
#else
#define XERR_CONST
#endif

static void
xml_error(void *arg, XERR_CONST xmlError *e)
{
	struct conn_errs *errs = arg;
	const xmlNode	 *node = e->node;
	const char	 *m = e->message != NULL ? e->message : "error";
	size_t		  mlen = strlen(m);
	long		  line = e->line;
	char		  first;

	if (e->level < XML_ERR_ERROR)
		return;
	while (mlen > 0 && conn_is_ws(m[mlen - 1]))
		mlen--;
	if (node != NULL && node->type == XML_ELEMENT_NODE)
		line = xmlGetLineNo(node);
	if (mlen == 0) {
		m = "error";
		mlen = 5;
	}
	/* House style: lower case, unless the word is an acronym. */
	first = m[0];
	if (first >= 'A' && first <= 'Z' && !(m[1] >= 'A' && m[1] <= 'Z'))
		first = (char)(first + 0x20);
	if (node != NULL && node->type == XML_ELEMENT_NODE &&
	    e->domain == XML_FROM_RELAXNGV)
		conn_errs_add(errs, line, "element %s: %c%.*s", node->name,
			      first, (int)(mlen - 1), m + 1);
	else
		conn_errs_add(errs, line, "%c%.*s", first, (int)(mlen - 1),
			      m + 1);
}

static void
xml_generic_quiet(void *ctx, const char *fmt, ...)
{
}

/*
 * Routes libxml2's messages to errs for the duration of a call, then
 * back to libxml2's defaults: nothing else in certbind sets handlers,
 * so there are none to restore.
 */
static void
xml_capture(struct conn_errs *errs)
{
	xmlSetStructuredErrorFunc(errs, xml_error);
	xmlSetGenericErrorFunc(NULL, xml_generic_quiet);
}

static void
xml_restore(void)
{
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
}

/*
 * The compiled-in schema, parsed at the first load and kept for the
 * rest of the process (certbind loads a configuration once or twice a
 * run: before and after an edit).  NULL when that fails.
 */
static xmlRelaxNG *
schema_get(void)
{
	static xmlRelaxNG    *schema;
	xmlRelaxNGParserCtxt *pctx;

	if (schema != NULL)
		return schema;
	if ((pctx = xmlRelaxNGNewMemParserCtxt(
		 conn_schema_rng, (int)conn_schema_rng_len)) != NULL)
		schema = xmlRelaxNGParse(pctx);
	xmlRelaxNGFreeParserCtxt(pctx);
	return schema;
}

/* ----------------------------------------------------------------- model */

static int
known_index(const xmlNode *n, int kind)
{
	size_t i;

	if (n->type != XML_ELEMENT_NODE || n->ns != NULL)
		return -1;
	for (i = 0; i < NKNOWN; i++)
		if ((known[i].kinds & (1 << kind)) &&
		    strcmp((const char *)n->name, known[i].name) == 0)
			return (int)i;
	return -1;
}

static int
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The kind of connector n is, or -1 when it is not a connector. */
static int
conn_elem_kind(const xmlNode *n)
{
	if (is_elem(n, kind_elem[CONN_RECEIVE]))
		return CONN_RECEIVE;
	if (is_elem(n, kind_elem[CONN_SEND]))
		return CONN_SEND;
	return -1;
}

/* Is n a root element the schema allows? */
static int
is_root(const xmlNode *n)
{
	return is_elem(n, "ReceiveConnectors") || is_elem(n, "Connectors");
}

/* Returns 0, 1, or -1 when s is not a boolean as the schema reads it. */
static int
parse_bool(const char *s)
{
	size_t n;

	while (conn_is_ws(*s))
		s++;
	n = strlen(s);
	while (n > 0 && conn_is_ws(s[n - 1]))
		n--;
	if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 1 && *s == '1'))
		return 1;
	if ((n == 5 && strncasecmp(s, "false", 5) == 0) ||
	    (n == 1 && *s == '0'))
		return 0;
	return -1;
}

static int
blank(const char *s)
{
	while (conn_is_ws(*s))
		s++;
	return *s == '\0';
}

/*
 * The first control character of s (C0, DEL, C1) in *cp: returns 1, or
 * 0 when s holds none.  Exchange's names cannot hold one, and renew's
 * hook gets identities one per line (certbind(1), renew --exec), so a
 * Name or Server with one is refused (certbind-connectors(5)).
 */
static int
find_control(const char *s, unsigned long *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     i = 0, len = strlen(s), n;

	while (i < len) {
		/* libxml2 hands over valid UTF-8; a stray byte is skipped. */
		if ((n = safe_utf8_next(p + i, len - i, cp)) == 0) {
			i++;
			continue;
		}
		if (*cp < 0x20 || *cp == 0x7f || (*cp >= 0x80 && *cp <= 0x9f))
			return 1;
		i += n;
	}
	return 0;
}

/*
 * Writes the text of n's descendants to fp, as xmlNodeGetContent would
 * -- but with each CR LF and each lone CR in a CDATA section read as
 * LF, as XML requires (XML 1.0, 2.11).  libxml2's incremental parser,
 * which its reader drives, leaves them in CDATA sections (found by
 * fuzz_conn); in text it normalises them, and a CR written as &#13;
 * stays a CR.
 */
static void
text_of(FILE *fp, const xmlNode *n)
{
	const xmlNode *k;
	const char    *c;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE)
			text_of(fp, k);
		if ((k->type != XML_TEXT_NODE &&
		     k->type != XML_CDATA_SECTION_NODE) ||
		    k->content == NULL)
			continue;
		if (k->type == XML_TEXT_NODE) {
			fputs((const char *)k->content, fp);
			continue;
		}
		for (c = (const char *)k->content; *c != '\0'; c++) {
			if (*c == '\r' && c[1] == '\n')
				continue;
			putc(*c == '\r' ? '\n' : *c, fp);
		}
	}
}

/*
 * The decoded text of an element in a malloc'd copy, or NULL.  Most
 * elements hold one text node, which needs no walk of the subtree.
 */
static char *
node_text(const xmlNode *n)
{
	const xmlNode *t = n->children;
	FILE	      *fp;
	char	      *s = NULL;
	size_t	       len;
	int	       bad;

	if (t == NULL)
		return strdup("");
	if (t->next == NULL && t->type == XML_TEXT_NODE && t->content != NULL)
		return strdup((const char *)t->content);
	if ((fp = open_memstream(&s, &len)) == NULL)
		return NULL;
	text_of(fp, n);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A multi-valued property as text: with child elements, their texts
 * joined with ", " (as Exchange's exports write lists), else the
 * element's text (certbind-connectors(5)).  A malloc'd copy, or NULL.
 */
static char *
list_text(const xmlNode *n)
{
	const xmlNode *k;
	char	      *s = NULL, *t;
	size_t	       len = 0, cap = 0, tl;

	for (k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			break;
	if (k == NULL)
		return node_text(n);
	/* Built by hand: a memory stream per list was a twentieth of bind. */
	for (; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if ((t = node_text(k)) == NULL)
			goto fail;
		tl = strlen(t);
		if (mem_grow(&s, &cap, len + tl + 3, 1) == -1) {
			free(t);
			goto fail;
		}
		if (len > 0) {
			memcpy(s + len, ", ", 2);
			len += 2;
		}
		memcpy(s + len, t, tl + 1);
		len += tl;
		free(t);
	}
	return s;
fail:
	free(s);
	return NULL;
}

/* Sets c->port_2525 from the Binding elements of n; 0, or -1 (memory). */
static int
model_bindings(const xmlNode *n, struct conn *c)
{
	const xmlNode *b;
	char	      *text;
	size_t	       len;

	for (b = n->children; b != NULL; b = b->next) {
		if (b->type != XML_ELEMENT_NODE)
			continue;
		if ((text = node_text(b)) == NULL)
			return -1;
		len = strlen(text);
		if (len >= 5 && strcmp(text + len - 5, ":2525") == 0)
			c->port_2525 = 1;
		free(text);
	}
	return 0;
}

/*
 * Reads one connector (kind: <ReceiveConnector> or <SendConnector>)
 * into c and reports, with their lines,
 * the problems the schema would also catch but describes poorly (a
 * field given twice, a missing Name, a bad boolean), and the one rule
 * of certbind's own that the schema does not state: no control
 * character in Name or Server.  Both loads read the model here, so
 * both hold that rule.  Returns 0, 1 when the connector is wrong
 * (reported), or -1 when memory ran out.
 */
static int
model_conn(const xmlNode *n, int kind, struct conn *c, struct conn_errs *errs)
{
	const xmlNode *k;
	const xmlNode *seen[NKNOWN];
	char	      *text;
	unsigned long  cp;
	int	       ki, b, *bp, bad = 0;

	c->kind = kind;
	c->advertise = CONN_UNSET;
	c->cloud = CONN_UNSET;
	c->require_tls = CONN_UNSET;
	c->enabled = CONN_UNSET;
	c->line = xmlGetLineNo(n);
	memset(seen, 0, sizeof(seen));
	for (k = n->children; k != NULL; k = k->next) {
		if ((ki = known_index(k, kind)) == -1)
			continue;
		if (seen[ki] != NULL) {
			conn_errs_add(
			    errs, xmlGetLineNo(k),
			    "%s given "
			    "twice in one connector (also at line %ld)",
			    known[ki].name, xmlGetLineNo(seen[ki]));
			bad = 1;
			continue;
		}
		seen[ki] = k;
		if (kind == CONN_SEND &&
		    (ki == K_SERVER || ki == K_ADVERTISE)) {
			/* Set-SendConnector has neither parameter. */
			conn_errs_add(errs, xmlGetLineNo(k),
				      "a SendConnector has no %s",
				      known[ki].name);
			bad = 1;
			continue;
		}
		if (ki == K_BINDINGS) {
			if (model_bindings(k, c) == -1 ||
			    (c->bindings = list_text(k)) == NULL) {
				conn_errs_add(errs, 0, "out of memory");
				return -1;
			}
			continue;
		}
		text = ki == K_CAPS || ki == K_SMARTHOSTS || ki == K_SPACES ||
			       ki == K_SOURCES
			   ? list_text(k)
			   : node_text(k);
		if (text == NULL) {
			conn_errs_add(errs, 0, "out of memory");
			return -1;
		}
		bp = NULL;
		switch (ki) {
		case K_NAME:
			c->name = text;
			break;
		case K_SERVER:
			c->server = text;
			break;
		case K_FQDN:
			c->fqdn = text;
			break;
		case K_TLSNAME:
			c->tls_name = text;
			break;
		case K_ROLE:
			c->role = text;
			break;
		case K_AUTH:
			c->auth = text;
			break;
		case K_CAPS:
			c->tls_domain_caps = text;
			break;
		case K_TLSDOMAIN:
			c->tls_domain = text;
			break;
		case K_AUTHLEVEL:
			c->tls_auth_level = text;
			break;
		case K_SMARTHOSTS:
			c->smart_hosts = text;
			break;
		case K_SPACES:
			c->address_spaces = text;
			break;
		case K_SOURCES:
			c->source_servers = text;
			break;
		case K_ADVERTISE:
			bp = &c->advertise;
			break;
		case K_CLOUD:
			bp = &c->cloud;
			break;
		case K_REQUIRETLS:
			bp = &c->require_tls;
			break;
		case K_ENABLED:
			bp = &c->enabled;
			break;
		default:
			free(text);
			break;
		}
		if (bp == NULL)
			continue;
		if ((b = parse_bool(text)) == -1) {
			conn_errs_add(errs, xmlGetLineNo(k),
				      "%s \"%.64s\" "
				      "is not true, false, 1 or 0",
				      known[ki].name, text);
			bad = 1;
		}
		*bp = b == -1 ? CONN_UNSET : b;
		free(text);
	}
	if (c->name == NULL) {
		conn_errs_add(errs, c->line, "connector has no Name");
		bad = 1;
	} else if (blank(c->name)) {
		conn_errs_add(errs, xmlGetLineNo(seen[K_NAME]), "empty Name");
		bad = 1;
	} else if (find_control(c->name, &cp)) {
		conn_errs_add(
		    errs, xmlGetLineNo(seen[K_NAME]),
		    "Name \"%.64s\" holds a control character (U+%04lX)",
		    c->name, cp);
		bad = 1;
	}
	if (c->server != NULL && blank(c->server)) {
		conn_errs_add(errs, xmlGetLineNo(seen[K_SERVER]),
			      "empty Server");
		bad = 1;
	} else if (c->server != NULL && find_control(c->server, &cp)) {
		conn_errs_add(errs, xmlGetLineNo(seen[K_SERVER]),
			      "Server \"%.64s\" holds a control character "
			      "(U+%04lX)",
			      c->server, cp);
		bad = 1;
	}
	if (c->name == NULL)
		return bad;
	if (c->server != NULL) {
		if (asprintf(&c->identity, "%s\\%s", c->server, c->name) == -1)
			c->identity = NULL;
	} else
		c->identity = strdup(c->name);
	if (c->identity == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		return -1;
	}
	return bad;
}

/*
 * An identity as fold_casecmp sees it, after a byte holding the
 * connector's kind (identities are unique per kind): each code point
 * folded and written in 3 bytes, big-endian (the values fold_next returns stay
 * under 2^24), so memcmp, then the length, orders keys as fold_casecmp orders
 * identities.  Folding once per identity keeps the sort from decoding
 * and folding both strings at every comparison.
 */
struct dup_key {
	const unsigned char *k;
	size_t		     klen;
	struct conn	    *c;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	size_t		      n = x->klen < y->klen ? x->klen : y->klen;
	int		      r;

	if ((r = memcmp(x->k, y->k, n)) != 0)
		return r;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->c->line < y->c->line ? -1 : x->c->line > y->c->line;
}

/* Sorting keeps a 100,000-connector file from costing n² comparisons. */
static int
check_duplicates(struct conn_file *cf, struct conn_errs *errs)
{
	struct dup_key	    *s = NULL;
	struct conn	    *c;
	unsigned char	    *keys = NULL, *k;
	const unsigned char *p;
	size_t		     i, j, len, first = 0, total = 0;
	unsigned long	     cp;
	int		     bad = 0;

	if (cf->n < 2)
		return 0;
	for (i = 0; i < cf->n; i++)
		total += strlen(cf->v[i].identity);
	if ((s = calloc(cf->n, sizeof(*s))) == NULL ||
	    (keys = malloc(3 * total + cf->n + 1)) == NULL) {
		free(s);
		conn_errs_add(errs, 0, "out of memory");
		return -1;
	}
	for (k = keys, i = 0; i < cf->n; i++) {
		s[i].c = &cf->v[i];
		s[i].k = k;
		*k++ = (unsigned char)cf->v[i].kind;
		p = (const unsigned char *)cf->v[i].identity;
		for (j = 0, len = strlen(cf->v[i].identity); j < len;) {
			cp = fold_next(p, len, &j);
			*k++ = (unsigned char)(cp >> 16);
			*k++ = (unsigned char)(cp >> 8);
			*k++ = (unsigned char)cp;
		}
		s[i].klen = (size_t)(k - s[i].k);
	}
	qsort(s, cf->n, sizeof(*s), cmp_key);
	for (i = 1; i < cf->n; i++) {
		if (s[first].klen != s[i].klen ||
		    memcmp(s[first].k, s[i].k, s[i].klen) != 0) {
			first = i;
			continue;
		}
		c = s[i].c;
		conn_errs_add(errs, c->line,
			      "duplicate identity \"%.200s\" "
			      "(also at line %ld)",
			      c->identity, s[first].c->line);
		c->dup_line = s[first].c->line;
		if (s[first].c->dup_line == 0)
			s[first].c->dup_line = c->line;
		bad = 1;
	}
	free(keys);
	free(s);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ load */

/* Frees the model of cf, leaving an empty one. */
static void
model_free(struct conn_file *cf)
{
	size_t i;

	for (i = 0; i < cf->n; i++) {
		free(cf->v[i].server);
		free(cf->v[i].name);
		free(cf->v[i].identity);
		free(cf->v[i].fqdn);
		free(cf->v[i].tls_name);
		free(cf->v[i].role);
		free(cf->v[i].auth);
		free(cf->v[i].tls_domain_caps);
		free(cf->v[i].tls_domain);
		free(cf->v[i].bindings);
		free(cf->v[i].tls_auth_level);
		free(cf->v[i].smart_hosts);
		free(cf->v[i].address_spaces);
		free(cf->v[i].source_servers);
	}
	if (cf->n > 0)
		free(cf->v[0].span);
	free(cf->v);
	cf->v = NULL;
	cf->n = 0;
}

void
conn_file_free(struct conn_file *cf)
{
	if (cf == NULL)
		return;
	model_free(cf);
	free(cf->buf);
	free(cf->path);
	free(cf);
}

/* Is the declared encoding UTF-8 or its subset ASCII? */
static int
encoding_ok(const xmlChar *enc)
{
	static const char *const ok[] = {"UTF-8", "UTF8", "US-ASCII", "ASCII"};
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (xmlStrcasecmp(enc, BAD_CAST ok[i]) == 0)
			return 1;
	return 0;
}

/*
 * Strict UTF-8 and no NUL byte, checked by hand before libxml2 reads.
 * Its incremental parser, which the reader below drives, lets overlong
 * forms through inside CDATA sections (found by fuzz_conn), and takes
 * a NUL after the root element for the end of the input, so
 * "</ReceiveConnectors>\0<anything>" would load and be kept byte for
 * byte on rewrite.  Returns 0 or -1.
 */
static int
check_bytes(const char *b, size_t len, struct conn_errs *errs)
{
	const unsigned char *s = (const unsigned char *)b;
	const char	    *nul;
	unsigned long	     cp;
	uint64_t	     w;
	size_t		     i = 0, n;

	if ((nul = memchr(b, '\0', len)) != NULL) {
		conn_errs_add(errs, mem_line_at(b, (size_t)(nul - b)),
			      "NUL byte in the file");
		return -1;
	}
	while (i < len) {
		/* Eight ASCII bytes at a time: most of a file is ASCII. */
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = safe_utf8_next(s + i, len - i, &cp)) == 0) {
			conn_errs_add(
			    errs, mem_line_at(b, i),
			    "byte 0x%02X is not valid UTF-8: only UTF-8 "
			    "is supported",
			    s[i]);
			return -1;
		}
		i += n;
	}
	return 0;
}

/* The reader's pass: the first problem it met, then it stops. */
struct pass {
	struct conn_errs first;
	int		 failed;
};

/*
 * Any error ends the reader's pass at once: after a schema error,
 * libxml2 2.9's reader goes on validating in a state that refers to
 * nodes it has already freed (found by fuzz_conn), and its messages
 * from there on are noise.
 */
static void
pass_error(void *arg, XERR_CONST xmlError *e)
{
	struct pass *ps = arg;

	if (e->level < XML_ERR_ERROR || ps->failed)
		return;
	ps->failed = 1;
	xml_error(&ps->first, e);
}

/*
 * One connector, the reader at its start tag (already validated by the
 * reader, which expanded it for that): its values go into the model
 * and the reader moves past it, freeing it.  Returns what
 * xmlTextReaderNext returns, -2 when memory ran out, -3 when the
 * connector breaks one of the model's rules.
 */
static int
read_conn(xmlTextReader *r, int kind, struct conn_file *cf, size_t *cap,
	  struct pass *ps)
{
	const xmlNode *n;
	struct conn   *c;
	int	       m;

	if ((n = xmlTextReaderExpand(r)) == NULL)
		return -1;
	if (mem_grow(&cf->v, cap, cf->n + 1, sizeof(*cf->v)) == -1)
		return -2;
	c = &cf->v[cf->n++];
	memset(c, 0, sizeof(*c));
	if ((m = model_conn(n, kind, c, &ps->first)) != 0)
		return m == -1 ? -2 : -3;
	return xmlTextReaderNext(r);
}

/*
 * The reader's pass, which decides: libxml2's xmlTextReader parses the
 * bytes and validates them against the schema as it goes; each
 * connector, once complete, is read into the model (model_conn) and
 * freed, so the tree never holds more than one connector.  Returns 0,
 * -1 at the first problem (ps says what it was), or -2 when memory ran
 * out.
 */
static int
read_pass(struct conn_file *cf, int flags, struct pass *ps)
{
	xmlTextReader *r = NULL;
	xmlRelaxNG    *schema;
	const xmlNode *n;
	const xmlChar *enc;
	size_t	       cap = 0;
	int	       ret, type, kind, mixed = 0, rc = -1;

	if ((schema = schema_get()) == NULL)
		return -1;
	/*
	 * No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD or
	 * DTDATTR, no network, and no XML_PARSE_HUGE so libxml2's depth
	 * and size limits stand.
	 */
	if ((r = xmlReaderForMemory(cf->buf, (int)cf->len, cf->path, NULL,
				    XML_PARSE_NONET | XML_PARSE_BIG_LINES)) ==
	    NULL)
		return -2;
	xmlTextReaderSetStructuredErrorHandler(r, pass_error, ps);
	if (!(flags & LOAD_NO_SCHEMA) &&
	    xmlTextReaderRelaxNGSetSchema(r, schema) != 0)
		goto out;
	ret = xmlTextReaderRead(r);
	while (ret == 1 && !ps->failed) {
		type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			goto out;
		if (type != XML_READER_TYPE_ELEMENT) {
			ret = xmlTextReaderRead(r);
			continue;
		}
		n = xmlTextReaderCurrentNode(r);
		if (xmlTextReaderDepth(r) == 0) {
			if (!is_root(n))
				goto out;
			mixed = is_elem(n, "Connectors");
		}
		kind = xmlTextReaderDepth(r) == 1 ? conn_elem_kind(n) : -1;
		/* Under <ReceiveConnectors> the schema has refused the rest. */
		if (kind == CONN_SEND && !mixed)
			goto out;
		if (kind != -1)
			ret = read_conn(r, kind, cf, &cap, ps);
		else
			ret = xmlTextReaderRead(r);
	}
	if (ret == -2)
		rc = -2;
	if (ret != 0 || ps->failed)
		goto out;
	if (!(flags & LOAD_NO_SCHEMA) && xmlTextReaderIsValid(r) != 1)
		goto out;
	if ((enc = xmlTextReaderConstEncoding(r)) != NULL && !encoding_ok(enc))
		goto out;
	rc = 0;
out:
	xmlFreeTextReader(r);
	return rc;
}

/* The model from the whole tree (explain's).  Returns 0 or -1. */
static int
build_model(xmlDoc *doc, struct conn_file *cf, struct conn_errs *errs)
{
	const xmlNode *root, *n;
	size_t	       count = 0;
	int	       r, kind, mixed, bad = 0;

	if ((root = xmlDocGetRootElement(doc)) == NULL || !is_root(root)) {
		conn_errs_add(errs, root != NULL ? xmlGetLineNo(root) : 0,
			      "the root element is not ReceiveConnectors "
			      "or Connectors");
		return -1;
	}
	/* A SendConnector under <ReceiveConnectors>: the schema says so. */
	mixed = is_elem(root, "Connectors");
	for (n = root->children; n != NULL; n = n->next)
		if ((kind = conn_elem_kind(n)) != -1 &&
		    (mixed || kind == CONN_RECEIVE))
			count++;
	if (count > 0 && (cf->v = calloc(count, sizeof(*cf->v))) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		return -1;
	}
	for (n = root->children; n != NULL; n = n->next) {
		if ((kind = conn_elem_kind(n)) == -1 ||
		    (!mixed && kind != CONN_RECEIVE))
			continue;
		if ((r = model_conn(n, kind, &cf->v[cf->n++], errs)) == -1)
			return -1;
		bad |= r;
	}
	return bad ? -1 : 0;
}

static void
validate(xmlDoc *doc, struct conn_errs *errs)
{
	xmlRelaxNG	    *schema;
	xmlRelaxNGValidCtxt *vctx = NULL;

	if ((schema = schema_get()) == NULL ||
	    (vctx = xmlRelaxNGNewValidCtxt(schema)) == NULL) {
		conn_errs_add(errs, 0,
			      "internal error: cannot load the schema");
		goto out;
	}
	xmlRelaxNGSetValidStructuredErrors(vctx, xml_error, errs);
	if (xmlRelaxNGValidateDoc(vctx, doc) != 0 && errs->n == 0)
		conn_errs_add(errs, 0, "does not match the schema");
out:
	xmlRelaxNGFreeValidCtxt(vctx);
}

/*
 * Why a file the reader refused is wrong, with every problem and its
 * line, in this order, the first kind found alone: the parser's, the
 * document's (a document type, an encoding), the model's own messages,
 * which say more than the schema's, then the schema's.  The reader
 * stops at the first problem, and its messages after a schema error
 * are noise, so libxml2's whole-document parser and validator read
 * the same bytes, with the same schema and the same model_conn, and
 * report.  Only a refused file costs the whole tree.  cf's model is
 * scratch here.
 */
static void
explain(struct conn_file *cf, struct conn_errs *errs)
{
	xmlParserCtxt *ctxt = NULL;
	xmlDoc	      *doc = NULL;

	xml_capture(errs);
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	doc = xmlCtxtReadMemory(ctxt, cf->buf, (int)cf->len, cf->path, NULL,
				XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (doc == NULL || !ctxt->wellFormed || errs->n > 0) {
		if (errs->n == 0)
			conn_errs_add(errs, 0, "not well-formed XML");
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		conn_errs_add(errs, 0,
			      "document type declarations (<!DOCTYPE) "
			      "are not allowed");
		goto out;
	}
	if (doc->encoding != NULL && !encoding_ok(doc->encoding)) {
		conn_errs_add(errs, 0,
			      "encoding is not supported: only UTF-8 is");
		goto out;
	}
	if (build_model(doc, cf, errs) == -1)
		goto out;
	validate(doc, errs);
out:
	xml_restore();
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
}

/*
 * The one load: the bytes checked (check_bytes), then the reader's
 * pass, which decides; what it refuses, explain reports.  Returns 0 or
 * -1.
 */
static int
parse(struct conn_file *cf, int flags, struct conn_errs *errs)
{
	struct pass ps;
	size_t	    i;
	int	    rc;

	if (check_bytes(cf->buf, cf->len, errs) == -1)
		return -1;
	memset(&ps, 0, sizeof(ps));
	xml_capture(errs);
	rc = read_pass(cf, flags, &ps);
	xml_restore();
	if (rc == -2)
		conn_errs_add(errs, 0, "out of memory");
	else if (rc == -1) {
		model_free(cf);
		explain(cf, errs);
		model_free(cf);
		/* They cannot disagree; if they do, say what the reader saw. */
		for (i = 0; errs->n == 0 && i < ps.first.n; i++)
			conn_errs_add(errs, ps.first.v[i].line, "%s",
				      ps.first.v[i].msg);
		if (errs->n == 0)
			conn_errs_add(errs, 0, "does not match the schema");
	}
	conn_errs_release(&ps.first);
	return rc == 0 ? 0 : -1;
}

/*
 * Loads buf, taking ownership of it (it is freed on failure).  Returns
 * 0 and *out, or -1 with errs filled.
 */
int
conn_load_owned(const char *label, char *buf, size_t len, int flags,
		struct conn_file **out, struct conn_errs *errs)
{
	struct conn_file *cf = NULL;
	struct conn_span *spans;
	size_t		  i;
	int		  rc = -1;

	*out = NULL;
	if ((cf = calloc(1, sizeof(*cf))) == NULL ||
	    (cf->path = strdup(label)) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	cf->buf = buf;
	cf->len = len;
	buf = NULL;
	if (len > CONN_MAX_FILE) {
		conn_errs_add(errs, 0, "file too large (over %lu bytes)",
			      CONN_MAX_FILE);
		goto out;
	}
	if (check_prolog(cf->buf, cf->len, errs) == -1)
		goto out;

	if (parse(cf, flags, errs) == -1)
		goto out;
	spans = NULL;
	if (cf->n > 0 && !(flags & LOAD_NO_SPANS)) {
		if ((spans = calloc(cf->n, sizeof(*spans))) == NULL) {
			conn_errs_add(errs, 0, "out of memory");
			goto out;
		}
		for (i = 0; i < cf->n; i++)
			cf->v[i].span = &spans[i];
	}
	if (!(flags & LOAD_NO_SPANS)) {
		if (conn_scan(cf->buf, cf->len, cf, spans) == -1) {
			conn_errs_add(errs, 0,
				      "internal error: cannot locate the "
				      "connectors in the file");
			goto out;
		}
	}
	/* After scan: its line numbers are those of the '<'. */
	if (check_duplicates(cf, errs) == -1 && !(flags & CONN_LOAD_DUPLICATES))
		goto out;
	*out = cf;
	cf = NULL;
	rc = 0;
out:
	conn_file_free(cf);
	free(buf);
	return rc;
}

int
conn_load(const char *path, struct conn_file **out, struct conn_errs *errs)
{
	return conn_load_flags(path, 0, out, errs);
}

int
conn_load_flags(const char *path, int flags, struct conn_file **out,
		struct conn_errs *errs)
{
	char  *buf;
	size_t len;
	int    rc;

	*out = NULL;
	conn_errs_init(errs, path);
	if (errs->file == NULL)
		return -1;
	if (read_file(path, &buf, &len, errs) == -1)
		return -1;
	rc = conn_load_owned(path, buf, len, flags, out, errs);
	if (rc == 0 && (flags & CONN_LOAD_DUPLICATES)) {
		/* The duplicates are in the model (dup_line), not errors. */
		conn_errs_release(errs);
		conn_errs_init(errs, path);
	}
	return rc;
}

int
conn_load_fd(const char *label, int fd, struct conn_file **out,
	     struct conn_errs *errs)
{
	char  *buf;
	size_t len;

	*out = NULL;
	conn_errs_init(errs, label);
	if (errs->file == NULL)
		return -1;
	if (read_fd(fd, &buf, &len, errs) == -1)
		return -1;
	return conn_load_owned(label, buf, len, 0, out, errs);
}

int
conn_load_mem(const char *label, const char *buf, size_t len,
	      struct conn_file **out, struct conn_errs *errs)
{
	char *copy;

	*out = NULL;
	conn_errs_init(errs, label);
	if (errs->file == NULL)
		return -1;
	if ((copy = malloc(len + 1)) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return conn_load_owned(label, copy, len, 0, out, errs);
}

/* Is (s, len), without the spaces around it, "tls" in any case? */
static int
is_tls_token(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len == 3 && strncasecmp(s, "tls", 3) == 0;
}

const char *
conn_kind_name(const struct conn *c)
{
	return c->kind == CONN_SEND ? "Send" : "Receive";
}

int
conn_is_cloud(const struct conn *c)
{
	if (c->kind == CONN_SEND)
		return c->cloud == 1;
	return c->tls_domain_caps != NULL && !blank(c->tls_domain_caps);
}

int
conn_offers_tls(const struct conn *c)
{
	const char *p, *comma;

	if (c->kind == CONN_SEND || c->auth == NULL)
		return 1;
	for (p = c->auth;; p = comma + 1) {
		comma = strchr(p, ',');
		if (is_tls_token(p, comma != NULL ? (size_t)(comma - p)
						  : strlen(p)))
			return 1;
		if (comma == NULL)
			return 0;
	}
}

int
conn_is_default_hub(const struct conn *c)
{
	if (c->kind == CONN_SEND || c->server == NULL || c->name == NULL ||
	    strncasecmp(c->name, "Default ", 8) != 0 ||
	    strcasecmp(c->name + 8, c->server) != 0)
		return 0;
	if (c->role != NULL)
		return strcasecmp(c->role, "HubTransport") == 0;
	return c->port_2525;
}
