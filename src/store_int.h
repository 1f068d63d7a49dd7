/*
 * store_int: what the files of the store share, included by them alone:
 * store.c (the records: adding, pairing, finding, reading again),
 * walk.c (the walk, and each file opened and sniffed), pem.c (PEM
 * blocks), pkcs7.c (PKCS#7 bundles), pkcs12.c (PKCS#12, and the bound on
 * password-based key derivation) and clixmlstore.c (Export-Clixml of
 * Get-ExchangeCertificate).  certbind(1), THE STORE.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"
#include "store.h"

/*
 * The work of password-based encryption (iterations; scrypt: N * r * p)
 * we accept for one key derivation and for all of a run's together,
 * every try counted: see certbind(1).
 */
#define MAX_PBE_ITER  10000000L
#define MAX_PBE_TOTAL 30000000L

struct dirid {
	dev_t dev;
	ino_t ino;
};

/*
 * What the store keeps of a certificate between uses: enough to dedupe,
 * pair keys, sort and find it, and where to read it again.  The DER
 * itself is re-read on demand (store_get0), so a store of 100,000
 * certificates costs ~150 bytes each, not a kilobyte or more.
 */
struct rec {
	unsigned char sha1[20];
	unsigned char sha256[32];
	unsigned char spki[32]; /* SHA-256 of the SubjectPublicKeyInfo */
	time_t	      not_before, not_after;
	uint64_t      subkey, isskey; /* cert_name_key of each name */
	unsigned char keyok;	      /* STORE_KEY_* of those valid */
	off_t	      off;	      /* where the PEM base64 body or DER is */
	unsigned int  len;
	unsigned int  path; /* index into paths */
	unsigned char kind; /* REC_* */
	unsigned char has_key;
	unsigned char from_p12; /* read from a PKCS#12 file */
	struct cert  *c;	/* the whole certificate, when loaded */
};

#define REC_PEM	    0 /* base64 between BEGIN and END */
#define REC_PEM_AUX 1 /* the same, TRUSTED CERTIFICATE */
#define REC_DER	    2 /* the whole file */
#define REC_PINNED  3 /* from PKCS#12 or PKCS#7: c is kept, never re-read */

/* A file being read again, kept open while the next record is in it. */
struct reread {
	int	       fd; /* -1 when none */
	unsigned int   path;
	unsigned char *buf; /* bytes of the file from off */
	off_t	       off;
	size_t	       len, cap;
};

struct store {
	struct rec *recs;
	size_t	    ncerts, capcerts;
	size_t	   *table; /* SHA-1 hash set: index + 1, 0 empty */
	size_t	    tablesz;
	unsigned char (*keys)[32]; /* SHA-256 of each key's SPKI */
	size_t	      nkeys, capkeys;
	char	    **paths; /* every file a certificate came from */
	size_t	      npaths, cappaths;
	struct dirid *dirs; /* directories walked, against loops */
	size_t	      ndirs, capdirs;
	struct reread rr;
	long	      pbe_spent; /* iterations of key derivation so far */
	void (*report)(void *, const char *, const char *);
	void *arg;
	void (*each)(void *, size_t, struct cert *);
	void *each_arg;
};

/* A file being loaded, read in pieces so a large bundle is never whole. */
struct rd {
	int	       fd;
	unsigned char *buf;
	size_t	       len, cap;
	off_t	       base; /* file offset of buf[0] */
	int	       eof;
};

/* What one file's loading needs. */
struct file {
	struct store		*st;
	const struct store_opts *opts;
	const char		*path;
	const char		*saved; /* path as kept by the store, or NULL */
	size_t			 pathi; /* its index in st->paths */
	size_t			 found; /* certificates and keys */
	int			 bad;	/* a problem was reported */
	int			 pkcs12; /* the file is PKCS#12 */
};

/* A piece of a file read at once; PEM blocks larger than this grow it. */
#define RD_CHUNK (1UL << 20)

/* store.c */

/*
 * Reports a problem with f's file (lower case, no full stop) through
 * the caller's report function, and marks the file bad.
 */
void store_report(struct file *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The reason of OpenSSL's last error, or fallback (static strings). */
const char *store_ssl_reason(const char *fallback);

/*
 * Adds one certificate, taking ownership of (der, len), read from (off,
 * n) of the file as kind (REC_*); what names it in a report.  A duplicate
 * is dropped silently: the same certificate in a bundle and on its own
 * is normal.  Returns 0, or -1 when memory ran out.
 */
int store_add_cert(struct file *f, unsigned char *der, size_t len, int kind,
		   off_t off, size_t n, const char *what);

/*
 * Adds certificate x (borrowed) as REC_PINNED, kept in memory, with its
 * alias (X509_alias_set1: PKCS#12's friendlyName) as its friendly name.
 * Returns 0 (problems reported), or -1 when memory ran out.
 */
int store_add_pinned(struct file *f, X509 *x, const char *what);

/*
 * Remembers a private key by md, the SHA-256 of its SPKI.  Returns 0, or
 * -1 when memory ran out.
 */
int store_add_key_md(struct file *f, const unsigned char md[32]);

/*
 * The SHA-256 of private key pk's SubjectPublicKeyInfo, in md: all that
 * pairing needs of it, so pk is freed at once.  Returns 0, or -1 after
 * reporting.
 */
int store_key_md(struct file *f, EVP_PKEY *pk, unsigned char md[32]);

/*
 * Remembers the public half of a private key and frees the key.
 * Returns 0 (problems reported) or -1 when memory ran out.
 */
int store_add_key(struct file *f, EVP_PKEY *pk);

/*
 * Moves the first len bytes of *buf (of *cap bytes, or NULL) to a new
 * buffer of ncap bytes, wiping and freeing the old one: not realloc,
 * which would leave what may be key text in freed memory.  Returns 0, or
 * -1 with nothing changed when memory ran out.
 */
int store_grow_wiping(unsigned char **buf, size_t *cap, size_t len,
		      size_t ncap);

/*
 * A copy of (p, len) that the caller frees with free(), or NULL:
 * OpenSSL allocates with OPENSSL_malloc, the store frees with free().
 */
unsigned char *store_dup_der(const unsigned char *p, size_t len);

/* walk.c */

/*
 * Reads more of the file into rd, growing the buffer when it is full (a
 * PEM block larger than a chunk) up to STORE_MAX_FILE.  Returns 0 (with
 * rd->eof set at the end), or -1 after reporting.
 */
int rd_fill(struct file *f, struct rd *rd);

/* pem.c */

/*
 * Every "-----BEGIN X-----" ... "-----END X-----" block of the file:
 * certificates and private keys are loaded, anything else (requests,
 * parameters, CRLs) is passed over.  The file is read in pieces; a
 * block cut at the end of a piece is read again whole.  Returns 0
 * (problems reported) or -1 when memory ran out.
 */
int pem_load(struct file *f, struct rd *rd);

/* pkcs7.c */

/*
 * A PKCS#7 bundle's DER (der, len): every certificate of its SignedData
 * is added, kept in memory (REC_PINNED), numbered on from *ncert.
 * Returns 0 (problems reported) or -1 when memory ran out.
 */
int pkcs7_load(struct file *f, const unsigned char *der, size_t len,
	       int *ncert);

/* clixmlstore.c */

/*
 * A PowerShell CLIXML document (buf, len) that clixml_sniff took: each
 * top-level object's RawData certificate is added, kept in memory
 * (REC_PINNED), with its FriendlyName.  A document that does not parse
 * is reported with its line and skipped, as is a RawData that is no
 * certificate.  Returns 0 (problems reported) or -1 when memory ran out.
 */
int clixml_store_load(struct file *f, const unsigned char *buf, size_t len);

/* pkcs12.c: PKCS#12, and the bound on key derivation pem.c uses too */

/*
 * PKCS#12 (RFC 7292): the MAC checked with the password we have, an empty
 * one or none, then every safe and bag read here rather than by
 * PKCS12_parse, so that each key derivation is bounded and taken from
 * the run's budget before it is made, and made once.  Returns 0
 * (problems reported) or -1 when memory ran out.
 */
int pkcs12_load(struct file *f, const unsigned char *buf, size_t len);

/*
 * The work an encryption algorithm asks of us: the iteration count of
 * PBES2/PBKDF2 or of a PKCS#5 v1.5 / PKCS#12 PBE, N * r * p for scrypt,
 * 0 for an algorithm that is not password-based.  The file chooses the
 * count, so a hostile key or PKCS#12 bag asking for 2^31 iterations
 * would keep us busy for a quarter of an hour or more: pbe_take bounds
 * it before the derivation.  Returns -1 when the parameters do not
 * decode or name no positive count (ASN1_INTEGER_get gives -1 for one
 * too large too): we cannot tell what OpenSSL would spend on them.
 */
long pbe_work(const X509_ALGOR *alg);

/*
 * Takes work iterations from the run's budget before a derivation that
 * costs them; what names it in a report ("private key 2: encryption").
 * Returns 0, or -1 after reporting a count above MAX_PBE_ITER or one that
 * would take the run (the whole store) over MAX_PBE_TOTAL.
 */
int pbe_take(struct file *f, long work, const char *what);

#endif
