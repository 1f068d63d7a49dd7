#!/bin/sh
# import (certbind(1) import): Exchange's exports merged into the
# configuration.  Oracles: python3 reads every export itself with its own
# xml, json and csv modules and its own mapping (tests/cli/import_oracle.py),
# reads the result with xml.etree, and builds the bytes expected outside
# the changed fields; patch(1) for --dry-run; cmp and stat for the files
# that must not change.
. "$(dirname "$0")/lib.sh"
E=$PKI/exports
H=$E/hostile
O="python3 $top/tests/cli/import_oracle.py"
D=$T/d
mkdir "$D"
C=$D/connectors.xml
fresh() { cp "$PKI/connectors.xml" "$C"; }
# A copy of the test config whose root is <Connectors>.
connectors_root() {
	sed 's/<ReceiveConnectors>/<Connectors>/; s#</ReceiveConnectors>#</Connectors>#' \
	    "$PKI/connectors.xml" >"$C"
}

# --- a new configuration, from every format
for f in receive-utf16.xml receive-utf8.xml send-utf8bom.xml receive.json \
    send.json receive.csv send.csv; do
	rm -f "$C"
	run -c "$C" import "$E/$f"
	expect_rc 0 "import $f into a new configuration"
	check "$f: the result holds what python reads in the export" \
	    $O check "$C" /dev/null "$E/$f"
done
run -c "$C" -f json import "$E/send.csv"
expect_rc 0 "importing again exits 0"
check "and reports every connector Unchanged (JSON)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Result"] == "Unchanged", d
assert [c["Result"] for c in d["Connectors"]] == ["Unchanged"] * 2, d' "$out"

# --- an existing configuration: only the exported fields change
fresh
cp "$C" "$T/before"
run -c "$C" import "$E/receive-utf16.xml"
expect_rc 0 "import into the test configuration"
check "the connectors hold the export's values (python oracle)" \
    $O check "$C" "$T/before" "$E/receive-utf16.xml"
check "every byte outside the exported fields is the original's" \
    $O bytes "$C" "$T/before" "$E/receive-utf16.xml"
expect_out_has '^MAILBOX01\\Client Frontend MAILBOX01 +Updated +Fqdn +mail\.contoso\.com +mail2\.contoso\.com *$' \
    "an Updated row names the field, old and new value"
expect_out_has '^MAILBOX03\\Relay & <Apps> MAILBOX03 +Added +Fqdn +relay\.contoso\.com *$' \
    "an Added row for the new connector"
expect_out_has '^MAILBOX01\\Default Frontend MAILBOX01 +Unchanged *$' \
    "an Unchanged row for a connector that matches"
check "xmllint finds the result well-formed" xmllint --noout "$C"
run -c "$C" validate --store "$PKI/store" --at 2026-06-01T00:00:00Z
check "validate loads the result (exit 0 or 1, not 2)" test "$rc" -lt 2

# Identities compare case-insensitively: a differently cased export
# updates, it does not add.
fresh
sed 's/Client Frontend MAILBOX01/CLIENT FRONTEND mailbox01/g' \
    "$E/receive-utf8.xml" >"$T/case.xml"
run -c "$C" import "$T/case.xml"
expect_rc 0 "an identity in another case"
check "updates the connector: no new one" test \
    "$(grep -c '<Name>Client Frontend MAILBOX01</Name>' "$C"):$(grep -c 'CLIENT FRONTEND mailbox01' "$C")" = "1:0"

# A new connector takes the file's style: CRLF and tabs here, and an
# empty root element is opened up.
printf '<Connectors>\r\n\t<SendConnector>\r\n\t\t<Name>x</Name>\r\n\t</SendConnector>\r\n</Connectors>\r\n' >"$T/crlf.xml"
run -c "$T/crlf.xml" import "$E/send.json"
expect_rc 0 "import into a CRLF, tab-indented file"
check "every line still ends in CRLF" test "$(grep -c "$(printf '\r')\$" "$T/crlf.xml")" = "$(wc -l <"$T/crlf.xml")"
check "the new connector is tab-indented like the first" \
    grep -q "^$(printf '\t')<SendConnector>" "$T/crlf.xml"
check "its fields with two tabs" grep -q "^$(printf '\t\t')<Name>Outbound to Office 365</Name>" "$T/crlf.xml"
printf '<?xml version="1.0"?>\n<Connectors a="1" />\n' >"$T/empty.xml"
run -c "$T/empty.xml" import "$E/send.json"
expect_rc 0 "import into <Connectors/>"
check "the root is opened up, its attribute kept" \
    $O check "$T/empty.xml" /dev/null "$E/send.json"
check "and keeps its attribute" grep -q '^<Connectors a="1">$' "$T/empty.xml"

# --- send connectors need a <Connectors> root
fresh
cp "$C" "$T/before"
ino=$(stat -c %i "$C")
run -c "$C" import "$E/send-utf8bom.xml"
expect_rc 2 "a send connector into <ReceiveConnectors> is exit 2"
expect_err_has "root element is <ReceiveConnectors>.*rename it to <Connectors>" \
    "the message says to rename the root"
check "the config is byte-identical" cmp "$T/before" "$C"
connectors_root
cp "$C" "$T/before"
run -c "$C" import "$E/send-utf8bom.xml" "$E/receive.json"
expect_rc 0 "send and receive exports into a <Connectors> root"
check "both exports' values are there (python oracle)" \
    $O check "$C" "$T/before" "$E/send-utf8bom.xml" "$E/receive.json"
check "nothing else changed" \
    $O bytes "$C" "$T/before" "$E/send-utf8bom.xml" "$E/receive.json"

# --- --dry-run: a diff patch(1) applies to give the same file
fresh
cp "$C" "$T/orig"
run -c "$C" import --dry-run "$E/receive-utf16.xml"
expect_rc 0 "--dry-run exits 0"
check "--dry-run writes nothing" cmp "$T/orig" "$C"
cp "$out" "$T/diff"
cp "$C" "$T/real"
run -c "$T/real" import "$E/receive-utf16.xml"
cp "$T/orig" "$T/patched"
check "patch applies the diff" sh -c "patch -s '$T/patched' <'$T/diff'"
check "and gives the file import writes" cmp "$T/patched" "$T/real"
rm -f "$T/new.xml"
run -c "$T/new.xml" import --dry-run "$E/send.json"
expect_rc 0 "--dry-run for a missing configuration"
check "creates nothing" test ! -e "$T/new.xml"
expect_out_has '^\+<Connectors>$' "the diff shows the whole new file"

# --- --backup
fresh
cp "$C" "$T/orig"
run -c "$C" import --backup "$E/receive-utf8.xml"
expect_rc 0 "--backup exits 0"
check "the previous version is FILE.bak" cmp "$T/orig" "$C.bak"

# --- hostile and broken exports: exit 2, file and line, config untouched
fresh
cp "$C" "$T/before"
ino=$(stat -c %i "$C")
hostile() {
	_f=$1 _re=$2
	run -c "$C" import "$_f"
	expect_rc 2 "$(basename "$_f"): exit 2"
	expect_err_has "^certbind: $_f:$_re" "$(basename "$_f"): the file, line and problem"
	check "$(basename "$_f"): the config is byte-identical, same inode" \
	    sh -c "cmp -s '$T/before' '$C' && test \$(stat -c %i '$C') = $ino"
}
hostile "$H/truncated.xml" "[0-9]+: "
hostile "$H/wrongroot.xml" "1: not PowerShell CLIXML"
hostile "$H/noname.xml" "2: a connector without a Name"
hostile "$H/duplicate.xml" "[0-9]+: duplicate identity .* \(also at $H/duplicate.xml:2\)"
hostile "$H/odd.xml" "[0-9]+: UTF-16LE: odd number of bytes"
hostile "$H/lyingbom.xml" "1: the byte order mark says UTF-16LE"
hostile "$H/doctype.xml" "2: document type declarations"
hostile "$H/notconnector.xml" "2: an object of type .*ExchangeCertificate is not a receive or send connector"
hostile "$H/control.xml" "[0-9]+: Name holds a control character"
hostile "$H/badbool.xml" "[0-9]+: RequireTLS \"maybe\" is not a boolean"
hostile "$H/truncated.json" "[0-9]+: JSON: .*truncated"
hostile "$H/badquote.csv" "2: CSV: broken quoting"
hostile "$H/ragged.csv" "2: CSV: 4 fields where the header has 3"
# A broken export beside a good one: still nothing written.
run -c "$C" import "$E/receive-utf8.xml" "$H/noname.xml"
expect_rc 2 "a good export and a broken one: exit 2"
check "the config is byte-identical" cmp "$T/before" "$C"
# A duplicate across two exports names both.
run -c "$C" import "$E/receive-utf8.xml" "$E/receive.json"
expect_rc 2 "one connector in two exports: exit 2"
expect_err_has "^certbind: $E/receive.json:[0-9]+: duplicate identity \"MAILBOX01.Client Frontend MAILBOX01\" \(also at $E/receive-utf8.xml:2\)" \
    "naming both places"
check "the config is byte-identical" cmp "$T/before" "$C"
# 50 MB: refused before it is read.
python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"<Objs xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">")
    f.write(b" " * (50 * 1024 * 1024))
    f.write(b"</Objs>")' "$T/big.xml"
run -c "$C" import "$T/big.xml"
expect_rc 2 "a 50 MB export is exit 2"
expect_err_has "^certbind: $T/big.xml: export too large" "saying it is too large"
rm -f "$T/big.xml"
check "the config is byte-identical" cmp "$T/before" "$C"
run -c "$C" import "$T"
expect_rc 2 "a directory is exit 2"
expect_err_has "^certbind: $T: not a regular file" "saying so"
run -c "$C" import "$T/missing.xml"
expect_rc 2 "a missing export is exit 2"
expect_err_has "^certbind: $T/missing.xml: No such file" "naming it"
rm -f "$T/new.xml"
run -c "$T/new.xml" import "$H/noname.xml"
expect_rc 2 "a broken export and a missing config"
check "creates no config" test ! -e "$T/new.xml"
run -c "$C" import
expect_rc 64 "no export is a usage error"

done_testing
