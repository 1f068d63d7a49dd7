/*
 * diag: every message certbind writes to stderr goes through here, so
 * -q and -v are handled in one place.  Messages read
 * "certbind: SUBJECT: what is wrong", lower case, no full stop.
 */
#ifndef DIAG_H
#define DIAG_H

enum diag_level {
	DIAG_QUIET = -1, /* errors only */
	DIAG_NORMAL = 0, /* errors, warnings, notes */
	DIAG_VERBOSE = 1 /* and progress detail */
};

void		diag_set_level(enum diag_level);
enum diag_level diag_get_level(void);

/* An error: always printed.  subject may be NULL (then omitted). */
void diag_err(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An error followed by OpenSSL's first queued reason; drains the queue. */
void diag_ssl(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A warning: "certbind: warning: SUBJECT: ..."; hidden by -q. */
void diag_warn(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A note the user should see, e.g. about input we corrected; hidden by -q. */
void diag_note(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Detail shown only with -v. */
void diag_verbose(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Writes into buf (size sz) the first reason in OpenSSL's error queue,
 * or fallback when it is empty, and drains the queue.  Returns buf.
 */
char *diag_ssl_reason(char *buf, unsigned long sz, const char *fallback);

#endif
