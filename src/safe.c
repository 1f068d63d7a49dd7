#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
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

/* Writes (s, len) to fp unless fp is NULL; 0, or -1 on a write error. */
static int
put(FILE *fp, const char *s, size_t len)
{
	return fp == NULL || fwrite(s, 1, len, fp) == len ? 0 : -1;
}

/*
 * Writes the escaped form of (s, len) to fp (NULL: only measures it),
 * runs of text kept as they are in one piece; adds the display width to
 * *width and the number of characters escaped to *nesc (either may be
 * NULL).  Returns 0, or -1 on a write error.
 */
static int
escape(const char *s, size_t len, int flags, size_t *width, size_t *nesc,
       FILE *fp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, run = 0, n, w = 0, e = 0;
	char		     tmp[32];

	while (i < len) {
		n = safe_utf8_next(p + i, len - i, &cp);
		if (n != 0 && keep(cp, s, i, len, flags)) {
			i += n;
			w++;
			continue;
		}
		if (i > run && put(fp, s + run, i - run) == -1)
			return -1;
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
		if (put(fp, tmp, strlen(tmp)) == -1)
			return -1;
		w += strlen(tmp);
		e++;
		i += n;
		run = i;
	}
	if (i > run && put(fp, s + run, i - run) == -1)
		return -1;
	if (width != NULL)
		*width += w;
	if (nesc != NULL)
		*nesc += e;
	return 0;
}

int
safe_fputs(const char *s, size_t len, FILE *fp)
{
	return escape(s, len, 0, NULL, NULL, fp);
}

int
safe_fputs_lines(const char *s, size_t len, FILE *fp, size_t *nesc)
{
	return escape(s, len, ESC_LINES, NULL, nesc, fp);
}

char *
safe_escape(const char *s, size_t len, size_t *width)
{
	FILE  *fp;
	char  *p = NULL;
	size_t n, w = 0, nesc = 0;
	int    bad;

	if (width != NULL)
		*width = 0;
	/*
	 * Text with nothing to escape is copied without a memory stream:
	 * opening one for each key of a long listing cost a fifth of its
	 * time.
	 */
	(void)escape(s, len, 0, &w, &nesc, NULL);
	if (nesc == 0) {
		if ((p = mem_dup(s, len)) != NULL && width != NULL)
			*width = w;
		return p;
	}
	if ((fp = open_memstream(&p, &n)) == NULL)
		return NULL;
	bad = escape(s, len, 0, width, NULL, fp) == -1 || ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(p);
		return NULL;
	}
	return p;
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
