/*
 * mem: the one way an array grows, the one copy of a counted string
 * (mem.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int
mem_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	void  *p, *np;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap > 0 ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (size > 0 && ncap > SIZE_MAX / size)
		return -1;
	/*
	 * memcpy, not *(void **)pp: the array's pointer has its own type,
	 * and POSIX gives every object pointer one representation.
	 */
	memcpy(&p, pp, sizeof(p));
	if ((np = reallocarray(p, ncap, size)) == NULL)
		return -1;
	memcpy(pp, &np, sizeof(np));
	*cap = ncap;
	return 0;
}

char *
mem_dup(const void *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX || (p = malloc(len + 1)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

long
mem_line_at(const char *b, size_t pos)
{
	long   line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		if (b[i] == '\n')
			line++;
	return line;
}
