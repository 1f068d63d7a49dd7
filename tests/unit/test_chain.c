/*
 * chain: the Chain check offers OpenSSL only the store certificates that
 * can be issuers (checks.c, cert_name_key), where it used to offer the
 * whole store.  The oracle is OpenSSL itself: X509_verify_cert with
 * every store certificate untrusted, as before, worded as check_chain
 * words it; the new check must agree on every certificate of the test
 * PKI and on certificates made here whose issuer names equal their
 * issuers' subjects only after OpenSSL's canonical comparison (string
 * type, case, white space, RDN order, empty RDNs, BER strings), and
 * X509_NAME_cmp decides which names the key must not tell apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "checks.h"
#include "dn.h"
#include "store.h"

#define PKI	 "certs-test"
#define ROOT	 PKI "/ca/root-ca.pem"
#define SELFSIGN PKI "/store/selfsigned.contoso.com.pem"
#define TEST_NOW 1780272000 /* 2026-06-01T00:00:00Z */
#define PAST	 1720000000 /* 2024-07-03 */
#define DAY	 86400

static struct store *st;
static char	     gendir[64], genstore[96], genroot[96];

static void
no_report(void *arg, const char *path, const char *msg)
{
	(void)arg;
	(void)path;
	(void)msg;
}

/* --- Names as DER, built by hand so that types and order are ours. --- */

struct der {
	unsigned char b[2048];
	size_t	      n;
};

static void
put(struct der *o, int tag, const unsigned char *c, size_t n)
{
	assert_true(o->n + n + 4 <= sizeof(o->b));
	o->b[o->n++] = tag;
	if (n < 0x80)
		o->b[o->n++] = n;
	else {
		o->b[o->n++] = 0x82;
		o->b[o->n++] = n >> 8;
		o->b[o->n++] = n & 0xff;
	}
	memcpy(o->b + o->n, c, n);
	o->n += n;
}

/*
 * One attribute: RDN number rdn (equal numbers in a row share a SET;
 * nid 0 makes an empty SET), the string tag (0x2c: a constructed
 * UTF8String in two pieces) and the text, ASCII, widened for BMPString
 * and UniversalString.
 */
struct atv {
	int	    rdn;
	int	    nid;
	int	    tag;
	const char *text;
};

static void
put_value(struct der *o, int tag, const char *s)
{
	struct der v;
	size_t	   i, n = strlen(s), w;

	memset(&v, 0, sizeof(v));
	if (tag == 0x2c) {
		put(&v, 0x0c, (const unsigned char *)s, n / 2);
		put(&v, 0x0c, (const unsigned char *)s + n / 2, n - n / 2);
		put(o, tag, v.b, v.n);
		return;
	}
	w = tag == 0x1e ? 2 : tag == 0x1c ? 4 : 1;
	for (i = 0; i < n; i++) {
		memset(v.b + v.n, 0, w - 1);
		v.b[v.n + w - 1] = s[i];
		v.n += w;
	}
	put(o, tag, v.b, v.n);
}

/* The Name of the atvs up to the one with nid -1, as DER. */
static void
name_der(const struct atv *a, struct der *out)
{
	struct der     rdns, set, atv;
	unsigned char *p, oid[64];
	int	       rdn, n;

	memset(&rdns, 0, sizeof(rdns));
	while (a->nid != -1) {
		memset(&set, 0, sizeof(set));
		rdn = a->rdn;
		for (; a->nid != -1 && a->rdn == rdn; a++) {
			if (a->nid == 0)
				continue;
			memset(&atv, 0, sizeof(atv));
			p = oid;
			n = i2d_ASN1_OBJECT(OBJ_nid2obj(a->nid), &p);
			assert_true(n > 0);
			memcpy(atv.b, oid, n);
			atv.n = n;
			put_value(&atv, a->tag, a->text);
			put(&set, 0x30, atv.b, atv.n);
		}
		put(&rdns, 0x31, set.b, set.n);
	}
	memset(out, 0, sizeof(*out));
	put(out, 0x30, rdns.b, rdns.n);
}

static X509_NAME *
name_new(const struct atv *a)
{
	struct der	     d;
	const unsigned char *p;
	X509_NAME	    *nm;

	name_der(a, &d);
	p = d.b;
	nm = d2i_X509_NAME(NULL, &p, (long)d.n);
	if (nm == NULL) {
		ERR_print_errors_fp(stderr);
		fail_msg("OpenSSL refuses a test name");
	}
	return nm;
}

/* cert_name_key of a bare Name: a struct cert whose DER is the Name. */
static int
key_of(const struct atv *a, uint64_t *key)
{
	struct cert	 c;
	struct cert_span s;
	struct der	 d;

	name_der(a, &d);
	memset(&c, 0, sizeof(c));
	c.der = d.b;
	c.derlen = d.n;
	s.off = 0;
	s.len = d.n;
	return cert_name_key(&c, &s, key);
}

#define UTF8 0x0c
#define PRNT 0x13
#define T61  0x14
#define IA5  0x16
#define UNIV 0x1c
#define BMP  0x1e
#define NUM  0x12
#define CSTR 0x2c
#define END                                                                    \
	{                                                                      \
		0, -1, 0, NULL                                                 \
	}

/* "CN=Gen Issuing X, O=Gen Ltd, C=US" and names equal to it. */
static const struct atv nx_base[] = {{0, NID_countryName, PRNT, "US"},
				     {1, NID_organizationName, UTF8, "Gen Ltd"},
				     {2, NID_commonName, PRNT, "Gen Issuing X"},
				     END};
static const struct atv nx_case[] = {
    {0, NID_countryName, PRNT, "us"},
    {1, NID_organizationName, UTF8, "GEN LTD"},
    {2, NID_commonName, UTF8, "  gen \t ISSUING   x  "},
    END};
static const struct atv nx_bmp[] = {{0, NID_countryName, UTF8, "US"},
				    {1, NID_organizationName, BMP, "Gen Ltd"},
				    {2, NID_commonName, BMP, "Gen  Issuing X"},
				    END};
static const struct atv nx_univ[] = {{0, NID_countryName, T61, "US"},
				     {1, NID_organizationName, T61, "gen ltd"},
				     {2, NID_commonName, UNIV, "GEN ISSUING X"},
				     END};
static const struct atv nx_ia5[] = {{0, NID_countryName, IA5, "US "},
				    {1, NID_organizationName, IA5, "Gen Ltd"},
				    {2, NID_commonName, T61, "Gen Issuing X"},
				    END};
/* An empty RDN leaves no trace in OpenSSL's canonical form. */
static const struct atv nx_empty[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, 0, 0, NULL},
    {2, NID_organizationName, UTF8, "Gen Ltd"},
    {3, NID_commonName, PRNT, "Gen Issuing X"},
    END};
/* A constructed (BER) string: OpenSSL joins the pieces; no key. */
static const struct atv nx_cstr[] = {{0, NID_countryName, PRNT, "US"},
				     {1, NID_organizationName, UTF8, "Gen Ltd"},
				     {2, NID_commonName, CSTR, "Gen Issuing X"},
				     END};
/* Not equal, but only in what the key leaves out: same key. */
static const struct atv nx_hyphen[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, NID_organizationName, UTF8, "Gen Ltd"},
    {2, NID_commonName, PRNT, "Gen-Issuing X"},
    END};
static const struct atv nx_other[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, NID_organizationName, UTF8, "Gen Ltd"},
    {2, NID_commonName, PRNT, "Gen Issuing Y"},
    END};
/* NumericString is not canonicalised: type and bytes must agree. */
static const struct atv nx_num[] = {{0, NID_countryName, PRNT, "US"},
				    {1, NID_organizationName, UTF8, "Gen Ltd"},
				    {2, NID_commonName, PRNT, "Gen Issuing X"},
				    {3, NID_x121Address, NUM, "12345"},
				    END};
static const struct atv nx_num_p[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, NID_organizationName, UTF8, "Gen Ltd"},
    {2, NID_commonName, PRNT, "Gen Issuing X"},
    {3, NID_x121Address, PRNT, "12345"},
    END};

/* A multi-valued RDN, its SET in either order and other string types. */
static const struct atv nm_ab[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, NID_organizationName, UTF8, "Gen Ltd"},
    {1, NID_organizationalUnitName, UTF8, "Mail"},
    {2, NID_commonName, UTF8, "Gen Issuing M"},
    END};
static const struct atv nm_ba[] = {{0, NID_countryName, PRNT, "US"},
				   {1, NID_organizationalUnitName, BMP, "MAIL"},
				   {1, NID_organizationName, PRNT, "gen  ltd"},
				   {2, NID_commonName, UTF8, "gen issuing m"},
				   END};
/* The same attributes as nm_ab, but in two RDNs: not equal. */
static const struct atv nm_split[] = {
    {0, NID_countryName, PRNT, "US"},
    {1, NID_organizationName, UTF8, "Gen Ltd"},
    {2, NID_organizationalUnitName, UTF8, "Mail"},
    {3, NID_commonName, UTF8, "Gen Issuing M"},
    END};

static const struct atv *const names[] = {
    nx_base,   nx_case,	 nx_bmp, nx_univ,  nx_ia5, nx_empty, nx_cstr,
    nx_hyphen, nx_other, nx_num, nx_num_p, nm_ab,  nm_ba,    nm_split};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/*
 * Every pair of test names that X509_NAME_cmp finds equal has equal
 * keys (or one has none); the premise holds, so the test can fail.
 */
static void
test_name_key(void **state)
{
	X509_NAME *a, *b;
	uint64_t   ka, kb;
	size_t	   i, j, equal = 0;
	int	   ha, hb;

	for (i = 0; i < NNAMES; i++)
		for (j = 0; j < NNAMES; j++) {
			a = name_new(names[i]);
			b = name_new(names[j]);
			ha = key_of(names[i], &ka) == 0;
			hb = key_of(names[j], &kb) == 0;
			if (X509_NAME_cmp(a, b) == 0) {
				equal++;
				if (ha && hb && ka != kb)
					fail_msg("names %zu and %zu are equal "
						 "to OpenSSL, keys differ",
						 i, j);
			}
			X509_NAME_free(a);
			X509_NAME_free(b);
		}
	/* nx_base..nx_cstr (7) are one name, nm_ab and nm_ba another. */
	assert_int_equal(equal, 7 * 7 + 2 * 2 + (NNAMES - 9));
	/* What the key leaves out, and what it keeps. */
	assert_int_equal(key_of(nx_cstr, &ka), -1);
	assert_int_equal(key_of(nx_base, &ka), 0);
	assert_int_equal(key_of(nx_hyphen, &kb), 0);
	assert_true(ka == kb);
	assert_int_equal(key_of(nx_other, &kb), 0);
	assert_true(ka != kb);
	assert_int_equal(key_of(nx_num, &ka), 0);
	assert_int_equal(key_of(nx_num_p, &kb), 0);
	assert_true(ka != kb);
	assert_int_equal(key_of(nm_ab, &ka), 0);
	assert_int_equal(key_of(nm_split, &kb), 0);
	assert_true(ka != kb);
}

/*
 * The same over every Subject and Issuer of the store (certs-test/ and
 * the PKI made here): names OpenSSL finds equal never have different
 * keys.  The store's certificates are the ones Chain indexes.
 */
static void
test_name_key_pki(void **state)
{
	struct {
		X509_NAME *nm;
		uint64_t   key;
		int	   keyed;
	} * v;
	struct cert *c;
	X509	    *x;
	size_t	     i, j, n = 0, equal = 0;

	(void)state;
	assert_non_null(v = calloc(2 * store_count(st), sizeof(*v)));
	for (i = 0; i < store_count(st); i++) {
		assert_non_null(c = store_get0(st, i));
		if ((x = cert_get0_x509(c)) == NULL)
			continue;
		/* Copies: the store may drop its decoded certificates. */
		assert_non_null(v[n].nm =
				    X509_NAME_dup(X509_get_subject_name(x)));
		v[n].keyed = cert_name_key(c, &c->subject, &v[n].key) == 0;
		n++;
		assert_non_null(v[n].nm =
				    X509_NAME_dup(X509_get_issuer_name(x)));
		v[n].keyed = cert_name_key(c, &c->issuer, &v[n].key) == 0;
		n++;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (X509_NAME_cmp(v[i].nm, v[j].nm) != 0)
				continue;
			equal++;
			if (v[i].keyed && v[j].keyed && v[i].key != v[j].key)
				fail_msg("names %zu and %zu are equal to "
					 "OpenSSL, keys differ",
					 i, j);
		}
	printf("# %zu names, %zu equal pairs\n", n, equal);
	assert_true(n > 100);
	assert_true(equal > n);
	for (i = 0; i < n; i++)
		X509_NAME_free(v[i].nm);
	free(v);
}

/* --- Certificates made here. --- */

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509_EXTENSION *ext;
	X509V3_CTX	ctx;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/*
 * Writes dir/file: subject and issuer as given, key k signed by sk; a
 * CA (basicConstraints, keyCertSign) or a leaf.
 */
static void
mkcert(const char *dir, const char *file, const struct atv *subject,
       const struct atv *issuer, EVP_PKEY *k, EVP_PKEY *sk, int ca)
{
	static long serial = 100;
	X509	   *x;
	X509_NAME  *nm;
	FILE	   *fp;
	char	    path[160];

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	nm = name_new(subject);
	assert_int_equal(X509_set_subject_name(x, nm), 1);
	X509_NAME_free(nm);
	nm = name_new(issuer);
	assert_int_equal(X509_set_issuer_name(x, nm), 1);
	X509_NAME_free(nm);
	ASN1_TIME_set(X509_getm_notBefore(x),
		      TEST_NOW - (ca ? 400 : 100) * DAY);
	ASN1_TIME_set(X509_getm_notAfter(x), TEST_NOW + (ca ? 900 : 300) * DAY);
	assert_int_equal(X509_set_pubkey(x, k), 1);
	if (ca) {
		add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else
		add_ext(x, NID_ext_key_usage, "serverAuth");
	assert_true(X509_sign(x, sk, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	X509_free(x);
}

static const struct atv root_a[] = {{0, NID_countryName, PRNT, "US"},
				    {1, NID_commonName, UTF8, "Gen Root A"},
				    END};
static const struct atv root_b[] = {{0, NID_commonName, UTF8, "Gen Root B"},
				    END};
static const struct atv root_b2[] = {{0, NID_commonName, UNIV, " GEN ROOT  B"},
				     END};
static const struct atv root_c[] = {{0, NID_commonName, PRNT, "Gen Root C"},
				    END};
static const struct atv root_c2[] = {{0, NID_commonName, BMP, "gen root c"},
				     END};
static const struct atv iss_z[] = {{0, NID_commonName, UTF8, "Gen Issuing Z"},
				   END};
static const struct atv iss_w[] = {{0, NID_commonName, UTF8, "Gen Issuing W"},
				   END};
static const struct atv iss_v[] = {{0, NID_commonName, CSTR, "Gen Issuing V"},
				   END};
static const struct atv iss_v2[] = {{0, NID_commonName, T61, "GEN ISSUING V"},
				    END};
static const struct atv leaf[] = {{0, NID_commonName, UTF8, "leaf.gen.example"},
				  END};

/* The leaves, each under an issuer name written differently. */
static void
make_pki(void)
{
	EVP_PKEY *ka, *kb, *kc, *ki, *kl;
	char	  anchors[96];

	assert_non_null(ka = EVP_EC_gen("P-256"));
	assert_non_null(kb = EVP_EC_gen("P-256"));
	assert_non_null(kc = EVP_EC_gen("P-256"));
	assert_non_null(ki = EVP_EC_gen("P-256"));
	assert_non_null(kl = EVP_EC_gen("P-256"));
	snprintf(anchors, sizeof(anchors), "%s/anchors", gendir);
	assert_int_equal(mkdir(anchors, 0700), 0);
	assert_int_equal(mkdir(genstore, 0700), 0);
	mkcert(anchors, "a.pem", root_a, root_a, ka, ka, 1);

	/* One intermediate, leaves naming it every equal way. */
	mkcert(genstore, "i-x.pem", nx_base, root_a, ki, ka, 1);
	mkcert(genstore, "l-case.pem", leaf, nx_case, kl, ki, 0);
	mkcert(genstore, "l-bmp.pem", leaf, nx_bmp, kl, ki, 0);
	mkcert(genstore, "l-univ.pem", leaf, nx_univ, kl, ki, 0);
	mkcert(genstore, "l-ia5.pem", leaf, nx_ia5, kl, ki, 0);
	mkcert(genstore, "l-empty.pem", leaf, nx_empty, kl, ki, 0);
	mkcert(genstore, "l-cstr.pem", leaf, nx_cstr, kl, ki, 0);
	/* Same key, different name; and a name nobody has. */
	mkcert(genstore, "l-hyphen.pem", leaf, nx_hyphen, kl, ki, 0);
	mkcert(genstore, "l-other.pem", leaf, nx_other, kl, ki, 0);
	/* A multi-valued RDN in the other SET order. */
	mkcert(genstore, "i-m.pem", nm_ab, root_a, ki, ka, 1);
	mkcert(genstore, "l-m.pem", leaf, nm_ba, kl, ki, 0);
	/*
	 * Cross-signed: Z is issued by B, which the store holds self-signed
	 * (no anchor) and cross-signed by A under another encoding of its
	 * name: which one OpenSSL takes depends on the store's order.
	 */
	mkcert(genstore, "b-self.pem", root_b, root_b, kb, kb, 1);
	mkcert(genstore, "b-by-a.pem", root_b2, root_a, kb, ka, 1);
	mkcert(genstore, "i-z.pem", iss_z, root_b, ki, kb, 1);
	mkcert(genstore, "l-z.pem", leaf, iss_z, kl, ki, 0);
	/* ... and C only cross-signed: the path has one way up. */
	mkcert(genstore, "c-by-a.pem", root_c2, root_a, kc, ka, 1);
	mkcert(genstore, "i-w.pem", iss_w, root_c, ki, kc, 1);
	mkcert(genstore, "l-w.pem", leaf, iss_w, kl, ki, 0);
	/* An intermediate whose subject has no key. */
	mkcert(genstore, "i-v.pem", iss_v, root_a, ki, ka, 1);
	mkcert(genstore, "l-v.pem", leaf, iss_v2, kl, ki, 0);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	EVP_PKEY_free(kc);
	EVP_PKEY_free(ki);
	EVP_PKEY_free(kl);
}

/* --- The oracle: the whole store untrusted, as before. --- */

/* The Windows string of nm, a NUL as the text "\\x00" (as check_chain). */
static void
add_name(FILE *fp, const X509_NAME *nm)
{
	char  *n;
	size_t nlen, i;

	if ((n = dn_name_to_windows(nm, &nlen)) == NULL) {
		ERR_clear_error();
		fputs("?", fp);
		return;
	}
	for (i = 0; i < nlen; i++)
		if (n[i] == '\0')
			fputs("\\x00", fp);
		else
			fputc(n[i], fp);
	free(n);
}

/*
 * What check_chain said when every store certificate was untrusted:
 * result and detail (a new string).  -1 when the anchors do not load.
 */
static int
oracle(struct cert *c, const char *ca_file, time_t at, enum check_result *r,
       char **detail)
{
	X509_STORE     *anchors;
	X509_STORE_CTX *ctx;
	STACK_OF(X509) * all, *path;
	X509		    *x, *y, *cur;
	const unsigned char *p;
	struct cert	    *ic;
	FILE		    *fp;
	size_t		     i, len;
	int		     ok, err, depth, self;

	p = c->der;
	if ((x = d2i_X509(NULL, &p, (long)c->derlen)) == NULL) {
		ERR_clear_error();
		*r = CHECK_FAIL;
		*detail = strdup("cannot decode the certificate");
		return 0;
	}
	assert_non_null(anchors = X509_STORE_new());
	if (ca_file == NULL ? !X509_STORE_set_default_paths(anchors)
			    : !X509_STORE_load_file(anchors, ca_file)) {
		ERR_clear_error();
		X509_STORE_free(anchors);
		X509_free(x);
		return -1;
	}
	assert_non_null(all = sk_X509_new_null());
	for (i = 0; i < store_count(st); i++) {
		ic = store_get0(st, i);
		p = ic->der;
		if ((y = d2i_X509(NULL, &p, (long)ic->derlen)) == NULL) {
			ERR_clear_error();
			continue;
		}
		assert_true(sk_X509_push(all, y) > 0);
	}
	assert_non_null(ctx = X509_STORE_CTX_new());
	assert_int_equal(X509_STORE_CTX_init(ctx, anchors, x, all), 1);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	ok = X509_verify_cert(ctx);
	ERR_clear_error();
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	self = cert_is_self_signed(c);

	assert_non_null(fp = open_memstream(detail, &len));
	if (self &&
	    (ok == 1 || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)) {
		*r = CHECK_WARN;
		fprintf(fp, "self-signed%s",
			ok == 1 ? ", and a trust anchor"
				: ": no trust anchor vouches for it");
	} else if (ok == 1) {
		*r = CHECK_PASS;
		path = X509_STORE_CTX_get0_chain(ctx);
		fprintf(fp, "trusted: %d certificate%s up to ",
			sk_X509_num(path), sk_X509_num(path) == 1 ? "" : "s");
		add_name(fp, X509_get_subject_name(
				 sk_X509_value(path, sk_X509_num(path) - 1)));
	} else {
		*r = CHECK_FAIL;
		fprintf(fp, "untrusted: %s",
			X509_verify_cert_error_string(err));
		cur = X509_STORE_CTX_get_current_cert(ctx);
		if ((err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		     err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
		    cur != NULL) {
			fprintf(fp, " (missing issuer ");
			add_name(fp, X509_get_issuer_name(cur));
			fprintf(fp, ")");
			/* certbind(1) CHECKS, Chain: where it should be. */
			if (depth == 0 && store_from_pkcs12(st, c->sha1))
				fputs("; the PFX was exported without its "
				      "chain: export it again with all "
				      "certificates in the certification "
				      "path, or add the issuer's certificate "
				      "to the store",
				      fp);
			else
				fputs("; it is not in the store: add the "
				      "issuer's certificate to the store, or "
				      "to --ca-file if it is a root",
				      fp);
		} else if (depth > 0 && cur != NULL) {
			fprintf(fp, " (at ");
			add_name(fp, X509_get_subject_name(cur));
			fprintf(fp, ")");
		}
	}
	fclose(fp);
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(all, X509_free);
	X509_STORE_free(anchors);
	X509_free(x);
	return 0;
}

/* The Chain entry of checks_run. */
static const struct check *
chain_of(struct cert *c, const struct check_opts *o, struct checks *cs)
{
	size_t i;

	assert_int_equal(checks_run(c, NULL, o, cs), 0);
	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].name, "Chain") == 0)
			return &cs->v[i];
	fail_msg("no Chain entry");
	return NULL;
}

/* Compares every store certificate with the oracle; returns how many. */
static size_t
compare_all(const char *ca_file, time_t at, int cache)
{
	struct check_opts   o;
	struct checks	    cs;
	const struct check *ck;
	enum check_result   want;
	char		   *detail;
	size_t		    i, n = 0;

	memset(&o, 0, sizeof(o));
	o.at = at;
	o.warn_days = 30;
	o.ca_file = ca_file;
	o.store = st;
	if (cache)
		assert_int_equal(checks_opts_init(&o), 0);
	for (i = 0; i < store_count(st); i++) {
		struct cert *c = store_get0(st, i);

		if (c->derlen == 0)
			continue;
		assert_int_equal(oracle(c, ca_file, at, &want, &detail), 0);
		ck = chain_of(c, &o, &cs);
		if (ck->result != want || strcmp(ck->detail, detail) != 0)
			fail_msg("%s (#%zu) with anchors %s: got %s \"%s\", "
				 "the whole store gives %s \"%s\"",
				 c->path, i, ca_file ? ca_file : "(default)",
				 check_result_name(ck->result), ck->detail,
				 check_result_name(want), detail);
		free(detail);
		checks_release(&cs);
		n++;
	}
	checks_opts_release(&o);
	return n;
}

/*
 * Every certificate of certs-test/ and of the PKI made here, under each
 * anchor set the chain tests use, now and before the PKI was valid.
 */
static void
test_oracle(void **state)
{
	static const char *const anchors[] = {ROOT, SELFSIGN, genroot, NULL};
	size_t			 i, n;

	for (i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		n = compare_all(anchors[i], TEST_NOW, 1);
		assert_true(n > 60);
		assert_int_equal(compare_all(anchors[i], PAST, 1), n);
	}
	/* Without checks_opts_init each check indexes the store itself. */
	assert_int_equal(compare_all(ROOT, TEST_NOW, 0), n);
	assert_int_equal(compare_all(genroot, TEST_NOW, 0), n);
}

static struct cert *
find(const char *file)
{
	struct cert *c;
	char	     path[160];
	size_t	     i;

	snprintf(path, sizeof(path), "%s/%s", genstore, file);
	for (i = 0; i < store_count(st); i++) {
		c = store_get0(st, i);
		if (strcmp(c->path, path) == 0)
			return c;
	}
	fail_msg("%s is not in the store", path);
	return NULL;
}

static void
expect(const char *file, enum check_result r, const char *want)
{
	struct check_opts   o;
	struct checks	    cs;
	const struct check *ck;

	memset(&o, 0, sizeof(o));
	o.at = TEST_NOW;
	o.warn_days = 30;
	o.ca_file = genroot;
	o.store = st;
	assert_int_equal(checks_opts_init(&o), 0);
	ck = chain_of(find(file), &o, &cs);
	if (ck->result != r || strcmp(ck->detail, want) != 0)
		fail_msg("%s: got %s \"%s\", want %s \"%s\"", file,
			 check_result_name(ck->result), ck->detail,
			 check_result_name(r), want);
	checks_release(&cs);
	checks_opts_release(&o);
}

/*
 * The made-up PKI's verdicts, stated by hand: the candidates include
 * every issuer whose name is equal only canonically, the key's
 * look-alikes change nothing, and unkeyed names fall back to the store.
 */
static void
test_equal_names(void **state)
{
	static const char *const same[] = {
	    "l-case.pem",  "l-bmp.pem",	 "l-univ.pem", "l-ia5.pem",
	    "l-empty.pem", "l-cstr.pem", "l-m.pem",    "l-v.pem"};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		expect(same[i], CHECK_PASS,
		       "trusted: 3 certificates up to CN=Gen Root A, C=US");
	expect("l-w.pem", CHECK_PASS,
	       "trusted: 4 certificates up to CN=Gen Root A, C=US");
	expect("l-hyphen.pem", CHECK_FAIL,
	       "untrusted: unable to get local issuer certificate (missing "
	       "issuer CN=Gen-Issuing X, O=Gen Ltd, C=US); it is not in the "
	       "store: add the issuer's "
	       "certificate to the store, or to --ca-file if it is a root");
	expect("l-other.pem", CHECK_FAIL,
	       "untrusted: unable to get local issuer certificate (missing "
	       "issuer CN=Gen Issuing Y, O=Gen Ltd, C=US); it is not in the "
	       "store: add the issuer's "
	       "certificate to the store, or to --ca-file if it is a root");
}

/*
 * A leaf's decoded form does not stay on it after checks_run, and the
 * cache of recent leaves gives the same answers as decoding afresh,
 * with more leaves in turn than the cache holds.  (Not l-cstr.pem: its
 * unkeyed issuer hands OpenSSL, and so decodes, the whole store.)
 */
static void
test_leaf_cache(void **state)
{
	static const char *const files[] = {
	    "l-case.pem",  "l-bmp.pem", "l-univ.pem", "l-ia5.pem",
	    "l-empty.pem", "l-m.pem",	"l-v.pem",    "l-hyphen.pem",
	    "l-other.pem", "l-w.pem",	"l-z.pem"};
	enum { N = sizeof(files) / sizeof(files[0]) };
	struct check_opts   o, fresh;
	struct checks	    cs;
	const struct check *ck;
	struct cert	   *c;
	char		   *want[N];
	size_t		    i, k, round;

	memset(&o, 0, sizeof(o));
	o.at = TEST_NOW;
	o.warn_days = 30;
	o.ca_file = genroot;
	o.store = st;
	fresh = o;
	assert_int_equal(checks_opts_init(&o), 0);
	for (i = 0; i < N; i++) {
		c = find(files[i]);
		cert_drop_x509(c);
		ck = chain_of(c, &fresh, &cs);
		assert_non_null(want[i] = strdup(ck->detail));
		checks_release(&cs);
	}
	for (round = 0; round < 3; round++)
		for (k = 0; k < N; k++) {
			i = round == 1 ? k : N - 1 - k;
			c = find(files[i]);
			assert_null(c->x509);
			ck = chain_of(c, &o, &cs);
			assert_null(c->x509);
			assert_string_equal(ck->detail, want[i]);
			checks_release(&cs);
			/* Twice in a row: from the cache. */
			ck = chain_of(c, &o, &cs);
			assert_string_equal(ck->detail, want[i]);
			checks_release(&cs);
		}
	for (i = 0; i < N; i++)
		free(want[i]);
	checks_opts_release(&o);
}

/* Indexing a store leaves loaded only what was loaded before. */
static void
test_index_memory(void **state)
{
	struct store_opts so;
	struct check_opts o;
	struct store	 *s;
	size_t		  i, before = 0, after = 0;

	memset(&so, 0, sizeof(so));
	so.report = no_report;
	assert_non_null(s = store_new());
	assert_int_equal(store_add_path(s, PKI "/store", &so), 0);
	store_finish(s);
	assert_non_null(store_get0(s, 1));
	for (i = 0; i < store_count(s); i++)
		before += store_loaded(s, i);
	assert_true(before >= 1 && before < store_count(s));
	memset(&o, 0, sizeof(o));
	o.at = TEST_NOW;
	o.ca_file = ROOT;
	o.store = s;
	assert_int_equal(checks_opts_init(&o), 0);
	for (i = 0; i < store_count(s); i++)
		after += store_loaded(s, i);
	assert_int_equal(after, before);
	assert_true(store_loaded(s, 1));
	checks_opts_release(&o);
	store_free(s);
}

static int
setup(void **state)
{
	struct store_opts so;

	snprintf(gendir, sizeof(gendir), "/tmp/test_chain.XXXXXX");
	if (mkdtemp(gendir) == NULL)
		return -1;
	snprintf(genstore, sizeof(genstore), "%s/store", gendir);
	snprintf(genroot, sizeof(genroot), "%s/anchors/a.pem", gendir);
	make_pki();

	memset(&so, 0, sizeof(so));
	so.password = "Test-Passw0rd!";
	so.passlen = strlen(so.password);
	so.report = no_report;
	if ((st = store_new()) == NULL || store_add_path(st, PKI, &so) == -1 ||
	    store_add_path(st, genstore, &so) == -1)
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
	    cmocka_unit_test(test_name_key),
	    cmocka_unit_test(test_name_key_pki),
	    cmocka_unit_test(test_oracle),
	    cmocka_unit_test(test_equal_names),
	    cmocka_unit_test(test_leaf_cache),
	    cmocka_unit_test(test_index_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
