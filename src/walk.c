/*
 * walk: store_add_path (store.h).  Walks a store path: directories in
 * byte order of names, following links but never into a directory
 * twice, hidden entries skipped; each file opened and sniffed by its
 * content: PEM (pem.c), a DER certificate or one in bare base64, PKCS#7
 * (pkcs7.c), PKCS#12 (pkcs12.c) or PowerShell CLIXML (clixmlstore.c);
 * plain text is passed over.  A PEM
 * file is read in pieces, anything else whole.  certbind(1), THE STORE.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "clixml.h"
#include "der.h"
#include "mem.h"
#include "store.h"
#include "store_int.h"

/* Directory depth we accept below a store path: see certbind(1). */
#define MAX_DEPTH 64

int
rd_fill(struct file *f, struct rd *rd)
{
	ssize_t r;

	if (rd->len == rd->cap) {
		if (rd->cap >= STORE_MAX_FILE) {
			store_report(f, "file too large (over %lu MiB)",
				     STORE_MAX_FILE >> 20);
			return -1;
		}
		if (store_grow_wiping(&rd->buf, &rd->cap, rd->len,
				      rd->cap * 2) == -1) {
			store_report(f, "out of memory");
			return -1;
		}
	}
	for (;;) {
		r = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			store_report(f, "%s", strerror(errno));
			return -1;
		}
		break;
	}
	if (r == 0)
		rd->eof = 1;
	rd->len += r;
	return 0;
}

/*
 * A DER file: a Certificate is SEQUENCE { SEQUENCE tbs, ... }, a PFX is
 * SEQUENCE { INTEGER version, ... }, a PKCS#7 ContentInfo SEQUENCE {
 * OBJECT IDENTIFIER contentType, ... }.  The tag after the outer header
 * tells them apart, even when the file is truncated.
 */
static int
load_der(struct file *f, const unsigned char *buf, size_t len)
{
	unsigned char *der;
	size_t	       hdr;
	int	       ncert = 0;

	hdr = len > 1 && (buf[1] & 0x80) ? 2 + (buf[1] & 0x7f) : 2;
	if (hdr < len && buf[hdr] == 0x02)
		return pkcs12_load(f, buf, len);
	if (hdr < len && buf[hdr] == 0x06)
		return pkcs7_load(f, buf, len, &ncert);
	if ((der = store_dup_der(buf, len)) == NULL)
		return -1;
	return store_add_cert(f, der, len, REC_DER, 0, len, "DER certificate");
}

/*
 * Is (p, len) text: no control character but tab, line breaks and form
 * feed?  Bytes from 0x80 are taken as some encoding's letters.
 */
static int
is_text(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		     p[i] != '\r' && p[i] != '\f') ||
		    p[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Is (p, len) strictly base64 of a DER SEQUENCE with a long length, as a
 * certificate's is ("MI..."), in lines broken by LF or CRLF, padding
 * only at its end?  That is a certificate some Windows tools write
 * without PEM's BEGIN and END lines.
 */
static int
is_bare_base64(const unsigned char *p, size_t len)
{
	size_t i, pad = 0;

	if (len < 4 || p[0] != 'M' || p[1] != 'I')
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\n' ||
		    (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))
			continue;
		if (p[i] == '=') {
			if (++pad > 2)
				return 0;
			continue;
		}
		if (pad > 0 || !((p[i] >= 'A' && p[i] <= 'Z') ||
				 (p[i] >= 'a' && p[i] <= 'z') ||
				 (p[i] >= '0' && p[i] <= '9') || p[i] == '+' ||
				 p[i] == '/'))
			return 0;
	}
	return 1;
}

/*
 * A file that is not PEM and does not start as DER: a certificate in
 * bare base64 is read; other text has no certificate marker and is
 * passed over (shown with -v); anything else is reported.  Returns 0
 * (problems reported) or -1 when memory ran out.
 */
static int
load_other(struct file *f, const unsigned char *buf, size_t len)
{
	unsigned char *der;
	size_t	       derlen, bom = 0;

	if (!is_text(buf, len)) {
		store_report(f, "not a certificate, private key, PKCS#7 or "
				"PKCS#12 file");
		return 0;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		bom = 3;
	if (!is_bare_base64(buf + bom, len - bom)) {
		if (f->opts->note != NULL)
			f->opts->note(f->opts->arg, f->path,
				      "text without a certificate or key, "
				      "skipped");
		return 0;
	}
	if ((der = der_from_base64((const char *)buf + bom, len - bom,
				   &derlen)) == NULL) {
		store_report(f, "base64 without PEM header lines: bad base64");
		return 0;
	}
	return store_add_cert(f, der, derlen, REC_PEM, bom, len - bom,
			      "base64 without PEM header lines");
}

/*
 * Opens a regular file for reading.  O_NONBLOCK so that a FIFO swapped
 * in after the stat cannot block us; fstat decides.  Returns the fd and
 * its size, or -1 after reporting.
 */
static int
open_file(struct file *f, off_t *size)
{
	struct stat sb;
	int	    fd;

	if ((fd = open(f->path,
		       O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		store_report(f, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		store_report(f, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		store_report(f, "not a regular file, skipped");
		close(fd);
		return -1;
	}
	*size = sb.st_size;
	return fd;
}

/*
 * A PEM file (one that has a BEGIN line in its first piece) is read in
 * pieces, so a bundle of any size costs one piece of memory; anything
 * else is read whole, up to STORE_MAX_FILE.
 */
static int
load_file(struct store *st, const char *path, const struct store_opts *opts)
{
	struct file f = {st, opts, path, NULL, 0, 0, 0, 0};
	struct rd   rd;
	off_t	    size;
	int	    rc = 0, xml;

	memset(&rd, 0, sizeof(rd));
	if ((rd.fd = open_file(&f, &size)) == -1)
		return 0;
	rd.cap =
	    (unsigned long long)size < RD_CHUNK ? (size_t)size + 1 : RD_CHUNK;
	if ((rd.buf = malloc(rd.cap)) == NULL) {
		rc = -1;
		goto out;
	}
	/* Up to the size fstat gave: no read just to see the end. */
	while (!rd.eof && rd.len < rd.cap && rd.len < (size_t)size)
		if (rd_fill(&f, &rd) == -1)
			goto out;
	if (rd.len == (size_t)size)
		rd.eof = 1;
	if (rd.len == 0) {
		store_report(&f, "empty file");
		goto out;
	}
	/* CLIXML (UTF-16 or UTF-8) is XML whatever text it quotes. */
	xml = clixml_sniff(rd.buf, rd.len);
	if (xml || memmem(rd.buf, rd.len, "-----BEGIN ", 11) == NULL) {
		/* Not PEM at the start: the whole file decides. */
		if ((unsigned long long)size > STORE_MAX_FILE) {
			store_report(&f, "file too large (over %lu MiB)",
				     STORE_MAX_FILE >> 20);
			goto out;
		}
		if (rd.cap < (size_t)size + 1 &&
		    store_grow_wiping(&rd.buf, &rd.cap, rd.len,
				      (size_t)size + 1) == -1) {
			rc = -1;
			goto out;
		}
		while (!rd.eof)
			if (rd_fill(&f, &rd) == -1)
				goto out;
	}
	if (xml)
		rc = clixml_store_load(&f, rd.buf, rd.len);
	else if (memmem(rd.buf, rd.len, "-----BEGIN ", 11) != NULL) {
		rc = pem_load(&f, &rd);
		if (rc == 0 && f.found == 0 && !f.bad)
			store_report(&f, "no certificate or private key in PEM "
					 "file");
	} else if (rd.buf[0] == 0x30)
		rc = load_der(&f, rd.buf, rd.len);
	else
		rc = load_other(&f, rd.buf, rd.len);
out:
	/* The buffer may hold a decrypted-key's PEM: wipe it. */
	if (rd.buf != NULL)
		OPENSSL_cleanse(rd.buf, rd.cap);
	free(rd.buf);
	close(rd.fd);
	return rc;
}

static int
namecmp(const void *a, const void *b)
{
	/* Past the d_type byte walk_dir puts in front of each name. */
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int walk(struct store *, const char *, int, const struct store_opts *);

static int
walk_dir(struct store *st, const char *path, const struct stat *sb, int depth,
	 const struct store_opts *opts)
{
	struct file    f = {st, opts, path, NULL, 0, 0, 0, 0};
	DIR	      *d;
	struct dirent *de;
	char	     **names = NULL, child[PATH_MAX];
	size_t	       n = 0, cap = 0, i;
	int	       rc = -1;

	for (i = 0; i < st->ndirs; i++)
		if (st->dirs[i].dev == sb->st_dev &&
		    st->dirs[i].ino == sb->st_ino)
			return 0; /* a link back: already walked */
	if (depth > MAX_DEPTH) {
		store_report(&f, "directories nested too deep, skipped");
		return 0;
	}
	if (mem_grow(&st->dirs, &st->capdirs, st->ndirs + 1,
		     sizeof(*st->dirs)) == -1)
		return -1;
	st->dirs[st->ndirs].dev = sb->st_dev;
	st->dirs[st->ndirs++].ino = sb->st_ino;
	if ((d = opendir(path)) == NULL) {
		store_report(&f, "%s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (mem_grow(&names, &cap, n + 1, sizeof(*names)) == -1 ||
		    (names[n] = malloc(strlen(de->d_name) + 2)) == NULL)
			goto out;
		names[n][0] = (char)de->d_type;
		memcpy(names[n] + 1, de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	if (n > 1) /* names is NULL in an empty directory */
		qsort(names, n, sizeof(*names), namecmp);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", path,
				     path[strlen(path) - 1] == '/' ? "" : "/",
				     names[i] + 1) >= sizeof(child)) {
			store_report(&f, "%s: path too long, skipped",
				     names[i] + 1);
			continue;
		}
		/*
		 * A regular file needs no stat: load_file's fstat checks
		 * what it opened.  Links and the rest go through walk.
		 */
		if (names[i][0] == DT_REG) {
			if (load_file(st, child, opts) == -1)
				goto out;
		} else if (walk(st, child, depth + 1, opts) == -1)
			goto out;
	}
	rc = 0;
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Returns 0 (problems reported), or -1 when memory ran out. */
static int
walk(struct store *st, const char *path, int depth,
     const struct store_opts *opts)
{
	struct file f = {st, opts, path, NULL, 0, 0, 0, 0};
	struct stat sb;

	if (stat(path, &sb) == -1) {
		if (errno == ELOOP)
			store_report(&f, "symbolic link loop, skipped");
		else if (errno == ENOENT && lstat(path, &sb) == 0)
			store_report(&f, "dangling symbolic link, skipped");
		else
			store_report(&f, "%s", strerror(errno));
		return depth == 0 ? 1 : 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(st, path, &sb, depth, opts);
	if (!S_ISREG(sb.st_mode)) {
		store_report(&f, "not a regular file, skipped");
		return 0;
	}
	return load_file(st, path, opts);
}

int
store_add_path(struct store *st, const char *path,
	       const struct store_opts *opts)
{
	int rc;

	st->report = opts->report;
	st->arg = opts->arg;
	st->each = opts->each;
	st->each_arg = opts->each_arg;
	rc = walk(st, path, 0, opts);
	return rc == 0 ? 0 : -1;
}
