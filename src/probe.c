/*
 * probe: the network side of `certbind probe` (certbind(1), PROBE).
 * Non-blocking sockets and poll() against one deadline for the whole
 * run, so that no server, however slow or silent, holds certbind longer
 * than --timeout.  The dialogues are the least each protocol allows:
 * SMTP EHLO, STARTTLS (RFC 3207); IMAP CAPABILITY, STARTTLS (RFC 3501
 * §6.2.1); POP3 CAPA, STLS (RFC 2595 §4, RFC 2449); after the handshake
 * QUIT or LOGOUT.  Nothing that authenticates is ever sent.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probe.h"
#include "safe.h"

/* At most this much of a server's line is quoted in a message. */
#define QUOTE_MAX 200

struct conn {
	int		     fd;
	SSL		    *ssl; /* after the handshake */
	struct timespec	     deadline;
	long		     timeout_ms;
	const char	    *stage;    /* "while waiting for the greeting" */
	int		     greeting; /* the first read of the session */
	char		     buf[PROBE_LINE_MAX];
	size_t		     len;
	char		     line[PROBE_LINE_MAX + 1]; /* without CR LF */
	size_t		     linelen;
	struct probe_result *res;
};

static int fail(struct conn *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets res->err; returns -1 for the caller to return. */
static int
fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->err, sizeof(c->res->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* The current line, escaped and quoted, cut at QUOTE_MAX bytes. */
static const char *
quoted(struct conn *c, char *out, size_t sz)
{
	char  *e;
	size_t n = c->linelen < QUOTE_MAX ? c->linelen : QUOTE_MAX;

	if ((e = safe_escape(c->line, n, NULL)) == NULL) {
		snprintf(out, sz, "(a line of %zu bytes)", c->linelen);
		return out;
	}
	snprintf(out, sz, "'%s'%s", e, n < c->linelen ? "..." : "");
	free(e);
	return out;
}

/* Milliseconds left before the deadline, 0 when it has passed. */
static long
remaining(const struct conn *c)
{
	struct timespec now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	     (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (long)ms : 0;
}

static int
timed_out(struct conn *c)
{
	char secs[32];

	if (c->timeout_ms % 1000 == 0)
		snprintf(secs, sizeof(secs), "%ld s", c->timeout_ms / 1000);
	else
		snprintf(secs, sizeof(secs), "%.3f s",
			 (double)c->timeout_ms / 1000);
	if (c->greeting && c->len == 0)
		return fail(c,
			    "timed out after %s %s: it sent nothing (TLS "
			    "from the first byte? --starttls none)",
			    secs, c->stage);
	if (c->len > 0)
		return fail(c,
			    "timed out after %s %s: it sent %zu bytes "
			    "without a line end",
			    secs, c->stage, c->len);
	return fail(c, "timed out after %s %s", secs, c->stage);
}

/* Waits until fd is ready for events or the deadline passes. */
static int
wait_fd(struct conn *c, short events)
{
	struct pollfd p;
	long	      ms;
	int	      r;

	for (;;) {
		if ((ms = remaining(c)) == 0)
			return timed_out(c);
		p.fd = c->fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, ms > 1000000 ? 1000000 : (int)ms);
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return fail(c, "poll: %s", strerror(errno));
	}
}

/* A TLS record header (handshake or alert) where text was expected. */
static int
looks_tls(const char *b, size_t len)
{
	return len >= 2 && (b[0] == 0x16 || b[0] == 0x15) && b[1] == 0x03;
}

/*
 * Reads one line into c->line (CR LF or LF removed).  A line of
 * PROBE_LINE_MAX bytes or more, an end of the connection, TLS where the
 * greeting was expected, or the deadline is a failure.
 */
static int
read_line(struct conn *c)
{
	char   *nl;
	size_t	n;
	ssize_t r;

	for (;;) {
		if (c->greeting && looks_tls(c->buf, c->len))
			return fail(c,
				    "answered in TLS %s, where a plaintext "
				    "greeting was expected (TLS from the first "
				    "byte? --starttls none)",
				    c->stage);
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = nl - c->buf;
			memcpy(c->line, c->buf, n);
			if (n > 0 && c->line[n - 1] == '\r')
				n--;
			c->line[n] = '\0';
			c->linelen = n;
			c->len -= nl + 1 - c->buf;
			memmove(c->buf, nl + 1, c->len);
			c->greeting = 0;
			return 0;
		}
		if (c->len == sizeof(c->buf))
			return fail(c,
				    "sent a line longer than %d bytes %s: "
				    "not the protocol",
				    PROBE_LINE_MAX, c->stage);
		if (wait_fd(c, POLLIN) == -1)
			return -1;
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (r == -1 && errno == ECONNRESET)
			return fail(c, "closed the connection (reset) %s",
				    c->stage);
		if (r == -1)
			return fail(c, "%s %s", strerror(errno), c->stage);
		if (r == 0)
			return c->len == 0
				   ? fail(c, "closed the connection %s",
					  c->stage)
				   : fail(c,
					  "closed the connection in the "
					  "middle of a line %s",
					  c->stage);
		c->len += r;
	}
}

/* Sends the NUL-terminated s, which certbind wrote, in plaintext. */
static int
send_str(struct conn *c, const char *s)
{
	size_t	off = 0, len = strlen(s);
	ssize_t r;

	while (off < len) {
		if (wait_fd(c, POLLOUT) == -1)
			return -1;
		r = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (r == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (r == -1)
			return fail(c, "cannot send: %s %s", strerror(errno),
				    c->stage);
		off += r;
	}
	return 0;
}

/* 1 when the space-separated words of (s, len) include w (any case). */
static int
has_word(const char *s, size_t len, const char *w)
{
	size_t i = 0, j, wl = strlen(w);

	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (j - i == wl && strncasecmp(s + i, w, wl) == 0)
			return 1;
		i = j;
	}
	return 0;
}

/* 1 when the line begins with p (any case). */
static int
starts(const struct conn *c, const char *p)
{
	size_t n = strlen(p);

	return c->linelen >= n && strncasecmp(c->line, p, n) == 0;
}

/*
 * Nothing may follow the server's yes to STARTTLS before the TLS
 * handshake: bytes read early would be taken as said over TLS
 * (the STARTTLS command injection of CVE-2011-0411).
 */
static int
nothing_buffered(struct conn *c, const char *cmd)
{
	if (c->len > 0)
		return fail(c,
			    "sent %zu bytes of plaintext after its yes to %s, "
			    "before TLS began",
			    c->len, cmd);
	return 0;
}

/*
 * One SMTP reply (RFC 5321 §4.2): lines "NNN-text" until "NNN text" or
 * "NNN", the same code on every line.  *code is the code, c->line the
 * last line.  With starttls, sets *starttls when a line's first word
 * after the code is STARTTLS (an EHLO keyword).
 */
static int
smtp_reply(struct conn *c, int *code, int *starttls)
{
	char q[QUOTE_MAX * 4 + 16];
	int  n, k;

	for (n = 0;; n++) {
		if (n == PROBE_LINES_MAX)
			return fail(c,
				    "sent a reply of more than %d lines %s: "
				    "not the protocol",
				    PROBE_LINES_MAX, c->stage);
		if (read_line(c) == -1)
			return -1;
		if (c->linelen < 3 || !isdigit((unsigned char)c->line[0]) ||
		    !isdigit((unsigned char)c->line[1]) ||
		    !isdigit((unsigned char)c->line[2]) ||
		    (c->linelen > 3 && c->line[3] != '-' && c->line[3] != ' '))
			return fail(c, "broke the SMTP protocol %s: %s",
				    c->stage, quoted(c, q, sizeof(q)));
		k = (c->line[0] - '0') * 100 + (c->line[1] - '0') * 10 +
		    (c->line[2] - '0');
		if (n > 0 && k != *code)
			return fail(c,
				    "broke the SMTP protocol %s: a reply line "
				    "with code %d after %d: %s",
				    c->stage, k, *code,
				    quoted(c, q, sizeof(q)));
		*code = k;
		if (starttls != NULL && c->linelen > 4) {
			const char *w = c->line + 4;
			size_t	    wl = strcspn(w, " ");

			if (wl == 8 && strncasecmp(w, "STARTTLS", 8) == 0)
				*starttls = 1;
		}
		if (c->linelen == 3 || c->line[3] == ' ')
			return 0;
	}
}

/* The EHLO argument: our address literal (RFC 5321 §4.1.3). */
static void
ehlo_name(struct conn *c, char *out, size_t sz)
{
	struct sockaddr_storage ss;
	socklen_t		sl = sizeof(ss);
	char			a[INET6_ADDRSTRLEN];

	snprintf(out, sz, "[127.0.0.1]");
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a,
		      sizeof(a)) != NULL)
		snprintf(out, sz, "[%s]", a);
	else if (ss.ss_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			   a, sizeof(a)) != NULL)
		snprintf(out, sz, "[IPv6:%s]", a);
}

static int
smtp_starttls(struct conn *c)
{
	char q[QUOTE_MAX * 4 + 16], ehlo[INET6_ADDRSTRLEN + 16];
	char cmd[sizeof(ehlo) + 16];
	int  code = 0, tls = 0;

	c->stage = "while waiting for the greeting";
	c->greeting = 1;
	if (smtp_reply(c, &code, NULL) == -1)
		return -1;
	if (code != 220)
		return fail(c, "refused the session: its greeting is %s",
			    quoted(c, q, sizeof(q)));
	ehlo_name(c, ehlo, sizeof(ehlo));
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", ehlo);
	c->stage = "while waiting for the EHLO reply";
	if (send_str(c, cmd) == -1 || smtp_reply(c, &code, &tls) == -1)
		return -1;
	if (code != 250)
		return fail(c, "refused EHLO: %s", quoted(c, q, sizeof(q)));
	if (!tls)
		return fail(c, "does not offer STARTTLS (its EHLO reply "
			       "lists no STARTTLS)");
	c->stage = "while waiting for the STARTTLS reply";
	if (send_str(c, "STARTTLS\r\n") == -1 ||
	    smtp_reply(c, &code, NULL) == -1)
		return -1;
	if (code != 220)
		return fail(c, "refused STARTTLS: %s", quoted(c, q, sizeof(q)));
	return nothing_buffered(c, "STARTTLS");
}

/*
 * Reads IMAP responses until the one tagged tag (RFC 3501 §2.2.2),
 * at most PROBE_LINES_MAX lines.  With capa, sets *capa when an
 * untagged CAPABILITY response lists STARTTLS.  Returns 0 with c->line
 * the tagged line, or -1.
 */
static int
imap_tagged(struct conn *c, const char *tag, int *capa)
{
	char   q[QUOTE_MAX * 4 + 16];
	size_t tl = strlen(tag);
	int    n;

	for (n = 0; n < PROBE_LINES_MAX; n++) {
		if (read_line(c) == -1)
			return -1;
		if (c->linelen > tl && strncmp(c->line, tag, tl) == 0 &&
		    c->line[tl] == ' ')
			return 0;
		if (!starts(c, "* "))
			return fail(c, "broke the IMAP protocol %s: %s",
				    c->stage, quoted(c, q, sizeof(q)));
		if (capa != NULL && starts(c, "* CAPABILITY ") &&
		    has_word(c->line + 13, c->linelen - 13, "STARTTLS"))
			*capa = 1;
	}
	return fail(c, "sent more than %d lines %s: not the protocol",
		    PROBE_LINES_MAX, c->stage);
}

static int
imap_starttls(struct conn *c)
{
	char q[QUOTE_MAX * 4 + 16];
	int  tls = 0;

	c->stage = "while waiting for the greeting";
	c->greeting = 1;
	if (read_line(c) == -1)
		return -1;
	if (starts(c, "* PREAUTH"))
		return fail(c, "greeted with PREAUTH, after which STARTTLS "
			       "is not allowed");
	if (starts(c, "* BYE"))
		return fail(c, "refused the session: %s",
			    quoted(c, q, sizeof(q)));
	if (!starts(c, "* OK"))
		return fail(c, "broke the IMAP protocol %s: %s", c->stage,
			    quoted(c, q, sizeof(q)));
	c->stage = "while waiting for the CAPABILITY reply";
	if (send_str(c, "a1 CAPABILITY\r\n") == -1 ||
	    imap_tagged(c, "a1", &tls) == -1)
		return -1;
	if (!starts(c, "a1 OK"))
		return fail(c, "refused CAPABILITY: %s",
			    quoted(c, q, sizeof(q)));
	if (!tls)
		return fail(c, "does not offer STARTTLS (its CAPABILITY "
			       "lists no STARTTLS)");
	c->stage = "while waiting for the STARTTLS reply";
	if (send_str(c, "a2 STARTTLS\r\n") == -1 ||
	    imap_tagged(c, "a2", NULL) == -1)
		return -1;
	if (!starts(c, "a2 OK"))
		return fail(c, "refused STARTTLS: %s", quoted(c, q, sizeof(q)));
	return nothing_buffered(c, "STARTTLS");
}

static int
pop3_starttls(struct conn *c)
{
	char q[QUOTE_MAX * 4 + 16];
	int  n, tls = 0, capa = 1;

	c->stage = "while waiting for the greeting";
	c->greeting = 1;
	if (read_line(c) == -1)
		return -1;
	if (starts(c, "-ERR"))
		return fail(c, "refused the session: %s",
			    quoted(c, q, sizeof(q)));
	if (!starts(c, "+OK"))
		return fail(c, "broke the POP3 protocol %s: %s", c->stage,
			    quoted(c, q, sizeof(q)));
	c->stage = "while waiting for the CAPA reply";
	if (send_str(c, "CAPA\r\n") == -1 || read_line(c) == -1)
		return -1;
	if (starts(c, "-ERR"))
		capa = 0; /* CAPA is younger than STLS: try STLS anyway */
	else if (!starts(c, "+OK"))
		return fail(c, "broke the POP3 protocol %s: %s", c->stage,
			    quoted(c, q, sizeof(q)));
	for (n = 0; capa; n++) {
		if (n == PROBE_LINES_MAX)
			return fail(c,
				    "sent more than %d lines %s: not the "
				    "protocol",
				    PROBE_LINES_MAX, c->stage);
		if (read_line(c) == -1)
			return -1;
		if (c->linelen == 1 && c->line[0] == '.')
			break;
		if (c->linelen >= 4 && strncasecmp(c->line, "STLS", 4) == 0 &&
		    (c->linelen == 4 || c->line[4] == ' '))
			tls = 1;
	}
	if (capa && !tls)
		return fail(c, "does not offer STLS (its CAPA reply lists no "
			       "STLS)");
	c->stage = "while waiting for the STLS reply";
	if (send_str(c, "STLS\r\n") == -1 || read_line(c) == -1)
		return -1;
	if (starts(c, "-ERR"))
		return fail(c, "refused STLS: %s", quoted(c, q, sizeof(q)));
	if (!starts(c, "+OK"))
		return fail(c, "broke the POP3 protocol %s: %s", c->stage,
			    quoted(c, q, sizeof(q)));
	return nothing_buffered(c, "STLS");
}

/* An address to try, as the resolver child hands it over. */
struct addr {
	int			family; /* AF_INET, AF_INET6; -1: an error */
	int			gai;	/* the getaddrinfo error, with -1 */
	socklen_t		len;
	struct sockaddr_storage ss;
};

/* At most this many addresses of a name are tried. */
#define ADDRS_MAX 16

/*
 * The resolver child: getaddrinfo, then the addresses (or the error) as
 * struct addr records on fd.  Never returns.
 */
static void __attribute__((noreturn))
resolve_child(int fd, const char *host, const char *serv,
	      const struct addrinfo *hints)
{
	struct addrinfo *ai = NULL, *p;
	struct addr	 a;
	int		 n = 0, r;

	memset(&a, 0, sizeof(a));
	if ((r = getaddrinfo(host, serv, hints, &ai)) != 0) {
		a.family = -1;
		a.gai = r;
		(void)!write(fd, &a, sizeof(a));
		_exit(0);
	}
	for (p = ai; p != NULL && n < ADDRS_MAX; p = p->ai_next) {
		if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) ||
		    p->ai_addrlen > sizeof(a.ss))
			continue;
		memset(&a, 0, sizeof(a));
		a.family = p->ai_family;
		a.len = p->ai_addrlen;
		memcpy(&a.ss, p->ai_addr, p->ai_addrlen);
		if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
			break;
		n++;
	}
	_exit(0);
}

/*
 * The addresses of host, at most ADDRS_MAX, into v.  An address literal
 * is converted here; a name is resolved by a child process, as
 * acme-client's dnsproc does, so that a resolver that does not answer is
 * bounded by the deadline too (the child is killed then) and leaves
 * nothing behind in this process.
 */
static int
resolve(struct conn *c, const char *host, unsigned short port, struct addr *v,
	size_t *n)
{
	struct addrinfo hints, *ai = NULL;
	unsigned char	a[16];
	char		serv[8];
	size_t		got = 0;
	ssize_t		r;
	pid_t		pid;
	int		fds[2], e, rc = -1;

	*n = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", port);
	if (inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1) {
		hints.ai_flags |= AI_NUMERICHOST;
		if ((e = getaddrinfo(host, serv, &hints, &ai)) != 0)
			return fail(c, "cannot use the address: %s",
				    gai_strerror(e));
		if (ai->ai_addrlen <= sizeof(v[0].ss)) {
			v[0].family = ai->ai_family;
			v[0].len = ai->ai_addrlen;
			memcpy(&v[0].ss, ai->ai_addr, ai->ai_addrlen);
			*n = 1;
		}
		freeaddrinfo(ai);
		return 0;
	}
	if (pipe2(fds, O_CLOEXEC) == -1)
		return fail(c, "pipe: %s", strerror(errno));
	if ((pid = fork()) == -1) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		return fail(c, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		resolve_child(fds[1], host, serv, &hints);
	}
	close(fds[1]);
	c->fd = fds[0];
	for (;;) {
		if (wait_fd(c, POLLIN) == -1)
			goto out;
		r = read(fds[0], (char *)v + got, ADDRS_MAX * sizeof(*v) - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
		if (got == ADDRS_MAX * sizeof(*v))
			break;
	}
	*n = got / sizeof(*v);
	if (*n > 0 && v[0].family == -1) {
		fail(c, "cannot resolve the name: %s", gai_strerror(v[0].gai));
		goto out;
	}
	if (*n == 0) {
		fail(c, "cannot resolve the name: no address");
		goto out;
	}
	rc = 0;
out:
	close(fds[0]);
	c->fd = -1;
	if (rc == -1)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	return rc;
}

/* Connects to the first address of host that accepts, before the deadline. */
static int
connect_host(struct conn *c, const char *host, unsigned short port)
{
	struct addr v[ADDRS_MAX];
	socklen_t   sl;
	size_t	    i, n;
	int	    err = 0, e;

	if (resolve(c, host, port, v, &n) == -1)
		return -1;
	c->stage = "while connecting";
	for (i = 0; i < n; i++) {
		c->fd = socket(v[i].family,
			       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd == -1) {
			err = errno;
			continue;
		}
		if (connect(c->fd, (struct sockaddr *)&v[i].ss, v[i].len) == 0)
			break;
		if (errno == EINPROGRESS) {
			if (wait_fd(c, POLLOUT) == -1)
				return -1;
			sl = sizeof(e);
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl) ==
			    -1)
				e = errno;
			if (e == 0)
				break;
			err = e;
		} else
			err = errno;
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd == -1)
		return fail(c, "cannot connect: %s",
			    strerror(err ? err : EHOSTUNREACH));
	return 0;
}

/* Why a TLS call failed, from OpenSSL's queue, which is drained. */
static int
tls_fail(struct conn *c, int sslerr, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char   *reason;
	int	      r = ERR_GET_REASON(e);

	ERR_clear_error();
	if ((sslerr == SSL_ERROR_SYSCALL && e == 0 && errno == 0) ||
	    sslerr == SSL_ERROR_ZERO_RETURN ||
	    (e != 0 && r == SSL_R_UNEXPECTED_EOF_WHILE_READING))
		return fail(c, "closed the connection %s", what);
	if (sslerr == SSL_ERROR_SYSCALL && e == 0 && errno == ECONNRESET)
		return fail(c, "closed the connection (reset) %s", what);
	if (sslerr == SSL_ERROR_SYSCALL && e == 0)
		return fail(c, "%s %s", strerror(errno), what);
	if ((reason = ERR_reason_error_string(e)) == NULL)
		reason = "unknown error";
	if (r == SSL_R_WRONG_VERSION_NUMBER ||
	    r == SSL_R_PACKET_LENGTH_TOO_LONG || r == SSL_R_UNKNOWN_PROTOCOL)
		return fail(c, "did not answer in TLS %s (%s)", what, reason);
	return fail(c, "TLS handshake failed: %s", reason);
}

static int
handshake(struct conn *c, SSL_CTX *ctx, const char *sni)
{
	int r, e;

	c->stage = "in the TLS handshake";
	if ((c->ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(c->ssl, c->fd) ||
	    (sni != NULL && !SSL_set_tlsext_host_name(c->ssl, sni))) {
		ERR_clear_error();
		return fail(c, "cannot set up TLS");
	}
	for (;;) {
		errno = 0;
		if ((r = SSL_connect(c->ssl)) == 1)
			return 0;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			if (wait_fd(c, POLLIN) == -1)
				return -1;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(c, POLLOUT) == -1)
				return -1;
		} else
			return tls_fail(c, e, "in the TLS handshake");
	}
}

/* The chain, version and cipher the handshake gave. */
static int
take_chain(struct conn *c)
{
	struct probe_result *res = c->res;
	STACK_OF(X509) * sk;
	const SSL_CIPHER *ci;
	unsigned char	 *p;
	int		  i, n, len;

	sk = SSL_get_peer_cert_chain(c->ssl);
	if (sk == NULL || (n = sk_X509_num(sk)) <= 0)
		return fail(c, "presented no certificate");
	if (n > PROBE_CHAIN_MAX)
		n = PROBE_CHAIN_MAX;
	if ((res->chain = calloc(n, sizeof(*res->chain))) == NULL)
		return fail(c, "out of memory");
	for (i = 0; i < n; i++) {
		if ((len = i2d_X509(sk_X509_value(sk, i), NULL)) <= 0 ||
		    (res->chain[i].der = malloc(len)) == NULL) {
			ERR_clear_error();
			return fail(c, "cannot encode the certificate");
		}
		p = res->chain[i].der;
		res->chain[i].len = i2d_X509(sk_X509_value(sk, i), &p);
		res->nchain++;
	}
	snprintf(res->version, sizeof(res->version), "%s",
		 SSL_get_version(c->ssl));
	ci = SSL_get_current_cipher(c->ssl);
	snprintf(res->cipher, sizeof(res->cipher), "%s",
		 ci != NULL ? SSL_CIPHER_get_name(ci) : "");
	return 0;
}

/*
 * QUIT or LOGOUT over TLS and a close_notify, as a courtesy: bounded by
 * the deadline, and its failure changes nothing (what was asked is
 * known).
 */
static void
goodbye(struct conn *c, const char *cmd)
{
	int r, e, len = (int)strlen(cmd);

	for (; len > 0;) {
		if ((r = SSL_write(c->ssl, cmd, len)) > 0)
			break;
		e = SSL_get_error(c->ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) ==
			-1)
			break;
	}
	SSL_shutdown(c->ssl);
	ERR_clear_error();
	c->res->err[0] = '\0';
}

int
probe_run(const struct probe_req *req, struct probe_result *res)
{
	struct conn *c;
	SSL_CTX	    *ctx = NULL;
	int	     rc = -1;

	memset(res, 0, sizeof(*res));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		return -1;
	}
	c->fd = -1;
	c->res = res;
	c->timeout_ms = req->timeout_ms;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += req->timeout_ms / 1000;
	c->deadline.tv_nsec += (req->timeout_ms % 1000) * 1000000;
	if (c->deadline.tv_nsec >= 1000000000) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000;
	}
	c->stage = "while resolving the name";
	if (connect_host(c, req->host, req->port) == -1)
		goto out;
	switch (req->proto) {
	case PROBE_SMTP:
		if (smtp_starttls(c) == -1)
			goto out;
		break;
	case PROBE_IMAP:
		if (imap_starttls(c) == -1)
			goto out;
		break;
	case PROBE_POP3:
		if (pop3_starttls(c) == -1)
			goto out;
		break;
	case PROBE_TLS:
		break;
	default:
		fail(c, "unknown protocol");
		goto out;
	}
	/*
	 * No verification here: the caller judges the chain (Chain), so a
	 * chain it would refuse must still be seen.  Security level 0 lets
	 * a weak key through for the same reason (Key judges it); nothing
	 * secret is ever sent over this connection.
	 */
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ERR_clear_error();
		fail(c, "cannot set up TLS");
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_security_level(ctx, 0);
	if (handshake(c, ctx, req->sni) == -1 || take_chain(c) == -1)
		goto out;
	switch (req->proto) {
	case PROBE_SMTP:
	case PROBE_POP3:
		goodbye(c, "QUIT\r\n");
		break;
	case PROBE_IMAP:
		goodbye(c, "a3 LOGOUT\r\n");
		break;
	default:
		goodbye(c, ""); /* TLS alone: the close_notify */
		break;
	}
	rc = 0;
out:
	if (rc == -1)
		probe_result_release(res);
	SSL_free(c->ssl);
	SSL_CTX_free(ctx);
	if (c->fd != -1)
		close(c->fd);
	free(c);
	ERR_clear_error();
	return rc;
}

void
probe_result_release(struct probe_result *res)
{
	size_t i;

	for (i = 0; res->chain != NULL && i < res->nchain; i++)
		free(res->chain[i].der);
	free(res->chain);
	res->chain = NULL;
	res->nchain = 0;
}

const char *
probe_proto_name(enum probe_proto p)
{
	switch (p) {
	case PROBE_SMTP:
		return "smtp";
	case PROBE_IMAP:
		return "imap";
	case PROBE_POP3:
		return "pop3";
	case PROBE_TLS:
		return "none";
	default:
		return "?";
	}
}
