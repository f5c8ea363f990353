/*
 * progress.h - itg-load's progress line on long loads (half a million plan
 * lines take a while): "applying plan lines: 120,000 of 508,402".
 *
 * lib/log.h log_progress decides whether anything is shown (a terminal, or
 * ITG_PROGRESS=1 from pipelines/run); this decides how often: the clock is
 * read only every PROGRESS_EVERY lines, and the line rewritten at most once
 * per PROGRESS_INTERVAL seconds, the first time at once.
 */
#ifndef ITG_LOAD_PROGRESS_H
#define ITG_LOAD_PROGRESS_H

#include <stddef.h>

#define PROGRESS_EVERY 4096
#define PROGRESS_INTERVAL 0.25

struct progress {
	size_t every;            /* lines between clock readings */
	double interval;         /* seconds between two updates */
	double (*clock)(void);   /* seconds, monotonic; tests give their own */
	double last;             /* when it was last updated */
	int shown;               /* updated at least once */
};

/* PROGRESS_EVERY, PROGRESS_INTERVAL and the monotonic clock. */
void progress_init(struct progress *p);

/*
 * 1 when line i (0-based) is the time to update the line: i is a multiple
 * of every and, by the clock read then, interval has passed since the last
 * update (or there was none).  Records the update.
 */
int progress_due(struct progress *p, size_t i);

/* n with a comma every three digits: "508,402". */
void progress_count(size_t n, char out[32]);

#endif
