#!/bin/sh
# make install / uninstall with PREFIX and DESTDIR, and the bash and zsh
# completions it installs: commands, options (never one named only in a
# help text's example), the formats each command takes, connector names
# for --identity, thumbprints of the store read with --password-file.
. "$(dirname "$0")/lib.sh"
D=$T/dest
make -s -C "$top" -o certbind install DESTDIR="$D" PREFIX=/usr >"$out" 2>"$err"; rc=$?
expect_rc 0 "make install DESTDIR=... PREFIX=/usr"
for f in usr/bin/certbind usr/share/man/man1/certbind.1 \
    usr/share/man/man5/certbind-connectors.5 \
    usr/share/bash-completion/completions/certbind \
    usr/share/zsh/site-functions/_certbind; do
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
	X=$(openssl pkcs12 -in "$PKI/store/exchange.pfx" -passin file:"$PKI/password.txt" -nokeys -clcerts 2>/dev/null |
	    openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
	comp certbind --store "$PKI/store" show "$X" >"$out"
	check "without --password-file, the PFX's leaf is not offered" sh -c '! grep -q . "$1"' sh "$out"
	comp certbind --store "$PKI/store" --password-file "$PKI/password.txt" show "$X" >"$out"
	check "--password-file is honoured: the PFX's leaf completes" grep -qx "$X" "$out"
	comp certbind renew --d >"$out"
	check "renew: --dry-run completes" grep -qx -- --dry-run "$out"
	check "renew: no --deploy-hook (it is in the help's example only)" sh -c '! grep -q -- --deploy-hook "$1"' sh "$out"
	comp certbind validate -f '' >"$out"
	check "validate's formats include junit" grep -qx junit "$out"
	check "no powershell format" sh -c '! grep -qx powershell "$1"' sh "$out"
	comp certbind show -f '' >"$out"
	check "show's formats: table list json" test "$(sort "$out" | tr '\n' ' ')" = "json list table "
	comp certbind -c "$PKI/connectors.xml" bind --identity 'Client F' >"$out"
	check "--identity completes connector names, quoted for the shell" \
	    test "$(sort "$out" | tr '\n' '|')" = 'Client\ Frontend\ MAILBOX01|Client\ Frontend\ MAILBOX02|'
	comp certbind -c "$PKI/connectors.xml" validate --identity 'MAILBOX02\\Cl' >"$out"
	check "with a backslash, whole identities" grep -qx 'MAILBOX02\\\\Client\\ Frontend\\ MAILBOX02' "$out"
	comp certbind help re >"$out"
	check "help completes commands" test "$(sort "$out" | tr '\n' ' ')" = "renew resolve "
else
	ok "# SKIP bash is not installed"
fi

if command -v zsh >/dev/null; then
	# zcomp WORDS...: what _certbind offers for the last word, compadd,
	# _describe and _files replaced by stubs that print their candidates
	# (unfiltered: the real compadd filters them by the prefix).
	zcomp() {
		PATH=$D/usr/bin:$PATH zsh -f -c '
		    compadd() {
			while [[ $1 == -* && $1 != -- ]]; do
				case $1 in -M|-d|-J|-X|-t) shift 2 ;; *) shift ;; esac
			done
			[[ $1 == -- ]] && shift
			print -rl -- "$@"
		    }
		    _describe() { local a; for a in ${(P)${@[-1]}}; do print -r -- ${a%%:*}; done; }
		    _files() { print -r -- "<files $*>"; }
		    f=$1; shift
		    words=("$@"); CURRENT=$#; PREFIX=${words[-1]}
		    source $f' zcomp "$D/usr/share/zsh/site-functions/_certbind" "$@"
	}
	zcomp certbind sh >"$out"
	check "zsh: commands complete" grep -qx show "$out"
	check "zsh: help is a command" grep -qx help "$out"
	zcomp certbind list --pri >"$out"
	check "zsh: a command's options complete" grep -qx -- --private-key "$out"
	zcomp certbind renew --d >"$out"
	check "zsh: no --deploy-hook" sh -c '! grep -q -- --deploy-hook "$1"' sh "$out"
	zcomp certbind show -f '' >"$out"
	check "zsh: show's formats: table list json" test "$(sort "$out" | tr '\n' ' ')" = "json list table "
	zcomp certbind validate -f '' >"$out"
	check "zsh: validate's formats include junit" grep -qx junit "$out"
	zcomp certbind -c "$PKI/connectors.xml" bind --identity '' >"$out"
	check "zsh: --identity completes connector names" grep -qx 'Client Frontend MAILBOX01' "$out"
	zcomp certbind --store "$PKI/store" show '' >"$out"
	check "zsh: thumbprints of the store" grep -qx "$M" "$out"
	check "zsh: without --password-file, not the PFX's leaf" sh -c '! grep -qx "$1" "$2"' sh "$X" "$out"
	zcomp certbind --store "$PKI/store" --password-file "$PKI/password.txt" show '' >"$out"
	check "zsh: --password-file is honoured" grep -qx "$X" "$out"
	zcomp certbind -c '' >"$out"
	check "zsh: -c completes files" grep -qx '<files >' "$out"
	check "zsh: the file parses (zsh -n)" zsh -n "$D/usr/share/zsh/site-functions/_certbind"
else
	ok "# SKIP zsh is not installed"
fi

make -s -C "$top" uninstall DESTDIR="$D" PREFIX=/usr >"$out" 2>"$err"; rc=$?
expect_rc 0 "make uninstall"
check "removes every installed file" test -z "$(find "$D" -type f)"
done_testing
