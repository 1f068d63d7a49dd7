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
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Calls put(arg, piece, len) for the escaped form of (s, len); adds the
 * display width to *width.  Returns 0, or the first non-zero put result.
 */
static int
escape(const char *s, size_t len, size_t *width,
       int (*put)(void *, const char *, size_t), void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long	     cp;
	size_t		     i = 0, n, w = 0;
	char		     tmp[32];
	int		     rc;

	while (i < len) {
		n = safe_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			snprintf(tmp, sizeof(tmp), "\\x%02X", p[i]);
			rc = put(arg, tmp, strlen(tmp));
			w += strlen(tmp);
			n = 1;
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			tmp[0] = '\\';
			tmp[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
			rc = put(arg, tmp, 2);
			w += 2;
		} else if (unsafe_cp(cp)) {
			if (cp < 0x80)
				snprintf(tmp, sizeof(tmp), "\\x%02lX", cp);
			else
				snprintf(tmp, sizeof(tmp), "\\u{%04lX}", cp);
			rc = put(arg, tmp, strlen(tmp));
			w += strlen(tmp);
		} else {
			rc = put(arg, s + i, n);
			w++;
		}
		if (rc != 0)
			return rc;
		i += n;
	}
	if (width != NULL)
		*width += w;
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
	return escape(s, len, NULL, put_file, fp);
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

char *
safe_escape(const char *s, size_t len, size_t *width)
{
	struct sbuf b = {NULL, 0, 0};

	if (width != NULL)
		*width = 0;
	if (put_buf(&b, "", 0) == -1 ||
	    escape(s, len, width, put_buf, &b) != 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
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
