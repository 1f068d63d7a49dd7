/*
 * cert: one certificate as the store holds it.  Loading walks the DER to
 * find the byte ranges of its fields, hashes it and has OpenSSL decode
 * the validity dates from theirs; every other field is derived on first
 * use, by OpenSSL's decoder of that field's bytes (two hand readers,
 * cert_key_info and cert_name_key, say why they are not), so listing a
 * large store never decodes a whole certificate.
 */
#ifndef CERT_H
#define CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* A byte range of a certificate's DER: a whole TLV. */
struct cert_span {
	size_t off;
	size_t len;
};

struct cert {
	unsigned char	*der; /* owned */
	size_t		 derlen;
	unsigned char	 sha1[20];
	unsigned char	 sha256[32];
	int		 have_sha256;
	struct cert_span serial;  /* INTEGER */
	struct cert_span issuer;  /* Name */
	struct cert_span subject; /* Name */
	struct cert_span spki;	  /* SubjectPublicKeyInfo */
	struct cert_span sig_alg; /* outer signatureAlgorithm */
	struct cert_span exts;	  /* Extensions (the SEQUENCE inside
				     [3]); len 0 when absent */
	time_t	    not_before;
	time_t	    not_after;
	const char *path; /* file it was first read from; the
			     store owns the string */
	int   has_key;	  /* a private key in the store pairs */
	char *friendly;	  /* PKCS#12 friendlyName, UTF-8; owned;
			     NULL when the file gave none */
	size_t friendly_len;

	/* Cached on first use; owned. */
	char  *subject_str;
	size_t subject_len;
	char  *issuer_str;
	size_t issuer_len;
	X509  *x509;
	int    x509_failed;
};

#define CERT_STATUS_VALID   0
#define CERT_STATUS_EXPIRED 1
#define CERT_STATUS_NOTYET  2

/*
 * Takes ownership of (der, len) -- also on failure, when it is freed --
 * and checks that it is one DER Certificate, exactly len bytes (or, with
 * trailing_ok, at the start of der).  Returns 0, or -1 with *why a static
 * description of what is wrong.
 */
int  cert_init_der(struct cert *, unsigned char *der, size_t len,
		   int trailing_ok, const char **why);
void cert_release(struct cert *);

/* The Windows strings of certbind(1) CERTIFICATE FIELDS (cached); NULL when
 * undecodable. */
const char *cert_get0_subject(struct cert *, size_t *len);
const char *cert_get0_issuer(struct cert *, size_t *len);
/* The SHA-256 of the DER (computed once). */
const unsigned char *cert_get0_sha256(struct cert *);
/* The whole certificate decoded by OpenSSL (cached); NULL if it fails. */
X509 *cert_get0_x509(struct cert *);
/*
 * Frees the cached X509 (not a failed decode's mark): pointers from
 * cert_get0_x509 die, the next call decodes again.
 */
void cert_drop_x509(struct cert *);

/*
 * A 64-bit key of the Name at s (&c->subject or &c->issuer), read from
 * the DER without OpenSSL, such that two Names OpenSSL's X509_NAME_cmp
 * finds equal always have equal keys (cert.c states why).  Deliberately
 * coarse: different names may share a key.  Not X509_NAME_hash_ex,
 * whose decode of every Subject and Issuer as the store loads made
 * `list` of 100,000 certificates 1.5 to 2 times slower (README,
 * "Performance"); tests/unit/test_chain.c and fuzz_namekey hold it to
 * X509_NAME_cmp.  Returns 0, or -1 when the
 * Name holds an encoding the key does not cover (constructed or
 * high-tag values, BER lengths): then it may equal any name.
 */
int cert_name_key(const struct cert *c, const struct cert_span *s,
		  uint64_t *key);

/* CERT_STATUS_* at time t. */
int	    cert_status(const struct cert *, time_t t);
const char *cert_status_name(int status);

/* Upper-case hex of (p, n) into out (2n+1 bytes). */
void cert_hex(const unsigned char *p, size_t n, char *out);
/*
 * The serial number as upper-case hex of its encoded bytes, as .NET's
 * X509Certificate2.SerialNumber gives it.  Returns a new string or NULL.
 */
char *cert_get1_serial_hex(const struct cert *);
/* UTC time as YYYY-MM-DDThh:mm:ssZ into buf (21 bytes). */
void cert_format_time(time_t t, char *buf, size_t sz);

/*
 * The key algorithm ("RSA", "EC", "Ed25519", ...; a static string) and
 * size in bits, as OpenSSL's EVP_PKEY_get_bits gives it.  Read from the
 * SubjectPublicKeyInfo for RSA (the modulus) and named EC curves, since
 * d2i_PUBKEY of every key made `list` eight times slower (README,
 * "Performance"); other keys are decoded by d2i_PUBKEY.  Returns 0, or
 * -1 when the key cannot be decoded.  An EC point is not checked to be
 * on its curve.
 */
int cert_key_info(struct cert *, const char **alg, int *bits);
/*
 * The signature algorithm's long name (OpenSSL's, from the OID of the
 * outer signatureAlgorithm); NULL when not decodable or unknown.
 */
const char *cert_sig_alg(struct cert *);
/*
 * 1 when self-signed: issuer and subject are the same DER bytes and
 * OpenSSL's X509_self_signed (key identifiers, signature with the
 * certificate's own key) agrees.  Names equal only after OpenSSL's
 * canonical comparison (case, string type) count as different.  Only
 * certificates whose names are byte-equal pay for the signature check.
 */
int cert_is_self_signed(struct cert *);

/*
 * The subjectAltName extension as OpenSSL decodes it: d2i_GENERAL_NAMES
 * on the extnValue the walk located, which is what X509_get_ext_d2i
 * (and so X509_check_host) decodes.  Returns 1 with *gens set (the
 * caller frees it with GENERAL_NAMES_free), 0 when there is none, -1
 * when it cannot be decoded or appears twice (*gens NULL).
 */
int cert_get1_san(struct cert *, GENERAL_NAMES **gens);

/*
 * The SAN dNSName entries of cert_get1_san in certificate order, as a
 * new array of (ptr, len) spans into a buffer the caller frees with
 * cert_names_free().  Returns 0 (possibly n == 0) or -1, also when
 * cert_get1_san does.
 */
struct cert_names {
	size_t	n;
	char  **s;
	size_t *len;
};
int  cert_get_dns_names(struct cert *, struct cert_names *);
void cert_names_free(struct cert_names *);

/*
 * The extended key usage as OpenSSL decodes it (X509_get_ext_d2i, as the
 * Usage check reads it): each purpose by OpenSSL's short name
 * ("serverAuth", "clientAuth", ...), or in dotted form when OpenSSL has
 * no name for it, in certificate order.  Returns 1 (out filled), 0 when
 * the certificate has no EKU, -1 when it cannot be decoded or appears
 * twice.
 */
int cert_get_eku(struct cert *, struct cert_names *out);

/*
 * The SAN iPAddress entries of cert_get1_san in certificate order, as
 * inet_ntop(3) writes them: IPv4 dotted, IPv6 in RFC 5952's compressed
 * lower-case form (what .NET's IPAddress.ToString gives).  An entry of
 * another length than 4 or 16 is no address and is left out.  Returns 0
 * (possibly n == 0) or -1, also when cert_get1_san does.
 */
int cert_get_ip_addresses(struct cert *, struct cert_names *out);

#endif
