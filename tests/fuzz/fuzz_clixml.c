/*
 * fuzz_clixml: the CLIXML reader (clixml.c) on any bytes: the encoding
 * checks and conversion, the prolog, libxml2's parse and the model.
 * Every object is then walked, through <Ref>s too, with a bound on
 * depth and on visits (objects may be shared, even cyclic, so a walk
 * unbounded could be exponential), checking what clixml.h promises of
 * each value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clixml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void walk_obj(const struct clixml_obj *, int);

static size_t visits;

static void
walk_val(const struct clixml_val *v, int depth)
{
	const char *t;
	size_t	    len;

	if (v->tag == NULL)
		abort();
	switch (v->kind) {
	case CLIXML_NIL:
		if (clixml_text(v, &len) != NULL || v->obj != NULL)
			abort();
		break;
	case CLIXML_STR:
		if (v->s == NULL || v->s[v->len] != '\0' ||
		    (v->is_bool && strcmp(v->s, v->b ? "True" : "False") != 0))
			abort();
		if ((t = clixml_text(v, &len)) != v->s || len != v->len)
			abort();
		break;
	case CLIXML_BYTES:
		if (v->s == NULL || v->len > CLIXML_MAX_BA)
			abort();
		break;
	case CLIXML_LIST:
	case CLIXML_OBJ:
		if (v->obj == NULL ||
		    (v->kind == CLIXML_LIST) != (v->obj->is_list != 0))
			abort();
		t = clixml_text(v, &len);
		if ((t == NULL) != (v->obj->text == NULL) ||
		    (t != NULL && t[len] != '\0'))
			abort();
		walk_obj(v->obj, depth + 1);
		break;
	default:
		abort();
	}
}

static void
walk_obj(const struct clixml_obj *o, int depth)
{
	const struct clixml_prop *p;
	size_t			  i;

	if (depth > 2 * CLIXML_MAX_DEPTH || ++visits > 100000)
		return;
	for (i = 0; i < o->ntypes; i++)
		if (o->types[i] == NULL)
			abort();
	for (i = 0; i < o->nprops; i++) {
		if (o->props[i].name[o->props[i].namelen] != '\0')
			abort();
		/* The first of that name (an embedded NUL stops strcasecmp). */
		if (strlen(o->props[i].name) == o->props[i].namelen &&
		    ((p = clixml_get(o, o->props[i].name)) == NULL ||
		     strcasecmp(p->name, o->props[i].name) != 0 ||
		     p > &o->props[i]))
			abort();
		walk_val(&o->props[i].v, depth);
	}
	for (i = 0; i < o->nitems; i++)
		walk_val(&o->items[i], depth);
	if (o->nitems > 0 && !o->is_list)
		abort();
	clixml_is_type(o, "System.Object");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clixml_doc *d;
	struct clixml_err  err;
	size_t		   i;

	clixml_sniff(data, size);
	if ((d = clixml_parse(data, size, &err)) == NULL) {
		if (err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
		    strchr(err.msg, '\n') != NULL || err.line < 0)
			abort();
		return 0;
	}
	if (err.msg[0] != '\0')
		abort();
	visits = 0;
	for (i = 0; i < d->nobjs; i++)
		walk_obj(d->objs[i], 0);
	clixml_free(d);
	return 0;
}
