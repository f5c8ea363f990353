#include "complete.h"

#include <stdio.h>

void walk_tally_total(struct walk_tally *t, long long page, int has, long long total)
{
	if (page == 1) {
		t->has_total = has;
		t->total = has ? total : 0;
		return;
	}
	if (has && t->has_total && total != t->total && !t->total_changed) {
		t->total_changed = 1;
		t->other_total = total;
		t->other_page = page;
	}
}

int walk_complete(const struct walk_tally *t, char *why, size_t whylen)
{
	if (!t->has_total) {
		snprintf(why, whylen,
			 "the server stated no meta.total-count on page 1, so the walk cannot be "
			 "shown complete");
		return 0;
	}
	if (t->total_changed) {
		snprintf(why, whylen, "the server said %lld records on page 1 but %lld on page %lld",
			 t->total, t->other_total, t->other_page);
		return 0;
	}
	if (t->total < 0 || t->distinct != (uint64_t)t->total) {
		snprintf(why, whylen, "the server said %lld records but %llu arrived", t->total,
			 (unsigned long long)t->distinct);
		return 0;
	}
	if (whylen)
		why[0] = '\0';
	return 1;
}
