#!/bin/sh
# run.sh UNIT_BINARY...: runs the unit test binaries and every
# tests/cli/t*.sh, each printing TAP, and ends with "N passed, N failed".
# CERTBIND_TEST_WRAP (e.g. "valgrind -q --error-exitcode=99") wraps
# every run of ./certbind in the CLI tests, and every unit test binary.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pass=0 fail=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/certbind-tests.XXXXXX") || exit 2
trap 'rm -rf "$logdir"' EXIT

run_one() {
	name=$1; shift
	log=$logdir/$(basename "$name").log
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A crash or an abort that no TAP line reported is a failure.
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	pass=$((pass + p)) fail=$((fail + f))
	printf '%-40s %4d passed, %d failed\n' "$name" "$p" "$f"
	if [ "$f" -ne 0 ]; then
		grep -B2 -A12 '^not ok ' "$log" | sed 's/^/    /' | head -n 80
	fi
}

for t in "$@"; do
	CMOCKA_MESSAGE_OUTPUT=TAP run_one "$(basename "$t")" ${CERTBIND_TEST_WRAP:-} "$t"
done
for t in tests/cli/t[0-9]*.sh; do
	[ -e "$t" ] || continue
	run_one "$t" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
