/*
 * test_mem: mem_grow, the one way an array grows: room for what is
 * asked, the array kept, and nothing changed when the size would
 * overflow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grows),
	    cmocka_unit_test(test_room_already),
	    cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
