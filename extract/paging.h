/*
 * paging.h - IT Glue's page arithmetic (docs/itglue-api.md section 3).
 *
 * Page 1 is fetched first; its meta says how many pages there are, and the
 * rest are fetched concurrently.  A walk stops on next-page null, an empty
 * data array, or current-page >= total-pages, and never goes past
 * ceil(total-count / size) + 1 pages, so a misbehaving server cannot make
 * it loop forever.  total-pages is 0, not 1, when nothing matches.
 *
 * Nor is any announcement trusted beyond PAGING_MAX_PAGES: a page 1 that
 * announces more pages than that (after the total-count cut), or a
 * total-count that would need more, is refused before anything else is
 * asked (paging_plan), and a walk that follows next-page stops there.  The
 * caller queues the planned pages lazily, a few at a time, never one entry
 * per announced page up front.
 */
#ifndef ITG_EXTRACT_PAGING_H
#define ITG_EXTRACT_PAGING_H

#include <yajl/yajl_tree.h>

#include "err.h"

#define PAGE_SIZE_DEFAULT 1000
#define PAGE_SIZE_MAX 1000
/* The most pages one walk takes: 100 million records at 1000 a page. */
#define PAGING_MAX_PAGES 100000LL
/* the walk cap when the server sends no total-count */
#define PAGING_HARD_CAP PAGING_MAX_PAGES

/* A member of meta; has_* is 0 when it was absent or not an integer. */
struct page_meta {
	int has_current, has_next, has_total_pages, has_total_count;
	int next_is_null;     /* "next-page": null */
	long long current_page, next_page, total_pages, total_count;
};

/* Reads a document's "meta" (absent members stay unset). */
void paging_read_meta(yajl_val doc, struct page_meta *m);

/*
 * ceil(total_count / page_size) + 1, or -1 when total_count is unknown
 * (never overflows, whatever total_count a server states).
 */
long long paging_cap(long long total_count, long page_size);

/*
 * From page 1's meta and record count: the last page to fetch concurrently
 * (1 = nothing more; total-pages, cut to the cap when it exceeds it).
 * *capped is set to 1 when total-pages was cut.
 */
long long paging_last_page(const struct page_meta *first, size_t first_records,
			   long page_size, int *capped);

/*
 * The walk's plan from page 1 (resource names it in messages): *last as
 * paging_last_page says.  -1 with e set (ITG_EXIT_RUNTIME) when the
 * announcement is more than a walk may take: more than PAGING_MAX_PAGES
 * pages after the total-count cut, or a total-count that needs more than
 * PAGING_MAX_PAGES pages of page_size; the message names the resource,
 * what was announced and the cap.
 */
int paging_plan(const char *resource, const struct page_meta *first, size_t first_records,
		long page_size, long long *last, int *capped, struct itg_err *e);

/*
 * 1 when a walk has reached PAGING_MAX_PAGES at page `page` and the meta
 * of that page still announces more: the walk must fail, not stop short.
 */
int paging_over_max(const struct page_meta *m, long long page, size_t records);

/*
 * After page `page` (the highest fetched so far) with `records` records and
 * meta m: 1 when page + 1 should be fetched, 0 when the walk is over.
 * cap is paging_cap (or -1: unknown); past it, or past PAGING_MAX_PAGES,
 * the walk stops.
 */
int paging_more(const struct page_meta *m, long long page, size_t records, long long cap);

#endif
