#!/bin/sh
# Help and small wording: certbind help [COMMAND], renew --help's example
# whole, "1 private key", the man page's quoting list, and validate
# --format junit when the configuration cannot be read.
. "$(dirname "$0")/lib.sh"
S=$PKI/store

# --- certbind help [COMMAND] ---
"$BIN" --help >"$T/want" 2>&1
run help
expect_rc 0 "help: exit 0"
check "help is --help" cmp "$T/want" "$out"
for c in bind check connectors list name probe renew resolve show validate; do
	"$BIN" "$c" --help >"$T/want" 2>&1
	run help "$c"
	if [ "$rc" -eq 0 ] && cmp -s "$T/want" "$out"; then
		ok "help $c is $c --help"
	else
		not_ok "help $c is $c --help"
	fi
done
run help nonesuch
expect_rc 64 "help of an unknown command: exit 64"
expect_err_has "unknown command 'nonesuch'" "saying so"
run help show list
expect_rc 64 "help of two commands: exit 64"
expect_err_has "help takes one command" "saying so"
run --help
expect_out_has "'certbind help COMMAND' shows a command's options" "--help names help COMMAND"

# --- renew --help: the example is whole, as sh reads it ---
run renew --help
expect_rc 0 "renew --help"
check "no line over 79 columns" sh -c '! awk "length > 79" "$1" | grep -q .' sh "$out"
sed -n '/^As a certbot deploy hook:$/,$p' "$out" | sed 1d >"$T/example"
hook=$(certbot() { printf '%s' "$3"; }; . "$T/example")
got=$(sh -c "certbind() { printf '%s|' \"\$@\"; }; $hook")
check "the hook is one command: certbind ... renew --exec CMD" \
    test "$got" = '--store|/etc/letsencrypt/live|renew|--exec|systemctl reload postfix|'

# --- counts: one private key, not "1 private keys" ---
run -v -s "$S/mail.contoso.com.pem" -s "$S/privkey-mail.contoso.com.pem" list
expect_err_has "^certbind: 1 certificate, 1 private key$" "singular for one"
run -v -s "$S/mail.contoso.com.pem" -s "$S/wildcard.contoso.com.pem" list
expect_err_has "^certbind: 2 certificates, 0 private keys$" "plural for others"

# --- the man page: ';' inside the quoted list, not after it ---
if command -v man >/dev/null; then
	MANWIDTH=200 man -l "$top/man/certbind.1" 2>/dev/null >"$T/man.txt"
	check "the quoting list holds ';'" grep -Fq '# ;’ or a newline' "$T/man.txt"
else
	ok "# SKIP man is not installed"
fi

# --- validate --format junit, the configuration unreadable ---
for how in missing damaged; do
	case $how in
	missing) C=$T/nonexistent.xml ;;
	damaged) C=$T/damaged.xml; printf '<ReceiveConnectors><x' >"$C" ;;
	esac
	run -s "$S" -c "$C" -f junit validate
	expect_rc 2 "$how configuration: exit 2"
	check "$how configuration: JUnit that xmllint accepts" xmllint --noout "$out"
	check "$how configuration: one testcase, failed" python3 -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = r.find('testsuite')
cs = s.findall('testcase')
assert s.get('tests') == '1' and s.get('failures') == '1', s.attrib
assert len(cs) == 1 and cs[0].get('name') == 'Configuration', cs
f = cs[0].find('failure')
assert f is not None and f.get('message').startswith(sys.argv[2]), f.attrib
" "$out" "$C"
done
expect_err_has "damaged.xml:1: " "the diagnostic is still given"
run -s "$S" -c "$PKI/connectors.xml" -f junit validate --identity 'no such*'
expect_rc 1 "nothing selected: exit 1"
check "nothing selected: JUnit that xmllint accepts" xmllint --noout "$out"
done_testing
