#!/bin/sh
# renew --exec: when the hook runs (the state file, certbind(1) FILES),
# --include-unbound, -q; and the hook's environment.  It inherits none of certbind's
# signal settings (SIGXFSZ, which the writer ignores, is back to its
# default; nothing is blocked), and CERTBIND_CHANGED and
# CERTBIND_THUMBPRINTS stay paired line for line, because a Name or
# Server holding a control character is refused when the configuration
# is loaded (by renew, validate and connectors alike).
. "$(dirname "$0")/lib.sh"
S=$PKI/store
CA=$PKI/ca/root-ca.pem
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
tlsname() {
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^issuer=//')
	s=$(openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,utf8,-esc_msb,dn_rev | sed 's/^subject=//')
	printf '<I>%s<S>%s' "$i" "$s"
}
xmlesc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
# conn SERVER NAME FQDN TLSNAME; SERVER and NAME are written as given
# (XML), so they may hold character references.
conn() {
	printf '  <ReceiveConnector>\n    <Server>%s</Server>\n    <Name>%s</Name>\n    <Fqdn>%s</Fqdn>\n    <TlsCertificateName>%s</TlsCertificateName>\n  </ReceiveConnector>\n' "$1" "$2" "$3" "$(printf '%s' "$4" | xmlesc)"
}

# The store a renewal leaves behind (as in t0041): mail.contoso.com
# re-issued by Issuing CA 2, so every connector bound to the old one
# is rebound.
mkdir "$T/store"
cp "$PKI"/ca/*.pem "$T/store/"
cp "$PKI"/renewal/* "$T/store/"
NEW=$PKI/renewal/mail.contoso.com-ca2.pem
OLDNAME=$(tlsname "$S/mail.contoso.com.pem")
{
	echo '<ReceiveConnectors>'
	conn EX1 "Mail" mail.contoso.com "$OLDNAME"
	conn EX2 " Mail Spaced " mail.contoso.com "$OLDNAME"
	conn EX3 "Mail&#160;NBSP" mail.contoso.com "$OLDNAME"
	echo '</ReceiveConnectors>'
} >"$T/orig.xml"
RB="-s $T/store --ca-file $CA --at 2026-06-01"
R="$RB -c $T/c.xml"

# --- signal dispositions and mask
# The hook reports the dispositions of its shell ($$ is the shell
# certbind ran; its mask is not reported: dash blocks signals while it
# waits for a command, so it depends on timing).
HOOK='grep -E "^SigIgn:" /proc/$$/status >'"$T/sig.out"'
printf "%s\n" "$CERTBIND_CHANGED" >'"$T/changed.out"'
printf "%s\n" "$CERTBIND_THUMBPRINTS" >'"$T/thumbs.out"
XFSZ=$((1 << 24)) # SIGXFSZ is 25: bit 24 of the mask
sigfield() { sed -n "s/^$1:[[:space:]]*//p" "$T/sig.out"; }

cp "$T/orig.xml" "$T/c.xml"
run $R renew --exec "$HOOK"
expect_rc 0 "renew rebinds and runs the hook"
check "the hook reported its signal state" test -s "$T/sig.out"
ign=$(sigfield SigIgn)
echo "# hook: SigIgn $ign"
check "SIGXFSZ is not ignored in the hook (certbind ignores it to write)" \
    test $((0x${ign:-ffffffffffffffff} & XFSZ)) -eq 0

# The hook's shell cannot show what it was started with: dash empties
# its signal mask as it starts.  So a preloaded probe looks as the
# shell starts, before its main(): whoever runs as "sh -c ..." appends
# its SigIgn and SigBlk to $SIGPROBE_OUT.  certbind itself is started
# with SIGUSR1 and SIGTERM blocked and SIGXFSZ at its default (by a
# python wrapper: Python ignores SIGXFSZ and SIGPIPE itself, so both
# are put back): the hook must start with nothing blocked, the mask
# emptied, not inherited.
cat >"$T/probe.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void
probe(void)
{
	const char *p = getenv("SIGPROBE_OUT");
	char cmd[64], st[8192], *l;
	ssize_t n;
	int fd, out;

	if (p == NULL || (fd = open("/proc/self/cmdline", O_RDONLY)) == -1)
		return;
	n = read(fd, cmd, sizeof(cmd));
	close(fd);
	if (n < 6 || memcmp(cmd, "sh\0-c\0", 6) != 0)
		return;
	if ((fd = open("/proc/self/status", O_RDONLY)) == -1)
		return;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0 || (out = open(p, O_WRONLY | O_APPEND | O_CREAT, 0600)) == -1)
		return;
	st[n] = '\0';
	for (l = strtok(st, "\n"); l != NULL; l = strtok(NULL, "\n"))
		if (strncmp(l, "SigIgn:", 7) == 0 || strncmp(l, "SigBlk:", 7) == 0)
			dprintf(out, "%s\n", l);
	close(out);
}
C
cat >"$T/block.py" <<'PY'
import os, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
os.execvp(sys.argv[1], sys.argv[1:])
PY
# probed OUT ARGS...: ARGS under the wrapper and the probe
probed() {
	_o=$1; shift
	SIGPROBE_OUT=$_o LD_PRELOAD=$T/probe.so ASAN_OPTIONS=verify_asan_link_order=0 \
	    python3 "$T/block.py" "$@"
}
if cc -shared -fPIC -o "$T/probe.so" "$T/probe.c" 2>/dev/null; then
	probed "$T/seen" sh -c true
	sed 's/^/# direct: /' "$T/seen"
	check "(the probe sees the blocked signals of a shell started directly)" \
	    test "$(($(sed -n 's/^SigBlk:[[:space:]]*/0x/p' "$T/seen")))" -ne 0
	cp "$T/orig.xml" "$T/c.xml"
	rm -f "$T/sig.out"
	# shellcheck disable=SC2086
	probed "$T/probe.out" ${CERTBIND_TEST_WRAP:-} "$BIN" $R renew --exec "$HOOK" >"$out" 2>"$err"
	rc=$?
	expect_rc 0 "renew started with signals blocked runs the hook"
	sed 's/^/# at exec: /' "$T/probe.out"
	ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$T/probe.out")
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$T/probe.out")
	check "the hook's shell started once" test "$(grep -c '^SigBlk:' "$T/probe.out")" -eq 1
	check "SIGXFSZ is not ignored as the hook's shell starts" \
	    test $((0x${ign:-ffffffffffffffff} & XFSZ)) -eq 0
	check "no signal is blocked as the hook's shell starts" test "$((0x${blk:-1}))" -eq 0
else
	for i in 1 2 3 4 5; do ok "# SKIP no C compiler for the signal probe"; done
fi

# --- the lists: one identity per line, paired with its thumbprint
check "CERTBIND_CHANGED: one identity per line, spaces kept" \
    test "$(cat "$T/changed.out")" = "$(printf 'EX1\\Mail\nEX2\\ Mail Spaced \nEX3\\Mail\302\240NBSP')"
check "CERTBIND_THUMBPRINTS: as many lines as CERTBIND_CHANGED" \
    test "$(wc -l <"$T/thumbs.out")" -eq "$(wc -l <"$T/changed.out")"
check "each the renewed certificate's thumbprint" \
    test "$(sort -u "$T/thumbs.out")" = "$(fp "$NEW")"

# --- a Name or Server with a control character: refused on load
# bad LABEL SERVER NAME: a configuration whose second connector has
# them (its <Server> on line 9, its <Name> on line 10).
bad() {
	{
		echo '<ReceiveConnectors>'
		conn EX1 "Mail" mail.contoso.com "$OLDNAME"
		conn "$2" "$3" mail.contoso.com "$OLDNAME"
		echo '</ReceiveConnectors>'
	} >"$T/$1.xml"
}
# refused LABEL CMD LINE ESCAPED-RE DESC: CMD on $T/LABEL.xml exits 2
# with "FILE:LINE: ... ESCAPED-RE", and neither writes nor runs a hook.
refused() {
	cp "$T/$1.xml" "$T/$1.orig"
	rm -f "$T/ran"
	case $2 in
	renew) run $RB -c "$T/$1.xml" renew --exec "touch '$T/ran'" ;;
	validate) run $RB -c "$T/$1.xml" validate ;;
	*) run $RB -c "$T/$1.xml" "$2" ;;
	esac
	expect_rc 2 "$5: $2 exits 2"
	expect_err_has "^certbind: $T/$1.xml:$3: $4" "$5: $2 names the file, line and element"
	check "$5: $2 leaves the file as it was" cmp -s "$T/$1.xml" "$T/$1.orig"
	check "$5: $2 runs no hook" test ! -e "$T/ran"
}

bad name-lf EX2 'Mail&#10;Injected'
refused name-lf renew 10 'Name "Mail\\nInjected" holds a control character \(U\+000A\)$' \
    "a LF (character reference) in Name"
refused name-lf validate 10 'Name "Mail\\nInjected" holds a control character \(U\+000A\)$' \
    "a LF (character reference) in Name"
refused name-lf connectors 10 'Name "Mail\\nInjected" holds a control character \(U\+000A\)$' \
    "a LF (character reference) in Name"

bad name-rawlf EX2 "$(printf 'Mail\nInjected')"
refused name-rawlf renew 10 'Name "Mail\\nInjected" holds a control character \(U\+000A\)$' \
    "a raw line break in Name"

bad name-cr EX2 'Mail&#13;'
refused name-cr renew 10 'Name "Mail\\r" holds a control character \(U\+000D\)$' "a CR in Name"

bad name-tab EX2 "$(printf '\tMail')"
refused name-tab connectors 10 'Name "\\tMail" holds a control character \(U\+0009\)$' \
    "a leading tab in Name"

bad server-tab "$(printf 'EX2\t')" Mail
refused server-tab validate 9 'Server "EX2\\t" holds a control character \(U\+0009\)$' \
    "a trailing tab in Server"
refused server-tab renew 9 'Server "EX2\\t" holds a control character \(U\+0009\)$' \
    "a trailing tab in Server"

bad name-del EX2 "$(printf 'Mail\177')"
refused name-del renew 10 'Name "Mail\\x7F" holds a control character \(U\+007F\)$' "a DEL in Name"

bad name-c1 EX2 'Mail&#x85;'
refused name-c1 connectors 10 'Name "Mail\\u\{0085\}" holds a control character \(U\+0085\)$' \
    "a C1 control (NEL) in Name"

bad server-c1 "$(printf 'EX\302\2332')" Mail
refused server-c1 validate 9 'Server "EX\\u\{009B\}2" holds a control character \(U\+009B\)$' \
    "a raw C1 control (CSI) in Server"

# (The other C0 controls cannot be written in XML 1.0 at all, not even
# as references: libxml2 refuses the file as not well-formed.)

# Both of one connector are reported, the Server first.
bad both "EX2&#10;" "Mail&#9;"
refused both validate 9 'Server "EX2\\n" holds a control character \(U\+000A\)$' \
    "a control character in both"
expect_err_has "^certbind: $T/both.xml:10: Name \"Mail\\\\t\" holds a control character \(U\+0009\)$" \
    "a control character in both: the Name too"

# White space alone is still "empty", as before.
bad name-blank EX2 '&#9;&#10;'
refused name-blank connectors 10 'empty Name$' "a Name of white space"

# Not controls: U+00A0 and leading or trailing spaces load, untrimmed.
run $RB -c "$T/orig.xml" -f json connectors
expect_rc 0 "spaces and U+00A0 in names load"
check "the names are kept as written" python3 -c "
import json, sys
ids = [c['Identity'] for c in json.load(open(sys.argv[1]))]
assert ids == ['EX1\\\\Mail', 'EX2\\\\ Mail Spaced ', 'EX3\\\\Mail\u00a0NBSP'], ids" "$out"


# --- when the hook runs: the state file
# A same-name renewal done by hand: mail.contoso.com-renewed has the
# issuer and subject of mail.contoso.com and a later NotAfter.
H=$T/hs
mkdir "$H" "$H/store"
cp "$PKI"/ca/*.pem "$H/store/"
cp "$S/mail.contoso.com.pem" "$S/privkey-mail.contoso.com.pem" "$H/store/"
OLDFP=$(fp "$S/mail.contoso.com.pem")
RENFP=$(fp "$S/mail.contoso.com-renewed.pem")
check "(the renewal has the same name and another thumbprint)" \
    test "$(tlsname "$S/mail.contoso.com-renewed.pem")" = "$OLDNAME" -a "$RENFP" != "$OLDFP"
{
	echo '<ReceiveConnectors>'
	conn EX1 "Mail" mail.contoso.com "$OLDNAME"
	conn EX1 "Unbound" mail.contoso.com ""
	echo '</ReceiveConnectors>'
} >"$H/c.xml"
chmod 640 "$H/c.xml"
HR="-s $H/store --ca-file $CA --at 2026-06-01 -c $H/c.xml"
STATE=$H/c.xml.state
OKHOOK='echo ok >>'"$H/runs"'; printf "%s|%s\n" "$CERTBIND_CHANGED" "$CERTBIND_THUMBPRINTS" >'"$H/given"
BADHOOK='echo bad >>'"$H/runs"'; exit 1'
runs() { if [ -e "$H/runs" ]; then wc -l <"$H/runs"; else echo 0; fi; }
header='# certbind renew: what --exec was last given, identity<TAB>thumbprint'
statefile() { printf '%s\n' "$header"; for l in "$@"; do printf '%s\n' "$l"; done; }
TAB=$(printf '\t')

run $HR renew --exec "$OKHOOK"
expect_rc 0 "no state file yet: exit 0"
check "no state file yet: the hook runs once" test "$(runs)" -eq 1
check "it was given the bound connector, not the skipped one" \
    test "$(cat "$H/given")" = "EX1\\Mail|$OLDFP"
statefile "EX1\\Mail$TAB$OLDFP" >"$H/want"
check "the state file holds the header and identity<TAB>thumbprint" cmp -s "$STATE" "$H/want"
check "a new state file gets the configuration's owner and mode" \
    test "$(stat -c '%u:%g %a' "$STATE")" = "$(stat -c '%u:%g %a' "$H/c.xml")"
expect_out_has "^EX1.Mail +Unchanged +$OLDFP +bound to the best certificate; --exec was not given $OLDFP yet\$" \
    "the reason says why the hook ran"
expect_out_has '^EX1.Unbound +Skipped +TlsCertificateName is empty' "the unbound connector is Skipped"
check "and left empty" test "$(xmllint --xpath "string(//ReceiveConnector[Name='Unbound']/TlsCertificateName)" "$H/c.xml")" = ""

before=$(stat -c '%i %Y' "$STATE")
sleep 1
run -q $HR renew --exec "$OKHOOK"
expect_rc 0 "nothing new: exit 0"
check "nothing new: no hook" test "$(runs)" -eq 1
check "nothing new with -q: nothing at all on stdout" test ! -s "$out"
expect_err_empty "nothing new with -q: nothing on stderr"
check "nothing new: the state file is not touched" test "$(stat -c '%i %Y' "$STATE")" = "$before"
run -q $HR renew
check "nothing new, no --exec, -q: nothing on stdout" test ! -s "$out"

# The renewal lands in the store; the hook fails twice, then succeeds.
cp "$S/mail.contoso.com-renewed.pem" "$S/mail.contoso.com-renewed.key" "$H/store/"
cp "$H/c.xml" "$H/c.orig"
run -q $HR renew --exec "$BADHOOK"
expect_rc 2 "a same-name renewal, the hook fails: exit 2"
check "the hook ran" test "$(runs)" -eq 2
expect_err_has "exited with status 1; the next renew runs it again" "saying it stays pending"
expect_out_has "^EX1.Mail +Renewed +$RENFP +the name selects $RENFP, renewed since --exec was given $OLDFP" \
    "-q still prints a renewal, Renewed with the reason"
check "nothing to write: the configuration is untouched" cmp -s "$H/c.xml" "$H/c.orig"
check "a failed hook leaves the state file as it was" cmp -s "$STATE" "$H/want"
run $HR renew --exec "$BADHOOK"
expect_rc 2 "still pending: it fails again"
check "pending: the hook ran again" test "$(runs)" -eq 3
run $HR renew --exec "$OKHOOK"
expect_rc 0 "the hook succeeds"
check "it ran once more" test "$(runs)" -eq 4
check "it was given the renewed thumbprint" test "$(cat "$H/given")" = "EX1\\Mail|$RENFP"
statefile "EX1\\Mail$TAB$RENFP" >"$H/want"
check "the state file now holds the renewed thumbprint" cmp -s "$STATE" "$H/want"
run -q $HR renew --exec "$OKHOOK"
check "after a success it stops firing" test "$(runs)" -eq 4
check "and -q prints nothing" test ! -s "$out"

# Deleting the state file: one extra run, no more.
rm "$STATE"
run $HR renew --exec "$OKHOOK"
check "no state file: one extra run" test "$(runs)" -eq 5
run $HR renew --exec "$OKHOOK"
check "then none" test "$(runs)" -eq 5

# --dry-run with --exec: the outcome, no hook, no state written.
cp "$STATE" "$H/state.before"
cp "$S/mail.contoso.com.pem" "$H/store/extra-old.pem" # same cert again: no change
run $HR renew --exec "$OKHOOK" --include-unbound --dry-run
expect_rc 0 "--dry-run --include-unbound exits 0"
expect_out_has "^EX1.Unbound +Rebound +$RENFP " "--dry-run shows each connector's outcome"
expect_out_has '^\+    <TlsCertificateName>&lt;I&gt;CN=Contoso Issuing CA 1' "and then the diff"
check "--dry-run runs no hook" test "$(runs)" -eq 5
check "--dry-run leaves the state file" cmp -s "$STATE" "$H/state.before"

# --include-unbound: the unbound connector is bound; the hook is given
# only what is news to it.
run $HR renew --exec "$OKHOOK" --include-unbound
expect_rc 0 "--include-unbound binds the unbound connector"
check "its TlsCertificateName is written" \
    test "$(xmllint --xpath "string(//ReceiveConnector[Name='Unbound']/TlsCertificateName)" "$H/c.xml")" = "$OLDNAME"
check "the hook ran" test "$(runs)" -eq 6
check "given only the newly bound connector" test "$(cat "$H/given")" = "EX1\\Unbound|$RENFP"
statefile "EX1\\Mail$TAB$RENFP" "EX1\\Unbound$TAB$RENFP" >"$H/want"
check "the state file has both, sorted" cmp -s "$STATE" "$H/want"

# A symbolic link is not followed.
cp "$STATE" "$H/state.real"
printf 'precious\n' >"$H/target"
rm "$STATE"
ln -s "$H/target" "$STATE"
cp "$H/c.xml" "$H/c.bound"
{
	echo '<ReceiveConnectors>'
	conn EX1 "Mail" mail.contoso.com "$OLDNAME"
	conn EX1 "Unbound" mail.contoso.com ""
	echo '</ReceiveConnectors>'
} >"$H/c.xml"
cp "$H/c.xml" "$H/c.orig"
run $HR renew --exec "$OKHOOK" --include-unbound
expect_rc 2 "a state file that is a symbolic link: exit 2"
expect_err_has "^certbind: $STATE: a symbolic link, not followed" "naming it"
check "the configuration is not written either (checked first)" cmp -s "$H/c.xml" "$H/c.orig"
check "no hook" test "$(runs)" -eq 6
cp "$H/c.bound" "$H/c.xml"
check "the link's target is untouched" test "$(cat "$H/target")" = precious
check "the link is left" test -L "$STATE"
rm "$STATE"

# Not safe: writable by the group.
cp "$H/state.real" "$STATE"
chmod 664 "$STATE"
run $HR renew --exec "$OKHOOK"
expect_rc 2 "a group-writable state file: exit 2"
expect_err_has "^certbind: $STATE: the file is writable by its group" "refused as unsafe"
check "no hook" test "$(runs)" -eq 6
chmod 640 "$STATE"

# A damaged state file: reported, taken as empty, written anew.
# damaged DESC CONTENT
damaged() {
	printf '%s' "$2" >"$STATE"
	_n=$(runs)
	run $HR renew --exec "$OKHOOK"
	expect_rc 0 "$1: exit 0"
	expect_err_has "^certbind: warning: $STATE: .*taken as empty \(--exec runs\)" "$1: a warning"
	check "$1: the hook runs once" test "$(runs)" -eq $((_n + 1))
	check "$1: the state file is written anew" cmp -s "$STATE" "$H/want"
}
w=$(runs)
damaged "a control character in an identity (ESC)" \
    "$(statefile "EX1\\Mail$TAB$RENFP" "EX1\\Unbound$TAB$RENFP" | sed 's/Unbound/Un\x1bbound/')
"
damaged "a C1 control in an identity" \
    "$(statefile "EX1\\Mail$TAB$RENFP" "$(printf 'EX1\\Un\302\205bound')$TAB$RENFP")
"
damaged "a lower-case thumbprint" "$(statefile "EX1\\Mail$TAB$(echo "$RENFP" | tr A-F a-f)")
"
damaged "no header" "EX1\\Mail$TAB$RENFP
"
damaged "an incomplete last line" "$(statefile "EX1\\Mail$TAB$RENFP")
EX1\\Unbound$TAB$RENFP"
damaged "an identity twice" "$(statefile "EX1\\Mail$TAB$RENFP" "EX1\\Mail$TAB$RENFP")
"
check "each damaged file ran the hook once" test "$(runs)" -eq $((w + 6))

done_testing
