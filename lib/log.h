/*
 * log.h - one line per event on stderr: "LEVEL stage: message", or one JSON
 * object per line with --log-format json.  --quiet keeps warnings and errors.
 * Progress lines appear only with human logs and not --quiet, and only when
 * stderr is a terminal or the environment says ITG_PROGRESS=1 (pipelines/run
 * sets it for its stages when its own stderr is a terminal: their stderr is
 * then a pipe the runner reads, which passes progress to the terminal only).
 *
 * Never pass the API key, a raw HTML body or personal data to these.
 */
#ifndef ITG_LOG_H
#define ITG_LOG_H

enum log_format { LOG_HUMAN, LOG_JSON };
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(const char *stage, enum log_format format, int quiet, int verbose);
const char *log_stage(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#define LOG_PROGRESS_VAR "ITG_PROGRESS"

/*
 * Rewrites one status line in place ("\r\033[K" + "stage: text", no newline;
 * see above for when); log_progress_end clears it, and so does the next log
 * line.
 */
void log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_progress_end(void);

/* Parses "human" or "json"; returns -1 for anything else. */
int log_parse_format(const char *s, enum log_format *out);

#endif
