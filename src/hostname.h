/*
 * hostname: validating a connector FQDN and matching it against a
 * certificate (certbind(1) HOST NAME MATCHING).  No I/O; errors are static
 * strings.
 */
#ifndef HOSTNAME_H
#define HOSTNAME_H

#include <stddef.h>

#include <openssl/x509.h>

#define HOST_FQDN_MAX 253 /* RFC 1035 §2.3.4, without the final dot */

enum host_kind { HOST_DNS = 1, HOST_IPV4, HOST_IPV6 };

/*
 * A validated FQDN.  name is NUL-terminated and normalised: a DNS name
 * in lower case without its trailing dot, an address in its canonical
 * text form (inet_ntop: dotted quad, RFC 5952 for IPv6, no brackets).
 * addr holds the address in network order (addrlen 4 or 16; 0 for DNS).
 */
struct host {
	enum host_kind kind;
	char	       name[HOST_FQDN_MAX + 1];
	size_t	       namelen;
	unsigned char  addr[16];
	size_t	       addrlen;
};

/*
 * Validates (in, len), which need not be NUL-terminated, as an FQDN typed
 * by a user or read from a config (certbind(1) HOST NAME MATCHING) and fills
 * out.  Accepted:
 * - a DNS name: ASCII letters, digits, hyphens and dots, any case; LDH
 *   labels of 1-63 characters not beginning or ending with a hyphen;
 *   at most 253 characters; one trailing dot is ignored.  A name whose
 *   last label is all digits must be an IPv4 address (RFC 3696 §2);
 * - an IPv4 address in dotted-quad form, without leading zeros;
 * - an IPv6 address (RFC 4291 §2.2), bare or in brackets ("[::1]"),
 *   without a zone index.
 * Returns 0, or -1 with *why (if why is not NULL) a static lower-case
 * message saying what is wrong (embedded NUL, non-ASCII, underscore,
 * empty label, label too long, ...).  out is unspecified on failure.
 */
int host_parse_fqdn(const char *in, size_t len, struct host *out,
		    const char **why);

enum host_ident_kind {
	HOST_IDENT_DNS = 1, /* a SAN dNSName */
	HOST_IDENT_CN,	    /* the most specific subject CN, as UTF-8 */
	HOST_IDENT_IP	    /* a SAN iPAddress, in canonical text form */
};

/*
 * An identifier a certificate presents.  name is a copy of the bytes
 * the certificate holds, NUL-terminated for convenience, but it may hold
 * NUL and control bytes: use (name, len) and print it with safe_fputs.
 */
struct host_ident {
	enum host_ident_kind kind;
	char		    *name;
	size_t		     len;
};

/*
 * The result of host_match_cert.  Owns its strings; release with
 * host_match_release.
 * - matched: 1 when the certificate covers the host, else 0.
 * - ident, identlen: a copy of the identifier that matched, the first
 *   in certificate order (NULL, 0 when nothing did); for an address,
 *   its canonical text form.
 * - by_cn: 1 when the certificate has no SAN dNSName, so the subject CN
 *   stood in for it (certbind(1) HOST NAME MATCHING: a warning for the caller
 * to give).
 * - covers, ncovers: what the certificate covers, whatever the host, in
 *   certificate order: every SAN dNSName, or else the most specific CN,
 *   then every SAN iPAddress of 4 or 16 bytes (other SAN types and
 *   malformed addresses are left out).
 * - bad_san: 1 when the SAN extension is present but cannot be decoded
 *   or appears twice; such a certificate covers nothing (covers empty).
 * - why: when nothing matched, a static lower-case reason naming the rule
 *   of certbind(1) HOST NAME MATCHING that kept a near miss from matching
 *   ("a wildcard covers one label"), or NULL when no entry came close.
 */
struct host_match {
	int		   matched;
	int		   by_cn;
	int		   bad_san;
	const char	  *why;
	char		  *ident;
	size_t		   identlen;
	struct host_ident *covers;
	size_t		   ncovers;
	size_t		   capcovers; /* entries allocated (mem_grow) */
};

/*
 * Does certificate x cover host h (certbind(1) HOST NAME MATCHING)?  x is not
 * modified beyond OpenSSL's internal caching.  Fills m, which the caller
 * releases with host_match_release whatever the result.  Returns 0 (the answer
 * is in m->matched), or -1 on an allocation or OpenSSL failure, with the
 * OpenSSL error queue left for the caller to report.
 */
int host_match_cert(X509 *x, const struct host *h, struct host_match *m);

/* Frees what m owns and zeroes it; m may be a zeroed, unused struct. */
void host_match_release(struct host_match *m);

#endif
