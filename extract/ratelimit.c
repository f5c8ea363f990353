#include "ratelimit.h"

void ratelimit_init(struct ratelimit *r, double rate, double now)
{
	r->rate = rate > 0 ? rate : RATELIMIT_DEFAULT_RPS;
	r->tokens = 1.0;
	r->last = now;
	r->epoch = 0;
	r->slowdowns = 0;
}

double ratelimit_acquire(struct ratelimit *r, double now)
{
	if (now > r->last) {
		r->tokens += (now - r->last) * r->rate;
		if (r->tokens > 1.0)
			r->tokens = 1.0;
		r->last = now;
	}
	if (r->tokens >= 1.0 - 1e-9) {
		r->tokens -= 1.0;
		if (r->tokens < 0)
			r->tokens = 0;
		return 0;
	}
	return (1.0 - r->tokens) / r->rate;
}

int ratelimit_slow_down(struct ratelimit *r, unsigned sent_epoch)
{
	double next;

	if (sent_epoch != r->epoch)
		return 0;
	next = r->rate / 2;
	if (next < RATELIMIT_FLOOR_RPS)
		next = RATELIMIT_FLOOR_RPS;
	r->epoch++;
	if (next >= r->rate)
		return 0;
	r->rate = next;
	r->slowdowns++;
	return 1;
}
