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

/* Exit status, SPEC §13. */
#define EXIT_OK		0	/* done, found, passed, nothing to change */
#define EXIT_NO		1	/* a negative answer */
#define EXIT_FAIL	2	/* could not do the job */
#define EXIT_USAGE	64	/* usage error */

/* The global options (SPEC §1), valid before and after the command. */
struct globals {
	char		**stores;	/* store paths (argv or heap strings) */
	size_t		  nstores;
	int		  stores_given;	/* -s was used (else env/default) */
	const char	 *config;
	int		  config_given;	/* -c or $CERTBIND_CONFIG */
	enum out_format	  format;
	int		  format_given;
	const char	 *password_file;
	time_t		  at;		/* --at, else the time we started */
	int		  at_given;
	const char	 *ca_file;
	const char	 *ca_path;
};

extern struct globals	g;

/* The global options as an argp child, for every command's parser. */
extern const struct argp cmd_global_argp;

/* The output format: --format, or dflt when none was given. */
enum out_format	cmd_format(enum out_format dflt);

/*
 * Parses a boolean as the config reads it (true/false/1/0, any case).
 * Returns 0 or 1, or -1 when s is none of these.
 */
int	cmd_parse_bool(const char *s);

int	cmd_list(int, char **);
int	cmd_name(int, char **);
int	cmd_show(int, char **);

#endif
