/*
 * diff: the unified diff that --dry-run shows (certbind(1)), of any two
 * texts: Myers' O(ND) algorithm on lines, after the common prefix and
 * suffix are set aside, with diff -u's hunks and markers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

struct line {
	const char   *p;
	size_t	      len; /* with its '\n', if it has one */
	unsigned long hash;
};

static struct line *
split_lines(const char *s, size_t len, size_t *n)
{
	struct line  *v;
	const char   *nl;
	size_t	      count = 0, i, pos;
	unsigned long h;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			count++;
	if (len > 0 && s[len - 1] != '\n')
		count++;
	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		return NULL;
	for (pos = 0, i = 0; pos < len; i++) {
		nl = memchr(s + pos, '\n', len - pos);
		v[i].p = s + pos;
		v[i].len = nl == NULL ? len - pos : (size_t)(nl - s) + 1 - pos;
		for (h = 5381, count = 0; count < v[i].len; count++)
			h = h * 33 + (unsigned char)v[i].p[count];
		v[i].hash = h;
		pos += v[i].len;
	}
	*n = i;
	return v;
}

static int
line_eq(const struct line *a, const struct line *b)
{
	return a->hash == b->hash && a->len == b->len &&
	       memcmp(a->p, b->p, a->len) == 0;
}

/* Beyond this many edits the diff gives up on finding a short script. */
#define DIFF_MAX_D 1000

/*
 * Myers' O(ND) greedy algorithm on a[0..n) and b[0..m), marking deleted
 * lines of a in del and inserted lines of b in ins.  Each round's
 * frontier is kept for the walk back (O(D²) memory, hence the bound;
 * past it every line is marked, which is still a correct diff).
 */
static int
myers(const struct line *a, size_t n, const struct line *b, size_t m, char *del,
      char *ins)
{
	long  *v = NULL, *trace = NULL, *prev;
	long   maxd, d, k, x, y, px, pk, off, N = (long)n, M = (long)m;
	size_t i, tlen;
	int    rc = -1;

	maxd = N + M < DIFF_MAX_D ? N + M : DIFF_MAX_D;
	tlen = (size_t)(maxd + 1) * (size_t)(maxd + 1) + 1;
	if ((v = calloc((size_t)(2 * maxd + 3), sizeof(*v))) == NULL ||
	    (trace = calloc(tlen, sizeof(*trace))) == NULL)
		goto out;
	off = maxd + 1;
	for (d = 0; d <= maxd; d++) {
		for (k = -d; k <= d; k += 2) {
			if (k == -d ||
			    (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < N && y < M && line_eq(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= N && y >= M)
				goto found;
		}
		/* Round d's frontier, k = -d..d, starts at d². */
		memcpy(trace + d * d, v + off - d,
		       (size_t)(2 * d + 1) * sizeof(*v));
	}
	for (i = 0; i < n; i++)
		del[i] = 1;
	for (i = 0; i < m; i++)
		ins[i] = 1;
	rc = 0;
	goto out;
found:
	x = N;
	y = M;
	for (; d > 0; d--) {
		prev = trace + (d - 1) * (d - 1) + (d - 1); /* k = 0 */
		k = x - y;
		if (k == -d || (k != d && prev[k - 1] < prev[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = prev[pk];
		/* The snake from the edit to (x, y) is all equal lines. */
		if (pk == k + 1)
			ins[px - pk] = 1;
		else
			del[px] = 1;
		x = px;
		y = px - pk;
	}
	rc = 0;
out:
	free(v);
	free(trace);
	return rc;
}

static void
emit_line(FILE *o, char tag, const struct line *l)
{
	putc(tag, o);
	fwrite(l->p, 1, l->len, o);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", o);
}

static void
emit_range(FILE *o, char tag, size_t start, size_t count)
{
	if (count == 1)
		fprintf(o, " %c%zu", tag, start + 1);
	else
		fprintf(o, " %c%zu,%zu", tag, count == 0 ? start : start + 1,
			count);
}

#define CTX 3

char *
diff_unified(const char *old, size_t oldlen, const char *new, size_t newlen,
	     const char *label, size_t *outlen)
{
	FILE	    *o;
	struct line *a = NULL, *b = NULL;
	char	    *del = NULL, *ins = NULL, *buf = NULL;
	size_t	     n = 0, m = 0, pre = 0, suf = 0, i, j, hi, hj, ei, ej;
	size_t	     ci, cj, gap, len;
	int	     failed = 1;

	if ((o = open_memstream(&buf, &len)) == NULL)
		return NULL;
	if ((a = split_lines(old, oldlen, &n)) == NULL ||
	    (b = split_lines(new, newlen, &m)) == NULL ||
	    (del = calloc(n + 1, 1)) == NULL ||
	    (ins = calloc(m + 1, 1)) == NULL)
		goto out;
	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre &&
	       line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	if (myers(a + pre, n - pre - suf, b + pre, m - pre - suf, del + pre,
		  ins + pre) == -1)
		goto out;
	if (pre == n && pre == m)
		goto done;
	fprintf(o, "--- a/%s\n+++ b/%s\n", label, label);

	i = j = 0;
	while (i < n || j < m) {
		/* Find the next change. */
		while (i < n && j < m && !del[i] && !ins[j])
			i++, j++;
		if (i >= n && j >= m)
			break;
		/* Extend the hunk while changes are within 2*CTX lines. */
		hi = i > CTX ? i - CTX : 0;
		hj = j - (i - hi);
		ei = i;
		ej = j;
		for (;;) {
			while ((ei < n && del[ei]) || (ej < m && ins[ej])) {
				if (ei < n && del[ei])
					ei++;
				else
					ej++;
			}
			for (gap = 0, ci = ei, cj = ej;
			     ci < n && cj < m && !del[ci] && !ins[cj] &&
			     gap <= 2 * CTX;
			     gap++)
				ci++, cj++;
			if (gap > 2 * CTX || (ci >= n && cj >= m))
				break;
			ei = ci;
			ej = cj;
		}
		ci = ei + CTX < n ? ei + CTX : n;
		cj = ej + (ci - ei);
		fputs("@@", o);
		emit_range(o, '-', hi, ci - hi);
		emit_range(o, '+', hj, cj - hj);
		fputs(" @@\n", o);
		while (hi < ci || hj < cj) {
			if (hi < n && del[hi])
				emit_line(o, '-', &a[hi++]);
			else if (hj < m && ins[hj])
				emit_line(o, '+', &b[hj++]);
			else {
				emit_line(o, ' ', &a[hi]);
				hi++, hj++;
			}
		}
		i = ci;
		j = cj;
	}
done:
	failed = ferror(o);
out:
	if (fclose(o) != 0)
		failed = 1;
	free(a);
	free(b);
	free(del);
	free(ins);
	if (failed) {
		free(buf);
		return NULL;
	}
	*outlen = len;
	return buf;
}
