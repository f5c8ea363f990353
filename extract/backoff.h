/*
 * backoff.h - how long to wait before retrying a request.
 *
 * Exponential backoff with full jitter (a uniform draw in [0, cap of the
 * attempt]) so that concurrent transfers failing together do not retry
 * together.  A 429's Retry-After wins when it is usable: libcurl 7.88 gives
 * a negative number for an HTTP-date in the past and 0 when the header is
 * absent (docs/libraries.md 2.5), so it is clamped and 0 means "our own backoff".
 */
#ifndef ITG_EXTRACT_BACKOFF_H
#define ITG_EXTRACT_BACKOFF_H

#include <stdint.h>

#define BACKOFF_BASE_S 1.0
#define BACKOFF_CAP_S 30.0
#define RETRY_AFTER_MAX_S 120

/* The upper bound of the wait before retry number `attempt` (1-based). */
double backoff_ceiling(int attempt);

/* The wait before retry `attempt`, for a uniform draw u in [0, 1). */
double backoff_delay(int attempt, double u);

/* Retry-After seconds clamped to [0, RETRY_AFTER_MAX_S]. */
long backoff_clamp_retry_after(long long seconds);

/* Retry-After (raw, as libcurl reports it) when positive, else backoff_delay. */
double backoff_wait(int attempt, long long retry_after, double u);

/* A small PRNG for the jitter (xorshift64*); never seeded with 0. */
struct jitter {
	uint64_t state;
};
void jitter_seed(struct jitter *j, uint64_t seed);
double jitter_next(struct jitter *j); /* uniform in [0, 1) */

#endif
