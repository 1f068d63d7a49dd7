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

static const char *const field_names[NFIELDS] = {"Fqdn",
						 "TlsCertificateName",
						 "AdvertiseClientSettings",
						 "TransportRole",
						 "AuthMechanism",
						 "Bindings",
						 "TlsDomainCapabilities",
						 "CloudServicesMailEnabled",
						 "TlsDomain",
						 "TlsAuthLevel",
						 "RequireTLS",
						 "SmartHosts",
						 "AddressSpaces",
						 "SourceTransportServers",
						 "Enabled"};

/* certbind-connectors(5): which kinds hold which fields. */
static const unsigned char field_kinds[NFIELDS] = {3, 3, 1, 1, 1, 1, 1, 2,
						   2, 2, 2, 2, 2, 2, 2};

const char *
conn_field_name(enum conn_field f)
{
	return (unsigned int)f < NFIELDS ? field_names[f] : "?";
}

int
conn_field_of_kind(enum conn_field f, int kind)
{
	return (unsigned int)f < NFIELDS &&
	       (kind == CONN_RECEIVE || kind == CONN_SEND) &&
	       (field_kinds[f] & (1U << kind)) != 0;
}

int
conn_field_is_bool(enum conn_field f)
{
	return f == CONN_ADVERTISE || f == CONN_CLOUD || f == CONN_REQUIRETLS ||
	       f == CONN_ENABLED;
}

static const char *
bool_text(int b)
{
	if (b == CONN_UNSET)
		return NULL;
	return b ? "true" : "false";
}

const char *
conn_field_value(const struct conn *c, enum conn_field f)
{
	switch (f) {
	case CONN_FQDN:
		return c->fqdn;
	case CONN_TLSNAME:
		return c->tls_name;
	case CONN_ADVERTISE:
		return bool_text(c->advertise);
	case CONN_ROLE:
		return c->role;
	case CONN_AUTH:
		return c->auth;
	case CONN_BINDINGS:
		return c->bindings;
	case CONN_TLSDOMAINCAPS:
		return c->tls_domain_caps;
	case CONN_CLOUD:
		return bool_text(c->cloud);
	case CONN_TLSDOMAIN:
		return c->tls_domain;
	case CONN_TLSAUTHLEVEL:
		return c->tls_auth_level;
	case CONN_REQUIRETLS:
		return bool_text(c->require_tls);
	case CONN_SMARTHOSTS:
		return c->smart_hosts;
	case CONN_ADDRESSSPACES:
		return c->address_spaces;
	case CONN_SOURCESERVERS:
		return c->source_servers;
	case CONN_ENABLED:
		return bool_text(c->enabled);
	default:
		return NULL;
	}
}

int
conn_root_is_receive(const struct conn_file *cf)
{
	return cf->root_receive;
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
			if (depth == 1) {
				cf->root_tag = tag;
				cf->root_tagend = pos;
				cf->root_insert = pos;
				cf->root_empty = empty;
				cf->root_receive =
				    elem_is(b + tag + 1, nend - tag - 1,
					    "ReceiveConnectors");
			} else if (depth == 2) {
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
				/* Another kind's field is a foreign element. */
				if (fi != -1 && conn_field_of_kind(
						    fi, cf->v[ci - 1].kind)) {
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
		if (depth >= 1 && !ws_text)
			cf->root_insert = pos;
	}
	if (ci != cf->n || depth != 0)
		return -1;
	for (i = 0; i < cf->n; i++)
		for (fi = 0; fi < NFIELDS; fi++)
			if ((conn_field_value(&cf->v[i], fi) != NULL) !=
			    spans[i].f[fi].present)
				return -1;
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
 * The content written for field fi: the value escaped by libxml2, or
 * for Bindings one <Binding> per ", "-separated value.  A malloc'd
 * string or NULL.
 */
static char *
field_content(int fi, const char *value)
{
	FILE	   *fp;
	xmlChar	   *esc;
	char	   *s = NULL, *one;
	const char *p, *comma;
	size_t	    len;
	int	    bad = 0;

	if (fi != CONN_BINDINGS || *value == '\0') {
		if ((esc = xmlEncodeSpecialChars(NULL, BAD_CAST value)) == NULL)
			return NULL;
		s = strdup((const char *)esc);
		xmlFree(esc);
		return s;
	}
	if ((fp = open_memstream(&s, &len)) == NULL)
		return NULL;
	for (p = value;; p = comma + 2) {
		comma = strstr(p, ", ");
		if ((one = strndup(p, comma != NULL ? (size_t)(comma - p)
						    : strlen(p))) == NULL ||
		    (esc = xmlEncodeSpecialChars(NULL, BAD_CAST one)) == NULL) {
			free(one);
			bad = 1;
			break;
		}
		fprintf(fp, "<Binding>%s</Binding>", (const char *)esc);
		xmlFree(esc);
		free(one);
		if (comma == NULL)
			break;
	}
	bad |= ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * The white space that separates a connector's children (sp), or a
 * connector from its root (before, the '<' of the connector), from the
 * last line break on: blank lines are not copied.  Sets *sep, *seplen.
 */
static void
copy_sep(const char *b, size_t ws_start, size_t ws_end, const char **sep,
	 size_t *seplen)
{
	size_t t;

	for (t = ws_end; t > ws_start && b[t - 1] != '\n'; t--)
		;
	if (t > ws_start) {
		t--;
		if (t > ws_start && b[t - 1] == '\r')
			t--;
	}
	*sep = b + t;
	*seplen = ws_end - t;
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
	char			*esc, *text = NULL;
	size_t			 seplen = 5, t;
	int			 r;

	if ((esc = field_content(fi, value)) == NULL)
		return NULL;
	if (fs->present && !fs->empty) {
		out->start = fs->tagend;
		out->end = fs->cend;
		text = esc;
		esc = NULL;
	} else if (fs->present) {
		/* "<X a='1' />": keep the tag up to its last attribute. */
		t = fs->tagend - 2;
		while (t > fs->tag && conn_is_ws(b[t - 1]))
			t--;
		out->start = fs->tag;
		out->end = fs->tagend;
		r = asprintf(&text, "%.*s>%s</%s>", (int)(t - fs->tag),
			     b + fs->tag, esc, name);
		if (r == -1)
			text = NULL;
	} else {
		if (sp->nchild > 0)
			copy_sep(b, sp->sep_start, sp->sep_end, &sep, &seplen);
		out->start = out->end = sp->insert;
		r = asprintf(&text, "%.*s<%s>%s</%s>", (int)seplen, sep, name,
			     esc, name);
		if (r == -1)
			text = NULL;
	}
	free(esc);
	return text;
}

/*
 * A new connector's text, indented like the file's first connector and
 * its children: a malloc'd string, or NULL (memory).
 */
static char *
new_conn_text(const struct conn_file *cf, const struct conn_new *a)
{
	const char *cind = "\n  ", *chind = "\n    ", *elem, *v;
	size_t	    clen = 3, chlen = 5, w;
	FILE	   *fp;
	char	   *s = NULL, *esc;
	size_t	    len;
	int	    fi, bad = 0;

	if (cf->n > 0) {
		for (w = cf->v[0].span->start;
		     w > 0 && conn_is_ws(cf->buf[w - 1]); w--)
			;
		copy_sep(cf->buf, w, cf->v[0].span->start, &cind, &clen);
		if (cf->v[0].span->nchild > 0)
			copy_sep(cf->buf, cf->v[0].span->sep_start,
				 cf->v[0].span->sep_end, &chind, &chlen);
	}
	elem = a->kind == CONN_SEND ? "SendConnector" : "ReceiveConnector";
	if ((fp = open_memstream(&s, &len)) == NULL)
		return NULL;
	fprintf(fp, "%.*s<%s>", (int)clen, cind, elem);
	if (a->server != NULL) {
		if ((esc = field_content(-1, a->server)) == NULL)
			bad = 1;
		else
			fprintf(fp, "%.*s<Server>%s</Server>", (int)chlen,
				chind, esc);
		free(esc);
	}
	if ((esc = field_content(-1, a->name)) == NULL)
		bad = 1;
	else
		fprintf(fp, "%.*s<Name>%s</Name>", (int)chlen, chind, esc);
	free(esc);
	for (fi = 0; fi < NFIELDS; fi++) {
		if ((v = a->set.v[fi]) == NULL)
			continue;
		if ((esc = field_content(fi, v)) == NULL) {
			bad = 1;
			continue;
		}
		fprintf(fp, "%.*s<%s>%s</%s>", (int)chlen, chind,
			field_names[fi], esc, field_names[fi]);
		free(esc);
	}
	fprintf(fp, "%.*s</%s>", (int)clen, cind, elem);
	bad |= ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(s);
		return NULL;
	}
	return s;
}

/* Are two values (NULL: absent) the same? */
static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether the reloaded file says what was meant; 0 when it does. */
static int
check_result(const struct conn_file *old, const struct conn_file *nf,
	     const struct conn_set *sets, const struct conn_new *adds,
	     size_t nadds)
{
	const struct conn *a, *b;
	const char	  *want;
	size_t		   i;
	int		   fi;

	if (nf->n != old->n + nadds)
		return -1;
	for (i = 0; i < old->n; i++) {
		a = &old->v[i];
		b = &nf->v[i];
		if (a->kind != b->kind || strcmp(a->identity, b->identity) != 0)
			return -1;
		for (fi = 0; fi < NFIELDS; fi++) {
			want = sets != NULL && sets[i].v[fi] != NULL
				   ? sets[i].v[fi]
				   : conn_field_value(a, fi);
			if (!same(want, conn_field_value(b, fi)))
				return -1;
		}
	}
	for (i = 0; i < nadds; i++) {
		b = &nf->v[old->n + i];
		if (b->kind != adds[i].kind || !same(b->name, adds[i].name) ||
		    !same(b->server, adds[i].server))
			return -1;
		for (fi = 0; fi < NFIELDS; fi++)
			if (!same(adds[i].set.v[fi], conn_field_value(b, fi)))
				return -1;
	}
	return 0;
}

/*
 * The work of conn_apply and conn_merge.  schema: reload with the
 * schema (new elements were written).
 */
static int
merge(const struct conn_file *cf, const struct conn_set *sets,
      const struct conn_new *adds, size_t nadds, int schema, char **out,
      size_t *outlen, struct conn_errs *errs)
{
	struct conn_errs  rerrs;
	struct conn_file *nf = NULL;
	struct splice	 *sv = NULL;
	const char	 *val, *cur, *root;
	char		 *nb = NULL, *t, *s;
	FILE		 *fp;
	size_t		  ns = 0, i, j, pos, total, len, nsv;
	int		  fi, rc = -1, kind, bad = 0;

	*out = NULL;
	*outlen = 0;
	conn_errs_init(errs, cf->path);
	memset(&rerrs, 0, sizeof(rerrs));
	if (errs->file == NULL)
		goto out;
	nsv = cf->n * NFIELDS + (nadds > 0 ? 1 : 0);
	if (nsv > 0 && (sv = calloc(nsv, sizeof(*sv))) == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	for (i = 0; sets != NULL && i < cf->n; i++) {
		for (fi = 0; fi < NFIELDS; fi++) {
			if ((val = sets[i].v[fi]) == NULL)
				continue;
			cur = conn_field_value(&cf->v[i], fi);
			if (cur != NULL && strcmp(cur, val) == 0)
				continue;
			if (!conn_field_of_kind(fi, cf->v[i].kind)) {
				/* certbind-connectors(5): never written. */
				conn_errs_add(errs, cf->v[i].line,
					      "%s: a %s connector has no %s; "
					      "it is not written there",
					      cf->v[i].identity,
					      cf->v[i].kind == CONN_SEND
						  ? "send"
						  : "receive",
					      field_names[fi]);
				continue;
			}
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
	for (i = 0; i < nadds; i++) {
		kind = adds[i].kind;
		if (kind == CONN_SEND && cf->root_receive)
			conn_errs_add(errs, 1,
				      "%s: a send connector cannot go into a "
				      "<ReceiveConnectors> root; rename the "
				      "root element to <Connectors>",
				      adds[i].name);
		if (!value_ok(adds[i].name) ||
		    (adds[i].server != NULL && !value_ok(adds[i].server)))
			conn_errs_add(errs, 0,
				      "a new connector's Name or Server is not "
				      "printable UTF-8");
		for (fi = 0; fi < NFIELDS; fi++) {
			if ((val = adds[i].set.v[fi]) == NULL)
				continue;
			if (!conn_field_of_kind(fi, kind))
				conn_errs_add(
				    errs, 0, "%s: a %s connector has no %s",
				    adds[i].name,
				    kind == CONN_SEND ? "send" : "receive",
				    field_names[fi]);
			else if (!value_ok(val))
				conn_errs_add(errs, 0,
					      "%s: %s value is not printable "
					      "UTF-8",
					      adds[i].name, field_names[fi]);
		}
	}
	if (errs->n > 0)
		goto out;
	if (nadds > 0) {
		s = NULL;
		if ((fp = open_memstream(&s, &len)) == NULL) {
			conn_errs_add(errs, 0, "out of memory");
			goto out;
		}
		root = cf->root_receive ? "ReceiveConnectors" : "Connectors";
		if (cf->root_empty) {
			/* "<Connectors a='1' />" opened up. */
			for (j = cf->root_tagend - 2;
			     j > cf->root_tag && conn_is_ws(cf->buf[j - 1]);
			     j--)
				;
			fprintf(fp, "%.*s>", (int)(j - cf->root_tag),
				cf->buf + cf->root_tag);
		}
		for (i = 0; i < nadds && !bad; i++) {
			if ((t = new_conn_text(cf, &adds[i])) == NULL) {
				bad = 1;
				break;
			}
			fputs(t, fp);
			free(t);
		}
		if (cf->root_empty)
			fprintf(fp, "\n</%s>", root);
		bad |= ferror(fp);
		if (fclose(fp) != 0 || bad) {
			free(s);
			conn_errs_add(errs, 0, "out of memory");
			goto out;
		}
		sv[ns].order = ns;
		sv[ns].text = s;
		if (cf->root_empty) {
			sv[ns].start = cf->root_tag;
			sv[ns].end = cf->root_tagend;
		} else
			sv[ns].start = sv[ns].end = cf->root_insert;
		ns++;
	}
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
	 * unique) and say what we meant (check_result).  For bind the
	 * schema is not asked again: the original passed it, every byte
	 * outside the three fields is the original's, and what the
	 * splices put there is text the model reads back and compares --
	 * an element added twice or a value that is not a boolean fails
	 * the model.  That halves the validator's share of bind
	 * (certbind-connectors(5)).  import writes new elements and whole
	 * connectors, so its result meets the schema again.  The load
	 * takes nb and hands it back in nf; it needs no spans, as nothing
	 * will edit nf.
	 */
	conn_errs_init(&rerrs, cf->path);
	if (rerrs.file == NULL) {
		conn_errs_add(errs, 0, "out of memory");
		goto out;
	}
	len = i;
	if (conn_load_owned(cf->path, nb, len,
			    LOAD_NO_SPANS | (schema ? 0 : LOAD_NO_SCHEMA), &nf,
			    &rerrs) == -1) {
		nb = NULL; /* freed by conn_load_owned */
		conn_errs_add(errs, 0,
			      "internal error: the edited file does not "
			      "load: %s",
			      rerrs.n > 0 ? rerrs.v[0].msg : "?");
		goto out;
	}
	nb = nf->buf;
	nf->buf = NULL;
	if (check_result(cf, nf, sets, adds, nadds) == -1) {
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

int
conn_apply(const struct conn_file *cf, const struct conn_edit *edits,
	   char **out, size_t *outlen, struct conn_errs *errs)
{
	struct conn_set	       *sets = NULL;
	const struct conn_edit *e;
	size_t			i;
	int			rc;

	*out = NULL;
	*outlen = 0;
	for (i = 0; edits != NULL && i < cf->n; i++) {
		e = &edits[i];
		if (cf->v[i].kind == CONN_SEND && e->advertise != CONN_UNSET) {
			/* certbind-connectors(5): never written there. */
			conn_errs_init(errs, cf->path);
			conn_errs_add(errs, cf->v[i].line,
				      "%s: Set-SendConnector has no "
				      "AdvertiseClientSettings; it is not "
				      "written to a send connector",
				      cf->v[i].identity);
			return -1;
		}
	}
	if (edits != NULL && cf->n > 0 &&
	    (sets = calloc(cf->n, sizeof(*sets))) == NULL) {
		conn_errs_init(errs, cf->path);
		conn_errs_add(errs, 0, "out of memory");
		return -1;
	}
	for (i = 0; sets != NULL && i < cf->n; i++) {
		e = &edits[i];
		sets[i].v[F_FQDN] = e->fqdn;
		sets[i].v[F_TLSNAME] = e->tls_name;
		sets[i].v[F_ADVERTISE] =
		    bool_text(e->advertise == CONN_UNSET ? CONN_UNSET
							 : e->advertise != 0);
	}
	rc = merge(cf, sets, NULL, 0, 0, out, outlen, errs);
	free(sets);
	return rc;
}

int
conn_merge(const struct conn_file *cf, const struct conn_set *sets,
	   const struct conn_new *adds, size_t nadds, char **out,
	   size_t *outlen, struct conn_errs *errs)
{
	return merge(cf, sets, adds, nadds, 1, out, outlen, errs);
}
