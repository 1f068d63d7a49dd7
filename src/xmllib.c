/*
 * xmllib: libxml2 opened with dlopen(3) on first use (see xmllib.h).
 */
#include <dlfcn.h>
#include <string.h>

#define XMLLIB_NO_MACROS
#include "xmllib.h"

#ifndef XMLLIB_SONAME
#define XMLLIB_SONAME "libxml2.so.2"
#endif

struct xmllib xmllib;

/* Looks name up; 0, or -1 when the library lacks it. */
static int
sym(void *h, const char *name, void *fp, size_t size)
{
	void *p;

	if ((p = dlsym(h, name)) == NULL)
		return -1;
	/* ISO C has no cast from void * to a function pointer; POSIX
	 * guarantees they have the same representation. */
	memcpy(fp, &p, size);
	return 0;
}

int
xmllib_open(const char **why)
{
	static int    state; /* 0 not tried, 1 open, -1 failed */
	struct xmllib t;
	void	     *h;

	*why = "cannot load the XML library " XMLLIB_SONAME;
	if (state != 0)
		return state == 1 ? 0 : -1;
	state = -1;
	memset(&t, 0, sizeof(t));
	/* Never unloaded: its atexit handlers and threads' keys stay valid. */
	if ((h = dlopen(XMLLIB_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return -1;
#define X(f)                                                                   \
	if (sym(h, #f, &t.f, sizeof(t.f)) == -1)                               \
		return -1;
	XMLLIB_FUNCS(X)
#undef X
	if (sym(h, "xmlFree", &t.xmlFree, sizeof(t.xmlFree)) == -1)
		return -1;
	xmllib = t;
	state = 1;
	return 0;
}
