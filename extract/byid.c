/*
 * byid.c - the linked organizations the walk did not return, asked for
 * one by one (GET /organizations/ID) after the walks, so that a deletion
 * is confirmed, not inferred (confirm.h, docs/contract.md section 10).
 * The requests share the walk's queue and retry budget (run.h); what an
 * answer says is confirm_classify's, and here it becomes a record, a
 * confirmed deletion or an unconfirmed id.  An unconfirmed id never fails
 * the run; only a refused key does.
 */
#include "run.h"

#include "confirm.h"
#include "errors.h"
#include "log.h"
#include "scrub.h"

#include <stdio.h>

/* Unconfirmed ids logged one by one; beyond that only the summary counts them. */
#define CONFIRM_LOG_DETAILS 10

void byid_submit(struct run *run, struct res_state *rs, const char *id)
{
	struct page_req *pr = walk_new_req(run, rs);

	pr->id = id;
	pr->fr.url = confirm_url(run->o->base_url, id);
	walk_queue_req(run, pr, 0);
}

/* Neither found nor confirmed deleted: the link stays, and the manifest says why not. */
static void single_unconfirmed(struct run *run, struct page_req *pr, const char *why)
{
	snapshot_ids_add(&run->man.unconfirmed_missing, pr->id);
	run->cc.unconfirmed++;
	if (run->cc.detailed++ < CONFIRM_LOG_DETAILS)
		log_warn("organizations/%s: not confirmed deleted: %s; its link is kept", pr->id,
			 why);
}

/* Asks again after a backoff; out of retries, the id stays unconfirmed (the run goes on). */
static void single_retry(struct run *run, struct page_req *pr, long long retry_after,
			 const char *why)
{
	long budget = extract_retry_budget(run->pages_total);
	char last[480];
	double delay;

	if (pr->retries >= run->o->retries || run->retries_used >= budget) {
		snprintf(last, sizeof last, "%s, after %d attempts", why, pr->retries + 1);
		single_unconfirmed(run, pr, last);
		return;
	}
	pr->retries++;
	run->retries_used++;
	delay = backoff_wait(pr->retries, retry_after, jitter_next(&run->jit));
	log_info("organizations/%s: %s; retry %d of %ld in %.1f s", pr->id, why, pr->retries,
		 run->o->retries, delay);
	walk_queue_req(run, pr, delay);
}

/*
 * The answer for one organization asked for by id (confirm.h): its record
 * joins the snapshot, a JSON:API 404 confirms the deletion, trouble is
 * retried like a page, and only a refused key fails the run; whatever else
 * happens leaves the id unconfirmed, so its link is kept.
 */
int byid_handle(struct run *run, struct page_req *pr, struct itg_err *e)
{
	struct fetch_request *r = &pr->fr;
	char why[400], summary[200];
	yajl_val doc, record;
	int rc = 0;

	if (r->too_large) {
		snprintf(why, sizeof why,
			 "the answers in flight would inflate to more than %zu MiB (this one to "
			 "%.1f MiB when it was stopped)",
			 fetch_budget_limit(run->f) >> 20, (double)r->received / 1048576.0);
		single_unconfirmed(run, pr, why);
		return 0;
	}
	if (r->curl_code != CURLE_OK) {
		snprintf(why, sizeof why, "%s", r->error);
		scrub_inplace(why, sizeof why, run->o->api_key);
		single_retry(run, pr, 0, why);
		return 0;
	}
	switch (confirm_classify(r->status, r->body.p, r->body.len, pr->id, run->o->api_key, &doc,
				 &record, why, sizeof why)) {
	case CONFIRM_FOUND:
		/* a record the walk missed: into the snapshot, sorted in place by records_write */
		rc = walk_add_record(run, pr->rs, record, pr->id, PAGE_BY_ID, e);
		yajl_tree_free(doc);
		if (rc == 0)
			run->cc.found++;
		return rc;
	case CONFIRM_DELETED:
		snapshot_ids_add(&run->man.confirmed_deleted, pr->id);
		run->cc.deleted++;
		return 0;
	case CONFIRM_RETRY:
		single_retry(run, pr, r->status == 429 ? r->retry_after : 0, why);
		return 0;
	case CONFIRM_AUTH:
		errors_summarise_body(r->body.p ? r->body.p : "", r->body.len, run->o->api_key,
				      summary, sizeof summary);
		return errors_auth(e, r->status, "organizations", run->o->region, run->o->base_url,
				   summary);
	case CONFIRM_UNCONFIRMED:
	default:
		single_unconfirmed(run, pr, why);
		return 0;
	}
}

/*
 * The linked organizations the walk did not return are asked for by id
 * (confirm.h); the answers go into the records and the manifest's lists.
 */
int byid_confirm_missing(struct run *run, struct itg_err *e)
{
	struct res_state *rs = &run->rs[RES_ORGANIZATIONS];
	struct snapshot_ids *unc = &run->man.unconfirmed_missing;
	size_t linked, not_asked;

	run->man.has_missing = !run->links_unreadable;
	linked = confirm_select_missing(&run->links, rs->ids, CONFIRM_MAX_ASKED, &run->ask, unc);
	not_asked = unc->n;
	if (linked && rs->tally.distinct == 0)
		return err_set(e, ITG_EXIT_RUNTIME,
			       "organizations: IT Glue returned no organization at all, but the "
			       "store holds links to %zu; IT Glue does not lose every organization overnight: "
			       "check that the API key may read organizations (Account > Settings > "
			       "API Keys) and that the region or base URL is the account's; nothing "
			       "was published",
			       linked);
	/* queued a window at a time by refill */
	run->asking = 1;
	run->ask_next = 0;
	if (walk_drain(run, e) != 0)
		return -1;
	run->asking = 0;
	if (run->cc.detailed > CONFIRM_LOG_DETAILS)
		log_warn("organizations: %zu more not confirmed deleted (not listed one by one)",
			 run->cc.detailed - CONFIRM_LOG_DETAILS);
	if (linked)
		log_info("organizations: %zu of the %zu linked organizations not in the walk: %zu "
			 "asked by id, %zu found, %zu confirmed deleted, %zu unconfirmed%s",
			 run->ask.n + not_asked, linked, run->ask.n, run->cc.found, run->cc.deleted,
			 run->cc.unconfirmed + not_asked,
			 not_asked ? " (at most 1000 are asked in one run: the rest are unconfirmed)"
				   : "");
	snapshot_ids_sort(&run->man.confirmed_deleted);
	snapshot_ids_sort(unc);
	return 0;
}
