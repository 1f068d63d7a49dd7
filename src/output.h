/*
 * output: table, list and JSON writers (SPEC §12).  A command builds a
 * small tree of values (struct ov) per result object and hands it to a
 * writer.  The writer streams list and JSON output as items arrive and
 * buffers only the shown columns for tables, so a 100,000-certificate
 * listing never holds every tree at once.  Every string is bytes
 * (pointer + length) as it came from a certificate or config: table and
 * list escape it with safe.h, JSON escapes it as JSON (invalid UTF-8
 * bytes become U+FFFD) so the document is always valid UTF-8.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdio.h>

enum out_format {
	OUT_TABLE,
	OUT_LIST,
	OUT_JSON,
	OUT_JUNIT		/* validate only; rendered by its command */
};

struct ov;			/* opaque value: object, array, string, ... */

struct ov	*ov_new_object(void);
struct ov	*ov_new_array(void);
void		 ov_free(struct ov *);

/*
 * Members of an object keep insertion order.  Strings are copied.
 * Each returns 0, or -1 when memory ran out.  ov_add takes ownership of
 * child even when it fails.  ov_add_cstr with s == NULL adds null.
 */
int	ov_add_str(struct ov *obj, const char *key, const char *s, size_t len);
int	ov_add_cstr(struct ov *obj, const char *key, const char *s);
int	ov_add_bool(struct ov *obj, const char *key, int b);
int	ov_add_int(struct ov *obj, const char *key, long long v);
int	ov_add_null(struct ov *obj, const char *key);
int	ov_add(struct ov *obj, const char *key, struct ov *child);
int	ov_push(struct ov *arr, struct ov *child);
int	ov_push_str(struct ov *arr, const char *s, size_t len);

struct out;			/* opaque writer */

/*
 * Opens a writer on fp.  columns (NULL-terminated member names) are the
 * table's columns, in order; list and JSON show every member.  Returns
 * NULL when memory ran out.
 */
struct out	*out_open(FILE *fp, enum out_format fmt,
		    const char *const *columns);
/* One element of a list-like result (JSON: an element of the array). */
int		 out_item(struct out *, const struct ov *obj);
/* A single object as the whole result (show, check, validate): JSON
 * writes it as the document instead of an array. */
int		 out_value(struct out *, const struct ov *obj);
/*
 * Finishes (table: prints the buffered rows; JSON: closes the array),
 * flushes and frees.  Returns 0, or -1 if anything failed to be written.
 */
int		 out_close(struct out *);

#endif
