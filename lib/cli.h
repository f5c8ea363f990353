/*
 * cli.h - values a program takes from its command line and environment:
 * the version it reports, whole and decimal numbers given as option
 * values, and the IT Glue API key (docs/contract.md section 2), read from
 * ITGLUE_API_KEY or a private key file and never from argv.
 * Options themselves are read by cmd.h.
 */
#ifndef ITG_CLI_H
#define ITG_CLI_H

#include "err.h"

#define ITG_VERSION "1.0.0"

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
