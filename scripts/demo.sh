#!/bin/sh
# demo.sh: the main job on the bundled test store and a copy of the sample
# configuration.  Never changes committed files.
set -u
cd "$(dirname "$0")/.." || exit 2
S=certs-test/store
W=$(mktemp -d "${TMPDIR:-/tmp}/certbind-demo.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
cp certs-test/connectors.xml "$W/connectors.xml"
export CERTBIND_STORE=$S CERTBIND_CONFIG=$W/connectors.xml
AT=--at=2026-06-01		# the test PKI's fixed "now"
PW="--password-file certs-test/password.txt"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "The store: every certificate, the connectors using it, its expiry" \
    "certbind $AT list"
./certbind $PW $AT list

T=$(openssl x509 -in $S/mail.contoso.com.pem -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | sed 's/../& /g; s/ $//')
PASTED=$(printf '\342\200\216%s' "$T")
step "A thumbprint pasted from the Windows certificate dialog (lower case, spaces, a hidden U+200E)" \
    "certbind show '$T'"
./certbind $PW $AT show "$PASTED"

step "The TLS certificate name Exchange wants for it" "certbind name '$T'"
./certbind $PW name "$PASTED"

CA="--ca-file certs-test/ca/root-ca.pem"
step "Does it fit the Client Frontend connector's FQDN?" \
    "certbind $AT --ca-file certs-test/ca/root-ca.pem check '$T' --fqdn mail.contoso.com"
./certbind $PW $AT $CA check "$PASTED" --fqdn mail.contoso.com

step "Bind it to every Client Frontend connector: first the diff, then for real" \
    "certbind bind --identity 'Client Frontend*' --thumbprint '$T' --fqdn mail.contoso.com --dry-run"
./certbind $PW $AT $CA bind --identity 'Client Frontend*' --thumbprint "$PASTED" \
    --fqdn mail.contoso.com --dry-run
./certbind $PW $AT $CA bind --identity 'Client Frontend*' --thumbprint "$PASTED" \
    --fqdn mail.contoso.com

step "The connectors now" "certbind connectors"
./certbind connectors

step "Validate every connector before rollout (exit status 1 when a check fails)" \
    "certbind $AT validate --identity 'Client Frontend*'"
./certbind $PW $AT $CA validate --identity 'Client Frontend*'
echo "(exit status $?)"

step "Certificates that expire within 30 days" "certbind $AT list --expiring 30"
./certbind $PW $AT list --expiring 30
printf '\n(the configuration used is a copy in %s; nothing committed was changed)\n' "$W"
