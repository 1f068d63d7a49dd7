/*
 * test_thumb: thumbprints as typed and pasted (certbind(1) THUMBPRINTS).  A
 * table of inputs with the digits or the error each must give, and openssl's
 * own fingerprint output checked against a digest of the DER.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "thumb.h"

#define S1   "A90B3A2E1F4C5D6E7F8091A2B3C4D5E6F7081920"
#define S1L  "a90b3a2e1f4c5d6e7f8091a2b3c4d5e6f7081920"
#define S1SP "a9 0b 3a 2e 1f 4c 5d 6e 7f 80 91 a2 b3 c4 d5 e6 f7 08 19 20"
#define S1CO "A9:0B:3A:2E:1F:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:20"
#define S2   "96BCEC06264976F37460779ACF28C5A7CFE8A3C0AAE11A8FFCEE05C0BDDF08C6"
#define S2CO                                                                   \
	"96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:"   \
	"1A:8F:FC:EE:05:C0:BD:DF:08:C6"
#define LRM  "\xE2\x80\x8E"
#define RLM  "\xE2\x80\x8F"
#define BOM  "\xEF\xBB\xBF"
#define NBSP "\xC2\xA0"
#define RLO  "\xE2\x80\xAE"

struct row {
	const char *in;
	size_t	    len; /* 0: strlen(in) */
	const char *hex; /* expected digits, or NULL for an error */
	int	    kind;
	size_t	    removed;
	const char *expect; /* removed_desc, or a substring of the error */
};

static const struct row rows[] = {
    /* plain forms */
    {S1, 0, S1, THUMB_SHA1, 0, ""},
    {S1L, 0, S1, THUMB_SHA1, 0, ""},
    {S1SP, 0, S1, THUMB_SHA1, 0, ""},
    {S1CO, 0, S1, THUMB_SHA1, 0, ""},
    {"a9-0b-3a-2e-1f-4c-5d-6e-7f-80-91-a2-b3-c4-d5-e6-f7-08-19-20", 0, S1,
     THUMB_SHA1, 0, ""},
    {"a90b3a2e\t1f4c5d6e\t7f8091a2\tb3c4d5e6\tf7081920", 0, S1, THUMB_SHA1, 0,
     ""},
    {"  " S1 "  ", 0, S1, THUMB_SHA1, 0, ""},
    {S1 "\n", 0, S1, THUMB_SHA1, 0, ""},
    {S1 "\r\n", 0, S1, THUMB_SHA1, 0, ""},
    {"\n" S1 "\n\n", 0, S1, THUMB_SHA1, 0, ""},
    {"A9 : 0B - 3A2E1F4C5D6E7F8091A2B3C4D5E6F7081920", 0, S1, THUMB_SHA1, 0,
     ""},
    {"aB:Cd", 0, NULL, 0, 0, "too short: 4 hex digits"},
    {S2, 0, S2, THUMB_SHA256, 0, ""},
    {S2CO, 0, S2, THUMB_SHA256, 0, ""},
    {"96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6", 0, S2,
     THUMB_SHA256, 0, ""},
    /* prefixes */
    {"a90b3a2e", 0, "A90B3A2E", THUMB_PREFIX, 0, ""},
    {"a9:0b:3a:2e:1f", 0, "A90B3A2E1F", THUMB_PREFIX, 0, ""},
    {"A90B3A2E1F4C5D6E7F8091A2B3C4D5E6F708192", 0,
     "A90B3A2E1F4C5D6E7F8091A2B3C4D5E6F708192", THUMB_PREFIX, 0, ""},
    {S1 "0", 0, S1 "0", THUMB_PREFIX, 0, ""},
    {"96BCEC06264976F37460779ACF28C5A7CFE8A3C0AAE11A8FFCEE05C0BDDF08C", 0,
     "96BCEC06264976F37460779ACF28C5A7CFE8A3C0AAE11A8FFCEE05C0BDDF08C",
     THUMB_PREFIX, 0, ""},
    {"a90b3a2", 0, NULL, 0, 0, "too short: 7 hex digits, at least 8"},
    {S2 "0", 0, NULL, 0, 0, "too long: 65 hex digits, at most 64"},
    {S2 S2, 0, NULL, 0, 0, "too long: 128 hex digits"},
    /* openssl's labels */
    {"sha1 Fingerprint=" S1CO, 0, S1, THUMB_SHA1, 0, ""},
    {"SHA1 Fingerprint=" S1CO "\n", 0, S1, THUMB_SHA1, 0, ""},
    {"SHA1 FINGERPRINT=" S1L, 0, S1, THUMB_SHA1, 0, ""},
    {"  sha1 fingerprint=" S1, 0, S1, THUMB_SHA1, 0, ""},
    {"sha256 Fingerprint=" S2CO, 0, S2, THUMB_SHA256, 0, ""},
    {"SHA256 Fingerprint=" S2CO "\n", 0, S2, THUMB_SHA256, 0, ""},
    {"sha1 Fingerprint=" S2CO, 0, NULL, 0, 0,
     "SHA1 fingerprint with 64 hex digits, 40 expected"},
    {"sha256 Fingerprint=" S1CO, 0, NULL, 0, 0,
     "SHA256 fingerprint with 40 hex digits, 64 expected"},
    {"sha1 Fingerprint=A90B3A2E", 0, NULL, 0, 0,
     "SHA1 fingerprint with 8 hex digits, 40 expected"},
    {"sha1 Fingerprint=", 0, NULL, 0, 0, "no hex digits after"},
    {"sha1 Thumbprint=" S1, 0, NULL, 0, 0,
     "'s' at position 1 is not a hex digit"},
    {"sha1Fingerprint=" S1, 0, NULL, 0, 0,
     "'s' at position 1 is not a hex digit"},
    {"md5 Fingerprint=" S1, 0, NULL, 0, 0,
     "'m' at position 1 is not a hex digit"},
    {S1 " sha1 Fingerprint=", 0, NULL, 0, 0,
     "'s' at position 42 is not a hex digit"},
    /* pasted from Windows dialogs */
    {LRM S1SP, 0, S1, THUMB_SHA1, 1, "19 spaces, 1 U+200E LEFT-TO-RIGHT MARK"},
    {LRM "a9 0b 3a 2e 1f 4c 5d 6e 7f 80 91 a2 b3 c4 d5 e6 f7 08 19 20" RLM, 0,
     S1, THUMB_SHA1, 2,
     "19 spaces, 1 U+200E LEFT-TO-RIGHT MARK, 1 U+200F RIGHT-TO-LEFT MARK"},
    {RLM S1, 0, S1, THUMB_SHA1, 1, "1 U+200F RIGHT-TO-LEFT MARK"},
    {BOM S1, 0, S1, THUMB_SHA1, 1, "1 U+FEFF ZERO WIDTH NO-BREAK SPACE"},
    {"a9" NBSP "0b" NBSP "3a2e1f4c5d6e7f8091a2b3c4d5e6f7081920", 0, S1,
     THUMB_SHA1, 2, "2 U+00A0 NO-BREAK SPACE"},
    {"\xE2\x80\xAA" S1 "\xE2\x80\xAC", 0, S1, THUMB_SHA1, 2,
     "1 U+202A LEFT-TO-RIGHT EMBEDDING, 1 U+202C POP DIRECTIONAL FORMATTING"},
    {"\xE2\x80\xAB" S1, 0, S1, THUMB_SHA1, 1,
     "1 U+202B RIGHT-TO-LEFT EMBEDDING"},
    {"\xE2\x80\xAD" S1, 0, S1, THUMB_SHA1, 1,
     "1 U+202D LEFT-TO-RIGHT OVERRIDE"},
    {"a90b" RLO "3a2e1f4c5d6e7f8091a2b3c4d5e6f7081920", 0, S1, THUMB_SHA1, 1,
     "1 U+202E RIGHT-TO-LEFT OVERRIDE"},
    {"?" S1SP, 0, S1, THUMB_SHA1, 1, "19 spaces, 1 '?'"},
    {"?" S1 "?", 0, S1, THUMB_SHA1, 2, "2 '?'"},
    {"\t" BOM " " S1 " " LRM " " BOM, 0, S1, THUMB_SHA1, 3,
     "3 spaces, 1 tab, 1 U+200E LEFT-TO-RIGHT MARK, 2 U+FEFF ZERO WIDTH "
     "NO-BREAK SPACE"},
    {S1SP, 0, S1, THUMB_SHA1, 0, ""},
    {LRM "sha1 Fingerprint=" S1CO, 0, S1, THUMB_SHA1, 1,
     "1 U+200E LEFT-TO-RIGHT MARK"},
    {"?sha256 Fingerprint=" S2, 0, S2, THUMB_SHA256, 1, "1 '?'"},
    {LRM, 0, NULL, 0, 0, "empty thumbprint"},
    /* not hex, not text */
    {"", 0, NULL, 0, 0, "empty thumbprint"},
    {"   \t\n", 0, NULL, 0, 0, "empty thumbprint"},
    {"a90bg3a2e1f4", 0, NULL, 0, 0, "'g' at position 5 is not a hex digit"},
    {"0xa90b3a2e", 0, NULL, 0, 0, "'x' at position 2 is not a hex digit"},
    {"a90b3a2e,1f4c", 0, NULL, 0, 0, "',' at position 9 is not a hex digit"},
    {"a90b\xC3\xA9"
     "3a2e",
     0, NULL, 0, 0, "U+00E9 at position 5 is not a hex digit"},
    {LRM "a90b\xC3\xA9"
	 "3a2e",
     0, NULL, 0, 0, "U+00E9 at position 6 is not a hex digit"},
    {"a90b\x1b[31m3a2e", 0, NULL, 0, 0,
     "U+001B at position 5 is not a hex digit"},
    {"a90b\x7f"
     "3a2e",
     0, NULL, 0, 0, "U+007F at position 5 is not a hex digit"},
    {"a90b\xff"
     "3a2e1f4c",
     0, NULL, 0, 0, "byte 0xFF at position 5 is not valid UTF-8"},
    {"a90b\xE2\x80"
     "3a2e1f4c",
     0, NULL, 0, 0, "byte 0xE2 at position 5 is not valid UTF-8"},
    {"a90b\xC0\xBA"
     "3a2e1f4c",
     0, NULL, 0, 0, "byte 0xC0 at position 5 is not valid UTF-8"},
    {"a90b\xED\xA0\x80"
     "3a2e1f4c",
     0, NULL, 0, 0, "byte 0xED at position 5 is not valid UTF-8"},
    {"a90b3a2e\0"
     "1f4c",
     9 + 5, NULL, 0, 0, "U+0000 at position 9 is not a hex digit"},
    {"\xEF\xBC\xA1"
     "90b3a2e1f",
     0, NULL, 0, 0, "U+FF21 at position 1 is not a hex digit"},
    {"\xE2\x81\xA6"
     "a90b3a2e1f",
     0, NULL, 0, 0, "U+2066 at position 1 is not a hex digit"},
    /* separators only between digits; one line only */
    {":a90b3a2e", 0, NULL, 0, 0, "':' at position 1 is not between hex digits"},
    {"a90b3a2e-", 0, NULL, 0, 0, "'-' at position 9 is not between hex digits"},
    {"a90b3a2e: \n", 0, NULL, 0, 0,
     "':' at position 9 is not between hex digits"},
    {"sha1 Fingerprint=:" S1, 0, NULL, 0, 0,
     "':' at position 18 is not between hex digits"},
    {"a90b3a2e\n1f4c5d6e", 0, NULL, 0, 0,
     "line break at position 9 inside the thumbprint"},
    {S1 "\n" S1 "\n", 0, NULL, 0, 0, "line break at position 41"},
    {"a90b3a2e\r1f4c5d6e", 0, NULL, 0, 0, "line break at position 9"},
};

static void
test_table(void **state)
{
	const struct row *r;
	struct thumb	  t;
	const char	 *why;
	size_t		  i, len;
	int		  rc, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = &rows[i];
		len = r->len != 0 ? r->len : strlen(r->in);
		why = "(unset)";
		rc = thumb_parse(r->in, len, &t, &why);
		if (r->hex != NULL) {
			if (rc != 0 || strcmp(t.hex, r->hex) != 0 ||
			    t.len != strlen(r->hex) || t.kind != r->kind ||
			    t.removed != r->removed ||
			    strcmp(t.removed_desc, r->expect) != 0) {
				print_message("# row %zu: rc %d hex %s kind %d "
					      "removed %zu '%s' (%s)\n",
					      i, rc, t.hex, t.kind, t.removed,
					      t.removed_desc,
					      rc != 0 ? why : "");
				bad++;
			}
		} else if (rc != -1 || why == NULL ||
			   strstr(why, r->expect) == NULL || t.len != 0) {
			print_message("# row %zu: rc %d why '%s', want '%s'\n",
				      i, rc, rc != 0 ? why : t.hex, r->expect);
			bad++;
		}
	}
	assert_true(i >= 50);
	assert_int_equal(bad, 0);
}

/* why may be NULL; the struct is cleared on failure. */
static void
test_null_why(void **state)
{
	struct thumb t;

	(void)state;
	memset(&t, 'x', sizeof(t));
	assert_int_equal(thumb_parse("zz", 2, &t, NULL), -1);
	assert_int_equal(t.len, 0);
	assert_int_equal(t.hex[0], '\0');
}

/* Error messages never carry a raw control byte to the terminal. */
static void
test_messages_safe(void **state)
{
	char	     in[12];
	struct thumb t;
	const char  *why, *c;
	int	     b;

	(void)state;
	for (b = 0; b < 256; b++) {
		memcpy(in, "a90b3a2e1f4", 11);
		in[4] = (char)b;
		if (thumb_parse(in, 11, &t, &why) == 0)
			continue;
		for (c = why; *c != '\0'; c++)
			assert_true(*c >= 0x20 && *c < 0x7f);
	}
}

static void
hex_of(const unsigned char *md, unsigned int n, char *hex)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
}

/*
 * openssl x509 -fingerprint as an oracle: its line, parsed, must give
 * the digest of the DER computed here.
 */
static void
check_openssl(const char *file, const char *alg, const EVP_MD *md, int kind)
{
	char	      cmd[512], line[512], hex[129];
	unsigned char dgst[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int  dlen;
	FILE	     *fp, *p;
	X509	     *x;
	struct thumb  t;
	const char   *why = NULL;
	int	      derlen;

	if ((fp = fopen(file, "r")) == NULL) {
		print_message("# %s missing, skipped\n", file);
		skip();
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	derlen = i2d_X509(x, &der);
	assert_true(derlen > 0);
	assert_int_equal(EVP_Digest(der, (size_t)derlen, dgst, &dlen, md, NULL),
			 1);
	hex_of(dgst, dlen, hex);
	OPENSSL_free(der);
	X509_free(x);

	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -fingerprint -%s -noout -in '%s'", alg, file);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	assert_int_equal(thumb_parse(line, strlen(line), &t, &why), 0);
	assert_int_equal(t.kind, kind);
	assert_int_equal(t.removed, 0);
	assert_string_equal(t.hex, hex);
}

#define ISRG "/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt"

static void
test_openssl_sha1(void **state)
{
	(void)state;
	check_openssl(ISRG, "sha1", EVP_sha1(), THUMB_SHA1);
}

static void
test_openssl_sha256(void **state)
{
	(void)state;
	check_openssl(ISRG, "sha256", EVP_sha256(), THUMB_SHA256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_null_why),
	    cmocka_unit_test(test_messages_safe),
	    cmocka_unit_test(test_openssl_sha1),
	    cmocka_unit_test(test_openssl_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
