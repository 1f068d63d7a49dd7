/*
 * fold: case-insensitive comparison and globs over UTF-8, one decoder
 * (safe_utf8_next) underneath (certbind-connectors(5), Identities).
 */
#include <stdint.h>
#include <string.h>

#include "fold.h"
#include "safe.h"

unsigned long
fold_cp(unsigned long c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
	if (c < 0x100) {
		if (c == 0xb5)
			return 0x3bc;
		if (c >= 0xc0 && c <= 0xde && c != 0xd7)
			return c + 0x20;
		return c;
	}
	if (c < 0x180) {
		/* U+0130 folds only under Turkic rules; the rest have no pair.
		 */
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
			return c;
		if (c == 0x178)
			return 0xff;
		if (c == 0x17f)
			return 's';
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
			return (c & 1) ? c + 1 : c;
		return (c & 1) ? c : c + 1;
	}
	if (c >= 0x370 && c < 0x400) {
		if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
			return c + 0x20;
		if ((c >= 0x370 && c <= 0x373) || c == 0x376 ||
		    (c >= 0x3d8 && c <= 0x3ef) || c == 0x3f7 || c == 0x3fa)
			return (c & 1) ? c : c + 1;
		if (c >= 0x388 && c <= 0x38a)
			return c + 0x25;
		if (c == 0x38e || c == 0x38f)
			return c + 0x3f;
		if (c >= 0x3fd)
			return c - 0x82;
		switch (c) {
		case 0x37f:
			return 0x3f3;
		case 0x386:
			return 0x3ac;
		case 0x38c:
			return 0x3cc;
		case 0x3c2:
			return 0x3c3;
		case 0x3cf:
			return 0x3d7;
		case 0x3d0:
			return 0x3b2;
		case 0x3d1:
			return 0x3b8;
		case 0x3d5:
			return 0x3c6;
		case 0x3d6:
			return 0x3c0;
		case 0x3f0:
			return 0x3ba;
		case 0x3f1:
			return 0x3c1;
		case 0x3f4:
			return 0x3b8;
		case 0x3f5:
			return 0x3b5;
		case 0x3f9:
			return 0x3f2;
		default:
			return c;
		}
	}
	if (c >= 0x400 && c < 0x530) {
		if (c < 0x410)
			return c + 0x50;
		if (c < 0x430)
			return c + 0x20;
		if (c == 0x4c0)
			return 0x4cf;
		if (c >= 0x4c1 && c <= 0x4ce)
			return (c & 1) ? c + 1 : c;
		if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) ||
		    c >= 0x4d0)
			return (c & 1) ? c : c + 1;
		return c;
	}
	return c;
}

unsigned long
fold_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned long cp;
	size_t	      n;

	if ((n = safe_utf8_next(s + *i, len - *i, &cp)) == 0) {
		cp = 0x110000 + s[*i];
		n = 1;
	} else
		cp = fold_cp(cp);
	*i += n;
	return cp;
}

int
fold_casecmp_n(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t		     i = 0, j = 0;
	unsigned long	     x, y;

	while (i < alen && j < blen) {
		x = fold_next(p, alen, &i);
		y = fold_next(q, blen, &j);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (i == alen && j == blen)
		return 0;
	return i == alen ? -1 : 1;
}

int
fold_casecmp(const char *a, const char *b)
{
	return fold_casecmp_n(a, strlen(a), b, strlen(b));
}

/*
 * Iterative glob with one backtrack point: on a mismatch after a '*',
 * the star absorbs one more character.  Quadratic at worst, no
 * recursion, so a hostile pattern cannot exhaust the stack.
 */
int
fold_glob(const char *pattern, const char *str)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *s = (const unsigned char *)str;
	size_t		     plen = strlen(pattern), slen = strlen(str);
	size_t		     pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
	size_t		     np, ns;
	unsigned long	     pc, sc;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < plen) {
			np = pi;
			ns = si;
			pc = fold_next(p, plen, &np);
			sc = fold_next(s, slen, &ns);
			if (pc == '?' || pc == sc) {
				pi = np;
				si = ns;
				continue;
			}
		}
		if (star_p == SIZE_MAX)
			return 0;
		pi = star_p;
		(void)fold_next(s, slen, &star_s);
		si = star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}
