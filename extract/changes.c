/*
 * changes.c - an incremental run's phase (incremental.h, docs/contract.md
 * section 11): each resource read by its changes (organizations by
 * updated_at with their count, 7 days at a time when the open range is
 * refused; contacts and domains newest first down to the mark), merged
 * into the base, and kept only when the merged count is IT Glue's total.
 * Whatever cannot be used makes that resource walk in full (want_full).
 * The pure parts (the decision, the mark, the URLs, the windows, the scan
 * of a sorted page) are incremental.c; this file runs them on the run's
 * requests (run.h).
 */
#include "run.h"

#include "fsutil.h"
#include "incremental.h"
#include "json.h"
#include "log.h"
#include "ndjson.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The changes of rs cannot be used (the first reason given is kept): the
 * resource is walked in full once the changes are in.  warn: the reason
 * is the server's odd answer, not a deletion or IT Glue changing.
 */
static void want_full(struct res_state *rs, int warn, const char *fmt, ...)
{
	va_list ap;

	if (rs->need_full)
		return;
	rs->need_full = 1;
	rs->full_warn = warn;
	va_start(ap, fmt);
	vsnprintf(rs->why_full, sizeof rs->why_full, fmt, ap);
	va_end(ap);
}

/* The answer to a count request: meta.total-count is the resource's total. */
int changes_accept_count(struct run *run, struct page_req *pr, struct itg_err *e)
{
	struct res_state *rs = pr->rs;
	struct page_meta m;
	yajl_val doc, data;
	int retried, rc;

	rc = walk_parse_page(run, pr, &doc, &data, &retried, e);
	if (rc != 0 || retried)
		return rc;
	paging_read_meta(doc, &m);
	yajl_tree_free(doc);
	rs->change_requests++;
	if (!m.has_total_count || m.total_count < 0) {
		want_full(rs, 1, "IT Glue stated no total-count for %s", resource_names[rs->res]);
		return 0;
	}
	rs->has_server_total = 1;
	rs->server_total = m.total_count;
	return 0;
}

/*
 * A page of a walk newest first: its records from the mark on are
 * changes; the next page is asked only while every record so far was
 * one.  A server that does not sort as asked, or whose total moves, makes
 * the resource walk in full.
 */
int changes_accept_sorted(struct run *run, struct page_req *pr, struct itg_err *e)
{
	struct res_state *rs = pr->rs;
	const char *name = resource_names[rs->res];
	long page_size = run->o->page_size;
	struct page_meta m;
	yajl_val doc, data;
	long long *ms;
	size_t n, changes;
	enum incr_scan scan;
	int retried, rc = 0;

	rc = walk_parse_page(run, pr, &doc, &data, &retried, e);
	if (rc != 0 || retried)
		return rc;
	paging_read_meta(doc, &m);
	rs->pages_done++;
	rs->change_requests++;
	n = data->u.array.len;
	if (rs->need_full) {
		yajl_tree_free(doc);
		return 0;
	}
	if (pr->page == 1) {
		if (m.has_total_count && m.total_count >= 0) {
			rs->has_server_total = 1;
			rs->server_total = m.total_count;
		} else {
			want_full(rs, 1, "IT Glue stated no total-count for %s", name);
		}
	} else if (m.has_total_count && m.total_count != rs->server_total) {
		want_full(rs, 0, "IT Glue's total of %s moved from %lld to %lld while the changes were "
			      "read", name, rs->server_total, m.total_count);
	}
	ms = xcalloc(n ? n : 1, sizeof *ms);
	for (size_t i = 0; i < n; i++)
		incr_updated_at(data->u.array.values[i], &ms[i]);
	scan = incr_scan_page(ms, n, run->mark, &rs->last_updated, &changes);
	free(ms);
	if (scan == INCR_SCAN_UNSORTED)
		want_full(rs, 1, "IT Glue did not list %s newest first (sort=-updated_at), or a record "
			      "has no updated-at", name);
	for (size_t i = 0; i < changes && rc == 0 && !rs->need_full; i++) {
		yajl_val obj = data->u.array.values[i];
		rc = walk_add_record(run, rs, obj, json_get_id(obj, "id"), pr->page, e);
	}
	yajl_tree_free(doc);
	if (rc != 0 || rs->need_full)
		return rc;
	if (scan == INCR_SCAN_MORE && n == (size_t)page_size &&
	    paging_more(&m, pr->page, n, paging_cap(rs->server_total, page_size))) {
		rs->pages_planned = pr->page + 1;
		rs->next_page = pr->page + 2;
		walk_submit_page(run, rs, pr->page + 1);
	}
	log_progress("%s: %llu changed so far, %lld pages", name,
		     (unsigned long long)rs->recs.added, rs->pages_done);
	return 0;
}

/* A walk starts again from page 1 (a new window): its paging state, not its records. */
static void reset_paging(struct res_state *rs)
{
	rs->tally = (struct walk_tally){0};
	rs->pages_planned = 1;
	rs->next_page = 2;
	rs->cap = -1;
	rs->has_total_count = 0;
	rs->total_count = 0;
	rs->probed = 0;
	rs->top_meta = (struct page_meta){0};
	rs->top_page = 0;
	rs->top_records = 0;
	rs->walk_added = rs->recs.added;
}

/* Starts window k of the organizations' changes; 0 when there is none (all walked). */
static int start_window(struct run *run, struct res_state *rs, long k)
{
	if (!incr_window(run->mark, run->now_ms, k, &rs->win_start, &rs->win_end))
		return 0;
	rs->win = k;
	reset_paging(rs);
	walk_submit_page(run, rs, 1);
	return 1;
}

/*
 * IT Glue refused a request of the changes (a 4xx other than 401/403/429):
 * an organizations range on page 1 is asked again 7 days at a time;
 * anything else makes the resource walk in full.
 */
int changes_refused(struct run *run, struct page_req *pr, const char *summary)
{
	struct res_state *rs = pr->rs;
	long status = pr->fr.status;

	if (!pr->count && rs->kind == WALK_FILTER && pr->page == 1 && !rs->windows &&
	    (status == 400 || status == 422)) {
		log_warn("organizations: HTTP %ld to filter[updated_at]=%s,* (%s); asking 7 days at "
			 "a time",
			 status, run->mark_text, summary);
		rs->windows = 1;
		if (!start_window(run, rs, 0))
			want_full(rs, 1, "no 7-day window to ask");
		return 0;
	}
	want_full(rs, 1, "IT Glue answered HTTP %ld (%s) to %s of the changes", status, summary,
		  pr->count ? "the count request" : "a page");
	return 0;
}

/* ---- an incremental run's phase: the changes, merged into the base ---- */

/* Starts reading rs's changes: organizations by updated_at with their total, others newest first. */
static void start_changes(struct run *run, struct res_state *rs, const char *staged,
			  size_t budget)
{
	records_init(&rs->recs, staged, resource_names[rs->res], budget);
	rs->cap = -1;
	rs->pages_planned = 1;
	rs->next_page = 2;
	rs->last_updated = LLONG_MAX;
	if (rs->res == RES_ORGANIZATIONS) {
		struct page_req *count;

		rs->kind = WALK_FILTER;
		rs->ids = strmap_new(1024);
		walk_submit_page(run, rs, 1);
		count = walk_new_req(run, rs);
		count->count = 1;
		count->page = 1;
		count->fr.url = incr_count_url(run->o->base_url, rs->res);
		walk_queue_req(run, count, 0);
	} else {
		rs->kind = WALK_SORTED;
		walk_submit_page(run, rs, 1);
	}
}

/*
 * After a drain: a walk by updated_at (or one window of it) is over.  It
 * must be complete like any walk; then the next window, if any, starts
 * (1: more to drain).
 */
static int changes_step(struct run *run, struct res_state *rs)
{
	char why[300];

	if (!rs->selected || !rs->incr || rs->need_full || rs->kind != WALK_FILTER)
		return 0;
	rs->tally.distinct = rs->recs.added - rs->walk_added;
	if (!walk_complete(&rs->tally, why, sizeof why)) {
		want_full(rs, 0, "the organizations updated since %s: %s", run->mark_text, why);
		return 0;
	}
	if (rs->windows && start_window(run, rs, rs->win + 1))
		return 1;
	if (!rs->has_server_total)
		want_full(rs, 1, "IT Glue did not say how many organizations there are");
	return 0;
}

/*
 * The base's organizations join the changed ones in rs->ids (a changed
 * copy wins), and the account is looked for among those kept.  -1 with e
 * set when the base's file cannot be read as a snapshot.
 */
static int add_base_org_ids(struct run *run, struct res_state *rs, struct itg_err *e)
{
	char *path = fs_join(run->base_dir, run->base.res[RES_ORGANIZATIONS].file);
	struct ndjson_reader rd;
	struct buf id = {0};
	const char *line;
	size_t len;
	int st;

	if (ndjson_reader_open(&rd, path, e) != 0) {
		free(path);
		return -1;
	}
	while ((st = ndjson_reader_next(&rd, &line, &len, e)) == 1) {
		char err[64];
		yajl_val obj;

		if (records_line_id(line, len, &id) != 0) {
			st = err_set(e, ITG_EXIT_RUNTIME, "%s:%ld: not a resource object with a "
				     "numeric id", path, rd.lineno);
			break;
		}
		if (strmap_has(rs->ids, buf_str(&id)))
			continue;   /* changed since: the new copy counts */
		strmap_put(rs->ids, buf_str(&id), NULL);
		/* the yajl generator writes "primary":true without spaces */
		if (!strstr(line, "\"primary\":true"))
			continue;
		obj = json_parse(line, len, err, sizeof err);
		walk_note_primary(run, obj, buf_str(&id));
		yajl_tree_free(obj);
	}
	ndjson_reader_close(&rd);
	buf_free(&id);
	free(path);
	return st < 0 ? -1 : 0;
}

/*
 * The changes of rs are in: merged with the base, they stand when their
 * count agrees with IT Glue's total (rs->skip_walk); otherwise, or when
 * the changes could not be used, rs is walked in full afterwards.
 * Organizations are only counted here (they are written after the
 * deletions are confirmed); the others are written now.
 */
static void finish_changes(struct run *run, struct res_state *rs, const char *staged)
{
	const char *name = resource_names[rs->res];
	unsigned long long changed = rs->recs.added;
	struct itg_err me = {0};
	uint64_t merged;

	if (!rs->selected || !rs->incr)
		return;
	if (rs->res == RES_ORGANIZATIONS && !rs->need_full) {
		changed = strmap_count(rs->ids);
		if (add_base_org_ids(run, rs, &me) != 0) {
			want_full(rs, 1, "cannot read the base: %s", me.msg);
		} else {
			merged = strmap_count(rs->ids);
			if (merged != (uint64_t)rs->server_total)
				want_full(rs, 0, "IT Glue has %lld, the previous snapshot with the "
					      "%llu changed merged in %llu (something was deleted)",
					  rs->server_total, changed, (unsigned long long)merged);
			else
				rs->tally.distinct = merged;
		}
	} else if (!rs->need_full) {
		if (write_resource(run, rs, staged, 1, &me) != 0) {
			want_full(rs, 1, "cannot merge with the previous snapshot: %s", me.msg);
		} else if (run->man.res[rs->res].records != (uint64_t)rs->server_total) {
			merged = run->man.res[rs->res].records;
			unwrite_resource(run, rs, staged);
			want_full(rs, 0, "IT Glue has %lld, the previous snapshot with the %llu "
				      "changed merged in %llu (something was deleted)",
				  rs->server_total, changed, (unsigned long long)merged);
		}
	}
	if (rs->need_full) {
		if (rs->full_warn)
			log_warn("%s: %s; walking %s in full", name, rs->why_full, name);
		else
			log_info("%s: %s; walking %s in full", name, rs->why_full, name);
		return;
	}
	rs->skip_walk = 1;
	log_info("%s: %llu changed since %s (%lld request%s), %lld records with the previous "
		 "snapshot's",
		 name, changed, run->mark_text, rs->change_requests,
		 rs->change_requests == 1 ? "" : "s", rs->server_total);
}

/* The changes of every resource read by its changes, before any full walk. */
int changes_walk(struct run *run, const char *staged, size_t budget, struct itg_err *e)
{
	int more;

	for (int i = 0; i < RES_COUNT; i++)
		if (run->rs[i].selected && run->rs[i].incr)
			start_changes(run, &run->rs[i], staged, budget);
	do {
		if (walk_drain(run, e) != 0)
			return -1;
		more = 0;
		for (int i = 0; i < RES_COUNT; i++)
			more |= changes_step(run, &run->rs[i]);
	} while (more);
	for (int i = 0; i < RES_COUNT; i++)
		finish_changes(run, &run->rs[i], staged);
	return 0;
}
