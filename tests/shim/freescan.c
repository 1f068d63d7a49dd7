/*
 * freescan: an LD_PRELOAD allocator shim for tests/cli/t0032-store-secrets.sh
 * (test-only, never installed).  It wraps free, realloc and reallocarray
 * and, before a block is handed back to the C library, looks through the
 * whole block (malloc_usable_size) for the bytes CERTBIND_SHIM_MARKER gives
 * in hex.  Each block found is reported on standard error as
 *   certbind-shim: freed block of N bytes holds the marker
 * and the program goes on.  A realloc is scanned before it runs, since it
 * may free the old block after copying it.  Without the variable the
 * shim does nothing.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_realloc(void *, size_t);
void  __libc_free(void *);

static unsigned char marker[512];
static size_t	     markerlen;

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* No allocation here: it runs before main and from inside free. */
__attribute__((constructor)) static void
freescan_init(void)
{
	const char *h = getenv("CERTBIND_SHIM_MARKER");
	size_t	    i, n;
	int	    hi, lo;

	if (h == NULL || (n = strlen(h)) == 0 || n % 2 != 0 ||
	    n / 2 > sizeof(marker))
		return;
	for (i = 0; i < n / 2; i++) {
		if ((hi = hexval(h[2 * i])) == -1 ||
		    (lo = hexval(h[2 * i + 1])) == -1)
			return;
		marker[i] = (unsigned char)(hi << 4 | lo);
	}
	markerlen = n / 2;
}

static void
say(size_t size)
{
	char   msg[96], num[24];
	size_t i = sizeof(num), len;

	do
		num[--i] = (char)('0' + size % 10);
	while ((size /= 10) != 0 && i > 0);
	len = sizeof(num) - i;
	memcpy(msg, "certbind-shim: freed block of ", 30);
	memcpy(msg + 30, num + i, len);
	memcpy(msg + 30 + len, " bytes holds the marker\n", 24);
	(void)!write(2, msg, 30 + len + 24);
}

static void
scan(void *p)
{
	size_t size;

	if (p == NULL || markerlen == 0)
		return;
	size = malloc_usable_size(p);
	if (memmem(p, size, marker, markerlen) != NULL)
		say(size);
}

void
free(void *p)
{
	scan(p);
	__libc_free(p);
}

void *
realloc(void *p, size_t n)
{
	scan(p);
	return __libc_realloc(p, n);
}

/* The C library's own reallocarray calls its realloc directly. */
void *
reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, nmemb * size);
}
