/*
 * output: table, list and JSON writers (certbind(1) OUTPUT).  A command builds
 * a small tree of values (struct ov) per result object and hands it to a
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
	OUT_JUNIT,	/* validate only; rendered by its command */
	OUT_PROMETHEUS, /* validate only; rendered by its command */
	OUT_POWERSHELL	/* connectors only; rendered with pwsh.h */
};

struct ov; /* opaque value: object, array, string, ... */

struct ov *ov_new_object(void);
struct ov *ov_new_array(void);
void	   ov_free(struct ov *);

/*
 * Members of an object keep insertion order.  Strings are copied; keys
 * are NOT: a key must outlive the tree (in practice a string literal).
 * Each returns 0, or -1 when memory ran out or obj is NULL or not an
 * object (arr not an array) or key is NULL.  ov_add and ov_push take
 * ownership of child even when they fail, and fail on a NULL child, so
 * ov_add(obj, "k", ov_new_array()) needs no separate check.
 * ov_add_str, ov_add_cstr and ov_push_str with s == NULL add null.
 */
int ov_add_str(struct ov *obj, const char *key, const char *s, size_t len);
int ov_add_cstr(struct ov *obj, const char *key, const char *s);
int ov_add_bool(struct ov *obj, const char *key, int b);
int ov_add_int(struct ov *obj, const char *key, long long v);
int ov_add_null(struct ov *obj, const char *key);
int ov_add(struct ov *obj, const char *key, struct ov *child);
int ov_push(struct ov *arr, struct ov *child);

/*
 * Another reference to v, for a value that appears in several places
 * (bind's checks that are the same for every connector): each ov_free
 * drops one, the last frees.  A shared value must not be changed.
 */
struct ov *ov_share(struct ov *v);
int	   ov_push_str(struct ov *arr, const char *s, size_t len);

struct out; /* opaque writer */

/*
 * Opens a writer on fp (not closed by out_close).  columns
 * (NULL-terminated member names, copied) are the table's columns, in
 * order; NULL means the members of the first object.  List and JSON show
 * every member.  Returns NULL when memory ran out, or with errno EINVAL
 * for OUT_JUNIT, OUT_PROMETHEUS and OUT_POWERSHELL, which their
 * command renders.
 *
 * Rendering (the man page states these):
 * - Inline form of a value, used in table cells and list values:
 *   strings escaped by safe_escape; booleans True/False; integers in
 *   decimal; null as nothing; arrays {a, b}; objects {Key=value; K=v};
 *   nested to any depth, never truncated.
 * - table: a header row, a row of dashes as long as each header, then
 *   one row per object; columns two spaces apart, padded to the widest
 *   cell in code points; left-aligned; no line ends in white space (an
 *   empty last cell adds no padding); a missing member is an empty cell.
 *   No objects: no output at all, not even the header.
 * - list: per object, "Name : value" for every member in order except
 *   non-empty arrays of objects, names padded to the longest of that
 *   object; an empty value prints "Name :" with no trailing space.  Then
 *   each non-empty array of objects as a table indented by two spaces,
 *   its columns the members of its elements in order of first
 *   appearance, preceded by one blank line (none when the object has no
 *   other line).  Objects are separated by exactly one blank line; no
 *   leading or trailing blank line; an object with no members prints
 *   nothing.
 * - json: 2-space indentation, "key": value, members in insertion order,
 *   empty arrays and objects as [] and {}; out_item gives the elements of
 *   a top-level array ("[]" when there are none), out_value the single
 *   document.  Strings per RFC 8259 with \" \\ \b \f \n \r \t and
 *   \u00xx for other controls; DEL, C1 controls, U+2028, U+2029,
 *   U+202A-U+202E and U+2066-U+2069 are also written as \uxxxx
 *   (lower-case hex); each maximal ill-formed UTF-8 subpart becomes one
 *   U+FFFD (as Python and browsers decode it).  The output ends in a
 *   newline.
 */
struct out *out_open(FILE *fp, enum out_format fmt, const char *const *columns);
/*
 * One element of a list-like result (JSON: an element of the array).
 * List and JSON write it at once; a table keeps only its escaped cells.
 * obj must be an object and is not kept.  Returns 0, or -1 on a write
 * or memory failure (also reported by out_close), or when obj is not an
 * object or out_value was called.
 */
int out_item(struct out *, const struct ov *obj);
/*
 * A single object as the whole result (show, check, validate): JSON
 * writes it as the document instead of an array; table and list show
 * it as they would one item.  At most once, and not after out_item
 * (-1 otherwise).
 */
int out_value(struct out *, const struct ov *obj);
/*
 * Finishes (table: prints the buffered rows; JSON: closes the array),
 * flushes and frees.  Returns 0, or -1 if anything failed to be written
 * (a failed item, fflush or ferror on fp).  out_close(NULL) returns 0.
 */
int out_close(struct out *);

/*
 * The JSON document of a command that stops before it has a result
 * (nothing found or selected, refused, could not do the job), so that
 * every JSON run prints one: {} when result is NULL (show, name), else
 * {"Result": result, "Connectors": []} (validate, bind, renew).
 * Written on fp and flushed; returns 0, or -1 on a write or memory
 * failure.
 */
int out_json_stopped(FILE *fp, const char *result);

#endif
