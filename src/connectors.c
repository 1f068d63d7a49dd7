/*
 * connectors: the connector configuration (certbind-connectors(5)).
 *
 * A file is read as bytes, its prolog checked by hand (no <!DOCTYPE>,
 * UTF-8 only), parsed by libxml2 without network, DTD or entity
 * loading and with its default depth limit, and validated against the
 * compiled-in RELAX NG schema.  The model comes from libxml2's tree.
 * Editing does not go through the tree: a small scanner walks the
 * original bytes (already proven well-formed) to find where each
 * connector and each field lies, and new values are spliced into the
 * bytes, so everything certbind does not set stays byte for byte.
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
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "connectors.h"
#include "mem.h"
#include "safe.h"

extern const char	   conn_schema_rng[];
extern const unsigned long conn_schema_rng_len;

/* The fields certbind sets, in the order missing ones are added. */
enum { F_FQDN, F_TLSNAME, F_ADVERTISE, NFIELDS };
static const char *const field_names[NFIELDS] = {"Fqdn", "TlsCertificateName",
						 "AdvertiseClientSettings"};

/* Every property the schema names; each may appear once. */
enum {
	K_NAME,
	K_SERVER,
	K_FQDN,
	K_TLSNAME,
	K_ADVERTISE,
	K_ROLE,
	K_AUTH,
	K_BINDINGS
};
static const char *const known_names[] = {"Name",
					  "Server",
					  "Fqdn",
					  "TlsCertificateName",
					  "AdvertiseClientSettings",
					  "TransportRole",
					  "AuthMechanism",
					  "Bindings"};
#define NKNOWN (sizeof(known_names) / sizeof(known_names[0]))

struct field_span {
	int    present;
	int    empty;  /* written <X/> */
	size_t tag;    /* offset of the start tag's '<' */
	size_t tagend; /* just after the start tag's '>' */
	size_t cend;   /* offset of the end tag's '<' */
};

struct conn_span {
	size_t		  start;     /* '<' of <ReceiveConnector> */
	size_t		  insert;    /* missing fields go here */
	size_t		  sep_start; /* white space before the */
	size_t		  sep_end;   /* last child element */
	int		  nchild;
	struct field_span f[NFIELDS];
};

/* ---------------------------------------------------------------- errors */

static void
errs_init(struct conn_errs *errs, const char *file)
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

/*
 * Adds a problem.  Allocation failures are folded into the list as far
 * as possible: an error list that cannot grow still makes the load fail
 * because callers test n > 0 or their own return value.
 */
static void errs_add(struct conn_errs *errs, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errs_add(struct conn_errs *errs, long line, const char *fmt, ...)
{
	struct conn_err *nv;
	va_list		 ap;
	char		*msg = NULL;
	int		 r;

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
	nv = reallocarray(errs->v, errs->n + 1, sizeof(*nv));
	if (nv == NULL) {
		free(msg);
		return;
	}
	errs->v = nv;
	nv[errs->n].line = line;
	nv[errs->n].msg = msg != NULL ? msg : strdup("out of memory");
	errs->n++;
}

/* -------------------------------------------------- case folding, globs */

unsigned int
conn_fold(unsigned int c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
	if (c < 0x100) {
		if (c == 0xb5)
			return 0x3bc;
		if (c >= 0xc0 && c <= 0xde && c != 0xd7)
			return c + 0x20;
		return c;
	}
	if (c < 0x180) {
		/* U+0130 folds only under Turkic rules; the rest have no pair.
		 */
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
			return c;
		if (c == 0x178)
			return 0xff;
		if (c == 0x17f)
			return 's';
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
			return (c & 1) ? c + 1 : c;
		return (c & 1) ? c : c + 1;
	}
	if (c >= 0x370 && c < 0x400) {
		if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
			return c + 0x20;
		if ((c >= 0x370 && c <= 0x373) || c == 0x376 ||
		    (c >= 0x3d8 && c <= 0x3ef) || c == 0x3f7 || c == 0x3fa)
			return (c & 1) ? c : c + 1;
		if (c >= 0x388 && c <= 0x38a)
			return c + 0x25;
		if (c == 0x38e || c == 0x38f)
			return c + 0x3f;
		if (c >= 0x3fd)
			return c - 0x82;
		switch (c) {
		case 0x37f:
			return 0x3f3;
		case 0x386:
			return 0x3ac;
		case 0x38c:
			return 0x3cc;
		case 0x3c2:
			return 0x3c3;
		case 0x3cf:
			return 0x3d7;
		case 0x3d0:
			return 0x3b2;
		case 0x3d1:
			return 0x3b8;
		case 0x3d5:
			return 0x3c6;
		case 0x3d6:
			return 0x3c0;
		case 0x3f0:
			return 0x3ba;
		case 0x3f1:
			return 0x3c1;
		case 0x3f4:
			return 0x3b8;
		case 0x3f5:
			return 0x3b5;
		case 0x3f9:
			return 0x3f2;
		default:
			return c;
		}
	}
	if (c >= 0x400 && c < 0x530) {
		if (c < 0x410)
			return c + 0x50;
		if (c < 0x430)
			return c + 0x20;
		if (c == 0x4c0)
			return 0x4cf;
		if (c >= 0x4c1 && c <= 0x4ce)
			return (c & 1) ? c + 1 : c;
		if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) ||
		    c >= 0x4d0)
			return (c & 1) ? c : c + 1;
		return c;
	}
	return c;
}

/*
 * The next code point of a NUL-terminated string, advancing *sp.  A
 * byte that does not start valid UTF-8 yields 0x110000 + byte, a value
 * no code point has, so it compares equal only to the same byte.
 */
static unsigned int
u8_next(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	unsigned int	     c = s[0], lo = 0x80, hi = 0xbf;
	int		     n, i;

	if (c < 0x80) {
		*sp = s + 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 1, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 2, c &= 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, c &= 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		goto bad;
	for (i = 1; i <= n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*sp = s + n + 1;
	return c;
bad:
	*sp = s + 1;
	return 0x110000 + s[0];
}

/* The next code point of (s, len) at *i, folded; an invalid byte stands
 * for itself, apart from every code point. */
static unsigned long
fold_at(const unsigned char *s, size_t len, size_t *i)
{
	unsigned long cp;
	size_t	      n;

	if ((n = safe_utf8_next(s + *i, len - *i, &cp)) == 0) {
		cp = 0x110000 + s[*i];
		n = 1;
	} else
		cp = conn_fold(cp);
	*i += n;
	return cp;
}

int
conn_casecmp_n(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t		     i = 0, j = 0;
	unsigned long	     x, y;

	while (i < alen && j < blen) {
		x = fold_at(p, alen, &i);
		y = fold_at(q, blen, &j);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (i == alen && j == blen)
		return 0;
	return i == alen ? -1 : 1;
}

int
conn_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	unsigned int	     x, y;

	while (*p != '\0' && *q != '\0') {
		x = conn_fold(u8_next(&p));
		y = conn_fold(u8_next(&q));
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (*p == *q)
		return 0;
	return *p == '\0' ? -1 : 1;
}

/*
 * Iterative glob with one backtrack point: on a mismatch after a '*',
 * the star absorbs one more character.  Quadratic at worst, no
 * recursion, so a hostile pattern cannot exhaust the stack.
 */
int
conn_glob(const char *pattern, const char *str)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *star_p = NULL, *star_s = NULL, *np, *ns;
	unsigned int	     pc, sc;

	while (*s != '\0') {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p != '\0') {
			np = p;
			ns = s;
			pc = u8_next(&np);
			sc = u8_next(&ns);
			if (pc == '?' || conn_fold(pc) == conn_fold(sc)) {
				p = np;
				s = ns;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		(void)u8_next(&star_s);
		s = star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int
conn_match(const char *pattern, const struct conn *c)
{
	return conn_glob(pattern, c->identity) || conn_glob(pattern, c->name);
}

/* ------------------------------------------------------------ reading */

static long
line_at(const char *b, size_t pos)
{
	long   line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		if (b[i] == '\n')
			line++;
	return line;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
starts(const char *b, size_t len, size_t pos, const char *lit)
{
	size_t n = strlen(lit);

	return pos <= len && len - pos >= n && memcmp(b + pos, lit, n) == 0;
}

/* Offset just past the first lit at or after pos, or len when none. */
static size_t
skip_past(const char *b, size_t len, size_t pos, const char *lit)
{
	const char *p;

	if (pos >= len)
		return len;
	p = memmem(b + pos, len - pos, lit, strlen(lit));
	return p == NULL ? len : (size_t)(p - b) + strlen(lit);
}

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
	while ((size_t)(p - b) < end && is_ws(*p))
		p++;
	if ((size_t)(p - b) >= end || *p++ != '=')
		return NULL;
	while ((size_t)(p - b) < end && is_ws(*p))
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
		errs_add(errs, 1,
			 "not UTF-8 (UTF-16 or UCS-4): only UTF-8 "
			 "is supported");
		return -1;
	}
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		pos = 3;
	if (starts(b, len, pos, "<?xml") && pos + 5 < len &&
	    is_ws(b[pos + 5])) {
		end = skip_past(b, len, pos, "?>");
		if ((enc = decl_encoding(b + pos, end - pos, &elen)) != NULL) {
			for (i = 0; i < sizeof(ok_enc) / sizeof(ok_enc[0]); i++)
				if (strlen(ok_enc[i]) == elen &&
				    strncasecmp(enc, ok_enc[i], elen) == 0)
					break;
			if (i == sizeof(ok_enc) / sizeof(ok_enc[0])) {
				errs_add(
				    errs, line_at(b, pos),
				    "encoding \"%.*s\" is not supported: only "
				    "UTF-8 is",
				    (int)(elen > 40 ? 40 : elen), enc);
				return -1;
			}
		}
		pos = end;
	}
	for (;;) {
		while (pos < len && is_ws(b[pos]))
			pos++;
		if (starts(b, len, pos, "<!--"))
			pos = skip_past(b, len, pos + 4, "-->");
		else if (starts(b, len, pos, "<?"))
			pos = skip_past(b, len, pos + 2, "?>");
		else
			break;
	}
	if (pos + 2 <= len && b[pos] == '<' && b[pos + 1] == '!' &&
	    (len - pos < 9 || strncasecmp(b + pos, "<!DOCTYPE", 9) == 0)) {
		errs_add(errs, line_at(b, pos),
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
	char	   *buf = NULL, *nb;
	size_t	    len = 0, cap = 0;
	ssize_t	    r;
	int	    flags, rc = -1;

	if (fstat(fd, &st) == -1) {
		errs->sys_errno = errno;
		errs_add(errs, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errs->sys_errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		errs_add(errs, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)CONN_MAX_FILE) {
		errs->sys_errno = EFBIG;
		errs_add(errs, 0, "file too large (over %lu bytes)",
			 CONN_MAX_FILE);
		goto out;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	/* Room for the whole file and one more byte to see its end. */
	if (st.st_size > 0) {
		cap = (size_t)st.st_size + 1;
		if ((buf = malloc(cap + 1)) == NULL) {
			errs->sys_errno = ENOMEM;
			errs_add(errs, 0, "out of memory");
			goto out;
		}
	}
	for (;;) {
		if (len == cap) {
			if (cap > CONN_MAX_FILE) {
				errs->sys_errno = EFBIG;
				errs_add(errs, 0,
					 "file too large (over %lu "
					 "bytes)",
					 CONN_MAX_FILE);
				goto out;
			}
			cap = cap == 0 ? 16384 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				errs->sys_errno = ENOMEM;
				errs_add(errs, 0, "out of memory");
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			errs->sys_errno = errno;
			errs_add(errs, 0, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > CONN_MAX_FILE) {
		errs->sys_errno = EFBIG;
		errs_add(errs, 0, "file too large (over %lu bytes)",
			 CONN_MAX_FILE);
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		errs->sys_errno = ENOMEM;
		errs_add(errs, 0, "out of memory");
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
		errs_add(errs, 0, "%s", strerror(errno));
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
	while (mlen > 0 && is_ws(m[mlen - 1]))
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
		errs_add(errs, line, "element %s: %c%.*s", node->name, first,
			 (int)(mlen - 1), m + 1);
	else
		errs_add(errs, line, "%c%.*s", first, (int)(mlen - 1), m + 1);
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
known_index(const xmlNode *n)
{
	size_t i;

	if (n->type != XML_ELEMENT_NODE || n->ns != NULL)
		return -1;
	for (i = 0; i < NKNOWN; i++)
		if (strcmp((const char *)n->name, known_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	       strcmp((const char *)n->name, name) == 0;
}

/* Returns 0, 1, or -1 when s is not a boolean as the schema reads it. */
static int
parse_bool(const char *s)
{
	size_t n;

	while (is_ws(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_ws(s[n - 1]))
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
	while (is_ws(*s))
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
 * Reads one <ReceiveConnector> into c and reports, with their lines,
 * the problems the schema would also catch but describes poorly (a
 * field given twice, a missing Name, a bad boolean), and the one rule
 * of certbind's own that the schema does not state: no control
 * character in Name or Server.  Both loads read the model here, so
 * both hold that rule.  Returns 0, 1 when the connector is wrong
 * (reported), or -1 when memory ran out.
 */
static int
model_conn(const xmlNode *n, struct conn *c, struct conn_errs *errs)
{
	const xmlNode *k;
	const xmlNode *seen[NKNOWN];
	char	      *text;
	unsigned long  cp;
	int	       ki, b, bad = 0;

	c->advertise = CONN_UNSET;
	c->line = xmlGetLineNo(n);
	memset(seen, 0, sizeof(seen));
	for (k = n->children; k != NULL; k = k->next) {
		if ((ki = known_index(k)) == -1)
			continue;
		if (seen[ki] != NULL) {
			errs_add(errs, xmlGetLineNo(k),
				 "%s given "
				 "twice in one connector (also at line %ld)",
				 known_names[ki], xmlGetLineNo(seen[ki]));
			bad = 1;
			continue;
		}
		seen[ki] = k;
		if (ki > K_ADVERTISE)
			continue;
		if ((text = node_text(k)) == NULL) {
			errs_add(errs, 0, "out of memory");
			return -1;
		}
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
		default:
			b = parse_bool(text);
			if (b == -1) {
				errs_add(errs, xmlGetLineNo(k),
					 "AdvertiseClientSettings \"%.64s\" "
					 "is not true, false, 1 or 0",
					 text);
				bad = 1;
			}
			c->advertise = b == -1 ? CONN_UNSET : b;
			free(text);
			break;
		}
	}
	if (c->name == NULL) {
		errs_add(errs, c->line, "connector has no Name");
		bad = 1;
	} else if (blank(c->name)) {
		errs_add(errs, xmlGetLineNo(seen[K_NAME]), "empty Name");
		bad = 1;
	} else if (find_control(c->name, &cp)) {
		errs_add(errs, xmlGetLineNo(seen[K_NAME]),
			 "Name \"%.64s\" holds a control character (U+%04lX)",
			 c->name, cp);
		bad = 1;
	}
	if (c->server != NULL && blank(c->server)) {
		errs_add(errs, xmlGetLineNo(seen[K_SERVER]), "empty Server");
		bad = 1;
	} else if (c->server != NULL && find_control(c->server, &cp)) {
		errs_add(errs, xmlGetLineNo(seen[K_SERVER]),
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
		errs_add(errs, 0, "out of memory");
		return -1;
	}
	return bad;
}

/*
 * An identity as conn_casecmp sees it: each code point folded and
 * written in 3 bytes, big-endian (the values u8_next returns stay under
 * 2^24), so memcmp, then the length, orders keys as conn_casecmp orders
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
	size_t		     i, first = 0, total = 0;
	unsigned int	     cp;
	int		     bad = 0;

	if (cf->n < 2)
		return 0;
	for (i = 0; i < cf->n; i++)
		total += strlen(cf->v[i].identity);
	if ((s = calloc(cf->n, sizeof(*s))) == NULL ||
	    (keys = malloc(3 * total + 1)) == NULL) {
		free(s);
		errs_add(errs, 0, "out of memory");
		return -1;
	}
	for (k = keys, i = 0; i < cf->n; i++) {
		s[i].c = &cf->v[i];
		s[i].k = k;
		for (p = (const unsigned char *)cf->v[i].identity;
		     *p != '\0';) {
			cp = conn_fold(u8_next(&p));
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
		errs_add(errs, c->line,
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

/* ---------------------------------------------------------------- scanner */

static int
field_index(const char *name, size_t nlen)
{
	int i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(field_names[i]) == nlen &&
		    memcmp(field_names[i], name, nlen) == 0)
			return i;
	return -1;
}

/*
 * Walks the tags of a document libxml2 has accepted and fills in where
 * each connector and each of its fields lies.  Only depth is tracked:
 * well-formedness is already proven.  Returns 0, or -1 when what it
 * finds disagrees with the tree (then the bytes are not edited).
 */
static int
scan(const char *b, size_t len, struct conn_file *cf, struct conn_span *spans)
{
	struct conn_span  *sp = NULL;
	struct field_span *fs = NULL;
	const char	  *p;
	size_t		   pos = 0, tag, nend, last = 0, w;
	size_t		   ci = 0, i;
	long		   line = 1;
	size_t		   counted = 0;
	int		   depth = 0, empty, fi, ws_text;
	char		   q;

	while (pos < len) {
		tag = pos;
		ws_text = 0;
		if (b[pos] != '<') {
			p = memchr(b + pos, '<', len - pos);
			nend = p != NULL ? (size_t)(p - b) : len;
			/* Only text inside a connector moves its end. */
			for (ws_text = 1; depth >= 2 && pos < nend; pos++)
				if (!is_ws(b[pos]))
					ws_text = 0;
			pos = nend;
		} else if (starts(b, len, pos, "<!--"))
			pos = skip_past(b, len, pos + 4, "-->");
		else if (starts(b, len, pos, "<![CDATA["))
			pos = skip_past(b, len, pos + 9, "]]>");
		else if (starts(b, len, pos, "<?"))
			pos = skip_past(b, len, pos + 2, "?>");
		else if (starts(b, len, pos, "<!"))
			return -1;
		else if (starts(b, len, pos, "</")) {
			pos = skip_past(b, len, pos, ">");
			depth--;
			if (depth == 1 && sp != NULL) {
				sp->insert = last;
				sp = NULL;
			} else if (depth == 2 && fs != NULL) {
				fs->cend = tag;
				fs = NULL;
			}
		} else {
			nend = pos + 1;
			while (nend < len && !is_ws(b[nend]) &&
			       b[nend] != '/' && b[nend] != '>')
				nend++;
			for (pos = nend; pos < len && b[pos] != '>'; pos++) {
				if (b[pos] != '"' && b[pos] != '\'')
					continue;
				q = b[pos];
				while (++pos < len && b[pos] != q)
					;
			}
			if (pos >= len)
				return -1;
			empty = b[pos - 1] == '/';
			pos++;
			depth++;
			if (depth == 2) {
				if (nend - tag - 1 != 16 ||
				    memcmp(b + tag + 1, "ReceiveConnector",
					   16) != 0 ||
				    ci >= cf->n || empty)
					return -1;
				sp = &spans[ci];
				while ((p = memchr(b + counted, '\n',
						   tag - counted)) != NULL) {
					line++;
					counted = (size_t)(p - b) + 1;
				}
				counted = tag;
				cf->v[ci].line = line;
				ci++;
				sp->start = tag;
			} else if (depth == 3 && sp != NULL) {
				for (w = tag; w > 0 && is_ws(b[w - 1]); w--)
					;
				sp->sep_start = w;
				sp->sep_end = tag;
				sp->nchild++;
				fi = field_index(b + tag + 1, nend - tag - 1);
				if (fi != -1) {
					fs = &sp->f[fi];
					if (fs->present)
						return -1;
					fs->present = 1;
					fs->empty = empty;
					fs->tag = tag;
					fs->tagend = pos;
					if (empty) {
						fs->cend = pos;
						fs = NULL;
					}
				}
			}
			if (empty)
				depth--;
		}
		if (depth >= 2 && !ws_text)
			last = pos;
	}
	if (ci != cf->n || depth != 0)
		return -1;
	for (i = 0; i < cf->n; i++) {
		if ((cf->v[i].fqdn != NULL) != spans[i].f[F_FQDN].present ||
		    (cf->v[i].tls_name != NULL) !=
			spans[i].f[F_TLSNAME].present ||
		    (cf->v[i].advertise != CONN_UNSET) !=
			spans[i].f[F_ADVERTISE].present)
			return -1;
	}
	return 0;
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
		errs_add(errs, line_at(b, (size_t)(nul - b)),
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
			errs_add(errs, line_at(b, i),
				 "byte 0x%02X is not valid UTF-8: only UTF-8 "
				 "is supported",
				 s[i]);
			return -1;
		}
		i += n;
	}
	return 0;
}

/* load_owned flags besides CONN_LOAD_DUPLICATES */
#define LOAD_NO_SPANS  0x100 /* the model only: nothing will be edited */
#define LOAD_NO_SCHEMA 0x200 /* conn_apply's own output: see there */

/* Where the problems of one load go until it decides which to report. */
struct load {
	const struct conn_file *cf;
	struct conn_errs *errs;	  /* the file's: parser errors go here */
	struct conn_errs  own;	  /* the model's (model_conn) */
	struct conn_errs  schema; /* libxml2's RELAX NG validator's */
};

/*
 * At the end of a truncated file, libxml2's incremental parser says
 * "Extra content at the end of the document" (XML_ERR_DOCUMENT_END)
 * where its whole-document parser says what happened: an element is
 * still open.  That is what an admin needs to hear, so it is said.
 */
static void
load_error(void *arg, XERR_CONST xmlError *e)
{
	struct load	    *ld = arg;
	const xmlParserCtxt *ctxt = e->ctxt;

	if (e->domain == XML_FROM_PARSER && e->code == XML_ERR_DOCUMENT_END &&
	    ctxt != NULL && ctxt->node != NULL &&
	    ctxt->node->type == XML_ELEMENT_NODE) {
		errs_add(ld->errs, line_at(ld->cf->buf, ld->cf->len),
			 "premature end of data in tag %s line %ld",
			 ctxt->node->name, xmlGetLineNo(ctxt->node));
		return;
	}
	xml_error(e->domain == XML_FROM_RELAXNGV ? &ld->schema : ld->errs, e);
}

/* Appends every problem of from to to, emptying from. */
static void
errs_take(struct conn_errs *to, struct conn_errs *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		errs_add(to, from->v[i].line, "%s", from->v[i].msg);
	conn_errs_release(from);
}

/*
 * One connector, the reader at its start tag: the whole element is
 * read (and validated by the reader against the schema), its values go
 * into the model, and the reader moves past it, freeing it.  Returns
 * what xmlTextReaderNext returns, or -2 when memory ran out.
 */
static int
read_conn(xmlTextReader *r, struct conn_file *cf, size_t *cap, struct load *ld,
	  int *bad)
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
	if ((m = model_conn(n, c, &ld->own)) == -1)
		return -2;
	*bad |= m;
	return xmlTextReaderNext(r);
}

/*
 * The one load.  libxml2's xmlTextReader parses the bytes and validates
 * them against the schema as it goes; each connector, once complete,
 * is read into the model (model_conn) and freed, so the tree never
 * holds more than one connector.  Problems are reported in this order,
 * the first kind found alone: the bytes' (check_bytes), the parser's,
 * the document's (a document type, an encoding), the model's own,
 * which say more than the schema's, then the schema's.  Returns 0 or -1.
 */
static int
parse(struct conn_file *cf, int flags, struct conn_errs *errs)
{
	struct load    ld;
	xmlTextReader *r = NULL;
	xmlRelaxNG    *schema;
	const xmlNode *n;
	const xmlChar *enc;
	size_t	       cap = 0;
	int	       ret, rc = -1, bad = 0, valid;

	memset(&ld, 0, sizeof(ld));
	ld.cf = cf;
	ld.errs = errs;
	if (check_bytes(cf->buf, cf->len, errs) == -1)
		return -1;
	xml_capture(errs);
	if ((schema = schema_get()) == NULL) {
		errs_add(errs, 0, "internal error: cannot load the schema");
		goto out;
	}
	/*
	 * No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD or
	 * DTDATTR, no network, and no XML_PARSE_HUGE so libxml2's depth
	 * and size limits stand.
	 */
	if ((r = xmlReaderForMemory(cf->buf, (int)cf->len, cf->path, NULL,
				    XML_PARSE_NONET | XML_PARSE_BIG_LINES)) ==
	    NULL) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(r, load_error, &ld);
	if (!(flags & LOAD_NO_SCHEMA) &&
	    xmlTextReaderRelaxNGSetSchema(r, schema) != 0) {
		errs_add(errs, 0, "internal error: cannot use the schema");
		goto out;
	}
	ret = xmlTextReaderRead(r);
	while (ret == 1) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
			errs_add(errs, 0,
				 "document type declarations (<!DOCTYPE) "
				 "are not allowed");
			goto out;
		}
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) {
			ret = xmlTextReaderRead(r);
			continue;
		}
		n = xmlTextReaderCurrentNode(r);
		if (xmlTextReaderDepth(r) == 0 &&
		    !is_elem(n, "ReceiveConnectors")) {
			errs_add(&ld.own, xmlGetLineNo(n),
				 "the root element is not ReceiveConnectors");
			break;
		}
		if (xmlTextReaderDepth(r) == 1 &&
		    is_elem(n, "ReceiveConnector"))
			ret = read_conn(r, cf, &cap, &ld, &bad);
		else
			ret = xmlTextReaderRead(r);
	}
	if (ret == -2) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	valid = flags & LOAD_NO_SCHEMA ? 1 : xmlTextReaderIsValid(r);
	if (ret == -1 || errs->n > 0) {
		if (errs->n == 0)
			errs_add(errs, 0, "not well-formed XML");
		goto out;
	}
	if ((enc = xmlTextReaderConstEncoding(r)) != NULL &&
	    !encoding_ok(enc)) {
		errs_add(errs, 0, "encoding is not supported: only UTF-8 is");
		goto out;
	}
	if (ld.own.n > 0 || bad) {
		errs_take(errs, &ld.own);
		goto out;
	}
	if (valid != 1) {
		errs_take(errs, &ld.schema);
		if (errs->n == 0)
			errs_add(errs, 0, "does not match the schema");
		goto out;
	}
	rc = 0;
out:
	xmlFreeTextReader(r);
	xml_restore();
	conn_errs_release(&ld.own);
	conn_errs_release(&ld.schema);
	return rc;
}


/*
 * Loads buf, taking ownership of it (it is freed on failure).  Returns
 * 0 and *out, or -1 with errs filled.
 */
static int
load_owned(const char *label, char *buf, size_t len, int flags,
	   struct conn_file **out, struct conn_errs *errs)
{
	struct conn_file *cf = NULL;
	struct conn_span *spans;
	size_t		  i;
	int		  rc = -1;

	*out = NULL;
	if ((cf = calloc(1, sizeof(*cf))) == NULL ||
	    (cf->path = strdup(label)) == NULL) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	cf->buf = buf;
	cf->len = len;
	buf = NULL;
	if (len > CONN_MAX_FILE) {
		errs_add(errs, 0, "file too large (over %lu bytes)",
			 CONN_MAX_FILE);
		goto out;
	}
	if (check_prolog(cf->buf, cf->len, errs) == -1)
		goto out;

	if (parse(cf, flags, errs) == -1)
		goto out;
	if (cf->n > 0 && !(flags & LOAD_NO_SPANS)) {
		if ((spans = calloc(cf->n, sizeof(*spans))) == NULL) {
			errs_add(errs, 0, "out of memory");
			goto out;
		}
		for (i = 0; i < cf->n; i++)
			cf->v[i].span = &spans[i];
		if (scan(cf->buf, cf->len, cf, spans) == -1) {
			errs_add(errs, 0,
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
	errs_init(errs, path);
	if (errs->file == NULL)
		return -1;
	if (read_file(path, &buf, &len, errs) == -1)
		return -1;
	rc = load_owned(path, buf, len, flags, out, errs);
	if (rc == 0 && (flags & CONN_LOAD_DUPLICATES)) {
		/* The duplicates are in the model (dup_line), not errors. */
		conn_errs_release(errs);
		errs_init(errs, path);
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
	errs_init(errs, label);
	if (errs->file == NULL)
		return -1;
	if (read_fd(fd, &buf, &len, errs) == -1)
		return -1;
	return load_owned(label, buf, len, 0, out, errs);
}

int
conn_load_mem(const char *label, const char *buf, size_t len,
	      struct conn_file **out, struct conn_errs *errs)
{
	char *copy;

	*out = NULL;
	errs_init(errs, label);
	if (errs->file == NULL)
		return -1;
	if ((copy = malloc(len + 1)) == NULL) {
		errs_add(errs, 0, "out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return load_owned(label, copy, len, 0, out, errs);
}

/* ----------------------------------------------------------------- edits */

void
conn_edit_init(struct conn_edit *e)
{
	e->fqdn = NULL;
	e->tls_name = NULL;
	e->advertise = CONN_UNSET;
}

unsigned int
conn_edit_mask(const struct conn *c, const struct conn_edit *e)
{
	unsigned int m = 0;

	if (e == NULL)
		return 0;
	if (e->fqdn != NULL && (c->fqdn == NULL || strcmp(c->fqdn, e->fqdn)))
		m |= CONN_F_FQDN;
	if (e->tls_name != NULL &&
	    (c->tls_name == NULL || strcmp(c->tls_name, e->tls_name)))
		m |= CONN_F_TLSNAME;
	if (e->advertise != CONN_UNSET && (e->advertise != 0) != c->advertise)
		m |= CONN_F_ADVERTISE;
	return m;
}

int
conn_changed(const struct conn_file *cf, const char *buf, size_t len)
{
	return len != cf->len || memcmp(cf->buf, buf, len) != 0;
}

/*
 * A value must be text XML 1.0 can hold and a human can read: valid
 * UTF-8 without control characters or the non-characters U+FFFE/FFFF.
 */
static int
value_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int	     c;

	while (*p != '\0') {
		c = u8_next(&p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0xfffe || c == 0xffff || c >= 0x110000)
			return 0;
	}
	return 1;
}

struct splice {
	size_t start, end; /* bytes of the old file replaced */
	size_t order;	   /* keeps insertions in field order */
	char  *text;
};

static int
cmp_splice(const void *a, const void *b)
{
	const struct splice *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The replacement text for field fi of connector c: the content of an
 * element, an <X/> opened up, or a whole new element after a copy of
 * the separator.  Returns a malloc'd string or NULL.
 */
static char *
splice_text(const struct conn_file *cf, const struct conn_span *sp, int fi,
	    const char *value, struct splice *out)
{
	const struct field_span *fs = &sp->f[fi];
	const char		*b = cf->buf, *name = field_names[fi];
	const char		*sep = "\n    ";
	xmlChar			*esc;
	char			*text = NULL;
	size_t			 seplen = 5, t;
	int			 r;

	if ((esc = xmlEncodeSpecialChars(NULL, BAD_CAST value)) == NULL)
		return NULL;
	if (fs->present && !fs->empty) {
		out->start = fs->tagend;
		out->end = fs->cend;
		text = strdup((const char *)esc);
	} else if (fs->present) {
		/* "<X a='1' />": keep the tag up to its last attribute. */
		t = fs->tagend - 2;
		while (t > fs->tag && is_ws(b[t - 1]))
			t--;
		out->start = fs->tag;
		out->end = fs->tagend;
		r = asprintf(&text, "%.*s>%s</%s>", (int)(t - fs->tag),
			     b + fs->tag, (const char *)esc, name);
		if (r == -1)
			text = NULL;
	} else {
		if (sp->nchild > 0) {
			/* From the last line break: blank lines are not copied.
			 */
			for (t = sp->sep_end;
			     t > sp->sep_start && b[t - 1] != '\n'; t--)
				;
			if (t > sp->sep_start) {
				t--;
				if (t > sp->sep_start && b[t - 1] == '\r')
					t--;
			}
			sep = b + t;
			seplen = sp->sep_end - t;
		}
		out->start = out->end = sp->insert;
		r = asprintf(&text, "%.*s<%s>%s</%s>", (int)seplen, sep, name,
			     (const char *)esc, name);
		if (r == -1)
			text = NULL;
	}
	xmlFree(esc);
	return text;
}

/* Whether the reloaded file says what was meant; 0 when it does. */
static int
check_result(const struct conn_file *old, const struct conn_file *nf,
	     const struct conn_edit *edits)
{
	const struct conn      *a, *b;
	const struct conn_edit *e;
	const char	       *fq, *tn;
	size_t			i;
	int			adv;

	if (old->n != nf->n)
		return -1;
	for (i = 0; i < old->n; i++) {
		a = &old->v[i];
		b = &nf->v[i];
		e = edits != NULL ? &edits[i] : NULL;
		fq = e != NULL && e->fqdn != NULL ? e->fqdn : a->fqdn;
		tn = e != NULL && e->tls_name != NULL ? e->tls_name
						      : a->tls_name;
		adv = e != NULL && e->advertise != CONN_UNSET
			  ? e->advertise != 0
			  : a->advertise;
		if (strcmp(a->identity, b->identity) != 0 ||
		    (fq == NULL) != (b->fqdn == NULL) ||
		    (fq != NULL && strcmp(fq, b->fqdn) != 0) ||
		    (tn == NULL) != (b->tls_name == NULL) ||
		    (tn != NULL && strcmp(tn, b->tls_name) != 0) ||
		    adv != b->advertise)
			return -1;
	}
	return 0;
}

int
conn_apply(const struct conn_file *cf, const struct conn_edit *edits,
	   char **out, size_t *outlen, struct conn_errs *errs)
{
	struct conn_errs	rerrs;
	struct conn_file       *nf = NULL;
	struct splice	       *sv = NULL;
	const struct conn_edit *e;
	const char	       *val;
	char		       *nb = NULL;
	size_t			ns = 0, i, j, pos, total, len;
	unsigned int		mask;
	int			fi, rc = -1;

	*out = NULL;
	*outlen = 0;
	errs_init(errs, cf->path);
	memset(&rerrs, 0, sizeof(rerrs));
	if (errs->file == NULL)
		goto out;
	if (cf->n > 0 && (sv = calloc(cf->n * NFIELDS, sizeof(*sv))) == NULL) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	for (i = 0; edits != NULL && i < cf->n; i++) {
		e = &edits[i];
		mask = conn_edit_mask(&cf->v[i], e);
		for (fi = 0; fi < NFIELDS; fi++) {
			if (!(mask & (1U << fi)))
				continue;
			if (fi == F_FQDN)
				val = e->fqdn;
			else if (fi == F_TLSNAME)
				val = e->tls_name;
			else
				val = e->advertise ? "true" : "false";
			if (!value_ok(val)) {
				errs_add(errs, cf->v[i].line,
					 "%s: %s value is "
					 "not printable UTF-8",
					 cf->v[i].identity, field_names[fi]);
				continue;
			}
			sv[ns].order = ns;
			if ((sv[ns].text = splice_text(cf, cf->v[i].span, fi,
						       val, &sv[ns])) == NULL) {
				errs_add(errs, 0, "out of memory");
				goto out;
			}
			ns++;
		}
	}
	if (errs->n > 0)
		goto out;
	if (ns > 0) /* sv is NULL without connectors */
		qsort(sv, ns, sizeof(*sv), cmp_splice);
	total = cf->len;
	for (j = 0; j < ns; j++)
		total += strlen(sv[j].text) - (sv[j].end - sv[j].start);
	if ((nb = malloc(total + 1)) == NULL) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	for (pos = 0, i = 0, j = 0; j < ns; j++) {
		memcpy(nb + i, cf->buf + pos, sv[j].start - pos);
		i += sv[j].start - pos;
		memcpy(nb + i, sv[j].text, strlen(sv[j].text));
		i += strlen(sv[j].text);
		pos = sv[j].end;
	}
	memcpy(nb + i, cf->buf + pos, cf->len - pos);
	i += cf->len - pos;
	nb[i] = '\0';

	/*
	 * Insurance: the result must parse, read into a model with every
	 * connector's own rules met (each field at most once, identities
	 * unique) and say what we meant (check_result).  The schema is not
	 * asked again: the original passed it, every byte outside the
	 * three fields is the original's, and what the splices put there
	 * is text the model reads back and compares -- an element added
	 * twice or a value that is not a boolean fails the model.  That
	 * halves the validator's share of bind (certbind-connectors(5)).
	 * The load takes nb and hands it back in nf; it needs no spans, as
	 * nothing will edit nf.
	 */
	errs_init(&rerrs, cf->path);
	if (rerrs.file == NULL) {
		errs_add(errs, 0, "out of memory");
		goto out;
	}
	len = i;
	if (load_owned(cf->path, nb, len, LOAD_NO_SPANS | LOAD_NO_SCHEMA, &nf,
		       &rerrs) == -1) {
		nb = NULL; /* freed by load_owned */
		errs_add(errs, 0,
			 "internal error: the edited file does not "
			 "load: %s",
			 rerrs.n > 0 ? rerrs.v[0].msg : "?");
		goto out;
	}
	nb = nf->buf;
	nf->buf = NULL;
	if (check_result(cf, nf, edits) == -1) {
		errs_add(errs, 0,
			 "internal error: the edited file does not "
			 "read back as intended");
		goto out;
	}
	*out = nb;
	*outlen = len;
	nb = NULL;
	rc = 0;
out:
	for (j = 0; j < ns; j++)
		free(sv[j].text);
	free(sv);
	free(nb);
	conn_file_free(nf);
	conn_errs_release(&rerrs);
	return rc;
}

/* ------------------------------------------------------------------ diff */

struct obuf {
	char  *p;
	size_t len, cap;
	int    failed;
};

static void
ob_add(struct obuf *o, const char *s, size_t n)
{
	char  *np;
	size_t ncap;

	if (o->failed)
		return;
	if (o->cap - o->len <= n) {
		ncap = o->cap == 0 ? 4096 : o->cap;
		while (ncap - o->len <= n)
			ncap *= 2;
		if ((np = realloc(o->p, ncap)) == NULL) {
			o->failed = 1;
			return;
		}
		o->p = np;
		o->cap = ncap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void ob_printf(struct obuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ob_printf(struct obuf *o, const char *fmt, ...)
{
	char	tmp[128];
	va_list ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->failed = 1;
		return;
	}
	ob_add(o, tmp, (size_t)n);
}

struct line {
	const char   *p;
	size_t	      len; /* with its '\n', if it has one */
	unsigned long hash;
};

static struct line *
split_lines(const char *s, size_t len, size_t *n)
{
	struct line  *v;
	const char   *nl;
	size_t	      count = 0, i, pos;
	unsigned long h;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			count++;
	if (len > 0 && s[len - 1] != '\n')
		count++;
	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		return NULL;
	for (pos = 0, i = 0; pos < len; i++) {
		nl = memchr(s + pos, '\n', len - pos);
		v[i].p = s + pos;
		v[i].len = nl == NULL ? len - pos : (size_t)(nl - s) + 1 - pos;
		for (h = 5381, count = 0; count < v[i].len; count++)
			h = h * 33 + (unsigned char)v[i].p[count];
		v[i].hash = h;
		pos += v[i].len;
	}
	*n = i;
	return v;
}

static int
line_eq(const struct line *a, const struct line *b)
{
	return a->hash == b->hash && a->len == b->len &&
	       memcmp(a->p, b->p, a->len) == 0;
}

/* Beyond this many edits the diff gives up on finding a short script. */
#define DIFF_MAX_D 1000

/*
 * Myers' O(ND) greedy algorithm on a[0..n) and b[0..m), marking deleted
 * lines of a in del and inserted lines of b in ins.  Each round's
 * frontier is kept for the walk back (O(D²) memory, hence the bound;
 * past it every line is marked, which is still a correct diff).
 */
static int
myers(const struct line *a, size_t n, const struct line *b, size_t m, char *del,
      char *ins)
{
	long  *v = NULL, *trace = NULL, *prev;
	long   maxd, d, k, x, y, px, pk, off, N = (long)n, M = (long)m;
	size_t i, tlen;
	int    rc = -1;

	maxd = N + M < DIFF_MAX_D ? N + M : DIFF_MAX_D;
	tlen = (size_t)(maxd + 1) * (size_t)(maxd + 1) + 1;
	if ((v = calloc((size_t)(2 * maxd + 3), sizeof(*v))) == NULL ||
	    (trace = calloc(tlen, sizeof(*trace))) == NULL)
		goto out;
	off = maxd + 1;
	for (d = 0; d <= maxd; d++) {
		for (k = -d; k <= d; k += 2) {
			if (k == -d ||
			    (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < N && y < M && line_eq(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= N && y >= M)
				goto found;
		}
		/* Round d's frontier, k = -d..d, starts at d². */
		memcpy(trace + d * d, v + off - d,
		       (size_t)(2 * d + 1) * sizeof(*v));
	}
	for (i = 0; i < n; i++)
		del[i] = 1;
	for (i = 0; i < m; i++)
		ins[i] = 1;
	rc = 0;
	goto out;
found:
	x = N;
	y = M;
	for (; d > 0; d--) {
		prev = trace + (d - 1) * (d - 1) + (d - 1); /* k = 0 */
		k = x - y;
		if (k == -d || (k != d && prev[k - 1] < prev[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = prev[pk];
		/* The snake from the edit to (x, y) is all equal lines. */
		if (pk == k + 1)
			ins[px - pk] = 1;
		else
			del[px] = 1;
		x = px;
		y = px - pk;
	}
	rc = 0;
out:
	free(v);
	free(trace);
	return rc;
}

static void
emit_line(struct obuf *o, char tag, const struct line *l)
{
	ob_add(o, &tag, 1);
	ob_add(o, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		ob_add(o, "\n\\ No newline at end of file\n", 29);
}

static void
emit_range(struct obuf *o, char tag, size_t start, size_t count)
{
	if (count == 1)
		ob_printf(o, " %c%zu", tag, start + 1);
	else
		ob_printf(o, " %c%zu,%zu", tag, count == 0 ? start : start + 1,
			  count);
}

#define CTX 3

char *
conn_diff(const char *old, size_t oldlen, const char *new, size_t newlen,
	  const char *label, size_t *outlen)
{
	struct obuf  o;
	struct line *a = NULL, *b = NULL;
	char	    *del = NULL, *ins = NULL, *ret = NULL;
	size_t	     n = 0, m = 0, pre = 0, suf = 0, i, j, hi, hj, ei, ej;
	size_t	     ci, cj, gap;

	memset(&o, 0, sizeof(o));
	ob_add(&o, "", 0);
	if ((a = split_lines(old, oldlen, &n)) == NULL ||
	    (b = split_lines(new, newlen, &m)) == NULL ||
	    (del = calloc(n + 1, 1)) == NULL ||
	    (ins = calloc(m + 1, 1)) == NULL)
		goto out;
	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre &&
	       line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	if (myers(a + pre, n - pre - suf, b + pre, m - pre - suf, del + pre,
		  ins + pre) == -1)
		goto out;
	if (pre == n && pre == m)
		goto done;
	ob_printf(&o, "--- a/");
	ob_add(&o, label, strlen(label));
	ob_printf(&o, "\n+++ b/");
	ob_add(&o, label, strlen(label));
	ob_add(&o, "\n", 1);

	i = j = 0;
	while (i < n || j < m) {
		/* Find the next change. */
		while (i < n && j < m && !del[i] && !ins[j])
			i++, j++;
		if (i >= n && j >= m)
			break;
		/* Extend the hunk while changes are within 2*CTX lines. */
		hi = i > CTX ? i - CTX : 0;
		hj = j - (i - hi);
		ei = i;
		ej = j;
		for (;;) {
			while ((ei < n && del[ei]) || (ej < m && ins[ej])) {
				if (ei < n && del[ei])
					ei++;
				else
					ej++;
			}
			for (gap = 0, ci = ei, cj = ej;
			     ci < n && cj < m && !del[ci] && !ins[cj] &&
			     gap <= 2 * CTX;
			     gap++)
				ci++, cj++;
			if (gap > 2 * CTX || (ci >= n && cj >= m))
				break;
			ei = ci;
			ej = cj;
		}
		ci = ei + CTX < n ? ei + CTX : n;
		cj = ej + (ci - ei);
		ob_add(&o, "@@", 2);
		emit_range(&o, '-', hi, ci - hi);
		emit_range(&o, '+', hj, cj - hj);
		ob_add(&o, " @@\n", 4);
		while (hi < ci || hj < cj) {
			if (hi < n && del[hi])
				emit_line(&o, '-', &a[hi++]);
			else if (hj < m && ins[hj])
				emit_line(&o, '+', &b[hj++]);
			else {
				emit_line(&o, ' ', &a[hi]);
				hi++, hj++;
			}
		}
		i = ci;
		j = cj;
	}
done:
	if (o.failed)
		goto out;
	*outlen = o.len;
	ret = o.p;
	o.p = NULL;
out:
	free(o.p);
	free(a);
	free(b);
	free(del);
	free(ins);
	return ret;
}
