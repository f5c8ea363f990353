/*
 * complete.h - when a resource's walk may be published (docs/contract.md sections
 * 3 and 10, docs/itglue-api.md section 3).
 *
 * Offset paging is not a consistent snapshot: records deleted or added
 * while the pages are fetched shift between pages, so a walk may skip a
 * record or see one twice, and a server may state a total it does not
 * serve.  A walk is complete only when the number of distinct records
 * received equals the meta.total-count the server stated on page 1, and no
 * later page stated another total.  itg-extract walks an incomplete
 * resource again, once, from the start, and fails the run (publishing
 * nothing) when the second walk disagrees too.
 */
#ifndef ITG_EXTRACT_COMPLETE_H
#define ITG_EXTRACT_COMPLETE_H

#include <stddef.h>
#include <stdint.h>

/* What one walk of a resource saw; zeroed before the walk. */
struct walk_tally {
	int has_total;          /* page 1 stated a total-count ... */
	long long total;        /* ... this one */
	int total_changed;      /* a later page stated another total: the first such */
	long long other_total;
	long long other_page;
	uint64_t distinct;      /* distinct records received, set once the walk is over */
};

/*
 * Notes the meta.total-count of page `page` (has = 0 when the page stated
 * none).  Page 1 sets the total; a later page stating a different one marks
 * the walk inconsistent.  Page 1 is always accepted before any other page.
 */
void walk_tally_total(struct walk_tally *t, long long page, int has, long long total);

/*
 * 1 when the walk is complete.  Otherwise 0, and why (at most whylen - 1
 * bytes) says what disagrees with both figures, e.g. "the server said 20
 * records but 17 arrived".
 */
int walk_complete(const struct walk_tally *t, char *why, size_t whylen);

#endif
