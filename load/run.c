#include "run.h"
#include "apply.h"
#include "audit.h"
#include "fsutil.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "lstore.h"
#include "planread.h"
#include "report.h"
#include "store.h"
#include "timefmt.h"

#include <stdlib.h>
#include <string.h>

static const char *const recovered_text[] = {"", "finished an interrupted load",
					      "removed the leftovers of an interrupted load"};

struct audit_arg {
	const struct apply_result *r;
	const char *run_id;
	const char *now;
};

static int write_audit(FILE *fp, void *arg)
{
	const struct audit_arg *a = arg;

	return audit_write(fp, a->r, a->run_id, a->now);
}

static int commit(const struct load_opts *o, struct lstore *s, const struct apply_result *r,
		  const char *run_id, const char *now, struct itg_err *e)
{
	struct journal_out outs[STORE_NTABLES + 1];
	struct audit_arg a = {r, run_id, now};
	size_t n = 0;

	for (int t = 0; t < STORE_NTABLES; t++)
		if (s->st.used[t] && s->changed[t])
			outs[n++] = (struct journal_out){store_file_names[t], &s->st.tab[t], NULL};
	outs[n++] = (struct journal_out){STORE_FILE_INTEGRATION, NULL, r->integration_json};
	return journal_commit(o->store, outs, n, STORE_FILE_AUDIT, write_audit, &a, e);
}

/*
 * pipelines/run exports ITG_RUN_ID so that the report and the audit lines
 * carry the run folder's id, not a clock reading a second later.  Anything
 * not shaped like a run id (YYYYMMDDTHHMMSSZ) is ignored.
 */
static void run_id_choose(char out[20])
{
	const char *env = getenv("ITG_RUN_ID");
	size_t i;

	if (env && strlen(env) == 16 && env[8] == 'T' && env[15] == 'Z') {
		for (i = 0; i < 15; i++)
			if (i != 8 && (env[i] < '0' || env[i] > '9'))
				break;
		if (i == 15) {
			memcpy(out, env, 17);
			return;
		}
	}
	time_now_runid(out);
}

int load_run(const struct load_opts *o, struct load_outcome *out, struct itg_err *e)
{
	struct plan plan = {0};
	struct lstore store = {0};
	struct apply_result res = {0};
	int have_store = 0, have_res = 0, lock = -1, rc = -1, committed = 0, keep_staged = 0;
	char now[32], *staged = NULL;

	memset(out, 0, sizeof *out);
	run_id_choose(out->run_id);
	time_now_rfc3339(now);
	journal_crash_from_env();

	if (!o->recover_only && planread_load(o->plan_dir, o->product, &plan, e) != 0)
		return -1;
	if (o->dry_run) {
		/* a dry run creates nothing in the store, not even the lock file */
		if (store_lock_shared(o->store, &lock, e) != 0)
			goto out;
		if (journal_pending(o->store)) {
			err_set(e, ITG_EXIT_STALE,
				"an interrupted load left %s/" STORE_FILE_JOURNAL ": run itg-load "
				"without --dry-run (or with --recover) to finish it first", o->store);
			goto out;
		}
	} else {
		if (fs_mkdir_p(o->store, ITG_DIR_MODE, e) != 0 ||
		    store_lock_acquire(o->store, &lock, e) != 0 ||
		    journal_recover(o->store, &out->recovered, e) != 0)
			goto out;
		if (out->recovered)
			log_info("%s in %s", recovered_text[out->recovered], o->store);
	}
	if (o->recover_only) {
		rc = 0;
		goto out;
	}
	/* the store is read once: the stale check is on the very bytes applied */
	if (lstore_load(o->store, o->product, &plan, &store, e) != 0)
		goto out;
	have_store = 1;
	have_res = 1;
	if (apply_plan(&plan, &store, now, o->region, &res, e) != 0)
		goto out;
	out->rows_changed = res.events.nev;
	{
		struct report_input in = {
			.run_id = out->run_id,
			.pipeline = o->pipeline_name,
			.store = o->store,
			.plan_dir = o->plan_dir,
			.dry_run = o->dry_run,
			.plan = &plan,
			.res = &res,
			.after = &store,
			.lic_phishing = o->lic_phishing,
			.lic_training = o->lic_training,
			.lic_domains = o->lic_domains,
		};
		/* the whole report is written before the store changes: a report
		 * that cannot be written (a full disk) stops the load, so no change
		 * is ever applied without its report */
		staged = report_stage(o->report_dir, &in, e);
		if (!staged)
			goto out;
	}
	if (!o->dry_run) {
		long before = journal_steps;
		if (commit(o, &store, &res, out->run_id, now, e) != 0) {
			/* a journal left behind means the change is decided and the
			 * next run finishes it: its report must not be lost */
			if (journal_pending(o->store)) {
				keep_staged = 1;
				err_prefix(e, "the complete report is in %s", staged);
			}
			goto out;
		}
		/* t310-load-killed.sh kills the load at each of these */
		log_debug("transaction passed %ld crash points", journal_steps - before);
		committed = 1;
	}
	if (fs_publish_dir(staged, o->report_dir, e) != 0) {
		if (committed && fs_exists(staged)) {
			keep_staged = 1;
			err_prefix(e, "the store is updated but its report could not be put in "
				      "place; the complete report is in %s", staged);
		}
		goto out;
	}
	log_info("run %s: %zu plan lines, %zu rows %s; report in %s", out->run_id, plan.n,
		 res.events.nev, o->dry_run ? "would change (dry run)" : "changed", o->report_dir);
	rc = 0;
out:
	if (staged && rc != 0 && !keep_staged)
		fs_remove_tree(staged);
	free(staged);
	store_lock_release(lock);
	if (have_res)
		apply_result_free(&res);
	if (have_store)
		lstore_free(&store);
	planread_free(&plan);
	return rc;
}
