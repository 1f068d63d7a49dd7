#!/bin/sh
# deps.sh: installs what building and testing certbind needs on Debian 12
# when it is missing (as root), or prints the command to run and fails;
# then the PowerShell parser of tests/t0095 (tests/pwsh, from the npm
# registry, as package-lock.json pins it) when it is missing or stale.
# xmlstarlet is make bench's reference for bind.
PKGS="build-essential pkg-config libssl-dev libxml2-dev libcmocka-dev \
openssl libxml2-utils clang python3 mandoc groff-base pebble certbot \
curl strace acl attr iproute2 postfix dovecot-imapd dovecot-pop3d \
prometheus zsh xmlstarlet"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
# Any node with npm will do (NodeSource's nodejs carries its own npm,
# which Debian's npm package would conflict with).
command -v node >/dev/null && command -v npm >/dev/null ||
    missing="$missing nodejs npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		echo "certbind: installing:$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		# postfix asks what to set up; the probe tests run their own.
		echo "postfix postfix/main_mailer_type select No configuration" |
		    debconf-set-selections
		apt-get update -qq && apt-get install -y -qq $missing >/dev/null ||
		    exit 1
	else
		echo "certbind: missing packages:$missing" >&2
		echo "certbind: run: sudo apt-get install$missing" >&2
		exit 1
	fi
fi
pw=$(dirname "$0")/../tests/pwsh
if [ ! -f "$pw/node_modules/.package-lock.json" ] ||
    [ "$pw/package-lock.json" -nt "$pw/node_modules/.package-lock.json" ]; then
	echo "certbind: installing tests/pwsh (npm ci)" >&2
	# --ignore-scripts: the grammar's native binding is not used, its
	# WebAssembly build is.
	npm ci --prefix "$pw" --ignore-scripts --no-audit --no-fund \
	    --loglevel=error >/dev/null || exit 1
fi
exit 0
