#!/bin/sh
# probe against real servers on loopback: Debian's Postfix (SMTP
# STARTTLS, four listeners presenting four situations) and Dovecot
# (IMAP and POP3 with STARTTLS, and TLS from the first byte), each run
# from a private directory of this test on free ports of 127.0.0.1 and
# stopped at the end, on failure too.  The oracle for what a server
# presents is `openssl s_client` piped into `openssl x509 -fingerprint`;
# expected verdicts come from certs-test/README.md.
. "$(dirname "$0")/lib.sh"
# Debian's python3 (scripts/deps.sh), not a slower one earlier in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
S=$PKI/store
CA="--ca-file $PKI/ca/root-ca.pem"
AT="--at 2026-06-01"
PW="--password-file $PKI/password.txt"
CONF="-c $PKI/connectors.xml"
ICA1="CN=Contoso Issuing CA 1, DC=contoso, DC=com"

for p in postfix dovecot; do
	command -v $p >/dev/null || PATH=$PATH:/usr/sbin
done
PF=$T/postfix DV=$T/dovecot
dvpid=
stop_servers() {
	[ -f "$PF/etc/main.cf" ] && postfix -c "$PF/etc" stop >/dev/null 2>&1
	if [ -n "$dvpid" ]; then
		kill "$dvpid" 2>/dev/null
		wait "$dvpid" 2>/dev/null
	fi
}
trap 'stop_servers; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
freeport() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# waitport PORT: until something listens on 127.0.0.1:PORT (10 s at most).
waitport() {
	"$PY" -c '
import socket, sys, time
for i in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' "$1"
}
# oracle ARGS...: the SHA-1 of the leaf s_client is shown by ARGS.
oracle() {
	openssl s_client "$@" </dev/null 2>/dev/null |
	    openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'
}
# sclient_tls ARGS...: "VERSION CIPHER" as s_client reports them.
sclient_tls() {
	openssl s_client "$@" </dev/null 2>/dev/null |
	    sed -n 's/^New, \([^,]*\), Cipher is \(.*\)$/\1 \2/p' | head -n 1
}
# jq1 EXPR: the Python expression EXPR on d, the JSON on stdout.
jq1() {
	"$PY" -c "
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
c = {x['Name']: x for x in d.get('Checks', [])}
k = {x['Identity']: {y['Name']: y for y in x['Checks']} for x in d.get('Connectors', [])}
print($1)" "$out"
}
jcheck() {
	check "$1" "$PY" -c "
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
c = {x['Name']: x for x in d.get('Checks', [])}
k = {x['Identity']: {y['Name']: y for y in x['Checks']} for x in d.get('Connectors', [])}
assert $2, d" "$out"
}

RENEWED=$(fp "$S/mail.contoso.com-renewed.pem")
OLD=$(fp "$S/mail.contoso.com.pem")
WWW=$(fp "$S/fullchain-www.contoso.com.pem")
ICA1FP=$(fp "$PKI/ca/issuing-ca-1.pem")

# --- Postfix: one smtpd listener per situation -----------------------
mkdir -p "$PF/etc" "$PF/q" "$PF/d" "$PF/tls"
chmod 755 "$T"
chown postfix "$PF/d"
# smtpd_tls_chain_files: the key, then the leaf, then its chain.
cat "$S/mail.contoso.com-renewed.key" "$S/mail.contoso.com-renewed.pem" \
    "$PKI/ca/issuing-ca-1.pem" >"$PF/tls/good.pem"
cat "$S/privkey-mail.contoso.com.pem" "$S/mail.contoso.com.pem" \
    "$PKI/ca/issuing-ca-1.pem" >"$PF/tls/old.pem"
cat "$S/www.contoso.com.key" "$S/fullchain-www.contoso.com.pem" >"$PF/tls/other.pem"
cat "$S/mail.contoso.com-renewed.key" "$S/mail.contoso.com-renewed.pem" \
    >"$PF/tls/nochain.pem"
GOOD=$(freeport) OLDP=$(freeport) OTHER=$(freeport) NOCHAIN=$(freeport)
cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/q
data_directory = $PF/d
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = mail.contoso.com
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PF/tls/good.pem
EOF
{
	echo "127.0.0.1:$GOOD inet n - n - - smtpd"
	echo "127.0.0.1:$OLDP inet n - n - - smtpd -o smtpd_tls_chain_files=$PF/tls/old.pem"
	echo "127.0.0.1:$OTHER inet n - n - - smtpd -o smtpd_tls_chain_files=$PF/tls/other.pem"
	echo "127.0.0.1:$NOCHAIN inet n - n - - smtpd -o smtpd_tls_chain_files=$PF/tls/nochain.pem"
	for s in "cleanup unix n - n - 0 cleanup" "qmgr unix n - n 300 1 qmgr" \
	    "tlsmgr unix - - n 1000? 1 tlsmgr" "rewrite unix - - n - - trivial-rewrite" \
	    "bounce unix - - n - 0 bounce" "defer unix - - n - 0 bounce" \
	    "trace unix - - n - 0 bounce" "verify unix - - n - 1 verify" \
	    "proxymap unix - - n - - proxymap" "smtp unix - - n - - smtp" \
	    "error unix - - n - - error" "retry unix - - n - - error" \
	    "anvil unix - - n - 1 anvil" "scache unix - - n - 1 scache" \
	    "postlog unix-dgram n - n - 1 postlogd"; do
		echo "$s"
	done
} >"$PF/etc/master.cf"
postfix -c "$PF/etc" start >"$T/postfix.out" 2>&1
check "postfix starts on its own ports" waitport "$GOOD"
for p in $OLDP $OTHER $NOCHAIN; do waitport "$p"; done

# --- Dovecot: IMAP, IMAPS, POP3, POP3S --------------------------------
mkdir -p "$DV/run" "$DV/state"
cat "$S/mail.contoso.com-renewed.pem" "$PKI/ca/issuing-ca-1.pem" >"$DV/cert.pem"
cp "$S/mail.contoso.com-renewed.key" "$DV/key.pem"
# For the name www.contoso.com in SNI, Dovecot presents another certificate.
cp "$S/fullchain-www.contoso.com.pem" "$DV/www.pem"
cp "$S/www.contoso.com.key" "$DV/www.key"
: >"$DV/passwd"
IMAP=$(freeport) IMAPS=$(freeport) POP3=$(freeport) POP3S=$(freeport)
cat >"$DV/dovecot.conf" <<EOF
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/log
instance_name = certbind-test-$$
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DV/cert.pem
ssl_key = <$DV/key.pem
disable_plaintext_auth = yes
passdb {
  driver = passwd-file
  args = $DV/passwd
}
userdb {
  driver = passwd-file
  args = $DV/passwd
}
local_name www.contoso.com {
  ssl_cert = <$DV/www.pem
  ssl_key = <$DV/www.key
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S
    ssl = yes
  }
}
EOF
dovecot -F -c "$DV/dovecot.conf" >"$T/dovecot.out" 2>&1 &
dvpid=$!
check "dovecot starts on its own ports" waitport "$IMAP"
for p in $IMAPS $POP3 $POP3S; do waitport "$p"; done

# pr PORT PROTO [OPTION...]: probe in JSON with the test PKI's anchor and time.
pr() {
	_p=$1 _s=$2
	shift 2
	run $AT $CA -f json probe "127.0.0.1:$_p" --starttls "$_s" \
	    --servername mail.contoso.com "$@"
}

# --- the right certificate (Postfix, SMTP STARTTLS) -------------------
O=$(oracle -starttls smtp -connect "127.0.0.1:$GOOD")
check "oracle: s_client sees the renewed certificate" test "$O" = "$RENEWED"
pr "$GOOD" smtp
expect_rc 0 "right certificate: exit 0"
expect_err_empty "right certificate: nothing on stderr"
check "Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
check "the SHA-256 is openssl's" test "$(jq1 "d['Sha256Thumbprint']")" = \
    "$(openssl x509 -in "$S/mail.contoso.com-renewed.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')"
check "TlsVersion and Cipher are what s_client negotiated" test \
    "$(jq1 "d['TlsVersion'] + ' ' + d['Cipher']")" = \
    "$(sclient_tls -starttls smtp -connect "127.0.0.1:$GOOD")"
jcheck "JSON: the members of certbind(1) in order" "list(d)[:5] == ['Host', 'Port', 'Protocol', 'TlsVersion', 'Cipher'] and list(d)[-3:] == ['TlsCertificateName', 'Chain', 'Checks'] and d['Host'] == '127.0.0.1' and d['Port'] == $GOOD and d['Protocol'] == 'smtp'"
jcheck "JSON: the leaf's fields, none of the store's" "d['Subject'] == 'CN=mail.contoso.com' and d['Issuer'] == '$ICA1' and d['CertificateDomains'] == ['mail.contoso.com', 'autodiscover.contoso.com'] and d['NotAfter'] == '2027-05-01T00:00:00Z' and 'HasPrivateKey' not in d and 'Path' not in d"
jcheck "TlsCertificateName is <I>issuer<S>subject" "d['TlsCertificateName'] == '<I>$ICA1<S>CN=mail.contoso.com'"
jcheck "Chain: the leaf and the intermediate, as presented" "[x['Thumbprint'] for x in d['Chain']] == ['$RENEWED', '$ICA1FP'] and d['Chain'][1]['Subject'] == '$ICA1' and list(d['Chain'][0]) == ['Thumbprint', 'Subject', 'Issuer']"
jcheck "checks: Domain Validity Usage Chain Key, no PrivateKey, all Pass" "[x['Name'] for x in d['Checks']] == ['Domain', 'Validity', 'Usage', 'Chain', 'Key'] and all(x['Result'] == 'Pass' for x in d['Checks'])"
jcheck "Chain trusted up to the root" "c['Chain']['Detail'] == 'trusted: 3 certificates up to CN=Contoso Root CA, O=Contoso Ltd, C=US'"

pr "$GOOD" smtp -s "$S" $PW $CONF --identity 'Client Frontend MAILBOX01'
expect_rc 0 "--identity, right certificate: exit 0"
jcheck "Binding Pass naming the presented certificate" "k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Result'] == 'Pass' and '$RENEWED' in k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Detail']"
jcheck "Domain Pass against the connector's Fqdn" "k['MAILBOX01\\\\Client Frontend MAILBOX01']['Domain']['Result'] == 'Pass' and list(d)[-1] == 'Connectors' and len(d['Connectors']) == 1"

# Without --ca-file the test root is not trusted: Chain Fail, exit 1.
run $AT -f json probe "127.0.0.1:$GOOD" --starttls smtp --servername mail.contoso.com
expect_rc 1 "an untrusted root: exit 1"
jcheck "an untrusted root: Chain Fail" "c['Chain']['Result'] == 'Fail'"
run $AT -f json probe "127.0.0.1:$GOOD" --starttls smtp --servername mail.contoso.com --no-chain
expect_rc 0 "--no-chain: exit 0"
jcheck "--no-chain: no Chain entry" "'Chain' not in c"

# HOST an address, no --servername: Domain against the address, no SNI.
run $AT $CA -f json probe "127.0.0.1:$GOOD" --starttls smtp
expect_rc 1 "an address the certificate does not cover: exit 1"
jcheck "Domain Fail against 127.0.0.1, listing what it covers" "c['Domain']['Result'] == 'Fail' and 'mail.contoso.com' in c['Domain']['Detail']"

# Table and list output.
run $AT $CA probe "127.0.0.1:$GOOD" --starttls smtp --servername mail.contoso.com
expect_rc 0 "list (the default): exit 0"
expect_out_has "^Thumbprint +: $RENEWED\$" "list: the Thumbprint line"
expect_out_has "^TlsVersion +: TLSv1" "list: the TlsVersion line"
expect_out_has "^  $ICA1FP  $ICA1  " "list: the chain as an indented table"
run $AT $CA -f table -s "$S" $PW $CONF probe "127.0.0.1:$GOOD" --starttls smtp \
    --servername mail.contoso.com --identity 'Client Frontend MAILBOX01'
expect_rc 0 "table: exit 0"
expect_out_has "^For +Check +Result +Detail\$" "table: the header"
expect_out_has "^mail\\.contoso\\.com +Chain +Pass +trusted" "table: a row per check of the server"
expect_out_has "^MAILBOX01.Client Frontend MAILBOX01 +Binding +Pass" "table: a row per connector check"

run $AT $CA -s "$S" $PW $CONF probe "127.0.0.1:$GOOD" --starttls smtp \
    --servername mail.contoso.com --identity 'Client Frontend MAILBOX01'
expect_rc 0 "list with --identity: exit 0"
check "list: the connector once, after the server" test \
    "$(grep -c '^Identity : MAILBOX01.Client Frontend MAILBOX01$' "$out")" = 1
expect_out_has "^  Binding +Pass +the server presents $RENEWED" "list: the connector's checks"
# No TlsCertificateName: Exchange searches by the Fqdn (certbind(1) WHAT
# EXCHANGE DOES), which for mailbox01.contoso.com finds exchange.pfx's
# certificate (openssl's fingerprint), not the one this server presents.
MBX=$(openssl pkcs12 -in "$S/exchange.pfx" -clcerts -nokeys -passin "file:$PKI/password.txt" 2>/dev/null |
    openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run $AT $CA -s "$S" $PW $CONF -f json probe "127.0.0.1:$GOOD" --starttls smtp \
    --servername mail.contoso.com --identity 'Default Frontend MAILBOX01'
expect_rc 1 "no TlsCertificateName, another certificate presented: exit 1"
jcheck "Binding Fail naming what the Fqdn search finds" "k['MAILBOX01\\\\Default Frontend MAILBOX01']['Binding']['Result'] == 'Fail' and k['MAILBOX01\\\\Default Frontend MAILBOX01']['Binding']['Detail'] == 'no TlsCertificateName: the server presents $RENEWED, but the Fqdn search finds $MBX (NotAfter 2027-01-01T00:00:00Z)'"
run $AT $CA -s "$S" $CONF probe "127.0.0.1:$GOOD" --starttls smtp --identity 'No Such*'
expect_rc 1 "a pattern that selects no connector: exit 1"
expect_err_has "connectors\\.xml: no receive connector matches 'No Such\\*'" "it says so"
run $AT $CA -s "$S" -c "$T/nonexistent.xml" probe "127.0.0.1:$GOOD" --starttls smtp --identity '*'
expect_rc 2 "a configuration that cannot be read: exit 2"
expect_err_has "nonexistent\\.xml: No such file or directory" "it says why"

# --- after a renewal, still the old certificate: Binding Warn ---------
# Both are valid, so Exchange itself may present either (certbind(1) WHAT
# EXCHANGE DOES): a warning naming both, not a failure.
O=$(oracle -starttls smtp -connect "127.0.0.1:$OLDP")
check "oracle: s_client sees the old certificate" test "$O" = "$OLD"
pr "$OLDP" smtp -s "$S" $PW $CONF --identity 'Client Frontend MAILBOX01'
expect_rc 0 "old certificate: exit 0 (a warning)"
check "old certificate: Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
jcheck "Binding Warn naming both thumbprints" "k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Result'] == 'Warn' and 'presents $OLD' in k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Detail'] and 'not $RENEWED' in k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Detail']"
jcheck "old certificate: the server's own checks still Pass" "all(x['Result'] == 'Pass' for x in d['Checks'])"

# --- a certificate for another name: Domain Fail ----------------------
O=$(oracle -starttls smtp -connect "127.0.0.1:$OTHER")
check "oracle: s_client sees www.contoso.com" test "$O" = "$WWW"
pr "$OTHER" smtp
expect_rc 1 "another name: exit 1"
check "another name: Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
jcheck "Domain Fail, listing what it covers" "c['Domain']['Result'] == 'Fail' and c['Domain']['Detail'].startswith('does not cover ') and c['Domain']['Detail'].endswith('; it covers www.contoso.com, contoso.com')"
jcheck "another name: the root it sent is in Chain too" "len(d['Chain']) == 3"

# --- an incomplete chain: Chain Fail naming the missing issuer --------
pr "$NOCHAIN" smtp
expect_rc 1 "incomplete chain: exit 1"
jcheck "incomplete chain: only the leaf presented" "[x['Thumbprint'] for x in d['Chain']] == ['$RENEWED']"
jcheck "Chain Fail naming the missing issuer" "c['Chain']['Result'] == 'Fail' and c['Chain']['Detail'] == 'untrusted: unable to get local issuer certificate (missing issuer $ICA1)'"
# The store holds the intermediate, but a client has only what the
# server sends: the store is not used for Chain.
pr "$NOCHAIN" smtp -s "$S"
jcheck "incomplete chain: the store does not mend it" "c['Chain']['Result'] == 'Fail'"

# --- Dovecot: IMAP and POP3 STARTTLS, TLS from the first byte ---------
O=$(oracle -starttls imap -connect "127.0.0.1:$IMAP")
check "oracle: s_client -starttls imap sees the renewed certificate" test "$O" = "$RENEWED"
pr "$IMAP" imap -s "$S" $PW $CONF --identity 'Client Frontend MAILBOX01'
expect_rc 0 "IMAP STARTTLS: exit 0"
check "IMAP: Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
jcheck "IMAP: Protocol imap, Binding Pass" "d['Protocol'] == 'imap' and k['MAILBOX01\\\\Client Frontend MAILBOX01']['Binding']['Result'] == 'Pass'"
check "IMAP: TlsVersion and Cipher are s_client's" test \
    "$(jq1 "d['TlsVersion'] + ' ' + d['Cipher']")" = \
    "$(sclient_tls -starttls imap -connect "127.0.0.1:$IMAP")"

O=$(oracle -starttls pop3 -connect "127.0.0.1:$POP3")
pr "$POP3" pop3
expect_rc 0 "POP3 STLS: exit 0"
check "POP3: Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
jcheck "POP3: Protocol pop3" "d['Protocol'] == 'pop3'"

for p in $IMAPS $POP3S; do
	O=$(oracle -connect "127.0.0.1:$p")
	pr "$p" none
	expect_rc 0 "TLS from the first byte ($p): exit 0"
	check "TLS from the first byte: Thumbprint is what s_client saw" test "$(jq1 "d['Thumbprint']")" = "$O"
	jcheck "TLS from the first byte: Protocol none, chain of 2" "d['Protocol'] == 'none' and len(d['Chain']) == 2"
done

# SNI: --servername is sent, and Dovecot presents what it holds for it.
O=$(oracle -starttls imap -servername www.contoso.com -connect "127.0.0.1:$IMAP")
check "oracle: for www.contoso.com Dovecot presents www.contoso.com" test "$O" = "$WWW"
run $AT $CA -f json probe "127.0.0.1:$IMAP" --starttls imap --servername www.contoso.com
expect_rc 0 "SNI www.contoso.com: exit 0"
check "SNI: Thumbprint is what s_client saw with the same name" test "$(jq1 "d['Thumbprint']")" = "$O"
jcheck "SNI: Domain Pass against --servername" "c['Domain']['Detail'] == 'matches www.contoso.com'"

# A host name: resolved (here from a private /etc/hosts, in a mount
# namespace of its own, that says mail.contoso.com is 127.0.0.1, and a
# private nsswitch.conf that asks nothing else: no DNS query ever leaves),
# sent as SNI and checked by Domain.
printf '127.0.0.1 mail.contoso.com\n' >"$T/hosts"
printf 'hosts: files\n' >"$T/nsswitch.conf"
# inns ARGS...: like run, with $T/hosts and $T/nsswitch.conf in /etc.
inns() {
	unshare -m sh -c 'mount --bind "$0/hosts" /etc/hosts &&
	    mount --bind "$0/nsswitch.conf" /etc/nsswitch.conf && exec "$@"' "$T" \
	    ${CERTBIND_TEST_WRAP:-} "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
}
inns $AT $CA -f json probe "mail.contoso.com:$GOOD" --starttls smtp
expect_rc 0 "a host name: exit 0"
jcheck "a host name: Host and Domain are the name" "d['Host'] == 'mail.contoso.com' and c['Domain']['Detail'] == 'matches mail.contoso.com'"
inns $AT $CA -f json probe "MAIL.Contoso.COM.:$IMAP" --starttls imap
expect_rc 0 "a host name in capitals with a final dot: exit 0"
jcheck "the name is sent as SNI: Dovecot does not present www's" "d['Thumbprint'] == '$RENEWED'"
inns $AT $CA -f json probe "nosuch.invalid:$IMAP" --starttls imap --timeout 3
expect_rc 2 "a name that does not resolve: exit 2"
expect_err_has "^certbind: nosuch\\.invalid:$IMAP: (cannot resolve the name|timed out after 3 s while resolving the name)" \
    "a name that does not resolve: says so"

# The wrong protocol for a port is exit 2 with what went wrong.
run probe "127.0.0.1:$IMAPS" --starttls smtp --timeout 2
expect_rc 2 "SMTP to an IMAPS port: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$IMAPS: timed out after 2 s while waiting for the greeting: it sent nothing" \
    "SMTP to an IMAPS port: timed out, a hint at TLS from the first byte"
run probe "127.0.0.1:$IMAP" --starttls smtp --timeout 5
expect_rc 2 "SMTP to an IMAP port: exit 2"
expect_err_has "broke the SMTP protocol while waiting for the greeting: '\\* OK" \
    "SMTP to an IMAP port: quotes the greeting"
run probe "127.0.0.1:$GOOD" --starttls none --timeout 5
expect_rc 2 "TLS to an SMTP port: exit 2"
expect_err_has "^certbind: 127\\.0\\.0\\.1:$GOOD: did not answer in TLS in the TLS handshake" \
    "TLS to an SMTP port: says it was not TLS"

# It never authenticates: the servers' logs show no AUTH, no MAIL.
stop_servers
dvpid=
check "postfix saw EHLO, STARTTLS and QUIT only" sh -c \
    "grep -q 'ehlo=1 starttls=1 quit=1 commands=3' '$PF/maillog' && ! grep -Eq 'auth=|mail=' '$PF/maillog'"
check "dovecot saw no authentication attempt" sh -c \
    "grep -q 'no auth attempts' '$DV/log' && ! grep -q 'auth failed' '$DV/log'"
done_testing
