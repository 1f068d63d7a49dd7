/*
 * fuzz_store: the store's sniffer and loader (PEM, DER, PKCS#7,
 * PKCS#12, bare base64, keys)
 * on one file, then every field accessor of cert.h and the core code
 * that commands run on a loaded certificate: the TLS name and its
 * selection, host matching against the certificate's own names,
 * thumbprint lookup and the three output formats.
 *
 * The store has only a path API, so the input goes to a memfd that is
 * read through /proc/self/fd/N (a regular file, as the store requires).
 * The passphrase is the test PKI's, so seeds from certs-test/ decrypt.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "dn.h"
#include "hostname.h"
#include "output.h"
#include "select.h"
#include "store.h"
#include "thumb.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static FILE  *devnull;
static size_t nreports;

static void
report(void *arg, const char *path, const char *msg)
{
	/*
	 * One line each.  Bytes quoted from the file (a PEM label) may be
	 * anything else: diag escapes every message it prints.
	 */
	if (path == NULL || msg == NULL || *msg == '\0' ||
	    strchr(msg, '\n') != NULL)
		abort();
	nreports++;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

static void
emit(struct ov *o)
{
	static const char *const cols[] = {"Thumbprint", "Subject",
					   "CertificateDomains", NULL};
	enum out_format		 f[] = {OUT_TABLE, OUT_LIST, OUT_JSON};
	struct out		*out;
	size_t			 i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if ((out = out_open(devnull, f[i], i == 0 ? cols : NULL)) ==
		    NULL)
			abort();
		out_item(out, o);
		out_close(out);
	}
}

/*
 * cert_key_info reads the common keys by hand (README, "Performance"):
 * wherever OpenSSL decodes the key, it must say what OpenSSL says.
 */
static void
same_key_info(struct cert *c, X509 *x)
{
	EVP_PKEY   *pk;
	const char *alg, *want;
	int	    bits;

	if ((pk = X509_get0_pubkey(x)) == NULL) {
		ERR_clear_error();
		return;
	}
	if (cert_key_info(c, &alg, &bits) == -1 ||
	    bits != EVP_PKEY_get_bits(pk))
		abort();
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		want = "RSA";
		break;
	case EVP_PKEY_EC:
		want = "EC";
		break;
	case EVP_PKEY_ED25519:
		want = "Ed25519";
		break;
	case EVP_PKEY_ED448:
		want = "Ed448";
		break;
	default:
		want = alg;
		break;
	}
	if (strcmp(alg, want) != 0)
		abort();
}

/*
 * cert_get_eku reads the extension from the walk of the DER (cert.c
 * ext_d2i), not from OpenSSL's decode of the whole certificate: wherever
 * OpenSSL decodes it, the two must say the same.
 */
static void
same_eku(struct cert *c, X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	struct cert_names   nm;
	const char	   *sn;
	char		   *oid;
	int		    crit = 0, r, i, nid, len;

	r = cert_get_eku(c, &nm);
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	ERR_clear_error();
	if (eku == NULL) {
		if (r != (crit == -1 ? 0 : -1))
			abort();
		return;
	}
	if (r != 1 || nm.n != (size_t)sk_ASN1_OBJECT_num(eku))
		abort();
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		if (nid != NID_undef && (sn = OBJ_nid2sn(nid)) != NULL)
			oid = strdup(sn);
		else if ((len = OBJ_obj2txt(
			      NULL, 0, sk_ASN1_OBJECT_value(eku, i), 1)) > 0 &&
			 (oid = malloc((size_t)len + 1)) != NULL)
			OBJ_obj2txt(oid, len + 1, sk_ASN1_OBJECT_value(eku, i),
				    1);
		else
			abort();
		if (oid == NULL || strlen(oid) != nm.len[i] ||
		    memcmp(oid, nm.s[i], nm.len[i]) != 0)
			abort();
		free(oid);
	}
	EXTENDED_KEY_USAGE_free(eku);
	cert_names_free(&nm);
}

static void
one_cert(struct store *st, struct cert *c)
{
	struct cert_names nm;
	struct host_match m;
	struct host	  h;
	struct sel_name	  sn;
	struct thumb	  t;
	struct cert	 *found[2];
	struct ov	 *o, *arr;
	const char	 *subj, *iss, *alg, *why;
	char		  hex[65], date[32], *serial, *tls;
	size_t		  slen, ilen, tlen, i;
	int		  bits;
	X509		 *x;

	if ((o = ov_new_object()) == NULL)
		abort();
	cert_hex(c->sha1, 20, hex);
	ov_add_cstr(o, "Thumbprint", hex);
	if (thumb_parse(hex, 40, &t, &why) == -1 ||
	    store_find(st, &t, found, 2) != 1 || found[0] != c)
		abort();
	cert_hex(cert_get0_sha256(c), 32, hex);
	ov_add_cstr(o, "Sha256Thumbprint", hex);
	if (thumb_parse(hex, 64, &t, &why) == -1 ||
	    store_find(st, &t, found, 2) != 1 || found[0] != c)
		abort();
	subj = cert_get0_subject(c, &slen);
	iss = cert_get0_issuer(c, &ilen);
	ov_add_str(o, "Subject", subj, slen);
	ov_add_str(o, "Issuer", iss, ilen);
	if (subj != NULL && iss != NULL) {
		/* The certificate's own TLS name selects it. */
		if ((tls = dn_tls_name(iss, ilen, subj, slen, &tlen)) == NULL)
			abort();
		if (sel_parse(tls, tlen, &sn, &why) == -1 ||
		    sel_matches(c, &sn) != 1)
			abort();
		free(tls);
	}
	cert_format_time(c->not_before, date, sizeof(date));
	ov_add_cstr(o, "NotBefore", date);
	cert_format_time(c->not_after, date, sizeof(date));
	ov_add_cstr(o, "NotAfter", date);
	ov_add_cstr(o, "Status", cert_status_name(cert_status(c, 1780272000)));
	ov_add_bool(o, "HasPrivateKey", c->has_key);
	ov_add_bool(o, "IsSelfSigned", cert_is_self_signed(c));
	serial = cert_get1_serial_hex(c);
	ov_add_cstr(o, "SerialNumber", serial);
	free(serial);
	if (cert_key_info(c, &alg, &bits) == 0) {
		ov_add_cstr(o, "KeyAlgorithm", alg);
		ov_add_int(o, "KeySize", bits);
	}
	ov_add_cstr(o, "SignatureAlgorithm", cert_sig_alg(c));
	ov_add_cstr(o, "Path", c->path);
	arr = ov_new_array();
	x = cert_get0_x509(c);
	if (x != NULL) {
		same_key_info(c, x);
		same_eku(c, x);
	}
	if (cert_get_dns_names(c, &nm) == 0) {
		for (i = 0; i < nm.n; i++) {
			ov_push_str(arr, nm.s[i], nm.len[i]);
			/* A trailing dot is the FQDN's to drop (certbind(1)
			 * HOST NAME MATCHING). */
			if (x == NULL || nm.len[i] == 0 ||
			    nm.s[i][nm.len[i] - 1] == '.' ||
			    host_parse_fqdn(nm.s[i], nm.len[i], &h, &why) == -1)
				continue;
			memset(&m, 0, sizeof(m));
			if (host_match_cert(x, &h, &m) == 0 &&
			    h.kind == HOST_DNS && !m.bad_san && !m.matched)
				abort(); /* its own name must match */
			host_match_release(&m);
		}
		cert_names_free(&nm);
	}
	ov_add(o, "CertificateDomains", arr);
	ov_add_str(o, "FriendlyName", c->friendly, c->friendly_len);
	arr = ov_new_array();
	if (cert_get_eku(c, &nm) == 1) {
		for (i = 0; i < nm.n; i++)
			ov_push_str(arr, nm.s[i], nm.len[i]);
		cert_names_free(&nm);
	}
	ov_add(o, "EnhancedKeyUsage", arr);
	arr = ov_new_array();
	if (cert_get_ip_addresses(c, &nm) == 0) {
		for (i = 0; i < nm.n; i++)
			ov_push_str(arr, nm.s[i], nm.len[i]);
		cert_names_free(&nm);
	}
	ov_add(o, "IPAddresses", arr);
	if (x != NULL &&
	    host_parse_fqdn("mail.contoso.com", 16, &h, &why) == 0) {
		memset(&m, 0, sizeof(m));
		host_match_cert(x, &h, &m);
		host_match_release(&m);
	}
	emit(o);
	ov_free(o);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pw[] = "Test-Passw0rd!";
	struct store_opts opts;
	struct store	 *st;
	char		  path[64];
	size_t		  i, off;
	ssize_t		  w;
	int		  fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		abort();
	for (off = 0; off < size; off += w)
		if ((w = write(fd, data + off, size - off)) <= 0)
			abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&opts, 0, sizeof(opts));
	opts.password = pw;
	opts.passlen = sizeof(pw) - 1;
	opts.report = report;
	if ((st = store_new()) == NULL)
		abort();
	nreports = 0;
	if (store_add_path(st, path, &opts) == -1 && nreports == 0)
		abort(); /* a failure is always reported */
	store_finish(st);
	for (i = 0; i < store_count(st); i++)
		one_cert(st, store_get0(st, i));
	store_free(st);
	close(fd);
	ERR_clear_error();
	return 0;
}
