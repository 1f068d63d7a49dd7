/*
 * store: the certificate store of certbind(1) THE STORE.  Walks files and
 * directories (following links without looping, skipping hidden
 * entries), sniffs each file by content (PEM, DER, PKCS#7, PKCS#12, CLIXML),
 * keeps each certificate once (by SHA-1) and pairs private keys with
 * certificates by public key across the whole store.  Key material is hashed
 * and freed at once; it is never kept.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "thumb.h"

struct store;

/*
 * How a store is read.  report is called once for every file that is
 * skipped, with the path and what is wrong (lower case, no full stop);
 * the store never prints.  password (may be NULL) is borrowed: the
 * caller wipes it after the last store_add_path.
 */
struct store_opts {
	const char *password;
	size_t	    passlen;
	void (*report)(void *arg, const char *path, const char *msg);
	void *arg;
	/*
	 * Optional: called once for every certificate added, with its index
	 * and the whole certificate (borrowed, for this call only), so that
	 * a caller can take what it needs from all of them without the
	 * store reading each one again (sel_index_add).
	 */
	void (*each)(void *each_arg, size_t i, struct cert *c);
	void *each_arg;
	/*
	 * Optional: called, like report, for a file passed over because it
	 * is none of the store's concern (plain text without a certificate
	 * marker, certbind(1) THE STORE); not a problem, so -v shows it.
	 */
	void (*note)(void *arg, const char *path, const char *msg);
};

/*
 * Files larger than this are refused ("file too large"), except PEM
 * files, which are read in pieces: there it bounds one PEM block.
 */
#define STORE_MAX_FILE (64UL * 1024 * 1024)

struct store *store_new(void);
void	      store_free(struct store *);

/*
 * Adds every certificate and key under path.  Problems with single files
 * are reported and skipped.  Password-based key derivation is bounded
 * for each derivation and for all of the store's together, over every
 * store_add_path (certbind(1), THE STORE): a file past the budget is
 * reported and skipped.  Returns 0, or -1 when path itself cannot be
 * read (reported too) or memory ran out.  The report function and its
 * arg are kept for store_get0, so arg must outlive the store.
 */
int store_add_path(struct store *, const char *path, const struct store_opts *);

/*
 * The keys of certificate i's Subject and Issuer (cert_name_key), taken
 * while it loaded, so that Chain's index needs no certificate read
 * again.  Returns which are valid: STORE_KEY_SUBJECT | STORE_KEY_ISSUER.
 */
#define STORE_KEY_SUBJECT 1
#define STORE_KEY_ISSUER  2
int store_name_keys(const struct store *, size_t i, uint64_t *sub,
		    uint64_t *iss);

/* Pairs keys with certificates; call once after the last add. */
void store_finish(struct store *);

size_t store_count(const struct store *);
/*
 * Certificate i, in walk order.  The store keeps only a compact record
 * of each certificate (hashes, dates, where it was read) and reads the
 * certificate again on first use; the pointer stays valid until
 * store_forget(i) or store_free.  If the file changed or vanished since
 * loading, that is reported and an empty certificate (derlen 0, empty
 * spans, the recorded SHA-1, dates and path) is returned instead.
 * NULL only when i is out of range or memory ran out.
 */
struct cert *store_get0(const struct store *, size_t i);
/*
 * Frees what store_get0(i) loaded (a command walking a large store
 * calls it after each certificate, to keep memory flat); the next
 * store_get0(i) reads it again.
 */
void store_forget(struct store *, size_t i);
/*
 * 1 when certificate i is loaded now (store_get0 would not read it
 * again), so that a pass over the store can forget what it loaded
 * itself and leave alone what others hold.
 */
int store_loaded(const struct store *, size_t i);
/* Number of private keys seen. */
size_t store_key_count(const struct store *);
/*
 * 1 when the certificate with this SHA-1 is in the store and was read from
 * a PKCS#12 file, else 0 (certbind(1) CHECKS, Chain: a PFX exported without
 * its chain).
 */
int store_from_pkcs12(const struct store *, const unsigned char sha1[20]);

/*
 * The certificates a thumbprint selects: exact SHA-1 or SHA-256, or a
 * prefix of the SHA-1 (or, when no SHA-1 has it, of the SHA-256).  At
 * most max are stored in out (loaded as by store_get0); returns how many
 * matched in all, or -1 when memory ran out.
 */
long store_find(struct store *, const struct thumb *, struct cert **out,
		size_t max);

#endif
