#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "hostname.h"
#include "mem.h"

#define HOST_LABEL_MAX 63
#define HOST_IP6_TEXT  64

/*
 * certbind(1) HOST NAME MATCHING: only a whole left-most "*" label, never
 * partial ones. OpenSSL itself refuses "*" followed by fewer than two labels,
 * more than one "*", a "*" past the first label and "*" inside an "xn--" label,
 * so the man page's remaining wildcard rules need no code here. Its rule on
 * presented identifiers holds as well: the host is LDH only and OpenSSL
 * compares bytes exactly (ASCII case aside), refusing a NUL in the pattern.
 */
#define HOST_CHECK_FLAGS X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS

static int
host_is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* Message for a byte that may not appear in a DNS name, or NULL. */
static const char *
host_bad_byte(unsigned char c)
{
	if (host_is_ldh(c) || c == '.')
		return NULL;
	if (c == '\0')
		return "embedded NUL character in host name";
	if (c >= 0x80)
		return "non-ASCII character in host name: give an "
		       "internationalised name as its A-label (xn--...)";
	if (c == '_')
		return "underscore in host name: not allowed in a host name";
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f')
		return "white space in host name";
	if (c < 0x20 || c == 0x7f)
		return "control character in host name";
	if (c == '*')
		return "wildcard in host name: give the name itself";
	return "invalid character in host name: only letters, digits, "
	       "hyphens and dots are allowed";
}

static int
host_parse_ipv6(const char *in, size_t len, struct host *out, const char **why)
{
	char   buf[HOST_IP6_TEXT];
	size_t i, ncolon = 0;

	if (memchr(in, '%', len) != NULL) {
		*why = "IPv6 zone index (%...) is not allowed";
		return -1;
	}
	for (i = 0; i < len; i++)
		if (in[i] == ':')
			ncolon++;
	if (ncolon == 1) {
		*why = "a port is not part of the host name";
		return -1;
	}
	if (len >= sizeof(buf)) {
		*why = "invalid IPv6 address";
		return -1;
	}
	memcpy(buf, in, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out->addr) != 1 ||
	    inet_ntop(AF_INET6, out->addr, out->name, sizeof(out->name)) ==
		NULL) {
		*why = "invalid IPv6 address";
		return -1;
	}
	out->kind = HOST_IPV6;
	out->addrlen = 16;
	out->namelen = strlen(out->name);
	return 0;
}

/* (in, len) is LDH and dots only, its last label all digits. */
static int
host_parse_ipv4(const char *in, size_t len, struct host *out, const char **why)
{
	char   buf[INET_ADDRSTRLEN];
	size_t i, ndots = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == '.')
			ndots++;
		else if (in[i] < '0' || in[i] > '9')
			break;
	}
	if (i < len || ndots != 3 || len >= sizeof(buf)) {
		*why = "last label is all digits but the name is not an IPv4 "
		       "address";
		return -1;
	}
	/* inet_pton refuses them too, but say why: some read them as octal. */
	for (i = 0; i + 1 < len; i++)
		if (in[i] == '0' && (i == 0 || in[i - 1] == '.') &&
		    in[i + 1] != '.') {
			*why = "leading zero in IPv4 address";
			return -1;
		}
	memcpy(buf, in, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) != 1) {
		*why = "invalid IPv4 address: each part is 0 to 255";
		return -1;
	}
	out->kind = HOST_IPV4;
	out->addrlen = 4;
	memcpy(out->name, buf, len + 1);
	out->namelen = len;
	return 0;
}

int
host_parse_fqdn(const char *in, size_t len, struct host *out, const char **why)
{
	const char *dummy, *msg;
	size_t	    i, label = 0, last = 0;
	int	    digits = 1;

	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (len == 0) {
		*why = "empty host name";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (in[i] == '\0' || (unsigned char)in[i] >= 0x80) {
			*why = host_bad_byte((unsigned char)in[i]);
			return -1;
		}
	}
	if (memchr(in, '/', len) != NULL || memchr(in, '@', len) != NULL) {
		*why = "not a host name: give the FQDN alone, without a URL "
		       "or user part";
		return -1;
	}

	if (in[0] == '[' || in[len - 1] == ']') {
		if (in[0] == '[' && memmem(in, len, "]:", 2) != NULL) {
			*why = "a port is not part of the host name";
			return -1;
		}
		if (len < 2 || in[0] != '[' || in[len - 1] != ']') {
			*why = "unbalanced brackets in host name";
			return -1;
		}
		return host_parse_ipv6(in + 1, len - 2, out, why);
	}
	if (memchr(in, ':', len) != NULL)
		return host_parse_ipv6(in, len, out, why);

	/* certbind(1) HOST NAME MATCHING: one trailing dot, the root, is
	 * ignored. */
	if (in[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty host name";
		return -1;
	}
	if (len > HOST_FQDN_MAX) {
		*why = "host name longer than 253 characters";
		return -1;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || in[i] == '.') {
			if (label == 0) {
				*why = "empty label in host name (two dots "
				       "in a row, or a leading dot)";
				return -1;
			}
			if (in[i - 1] == '-') {
				*why = "label ends with a hyphen";
				return -1;
			}
			last = i - label;
			label = 0;
			continue;
		}
		if ((msg = host_bad_byte((unsigned char)in[i])) != NULL) {
			*why = msg;
			return -1;
		}
		if (label == 0 && in[i] == '-') {
			*why = "label begins with a hyphen";
			return -1;
		}
		if (++label > HOST_LABEL_MAX) {
			*why = "label longer than 63 characters";
			return -1;
		}
	}

	/* RFC 3696 §2: a top-level label is never all digits. */
	for (i = last; i < len; i++)
		if (in[i] < '0' || in[i] > '9')
			digits = 0;
	if (digits)
		return host_parse_ipv4(in, len, out, why);

	out->kind = HOST_DNS;
	for (i = 0; i < len; i++)
		out->name[i] =
		    (in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' : in[i];
	out->name[len] = '\0';
	out->namelen = len;
	return 0;
}

static int
host_covers_add(struct host_match *m, enum host_ident_kind kind, const void *s,
		size_t len)
{
	struct host_ident *p;

	if (mem_grow(&m->covers, &m->capcovers, m->ncovers + 1,
		     sizeof(*m->covers)) == -1)
		return -1;
	p = &m->covers[m->ncovers];
	p->kind = kind;
	p->len = len;
	if ((p->name = mem_dup(s, len)) == NULL)
		return -1;
	m->ncovers++;
	return 0;
}

/*
 * The subject's most specific CN: the last in DER order, which Windows
 * shows first.  NULL when there is none.  Borrowed from x.
 */
static X509_NAME_ENTRY *
host_get0_cn(X509 *x)
{
	X509_NAME *subj;
	int	   i, last = -1;

	if ((subj = X509_get_subject_name(x)) == NULL)
		return NULL;
	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, last)) >=
	       0)
		last = i;
	return last < 0 ? NULL : X509_NAME_get_entry(subj, last);
}

/*
 * A certificate with no extensions whose subject is only cn: what
 * X509_check_host sees of x under certbind(1) HOST NAME MATCHING.  OpenSSL
 * would try every CN of x, certbind only the most specific; giving OpenSSL this
 * one CN keeps its wildcard rules, identical to those applied to dNSNames,
 * instead of writing a second matcher.  Returns a new certificate or NULL.
 */
static X509 *
host_cn_cert_new(const X509_NAME_ENTRY *cn)
{
	X509	  *x = NULL, *ret = NULL;
	X509_NAME *name = NULL;

	if ((x = X509_new()) == NULL || (name = X509_NAME_new()) == NULL)
		goto out;
	if (!X509_NAME_add_entry(name, cn, -1, 0) ||
	    !X509_set_subject_name(x, name))
		goto out;
	ret = x;
	x = NULL;
out:
	X509_NAME_free(name);
	X509_free(x);
	return ret;
}

/*
 * Fills m->covers from gens (may be NULL) and, when gens has no
 * dNSName, from the CN; *cn is the CN used, borrowed from x, or NULL.
 */
static int
host_covers_fill(struct host_match *m, X509 *x, const GENERAL_NAMES *gens,
		 const X509_NAME_ENTRY **cn)
{
	const GENERAL_NAME    *gen;
	const ASN1_STRING     *s;
	const X509_NAME_ENTRY *e;
	unsigned char	      *utf8 = NULL;
	char		       text[HOST_IP6_TEXT];
	int		       i, n, ndns = 0, rc = -1;

	*cn = NULL;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		if (sk_GENERAL_NAME_value(gens, i)->type == GEN_DNS)
			ndns++;
	if (ndns == 0 && (e = host_get0_cn(x)) != NULL) {
		/*
		 * A CN that is not valid in its string type covers
		 * nothing; X509_check_host would fail on it as well.
		 */
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		if (n < 0)
			ERR_clear_error();
		else {
			if (host_covers_add(m, HOST_IDENT_CN, utf8, n) == -1)
				goto out;
			*cn = e;
		}
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type == GEN_DNS) {
			s = gen->d.dNSName;
			if (host_covers_add(m, HOST_IDENT_DNS,
					    ASN1_STRING_get0_data(s),
					    ASN1_STRING_length(s)) == -1)
				goto out;
		} else if (gen->type == GEN_IPADD) {
			s = gen->d.iPAddress;
			n = ASN1_STRING_length(s);
			/* Other lengths are malformed and match nothing. */
			if (n != 4 && n != 16)
				continue;
			if (inet_ntop(n == 4 ? AF_INET : AF_INET6,
				      ASN1_STRING_get0_data(s), text,
				      sizeof(text)) == NULL)
				continue;
			if (host_covers_add(m, HOST_IDENT_IP, text,
					    strlen(text)) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	OPENSSL_free(utf8);
	return rc;
}

/* (a, alen) and (b, blen) are the same bytes, ASCII case aside. */
static int
host_ci_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (((a[i] >= 'A' && a[i] <= 'Z') ? a[i] - 'A' + 'a' : a[i]) !=
		    ((b[i] >= 'A' && b[i] <= 'Z') ? b[i] - 'A' + 'a' : b[i]))
			return 0;
	return 1;
}

/*
 * Why the name e, which did not match h, came close: the rule of certbind(1)
 * HOST NAME MATCHING that refused it, or NULL.  h is a DNS name.
 */
static const char *
host_near_dns(const struct host *h, const struct host_ident *e)
{
	const char *dot, *hdot;
	size_t	    slen;

	if (e->len == h->namelen + 1 && e->name[h->namelen] == '.' &&
	    host_ci_eq(e->name, h->namelen, h->name, h->namelen))
		return "a certificate name with a trailing dot never matches";
	if ((dot = memchr(e->name, '.', e->len)) == NULL)
		return NULL;
	slen = e->len - (size_t)(dot - e->name);
	if (e->len >= 2 && e->name[0] == '*' && e->name[1] == '.') {
		if (host_ci_eq(dot + 1, slen - 1, h->name, h->namelen))
			return "a wildcard does not cover the bare domain";
		if (h->namelen > slen &&
		    host_ci_eq(dot, slen, h->name + h->namelen - slen, slen) &&
		    memchr(h->name, '.', h->namelen - slen) != NULL)
			return "a wildcard covers one label";
		return NULL;
	}
	if (memchr(e->name, '*', (size_t)(dot - e->name)) != NULL &&
	    (hdot = memchr(h->name, '.', h->namelen)) != NULL &&
	    host_ci_eq(dot, slen, hdot, h->namelen - (size_t)(hdot - h->name)))
		return "a partial wildcard never matches";
	return NULL;
}

/* The reason for host_match's why, from m->covers; h did not match. */
static const char *
host_near_miss(const struct host *h, const struct host_match *m)
{
	const struct host_ident *e;
	const char		*why;
	size_t			 i;

	for (i = 0; i < m->ncovers; i++) {
		e = &m->covers[i];
		if (h->kind != HOST_DNS) {
			if (e->kind != HOST_IDENT_IP &&
			    host_ci_eq(e->name, e->len, h->name, h->namelen))
				return "an IP address matches only IP address "
				       "entries, never a name that spells it";
			continue;
		}
		if (e->kind != HOST_IDENT_IP &&
		    (why = host_near_dns(h, e)) != NULL)
			return why;
	}
	return NULL;
}

int
host_match_cert(X509 *x, const struct host *h, struct host_match *m)
{
	GENERAL_NAMES	      *gens = NULL;
	const X509_NAME_ENTRY *cn;
	X509		      *cnx = NULL;
	char		      *peer = NULL;
	int		       crit, r, rc = -1;

	memset(m, 0, sizeof(*m));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {
		/*
		 * Present but undecodable, or twice: OpenSSL would then
		 * fall back to the CN, which would let a certificate
		 * whose SAN cannot be read match on its CN alone.
		 */
		ERR_clear_error();
		m->bad_san = 1;
		rc = 0;
		goto out;
	}
	if (host_covers_fill(m, x, gens, &cn) == -1)
		goto out;

	switch (h->kind) {
	case HOST_IPV4:
	case HOST_IPV6:
		/* certbind(1) HOST NAME MATCHING: iPAddress entries only, byte
		 * for byte. */
		if ((r = X509_check_ip(x, h->addr, h->addrlen, 0)) < 0)
			goto out;
		/* The entry that matched has the same canonical text. */
		if (r == 1 && (m->ident = mem_dup(h->name, h->namelen)) == NULL)
			goto out;
		m->identlen = r == 1 ? h->namelen : 0;
		break;
	case HOST_DNS:
		if (cn != NULL) {
			m->by_cn = 1;
			if ((cnx = host_cn_cert_new(cn)) == NULL)
				goto out;
			/*
			 * ALWAYS_CHECK_SUBJECT: OpenSSL releases after 3.x
			 * no longer fall back to the CN by default.
			 */
			r = X509_check_host(
			    cnx, h->name, h->namelen,
			    HOST_CHECK_FLAGS |
				X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT,
			    &peer);
		} else
			r = X509_check_host(
			    x, h->name, h->namelen,
			    HOST_CHECK_FLAGS |
				X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
			    &peer);
		if (r < 0 || (r == 1 && peer == NULL))
			goto out;
		if (r == 1) {
			m->identlen = strlen(peer);
			if ((m->ident = mem_dup(peer, m->identlen)) == NULL)
				goto out;
		}
		break;
	default:
		goto out;
	}
	m->matched = r == 1;
	if (!m->matched)
		m->why = host_near_miss(h, m);
	rc = 0;
out:
	OPENSSL_free(peer);
	X509_free(cnx);
	GENERAL_NAMES_free(gens);
	if (rc == -1)
		host_match_release(m);
	return rc;
}

void
host_match_release(struct host_match *m)
{
	size_t i;

	for (i = 0; i < m->ncovers; i++)
		free(m->covers[i].name);
	free(m->covers);
	free(m->ident);
	memset(m, 0, sizeof(*m));
}
