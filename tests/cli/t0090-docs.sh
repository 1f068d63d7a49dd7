#!/bin/sh
# The documentation stays true: every command and option that --help
# shows is in certbind(1); the man pages render without warnings; --help,
# --usage and --version work at top level and for every command.
. "$(dirname "$0")/lib.sh"
MAN=$top/man/certbind.1

run --help
expect_rc 0 "--help exits 0"
cmds=$(sed -n '/^Commands:/,/^$/p' "$out" | awk 'NR > 1 && NF { print $1 }')
check "--help lists the commands" test -n "$cmds"
for c in $cmds; do
	check "certbind(1) documents the command '$c'" grep -q "^\.It Cm $c\\b" "$MAN"
	run "$c" --help
	expect_rc 0 "$c --help exits 0"
	expect_out_has "^Usage: certbind $c" "$c --help names the command"
	run "$c" --usage
	expect_rc 0 "$c --usage exits 0"
	run "$c" --version
	expect_out_has "^certbind [0-9]" "$c --version prints the version"
	# The options argp lists (lines starting with blanks), not the text.
	for o in $(run "$c" --help; grep -E '^ +(-[a-zA-Z?], )?--[a-z]' "$out" |
	    grep -Eo -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $o in --help|--usage|--version) continue ;; esac
		check "certbind(1) documents $c's option $o" \
		    grep -q -- "Fl -${o#--}\\b" "$MAN"
	done
done
run --version
expect_out_has "^certbind [0-9]+\.[0-9]+" "--version"
run frobnicate
expect_rc 64 "an unknown command is a usage error"
expect_err_has "unknown command 'frobnicate'; 'certbind --help' lists the commands" "that says how to get help"
run
expect_rc 64 "no command is a usage error"
expect_err_has "no command given" "saying so"

if command -v mandoc >/dev/null; then
	for m in "$top"/man/*.[1-8]; do
		mandoc -Tlint -Wwarning "$m" >"$T/lint" 2>&1
		check "$(basename "$m"): mandoc -Tlint has no warnings" \
		    sh -c "! grep -v 'mandoc.db\|referenced manual not found' '$T/lint' | grep -q ."
	done
else
	ok "# SKIP mandoc is not installed"
fi
if command -v groff >/dev/null; then
	for m in "$top"/man/*.[1-8]; do
		groff -mandoc -ww -z "$m" >"$T/groff" 2>&1
		check "$(basename "$m"): groff -ww renders without warnings" test ! -s "$T/groff"
	done
else
	ok "# SKIP groff is not installed"
fi
done_testing
