#!/bin/sh
# connectors: the configuration as read (certbind-connectors(5), §8).  Oracle: xmllint
# --xpath on the same file, never certbind itself.
. "$(dirname "$0")/lib.sh"
C=$T/connectors.xml
cp "$PKI/connectors.xml" "$C"

# Every connector, in file order, with the values xmllint reads.
run -c "$C" -f json connectors
expect_rc 0 "connectors exits 0"
expect_err_empty "connectors is quiet on stderr"
python3 - "$C" "$out" $((n + 1)) >"$T/tap" <<'PY'
import json, subprocess, sys
conf, got, num = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
def xp(expr):
    r = subprocess.run(["xmllint", "--xpath", expr, conf], capture_output=True)
    # xmllint ends its answer with one newline of its own
    return r.stdout.decode()[:-1] if r.returncode == 0 else None
n = int(float(xp("count(/ReceiveConnectors/ReceiveConnector)")))
ok = len(got) == n
for i in range(1, n + 1):
    b = "/ReceiveConnectors/ReceiveConnector[%d]" % i
    server, name = xp("string(%s/Server)" % b), xp("string(%s/Name)" % b)
    ident = server + "\\" + name if server else name
    def val(e):
        return xp("string(%s/%s)" % (b, e)) if xp("count(%s/%s)" % (b, e)) not in ("0",) else None
    adv = val("AdvertiseClientSettings")
    adv = None if adv is None else adv.strip().lower() in ("true", "1")
    want = {"Identity": ident, "Kind": "Receive", "Fqdn": val("Fqdn"),
            "TlsCertificateName": val("TlsCertificateName"),
            "AdvertiseClientSettings": adv}
    if got[i - 1] != want:
        ok = False
        print("#   got    %r\n#   wanted %r" % (got[i - 1], want))
print(("ok " if ok else "not ok ") + num + " - every connector as xmllint reads it (%d)" % n)
PY
cat "$T/tap"; n=$((n + 1))

run -c "$C" connectors
expect_rc 0 "table by default"
check "table header: Identity Kind Fqdn TlsCertificateName AdvertiseClientSettings" \
    sh -c "head -n 1 '$out' | grep -Eq '^Identity +Kind +Fqdn +TlsCertificateName +AdvertiseClientSettings$'"
check "table: a header, a rule and 6 rows" test "$(wc -l < "$out")" -eq 8
expect_out_has '^MAILBOX01\\Client Frontend MAILBOX01 +Receive +mail\.contoso\.com +<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>CN=mail\.contoso\.com +True$' \
    "the first row, by hand from the file"

# --identity: case-insensitive glob against Identity and Name.
run -c "$C" -f json connectors --identity 'client frontend*'
expect_rc 0 "a glob on Name"
check "selects both Client Frontend connectors" python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert [x['Identity'] for x in d]==['MAILBOX01\\\\Client Frontend MAILBOX01','MAILBOX02\\\\Client Frontend MAILBOX02'], d" "$out"
run -c "$C" -f list connectors --identity 'mailbox0?\default mailbox01'
expect_rc 0 "a glob on Identity with ? and a backslash"
expect_out_has '^Identity +: MAILBOX01\\Default MAILBOX01$' "list format, one object"
check "exactly one object" test "$(grep -c '^Identity' "$out")" -eq 1
run -c "$C" connectors --identity 'Client Frontend'
expect_rc 1 "a pattern that selects nothing is exit 1"
expect_err_has "^certbind: $C: no connector matches 'Client Frontend'$" "and says so"
check "nothing on stdout" test ! -s "$out"
run -c "$C" -f json connectors --identity 'nothing*'
expect_rc 1 "json, nothing selected: exit 1"
expect_out '[]' "an empty JSON array"

# Config errors: FILE:LINE: message, exit 2.
run -c "$T/missing.xml" connectors
expect_rc 2 "a missing config is exit 2"
expect_err_has "^certbind: $T/missing.xml: No such file or directory$" "naming the file"
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Fqdn>x</Fqdn>\n  </ReceiveConnector>\n  <ReceiveConnector><Name>a</Name><AdvertiseClientSettings>maybe</AdvertiseClientSettings></ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/bad.xml"
run -c "$T/bad.xml" connectors
expect_rc 2 "schema violations are exit 2"
expect_err_has "^certbind: $T/bad.xml:3: .*connector has no Name" "a missing Name, with its line"
expect_err_has "^certbind: $T/bad.xml:6: .*\"maybe\" is not true, false, 1 or 0" "and every other problem"
run -c "$C" connectors extra
expect_rc 64 "an argument is a usage error"
run -c "$C" -f junit connectors
expect_rc 64 "junit is a usage error for connectors"
expect_err_has "'junit' is not a format of connectors \\(table, list, json or powershell\\)" "says so"
done_testing
