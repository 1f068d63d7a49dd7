/*
 * mem: the one way an array grows, the one copy of a counted string and
 * the one line count of an offset, for the core and the commands alike.
 */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>

/*
 * Makes room for need elements of size bytes in the array whose pointer
 * is at pp (a T ** passed as void *) and whose capacity, in elements,
 * is *cap: at least doubled, 8 to begin with.  Returns 0 (also when
 * there was room already), or -1 when memory ran out or the size would
 * overflow; *pp and *cap are then unchanged.
 */
int mem_grow(void *pp, size_t *cap, size_t need, size_t size);

/*
 * A NUL-terminated copy of (s, len), which may itself hold NULs (s may be
 * NULL when len is 0).  The caller frees it.  NULL when memory ran out.
 */
char *mem_dup(const void *s, size_t len);

/* The line (1 based) of offset pos in the text b: its line feeds before. */
long mem_line_at(const char *b, size_t pos);

#endif
