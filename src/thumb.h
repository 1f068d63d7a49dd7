/*
 * thumb: thumbprints as people type and paste them (certbind(1) THUMBPRINTS).
 */
#ifndef THUMB_H
#define THUMB_H

#include <stddef.h>

struct thumb {
	char   hex[65];		  /* upper-case hex digits, NUL-terminated */
	size_t len;		  /* number of digits: 8 to 64 */
	int    kind;		  /* THUMB_SHA1, THUMB_SHA256 or THUMB_PREFIX */
	size_t removed;		  /* invisible characters removed */
	char   removed_desc[512]; /* what was removed, every kind counted */
};

#define THUMB_SHA1   1 /* exactly 40 digits */
#define THUMB_SHA256 2 /* exactly 64 digits */
#define THUMB_PREFIX 3 /* 8 to 63 digits, not 40 */

/*
 * Parses (in, len): any case; spaces, tabs, ':' and '-' between digits;
 * a leading "SHA1 Fingerprint=" / "SHA256 Fingerprint=" in any case;
 * U+200E, U+200F, U+FEFF, U+00A0, U+202A-U+202E and '?' removed (counted
 * in removed).  Returns 0, or -1 with *why set to a static message saying
 * what is wrong with the input (e.g. "'g' at position 5 is not a hex
 * digit", "too short: 6 hex digits, at least 8 needed").
 *
 * Details:
 * - Spaces, tabs and removed characters may also lead and trail; ':'
 *   and '-' may not ("':' at position 1 is not between hex digits").
 * - CR and LF may only trail (a pasted line); one inside the digits is
 *   "line break at position N inside the thumbprint".
 * - The label is recognised only before the first digit, with exactly
 *   one space, and fixes the length: "SHA1 fingerprint with 64 hex
 *   digits, 40 expected".  Other labels ("SHA1 Thumbprint=") are not
 *   accepted.
 * - Fewer than 8 or more than 64 digits: "too short: ..."/"too long: ...";
 *   no digits at all: "empty thumbprint".
 * - Another character: "'g' at position 5 is not a hex digit" for
 *   printable ASCII, "U+00E9 at position 5 ..." otherwise; invalid UTF-8:
 *   "byte 0xFF at position 5 is not valid UTF-8".  Positions count
 *   characters (code points; an invalid byte counts one) of the input as
 *   given, from 1, removed ones included.  Messages never contain control
 *   characters.
 * - removed_desc lists every kind of character removed with its count,
 *   spaces and tabs first, then the invisible ones in the order above
 *   ("2 spaces, 1 U+200E LEFT-TO-RIGHT MARK, 1 U+FEFF ZERO WIDTH NO-BREAK
 *   SPACE", "2 '?'"), or is "" when removed is 0: spaces alone are how a
 *   thumbprint is shown, nothing to note.
 * *why points to a string literal or to a static buffer overwritten by
 * the next call (not thread-safe); why may be NULL.  On failure *out is
 * zeroed.
 */
int thumb_parse(const char *in, size_t len, struct thumb *out,
		const char **why);

#endif
