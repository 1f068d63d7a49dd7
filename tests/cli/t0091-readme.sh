#!/bin/sh
# Every command of README.md's tour runs as written, from the top of the
# source tree, and succeeds with output.  (The first block, make demo and
# make check, is what the whole test suite and the demo target prove.)
. "$(dirname "$0")/lib.sh"
cd "$top" || exit 2
awk '/^## / { on = 0 } /^## A short tour/ { on = 1 } on && /^```sh$/ { blk++; inb = 1; next }
    inb && /^```$/ { inb = 0; next } inb { print blk "\t" $0 }' README.md >"$T/cmds"
check "the tour has commands" test -s "$T/cmds"
for b in $(cut -f1 "$T/cmds" | sort -un); do
	awk -F '\t' -v b="$b" '$1 == b { sub(/^[0-9]+\t/, ""); print }' "$T/cmds" >"$T/blk$b.sh"
	first=$(grep -v '^[A-Z]*=' "$T/blk$b.sh" | head -n 1)
	# Blocks share shell variables (X=...) in order, as a reader's shell
	# would: earlier blocks' assignments run first.
	cat "$T"/blk[0-9]*.sh | grep '^[A-Z]*=' >"$T/vars.sh"
	cat "$T/vars.sh" "$T/blk$b.sh" >"$T/run$b.sh"
	sh -e "$T/run$b.sh" >"$out" 2>"$err"; rc=$?
	expect_rc 0 "README block $b runs: $first"
	check "README block $b prints something" test -s "$out"
done
done_testing
