/*
 * import: Exchange's exports of receive and send connectors read into
 * connectors (certbind(1) import).  Each format fills the same record --
 * the properties import looks at, as text, with their lines -- and one
 * mapping turns a record into a connector, so that the formats cannot
 * drift apart.  CLIXML is read by clixml.c; JSON and CSV are decoded by
 * its decoder and parsed here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clixml.h"
#include "fold.h"
#include "import.h"

/* Exchange's type names (certbind(1) import). */
#define TYPE_RECEIVE                                                           \
	"Microsoft.Exchange.Data.Directory.SystemConfiguration."               \
	"ReceiveConnector"
#define TYPE_SEND                                                              \
	"Microsoft.Exchange.Data.Directory.SystemConfiguration."               \
	"SmtpSendConnectorConfig"

/* The properties read besides the fields: after CONN_NFIELDS. */
enum { P_NAME = CONN_NFIELDS, P_SERVER, P_IDENTITY, NPROPS };

enum rv_state {
	RV_ABSENT,    /* the export does not carry it */
	RV_NIL,	      /* $null */
	RV_TEXT,      /* text, lists joined with ", " */
	RV_UNREADABLE /* carried in a form that cannot be read back */
};

struct rval {
	enum rv_state state;
	char	     *text;
	long	      line;
};

/* One object of an export, as every format gives it. */
struct rec {
	int	    kind; /* CONN_RECEIVE, CONN_SEND, or -1 */
	char	    what[256];
	long	    line;
	struct rval p[NPROPS];
};

static const char *
prop_name(int i)
{
	switch (i) {
	case P_NAME:
		return "Name";
	case P_SERVER:
		return "Server";
	case P_IDENTITY:
		return "Identity";
	default:
		return conn_field_name(i);
	}
}

/* ---------------------------------------------------------------- errors */

static void add_err(struct import_errs *, const char *file, long line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_err(struct import_errs *errs, const char *file, long line, const char *fmt,
	...)
{
	struct import_err *v;
	va_list		   ap;
	char		  *msg, *p;
	int		   r;

	if (errs->n == errs->cap) {
		if ((v = reallocarray(errs->v, errs->cap ? errs->cap * 2 : 8,
				      sizeof(*v))) == NULL) {
			errs->nomem = 1;
			return;
		}
		errs->v = v;
		errs->cap = errs->cap ? errs->cap * 2 : 8;
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r == -1) {
		errs->nomem = 1;
		return;
	}
	/* Quoted text stays on the message's one line. */
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if ((errs->v[errs->n].file = strdup(file)) == NULL) {
		free(msg);
		errs->nomem = 1;
		return;
	}
	errs->v[errs->n].line = line;
	errs->v[errs->n].msg = msg;
	errs->n++;
}

void
import_errs_release(struct import_errs *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].msg);
	}
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

/* --------------------------------------------------------------- records */

static void
rec_init(struct rec *r, long line)
{
	memset(r, 0, sizeof(*r));
	r->kind = -1;
	r->line = line;
}

static void
rec_release(struct rec *r)
{
	int i;

	for (i = 0; i < NPROPS; i++)
		free(r->p[i].text);
	memset(r, 0, sizeof(*r));
}

/* The property of the record named (name, len), or -1. */
static int
prop_index(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NPROPS; i++)
		if (fold_casecmp_n(name, len, prop_name(i),
				   strlen(prop_name(i))) == 0)
			return i;
	return -1;
}

/* A control character in s (certbind-connectors(5) refuses them)? */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* "true"/"false" for what PowerShell writes as a boolean, else NULL. */
static const char *
norm_bool(const char *s)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return "true";
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return "false";
	return NULL;
}

static int
conn_push(struct import_file *f, size_t *cap)
{
	struct import_conn *v;

	if (f->n < *cap)
		return 0;
	if ((v = reallocarray(f->v, *cap ? *cap * 2 : 8, sizeof(*v))) == NULL)
		return -1;
	f->v = v;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

static void
conn_release(struct import_conn *c)
{
	int i;

	free(c->server);
	free(c->name);
	free(c->identity);
	for (i = 0; i < CONN_NFIELDS; i++)
		free(c->v[i]);
}

/*
 * The one mapping (certbind(1) import): a record to a connector of f.
 * Problems go to errs.  Returns 0, 1 when the record is refused, -1 on
 * memory.
 */
static int
rec_to_conn(struct import_file *f, size_t *cap, struct rec *r,
	    struct import_errs *errs)
{
	struct import_conn c;
	struct rval	  *v, *name = &r->p[P_NAME];
	const char	  *b, *bs;
	int		   i, bad = 0;

	memset(&c, 0, sizeof(c));
	if (r->kind == -1) {
		add_err(errs, f->path, r->line,
			"%s is not a receive or send connector", r->what);
		return 1;
	}
	c.kind = r->kind;
	c.line = r->line;
	for (i = 0; i < NPROPS; i++) {
		v = &r->p[i];
		if (v->state == RV_TEXT && has_control(v->text)) {
			add_err(errs, f->path, v->line,
				"%s holds a control character", prop_name(i));
			bad = 1;
		}
	}
	if (name->state != RV_TEXT || blank(name->text)) {
		add_err(errs, f->path, r->line, "a connector without a Name");
		return 1;
	}
	if (bad)
		return 1;
	if ((c.name = strdup(name->text)) == NULL)
		goto nomem;
	if (c.kind == CONN_RECEIVE) {
		v = &r->p[P_SERVER];
		if (v->state == RV_TEXT && !blank(v->text)) {
			if ((c.server = strdup(v->text)) == NULL)
				goto nomem;
		} else if ((v = &r->p[P_IDENTITY])->state == RV_TEXT &&
			   (bs = strchr(v->text, '\\')) != NULL &&
			   bs > v->text) {
			/* Identity "SERVER\Name" */
			if ((c.server = strndup(
				 v->text, (size_t)(bs - v->text))) == NULL)
				goto nomem;
		}
	}
	if (c.server != NULL) {
		if (asprintf(&c.identity, "%s\\%s", c.server, c.name) == -1) {
			c.identity = NULL;
			goto nomem;
		}
	} else if ((c.identity = strdup(c.name)) == NULL)
		goto nomem;
	for (i = 0; i < CONN_NFIELDS; i++) {
		v = &r->p[i];
		if (!conn_field_of_kind(i, c.kind) || v->state == RV_ABSENT ||
		    v->state == RV_UNREADABLE)
			continue;
		if (conn_field_is_bool(i)) {
			if (v->state == RV_NIL)
				continue;
			if ((b = norm_bool(v->text)) == NULL) {
				add_err(errs, f->path, v->line,
					"%s \"%.64s\" is not a boolean",
					prop_name(i), v->text);
				bad = 1;
				continue;
			}
			if ((c.v[i] = strdup(b)) == NULL)
				goto nomem;
			continue;
		}
		/* $null is what Exchange shows for an empty value. */
		if ((c.v[i] = strdup(v->state == RV_NIL ? "" : v->text)) ==
		    NULL)
			goto nomem;
	}
	if (bad) {
		conn_release(&c);
		return 1;
	}
	if (conn_push(f, cap) == -1)
		goto nomem;
	f->v[f->n++] = c;
	return 0;
nomem:
	conn_release(&c);
	return -1;
}

/* ---------------------------------------------------------------- CLIXML */

/*
 * A CLIXML value as text: a string's, a <B> as true/false, an object's
 * ToString, a list's items' joined with ", ".  Sets v; returns 0, 1 when
 * it cannot be read (reported), -1 on memory.
 */
static int
clixml_value(const char *path, const char *pname, const struct clixml_val *cv,
	     struct rval *v, struct import_errs *errs)
{
	const struct clixml_val *it;
	const char		*t;
	FILE			*fp;
	char			*s = NULL;
	size_t			 len, i;
	int			 first = 1, bad = 0;

	v->line = cv->line;
	switch (cv->kind) {
	case CLIXML_NIL:
		v->state = RV_NIL;
		return 0;
	case CLIXML_STR:
		v->state = RV_TEXT;
		if (cv->is_bool)
			v->text = strdup(cv->b ? "true" : "false");
		else
			v->text = strdup(cv->s);
		return v->text == NULL ? -1 : 0;
	case CLIXML_OBJ:
		if ((t = clixml_text(cv, &len)) == NULL)
			break;
		v->state = RV_TEXT;
		v->text = strndup(t, len);
		return v->text == NULL ? -1 : 0;
	case CLIXML_LIST:
		if ((fp = open_memstream(&s, &len)) == NULL)
			return -1;
		for (i = 0; i < cv->obj->nitems; i++) {
			it = &cv->obj->items[i];
			if (it->kind == CLIXML_NIL)
				continue;
			if ((t = clixml_text(it, &len)) == NULL ||
			    memchr(t, '\0', len) != NULL) {
				add_err(errs, path, it->line,
					"%s: a list item without text", pname);
				bad = 1;
				break;
			}
			fprintf(fp, "%s%s", first ? "" : ", ", t);
			first = 0;
		}
		if (ferror(fp) | (fclose(fp) != 0)) {
			free(s);
			return -1;
		}
		if (bad) {
			free(s);
			return 1;
		}
		v->state = RV_TEXT;
		v->text = s;
		return 0;
	default:
		break;
	}
	add_err(errs, path, cv->line, "%s is not text", pname);
	return 1;
}

static int
read_clixml(struct import_file *f, const unsigned char *buf, size_t len,
	    struct import_errs *errs)
{
	struct clixml_doc	 *doc;
	struct clixml_err	  cerr;
	const struct clixml_obj	 *o;
	const struct clixml_prop *p;
	struct rec		  r;
	size_t			  i, cap = 0;
	int			  k, x, rc = -1;

	if ((doc = clixml_parse(buf, len, &cerr)) == NULL) {
		if (cerr.nomem)
			errs->nomem = 1;
		else
			add_err(errs, f->path, cerr.line, "%s", cerr.msg);
		return -1;
	}
	for (i = 0; i < doc->nobjs; i++) {
		o = doc->objs[i];
		rec_init(&r, o->line);
		if (clixml_is_type(o, TYPE_RECEIVE))
			r.kind = CONN_RECEIVE;
		else if (clixml_is_type(o, TYPE_SEND))
			r.kind = CONN_SEND;
		snprintf(r.what, sizeof(r.what), "an object of type %.200s",
			 o->ntypes > 0 ? o->types[0] : "(none)");
		for (k = 0; k < NPROPS && r.kind != -1; k++) {
			if ((p = clixml_get(o, prop_name(k))) == NULL)
				continue;
			x = clixml_value(f->path, prop_name(k), &p->v, &r.p[k],
					 errs);
			if (x == -1) {
				rec_release(&r);
				goto nomem;
			}
		}
		x = rec_to_conn(f, &cap, &r, errs);
		rec_release(&r);
		if (x == -1)
			goto nomem;
	}
	if (doc->nobjs == 0)
		add_err(errs, f->path, 0, "no connectors in the export");
	rc = 0; /* import_read_mem counts the problems */
	goto out;
nomem:
	errs->nomem = 1;
out:
	clixml_free(doc);
	return rc;
}

/* ------------------------------------------- kind by properties (JSON, CSV) */

/*
 * Neither ConvertTo-Json nor Export-Csv without its #TYPE line names the
 * type: a receive connector is told by its receive-only properties, a
 * send connector by its send-only ones (certbind(1) import).
 */
static int
kind_by_props(const struct rec *r)
{
	int i, recv = 0, send = 0;

	for (i = 0; i < CONN_NFIELDS; i++) {
		if (r->p[i].state == RV_ABSENT)
			continue;
		if (!conn_field_of_kind(i, CONN_SEND))
			recv = 1;
		else if (!conn_field_of_kind(i, CONN_RECEIVE))
			send = 1;
	}
	if (recv == send)
		return -1;
	return recv ? CONN_RECEIVE : CONN_SEND;
}

/* ------------------------------------------------------------------ JSON */

#define JSON_MAX_DEPTH 64

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype   t;
	char	    *s; /* J_STR (UTF-8, may hold NUL: len), J_NUM */
	size_t	     len;
	char	   **keys; /* J_OBJ */
	size_t	    *keylens;
	struct jval *kids; /* J_ARR, J_OBJ */
	size_t	     n, cap;
	long	     line;
};

struct jparse {
	const char	   *b;
	size_t		    len, pos;
	long		    line;
	const char	   *path;
	struct import_errs *errs;
	int		    failed;
};

static void
jval_release(struct jval *v)
{
	size_t i;

	free(v->s);
	for (i = 0; i < v->n; i++) {
		jval_release(&v->kids[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->keylens);
	memset(v, 0, sizeof(*v));
}

static void
jfail(struct jparse *p, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	if (p->pos >= p->len)
		add_err(p->errs, p->path, p->line,
			"JSON: %s at the end of the file (truncated?)", what);
	else
		add_err(p->errs, p->path, p->line, "JSON: %s", what);
}

static void
jws(struct jparse *p)
{
	while (p->pos < p->len) {
		if (p->b[p->pos] == '\n')
			p->line++;
		else if (p->b[p->pos] != ' ' && p->b[p->pos] != '\t' &&
			 p->b[p->pos] != '\r')
			break;
		p->pos++;
	}
}

static int
hex4(const char *s, unsigned long *u)
{
	int i, c;

	*u = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*u = *u << 4 | (unsigned long)c;
	}
	return 0;
}

static size_t
put_cp(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at p->pos (its '"'): *out (malloc'd) and *outlen, or -1. */
static int
jstring(struct jparse *p, char **out, size_t *outlen)
{
	const char   *b = p->b;
	char	     *o;
	size_t	      n = 0;
	unsigned long u, lo;
	unsigned char c;

	*out = NULL;
	p->pos++;
	/* Escapes only shrink: the rest of the input bounds the result. */
	if ((o = malloc(p->len - p->pos + 1)) == NULL) {
		p->errs->nomem = 1;
		p->failed = 1;
		return -1;
	}
	while (p->pos < p->len && b[p->pos] != '"') {
		c = (unsigned char)b[p->pos];
		if (c < 0x20) {
			jfail(p, "a control character in a string");
			goto fail;
		}
		if (c != '\\') {
			o[n++] = (char)c;
			p->pos++;
			continue;
		}
		if (++p->pos >= p->len)
			break;
		switch (b[p->pos]) {
		case '"':
		case '\\':
		case '/':
			o[n++] = b[p->pos];
			break;
		case 'b':
			o[n++] = '\b';
			break;
		case 'f':
			o[n++] = '\f';
			break;
		case 'n':
			o[n++] = '\n';
			break;
		case 'r':
			o[n++] = '\r';
			break;
		case 't':
			o[n++] = '\t';
			break;
		case 'u':
			if (p->len - p->pos < 5 || hex4(b + p->pos + 1, &u)) {
				jfail(p, "a bad \\u escape");
				goto fail;
			}
			p->pos += 4;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (p->len - p->pos < 7 ||
				    b[p->pos + 1] != '\\' ||
				    b[p->pos + 2] != 'u' ||
				    hex4(b + p->pos + 3, &lo) || lo < 0xdc00 ||
				    lo > 0xdfff) {
					jfail(p, "an unpaired surrogate");
					goto fail;
				}
				p->pos += 6;
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				jfail(p, "an unpaired surrogate");
				goto fail;
			}
			n += put_cp(o + n, u);
			break;
		default:
			jfail(p, "a bad escape in a string");
			goto fail;
		}
		p->pos++;
	}
	if (p->pos >= p->len) {
		jfail(p, "an unterminated string");
		goto fail;
	}
	p->pos++;
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
fail:
	free(o);
	return -1;
}

static int jvalue(struct jparse *p, struct jval *v, int depth);

static int
jpush(struct jparse *p, struct jval *v)
{
	struct jval *k;
	char	   **keys;
	size_t	    *kl, cap = v->cap ? v->cap * 2 : 8;

	if (v->n < v->cap)
		return 0;
	if ((k = reallocarray(v->kids, cap, sizeof(*k))) == NULL)
		goto nomem;
	v->kids = k;
	if (v->t == J_OBJ) {
		if ((keys = reallocarray(v->keys, cap, sizeof(*keys))) == NULL)
			goto nomem;
		v->keys = keys;
		if ((kl = reallocarray(v->keylens, cap, sizeof(*kl))) == NULL)
			goto nomem;
		v->keylens = kl;
	}
	v->cap = cap;
	return 0;
nomem:
	p->errs->nomem = 1;
	p->failed = 1;
	return -1;
}

static int
jcontainer(struct jparse *p, struct jval *v, int depth)
{
	char   close = v->t == J_ARR ? ']' : '}';
	char  *key;
	size_t klen;

	if (depth >= JSON_MAX_DEPTH) {
		jfail(p, "nested too deeply");
		return -1;
	}
	p->pos++;
	jws(p);
	if (p->pos < p->len && p->b[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		jws(p);
		if (jpush(p, v) == -1)
			return -1;
		memset(&v->kids[v->n], 0, sizeof(v->kids[v->n]));
		if (v->t == J_OBJ) {
			if (p->pos >= p->len || p->b[p->pos] != '"') {
				jfail(p, "a name expected");
				return -1;
			}
			if (jstring(p, &key, &klen) == -1)
				return -1;
			v->keys[v->n] = key;
			v->keylens[v->n] = klen;
			jws(p);
			if (p->pos >= p->len || p->b[p->pos] != ':') {
				v->n++;
				jfail(p, "':' expected");
				return -1;
			}
			p->pos++;
			jws(p);
		}
		v->n++;
		if (jvalue(p, &v->kids[v->n - 1], depth + 1) == -1)
			return -1;
		jws(p);
		if (p->pos < p->len && p->b[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->b[p->pos] == close) {
			p->pos++;
			return 0;
		}
		jfail(p, v->t == J_ARR ? "',' or ']' expected"
				       : "',' or '}' expected");
		return -1;
	}
}

static int
jvalue(struct jparse *p, struct jval *v, int depth)
{
	static const char *const lits[] = {"null", "false", "true"};
	size_t			 i, start;
	int			 k;

	jws(p);
	v->line = p->line;
	if (p->pos >= p->len) {
		jfail(p, "a value expected");
		return -1;
	}
	switch (p->b[p->pos]) {
	case '{':
		v->t = J_OBJ;
		return jcontainer(p, v, depth);
	case '[':
		v->t = J_ARR;
		return jcontainer(p, v, depth);
	case '"':
		v->t = J_STR;
		return jstring(p, &v->s, &v->len);
	default:
		break;
	}
	for (k = 0; k < 3; k++) {
		i = strlen(lits[k]);
		if (p->len - p->pos >= i &&
		    memcmp(p->b + p->pos, lits[k], i) == 0) {
			p->pos += i;
			v->t = (enum jtype)k;
			return 0;
		}
	}
	/* RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	start = p->pos;
	if (p->b[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->b[p->pos] == '0')
		p->pos++;
	else if (p->pos < p->len && p->b[p->pos] >= '1' && p->b[p->pos] <= '9')
		while (p->pos < p->len && p->b[p->pos] >= '0' &&
		       p->b[p->pos] <= '9')
			p->pos++;
	else {
		jfail(p, "a value expected");
		return -1;
	}
	if (p->pos < p->len && p->b[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->b[p->pos] < '0' ||
		    p->b[p->pos] > '9') {
			jfail(p, "a bad number");
			return -1;
		}
		while (p->pos < p->len && p->b[p->pos] >= '0' &&
		       p->b[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->b[p->pos] == 'e' || p->b[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len &&
		    (p->b[p->pos] == '+' || p->b[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->b[p->pos] < '0' ||
		    p->b[p->pos] > '9') {
			jfail(p, "a bad number");
			return -1;
		}
		while (p->pos < p->len && p->b[p->pos] >= '0' &&
		       p->b[p->pos] <= '9')
			p->pos++;
	}
	v->t = J_NUM;
	v->len = p->pos - start;
	if ((v->s = strndup(p->b + start, v->len)) == NULL) {
		p->errs->nomem = 1;
		p->failed = 1;
		return -1;
	}
	return 0;
}

/* The member of o named name (case-insensitive, as PowerShell), or NULL. */
static const struct jval *
jget(const struct jval *o, const char *name)
{
	size_t i;

	if (o == NULL || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (fold_casecmp_n(o->keys[i], o->keylens[i], name,
				   strlen(name)) == 0)
			return &o->kids[i];
	return NULL;
}

static const char *
jstr(const struct jval *v)
{
	return v != NULL && v->t == J_STR && memchr(v->s, '\0', v->len) == NULL
		   ? v->s
		   : NULL;
}

/* An IPAddress: a string, or an object with its IPAddressToString. */
static const char *
jaddr(const struct jval *v)
{
	const char *s;

	if ((s = jstr(v)) != NULL)
		return s;
	return jstr(jget(v, "IPAddressToString"));
}

/*
 * The text of an object ConvertTo-Json wrote, as its ToString would
 * give it (certbind(1) import lists the shapes): a malloc'd string, or
 * NULL when the shape is unknown (*nomem set when memory ran out).
 */
static char *
jobj_text(const struct jval *o, int *nomem)
{
	const struct jval *d, *port, *cost, *caps;
	const char	  *s, *t, *a;
	char		  *r = NULL, *inner;
	int		   x = 0;

	if ((s = jstr(jget(o, "CertificateSubject"))) != NULL) {
		/* SmtpX509Identifier */
		if ((t = jstr(jget(o, "CertificateIssuer"))) != NULL &&
		    *t != '\0')
			x = asprintf(&r, "<I>%s<S>%s", t, s);
		else
			x = asprintf(&r, "<S>%s", s);
	} else if ((port = jget(o, "Port")) != NULL && port->t == J_NUM &&
		   (a = jaddr(jget(o, "Address"))) != NULL) {
		/* IPBinding */
		if (strchr(a, ':') != NULL)
			x = asprintf(&r, "[%s]:%s", a, port->s);
		else
			x = asprintf(&r, "%s:%s", a, port->s);
	} else if ((s = jstr(jget(o, "Type"))) != NULL &&
		   (t = jstr(jget(o, "Address"))) != NULL &&
		   (cost = jget(o, "Cost")) != NULL && cost->t == J_NUM) {
		/* AddressSpace */
		x = asprintf(&r, "%s:%s;%s", s, t, cost->s);
	} else if ((d = jget(o, "IsIPAddress")) != NULL &&
		   (d->t == J_TRUE || d->t == J_FALSE)) {
		/* SmartHost */
		s = d->t == J_TRUE ? jaddr(jget(o, "Address"))
				   : jstr(jget(o, "Domain"));
		if (s == NULL)
			return NULL;
		r = strdup(s);
	} else if ((caps = jget(o, "Capabilities")) != NULL &&
		   (d = jget(o, "Domain")) != NULL) {
		/* SmtpReceiveDomainCapabilities: "domain:capabilities" */
		if ((t = jstr(caps)) == NULL)
			return NULL;
		if ((s = jstr(d)) != NULL)
			x = asprintf(&r, "%s:%s", s, t);
		else if ((inner = jobj_text(d, nomem)) != NULL) {
			x = asprintf(&r, "%s:%s", inner, t);
			free(inner);
		} else
			return NULL;
	} else if ((s = jstr(jget(o, "Domain"))) != NULL) {
		/* Fqdn, SmtpDomain, SmtpDomainWithSubdomains */
		if ((d = jget(o, "IncludeSubDomains")) != NULL &&
		    d->t == J_TRUE && strncmp(s, "*.", 2) != 0)
			x = asprintf(&r, "*.%s", s);
		else
			r = strdup(s);
	} else if ((s = jstr(jget(o, "Name"))) != NULL &&
		   jget(o, "DistinguishedName") != NULL) {
		/* ADObjectId */
		r = strdup(s);
	} else
		return NULL;
	if (x == -1 || r == NULL) {
		*nomem = 1;
		return NULL;
	}
	return r;
}

/*
 * A JSON value as text: strings as they are, true/false, objects by
 * jobj_text, arrays joined with ", ".  Sets v; returns 0 or -1 (memory).
 * A shape certbind cannot read back is RV_UNREADABLE: left alone.
 */
static int
json_value(const struct jval *j, struct rval *v)
{
	FILE  *fp;
	char  *s = NULL, *t;
	size_t len, i;
	int    nomem = 0, bad = 0;

	v->line = j->line;
	switch (j->t) {
	case J_NULL:
		v->state = RV_NIL;
		return 0;
	case J_TRUE:
	case J_FALSE:
		v->state = RV_TEXT;
		v->text = strdup(j->t == J_TRUE ? "true" : "false");
		return v->text == NULL ? -1 : 0;
	case J_STR:
		if (memchr(j->s, '\0', j->len) != NULL)
			break;
		v->state = RV_TEXT;
		v->text = strdup(j->s);
		return v->text == NULL ? -1 : 0;
	case J_OBJ:
		if ((v->text = jobj_text(j, &nomem)) == NULL)
			break;
		v->state = RV_TEXT;
		return 0;
	case J_ARR:
		if ((fp = open_memstream(&s, &len)) == NULL)
			return -1;
		for (i = 0; i < j->n && !bad; i++) {
			if (j->kids[i].t == J_STR &&
			    memchr(j->kids[i].s, '\0', j->kids[i].len) == NULL)
				fprintf(fp, "%s%s", i ? ", " : "",
					j->kids[i].s);
			else if (j->kids[i].t == J_OBJ &&
				 (t = jobj_text(&j->kids[i], &nomem)) != NULL) {
				fprintf(fp, "%s%s", i ? ", " : "", t);
				free(t);
			} else
				bad = 1;
		}
		if (ferror(fp) | (fclose(fp) != 0)) {
			free(s);
			return -1;
		}
		if (bad) {
			free(s);
			break;
		}
		v->state = RV_TEXT;
		v->text = s;
		return 0;
	default:
		break;
	}
	if (nomem)
		return -1;
	v->state = RV_UNREADABLE;
	return 0;
}

static int
read_json(struct import_file *f, const char *b, size_t len,
	  struct import_errs *errs)
{
	struct jparse	   p;
	struct jval	   top;
	const struct jval *o, *list;
	struct rec	   r;
	size_t		   i, n, cap = 0, k;
	int		   x, rc = -1;

	memset(&p, 0, sizeof(p));
	memset(&top, 0, sizeof(top));
	p.b = b;
	p.len = len;
	p.line = 1;
	p.path = f->path;
	p.errs = errs;
	if (jvalue(&p, &top, 0) == -1)
		goto out;
	jws(&p);
	if (p.pos < p.len) {
		jfail(&p, "text after the value");
		goto out;
	}
	/* ConvertTo-Json writes one object alone, several as an array. */
	if (top.t == J_OBJ) {
		list = &top;
		n = 1;
	} else if (top.t == J_ARR) {
		list = NULL;
		n = top.n;
	} else {
		add_err(errs, f->path, top.line,
			"JSON: not an object or an array of objects");
		goto out;
	}
	for (i = 0; i < n; i++) {
		o = list != NULL ? list : &top.kids[i];
		rec_init(&r, o->line);
		if (o->t != J_OBJ) {
			snprintf(r.what, sizeof(r.what), "a JSON value");
			x = rec_to_conn(f, &cap, &r, errs);
			rec_release(&r);
			continue;
		}
		for (k = 0; k < o->n; k++) {
			x = prop_index(o->keys[k], o->keylens[k]);
			if (x == -1 || r.p[x].state != RV_ABSENT)
				continue;
			if (json_value(&o->kids[k], &r.p[x]) == -1) {
				rec_release(&r);
				errs->nomem = 1;
				goto out;
			}
		}
		r.kind = kind_by_props(&r);
		snprintf(r.what, sizeof(r.what),
			 "an object with neither or both of Bindings and "
			 "SmartHosts-like properties");
		x = rec_to_conn(f, &cap, &r, errs);
		rec_release(&r);
		if (x == -1) {
			errs->nomem = 1;
			goto out;
		}
	}
	if (n == 0)
		add_err(errs, f->path, 0, "no connectors in the export");
	rc = 0;
out:
	jval_release(&top);
	return rc;
}

/* ------------------------------------------------------------------- CSV */

/*
 * One CSV field at *pos of (b, len) as Export-Csv writes it: quoted with
 * "" for a quote (Windows PowerShell), or bare (PowerShell 7's
 * -UseQuotes AsNeeded).  Returns the malloc'd text and sets *end to 1 at
 * the end of a record; NULL with *bad when the quoting is broken.
 */
static char *
csv_field(const char *b, size_t len, size_t *pos, long *line, int *end,
	  int *bad)
{
	char  *o;
	size_t n = 0, i = *pos;

	*bad = 0;
	*end = 0;
	if ((o = malloc(len - i + 1)) == NULL)
		return NULL;
	if (i < len && b[i] == '"') {
		for (i++;; i++) {
			if (i >= len) {
				*bad = 1;
				free(o);
				return NULL;
			}
			if (b[i] == '"') {
				if (i + 1 < len && b[i + 1] == '"') {
					o[n++] = '"';
					i++;
					continue;
				}
				i++;
				break;
			}
			if (b[i] == '\n')
				(*line)++;
			o[n++] = b[i];
		}
	} else {
		while (i < len && b[i] != ',' && b[i] != '\n' && b[i] != '\r') {
			if (b[i] == '"') {
				*bad = 1;
				free(o);
				return NULL;
			}
			o[n++] = b[i++];
		}
	}
	if (i < len && b[i] == '\r')
		i++;
	if (i >= len || b[i] == '\n') {
		*end = 1;
		if (i < len) {
			(*line)++;
			i++;
		}
	} else if (b[i] == ',')
		i++;
	else {
		*bad = 1;
		free(o);
		return NULL;
	}
	o[n] = '\0';
	*pos = i;
	return o;
}

/*
 * What Export-Csv writes for a list it cannot flatten: the type's name
 * (System.Object[], System.Collections.ArrayList,
 * Microsoft.Exchange.Data.MultiValuedProperty`1[[...]]).
 */
static int
csv_type_name(const char *s)
{
	size_t i;

	if (strncmp(s, "System.", 7) != 0 &&
	    strncmp(s, "Microsoft.", 10) != 0 &&
	    strncmp(s, "Deserialized.", 13) != 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '`' || s[i] == '[')
			return 1;
		else if (s[i] != '.' && s[i] != '_' &&
			 !(s[i] >= 'A' && s[i] <= 'Z') &&
			 !(s[i] >= 'a' && s[i] <= 'z') &&
			 !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return 1;
}

static int
is_list_field(int i)
{
	return i == CONN_BINDINGS || i == CONN_TLSDOMAINCAPS ||
	       i == CONN_SMARTHOSTS || i == CONN_ADDRESSSPACES ||
	       i == CONN_SOURCESERVERS;
}

static int
read_csv(struct import_file *f, const char *b, size_t len,
	 struct import_errs *errs)
{
	struct rec r;
	char	 **head = NULL, **h, *t, *nl;
	int	  *col = NULL;
	size_t	   nhead = 0, caph = 0, pos = 0, ncol, cap = 0, nrec = 0;
	long	   line = 1, rline;
	int	   end, bad, kind = -1, x, rc = -1;
	char	   type[128] = "";

	if (len - pos >= 5 && strncmp(b, "#TYPE", 5) == 0) {
		nl = memchr(b, '\n', len);
		snprintf(type, sizeof(type), "%.*s",
			 (int)((nl != NULL ? (size_t)(nl - b) : len) - 5),
			 b + 5);
		if ((t = strchr(type, '\r')) != NULL)
			*t = '\0';
		t = type;
		while (*t == ' ')
			t++;
		memmove(type, t, strlen(t) + 1);
		if (strcmp(type, TYPE_RECEIVE) == 0 ||
		    strcmp(type, "Deserialized." TYPE_RECEIVE) == 0)
			kind = CONN_RECEIVE;
		else if (strcmp(type, TYPE_SEND) == 0 ||
			 strcmp(type, "Deserialized." TYPE_SEND) == 0)
			kind = CONN_SEND;
		else {
			add_err(errs, f->path, 1,
				"CSV of type \"%s\": not a receive or send "
				"connector",
				type);
			return -1;
		}
		pos = nl != NULL ? (size_t)(nl - b) + 1 : len;
		line = 2;
	}
	/* The header: the property names. */
	do {
		if (pos >= len && nhead == 0) {
			add_err(errs, f->path, line, "CSV without a header");
			goto out;
		}
		if ((t = csv_field(b, len, &pos, &line, &end, &bad)) == NULL) {
			if (bad)
				add_err(errs, f->path, line,
					"CSV: broken quoting in the header");
			else
				errs->nomem = 1;
			goto out;
		}
		if (nhead == caph) {
			if ((h = reallocarray(head, caph ? caph * 2 : 64,
					      sizeof(*h))) == NULL) {
				free(t);
				errs->nomem = 1;
				goto out;
			}
			head = h;
			caph = caph ? caph * 2 : 64;
		}
		head[nhead++] = t;
	} while (!end);
	if ((col = calloc(nhead, sizeof(*col))) == NULL) {
		errs->nomem = 1;
		goto out;
	}
	for (ncol = 0; ncol < nhead; ncol++)
		col[ncol] = prop_index(head[ncol], strlen(head[ncol]));
	while (pos < len) {
		/* A blank line is no record. */
		if (b[pos] == '\n' ||
		    (b[pos] == '\r' && pos + 1 < len && b[pos + 1] == '\n')) {
			pos += b[pos] == '\r' ? 2 : 1;
			line++;
			continue;
		}
		rline = line;
		rec_init(&r, rline);
		for (ncol = 0;; ncol++) {
			if ((t = csv_field(b, len, &pos, &line, &end, &bad)) ==
			    NULL) {
				rec_release(&r);
				if (bad)
					add_err(errs, f->path, rline,
						"CSV: broken quoting");
				else
					errs->nomem = 1;
				goto out;
			}
			if (ncol < nhead && (x = col[ncol]) != -1 &&
			    r.p[x].state == RV_ABSENT) {
				r.p[x].line = rline;
				if (is_list_field(x) && csv_type_name(t)) {
					/* certbind(1) import: left alone. */
					r.p[x].state = RV_UNREADABLE;
					free(t);
				} else if (*t == '\0' &&
					   conn_field_is_bool(x)) {
					r.p[x].state = RV_NIL;
					free(t);
				} else {
					r.p[x].state = RV_TEXT;
					r.p[x].text = t;
				}
			} else
				free(t);
			if (end)
				break;
		}
		nrec++;
		if (ncol + 1 != nhead) {
			add_err(errs, f->path, rline,
				"CSV: %zu fields where the header has %zu",
				ncol + 1, nhead);
			rec_release(&r);
			continue;
		}
		r.kind = kind != -1 ? kind : kind_by_props(&r);
		snprintf(r.what, sizeof(r.what),
			 "a row with neither or both of Bindings and "
			 "SmartHosts-like columns");
		x = rec_to_conn(f, &cap, &r, errs);
		rec_release(&r);
		if (x == -1) {
			errs->nomem = 1;
			goto out;
		}
	}
	if (nrec == 0)
		add_err(errs, f->path, 0, "no connectors in the export");
	rc = 0;
out:
	for (ncol = 0; ncol < nhead; ncol++)
		free(head[ncol]);
	free(head);
	free(col);
	return rc;
}

/* ------------------------------------------------------------------ read */

void
import_file_free(struct import_file *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		conn_release(&f->v[i]);
	free(f->v);
	free(f->path);
	free(f);
}

int
import_read_mem(const char *label, const unsigned char *buf, size_t len,
		struct import_file **out, struct import_errs *errs)
{
	struct import_file *f;
	struct clixml_err   cerr;
	char		   *u8 = NULL;
	size_t		    u8len = 0, i;
	size_t		    nerr = errs->n;
	int		    rc = -1;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(label)) == NULL) {
		free(f);
		errs->nomem = 1;
		return -1;
	}
	if (len > IMPORT_MAX_FILE) {
		add_err(errs, label, 0, "export too large (over %lu bytes)",
			IMPORT_MAX_FILE);
		goto out;
	}
	/*
	 * The decoder tells the format by the first character: '<' CLIXML,
	 * '[' or '{' JSON, else CSV ("#TYPE", a quoted or a bare name).
	 */
	if ((u8 = clixml_decode(buf, len,
				"<[{#\"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz",
				&u8len, &cerr)) == NULL) {
		if (cerr.nomem)
			errs->nomem = 1;
		else
			add_err(errs, label, cerr.line, "%s", cerr.msg);
		goto out;
	}
	for (i = 0; i < u8len && (u8[i] == ' ' || u8[i] == '\t' ||
				  u8[i] == '\r' || u8[i] == '\n');
	     i++)
		;
	if (i < u8len && u8[i] == '<') {
		f->format = IMPORT_CLIXML;
		rc = read_clixml(f, buf, len, errs);
	} else if (i < u8len && (u8[i] == '[' || u8[i] == '{')) {
		f->format = IMPORT_JSON;
		rc = read_json(f, u8, u8len, errs);
	} else if (i < u8len) {
		f->format = IMPORT_CSV;
		rc = read_csv(f, u8, u8len, errs);
	} else
		add_err(errs, label, 0, "empty export");
out:
	free(u8);
	if (rc == 0 && errs->n == nerr && !errs->nomem) {
		*out = f;
		return 0;
	}
	import_file_free(f);
	return -1;
}

int
import_read(const char *path, struct import_file **out,
	    struct import_errs *errs)
{
	struct stat    st;
	unsigned char *buf = NULL;
	size_t	       len = 0;
	ssize_t	       r;
	int	       fd, rc = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK)) == -1) {
		add_err(errs, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		add_err(errs, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		add_err(errs, path, 0, "not a regular file");
		goto out;
	}
	if ((unsigned long long)st.st_size > IMPORT_MAX_FILE) {
		add_err(errs, path, 0, "export too large (over %lu bytes)",
			IMPORT_MAX_FILE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		errs->nomem = 1;
		goto out;
	}
	/* Read to the end, but never past the bound. */
	while (len <= IMPORT_MAX_FILE) {
		r = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			add_err(errs, path, 0, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == (size_t)st.st_size + 1) {
			add_err(errs, path, 0, "the file grew while read");
			goto out;
		}
	}
	rc = import_read_mem(path, buf, len, out, errs);
out:
	free(buf);
	close(fd);
	return rc;
}

struct dref {
	const struct import_conn *c;
	const char		 *path;
	size_t			  seq; /* order in the exports */
};

static int
cmp_dref(const void *x, const void *y)
{
	const struct dref *a = x, *b = y;
	int		   r;

	if (a->c->kind != b->c->kind)
		return a->c->kind < b->c->kind ? -1 : 1;
	if ((r = fold_casecmp(a->c->identity, b->c->identity)) != 0)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t
import_check_duplicates(struct import_file *const *files, size_t n,
			struct import_errs *errs)
{
	struct dref *v;
	size_t	     total = 0, fi, i, k = 0, first = 0, found = 0;

	for (fi = 0; fi < n; fi++)
		total += files[fi]->n;
	if (total == 0)
		return 0;
	if ((v = calloc(total, sizeof(*v))) == NULL) {
		errs->nomem = 1;
		return 1;
	}
	for (fi = 0; fi < n; fi++)
		for (i = 0; i < files[fi]->n; i++, k++) {
			v[k].c = &files[fi]->v[i];
			v[k].path = files[fi]->path;
			v[k].seq = k;
		}
	/* Sorted, a repeat follows the first of its identity. */
	qsort(v, total, sizeof(*v), cmp_dref);
	for (k = 1; k < total; k++) {
		if (v[k].c->kind != v[first].c->kind ||
		    fold_casecmp(v[k].c->identity, v[first].c->identity) != 0) {
			first = k;
			continue;
		}
		add_err(errs, v[k].path, v[k].c->line,
			"duplicate identity \"%s\" (also at %s:%ld)",
			v[k].c->identity, v[first].path, v[first].c->line);
		found++;
	}
	free(v);
	return found;
}
