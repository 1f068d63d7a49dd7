#!/bin/sh
# make install / uninstall with PREFIX and DESTDIR, and the bash
# completion it installs: commands, options, thumbprints of the store.
. "$(dirname "$0")/lib.sh"
D=$T/dest
make -s -C "$top" -o certbind install DESTDIR="$D" PREFIX=/usr >"$out" 2>"$err"; rc=$?
expect_rc 0 "make install DESTDIR=... PREFIX=/usr"
for f in usr/bin/certbind usr/share/man/man1/certbind.1 \
    usr/share/man/man5/certbind-connectors.5 \
    usr/share/bash-completion/completions/certbind; do
	check "installs $f" test -s "$D/$f"
done
check "the binary is executable" test -x "$D/usr/bin/certbind"

if command -v bash >/dev/null; then
	comp() { # WORDS...: completions for the last word
		PATH=$D/usr/bin:$PATH bash -c '
		    . "$1"; shift
		    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		    _certbind; printf "%s\n" "${COMPREPLY[@]}"' comp \
		    "$D/usr/share/bash-completion/completions/certbind" "$@"
	}
	comp certbind sh >"$out"
	check "'sh' completes to show" grep -qx show "$out"
	comp certbind list --pri >"$out"
	check "a command's options complete" grep -qx -- --private-key "$out"
	comp certbind -f j >"$out"
	check "formats complete" grep -qx json "$out"
	M=$(openssl x509 -in "$PKI/store/mail.contoso.com.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
	comp certbind --store "$PKI/store" show "$(echo "$M" | cut -c1-6 | tr 'A-F' 'a-f')" >"$out"
	check "thumbprints of the store complete (from any case)" grep -qx "$M" "$out"
else
	ok "# SKIP bash is not installed"
fi

make -s -C "$top" uninstall DESTDIR="$D" PREFIX=/usr >"$out" 2>"$err"; rc=$?
expect_rc 0 "make uninstall"
check "removes every installed file" test -z "$(find "$D" -type f)"
done_testing
