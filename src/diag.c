#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "diag.h"
#include "safe.h"

static enum diag_level level = DIAG_NORMAL;

void
diag_set_level(enum diag_level l)
{
	level = l;
}

enum diag_level
diag_get_level(void)
{
	return level;
}

/*
 * The subject (a file name, a thumbprint) may come from a hostile
 * store: it is escaped so it cannot drive the terminal.
 */
static void emit(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
emit(const char *tag, const char *subject, const char *fmt, va_list ap)
{
	char   msg[2048], *line = NULL;
	size_t len = 0;
	FILE  *fp;

	/*
	 * Built whole, then written at once: stderr is unbuffered, and a
	 * line written in pieces interleaves with other programs' lines in
	 * a shared log (a renewal hook's, cron's).
	 */
	if ((fp = open_memstream(&line, &len)) == NULL)
		fp = stderr;
	fputs("certbind: ", fp);
	if (tag != NULL)
		fprintf(fp, "%s: ", tag);
	if (subject != NULL) {
		safe_fputs(subject, strlen(subject), fp);
		fputs(": ", fp);
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	safe_fputs(msg, strlen(msg), fp);
	fputc('\n', fp);
	if (fp != stderr) {
		if (fclose(fp) == 0)
			fwrite(line, 1, len, stderr);
		free(line);
	}
}

void
diag_err(const char *subject, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, subject, fmt, ap);
	va_end(ap);
}

char *
diag_ssl_reason(char *buf, unsigned long sz, const char *fallback)
{
	unsigned long e;
	const char   *r;

	e = ERR_get_error();
	/*
	 * A failed fopen is queued as a system error holding errno, for which
	 * OpenSSL has no reason string: say what the system says.
	 */
	if (e != 0 && ERR_SYSTEM_ERROR(e))
		r = strerror(ERR_GET_REASON(e));
	else
		r = e != 0 ? ERR_reason_error_string(e) : NULL;
	snprintf(buf, sz, "%s", r != NULL ? r : fallback);
	ERR_clear_error();
	return buf;
}

void
diag_ssl(const char *subject, const char *fmt, ...)
{
	va_list ap;
	char	msg[1024], why[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_ssl_reason(why, sizeof(why), "unknown error");
	diag_err(subject, "%s: %s", msg, why);
}

void
diag_warn(const char *subject, const char *fmt, ...)
{
	va_list ap;

	if (level < DIAG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("warning", subject, fmt, ap);
	va_end(ap);
}

void
diag_note(const char *subject, const char *fmt, ...)
{
	va_list ap;

	if (level < DIAG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("note", subject, fmt, ap);
	va_end(ap);
}

void
diag_verbose(const char *subject, const char *fmt, ...)
{
	va_list ap;

	if (level < DIAG_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(NULL, subject, fmt, ap);
	va_end(ap);
}
