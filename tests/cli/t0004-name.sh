#!/bin/sh
# name: the TLS certificate name, against the names derived by hand from
# certbind(1) CERTIFICATE FIELDS in certs-test/expected-names.tsv (not produced by certbind).
. "$(dirname "$0")/lib.sh"
S=$PKI/store

# Every row: certbind's name (read through JSON, so rows with control
# characters compare too) equals the hand-derived <I>issuer<S>subject.
python3 - "$PKI" "$BIN" >"$T/tap" 2>&1 <<'PY'
import json, subprocess, sys
pki, bin = sys.argv[1], sys.argv[2]
rows = open(pki + "/expected-names.tsv", "rb").read().split(b"\n")[1:]
n = 0
for row in rows:
    if not row: continue
    f, subject, issuer = row.split(b"\t")
    f = f.decode()
    path, _, idx = f.partition("#")
    data = open(pki + "/" + path, "rb").read()
    if path.endswith((".pfx", ".p12")):
        # openssl pkcs12 is the oracle for what the leaf in the file is.
        for extra in (["-passin", "file:" + pki + "/password.txt"],
                      ["-passin", "file:" + pki + "/password.txt", "-legacy"],
                      ["-passin", "pass:"]):
            r = subprocess.run(["openssl", "pkcs12", "-in", pki + "/" + path, "-nokeys",
                                "-clcerts"] + extra,
                               capture_output=True)
            if r.returncode == 0: break
        data = r.stdout
    blocks = data.split(b"-----BEGIN CERTIFICATE-----")[1:]
    if blocks:
        pem = b"-----BEGIN CERTIFICATE-----" + blocks[int(idx or 1) - 1]
        der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem,
                             capture_output=True, check=True).stdout
    else:
        der = data
    import hashlib
    sha1 = hashlib.sha1(der).hexdigest()
    r = subprocess.run([bin, "-s", pki + "/" + path, "--password-file",
                        pki + "/password.txt", "-f", "json", "name", sha1],
                       capture_output=True)
    want = (b"<I>" + issuer + b"<S>" + subject).decode("utf-8")
    n += 1
    got = json.loads(r.stdout)["TlsCertificateName"] if r.returncode == 0 else None
    if got == want:
        print("ok %d - %s: name as derived by hand" % (n, f))
    else:
        print("not ok %d - %s: name\n#   got:    %r\n#   wanted: %r" % (n, f, got, want))
PY
cat "$T/tap"
n=$(grep -c '^ok' "$T/tap")
check "the hand-derived names cover at least 40 certificates" test "$n" -ge 40

M=$(openssl x509 -in "$S/mail.contoso.com.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run -s "$S" --password-file "$PKI/password.txt" name "$M"
expect_rc 0 "name exits 0"
check "name prints one line and nothing else" test "$(wc -l < "$out")" -eq 1
expect_err_empty "name is quiet on stderr"
run -s "$S" -f json name "$M"
check "name -f json gives Thumbprint and TlsCertificateName" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); assert d['Thumbprint']==sys.argv[2] and d['TlsCertificateName'].startswith('<I>CN=Contoso Issuing CA 1')" "$out" "$M"

# A hostile name is never printed raw: refused, and shown by JSON escaped.
H=$PKI/hostile/ansi-escape-cn.pem
HT=$(openssl x509 -in "$H" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
run -s "$H" name "$HT"
expect_rc 2 "a name with an escape sequence is refused"
expect_err_has "control characters or invalid UTF-8; see it with --format json" "saying why and what to do"
check "nothing on stdout" test ! -s "$out"
run -s "$H" -f json name "$HT"
expect_rc 0 "--format json shows it"
expect_out_has '\\u001b\[31m' "escaped"
run -s "$PKI/hostile/nul-in-cn.pem" -f json name \
    "$(openssl x509 -in "$PKI/hostile/nul-in-cn.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')"
expect_out_has 'paypal.com\\u0000' "an embedded NUL is kept and escaped, not cut"

run -s "$S" name 00000000
expect_rc 1 "an unknown prefix is exit 1"
run -s "$S" name
expect_rc 64 "no thumbprint is a usage error"
done_testing
