/*
 * cmd.h - the one shape of every program's main() (docs/contract.md section 2).
 *
 * A program declares itself in a `struct cmd`: its name, synopsis, help
 * text, its own options with a handler, and a run function.  Its main() is
 *
 *     int main(int argc, char **argv)
 *     {
 *             struct my_flags f = {0};
 *
 *             return cmd_main(&my_cmd, &f, argc, argv);
 *     }
 *
 * and cmd_main() does the rest the same way for everyone:
 *
 *   1. getopt_long over the common options (-p/--pipeline FILE when the
 *      program takes a pipeline, --log-format human|json, --quiet,
 *      --verbose, --version, --help) and the program's own, in command-line
 *      order; each of the program's own options goes to cmd.option.
 *   2. A usage error (an unknown option, a missing value, a value refused by
 *      the handler, a stray or missing positional argument, or
 *      cmd_usage_error() from run) prints to stderr
 *          PROGRAM: what is wrong
 *          usage: ...                (the synopsis)
 *          try 'PROGRAM --help'
 *      and exits 2.  Usage errors are for the person at the keyboard: they
 *      are plain text whatever --log-format says.
 *   3. --help prints the synopsis, a blank line and the help text to stdout;
 *      --version prints "PROGRAM VERSION".  Both exit 0 (help wins when both
 *      are given, and both win over positional-argument errors and over
 *      whatever run would check).
 *   4. log_init() once, then run.  When run fails, its error is logged once
 *      (`ERROR PROGRAM: message`, or a JSON line) and e.code is the exit
 *      status (0 there counts as 1).
 *   5. One cleanup path, after run and after --help/--version: standard
 *      output is closed and checked, so a failed write or close turns a
 *      success into exit 1 with
 *          PROGRAM: cannot write to standard output: REASON
 *      (an earlier failure keeps its own code); stderr is flushed.
 *
 * A standard descriptor (0, 1, 2) that is closed when the program starts is
 * reserved on /dev/null, opened so that writes to 1 and 2 (reads from 0)
 * still fail: no file the program opens can become its stdout by accident,
 * and `PROGRAM --help >&-` still exits 1.
 *
 * Ownership: cmd_main borrows cmd and ctx for the whole call and never frees
 * them.  Option arguments and positional arguments point into argv.  ctx is
 * the program's own state (its flags): the handler fills it, run reads it;
 * run frees whatever run allocates before it returns.
 */
#ifndef ITG_CMD_H
#define ITG_CMD_H

#include <getopt.h>

#include "cli.h"
#include "err.h"
#include "log.h"

/*
 * Option codes of the common long-only options.  A program numbers its own
 * long-only options from CMD_OPT_OWN; its short options are characters.
 * 'p' is taken when the program takes a pipeline.
 */
enum {
	CMD_OPT_LOG_FORMAT = 1000,
	CMD_OPT_QUIET,
	CMD_OPT_VERBOSE,
	CMD_OPT_VERSION,
	CMD_OPT_HELP,
	CMD_OPT_OWN = 1100
};

/* Help lines of the common options, for a program's help text. */
#define CMD_HELP_PIPELINE \
	"  -p, --pipeline FILE   pipeline settings (YAML); explicit flags override it\n"
#define CMD_HELP_COMMON                                                                 \
	"      --log-format FMT  human (default) or json: one JSON object per line\n"   \
	"      --quiet           print only warnings and errors\n"                      \
	"      --verbose         print debug lines too\n"                               \
	"      --version         print the version and exit\n"                          \
	"      --help            print this help and exit\n"

/* What cmd_main hands to run once the options are read. */
struct cmd_args {
	const char *pipeline;        /* -p FILE, or NULL (never set without CMD_PIPELINE) */
	enum log_format log_format;  /* already given to log_init */
	int quiet, verbose;          /* already given to log_init; to pass on to children */
	int argc;                    /* positional arguments, in order, */
	char **argv;                 /* within the program's min/max_args */
};

/*
 * The option handler: called once for each occurrence of one of the
 * program's own options, in command-line order, with the option's code
 * (its `val`) and its argument (NULL for an option without one).  Returns
 * 0, or -1 after setting e: every handler error is a usage error (its
 * message, the synopsis, exit 2), whatever e->code says.
 */
typedef int (*cmd_option_fn)(void *ctx, int opt, const char *arg, struct itg_err *e);

/*
 * The run function: validates what the options left to check, calls the
 * library and returns 0, or -1 with e set (e->code is the exit status;
 * misuse found here goes through cmd_usage_error).  It never prints the
 * error, exits, or closes stdout: cmd_main does.
 */
typedef int (*cmd_run_fn)(void *ctx, const struct cmd_args *args, struct itg_err *e);

/* cmd.flags */
#define CMD_PIPELINE 0x1   /* takes -p/--pipeline FILE */

struct cmd {
	const char *name;       /* "itg-load": messages, logs, --version */
	const char *synopsis;   /* "usage: itg-load ...\n", one or more lines */
	const char *help;       /* --help text after the synopsis and a blank line */
	unsigned flags;         /* CMD_PIPELINE */
	const char *short_options;          /* own, getopt syntax ("n:x"), or NULL */
	const struct option *long_options;  /* own, ending in {0}, or NULL */
	cmd_option_fn option;   /* required when there are own options */
	int min_args, max_args; /* positional arguments; both 0 = options only */
	const char *args_name;  /* for "missing ARGS" ("PIPELINE.yaml"), or NULL */
	cmd_run_fn run;
};

/* Runs a program as described above; returns its exit status for main(). */
int cmd_main(const struct cmd *cmd, void *ctx, int argc, char **argv);

/*
 * Marks misuse found by run, after the options were read (a required
 * option absent, two that exclude each other, a value refused once the
 * pipeline is read): cmd_main prints it as a usage error and exits 2.
 * Returns -1 so run can `return cmd_usage_error(e, ...)`.
 */
int cmd_usage_error(struct itg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same for an error a library function already put in e. */
int cmd_as_usage_error(struct itg_err *e);

/*
 * 1 when standard descriptor fd (0-2) was closed as the program started
 * (cmd_main reserved it on /dev/null): a program that must say so, such as
 * a runner whose summary cannot reach a closed stdout, asks here.
 */
int cmd_std_was_closed(int fd);

/* e->code set by cmd_usage_error: not an exit status, cmd_main exits 2. */
#define CMD_EXIT_MISUSE 0x102

#endif
