/*
 * paging.h - IT Glue's page arithmetic (docs/itglue-api.md section 3).
 *
 * Page 1 is fetched first; its meta says how many pages there are, and the
 * rest are fetched concurrently.  A walk stops on next-page null, an empty
 * data array, or current-page >= total-pages, and never goes past
 * ceil(total-count / size) + 1 pages, so a misbehaving server cannot make
 * it loop forever.  total-pages is 0, not 1, when nothing matches.
 */
#ifndef ITG_EXTRACT_PAGING_H
#define ITG_EXTRACT_PAGING_H

#include <yajl/yajl_tree.h>

#define PAGE_SIZE_DEFAULT 1000
#define PAGE_SIZE_MAX 1000
/* the walk cap when the server sends no total-count */
#define PAGING_HARD_CAP 1000000LL

/* A member of meta; has_* is 0 when it was absent or not an integer. */
struct page_meta {
	int has_current, has_next, has_total_pages, has_total_count;
	int next_is_null;     /* "next-page": null */
	long long current_page, next_page, total_pages, total_count;
};

/* Reads a document's "meta" (absent members stay unset). */
void paging_read_meta(yajl_val doc, struct page_meta *m);

/* ceil(total_count / page_size) + 1, or -1 when total_count is unknown. */
long long paging_cap(long long total_count, long page_size);

/*
 * From page 1's meta and record count: the last page to fetch concurrently
 * (1 = nothing more; total-pages, cut to the cap when it exceeds it).
 * *capped is set to 1 when total-pages was cut.
 */
long long paging_last_page(const struct page_meta *first, size_t first_records,
			   long page_size, int *capped);

/*
 * After page `page` (the highest fetched so far) with `records` records and
 * meta m: 1 when page + 1 should be fetched, 0 when the walk is over.
 * cap is paging_cap (or -1: unknown); past it the walk stops.
 */
int paging_more(const struct page_meta *m, long long page, size_t records, long long cap);

#endif
