/*
 * conn_int: what the configuration's load (connectors.c) and its edits
 * (connedit.c) share, and nothing else includes.
 */
#ifndef CONN_INT_H
#define CONN_INT_H

#include <stddef.h>
#include <string.h>

#include "connectors.h"

/* The fields certbind sets, in the order missing ones are added. */
enum {
	F_FQDN = CONN_FQDN,
	F_TLSNAME = CONN_TLSNAME,
	F_ADVERTISE = CONN_ADVERTISE,
	NFIELDS = CONN_NFIELDS
};

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

/* XML white space. */
static inline int
conn_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline int
conn_starts(const char *b, size_t len, size_t pos, const char *lit)
{
	size_t n = strlen(lit);

	return pos <= len && len - pos >= n && memcmp(b + pos, lit, n) == 0;
}

/* Offset just past the first lit at or after pos, or len when none. */
static inline size_t
conn_skip_past(const char *b, size_t len, size_t pos, const char *lit)
{
	const char *p;

	if (pos >= len)
		return len;
	p = memmem(b + pos, len - pos, lit, strlen(lit));
	return p == NULL ? len : (size_t)(p - b) + strlen(lit);
}

/* Starts an empty list of problems with file (a path or label). */
void conn_errs_init(struct conn_errs *errs, const char *file);

/*
 * Adds a problem.  Allocation failures are folded into the list as far
 * as possible: an error list that cannot grow still makes the load fail
 * because callers test n > 0 or their own return value.
 */
void conn_errs_add(struct conn_errs *errs, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conn_load_owned flags besides CONN_LOAD_DUPLICATES */
#define LOAD_NO_SPANS  0x100 /* the model only: nothing will be edited */
#define LOAD_NO_SCHEMA 0x200 /* conn_apply's own output: see there */

/*
 * Loads buf (len bytes, NUL-terminated), taking ownership of it (it is
 * freed on failure).  Returns 0 and *out, or -1 with errs filled.
 */
int conn_load_owned(const char *label, char *buf, size_t len, int flags,
		    struct conn_file **out, struct conn_errs *errs);

/*
 * Walks the tags of a document the load has accepted and fills in where
 * each connector and each of its fields lies.  Returns 0, or -1 when
 * what it finds disagrees with the model (then the bytes are not
 * edited).
 */
int conn_scan(const char *b, size_t len, struct conn_file *cf,
	      struct conn_span *spans);

#endif
