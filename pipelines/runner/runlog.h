/*
 * runlog.h - the runner's log: its own lines and its stages' lines, on
 * standard error and in the run folder's run.log.
 *
 * On standard error the lines are as the stages and lib/log.h write them
 * (human or --log-format json).  In run.log every line starts with the UTC
 * time (RFC 3339, milliseconds) and a space; the runner's own lines follow
 * as "LEVEL itg-run: message", the stages' lines as they wrote them, less
 * any carriage return and terminal control sequence.  The runner's info
 * lines go to run.log even with --quiet.
 *
 * Progress: a stage's progress line (lib/log.h log_progress: "\r\033[K"
 * and text, no newline, rewritten in place) is never a line of run.log.
 * When progress is on (the runner's standard error is a terminal, logs are
 * human and not --quiet) it is passed on to standard error as it comes;
 * otherwise it is dropped.
 */
#ifndef ITG_RUNNER_RUNLOG_H
#define ITG_RUNNER_RUNLOG_H

#include <stddef.h>

#include "err.h"
#include "log.h"
#include "xalloc.h"

#define RUNNER_NAME "itg-run"

/* A stage line longer than this is passed on in pieces. */
#define RUNLOG_MAX_LINE 65536

struct runlog {
	int fd;            /* run.log, -1 until runlog_open */
	char *path;        /* owned */
	int verbose;       /* debug lines too */
	int write_errno;   /* the first failed write to run.log, 0 = none */
	int err_fd;        /* where stage output is shown: STDERR_FILENO */
	int progress;      /* pass the stages' progress lines on to err_fd */
};

/* Before run.log exists: lines go to standard error only.  Progress off. */
void runlog_init(struct runlog *l, int verbose);

/* Creates path (0600, exclusively, not following a symbolic link). */
int runlog_open(struct runlog *l, const char *path, struct itg_err *e);

/* One line of the runner's own. */
void runlog_say(struct runlog *l, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A stage's standard error as it comes, cut into segments: a segment ends
 * at '\n' (a line) or '\r' (what follows rewrites the terminal's line).
 *
 *   - a segment that began after '\r' and ends at '\n' is a line (the
 *     stage cleared its progress line and wrote a log line);
 *   - one that began after '\r' and ends at another '\r', or at the end of
 *     the stream, is progress: shown (progress on) or dropped, never logged;
 *   - one that began at the start of a line and ends at '\r' is a line cut
 *     short: logged as a line, so no text of a stage is ever lost;
 *   - a line longer than RUNLOG_MAX_LINE is passed on in pieces.
 *
 * Lines go to run.log (with their time, less control sequences) and to
 * err_fd; each progress segment is written to err_fd as it was written,
 * at the latest at the end of the feed, so the terminal shows it at once.  runlog_stream_end flushes the last line and
 * clears a progress line left on the terminal.
 */
struct runlog_stream {
	struct buf seg;    /* since the last '\n' or '\r'; a progress segment keeps its '\r' */
	int in_progress;   /* seg began with '\r' */
	size_t shown;      /* bytes of seg already written to err_fd */
	int on_screen;     /* err_fd shows a progress line: no newline since */
};

void runlog_stream_init(struct runlog_stream *s);
void runlog_stream_feed(struct runlog *l, struct runlog_stream *s, const char *p, size_t n);
void runlog_stream_end(struct runlog *l, struct runlog_stream *s);

/*
 * Copies text without carriage returns and terminal control sequences (ESC
 * '[' ... final byte, and any other ESC with the byte after it) into out.
 */
void runlog_plain(const char *text, size_t n, struct buf *out);

/*
 * fsyncs run.log.  A write to it that failed earlier, or the fsync, is
 * ITG_EXIT_RUNTIME naming the file: a run whose log is incomplete is not a
 * success.
 */
int runlog_sync(struct runlog *l, struct itg_err *e);

/* Closes run.log after its last line; safe to call twice. */
void runlog_close(struct runlog *l);


#endif
