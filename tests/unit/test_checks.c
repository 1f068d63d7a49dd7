/*
 * checks: every check of certbind(1) CHECKS on both sides, on the test PKI
 * (certs-test/README.md says what each certificate is; the expected
 * verdicts and dates are taken from there, not from certbind), plus a
 * few certificates made here where the PKI has none: a self-signed
 * SHA-1 certificate, an MD5-signed leaf, a leaf with KeyUsage
 * keyEncipherment only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "checks.h"
#include "hostname.h"
#include "store.h"

#define PKI	 "certs-test"
#define STORE	 PKI "/store"
#define ROOT	 PKI "/ca/root-ca.pem"
#define TEST_NOW 1780272000 /* 2026-06-01T00:00:00Z */
#define DAY	 86400

static struct store *st;
static char	     gendir[64];

static void
no_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
}

static struct cert *
find(const char *path)
{
	struct cert *c;
	size_t	     i;

	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		if (strcmp(c->path, path) == 0)
			return c;
	}
	fail_msg("%s is not in the store", path);
	return NULL;
}

static struct check_opts
opts(void)
{
	struct check_opts o;

	memset(&o, 0, sizeof(o));
	o.at = TEST_NOW;
	o.warn_days = 30;
	o.ca_file = ROOT;
	o.store = st;
	return o;
}

/* Runs the checks; the entry named name is returned in *ck. */
static void
run(const char *path, const char *fqdn, const struct check_opts *o,
    struct checks *cs)
{
	struct host h;
	const char *why;

	assert_int_equal(host_parse_fqdn(fqdn, strlen(fqdn), &h, &why), 0);
	assert_int_equal(checks_run(find(path), &h, o, cs), 0);
}

static const struct check *
get(const struct checks *cs, const char *name)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].name, name) == 0)
			return &cs->v[i];
	return NULL;
}

/* Asserts check name's result and that its detail is want exactly. */
static void
expect(const char *path, const char *fqdn, const struct check_opts *o,
       const char *name, enum check_result r, const char *want)
{
	struct checks	    cs;
	const struct check *ck;

	run(path, fqdn, o, &cs);
	ck = get(&cs, name);
	assert_non_null(ck);
	if (ck->result != r || (want != NULL && strcmp(ck->detail, want)))
		fail_msg("%s %s %s: got %s \"%s\", want %s \"%s\"", path, fqdn,
			 name, check_result_name(ck->result), ck->detail,
			 check_result_name(r), want ? want : "");
	checks_release(&cs);
}

/* As expect, with the detail only required to contain want. */
static void
expect_has(const char *path, const char *fqdn, const struct check_opts *o,
	   const char *name, enum check_result r, const char *want)
{
	struct checks	    cs;
	const struct check *ck;

	run(path, fqdn, o, &cs);
	ck = get(&cs, name);
	assert_non_null(ck);
	if (ck->result != r || strstr(ck->detail, want) == NULL)
		fail_msg("%s %s %s: got %s \"%s\", want %s with \"%s\"", path,
			 fqdn, name, check_result_name(ck->result), ck->detail,
			 check_result_name(r), want);
	checks_release(&cs);
}

static void
test_order_and_worst(void **state)
{
	struct check_opts	 o = opts();
	struct checks		 cs;
	static const char *const names[] = {"Domain", "Validity", "PrivateKey",
					    "Usage",  "Chain",	  "Key"};
	size_t			 i;

	run(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, &cs);
	assert_int_equal(cs.n, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(cs.v[i].name, names[i]);
		assert_int_equal(cs.v[i].result, CHECK_PASS);
		assert_null(strchr(cs.v[i].detail, '\n'));
	}
	assert_int_equal(cs.worst, CHECK_PASS);
	checks_release(&cs);

	/* One Warn (14 days left) makes the whole a Warn... */
	run(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o, &cs);
	assert_int_equal(cs.worst, CHECK_WARN);
	checks_release(&cs);
	/* ...and a Fail beats a Warn. */
	run(STORE "/expiring.contoso.com.pem", "mail.contoso.com", &o, &cs);
	assert_int_equal(cs.worst, CHECK_FAIL);
	checks_release(&cs);

	/* --no-chain: no Chain entry at all, the rest in order. */
	o.no_chain = 1;
	run(STORE "/selfsigned.contoso.com.pem", "selfsigned.contoso.com", &o,
	    &cs);
	assert_int_equal(cs.n, 5);
	assert_null(get(&cs, "Chain"));
	assert_string_equal(cs.v[4].name, "Key");
	assert_int_equal(cs.worst, CHECK_PASS);
	checks_release(&cs);

	assert_string_equal(check_result_name(CHECK_PASS), "Pass");
	assert_string_equal(check_result_name(CHECK_WARN), "Warn");
	assert_string_equal(check_result_name(CHECK_FAIL), "Fail");
	checks_release(&cs); /* twice is harmless */
}

static void
test_domain(void **state)
{
	struct check_opts o = opts();

	o.no_chain = 1;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Domain",
	       CHECK_PASS, "matches mail.contoso.com");
	/* Case and one trailing dot do not matter (§6.1). */
	expect(STORE "/mail.contoso.com.pem", "AutoDiscover.Contoso.COM.", &o,
	       "Domain", CHECK_PASS, "matches autodiscover.contoso.com");
	expect(STORE "/mail.contoso.com.pem", "smtp.contoso.com", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover smtp.contoso.com; it covers mail.contoso.com, "
	       "autodiscover.contoso.com");
	expect(STORE "/wildcard.contoso.com.pem", "mail.contoso.com", &o,
	       "Domain", CHECK_PASS, "matches *.contoso.com");
	/* A near miss names the FQDN and the rule that refused it. */
	expect(STORE "/wildcard.contoso.com.pem", "contoso.com", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover contoso.com; a wildcard does not cover the "
	       "bare domain; it covers *.contoso.com");
	expect(STORE "/wildcard.contoso.com.pem", "a.b.contoso.com", &o,
	       "Domain", CHECK_FAIL,
	       "does not cover a.b.contoso.com; a wildcard covers one label; "
	       "it covers *.contoso.com");
	expect(STORE "/wildcard.contoso.com.pem", "b.contoso.co", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover b.contoso.co; it covers *.contoso.com");
	/* No SAN: the CN stands in, a Warn; no match lists the CN. */
	expect_has(STORE "/legacy/legacy.contoso.com.pem", "legacy.contoso.com",
		   &o, "Domain", CHECK_WARN,
		   "matches the subject CN legacy.contoso.com only");
	expect(STORE "/legacy/legacy.contoso.com.pem", "mail.contoso.com", &o,
	       "Domain", CHECK_FAIL,
	       "does not cover mail.contoso.com; it covers legacy.contoso.com "
	       "(subject CN: no DNS names)");
	/* IP literals match iPAddress entries only (§6.5). */
	expect(STORE "/smtp.contoso.com-ip.pem", "192.0.2.10", &o, "Domain",
	       CHECK_PASS, "matches IP address 192.0.2.10");
	expect(STORE "/smtp.contoso.com-ip.pem", "[2001:DB8:0::10]", &o,
	       "Domain", CHECK_PASS, "matches IP address 2001:db8::10");
	expect(STORE "/smtp.contoso.com-ip.pem", "192.0.2.11", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover 192.0.2.11; it covers smtp.contoso.com, "
	       "192.0.2.10, 2001:db8::10");
	expect(STORE "/smtp.contoso.com-ip.pem", "::ffff:192.0.2.10", &o,
	       "Domain", CHECK_FAIL, NULL);
	expect(STORE "/wildcard.contoso.com.pem", "192.0.2.10", &o, "Domain",
	       CHECK_FAIL, NULL);
}

static void
test_domain_hostile(void **state)
{
	struct check_opts o = opts();

	o.no_chain = 1;
	/* A NUL in a name never matches and is shown, not cut (§6.4). */
	expect(PKI "/hostile/nul-in-san.pem", "www.paypal.com", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover www.paypal.com; it covers "
	       "www.paypal.com\\x00.evil.com");
	expect(PKI "/hostile/nul-in-cn.pem", "www.paypal.com", &o, "Domain",
	       CHECK_FAIL,
	       "does not cover www.paypal.com; it covers "
	       "www.paypal.com\\x00.evil.com (subject CN: no DNS names)");
	expect(PKI "/hostile/bad-wildcards.pem", "mail.contoso.com", &o,
	       "Domain", CHECK_FAIL,
	       "does not cover mail.contoso.com; a partial wildcard never "
	       "matches; it covers m*.contoso.com, www.*.com, "
	       "*.*.contoso.com, *, *.com, **.contoso.com, *., a.*");
	expect(PKI "/hostile/bad-wildcards.pem", "www.example.com", &o,
	       "Domain", CHECK_FAIL, NULL);
	/* 200 SANs: the first 32, then how many more. */
	expect_has(PKI "/hostile/long-name-many-sans.pem", "x.contoso.com", &o,
		   "Domain", CHECK_FAIL, "san031.contoso.com and 168 more");
	expect(PKI "/hostile/long-name-many-sans.pem", "san199.contoso.com", &o,
	       "Domain", CHECK_PASS, "matches san199.contoso.com");
}

static void
test_validity(void **state)
{
	struct check_opts o = opts();

	o.no_chain = 1;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o,
	       "Validity", CHECK_PASS,
	       "valid until 2027-01-01T00:00:00Z (214 days)");
	expect(STORE "/expired.contoso.com.pem", "expired.contoso.com", &o,
	       "Validity", CHECK_FAIL, "expired on 2025-01-01T00:00:00Z");
	expect(STORE "/future.contoso.com.pem", "future.contoso.com", &o,
	       "Validity", CHECK_FAIL, "not valid before 2027-06-01T00:00:00Z");
	expect(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o,
	       "Validity", CHECK_WARN,
	       "expires in 14 days (2026-06-15T00:00:00Z)");
	/* NotAfter exactly warn_days away warns; one day less does not. */
	o.warn_days = 14;
	expect(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o,
	       "Validity", CHECK_WARN, NULL);
	o.warn_days = 13;
	expect(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o,
	       "Validity", CHECK_PASS,
	       "valid until 2026-06-15T00:00:00Z (14 days)");
	/* The last second is still valid (RFC 5280: inclusive). */
	o.warn_days = 0;
	o.at = 1781481600; /* 2026-06-15T00:00:00Z */
	expect(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o,
	       "Validity", CHECK_WARN,
	       "expires in less than a day (2026-06-15T00:00:00Z)");
	o.at++;
	expect(STORE "/expiring.contoso.com.pem", "expiring.contoso.com", &o,
	       "Validity", CHECK_FAIL, "expired on 2026-06-15T00:00:00Z");
	o.warn_days = 30;
	o.at = 1780271999; /* 2026-05-31T23:59:59Z */
	expect(STORE "/mail.contoso.com-renewed.pem", "mail.contoso.com", &o,
	       "Validity", CHECK_PASS, NULL);
	o.at = 1777593599; /* 2026-04-30T23:59:59Z */
	expect(STORE "/mail.contoso.com-renewed.pem", "mail.contoso.com", &o,
	       "Validity", CHECK_FAIL, "not valid before 2026-05-01T00:00:00Z");
}

static void
test_private_key(void **state)
{
	struct check_opts o = opts();

	o.no_chain = 1;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o,
	       "PrivateKey", CHECK_PASS, "private key in the store");
	expect_has(STORE "/autodiscover.contoso.com.cer",
		   "autodiscover.contoso.com", &o, "PrivateKey", CHECK_FAIL,
		   "no private key in the store");
	/* In a PFX, paired by the password the store was read with. */
	expect(STORE "/exchange.pfx", "mailbox02.contoso.com", &o, "PrivateKey",
	       CHECK_PASS, NULL);
}

static void
test_usage(void **state)
{
	struct check_opts o = opts();
	char		  path[128];

	o.no_chain = 1;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Usage",
	       CHECK_PASS,
	       "extended key usage serverAuth; key usage "
	       "digitalSignature, keyEncipherment");
	expect(STORE "/eku-clientauth-only.pem", "client.contoso.com", &o,
	       "Usage", CHECK_FAIL,
	       "extended key usage lacks serverAuth: clientAuth");
	expect(STORE "/ku-keycertsign-only.pem", "keyusage.contoso.com", &o,
	       "Usage", CHECK_FAIL,
	       "key usage lacks digitalSignature and keyEncipherment: "
	       "keyCertSign");
	expect(STORE "/ec-p256.contoso.com.pem", "ec.contoso.com", &o, "Usage",
	       CHECK_PASS,
	       "extended key usage serverAuth; key usage digitalSignature");
	/* The root has no EKU: any use; its KU has digitalSignature. */
	expect(STORE "/ca/root-ca.pem", "mail.contoso.com", &o, "Usage",
	       CHECK_PASS,
	       "no extended key usage (any use); key usage "
	       "digitalSignature, keyCertSign, cRLSign");
	/* Made here: RSA with keyEncipherment alone passes, EC fails. */
	snprintf(path, sizeof(path), "%s/rsa-kenc.pem", gendir);
	expect(path, "gen.contoso.com", &o, "Usage", CHECK_PASS,
	       "extended key usage anyExtendedKeyUsage; key usage "
	       "keyEncipherment");
	snprintf(path, sizeof(path), "%s/ec-kenc.pem", gendir);
	expect(path, "gen.contoso.com", &o, "Usage", CHECK_FAIL,
	       "key usage lacks digitalSignature: keyEncipherment");
}

static void
test_chain(void **state)
{
	struct check_opts o = opts();
	struct store	 *keep;

	expect(
	    STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Chain",
	    CHECK_PASS,
	    "trusted: 3 certificates up to CN=Contoso Root CA, O=Contoso Ltd, "
	    "C=US");
	/* The other intermediate, also taken from the store. */
	expect(STORE "/ec-p256.contoso.com.pem", "ec.contoso.com", &o, "Chain",
	       CHECK_PASS, NULL);
	/* Verification time is `at`. */
	expect(STORE "/expired.contoso.com.pem", "expired.contoso.com", &o,
	       "Chain", CHECK_FAIL, "untrusted: certificate has expired");
	o.at = 1720000000; /* 2024-07-03 */
	expect(STORE "/expired.contoso.com.pem", "expired.contoso.com", &o,
	       "Chain", CHECK_PASS, NULL);
	o.at = TEST_NOW;
	expect(STORE "/future.contoso.com.pem", "future.contoso.com", &o,
	       "Chain", CHECK_FAIL, "untrusted: certificate is not yet valid");
	/* The sslserver purpose: a clientAuth-only leaf fails here too. */
	expect(STORE "/eku-clientauth-only.pem", "client.contoso.com", &o,
	       "Chain", CHECK_FAIL,
	       "untrusted: unsuitable certificate purpose");
	/* Self-signed: a Warn, trusted or not. */
	expect(STORE "/selfsigned.contoso.com.pem", "selfsigned.contoso.com",
	       &o, "Chain", CHECK_WARN,
	       "self-signed: no trust anchor vouches for it");
	o.ca_file = STORE "/selfsigned.contoso.com.pem";
	expect(STORE "/selfsigned.contoso.com.pem", "selfsigned.contoso.com",
	       &o, "Chain", CHECK_WARN, "self-signed, and a trust anchor");
	/* The store's root is no anchor: only ca_file is. */
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Chain",
	       CHECK_FAIL,
	       "untrusted: self-signed certificate in certificate "
	       "chain (at CN=Contoso Root CA, O=Contoso Ltd, C=US)");
	/* OpenSSL's default paths do not know the test root. */
	o.ca_file = NULL;
	expect_has(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o,
		   "Chain", CHECK_FAIL, "untrusted: ");
	/* Without the store's intermediates nothing builds. */
	o.ca_file = ROOT;
	keep = o.store;
	o.store = NULL;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Chain",
	       CHECK_FAIL,
	       "untrusted: unable to get local issuer certificate (missing "
	       "issuer CN=Contoso Issuing CA 1, DC=contoso, DC=com)");
	o.store = keep;
	o.ca_file = PKI "/no-such-file.pem";
	expect_has(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o,
		   "Chain", CHECK_FAIL, "cannot load the trust anchors: ");
	o.ca_file = PKI "/ca/root-ca.key"; /* no certificate in it */
	expect_has(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o,
		   "Chain", CHECK_FAIL, "cannot load the trust anchors: ");
}

/* The cache of checks_opts_init gives the same answers as none. */
static void
test_chain_cache(void **state)
{
	struct check_opts o = opts();

	assert_int_equal(checks_opts_init(&o), 0);
	assert_non_null(o.chain);
	assert_int_equal(checks_opts_init(&o), 0); /* idempotent */
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Chain",
	       CHECK_PASS, NULL);
	expect(STORE "/selfsigned.contoso.com.pem", "selfsigned.contoso.com",
	       &o, "Chain", CHECK_WARN, NULL);
	expect(STORE "/weak-rsa1024.pem", "weak-rsa.contoso.com", &o, "Chain",
	       CHECK_PASS, NULL);
	checks_opts_release(&o);
	assert_null(o.chain);
	checks_opts_release(&o);

	o.ca_file = PKI "/no-such-file.pem";
	assert_int_equal(checks_opts_init(&o), -1);
	assert_null(o.chain);
	o.no_chain = 1;
	assert_int_equal(checks_opts_init(&o), 0);
	assert_null(o.chain);
}

/*
 * checks_run_common (the checks but Domain once, Domain per host) gives
 * exactly what checks_run gives, for every certificate of the store and
 * hosts each covers or not.
 */
static void
test_run_common(void **state)
{
	static const char *const hosts[] = {
	    "mail.contoso.com", "autodiscover.contoso.com",
	    "x.contoso.com",	"ec.contoso.com",
	    "other.example",	"192.0.2.25"};
	struct check_opts o = opts();
	struct checks	  common, a, b;
	struct host	  h;
	struct cert	 *c;
	const char	 *why;
	size_t		  i, j, k, fails = 0;

	(void)state;
	assert_int_equal(checks_opts_init(&o), 0);
	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		assert_int_equal(checks_run(c, NULL, &o, &common), 0);
		for (j = 0; j < sizeof(hosts) / sizeof(hosts[0]); j++) {
			assert_int_equal(host_parse_fqdn(hosts[j],
							 strlen(hosts[j]), &h,
							 &why),
					 0);
			assert_int_equal(checks_run(c, &h, &o, &a), 0);
			assert_int_equal(checks_run_common(c, &h, &common, &b),
					 0);
			assert_int_equal(a.n, b.n);
			assert_int_equal(a.worst, b.worst);
			for (k = 0; k < a.n; k++) {
				assert_string_equal(a.v[k].name, b.v[k].name);
				assert_int_equal(a.v[k].result, b.v[k].result);
				assert_string_equal(a.v[k].detail,
						    b.v[k].detail);
			}
			fails += a.v[0].result == CHECK_FAIL;
			checks_release(&a);
			checks_release(&b);
		}
		checks_release(&common);
	}
	/* Domain both passed and failed along the way. */
	assert_true(fails > 0 && fails < store_count(st) * j);
	checks_opts_release(&o);
}

static void
test_key(void **state)
{
	struct check_opts o = opts();
	char		  path[128];

	o.no_chain = 1;
	expect(STORE "/mail.contoso.com.pem", "mail.contoso.com", &o, "Key",
	       CHECK_PASS, "RSA 2048 bits, sha256WithRSAEncryption");
	expect(
	    STORE "/weak-rsa1024.pem", "weak-rsa.contoso.com", &o, "Key",
	    CHECK_FAIL,
	    "RSA 1024 bits, under the 2048 required; sha256WithRSAEncryption");
	expect(STORE "/sha1-signature.pem", "sha1.contoso.com", &o, "Key",
	       CHECK_WARN,
	       "RSA 2048 bits; signed with SHA-1 "
	       "(sha1WithRSAEncryption), which can be forged");
	expect(STORE "/ec-p256.contoso.com.pem", "ec.contoso.com", &o, "Key",
	       CHECK_PASS, "EC 256 bits, ecdsa-with-SHA256");
	expect(STORE "/ed25519.contoso.com.pem", "ed25519.contoso.com", &o,
	       "Key", CHECK_PASS, "Ed25519 256 bits, sha256WithRSAEncryption");
	expect(STORE "/ca/root-ca.pem", "mail.contoso.com", &o, "Key",
	       CHECK_PASS, "RSA 3072 bits, sha384WithRSAEncryption");
	/* Made here: a self-signed SHA-1 root is fine, an MD5 leaf not. */
	snprintf(path, sizeof(path), "%s/sha1-selfsigned.pem", gendir);
	expect(path, "gen.contoso.com", &o, "Key", CHECK_PASS,
	       "RSA 2048 bits, sha1WithRSAEncryption");
	snprintf(path, sizeof(path), "%s/md5-leaf.pem", gendir);
	expect(path, "gen.contoso.com", &o, "Key", CHECK_WARN,
	       "RSA 2048 bits; signed with MD5 (md5WithRSAEncryption), which "
	       "can be forged");
}

/*
 * Writes a certificate for gen.contoso.com to gendir/name: key k,
 * signed by ik (NULL: self-signed) with md, with the given KeyUsage and
 * EKU (NULL: none).
 */
static void
gen(const char *name, EVP_PKEY *k, EVP_PKEY *ik, X509 *issuer, const EVP_MD *md,
    const char *ku, const char *eku)
{
	X509	       *x;
	X509V3_CTX	ctx;
	X509_EXTENSION *ext;
	FILE	       *fp;
	char		path[128];

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"gen.contoso.com", -1,
				   -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
				       : X509_get_subject_name(x));
	ASN1_TIME_set(X509_getm_notBefore(x), TEST_NOW - 30 * DAY);
	ASN1_TIME_set(X509_getm_notAfter(x), TEST_NOW + 300 * DAY);
	assert_int_equal(X509_set_pubkey(x, k), 1);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx,
						  NID_subject_alt_name,
						  "DNS:gen.contoso.com"));
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ku != NULL) {
		assert_non_null(
		    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, ku));
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (eku != NULL) {
		assert_non_null(ext = X509V3_EXT_conf_nid(
				    NULL, &ctx, NID_ext_key_usage, eku));
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, ik ? ik : k, md) > 0);
	snprintf(path, sizeof(path), "%s/%s", gendir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	X509_free(x);
}

static int
setup(void **state)
{
	struct store_opts so;
	EVP_PKEY	 *rsa, *ec, *ik;
	X509		 *issuer;
	FILE		 *fp;

	snprintf(gendir, sizeof(gendir), "/tmp/test_checks.XXXXXX");
	if (mkdtemp(gendir) == NULL)
		return -1;
	rsa = EVP_RSA_gen(2048);
	ec = EVP_EC_gen("P-256");
	if ((fp = fopen(PKI "/ca/issuing-ca-1.key", "r")) == NULL)
		return -1;
	ik = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if ((fp = fopen(PKI "/ca/issuing-ca-1.pem", "r")) == NULL)
		return -1;
	issuer = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (rsa == NULL || ec == NULL || ik == NULL || issuer == NULL)
		return -1;
	gen("sha1-selfsigned.pem", rsa, NULL, NULL, EVP_sha1(), NULL, NULL);
	gen("md5-leaf.pem", rsa, ik, issuer, EVP_md5(), NULL, NULL);
	gen("rsa-kenc.pem", rsa, ik, issuer, EVP_sha256(), "keyEncipherment",
	    "anyExtendedKeyUsage");
	gen("ec-kenc.pem", ec, ik, issuer, EVP_sha256(), "keyEncipherment",
	    NULL);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ik);
	X509_free(issuer);

	memset(&so, 0, sizeof(so));
	so.password = "Test-Passw0rd!";
	so.passlen = strlen(so.password);
	so.report = no_report;
	if ((st = store_new()) == NULL ||
	    store_add_path(st, STORE, &so) == -1 ||
	    store_add_path(st, PKI "/hostile", &so) == -1 ||
	    store_add_path(st, gendir, &so) == -1)
		return -1;
	store_finish(st);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gendir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_worst),
	    cmocka_unit_test(test_domain),
	    cmocka_unit_test(test_domain_hostile),
	    cmocka_unit_test(test_validity),
	    cmocka_unit_test(test_private_key),
	    cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_chain_cache),
	    cmocka_unit_test(test_run_common),
	    cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
