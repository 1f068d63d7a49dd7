/*
 * certbind: find, name, check and bind TLS certificates for SMTP
 * receive connectors.  This file holds the global options and the
 * command table; each command lives in src/cmd/NAME.c.
 */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "diag.h"
#include "mem.h"
#include "safe.h"

#ifndef CERTBIND_VERSION
#define CERTBIND_VERSION "0.1.0"
#endif

#define DEFAULT_STORE  "/etc/certbind/certs"
#define DEFAULT_CONFIG "/etc/certbind/connectors.xml"

const char *argp_program_version = "certbind " CERTBIND_VERSION;
const char *argp_program_bug_address = NULL;

struct globals g;

/*
 * A command's one operand, parsed here for every command that declares
 * it: the messages when it is missing and when more than one is given.
 */
struct operand {
	const char *missing;
	const char *extra;
};

static const struct operand thumbprint = {"no thumbprint given",
					  "one thumbprint only"};
static const struct operand tls_name = {
    "no TLS certificate name given",
    "one name only (quote it: it holds spaces)"};

/* The formats of a command: a bit per enum out_format. */
#define FMT(f)	  (1u << (f))
#define FMT_BASIC (FMT(OUT_TABLE) | FMT(OUT_LIST) | FMT(OUT_JSON))

struct command {
	const char *name;
	int (*fn)(int, char **);
	unsigned	      formats; /* FMT() of each it takes */
	const struct operand *operand; /* NULL: it takes none here */
	const char	     *summary;
};

/*
 * Sorted by name.  A format is a usage error for a command whose line
 * does not name it (certbind(1), --format).
 */
static const struct command commands[] = {
    {"bind", cmd_bind, FMT_BASIC | FMT(OUT_POWERSHELL), NULL,
     "bind a certificate to connectors, set their Fqdn"},
    {"check", cmd_check, FMT_BASIC, &thumbprint,
     "check a certificate for a connector's FQDN"},
    {"connectors", cmd_connectors, FMT_BASIC | FMT(OUT_POWERSHELL), NULL,
     "list the connectors of the configuration"},
    {"import", cmd_import, FMT_BASIC, NULL,
     "merge Exchange's connector exports into the configuration"},
    {"list", cmd_list, FMT_BASIC, NULL, "list the certificates of the store"},
    {"name", cmd_name, FMT_BASIC, &thumbprint,
     "print a certificate's TLS certificate name"},
    {"probe", cmd_probe, FMT_BASIC, NULL,
     "what a live mail server presents, checked"},
    {"renew", cmd_renew, FMT_BASIC | FMT(OUT_POWERSHELL), NULL,
     "rebind connectors to the best certificate for their FQDN"},
    {"resolve", cmd_resolve, FMT_BASIC, &tls_name,
     "the certificates a TLS certificate name selects"},
    {"show", cmd_show, FMT_BASIC, &thumbprint,
     "show every field of one certificate"},
    {"validate", cmd_validate, FMT_BASIC | FMT(OUT_JUNIT) | FMT(OUT_PROMETHEUS),
     NULL, "check every connector's binding before deployment"},
};

/* Indexed by enum out_format. */
static const char *const format_names[] = {
    [OUT_TABLE] = "table",
    [OUT_LIST] = "list",
    [OUT_JSON] = "json",
    [OUT_JUNIT] = "junit",
    [OUT_PROMETHEUS] = "prometheus",
    [OUT_POWERSHELL] = "powershell",
};

#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

/* The command being run, once main has found it; NULL before. */
static const struct command *cur;
/* --format as given, checked against cur's formats when known. */
static const char *format_arg;

enum {
	OPT_PASSWORD_FILE = 0x100,
	OPT_AT,
	OPT_CA_FILE,
	OPT_CA_PATH,
	OPT_ALLOW_UNSAFE,
};

static const struct argp_option global_options[] = {
    {"store", 's', "PATH", 0,
     "certificate store, a file or directory (repeatable)", 0},
    {"config", 'c', "FILE", 0, "connector configuration XML", 0},
    {"format", 'f', "FORMAT", 0, "output format", 0},
    {"password-file", OPT_PASSWORD_FILE, "FILE", 0,
     "passphrase for PKCS#12 files and encrypted keys", 0},
    {"at", OPT_AT, "TIME", 0,
     "judge validity at TIME (2027-03-01 or 2027-03-01T12:00:00Z)", 0},
    {"ca-file", OPT_CA_FILE, "FILE", 0, "trust anchors for chain checks", 0},
    {"ca-path", OPT_CA_PATH, "DIR", 0, "directory of trust anchors", 0},
    {"allow-unsafe-config", OPT_ALLOW_UNSAFE, NULL, 0,
     "write the config although another user may replace it", 0},
    {"quiet", 'q', NULL, 0, "less on stderr", 0},
    {"verbose", 'v', NULL, 0, "more on stderr", 0},
    {NULL, 0, NULL, 0, NULL, 0}};

/*
 * Parses --at: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm:ssZ.
 * Returns 0, or -1 when s is neither or not a real date.
 */
static int
parse_at(const char *s, time_t *t)
{
	struct tm   tm, chk;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (end == NULL || strcmp(end, "Z") != 0)
			return -1;
	} else if (*end != '\0')
		return -1;
	if (strlen(s) != 10 && strlen(s) != 20)
		return -1;
	chk = tm;
	*t = timegm(&tm);
	if (*t == (time_t)-1 || tm.tm_mday != chk.tm_mday ||
	    tm.tm_mon != chk.tm_mon)
		return -1;
	return 0;
}

static int
add_store(const char *path)
{
	static size_t cap;

	if (mem_grow(&g.stores, &cap, g.nstores + 1, sizeof(*g.stores)) == -1)
		return -1;
	g.stores[g.nstores++] = (char *)path;
	return 0;
}

/*
 * "PREFIXtable, list or json": the formats of set, as a new string, or
 * NULL when memory ran out.
 */
static char *
format_list(unsigned set, const char *prefix)
{
	FILE  *fp;
	char  *buf = NULL;
	size_t len = 0, i, n = 0, total = 0;

	for (i = 0; i < NFORMATS; i++)
		if (set & FMT(i))
			total++;
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fputs(prefix, fp);
	for (i = 0; i < NFORMATS; i++) {
		if ((set & FMT(i)) == 0)
			continue;
		if (n > 0)
			fputs(n == total - 1 ? " or " : ", ", fp);
		fputs(format_names[i], fp);
		n++;
	}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Sets g.format from --format, given before or after the command name:
 * a format the command's line in the table does not name is a usage
 * error (argp_error exits 64).
 */
static void
set_format(struct argp_state *state)
{
	char  *esc, *list;
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (strcmp(format_arg, format_names[i]) == 0 &&
		    (cur->formats & FMT(i)) != 0) {
			g.format = (enum out_format)i;
			g.format_given = 1;
			return;
		}
	esc = safe_escape(format_arg, strlen(format_arg), NULL);
	list = format_list(cur->formats, "");
	argp_error(state, "'%s' is not a format of %s (%s)",
		   esc != NULL ? esc : "?", cur->name,
		   list != NULL ? list : "see certbind(1)");
	free(list);
	free(esc);
}

static error_t
global_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 's':
		if (*arg == '\0')
			argp_error(state, "empty store path");
		if (!g.stores_given) {
			g.nstores = 0;
			g.stores_given = 1;
		}
		if (add_store(arg) == -1)
			argp_failure(state, EXIT_FAIL, ENOMEM, "store");
		break;
	case 'c':
		if (*arg == '\0')
			argp_error(state, "empty config path");
		g.config = arg;
		g.config_given = 1;
		break;
	case 'f':
		format_arg = arg;
		break;
	case OPT_PASSWORD_FILE:
		g.password_file = arg;
		break;
	case OPT_AT:
		if (parse_at(arg, &g.at) == -1)
			cmd_arg_error(state, "invalid time", arg,
				      " for --at (use 2027-03-01 or "
				      "2027-03-01T12:00:00Z)",
				      "");
		g.at_given = 1;
		break;
	case OPT_CA_FILE:
		g.ca_file = arg;
		break;
	case OPT_CA_PATH:
		g.ca_path = arg;
		break;
	case OPT_ALLOW_UNSAFE:
		g.allow_unsafe = 1;
		break;
	case 'q':
		diag_set_level(DIAG_QUIET);
		break;
	case 'v':
		diag_set_level(DIAG_VERBOSE);
		break;
	case ARGP_KEY_ARG:
		/* Before the command name, the top level takes it. */
		if (cur == NULL)
			return ARGP_ERR_UNKNOWN;
		if (cur->operand == NULL)
			cmd_arg_error(state, "unexpected argument", arg, "",
				      "");
		if (g.operand != NULL)
			argp_error(state, "%s", cur->operand->extra);
		g.operand = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		if (cur != NULL && cur->operand != NULL)
			argp_error(state, "%s", cur->operand->missing);
		break;
	case ARGP_KEY_END:
		if (cur != NULL && format_arg != NULL)
			set_format(state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --format's help: the formats of the command, or of any at the top. */
static char *
global_help(int key, const char *text, void *input)
{
	unsigned all = 0;
	size_t	 i;

	if (key != 'f')
		return (char *)text;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		all |= commands[i].formats;
	return format_list(cur != NULL ? cur->formats : all, "output format: ");
}

const struct argp cmd_global_argp = {global_options, global_parse, NULL, NULL,
				     NULL,	     global_help,  NULL};

const struct argp_child cmd_global_children[] = {
    {&cmd_global_argp, 0, "Global options:", 0}, {NULL, 0, NULL, 0}};

enum out_format
cmd_format(enum out_format dflt)
{
	return g.format_given ? g.format : dflt;
}

int
cmd_parse_bool(const char *s)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	return -1;
}

long
cmd_parse_days(struct argp_state *state, const char *opt, const char *arg)
{
	char *end, *esc;
	long  n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < 0 || n > 36500) {
		esc = safe_escape(arg, strlen(arg), NULL);
		argp_error(state,
			   "%s takes a number of days from 0 to 36500, not "
			   "'%s'",
			   opt, esc != NULL ? esc : "?");
		free(esc);
	}
	return n;
}

void
cmd_arg_error(struct argp_state *state, const char *what, const char *arg,
	      const char *tail1, const char *tail2)
{
	char *esc;

	esc = safe_escape(arg, strlen(arg), NULL);
	argp_error(state, "%s '%s'%s%s", what, esc != NULL ? esc : "?", tail1,
		   tail2);
	free(esc);
}

static int cmd_index = -1;

static error_t
top_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_ARG:
		cmd_index = state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (cmd_index == -1)
			argp_error(state, "no command given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char *
top_help(int key, const char *text, void *input)
{
	FILE  *fp;
	char  *buf = NULL;
	size_t len = 0, i;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return (char *)text;
	fputs("Commands:\n", fp);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-12s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n'certbind help COMMAND' shows a command's options.  "
	      "See certbind(1).",
	      fp);
	fclose(fp);
	return buf;
}

static const struct argp_child top_children[] = {{&cmd_global_argp, 0, NULL, 0},
						 {NULL, 0, NULL, 0}};

static const struct argp top_argp = {
    NULL,
    top_parse,
    "COMMAND [OPTION]... [ARG]...",
    "Find, name, check and bind TLS certificates for SMTP receive "
    "connectors.\v",
    top_children,
    top_help,
    NULL};

static void
defaults(void)
{
	const char *env;
	char	   *dup, *p, *tok;

	g.at = time(NULL);
	g.format = OUT_TABLE;
	if ((env = getenv("CERTBIND_CONFIG")) != NULL && *env != '\0') {
		g.config = env;
		g.config_given = 1;
	} else
		g.config = DEFAULT_CONFIG;
	if ((env = getenv("CERTBIND_STORE")) != NULL && *env != '\0' &&
	    (dup = strdup(env)) != NULL) {
		for (p = dup; (tok = strsep(&p, ":")) != NULL;)
			if (*tok != '\0')
				add_store(tok);
	}
	if (g.nstores == 0)
		add_store(DEFAULT_STORE);
}

/*
 * OpenSSL's allocations go through these, so that every block it frees
 * is wiped first: its key decoders free a decoded private key's DER
 * without wiping it (certbind(1), SECURITY).  The size comes from
 * malloc_usable_size, so the whole block is wiped.
 */
static void *
wipe_malloc(size_t n, const char *file, int line)
{
	return malloc(n);
}

static void
wipe_free(void *p, const char *file, int line)
{
	if (p != NULL)
		OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

static void *
wipe_realloc(void *p, size_t n, const char *file, int line)
{
	void  *np;
	size_t old;

	if (p == NULL)
		return malloc(n);
	if (n == 0) { /* as CRYPTO_realloc does */
		wipe_free(p, file, line);
		return NULL;
	}
	if ((np = malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(np, p, old < n ? old : n);
	wipe_free(p, file, line);
	return np;
}

/* The command named name, or NULL after saying it is unknown. */
static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	diag_err(NULL,
		 "unknown command '%s'; 'certbind --help' lists the commands",
		 name);
	return NULL;
}

/*
 * Runs c with argv's operands, argv[0] becoming "certbind NAME" as its
 * messages and help show it.
 */
static int
run_command(const struct command *c, int argc, char **argv)
{
	char *name;
	int   rc;

	if (asprintf(&name, "certbind %s", c->name) == -1) {
		diag_err(NULL, "out of memory");
		return EXIT_FAIL;
	}
	argv[0] = name;
	cur = c;
	rc = c->fn(argc, argv);
	free(name);
	return rc;
}

/*
 * certbind(1) help: "certbind help" is "certbind --help", "certbind help
 * COMMAND" is "certbind COMMAND --help".
 */
static int
help(int argc, char **argv)
{
	const struct command *c;
	char		      opt[] = "--help", prog[] = "certbind", *hargv[3];

	if (argc > 2) {
		diag_err(NULL, "help takes one command");
		return EXIT_USAGE;
	}
	hargv[0] = argv[0];
	hargv[1] = opt;
	hargv[2] = NULL;
	if (argc == 1) {
		hargv[0] = prog;
		/* argp prints the help and exits 0. */
		argp_parse(&top_argp, 2, hargv, 0, NULL, NULL);
		return EXIT_OK;
	}
	if ((c = find_command(argv[1])) == NULL)
		return EXIT_USAGE;
	return run_command(c, 2, hargv);
}

int
main(int argc, char *argv[])
{
	const struct command *c;
	int		      rc;

	/*
	 * The process ends when the command returns: OpenSSL's clean-up
	 * at exit, which frees every provider's tables, is 0.3 ms of a
	 * short run spent on nothing.  It holds no secret; ours are wiped
	 * where they are used.
	 */
	if (!CRYPTO_set_mem_functions(wipe_malloc, wipe_realloc, wipe_free)) {
		diag_err(NULL, "cannot set OpenSSL's allocator");
		return EXIT_FAIL;
	}
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	argp_err_exit_status = EXIT_USAGE;
	defaults();
	argp_parse(&top_argp, argc, argv, ARGP_IN_ORDER, NULL, NULL);
	if (strcmp(argv[cmd_index], "help") == 0)
		rc = help(argc - cmd_index, argv + cmd_index);
	else if ((c = find_command(argv[cmd_index])) == NULL)
		return EXIT_USAGE;
	else
		rc = run_command(c, argc - cmd_index, argv + cmd_index);
	/* Results that could not be written are a failure (git does this). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag_err("stdout", "write error");
		return EXIT_FAIL;
	}
	return rc;
}
