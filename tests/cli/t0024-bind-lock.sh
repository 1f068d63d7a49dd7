#!/bin/sh
# bind: the lock across read-modify-write (certbind(1) WRITING THE CONFIGURATION).  flock(1) holds
# FILE.lock as another certbind would; waiting is up to 30 s, then exit 2.
# This file takes some 35 seconds.
. "$(dirname "$0")/lib.sh"
C=$T/connectors.xml
cp "$PKI/connectors.xml" "$C"
: >"$C.lock"

# hold SECONDS: flock(1) holds the lock in the background ($hp).  -o: the
# lock belongs to flock itself, so killing it releases the lock.
hold() {
	flock -o "$C.lock" sleep "$1" &
	hp=$!
	# wait until the lock is really held
	i=0
	while flock -n "$C.lock" true && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
release() {
	pkill -P "$hp" sleep 2>/dev/null
	kill "$hp" 2>/dev/null
	wait "$hp" 2>/dev/null
}

# A short hold: bind waits for it, then writes.
hold 2
start=$(date +%s)
run -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings true
el=$(($(date +%s) - start))
release
expect_rc 0 "bind waits for a lock held 2 s, then writes"
check "it waited (${el}s)" test "$el" -ge 1
check "the value is written" test "$(xmllint --xpath 'string(//ReceiveConnector[Name="Default MAILBOX01"]/AdvertiseClientSettings)' "$C")" = true

# A long hold: exit 2 after 30 s, nothing written.
cp "$C" "$T/before"
hold 45
start=$(date +%s)
run -c "$C" bind --identity 'Default MAILBOX01' --advertise-client-settings false
el=$(($(date +%s) - start))
release
expect_rc 2 "a lock held past 30 s is exit 2"
expect_err_has "^certbind: $C: timed out waiting for the lock \(another certbind has held $C.lock for 30 s\)$" \
    "saying so, naming the lock file"
check "after 30 s, not much more (${el}s)" test "$el" -ge 30 -a "$el" -le 33
check "nothing written" cmp -s "$T/before" "$C"
check "no temporary file" test "$(ls -a "$T" | grep -c '^\.connectors')" -eq 0

# connectors (read only) does not wait.
hold 45
start=$(date +%s)
run -c "$C" connectors
el=$(($(date +%s) - start))
release
expect_rc 0 "connectors does not take the lock"
check "and does not wait (${el}s)" test "$el" -le 2
done_testing
