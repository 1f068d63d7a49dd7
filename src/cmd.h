/*
 * cmd: what the command files share.  Each command is one file in
 * src/cmd/, reached through the table in main.c; it parses its options,
 * calls the core, prints, and returns an exit status (EXIT_* below).
 */
#ifndef CMD_H
#define CMD_H

#include <argp.h>
#include <stddef.h>
#include <time.h>

#include "output.h"

/* Exit status, certbind(1) EXIT STATUS. */
#define EXIT_OK	   0  /* done, found, passed, nothing to change */
#define EXIT_NO	   1  /* a negative answer */
#define EXIT_FAIL  2  /* could not do the job */
#define EXIT_USAGE 64 /* usage error */

/* The global options (certbind(1)), valid before and after the command. */
struct globals {
	char	      **stores; /* store paths (argv or heap strings) */
	size_t		nstores;
	int		stores_given; /* -s was used (else env/default) */
	const char     *config;
	int		config_given; /* -c or $CERTBIND_CONFIG */
	enum out_format format;
	int		format_given;
	const char     *password_file;
	time_t		at; /* --at, else the time we started */
	int		at_given;
	const char     *ca_file;
	const char     *ca_path;
	int		allow_unsafe; /* --allow-unsafe-config */
	/* The command's operand (THUMBPRINT, NAME), for a command whose
	 * line in main.c's table declares one; else NULL. */
	const char *operand;
};

extern struct globals g;

/*
 * The global options as an argp child, for every command's parser.  It
 * also parses the operand main.c's table declares for the command (into
 * g.operand; an argument is a usage error for a command that declares
 * none and does not take it itself) and checks --format against the
 * command's formats there.
 */
extern const struct argp cmd_global_argp;
/* The children of a command's argp: the global options. */
extern const struct argp_child cmd_global_children[];

/*
 * The output format: --format, or dflt when none was given.  --format
 * is one the command takes (main.c's table); any other was a usage
 * error.
 */
enum out_format cmd_format(enum out_format dflt);

/*
 * Parses a boolean as the config reads it (true/false/1/0, any case).
 * Returns 0 or 1, or -1 when s is none of these.
 */
int cmd_parse_bool(const char *s);

/*
 * A number of days from 0 to 36500 given to option opt; anything else is
 * a usage error (argp_error exits 64, the argument shown escaped).
 */
long cmd_parse_days(struct argp_state *state, const char *opt, const char *arg);

/*
 * A usage error about a command-line argument: "WHAT 'ARG'TAIL1TAIL2",
 * ARG escaped (safe_escape), since what was typed or pasted may hold
 * control characters.  argp_error exits 64.
 */
void cmd_arg_error(struct argp_state *state, const char *what, const char *arg,
		   const char *tail1, const char *tail2);

/*
 * --kind receive|send (any case): CONN_RECEIVE or CONN_SEND; anything
 * else is a usage error (cmd_arg_error exits 64).
 */
int cmd_parse_kind(struct argp_state *state, const char *arg);

struct conn;
/*
 * Whether a command's selection holds c (certbind(1), --identity and
 * --kind): its kind is kind (-1: either) and pattern, when not NULL,
 * matches its Identity or Name (conn_match).  1 or 0.
 */
int cmd_conn_selected(const struct conn *c, const char *pattern, int kind);

int cmd_bind(int, char **);
int cmd_connectors(int, char **);
int cmd_check(int, char **);
int cmd_import(int, char **);
int cmd_list(int, char **);
int cmd_name(int, char **);
int cmd_probe(int, char **);
int cmd_resolve(int, char **);
int cmd_show(int, char **);
int cmd_renew(int, char **);
int cmd_validate(int, char **);

/* Shared by the commands (src/cmd/common.c). */
struct store;
struct cert;

/*
 * Loads the stores of g (reading the passphrase from --password-file
 * or $CERTBIND_PASSWORD and wiping it afterwards), reporting skipped
 * files.  Returns the store, or NULL after reporting when a store path
 * cannot be read or memory ran out (exit EXIT_FAIL).
 */
struct store *cmd_load_store(void);
/* The same, calling each(arg, i, c) for every certificate as it loads. */
struct store *cmd_load_store_each(void (*each)(void *, size_t, struct cert *),
				  void *arg);

/*
 * Finds the one certificate the thumbprint arg selects (certbind(1)
 * THUMBPRINTS), printing notes and errors.  Returns EXIT_OK with *out set,
 * EXIT_NO (not found), EXIT_FAIL (ambiguous prefix) or EXIT_USAGE (bad input).
 */
int cmd_find_cert(struct store *, const char *arg, struct cert **out);

/*
 * The certificate as an output object: every field of certbind(1) CERTIFICATE
 * FIELDS when full, else only those named in columns (NULL-terminated).  NULL
 * when memory ran out.
 */
struct ov *cmd_cert_ov(struct cert *, int full, const char *const *columns);
/* The same fields added to the object o; 0, or -1 when memory ran out. */
int cmd_cert_ov_add(struct ov *o, struct cert *, int full,
		    const char *const *columns);

struct checks;
/*
 * One check as an output object {Name, Result, Detail} (result is an
 * enum check_result), and every check of cs as an array of those.  NULL
 * when memory ran out.
 */
struct ov *cmd_check_ov(const char *name, int result, const char *detail);
struct ov *cmd_checks_ov(const struct checks *cs);

struct check_opts;
/*
 * Fills the options of the shared checks from the globals (--at,
 * --ca-file, --ca-path) and builds what Chain needs once for the run.
 * Returns 0, or -1 after reporting trust anchors that cannot be loaded;
 * release with checks_opts_release either way.
 */
int cmd_check_opts(struct check_opts *, struct store *, long warn_days,
		   int no_chain);

struct conn_errs;
/* Prints every problem of errs as "certbind: FILE:LINE: message";
 * as warnings when warn is set. */
void cmd_conn_errs(const struct conn_errs *, int warn);

/*
 * Reads the configuration for the Services field, once.  A missing
 * default configuration is silently no configuration; any other problem
 * is a warning.  Returns 0 when Services can be shown, -1 when not.
 */
int cmd_services_init(void);

struct conn_file;
struct conn_edit;

/*
 * The one safe writer (certbind(1) WRITING THE CONFIGURATION),
 * src/cmd/rewrite.c.  Under the lock it reads the configuration and calls
 * plan(arg, cf, edits) to fill the edits (one per connector, initialised to
 * "leave alone"); plan returns EXIT_OK to go on, or the exit status to stop
 * with, nothing written. Then: nothing changed -- the file is not touched;
 * dry_run -- the diff in diff; else the file is replaced atomically (backup:
 * FILE.bak). Returns the exit status; state says what happened.  cf stays
 * loaded for the caller's output; free both with cmd_rewrite_release.
 * With keep_lock, a run that returns EXIT_OK keeps the lock in af until
 * cmd_rewrite_release, so that the caller may write a file beside the
 * configuration under it (renew's state file); plan may open that file
 * (cmd_rewrite_open_beside) before anything is written.
 */
enum rewrite_state {
	REWRITE_NONE, /* stopped before deciding */
	REWRITE_UNCHANGED,
	REWRITE_DRY_RUN,
	REWRITE_WRITTEN
};

struct atomic_file;

struct rewrite {
	int dry_run;
	int backup;
	int keep_lock;
	int (*plan)(void *, struct conn_file *, struct conn_edit *);
	void *arg;
	/*
	 * import: a missing configuration starts as empty (and is created)
	 * when not NULL; apply, when set, makes the new bytes instead of
	 * conn_apply with the edits (0, or -1 with errs).
	 */
	const char *empty;
	int (*apply)(void *, const struct conn_file *, char **, size_t *,
		     struct conn_errs *);
	enum rewrite_state  state;
	struct conn_file   *cf;
	char		   *diff;
	size_t		    difflen;
	struct atomic_file *af; /* keep_lock: the configuration, locked */
};

int cmd_rewrite(struct rewrite *);
/*
 * In a child before exec: every signal certbind changed back to SIG_DFL
 * and an empty signal mask.  Returns 0 or -1.
 */
int  cmd_child_signals(void);
void cmd_rewrite_release(struct rewrite *);

/*
 * The Result a command that wrote through cmd_rewrite reports:
 * "Unchanged" (with a note on stderr that the file is not touched),
 * "DryRun" or "Changed"; NULL, reported, when the writer decided
 * nothing.
 */
const char *cmd_rewrite_outcome(const struct rewrite *);
/*
 * Under the lock, in plan or after a keep_lock cmd_rewrite: opens the
 * configuration's
 * name followed by suffix, beside it, with atomic_open_beside (missing:
 * created on commit).  Returns EXIT_OK with *out (atomic_close it before
 * cmd_rewrite_release) and its path in *pathp (caller frees, also on
 * failure), or EXIT_FAIL, reported.
 */
int cmd_rewrite_open_beside(const struct rewrite *, const char *suffix,
			    struct atomic_file **out, char **pathp);
/* Replaces it atomically with (buf, len).  EXIT_OK, or EXIT_FAIL reported. */
int  cmd_rewrite_commit_beside(struct atomic_file *, const char *path,
			       const char *buf, size_t len);
void cmd_services_free(void);

/*
 * Prints a --dry-run diff on stdout made safe for a terminal
 * (safe_fputs_lines: lines of ordinary text unchanged, so patch(1)
 * applies them), warning when anything had to be escaped.  Returns 0,
 * or -1 on a write error.
 */
int cmd_print_diff(const char *diff, size_t len);

/*
 * --format powershell of bind and renew (certbind(1) OUTPUT): the
 * script for the connectors of cf whose edits[i] change them
 * (conn_edit_mask), each with only the fields that change; certs[i],
 * when certs and it are not NULL, is the certificate connector i is
 * bound to (its Get-ExchangeCertificate line).  by names the command.
 * Made before anything is written, into a new buffer *bufp of *lenp
 * bytes (caller frees): a value a script must not carry is reported
 * and EXIT_FAIL returned, as when memory runs out.  Else EXIT_OK.
 */
int cmd_pwsh_edits(const char *by, const struct conn_file *cf,
		   const struct conn_edit *edits, struct cert *const *certs,
		   char **bufp, size_t *lenp);

#endif
