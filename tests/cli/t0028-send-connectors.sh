#!/bin/sh
# Send connectors (certbind-connectors(5) Send connectors, certbind(1)
# Connector kinds): a <Connectors> file with both kinds, --kind on
# connectors, bind, validate and renew, Kind in their output, bind
# writing into a SendConnector, AdvertiseClientSettings refused there,
# and a <ReceiveConnectors> file kept byte for byte.  Oracles: python's
# xml.etree reading the file (never certbind), the expected bytes made
# by hand with python and compared with cmp, openssl for the
# certificate's name and thumbprint.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
CA=$PKI/ca/root-ca.pem
CERT=$S/mail.contoso.com.pem
C=$T/c.xml
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '<I>%s<S>%s' "$i" "$s"
}
NAME=$(tlsname "$CERT")
ESC=$(printf '%s' "$NAME" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
R="-s $S --ca-file $CA --at 2026-06-01 -c $C"

cat >"$T/orig.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- a hybrid organisation -->
<Connectors>
  <ReceiveConnector>
    <Server>EX1</Server>
    <Name>Default Frontend EX1</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <TlsCertificateName>$ESC</TlsCertificateName>
    <AdvertiseClientSettings>false</AdvertiseClientSettings>
    <TlsDomainCapabilities><Value>mail.protection.outlook.com:AcceptCloudServicesMail</Value></TlsDomainCapabilities>
  </ReceiveConnector>
  <SendConnector>
    <Name>Outbound to Office 365</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <CloudServicesMailEnabled>true</CloudServicesMailEnabled>
    <TlsDomain>mail.protection.outlook.com</TlsDomain>
    <SmartHosts><Value>contoso-com.mail.protection.outlook.com</Value></SmartHosts>
    <Enabled>true</Enabled>
  </SendConnector>
  <ReceiveConnector>
    <Name>Relay</Name>
    <Fqdn>relay.contoso.com</Fqdn>
  </ReceiveConnector>
  <SendConnector>
    <!-- the same identity as the receive connector above: another kind -->
    <Name>Relay</Name>
    <Fqdn>mail.contoso.com</Fqdn>
    <TlsCertificateName>$ESC</TlsCertificateName>
  </SendConnector>
</Connectors>
EOF
cp "$T/orig.xml" "$C"

# The connectors as python's xml.etree reads the file: one JSON object
# per connector, as certbind(1) connectors describes its fields.
oracle() { # FILE [KIND]
	python3 - "$1" "${2:-}" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
want = []
for c in root:
    kind = {"ReceiveConnector": "Receive", "SendConnector": "Send"}[c.tag]
    if sys.argv[2] and kind.lower() != sys.argv[2]:
        continue
    def text(e):
        x = c.find(e)
        return None if x is None else "".join(x.itertext())
    server, name = text("Server"), text("Name")
    adv = text("AdvertiseClientSettings")
    want.append({"Identity": server + "\\" + name if server else name,
                 "Kind": kind, "Fqdn": text("Fqdn"),
                 "TlsCertificateName": text("TlsCertificateName"),
                 "AdvertiseClientSettings":
                     None if adv is None else adv.strip().lower() in ("true", "1")})
print(json.dumps(want))
PY
}
same_json() { # GOT WANT
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); assert a==b, (a,b)' "$1" "$2"
}

# --- connectors: both kinds, in file order, Kind after Identity
run -c "$C" -f json connectors
expect_rc 0 "connectors reads a <Connectors> file"
expect_err_empty "quietly"
check "every connector as xml.etree reads it, with its Kind" same_json "$out" "$(oracle "$C")"
check "Kind comes right after Identity" python3 -c '
import json,sys; assert all(list(o)[:2]==["Identity","Kind"] for o in json.load(open(sys.argv[1])))' "$out"
run -c "$C" connectors
expect_rc 0 "the table"
check "table header: Identity Kind Fqdn TlsCertificateName AdvertiseClientSettings" \
    sh -c "head -n 1 '$out' | grep -Eq '^Identity +Kind +Fqdn +TlsCertificateName +AdvertiseClientSettings$'"
expect_out_has '^Outbound to Office 365 +Send +mail\.contoso\.com *$' "a send connector's row"
expect_out_has '^EX1\\Default Frontend EX1 +Receive +mail\.contoso\.com +<I>.* +False$' "a receive connector's row"
run -c "$C" -f list connectors --identity 'outbound*'
expect_out_has '^Kind +: Send$' "list: Kind"

# --kind narrows; --identity alone selects both kinds
run -c "$C" -f json connectors --kind send
expect_rc 0 "--kind send"
check "only the send connectors" same_json "$out" "$(oracle "$C" send)"
run -c "$C" -f json connectors --kind RECEIVE
expect_rc 0 "--kind RECEIVE (any case)"
check "only the receive connectors" same_json "$out" "$(oracle "$C" receive)"
run -c "$C" -f json connectors --identity relay
check "--identity selects a receive and a send connector of one identity" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert [(o["Identity"],o["Kind"]) for o in d]==[("Relay","Receive"),("Relay","Send")], d' "$out"
run -c "$C" -f json connectors --identity relay --kind send
check "--identity with --kind: one" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert [o["Kind"] for o in d]==["Send"], d' "$out"
run -c "$C" connectors --kind sender
expect_rc 64 "a bad --kind is a usage error"
expect_err_has "invalid kind 'sender' for --kind: give receive or send" "saying what to give"
check "nothing on stdout" test ! -s "$out"
for c in bind validate renew; do
	run -c "$C" $c --identity '*' --kind both --fqdn x.example
	expect_rc 64 "$c: a bad --kind is a usage error"
done

# --- bind writes Fqdn and TlsCertificateName into a SendConnector
run $R -f json bind --identity 'Outbound*' --thumbprint "$(fp "$CERT")" --fqdn Mail.Contoso.com
expect_rc 0 "bind into a send connector exits 0"
python3 - "$T/orig.xml" "$T/want.xml" "$ESC" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()
k = s.index(b"<Name>Outbound to Office 365</Name>")
s = s[:k] + s[k:].replace(b"<Fqdn>mail.contoso.com</Fqdn>", b"<Fqdn>Mail.Contoso.com</Fqdn>", 1)
e = s.index(b"\n  </SendConnector>", k)
s = s[:e] + b"\n    <TlsCertificateName>" + sys.argv[3].encode() + b"</TlsCertificateName>" + s[e:]
open(sys.argv[2], "wb").write(s)
PY
check "every other byte kept; the missing element added at the end, indented (cmp)" cmp "$T/want.xml" "$C"
check "xml.etree reads the name openssl derives" python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = [c for c in r if c.tag == "SendConnector" and c.findtext("Name") == "Outbound to Office 365"][0]
assert s.findtext("TlsCertificateName") == sys.argv[2], s.findtext("TlsCertificateName")
assert s.findtext("Fqdn") == "Mail.Contoso.com"' "$C" "$NAME"
check "bind's JSON: the connector with Kind Send" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
c=d["Connectors"]; assert d["Result"]=="Changed" and len(c)==1, d
assert list(c[0])[:3]==["Identity","Kind","Result"] and c[0]["Kind"]=="Send", c
assert sorted(x["Field"] for x in c[0]["Changes"])==["Fqdn","TlsCertificateName"], c' "$out"
run $R -f list bind --identity 'Outbound*' --fqdn Mail.Contoso.com
expect_rc 0 "the same again"
expect_out_has '^Kind +: Send$' "bind list output: Kind"
expect_out_has '^Result +: Unchanged$' "and nothing to change"
check "the file is as before" cmp "$T/want.xml" "$C"

# --- AdvertiseClientSettings is never written into a send connector
cp "$T/orig.xml" "$C"
run $R bind --identity relay --advertise-client-settings true
expect_rc 2 "--advertise-client-settings on a selection with a send connector: exit 2"
expect_err_has "^certbind: Relay: a send connector has no AdvertiseClientSettings; nothing written \(--kind receive leaves send connectors out\)$" \
    "naming the send connector and --kind receive"
check "nothing written" cmp "$T/orig.xml" "$C"
check "nothing on stdout" test ! -s "$out"
run $R -f json bind --identity '*' --advertise-client-settings 1
expect_rc 2 "the same with every connector"
check "JSON: an Error document" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["Result"]=="Error", d' "$out"
check "nothing written" cmp "$T/orig.xml" "$C"
run $R bind --identity relay --kind receive --advertise-client-settings true
expect_rc 0 "--kind receive: the receive connector only"
python3 - "$T/orig.xml" "$T/want.xml" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()
k = s.index(b"<Name>Relay</Name>")
e = s.index(b"\n  </ReceiveConnector>", k)
s = s[:e] + b"\n    <AdvertiseClientSettings>true</AdvertiseClientSettings>" + s[e:]
open(sys.argv[2], "wb").write(s)
PY
check "only the receive connector changed (cmp)" cmp "$T/want.xml" "$C"

# --- bind --fqdn: the Default HubTransport refusal is receive-only
cat >"$T/hub.xml" <<'EOF'
<Connectors>
  <SendConnector>
    <Name>Default EX1</Name>
    <Server2>EX1</Server2>
    <TransportRole>HubTransport</TransportRole>
    <Fqdn>a.contoso.com</Fqdn>
  </SendConnector>
</Connectors>
EOF
run -s "$S" --at 2026-06-01 -c "$T/hub.xml" bind --identity 'Default EX1' --fqdn b.contoso.com
expect_rc 0 "a send connector is never the Default HubTransport connector"
check "its Fqdn is written" test "$(python3 -c 'import sys,xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot()[0].findtext("Fqdn"))' "$T/hub.xml")" = b.contoso.com

# --- validate and renew: --kind and Kind
cp "$T/orig.xml" "$C"
run $R -f json validate --kind send
check "validate --kind send checks the send connectors (exit 0 or 1)" test "$rc" -le 1
check "validate JSON: only Kind Send, Kind after Identity" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
c=d["Connectors"]; assert [(o["Identity"],o["Kind"]) for o in c]==[("Outbound to Office 365","Send"),("Relay","Send")], c
assert all(list(o)[:2]==["Identity","Kind"] for o in c), c' "$out"
run $R -f list validate --identity relay
expect_out_has '^Kind +: Receive$' "validate list: Kind Receive"
expect_out_has '^Kind +: Send$' "and Kind Send for the same identity"
run $R -f prometheus validate --kind send
expect_out_has '^certbind_connector_result\{identity="Outbound to Office 365",kind="send"\} [012]$' \
    "prometheus: a send connector's kind label"
expect_out_lacks 'kind="receive"' "and no receive connector"
run $R -f json renew --kind send --dry-run --include-unbound
check "renew --kind send --dry-run (exit 0 or 1)" test "$rc" -le 1
check "renew JSON: only Kind Send, Kind after Identity" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
c=d["Connectors"]; assert [o["Kind"] for o in c]==["Send","Send"], c
assert all(list(o)[:2]==["Identity","Kind"] for o in c), c' "$out"
check "--dry-run wrote nothing" cmp "$T/orig.xml" "$C"
run $R -f list renew --kind receive --identity 'Default*' --dry-run
expect_out_has '^Kind +: Receive$' "renew list: Kind"
expect_out_lacks '^Kind +: Send$' "and no send connector"

# --- a send connector's own rules
printf '<Connectors>\n  <SendConnector>\n    <Name>x</Name>\n    <Server>EX1</Server>\n  </SendConnector>\n</Connectors>\n' >"$T/bad.xml"
run -c "$T/bad.xml" connectors
expect_rc 2 "a Server in a send connector is refused"
expect_err_has "^certbind: $T/bad.xml:4: a SendConnector has no Server$" "with its line"
printf '<ReceiveConnectors>\n  <SendConnector><Name>x</Name></SendConnector>\n</ReceiveConnectors>\n' >"$T/bad.xml"
run -c "$T/bad.xml" connectors
expect_rc 2 "a SendConnector under <ReceiveConnectors> is refused"
expect_err_has "^certbind: $T/bad.xml:2: .*SendConnector" "naming it"

# --- a <ReceiveConnectors> file is read and written as before
cp "$PKI/connectors.xml" "$C"
run -c "$C" -f json connectors
check "<ReceiveConnectors>: every connector Kind Receive" same_json "$out" "$(oracle "$C")"
run -c "$C" connectors --kind send
expect_rc 1 "--kind send selects nothing there: exit 1"
expect_err_has "no send connectors$" "saying so"
run -s "$S" --at 2026-06-01 -c "$C" bind --identity 'Client Proxy MAILBOX01' --kind receive --advertise-client-settings true
expect_rc 0 "bind --kind receive on a <ReceiveConnectors> file"
python3 - "$PKI/connectors.xml" "$T/want.xml" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()
k = s.index(b"<Name>Client Proxy MAILBOX01</Name>")
old = b"<AdvertiseClientSettings>0</AdvertiseClientSettings>"
i = s.index(old, k)
s = s[:i] + b"<AdvertiseClientSettings>true</AdvertiseClientSettings>" + s[i + len(old):]
open(sys.argv[2], "wb").write(s)
PY
check "every other byte kept (cmp)" cmp "$T/want.xml" "$C"
done_testing
