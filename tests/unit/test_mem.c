/*
 * test_mem: mem_grow, the one way an array grows: room for what is
 * asked, the array kept, and nothing changed when the size would
 * overflow; mem_dup, the one copy of a counted string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"

static void
test_grows(void **state)
{
	int   *v = NULL;
	size_t cap = 0, n, i;

	(void)state;
	for (n = 0; n < 1000; n++) {
		assert_int_equal(mem_grow(&v, &cap, n + 1, sizeof(*v)), 0);
		assert_true(cap >= n + 1);
		v[n] = (int)n;
	}
	for (i = 0; i < n; i++)
		assert_int_equal(v[i], (int)i);
	free(v);
}

static void
test_room_already(void **state)
{
	int   *v = NULL, *was;
	size_t cap = 0;

	(void)state;
	assert_int_equal(mem_grow(&v, &cap, 1, sizeof(*v)), 0);
	assert_int_equal(cap, 8);
	was = v;
	assert_int_equal(mem_grow(&v, &cap, 8, sizeof(*v)), 0);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, 8);
	assert_int_equal(mem_grow(&v, &cap, 100, sizeof(*v)), 0);
	assert_int_equal(cap, 128);
	free(v);
}

static void
test_overflow(void **state)
{
	char  *v = NULL, *was;
	size_t cap = 0;

	(void)state;
	assert_int_equal(mem_grow(&v, &cap, 4, 16), 0);
	was = v;
	assert_int_equal(mem_grow(&v, &cap, SIZE_MAX / 8, 16), -1);
	assert_int_equal(mem_grow(&v, &cap, SIZE_MAX, 1), -1);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, 8);
	free(v);
}

/* Embedded NULs are copied, a NUL is added, and (NULL, 0) is "". */
static void
test_dup(void **state)
{
	char *p;

	(void)state;
	p = mem_dup("a\0b", 3);
	assert_non_null(p);
	assert_memory_equal(p, "a\0b\0", 4);
	free(p);
	p = mem_dup(NULL, 0);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	assert_null(mem_dup("x", SIZE_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grows),
	    cmocka_unit_test(test_room_already),
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
