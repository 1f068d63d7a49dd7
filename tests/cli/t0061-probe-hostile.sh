#!/bin/sh
# probe against hostile servers (tests/cli/fakeserver.py, one connection
# each on a free port of 127.0.0.1): each is exit 2 with a message that
# says what the server did, within the time allowed.  Usage errors last.
. "$(dirname "$0")/lib.sh"
# Debian's python3 (scripts/deps.sh), not a slower one earlier in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FAKE=$top/tests/cli/fakeserver.py
fakepid=
trap '[ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null; rm -rf "$T"' EXIT

# fake MODE [CHAIN KEY]: starts the fake server; sets $port and $fakepid.
fake() {
	: >"$T/port"
	"$PY" "$FAKE" "$@" >"$T/port" &
	fakepid=$!
	_i=0
	while [ ! -s "$T/port" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	port=$(head -n 1 "$T/port")
}
# unfake: the fake server is gone (it exits after its one connection).
unfake() {
	kill "$fakepid" 2>/dev/null
	wait "$fakepid" 2>/dev/null
	fakepid=
}
# probe MODE PROTO [OPTION...]: probes a fresh fake server in mode MODE.
probe() {
	_m=$1 _p=$2
	shift 2
	fake "$_m"
	run probe "127.0.0.1:$port" --starttls "$_p" --timeout 5 "$@"
	unfake
}
# hostile MODE PROTO RE DESC: exit 2, "certbind: 127.0.0.1:PORT: " and RE.
hostile() {
	probe "$1" "$2"
	expect_rc 2 "$4: exit 2"
	expect_err_has "^certbind: 127\\.0\\.0\\.1:$port: $3" "$4: says what the server did"
	check "$4: nothing on stdout" test ! -s "$out"
}

hostile no-starttls smtp "does not offer STARTTLS" "EHLO without STARTTLS"
hostile refuse-starttls smtp \
    "refused STARTTLS: '554 5\\.7\\.0 no TLS for you'" "554 to STARTTLS"
hostile huge-line smtp "sent a line longer than 4096 bytes while waiting for the greeting" \
    "a 1 MB greeting line"
hostile early-close smtp "closed the connection while waiting for the greeting" \
    "close before the greeting"
hostile close-after-greeting smtp \
    "(closed the connection|Connection reset by peer|Broken pipe|cannot send).* EHLO" \
    "close after the greeting"
hostile plaintext-after-starttls smtp "did not answer in TLS in the TLS handshake" \
    "plaintext after STARTTLS"
hostile injected-after-starttls smtp \
    "sent 14 bytes of plaintext after its yes to STARTTLS, before TLS began" \
    "data injected after the STARTTLS reply"
hostile close-in-handshake smtp "closed the connection (\\(reset\\) )?in the TLS handshake" \
    "close in the middle of the handshake"
hostile tls-banner smtp "answered in TLS while waiting for the greeting" \
    "TLS where the greeting was expected"
hostile garbage smtp "broke the SMTP protocol while waiting for the greeting" \
    "garbage for a greeting"
hostile endless-reply smtp "sent a reply of more than 100 lines while waiting for the EHLO reply" \
    "an EHLO reply that never ends"
hostile imap-no-starttls imap "does not offer STARTTLS \\(its CAPABILITY" \
    "IMAP without STARTTLS"
hostile imap-refuse imap "refused STARTTLS: 'a2 NO \\[UNAVAILABLE\\] not today'" \
    "IMAP NO to STARTTLS"
hostile pop3-refuse pop3 "refused STLS: '-ERR no STLS here'" "POP3 -ERR to STLS"

# Odd but correct servers, through to a TLS handshake (the fake's TLS
# is Python's): the longest line allowed, a lower-case EHLO keyword on a
# middle line, IMAP untagged responses around the tagged ones, a POP3
# server without CAPA.  Each is told goodbye after the handshake.
S=$PKI/store
cat "$S/mail.contoso.com-renewed.pem" "$PKI/ca/issuing-ca-1.pem" >"$T/chain.pem"
KEY=$S/mail.contoso.com-renewed.key
# odd MODE PROTO GOODBYE DESC: exit 0, all checks pass, GOODBYE said.
odd() {
	fake "$1" "$T/chain.pem" "$KEY"
	run --at 2026-06-01 --ca-file "$PKI/ca/root-ca.pem" probe "127.0.0.1:$port" \
	    --starttls "$2" --servername mail.contoso.com --timeout 5
	wait "$fakepid"
	fakepid=
	expect_rc 0 "$4: exit 0"
	expect_out_has "^Thumbprint +: $(openssl x509 -in "$S/mail.contoso.com-renewed.pem" \
	    -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')\$" "$4: the certificate"
	check "$4: said $3 after the handshake" test "$(sed -n 2p "$T/port")" = "$3"
}
odd edge-smtp smtp QUIT "a greeting line of 4094 bytes and CR LF"
odd imap-noise imap "a3 LOGOUT" "IMAP with untagged responses"
odd pop3-no-capa pop3 QUIT "POP3 without CAPA"
fake edge-smtp-long "$T/chain.pem" "$KEY"
run probe "127.0.0.1:$port" --starttls smtp --timeout 5
unfake
expect_rc 2 "a greeting line one byte longer: exit 2"
expect_err_has "sent a line longer than 4096 bytes while waiting for the greeting" \
    "a greeting line one byte longer: too long"

# The server's words are escaped: no raw control byte reaches stderr.
hostile escape-greeting smtp "refused the session: its greeting is '554 " \
    "a greeting with control bytes"
expect_err_has '554 \\x1B\[31mgo away\\x07 \\xFF' "control bytes shown escaped"
check "no raw ESC or BEL on stderr" sh -c "! grep -q '$(printf '[\033\007]')' '$err'"

# Silence: --timeout 2 gives up in about 2 s, saying so.
fake silence
s0=$(date +%s.%N)
run probe "127.0.0.1:$port" --starttls smtp --timeout 2
s1=$(date +%s.%N)
unfake
expect_rc 2 "silent server: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$port: timed out after 2 s while waiting for the greeting: it sent nothing" \
    "silent server: says it timed out waiting for the greeting"
check "silent server: gave up in under 5 s" "$PY" -c "
import sys; t = float(sys.argv[2]) - float(sys.argv[1]); assert 1.5 < t < 5, t" "$s0" "$s1"

# A server that goes silent in the handshake: the deadline holds there too.
fake silent-handshake
run probe "127.0.0.1:$port" --starttls smtp --timeout 2
unfake
expect_rc 2 "silent in the handshake: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$port: timed out after 2 s in the TLS handshake\$" \
    "silent in the handshake: says it timed out there"

# The deadline is for the whole run, not for each read: a server that
# sends a line every 0.4 s cannot stretch it.
fake trickle
s0=$(date +%s.%N)
run probe "127.0.0.1:$port" --starttls smtp --timeout 1.5
s1=$(date +%s.%N)
unfake
expect_rc 2 "trickling server: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$port: timed out after 1\\.500 s while waiting for the greeting\$" \
    "trickling server: one deadline for all its lines"
check "trickling server: gave up in under 5 s" "$PY" -c "
import sys; t = float(sys.argv[2]) - float(sys.argv[1]); assert 1 < t < 5, t" "$s0" "$s1"

# A name server that never answers: the name's resolution is bounded by
# --timeout too.  In a network and mount namespace of its own (so its
# port 53 is no one else's), with an nsswitch.conf that asks DNS only
# and a resolv.conf that names only the mute server on 127.0.0.1, with
# a resolver timeout far longer than ours.
printf 'hosts: dns\n' >"$T/nsswitch.conf"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$T/resolv.conf"
unshare -mn sh -c '
	T=$1 PY=$2 FAKE=$3
	shift 3
	ip link set lo up &&
	    mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf &&
	    mount --bind "$T/resolv.conf" /etc/resolv.conf || exit 97
	"$PY" "$FAKE" mute-dns >"$T/dnsport" &
	dns=$!
	i=0
	while [ ! -s "$T/dnsport" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	date +%s.%N >"$T/s0"
	"$@"
	rc=$?
	date +%s.%N >"$T/s1"
	kill $dns
	exit $rc' sh "$T" "$PY" "$FAKE" ${CERTBIND_TEST_WRAP:-} "$BIN" \
    probe mail.example.test:25 --timeout 2 >"$out" 2>"$err"
rc=$?
expect_rc 2 "a mute name server: exit 2"
expect_err_has "^certbind: mail\\.example\\.test:25: timed out after 2 s while resolving the name\$" \
    "a mute name server: says it timed out resolving"
check "a mute name server: gave up in under 5 s" "$PY" -c "
import sys; t = float(open(sys.argv[2]).read()) - float(open(sys.argv[1]).read()); assert 1.5 < t < 5, t" "$T/s0" "$T/s1"

# Nothing listening: exit 2, connection refused.
fake early-close
unfake
run probe "127.0.0.1:$port" --starttls smtp --timeout 2
expect_rc 2 "nothing listening: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$port: cannot connect: Connection refused" \
    "nothing listening: connection refused"

# Usage errors (64), each saying what is wrong.
run probe 127.0.0.1:2525
expect_rc 64 "a port with no known protocol and no --starttls: usage"
expect_err_has "no protocol is known for port 2525: give --starttls" "it says to give --starttls"
run probe 127.0.0.1:25 --starttls smtps
expect_rc 64 "unknown --starttls: usage"
expect_err_has "unknown protocol 'smtps' for --starttls" "it names the bad protocol"
for t in 0 -1 abc 1e9 nan; do
	run probe 127.0.0.1:25 --timeout "$t"
	expect_rc 64 "--timeout $t: usage"
	expect_err_has "invalid timeout '$t'" "--timeout $t: says why"
done
run probe '[::1'
expect_rc 64 "unclosed bracket: usage"
expect_err_has "no '\\]' after the IPv6 address" "unclosed bracket: says why"
run probe '[127.0.0.1]:25'
expect_rc 64 "an IPv4 address in brackets: usage"
run probe 127.0.0.1:0
expect_rc 64 "port 0: usage"
expect_err_has "the port must be a number from 1 to 65535" "port 0: says why"
run probe 127.0.0.1:99999
expect_rc 64 "port 99999: usage"
run probe 'mail_server.example:25'
expect_rc 64 "a host name with an underscore: usage"
run probe 127.0.0.1:25 --servername 127.0.0.1
expect_rc 64 "an address as --servername: usage"
run probe
expect_rc 64 "no HOST: usage"
expect_err_has "no HOST\\[:PORT\\] given" "no HOST: says so"
run probe 127.0.0.1:25 -f junit
expect_rc 64 "--format junit: usage"

done_testing
