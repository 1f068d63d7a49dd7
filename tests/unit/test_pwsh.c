/*
 * test_pwsh: the PowerShell script writer (certbind(1) OUTPUT, "The
 * PowerShell script").  Every expected string is written by hand from
 * PowerShell's rule for single-quoted strings: inside '...', one of the
 * five single quotes (' U+2018 U+2019 U+201A U+201B) followed by another
 * is one literal quote, the second; nothing else is special.  The
 * parser's view is checked apart, by tests/cli/t0095-powershell.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pwsh.h"

/* U+2018-U+201B in UTF-8. */
#define LQ  "\xe2\x80\x98"
#define RQ  "\xe2\x80\x99"
#define LQ9 "\xe2\x80\x9a"
#define RQ9 "\xe2\x80\x9b"

/* pwsh_quote(s) into a new string; *rc its return value. */
static char *
quote(const char *s, int *rc)
{
	char  *buf = NULL;
	size_t len = 0;
	FILE  *fp;

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	*rc = pwsh_quote(fp, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void
quoted(const char *s, const char *want)
{
	int   rc;
	char *got = quote(s, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static void
refused(const char *s, long want_cp)
{
	int   rc;
	long  cp = 0;
	char *got = quote(s, &rc);

	assert_int_equal(rc, -1);
	/* Nothing at all, not even the opening quote. */
	assert_string_equal(got, "");
	free(got);
	assert_int_equal(pwsh_refused(s, &cp), 1);
	assert_int_equal(cp, want_cp);
}

static void
test_quote_plain(void **state)
{
	/* Nothing to double: the value between two quotes. */
	quoted("mail.contoso.com", "'mail.contoso.com'");
	/* The empty string is two quotes. */
	quoted("", "''");
	/* Backslashes are not escapes in PowerShell: as they are. */
	quoted("EX1\\Client Frontend EX1", "'EX1\\Client Frontend EX1'");
}

static void
test_quote_quotes(void **state)
{
	/* ' doubled. */
	quoted("O'Brien", "'O''Brien'");
	/* A value of one quote: opening, the quote twice, closing. */
	quoted("'", "''''");
	/* Each of U+2018-U+201B doubled as itself, not turned into '. */
	quoted("a" LQ "b", "'a" LQ LQ "b'");
	quoted("a" RQ "b", "'a" RQ RQ "b'");
	quoted("a" LQ9 "b", "'a" LQ9 LQ9 "b'");
	quoted("a" RQ9 "b", "'a" RQ9 RQ9 "b'");
	/* Mixed neighbours: each doubled on its own, order kept. */
	quoted(LQ "'", "'" LQ LQ "'''");
	quoted("''" RQ, "'''''" RQ RQ "'");
	/* A quote last: doubled, then the closing quote. */
	quoted("x" RQ9, "'x" RQ9 RQ9 "'");
}

static void
test_quote_literal(void **state)
{
	/*
	 * What a double-quoted string would expand or a bare argument end
	 * on is literal in a single-quoted one: written as it is.
	 */
	quoted("$(Remove-Item x) $env:x ${x} @(1)",
	       "'$(Remove-Item x) $env:x ${x} @(1)'");
	quoted("`n `$ \"q\" ; | & # <x>", "'`n `$ \"q\" ; | & # <x>'");
	/* A trailing backtick does not escape the closing quote. */
	quoted("trail`", "'trail`'");
	/* Non-ASCII (é, 中文, an emoji) as its UTF-8 bytes. */
	quoted("\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80",
	       "'\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80'");
	/*
	 * Neighbours of the refused ranges are fine: NBSP U+00A0, U+2027,
	 * U+202F, U+2065, U+206A, and U+2017 and U+201C next to the quotes
	 * (not quotes: not doubled).
	 */
	quoted("\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"
	       "\xe2\x80\x97\xe2\x80\x9c",
	       "'\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"
	       "\xe2\x80\x97\xe2\x80\x9c'");
}

static void
test_quote_refused(void **state)
{
	/* C0: TAB, newline, CR, ESC; U+001F the last of them. */
	refused("a\tb", 0x09);
	refused("a\nb", 0x0a);
	refused("a\rb", 0x0d);
	refused("\x1b[31m", 0x1b);
	refused("\x1f", 0x1f);
	/* DEL, then C1: U+0080, NEL U+0085, U+009F. */
	refused("\x7f", 0x7f);
	refused("\xc2\x80", 0x80);
	refused("a\xc2\x85", 0x85);
	refused("\xc2\x9f", 0x9f);
	/* Line and paragraph separators. */
	refused("\xe2\x80\xa8", 0x2028);
	refused("\xe2\x80\xa9", 0x2029);
	/* Bidirectional overrides and isolates. */
	refused("\xe2\x80\xaa", 0x202a);
	refused("x\xe2\x80\xae", 0x202e);
	refused("\xe2\x81\xa6", 0x2066);
	refused("\xe2\x81\xa9", 0x2069);
	/* Not UTF-8: a stray byte, an overlong '/', a surrogate, a cut
	 * sequence. */
	refused("\xff", -1);
	refused("\xc0\xaf", -1);
	refused("\xed\xa0\x80", -1);
	refused("ok\xe2\x80", -1);
	/* The first refused character is the one named. */
	refused("a\xc2\x85\tb", 0x85);
}

/* pwsh_script into a new string; *rc its return value. */
static char *
script(const struct pwsh_set *v, size_t n, struct pwsh_bad *bad, int *rc)
{
	char  *buf = NULL;
	size_t len = 0;
	FILE  *fp;

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	*rc = pwsh_script(fp, "certbind test", v, n, bad);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

#define HEADER                                                                 \
	"# Exchange Management Shell commands written by certbind test\n"      \
	"# (certbind(1)): run them on the Exchange server.\n"
#define FL_RECV                                                                \
	" | Format-List "                                                      \
	"Name,Fqdn,TlsCertificateName,AdvertiseClientSettings\n"
#define FL_SEND " | Format-List Name,Fqdn,TlsCertificateName\n"
#define FL_CERT                                                                \
	" | Format-List "                                                      \
	"Thumbprint,Issuer,Subject,CertificateDomains,Services\n"
#define ENABLE                                                                 \
	"# The certificate a TlsCertificateName names must be on the server "  \
	"and\n# enabled for SMTP:\n"

static void
test_script(void **state)
{
	/*
	 * bind's kind of list: one receive connector given everything, a
	 * send connector (AdvertiseClientSettings is not its parameter, so
	 * left out although given), one only advertising, one given
	 * nothing (no Set line, still checked), the same certificate twice
	 * in different case (one Get-ExchangeCertificate), an empty Fqdn
	 * ($null).
	 */
	const struct pwsh_set v[] = {
	    {0, "EX1\\A'1", "mail.contoso.com", "<I>CN=CA<S>CN=mail", 1,
	     "ABCDEF0123"},
	    {1, "Out " RQ, "", "<I>CN=CA<S>CN=mail", 1, "abcdef0123"},
	    {0, "EX1\\B", NULL, NULL, 0, NULL},
	    {0, "EX1\\C", NULL, NULL, -1, NULL},
	};
	struct pwsh_bad bad;
	int		rc;
	char	       *got = script(v, 4, &bad, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(
	    got, HEADER
	    "Set-ReceiveConnector -Identity 'EX1\\A''1' -Fqdn "
	    "'mail.contoso.com'"
	    " -TlsCertificateName '<I>CN=CA<S>CN=mail' -AdvertiseClientSettings"
	    " $true\n"
	    "Set-SendConnector -Identity 'Out " RQ RQ "' -Fqdn $null"
	    " -TlsCertificateName '<I>CN=CA<S>CN=mail'\n"
	    "Set-ReceiveConnector -Identity 'EX1\\B' -AdvertiseClientSettings"
	    " $false\n"
	    "\n# Check the result:\n"
	    "Get-ReceiveConnector -Identity 'EX1\\A''1'" FL_RECV
	    "Get-SendConnector -Identity 'Out " RQ RQ "'" FL_SEND
	    "Get-ReceiveConnector -Identity 'EX1\\B'" FL_RECV
	    "Get-ReceiveConnector -Identity 'EX1\\C'" FL_RECV "\n" ENABLE
	    "#   Enable-ExchangeCertificate -Thumbprint 'ABCDEF0123' -Services"
	    " SMTP\n"
	    "Get-ExchangeCertificate -Thumbprint 'ABCDEF0123'" FL_CERT);
	assert_null(bad.field);
	free(got);
}

static void
test_script_write_error(void **state)
{
	/* /dev/full takes nothing: -1, and no value is blamed. */
	const struct pwsh_set v[] = {
	    {0, "A", "mail.contoso.com", NULL, 1, NULL}};
	struct pwsh_bad bad;
	FILE	       *fp = fopen("/dev/full", "w");

	if (fp == NULL)
		skip();
	assert_int_equal(pwsh_script(fp, "certbind test", v, 1, &bad), -1);
	assert_null(bad.field);
	fclose(fp);
}

static void
test_script_no_thumbprint(void **state)
{
	/* connectors' kind: no certificate known, the comment says how. */
	const struct pwsh_set v[] = {{0, "X", NULL, "", -1, NULL}};
	struct pwsh_bad	      bad;
	int		      rc;
	char		     *got = script(v, 1, &bad, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(
	    got,
	    HEADER "Set-ReceiveConnector -Identity 'X' -TlsCertificateName"
		   " $null\n"
		   "\n# Check the result:\n"
		   "Get-ReceiveConnector -Identity 'X'" FL_RECV "\n" ENABLE
		   "#   Enable-ExchangeCertificate -Thumbprint <thumbprint>"
		   " -Services SMTP\n");
	free(got);
}

static void
test_script_empty(void **state)
{
	/* bind or renew changing nothing: the header and one comment. */
	struct pwsh_bad bad;
	int		rc;
	char	       *got = script(NULL, 0, &bad, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(got, HEADER "# Nothing to change: the connectors "
					"already have these values.\n");
	assert_null(bad.field);
	free(got);
}

static void
test_script_refused(void **state)
{
	/* A bad value in the last connector: nothing written at all. */
	const struct pwsh_set v[] = {
	    {0, "A", "mail.contoso.com", NULL, -1, NULL},
	    {0, "B", "mail.contoso.com", "<I>x\xc2\x85<S>y", -1, NULL},
	};
	const struct pwsh_set w[] = {{0, "A", NULL, NULL, -1, "AB\tCD"}};
	const struct pwsh_set x[] = {{0, "A\xff", NULL, NULL, -1, NULL}};
	struct pwsh_bad	      bad;
	int		      rc;
	char		     *got;

	got = script(v, 2, &bad, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	assert_int_equal(bad.index, 1);
	assert_string_equal(bad.field, "TlsCertificateName");
	assert_int_equal(bad.cp, 0x85);
	free(got);

	got = script(w, 1, &bad, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	assert_string_equal(bad.field, "Thumbprint");
	assert_int_equal(bad.cp, 0x09);
	free(got);

	got = script(x, 1, &bad, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	assert_int_equal(bad.index, 0);
	assert_string_equal(bad.field, "Identity");
	assert_int_equal(bad.cp, -1);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote_plain),
	    cmocka_unit_test(test_quote_quotes),
	    cmocka_unit_test(test_quote_literal),
	    cmocka_unit_test(test_quote_refused),
	    cmocka_unit_test(test_script),
	    cmocka_unit_test(test_script_no_thumbprint),
	    cmocka_unit_test(test_script_empty),
	    cmocka_unit_test(test_script_refused),
	    cmocka_unit_test(test_script_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
