/*
 * walk.c - the walk of a resource: requests queued a window at a time,
 * retried within their own and the run's budget, pages parsed and taken
 * record by record, the rest of the walk planned from page 1's meta, and
 * the loop that drains every request to its end (run.h).  The answers of
 * an incremental run's requests (changes.c) and of the organizations
 * asked for by id (byid.c) pass through here: handle sends them on.
 */
#include "run.h"

#include "confirm.h"
#include "errors.h"
#include "incremental.h"
#include "json.h"
#include "log.h"
#include "scrub.h"

#include <stdio.h>
#include <stdlib.h>

struct page_req *walk_new_req(struct run *run, struct res_state *rs)
{
	struct page_req *pr = xcalloc(1, sizeof *pr);

	pr->rs = rs;
	pr->fr.tag = pr;
	pr->next = run->live;
	if (run->live)
		run->live->prev = pr;
	run->live = pr;
	run->outstanding++;
	run->pages_total++;
	return pr;
}

/* Hands pr to the fetcher, to start after delay_s. */
void walk_queue_req(struct run *run, struct page_req *pr, double delay_s)
{
	pr->queued = 1;
	fetch_submit(run->f, &pr->fr, delay_s);
}

/* pr is handled for good: its body goes back to the budget, and it is freed. */
static void req_done(struct run *run, struct page_req *pr)
{
	fetch_release(run->f, &pr->fr);
	if (pr->prev)
		pr->prev->next = pr->next;
	else
		run->live = pr->next;
	if (pr->next)
		pr->next->prev = pr->prev;
	run->outstanding--;
	free(pr->fr.url);
	free(pr);
}

/* The URL of page `page` of rs's walk, whatever its kind. */
static char *page_url(const struct run *run, const struct res_state *rs, long long page)
{
	const char *base = run->o->base_url;
	long size = run->o->page_size;

	switch (rs->kind) {
	case WALK_FILTER:
		return incr_orgs_url(base, size, page, rs->windows ? rs->win_start : run->mark,
				     rs->windows ? rs->win_end : INCR_NO_TIME, !rs->unsorted);
	case WALK_SORTED:
		return incr_sorted_url(base, rs->res, size, page);
	case WALK_FULL:
	default:
		return extract_page_url(base, rs->res, size, page, !rs->unsorted);
	}
}

struct page_req *walk_submit_page(struct run *run, struct res_state *rs, long long page)
{
	struct page_req *pr = walk_new_req(run, rs);

	pr->page = page;
	pr->fr.url = page_url(run, rs, page);
	rs->inflight++;
	walk_queue_req(run, pr, 0);
	return pr;
}

/*
 * Queues the planned pages lazily: while fewer than run->window requests
 * are outstanding, the next planned page of each walk in turn (and, while
 * asking, the next organization asked for by id).  A server announcing a
 * million pages costs a window of requests, not a million.
 */
static void refill(struct run *run)
{
	for (int i = 0; i < RES_COUNT && run->outstanding < run->window; i++) {
		struct res_state *rs = &run->rs[i];

		/* next_page is 0 for a resource whose walk has not started */
		while (rs->selected && !rs->need_full && rs->next_page > 1 &&
		       rs->next_page <= rs->pages_planned && run->outstanding < run->window)
			walk_submit_page(run, rs, rs->next_page++);
	}
	while (run->asking && run->ask_next < run->ask.n && run->outstanding < run->window)
		byid_submit(run, &run->rs[RES_ORGANIZATIONS], run->ask.v[run->ask_next++]);
}

/* Queues the page again after a backoff, or fails when out of retries. */
static int retry_page(struct run *run, struct page_req *pr, long long retry_after,
		      const char *why, struct itg_err *e)
{
	const char *name = resource_names[pr->rs->res];
	long budget = extract_retry_budget(run->pages_total);
	double delay;

	if (pr->retries >= run->o->retries)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "cannot fetch %s page %lld after %d attempts: %s; check the network "
			       "and the IT Glue API status, or raise --retries or --timeout",
			       name, pr->page, pr->retries + 1, why);
	if (run->retries_used >= budget)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "cannot fetch %s page %lld: the run has used all its %ld retries "
			       "(last error: %s); check the network and the IT Glue API status",
			       name, pr->page, budget, why);
	pr->retries++;
	run->retries_used++;
	delay = backoff_wait(pr->retries, retry_after, jitter_next(&run->jit));
	log_info("%s %s %lld: %s; retry %d of %ld in %.1f s", name, pr->count ? "count" : "page",
		 pr->page, why, pr->retries, run->o->retries, delay);
	if (!pr->count)
		pr->rs->inflight++;
	walk_queue_req(run, pr, delay);
	return 0;
}

/* The account is the organization with primary: true; several: the lowest id. */
void walk_note_primary(struct run *run, yajl_val obj, const char *id)
{
	yajl_val attrs = json_get(obj, "attributes");
	yajl_val primary = json_get(attrs, "primary");
	const char *name = json_get_str(attrs, "name");

	if (!primary || !YAJL_IS_TRUE(primary))
		return;
	if (run->primary_id && id_cmp(id, run->primary_id) >= 0)
		return;
	free(run->primary_id);
	free(run->primary_name);
	run->primary_id = xstrdup(id);
	run->primary_name = name ? xstrdup(name) : NULL;
}

/* One record into the walk's records, refused when larger than a record may be. */
int walk_add_record(struct run *run, struct res_state *rs, yajl_val obj, const char *id,
		    long long page, struct itg_err *e)
{
	buf_reset(&run->line);
	json_gen_value(run->gen, obj);
	json_gen_take(run->gen, &run->line);
	if (records_check_size(rs->res, id, run->line.len, e) != 0)
		return -1;
	if (rs->res == RES_ORGANIZATIONS) {
		if (page != PAGE_BY_ID)
			strmap_put(rs->ids, id, NULL);
		walk_note_primary(run, obj, id);
	}
	return records_add(&rs->recs, id, buf_str(&run->line), run->line.len, page, e);
}

/*
 * After a page is in: plan the rest of the walk (refill queues it), or
 * close the resource.  -1 with e set when page 1 announces more than a
 * walk may take, or a walk that follows next-page reaches the most pages.
 */
static int advance(struct run *run, struct res_state *rs, struct page_req *pr,
		   const struct page_meta *m, size_t records, struct itg_err *e)
{
	const char *name = resource_names[rs->res];
	long page_size = run->o->page_size;

	if (!pr->probe || records > 0)
		rs->pages_done++;
	if (rs->kind != WALK_FULL)
		rs->change_requests++;
	if (rs->need_full)
		return 0;
	walk_tally_total(&rs->tally, pr->page, m->has_total_count, m->total_count);
	if (m->has_total_count && (!rs->has_total_count || m->total_count > rs->total_count)) {
		rs->has_total_count = 1;
		rs->total_count = m->total_count;
		rs->cap = paging_cap(rs->total_count, page_size);
	}
	if (pr->page >= rs->top_page) {
		rs->top_page = pr->page;
		rs->top_meta = *m;
		rs->top_records = records;
	}
	if (pr->page == 1) {
		int capped;
		long long last;

		if (paging_plan(name, m, records, page_size, &last, &capped, e) != 0)
			return -1;
		if (capped)
			log_warn("%s: total-pages %lld is more than total-count %lld allows at "
				 "%ld per page: fetching %lld pages",
				 name, m->total_pages, m->total_count, page_size, last);
		rs->pages_planned = last;
		rs->next_page = 2;
	} else if (records == 0 && !pr->probe && pr->page < rs->pages_planned) {
		/* an empty page ends the walk: no page after it holds anything now */
		rs->pages_planned = pr->page;
	}
	log_progress("%s: %llu records, %lld of %lld pages", name,
		     (unsigned long long)rs->recs.added, rs->pages_done,
		     rs->pages_planned > rs->pages_done ? rs->pages_planned : rs->pages_done);
	if (rs->inflight || rs->next_page <= rs->pages_planned)
		return 0;
	if (paging_more(&rs->top_meta, rs->top_page, rs->top_records, rs->cap)) {
		/* the data grew during the walk: follow it page by page */
		rs->pages_planned = rs->top_page + 1;
		rs->next_page = rs->pages_planned + 1;
		walk_submit_page(run, rs, rs->top_page + 1);
		return 0;
	}
	if (paging_over_max(&rs->top_meta, rs->top_page, rs->top_records))
		return err_set(e, ITG_EXIT_RUNTIME,
			       "%s: page %lld still announces more, and a walk takes at most %lld "
			       "pages: the server is not answering as IT Glue does; check the region "
			       "or --base-url; nothing was published",
			       name, rs->top_page, PAGING_MAX_PAGES);
	if (!rs->probed && rs->top_records == (size_t)page_size && rs->cap > 0 &&
	    rs->top_page < rs->cap) {
		/* a full last page: a total stated lower than the truth would end the
		 * walk here unseen, with the count agreeing; one page more shows it */
		rs->probed = 1;
		walk_submit_page(run, rs, rs->top_page + 1)->probe = 1;
		return 0;
	}
	if (rs->top_records && rs->top_meta.has_next && !rs->top_meta.next_is_null &&
	    rs->cap > 0 && rs->top_page >= rs->cap)
		log_warn("%s: stopped at page %lld, the most that total-count %lld allows, although "
			 "the server announced more",
			 name, rs->top_page, rs->total_count);
	log_progress_end();
	return 0;
}

/* Parses a 200 body into doc and its data array; retries the request when it cannot. */
int walk_parse_page(struct run *run, struct page_req *pr, yajl_val *doc, yajl_val *data,
		    int *retried, struct itg_err *e)
{
	struct fetch_request *r = &pr->fr;
	char err[256], why[320];

	*retried = 0;
	*doc = json_parse(r->body.p ? r->body.p : "", r->body.len, err, sizeof err);
	if (!*doc) {
		/* the parser's message may quote the body: say only its size */
		snprintf(why, sizeof why, "malformed JSON body (%zu bytes) on HTTP %ld", r->body.len,
			 r->status);
		*retried = 1;
		return retry_page(run, pr, 0, why, e);
	}
	*data = json_get(*doc, "data");
	if (!*data || !YAJL_IS_ARRAY(*data)) {
		yajl_tree_free(*doc);
		snprintf(why, sizeof why, "no data array in the body (%zu bytes)", r->body.len);
		*retried = 1;
		return retry_page(run, pr, 0, why, e);
	}
	for (size_t i = 0; i < (*data)->u.array.len; i++) {
		if (!confirm_record_valid((*data)->u.array.values[i])) {
			yajl_tree_free(*doc);
			snprintf(why, sizeof why, "record %zu of the page has no numeric id", i + 1);
			*retried = 1;
			return retry_page(run, pr, 0, why, e);
		}
	}
	/* the page is taken: its body is not needed any more (its tree still is) */
	fetch_release(run->f, r);
	return 0;
}

/* A 200 with a body: every record is taken, or the page is retried. */
static int accept_page(struct run *run, struct page_req *pr, struct itg_err *e)
{
	struct res_state *rs = pr->rs;
	struct page_meta m;
	yajl_val doc, data;
	size_t n;
	int retried, rc;

	rc = walk_parse_page(run, pr, &doc, &data, &retried, e);
	if (rc != 0 || retried)
		return rc;
	for (size_t i = 0; i < data->u.array.len; i++) {
		yajl_val obj = data->u.array.values[i];
		if (walk_add_record(run, rs, obj, json_get_id(obj, "id"), pr->page, e) != 0) {
			yajl_tree_free(doc);
			return -1;
		}
	}
	paging_read_meta(doc, &m);
	n = data->u.array.len;
	yajl_tree_free(doc);
	return advance(run, rs, pr, &m, n, e);
}

static int handle(struct run *run, struct page_req *pr, struct itg_err *e)
{
	struct fetch_request *r = &pr->fr;
	const char *name = resource_names[pr->rs->res];
	char summary[200], why[400];

	if (pr->id)
		return byid_handle(run, pr, e);
	if (!pr->count)
		pr->rs->inflight--;
	/* not a network error: asking again would bring the same bytes */
	if (r->too_large)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "%s page %lld: the answers in flight would inflate to more than %zu "
			       "MiB (this one to %.1f MiB when it was stopped): IT Glue answered "
			       "something that is not a page of %s; nothing was published; if its "
			       "pages really are that large, lower --page-size or --concurrency",
			       name, pr->page, fetch_budget_limit(run->f) >> 20,
			       (double)r->received / 1048576.0, name);
	if (r->curl_code != CURLE_OK) {
		snprintf(why, sizeof why, "%s", r->error);
		scrub_inplace(why, sizeof why, run->o->api_key);
		return retry_page(run, pr, 0, why, e);
	}
	switch (errors_classify(r->status)) {
	case HTTP_OK:
		if (pr->count)
			return changes_accept_count(run, pr, e);
		if (pr->rs->kind == WALK_SORTED)
			return changes_accept_sorted(run, pr, e);
		return accept_page(run, pr, e);
	case HTTP_RATE_LIMIT:
		return retry_page(run, pr, r->retry_after, "HTTP 429 (rate limit)", e);
	case HTTP_RETRY:
		errors_summarise_body(r->body.p ? r->body.p : "", r->body.len, run->o->api_key,
				      summary, sizeof summary);
		snprintf(why, sizeof why, "HTTP %ld (%s)", r->status, summary);
		return retry_page(run, pr, 0, why, e);
	case HTTP_AUTH:
		errors_summarise_body(r->body.p ? r->body.p : "", r->body.len, run->o->api_key,
				      summary, sizeof summary);
		return errors_auth(e, r->status, name, run->o->region, run->o->base_url, summary);
	case HTTP_FATAL:
	default:
		if (pr->count || pr->rs->kind != WALK_FULL) {
			errors_summarise_body(r->body.p ? r->body.p : "", r->body.len,
					      run->o->api_key, summary, sizeof summary);
			return changes_refused(run, pr, summary);
		}
		/* sort=id is only a courtesy (records are sorted here): a server
		 * that refuses it on page 1 is asked again without it */
		if ((r->status == 400 || r->status == 422) && pr->page == 1 && !pr->rs->unsorted &&
		    pr->rs->res != RES_DOMAINS) {
			errors_summarise_body(r->body.p ? r->body.p : "", r->body.len,
					      run->o->api_key, summary, sizeof summary);
			log_warn("%s: HTTP %ld on page 1 (%s); asking again without sort=id", name,
				 r->status, summary);
			pr->rs->unsorted = 1;
			free(r->url);
			r->url = page_url(run, pr->rs, 1);
			pr->rs->inflight++;
			walk_queue_req(run, pr, 0);
			return 0;
		}
		errors_summarise_body(r->body.p ? r->body.p : "", r->body.len, run->o->api_key,
				      summary, sizeof summary);
		return errors_fatal(e, r->status, name, pr->page, run->o->page_size, summary);
	}
}

/*
 * Runs every planned request to its end, queueing more as others finish
 * (refill); a request not queued again by its handler is done with.
 */
int walk_drain(struct run *run, struct itg_err *e)
{
	struct fetch_request *done;
	struct itg_err fe = {0};

	for (refill(run); (done = fetch_wait(run->f, &fe)) != NULL; refill(run)) {
		struct page_req *pr = done->tag;
		int rc;

		pr->queued = 0;
		rc = handle(run, pr, e);
		if (!pr->queued)
			req_done(run, pr);
		if (rc != 0)
			return -1;
	}
	if (fe.code) {
		*e = fe;
		return -1;
	}
	log_progress_end();
	return 0;
}

/* Starts a walk of rs from page 1, with nothing kept from an earlier one. */
void walk_start(struct run *run, struct res_state *rs, const char *staged, size_t budget)
{
	int unsorted = rs->unsorted, walk = rs->walk + 1;

	records_free(&rs->recs);
	strmap_free(rs->ids, NULL);
	*rs = (struct res_state){.res = rs->res, .selected = 1, .walk = walk, .cap = -1,
				 .unsorted = unsorted, .pages_planned = 1, .next_page = 2};
	records_init(&rs->recs, staged, resource_names[rs->res], budget);
	if (rs->res == RES_ORGANIZATIONS) {
		rs->ids = strmap_new(1024);
		free(run->primary_id);
		free(run->primary_name);
		run->primary_id = run->primary_name = NULL;
	}
	walk_submit_page(run, rs, 1);
}
