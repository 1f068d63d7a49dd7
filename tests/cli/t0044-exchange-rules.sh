#!/bin/sh
# What Exchange itself does with a TlsCertificateName (certbind(1) WHAT
# EXCHANGE DOES), on certs-test/rules and certs-test/connectors-rules.xml.
# Thumbprints, dates and trust come from openssl; each test names the
# Exchange behaviour it holds certbind to.
. "$(dirname "$0")/lib.sh"
R=$PKI/rules
CA=$PKI/ca/root-ca.pem
C=$PKI/connectors-rules.xml
V="-s $R --ca-file $CA --at 2026-06-01 -c $C"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
# verify FILE: openssl's own verdict on the chain at TEST_NOW.
verify() {
	openssl verify -attime 1780272000 -CAfile "$CA" \
	    -untrusted "$R/issuing-ca-1.pem" -untrusted "$R/issuing-ca-2.pem" \
	    "$1" >/dev/null 2>&1
}

# --- the oracles agree with the fixture ------------------------------
check "openssl: the valid twin verifies" verify "$R/twin-valid.pem"
check "openssl: the untrusted twin does not (its signature is not CA 1's)" \
    sh -c "! openssl verify -CAfile '$CA' -untrusted '$R/issuing-ca-1.pem' '$R/twin-untrusted.pem' >/dev/null 2>&1"
check "openssl: the expired twin expired before 2026-06-01" \
    sh -c "! openssl x509 -in '$R/twin-expired.pem' -noout -checkend 0 >/dev/null 2>&1"
check "openssl: the three twins have one subject and one issuer" test \
    "$(for f in twin-valid twin-expired twin-untrusted; do openssl x509 -in "$R/$f.pem" -noout -subject -issuer; done | sort -u | wc -l)" = 2

run $V -f json validate
expect_rc 1 "the fixture has failures: exit 1"
cp "$out" "$T/v.json"
# chk IDENTITY CHECK FIELD: one value of one check of one connector.
chk() {
	python3 - "$T/v.json" "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["Identity"]: x for x in d["Connectors"]}[sys.argv[2]]
if sys.argv[3] == "-":
    print(c[sys.argv[4]] if c[sys.argv[4]] is not None else "null")
else:
    k = {x["Name"]: x for x in c["Checks"]}.get(sys.argv[3])
    print("absent" if k is None else k[sys.argv[4]])
PY
}
# has IDENTITY CHECK RE DESC: the check's detail matches the grep -E RE.
has() {
	chk "$1" "$2" Detail >"$T/detail"
	if grep -Eq -- "$3" "$T/detail"; then ok "$4"; else
		not_ok "$4 (detail lacks /$3/)"; sed 's/^/#   detail: /' "$T/detail"; fi
}
VALID=$(fp "$R/twin-valid.pem") EXP=$(fp "$R/twin-expired.pem") UNT=$(fp "$R/twin-untrusted.pem")

# Exchange keeps only valid certificates of the name, then takes the
# first: an expired or untrusted twin is neither picked nor ambiguous.
check "twins: Binding Pass" test "$(chk 'EDGE01\Twins' Binding Result)" = Pass
check "twins: the valid twin is the one presented (openssl's fingerprint)" \
    test "$(chk 'EDGE01\Twins' - Thumbprint)" = "$VALID"
has 'EDGE01\Twins' Binding "Exchange ignores.*$EXP \(expired on 2026-01-01T00:00:00Z\)" \
    "twins: the detail names the expired twin as ignored"
has 'EDGE01\Twins' Binding "$UNT \(untrusted: certificate signature failure\)" \
    "twins: and the untrusted one, with OpenSSL's reason"
has 'EDGE01\Twins' Binding "^selects $VALID;" "twins: and is not ambiguous"
check "twins: Validity is the valid twin's (Pass)" test "$(chk 'EDGE01\Twins' Validity Result)" = Pass

# Two valid certificates of one name: the Windows store's order decides.
check "pair: Binding Warn" test "$(chk 'EDGE01\Pair' Binding Result)" = Warn
has 'EDGE01\Pair' Binding "Exchange may use any: .*$(fp "$R/pair-b.pem").*$(fp "$R/pair-a.pem")" \
    "pair: both listed as Exchange's possible picks"
check "pair: the checks run on the later NotAfter (pair-b)" \
    test "$(chk 'EDGE01\Pair' - Thumbprint)" = "$(fp "$R/pair-b.pem")"

# The only certificate of the name is expired: event 12014, not "expired".
check "old: Binding Fail" test "$(chk 'EDGE01\Old' Binding Result)" = Fail
has 'EDGE01\Old' Binding "12014.*$(fp "$R/old-expired.pem") \(expired on 2026-01-01" \
    "old: event 12014, saying the certificate is expired"
check "old: no Validity check (Exchange presents nothing)" test "$(chk 'EDGE01\Old' Validity Result)" = absent
check "old: no Thumbprint" test "$(chk 'EDGE01\Old' - Thumbprint)" = null

# Set-ReceiveConnector refuses a name whose first CN is not a domain.
check "display name: Binding Fail" test "$(chk 'EDGE01\Display name' Binding Result)" = Fail
has 'EDGE01\Display name' Binding "Set-ReceiveConnector refuses this TlsCertificateName: the first CN= of its subject part is not a domain name" \
    "display name: saying Exchange refuses the name"

# Exchange loads a certificate only when AuthMechanism holds Tls.
check "no Tls: Binding Warn" test "$(chk 'EDGE01\No Tls' Binding Result)" = Warn
has 'EDGE01\No Tls' Binding "does not offer STARTTLS, so its TlsCertificateName is unused" \
    "no Tls: the name is unused"

# No name: Exchange searches by the Fqdn, an exact name before a wildcard
# (wildcard-rules.pem covers relay.contoso.com too, through *.contoso.com).
check "oracle: the wildcard certificate also covers relay.contoso.com" \
    sh -c "openssl x509 -in '$R/wildcard-rules.pem' -noout -checkhost relay.contoso.com | grep -q 'does match'"
check "relay unbound: Binding Pass" test "$(chk 'EDGE01\Relay unbound' Binding Result)" = Pass
check "relay unbound: the exact certificate is presented, not the wildcard" \
    test "$(chk 'EDGE01\Relay unbound' - Thumbprint)" = "$(fp "$R/relay-exact.pem")"
has 'EDGE01\Relay unbound' Binding "searches by the Fqdn and presents .*covers it by name" \
    "relay unbound: the detail says how it was found"
check "wildcard unbound: the wildcard when nothing exact covers the Fqdn" \
    test "$(chk 'EDGE01\Wildcard unbound' - Thumbprint)" = "$(fp "$R/wildcard-rules.pem")"
check "wildcard unbound: Domain runs on it and passes" \
    test "$(chk 'EDGE01\Wildcard unbound' Domain Result)" = Pass

# <S>subject alone: any issuer (hybrid.pem is CA 2's).
check "subject only: Binding Pass" test "$(chk 'EDGE01\Subject only' Binding Result)" = Pass
check "subject only: selects the CA 2 certificate" \
    test "$(chk 'EDGE01\Subject only' - Thumbprint)" = "$(fp "$R/hybrid.pem")"

# Send connectors present their certificate as a TLS client certificate.
check "oracle: outbound-serveronly.pem's EKU has no clientAuth (openssl)" \
    sh -c "! openssl x509 -in '$R/outbound-serveronly.pem' -noout -ext extendedKeyUsage | grep -q 'Client Authentication'"
check "oracle: hybrid.pem's EKU has clientAuth (openssl)" \
    sh -c "openssl x509 -in '$R/hybrid.pem' -noout -ext extendedKeyUsage | grep -q 'TLS Web Client Authentication'"
check "send without clientAuth: Usage Warn" test "$(chk 'Internet' Usage Result)" = Warn
has 'Internet' Usage "lacks clientAuth.*public CAs have been dropping clientAuth" \
    "saying why, and why it happens"
check "send without clientAuth: Binding still Pass" test "$(chk 'Internet' Binding Result)" = Pass
check "send with clientAuth: Usage Pass" test "$(chk 'Outbound to Office 365' Usage Result)" = Pass
check "receive, the same serverAuth-only EKU elsewhere passes Usage" \
    test "$(chk 'EDGE01\Relay unbound' Usage Result)" = Pass

# Hybrid, as Microsoft's HealthChecker checks it: a cloud connector must
# have a TlsCertificateName of good syntax that selects a certificate.
check "hybrid receive with a name: Binding Pass" test "$(chk 'EDGE01\Hybrid receive' Binding Result)" = Pass
check "hybrid receive without a name: Binding Fail" test "$(chk 'EDGE01\Hybrid unbound' Binding Result)" = Fail
has 'EDGE01\Hybrid unbound' Binding "TlsDomainCapabilities mail.protection.outlook.com:AcceptCloudServicesMail \(hybrid\): mail flow with Exchange Online needs a TlsCertificateName" \
    "hybrid: the detail names the capability"
check "hybrid without a name: no checks on the Fqdn search's certificate" \
    test "$(chk 'EDGE01\Hybrid unbound' - Thumbprint)" = null
check "the same connector without TlsDomainCapabilities would pass (relay unbound)" \
    test "$(chk 'EDGE01\Relay unbound' Binding Result)" = Pass
check "hybrid send whose certificate expired: Binding Fail" \
    test "$(chk 'Outbound to Office 365 (old)' Binding Result)" = Fail
has 'Outbound to Office 365 (old)' Binding "12014.*CloudServicesMailEnabled true \(hybrid\)" \
    "hybrid send: 12014 and the hybrid note"
run $V -f json validate --kind send
cp "$out" "$T/v.json"
check "--kind send: only the three send connectors" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(c['Identity'] for c in d['Connectors']) == ['Internet', 'Outbound to Office 365', 'Outbound to Office 365 (old)'], d
assert all(c['Kind'] == 'Send' for c in d['Connectors'])
" "$T/v.json"
run $V -f junit validate
check "junit: the send connectors' checks are testcases" \
    test "$(xmllint --xpath "string(//testcase[@classname='Internet'][@name='Usage']/system-out)" "$out" | cut -c1-5)" = "Warn:"
run $V -f json validate

# A send and a receive connector may share an identity: the kind label
# keeps their Prometheus series apart (node_exporter refuses a repeat).
cat >"$T/same.xml" <<'XML'
<Connectors>
  <ReceiveConnector><Name>Same</Name><Fqdn>twin.contoso.com</Fqdn>
    <TlsCertificateName>&lt;S&gt;CN=twin.contoso.com</TlsCertificateName></ReceiveConnector>
  <SendConnector><Name>Same</Name><Fqdn>twin.contoso.com</Fqdn>
    <TlsCertificateName>&lt;S&gt;CN=twin.contoso.com</TlsCertificateName></SendConnector>
</Connectors>
XML
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/same.xml" -f prometheus validate
check "same identity, two kinds: no series twice" \
    test "$(grep -v '^#' "$out" | sed 's/ [^ ]*$//' | sort | uniq -d | wc -l)" = 0
expect_out_has '^certbind_check_result\{identity="Same",kind="send",check="Usage"\} 1$' \
    "the send connector's Usage (no clientAuth on twin-valid.pem) is its own series"
if command -v promtool >/dev/null; then
	check "promtool check metrics accepts it" sh -c "promtool check metrics <'$out' >/dev/null 2>&1"
else
	ok "# SKIP promtool is not installed"
fi

# --no-chain: only the dates count, so the untrusted twin is valid too.
run $V -f json validate --identity Twins --no-chain
cp "$out" "$T/v.json"
check "--no-chain: the untrusted twin is no longer ignored (ambiguous)" \
    test "$(chk 'EDGE01\Twins' Binding Result)" = Warn

# --- bind -----------------------------------------------------------
cp "$C" "$T/c.xml"
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/c.xml" -v bind --identity Twins \
    --thumbprint "$VALID" --dry-run
expect_rc 0 "bind the valid twin: exit 0"
expect_err_has "$EXP: has the same name; Exchange ignores it \(expired on" "-v names the ignored expired twin"
check "and does not call the binding ambiguous" sh -c "! grep -q ambiguous '$err'"
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/c.xml" bind --identity Pair \
    --thumbprint "$(fp "$R/pair-a.pem")" --dry-run
expect_err_has "2 valid certificates in the store have this certificate's name; the binding is ambiguous" \
    "bind one of two valid ones: the ambiguity is a warning"
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/c.xml" bind --identity Twins \
    --thumbprint "$(fp "$R/san-only.pem")"
expect_rc 1 "bind a SAN-only certificate: refused (exit 1)"
expect_err_has "would refuse the TlsCertificateName '<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>': its subject part is empty" \
    "saying Exchange would refuse the empty subject"
check "nothing written" cmp -s "$C" "$T/c.xml"

# --- name -----------------------------------------------------------
run -s "$R" --at 2026-06-01 name "$(fp "$R/san-only.pem")"
expect_rc 0 "name of a SAN-only certificate: exit 0"
expect_out "<I>CN=Contoso Issuing CA 1, DC=contoso, DC=com<S>" "printed all the same"
expect_err_has "warning: .*cannot be bound by name" "with a warning"

# --- renew: the current certificate is the one Exchange presents ------
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/c.xml" -f json renew --identity Twins --dry-run
# The valid twin is current and passes; the wildcard certificate (it
# covers twin.contoso.com through *.contoso.com) expires later, so renew
# moves to it -- "expires later", not "the current binding fails".
check "renew: the current binding is the valid twin, which passes" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
c = d['Connectors'][0]
assert c['Action'] == 'Rebound' and c['Detail'] == 'expires later: ' + sys.argv[2], c
" "$out" "$(fp "$R/wildcard-rules.pem")"
# renew's state file tells a send and a receive connector of one identity
# apart: each has its line, and a second run hands the hook nothing new.
cp "$T/same.xml" "$T/s.xml"
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/s.xml" renew --exec "echo ran >>'$T/hook.log'"
expect_rc 0 "renew --exec, a send and a receive connector named Same: exit 0"
check "the hook ran once" test "$(cat "$T/hook.log" 2>/dev/null)" = ran
check "the state file has a line for each" python3 -c "
import sys
lines = open(sys.argv[1]).read().split('\n')[1:-1]
assert len(lines) == 2, lines
assert lines[0].startswith('Same\t') and len(lines[0]) == 5 + 40, lines
assert lines[1].startswith('Same\t') and lines[1].endswith('\tSend'), lines
" "$T/s.xml.state"
run -s "$R" --ca-file "$CA" --at 2026-06-01 -c "$T/s.xml" renew --exec "echo ran >>'$T/hook.log'"
check "a second run does not run the hook again" test "$(cat "$T/hook.log")" = ran
done_testing
