/*
 * pkcs7: a PKCS#7 certificate bundle of the store (store_int.h), as
 * Windows exports a chain (.p7b, .p7c): decoded by OpenSSL's d2i_PKCS7,
 * every certificate of its SignedData kept.  certbind(1), THE STORE.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "store_int.h"

int
pkcs7_load(struct file *f, const unsigned char *der, size_t len, int *ncert)
{
	const unsigned char *p = der;
	STACK_OF(X509) *certs = NULL;
	PKCS7 *p7 = NULL;
	char   what[32];
	int    i, rc = -1;

	if (len > LONG_MAX || (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		store_report(f, "damaged PKCS#7 bundle");
		rc = 0;
		goto out;
	}
	switch (OBJ_obj2nid(p7->type)) {
	case NID_pkcs7_signed:
		if (p7->d.sign != NULL)
			certs = p7->d.sign->cert;
		break;
	case NID_pkcs7_signedAndEnveloped:
		if (p7->d.signed_and_enveloped != NULL)
			certs = p7->d.signed_and_enveloped->cert;
		break;
	default:
		break;
	}
	if (sk_X509_num(certs) <= 0) {
		store_report(f, "no certificate in PKCS#7 bundle");
		rc = 0;
		goto out;
	}
	for (i = 0; i < sk_X509_num(certs); i++) {
		snprintf(what, sizeof(what), "certificate %d", ++*ncert);
		if (store_add_pinned(f, sk_X509_value(certs, i), what) == -1)
			goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	PKCS7_free(p7);
	return rc;
}
