#!/bin/sh
# The lock file's owner group and mode (certbind-connectors(5) The lock):
# the configuration's group and group bits, never bits for others, so a
# second admin of the group is not locked out; owner-only stays owner-only.
. "$(dirname "$0")/lib.sh"
D=$T/d
mkdir "$D"
C=$D/connectors.xml
G=4242
# mode FILE: its octal mode; group FILE: its numeric group
mode() { stat -c %a "$1"; }
group() { stat -c %g "$1"; }
B() { run -c "$C" "$@" bind --identity 'Default MAILBOX01' --advertise-client-settings true; }
fresh() { rm -f "$C" "$C.lock"; cp "$PKI/connectors.xml" "$C"; }

if [ "$(id -u)" -ne 0 ]; then
	ok "# SKIP changing a file's group to $G needs root"
	done_testing
	exit 0
fi

fresh
chgrp $G "$C" && chmod 640 "$C"
um=$(umask); umask 077; B; umask "$um"
expect_rc 0 "bind on a 0640 configuration of group $G (umask 077)"
check "the lock file takes its group" test "$(group "$C.lock")" = $G
check "and its mode, 0640" test "$(mode "$C.lock")" = 640

fresh
chgrp $G "$C" && chmod 600 "$C"
B
expect_rc 0 "bind on an owner-only configuration"
check "the lock stays owner-only (0600)" test "$(mode "$C.lock")" = 600

fresh
chgrp $G "$C" && chmod 666 "$C"
B --allow-unsafe-config
expect_rc 0 "bind on a 0666 configuration (--allow-unsafe-config)"
check "the lock has no bits for others (0660)" test "$(mode "$C.lock")" = 660

fresh
chgrp $G "$C" && chmod 4660 "$C"
: >"$C.lock" && chmod 4700 "$C.lock"
B --allow-unsafe-config
check "an old lock of ours is put right: group $G" test "$(group "$C.lock")" = $G
check "mode 0660, never set-id or execute bits" test "$(mode "$C.lock")" = 660

fresh
chgrp $G "$C" && chmod 640 "$C"
: >"$C.lock" && chown 4243:$G "$C.lock" && chmod 600 "$C.lock"
B
expect_rc 0 "bind with another user's lock file"
check "another user's lock file is left as it is" \
    test "$(stat -c %u:%g:%a "$C.lock")" = 4243:$G:600

# A second admin of the group can take the lock another made.
if command -v setpriv >/dev/null && command -v flock >/dev/null; then
	fresh
	chmod 755 "$T"
	chgrp $G "$D" "$C" && chmod 660 "$C" && chmod 775 "$D"
	B --allow-unsafe-config
	setpriv --reuid=4243 --regid=$G --clear-groups \
	    flock -n -E 9 "$C.lock" true >"$out" 2>"$err"
	rc=$?
	expect_rc 0 "another user of group $G takes the lock root made"
	setpriv --reuid=4243 --regid=$G --clear-groups \
	    "$BIN" -c "$C" --allow-unsafe-config bind --identity 'Default MAILBOX01' \
	    --advertise-client-settings false >"$out" 2>"$err"
	check "certbind run by them gets past the lock" sh -c '! grep -q "lock" "$1"' sh "$err"
else
	ok "# SKIP setpriv or flock is missing"
	ok "# SKIP setpriv or flock is missing"
fi
done_testing
