/*
 * pwsh: the Exchange Management Shell script of --format powershell
 * (certbind(1) OUTPUT, "The PowerShell script").  No I/O but the
 * FILE it is given; no knowledge of commands.
 */
#ifndef PWSH_H
#define PWSH_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s as a single-quoted PowerShell string: ' and U+2018, U+2019,
 * U+201A and U+201B, which PowerShell also takes for a single quote,
 * are each doubled (written twice as themselves); nothing else is
 * escaped, so $, backticks, " and $( ) stay literal.  Returns 0; or -1
 * without writing anything when s is not valid UTF-8 or holds a
 * character pwsh_refused refuses; or -1 on a write error.
 */
int pwsh_quote(FILE *fp, const char *s);

/*
 * The first character of s a script must not carry, in *cp: C0
 * controls, DEL, C1 controls (U+0080-U+009F), U+2028 and U+2029 (line
 * and paragraph separators, which editors show as line breaks) and the
 * bidirectional overrides and isolates U+202A-U+202E, U+2066-U+2069
 * (the script would read otherwise than it runs).  Returns 1 with *cp,
 * 1 with *cp = -1 when s is not valid UTF-8, or 0 when s is fine.
 */
int pwsh_refused(const char *s, long *cp);

/*
 * One connector's change.  A NULL string and advertise -1 mean "leave
 * alone": only what is given is set, so bind's and renew's change lists
 * map onto it as they are.  An empty fqdn or tls_name is written as
 * $null, which clears the property.  thumbprint is the certificate the
 * TlsCertificateName selects, when known (NULL otherwise).
 */
struct pwsh_set {
	int	    send; /* Set-SendConnector; no AdvertiseClientSettings */
	const char *identity;
	const char *fqdn;
	const char *tls_name;
	int	    advertise; /* 0, 1, or -1: unchanged */
	const char *thumbprint;
};

/* Which value pwsh_script refused. */
struct pwsh_bad {
	size_t	    index; /* into v */
	const char *field; /* "Identity", "Fqdn", "TlsCertificateName",
			      "Thumbprint" */
	long cp;	   /* as pwsh_refused gives it */
};

/*
 * Writes the script for v[0..n): a header comment naming by (the
 * command, e.g. "certbind connectors"); per connector a
 * Set-ReceiveConnector (Set-SendConnector) line with the parameters
 * given, none when nothing is given; then the check block: per
 * connector Get-ReceiveConnector -Identity '...' | Format-List
 * Name,Fqdn,TlsCertificateName,AdvertiseClientSettings (Get-SendConnector
 * without AdvertiseClientSettings); a comment that the certificate must
 * be on the server and enabled for SMTP; and per distinct thumbprint
 * Get-ExchangeCertificate -Thumbprint '...' | Format-List
 * Thumbprint,Issuer,Subject,CertificateDomains,Services.  For n 0:
 * the header and a comment that nothing changes, nothing else.
 *
 * Every value is checked before anything is written: one that
 * pwsh_refused refuses (by, too) makes it return -1 with *bad naming
 * it (bad->field not NULL) and nothing written.  Also -1, with
 * bad->field NULL, on a write error or when memory ran out.  Returns 0
 * when written.
 */
int pwsh_script(FILE *fp, const char *by, const struct pwsh_set *v, size_t n,
		struct pwsh_bad *bad);

#endif
