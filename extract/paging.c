#include "paging.h"

#include "json.h"

#include <limits.h>
#include <stdio.h>

static void read_int(yajl_val meta, const char *key, int *has, long long *out, int *is_null)
{
	yajl_val v = json_get(meta, key);

	if (is_null)
		*is_null = v && YAJL_IS_NULL(v);
	if (v && YAJL_IS_INTEGER(v)) {
		*has = 1;
		*out = YAJL_GET_INTEGER(v);
	}
}

void paging_read_meta(yajl_val doc, struct page_meta *m)
{
	yajl_val meta = json_get(doc, "meta");

	*m = (struct page_meta){0};
	if (!meta || !YAJL_IS_OBJECT(meta))
		return;
	read_int(meta, "current-page", &m->has_current, &m->current_page, NULL);
	read_int(meta, "next-page", &m->has_next, &m->next_page, &m->next_is_null);
	read_int(meta, "total-pages", &m->has_total_pages, &m->total_pages, NULL);
	read_int(meta, "total-count", &m->has_total_count, &m->total_count, NULL);
}

long long paging_cap(long long total_count, long page_size)
{
	if (total_count < 0 || page_size <= 0)
		return -1;
	if (total_count / page_size > LLONG_MAX - 2)
		return LLONG_MAX;
	return total_count / page_size + (total_count % page_size != 0) + 1;
}

long long paging_last_page(const struct page_meta *first, size_t first_records,
			   long page_size, int *capped)
{
	long long last, cap;

	*capped = 0;
	if (first_records == 0 || !first->has_total_pages || first->total_pages <= 1)
		return 1;
	if (first->next_is_null)
		return 1;
	last = first->total_pages;
	cap = first->has_total_count ? paging_cap(first->total_count, page_size) : -1;
	if (cap > 0 && last > cap) {
		last = cap;
		*capped = 1;
	}
	return last;
}

int paging_more(const struct page_meta *m, long long page, size_t records, long long cap)
{
	if (records == 0 || m->next_is_null)
		return 0;
	if (m->has_total_pages && page >= m->total_pages)
		return 0;
	if (m->has_current && m->has_total_pages && m->current_page >= m->total_pages)
		return 0;
	if (page >= (cap > 0 && cap < PAGING_MAX_PAGES ? cap : PAGING_MAX_PAGES))
		return 0;
	/* without a next page or a page count there is nothing to follow */
	if (!m->has_next && !m->has_total_pages)
		return 0;
	return 1;
}

int paging_plan(const char *resource, const struct page_meta *first, size_t first_records,
		long page_size, long long *last, int *capped, struct itg_err *e)
{
	long long announced = 0;
	char count[64] = "no total-count", hint[96] = "";

	*last = paging_last_page(first, first_records, page_size, capped);
	if (first->has_total_count)
		snprintf(count, sizeof count, "total-count %lld", first->total_count);
	if (*last > PAGING_MAX_PAGES)
		announced = *last;
	else if (first_records && first->has_total_count &&
		 paging_cap(first->total_count, page_size) - 1 > PAGING_MAX_PAGES)
		announced = paging_cap(first->total_count, page_size) - 1;
	if (!announced)
		return 0;
	if (page_size < PAGE_SIZE_MAX)
		snprintf(hint, sizeof hint,
			 "; if the account really holds that many, raise --page-size (now %ld)",
			 page_size);
	*last = 1;
	return err_set(e, ITG_EXIT_RUNTIME,
		       "%s: IT Glue announced %lld pages (%s at %ld a page), more than the %lld "
		       "pages a walk may take: the server is not answering as IT Glue does; check "
		       "the region or --base-url%s; nothing was published",
		       resource, announced, count, page_size, PAGING_MAX_PAGES, hint);
}

int paging_over_max(const struct page_meta *m, long long page, size_t records)
{
	if (page < PAGING_MAX_PAGES || records == 0 || m->next_is_null)
		return 0;
	return (m->has_next && m->next_page > page) ||
	       (m->has_total_pages && m->total_pages > page);
}
