/*
 * connectors: the connector configuration (certbind-connectors(5)): loading
 * with libxml2 under a strict regime (connectors.c), the model, and
 * byte-exact editing (connedit.c).  Nothing here
 * prints or exits; every failure leaves a list of problems (struct
 * conn_errs) for the command layer to report.
 *
 * Text model: every string is NUL-terminated UTF-8 as libxml2 decoded
 * it (entity and character references resolved, CDATA unwrapped).  XML
 * 1.0 cannot carry U+0000 (libxml2 refuses "&#0;"), so C strings lose
 * nothing.  Values are not trimmed; they are as the file holds them.
 */
#ifndef CONNECTORS_H
#define CONNECTORS_H

#include <stddef.h>

/* Refuse larger files: a configuration is a few kilobytes. */
#define CONN_MAX_FILE (64UL * 1024 * 1024)
/* Stop collecting problems after this many (one more says so). */
#define CONN_MAX_ERRS 100

/* One problem with an input.  line is 0 when there is none. */
struct conn_err {
	long  line;
	char *msg; /* lower case, no full stop */
};

/* Every problem found, then the load fails once. */
struct conn_errs {
	char		*file;	    /* the path or label given to the load */
	int		 sys_errno; /* errno when reading failed, else 0 */
	struct conn_err *v;
	size_t		 n, cap;
};

#define CONN_UNSET (-1) /* a boolean that is absent */

/* What a connector is (certbind-connectors(5)): its element's name. */
enum { CONN_RECEIVE = 0, CONN_SEND = 1 };

/* Fields certbind sets, as bits (conn_edit_mask). */
#define CONN_F_FQDN	 0x1
#define CONN_F_TLSNAME	 0x2
#define CONN_F_ADVERTISE 0x4

struct conn_span; /* private: byte ranges in the file */

struct conn {
	int   kind;   /* CONN_RECEIVE or CONN_SEND */
	char *server; /* NULL when absent (always for a send connector) */
	char *name;
	char *identity;	 /* "server\name", or name without server */
	char *fqdn;	 /* NULL when absent; "" when empty */
	char *tls_name;	 /* NULL when absent; "" when empty */
	int   advertise; /* 0, 1 or CONN_UNSET */
	char *role;	 /* TransportRole; NULL when absent */
	char *auth;	 /* AuthMechanism; NULL when absent */
	int   port_2525; /* a Binding ends in ":2525" */
	/* TlsDomainCapabilities (receive): its text, or its child
	 * elements' texts joined with ", "; NULL when absent. */
	char *tls_domain_caps;
	/* Send connectors: CloudServicesMailEnabled, TlsDomain (NULL when
	 * absent), RequireTLS and Enabled; booleans 0, 1 or CONN_UNSET. */
	int   cloud;
	char *tls_domain;
	int   require_tls;
	int   enabled;
	/* For import's comparisons (conn_field_value): Bindings' Binding
	 * texts joined with ", ", TlsAuthLevel, and the lists SmartHosts,
	 * AddressSpaces and SourceTransportServers as tls_domain_caps;
	 * NULL when absent. */
	char *bindings;
	char *tls_auth_level;
	char *smart_hosts;
	char *address_spaces;
	char *source_servers;
	long  line;	/* of the connector's start tag */
	long  dup_line; /* another connector of its kind with the same
			   identity, or 0 (only a CONN_LOAD_DUPLICATES load
			   keeps such) */
	struct conn_span *span;
};

/* A loaded file: its exact bytes and its connectors in file order. */
struct conn_file {
	char	    *path;
	char	    *buf; /* the bytes as read, NUL-terminated */
	size_t	     len;
	struct conn *v;
	size_t	     n;
	/* Private (connedit.c): where the root element lies. */
	int    root_receive; /* <ReceiveConnectors> */
	int    root_empty;   /* written <Root/> */
	size_t root_tag;     /* '<' of its start tag */
	size_t root_tagend;  /* just after that tag's '>' */
	size_t root_insert;  /* after its last child or non-blank text */
};

/*
 * Reads and checks path: a regular file of at most CONN_MAX_FILE bytes,
 * UTF-8 (or ASCII) only, no <!DOCTYPE>, well-formed, valid against the
 * compiled-in schema, identities unique among the connectors of each
 * kind.  Returns 0 and *out (free with
 * conn_file_free), or -1 with every problem in errs (release with
 * conn_errs_release; errs is initialised here).
 */
int conn_load(const char *path, struct conn_file **out, struct conn_errs *errs);

/*
 * conn_load with flags: CONN_LOAD_DUPLICATES loads a file whose
 * identities repeat (validate reports them as failures); each repeated
 * connector's dup_line names another one.
 */
#define CONN_LOAD_DUPLICATES 0x1
int conn_load_flags(const char *path, int flags, struct conn_file **out,
		    struct conn_errs *errs);

/*
 * conn_load of the regular file open on fd (read from its current
 * offset; fd stays open); label names it in errs.
 */
int conn_load_fd(const char *label, int fd, struct conn_file **out,
		 struct conn_errs *errs);

/* The same for bytes in memory; label names them in errs. */
int conn_load_mem(const char *label, const char *buf, size_t len,
		  struct conn_file **out, struct conn_errs *errs);

void conn_file_free(struct conn_file *);
void conn_errs_release(struct conn_errs *);

/*
 * Matches the glob pattern (fold_glob) against the connector's Identity
 * and then its Name.  Returns 1 on a match, else 0.
 */
int conn_match(const char *pattern, const struct conn *);

/*
 * The values to set on one connector; NULL / CONN_UNSET leaves a field
 * alone.  Strings are UTF-8 without control characters.
 */
struct conn_edit {
	const char *fqdn;
	const char *tls_name;
	int	    advertise;
};

/* Sets every member of e to "leave alone". */
void conn_edit_init(struct conn_edit *e);

/*
 * The CONN_F_* fields that e would change on c: a value counts as
 * changed when it differs from the decoded current one (a field that is
 * absent always changes; "1" read as true is not changed by true).
 */
unsigned int conn_edit_mask(const struct conn *c, const struct conn_edit *e);

/*
 * The new file bytes with edits[i] applied to connector i (edits has
 * cf->n elements; NULL entries allowed).  Only fields conn_edit_mask
 * reports are touched: an element's content is replaced by the value
 * escaped by libxml2, <X/> becomes <X>value</X>, and a missing element
 * is added at the end of its connector, after a copy of the white space
 * that precedes the connector's last child element.  Every other byte is
 * kept.  An edit that sets advertise on a send connector is refused
 * (Set-SendConnector has no AdvertiseClientSettings).  The result is
 * loaded again (parse, schema, values) before it is returned.  Returns 0 with
 * *out (caller frees, NUL-terminated) and *outlen, or -1 with the problems in
 * errs (initialised here).
 */
int conn_apply(const struct conn_file *cf, const struct conn_edit *edits,
	       char **out, size_t *outlen, struct conn_errs *errs);

/*
 * Every field of certbind-connectors(5) that import sets, in the order
 * missing ones are added to a connector.  The first three are
 * CONN_F_FQDN, CONN_F_TLSNAME and CONN_F_ADVERTISE's.
 */
enum conn_field {
	CONN_FQDN,
	CONN_TLSNAME,
	CONN_ADVERTISE,
	CONN_ROLE,
	CONN_AUTH,
	CONN_BINDINGS,
	CONN_TLSDOMAINCAPS,
	CONN_CLOUD,
	CONN_TLSDOMAIN,
	CONN_TLSAUTHLEVEL,
	CONN_REQUIRETLS,
	CONN_SMARTHOSTS,
	CONN_ADDRESSSPACES,
	CONN_SOURCESERVERS,
	CONN_ENABLED,
	CONN_NFIELDS
};

/* The field's element name, e.g. "TlsCertificateName". */
const char *conn_field_name(enum conn_field);

/* 1 when a connector of kind (CONN_RECEIVE, CONN_SEND) may hold f. */
int conn_field_of_kind(enum conn_field f, int kind);

/* 1 when f is a boolean (written true/false). */
int conn_field_is_bool(enum conn_field f);

/*
 * The field's current value as import compares it: booleans "true" or
 * "false", lists (Bindings, TlsDomainCapabilities, SmartHosts, ...)
 * joined with ", ", else the text; NULL when absent.  Borrowed.
 */
const char *conn_field_value(const struct conn *c, enum conn_field f);

/*
 * import's changes: for each existing connector, the fields to set
 * (NULL: leave alone); for a new one, its kind, Server (receive; may be
 * NULL), Name and fields.  Booleans are "true"/"false"; a Bindings value
 * is its bindings joined with ", " and is written as one <Binding> per
 * value; other lists are written as that text.
 */
struct conn_set {
	const char *v[CONN_NFIELDS];
};

struct conn_new {
	int		kind;
	const char     *server;
	const char     *name;
	struct conn_set set;
};

/*
 * The new file bytes with sets[i] applied to connector i (sets has
 * cf->n elements, or is NULL) as conn_apply does (a field whose value
 * equals conn_field_value is not touched), and the adds appended at the
 * end of the root element, indented like the file's first connector
 * and its children (two and four spaces without one).  A send
 * connector in a <ReceiveConnectors> root, or a field its kind may not
 * hold, is refused.  The result is loaded again, schema included, and
 * every connector must read back with the values meant.  Returns 0 with
 * *out and *outlen, or -1 with errs (initialised here).
 */
int conn_merge(const struct conn_file *cf, const struct conn_set *sets,
	       const struct conn_new *adds, size_t nadds, char **out,
	       size_t *outlen, struct conn_errs *errs);

/* 1 when the file's root is <ReceiveConnectors>, else 0. */
int conn_root_is_receive(const struct conn_file *cf);

/* 1 when (buf, len) differs from the file's bytes, else 0. */
int conn_changed(const struct conn_file *cf, const char *buf, size_t len);

/* "Receive" or "Send", as the Kind field prints it. */
const char *conn_kind_name(const struct conn *);

/*
 * Is the connector a hybrid (cloud) connector (certbind-connectors(5)):
 * a send connector with CloudServicesMailEnabled true, or a receive
 * connector with a TlsDomainCapabilities that is not blank?  1 or 0.
 */
int conn_is_cloud(const struct conn *);

/*
 * Does the connector offer STARTTLS: AuthMechanism absent, or a
 * comma-separated list holding the token Tls in any case
 * (certbind-connectors(5))?  1 or 0.  A send connector: always 1 (the
 * question is a receive connector's).
 */
int conn_offers_tls(const struct conn *);

/*
 * Is the connector the server's "Default <Server>" HubTransport
 * connector (certbind-connectors(5)): Name "Default " and its Server,
 * in any case, and TransportRole HubTransport, or, with no
 * TransportRole, a Binding on port 2525?  1 or 0; 0 for a send
 * connector.
 */
int conn_is_default_hub(const struct conn *);

#endif
