/*
 * clixmlstore: Get-ExchangeCertificate | Export-Clixml as a store file
 * (store_int.h, certbind(1) THE STORE): every top-level object's
 * RawData is a certificate's DER, kept in memory like a PKCS#7
 * bundle's; its FriendlyName, when it has one, is the certificate's.
 * Such certificates have no private key in the store.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "clixml.h"
#include "store_int.h"

int
clixml_store_load(struct file *f, const unsigned char *buf, size_t len)
{
	struct clixml_doc	 *doc;
	struct clixml_err	  err;
	const struct clixml_prop *raw, *fn;
	const struct clixml_obj	 *o;
	const unsigned char	 *p;
	const char		 *t;
	char			  what[48];
	size_t			  i, tlen;
	int			  ncert = 0, rc = 0;
	X509			 *x = NULL;

	if ((doc = clixml_parse(buf, len, &err)) == NULL) {
		if (err.nomem)
			return -1;
		if (err.line > 0)
			store_report(f, "line %ld: PowerShell CLIXML: %s",
				     err.line, err.msg);
		else
			store_report(f, "PowerShell CLIXML: %s", err.msg);
		return 0;
	}
	for (i = 0; i < doc->nobjs; i++) {
		o = doc->objs[i];
		if ((raw = clixml_get(o, "RawData")) == NULL)
			continue;
		/* What names it in every report, the store's too. */
		snprintf(what, sizeof(what), "line %ld: certificate %d",
			 raw->v.line, ++ncert);
		if (raw->v.kind != CLIXML_BYTES) {
			store_report(
			    f, "%s: RawData is not a byte array (<BA>)", what);
			continue;
		}
		p = (const unsigned char *)raw->v.s;
		x = NULL;
		if (raw->v.len > LONG_MAX ||
		    (x = d2i_X509(NULL, &p, (long)raw->v.len)) == NULL ||
		    p != (const unsigned char *)raw->v.s + raw->v.len) {
			X509_free(x);
			store_report(f, "%s: RawData is not a certificate",
				     what);
			ERR_clear_error();
			continue;
		}
		fn = clixml_get(o, "FriendlyName");
		if (fn != NULL && (t = clixml_text(&fn->v, &tlen)) != NULL &&
		    tlen > 0 && tlen <= INT_MAX &&
		    X509_alias_set1(x, (const unsigned char *)t, (int)tlen) !=
			1) {
			X509_free(x);
			rc = -1;
			break;
		}
		rc = store_add_pinned(f, x, what);
		X509_free(x);
		if (rc == -1)
			break;
	}
	if (rc == 0 && ncert == 0 && f->opts->note != NULL)
		f->opts->note(f->opts->arg, f->path,
			      "PowerShell CLIXML without certificates "
			      "(RawData), skipped");
	clixml_free(doc);
	ERR_clear_error();
	return rc;
}
