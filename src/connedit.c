/*
 * connedit: byte-exact edits of the connector configuration
 * (certbind-connectors(5), REWRITING).  libxml2 gives no byte offsets,
 * so a small scanner walks the original bytes (already proven
 * well-formed by the load) to find where each connector and each field
 * lies, and new values are spliced into the bytes: everything certbind
 * does not set stays byte for byte.  The result is loaded again and
 * must say what was meant.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "conn_int.h"
#include "connectors.h"
#include "safe.h"

static const char *const field_names[NFIELDS] = {"Fqdn", "TlsCertificateName",
						 "AdvertiseClientSettings"};

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

/* Is the tag name (name, nlen) lit? */
static int
elem_is(const char *name, size_t nlen, const char *lit)
{
	return strlen(lit) == nlen && memcmp(name, lit, nlen) == 0;
}

/*
 * Walks the tags of a document libxml2 has accepted and fills in where
 * each connector and each of its fields lies.  Only depth is tracked:
 * well-formedness is already proven.  Returns 0, or -1 when what it
 * finds disagrees with the tree (then the bytes are not edited).
 */
int
conn_scan(const char *b, size_t len, struct conn_file *cf,
	  struct conn_span *spans)
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
				if (!conn_is_ws(b[pos]))
					ws_text = 0;
			pos = nend;
		} else if (conn_starts(b, len, pos, "<!--"))
			pos = conn_skip_past(b, len, pos + 4, "-->");
		else if (conn_starts(b, len, pos, "<![CDATA["))
			pos = conn_skip_past(b, len, pos + 9, "]]>");
		else if (conn_starts(b, len, pos, "<?"))
			pos = conn_skip_past(b, len, pos + 2, "?>");
		else if (conn_starts(b, len, pos, "<!"))
			return -1;
		else if (conn_starts(b, len, pos, "</")) {
			pos = conn_skip_past(b, len, pos, ">");
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
			while (nend < len && !conn_is_ws(b[nend]) &&
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
				if (ci >= cf->n || empty ||
				    !elem_is(b + tag + 1, nend - tag - 1,
					     cf->v[ci].kind == CONN_SEND
						 ? "SendConnector"
						 : "ReceiveConnector"))
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
				for (w = tag; w > 0 && conn_is_ws(b[w - 1]);
				     w--)
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
	unsigned long	     c;
	size_t		     i = 0, len = strlen(s), n;

	while (i < len) {
		if ((n = safe_utf8_next(p + i, len - i, &c)) == 0)
			return 0;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0xfffe || c == 0xffff)
			return 0;
		i += n;
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
		while (t > fs->tag && conn_is_ws(b[t - 1]))
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
		if (a->kind != b->kind ||
		    strcmp(a->identity, b->identity) != 0 ||
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
	conn_errs_init(errs, cf->path);
	memset(&rerrs, 0, sizeof(rerrs));
	if (errs->file == NULL)
		goto out;
	if (cf->n > 0 && (sv = calloc(cf->n * NFIELDS, sizeof(*sv))) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	for (i = 0; edits != NULL && i < cf->n; i++) {
		e = &edits[i];
		if (cf->v[i].kind == CONN_SEND && e->advertise != CONN_UNSET) {
			/* certbind-connectors(5): never written there. */
			conn_errs_add(errs, cf->v[i].line,
				      "%s: Set-SendConnector has no "
				      "AdvertiseClientSettings; it is not "
				      "written to a send connector",
				      cf->v[i].identity);
			continue;
		}
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
				conn_errs_add(errs, cf->v[i].line,
					      "%s: %s value is "
					      "not printable UTF-8",
					      cf->v[i].identity,
					      field_names[fi]);
				continue;
			}
			sv[ns].order = ns;
			if ((sv[ns].text = splice_text(cf, cf->v[i].span, fi,
						       val, &sv[ns])) == NULL) {
				conn_errs_add(errs, 0, "out of memory");
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
		conn_errs_add(errs, 0, "out of memory");
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
	conn_errs_init(&rerrs, cf->path);
	if (rerrs.file == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	len = i;
	if (conn_load_owned(cf->path, nb, len, LOAD_NO_SPANS | LOAD_NO_SCHEMA,
			    &nf, &rerrs) == -1) {
		nb = NULL; /* freed by conn_load_owned */
		conn_errs_add(errs, 0,
			      "internal error: the edited file does not "
			      "load: %s",
			      rerrs.n > 0 ? rerrs.v[0].msg : "?");
		goto out;
	}
	nb = nf->buf;
	nf->buf = NULL;
	if (check_result(cf, nf, edits) == -1) {
		conn_errs_add(errs, 0,
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
