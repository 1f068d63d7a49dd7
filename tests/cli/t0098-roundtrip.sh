#!/bin/sh
# The round trip of README's "Working with a real Exchange server":
# Exchange's exports -> import -> bind --thumbprint --dry-run --format
# powershell.  The commands (read by the independent PowerShell parser,
# tests/pwsh/parse.js) must name every connector by the identity the
# export gives it (read by tests/cli/import_oracle.py with Python's own
# XML reader, never certbind), with the cmdlet of its kind, and carry the
# certificate's TLS name as openssl prints its names and its thumbprint
# as openssl's SHA-1 fingerprint.
. "$(dirname "$0")/lib.sh"
PARSE=$top/tests/pwsh/parse.js
E=$PKI/exports
S=$PKI/store
CERT=$S/mail.contoso.com-renewed.pem
C=$T/exchange.xml
if ! command -v node >/dev/null || [ ! -d "$top/tests/pwsh/node_modules" ]; then
	not_ok "node and tests/pwsh/node_modules are needed: make deps"
	done_testing
	exit 1
fi
TH=$(openssl x509 -in "$CERT" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
# The TLS name from openssl's view of the certificate (single-valued
# RDNs, most significant last, as Windows writes them).
I=$(openssl x509 -in "$CERT" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
SUB=$(openssl x509 -in "$CERT" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
NAME="<I>$I<S>$SUB"

run -c "$C" import "$E/receive-utf16.xml" "$E/send-utf8bom.xml"
expect_rc 0 "import of the two exports into a new configuration: exit 0"
cp "$C" "$T/before.xml"
run -c "$C" -s "$S" --password-file "$PKI/password.txt" --ca-file "$PKI/ca/root-ca.pem" \
    --at 2026-06-01 bind --identity '*' --thumbprint "$TH" --fqdn mail.contoso.com \
    --dry-run --format powershell
expect_rc 0 "bind every imported connector, --dry-run --format powershell: exit 0"
check "nothing written (--dry-run)" cmp -s "$C" "$T/before.xml"
if node "$PARSE" "$out" >"$T/parsed.json" 2>"$T/parse.err"; then
	ok "the script parses as PowerShell"
else
	not_ok "the script parses as PowerShell"
	sed 's/^/#   /' "$T/parse.err"
fi
python3 - "$top/tests/cli" "$T/parsed.json" "$TH" "$NAME" "$E/receive-utf16.xml" \
    "$E/send-utf8bom.xml" >"$T/rt" 2>&1 <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import import_oracle as o
got = json.load(open(sys.argv[2]))
th, name = sys.argv[3], sys.argv[4]
# Every exported connector, in the order of the exports, that does not
# have this Fqdn and name already (those have nothing to set).
want, same = [], 0
for path in sys.argv[5:]:
    for (kind, _), (ident, server, cname, fields) in o.read_export(path).items():
        if fields.get("Fqdn") == "mail.contoso.com" and \
                fields.get("TlsCertificateName") == name:
            same += 1
            continue
        want.append((kind, ident))
assert want and same == 1, (want, same)
sets = [p[0] for p in got if p[0]["name"].startswith("Set-")]
assert len(sets) == len(want), (len(sets), len(want))
for s, (kind, ident) in zip(sets, want):
    k = "Receive" if kind == "receive" else "Send"
    assert s["name"] == "Set-%sConnector" % k, (s, kind)
    assert s["params"]["Identity"] == ident, (s, ident)
    assert s["params"]["TlsCertificateName"] == name, (s["params"], name)
    assert s["params"]["Fqdn"] == "mail.contoso.com", s["params"]
certs = [p for p in got if p[0]["name"] == "Get-ExchangeCertificate"]
assert len(certs) == 1 and certs[0][0]["params"]["Thumbprint"] == th, certs
print("ok")
PY
check "one Set- per exported connector: its identity, the cmdlet of its kind, openssl's name and thumbprint" \
    grep -qx ok "$T/rt"
sed 's/^/# /' "$T/rt" | grep -v '^# ok$'
done_testing
