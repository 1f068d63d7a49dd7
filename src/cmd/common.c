/*
 * What the commands share: loading the store with the passphrase,
 * finding a certificate by thumbprint, a certificate as output.
 */
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cert.h"
#include "checks.h"
#include "cmd.h"
#include "connectors.h"
#include "diag.h"
#include "output.h"
#include "safe.h"
#include "select.h"
#include "store.h"
#include "thumb.h"

#define MAX_PASSWORD 1024

static void
report(void *arg, const char *path, const char *msg)
{
	diag_err(path, "%s", msg);
}

static void
note(void *arg, const char *path, const char *msg)
{
	diag_verbose(path, "%s", msg);
}

/*
 * The passphrase from --password-file (its first line, without a
 * leading UTF-8 byte order mark) or, failing
 * that, $CERTBIND_PASSWORD, whose value is then wiped from the
 * environment.  Returns 0 with *pw NULL when there is none, 0 with a
 * buffer the caller cleanses and frees, or -1 after reporting.
 */
static int
read_password(char **pw, size_t *len)
{
	struct stat sb;
	char	   *buf = NULL, *env;
	ssize_t	    r;
	size_t	    n = 0;
	int	    fd = -1, rc = -1, full;

	*pw = NULL;
	*len = 0;
	if (g.password_file == NULL) {
		if ((env = getenv("CERTBIND_PASSWORD")) == NULL)
			return 0;
		n = strlen(env);
		if ((*pw = malloc(n + 1)) == NULL)
			return -1;
		memcpy(*pw, env, n + 1);
		*len = n;
		OPENSSL_cleanse(env, n);
		unsetenv("CERTBIND_PASSWORD");
		return 0;
	}
	if ((fd = open(g.password_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) ==
		-1 ||
	    fstat(fd, &sb) == -1) {
		diag_err(g.password_file, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		diag_err(g.password_file, "not a regular file");
		goto out;
	}
	if ((buf = malloc(MAX_PASSWORD + 1)) == NULL)
		goto out;
	while (n < MAX_PASSWORD + 1) {
		r = read(fd, buf + n, MAX_PASSWORD + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			diag_err(g.password_file, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	/* Notepad starts a UTF-8 file with a BOM: not the passphrase's. */
	full = n > MAX_PASSWORD;
	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, n - 3);
		n -= 3;
		OPENSSL_cleanse(buf + n, 3);
	}
	/* The first line is the passphrase; a file editor's newline is not. */
	if (memchr(buf, '\n', n) != NULL)
		n = (char *)memchr(buf, '\n', n) - buf;
	else if (full) {
		diag_err(g.password_file, "passphrase longer than %d bytes",
			 MAX_PASSWORD);
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	/* The caller wipes n bytes: wipe the rest of the file here. */
	OPENSSL_cleanse(buf + n, MAX_PASSWORD + 1 - n);
	buf[n] = '\0';
	*pw = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, MAX_PASSWORD + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return rc;
}

struct store *
cmd_load_store(void)
{
	return cmd_load_store_each(NULL, NULL);
}

struct store *
cmd_load_store_each(void (*each)(void *, size_t, struct cert *), void *arg)
{
	struct store	 *st;
	struct store_opts opts;
	char		 *pw = NULL;
	size_t		  pwlen = 0, i;
	int		  bad = 0;

	/* No core file may hold the passphrase or a key. */
	prctl(PR_SET_DUMPABLE, 0);
	if ((st = store_new()) == NULL) {
		diag_err(NULL, "out of memory");
		return NULL;
	}
	if (read_password(&pw, &pwlen) == -1) {
		store_free(st);
		return NULL;
	}
	memset(&opts, 0, sizeof(opts));
	opts.password = pw;
	opts.passlen = pwlen;
	opts.report = report;
	opts.note = note;
	opts.each = each;
	opts.each_arg = arg;
	for (i = 0; i < g.nstores; i++) {
		diag_verbose(g.stores[i], "reading store");
		if (store_add_path(st, g.stores[i], &opts) == -1)
			bad = 1;
	}
	if (pw != NULL) {
		OPENSSL_cleanse(pw, pwlen);
		free(pw);
	}
	if (bad) {
		store_free(st);
		return NULL;
	}
	store_finish(st);
	diag_verbose(NULL, "%zu certificate%s, %zu private key%s",
		     store_count(st), store_count(st) == 1 ? "" : "s",
		     store_key_count(st), store_key_count(st) == 1 ? "" : "s");
	return st;
}

/* The store paths, "A, B", as a new string, or NULL. */
static char *
stores_searched(void)
{
	FILE  *fp;
	char  *buf = NULL;
	size_t len, i;
	int    bad;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	for (i = 0; i < g.nstores; i++)
		fprintf(fp, "%s%s", i ? ", " : "", g.stores[i]);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
cmd_find_cert(struct store *st, const char *arg, struct cert **out)
{
	struct thumb t;
	struct cert *found[16];
	const char  *why, *subj;
	char	     hex[65], date[32], *where;
	size_t	     slen;
	long	     n, i;

	if (thumb_parse(arg, strlen(arg), &t, &why) == -1) {
		diag_err(NULL, "invalid thumbprint: %s", why);
		return EXIT_USAGE;
	}
	if (t.removed > 0)
		diag_note(NULL, "removed %s from the thumbprint",
			  t.removed_desc);
	/* One digit short of a whole thumbprint: likely a copying slip. */
	if (t.kind == THUMB_PREFIX && (t.len == 39 || t.len == 63))
		diag_note(NULL,
			  "%zu hex digits, one short of a %s thumbprint: "
			  "taken as a prefix",
			  t.len, t.len == 39 ? "SHA-1" : "SHA-256");
	if ((n = store_find(st, &t, found, 16)) == -1) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	if (n == 0) {
		where = stores_searched();
		diag_err(t.hex, "no certificate with this thumbprint in %s",
			 where != NULL ? where : "the store");
		free(where);
		return EXIT_NO;
	}
	if (n > 1) {
		diag_err(t.hex,
			 "thumbprint prefix matches %ld certificates; "
			 "give more digits",
			 n);
		for (i = 0; i < n && i < 16; i++) {
			cert_hex(found[i]->sha1, 20, hex);
			cert_format_time(found[i]->not_after, date,
					 sizeof(date));
			if ((subj = cert_get0_subject(found[i], &slen)) == NULL)
				subj = "?", slen = 1;
			fprintf(stderr, "  %s  %s  ", hex, date);
			safe_fputs(subj, slen, stderr);
			fputc('\n', stderr);
		}
		return EXIT_FAIL;
	}
	if (t.kind == THUMB_SHA256)
		diag_note(NULL, "matched by SHA-256; Windows and Exchange "
				"show the SHA-1 thumbprint");
	*out = found[0];
	return EXIT_OK;
}

int
cmd_check_opts(struct check_opts *co, struct store *st, long warn_days,
	       int no_chain)
{
	memset(co, 0, sizeof(*co));
	co->at = g.at;
	co->warn_days = warn_days;
	co->no_chain = no_chain;
	co->ca_file = g.ca_file;
	co->ca_path = g.ca_path;
	co->store = st;
	if (checks_opts_init(co) == -1) {
		diag_ssl(g.ca_file != NULL ? g.ca_file : g.ca_path,
			 "cannot load the trust anchors");
		return -1;
	}
	return 0;
}

void
cmd_conn_errs(const struct conn_errs *errs, int warn)
{
	char   where[4096];
	size_t i;

	if (errs->n == 0 && errs->sys_errno != 0) {
		if (warn)
			diag_warn(errs->file, "%s", strerror(errs->sys_errno));
		else
			diag_err(errs->file, "%s", strerror(errs->sys_errno));
		return;
	}
	for (i = 0; i < errs->n; i++) {
		if (errs->v[i].line > 0)
			snprintf(where, sizeof(where), "%s:%ld", errs->file,
				 errs->v[i].line);
		else
			snprintf(where, sizeof(where), "%s", errs->file);
		if (warn)
			diag_warn(where, "%s", errs->v[i].msg);
		else
			diag_err(where, "%s", errs->v[i].msg);
	}
}

/* The configuration behind Services, and each connector's parsed name. */
static struct conn_file *svc;
static struct sel_name	*svc_names;
static int		*svc_ok;
static struct sel_names *svc_index;

int
cmd_services_init(void)
{
	struct conn_errs errs;
	const char	*why;
	size_t		 i;

	if (svc != NULL)
		return 0;
	if (conn_load(g.config, &svc, &errs) == -1) {
		if (g.config_given || errs.sys_errno != ENOENT) {
			cmd_conn_errs(&errs, 1);
			diag_warn(g.config, "cannot read the configuration; "
					    "Services are not shown");
		}
		conn_errs_release(&errs);
		svc = NULL;
		return -1;
	}
	conn_errs_release(&errs);
	if ((svc_names = calloc(svc->n + 1, sizeof(*svc_names))) == NULL ||
	    (svc_ok = calloc(svc->n + 1, sizeof(*svc_ok))) == NULL) {
		cmd_services_free();
		return -1;
	}
	for (i = 0; i < svc->n; i++)
		svc_ok[i] =
		    svc->v[i].tls_name != NULL &&
		    sel_parse(svc->v[i].tls_name, strlen(svc->v[i].tls_name),
			      &svc_names[i], &why) == 0;
	if ((svc_index = sel_names_new(svc_names, svc_ok, svc->n)) == NULL) {
		cmd_services_free();
		return -1;
	}
	return 0;
}

void
cmd_services_free(void)
{
	sel_names_free(svc_index);
	conn_file_free(svc);
	free(svc_names);
	free(svc_ok);
	svc_index = NULL;
	svc = NULL;
	svc_names = NULL;
	svc_ok = NULL;
}

/* The identities of the connectors whose name selects c. */
static struct ov *
services(struct cert *c)
{
	struct ov *arr;
	size_t	  *pos, i, n;

	if ((arr = ov_new_array()) == NULL || svc == NULL)
		return arr;
	pos = sel_names_find(svc_index, c, &n);
	if (n == (size_t)-1) {
		ov_free(arr);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (ov_push_str(arr, svc->v[pos[i]].identity,
				strlen(svc->v[pos[i]].identity)) == -1) {
			ov_free(arr);
			arr = NULL;
			break;
		}
	free(pos);
	return arr;
}

static int
wanted(int full, const char *const *columns, const char *name)
{
	size_t i;

	if (full)
		return 1;
	for (i = 0; columns[i] != NULL; i++)
		if (strcmp(columns[i], name) == 0)
			return 1;
	return 0;
}

struct ov *
cmd_cert_ov(struct cert *c, int full, const char *const *columns)
{
	struct ov *o;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	if (cmd_cert_ov_add(o, c, full, columns) == -1) {
		ov_free(o);
		return NULL;
	}
	return o;
}

int
cmd_cert_ov_add(struct ov *o, struct cert *c, int full,
		const char *const *columns)
{
	struct ov	 *arr;
	struct cert_names nm;
	const char	 *s, *alg;
	char		  hex[65], date[32], *serial;
	size_t		  len, i;
	int		  bits, err = 0;

#define W(name) wanted(full, columns, name)
	if (W("Thumbprint")) {
		cert_hex(c->sha1, 20, hex);
		err |= ov_add_cstr(o, "Thumbprint", hex);
	}
	if (W("Sha256Thumbprint")) {
		cert_hex(cert_get0_sha256(c), 32, hex);
		err |= ov_add_cstr(o, "Sha256Thumbprint", hex);
	}
	if (W("Subject")) {
		s = cert_get0_subject(c, &len);
		err |= s ? ov_add_str(o, "Subject", s, len)
			 : ov_add_null(o, "Subject");
	}
	if (W("Issuer")) {
		s = cert_get0_issuer(c, &len);
		err |= s ? ov_add_str(o, "Issuer", s, len)
			 : ov_add_null(o, "Issuer");
	}
	if (W("CertificateDomains")) {
		if ((arr = ov_new_array()) == NULL)
			goto fail;
		if (cert_get_dns_names(c, &nm) == 0) {
			for (i = 0; i < nm.n; i++)
				err |= ov_push_str(arr, nm.s[i], nm.len[i]);
			cert_names_free(&nm);
		} else {
			/* The Domain check fails on it: certbind(1). */
			cert_hex(c->sha1, 20, hex);
			diag_note(c->path,
				  "certificate %s: the subject alternative "
				  "name extension cannot be decoded: no "
				  "CertificateDomains",
				  hex);
		}
		err |= ov_add(o, "CertificateDomains", arr);
	}
	if (W("NotBefore")) {
		cert_format_time(c->not_before, date, sizeof(date));
		err |= ov_add_cstr(o, "NotBefore", date);
	}
	if (W("NotAfter")) {
		cert_format_time(c->not_after, date, sizeof(date));
		err |= ov_add_cstr(o, "NotAfter", date);
	}
	if (W("Status"))
		err |= ov_add_cstr(o, "Status",
				   cert_status_name(cert_status(c, g.at)));
	if (W("HasPrivateKey"))
		err |= ov_add_bool(o, "HasPrivateKey", c->has_key);
	if (W("IsSelfSigned"))
		err |= ov_add_bool(o, "IsSelfSigned", cert_is_self_signed(c));
	if (W("SerialNumber")) {
		serial = cert_get1_serial_hex(c);
		err |= ov_add_cstr(o, "SerialNumber", serial);
		free(serial);
	}
	if (W("KeyAlgorithm") || W("KeySize")) {
		if (cert_key_info(c, &alg, &bits) == 0) {
			err |= ov_add_cstr(o, "KeyAlgorithm", alg);
			err |= ov_add_int(o, "KeySize", bits);
		} else {
			err |= ov_add_null(o, "KeyAlgorithm");
			err |= ov_add_null(o, "KeySize");
		}
	}
	if (W("SignatureAlgorithm"))
		err |= ov_add_cstr(o, "SignatureAlgorithm", cert_sig_alg(c));
	if (W("Services"))
		err |= ov_add(o, "Services", services(c));
	if (W("Path"))
		err |= ov_add_cstr(o, "Path", c->path);
	if (W("FriendlyName"))
		err |= c->friendly != NULL
			   ? ov_add_str(o, "FriendlyName", c->friendly,
					c->friendly_len)
			   : ov_add_cstr(o, "FriendlyName", "");
	if (W("EnhancedKeyUsage")) {
		/* Absent when the certificate has none: certbind(1). */
		switch (cert_get_eku(c, &nm)) {
		case 1:
			if ((arr = ov_new_array()) == NULL) {
				cert_names_free(&nm);
				goto fail;
			}
			for (i = 0; i < nm.n; i++)
				err |= ov_push_str(arr, nm.s[i], nm.len[i]);
			cert_names_free(&nm);
			err |= ov_add(o, "EnhancedKeyUsage", arr);
			break;
		case 0:
			break;
		default:
			cert_hex(c->sha1, 20, hex);
			diag_note(c->path,
				  "certificate %s: the extended key usage "
				  "extension cannot be decoded",
				  hex);
			err |= ov_add_null(o, "EnhancedKeyUsage");
			break;
		}
	}
	if (W("IPAddresses")) {
		if ((arr = ov_new_array()) == NULL)
			goto fail;
		/* An undecodable SAN is noted with CertificateDomains. */
		if (cert_get_ip_addresses(c, &nm) == 0) {
			for (i = 0; i < nm.n; i++)
				err |= ov_push_str(arr, nm.s[i], nm.len[i]);
			cert_names_free(&nm);
		}
		err |= ov_add(o, "IPAddresses", arr);
	}
#undef W
	return err ? -1 : 0;
fail:
	return -1;
}

int
cmd_print_diff(const char *diff, size_t len)
{
	size_t n = 0;

	if (safe_fputs_lines(diff, len, stdout, &n) == -1)
		return -1;
	if (n > 0)
		diag_warn(g.config,
			  "%zu character%s of the diff shown escaped "
			  "(controls, bidi controls, invalid UTF-8); the "
			  "lines holding them do not apply with patch(1)",
			  n, n == 1 ? "" : "s");
	return 0;
}

struct ov *
cmd_check_ov(const char *name, int result, const char *detail)
{
	struct ov *o;

	if ((o = ov_new_object()) == NULL)
		return NULL;
	if (ov_add_cstr(o, "Name", name) == -1 ||
	    ov_add_cstr(o, "Result", check_result_name(result)) == -1 ||
	    ov_add_cstr(o, "Detail", detail) == -1) {
		ov_free(o);
		return NULL;
	}
	return o;
}

struct ov *
cmd_checks_ov(const struct checks *cs)
{
	struct ov *arr;
	size_t	   i;

	if ((arr = ov_new_array()) == NULL)
		return NULL;
	for (i = 0; i < cs->n; i++)
		/* ov_push owns the element, also when it fails. */
		if (ov_push(arr, cmd_check_ov(cs->v[i].name, cs->v[i].result,
					      cs->v[i].detail)) == -1) {
			ov_free(arr);
			return NULL;
		}
	return arr;
}

int
cmd_parse_kind(struct argp_state *state, const char *arg)
{
	if (strcasecmp(arg, "receive") == 0)
		return CONN_RECEIVE;
	if (strcasecmp(arg, "send") == 0)
		return CONN_SEND;
	cmd_arg_error(state, "invalid kind", arg,
		      " for --kind: ", "give receive or send");
	return -1;
}

int
cmd_conn_selected(const struct conn *c, const char *pattern, int kind)
{
	if (kind != -1 && c->kind != kind)
		return 0;
	return pattern == NULL || conn_match(pattern, c);
}
