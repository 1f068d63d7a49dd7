#!/bin/sh
# libxml2 is opened only when a command reads or writes XML (xmllib.h):
# not by the dynamic loader at start-up, so a run without a
# configuration never loads it (nor ICU and libstdc++ behind it).  The
# loader's own trace (LD_DEBUG=libs, glibc) is the oracle; certbind is
# run directly, not under CERTBIND_TEST_WRAP, whose loads would mix in.
. "$(dirname "$0")/lib.sh"

# loads LABEL ARGS...: runs certbind with the loader's trace in $T/ld.
loads() {
	LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld "$BIN" "$@" >"$out" 2>"$err"
	rc=$?
	cat "$T"/ld.* >"$T/ld" 2>/dev/null
	rm -f "$T"/ld.*
}
opened() { grep -q "calling init: .*$1" "$T/ld"; }
not_opened() { ! opened "$1"; }

check "certbind is not linked with libxml2" \
    sh -c "! LD_TRACE_LOADED_OBJECTS=1 '$BIN' | grep -q libxml2"

loads --store "$PKI/store" --config "$T/none.xml" list
expect_rc 0 "list without a configuration"
check "list without a configuration loads no libxml2" not_opened libxml2
check "... nor ICU" not_opened libicuuc
check "the trace saw libcrypto (the oracle works)" opened libcrypto

loads --store "$PKI/store" --config "$PKI/connectors.xml" list
expect_rc 0 "list with the sample configuration"
check "list with a configuration loads libxml2" opened libxml2
expect_out_has 'Client Frontend MAILBOX01' "... and shows its Services"

loads --config "$PKI/connectors.xml" connectors --format json
expect_rc 0 "connectors"
check "connectors loads libxml2" opened libxml2

loads --store "$PKI/store" --config "$PKI/connectors.xml" --at 2026-06-01 \
    --ca-file "$PKI/ca/root-ca.pem" validate --format junit
check "validate --format junit loads libxml2" opened libxml2
expect_out_has '<testsuites' "... and writes JUnit XML"

loads --store "$PKI/store" name "$(grep '^store/mail.contoso.com.pem' \
    "$PKI/index.tsv" | cut -f2)"
expect_rc 0 "name"
check "name loads no libxml2" not_opened libxml2

done_testing
