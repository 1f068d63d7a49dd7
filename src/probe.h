/*
 * probe: connect to a live mail server, speak its STARTTLS dialogue
 * (SMTP, IMAP, POP3) or TLS from the first byte, and return the
 * certificate chain it presents, with the TLS version and cipher
 * (certbind(1), PROBE).  The server is hostile: one deadline bounds the
 * whole run, every line and reply is bounded, and nothing it sends is
 * trusted or printed raw.  Nothing here prints; a failure leaves a
 * one-line description, the server's words in it escaped.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>

enum probe_proto { PROBE_SMTP, PROBE_IMAP, PROBE_POP3, PROBE_TLS };

/* A reply line longer than this is a protocol error. */
#define PROBE_LINE_MAX 4096
/* A reply (SMTP continuation lines, IMAP untagged, POP3 CAPA) longer
 * than this many lines is a protocol error. */
#define PROBE_LINES_MAX 100
/* At most this many certificates of a presented chain are kept. */
#define PROBE_CHAIN_MAX 32

struct probe_req {
	const char	*host; /* a name or an address, without brackets */
	unsigned short	 port;
	enum probe_proto proto;
	const char	*sni;	     /* server name to send, or NULL */
	long		 timeout_ms; /* for the whole run, > 0 */
};

/* One presented certificate, DER. */
struct probe_cert {
	unsigned char *der; /* owned */
	size_t	       len;
};

struct probe_result {
	struct probe_cert *chain; /* as presented, the leaf first */
	size_t		   nchain;
	char		   version[32]; /* "TLSv1.3" */
	char		   cipher[128]; /* "TLS_AES_256_GCM_SHA384" */
	char		   err[1024];	/* what went wrong, when -1 */
};

/*
 * Connects to req->host:req->port, runs the dialogue of req->proto, the
 * TLS handshake (the server's certificate is not verified here: the
 * caller judges it), then says QUIT / LOGOUT and closes.  It never
 * authenticates.  Returns 0 with res filled (nchain >= 1; release with
 * probe_result_release), or -1 with res->err saying what failed and what
 * the server said (escaped).  The caller ignores SIGPIPE: the plaintext
 * writes use MSG_NOSIGNAL, but OpenSSL's socket writes can raise it.
 */
int  probe_run(const struct probe_req *req, struct probe_result *res);
void probe_result_release(struct probe_result *);

/* "smtp", "imap", "pop3", "none". */
const char *probe_proto_name(enum probe_proto);

#endif
