#!/bin/sh
# A real renewal, end to end, on loopback (issue 5): Debian's pebble as
# the ACME server and certbot as the client, certbind as certbot's deploy
# hook.  Issuing binds the connector; restarting pebble (a new
# intermediate, so a new issuer name, as Let's Encrypt's R10 -> R11) and
# renewing the same lineage rebinds it to the renewed certificate's name.
# Renewing again from the same pebble (same intermediate, so the same
# name: nothing to write) runs the --exec hook exactly once; a hook that
# fails runs again on the next renew until it succeeds, then stops; a
# renew with nothing new runs nothing and, with -q, prints nothing.
. "$(dirname "$0")/lib.sh"
if ! command -v pebble >/dev/null || ! command -v certbot >/dev/null; then
	ok "# SKIP pebble or certbot is not installed (.ci/run installs both)"
	done_testing
	exit 0
fi
E=$T/e2e
mkdir -p "$E"
# Ports chosen per run, so parallel runs and leftovers don't collide.
base=$((20000 + $$ % 20000))
ACME=$base MGMT=$((base + 1)) HTTP=$((base + 2)) TLS=$((base + 3))
PEBBLE_PID=

stop_pebble() {
	if [ -n "$PEBBLE_PID" ]; then
		kill "$PEBBLE_PID" 2>/dev/null
		wait "$PEBBLE_PID" 2>/dev/null
		PEBBLE_PID=
	fi
}
trap 'stop_pebble; rm -rf "$T"' EXIT INT TERM

# pebble's own TLS certificate, from a CA of this test.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$E/ca.key" -out "$E/ca.pem" -days 2 -subj "/CN=certbind e2e CA" \
    2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$E/pebble.key" -out "$E/pebble.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$E/ext"
openssl x509 -req -in "$E/pebble.csr" -CA "$E/ca.pem" -CAkey "$E/ca.key" \
    -CAcreateserial -out "$E/pebble.pem" -days 2 -extfile "$E/ext" 2>/dev/null
cat >"$E/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$ACME",
  "managementListenAddress": "127.0.0.1:$MGMT",
  "certificate": "$E/pebble.pem", "privateKey": "$E/pebble.key",
  "httpPort": $HTTP, "tlsPort": $TLS, "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON

# PEBBLE_WFE_NONCEREJECT=0: pebble rejects 5% of nonces by default, to
# test clients' retries; Debian 12's certbot (2.1, Python 3.11) retries
# once and, when the retry is rejected too, crashes with "AttributeError:
# can't set attribute" (certbot issue 9539): a rare failure of this test
# that says nothing about certbind.
start_pebble() {
	PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	    pebble -config "$E/pebble.json" >>"$E/pebble.log" 2>&1 &
	PEBBLE_PID=$!
	i=0
	until curl -sf --cacert "$E/ca.pem" "https://127.0.0.1:$ACME/dir" >/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
	# The roots of this pebble run are certbind's trust anchors.
	curl -sf --cacert "$E/ca.pem" "https://127.0.0.1:$MGMT/roots/0" >"$E/roots.pem"
}

# The connector to bind: Client Frontend of the sample, Fqdn mail.contoso.com.
cp "$PKI/connectors.xml" "$E/connectors.xml"
# mkhook GLOBAL-OPTIONS EXEC: certbind renew as a deploy hook
mkhook() {
	printf '%s' "$BIN $1 --store $E/cfg/live --config $E/connectors.xml --ca-file $E/roots.pem renew --identity 'Client Frontend MAILBOX01' --exec '$2'"
}
LOGEXEC='printf "%s|%s\\n" "$CERTBIND_CHANGED" "$CERTBIND_THUMBPRINTS" >>'"$E/exec.log"
HOOK=$(mkhook "" "$LOGEXEC")

certbot_run() {
	REQUESTS_CA_BUNDLE=$E/ca.pem certbot certonly --standalone \
	    --server "https://127.0.0.1:$ACME/dir" \
	    --http-01-port "$HTTP" --http-01-address 127.0.0.1 \
	    -d mail.contoso.com --cert-name mail.contoso.com \
	    --config-dir "$E/cfg" --work-dir "$E/work" --logs-dir "$E/logs" \
	    --register-unsafely-without-email --agree-tos --non-interactive \
	    --deploy-hook "$HOOK" "$@" >"$E/certbot.out" 2>&1
}
tlsname() {
	xmllint --xpath "string(//ReceiveConnector[Name='Client Frontend MAILBOX01']/TlsCertificateName)" "$E/connectors.xml"
}
# What the name must be, from openssl: <I>issuer<S>subject of a
# single-RDN pebble certificate ("CN=..." in Windows' form).
want_name() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus,utf8,-esc_msb | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus,utf8,-esc_msb | sed 's/^subject=//')
	printf '<I>%s<S>%s' "$i" "$s"
}

if ! start_pebble; then
	not_ok "pebble starts on loopback"; sed 's/^/#   /' "$E/pebble.log"
	done_testing; exit 1
fi
ok "pebble starts on loopback"
before=$(tlsname)

certbot_run
rc=$?
expect_rc 0 "certbot issues a certificate and runs certbind as its deploy hook"
[ $rc -eq 0 ] || sed 's/^/#   /' "$E/certbot.out" | tail -n 30
C1=$(readlink -f "$E/cfg/live/mail.contoso.com/cert.pem")
W1=$(want_name "$C1")
check "the first certificate's name is new to the config" test "$W1" != "$before"
check "the connector is bound to the issued certificate's name" test "$(tlsname)" = "$W1"
check "the --exec hook ran once, told the connector and thumbprint" \
    grep -qx "MAILBOX01\\\\Client Frontend MAILBOX01|$(openssl x509 -in "$C1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')" "$E/exec.log"
check "xmllint still reads the configuration" xmllint --noout "$E/connectors.xml"

# Restart: a new intermediate and root; pebble forgot the account.
stop_pebble
start_pebble || not_ok "pebble restarts"
rm -rf "$E/cfg/accounts"
certbot_run --force-renewal
rc=$?
expect_rc 0 "certbot renews the same lineage against the restarted pebble"
[ $rc -eq 0 ] || sed 's/^/#   /' "$E/certbot.out" | tail -n 30
C2=$(readlink -f "$E/cfg/live/mail.contoso.com/cert.pem")
W2=$(want_name "$C2")
check "the renewed certificate is another file" test "$C2" != "$C1"
check "its issuer name changed (new intermediate)" test "$W2" != "$W1"
check "the connector is rebound to the renewed certificate's name" test "$(tlsname)" = "$W2"
check "the hook ran a second time" test "$(wc -l <"$E/exec.log")" -eq 2

# Nothing to change: renew again by hand; no write, no hook, exit 0.
ino=$(stat -c '%i %Y' "$E/connectors.xml")
sh -c "$HOOK" >"$out" 2>"$err"; rc=$?
expect_rc 0 "a renew with nothing to change exits 0"
check "and leaves the file untouched (inode and mtime)" test "$(stat -c '%i %Y' "$E/connectors.xml")" = "$ino"
check "and runs no hook" test "$(wc -l <"$E/exec.log")" -eq 2
# A same-name renewal: the same pebble, the same intermediate.
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
certbot_run --force-renewal
rc=$?
expect_rc 0 "certbot renews the lineage again from the same pebble"
[ $rc -eq 0 ] || sed 's/^/#   /' "$E/certbot.out" | tail -n 30
C3=$(readlink -f "$E/cfg/live/mail.contoso.com/cert.pem")
check "a third certificate" test "$C3" != "$C2"
check "with the same name (same issuer and subject)" test "$(want_name "$C3")" = "$W2"
check "nothing to write: the file is untouched" test "$(stat -c '%i %Y' "$E/connectors.xml")" = "$ino"
check "the same-name renewal ran the hook exactly once" test "$(lines "$E/exec.log")" -eq 3
check "and gave it the new thumbprint" \
    test "$(tail -n 1 "$E/exec.log")" = "MAILBOX01\\Client Frontend MAILBOX01|$(fp "$C3")"
sh -c "$HOOK" >"$out" 2>"$err"; rc=$?
expect_rc 0 "renew once more: exit 0"
check "it does not run the hook again" test "$(lines "$E/exec.log")" -eq 3

# The next renewal's hook fails (certbot runs it): pending.
FAILHOOK=$(mkhook "" "echo failed >>$E/fail.log; exit 1")
HOOK=$FAILHOOK certbot_run --force-renewal
C4=$(readlink -f "$E/cfg/live/mail.contoso.com/cert.pem")
check "a fourth certificate, the same name" test "$C4" != "$C3" -a "$(want_name "$C4")" = "$W2"
check "certbot ran the failing hook once" test "$(lines "$E/fail.log")" -eq 1
sh -c "$FAILHOOK" >"$out" 2>"$err"; rc=$?
expect_rc 2 "the next renew runs the failing hook again: exit 2"
check "it ran again" test "$(lines "$E/fail.log")" -eq 2
expect_err_has "exited with status 1; the next renew runs it again" "saying the change stays pending"
sh -c "$HOOK" >"$out" 2>"$err"; rc=$?
expect_rc 0 "a working hook: exit 0"
check "it ran once, given the fourth certificate" \
    test "$(lines "$E/exec.log")" -eq 4 -a "$(tail -n 1 "$E/exec.log")" = "MAILBOX01\\Client Frontend MAILBOX01|$(fp "$C4")"
expect_out_has "^MAILBOX01.Client Frontend MAILBOX01 +Renewed +$(fp "$C4") " "the table says Renewed"
sh -c "$FAILHOOK" >"$out" 2>"$err"; rc=$?
expect_rc 0 "after the success, nothing is pending: even the failing hook is not run"
check "it did not run" test "$(lines "$E/fail.log")" -eq 2

# Nothing new, as from cron with -q: nothing runs, nothing is printed.
sh -c "$(mkhook -q "$LOGEXEC")" >"$out" 2>"$err"; rc=$?
expect_rc 0 "-q, nothing new: exit 0"
check "-q, nothing new: nothing on stdout" test ! -s "$out"
# certbot's live/README and live/NAME/README are text without a
# certificate: skipped silently, so cron mails nothing at all.
check "-q, nothing new: nothing on stderr either" test ! -s "$err"
check "-q, nothing new: no hook" test "$(lines "$E/exec.log")" -eq 4
check "the configuration was never rewritten for the same-name renewals" \
    test "$(stat -c '%i %Y' "$E/connectors.xml")" = "$ino"

last=$PEBBLE_PID
stop_pebble
check "pebble is stopped" sh -c "! kill -0 $last 2>/dev/null"
done_testing
