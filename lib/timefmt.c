#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>

void time_format_rfc3339(time_t sec, long nsec, char out[TIME_RFC3339_SIZE])
{
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(out, TIME_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, TIME_RFC3339_SIZE - n, ".%03dZ", (int)(nsec / 1000000) % 1000);
}

void time_format_runid(time_t sec, char out[TIME_RUNID_SIZE])
{
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(out, TIME_RUNID_SIZE, "%Y%m%dT%H%M%SZ", &tm);
}

static void real_now(struct timespec *now)
{
	clock_gettime(CLOCK_REALTIME, now);
}

/* ITG_FIXED_TIME pins "now" to a whole second; otherwise the real clock. */
static void pinned_now(struct timespec *now)
{
	const char *fixed = getenv("ITG_FIXED_TIME");

	if (fixed && *fixed) {
		now->tv_sec = (time_t)strtoll(fixed, NULL, 10);
		now->tv_nsec = 0;
		return;
	}
	real_now(now);
}

void time_now_rfc3339(char out[TIME_RFC3339_SIZE])
{
	struct timespec now;

	pinned_now(&now);
	time_format_rfc3339(now.tv_sec, now.tv_nsec, out);
}

void time_now_runid(char out[TIME_RUNID_SIZE])
{
	struct timespec now;

	pinned_now(&now);
	time_format_runid(now.tv_sec, out);
}

void time_real_now_rfc3339(char out[TIME_RFC3339_SIZE])
{
	struct timespec now;

	real_now(&now);
	time_format_rfc3339(now.tv_sec, now.tv_nsec, out);
}
