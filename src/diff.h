/*
 * diff: a unified diff of two texts, for --dry-run.
 */
#ifndef DIFF_H
#define DIFF_H

#include <stddef.h>

/*
 * A unified diff (3 lines of context, "--- a/LABEL", "+++ b/LABEL") of
 * old against new, as diff -u writes it, with "\ No newline at end of
 * file" where due.  Returns a new NUL-terminated buffer ("" when equal)
 * and its length in *outlen, or NULL when memory ran out.
 */
char *diff_unified(const char *old, size_t oldlen, const char *new,
		   size_t newlen, const char *label, size_t *outlen);

#endif
