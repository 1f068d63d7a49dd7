/*
 * safe: printing bytes that may come from a hostile certificate, file
 * name or config without letting them reach a terminal raw.
 */
#ifndef SAFE_H
#define SAFE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes (s, len) to fp with every control character (C0, DEL, C1),
 * bidirectional override (U+202A-U+202E, U+2066-U+2069), the
 * non-characters U+FFFE and U+FFFF (which XML 1.0 forbids, so that a
 * JUnit report of the escaped form is well-formed) and invalid UTF-8
 * byte escaped: \n \r \t \xNN \u{NNNN}.  Backslashes stay as
 * they are (identities are "Server\Name"), so the escaped form is safe,
 * not reversible: JSON output is exact (but for invalid UTF-8, which
 * becomes U+FFFD there).  Valid UTF-8 text is written as is.  Returns
 * 0, or -1 on a write error.
 */
int safe_fputs(const char *s, size_t len, FILE *fp);

/*
 * The same for text made of lines (a unified diff): newlines, tabs and
 * a CR right before a newline are written as they are, so a line of
 * ASCII or valid UTF-8 text without other controls is written exactly.
 * Adds the number of characters escaped to *nesc.  Returns 0, or -1 on
 * a write error.
 */
int safe_fputs_lines(const char *s, size_t len, FILE *fp, size_t *nesc);

/*
 * The escaped form of (s, len) as a new NUL-terminated string (caller
 * frees), and its display width in *width (code points) when width is
 * not NULL.  NULL on allocation failure.
 */
char *safe_escape(const char *s, size_t len, size_t *width);

/* 1 when (s, len) holds anything safe_fputs would escape: control
 * characters, bidi overrides, invalid UTF-8. */
int safe_is_unsafe(const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at s (at most n > 0 bytes) and its
 * code point in *cp, or 0 when the bytes there are not valid UTF-8
 * (overlong forms, surrogates and values past U+10FFFF included).
 */
size_t safe_utf8_next(const unsigned char *s, size_t n, unsigned long *cp);

#endif
