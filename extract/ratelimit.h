/*
 * ratelimit.h - the token bucket that keeps every transfer of a run under
 * IT Glue's rate limit (3000 requests per 5 minutes per account, shared by
 * all its integrations; docs/itglue-api.md section 5).
 *
 * Time is passed in (seconds on any monotonic clock) so tests need no sleep.
 * The bucket holds at most one token: requests are spaced evenly, never
 * sent in a burst.
 */
#ifndef ITG_EXTRACT_RATELIMIT_H
#define ITG_EXTRACT_RATELIMIT_H

#define RATELIMIT_DEFAULT_RPS 8.0
#define RATELIMIT_FLOOR_RPS 0.5

struct ratelimit {
	double rate;      /* tokens per second now */
	double tokens;    /* 0..1 */
	double last;      /* time of the last refill */
	unsigned epoch;   /* bumped on every slow-down */
	unsigned slowdowns;
};

void ratelimit_init(struct ratelimit *r, double rate, double now);

/*
 * Takes a token if one is there and returns 0; else returns the seconds to
 * wait until one will be (nothing is taken then).
 */
double ratelimit_acquire(struct ratelimit *r, double now);

/*
 * A 429 came back for a request sent in epoch `sent_epoch`: halves the rate
 * (not below RATELIMIT_FLOOR_RPS) unless the rate was already lowered after
 * that request left, so that the replies of requests in flight together
 * count as one signal.  Returns 1 when the rate changed.
 */
int ratelimit_slow_down(struct ratelimit *r, unsigned sent_epoch);

#endif
