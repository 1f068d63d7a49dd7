/*
 * fuzz_host: host_parse_fqdn and host_match_cert (certbind(1) HOST NAME
 * MATCHING).
 *
 * Input: one byte n, then n bytes of FQDN, then the presented
 * identifiers of a certificate built here, each as a type byte and a
 * length byte followed by its bytes: type % 4 == 0 a SAN dNSName, 1 a
 * SAN iPAddress, 2 a subject CN (UTF8String), 3 a SAN rfc822Name.  The
 * certificate is never signed: the matcher must not care.
 *
 * Besides crashes, checks what certbind(1) HOST NAME MATCHING makes certain
 * whatever the implementation: an identifier with a NUL or a byte outside LDH,
 * '.' and '*' never matches; what matched is a copy of an identifier the
 * certificate presents; a dNSName equal to the FQDN matches; CN stands in
 * only without a dNSName.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hostname.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_IDS 64

struct id {
	int	       type;
	const uint8_t *p;
	size_t	       len;
};

static int
host_bytes(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		      p[i] == '.' || p[i] == '*'))
			return 0;
	return 1;
}

static X509 *
build(const struct id *ids, size_t n, size_t *ndns)
{
	X509	      *x = NULL;
	X509_NAME     *nm;
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME  *gn;
	ASN1_STRING   *s;
	size_t	       i;
	int	       ok = 0, nsan = 0;

	*ndns = 0;
	if ((x = X509_new()) == NULL || (gens = GENERAL_NAMES_new()) == NULL)
		goto out;
	nm = X509_get_subject_name(x);
	for (i = 0; i < n; i++) {
		if (ids[i].type == 2) {
			if (!X509_NAME_add_entry_by_NID(
				nm, NID_commonName, V_ASN1_UTF8STRING, ids[i].p,
				(int)ids[i].len, -1, 0))
				goto out;
			continue;
		}
		if ((gn = GENERAL_NAME_new()) == NULL ||
		    (s = ASN1_STRING_type_new(
			 ids[i].type == 1 ? V_ASN1_OCTET_STRING
					  : V_ASN1_IA5STRING)) == NULL) {
			GENERAL_NAME_free(gn);
			goto out;
		}
		if (!ASN1_STRING_set(s, ids[i].p, (int)ids[i].len)) {
			ASN1_STRING_free(s);
			GENERAL_NAME_free(gn);
			goto out;
		}
		GENERAL_NAME_set0_value(gn,
					ids[i].type == 0   ? GEN_DNS
					: ids[i].type == 1 ? GEN_IPADD
							   : GEN_EMAIL,
					s);
		if (!sk_GENERAL_NAME_push(gens, gn)) {
			GENERAL_NAME_free(gn);
			goto out;
		}
		nsan++;
		if (ids[i].type == 0)
			(*ndns)++;
	}
	if (nsan > 0 && !X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
					   X509V3_ADD_DEFAULT))
		goto out;
	ok = 1;
out:
	GENERAL_NAMES_free(gens);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host	  h;
	struct host_match m;
	struct id	  ids[MAX_IDS];
	const char	 *why = NULL;
	X509		 *x;
	size_t		  n, nids = 0, off, i, ndns;
	int		  seen;

	if (size < 1 || (n = data[0]) > size - 1)
		return 0;
	if (host_parse_fqdn((const char *)data + 1, n, &h, &why) == -1) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (h.namelen != strlen(h.name) || h.namelen == 0 ||
	    h.namelen > HOST_FQDN_MAX)
		abort();
	for (off = 1 + n; off + 2 <= size && nids < MAX_IDS; nids++) {
		ids[nids].type = data[off] % 4;
		ids[nids].len = data[off + 1];
		off += 2;
		if (ids[nids].len > size - off)
			ids[nids].len = size - off;
		ids[nids].p = data + off;
		off += ids[nids].len;
	}
	if ((x = build(ids, nids, &ndns)) == NULL)
		return 0;
	memset(&m, 0, sizeof(m));
	if (host_match_cert(x, &h, &m) == -1) {
		ERR_clear_error();
		goto out;
	}
	if (m.matched != 0 && m.matched != 1)
		abort();
	if (!m.matched && (m.ident != NULL || m.identlen != 0))
		abort();
	if (m.by_cn && ndns > 0)
		abort();
	if (m.matched && h.kind == HOST_DNS) {
		/* The identifier that matched is one the certificate has. */
		for (i = 0, seen = 0; i < nids; i++)
			if (ids[i].type == (m.by_cn ? 2 : 0) &&
			    ids[i].len == m.identlen &&
			    memcmp(ids[i].p, m.ident, m.identlen) == 0)
				seen = 1;
		if (!seen || !host_bytes((const uint8_t *)m.ident, m.identlen))
			abort();
		if (memchr(m.ident, '*', m.identlen) == NULL &&
		    !(m.identlen == h.namelen || (m.identlen == h.namelen + 1 &&
						  m.ident[h.namelen] == '.')))
			abort();
		if (memchr(m.ident, '*', m.identlen) == NULL &&
		    strncasecmp(m.ident, h.name, h.namelen) != 0)
			abort();
	}
	if (m.matched && h.kind != HOST_DNS) {
		for (i = 0, seen = 0; i < nids; i++)
			if (ids[i].type == 1 && ids[i].len == h.addrlen &&
			    memcmp(ids[i].p, h.addr, h.addrlen) == 0)
				seen = 1;
		if (!seen)
			abort();
	}
	/* A dNSName exactly the normalised FQDN always matches. */
	if (h.kind == HOST_DNS && !m.matched && !m.bad_san)
		for (i = 0; i < nids; i++)
			if (ids[i].type == 0 && ids[i].len == h.namelen &&
			    memcmp(ids[i].p, h.name, h.namelen) == 0)
				abort();
out:
	host_match_release(&m);
	X509_free(x);
	return 0;
}
