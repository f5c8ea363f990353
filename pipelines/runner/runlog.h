/*
 * runlog.h - the runner's log: its own lines and its stages' lines, on
 * standard error and in the run folder's run.log.
 *
 * On standard error the lines are as the stages and lib/log.h write them
 * (human or --log-format json).  In run.log every line starts with the UTC
 * time (RFC 3339, milliseconds) and a space; the runner's own lines follow
 * as "LEVEL itg-run: message", the stages' lines as they wrote them.  The
 * runner's info lines go to run.log even with --quiet.
 */
#ifndef ITG_RUNNER_RUNLOG_H
#define ITG_RUNNER_RUNLOG_H

#include <stddef.h>

#include "err.h"
#include "log.h"

#define RUNNER_NAME "itg-run"

struct runlog {
	int fd;            /* run.log, -1 until runlog_open */
	char *path;        /* owned */
	int verbose;       /* debug lines too */
	int write_errno;   /* the first failed write to run.log, 0 = none */
};

/* Before run.log exists: lines go to standard error only. */
void runlog_init(struct runlog *l, int verbose);

/* Creates path (0600, exclusively, not following a symbolic link). */
int runlog_open(struct runlog *l, const char *path, struct itg_err *e);

/* One line of the runner's own. */
void runlog_say(struct runlog *l, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One line a stage wrote to its standard error (n bytes, no newline). */
void runlog_stage_line(struct runlog *l, const char *line, size_t n);

/*
 * fsyncs run.log.  A write to it that failed earlier, or the fsync, is
 * ITG_EXIT_RUNTIME naming the file: a run whose log is incomplete is not a
 * success.
 */
int runlog_sync(struct runlog *l, struct itg_err *e);

/* Closes run.log after its last line; safe to call twice. */
void runlog_close(struct runlog *l);


#endif
