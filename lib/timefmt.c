#include "timefmt.h"

#include <ctype.h>
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

/* n digits at *p as a number; -1 when one is not a digit. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int time_parse_rfc3339(const char *s, long long *ms)
{
	const char *p = s;
	struct tm tm = {0};
	int year, mon, day, hour, min, sec, frac = 0, scale = 100, off = 0;
	time_t t;

	if (!s)
		return -1;
	year = digits(&p, 4);
	if (year < 0 || *p++ != '-' || (mon = digits(&p, 2)) < 1 || mon > 12 || *p++ != '-' ||
	    (day = digits(&p, 2)) < 1 || day > days_in_month(year, mon) ||
	    (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if ((hour = digits(&p, 2)) < 0 || hour > 23 || *p++ != ':' || (min = digits(&p, 2)) < 0 ||
	    min > 59 || *p++ != ':' || (sec = digits(&p, 2)) < 0 || sec > 60)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += scale * (*p - '0');
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if ((oh = digits(&p, 2)) < 0 || oh > 23 || *p++ != ':' || (om = digits(&p, 2)) < 0 ||
		    om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*ms = ((long long)t - off) * 1000 + frac;
	return 0;
}
