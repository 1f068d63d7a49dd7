#!/bin/sh
# run.sh: the measurements of `make bench` (see README.md, "Performance").
#
#	sh bench/run.sh CERTBIND FLOOR GENCERTS TIMEIT DATADIR [N...]
#
# For each N it makes a store with GENCERTS (once; kept in DATADIR/N),
# then runs each pair -- certbind and its reference -- ROUNDS times in
# alternation and prints the median wall time of each, their ratio and
# certbind's peak RSS (the largest of its runs: ru_maxrss, as
# /usr/bin/time -v reports it, measured by TIMEIT).
set -eu
CB=$(realpath "$1"); FLOOR=$(realpath "$2"); GEN=$(realpath "$3")
TIMEIT=$(realpath "$4"); DATA=$5
shift 5
SIZES=${*:-1000 10000 100000}
ROUNDS=${ROUNDS:-5}
AT=--at=2026-06-01
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$DATA"
# No connector configuration: Services stays empty for both.
export CERTBIND_CONFIG=/nonexistent/connectors.xml
unset CERTBIND_STORE CERTBIND_PASSWORD || true

# one LABEL CMD...: runs CMD once, output discarded; appends its wall
# time (ns) to $TMP/LABEL.t and its peak RSS (KiB) to $TMP/LABEL.m.
one() {
	l=$1; shift
	"$TIMEIT" "$@" >"$TMP/r" 2>"$TMP/err" || {
		echo "bench: command failed: $*" >&2; cat "$TMP/err" >&2; exit 1; }
	read -r t m <"$TMP/r"
	echo "$t" >>"$TMP/$l.t"
	echo "$m" >>"$TMP/$l.m"
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maxof() { sort -n "$1" | tail -n 1; }

ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

# pair NAME N "CERTBIND-ARGS" "REFERENCE-CMD"
pair() {
	rm -f "$TMP"/a.* "$TMP"/b.*
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		# shellcheck disable=SC2086
		one a $3
		# shellcheck disable=SC2086
		one b $4
		i=$((i + 1))
	done
	a=$(median "$TMP/a.t"); b=$(median "$TMP/b.t")
	printf '%-34s %7s %11s %11s %6s %8s\n' "$1" "$2" "$(ms "$a")" \
	    "$(ms "$b")" "$(awk -v a="$a" -v b="$b" \
	    'BEGIN { printf "%.2f", a / b }')" "$(($(maxof "$TMP/a.m") / 1024))"
}

printf '%-34s %7s %11s %11s %6s %8s\n' command N "certbind ms" \
    "ref ms" ratio "RSS MiB"
for n in $SIZES; do
	d=$DATA/$n
	if [ ! -f "$d/done" ]; then
		rm -rf "$d"
		"$GEN" "$d" "$n"
		touch "$d/done"
	fi
	[ "$n" = "$(echo $SIZES | awk '{ print $1 }')" ] &&
	    pair "list (1 cert) vs floor" 1 \
	    "$CB --store $d/one $AT list --format json" "$FLOOR $d/one"
	pair "list --format json, bundle" "$n" \
	    "$CB --store $d/bundle.pem $AT list --format json" \
	    "$FLOOR $d/bundle.pem"
	pair "list --format json, files" "$n" \
	    "$CB --store $d/certs $AT list --format json" "$FLOOR $d/certs"
	t=$(openssl x509 -in "$d/certs/leaf-$(printf %06d $((n - 1))).pem" \
	    -noout -fingerprint -sha1 | sed 's/.*=//')
	pair "show THUMBPRINT vs list, bundle" "$n" \
	    "$CB --store $d/bundle.pem $AT show $t --format json" \
	    "$CB --store $d/bundle.pem $AT list --format json"
done
