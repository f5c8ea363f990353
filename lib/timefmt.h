/*
 * timefmt.h - times as text, always UTC.
 *
 * Two shapes: RFC 3339 with milliseconds, "2026-11-25T01:02:03.000Z", for
 * manifests, reports, audit lines and log lines; and the run id,
 * "20261125T010203Z", for folder names that sort by time.
 *
 * "Now" comes in two kinds.  time_now_* honour ITG_FIXED_TIME (seconds since
 * the epoch) in the environment, which pins what a stage records so that
 * golden-file tests of reports and audit lines are repeatable.  Log lines
 * say when something happened, so time_real_now_rfc3339 reads the real
 * clock whatever the environment says.
 */
#ifndef ITG_TIMEFMT_H
#define ITG_TIMEFMT_H

#include <time.h>

/* Buffer sizes, NUL included (the texts are 24 and 16 characters). */
#define TIME_RFC3339_SIZE 32
#define TIME_RUNID_SIZE 20

/* sec (seconds since the epoch) plus nsec nanoseconds, as RFC 3339 UTC with milliseconds. */
void time_format_rfc3339(time_t sec, long nsec, char out[TIME_RFC3339_SIZE]);
/* sec as a run id. */
void time_format_runid(time_t sec, char out[TIME_RUNID_SIZE]);

/* Now (ITG_FIXED_TIME when set) as RFC 3339 with milliseconds. */
void time_now_rfc3339(char out[TIME_RFC3339_SIZE]);
/* Now (ITG_FIXED_TIME when set) as a run id. */
void time_now_runid(char out[TIME_RUNID_SIZE]);
/* The real clock's now as RFC 3339 with milliseconds, for log lines. */
void time_real_now_rfc3339(char out[TIME_RFC3339_SIZE]);

/*
 * Reads an RFC 3339 time, "2026-11-25T01:02:03Z", with or without a
 * fraction of a second (kept to the millisecond, truncated) and with "Z"
 * or an offset "+01:00"; "T" and "Z" may be lower case.  0 with *ms the
 * milliseconds since the epoch, or -1 for anything else (a date that does
 * not exist included).
 */
int time_parse_rfc3339(const char *s, long long *ms);

#endif
