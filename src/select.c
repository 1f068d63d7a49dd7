#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "connectors.h"
#include "select.h"
#include "store.h"

/* Is (s, 3) the tag "<c>" in any case? */
static int
tag(const char *s, char c)
{
	return s[0] == '<' && (s[1] == c || s[1] == c + 'a' - 'A') &&
	    s[2] == '>';
}

int
sel_parse(const char *s, size_t len, struct sel_name *out, const char **why)
{
	size_t	 i;
	int	 quoted = 0;

	if (len < 6 || !tag(s, 'I')) {
		*why = "does not begin with <I>";
		return -1;
	}
	/* A '<' inside a quoted value is part of the value (SPEC §5). */
	for (i = 3; i + 3 <= len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && tag(s + i, 'S'))
			break;
	}
	if (i + 3 > len) {
		*why = "has no <S> after the issuer";
		return -1;
	}
	out->issuer = s + 3;
	out->ilen = i - 3;
	out->subject = s + i + 3;
	out->slen = len - i - 3;
	return 0;
}

int
sel_matches(struct cert *c, const struct sel_name *n)
{
	const char	*iss, *sub;
	size_t		 ilen, slen;

	if ((iss = cert_get0_issuer(c, &ilen)) == NULL ||
	    (sub = cert_get0_subject(c, &slen)) == NULL)
		return -1;
	return conn_casecmp_n(iss, ilen, n->issuer, n->ilen) == 0 &&
	    conn_casecmp_n(sub, slen, n->subject, n->slen) == 0;
}

static time_t	 sort_at;

/* Best first: usable (valid and keyed), NotAfter, NotBefore, Thumbprint. */
static int
prefer(const void *a, const void *b)
{
	const struct cert	*x = *(struct cert *const *)a;
	const struct cert	*y = *(struct cert *const *)b;
	int			 ux, uy;

	ux = x->has_key && cert_status(x, sort_at) == CERT_STATUS_VALID;
	uy = y->has_key && cert_status(y, sort_at) == CERT_STATUS_VALID;
	if (ux != uy)
		return uy - ux;
	if (x->not_after != y->not_after)
		return x->not_after > y->not_after ? -1 : 1;
	if (x->not_before != y->not_before)
		return x->not_before > y->not_before ? -1 : 1;
	return memcmp(x->sha1, y->sha1, sizeof(x->sha1));
}

struct cert **
sel_select(struct store *st, const struct sel_name *n, time_t at, size_t *np)
{
	struct cert	**v = NULL, **nv, *c;
	size_t		  i, cnt = 0, cap = 0;

	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		if (sel_matches(c, n) != 1)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				*np = (size_t)-1;
				return NULL;
			}
			v = nv;
		}
		v[cnt++] = c;
	}
	sort_at = at;
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), prefer);
	*np = cnt;
	return v;
}
