#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "safe.h"
#include "thumb.h"

/* Characters a Windows dialog or a codepage conversion leaves behind. */
static const struct {
	unsigned long cp;
	const char   *desc;
} invisible[] = {
    {0x00a0, "U+00A0 NO-BREAK SPACE"},
    {0x200e, "U+200E LEFT-TO-RIGHT MARK"},
    {0x200f, "U+200F RIGHT-TO-LEFT MARK"},
    {0x202a, "U+202A LEFT-TO-RIGHT EMBEDDING"},
    {0x202b, "U+202B RIGHT-TO-LEFT EMBEDDING"},
    {0x202c, "U+202C POP DIRECTIONAL FORMATTING"},
    {0x202d, "U+202D LEFT-TO-RIGHT OVERRIDE"},
    {0x202e, "U+202E RIGHT-TO-LEFT OVERRIDE"},
    {0xfeff, "U+FEFF ZERO WIDTH NO-BREAK SPACE"},
    {'?', "'?'"},
};

static const struct {
	const char *label;
	int	    kind;
	size_t	    digits;
} labels[] = {
    {"sha1 fingerprint=", THUMB_SHA1, 40},
    {"sha256 fingerprint=", THUMB_SHA256, 64},
};

/* Messages that carry a position are formatted here. */
static char why_buf[128];

#define nitems_invisible (sizeof(invisible) / sizeof(invisible[0]))

/* The index of cp in invisible[], or nitems_invisible. */
static size_t
invisible_index(unsigned long cp)
{
	size_t i;

	for (i = 0; i < nitems_invisible; i++)
		if (invisible[i].cp == cp)
			break;
	return i;
}

static int
hexval(unsigned long c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* "'g' at position 5 is not a hex digit", never a raw control byte. */
static const char *
bad_char(unsigned long cp, size_t pos)
{
	if (cp > 0x20 && cp < 0x7f)
		snprintf(why_buf, sizeof(why_buf),
			 "'%c' at position %zu is not a hex digit", (int)cp,
			 pos);
	else
		snprintf(why_buf, sizeof(why_buf),
			 "U+%04lX at position %zu is not a hex digit", cp, pos);
	return why_buf;
}

/*
 * Fills t->removed_desc from the counts of what was removed: spaces, tabs,
 * then each invisible[] entry.
 */
static void
removed_list(struct thumb *t, size_t nsp, size_t ntab, const size_t *ninv)
{
	char  *d = t->removed_desc;
	size_t i, sz = sizeof(t->removed_desc), o = 0;
	int    w;

	d[0] = '\0';
	if (nsp > 0 &&
	    (w = snprintf(d, sz, "%zu space%s", nsp, nsp == 1 ? "" : "s")) > 0)
		o = (size_t)w < sz ? (size_t)w : sz - 1;
	if (ntab > 0 &&
	    (w = snprintf(d + o, sz - o, "%s%zu tab%s", o > 0 ? ", " : "", ntab,
			  ntab == 1 ? "" : "s")) > 0)
		o += (size_t)w < sz - o ? (size_t)w : sz - o - 1;
	for (i = 0; i < nitems_invisible; i++) {
		if (ninv[i] == 0)
			continue;
		if ((w = snprintf(d + o, sz - o, "%s%zu %s", o > 0 ? ", " : "",
				  ninv[i], invisible[i].desc)) > 0)
			o += (size_t)w < sz - o ? (size_t)w : sz - o - 1;
	}
}

/*
 * See thumb.h.  Positions in messages count characters (code points, an
 * invalid byte counting as one) of the input as given, from 1, invisible
 * ones included.  *why points to a string literal or to a static buffer
 * overwritten by the next call: not thread-safe.  why may be NULL.
 */
int
thumb_parse(const char *in, size_t len, struct thumb *out, const char **why)
{
	const unsigned char *p = (const unsigned char *)in;
	const char	    *msg = NULL;
	unsigned long	     cp;
	size_t		     i = 0, n, pos = 0, digits = 0, want = 0;
	size_t		     sep_pos = 0, eol_pos = 0, k, ll;
	int		     rc = -1, v, started = 0, kind = 0;
	int		     sep_c = 0;
	size_t		     nsp = 0, ntab = 0;
	size_t		     ninv[nitems_invisible];

	memset(out, 0, sizeof(*out));
	memset(ninv, 0, sizeof(ninv));
	if (len == 0) {
		msg = "empty thumbprint";
		goto out;
	}
	while (i < len) {
		pos++;
		if ((n = safe_utf8_next(p + i, len - i, &cp)) == 0) {
			snprintf(
			    why_buf, sizeof(why_buf),
			    "byte 0x%02X at position %zu is not valid UTF-8",
			    p[i], pos);
			msg = why_buf;
			goto out;
		}
		if ((k = invisible_index(cp)) < nitems_invisible) {
			ninv[k]++;
			out->removed++;
			i += n;
			continue;
		}
		if (cp == ' ' || cp == '\t') {
			if (cp == ' ')
				nsp++;
			else
				ntab++;
			i += n;
			continue;
		}
		/* A pasted line may end in CR/LF; a second line may not. */
		if (cp == '\r' || cp == '\n') {
			if (started && eol_pos == 0)
				eol_pos = pos;
			i += n;
			continue;
		}
		if (eol_pos != 0) {
			snprintf(
			    why_buf, sizeof(why_buf),
			    "line break at position %zu inside the thumbprint",
			    eol_pos);
			msg = why_buf;
			goto out;
		}
		if (!started) {
			started = 1;
			for (k = 0; k < sizeof(labels) / sizeof(labels[0]);
			     k++) {
				ll = strlen(labels[k].label);
				if (len - i >= ll &&
				    strncasecmp(in + i, labels[k].label, ll) ==
					0) {
					kind = labels[k].kind;
					want = labels[k].digits;
					pos += ll - 1;
					i += ll;
					break;
				}
			}
			if (kind != 0)
				continue;
		}
		if (cp == ':' || cp == '-') {
			if (digits == 0) {
				snprintf(
				    why_buf, sizeof(why_buf),
				    "'%c' at position %zu is not between hex "
				    "digits",
				    (int)cp, pos);
				msg = why_buf;
				goto out;
			}
			if (sep_pos == 0) {
				sep_pos = pos;
				sep_c = (int)cp;
			}
			i += n;
			continue;
		}
		if ((v = hexval(cp)) == -1) {
			msg = bad_char(cp, pos);
			goto out;
		}
		if (digits < sizeof(out->hex) - 1)
			out->hex[digits] = "0123456789ABCDEF"[v];
		digits++;
		sep_pos = 0;
		i += n;
	}
	if (sep_pos != 0) {
		snprintf(why_buf, sizeof(why_buf),
			 "'%c' at position %zu is not between hex digits",
			 sep_c, sep_pos);
		msg = why_buf;
		goto out;
	}
	if (digits == 0) {
		msg = kind != 0 ? "no hex digits after the fingerprint label"
				: "empty thumbprint";
		goto out;
	}
	if (want != 0 && digits != want) {
		snprintf(why_buf, sizeof(why_buf),
			 "%s fingerprint with %zu hex digits, %zu expected",
			 kind == THUMB_SHA1 ? "SHA1" : "SHA256", digits, want);
		msg = why_buf;
		goto out;
	}
	if (digits < 8) {
		snprintf(why_buf, sizeof(why_buf),
			 "too short: %zu hex digits, at least 8 needed",
			 digits);
		msg = why_buf;
		goto out;
	}
	if (digits > 64) {
		snprintf(why_buf, sizeof(why_buf),
			 "too long: %zu hex digits, at most 64 allowed",
			 digits);
		msg = why_buf;
		goto out;
	}
	out->len = digits;
	out->hex[digits] = '\0';
	if (out->removed > 0)
		removed_list(out, nsp, ntab, ninv);
	out->kind = digits == 40   ? THUMB_SHA1
		    : digits == 64 ? THUMB_SHA256
				   : THUMB_PREFIX;
	rc = 0;
out:
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		if (why != NULL)
			*why = msg;
	}
	return rc;
}
