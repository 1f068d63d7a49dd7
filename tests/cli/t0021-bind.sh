#!/bin/sh
# bind --fqdn / --advertise-client-settings: options, selection, output,
# byte-exact edits (certbind-connectors(5), §8, §11).  Oracles: the original file with
# the expected bytes spliced in by hand (python), xmllint --xpath,
# diff/patch.
. "$(dirname "$0")/lib.sh"
S=$PKI/store
C=$T/connectors.xml
ORIG=$PKI/connectors.xml
fresh() { cp "$ORIG" "$C"; }
xp() { xmllint --xpath "$1" "$C"; }
B() { run -c "$C" -s "$S" --password-file "$PKI/password.txt" --at 2026-06-01 "$@"; }
# splice OLD NEW [COUNT]: the original with the first occurrence of OLD
# replaced by NEW (python, not certbind), into $T/want
splice() {
	python3 -c '
import sys
s = open(sys.argv[1], "rb").read()
old, new = sys.argv[2].encode(), sys.argv[3].encode()
assert s.count(old) >= 1, old
open(sys.argv[4], "wb").write(s.replace(old, new, 1))' "$ORIG" "$1" "$2" "$T/want"
}

# --- usage errors (64), nothing written
fresh
B bind --fqdn mx.contoso.com
expect_rc 64 "no --identity is a usage error"
expect_err_has "identity is required" "saying so"
B bind --identity '*'
expect_rc 64 "no value to set is a usage error"
expect_err_has "nothing to set: give --thumbprint, --fqdn or --advertise-client-settings" "saying what to give"
for bad in 'mx_1.contoso.com' 'a..b' '-a.contoso.com' "$(printf 'a\tb')" '' 'mx.contoso.com:25' "$(python3 -c 'print("a"*64+".com")')"; do
	B bind --identity '*' --fqdn "$bad"
	expect_rc 64 "--fqdn '$bad' is a usage error"
done
expect_err_has "invalid FQDN .* for --fqdn: " "the message names the option and why"
for bad in yes no True1 '' 2 maybe; do
	B bind --identity '*' --advertise-client-settings "$bad"
	expect_rc 64 "--advertise-client-settings '$bad' is a usage error"
done
expect_err_has "advertise-client-settings takes true, false, 1 or 0, not 'maybe'" "saying what it takes"
B bind --identity '*' --fqdn mx.contoso.com extra
expect_rc 64 "an extra argument is a usage error"
B -f junit bind --identity '*' --advertise-client-settings true
expect_rc 64 "junit is for validate only"
check "none of these touched the file" cmp -s "$ORIG" "$C"
check "nor left a lock file (usage is checked first)" test ! -e "$C.lock"

# --- a pattern that selects nothing: exit 1, nothing written
fresh
B bind --identity 'no such connector' --advertise-client-settings true
expect_rc 1 "a pattern selecting nothing is exit 1"
expect_err_has "^certbind: $C: no connector matches 'no such connector'; nothing written$" "saying so"
check "the file is unchanged" cmp -s "$ORIG" "$C"

# --- --advertise-client-settings on one connector: one value changes
fresh
B bind --identity 'MAILBOX01\Default Frontend MAILBOX01' --advertise-client-settings TRUE
expect_rc 0 "bind --advertise-client-settings exits 0"
splice '<Name>Default Frontend MAILBOX01</Name>
    <TransportRole>FrontendTransport</TransportRole>
    <Bindings><Binding>0.0.0.0:25</Binding><Binding>[::]:25</Binding></Bindings>
    <AuthMechanism>Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer</AuthMechanism>
    <Fqdn>mailbox01.contoso.com</Fqdn>
    <TlsCertificateName></TlsCertificateName>
    <AdvertiseClientSettings>false</AdvertiseClientSettings>' '<Name>Default Frontend MAILBOX01</Name>
    <TransportRole>FrontendTransport</TransportRole>
    <Bindings><Binding>0.0.0.0:25</Binding><Binding>[::]:25</Binding></Bindings>
    <AuthMechanism>Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer</AuthMechanism>
    <Fqdn>mailbox01.contoso.com</Fqdn>
    <TlsCertificateName></TlsCertificateName>
    <AdvertiseClientSettings>true</AdvertiseClientSettings>'
check "byte for byte the original with 'false' replaced by 'true'" cmp "$T/want" "$C"
check "xmllint reads true" test "$(xp 'string(//ReceiveConnector[Name="Default Frontend MAILBOX01"]/AdvertiseClientSettings)')" = true
check "diff shows exactly one changed line" test "$(diff "$ORIG" "$C" | grep -c '^[<>]')" -eq 2
expect_out_has '^MAILBOX01\\Default Frontend MAILBOX01 +Changed +AdvertiseClientSettings +False +True$' \
    "output: identity, field, old -> new"
check "table: header, rule, one row" test "$(wc -l < "$out")" -eq 3

# --- 1/0 read as true/false: setting the same value is no change
fresh
B bind --identity 'Client Proxy MAILBOX01' --advertise-client-settings false
expect_rc 0 "setting false on a connector holding 0 exits 0"
check "and does not touch the file ('0' stays)" cmp -s "$ORIG" "$C"
expect_out_has '^MAILBOX01\\Client Proxy MAILBOX01 +Unchanged *$' "the output says unchanged"
expect_err_has "nothing to change; the file is not touched" "and a note says so"

# --- --fqdn on every Client Frontend (glob, case-insensitive): two edits
fresh
B -f json bind --identity 'CLIENT FRONTEND mailbox02' --fqdn Mail2.Contoso.com
expect_rc 0 "--fqdn on a connector with no TlsCertificateName exits 0"
expect_err_has "note: MAILBOX02\\\\Client Frontend MAILBOX02: no TlsCertificateName; the new Fqdn is not checked" \
    "saying the new Fqdn is not checked against a certificate"
splice '<Fqdn>mailbox02.contoso.com</Fqdn>' '<Fqdn>Mail2.Contoso.com</Fqdn>'
check "byte-exact: only the Fqdn of MAILBOX02 changed, as given" cmp "$T/want" "$C"
check "JSON: {Result, Connectors: [{Identity, Kind, Result, Changes: [{Field, Old, New}]}]}" python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert d=={'Result':'Changed','Connectors':[{'Identity':'MAILBOX02\\\\Client Frontend MAILBOX02','Kind':'Receive','Result':'Changed',
  'Changes':[{'Field':'Fqdn','Old':'mailbox02.contoso.com','New':'Mail2.Contoso.com'}]}]}, d" "$out"

# --- a missing element is added at the end of its connector, indented
fresh
B bind --identity '*Outbound Proxy*' --advertise-client-settings 1
expect_rc 0 "adding a missing AdvertiseClientSettings exits 0"
splice '    <Enabled>true</Enabled>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>MAILBOX01</Server>
    <Name>Client Proxy MAILBOX01</Name>' '    <Enabled>true</Enabled>
    <AdvertiseClientSettings>true</AdvertiseClientSettings>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>MAILBOX01</Server>
    <Name>Client Proxy MAILBOX01</Name>'
check "added as the connector's last child, indented like its siblings" cmp "$T/want" "$C"
expect_out_has '^MAILBOX01\\Outbound Proxy Frontend MAILBOX01 +Changed +AdvertiseClientSettings +True$' \
    "output: an absent old value is empty"
check "the comment inside the connector is kept" grep -q 'no TlsCertificateName and no AdvertiseClientSettings: bind adds them' "$C"

# --- several connectors, several fields; everything else byte-exact
fresh
B -f list bind --identity '*MAILBOX01' --advertise-client-settings false
expect_rc 0 "a pattern selecting five connectors"
check "list: five objects" test "$(grep -c '^Identity' "$out")" -eq 5
check "three say Unchanged" test "$(grep -c '^Result *: Unchanged' "$out")" -eq 3
check "Client Frontend MAILBOX01 changed true -> false" python3 -c "
s=open('$ORIG').read(); t=open('$C').read()
a=s.replace('<AdvertiseClientSettings>true</AdvertiseClientSettings>','<AdvertiseClientSettings>false</AdvertiseClientSettings>',1)
a=a.replace('''    <Enabled>true</Enabled>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>MAILBOX01</Server>
    <Name>Client Proxy''','''    <Enabled>true</Enabled>
    <AdvertiseClientSettings>false</AdvertiseClientSettings>
  </ReceiveConnector>
  <ReceiveConnector>
    <Server>MAILBOX01</Server>
    <Name>Client Proxy''',1)
assert a==t"
check "MAILBOX02 not selected: still false, untouched" test "$(xp 'string(//ReceiveConnector[Server="MAILBOX02"]/AdvertiseClientSettings)')" = false

# --- --fqdn refused when the bound certificate would no longer match
fresh
B bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com
expect_rc 1 "--fqdn that the bound certificate does not cover is refused"
expect_err_has "MAILBOX01\\\\Client Frontend MAILBOX01: certificate [0-9A-F]{40}, which TlsCertificateName selects, does not cover mx.contoso.com" \
    "naming the connector, the certificate and the FQDN"
expect_err_has "bind refused for 1 connector; nothing written" "and that nothing was written"
check "the file is unchanged" cmp -s "$ORIG" "$C"
# the preferred certificate for the name is the renewed one: its thumbprint is named
R=$(openssl x509 -in "$S/mail.contoso.com-renewed.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
M=$(openssl x509 -in "$S/mail.contoso.com.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
check "the certificate named is one of the two the name selects" sh -c "grep -Eq '$R|$M' '$err'"
B -f json bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com
expect_rc 1 "refused, JSON"
check "JSON says Refused" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); assert d['Result']=='Refused' and d['Connectors'][0]['Result']=='Refused', d" "$out"
B bind --identity 'Client Frontend MAILBOX01' --fqdn MAIL.contoso.com.
expect_rc 0 "--fqdn that the bound certificate covers (any case, trailing dot) is allowed"
splice '<Fqdn>mail.contoso.com</Fqdn>' '<Fqdn>MAIL.contoso.com.</Fqdn>'
check "written as given" cmp "$T/want" "$C"
fresh
B bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com --force --dry-run
expect_rc 0 "--force --dry-run exits 0"
expect_err_has "warning: .*would write although 1 connector failed the checks \(--force, --dry-run: nothing written\)" "saying what would be written"
check "--force --dry-run never says writing" sh -c '! grep -q writing "$1"' sh "$err"
check "--force --dry-run writes nothing" cmp "$ORIG" "$C"
B bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com --force
expect_rc 0 "--force writes anyway"
expect_err_has "warning: .*writing although 1 connector failed the checks \(--force\)" "with a warning"
check "the Fqdn is written" test "$(xp 'string(//ReceiveConnector[Name="Client Frontend MAILBOX01"]/Fqdn)')" = mx.contoso.com
# A name that selects nothing in the store: said, and allowed.
fresh
sed 's/CN=mail.contoso.com</CN=nothing.contoso.com</' "$ORIG" >"$C"
B bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com
expect_rc 0 "a name selecting no certificate does not block --fqdn"
expect_err_has "warning: MAILBOX01\\\\Client Frontend MAILBOX01: TlsCertificateName selects no certificate in the store; the new Fqdn is not checked" \
    "but a warning says so"
# A malformed name: said, and allowed.
sed 's/&lt;I&gt;CN=Contoso Issuing CA 1/CN=Contoso Issuing CA 1/' "$ORIG" >"$C"
B bind --identity 'Client Frontend MAILBOX01' --fqdn mx.contoso.com
expect_rc 0 "a malformed name does not block --fqdn"
expect_err_has "TlsCertificateName is malformed" "but a warning says so"

# --- --dry-run: a unified diff that patch applies; nothing written
fresh
B bind --identity '*Outbound*' --fqdn relay.contoso.com --advertise-client-settings true --dry-run
expect_rc 0 "--dry-run exits 0"
check "nothing written" cmp -s "$ORIG" "$C"
check "stdout is a unified diff with a/ b/ labels" sh -c "head -n 2 '$out' | tr '\n' ' ' | grep -q '^--- a/connectors.xml +++ b/connectors.xml '"
cp "$ORIG" "$T/p.xml"
check "patch applies it" patch -s "$T/p.xml" "$out"
B bind --identity '*Outbound*' --fqdn relay.contoso.com --advertise-client-settings true
check "and gives what bind then writes" cmp "$T/p.xml" "$C"
B bind --identity '*Outbound*' --fqdn relay.contoso.com --dry-run
expect_rc 0 "--dry-run with nothing to change"
expect_out_has 'Unchanged' "says unchanged instead of an empty diff"
B -f json bind --identity 'Default MAILBOX01' --advertise-client-settings true --dry-run
check "JSON --dry-run: Result DryRun and the Diff" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); assert d['Result']=='DryRun' and d['Diff'].startswith('--- a/'), d" "$out"

# --- --backup keeps the previous version
fresh
B bind --identity 'Default MAILBOX01' --advertise-client-settings true --backup
expect_rc 0 "--backup exits 0"
check "FILE.bak is the previous version" cmp "$ORIG" "$C.bak"
cp "$C" "$T/v2"
B bind --identity 'Default MAILBOX01' --advertise-client-settings false --backup
check "a second --backup: FILE.bak is the version before it" cmp "$T/v2" "$C.bak"
check "and the file holds the new value" test "$(xp 'string(//ReceiveConnector[Name="Default MAILBOX01"]/AdvertiseClientSettings)')" = false
B bind --identity 'Default MAILBOX01' --advertise-client-settings false --backup
check "nothing to change: FILE.bak is left alone" cmp "$T/v2" "$C.bak"

# --- a symbolic link to the config stays a link
fresh
mkdir -p "$T/real"; mv "$C" "$T/real/c.xml"; ln -s real/c.xml "$C"
B bind --identity 'Default MAILBOX01' --advertise-client-settings true
expect_rc 0 "bind through a symbolic link"
check "the link is still a link" test -L "$C"
check "the file it names is changed" grep -q '<AdvertiseClientSettings>true' "$T/real/c.xml"
rm -f "$C"; rm -rf "$T/real"
# --- names Exchange's Set-ReceiveConnector refuses (certbind(1)
# TLSCERTIFICATENAME): name warns, bind refuses, validate fails the binding
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//'; }
mkcert() { # FILE SUBJ
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/k.pem" -out "$T/c.pem" -subj "$2" -days 30 \
	    -addext subjectAltName=DNS:mail.contoso.com 2>/dev/null
	cat "$T/c.pem" "$T/k.pem" >"$1"
}
mkcert "$T/display.pem" '/CN=Contoso Mail Server'
mkcert "$T/sanonly.pem" '/'
mkcert "$T/good.pem" '/O=Contoso/CN=mail.contoso.com'
run -s "$T/display.pem" name "$(fp "$T/display.pem")"
expect_rc 0 "name of a certificate Exchange would refuse: exit 0"
expect_out '<I>CN=Contoso Mail Server<S>CN=Contoso Mail Server' "the name is printed all the same"
expect_err_has "^certbind: warning: $T/display.pem: Exchange's Set-ReceiveConnector would refuse this TlsCertificateName: the first CN= of its subject part is not a domain name or \*\.domain$" "with a warning saying why"
run -s "$T/sanonly.pem" name "$(fp "$T/sanonly.pem")"
expect_rc 0 "name of a SAN-only certificate: exit 0"
expect_out '<I><S>' "an empty name is printed"
expect_err_has "would refuse this TlsCertificateName: its subject part is empty: a certificate without a subject \(SAN-only\) cannot be bound by name" "with a warning saying why"
run -s "$T/good.pem" name "$(fp "$T/good.pem")"
expect_rc 0 "name of a certificate Exchange accepts: exit 0"
expect_err_empty "and no warning"
for f in display sanonly; do
	for force in '' --force; do
		fresh
		run -c "$C" -s "$T/$f.pem" --at 2026-06-01 bind --identity 'Client Frontend MAILBOX01' \
		    --thumbprint "$(fp "$T/$f.pem")" --no-chain $force
		expect_rc 1 "bind $force of $f.pem is refused"
		check "$f.pem $force: nothing written" cmp -s "$ORIG" "$C"
	done
done
expect_err_has "^certbind: $T/sanonly.pem: Exchange's Set-ReceiveConnector and Set-SendConnector would refuse the TlsCertificateName '<I><S>': its subject part is empty: a certificate without a subject \(SAN-only\) cannot be bound by name; nothing written$" "SAN-only: saying why"
fresh
run -c "$C" -s "$T/display.pem" --at 2026-06-01 bind --identity 'Client Frontend MAILBOX01' \
    --thumbprint "$(fp "$T/display.pem")" --no-chain
expect_err_has "^certbind: $T/display.pem: Exchange's Set-ReceiveConnector and Set-SendConnector would refuse the TlsCertificateName '<I>CN=Contoso Mail Server<S>CN=Contoso Mail Server': the first CN= of its subject part is not a domain name or \*\.domain; nothing written$" "a display name as CN: saying why"
run -c "$C" -s "$T/good.pem" --at 2026-06-01 bind --identity 'Client Frontend MAILBOX01' \
    --thumbprint "$(fp "$T/good.pem")" --no-chain --force
expect_rc 0 "bind of a name Exchange accepts goes on"
python3 - "$ORIG" "$T/v.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "&lt;I&gt;CN=Contoso Issuing CA 1, DC=contoso, DC=com&lt;S&gt;CN=mail.contoso.com"
assert old in s
open(sys.argv[2], "w").write(s.replace(old, "&lt;I&gt;CN=Contoso Mail Server&lt;S&gt;CN=Contoso Mail Server", 1))
PY
run -c "$T/v.xml" -s "$T/display.pem" --at 2026-06-01 validate --identity 'MAILBOX01\Client Frontend MAILBOX01'
expect_rc 1 "validate of a name Exchange refuses: exit 1"
expect_out_has "Binding.*Fail.*Exchange's Set-ReceiveConnector refuses this TlsCertificateName: the first CN= of its subject part is not a domain name or \*\.domain" "Binding Fail saying why"
# --- AuthMechanism without Tls: no STARTTLS, the binding is unused
# (certbind-connectors(5))
python3 - "$ORIG" "$T/v.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "<AuthMechanism>Tls, BasicAuth, BasicAuthRequireTLS</AuthMechanism>"
assert s.count(old) >= 1
open(sys.argv[2], "w").write(s.replace(old, "<AuthMechanism>BasicAuth, BasicAuthRequireTLS, Integrated</AuthMechanism>", 1))
PY
run -c "$T/v.xml" -s "$S" --password-file "$PKI/password.txt" --at 2026-06-01 \
    validate --identity 'MAILBOX01\Client Frontend MAILBOX01'
expect_out_has "Binding.*Warn.*AuthMechanism has no Tls: the connector does not offer STARTTLS, so its TlsCertificateName is unused" "validate: Binding Warn, the binding unused"
run -c "$ORIG" -s "$S" --password-file "$PKI/password.txt" --at 2026-06-01 \
    validate --identity 'MAILBOX01\Client Frontend MAILBOX01'
expect_out_lacks "AuthMechanism has no Tls" "with Tls in AuthMechanism, no such warning"
# --- the Default <Server> HubTransport connector's Fqdn (certbind-connectors(5))
fresh
B bind --identity 'MAILBOX01\Default MAILBOX01' --fqdn mx.contoso.com
expect_rc 1 "bind --fqdn on Default MAILBOX01 (HubTransport) is refused"
expect_err_has "^certbind: MAILBOX01\\\\Default MAILBOX01: changing the Fqdn of the Default HubTransport connector breaks mail flow between Mailbox servers, as Microsoft warns; refused without --force$" "citing Microsoft's warning"
check "nothing written" cmp -s "$ORIG" "$C"
B bind --identity 'Default*' --fqdn mx.contoso.com
expect_rc 1 "a pattern taking it in with others: refused too"
check "nothing written" cmp -s "$ORIG" "$C"
B bind --identity 'MAILBOX01\Default MAILBOX01' --fqdn mailbox01.contoso.com
expect_rc 0 "the same Fqdn (no change) is not refused"
B bind --identity 'MAILBOX01\Default MAILBOX01' --advertise-client-settings true
expect_rc 0 "other values of it are not refused"
fresh
B bind --identity 'MAILBOX01\Default MAILBOX01' --fqdn mx.contoso.com --force
expect_rc 0 "--force changes it"
expect_err_has "warning: MAILBOX01\\\\Default MAILBOX01: changing the Fqdn of the Default HubTransport connector breaks mail flow" "with a warning"
check "and writes it" test "$(xp 'string(//ReceiveConnector[Name="Default MAILBOX01"]/Fqdn)')" = mx.contoso.com
# Without TransportRole, its port 2525 says it is the HubTransport one;
# another role is not it.
sed '/<TransportRole>HubTransport<\/TransportRole>/d' "$ORIG" >"$C"; cp "$C" "$T/norole"
B bind --identity 'MAILBOX01\Default MAILBOX01' --fqdn mx.contoso.com
expect_rc 1 "no TransportRole, Binding on 2525: refused"
check "nothing written" cmp -s "$T/norole" "$C"
sed 's/<TransportRole>HubTransport<\/TransportRole>/<TransportRole>FrontendTransport<\/TransportRole>/' "$ORIG" >"$C"
B bind --identity 'MAILBOX01\Default MAILBOX01' --fqdn mx.contoso.com
expect_rc 0 "TransportRole FrontendTransport: not the HubTransport connector"
done_testing
