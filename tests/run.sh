#!/bin/sh
# run.sh UNIT_BINARY...: runs the unit test binaries and every
# tests/cli/t*.sh, each printing TAP, and ends with "N passed, N failed".
# CERTBIND_TEST_WRAP (e.g. "valgrind -q --error-exitcode=99") wraps
# every run of ./certbind in the CLI tests, and every unit test binary.
# TEST_JOBS tests run at a time (default: the number of CPUs); each test
# has its own temporary directory, so they do not meet.  Results are
# printed in the order the tests are named, as each one ends.  When a
# test fails, the logs of the run are kept (the path is printed).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pass=0 fail=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/certbind-tests.XXXXXX") || exit 2
keep=0
trap 'kill $(jobs -p) 2>/dev/null; [ "$keep" = 1 ] || rm -rf "$logdir"' EXIT
trap 'exit 130' INT TERM
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in
'' | *[!0-9]* | 0) jobs=1 ;;
esac

# The tests, one per line: NAME<TAB>COMMAND (word-split when run).
list=$logdir/list
: >"$list"
for t in "$@"; do
	printf '%s\tunit %s\n' "$(basename "$t")" "$t" >>"$list"
done
for t in tests/cli/t[0-9]*.sh; do
	[ -e "$t" ] || continue
	printf '%s\tsh %s\n' "$t" "$t" >>"$list"
done
total=$(wc -l <"$list")

# start I NAME KIND PATH: runs test I in the background; its TAP goes to
# $logdir/I.log and its exit status to $logdir/I.rc when it ends.
start() {
	(
		if [ "$3" = unit ]; then
			# shellcheck disable=SC2086
			CMOCKA_MESSAGE_OUTPUT=TAP ${CERTBIND_TEST_WRAP:-} "$4" \
			    >"$logdir/$1.log" 2>&1
		else
			sh "$4" >"$logdir/$1.log" 2>&1
		fi
		echo $? >"$logdir/$1.rc.tmp"
		mv "$logdir/$1.rc.tmp" "$logdir/$1.rc"
	) &
}

# report I NAME: adds test I's counts and prints its line.
report() {
	log=$logdir/$1.log
	rc=$(cat "$logdir/$1.rc")
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A crash or an abort that no TAP line reported is a failure.
		f=1
		echo "not ok - $2 exited with status $rc" >>"$log"
	fi
	pass=$((pass + p)) fail=$((fail + f))
	printf '%-40s %4d passed, %d failed\n' "$2" "$p" "$f"
	if [ "$f" -ne 0 ]; then
		grep -B2 -A12 '^not ok ' "$log" | sed 's/^/    /' | head -n 80
	fi
}

# name_of I: the name of test I.
name_of() {
	sed -n "${1}p" "$list" | cut -f1
}

next=1	 # the next test to start
shown=1	 # the next test to report
running=0
while [ "$shown" -le "$total" ]; do
	while [ "$running" -lt "$jobs" ] && [ "$next" -le "$total" ]; do
		line=$(sed -n "${next}p" "$list")
		cmd=${line#*	}
		start "$next" "${line%%	*}" "${cmd%% *}" "${cmd#* }"
		next=$((next + 1)) running=$((running + 1))
	done
	# Report every finished test in order; count the finished ones.
	while [ "$shown" -le "$total" ] && [ -e "$logdir/$shown.rc" ]; do
		report "$shown" "$(name_of "$shown")"
		shown=$((shown + 1))
	done
	done_now=0 i=1
	while [ "$i" -lt "$next" ]; do
		[ -e "$logdir/$i.rc" ] && done_now=$((done_now + 1))
		i=$((i + 1))
	done
	running=$((next - 1 - done_now))
	[ "$shown" -le "$total" ] && sleep 0.1
done
wait
# A failure under load may not come back: its whole log is kept.
if [ "$fail" -ne 0 ]; then
	keep=1
	echo "# the logs of this run are kept in $logdir"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
