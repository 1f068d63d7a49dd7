#!/bin/sh
# --format: each command takes the formats certbind(1) lists for it
# (validate also junit and prometheus, connectors, bind and renew powershell); any other format is a usage error (exit 64)
# naming the command and its formats, whether --format comes before or
# after the command name, before anything is read or written.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
PW="--password-file $PKI/password.txt"
C=$T/connectors.xml
cp "$PKI/connectors.xml" "$C"
M=$(openssl x509 -in "$S/mail.contoso.com.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
NAME='<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=mail.contoso.com'
G="-s $S $PW -c $C --at 2026-06-01"
BASIC='\(table, list or json\)'
# "COMMAND (ITS FORMATS)": connectors, bind and renew also take powershell
# (t0095, t0097).
OF="((bind|connectors|renew) \(table, list, json or powershell\)|(check|list|name|probe|resolve|show) $BASIC)"

# refused DESC ARGS...: a usage error naming the command and its formats,
# nothing on stdout.
refused() {
	_d=$1; shift
	run $G "$@"
	expect_rc 64 "$_d: exit 64"
	expect_err_has "^certbind [a-z]+: 'junit' is not a format of $OF$" \
	    "$_d: the message names the command and its formats"
	expect_err_has "^Try .certbind [a-z]+ --help'" "$_d: argp's usage-error hint"
	check "$_d: nothing on stdout" test ! -s "$out"
}

refused "name --format junit" name "$M" --format junit
expect_err_has "'junit' is not a format of name $BASIC" "name: named in the message"
refused "show -f junit" show -f junit "$M"
expect_err_has "'junit' is not a format of show $BASIC" "show: named in the message"
refused "list -f junit" list -f junit
refused "check -f junit" check "$M" --fqdn mail.contoso.com -f junit
expect_err_has "'junit' is not a format of check $BASIC" "check: named in the message"
refused "connectors -f junit" connectors -f junit
refused "bind -f junit" bind --identity '*' --fqdn mx.contoso.com -f junit
refused "renew -f junit" renew -f junit
refused "probe -f junit" probe 127.0.0.1:1 -f junit
refused "resolve -f junit" resolve "$NAME" -f junit
expect_err_has "'junit' is not a format of resolve $BASIC" "resolve: named in the message"
check "bind and renew wrote nothing" cmp -s "$C" "$PKI/connectors.xml"

# prometheus, too, is validate's alone: before or after the command name.
for c in "name $M" "show $M" list "check $M --fqdn mail.contoso.com" \
    connectors "bind --identity * --fqdn mx.contoso.com" renew \
    "probe 127.0.0.1:1"; do
	set -f
	# shellcheck disable=SC2086
	run $G $c -f prometheus
	expect_rc 64 "$c -f prometheus: exit 64"
	expect_err_has "^certbind [a-z]+: 'prometheus' is not a format of $OF$" \
	    "$c -f prometheus: the message names the command and its formats"
	check "$c -f prometheus: nothing on stdout" test ! -s "$out"
	# shellcheck disable=SC2086
	run $G --format prometheus $c
	expect_rc 64 "--format prometheus $c: exit 64"
	set +f
done
run $G resolve "$NAME" -f prometheus
expect_rc 64 "resolve -f prometheus: exit 64"
expect_err_has "'prometheus' is not a format of resolve $BASIC" "resolve: named in the message"
run -s "$T/missing" -c "$T/missing.xml" -f prometheus list
expect_rc 64 "a refused prometheus is 64 before the store is read"
check "nothing written by bind or renew" cmp -s "$C" "$PKI/connectors.xml"
run $G -f prometheus validate --no-chain
check "validate -f prometheus: exit 0 or 1" test "$rc" -le 1
expect_out_has "^# TYPE certbind_connector_result gauge$" "validate -f prometheus: the exposition format"
run $G validate --no-chain --format prometheus
check "validate --format prometheus after the name: exit 0 or 1" test "$rc" -le 1
run $G -f Prometheus validate
expect_rc 64 "format names are lower case: Prometheus is refused"

# Before the command name, the same check, the same message.
for c in "name $M" "show $M" list "check $M --fqdn mail.contoso.com" \
    connectors "bind --identity * --fqdn mx.contoso.com" renew "resolve"; do
	set -f
	# shellcheck disable=SC2086
	if [ "$c" = resolve ]; then refused "-f junit $c" -f junit resolve "$NAME"
	else refused "-f junit $c" -f junit $c; fi
	set +f
done
check "still nothing written" cmp -s "$C" "$PKI/connectors.xml"

# The check comes before the store or the config is read.
run -s "$T/missing" name "$M" -f junit
expect_rc 64 "a refused format is 64 even when the store is missing"
run -c "$T/missing.xml" -f junit connectors
expect_rc 64 "a refused format is 64 even when the config is missing"

# The last --format counts, wherever it is.
run $G -f junit name "$M" -f json
expect_rc 0 "-f junit before, -f json after: json"
check "the JSON document" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"
run $G -f json name "$M" -f junit
expect_rc 64 "-f json before, -f junit after: refused"

# A word that is no format at all: the same message, escaped.
run $G -f yaml name "$M"
expect_rc 64 "an unknown format is a usage error"
expect_err_has "'yaml' is not a format of name $BASIC" "the same message"
run $G -f "$(printf 'x\033[31m')" list
expect_rc 64 "a format with a control character is a usage error"
expect_err_has "'x\\\\x1B\\[31m' is not a format of list" "shown escaped"
run $G -f JSON list
expect_rc 64 "format names are lower case"

# Every command takes table, list and json.
for f in table list json; do
	run $G -f $f name "$M"
	expect_rc 0 "name -f $f"
	run $G show "$M" -f $f
	expect_rc 0 "show -f $f"
	run $G -f $f list
	expect_rc 0 "list -f $f"
	run $G -f $f connectors
	expect_rc 0 "connectors -f $f"
	run $G -f $f resolve "$NAME"
	expect_rc 0 "resolve -f $f"
	run $G -f $f check "$M" --fqdn mail.contoso.com --no-chain
	expect_rc 0 "check -f $f"
	run $G -f $f validate --no-chain
	check "validate -f $f: exit 0 or 1" test "$rc" -le 1
	run $G -f $f bind --identity "*" --advertise-client-settings true --dry-run
	expect_rc 0 "bind -f $f --dry-run"
	run $G -f $f renew --dry-run --no-chain
	check "renew -f $f --dry-run: exit 0 or 1" test "$rc" -le 1
done

# validate still has junit, before or after the command name.
run $G -f junit validate --no-chain
check "validate -f junit: exit 0 or 1" test "$rc" -le 1
check "validate -f junit: well-formed XML (xmllint)" xmllint --noout "$out"
expect_out_has "<testsuite" "validate -f junit: a testsuite"
run $G validate --format junit --no-chain
check "validate --format junit after the name: exit 0 or 1" test "$rc" -le 1
check "validate --format junit after the name: well-formed XML" xmllint --noout "$out"

# --help names the command's formats.
run name --help
expect_out_has "--format=FORMAT +output format: table, list or json$" "name --help: its formats"
run validate --help
tr -s ' \n' '  ' <"$out" >"$T/help1"
check "validate --help: also junit and prometheus" \
    grep -q -- "--format=FORMAT output format: table, list, json, junit or prometheus " "$T/help1"
done_testing
