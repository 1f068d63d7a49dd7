#!/bin/sh
# run.sh: the measurements of `make bench` (see README.md, "Performance").
#
#	sh bench/run.sh CERTBIND FLOOR GENCERTS TIMEIT GENCONNS DATADIR [N...]
#
# For each N it makes a store with GENCERTS (once; kept in DATADIR/N),
# then runs each pair -- certbind and its reference -- ROUNDS times in
# alternation and prints the median wall time of each, their ratio and
# certbind's peak RSS (the largest of its runs: ru_maxrss, as
# /usr/bin/time -v reports it, measured by TIMEIT).  Then the two
# configuration benchmarks: bind on BIND_CONNS connectors (10,000)
# against xmlstarlet making the same change, and validate of VAL_CONNS
# connectors (2,000) against list, both on a VAL_CERTS store (30,000),
# and renew --dry-run of those connectors against validate;
# GENCONNS writes their configurations.  BENCH_PARTS=store, =config
# runs one half only.  The start-up pair (one certificate) runs
# START_ROUNDS times (41).  The store pairs run with a configuration of
# four connectors present (CERTBIND_CONFIG), as users run certbind.
set -eu
CB=$(realpath "$1"); FLOOR=$(realpath "$2"); GEN=$(realpath "$3")
TIMEIT=$(realpath "$4"); GENCONNS=$(realpath "$5"); DATA=$6
shift 6
SIZES=${*:-1000 10000 100000}
ROUNDS=${ROUNDS:-5}
AT=--at=2026-06-01
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$DATA"
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

# pair NAME N "CERTBIND-ARGS" "REFERENCE-CMD" ["PREP-CMD"]: PREP-CMD
# (untimed) runs before each run of either, e.g. to restore a file that
# both change.
pair() {
	rm -f "$TMP"/a.* "$TMP"/b.*
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		# shellcheck disable=SC2086
		[ -z "${5:-}" ] || $5
		# shellcheck disable=SC2086
		one a $3
		# shellcheck disable=SC2086
		[ -z "${5:-}" ] || $5
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
PARTS=${BENCH_PARTS:-store config}
case " $PARTS " in *" store "*) ;; *) SIZES= ;; esac
for n in $SIZES; do
	d=$DATA/$n
	if [ ! -f "$d/done" ]; then
		rm -rf "$d"
		"$GEN" "$d" "$n"
		touch "$d/done"
	fi
	# A configuration is present, as where users run it: four
	# connectors bound to certificates of the store (list's Services).
	[ -f "$d/conns.xml" ] || "$GENCONNS" "$d/conns.xml" 4 "$n" bound
	export CERTBIND_CONFIG="$d/conns.xml"
	# Start-up: a few milliseconds that vary from run to run by as
	# much, so this pair gets START_ROUNDS (41) rounds.
	if [ "$n" = "$(echo $SIZES | awk '{ print $1 }')" ]; then
		r=$ROUNDS
		ROUNDS=${START_ROUNDS:-41}
		pair "list (1 cert) vs floor" 1 \
		    "$CB --store $d/one $AT list --format json" "$FLOOR $d/one"
		ROUNDS=$r
	fi
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

# store N: the store of N certificates, made once.
store() {
	d=$DATA/$1
	if [ ! -f "$d/done" ]; then
		rm -rf "$d"
		"$GEN" "$d" "$1" >/dev/null
		touch "$d/done"
	fi
}

case " $PARTS " in *" config "*) ;; *) exit 0 ;; esac
BC=${BIND_CONNS:-10000}
VC=${VAL_CONNS:-2000}
VN=${VAL_CERTS:-30000}
store "$VN"
d=$DATA/$VN
[ -f "$DATA/bind-$BC.xml" ] || "$GENCONNS" "$DATA/bind-$BC.xml" "$BC" 1 empty
[ -f "$DATA/val-$VC-$VN.xml" ] ||
    "$GENCONNS" "$DATA/val-$VC-$VN.xml" "$VC" "$VN" bound
# list, validate's reference, reads the same configuration.
export CERTBIND_CONFIG="$DATA/val-$VC-$VN.xml"
t=$(openssl x509 -in "$d/one/leaf.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
name=$(CERTBIND_CONFIG=/nonexistent "$CB" --store "$d/one" name "$t")
# The commands carry spaces and '*': each side is a script that execs
# it, so both pay the same shell start-up.
cat >"$TMP/bind-a.sh" <<EOF
exec "$CB" --store "$d/one" --config "$TMP/bind.xml" --ca-file "$d/ca.pem" \\
    $AT bind --identity '*' --thumbprint "$t"
EOF
cat >"$TMP/bind-b.sh" <<EOF
exec xmlstarlet ed -L -u /ReceiveConnectors/ReceiveConnector/TlsCertificateName \\
    -v '$name' "$TMP/bind.xml"
EOF
cp "$DATA/bind-$BC.xml" "$TMP/bind.xml"
# Both change every connector's TlsCertificateName; certbind also runs
# every check of the certificate against each connector's Fqdn.
pair "bind --identity '*' vs xmlstarlet" "$BC" "sh $TMP/bind-a.sh" \
    "sh $TMP/bind-b.sh" "cp $DATA/bind-$BC.xml $TMP/bind.xml"
pair "validate $VC connectors vs list" "$VN" \
    "$CB --store $d/bundle.pem --config $DATA/val-$VC-$VN.xml --ca-file $d/ca.pem $AT validate --format json" \
    "$CB --store $d/bundle.pem $AT list --format json"
# renew --dry-run of the same connectors: each looks for the best
# certificate for its Fqdn in the whole store (no target; reported).
pair "renew $VC connectors vs validate" "$VN" \
    "$CB --store $d/bundle.pem --config $DATA/val-$VC-$VN.xml --ca-file $d/ca.pem $AT renew --dry-run --format json" \
    "$CB --store $d/bundle.pem --config $DATA/val-$VC-$VN.xml --ca-file $d/ca.pem $AT validate --format json"
