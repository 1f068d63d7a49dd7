/*
 * clixml: PowerShell's CLIXML read into the model of clixml.h; the
 * shapes are those of doc/clixml.md.
 *
 * The bytes are converted to UTF-8 here, strictly (a byte order mark
 * or an encoding declaration that does not match the bytes is an
 * error, as is an unpaired surrogate or an odd UTF-16 byte count), and
 * the prolog checked by hand: no <!DOCTYPE>, so no entity but XML's
 * five can exist.  libxml2 then reads the UTF-8 without network, DTD or
 * entity loading, told the encoding so that the declaration we checked
 * is not read again, and the tree is walked with our own depth bound.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "clixml.h"
#include "der.h"
#include "mem.h"
#include "safe.h"

#define PS_NS "http://schemas.microsoft.com/powershell/2004/04"

/* A <TN>: its type names, shared by every object naming it. */
struct clixml_tn {
	char **types;
	size_t ntypes;
};

/* RefId -> index + 1 into doc->all or doc->tns; open addressing. */
struct map {
	unsigned long *keys;
	size_t	      *vals;
	size_t	       n, sz;
};

struct ctx {
	struct clixml_doc *doc;
	struct clixml_err *err;
	struct map	   objs, tns;
};

enum enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

static const char *const enc_names[] = {"UTF-8", "UTF-16LE", "UTF-16BE"};

/* Elements whose text is the value. */
static const char *const str_tags[] = {
    "S",   "DT",  "TS", "By", "SB", "U16", "I16", "U32",     "I32",
    "U64", "I64", "Sg", "Db", "D",  "G",   "URI", "Version", "XD",
    "SBK", "SS",  "C",	"B",  "BA", "Nil", "Obj", "Ref"};

static void set_err(struct clixml_err *err, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(struct clixml_err *err, long line, const char *fmt, ...)
{
	va_list ap;
	char   *p;

	if (err->msg[0] != '\0')
		return; /* the first problem is the one to report */
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Quoted text stays on the message's one line. */
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void
set_nomem(struct clixml_err *err)
{
	set_err(err, 0, "out of memory");
	err->nomem = 1;
}

/* ------------------------------------------------------------- encoding */

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends code point cp to out as UTF-8. */
static size_t
put_utf8(unsigned char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UTF-16 (p, len), after its byte order mark, as UTF-8 in a new
 * NUL-terminated buffer.  Returns it, or NULL with err set.
 */
static char *
from_utf16(const unsigned char *p, size_t len, enum enc enc, size_t *outlen,
	   struct clixml_err *err)
{
	unsigned char *out;
	unsigned long  u, lo;
	size_t	       i, o = 0;
	long	       line = 1;

	if ((out = malloc(len / 2 * 3 + 1)) == NULL) {
		set_nomem(err);
		return NULL;
	}
	for (i = 0; i + 1 < len; i += 2) {
		u = enc == ENC_UTF16LE ? p[i] | (unsigned long)p[i + 1] << 8
				       : (unsigned long)p[i] << 8 | p[i + 1];
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = 0;
			if (i + 3 < len)
				lo = enc == ENC_UTF16LE
					 ? p[i + 2] | (unsigned long)p[i + 3]
							  << 8
					 : (unsigned long)p[i + 2] << 8 |
					       p[i + 3];
			if (lo < 0xdc00 || lo > 0xdfff) {
				set_err(err, line,
					"%s: unpaired surrogate U+%04lX",
					enc_names[enc], u);
				goto fail;
			}
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			set_err(err, line, "%s: unpaired surrogate U+%04lX",
				enc_names[enc], u);
			goto fail;
		} else if (u == 0) {
			set_err(err, line, "%s: NUL character", enc_names[enc]);
			goto fail;
		}
		if (u == '\n')
			line++;
		o += put_utf8(out + o, u);
	}
	if (len % 2 != 0) {
		set_err(err, line,
			"%s: odd number of bytes (a truncated file?)",
			enc_names[enc]);
		goto fail;
	}
	out[o] = '\0';
	*outlen = o;
	return (char *)out;
fail:
	free(out);
	return NULL;
}

/* Strict UTF-8 (p, len) copied to a NUL-terminated buffer, or NULL. */
static char *
from_utf8(const unsigned char *p, size_t len, size_t *outlen,
	  struct clixml_err *err)
{
	unsigned long cp;
	size_t	      i = 0, n;
	long	      line = 1;
	char	     *out;

	while (i < len) {
		if (p[i] == 0) {
			set_err(err, line,
				"NUL byte: not UTF-8 (UTF-16 without its byte "
				"order mark?)");
			return NULL;
		}
		if (p[i] < 0x80) {
			if (p[i] == '\n')
				line++;
			i++;
			continue;
		}
		if ((n = safe_utf8_next(p + i, len - i, &cp)) == 0) {
			set_err(err, line, "invalid UTF-8 (byte 0x%02X)", p[i]);
			return NULL;
		}
		i += n;
	}
	if ((out = mem_dup(p, len)) == NULL) {
		set_nomem(err);
		return NULL;
	}
	*outlen = len;
	return out;
}

/*
 * The bytes as UTF-8, whatever PowerShell wrote them in: UTF-16LE or
 * BE after their byte order mark, UTF-8 with or without one.  *enc
 * says which.  Returns a new NUL-terminated buffer, or NULL with err
 * set.
 */
static char *
to_utf8(const unsigned char *p, size_t len, const char *first, enum enc *enc,
	size_t *outlen, struct clixml_err *err)
{
	unsigned int u;

	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
			 (p[0] == 0xfe && p[1] == 0xff))) {
		*enc = p[0] == 0xff ? ENC_UTF16LE : ENC_UTF16BE;
		/* A document starts with markup or white space. */
		if (len >= 4) {
			u = *enc == ENC_UTF16LE ? p[2] | p[3] << 8
						: p[2] << 8 | p[3];
			if (!is_ws((int)u) && (u == 0 || u >= 0x80 ||
					       strchr(first, (int)u) == NULL)) {
				set_err(err, 1,
					"the byte order mark says %s but the "
					"text is not %s",
					enc_names[*enc], enc_names[*enc]);
				return NULL;
			}
		}
		return from_utf16(p + 2, len - 2, *enc, outlen, err);
	}
	*enc = ENC_UTF8;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return from_utf8(p + 3, len - 3, outlen, err);
	if (len >= 2 && (p[0] == 0 || p[1] == 0)) {
		set_err(err, 1, "UTF-16 without a byte order mark");
		return NULL;
	}
	return from_utf8(p, len, outlen, err);
}

char *
clixml_decode(const unsigned char *buf, size_t len, const char *first,
	      size_t *outlen, struct clixml_err *err)
{
	enum enc enc;

	memset(err, 0, sizeof(*err));
	return to_utf8(buf, len, first, &enc, outlen, err);
}

/* Past the first occurrence of lit at or after pos, or len. */
static size_t
skip_past(const char *b, size_t len, size_t pos, const char *lit)
{
	const char *e;

	if (pos >= len ||
	    (e = memmem(b + pos, len - pos, lit, strlen(lit))) == NULL)
		return len;
	return (size_t)(e - b) + strlen(lit);
}

/*
 * Does the encoding named in the declaration (v, vlen) describe what
 * the bytes were?  UTF-16 is written "UTF-16" (the byte order mark
 * says which), or with its order.
 */
static int
enc_matches(const char *v, size_t vlen, enum enc enc)
{
	static const char *const u8[] = {"UTF-8", "UTF8", NULL};
	static const char *const u16le[] = {"UTF-16", "UTF16", "UTF-16LE",
					    "UNICODE", NULL};
	static const char *const u16be[] = {"UTF-16", "UTF16", "UTF-16BE",
					    NULL};
	const char *const	*ok;
	size_t			 i;

	ok = enc == ENC_UTF8 ? u8 : enc == ENC_UTF16LE ? u16le : u16be;
	for (i = 0; ok[i] != NULL; i++)
		if (strlen(ok[i]) == vlen && strncasecmp(v, ok[i], vlen) == 0)
			return 1;
	return 0;
}

/*
 * The prolog, read by hand before libxml2 sees anything: the text must
 * begin with markup (a UTF-16 byte order mark on UTF-8 text gives
 * none), the declaration's encoding must be what the bytes were, and a
 * document type declaration, the door to every entity attack, is
 * refused.  Returns 0, or -1 with err set.
 */
static int
check_prolog(const char *b, size_t len, enum enc enc, struct clixml_err *err)
{
	const char *v, *e;
	size_t	    pos = 0, end, vlen;

	while (pos < len && is_ws((unsigned char)b[pos]))
		pos++;
	if (pos >= len) {
		set_err(err, mem_line_at(b, pos), "empty document");
		return -1;
	}
	if (b[pos] != '<') {
		if (enc != ENC_UTF8)
			set_err(err, 1,
				"the byte order mark says %s but the text is "
				"not %s",
				enc_names[enc], enc_names[enc]);
		else
			set_err(err, mem_line_at(b, pos), "not XML");
		return -1;
	}
	if (len - pos >= 6 && memcmp(b + pos, "<?xml", 5) == 0 &&
	    is_ws((unsigned char)b[pos + 5])) {
		end = skip_past(b, len, pos, "?>");
		v = memmem(b + pos, end - pos, "encoding", 8);
		if (v != NULL) {
			v += 8;
			while (v < b + end && (is_ws(*v) || *v == '='))
				v++;
			if (v < b + end && (*v == '"' || *v == '\'') &&
			    (e = memchr(v + 1, *v, b + end - v - 1)) != NULL) {
				vlen = (size_t)(e - v - 1);
				if (!enc_matches(v + 1, vlen, enc)) {
					set_err(err, mem_line_at(b, pos),
						"the declaration says encoding "
						"\"%.*s\" but the file is %s",
						(int)(vlen > 40 ? 40 : vlen),
						v + 1, enc_names[enc]);
					return -1;
				}
			}
		}
		pos = end;
	}
	for (;;) {
		while (pos < len && is_ws((unsigned char)b[pos]))
			pos++;
		if (len - pos >= 4 && memcmp(b + pos, "<!--", 4) == 0)
			pos = skip_past(b, len, pos + 4, "-->");
		else if (len - pos >= 2 && memcmp(b + pos, "<?", 2) == 0)
			pos = skip_past(b, len, pos + 2, "?>");
		else
			break;
	}
	if (len - pos >= 2 && b[pos] == '<' && b[pos + 1] == '!') {
		set_err(err, mem_line_at(b, pos),
			"document type declarations (<!DOCTYPE) are not "
			"allowed");
		return -1;
	}
	return 0;
}

int
clixml_sniff(const unsigned char *p, size_t len)
{
	char	    a[256];
	const char *e;
	size_t	    i, n = 0, step = 1, off = 0, pos = 0;
	int	    le = 0;

	if (len >= 2 && p[0] == 0xff && p[1] == 0xfe)
		off = 2, step = 2, le = 1;
	else if (len >= 2 && p[0] == 0xfe && p[1] == 0xff)
		off = 2, step = 2;
	else if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		off = 3;
	/* The ASCII of the start: enough to see past a declaration. */
	for (i = off; i + step <= len && n < sizeof(a) - 1; i += step) {
		if (step == 2 && p[le ? i + 1 : i] != 0)
			break;
		a[n++] = (char)p[step == 2 && !le ? i + 1 : i];
	}
	a[n] = '\0';
	for (;;) {
		while (pos < n && is_ws((unsigned char)a[pos]))
			pos++;
		if (strncmp(a + pos, "<?", 2) == 0)
			pos = skip_past(a, n, pos + 2, "?>");
		else if (strncmp(a + pos, "<!--", 4) == 0)
			pos = skip_past(a, n, pos + 4, "-->");
		else
			break;
	}
	/* A DOCTYPE before it is CLIXML too: the parser then refuses it. */
	if (strncmp(a + pos, "<!DOCTYPE", 9) == 0 &&
	    (e = strstr(a + pos, "<Objs")) != NULL)
		pos = (size_t)(e - a);
	return strncmp(a + pos, "<Objs", 5) == 0 &&
	       (is_ws((unsigned char)a[pos + 5]) || a[pos + 5] == '>' ||
		a[pos + 5] == '/');
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
	struct clixml_err *err = arg;
	const char	  *m = e->message != NULL ? e->message : "error";
	size_t		   mlen;
	char		   first;

	if (e->level < XML_ERR_ERROR)
		return;
	/* One line: some messages go on to quote the document. */
	mlen = strcspn(m, "\n");
	while (mlen > 0 && is_ws((unsigned char)m[mlen - 1]))
		mlen--;
	if (mlen == 0) {
		m = "error";
		mlen = 5;
	}
	/* House style: lower case, unless the word is an acronym. */
	first = m[0];
	if (first >= 'A' && first <= 'Z' && !(m[1] >= 'A' && m[1] <= 'Z'))
		first = (char)(first + 0x20);
	set_err(err, e->line, "%c%.*s", first, (int)(mlen - 1), m + 1);
}

static void
xml_generic_quiet(void *ctx, const char *fmt, ...)
{
}

/* ------------------------------------------------------------------- map */

static size_t
map_slot(unsigned long k, size_t sz)
{
	return (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (sz - 1);
}

/* Index + 1 stored for key k, or 0. */
static size_t
map_get(const struct map *m, unsigned long k)
{
	size_t j;

	if (m->sz == 0)
		return 0;
	for (j = map_slot(k, m->sz); m->vals[j] != 0; j = (j + 1) & (m->sz - 1))
		if (m->keys[j] == k)
			return m->vals[j];
	return 0;
}

static int
map_put(struct map *m, unsigned long k, size_t v)
{
	struct map n;
	size_t	   i, j;

	if ((m->n + 1) * 2 > m->sz) {
		n.sz = m->sz ? m->sz * 2 : 64;
		n.n = 0;
		n.keys = calloc(n.sz, sizeof(*n.keys));
		n.vals = calloc(n.sz, sizeof(*n.vals));
		if (n.keys == NULL || n.vals == NULL) {
			free(n.keys);
			free(n.vals);
			return -1;
		}
		for (i = 0; i < m->sz; i++) {
			if (m->vals[i] == 0)
				continue;
			for (j = map_slot(m->keys[i], n.sz); n.vals[j] != 0;
			     j = (j + 1) & (n.sz - 1))
				;
			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
			n.n++;
		}
		free(m->keys);
		free(m->vals);
		*m = n;
	}
	for (j = map_slot(k, m->sz); m->vals[j] != 0; j = (j + 1) & (m->sz - 1))
		;
	m->keys[j] = k;
	m->vals[j] = v;
	m->n++;
	return 0;
}

/* ------------------------------------------------------------------ tree */

static long
lineof(const xmlNode *n)
{
	return xmlGetLineNo(n);
}

static int
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/*
 * Checks what lies between the elements of a container: white space,
 * comments and processing instructions only.  Returns 0 or -1.
 */
static int
check_between(struct ctx *c, const xmlNode *k)
{
	const xmlChar *t;

	switch (k->type) {
	case XML_ELEMENT_NODE:
		if (k->ns == NULL ||
		    strcmp((const char *)k->ns->href, PS_NS) != 0) {
			set_err(c->err, lineof(k),
				"element <%.40s> is not in the PowerShell "
				"namespace",
				(const char *)k->name);
			return -1;
		}
		return 0;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		for (t = k->content; t != NULL && *t != '\0'; t++)
			if (!is_ws(*t)) {
				set_err(c->err, lineof(k->parent),
					"text outside a value in <%.40s>",
					(const char *)k->parent->name);
				return -1;
			}
		return 0;
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return 0;
	default:
		set_err(c->err, lineof(k->parent),
			"entity references are not allowed");
		return -1;
	}
}

/*
 * PowerShell's _xHHHH_ escapes (a character XML cannot carry, or an
 * underscore that would read as one) decoded from (s, len), as UTF-8 in
 * a new NUL-terminated buffer.  Returns it, or NULL with err set.
 */
static char *
decode_x(struct ctx *c, const char *s, size_t len, size_t *outlen, long line)
{
	unsigned long  u, lo;
	unsigned char *o;
	size_t	       i, n = 0;

	if ((o = malloc(len + 1)) == NULL) {
		set_nomem(c->err);
		return NULL;
	}
	for (i = 0; i < len;) {
		if (s[i] != '_' || len - i < 7 || s[i + 1] != 'x' ||
		    !isxdigit((unsigned char)s[i + 2]) ||
		    !isxdigit((unsigned char)s[i + 3]) ||
		    !isxdigit((unsigned char)s[i + 4]) ||
		    !isxdigit((unsigned char)s[i + 5]) || s[i + 6] != '_') {
			o[n++] = (unsigned char)s[i++];
			continue;
		}
		u = strtoul((char[]){s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0},
			    NULL, 16);
		i += 7;
		if (u >= 0xd800 && u <= 0xdbff && len - i >= 7 && s[i] == '_' &&
		    s[i + 1] == 'x' && s[i + 6] == '_') {
			lo = strtoul(
			    (char[]){s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0},
			    NULL, 16);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 7;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			set_err(c->err, line,
				"unpaired surrogate U+%04lX in an _xHHHH_ "
				"escape",
				u);
			free(o);
			return NULL;
		}
		/* Seven bytes of escape make at most four of UTF-8. */
		n += put_utf8(o + n, u);
	}
	o[n] = '\0';
	*outlen = n;
	return (char *)o;
}

/*
 * The text of element n (its text and CDATA children), _xHHHH_ decoded
 * when decode is set.  Returns a new buffer, or NULL with err set.
 */
static char *
elem_text(struct ctx *c, const xmlNode *n, int decode, size_t *outlen)
{
	const xmlNode *k;
	char	      *raw = NULL, *r;
	size_t	       len = 0, cap = 0, l;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_COMMENT_NODE || k->type == XML_PI_NODE)
			continue;
		if (k->type != XML_TEXT_NODE &&
		    k->type != XML_CDATA_SECTION_NODE) {
			set_err(c->err, lineof(n),
				k->type == XML_ELEMENT_NODE
				    ? "<%.40s> holds an element"
				    : "<%.40s> holds an entity reference",
				(const char *)n->name);
			free(raw);
			return NULL;
		}
		l = k->content != NULL ? strlen((const char *)k->content) : 0;
		if (mem_grow(&raw, &cap, len + l + 1, 1) == -1) {
			set_nomem(c->err);
			free(raw);
			return NULL;
		}
		memcpy(raw + len, k->content, l);
		len += l;
	}
	if (raw == NULL && (raw = calloc(1, 1)) == NULL) {
		set_nomem(c->err);
		return NULL;
	}
	raw[len] = '\0';
	if (!decode) {
		*outlen = len;
		return raw;
	}
	r = decode_x(c, raw, len, outlen, lineof(n));
	free(raw);
	return r;
}

/* An attribute's value, or NULL; the caller frees it with xmlFree. */
static char *
attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

/* A RefId: decimal digits, as PowerShell writes it.  0 or -1. */
static int
refid(struct ctx *c, const xmlNode *n, unsigned long *id)
{
	char  *v, *e;
	size_t len;
	int    rc = -1;

	if ((v = attr(n, "RefId")) == NULL) {
		set_err(c->err, lineof(n), "<%.40s> without a RefId",
			(const char *)n->name);
		return -1;
	}
	len = strlen(v);
	if (len == 0 || len > 9 || strspn(v, "0123456789") != len)
		set_err(c->err, lineof(n), "RefId \"%.20s\" is not a number",
			v);
	else {
		*id = strtoul(v, &e, 10);
		rc = 0;
	}
	xmlFree(v);
	return rc;
}

static int
count_value(struct ctx *c, const xmlNode *n)
{
	if (++c->doc->nvalues > CLIXML_MAX_VALUES) {
		set_err(c->err, lineof(n), "too many values (over %lu)",
			CLIXML_MAX_VALUES);
		return -1;
	}
	return 0;
}

static void
val_release(struct clixml_val *v)
{
	if (v->kind == CLIXML_STR || v->kind == CLIXML_BYTES)
		free(v->s);
	memset(v, 0, sizeof(*v));
}

static int parse_obj(struct ctx *, const xmlNode *, int, struct clixml_obj **);

/* The interned tag name of a value element, or NULL. */
static const char *
value_tag(const xmlNode *n)
{
	size_t i;

	for (i = 0; i < sizeof(str_tags) / sizeof(str_tags[0]); i++)
		if (strcmp((const char *)n->name, str_tags[i]) == 0)
			return str_tags[i];
	return NULL;
}

static void
view(struct clixml_val *v, const struct clixml_obj *o)
{
	v->kind = CLIXML_OBJ;
	v->obj = o;
}

/*
 * Value element n into v (zeroed by the caller).  Returns 0, or -1 with
 * err set; v then owns nothing.
 */
static int
parse_value(struct ctx *c, const xmlNode *n, int depth, struct clixml_val *v)
{
	struct clixml_obj *o;
	unsigned long	   id;
	size_t		   k, tl;
	char		  *t, *s;

	if (depth > CLIXML_MAX_DEPTH) {
		set_err(c->err, lineof(n), "nested too deep (over %d)",
			CLIXML_MAX_DEPTH);
		return -1;
	}
	if (count_value(c, n) == -1)
		return -1;
	v->line = lineof(n);
	if ((v->tag = value_tag(n)) == NULL) {
		set_err(c->err, lineof(n), "unknown element <%.40s>",
			(const char *)n->name);
		return -1;
	}
	if (strcmp(v->tag, "Nil") == 0) {
		v->kind = CLIXML_NIL;
		return 0;
	}
	if (strcmp(v->tag, "Obj") == 0) {
		if (parse_obj(c, n, depth, &o) == -1)
			return -1;
		view(v, o);
		return 0;
	}
	if (strcmp(v->tag, "Ref") == 0) {
		if (refid(c, n, &id) == -1)
			return -1;
		if ((k = map_get(&c->objs, id)) == 0) {
			set_err(c->err, lineof(n), "Ref to unknown RefId %lu",
				id);
			return -1;
		}
		view(v, c->doc->all[k - 1]);
		return 0;
	}
	if ((t = elem_text(c, n, strcmp(v->tag, "BA") != 0, &tl)) == NULL)
		return -1;
	if (strcmp(v->tag, "BA") == 0) {
		v->kind = CLIXML_BYTES;
		for (k = 0; k < tl && is_ws((unsigned char)t[k]); k++)
			;
		if (k == tl) { /* an empty array */
			v->s = t;
			t[0] = '\0';
			v->len = 0;
			return 0;
		}
		if (tl / 4 * 3 > CLIXML_MAX_BA + 3) {
			set_err(c->err, lineof(n),
				"byte array too large (over %lu MiB)",
				CLIXML_MAX_BA >> 20);
			free(t);
			return -1;
		}
		s = (char *)der_from_base64(t, tl, &v->len);
		free(t);
		if (s == NULL) {
			t = attr(n, "N");
			set_err(c->err, lineof(n), "<BA%s%.40s%s>: bad base64",
				t != NULL ? " N=\"" : "", t != NULL ? t : "",
				t != NULL ? "\"" : "");
			xmlFree(t);
			return -1;
		}
		if (v->len > CLIXML_MAX_BA) {
			set_err(c->err, lineof(n),
				"byte array too large (over %lu MiB)",
				CLIXML_MAX_BA >> 20);
			free(s);
			return -1;
		}
		/* der_from_base64 leaves room: len / 4 * 3 + 3 bytes. */
		v->s = s;
		v->s[v->len] = '\0';
		return 0;
	}
	v->kind = CLIXML_STR;
	if (strcmp(v->tag, "B") == 0) {
		s = t;
		while (is_ws((unsigned char)*s))
			s++;
		tl = strlen(s);
		while (tl > 0 && is_ws((unsigned char)s[tl - 1]))
			tl--;
		v->is_bool = 1;
		if (tl == 4 && strncasecmp(s, "true", 4) == 0)
			v->b = 1;
		else if (!(tl == 5 && strncasecmp(s, "false", 5) == 0)) {
			set_err(c->err, lineof(n),
				"<B> holds \"%.20s\", not true or false", s);
			free(t);
			return -1;
		}
		free(t);
		if ((t = strdup(v->b ? "True" : "False")) == NULL) {
			set_nomem(c->err);
			return -1;
		}
		tl = strlen(t);
	}
	v->s = t;
	v->len = tl;
	return 0;
}

/* Appends a property named (name, len), taking both name and *v. */
static int
add_prop(struct ctx *c, struct clixml_obj *o, size_t *cap, char *name,
	 size_t len, struct clixml_val *v)
{
	if (mem_grow(&o->props, cap, o->nprops + 1, sizeof(*o->props)) == -1) {
		set_nomem(c->err);
		free(name);
		val_release(v);
		return -1;
	}
	o->props[o->nprops].name = name;
	o->props[o->nprops].namelen = len;
	o->props[o->nprops++].v = *v;
	return 0;
}

/* <Props> or <MS>: named values. */
static int
parse_props(struct ctx *c, const xmlNode *n, int depth, struct clixml_obj *o,
	    size_t *cap)
{
	struct clixml_val v;
	const xmlNode	 *k;
	char		 *raw, *name;
	size_t		  len;

	for (k = n->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			return -1;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if ((raw = attr(k, "N")) == NULL) {
			set_err(c->err, lineof(k),
				"<%.40s> in <%s> without a name (N)",
				(const char *)k->name, (const char *)n->name);
			return -1;
		}
		name = decode_x(c, raw, strlen(raw), &len, lineof(k));
		xmlFree(raw);
		if (name == NULL)
			return -1;
		memset(&v, 0, sizeof(v));
		if (parse_value(c, k, depth + 1, &v) == -1) {
			free(name);
			return -1;
		}
		if (add_prop(c, o, cap, name, len, &v) == -1)
			return -1;
	}
	return 0;
}

/* <LST>, <IE>, <STK>, <QUE>: values in order. */
static int
parse_items(struct ctx *c, const xmlNode *n, int depth, struct clixml_obj *o)
{
	const xmlNode *k;
	size_t	       cap = 0;

	o->is_list = 1;
	for (k = n->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			return -1;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (mem_grow(&o->items, &cap, o->nitems + 1,
			     sizeof(*o->items)) == -1) {
			set_nomem(c->err);
			return -1;
		}
		memset(&o->items[o->nitems], 0, sizeof(*o->items));
		if (parse_value(c, k, depth + 1, &o->items[o->nitems]) == -1)
			return -1;
		o->nitems++;
	}
	return 0;
}

/* <DCT>: <En> entries of a Key and a Value, kept as properties. */
static int
parse_dict(struct ctx *c, const xmlNode *n, int depth, struct clixml_obj *o,
	   size_t *cap)
{
	struct clixml_val key, val, *slot;
	const xmlNode	 *k, *e;
	const char	 *kt;
	char		 *name, *nattr;
	size_t		  klen;
	int		  rc = -1;

	for (k = n->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			return -1;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(k, "En")) {
			set_err(c->err, lineof(k), "<%.40s> in <DCT>, not <En>",
				(const char *)k->name);
			return -1;
		}
		memset(&key, 0, sizeof(key));
		memset(&val, 0, sizeof(val));
		for (e = k->children; e != NULL; e = e->next) {
			if (check_between(c, e) == -1)
				goto out;
			if (e->type != XML_ELEMENT_NODE)
				continue;
			nattr = attr(e, "N");
			slot = NULL;
			if (nattr != NULL && strcmp(nattr, "Key") == 0)
				slot = &key;
			else if (nattr != NULL && strcmp(nattr, "Value") == 0)
				slot = &val;
			xmlFree(nattr);
			if (slot == NULL || slot->tag != NULL) {
				set_err(c->err, lineof(e),
					"<En> holds <%.40s> that is not its "
					"one Key or Value",
					(const char *)e->name);
				goto out;
			}
			if (parse_value(c, e, depth + 2, slot) == -1)
				goto out;
		}
		if (key.tag == NULL || val.tag == NULL ||
		    (kt = clixml_text(&key, &klen)) == NULL) {
			set_err(c->err, lineof(k),
				"<En> without a Key with text and a Value");
			goto out;
		}
		if ((name = mem_dup(kt, klen)) == NULL) {
			set_nomem(c->err);
			goto out;
		}
		val_release(&key);
		if (add_prop(c, o, cap, name, klen, &val) == -1)
			return -1;
	}
	return 0;
out:
	val_release(&key);
	val_release(&val);
	return rc;
}

/* <TN RefId>: type names, registered for <TNRef>. */
static int
parse_tn(struct ctx *c, const xmlNode *n, struct clixml_obj *o)
{
	struct clixml_doc *d = c->doc;
	struct clixml_tn  *tn;
	const xmlNode	  *k;
	unsigned long	   id;
	size_t		   cap = 0, len;
	char		  *t;

	if (refid(c, n, &id) == -1)
		return -1;
	if (map_get(&c->tns, id) != 0) {
		set_err(c->err, lineof(n), "<TN> RefId %lu given twice", id);
		return -1;
	}
	if (mem_grow(&d->tns, &d->captns, d->ntns + 1, sizeof(*d->tns)) == -1 ||
	    map_put(&c->tns, id, d->ntns + 1) == -1) {
		set_nomem(c->err);
		return -1;
	}
	tn = &d->tns[d->ntns++];
	memset(tn, 0, sizeof(*tn));
	for (k = n->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			return -1;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(k, "T")) {
			set_err(c->err, lineof(k), "<%.40s> in <TN>, not <T>",
				(const char *)k->name);
			return -1;
		}
		if (count_value(c, k) == -1 ||
		    (t = elem_text(c, k, 1, &len)) == NULL)
			return -1;
		if (mem_grow(&tn->types, &cap, tn->ntypes + 1,
			     sizeof(*tn->types)) == -1) {
			free(t);
			set_nomem(c->err);
			return -1;
		}
		tn->types[tn->ntypes++] = t;
	}
	o->types = tn->types;
	o->ntypes = tn->ntypes;
	return 0;
}

/* Adds a new object to the document's list of all; NULL when no memory. */
static struct clixml_obj *
new_obj(struct ctx *c, long line)
{
	struct clixml_doc *d = c->doc;
	struct clixml_obj *o;

	if (mem_grow(&d->all, &d->capall, d->nall + 1, sizeof(*d->all)) == -1 ||
	    (o = calloc(1, sizeof(*o))) == NULL) {
		set_nomem(c->err);
		return NULL;
	}
	o->line = line;
	d->all[d->nall++] = o;
	return o;
}

/*
 * <Obj>: registered under its RefId first, so that a <Ref> inside it
 * finds it.  Returns 0 with *out set, or -1 with err set.
 */
static int
parse_obj(struct ctx *c, const xmlNode *n, int depth, struct clixml_obj **out)
{
	struct clixml_obj *o;
	struct clixml_val  prim;
	const xmlNode	  *k;
	unsigned long	   id;
	size_t		   capprops = 0, ti;
	char		  *tostr = NULL, *v;
	size_t		   tolen = 0;
	int		   rc = -1;

	memset(&prim, 0, sizeof(prim));
	if ((o = new_obj(c, lineof(n))) == NULL)
		return -1;
	if ((v = attr(n, "RefId")) != NULL) {
		xmlFree(v);
		if (refid(c, n, &id) == -1)
			return -1;
		if (map_get(&c->objs, id) != 0) {
			set_err(c->err, lineof(n),
				"<Obj> RefId %lu given twice", id);
			return -1;
		}
		if (map_put(&c->objs, id, c->doc->nall) == -1) {
			set_nomem(c->err);
			return -1;
		}
	}
	for (k = n->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			goto out;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (depth + 1 > CLIXML_MAX_DEPTH) {
			set_err(c->err, lineof(k), "nested too deep (over %d)",
				CLIXML_MAX_DEPTH);
			goto out;
		}
		if (is_el(k, "TN")) {
			if (o->types != NULL || parse_tn(c, k, o) == -1) {
				set_err(c->err, lineof(k),
					"<Obj> with two type lists");
				goto out;
			}
		} else if (is_el(k, "TNRef")) {
			if (refid(c, k, &id) == -1)
				goto out;
			if ((ti = map_get(&c->tns, id)) == 0) {
				set_err(c->err, lineof(k),
					"TNRef to unknown RefId %lu", id);
				goto out;
			}
			o->types = c->doc->tns[ti - 1].types;
			o->ntypes = c->doc->tns[ti - 1].ntypes;
		} else if (is_el(k, "ToString")) {
			free(tostr);
			if ((tostr = elem_text(c, k, 1, &tolen)) == NULL)
				goto out;
		} else if (is_el(k, "Props") || is_el(k, "MS")) {
			if (parse_props(c, k, depth + 1, o, &capprops) == -1)
				goto out;
		} else if (is_el(k, "LST") || is_el(k, "IE") ||
			   is_el(k, "STK") || is_el(k, "QUE")) {
			if (parse_items(c, k, depth + 1, o) == -1)
				goto out;
		} else if (is_el(k, "DCT")) {
			if (parse_dict(c, k, depth + 1, o, &capprops) == -1)
				goto out;
		} else {
			val_release(&prim);
			if (parse_value(c, k, depth + 1, &prim) == -1)
				goto out;
		}
	}
	if (tostr != NULL) {
		o->text = tostr;
		o->textlen = tolen;
		tostr = NULL;
	} else if (prim.kind == CLIXML_STR) {
		o->text = prim.s;
		o->textlen = prim.len;
		prim.s = NULL;
	}
	*out = o;
	rc = 0;
out:
	free(tostr);
	if (prim.kind == CLIXML_STR || prim.kind == CLIXML_BYTES)
		free(prim.s);
	return rc;
}

/* A LIST or OBJ value's kind, once its object is whole. */
static void
fix_kind(struct clixml_val *v)
{
	if (v->obj != NULL)
		v->kind = v->obj->is_list ? CLIXML_LIST : CLIXML_OBJ;
}

static int
parse_root(struct ctx *c, const xmlNode *root)
{
	struct clixml_doc *d = c->doc;
	struct clixml_val  v;
	const xmlNode	  *k;
	size_t		   cap = 0, i, j;
	struct clixml_obj *o;

	if (root == NULL || !is_el(root, "Objs") || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, PS_NS) != 0) {
		set_err(c->err, root != NULL ? lineof(root) : 0,
			"not PowerShell CLIXML (the root is not <Objs> in "
			"its namespace)");
		return -1;
	}
	for (k = root->children; k != NULL; k = k->next) {
		if (check_between(c, k) == -1)
			return -1;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		memset(&v, 0, sizeof(v));
		if (parse_value(c, k, 1, &v) == -1)
			return -1;
		if (v.obj == NULL || !is_el(k, "Obj")) {
			val_release(&v); /* a top-level string, number, Ref */
			continue;
		}
		if (mem_grow(&d->objs, &cap, d->nobjs + 1, sizeof(*d->objs)) ==
		    -1) {
			set_nomem(c->err);
			return -1;
		}
		d->objs[d->nobjs++] = (struct clixml_obj *)v.obj;
	}
	for (i = 0; i < d->nall; i++) {
		o = d->all[i];
		for (j = 0; j < o->nprops; j++)
			fix_kind(&o->props[j].v);
		for (j = 0; j < o->nitems; j++)
			fix_kind(&o->items[j]);
	}
	return 0;
}

struct clixml_doc *
clixml_parse(const unsigned char *buf, size_t len, struct clixml_err *err)
{
	struct ctx	   c;
	struct clixml_doc *d = NULL;
	xmlParserCtxt	  *ctxt = NULL;
	xmlDoc		  *doc = NULL;
	enum enc	   enc;
	char		  *u8 = NULL;
	size_t		   u8len;

	memset(err, 0, sizeof(*err));
	memset(&c, 0, sizeof(c));
	if (len > CLIXML_MAX_INPUT) {
		set_err(err, 0, "file too large (over %lu MiB)",
			CLIXML_MAX_INPUT >> 20);
		return NULL;
	}
	if ((u8 = to_utf8(buf, len, "<", &enc, &u8len, err)) == NULL)
		return NULL;
	if (check_prolog(u8, u8len, enc, err) == -1)
		goto out;
	if (u8len > INT_MAX) {
		set_err(err, 0, "file too large");
		goto out;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (ctxt = xmlNewParserCtxt()) == NULL) {
		set_nomem(err);
		goto out;
	}
	/*
	 * The text is UTF-8 now whatever the declaration says (we checked
	 * it matched the bytes): "UTF-8" and IGNORE_ENC keep libxml2 from
	 * converting again.  No NOENT, DTDLOAD or HUGE: entities are not
	 * expanded and libxml2's own depth and size limits stay.
	 */
	xmlSetStructuredErrorFunc(err, xml_error);
	xmlSetGenericErrorFunc(NULL, xml_generic_quiet);
	doc = xmlCtxtReadMemory(ctxt, u8, (int)u8len, "clixml", "UTF-8",
				XML_PARSE_NONET | XML_PARSE_BIG_LINES |
				    XML_PARSE_IGNORE_ENC);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	if (doc == NULL || !ctxt->wellFormed || err->msg[0] != '\0') {
		set_err(err, 0, "not well-formed XML");
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		set_err(err, 1,
			"document type declarations (<!DOCTYPE) are not "
			"allowed");
		goto out;
	}
	c.doc = d;
	c.err = err;
	if (parse_root(&c, xmlDocGetRootElement(doc)) == -1)
		goto out;
	free(c.objs.keys);
	free(c.objs.vals);
	free(c.tns.keys);
	free(c.tns.vals);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	free(u8);
	return d;
out:
	free(c.objs.keys);
	free(c.objs.vals);
	free(c.tns.keys);
	free(c.tns.vals);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	free(u8);
	clixml_free(d);
	return NULL;
}

void
clixml_free(struct clixml_doc *d)
{
	struct clixml_obj *o;
	size_t		   i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->nall; i++) {
		o = d->all[i];
		free(o->text);
		for (j = 0; j < o->nprops; j++) {
			free(o->props[j].name);
			val_release(&o->props[j].v);
		}
		for (j = 0; j < o->nitems; j++)
			val_release(&o->items[j]);
		free(o->props);
		free(o->items);
		free(o);
	}
	for (i = 0; i < d->ntns; i++) {
		for (j = 0; j < d->tns[i].ntypes; j++)
			free(d->tns[i].types[j]);
		free(d->tns[i].types);
	}
	free(d->tns);
	free(d->all);
	free(d->objs);
	free(d);
}

const struct clixml_prop *
clixml_get(const struct clixml_obj *o, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < o->nprops; i++)
		if (o->props[i].namelen == len &&
		    strncasecmp(o->props[i].name, name, len) == 0)
			return &o->props[i];
	return NULL;
}

int
clixml_is_type(const struct clixml_obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->ntypes; i++)
		if (strcmp(o->types[i], name) == 0 ||
		    (strncmp(o->types[i], "Deserialized.", 13) == 0 &&
		     strcmp(o->types[i] + 13, name) == 0))
			return 1;
	return 0;
}

const char *
clixml_text(const struct clixml_val *v, size_t *len)
{
	if (v->kind == CLIXML_STR) {
		*len = v->len;
		return v->s;
	}
	if ((v->kind == CLIXML_OBJ || v->kind == CLIXML_LIST) &&
	    v->obj != NULL && v->obj->text != NULL) {
		*len = v->obj->textlen;
		return v->obj->text;
	}
	*len = 0;
	return NULL;
}
