/*
 * err.h - errors as values, and the exit codes shared by every stage.
 *
 * Library code never prints and never exits: it fills a struct itg_err with
 * the exit-code class of docs/contract.md section 2 and a one-line message that
 * already names the file, line and column at fault, and returns -1 (or NULL).
 * Only main() prints the message and exits with e.code.
 */
#ifndef ITG_ERR_H
#define ITG_ERR_H

enum itg_exit {
	ITG_EXIT_OK = 0,      /* success, business outcomes included */
	ITG_EXIT_RUNTIME = 1, /* I/O, network after retries, server errors */
	ITG_EXIT_USAGE = 2,   /* bad flag, bad YAML, malformed input */
	ITG_EXIT_AUTH = 3,    /* IT Glue refused the credentials */
	ITG_EXIT_STALE = 4,   /* stale plan, or the store lock is held */
};

#define ITG_ERR_MSG 1024

struct itg_err {
	int code;               /* enum itg_exit; 0 while no error */
	char msg[ITG_ERR_MSG];  /* lowercase, no full stop */
};

/* Sets code and message; returns -1 so callers can `return err_set(...)`. */
int err_set(struct itg_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Like err_set, prefixed "FILE:LINE:COL: " (line/col omitted when <= 0).
 * Lines and columns are 1-based.
 */
int err_at(struct itg_err *e, int code, const char *file, long line, long col,
	   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Prefixes an existing message with "WHAT: " (keeps the code). Returns -1. */
int err_prefix(struct itg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct itg_err *e);

#endif
