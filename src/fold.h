/*
 * fold: names compared as Exchange compares them, without regard to
 * case (certbind-connectors(5), Identities), and the identity globs of
 * --identity.
 */
#ifndef FOLD_H
#define FOLD_H

#include <stddef.h>

/*
 * The simple case fold of code point c: Unicode simple case folding for
 * ASCII, Latin-1 Supplement, Latin Extended-A, Greek and Coptic,
 * Cyrillic and Cyrillic Supplement; other code points fold to
 * themselves.
 */
unsigned long fold_cp(unsigned long c);

/*
 * The code point of (s, len) at *i, folded, advancing *i.  A byte that
 * does not start valid UTF-8 yields 0x110000 + that byte, a value no
 * code point has, so it compares equal only to the same byte.
 */
unsigned long fold_next(const unsigned char *s, size_t len, size_t *i);

/* Compares two UTF-8 strings by folded code point: <0, 0, >0. */
int fold_casecmp(const char *a, const char *b);
/* The same for (ptr, len) strings, which may hold NUL bytes. */
int fold_casecmp_n(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Matches a glob without regard to case (fold_casecmp's folding): '*'
 * is any run of characters (including '\'), '?' one character; every
 * other character, '[' and '\' included, is literal.  Returns 1 on a
 * match, else 0.
 */
int fold_glob(const char *pattern, const char *s);

#endif
