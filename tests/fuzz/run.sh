#!/bin/sh
# run.sh SECONDS NAME...: runs build/fuzz/fuzz_NAME for SECONDS each on a
# scratch corpus seeded from tests/fuzz/corpus/NAME (new inputs go to
# build/fuzz/work/NAME, never into the committed corpus), with
# tests/fuzz/NAME.dict when there is one.  Prints one line per harness
# (executions, covered edges and features) and the crash, leak or
# timeout that stopped it, with the input it saved under
# build/fuzz/artifacts/.  Exit status 1 when any harness failed.
# FUZZ_OPTS adds libFuzzer options (e.g. -jobs=2).
secs=${1:?usage: run.sh SECONDS NAME...}; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
fb=build/fuzz
mkdir -p "$fb/artifacts" "$fb/logs" || exit 2
status=0
for name in "$@"; do
	bin=$fb/fuzz_$name work=$fb/work/$name log=$fb/logs/$name.log
	mkdir -p "$work" || exit 2
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	# -timeout: a slow input is a finding too (a store must load in
	# bounded time); the fixed -seed keeps a CI run reproducible.
	"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$fb/artifacts/$name-" $dict ${FUZZ_OPTS:-} \
	    "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		printf 'fuzz_%-6s %10s executions, %s\n' "$name" "${runs:-?}" "$cov"
	else
		status=1
		printf 'fuzz_%-6s FAILED (exit %d) after %s executions, %s\n' \
		    "$name" "$rc" "${runs:-?}" "$cov"
		grep -E '^==[0-9]+==ERROR|SUMMARY|^artifact_prefix|Test unit written' \
		    "$log" | sed 's/^/    /' | head -n 10
		echo "    full log: $log"
	fi
done
exit $status
