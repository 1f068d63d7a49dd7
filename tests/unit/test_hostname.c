/*
 * Unit tests for src/hostname.c: FQDN validation and certbind(1) HOST NAME
 * MATCHING matching against certificates built in memory (unsigned: matching
 * needs no signature).
 *
 * Where implementations disagree, certbind(1) HOST NAME MATCHING decides; the
 * rows say who disagrees: [openssl]  X509_check_host(3), OpenSSL 3.0
 * crypto/x509/v3_utl.c: partial wildcards unless NO_PARTIAL_WILDCARDS, every CN
 *            tried when no dNSName, presented names with a trailing dot
 *            never match, "*" needs two labels after it, no "*" in an
 *            "xn--" label.
 * [curl]     lib/vtls/hostcheck.c: strips one trailing dot from both
 *            the host and the pattern, needs two dots after "*", no
 *            wildcard in a pattern that begins "xn--"; older releases
 *            accepted partial ("f*.example.com") wildcards.
 * [go]       crypto/x509/verify.go: trailing dot trimmed from the host
 *            only, "*.com" matches "x.com" (no two-label rule), CN
 *            ignored since Go 1.15.
 * [chromium] net/cert/x509_certificate.cc VerifyHostname: trailing dot
 *            stripped from presented names, no wildcard over a
 *            registry-controlled domain ("*.co.uk" refused), CN ignored
 *            since Chrome 58.
 * [python]   ssl (3.7+): OpenSSL's matcher with NO_PARTIAL_WILDCARDS;
 *            CN per hostname_checks_common_name.
 * [rfc6125]  §6.4.3: a client MAY match partial wildcards; certbind(1)
 *            says never.  §6.4.4: CN only when no DNS-ID is presented.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "hostname.h"
#include "safe.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Kinds of name a test certificate carries, beside OpenSSL's GEN_*. */
#define TC_CN	   100 /* subject CN, UTF8String, bytes as given */
#define TC_CN_BMP  101 /* subject CN, BMPString, bytes as given */
#define TC_CN_SET  102 /* CN added to the previous RDN */
#define TC_IP_TEXT 103 /* iPAddress given as text */

struct tc_name {
	int	    type;
	const char *s;
	size_t	    len;
};

#define TDNS(l)                                                                \
	{                                                                      \
		GEN_DNS, (l), sizeof(l) - 1                                    \
	}
#define TIP(l)                                                                 \
	{                                                                      \
		TC_IP_TEXT, (l), 0                                             \
	}
#define TRAW(l)                                                                \
	{                                                                      \
		GEN_IPADD, (l), sizeof(l) - 1                                  \
	}
#define TEMAIL(l)                                                              \
	{                                                                      \
		GEN_EMAIL, (l), sizeof(l) - 1                                  \
	}
#define TCN(l)                                                                 \
	{                                                                      \
		TC_CN, (l), sizeof(l) - 1                                      \
	}

static void
tc_add_gen(GENERAL_NAMES *gens, const struct tc_name *n)
{
	GENERAL_NAME *g;
	ASN1_STRING  *s;
	unsigned char addr[16];
	const void   *p = n->s;
	size_t	      len = n->len;
	int	      type = n->type;

	if (type == TC_IP_TEXT) {
		type = GEN_IPADD;
		if (inet_pton(AF_INET, n->s, addr) == 1)
			len = 4;
		else {
			assert_int_equal(inet_pton(AF_INET6, n->s, addr), 1);
			len = 16;
		}
		p = addr;
	}
	s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
	assert_non_null(s);
	assert_int_equal(ASN1_STRING_set(s, p, (int)len), 1);
	assert_non_null(g = GENERAL_NAME_new());
	GENERAL_NAME_set0_value(g, type, s);
	assert_true(sk_GENERAL_NAME_push(gens, g) > 0);
}

/* A certificate carrying names[0..n) in that order; caller frees. */
static X509 *
tc_cert(const struct tc_name *names, size_t n)
{
	X509	      *x;
	X509_NAME     *subj;
	GENERAL_NAMES *gens;
	size_t	       i;
	int	       type, sans = 0;

	assert_non_null(x = X509_new());
	assert_non_null(gens = GENERAL_NAMES_new());
	subj = X509_get_subject_name(x);
	for (i = 0; i < n; i++) {
		switch (names[i].type) {
		case TC_CN:
		case TC_CN_BMP:
		case TC_CN_SET:
			type = names[i].type == TC_CN_BMP ? V_ASN1_BMPSTRING
							  : V_ASN1_UTF8STRING;
			assert_int_equal(
			    X509_NAME_add_entry_by_NID(
				subj, NID_commonName, type,
				(const unsigned char *)names[i].s,
				(int)names[i].len, -1,
				names[i].type == TC_CN_SET ? -1 : 0),
			    1);
			break;
		default:
			tc_add_gen(gens, &names[i]);
			sans++;
			break;
		}
	}
	if (sans > 0)
		assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name,
						   gens, 0, X509V3_ADD_DEFAULT),
				 1);
	GENERAL_NAMES_free(gens);
	return x;
}

static void
tc_host(const char *s, struct host *h)
{
	const char *why = NULL;

	if (host_parse_fqdn(s, strlen(s), h, &why) != 0)
		fail_msg("host %s: %s", s, why);
}

/* Matches s against x; returns m->matched.  m is released by caller. */
static int
tc_match(X509 *x, const char *s, struct host_match *m)
{
	struct host h;

	tc_host(s, &h);
	assert_int_equal(host_match_cert(x, &h, m), 0);
	assert_int_equal(ERR_peek_error(), 0);
	return m->matched;
}

static int
tc_match1(X509 *x, const char *s)
{
	struct host_match m;
	int		  r;

	r = tc_match(x, s, &m);
	host_match_release(&m);
	return r;
}

static void
tc_print_row(const char *what, const char *pat, size_t patlen, const char *host,
	     int got, int want)
{
	char *esc;

	esc = safe_escape(pat, patlen, NULL);
	print_error("# %s: pattern \"%s\" host \"%s\": got %d want %d\n", what,
		    esc != NULL ? esc : "?", host, got, want);
	free(esc);
}

/*
 * Runs (pattern, host, want) with pattern as a certificate's only SAN
 * dNSName and again as its only subject CN: certbind(1) HOST NAME MATCHING
 * applies the same rules to the CN when no dNSName is present.  Returns
 * mismatches.
 */
static int
tc_run_row(const char *pat, size_t patlen, const char *host, int want)
{
	struct tc_name n;
	X509	      *x;
	int	       bad = 0, got, i;

	for (i = 0; i < 2; i++) {
		n.type = i == 0 ? GEN_DNS : TC_CN;
		n.s = pat;
		n.len = patlen;
		x = tc_cert(&n, 1);
		got = tc_match1(x, host);
		if (got != want) {
			tc_print_row(i == 0 ? "dNSName" : "CN", pat, patlen,
				     host, got, want);
			bad++;
		}
		X509_free(x);
	}
	return bad;
}

/*
 * The matrix: each pattern against each of these hosts; want[i] is
 * '1' when the pattern must cover matrix_hosts[i].
 */
static const char *const matrix_hosts[] = {
    "mail.contoso.com",
    "MAIL.Contoso.COM.",
    "contoso.com",
    "a.b.contoso.com",
    "xn--bcher-kva.contoso.com",
    "mail.contoso.com.evil.example",
    "com",
    "192.0.2.10",
};

struct matrix_row {
	const char *pat;
	size_t	    patlen;
	const char *want;
};

#define M(p, w)                                                                \
	{                                                                      \
		(p), sizeof(p) - 1, (w)                                        \
	}

static const struct matrix_row matrix[] = {
    /* Exact names, any case (§6.1). */
    M("mail.contoso.com", "11000000"),
    M("MAIL.CONTOSO.COM", "11000000"),
    M("mAiL.cOnToSo.CoM", "11000000"),
    M("contoso.com", "00100000"),
    M("a.b.contoso.com", "00010000"),
    M("A.B.Contoso.Com", "00010000"),
    M("com", "00000010"),
    M("mail.contoso.com.evil.example", "00000100"),
    M("mail.contoso.co", "00000000"),
    M("ail.contoso.com", "00000000"),
    M("mail.contoso.comm", "00000000"),
    M("xmail.contoso.com", "00000000"),
    /* Whole left-most label wildcard (§6.3). */
    M("*.contoso.com", "11001000"),
    M("*.CONTOSO.COM", "11001000"),
    M("*.b.contoso.com", "00010000"),
    M("*.contoso.com.evil.example", "00000100"),
    M("*.a.b.contoso.com", "00000000"),
    M("*.evil.example", "00000000"),
    /* Bare wildcards: fewer than two labels after "*" (§6.3). */
    M("*", "00000000"),
    M("*.", "00000000"),
    M("*.com", "00000000"),
    M("*.COM", "00000000"),
    M("*.*", "00000000"),
    M("*.*.*", "00000000"),
    /* Multiple wildcards. */
    M("*.*.com", "00000000"),
    M("*.*.contoso.com", "00000000"),
    M("**.contoso.com", "00000000"),
    M("*.contoso.com*", "00000000"),
    M("*.c*.com", "00000000"),
    /* Partial-label wildcards: [openssl] default and [rfc6125] allow. */
    M("m*.contoso.com", "00000000"),
    M("*l.contoso.com", "00000000"),
    M("mail*.contoso.com", "00000000"),
    M("*mail.contoso.com", "00000000"),
    M("m*l.contoso.com", "00000000"),
    M("*ail.contoso.com", "00000000"),
    M("mai*.contoso.com", "00000000"),
    M("*contoso.com", "00000000"),
    M("xn--*.contoso.com", "00000000"),
    M("x*.contoso.com", "00000000"),
    /* Inner wildcards. */
    M("www.*.com", "00000000"),
    M("mail.*.com", "00000000"),
    M("a.*.contoso.com", "00000000"),
    M("mail.contoso.*", "00000000"),
    M("mail.*", "00000000"),
    /* Trailing dot in the presented name: never ([curl] and
     * [chromium] strip it; RFC 5280 §4.2.1.6 wants RFC 1034 §3.5
     * preferred syntax, which has none). */
    M("mail.contoso.com.", "00000000"),
    M("*.contoso.com.", "00000000"),
    M("contoso.com.", "00000000"),
    M("mail.contoso.com..", "00000000"),
    /* Leading dots, empty names and labels. */
    M(".contoso.com", "00000000"),
    M(".mail.contoso.com", "00000000"),
    M("..contoso.com", "00000000"),
    M("mail..contoso.com", "00000000"),
    M(".", "00000000"),
    M("", "00000000"),
    /* Embedded NUL and other non-host bytes (§6.4). */
    M("mail.contoso.com\0", "00000000"),
    M("mail.contoso.com\0.evil.example", "00000000"),
    M("\0mail.contoso.com", "00000000"),
    M("mail\0.contoso.com", "00000000"),
    M("*.contoso.com\0", "00000000"),
    M("*\0.contoso.com", "00000000"),
    M(" mail.contoso.com", "00000000"),
    M("mail.contoso.com ", "00000000"),
    M("mail .contoso.com", "00000000"),
    M("mail.contoso.com\n", "00000000"),
    M("mail.contoso.com\r\n", "00000000"),
    M("mail.contoso.com\t", "00000000"),
    M("_mail.contoso.com", "00000000"),
    M("mail_.contoso.com", "00000000"),
    M("mail.contoso.com:25", "00000000"),
    M("mail.contoso.com/", "00000000"),
    M("https://mail.contoso.com", "00000000"),
    M("mail.contoso.com\x7f", "00000000"),
    M("\xef\xbb\xbfmail.contoso.com", "00000000"),
    M("\xe2\x80\x8email.contoso.com", "00000000"),
    M("mail\xef\xbc\x8e"
      "contoso.com",
      "00000000"),
    M("mail\xe3\x80\x82"
      "contoso.com",
      "00000000"),
    M("ma\xc4\xb1l.contoso.com", "00000000"),
    M("mail.\xe2\x84\xaaontoso.com", "00000000"),
    /* IDN: A-labels match as ASCII, U-labels never. */
    M("xn--bcher-kva.contoso.com", "00001000"),
    M("XN--BCHER-KVA.CONTOSO.COM", "00001000"),
    M("b\xc3\xbc"
      "cher.contoso.com",
      "00000000"),
    M("*.b\xc3\xbc"
      "cher.contoso.com",
      "00000000"),
    /* IP literals as dNSName or CN never match an address (§6.5). */
    M("192.0.2.10", "00000000"),
    M("*.0.2.10", "00000000"),
    M("192.0.2.*", "00000000"),
    M("[192.0.2.10]", "00000000"),
    M("::ffff:192.0.2.10", "00000000"),
};

static void
test_match_matrix(void **state)
{
	size_t i, j;
	int    bad = 0, rows = 0;

	(void)state;
	for (i = 0; i < nitems(matrix); i++) {
		assert_int_equal(strlen(matrix[i].want), nitems(matrix_hosts));
		for (j = 0; j < nitems(matrix_hosts); j++) {
			bad += tc_run_row(matrix[i].pat, matrix[i].patlen,
					  matrix_hosts[j],
					  matrix[i].want[j] == '1');
			rows++;
		}
	}
	print_message("# matrix: %d rows, each as dNSName and as CN\n", rows);
	assert_int_equal(bad, 0);
}

struct row {
	const char *pat;
	size_t	    patlen;
	const char *host;
	int	    want;
};

#define R(p, h, w)                                                             \
	{                                                                      \
		(p), sizeof(p) - 1, (h), (w)                                   \
	}

#define L63                                                                    \
	"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"         \
	"abc"
#define L61                                                                    \
	"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"         \
	"a"
/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
#define N253 L63 "." L63 "." L63 "." L61

static const struct row rows[] = {
    /* Host trailing dot is ignored (§6.1), only one is accepted. */
    R("mail.contoso.com", "mail.contoso.com.", 1),
    R("*.contoso.com", "mail.contoso.com.", 1),
    R("localhost", "localhost.", 1),
    /* Single-label and unusual but valid names. */
    R("localhost", "localhost", 1),
    R("localhost", "LOCALHOST", 1),
    R("*", "localhost", 0),	     /* [go]: 1 */
    R("*.local", "server.local", 0), /* [go]: 1 */
    R("*.com", "contoso.com", 0),    /* [go]: 1 */
    R("a", "a", 1),
    R("a-b.contoso.com", "a-b.contoso.com", 1),
    R("a--b.contoso.com", "a--b.contoso.com", 1),
    R("a--b.contoso.com", "a-b.contoso.com", 0),
    R("123.contoso.com", "123.contoso.com", 1),
    R("1.2.3.com", "1.2.3.com", 1),
    R("mailbox01.contoso.com", "MAILBOX01.contoso.com", 1),
    R("mailbox01.contoso.com", "mailbox1.contoso.com", 0),
    R("mail-contoso.com", "mail.contoso.com", 0),
    R("mail.contoso.com", "mail-contoso.com", 0),
    /* Wildcard matches exactly one non-empty label (§6.3). */
    R("*.contoso.com", "a.contoso.com", 1),
    R("*.contoso.com", "1.contoso.com", 1),
    R("*.contoso.com", "a-b.contoso.com", 1),
    R("*.contoso.com", "autodiscover.contoso.com", 1),
    R("*.contoso.com", L63 ".contoso.com", 1),
    R("*.contoso.com", "mail.contoso.org", 0),
    R("*.contoso.com", "mailcontoso.com", 0),
    R("*.contoso.com", "mail.xcontoso.com", 0),
    R("*.contoso.com", "evilcontoso.com", 0),
    R("*.contoso.com", "contoso.com.", 0),
    R("*.contoso.com", "x.mail.contoso.com", 0),
    R("*.mail.contoso.com", "a.mail.contoso.com", 1),
    R("*.mail.contoso.com", "mail.contoso.com", 0),
    R("*.mail.contoso.com", "a.b.mail.contoso.com", 0),
    R("*.a.b.c.contoso.com", "x.a.b.c.contoso.com", 1),
    /* No public-suffix logic: two labels after "*" suffice.
     * [chromium] refuses these; [openssl], [curl], [go] accept. */
    R("*.co.uk", "contoso.co.uk", 1),
    R("*.co.uk", "co.uk", 0),
    R("*.co.uk", "www.contoso.co.uk", 0),
    R("*.com.au", "contoso.com.au", 1),
    R("*.github.io", "contoso.github.io", 1),
    /* IDN A-labels: a whole "*" label matches an A-label ([curl]
     * and [openssl] agree); "*" inside an A-label never. */
    R("*.contoso.com", "xn--bcher-kva.contoso.com", 1),
    R("*.contoso.com", "XN--BCHER-KVA.contoso.com", 1),
    R("*.xn--bcher-kva.example", "mail.xn--bcher-kva.example", 1),
    R("*.xn--bcher-kva.example", "xn--bcher-kva.example", 0),
    R("xn--*.contoso.com", "xn--bcher-kva.contoso.com", 0),
    R("xn--bcher-*.contoso.com", "xn--bcher-kva.contoso.com", 0),
    R("*-kva.contoso.com", "xn--bcher-kva.contoso.com", 0),
    R("xn--bcher-kva.example", "xn--bcher-kva.example", 1),
    R("xn--bcher-kva.example", "xn--bcher-kvb.example", 0),
    /* The classic NUL forgery (CVE-2009-2408) (§6.4). */
    R("www.paypal.com\0.evil.com", "www.paypal.com", 0),
    R("www.paypal.com\0.evil.com", "evil.com", 0),
    R("www.paypal.com\0", "www.paypal.com", 0),
    R("*.paypal.com\0.evil.com", "www.paypal.com", 0),
    R("*\0.evil.com", "www.evil.com", 0),
    /* Length limits. */
    R(L63 ".contoso.com", L63 ".contoso.com", 1),
    R(N253, N253, 1),
    R(N253, N253 ".", 1),
    R("*." L63 "." L63 "." L63, "x." L63 "." L63 "." L63, 1),
    R(N253 ".", N253, 0),
    R("x." N253, N253, 0),
    /* Partial wildcards, more hosts. */
    R("m*.contoso.com", "m.contoso.com", 0),
    R("m*.contoso.com", "mx.contoso.com", 0),
    R("*x.contoso.com", "mx.contoso.com", 0),
    R("w*.contoso.com", "www.contoso.com", 0),
    R("*-mail.contoso.com", "a-mail.contoso.com", 0),
    R("mail-*.contoso.com", "mail-1.contoso.com", 0),
    R("f*o.contoso.com", "foo.contoso.com", 0),
    R("*.*.contoso.com", "a.b.contoso.com", 0),
    R("*.*.com", "a.contoso.com", 0),
    R("www.*.com", "www.contoso.com", 0),
    R("contoso.*.com", "contoso.x.com", 0),
    R("mail.*.contoso.com", "mail.x.contoso.com", 0),
    R("*.contoso.*", "a.contoso.com", 0),
    /* A literal "*" is not a host, so "*" patterns only ever match
     * by the wildcard rule. */
    R("*", "mail.contoso.com", 0),
    R("*.", "com", 0),
};

static void
test_match_rows(void **state)
{
	size_t i;
	int    bad = 0;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		bad += tc_run_row(rows[i].pat, rows[i].patlen, rows[i].host,
				  rows[i].want);
	print_message("# rows: %zu rows, each as dNSName and as CN\n",
		      nitems(rows));
	assert_int_equal(bad, 0);
}

/* Address matching (§6.5): iPAddress entries only, byte for byte. */
struct iprow {
	struct tc_name san;
	const char    *host;
	int	       want;
	const char    *ident;
};

static const struct iprow iprows[] = {
    {TIP("192.0.2.10"), "192.0.2.10", 1, "192.0.2.10"},
    {TIP("192.0.2.10"), "192.0.2.10.", 1, "192.0.2.10"},
    {TIP("192.0.2.10"), "192.0.2.11", 0, NULL},
    {TIP("192.0.2.10"), "10.2.0.192", 0, NULL},
    /* v4-mapped and v4-compatible are other bytes: no match. */
    {TIP("192.0.2.10"), "::ffff:192.0.2.10", 0, NULL},
    {TIP("192.0.2.10"), "[::ffff:192.0.2.10]", 0, NULL},
    {TIP("192.0.2.10"), "::192.0.2.10", 0, NULL},
    {TIP("::ffff:192.0.2.10"), "192.0.2.10", 0, NULL},
    {TIP("::ffff:192.0.2.10"), "::ffff:192.0.2.10", 1, "::ffff:192.0.2.10"},
    {TIP("::ffff:192.0.2.10"), "::FFFF:C000:20A", 1, "::ffff:192.0.2.10"},
    {TIP("2001:db8::1"), "2001:db8::1", 1, "2001:db8::1"},
    {TIP("2001:db8::1"), "[2001:DB8::1]", 1, "2001:db8::1"},
    {TIP("2001:db8::1"), "2001:0db8:0:0:0:0:0:0001", 1, "2001:db8::1"},
    {TIP("2001:db8::1"), "2001:db8::2", 0, NULL},
    {TIP("2001:db8::1"), "::1", 0, NULL},
    {TIP("2001:db8::1"), "0.0.0.1", 0, NULL},
    {TIP("0.0.0.0"), "0.0.0.0", 1, "0.0.0.0"},
    {TIP("0.0.0.0"), "::", 0, NULL},
    {TIP("::"), "::", 1, "::"},
    {TIP("::"), "0.0.0.0", 0, NULL},
    {TIP("127.0.0.1"), "localhost", 0, NULL},
    /* Malformed lengths (8 and 32 are the name-constraint form). */
    {TRAW("\xc0\x00\x02\x0a\xff\xff\xff\x00"), "192.0.2.10", 0, NULL},
    {TRAW("\xc0\x00\x02"), "192.0.2.0", 0, NULL},
    {TRAW("\xc0\x00\x02\x0a\x00"), "192.0.2.10", 0, NULL},
    {TRAW(""), "0.0.0.0", 0, NULL},
    /* Never a dNSName (§6.5). */
    {TDNS("192.0.2.10"), "192.0.2.10", 0, NULL},
    {TDNS("2001:db8::1"), "2001:db8::1", 0, NULL},
    {TDNS("[2001:db8::1]"), "2001:db8::1", 0, NULL},
    {TDNS("*.0.2.10"), "1.0.2.10", 0, NULL},
    {TEMAIL("192.0.2.10"), "192.0.2.10", 0, NULL},
    /* Never a CN, with or without a SAN (§6.5). */
    {TCN("192.0.2.10"), "192.0.2.10", 0, NULL},
    {TCN("2001:db8::1"), "2001:db8::1", 0, NULL},
};

static void
test_match_ip(void **state)
{
	struct host_match m;
	X509		 *x;
	size_t		  i;
	int		  bad = 0;

	(void)state;
	for (i = 0; i < nitems(iprows); i++) {
		x = tc_cert(&iprows[i].san, 1);
		if (tc_match(x, iprows[i].host, &m) != iprows[i].want ||
		    (m.matched && (m.ident == NULL ||
				   strcmp(m.ident, iprows[i].ident) != 0 ||
				   m.identlen != strlen(iprows[i].ident))) ||
		    m.by_cn) {
			print_error("# ip row %zu: host %s got %d\n", i,
				    iprows[i].host, m.matched);
			bad++;
		}
		host_match_release(&m);
		X509_free(x);
	}
	print_message("# ip: %zu rows\n", nitems(iprows));
	assert_int_equal(bad, 0);
}

static void
assert_ident(const struct host_ident *id, enum host_ident_kind kind,
	     const char *s, size_t len)
{
	assert_int_equal(id->kind, kind);
	assert_int_equal(id->len, len);
	assert_memory_equal(id->name, s, len);
	assert_int_equal(id->name[len], '\0');
}

#define ASSERT_IDENT(id, k, l) assert_ident((id), (k), (l), sizeof(l) - 1)

static void
test_covers_order(void **state)
{
	static const struct tc_name names[] = {
	    TCN("mail.contoso.com"),
	    TDNS("*.contoso.com"),
	    TIP("192.0.2.10"),
	    TEMAIL("postmaster@contoso.com"),
	    TDNS("autodiscover.contoso.com"),
	    TRAW("\x01\x02\x03"),
	    TIP("2001:db8::1"),
	    TDNS("www.paypal.com\0.evil.com"),
	    TDNS("mail.contoso.com"),
	};
	struct host_match m;
	X509		 *x;

	(void)state;
	x = tc_cert(names, nitems(names));
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 1);
	assert_int_equal(m.by_cn, 0);
	assert_int_equal(m.bad_san, 0);
	/* OpenSSL reports the first matching name in certificate order. */
	assert_string_equal(m.ident, "*.contoso.com");
	assert_int_equal(m.identlen, 13);
	/* The CN is not listed: dNSNames exist (§6.2). */
	assert_int_equal(m.ncovers, 6);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_DNS, "*.contoso.com");
	ASSERT_IDENT(&m.covers[1], HOST_IDENT_IP, "192.0.2.10");
	ASSERT_IDENT(&m.covers[2], HOST_IDENT_DNS, "autodiscover.contoso.com");
	ASSERT_IDENT(&m.covers[3], HOST_IDENT_IP, "2001:db8::1");
	ASSERT_IDENT(&m.covers[4], HOST_IDENT_DNS, "www.paypal.com\0.evil.com");
	ASSERT_IDENT(&m.covers[5], HOST_IDENT_DNS, "mail.contoso.com");
	host_match_release(&m);
	assert_null(m.covers);
	assert_int_equal(m.ncovers, 0);

	assert_int_equal(tc_match(x, "autodiscover.contoso.com", &m), 1);
	assert_string_equal(m.ident, "*.contoso.com");
	host_match_release(&m);

	/* No match: covers still lists everything, ident is empty. */
	assert_int_equal(tc_match(x, "contoso.com", &m), 0);
	assert_null(m.ident);
	assert_int_equal(m.identlen, 0);
	assert_int_equal(m.ncovers, 6);
	host_match_release(&m);

	assert_int_equal(tc_match(x, "2001:db8::1", &m), 1);
	assert_string_equal(m.ident, "2001:db8::1");
	host_match_release(&m);
	X509_free(x);
}

/* why: the rule that refused a near miss, NULL when none came close. */
static void
test_near_miss(void **state)
{
	static const struct tc_name names[] = {
	    TDNS("*.contoso.com"),   TDNS("m*.fabrikam.com"),
	    TDNS("192.0.2.10"),	     TDNS("dot.contoso.org."),
	    TDNS("x\0.contoso.net"),
	};
	static const struct {
		const char *host, *why;
	} near[] = {
	    {"a.b.contoso.com", "a wildcard covers one label"},
	    {"contoso.com", "a wildcard does not cover the bare domain"},
	    {"mail.fabrikam.com", "a partial wildcard never matches"},
	    {"192.0.2.10", "an IP address matches only IP address entries, "
			   "never a name that spells it"},
	    {"dot.contoso.org",
	     "a certificate name with a trailing dot never matches"},
	    {"x.contoso.net", NULL},
	    {"contoso.co", NULL},
	    {"b.contoso.comm", NULL},
	    {"192.0.2.11", NULL},
	};
	struct host_match m;
	X509		 *x;
	size_t		  i;

	(void)state;
	x = tc_cert(names, nitems(names));
	for (i = 0; i < nitems(near); i++) {
		assert_int_equal(tc_match(x, near[i].host, &m), 0);
		if (near[i].why == NULL)
			assert_null(m.why);
		else
			assert_string_equal(m.why, near[i].why);
		host_match_release(&m);
	}
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 1);
	assert_null(m.why);
	host_match_release(&m);
	X509_free(x);
}

static void
test_cn_fallback(void **state)
{
	static const struct tc_name ip_only[] = {
	    TCN("mail.contoso.com"),
	    TIP("192.0.2.10"),
	};
	static const struct tc_name email_only[] = {
	    TEMAIL("postmaster@contoso.com"),
	    TCN("*.contoso.com"),
	};
	static const struct tc_name dns_and_cn[] = {
	    TCN("mail.contoso.com"),
	    TDNS("autodiscover.contoso.com"),
	};
	static const struct tc_name two_cns[] = {
	    TCN("mail.contoso.com"),
	    TCN("other.contoso.com"),
	};
	static const struct tc_name not_a_name[] = {
	    TCN("Contoso Mail Server"),
	};
	static const struct tc_name nul_cn[] = {
	    TCN("www.paypal.com\0.evil.com"),
	};
	static const struct tc_name multi_rdn[] = {
	    TCN("other.contoso.com"),
	    {TC_CN_SET, "mail.contoso.com", 16},
	};
	static const struct tc_name bmp[] = {
	    {TC_CN_BMP, "\0m\0a\0i\0l\0.\0c\0o\0m", 16},
	};
	static const struct tc_name bad_utf8[] = {
	    TCN("mail.com\xff"),
	};
	struct host_match m;
	X509		 *x;

	(void)state;
	/* An IP-only SAN: the CN stands for the DNS name. */
	x = tc_cert(ip_only, nitems(ip_only));
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 1);
	assert_int_equal(m.by_cn, 1);
	assert_string_equal(m.ident, "mail.contoso.com");
	assert_int_equal(m.ncovers, 2);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_CN, "mail.contoso.com");
	ASSERT_IDENT(&m.covers[1], HOST_IDENT_IP, "192.0.2.10");
	host_match_release(&m);
	assert_int_equal(tc_match(x, "192.0.2.10", &m), 1);
	assert_int_equal(m.by_cn, 0);
	host_match_release(&m);
	X509_free(x);

	/* A SAN without dNSName: CN wildcard applies. */
	x = tc_cert(email_only, nitems(email_only));
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 1);
	assert_int_equal(m.by_cn, 1);
	assert_string_equal(m.ident, "*.contoso.com");
	host_match_release(&m);
	X509_free(x);

	/* Any dNSName: the CN is ignored (§6.2, [rfc6125] §6.4.4). */
	x = tc_cert(dns_and_cn, nitems(dns_and_cn));
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 0);
	assert_int_equal(m.by_cn, 0);
	assert_int_equal(m.ncovers, 1);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_DNS, "autodiscover.contoso.com");
	host_match_release(&m);
	X509_free(x);

	/* Several CNs: only the last in DER order ([openssl] tries all). */
	x = tc_cert(two_cns, nitems(two_cns));
	assert_int_equal(tc_match1(x, "mail.contoso.com"), 0);
	assert_int_equal(X509_check_host(x, "mail.contoso.com", 0,
					 X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
					 NULL),
			 1);
	assert_int_equal(tc_match(x, "other.contoso.com", &m), 1);
	assert_int_equal(m.ncovers, 1);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_CN, "other.contoso.com");
	host_match_release(&m);
	X509_free(x);

	/* The last CN of a multi-valued RDN is the most specific. */
	x = tc_cert(multi_rdn, nitems(multi_rdn));
	assert_int_equal(tc_match1(x, "mail.contoso.com"), 1);
	assert_int_equal(tc_match1(x, "other.contoso.com"), 0);
	X509_free(x);

	x = tc_cert(not_a_name, nitems(not_a_name));
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 0);
	assert_int_equal(m.ncovers, 1);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_CN, "Contoso Mail Server");
	host_match_release(&m);
	X509_free(x);

	x = tc_cert(nul_cn, nitems(nul_cn));
	assert_int_equal(tc_match(x, "www.paypal.com", &m), 0);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_CN, "www.paypal.com\0.evil.com");
	host_match_release(&m);
	X509_free(x);

	/* A BMPString CN is compared as UTF-8. */
	x = tc_cert(bmp, nitems(bmp));
	assert_int_equal(tc_match(x, "mail.com", &m), 1);
	assert_int_equal(m.by_cn, 1);
	ASSERT_IDENT(&m.covers[0], HOST_IDENT_CN, "mail.com");
	host_match_release(&m);
	X509_free(x);

	/* An undecodable CN covers nothing and is no error. */
	x = tc_cert(bad_utf8, nitems(bad_utf8));
	assert_int_equal(tc_match(x, "mail.com", &m), 0);
	assert_int_equal(m.ncovers, 0);
	host_match_release(&m);
	X509_free(x);

	/* No names at all. */
	x = tc_cert(NULL, 0);
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 0);
	assert_int_equal(m.ncovers, 0);
	assert_int_equal(m.by_cn, 0);
	host_match_release(&m);
	X509_free(x);
}

/*
 * A SAN extension that appears twice or cannot be decoded: OpenSSL
 * then behaves as if there were no SAN and falls back to the CN; we
 * cover nothing.
 */
static void
test_bad_san(void **state)
{
	static const struct tc_name names[] = {
	    TCN("mail.contoso.com"),
	    TDNS("mail.contoso.com"),
	};
	struct host_match  m;
	GENERAL_NAMES	  *gens;
	ASN1_OCTET_STRING *junk;
	X509_EXTENSION	  *ext;
	X509		  *x;

	(void)state;
	x = tc_cert(names, nitems(names));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(gens);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
					   X509V3_ADD_APPEND),
			 1);
	GENERAL_NAMES_free(gens);
	assert_int_equal(X509_check_host(x, "mail.contoso.com", 0, 0, NULL), 1);
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 0);
	assert_int_equal(m.bad_san, 1);
	assert_int_equal(m.ncovers, 0);
	host_match_release(&m);
	X509_free(x);

	x = tc_cert(names, 1);
	assert_non_null(junk = ASN1_OCTET_STRING_new());
	assert_int_equal(ASN1_OCTET_STRING_set(
			     junk, (const unsigned char *)"\x04\x01\x00", 3),
			 1);
	ext = X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name, 0, junk);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(junk);
	assert_int_equal(tc_match(x, "mail.contoso.com", &m), 0);
	assert_int_equal(m.bad_san, 1);
	host_match_release(&m);
	ERR_clear_error();
	X509_free(x);
}

/* Where OpenSSL's own answer differs from certbind(1) HOST NAME MATCHING,
 * pinned. */
static void
test_openssl_differs(void **state)
{
	static const struct tc_name partial[] = {TDNS("m*.contoso.com")};
	static const struct tc_name plain[] = {TDNS("mail.contoso.com")};
	X509			   *x;

	(void)state;
	/* Partial wildcards by default; we pass NO_PARTIAL_WILDCARDS. */
	x = tc_cert(partial, 1);
	assert_int_equal(X509_check_host(x, "mail.contoso.com", 0, 0, NULL), 1);
	assert_int_equal(tc_match1(x, "mail.contoso.com"), 0);
	X509_free(x);

	/* A trailing dot on the host is not ignored; we strip it. */
	x = tc_cert(plain, 1);
	assert_int_equal(X509_check_host(x, "mail.contoso.com.", 0,
					 X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
					 NULL),
			 0);
	assert_int_equal(tc_match1(x, "mail.contoso.com."), 1);
	X509_free(x);
}

struct parse_ok {
	const char    *in;
	enum host_kind kind;
	const char    *name;
};

static const struct parse_ok parse_ok[] = {
    {"mail.contoso.com", HOST_DNS, "mail.contoso.com"},
    {"MAIL.Contoso.COM", HOST_DNS, "mail.contoso.com"},
    {"mail.contoso.com.", HOST_DNS, "mail.contoso.com"},
    {"localhost", HOST_DNS, "localhost"},
    {"a", HOST_DNS, "a"},
    {"A.", HOST_DNS, "a"},
    {"xn--bcher-kva.example", HOST_DNS, "xn--bcher-kva.example"},
    {"XN--BCHER-KVA.EXAMPLE", HOST_DNS, "xn--bcher-kva.example"},
    {"a-b.c--d.e", HOST_DNS, "a-b.c--d.e"},
    {"1.contoso.com", HOST_DNS, "1.contoso.com"},
    {"123.456.com", HOST_DNS, "123.456.com"},
    {"contoso.com123", HOST_DNS, "contoso.com123"},
    {"1a", HOST_DNS, "1a"},
    {L63 ".com", HOST_DNS, L63 ".com"},
    {N253, HOST_DNS, N253},
    {N253 ".", HOST_DNS, N253},
    {"192.0.2.10", HOST_IPV4, "192.0.2.10"},
    {"192.0.2.10.", HOST_IPV4, "192.0.2.10"},
    {"0.0.0.0", HOST_IPV4, "0.0.0.0"},
    {"255.255.255.255", HOST_IPV4, "255.255.255.255"},
    {"10.0.0.1", HOST_IPV4, "10.0.0.1"},
    {"2001:db8::1", HOST_IPV6, "2001:db8::1"},
    {"[2001:DB8::1]", HOST_IPV6, "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", HOST_IPV6, "2001:db8::1"},
    {"::1", HOST_IPV6, "::1"},
    {"[::]", HOST_IPV6, "::"},
    {"::ffff:192.0.2.10", HOST_IPV6, "::ffff:192.0.2.10"},
    {"[::ffff:C000:020A]", HOST_IPV6, "::ffff:192.0.2.10"},
};

static void
test_parse_valid(void **state)
{
	struct host h;
	const char *why;
	size_t	    i;

	(void)state;
	for (i = 0; i < nitems(parse_ok); i++) {
		why = NULL;
		if (host_parse_fqdn(parse_ok[i].in, strlen(parse_ok[i].in), &h,
				    &why) != 0)
			fail_msg("%s: %s", parse_ok[i].in, why);
		assert_int_equal(h.kind, parse_ok[i].kind);
		assert_string_equal(h.name, parse_ok[i].name);
		assert_int_equal(h.namelen, strlen(parse_ok[i].name));
		assert_int_equal(h.addrlen, h.kind == HOST_IPV4	  ? 4
					    : h.kind == HOST_IPV6 ? 16
								  : 0);
	}
	/* Not NUL-terminated input; why may be NULL. */
	assert_int_equal(host_parse_fqdn("mail.contoso.comXYZ", 16, &h, NULL),
			 0);
	assert_string_equal(h.name, "mail.contoso.com");
	assert_int_equal(host_parse_fqdn("192.0.2.10", 10, &h, NULL), 0);
	assert_memory_equal(h.addr, "\xc0\x00\x02\x0a", 4);
}

struct parse_bad {
	const char *in;
	size_t	    len;
	const char *why;
};

#define B(s, w)                                                                \
	{                                                                      \
		(s), sizeof(s) - 1, (w)                                        \
	}

static const struct parse_bad parse_bad[] = {
    B("", "empty host name"),
    B(".", "empty host name"),
    B("..", "empty label"),
    B(".contoso.com", "empty label"),
    B("mail..contoso.com", "empty label"),
    B("mail.contoso.com..", "empty label"),
    B("mail\0.contoso.com", "NUL"),
    B("mail.contoso.com\0", "NUL"),
    B("\0", "NUL"),
    B("b\xc3\xbc"
      "cher.example",
      "A-label (xn--"),
    B("mail.contoso.com\xe2\x80\x8e", "non-ASCII"),
    B("\xef\xbb\xbfmail.contoso.com", "non-ASCII"),
    B("mail\xe3\x80\x82"
      "contoso.com",
      "non-ASCII"),
    B("_dmarc.contoso.com", "underscore"),
    B("mail_1.contoso.com", "underscore"),
    B("mail contoso.com", "white space"),
    B(" mail.contoso.com", "white space"),
    B("mail.contoso.com\n", "white space"),
    B("mail.contoso.com\t", "white space"),
    B("mail.contoso.com\x01", "control character"),
    B("mail.contoso.com\x7f", "control character"),
    B("*.contoso.com", "wildcard"),
    B("*", "wildcard"),
    B("mail.contoso.com:25", "port"),
    B("https://mail.contoso.com", "URL"),
    B("mail.contoso.com/", "URL"),
    B("user@mail.contoso.com", "URL"),
    B("-mail.contoso.com", "begins with a hyphen"),
    B("mail.-contoso.com", "begins with a hyphen"),
    B("mail-.contoso.com", "ends with a hyphen"),
    B("mail.contoso.com-", "ends with a hyphen"),
    B("-", "begins with a hyphen"),
    B(L63 "x.com", "longer than 63"),
    B(N253 "x", "longer than 253"),
    B("x" N253 ".", "longer than 253"),
    B("mail.contoso.123", "not an IPv4"),
    B("1.2.3", "not an IPv4"),
    B("1.2.3.4.5", "not an IPv4"),
    B("0x7f.0.0.1", "not an IPv4"),
    B("2130706433", "not an IPv4"),
    B("192.0.2.256", "0 to 255"),
    B("999.0.0.1", "0 to 255"),
    B("192.0.02.10", "leading zero"),
    B("010.0.0.1", "leading zero"),
    B("2001:db8::1%eth0", "zone"),
    B("[fe80::1%25eth0]", "zone"),
    B("[2001:db8::1", "unbalanced"),
    B("2001:db8::1]", "unbalanced"),
    B("[2001:db8::1]:25", "port"),
    B("[", "unbalanced"),
    B("]", "unbalanced"),
    B("[]", "invalid IPv6"),
    B("[mail.contoso.com]", "invalid IPv6"),
    B("[192.0.2.10]", "invalid IPv6"),
    B("2001:db8:::1", "invalid IPv6"),
    B("2001:db8::g", "invalid IPv6"),
    B("1:2:3:4:5:6:7:8:9", "invalid IPv6"),
    B("mail.contoso.com,", "invalid character"),
    B("mail;contoso.com", "invalid character"),
    B("\"mail.contoso.com\"", "invalid character"),
    B("mail.contoso.com!", "invalid character"),
};

static void
test_parse_invalid(void **state)
{
	struct host h;
	const char *why;
	size_t	    i;
	int	    bad = 0;
	char	   *esc;

	(void)state;
	for (i = 0; i < nitems(parse_bad); i++) {
		why = NULL;
		if (host_parse_fqdn(parse_bad[i].in, parse_bad[i].len, &h,
				    &why) == 0 ||
		    why == NULL || strstr(why, parse_bad[i].why) == NULL) {
			esc = safe_escape(parse_bad[i].in, parse_bad[i].len,
					  NULL);
			print_error("# parse \"%s\": why \"%s\", want \"%s\"\n",
				    esc != NULL ? esc : "?",
				    why != NULL ? why : "", parse_bad[i].why);
			free(esc);
			bad++;
		}
	}
	assert_int_equal(host_parse_fqdn("a_b", 3, &h, NULL), -1);
	assert_int_equal(bad, 0);
}

static void
test_release_zeroed(void **state)
{
	struct host_match m;

	(void)state;
	memset(&m, 0, sizeof(m));
	host_match_release(&m);
	host_match_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),
	    cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_match_matrix),
	    cmocka_unit_test(test_match_rows),
	    cmocka_unit_test(test_match_ip),
	    cmocka_unit_test(test_covers_order),
	    cmocka_unit_test(test_near_miss),
	    cmocka_unit_test(test_cn_fallback),
	    cmocka_unit_test(test_bad_san),
	    cmocka_unit_test(test_openssl_differs),
	    cmocka_unit_test(test_release_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
