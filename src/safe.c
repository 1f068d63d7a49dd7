#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe.h"

size_t
safe_utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t	      len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
unsafe_cp(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfffe || c == 0xffff;
}

/* Flags of escape(). */
enum {
	ESC_LINES = 1 /* newline, tab and a CR before a newline kept raw */
};

/* 1 when the character cp at s[i] (of len bytes) is written as it is. */
static int
keep(unsigned long cp, const char *s, size_t i, size_t len, int flags)
{
	if ((flags & ESC_LINES) &&
	    (cp == '\n' || cp == '\t' ||
	     (cp == '\r' && i + 1 < len && s[i + 1] == '\n')))
		return 1;
	return !unsafe_cp(cp);
}

/*
 * Calls put(arg, piece, len) for the escaped form of (s, len), runs of
 * text kept as they are in one piece; adds the display width to *width
 * and the number of characters escaped to *nesc (either may be NULL).
 * Returns 0, or the first non-zero put result.
 */
static int
escape(const char *s, size_t len, int flags, size_t *width, size_t *nesc,
       int (*put)(void *, const char *, size_t), void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, run = 0, n, w = 0, e = 0;
	char		     tmp[32];
	int		     rc;

	while (i < len) {
		n = safe_utf8_next(p + i, len - i, &cp);
		if (n != 0 && keep(cp, s, i, len, flags)) {
			i += n;
			w++;
			continue;
		}
		if (i > run && (rc = put(arg, s + run, i - run)) != 0)
			return rc;
		if (n == 0) {
			snprintf(tmp, sizeof(tmp), "\\x%02X", p[i]);
			n = 1;
		} else if (cp == '\n' || cp == '\r' || cp == '\t')
			snprintf(tmp, sizeof(tmp), "\\%c",
				 cp == '\n'   ? 'n'
				 : cp == '\r' ? 'r'
					      : 't');
		else if (cp < 0x80)
			snprintf(tmp, sizeof(tmp), "\\x%02lX", cp);
		else
			snprintf(tmp, sizeof(tmp), "\\u{%04lX}", cp);
		if ((rc = put(arg, tmp, strlen(tmp))) != 0)
			return rc;
		w += strlen(tmp);
		e++;
		i += n;
		run = i;
	}
	if (i > run && (rc = put(arg, s + run, i - run)) != 0)
		return rc;
	if (width != NULL)
		*width += w;
	if (nesc != NULL)
		*nesc += e;
	return 0;
}

static int
put_file(void *arg, const char *s, size_t len)
{
	return fwrite(s, 1, len, arg) == len ? 0 : -1;
}

int
safe_fputs(const char *s, size_t len, FILE *fp)
{
	return escape(s, len, 0, NULL, NULL, put_file, fp);
}

int
safe_fputs_lines(const char *s, size_t len, FILE *fp, size_t *nesc)
{
	return escape(s, len, ESC_LINES, NULL, nesc, put_file, fp);
}

struct sbuf {
	char  *p;
	size_t len, cap;
};

static int
put_buf(void *arg, const char *s, size_t len)
{
	struct sbuf *b = arg;
	char	    *np;
	size_t	     ncap;

	if (b->len + len + 1 > b->cap) {
		ncap = (b->cap + len + 1) * 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* The escaped form as a new string, or NULL when memory ran out. */
static char *
escape_str(const char *s, size_t len, int flags, size_t *width)
{
	struct sbuf b = {NULL, 0, 0};

	if (width != NULL)
		*width = 0;
	if (put_buf(&b, "", 0) == -1 ||
	    escape(s, len, flags, width, NULL, put_buf, &b) != 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *
safe_escape(const char *s, size_t len, size_t *width)
{
	return escape_str(s, len, 0, width);
}

int
safe_is_unsafe(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, n;

	while (i < len) {
		if ((n = safe_utf8_next(p + i, len - i, &cp)) == 0 ||
		    unsafe_cp(cp))
			return 1;
		i += n;
	}
	return 0;
}
