#!/bin/sh
# bind: how the configuration is written (certbind(1) WRITING THE CONFIGURATION) -- lock, atomic
# replace, metadata, every failure leaves the old file exactly, nothing
# to change touches nothing.  Oracles: cmp against copies made before,
# xmllint, stat, ls -a.
. "$(dirname "$0")/lib.sh"
ORIG=$PKI/connectors.xml
D=$T/d
mkdir "$D"
C=$D/connectors.xml
fresh() { cp "$ORIG" "$C"; }
B() { run -c "$C" "$@"; }
# The directory holds the config, its lock file and nothing else
# (no temporary file left behind).
only_config() {
	test "$(ls -a "$D" | tr '\n' ' ')" = ". .. connectors.xml connectors.xml.lock ${1:-}"
}
# A copy of the original with Default MAILBOX01's AdvertiseClientSettings true.
python3 -c '
import sys; s=open(sys.argv[1],"rb").read()
k=s.index(b"<Name>Default MAILBOX01</Name>")
i=s.index(b"<AdvertiseClientSettings>false<", k)
open(sys.argv[2],"wb").write(s[:i]+b"<AdvertiseClientSettings>true<"+s[i+len(b"<AdvertiseClientSettings>false<"):])' "$ORIG" "$T/new.xml"
adv() { run -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings "$1"; }

# --- success: atomic replace leaves no temporary file; metadata kept
fresh
chmod 0640 "$C"
chown 1234:5678 "$C" 2>/dev/null && owned=1 || owned=0
adv true
expect_rc 0 "bind writes"
check "the result is the expected version, byte for byte" cmp "$T/new.xml" "$C"
check "no temporary file left (ls -a)" only_config
check "mode 0640 kept" test "$(stat -c %a "$C")" = 640
if [ $owned = 1 ]; then
	check "owner and group 1234:5678 kept" test "$(stat -c %u:%g "$C")" = 1234:5678
else
	echo "ok $((n = n + 1)) # SKIP not root: cannot chown to test the owner"
fi
check "a new inode (renamed into place, not rewritten)" test "$(stat -c %i "$C")" != "$(stat -c %i "$T/new.xml")"

# --- nothing to change: the file is not touched at all
before=$(stat -c '%i %Y %Z' "$C")
sleep 1
adv 1
expect_rc 0 "nothing to change exits 0"
expect_out_has 'Unchanged' "and says so"
check "same inode, mtime and ctime" test "$(stat -c '%i %Y %Z' "$C")" = "$before"
check "no temporary file" only_config

# --- RLIMIT_FSIZE hit mid-write: exit 2, old file exact, no temp file
fresh
cp "$C" "$T/before"
( ulimit -f 2; exec "$BIN" -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings true ) >"$out" 2>"$err"; rc=$?
expect_rc 2 "a file-size limit hit while writing is exit 2"
expect_err_has "^certbind: $C: cannot write the temporary file: File too large; the file is unchanged$" \
    "the message names the file and the step"
check "the file is byte-identical to before" cmp "$T/before" "$C"
check "no temporary file left" only_config

# --- unwritable directory, three ways
# a) an immutable directory (works as root)
fresh
if chattr +i "$D" 2>/dev/null; then
	adv true
	expect_rc 2 "an immutable directory: exit 2"
	expect_err_has "^certbind: $C: cannot create a temporary file: Operation not permitted; the file is unchanged$" \
	    "naming the step"
	chattr -i "$D"
	check "the file is unchanged" cmp "$ORIG" "$C"
	check "no temporary file left" only_config
else
	echo "ok $((n = n + 1)) # SKIP chattr +i does not work here"
fi
# b) a directory the user may not write, as nobody
fresh
chmod 0755 "$T" "$D"; chmod 0644 "$C"; chmod 0666 "$C.lock"
if [ "$(id -u)" = 0 ] && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings true >"$out" 2>"$err"; rc=$?
	expect_rc 2 "a directory nobody may not write: exit 2"
	expect_err_has "^certbind: $C: cannot create a temporary file: Permission denied; the file is unchanged$" \
	    "naming the step"
	check "the file is unchanged" cmp "$ORIG" "$C"
	check "no temporary file left" only_config
else
	echo "ok $((n = n + 1)) # SKIP setpriv as nobody does not work here"
fi
chmod 0700 "$T"; chmod 0644 "$C"; chmod 0600 "$C.lock"
# c) a read-only mount: not even the lock can be taken
fresh
if unshare -m true 2>/dev/null; then
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
	    exec "$2" -c "$3" bind --identity="Default MAILBOX01" --advertise-client-settings true' \
	    sh "$D" "$BIN" "$C" >"$out" 2>"$err"; rc=$?
	expect_rc 2 "a read-only file system: exit 2"
	expect_err_has "^certbind: $C: cannot open the lock file: Read-only file system$" "naming the step"
	check "the file is unchanged" cmp "$ORIG" "$C"
else
	echo "ok $((n = n + 1)) # SKIP unshare -m does not work here"
fi

# --- full disk: a 64 KiB tmpfs in a private mount namespace
if unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$D" 2>/dev/null; then
	unshare -m sh -c '
	D=$1 BIN=$2 ORIG=$3
	mount -t tmpfs -o size=64k,mode=0755 tmpfs "$D" || exit 99
	cp "$ORIG" "$D/connectors.xml" && : >"$D/connectors.xml.lock"
	cp "$D/connectors.xml" "$D/before"
	dd if=/dev/zero of="$D/fill" bs=1024 count=1024 2>/dev/null
	"$BIN" -c "$D/connectors.xml" bind --identity="Default MAILBOX01" \
	    --advertise-client-settings true >"$4" 2>"$5"
	echo $? >"$6"
	cmp -s "$D/before" "$D/connectors.xml" && echo same >>"$6"
	ls -a "$D" | tr "\n" " " >>"$6"' sh "$D" "$BIN" "$ORIG" "$out" "$err" "$T/full"
	rc=$(head -n 1 "$T/full")
	expect_rc 2 "a full disk: exit 2"
	expect_err_has "^certbind: $D/connectors.xml: cannot write the temporary file: No space left on device; the file is unchanged$" \
	    "naming the file and the step"
	check "the file is byte-identical to before" grep -qx same "$T/full"
	check "no temporary file left" grep -qx '\. \.\. before connectors.xml connectors.xml.lock fill ' "$T/full"
else
	echo "ok $((n = n + 1)) # SKIP no private tmpfs here"
fi

# --- 12 concurrent binds on different connectors of one file
python3 - "$C" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveConnectors>\n')
    for i in range(12):
        f.write("  <ReceiveConnector>\n    <Server>EX%02d</Server>\n    <Name>Frontend</Name>\n"
                "    <Fqdn>old.contoso.com</Fqdn>\n    <!-- unknown properties are kept -->\n"
                "    <MaxMessageSize>36 MB</MaxMessageSize>\n  </ReceiveConnector>\n" % i)
    f.write("</ReceiveConnectors>\n")
PY
cp "$C" "$T/twelve"
i=0; pids=
while [ $i -lt 12 ]; do
	id=$(printf 'EX%02d\\Frontend' $i)
	"$BIN" -c "$C" bind --identity "$id" --fqdn "host$i.contoso.com" \
	    --advertise-client-settings true >"$T/c$i.out" 2>"$T/c$i.err" &
	pids="$pids $!"
	i=$((i + 1))
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "all 12 concurrent binds exit 0" test $fails -eq 0
check "all 12 Fqdn values are in the file (xmllint)" python3 -c "
import subprocess, sys
for i in range(12):
    r = subprocess.run(['xmllint', '--xpath', 'string(//ReceiveConnector[Server=\"EX%02d\"]/Fqdn)' % i, sys.argv[1]],
                       capture_output=True, text=True)
    assert r.stdout.strip() == 'host%d.contoso.com' % i, (i, r.stdout)
    r = subprocess.run(['xmllint', '--xpath', 'string(//ReceiveConnector[Server=\"EX%02d\"]/AdvertiseClientSettings)' % i, sys.argv[1]],
                       capture_output=True, text=True)
    assert r.stdout.strip() == 'true', (i, r.stdout)" "$C"
check "and otherwise byte-exact (hand splice of all 12)" python3 -c "
import sys
s = open(sys.argv[1]).read()
parts = s.split('<Fqdn>old.contoso.com</Fqdn>')
out = parts[0]
for i, p in enumerate(parts[1:]):
    p = p.replace('<MaxMessageSize>36 MB</MaxMessageSize>\n  </ReceiveConnector>',
        '<MaxMessageSize>36 MB</MaxMessageSize>\n    <AdvertiseClientSettings>true</AdvertiseClientSettings>\n  </ReceiveConnector>', 1)
    out += '<Fqdn>host%d.contoso.com</Fqdn>' % i + p
assert out == open(sys.argv[2]).read()" "$T/twelve" "$C"
check "no temporary file left" only_config

# --- kill -9 at random instants: always the old or the new version
# A large file (2,000 connectors) makes each run long enough to be
# killed while loading, validating, writing, syncing or renaming.
python3 - "$T/A" "$T/B" <<'PY'
import sys
def doc(v):
    s = ['<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveConnectors>\n']
    for i in range(2000):
        s.append("  <ReceiveConnector>\n    <Server>EX%04d</Server>\n    <Name>Frontend</Name>\n"
                 "    <Fqdn>mail.contoso.com</Fqdn>\n    <AdvertiseClientSettings>%s</AdvertiseClientSettings>\n"
                 "    <Banner>220 %s</Banner>\n  </ReceiveConnector>\n" % (i, v if i == 1999 else "false", "x" * 200))
    s.append("</ReceiveConnectors>\n")
    return "".join(s)
open(sys.argv[1], "w").write(doc("false"))
open(sys.argv[2], "w").write(doc("true"))
PY
# How long one uninterrupted run takes here (sanitizers make it slower);
# kill instants are drawn from 0 to 1.3 times that.
cp "$T/A" "$C"
t0=$(date +%s%N)
"$BIN" -c "$C" bind --identity 'EX1999\Frontend' --advertise-client-settings false >/dev/null 2>&1
dur=$((($(date +%s%N) - t0) / 1000000 * 13 / 10 + 1))
echo "# one run: about $((dur * 10 / 13)) ms"
iters=0 bad=0 killed=0 done_=0 state=A
while [ $iters -lt 40 ]; do
	if [ $state = A ]; then v=true; else v=false; fi
	"$BIN" -c "$C" bind --identity 'EX1999\Frontend' --advertise-client-settings $v >/dev/null 2>&1 &
	p=$!
	ms=$(shuf -i 0-$dur -n 1)
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null; st=$?
	[ $st = 137 ] && killed=$((killed + 1)) || done_=$((done_ + 1))
	if cmp -s "$C" "$T/A"; then state=A
	elif cmp -s "$C" "$T/B"; then state=B
	else bad=$((bad + 1)); cp "$C" "$T/bad.$iters"; cp "$T/$state" "$C"; fi
	xmllint --noout "$C" 2>/dev/null || bad=$((bad + 1))
	rm -f "$D"/.connectors.xml.*
	iters=$((iters + 1))
done
echo "# kill -9 loop: $iters runs, $killed killed, $done_ finished"
check "after each of $iters kill -9, the file parses and is the old or the new version" test $bad -eq 0
check "the loop killed some runs and let some finish ($killed killed, $done_ finished)" \
    test $killed -gt 0 -a $done_ -gt 0
done_testing
