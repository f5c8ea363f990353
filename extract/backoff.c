#include "backoff.h"

double backoff_ceiling(int attempt)
{
	double c = BACKOFF_BASE_S;

	for (int i = 1; i < attempt && c < BACKOFF_CAP_S; i++)
		c *= 2;
	return c > BACKOFF_CAP_S ? BACKOFF_CAP_S : c;
}

double backoff_delay(int attempt, double u)
{
	if (u < 0)
		u = 0;
	if (u >= 1)
		u = 0.999999;
	return u * backoff_ceiling(attempt < 1 ? 1 : attempt);
}

long backoff_clamp_retry_after(long long seconds)
{
	if (seconds < 0)
		return 0;
	if (seconds > RETRY_AFTER_MAX_S)
		return RETRY_AFTER_MAX_S;
	return (long)seconds;
}

double backoff_wait(int attempt, long long retry_after, double u)
{
	long ra = backoff_clamp_retry_after(retry_after);

	return ra > 0 ? (double)ra : backoff_delay(attempt, u);
}

void jitter_seed(struct jitter *j, uint64_t seed)
{
	j->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

double jitter_next(struct jitter *j)
{
	uint64_t x = j->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	j->state = x;
	/* top 53 bits as a double in [0, 1) */
	return (double)((x * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}
