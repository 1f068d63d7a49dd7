/*
 * pwsh: the Exchange Management Shell script of --format powershell
 * (certbind(1) OUTPUT, "The PowerShell script").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pwsh.h"
#include "safe.h"

int
pwsh_refused(const char *s, long *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     i = 0, len = strlen(s), n;
	unsigned long	     c;

	while (i < len) {
		if ((n = safe_utf8_next(p + i, len - i, &c)) == 0) {
			*cp = -1;
			return 1;
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
		    (c >= 0x2028 && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069)) {
			*cp = (long)c;
			return 1;
		}
		i += n;
	}
	return 0;
}

/* PowerShell's single quotes: ' and U+2018-U+201B. */
static int
is_quote(unsigned long c)
{
	return c == '\'' || (c >= 0x2018 && c <= 0x201b);
}

int
pwsh_quote(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     i = 0, len = strlen(s), n;
	unsigned long	     c;
	long		     cp;

	if (pwsh_refused(s, &cp))
		return -1;
	if (putc('\'', fp) == EOF)
		return -1;
	while (i < len) {
		/* Valid: pwsh_refused walked the same bytes. */
		n = safe_utf8_next(p + i, len - i, &c);
		/*
		 * Inside '...' PowerShell reads any of its five quotes
		 * followed by another as one literal quote, the second.
		 */
		if (is_quote(c) && fwrite(p + i, 1, n, fp) != n)
			return -1;
		if (fwrite(p + i, 1, n, fp) != n)
			return -1;
		i += n;
	}
	if (putc('\'', fp) == EOF)
		return -1;
	return 0;
}

/* The first refused value of v[0..n) in *bad: returns 1, else 0. */
static int
find_refused(const struct pwsh_set *v, size_t n, struct pwsh_bad *bad)
{
	size_t	    i, k;
	const char *val[4], *field[4] = {"Identity", "Fqdn",
					 "TlsCertificateName", "Thumbprint"};

	for (i = 0; i < n; i++) {
		val[0] = v[i].identity;
		val[1] = v[i].fqdn;
		val[2] = v[i].tls_name;
		val[3] = v[i].thumbprint;
		for (k = 0; k < 4; k++) {
			if (val[k] == NULL || !pwsh_refused(val[k], &bad->cp))
				continue;
			bad->index = i;
			bad->field = field[k];
			return 1;
		}
	}
	return 0;
}

/*
 * " -NAME 'value'", or " -NAME $null" for an empty value: an empty
 * string is no Fqdn or certificate name to Exchange, $null clears one.
 */
static void
param(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, " -%s ", name);
	if (*value == '\0')
		fputs("$null", fp);
	else
		pwsh_quote(fp, value);
}

static void
set_line(FILE *fp, const struct pwsh_set *s)
{
	int advertise = !s->send && s->advertise != -1;

	if (s->fqdn == NULL && s->tls_name == NULL && !advertise)
		return;
	fputs(s->send ? "Set-SendConnector" : "Set-ReceiveConnector", fp);
	fputs(" -Identity ", fp);
	pwsh_quote(fp, s->identity);
	if (s->fqdn != NULL)
		param(fp, "Fqdn", s->fqdn);
	if (s->tls_name != NULL)
		param(fp, "TlsCertificateName", s->tls_name);
	if (advertise)
		fprintf(fp, " -AdvertiseClientSettings %s",
			s->advertise ? "$true" : "$false");
	putc('\n', fp);
}

static void
get_line(FILE *fp, const struct pwsh_set *s)
{
	fputs(s->send ? "Get-SendConnector" : "Get-ReceiveConnector", fp);
	fputs(" -Identity ", fp);
	pwsh_quote(fp, s->identity);
	fputs(s->send
		  ? " | Format-List Name,Fqdn,TlsCertificateName\n"
		  : " | Format-List "
		    "Name,Fqdn,TlsCertificateName,AdvertiseClientSettings\n",
	      fp);
}

int
pwsh_script(FILE *fp, const char *by, const struct pwsh_set *v, size_t n,
	    struct pwsh_bad *bad)
{
	const char **seen = NULL;
	size_t	     i, k, nseen = 0;
	long	     cp;
	int	     rc = -1;

	bad->field = NULL;
	if (pwsh_refused(by, &cp)) {
		bad->index = 0;
		bad->field = "header";
		bad->cp = cp;
		errno = EINVAL;
		return -1;
	}
	if (find_refused(v, n, bad)) {
		errno = EINVAL;
		return -1;
	}
	if (n > 0 && (seen = calloc(n, sizeof(*seen))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i].thumbprint == NULL)
			continue;
		for (k = 0; k < nseen; k++)
			if (strcasecmp(seen[k], v[i].thumbprint) == 0)
				break;
		if (k == nseen)
			seen[nseen++] = v[i].thumbprint;
	}

	fprintf(fp,
		"# Exchange Management Shell commands written by %s\n"
		"# (certbind(1)): run them on the Exchange server.\n",
		by);
	if (n == 0) {
		fputs("# Nothing to change: the connectors already have these "
		      "values.\n",
		      fp);
		goto flush;
	}
	for (i = 0; i < n; i++)
		set_line(fp, &v[i]);
	fputs("\n# Check the result:\n", fp);
	for (i = 0; i < n; i++)
		get_line(fp, &v[i]);
	fputs("\n# The certificate a TlsCertificateName names must be on the "
	      "server and\n# enabled for SMTP:\n",
	      fp);
	if (nseen == 0)
		fputs("#   Enable-ExchangeCertificate -Thumbprint <thumbprint> "
		      "-Services SMTP\n",
		      fp);
	for (k = 0; k < nseen; k++) {
		fputs("#   Enable-ExchangeCertificate -Thumbprint ", fp);
		pwsh_quote(fp, seen[k]);
		fputs(" -Services SMTP\n", fp);
	}
	/*
	 * Quoted although Microsoft's examples are not: unquoted, a
	 * thumbprint of only digits, or digits around one E, or ending in
	 * D (a decimal suffix), is read as a number.
	 */
	for (k = 0; k < nseen; k++) {
		fputs("Get-ExchangeCertificate -Thumbprint ", fp);
		pwsh_quote(fp, seen[k]);
		fputs(" | Format-List "
		      "Thumbprint,Issuer,Subject,CertificateDomains,Services\n",
		      fp);
	}
flush:
	if (fflush(fp) == EOF || ferror(fp))
		goto out;
	rc = 0;
out:
	free(seen);
	return rc;
}
