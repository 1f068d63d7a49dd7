#!/bin/sh
# validate --format prometheus: certbind(1) validate's metrics, checked by
# promtool (Debian's prometheus package) and by a parser of the text
# exposition format written here, against validate --format json of the
# same run; hostile identities round-trip; a run that stops still prints
# a document; exit status as for the other formats.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
CA=$PKI/ca/root-ca.pem
V="-s $S --password-file $PKI/password.txt --ca-file $CA --at 2026-06-01"
AT=$(date -u -d 2026-06-01 +%s)
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '&lt;I&gt;%s&lt;S&gt;%s' "$i" "$s"
}
conn() { # SERVER NAME FQDN TLSNAME (all xml-escaped)
	printf '  <ReceiveConnector>\n    <Server>%s</Server>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n  </ReceiveConnector>\n' "$1" "$2" "$3" "$4"
}
WWW=$(tlsname "$S/fullchain-www.contoso.com.pem")
EXP=$(tlsname "$S/expired.contoso.com.pem")
SOON=$(tlsname "$S/expiring.contoso.com.pem")
WILD=$(tlsname "$S/wildcard.contoso.com.pem")
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<ReceiveConnectors>'
	conn EX1 "Good" "www.contoso.com" "$WWW"
	conn EX1 "Expired" "expired.contoso.com" "$EXP"
	conn EX1 "Expiring" "expiring.contoso.com" "$SOON"
	conn EX1 "Wrong host" "smtp.fabrikam.com" "$WILD"
	conn EX1 "Nothing" "mail.contoso.com" "&lt;I&gt;CN=Gone CA&lt;S&gt;CN=mail.contoso.com"
	conn EX1 "Empty" "mail.contoso.com" ""
	# Hostile identities: what the format escapes, what it must not, and
	# what would end a label or a line in a careless writer or reader.
	conn EX1 'q&quot;uote' "www.contoso.com" "$WWW"
	conn 'EX&quot;2' 'back\slash\' "www.contoso.com" "$WWW"
	conn EX1 'brace} = , {x=&quot;y&quot;}' "www.contoso.com" "$EXP"
	conn EX1 'x&quot;,check=&quot;Validity&quot;} 0' "expired.contoso.com" "$EXP"
	conn EX1 'lit\n \\ \&quot; end\' "www.contoso.com" "$SOON"
	conn EX1 'odd &#x202E;&#x2066;&#x2028;&#x2029;&#xFEFF;&#x200D;&#x301;&#xFFFD;&#x1F512; ünï' "www.contoso.com" "$WWW"
	conn EX1 '# HELP certbind_config_ok 1' "www.contoso.com" "$WWW"
	conn EX1 "'single' &amp; &lt;tag&gt;" "www.contoso.com" "$WILD"
	echo '</ReceiveConnectors>'
} >"$T/c.xml"
check "the fixture is well-formed (xmllint)" xmllint --noout "$T/c.xml"

# An independent reader of the text format (only what certbind(1) says it
# writes: gauges, HELP and TYPE, no timestamps): every line, every label
# unescaped by hand, each family's samples together after its HELP and
# TYPE, no series twice.  Writes the samples as JSON for comparison.
cat >"$T/parse.py" <<'PY'
import json, re, sys
data = open(sys.argv[1], "rb").read()
text = data.decode("utf-8")          # strict: the format is UTF-8
assert text.endswith("\n"), "no final newline"
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
fams, order, seen, current = {}, [], set(), None
def family(name):
    if name not in fams:
        assert not order or order[-1] != name
        fams[name] = {"help": None, "type": None, "samples": []}
        order.append(name)
    return fams[name]
for no, line in enumerate(text.split("\n")[:-1], 1):
    where = "line %d: %r" % (no, line)
    if line.startswith("#"):
        m = re.fullmatch(r"# (HELP|TYPE) (\S+) (.*)", line)
        assert m, where
        f = family(m.group(2))
        assert NAME.fullmatch(m.group(2)), where
        assert not f["samples"], "HELP/TYPE after samples: " + where
        key = m.group(1).lower()
        assert f[key] is None, "second " + where
        f[key] = m.group(3)
        current = m.group(2)
        continue
    m = NAME.match(line)
    assert m, where
    name, i, labels = m.group(0), m.end(), {}
    if line[i:i + 1] == "{":
        i += 1
        while line[i] != "}":
            m = LABEL.match(line, i)
            assert m and line[m.end():m.end() + 2] == '="', where
            lname, i, val = m.group(0), m.end() + 2, []
            while line[i] != '"':
                c = line[i]
                if c == "\\":
                    e = line[i + 1]
                    assert e in '\\"n', "bad escape: " + where
                    val.append({"\\": "\\", '"': '"', "n": "\n"}[e])
                    i += 2
                else:
                    val.append(c)
                    i += 1
            i += 1
            assert lname not in labels, where
            labels[lname] = "".join(val)
            if line[i] == ",":
                i += 1
        i += 1
    assert line[i] == " ", where
    value = line[i + 1:]
    assert re.fullmatch(r"-?[0-9]+", value), "value: " + where
    assert name == current, "samples of %s apart: %s" % (name, where)
    key = (name, tuple(sorted(labels.items())))
    assert key not in seen, "series twice: " + where
    seen.add(key)
    fams[name]["samples"].append({"labels": labels, "value": int(value)})
for name, f in fams.items():
    assert f["type"] == "gauge", name
    assert f["help"], name
    assert f["samples"], name
json.dump({"order": order, "families": fams}, sys.stdout)
PY
# promtool check metrics: accepted, nothing to say (not even lint).
promtool_ok() {
	promtool check metrics <"$1" >"$T/promtool" 2>&1 && test ! -s "$T/promtool"
}
parse() { python3 "$T/parse.py" "$out" >"$T/parsed" 2>"$T/perr"; }

if ! command -v promtool >/dev/null; then
	ok "# SKIP promtool is not installed (scripts/deps.sh: prometheus)"
	prom=no
else
	prom=yes
fi
ptool() {
	if [ "$prom" = yes ]; then check "$1" promtool_ok "$out"
	else ok "# SKIP $1: no promtool"; fi
	sed 's/^/# promtool: /' "$T/promtool" 2>/dev/null | head -n 20
	: >"$T/promtool"
}

run $V -c "$T/c.xml" -f json validate
jrc=$rc
cp "$out" "$T/v.json"
run $V -c "$T/c.xml" -f prometheus validate
expect_rc "$jrc" "exit status as for --format json ($jrc)"
expect_rc 1 "a failing connector: exit 1"
expect_err_empty "nothing on stderr"
cp "$out" "$T/v.prom"
ptool "promtool check metrics accepts it"
check "our own reader accepts it" parse
sed 's/^/# parse: /' "$T/perr"

# not_after from openssl, the oracle: each .pem of the store by thumbprint.
for f in "$S"/*.pem; do
	t=$(openssl x509 -in "$f" -noout -fingerprint -sha1 2>/dev/null | sed 's/.*=//; s/://g') || continue
	[ -n "$t" ] || continue
	e=$(date -u -d "$(openssl x509 -in "$f" -noout -enddate | sed 's/^notAfter=//')" +%s)
	echo "$t $e"
done >"$T/ends"

python3 - "$T/parsed" "$T/v.json" "$T/ends" "$AT" >"$T/cmp" 2>&1 <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
ends = dict(l.split() for l in open(sys.argv[3]))
at = int(sys.argv[4])
F = p["families"]
val = {"Pass": 0, "Warn": 1, "Fail": 2}
assert p["order"] == ["certbind_validate_timestamp_seconds", "certbind_config_ok",
                      "certbind_validate_success", "certbind_connector_result",
                      "certbind_check_result",
                      "certbind_certificate_not_after_seconds"], p["order"]
def only(name):
    s = F[name]["samples"]
    assert len(s) == 1 and s[0]["labels"] == {}, s
    return s[0]["value"]
assert only("certbind_validate_timestamp_seconds") == at
assert only("certbind_config_ok") == 1
assert only("certbind_validate_success") == 1
conns = j["Connectors"]
cr = [(s["labels"], s["value"]) for s in F["certbind_connector_result"]["samples"]]
assert cr == [({"identity": c["Identity"], "kind": "receive"}, val[c["Result"]])
              for c in conns], cr
ck = [(s["labels"], s["value"]) for s in F["certbind_check_result"]["samples"]]
want = [({"identity": c["Identity"], "kind": c["Kind"].lower(), "check": k["Name"]}, val[k["Result"]])
        for c in conns for k in c["Checks"]]
assert ck == want, (ck, want)
na = [(s["labels"], s["value"]) for s in F["certbind_certificate_not_after_seconds"]["samples"]]
want = [({"identity": c["Identity"], "kind": c["Kind"].lower(), "thumbprint": c["Thumbprint"]}, int(ends[c["Thumbprint"]]))
        for c in conns if c["Thumbprint"]]
assert na == want, (na, want)
ids = [c["Identity"] for c in conns]
for h in ['EX1\\q"uote', 'EX"2\\back\\slash\\', 'EX1\\brace} = , {x="y"}',
          'EX1\\x",check="Validity"} 0', 'EX1\\lit\\n \\\\ \\" end\\',
          'EX1\\odd \u202e\u2066\u2028\u2029\ufeff\u200d\u0301\ufffd\U0001f512 \u00fcn\u00ef',
          "EX1\\# HELP certbind_config_ok 1", "EX1\\'single' & <tag>"]:
    assert h in ids, (h, ids)
assert not [c for c in conns if not c["Thumbprint"] and c["Identity"] in
            [l["identity"] for l, _ in na]]
print("ok")
PY
check "every value equals the JSON of the same run; not_after equals openssl's" grep -qx ok "$T/cmp"
sed 's/^/# /' "$T/cmp" | grep -v '^# ok$' | head -n 30

# The escapes, byte for byte, on the raw text.
expect_out_has '^certbind_connector_result\{identity="EX1\\\\q\\"uote",kind="receive"\} 0$' \
    'a double quote and a backslash are escaped with a backslash'
expect_out_has '^certbind_connector_result\{identity="EX\\"2\\\\back\\\\slash\\\\",kind="receive"\} 0$' \
    'a trailing backslash is escaped before the closing quote'
expect_out_has '^certbind_connector_result\{identity="EX1\\\\lit\\\\n \\\\\\\\ \\\\\\" end\\\\",kind="receive"\} 2$' \
    'a literal backslash-n stays two characters, not a newline'
expect_out_has '^certbind_connector_result\{identity="EX1\\\\brace\} = , \{x=\\"y\\"\}",kind="receive"\} 2$' \
    'braces, equals signs and commas are left as they are'
expect_out_lacks '^certbind_check_result\{identity="x"' "a quote in an identity starts no label"
check "the document is as many lines as newlines, U+2028 inside one" \
    test "$(grep -c '' "$T/v.prom")" -eq "$(tr -cd '\n' <"$T/v.prom" | wc -c)"
check "the odd Unicode is there as UTF-8, unescaped" \
    grep -q "$(printf 'odd \342\200\256\342\201\246\342\200\250')" "$T/v.prom"
check "an identity holding a HELP line starts no line" \
    test "$(grep -c '^# HELP certbind_config_ok' "$T/v.prom")" -eq 1
check "help and type lines: 6 families" test "$(grep -c '^# TYPE certbind_[a-z_]* gauge$' "$T/v.prom")" -eq 6

# Each connector alone, and the exit status of each against JSON's.
for id in Good Expired Expiring Nothing Empty; do
	run $V -c "$T/c.xml" -f json validate --identity "$id"
	j=$rc
	run $V -c "$T/c.xml" -f prometheus validate --identity "$id"
	expect_rc "$j" "$id: exit status $j as JSON's"
done
run $V -c "$T/c.xml" -f prometheus validate --identity Expiring --strict
expect_rc 1 "--strict: a warning is exit 1"
expect_out_has '^certbind_connector_result\{identity="EX1\\\\Expiring",kind="receive"\} 1$' \
    "--strict: the value is still Warn (1)"
run $V -c "$T/c.xml" -f prometheus validate --identity Nothing
expect_out_lacks 'not_after' "no certificate selected: no not_after family at all"
ptool "no certificate selected: promtool accepts it"
check "no certificate selected: our reader accepts it" parse

# Identities exactly the same are one series, the worst; a case variant
# is another identity for Prometheus.
{
	echo '<ReceiveConnectors>'
	conn EX1 "Same" "www.contoso.com" "$WWW"
	conn EX1 "Same" "expiring.contoso.com" "$(tlsname "$S/expiring.contoso.com.pem")"
	conn EX1 "SAME" "www.contoso.com" "$WWW"
	conn EX1 "Other" "www.contoso.com" "$WWW"
	echo '</ReceiveConnectors>'
} >"$T/dup.xml"
run $V -c "$T/dup.xml" -f prometheus validate
expect_rc 1 "duplicate identities: exit 1"
ptool "duplicate identities: promtool accepts it"
check "duplicate identities: our reader accepts it (no series twice)" parse
sed 's/^/# parse: /' "$T/perr"
check "one connector series per identity, case variants apart" \
    test "$(grep -c '^certbind_connector_result{identity="EX1\\\\Same"' "$out")" -eq 1 \
    -a "$(grep -c '^certbind_connector_result{identity="EX1\\\\SAME"' "$out")" -eq 1
expect_out_has '^certbind_check_result\{identity="EX1\\\\Same",kind="receive",check="Validity"\} 1$' \
    "the worst Validity of the two (one expires within --warn-days)"
expect_out_has '^certbind_check_result\{identity="EX1\\\\Same",kind="receive",check="Identity"\} 2$' \
    "the Identity check fails"
check "a not_after series per certificate the two select" \
    test "$(grep -c '^certbind_certificate_not_after_seconds{identity="EX1\\\\Same"' "$out")" -eq 2
expect_out_has '^certbind_connector_result\{identity="EX1\\\\Other",kind="receive"\} 0$' \
    "the others unchanged"

# A run that stops still prints a document: the first three families.
stopped() { # DESC RC CONFIG_OK
	expect_rc "$2" "$1: exit $2"
	ptool "$1: promtool accepts the document"
	check "$1: our reader accepts it" parse
	python3 - "$T/parsed" "$AT" "$3" >"$T/cmp" 2>&1 <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["order"] == ["certbind_validate_timestamp_seconds", "certbind_config_ok",
                      "certbind_validate_success"], p["order"]
v = {n: f["samples"][0]["value"] for n, f in p["families"].items()}
assert v == {"certbind_validate_timestamp_seconds": int(sys.argv[2]),
             "certbind_config_ok": int(sys.argv[3]),
             "certbind_validate_success": 0}, v
print("ok")
PY
	check "$1: config_ok $3, validate_success 0, the timestamp" grep -qx ok "$T/cmp"
	sed 's/^/# /' "$T/cmp" | grep -v '^# ok$' | head -n 5
}
run $V -c "$T/none.xml" -f prometheus validate
stopped "a missing configuration" 2 0
expect_err_has "^certbind: $T/none.xml: " "the error on stderr, naming the file"
printf '<ReceiveConnectors><ReceiveConnector><Name>a</Name></ReceiveConnector>' >"$T/broken.xml"
run $V -c "$T/broken.xml" -f prometheus validate
stopped "a malformed configuration" 2 0
expect_err_has "$T/broken.xml:1: " "with file and line"
mkdir "$T/dir.xml"
run $V -c "$T/dir.xml" -f prometheus validate
stopped "a directory as configuration" 2 0
run $V -c "$T/c.xml" -f prometheus validate --identity 'Nobody*'
stopped "a pattern that selects nothing" 1 1
expect_err_has "no connector matches 'Nobody\*'" "saying so"
run $V -c "$T/c.xml" --ca-file "$T/nope.pem" -f prometheus validate
stopped "trust anchors that cannot be loaded" 2 1
run -s "$T/nostore" --at 2026-06-01 -c "$T/c.xml" -f prometheus validate
stopped "a store that cannot be read" 2 1
run -f prometheus validate --at 2026-06-01 -c "$T/none.xml" -q
stopped "-q: still the document" 2 0

# A write error is reported, exit 2.
if [ -w /dev/full ]; then
	"$BIN" $V -c "$T/c.xml" -f prometheus validate >/dev/full 2>"$err"
	rc=$?
	expect_rc 2 "a write error: exit 2"
	expect_err_has "stdout: write error" "saying so"
else
	ok "# SKIP no /dev/full"
	ok "# SKIP no /dev/full"
fi

# Usage errors print nothing, as for every format.
run $V -c "$T/c.xml" -f prometheus validate --warn-days x
expect_rc 64 "a bad --warn-days: exit 64"
check "nothing on stdout" test ! -s "$out"
done_testing
