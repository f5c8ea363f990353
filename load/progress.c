#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double monotonic(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_init(struct progress *p)
{
	memset(p, 0, sizeof *p);
	p->every = PROGRESS_EVERY;
	p->interval = PROGRESS_INTERVAL;
	p->clock = monotonic;
}

int progress_due(struct progress *p, size_t i)
{
	double now;

	if (p->every > 1 && i % p->every != 0)
		return 0;
	now = p->clock();
	if (p->shown && now - p->last < p->interval)
		return 0;
	p->last = now;
	p->shown = 1;
	return 1;
}

void progress_count(size_t n, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%zu", n), k = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
}
