#!/bin/sh
# The write path against a user who may write the configuration's
# directory (certbind(1), SECURITY): the race of swapping the file for a
# link to a root file, driven at the exact instant by tests/shim/swap.c;
# the backup made from the bytes read, a snapshot, and kept when the
# write fails; the ownership and mode rules; a FIFO; ACLs and extended
# attributes kept.  Oracles: cmp against copies, stat, ls -a, getfacl,
# getfattr.
. "$(dirname "$0")/lib.sh"
ORIG=$PKI/connectors.xml
D=$T/d
mkdir "$D"
chmod 0755 "$T" "$D"
C=$D/connectors.xml
VICTIM=$T/victim
fresh() {
	rm -rf "$D"; mkdir "$D"; chmod 0755 "$D"
	cp "$ORIG" "$C"; chmod 0644 "$C"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$VICTIM"; chmod 0644 "$VICTIM"
	cp "$VICTIM" "$T/victim.orig"
}
adv() { run -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings "$@"; }
ls_d() { ls -a "$D" | tr '\n' ' '; }

# The shim, built here with the system compiler: test code, never shipped.
SHIM=$T/swap.so
${CC:-cc} -shared -fPIC -o "$SHIM" "$top/tests/shim/swap.c" -ldl 2>"$T/cc.err" || {
	cat "$T/cc.err" >&2; echo "not ok 1 - cannot build the shim"; echo 1..1; exit 1; }
# An ASan build must come first in the library list; the shim wraps no
# allocator, so the order does not matter here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
shimmed() { # AT ARGS...: run with the shim swapping a link to $VICTIM in
	_at=$1; shift
	ln -s "$VICTIM" "$D/evil"
	SHIM_FILE=$C SHIM_AT=$_at SHIM_SWAP=$D/evil LD_PRELOAD=$SHIM run -c "$C" "$@"
}

# --- F1: the file swapped for a link to a root file right after it was read
for at in eof fsync; do
	fresh
	shimmed $at bind --identity 'Default MAILBOX01' --advertise-client-settings true
	expect_rc 2 "swap at $at: exit 2"
	expect_err_has "^certbind: $C: replaced while certbind ran \(now a symbolic link, not followed\); the file is unchanged$" \
	    "swap at $at: says the file was replaced"
	check "swap at $at: the link's target is untouched" cmp "$T/victim.orig" "$VICTIM"
	check "swap at $at: the link is still a link to it" test "$(readlink "$C")" = "$VICTIM"
	check "swap at $at: no temporary file, no backup" test "$(ls_d)" = ". .. connectors.xml connectors.xml.lock "
done
# With --backup (F2): no backup is made from what the name points to now.
fresh
shimmed eof bind --identity 'Default MAILBOX01' --advertise-client-settings true --backup
expect_rc 2 "swap with --backup: exit 2"
check "swap with --backup: no backup anywhere" test "$(ls_d)" = ". .. connectors.xml connectors.xml.lock "
check "swap with --backup: the target is untouched" cmp "$T/victim.orig" "$VICTIM"
check "swap with --backup: no copy of the target beside it" test ! -e "$VICTIM.bak"

# --- F2: the backup is a snapshot with the old metadata, kept on failure
fresh
chmod 0640 "$C"
chown 1234:5678 "$C" 2>/dev/null || true
cp "$C" "$T/v1"
meta=$(stat -c '%a %u %g' "$C")
adv true --backup
expect_rc 0 "bind --backup writes"
check "the backup holds the version read" cmp "$T/v1" "$C.bak"
check "the backup is not a hard link" test "$(stat -c %h "$C.bak")" = 1
check "the backup has the old mode, owner, group" \
    test "$(stat -c '%a %u %g' "$C.bak")" = "$meta"
cp "$C" "$T/v2"
# The final rename fails (EIO): the file and the previous backup stay.
SHIM_FILE=$C SHIM_AT=rename LD_PRELOAD=$SHIM run -c "$C" bind --identity 'Default MAILBOX01' \
    --advertise-client-settings false --backup
expect_rc 2 "a failed rename: exit 2"
expect_err_has "^certbind: $C: cannot rename the temporary file: Input/output error; the file is unchanged$" \
    "a failed rename: says so"
check "a failed rename: the file is unchanged" cmp "$T/v2" "$C"
check "a failed rename: the previous backup is kept" cmp "$T/v1" "$C.bak"
check "a failed rename: no temporary file left" \
    test "$(ls_d)" = ". .. connectors.xml connectors.xml.bak connectors.xml.lock "
# A later write through another name of the old inode does not reach it.
ln "$C" "$T/other-name"
adv false --backup
expect_rc 0 "second bind --backup"
check "the new backup is the version read" cmp "$T/v2" "$C.bak"
printf 'tampered\n' >>"$T/other-name"
check "writing through the old inode's other name leaves the backup" cmp "$T/v2" "$C.bak"

# --- the ownership and mode rules
fresh
chmod 0777 "$D"
cp "$C" "$T/before"
adv true
expect_rc 2 "a directory writable by every user: exit 2"
expect_err_has "^certbind: $C: its directory $D is writable by every user \(mode 0777\): another user could swap the file for a link while certbind writes it; nothing written \(--allow-unsafe-config accepts the risk\)$" \
    "names the directory, the mode and the option"
check "nothing written" cmp "$T/before" "$C"
check "no lock file made" test ! -e "$C.lock"
run -c "$C" --allow-unsafe-config bind --identity 'Default MAILBOX01' --advertise-client-settings true
expect_rc 0 "--allow-unsafe-config accepts the risk"
check "and writes" test "$(xmllint --xpath "string(//ReceiveConnector[Name='Default MAILBOX01']/AdvertiseClientSettings)" "$C")" = true
chmod 0775 "$D"
adv false
expect_rc 2 "a group-writable directory: exit 2"
expect_err_has "is writable by its group \(mode 0775\)" "says group-writable"
chmod 0755 "$D"; chmod 0664 "$C"
adv false
expect_rc 2 "a group-writable file: exit 2"
expect_err_has "^certbind: $C: the file is writable by its group \(mode 0664\)" "says the file"
chmod 0644 "$C"
adv false --dry-run
expect_rc 0 "a safe file: dry run works"
chmod 01777 "$D"
adv false
expect_rc 0 "a sticky directory (as /tmp) is fine: others cannot rename root's file"
chmod 0755 "$D"
# A directory above it writable by others, not sticky.
fresh
mkdir "$T/up"; mkdir "$T/up/conf"; chmod 0777 "$T/up"; chmod 0755 "$T/up/conf"
cp "$ORIG" "$T/up/conf/c.xml"
run -c "$T/up/conf/c.xml" bind --identity 'Default MAILBOX01' --advertise-client-settings true
expect_rc 2 "a writable directory above: exit 2"
expect_err_has "the directory $T/up above it is writable by every user \(mode 0777\)" "names it"
chmod 01777 "$T/up"
run -c "$T/up/conf/c.xml" bind --identity 'Default MAILBOX01' --advertise-client-settings true
expect_rc 0 "a sticky directory above (as /tmp) is fine"
# A link the admin made on purpose is followed once: its target's
# directory is the one protected, and the link stays a link.
fresh
mkdir "$T/real"; chmod 0755 "$T/real"; cp "$ORIG" "$T/real/c.xml"
ln -s "$T/real/c.xml" "$D/linked.xml"
run -c "$D/linked.xml" bind --identity 'Default MAILBOX01' --advertise-client-settings true
expect_rc 0 "a config reached through a link the admin made"
check "the link stays a link" test -L "$D/linked.xml"
check "the target was written" test "$(xmllint --xpath "string(//ReceiveConnector[Name='Default MAILBOX01']/AdvertiseClientSettings)" "$T/real/c.xml")" = true
check "the lock is beside the target" test -e "$T/real/c.xml.lock"
chmod 0777 "$T/real"
run -c "$D/linked.xml" bind --identity 'Default MAILBOX01' --advertise-client-settings false
expect_rc 2 "the link's target directory writable by others: exit 2"
expect_err_has "its directory $T/real is writable by every user" "names the target's directory"
chmod 0755 "$T/real"
if [ "$(id -u)" = 0 ]; then
	fresh
	chown 4321 "$D"
	adv true
	expect_rc 2 "root's file in another user's directory: exit 2"
	expect_err_has "its directory $D is owned by another user" "says so"
else
	echo "ok $((n = n + 1)) # SKIP not root: cannot chown"
	echo "ok $((n = n + 1)) # SKIP not root: cannot chown"
fi

# --- a FIFO is refused before any lock file is made
fresh
mkfifo "$D/fifo.xml"
run -c "$D/fifo.xml" bind --identity '*' --advertise-client-settings true
expect_rc 2 "a FIFO config: exit 2"
expect_err_has "^certbind: $D/fifo.xml: not a regular file$" "not a regular file"
check "no fifo.xml.lock left" test ! -e "$D/fifo.xml.lock"

# --- F6: POSIX ACLs and extended attributes survive a rewrite
fresh
if setfacl -m u:65534:r "$C" 2>/dev/null && setfattr -n user.certbind -v kept "$C" 2>/dev/null; then
	getfacl -cpn "$C" >"$T/acl.before" 2>/dev/null
	adv true --backup
	expect_rc 0 "bind on a file with an ACL"
	getfacl -cpn "$C" >"$T/acl.after" 2>/dev/null
	check "the ACL is kept (getfacl)" cmp "$T/acl.before" "$T/acl.after"
	check "the ACL grants the service user read (getfacl)" grep -qx 'user:65534:r--' "$T/acl.after"
	check "the user xattr is kept (getfattr)" test "$(getfattr --only-values -n user.certbind "$C" 2>/dev/null)" = kept
	getfacl -cpn "$C.bak" >"$T/acl.bak" 2>/dev/null
	check "the backup has the ACL too" cmp "$T/acl.before" "$T/acl.bak"
else
	for i in 1 2 3 4 5; do echo "ok $((n = n + 1)) # SKIP no ACLs or user xattrs on this file system"; done
fi
done_testing
