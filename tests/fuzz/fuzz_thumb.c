/*
 * fuzz_thumb: thumb_parse (certbind(1) THUMBPRINTS) on arbitrary bytes.  Checks
 * the contract of thumb.h on every result, not only the absence of crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "thumb.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct thumb t;
	const char  *why = NULL;
	size_t	     i;

	if (thumb_parse((const char *)data, size, &t, &why) == -1) {
		if (why == NULL || *why == '\0' || !all_zero(&t, sizeof(t)))
			abort();
		/* Messages never carry control characters (thumb.h). */
		for (i = 0; why[i] != '\0'; i++)
			if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
				abort();
		return 0;
	}
	if (t.len < 8 || t.len > 64 || strlen(t.hex) != t.len)
		abort();
	for (i = 0; i < t.len; i++)
		if (strchr("0123456789ABCDEF", t.hex[i]) == NULL)
			abort();
	switch (t.kind) {
	case THUMB_SHA1:
		if (t.len != 40)
			abort();
		break;
	case THUMB_SHA256:
		if (t.len != 64)
			abort();
		break;
	case THUMB_PREFIX:
		if (t.len == 40 || t.len == 64)
			abort();
		break;
	default:
		abort();
	}
	if ((t.removed == 0) != (t.removed_desc[0] == '\0') ||
	    memchr(t.removed_desc, '\0', sizeof(t.removed_desc)) == NULL)
		abort();
	return 0;
}
