/*
 * dn: distinguished names as Windows writes them (certbind(1) CERTIFICATE
 * FIELDS): CertNameToStr(CERT_X500_NAME_STR | CERT_NAME_STR_REVERSE_FLAG),
 * UTF-8.
 */
#ifndef DN_H
#define DN_H

#include <stddef.h>

#include <openssl/x509.h>

/*
 * The Windows string of a DER-encoded Name (der, len): a new buffer the
 * caller frees, NUL-terminated, its length in *outlen (the string itself
 * may contain NUL bytes from a hostile certificate).  Returns NULL when
 * the DER is not a Name or memory ran out.  The string is valid UTF-8;
 * the empty Name gives "" (as Windows does).
 */
char *dn_der_to_windows(const unsigned char *der, size_t len, size_t *outlen);

/* The same for a decoded name. */
char *dn_name_to_windows(const X509_NAME *name, size_t *outlen);

/*
 * The TLS certificate name "<I>issuer<S>subject" as a new buffer,
 * NUL-terminated, length in *outlen; NULL when memory ran out.
 */
char *dn_tls_name(const char *issuer, size_t ilen, const char *subject,
		  size_t slen, size_t *outlen);

#endif
