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

/* The largest key file read: a key is a line of a few dozen bytes. */
#define CLI_KEY_FILE_MAX 4096

/*
 * Loads the API key: ITGLUE_API_KEY when set and non-empty, else key_file
 * (cli_read_key_file).  Trailing whitespace is trimmed.  No key at all is
 * ITG_EXIT_USAGE.  The caller owns *key and should wipe it with
 * cli_forget_key.
 */
int cli_load_api_key(const char *key_file, char **key, struct itg_err *e);

/*
 * Reads the one-line key in key_file, never blocking and never following a
 * link: a symbolic link, a FIFO, a device, a socket or a folder is refused
 * at once with a message saying what it is; so is a file readable by group
 * or others (it says chmod 600) or larger than CLI_KEY_FILE_MAX, and one
 * that holds no single-line key.  Every refusal is ITG_EXIT_USAGE and
 * never quotes the file's content.  Trailing whitespace is trimmed; the
 * caller owns *key (cli_forget_key).  Any program reading a key from a
 * file, a systemd credential included, reads it here.
 */
int cli_read_key_file(const char *key_file, char **key, struct itg_err *e);
void cli_forget_key(char *key);

/* Parses a whole decimal number / positive double; -1 on junk. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);

#endif
