# lib.sh: sourced by every tests/cli/tNNNN-*.sh.  Prints TAP.
#   run ARGS...           runs ./certbind, sets $out, $err (file paths), $rc
#   expect_rc N DESC      ok when the last run exited N
#   expect_out TEXT DESC  ok when stdout equals TEXT exactly
#   expect_err_has RE DESC  ok when stderr matches the grep -E RE
#   expect_out_has RE DESC  ok when stdout matches the grep -E RE
#   ok DESC / not_ok DESC / check COND... DESC
#   done_testing          prints the plan
top=$(cd "$(dirname "$0")/../.." && pwd)
PKI=$top/certs-test
BIN=$top/certbind
T=$(mktemp -d "${TMPDIR:-/tmp}/certbind-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
out=$T/stdout err=$T/stderr
n=0
unset CERTBIND_STORE CERTBIND_CONFIG CERTBIND_PASSWORD
export LC_ALL=C.UTF-8

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() {
	n=$((n + 1)); echo "not ok $n - $*"
	echo "#   exit status: $rc"
	sed 's/^/#   stdout: /' "$out" | head -n 20
	sed 's/^/#   stderr: /' "$err" | head -n 20
}
run() {
	${CERTBIND_TEST_WRAP:-} "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
}
# run_in STDIN ARGS...: like run, with STDIN's text on standard input
run_in() {
	_in=$1; shift
	printf '%s' "$_in" | ${CERTBIND_TEST_WRAP:-} "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
}
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2"; else not_ok "$2 (want exit $1)"; fi
}
expect_out() {
	if [ "$(cat "$out")" = "$1" ]; then ok "$2"; else
		not_ok "$2"; printf '%s\n' "$1" | sed 's/^/#   wanted: /'; fi
}
expect_out_has() {
	if grep -Eq -- "$1" "$out"; then ok "$2"; else not_ok "$2 (stdout lacks /$1/)"; fi
}
expect_out_lacks() {
	if grep -Eq -- "$1" "$out"; then not_ok "$2 (stdout has /$1/)"; else ok "$2"; fi
}
expect_err_has() {
	if grep -Eq -- "$1" "$err"; then ok "$2"; else not_ok "$2 (stderr lacks /$1/)"; fi
}
expect_err_empty() {
	if [ -s "$err" ]; then not_ok "$1 (stderr not empty)"; else ok "$1"; fi
}
check() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}
done_testing() { echo "1..$n"; }
