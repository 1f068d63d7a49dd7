/*
 * fuzz_dn: dn_der_to_windows (certbind(1) CERTIFICATE FIELDS) on arbitrary
 * bytes.  Checks that the result is valid UTF-8, that OpenSSL's decoding of the
 * same bytes gives the same string, and that the TLS certificate name built
 * from it splits back into the same two parts (sel_parse), which is what keeps
 * a hostile name from forging a binding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "dn.h"
#include "safe.h"
#include "select.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sel_name	     sn;
	X509_NAME	    *name;
	const unsigned char *p = data;
	const char	    *why;
	unsigned long	     cp;
	char		    *s, *s2 = NULL, *tls;
	size_t		     len, len2, tlen, i, k;

	s = dn_der_to_windows(data, size, &len);
	name = d2i_X509_NAME(NULL, &p, (long)size);
	ERR_clear_error();
	if (name != NULL && p == data + size) {
		/*
		 * OpenSSL accepts some BER that our walker refuses (and
		 * the other way round): compare only when both decode.
		 */
		s2 = dn_name_to_windows(name, &len2);
		if (s != NULL && s2 != NULL &&
		    (len != len2 || memcmp(s, s2, len) != 0))
			abort();
	}
	X509_NAME_free(name);
	free(s2);
	if (s == NULL)
		return 0;
	if (s[len] != '\0')
		abort();
	for (i = 0; i < len; i += k)
		if ((k = safe_utf8_next((const unsigned char *)s + i, len - i,
					&cp)) == 0)
			abort();
	if ((tls = dn_tls_name(s, len, s, len, &tlen)) == NULL)
		abort();
	if (tlen != len * 2 + 6 || sel_parse(tls, tlen, &sn, &why) == -1 ||
	    sn.ilen != len || sn.slen != len ||
	    memcmp(sn.issuer, s, len) != 0 || memcmp(sn.subject, s, len) != 0)
		abort();
	free(tls);
	free(s);
	return 0;
}
