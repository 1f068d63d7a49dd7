#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "output.h"
#include "safe.h"

enum ov_type { OV_NULL, OV_BOOL, OV_INT, OV_STR, OV_ARRAY, OV_OBJECT };

struct ov {
	enum ov_type type;
	int	     b;
	long long    i;
	char	    *s; /* OV_STR: slen bytes and a NUL */
	size_t	     slen;
	const char **keys; /* OV_OBJECT: names, not copied */
	struct ov  **kids; /* members or elements */
	size_t	     n, cap, keycap;
	size_t	     refs; /* references besides the first (ov_share) */
};

/* A table: escaped cells, row after row, and the width of each column. */
struct tbl {
	char  **keys;  /* member names, copied */
	char  **names; /* the same, escaped for printing */
	size_t	ncols;
	size_t *widths;
	char  **cells;
	size_t	nrows, rowcap;
};

struct out {
	FILE	       *fp;
	enum out_format fmt;
	int		have_cols; /* table: columns fixed */
	struct tbl	tbl;
	size_t		nitems;
	int		value;	 /* out_value was called */
	int		printed; /* list: an object was printed */
	int		err;	 /* a write or an allocation failed */
};

static struct ov *
ov_new(enum ov_type type)
{
	struct ov *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->type = type;
	return v;
}

struct ov *
ov_new_object(void)
{
	return ov_new(OV_OBJECT);
}

struct ov *
ov_new_array(void)
{
	return ov_new(OV_ARRAY);
}

void
ov_free(struct ov *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->refs > 0) {
		v->refs--;
		return;
	}
	for (i = 0; i < v->n; i++)
		ov_free(v->kids[i]);
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

struct ov *
ov_share(struct ov *v)
{
	if (v != NULL)
		v->refs++;
	return v;
}

static struct ov *
ov_new_str(const char *s, size_t len)
{
	struct ov *v;

	if (s == NULL)
		return ov_new(OV_NULL);
	if ((v = ov_new(OV_STR)) == NULL)
		return NULL;
	if ((v->s = mem_dup(s, len)) == NULL) {
		free(v);
		return NULL;
	}
	v->slen = len;
	return v;
}

/* Appends child (and key, for an object) to v; frees child on failure. */
static int
ov_append(struct ov *v, enum ov_type type, const char *key, struct ov *child)
{
	if (v == NULL || v->type != type || child == NULL ||
	    (type == OV_OBJECT && key == NULL))
		goto fail;
	if (mem_grow(&v->kids, &v->cap, v->n + 1, sizeof(*v->kids)) == -1 ||
	    (type == OV_OBJECT &&
	     mem_grow(&v->keys, &v->keycap, v->n + 1, sizeof(*v->keys)) == -1))
		goto fail;
	if (type == OV_OBJECT)
		v->keys[v->n] = key;
	v->kids[v->n++] = child;
	return 0;
fail:
	ov_free(child);
	return -1;
}

int
ov_add(struct ov *obj, const char *key, struct ov *child)
{
	return ov_append(obj, OV_OBJECT, key, child);
}

int
ov_push(struct ov *arr, struct ov *child)
{
	return ov_append(arr, OV_ARRAY, NULL, child);
}

int
ov_add_str(struct ov *obj, const char *key, const char *s, size_t len)
{
	return ov_add(obj, key, ov_new_str(s, len));
}

int
ov_add_cstr(struct ov *obj, const char *key, const char *s)
{
	return ov_add(obj, key, ov_new_str(s, s == NULL ? 0 : strlen(s)));
}

int
ov_add_bool(struct ov *obj, const char *key, int b)
{
	struct ov *v;

	if ((v = ov_new(OV_BOOL)) != NULL)
		v->b = b != 0;
	return ov_add(obj, key, v);
}

int
ov_add_int(struct ov *obj, const char *key, long long i)
{
	struct ov *v;

	if ((v = ov_new(OV_INT)) != NULL)
		v->i = i;
	return ov_add(obj, key, v);
}

int
ov_add_null(struct ov *obj, const char *key)
{
	return ov_add(obj, key, ov_new(OV_NULL));
}

int
ov_push_str(struct ov *arr, const char *s, size_t len)
{
	return ov_push(arr, ov_new_str(s, len));
}

/* The first member of obj named key, or NULL. */
static const struct ov *
ov_get(const struct ov *obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->kids[i];
	return NULL;
}

/* A non-empty array of objects: a table inside a list. */
static int
ov_is_table(const struct ov *v)
{
	size_t i;

	if (v->type != OV_ARRAY || v->n == 0)
		return 0;
	for (i = 0; i < v->n; i++)
		if (v->kids[i]->type != OV_OBJECT)
			return 0;
	return 1;
}

/*
 * Writes the one-line form of v used in table cells and list values:
 * strings escaped by safe.h, True/False, decimal integers, null as
 * nothing, arrays as {a, b}, objects as {Key=value; Key2=value}.
 * Returns 0, or -1 for a value of no known type; a write error is
 * left in fp.
 */
static int
put_inline(FILE *fp, const struct ov *v)
{
	size_t i;

	switch (v->type) {
	case OV_NULL:
		return 0;
	case OV_BOOL:
		fputs(v->b ? "True" : "False", fp);
		return 0;
	case OV_INT:
		fprintf(fp, "%lld", v->i);
		return 0;
	case OV_STR:
		safe_fputs(v->s, v->slen, fp);
		return 0;
	case OV_ARRAY:
	case OV_OBJECT:
		fputc('{', fp);
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				fputs(v->type == OV_ARRAY ? ", " : "; ", fp);
			if (v->type == OV_OBJECT) {
				safe_fputs(v->keys[i], strlen(v->keys[i]), fp);
				fputc('=', fp);
			}
			if (put_inline(fp, v->kids[i]) == -1)
				return -1;
		}
		fputc('}', fp);
		return 0;
	default:
		return -1;
	}
}

/* v's one-line form as a new string (caller frees), or NULL. */
static char *
inline_str(const struct ov *v)
{
	FILE  *fp;
	char  *p = NULL;
	size_t len;
	int    bad;

	/*
	 * The common cells without a stream: opening one costs glibc a
	 * zeroed buffer, which was a sixth of bind's time on 10,000
	 * connectors.
	 */
	if (v == NULL || v->type == OV_NULL)
		return strdup("");
	if (v->type == OV_BOOL)
		return strdup(v->b ? "True" : "False");
	if (v->type == OV_STR)
		return safe_escape(v->s, v->slen, NULL);
	if ((fp = open_memstream(&p, &len)) == NULL)
		return NULL;
	bad = put_inline(fp, v) == -1 || ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(p);
		return NULL;
	}
	return p;
}

/* Display width of escaped (so valid UTF-8) text: its code points. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/*
 * Every byte goes through here, a few at a time: fwrite_unlocked (glibc)
 * skips taking the stream's lock at each call, which was a tenth of a
 * large listing.  certbind writes its output from one thread.
 */
static void
w_bytes(struct out *o, const char *s, size_t len)
{
	if (len > 0 && fwrite_unlocked(s, 1, len, o->fp) != len)
		o->err = 1;
}

static void
w_str(struct out *o, const char *s)
{
	w_bytes(o, s, strlen(s));
}

static void
w_spaces(struct out *o, size_t n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		w_bytes(o, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
		n -= n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;
	}
}

static void
tbl_release(struct tbl *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (i = 0; i < t->ncols; i++) {
		free(t->keys[i]);
		free(t->names[i]);
	}
	free(t->cells);
	free(t->keys);
	free(t->names);
	free(t->widths);
	memset(t, 0, sizeof(*t));
}

/*
 * A table with the given column names (copied).  Returns 0, or -1 when
 * memory ran out (t is then released).
 */
static int
tbl_init(struct tbl *t, const char *const *names, size_t ncols)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((t->keys = calloc(ncols + 1, sizeof(*t->keys))) == NULL ||
	    (t->names = calloc(ncols + 1, sizeof(*t->names))) == NULL ||
	    (t->widths = calloc(ncols + 1, sizeof(*t->widths))) == NULL)
		goto fail;
	for (i = 0; i < ncols; i++) {
		t->keys[i] = strdup(names[i]);
		t->names[i] =
		    safe_escape(names[i], strlen(names[i]), &t->widths[i]);
		t->ncols++;
		if (t->keys[i] == NULL || t->names[i] == NULL)
			goto fail;
	}
	return 0;
fail:
	tbl_release(t);
	return -1;
}

/* Adds the row of obj's members named by the columns.  0 or -1. */
static int
tbl_add_row(struct tbl *t, const struct ov *obj)
{
	char **row;
	size_t c, w;

	if (t->ncols == 0)
		return 0;
	/* A row is an element: ncols cells. */
	if (mem_grow(&t->cells, &t->rowcap, t->nrows + 1,
		     t->ncols * sizeof(*t->cells)) == -1)
		return -1;
	row = t->cells + t->nrows * t->ncols;
	for (c = 0; c < t->ncols; c++) {
		if ((row[c] = inline_str(ov_get(obj, t->keys[c]))) == NULL) {
			while (c-- > 0)
				free(row[c]);
			return -1;
		}
	}
	for (c = 0; c < t->ncols; c++)
		if ((w = width(row[c])) > t->widths[c])
			t->widths[c] = w;
	t->nrows++;
	return 0;
}

/*
 * One line of a table: cells padded to the column widths, two spaces
 * apart.  Padding is written only before a non-empty cell, so no line
 * ends in white space.
 */
static void
tbl_line(struct out *o, const struct tbl *t, char *const *cells,
	 const char *indent)
{
	size_t c, pad = 0;

	w_str(o, indent);
	for (c = 0; c < t->ncols; c++) {
		if (cells[c][0] != '\0') {
			w_spaces(o, pad);
			w_str(o, cells[c]);
			pad = 0;
		}
		pad += t->widths[c] - width(cells[c]) + 2;
	}
	w_str(o, "\n");
}

/* Header, dashes as long as each header, then the rows; nothing if empty. */
static void
tbl_print(struct out *o, const struct tbl *t, const char *indent)
{
	char **dashes;
	size_t c, r, w;

	if (t->nrows == 0 || t->ncols == 0)
		return;
	if ((dashes = calloc(t->ncols, sizeof(*dashes))) == NULL) {
		o->err = 1;
		return;
	}
	for (c = 0; c < t->ncols; c++) {
		w = width(t->names[c]);
		if ((dashes[c] = malloc(w + 1)) == NULL) {
			o->err = 1;
			goto out;
		}
		memset(dashes[c], '-', w);
		dashes[c][w] = '\0';
	}
	tbl_line(o, t, t->names, indent);
	tbl_line(o, t, dashes, indent);
	for (r = 0; r < t->nrows; r++)
		tbl_line(o, t, t->cells + r * t->ncols, indent);
out:
	for (c = 0; c < t->ncols; c++)
		free(dashes[c]);
	free(dashes);
}

/*
 * An array of objects inside a list: a table indented by two spaces
 * whose columns are the members of its elements, in order of first
 * appearance.
 */
static void
list_table(struct out *o, const struct ov *arr)
{
	struct tbl   t;
	const char **keys;
	size_t	     nkeys = 0, cap = 0, e, m, k;

	for (e = 0; e < arr->n; e++)
		cap += arr->kids[e]->n;
	if ((keys = calloc(cap + 1, sizeof(*keys))) == NULL) {
		o->err = 1;
		return;
	}
	for (e = 0; e < arr->n; e++) {
		for (m = 0; m < arr->kids[e]->n; m++) {
			for (k = 0; k < nkeys; k++)
				if (strcmp(keys[k], arr->kids[e]->keys[m]) == 0)
					break;
			if (k == nkeys)
				keys[nkeys++] = arr->kids[e]->keys[m];
		}
	}
	if (tbl_init(&t, keys, nkeys) == -1) {
		o->err = 1;
		goto out;
	}
	for (e = 0; e < arr->n; e++)
		if (tbl_add_row(&t, arr->kids[e]) == -1) {
			o->err = 1;
			break;
		}
	if (!o->err)
		tbl_print(o, &t, "  ");
	tbl_release(&t);
out:
	free(keys);
}

/*
 * Format-List: "Name : value" for every member that is not an array of
 * objects, names padded to the longest; then each array of objects as
 * an indented table, after a blank line.  Objects are separated by one
 * blank line; an object with no members prints nothing.
 */
static void
list_object(struct out *o, const struct ov *obj)
{
	const struct ov *v;
	char		*k;
	size_t		 i, namew = 0, w;
	int		 lines = 0;

	if (obj->n == 0)
		return;
	for (i = 0; i < obj->n; i++) {
		if (ov_is_table(obj->kids[i]))
			continue;
		if ((k = safe_escape(obj->keys[i], strlen(obj->keys[i]), &w)) ==
		    NULL)
			o->err = 1;
		free(k);
		if (w > namew)
			namew = w;
	}
	if (o->printed)
		w_str(o, "\n");
	o->printed = 1;
	for (i = 0; i < obj->n; i++) {
		if (ov_is_table(obj->kids[i]))
			continue;
		v = obj->kids[i];
		if ((k = safe_escape(obj->keys[i], strlen(obj->keys[i]),
				     NULL)) == NULL) {
			o->err = 1;
		} else {
			w_str(o, k);
			w_spaces(o, namew - width(k));
			w_str(o, " :");
			/* Only null and "" have an empty inline form. */
			if (v->type != OV_NULL &&
			    (v->type != OV_STR || v->slen > 0)) {
				w_str(o, " ");
				if (put_inline(o->fp, v) == -1)
					o->err = 1;
			}
			w_str(o, "\n");
		}
		free(k);
		lines++;
	}
	for (i = 0; i < obj->n; i++) {
		if (!ov_is_table(obj->kids[i]))
			continue;
		if (lines++ > 0)
			w_str(o, "\n");
		list_table(o, obj->kids[i]);
	}
}

/*
 * Length of the ill-formed sequence at s (n > 0 bytes) that one U+FFFD
 * replaces: its maximal subpart (Unicode §3.9, "U+FFFD Substitution of
 * Maximal Subparts"), as Python, browsers and ICU do, so decoders agree
 * with us on the text.
 */
static size_t
utf8_bad_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t	      need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 1;
	for (i = 1; i <= need && i < n && s[i] >= lo && s[i] <= hi; i++) {
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

/*
 * A JSON string (RFC 8259 §7).  Beyond what the RFC requires, DEL, C1
 * controls, U+2028/U+2029 (line breaks to JavaScript) and the bidi
 * overrides are written as \u escapes, so a document shown on a
 * terminal cannot drive it; invalid UTF-8 becomes U+FFFD.
 */
static void
json_str(struct out *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, run = 0, n;
	char		     esc[16];

	w_str(o, "\"");
	while (i < len) {
		if ((n = safe_utf8_next(p + i, len - i, &cp)) == 0) {
			w_bytes(o, s + run, i - run);
			w_str(o, "\xEF\xBF\xBD");
			i += utf8_bad_len(p + i, len - i);
			run = i;
			continue;
		}
		if (cp >= 0x20 && cp != '"' && cp != '\\' && cp != 0x7f &&
		    !(cp >= 0x80 && cp <= 0x9f) && cp != 0x2028 &&
		    cp != 0x2029 && !(cp >= 0x202a && cp <= 0x202e) &&
		    !(cp >= 0x2066 && cp <= 0x2069)) {
			i += n;
			continue;
		}
		w_bytes(o, s + run, i - run);
		switch (cp) {
		case '"':
			w_str(o, "\\\"");
			break;
		case '\\':
			w_str(o, "\\\\");
			break;
		case '\b':
			w_str(o, "\\b");
			break;
		case '\f':
			w_str(o, "\\f");
			break;
		case '\n':
			w_str(o, "\\n");
			break;
		case '\r':
			w_str(o, "\\r");
			break;
		case '\t':
			w_str(o, "\\t");
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04lx", cp);
			w_str(o, esc);
			break;
		}
		i += n;
		run = i;
	}
	w_bytes(o, s + run, i - run);
	w_str(o, "\"");
}

/* v at nesting level (two spaces each), without a final newline. */
static void
json_value(struct out *o, const struct ov *v, size_t level)
{
	char   num[32];
	size_t i;

	switch (v->type) {
	case OV_NULL:
		w_str(o, "null");
		break;
	case OV_BOOL:
		w_str(o, v->b ? "true" : "false");
		break;
	case OV_INT:
		snprintf(num, sizeof(num), "%lld", v->i);
		w_str(o, num);
		break;
	case OV_STR:
		json_str(o, v->s, v->slen);
		break;
	case OV_ARRAY:
	case OV_OBJECT:
		w_str(o, v->type == OV_ARRAY ? "[" : "{");
		for (i = 0; i < v->n; i++) {
			w_str(o, i == 0 ? "\n" : ",\n");
			w_spaces(o, 2 * (level + 1));
			if (v->type == OV_OBJECT) {
				json_str(o, v->keys[i], strlen(v->keys[i]));
				w_str(o, ": ");
			}
			json_value(o, v->kids[i], level + 1);
		}
		if (v->n > 0) {
			w_str(o, "\n");
			w_spaces(o, 2 * level);
		}
		w_str(o, v->type == OV_ARRAY ? "]" : "}");
		break;
	default:
		o->err = 1;
		break;
	}
}

struct out *
out_open(FILE *fp, enum out_format fmt, const char *const *columns)
{
	struct out *o;
	size_t	    n = 0;

	if (fmt != OUT_TABLE && fmt != OUT_LIST && fmt != OUT_JSON) {
		errno = EINVAL;
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->fp = fp;
	o->fmt = fmt;
	if (fmt == OUT_TABLE && columns != NULL) {
		while (columns[n] != NULL)
			n++;
		if (tbl_init(&o->tbl, columns, n) == -1) {
			free(o);
			return NULL;
		}
		o->have_cols = 1;
	}
	return o;
}

/* A table row: the columns are obj's members when none were given. */
static void
table_row(struct out *o, const struct ov *obj)
{
	if (!o->have_cols) {
		if (tbl_init(&o->tbl, obj->keys, obj->n) == -1) {
			o->err = 1;
			return;
		}
		o->have_cols = 1;
	}
	if (tbl_add_row(&o->tbl, obj) == -1)
		o->err = 1;
}

static int
emit(struct out *o, const struct ov *obj, int as_value)
{
	if (o == NULL || obj == NULL || obj->type != OV_OBJECT || o->value ||
	    (as_value && o->nitems > 0)) {
		errno = EINVAL;
		return -1;
	}
	switch (o->fmt) {
	case OUT_TABLE:
		table_row(o, obj);
		break;
	case OUT_LIST:
		list_object(o, obj);
		break;
	case OUT_JSON:
		if (as_value) {
			json_value(o, obj, 0);
			w_str(o, "\n");
		} else {
			w_str(o, o->nitems == 0 ? "[\n  " : ",\n  ");
			json_value(o, obj, 1);
		}
		break;
	default:
		o->err = 1;
		break;
	}
	if (as_value)
		o->value = 1;
	else
		o->nitems++;
	return o->err ? -1 : 0;
}

int
out_item(struct out *o, const struct ov *obj)
{
	return emit(o, obj, 0);
}

int
out_value(struct out *o, const struct ov *obj)
{
	return emit(o, obj, 1);
}

int
out_close(struct out *o)
{
	int rc = -1;

	if (o == NULL)
		return 0;
	if (o->fmt == OUT_TABLE)
		tbl_print(o, &o->tbl, "");
	else if (o->fmt == OUT_JSON && !o->value)
		w_str(o, o->nitems == 0 ? "[]\n" : "\n]\n");
	if (fflush(o->fp) != 0 || ferror(o->fp))
		o->err = 1;
	if (!o->err)
		rc = 0;
	tbl_release(&o->tbl);
	free(o);
	return rc;
}

int
out_json_stopped(FILE *fp, const char *result)
{
	struct out *o = NULL;
	struct ov  *doc;
	int	    rc = -1;

	if ((doc = ov_new_object()) == NULL)
		return -1;
	if (result != NULL && (ov_add_cstr(doc, "Result", result) == -1 ||
			       ov_add(doc, "Connectors", ov_new_array()) == -1))
		goto out;
	if ((o = out_open(fp, OUT_JSON, NULL)) == NULL ||
	    out_value(o, doc) == -1)
		goto out;
	rc = 0;
out:
	if (out_close(o) == -1)
		rc = -1;
	ov_free(doc);
	return rc;
}
