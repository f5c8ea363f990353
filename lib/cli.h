/*
 * cli.h - the command-line behaviour every stage shares (CONTRACT.md s.2):
 * --help, --version, -p/--pipeline, --log-format, --quiet, --verbose, and
 * reading the IT Glue API key from ITGLUE_API_KEY or a private key file.
 */
#ifndef ITG_CLI_H
#define ITG_CLI_H

#include <getopt.h>

#include "err.h"
#include "log.h"

#define ITG_VERSION "1.0.0"

/* Option codes above the ASCII range for long-only options. */
enum {
	OPT_LOG_FORMAT = 1000,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_VERSION,
	OPT_HELP,
	OPT_STAGE_BASE = 1100 /* stages number their own long-only options from here */
};

/* Put these in a stage's struct option array (before its own and {0}). */
#define CLI_COMMON_LONG_OPTIONS                                        \
	{"pipeline", required_argument, NULL, 'p'},                    \
	{"log-format", required_argument, NULL, OPT_LOG_FORMAT},       \
	{"quiet", no_argument, NULL, OPT_QUIET},                       \
	{"verbose", no_argument, NULL, OPT_VERBOSE},                   \
	{"version", no_argument, NULL, OPT_VERSION},                   \
	{"help", no_argument, NULL, OPT_HELP}

/* Text for --help, to print after a stage's own options. */
#define CLI_COMMON_HELP                                                              \
	"  -p, --pipeline FILE   pipeline settings (YAML); explicit flags override it\n" \
	"      --log-format FMT  human (default) or json: one JSON object per line\n"   \
	"      --quiet           print only warnings and errors\n"                      \
	"      --verbose         print debug lines too\n"                               \
	"      --version         print the version and exit\n"                          \
	"      --help            print this help and exit\n"

struct cli_common {
	const char *pipeline;      /* -p FILE or NULL */
	enum log_format log_format;
	int quiet;
	int verbose;
	int want_help;
	int want_version;
};

/*
 * Handles one getopt_long result if it is a common option.  Returns 1 when
 * handled, 0 when the option is the stage's own, -1 on a bad value (e is set,
 * ITG_EXIT_USAGE).
 */
int cli_common_option(struct cli_common *c, int opt, const char *arg, struct itg_err *e);

/* Prints "STAGE VERSION" to stdout. */
void cli_print_version(const char *stage);

/*
 * Loads the API key: ITGLUE_API_KEY when set and non-empty, else key_file
 * (refused if group- or world-readable, or not a regular file).  Trailing
 * whitespace is trimmed.  No key at all is ITG_EXIT_USAGE.  The caller owns
 * *key and should wipe it with cli_forget_key.
 */
int cli_load_api_key(const char *key_file, char **key, struct itg_err *e);
void cli_forget_key(char *key);

/* Parses a whole decimal number / positive double; -1 on junk. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);

#endif
