#!/bin/sh
# Hostile and invalid configurations (certbind-connectors(5)): connectors and bind each
# exit 2 with "certbind: FILE:LINE: message", the file unchanged, no
# temporary file, nothing read from disk or network through the XML.
. "$(dirname "$0")/lib.sh"
D=$T/d
mkdir "$D"
echo "SECRET-$$-MARKER" >"$T/secret"

# hostile NAME LINE MESSAGE-RE: the file $T/NAME.xml is refused by both
# commands with that line and message, and stays as it was.
hostile() {
	f=$D/$1.xml
	cp "$T/$1.xml" "$f"
	run -c "$f" connectors
	expect_rc 2 "$1: connectors exits 2"
	expect_err_has "^certbind: $f:$2: $3" "$1: connectors says FILE:$2: $3"
	check "$1: nothing on stdout" test ! -s "$out"
	run -c "$f" bind --identity '*' --fqdn mx.contoso.com --advertise-client-settings true
	expect_rc 2 "$1: bind exits 2"
	expect_err_has "^certbind: $f:$2: $3" "$1: bind says FILE:$2: $3"
	check "$1: the file is unchanged" cmp -s "$T/$1.xml" "$f"
	check "$1: no temporary file" test "$(ls -a "$D" | grep -c "^\.$1")" -eq 0
	check "$1: the secret file was never read" sh -c "! grep -q SECRET '$out' '$err'"
	rm -f "$f" "$f.lock"
}

cat >"$T/xxe.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE ReceiveConnectors [ <!ENTITY xxe SYSTEM "file://$T/secret"> ]>
<ReceiveConnectors><ReceiveConnector><Name>&xxe;</Name></ReceiveConnector></ReceiveConnectors>
XML
hostile xxe 2 'document type declarations \(<!DOCTYPE\) are not allowed$'

python3 - "$T/bomb.xml" <<'PY'
import sys
s = ['<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n']
for i in range(1, 10):
    s.append(' <!ENTITY lol%d "%s">\n' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10))
s.append(']>\n<ReceiveConnectors><ReceiveConnector><Name>&lol9;</Name></ReceiveConnector></ReceiveConnectors>\n')
open(sys.argv[1], "w").write("".join(s))
PY
hostile bomb 2 'document type declarations \(<!DOCTYPE\) are not allowed$'

# A DTD on the network: a listener counts connections; there must be none.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/netdtd.xml" <<XML
<?xml version="1.0"?>
<!-- a comment first does not hide it -->
<!DOCTYPE ReceiveConnectors SYSTEM "http://127.0.0.1:$PORT/evil.dtd">
<ReceiveConnectors><ReceiveConnector><Name>a</Name></ReceiveConnector></ReceiveConnectors>
XML
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(8)
n = 0
try:
    while True:
        c, _ = s.accept(); n += 1; c.close()
except socket.timeout:
    pass
open(sys.argv[2], "w").write(str(n))' "$PORT" "$T/conns" &
lp=$!
sleep 0.3
hostile netdtd 3 'document type declarations \(<!DOCTYPE\) are not allowed$'
wait $lp
check "netdtd: no connection was made to the DTD's server" test "$(cat "$T/conns")" = 0

python3 -c "
import sys
open(sys.argv[1], 'w').write('<?xml version=\"1.0\"?>\n<ReceiveConnectors><ReceiveConnector><Name>a</Name><X>'
    + '<d>' * 200000 + '</d>' * 200000 + '</X></ReceiveConnector></ReceiveConnectors>\n')" "$T/deep.xml"
start=$(date +%s)
hostile deep 2 'excessive depth in document'
check "deep: refused quickly (under 5 s for both commands)" test $(($(date +%s) - start)) -lt 5

printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Name>a</Name>\n  </ReceiveConector>\n</ReceiveConnectors>\n' >"$T/malformed.xml"
hostile malformed 5 'opening and ending tag mismatch'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Name>a</Name>\n' >"$T/truncated.xml"
hostile truncated 5 '.'
printf '<?xml version="1.0"?>\n<SendConnectors>\n</SendConnectors>\n' >"$T/wrongroot.xml"
hostile wrongroot 2 'the root element is not ReceiveConnectors or Connectors$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Server>EX01</Server>\n  </ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/noname.xml"
hostile noname 3 'connector has no Name$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Name>a</Name>\n    <AdvertiseClientSettings>yes</AdvertiseClientSettings>\n  </ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/badbool.xml"
hostile badbool 5 'AdvertiseClientSettings "yes" is not true, false, 1 or 0$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>\n    <Name>a</Name>\n    <Fqdn>a.contoso.com</Fqdn>\n    <Fqdn>b.contoso.com</Fqdn>\n  </ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/twice.xml"
hostile twice 6 'Fqdn given twice in one connector \(also at line 5\)$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector>stray text<Name>a</Name></ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/text.xml"
hostile text 3 'element ReceiveConnector'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector><Server>EX01</Server><Name>Default</Name></ReceiveConnector>\n  <ReceiveConnector><Server>EX01</Server><Name>Default</Name></ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/dup.xml"
hostile dup 4 'duplicate identity "EX01\\Default" \(also at line 3\)$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector><Server>EX01</Server><Name>Client Frontend</Name></ReceiveConnector>\n  <ReceiveConnector><Server>ex01</Server><Name>CLIENT FRONTEND</Name></ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/dupcase.xml"
hostile dupcase 4 'duplicate identity "ex01\\CLIENT FRONTEND" \(also at line 3\)$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector><Name>Österreich</Name></ReceiveConnector>\n  <ReceiveConnector><Name>öSTERREICH</Name></ReceiveConnector>\n</ReceiveConnectors>\n' >"$T/dupcase2.xml"
hostile dupcase2 4 'duplicate identity "öSTERREICH" \(also at line 3\)$'
printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n<ReceiveConnectors><ReceiveConnector><Name>\374</Name></ReceiveConnector></ReceiveConnectors>\n' >"$T/latin1.xml"
hostile latin1 1 'encoding "ISO-8859-1" is not supported: only UTF-8 is$'
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n<ReceiveConnector>\n<Name>a&#0;</Name></ReceiveConnector></ReceiveConnectors>\n' >"$T/nulref.xml"
hostile nulref 4 '.*invalid xmlChar value 0'
: >"$T/empty.xml"
hostile empty '[0-9]+' '.'

# Every problem is reported, then the load fails once.
printf '<?xml version="1.0"?>\n<ReceiveConnectors>\n  <ReceiveConnector><Name>a</Name><AdvertiseClientSettings>x</AdvertiseClientSettings></ReceiveConnector>\n  <ReceiveConnector><Name>b</Name><AdvertiseClientSettings>y</AdvertiseClientSettings></ReceiveConnector>\n</ReceiveConnectors>\n' >"$D/two.xml"
run -c "$D/two.xml" connectors
expect_rc 2 "two problems: exit 2"
expect_err_has "^certbind: $D/two.xml:3: AdvertiseClientSettings \"x\"" "the first reported"
expect_err_has "^certbind: $D/two.xml:4: AdvertiseClientSettings \"y\"" "and the second"

# Not a regular file.
run -c "$D" connectors
expect_rc 2 "a directory as config: exit 2"
expect_err_has "^certbind: $D: not a regular file" "saying so"
run -c "$D" bind --identity '*' --advertise-client-settings true
expect_rc 2 "bind: a directory as config: exit 2"
done_testing
