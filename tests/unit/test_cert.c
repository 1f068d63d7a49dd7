/*
 * cert: the DER walk that loading relies on, checked against OpenSSL's
 * full decode (the independent oracle) on every certificate of the
 * system's Mozilla bundle and of the test PKI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "store.h"

#define MOZILLA "/usr/share/ca-certificates/mozilla"
#define PKI	"certs-test"

static void
no_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
	return timegm(&tm);
}

/* Counts of what the fast paths were compared on, for the assertions. */
static size_t n_sans, n_keys, n_self;

/*
 * The list fields -- SAN dNSNames, signature
 * algorithm, key algorithm and size, IsSelfSigned -- against OpenSSL's
 * own decode of x (the code they replaced).  with_key: OpenSSL must also
 * decode the public key (a mutated key need not).
 */
static void
compare_fields(struct cert *c, X509 *x)
{
	GENERAL_NAMES	   *gens;
	const GENERAL_NAME *gn;
	struct cert_names   nm;
	EVP_PKEY	   *pk;
	const char	   *alg, *want;
	size_t		    k;
	int		    i, n, crit, bits, nid, rc, self;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	rc = cert_get_dns_names(c, &nm);
	if (gens == NULL && crit != -1)
		assert_int_equal(rc, -1);
	else {
		assert_int_equal(rc, 0);
		n = gens == NULL ? 0 : sk_GENERAL_NAME_num(gens);
		for (i = 0, k = 0; i < n; i++) {
			gn = sk_GENERAL_NAME_value(gens, i);
			if (gn->type != GEN_DNS)
				continue;
			assert_true(k < nm.n);
			assert_int_equal(nm.len[k], gn->d.dNSName->length);
			assert_memory_equal(nm.s[k], gn->d.dNSName->data,
					    nm.len[k]);
			k++;
		}
		assert_int_equal(k, nm.n);
		n_sans += nm.n;
		cert_names_free(&nm);
	}
	GENERAL_NAMES_free(gens);

	nid = X509_get_signature_nid(x);
	want = nid == NID_undef ? NULL : OBJ_nid2ln(nid);
	if (want == NULL)
		assert_null(cert_sig_alg(c));
	else
		assert_string_equal(cert_sig_alg(c), want);

	if ((pk = X509_get0_pubkey(x)) != NULL) {
		assert_int_equal(cert_key_info(c, &alg, &bits), 0);
		assert_int_equal(bits, EVP_PKEY_get_bits(pk));
		switch (EVP_PKEY_get_base_id(pk)) {
		case EVP_PKEY_RSA:
		case EVP_PKEY_RSA_PSS:
			want = "RSA";
			break;
		case EVP_PKEY_EC:
			want = "EC";
			break;
		case EVP_PKEY_ED25519:
			want = "Ed25519";
			break;
		case EVP_PKEY_ED448:
			want = "Ed448";
			break;
		default:
			want = alg;
			break;
		}
		assert_string_equal(alg, want);
		n_keys++;
	}

	/* The documented definition: byte-equal names and OpenSSL agrees. */
	self = X509_self_signed(x, 1) == 1 && c->issuer.len == c->subject.len &&
	       memcmp(c->der + c->issuer.off, c->der + c->subject.off,
		      c->issuer.len) == 0;
	assert_int_equal(cert_is_self_signed(c), self);
	n_self += self;
	ERR_clear_error();
}

/*
 * Compares every field the walk extracts with OpenSSL's decode.  Returns
 * 0, or 1 when OpenSSL refuses the certificate (the walk checks only the
 * structure; OpenSSL also refuses, e.g., invalid UTF-8 in a UTF8String).
 */
static int
compare_with_openssl(struct cert *c)
{
	const unsigned char *p = c->der;
	unsigned char	    *buf = NULL, md[20];
	X509		    *x;
	unsigned int	     mdlen;
	int		     len;
	char		    *serial, hex[256];
	const ASN1_INTEGER  *sn;

	if ((x = d2i_X509(NULL, &p, (long)c->derlen)) == NULL)
		return 1;
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &mdlen), 1);
	assert_memory_equal(md, c->sha1, 20);
	assert_int_equal(asn1_time(X509_get0_notBefore(x)), c->not_before);
	assert_int_equal(asn1_time(X509_get0_notAfter(x)), c->not_after);

	len = i2d_X509_NAME(X509_get_subject_name(x), &buf);
	assert_int_equal((size_t)len, c->subject.len);
	assert_memory_equal(buf, c->der + c->subject.off, len);
	OPENSSL_free(buf);
	buf = NULL;
	len = i2d_X509_NAME(X509_get_issuer_name(x), &buf);
	assert_int_equal((size_t)len, c->issuer.len);
	assert_memory_equal(buf, c->der + c->issuer.off, len);
	OPENSSL_free(buf);
	buf = NULL;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &buf);
	assert_int_equal((size_t)len, c->spki.len);
	assert_memory_equal(buf, c->der + c->spki.off, len);
	OPENSSL_free(buf);
	buf = NULL;

	/* The serial's content octets, as encoded (i2c gives them). */
	sn = X509_get0_serialNumber(x);
	len = i2d_ASN1_INTEGER(sn, &buf);
	assert_true(len > 2 && len < 120);
	cert_hex(buf + 2, len - 2, hex);
	OPENSSL_free(buf);
	serial = cert_get1_serial_hex(c);
	assert_non_null(serial);
	assert_string_equal(serial, hex);
	free(serial);
	compare_fields(c, x);
	X509_free(x);
	return 0;
}

static size_t
check_store(const char *path, size_t *refused)
{
	struct store	 *st;
	struct store_opts opts = {NULL, 0, no_report, NULL, NULL, NULL, NULL};
	size_t		  i, n;

	st = store_new();
	assert_non_null(st);
	if (store_add_path(st, path, &opts) == -1) {
		store_free(st);
		return 0;
	}
	store_finish(st);
	n = store_count(st);
	for (i = 0, *refused = 0; i < n; i++)
		*refused += compare_with_openssl(store_get0(st, i));
	store_free(st);
	return n;
}

static void
test_mozilla_bundle(void **state)
{
	size_t refused;

	(void)state;
	n_keys = n_self = 0;
	/* ca-certificates holds well over 100 real roots. */
	assert_true(check_store(MOZILLA, &refused) > 100);
	assert_int_equal(refused, 0);
	/* Every root is self-signed with byte-equal names. */
	assert_int_equal(n_self, n_keys);
}

static void
test_test_pki(void **state)
{
	size_t refused;

	(void)state;
	n_sans = n_keys = n_self = 0;
	assert_true(check_store(PKI, &refused) > 40);
	/* The comparison had something to compare. */
	assert_true(n_sans > 40);
	assert_true(n_self >= 2);
	/* Only hostile/invalid-utf8.pem, whose CN OpenSSL will not decode. */
	assert_int_equal(refused, 1);
}

/* A real certificate's DER, for the mutation tests. */
static unsigned char *
one_der(size_t *len)
{
	FILE	      *fp;
	X509	      *x;
	unsigned char *der = NULL, *copy;
	int	       n;

	fp = fopen(MOZILLA "/ISRG_Root_X1.crt", "r");
	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	copy = malloc(n);
	memcpy(copy, der, n);
	OPENSSL_free(der);
	X509_free(x);
	*len = n;
	return copy;
}

static void
test_truncated(void **state)
{
	struct cert    c;
	unsigned char *der, *cut;
	const char    *why;
	size_t	       len, i;

	(void)state;
	der = one_der(&len);
	for (i = 0; i < len; i++) {
		cut = malloc(i ? i : 1);
		memcpy(cut, der, i);
		assert_int_equal(cert_init_der(&c, cut, i, 0, &why), -1);
		assert_non_null(why);
	}
	/* Trailing data is refused unless asked for. */
	cut = malloc(len + 1);
	memcpy(cut, der, len);
	cut[len] = 0;
	assert_int_equal(cert_init_der(&c, cut, len + 1, 0, &why), -1);
	assert_string_equal(why, "trailing data after the certificate");
	cut = malloc(len + 1);
	memcpy(cut, der, len);
	cut[len] = 0;
	assert_int_equal(cert_init_der(&c, cut, len + 1, 1, &why), 0);
	assert_int_equal(c.derlen, len);
	cert_release(&c);
	free(der);
}

/*
 * Every single-byte change of the outer structure: the walk may refuse
 * or accept, but must never read out of bounds (ASan watches), and what
 * it accepts must still be a structure OpenSSL's parser agrees on.
 */
static void
test_mutations(void **state)
{
	struct cert    c;
	unsigned char *der, *m;
	const char    *why;
	size_t	       len, i;
	int	       v;

	(void)state;
	der = one_der(&len);
	for (i = 0; i < 200 && i < len; i++) {
		for (v = 0; v < 256; v += 17) {
			m = malloc(len);
			memcpy(m, der, len);
			m[i] = (unsigned char)v;
			if (cert_init_der(&c, m, len, 0, &why) == 0)
				cert_release(&c);
		}
	}
	free(der);
}

/*
 * Is the TBS of c what OpenSSL re-encodes from its decode?  OpenSSL
 * reads BER (e.g. a high tag number form for a low tag) that the walk
 * rightly refuses; agreement is asked for on DER only.
 */
static int
der_tbs(const struct cert *c, X509 *x)
{
	const unsigned char *p = c->der, *v;
	unsigned char	    *buf = NULL;
	long		     len;
	int		     tag, cls, n, same;

	if (ASN1_get_object(&p, &len, &tag, &cls, (long)c->derlen) & 0x80)
		return 0;
	v = p;
	if (ASN1_get_object(&p, &len, &tag, &cls, (long)c->derlen) & 0x80)
		return 0;
	if ((n = i2d_re_X509_tbs(x, &buf)) <= 0)
		return 0;
	same = n == (p - v) + len && memcmp(buf, v, n) == 0;
	OPENSSL_free(buf);
	return same;
}

/*
 * Every byte of certificates with SANs and RSA, EC and Ed25519 keys,
 * changed: the fast paths must stay in bounds (ASan watches) and, where
 * OpenSSL still decodes the result, agree with it.
 */
static void
test_field_mutations(void **state)
{
	static const char *const files[] = {
	    PKI "/store/mail.contoso.com.pem",
	    PKI "/store/ec-p256.contoso.com.pem",
	    PKI "/store/ed25519.contoso.com.pem",
	    PKI "/hostile/long-name-many-sans.pem",
	};
	static const int     vals[] = {0x00, 0x01, 0x02, 0x04, 0x05,
				       0x06, 0x1f, 0x30, 0x7f, 0x80,
				       0x81, 0x82, 0xa0, 0xa4, 0xff};
	struct cert	     c;
	struct cert_names    nm;
	const unsigned char *p;
	unsigned char	    *der = NULL, *m;
	const char	    *why, *alg;
	X509		    *x;
	FILE		    *fp;
	size_t		     f, i, v, compared = 0;
	int		     len, bits;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		assert_non_null(fp = fopen(files[f], "r"));
		assert_non_null(x = PEM_read_X509(fp, NULL, NULL, NULL));
		fclose(fp);
		der = NULL;
		assert_true((len = i2d_X509(x, &der)) > 0);
		X509_free(x);
		for (i = 0; i < (size_t)len; i++) {
			for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				if (der[i] == vals[v])
					continue;
				m = malloc(len);
				memcpy(m, der, len);
				m[i] = (unsigned char)vals[v];
				if (cert_init_der(&c, m, len, 0, &why) == -1)
					continue;
				if (cert_get_dns_names(&c, &nm) == 0)
					cert_names_free(&nm);
				(void)cert_sig_alg(&c);
				(void)cert_key_info(&c, &alg, &bits);
				p = c.der;
				if ((x = d2i_X509(NULL, &p, (long)c.derlen)) !=
				    NULL) {
					compared += der_tbs(&c, x) &&
						    (compare_fields(&c, x), 1);
				}
				X509_free(x);
				ERR_clear_error();
				cert_release(&c);
			}
		}
		OPENSSL_free(der);
	}
	assert_true(compared > 1000);
}

/*
 * The DER of the ISRG root with its notAfter replaced by (type, text),
 * written as is (OpenSSL's encoder does not check a time's contents).
 */
static unsigned char *
with_not_after(int type, const char *text, size_t *len)
{
	const unsigned char *p;
	unsigned char	    *der, *out = NULL, *copy;
	ASN1_STRING	    *t;
	X509		    *x;
	size_t		     n;
	int		     k;

	der = one_der(&n);
	p = der;
	assert_non_null(x = d2i_X509(NULL, &p, (long)n));
	free(der);
	assert_non_null(t = ASN1_STRING_type_new(type));
	assert_int_equal(ASN1_STRING_set(t, text, (int)strlen(text)), 1);
	assert_int_equal(X509_set1_notAfter(x, t), 1);
	/* Re-encoding the TBS marks it changed, so i2d_X509 writes it. */
	assert_true((k = i2d_re_X509_tbs(x, &out)) > 0);
	OPENSSL_free(out);
	out = NULL;
	assert_true((k = i2d_X509(x, &out)) > 0);
	copy = malloc(k);
	memcpy(copy, out, k);
	OPENSSL_free(out);
	ASN1_STRING_free(t);
	X509_free(x);
	*len = k;
	return copy;
}

/*
 * Validity dates: the walk takes exactly the dates OpenSSL's verifier
 * can compare (X509_cmp_time), with the same value, and refuses the
 * rest as "bad validity dates" -- no 31 February rolled over into March.
 */
static void
test_validity_dates(void **state)
{
	static const struct {
		int	    type;
		const char *text;
		int	    ok;
	} tv[] = {
	    {V_ASN1_UTCTIME, "270228235959Z", 1},
	    {V_ASN1_UTCTIME, "270231000000Z", 0}, /* 31 February */
	    {V_ASN1_UTCTIME, "270228235960Z", 0}, /* second 60 */
	    {V_ASN1_UTCTIME, "270229000000Z", 0}, /* not a leap year */
	    {V_ASN1_UTCTIME, "280229000000Z", 1}, /* a leap year */
	    {V_ASN1_UTCTIME, "270431000000Z", 0},
	    {V_ASN1_UTCTIME, "271301000000Z", 0},
	    {V_ASN1_UTCTIME, "270001000000Z", 0},
	    {V_ASN1_UTCTIME, "270100000000Z", 0},
	    {V_ASN1_UTCTIME, "270101240000Z", 0},
	    {V_ASN1_UTCTIME, "270101006000Z", 0},
	    {V_ASN1_UTCTIME, "491231235959Z", 1},     /* 2049 */
	    {V_ASN1_UTCTIME, "500101000000Z", 1},     /* 1950 */
	    {V_ASN1_UTCTIME, "2701010000Z", 0},	      /* no seconds */
	    {V_ASN1_UTCTIME, "270101000000+0100", 0}, /* an offset */
	    {V_ASN1_UTCTIME, "270101000000z", 0},
	    {V_ASN1_UTCTIME, "27010100000 Z", 0},
	    {V_ASN1_UTCTIME, "20270101000000Z", 0}, /* 15 in a UTCTime */
	    {V_ASN1_GENERALIZEDTIME, "20270101000000Z", 1},
	    {V_ASN1_GENERALIZEDTIME, "99991231235959Z", 1},
	    {V_ASN1_GENERALIZEDTIME, "20270231000000Z", 0},
	    {V_ASN1_GENERALIZEDTIME, "20270228235960Z", 0},
	    {V_ASN1_GENERALIZEDTIME, "20270101000000.5Z", 0},
	    {V_ASN1_GENERALIZEDTIME, "270101000000Z", 0}, /* 13 in a GT */
	    {V_ASN1_OCTET_STRING, "270101000000Z", 0},
	};
	const unsigned char *p;
	struct cert	     c;
	unsigned char	    *der;
	const char	    *why;
	time_t		     now = 1780272000;
	size_t		     i, len;
	X509		    *x;
	int		     rc, want;

	(void)state;
	for (i = 0; i < sizeof(tv) / sizeof(tv[0]); i++) {
		der = with_not_after(tv[i].type, tv[i].text, &len);
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
		want = x != NULL &&
		       X509_cmp_time(X509_get0_notAfter(x), &now) != 0;
		ERR_clear_error();
		if (want != tv[i].ok)
			fail_msg("%s: OpenSSL says %d", tv[i].text, want);
		rc = cert_init_der(&c, der, len, 0, &why);
		if (rc != (want ? 0 : -1))
			fail_msg("%s: the walk says %d", tv[i].text, rc);
		if (rc == 0) {
			assert_int_equal(c.not_after,
					 asn1_time(X509_get0_notAfter(x)));
			cert_release(&c);
		} else
			assert_string_equal(why, "bad validity dates");
		X509_free(x);
	}
}

static void
test_status(void **state)
{
	struct cert    c;
	unsigned char *der;
	const char    *why;
	size_t	       len;

	(void)state;
	der = one_der(&len);
	assert_int_equal(cert_init_der(&c, der, len, 0, &why), 0);
	assert_int_equal(cert_status(&c, c.not_before - 1), CERT_STATUS_NOTYET);
	assert_int_equal(cert_status(&c, c.not_before), CERT_STATUS_VALID);
	assert_int_equal(cert_status(&c, c.not_after), CERT_STATUS_VALID);
	assert_int_equal(cert_status(&c, c.not_after + 1), CERT_STATUS_EXPIRED);
	assert_string_equal(cert_status_name(CERT_STATUS_NOTYET),
			    "NotYetValid");
	cert_release(&c);
}

static void
test_format_time(void **state)
{
	char buf[32];

	(void)state;
	cert_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	cert_format_time(4102444799, buf, sizeof(buf));
	assert_string_equal(buf, "2099-12-31T23:59:59Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mozilla_bundle),
	    cmocka_unit_test(test_test_pki),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_field_mutations),
	    cmocka_unit_test(test_validity_dates),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_format_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
