/*
 * import: the connectors of Exchange's exports (certbind(1) import):
 * Get-ReceiveConnector or Get-SendConnector piped to Export-Clixml,
 * ConvertTo-Json or Export-Csv, read into a list of connectors with the
 * fields of certbind-connectors(5) each export carries.  The input is
 * hostile: every problem is collected with its line and the file fails
 * once.  Nothing here prints, writes or exits.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>

#include "connectors.h"

/* Refuse larger exports (certbind(1) import). */
#define IMPORT_MAX_FILE (32UL * 1024 * 1024)

enum import_format { IMPORT_CLIXML, IMPORT_JSON, IMPORT_CSV };

/* One connector of an export. */
struct import_conn {
	int   kind;   /* CONN_RECEIVE or CONN_SEND */
	char *server; /* receive: from Server or Identity; else NULL */
	char *name;
	char *identity; /* "server\name", or name */
	/* The fields the export carries, as conn_set takes them (booleans
	 * "true"/"false", lists joined with ", "); NULL: not carried. */
	char *v[CONN_NFIELDS];
	long  line; /* where the object starts */
};

struct import_file {
	char		   *path;
	enum import_format  format;
	struct import_conn *v;
	size_t		    n;
};

/* One problem, with the file and line (0: none) it is about. */
struct import_err {
	char *file;
	long  line;
	char *msg; /* lower case, no full stop */
};

struct import_errs {
	struct import_err *v;
	size_t		   n, cap;
	int		   nomem;
};

/*
 * Reads the export at path: a regular file of at most IMPORT_MAX_FILE
 * bytes whose format is told by its first character ('<' CLIXML, '[' or
 * '{' JSON, else CSV).  Returns 0 and *out (import_file_free), or -1
 * with the problems added to errs (which the caller zeroes first).
 */
int import_read(const char *path, struct import_file **out,
		struct import_errs *errs);

/* The same for bytes in memory, named label in messages. */
int import_read_mem(const char *label, const unsigned char *buf, size_t len,
		    struct import_file **out, struct import_errs *errs);

/*
 * Adds to errs every connector whose kind and identity (compared as
 * certbind compares identities, case-insensitively) repeat one before
 * it in files, naming both places.  Returns the number found.
 */
size_t import_check_duplicates(struct import_file *const *files, size_t n,
			       struct import_errs *errs);

void import_file_free(struct import_file *);
void import_errs_release(struct import_errs *);

#endif
