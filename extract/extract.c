/*
 * extract.c - one itg-extract run (extract.h): whether it is incremental,
 * the walks in order (the changes first, then the full walks, each
 * incomplete one once more), the confirmations, the manifest and its
 * publication in one rename.  The parts it runs share run.h.
 */
#include "extract.h"

#include "confirm.h"
#include "fsutil.h"
#include "incremental.h"
#include "json.h"
#include "log.h"
#include "run.h"
#include "timefmt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long extract_retry_budget(long long pages)
{
	return 50 + (long)(pages / 10);
}

char *extract_page_url(const char *base_url, int resource, long page_size, long long page,
		       int sort_by_id)
{
	/* brackets percent-encoded: page[size] and page[number] */
	return xasprintf("%s/%s?page%%5Bsize%%5D=%ld&page%%5Bnumber%%5D=%lld%s", base_url,
			 resource_names[resource], page_size, page,
			 sort_by_id && resource != RES_DOMAINS ? "&sort=id" : "");
}

/*
 * Walks every selected resource, and each incomplete one once more
 * (complete.h).  Organizations are counted by their ids and written later,
 * with what the confirmations add; the others are counted as written.  In
 * an incremental run the changes come first, and only the resources they
 * cannot serve are walked.
 */
static int walk_all(struct run *run, const char *staged, size_t budget, struct itg_err *e)
{
	char why[300];

	/* the resources walked in full anyway go alongside the changes */
	for (int i = 0; i < RES_COUNT; i++)
		if (run->rs[i].selected && !run->rs[i].incr)
			walk_start(run, &run->rs[i], staged, budget);
	if (run->incremental && changes_walk(run, staged, budget, e) != 0)
		return -1;
	for (int i = 0; i < RES_COUNT; i++)
		if (run->rs[i].selected && run->rs[i].incr && !run->rs[i].skip_walk)
			walk_start(run, &run->rs[i], staged, budget);
	for (int round = 1;; round++) {
		int again = 0;

		if (walk_drain(run, e) != 0)
			return -1;
		for (int i = 0; i < RES_COUNT; i++) {
			struct res_state *rs = &run->rs[i];
			const char *name = resource_names[i];

			if (!rs->selected || rs->skip_walk || rs->walk != round)
				continue;
			if (i == RES_ORGANIZATIONS) {
				rs->tally.distinct = strmap_count(rs->ids);
			} else {
				if (write_resource(run, rs, staged, 0, e) != 0)
					return -1;
				rs->tally.distinct = run->man.res[i].records;
			}
			if (walk_complete(&rs->tally, why, sizeof why))
				continue;
			if (round == 2)
				return err_set(e, ITG_EXIT_RUNTIME,
					       "%s: %s, twice: IT Glue changed during the walk or "
					       "answered inconsistently; nothing was published, run "
					       "again later",
					       name, why);
			log_warn("%s: %s; walking %s again from the start", name, why, name);
			walk_start(run, rs, staged, budget);
			again = 1;
		}
		if (!again)
			return 0;
	}
}

static void run_free(struct run *run)
{
	for (int i = 0; i < RES_COUNT; i++) {
		records_free(&run->rs[i].recs);
		strmap_free(run->rs[i].ids, NULL);
	}
	fetch_free(run->f);
	while (run->live) {
		struct page_req *pr = run->live;

		run->live = pr->next;
		free(pr->fr.url);
		buf_free(&pr->fr.body);
		free(pr);
	}
	if (run->gen)
		yajl_gen_free(run->gen);
	buf_free(&run->line);
	snapshot_manifest_free(&run->man);
	csvtab_free(&run->links);
	snapshot_ids_free(&run->ask);
	free(run->primary_id);
	free(run->primary_name);
	free(run->base_dir);
}

/*
 * Incremental when o->since names a snapshot that may serve as the base
 * (incremental.h); otherwise a full walk, with the reason logged (a
 * warning when the base is there but damaged).
 */
static void choose_mode(struct run *run, const struct extract_options *o)
{
	struct itg_err be = {0};
	long long started;
	char why[700];
	int missing;

	if (!o->since || time_parse_rfc3339(run->man.started_at, &run->now_ms) != 0)
		return;
	if (incr_open_base(o->since, &run->base, &run->base_dir, &missing, &be) != 0) {
		if (missing && o->since_given)
			log_warn("--since %s: %s: a full walk", o->since, be.msg);
		else if (missing)
			log_info("%s: a full walk", be.msg);
		else
			log_warn("the previous snapshot %s cannot serve as a base (%s): a full walk",
				 o->since, be.msg);
		memset(&run->base, 0, sizeof run->base);
		return;
	}
	if (!incr_decide(&run->base, o->base_url, run->now_ms, o->full_every, why, sizeof why) ||
	    time_parse_rfc3339(run->base.started_at, &started) != 0) {
		log_info("a full walk: %s", why);
		return;
	}
	run->incremental = 1;
	run->mark = incr_mark(started);
	incr_format_time(run->mark, run->mark_text);
	log_info("incremental, from %s (it began %s): asking IT Glue what changed since %s",
		 run->base_dir, run->base.started_at, run->mark_text);
}

/*
 * "mode", "base" and "last_full_at": incremental when any resource came
 * from the base, naming it and carrying its last full walk forward.
 */
static int set_mode(struct run *run)
{
	struct snapshot_manifest *m = &run->man;
	const char *last;
	int merged = 0;

	for (int i = 0; i < RES_COUNT; i++)
		merged += run->rs[i].selected && run->rs[i].skip_walk;
	if (!merged) {
		/* the last full walk is this one: started_at says when */
		snprintf(m->mode, sizeof m->mode, "full");
		return 0;
	}
	last = snapshot_last_full_at(&run->base);
	snprintf(m->mode, sizeof m->mode, "incremental");
	m->has_base = 1;
	snprintf(m->base_path, sizeof m->base_path, "%s", run->base_dir);
	snprintf(m->base_started_at, sizeof m->base_started_at, "%s", run->base.started_at);
	snprintf(m->last_full_at, sizeof m->last_full_at, "%s", last ? last : "");
	return merged;
}

int extract_run(const struct extract_options *o, struct itg_err *e)
{
	struct run run = {0};
	struct snapshot_manifest *m = &run.man;
	struct fetch_config fc = {0};
	char *staged = NULL;
	double t0 = fetch_clock();
	size_t total_records = 0;
	long long pages = 0;
	int nres = 0, rc = -1;
	size_t budget = records_budget_from_env();
	int merged;

	time_now_rfc3339(m->started_at);
	snprintf(m->region, sizeof m->region, "%s", o->region ? o->region : "");
	snprintf(m->base_url, sizeof m->base_url, "%s", o->base_url);
	if (o->resources[RES_ORGANIZATIONS] && confirm_read_links(o->store, &run.links, e) != 0) {
		/* the transform reads the same file and refuses the store (exit 2), so no
		 * link is removed on this snapshot; the manifest claims no confirmation */
		log_warn("%s; deletions are not confirmed in this snapshot (its manifest has no "
			 "confirmed_deleted or unconfirmed_missing), and itg-transform refuses the "
			 "store until links.csv is fixed",
			 e->msg);
		err_clear(e);
		run.links_unreadable = 1;
	}
	staged = fs_stage_dir(o->out_dir, e);
	if (!staged)
		goto out;

	run.o = o;
	jitter_seed(&run.jit, (uint64_t)t0 * 1000003u ^ (uint64_t)getpid() << 20 ^
				      (uint64_t)(uintptr_t)&run);
	run.gen = json_gen_new();
	fc.api_key = o->api_key;
	fc.allow_http = o->allow_http;
	fc.timeout_s = o->timeout;
	fc.concurrency = o->concurrency;
	run.window = 2 * (o->concurrency > 0 ? o->concurrency : EXTRACT_DEFAULT_CONCURRENCY);
	fc.rate = o->rate;
	fc.ca_bundle = o->ca_bundle;
	fc.stop = o->stop;
	run.f = fetch_new(&fc, e);
	if (!run.f)
		goto out;

	choose_mode(&run, o);
	for (int i = 0; i < RES_COUNT; i++) {
		run.rs[i].res = i;
		run.rs[i].selected = o->resources[i];
		run.rs[i].incr = run.incremental && run.rs[i].selected && incr_by_changes(i) &&
				 run.base.res[i].present;
		nres += run.rs[i].selected;
	}
	if (walk_all(&run, staged, budget, e) != 0)
		goto out;
	if (run.rs[RES_ORGANIZATIONS].selected) {
		if (byid_confirm_missing(&run, e) != 0 ||
		    write_resource(&run, &run.rs[RES_ORGANIZATIONS], staged,
				   run.rs[RES_ORGANIZATIONS].skip_walk, e) != 0)
			goto out;
	}
	snapshot_manifest_set_account(m, run.primary_id, run.primary_name);
	merged = set_mode(&run);

	for (int i = 0; i < RES_COUNT; i++) {
		if (!run.rs[i].selected)
			continue;
		total_records += (size_t)m->res[i].records;
		pages += run.rs[i].pages_done;
	}
	time_now_rfc3339(m->finished_at);
	if (snapshot_manifest_write(staged, m, e) != 0)
		goto out;
	if (fs_publish_dir(staged, o->out_dir, e) != 0)
		goto out;
	if (merged)
		log_info("extracted %d resources incrementally (%d with their changes, %d in full): "
			 "%zu records, %lu requests, %ld retries in %.1f s",
			 nres, merged, nres - merged, total_records, fetch_requests(run.f),
			 run.retries_used, fetch_clock() - t0);
	else
		log_info("extracted %d resources: %zu records, %lld pages, %lu requests, %ld retries "
			 "in %.1f s",
			 nres, total_records, pages, fetch_requests(run.f), run.retries_used,
			 fetch_clock() - t0);
	rc = 0;
out:
	log_progress_end();
	if (rc != 0 && staged)
		fs_remove_tree(staged);
	free(staged);
	run_free(&run);
	return rc;
}
