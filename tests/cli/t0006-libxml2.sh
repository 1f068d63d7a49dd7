#!/bin/sh
# libxml2 is linked as any library is: the dynamic loader loads it, and
# ldd (and dpkg-shlibdeps) see the dependency.  Commands with and
# without a configuration work alike.
. "$(dirname "$0")/lib.sh"

check "ldd lists libxml2" sh -c "ldd '$BIN' | grep -q 'libxml2\.so'"

run --store "$PKI/store" --config "$T/none.xml" list
expect_rc 0 "list without a configuration"
expect_out_has 'mail\.contoso\.com' "... lists the store"

run --store "$PKI/store" --config "$PKI/connectors.xml" list
expect_rc 0 "list with the sample configuration"
expect_out_has 'Client Frontend MAILBOX01' "... and shows its Services"

run --config "$PKI/connectors.xml" connectors --format json
expect_rc 0 "connectors"

run --store "$PKI/store" --config "$PKI/connectors.xml" --at 2026-06-01 \
    --ca-file "$PKI/ca/root-ca.pem" validate --format junit
expect_out_has '<testsuites' "validate --format junit writes JUnit XML"

run --store "$PKI/store" name "$(grep '^store/mail.contoso.com.pem' \
    "$PKI/index.tsv" | cut -f2)"
expect_rc 0 "name"

done_testing
