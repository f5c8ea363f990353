#include "run.h"
#include "apply.h"
#include "audit.h"
#include "breaker.h"
#include "fsutil.h"
#include "handedits.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "lstore.h"
#include "planread.h"
#include "progress.h"
#include "report.h"
#include "stale.h"
#include "store.h"
#include "timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const recovered_text[] = {"", "finished an interrupted load",
					      "removed the leftovers of an interrupted load"};

struct audit_arg {
	const struct apply_result *r;
	const struct handedits *hand;
	const char *run_id;
	const char *now;
};

/* The hand edits the run found come first: they were made before it. */
static int write_audit(FILE *fp, void *arg)
{
	const struct audit_arg *a = arg;

	if (audit_write_hand_edits(fp, a->hand, a->run_id, a->now) != 0)
		return -1;
	return audit_write(fp, a->r, a->run_id, a->now);
}

#define PAUSE_VAR "ITG_LOAD_PAUSE_BEFORE_SWITCH"
#define PAUSE_SECONDS 30

/*
 * The test pause of run.h: FILE.waiting says the load is at the switch,
 * FILE lets it go on.  Anything that goes wrong here only ends the pause.
 */
static void pause_before_switch(void)
{
	const char *file = getenv(PAUSE_VAR);
	struct timespec tick = {0, 100 * 1000 * 1000};
	char *waiting;
	int fd;

	if (!file || !*file)
		return;
	waiting = xasprintf("%s.waiting", file);
	fd = open(waiting, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	log_debug("%s: waiting up to %d s for %s", PAUSE_VAR, PAUSE_SECONDS, file);
	for (int i = 0; i < PAUSE_SECONDS * 10 && !fs_exists(file); i++)
		nanosleep(&tick, NULL);
	if (!fs_exists(file))
		log_warn("%s: %s did not appear within %d s, going on", PAUSE_VAR, file,
			 PAUSE_SECONDS);
	free(waiting);
}

struct switch_arg {
	const char *store;
	const struct plan *plan;
};

/*
 * journal.h step 1b: the new files are written, nothing is switched.  The
 * plan must still be the file that was verified (it is read again from
 * disk, planread.h), and the store files it names must still be the bytes
 * it was made from: an operator who edited one by hand while the load ran
 * keeps the edit, and the load is called off.
 */
static int check_before_switch(void *arg, struct itg_err *e)
{
	const struct switch_arg *a = arg;

	pause_before_switch();
	if (planread_unchanged(a->plan, e) != 0)
		return -1;
	return stale_recheck(a->store, a->plan, e);
}

/*
 * The changed tables, the copy of links.csv as this load leaves it (the
 * next load finds the hand edits made since against it: handedits.h),
 * integration.json, and the audit lines, as one transaction.
 */
static int commit(const struct load_opts *o, struct lstore *s, const struct plan *plan,
		  const struct apply_result *r, const struct handedits *hand,
		  const char *run_id, const char *now, struct itg_err *e)
{
	struct journal_out outs[STORE_NTABLES + 2];
	struct audit_arg a = {r, hand, run_id, now};
	struct switch_arg sw = {o->store, plan};
	size_t n = 0;

	for (int t = 0; t < STORE_NTABLES; t++)
		if (s->st.used[t] && s->changed[t])
			outs[n++] = (struct journal_out){store_file_names[t], &s->st.tab[t], NULL};
	outs[n++] = (struct journal_out){STORE_FILE_LINKS_LAST_RUN, &s->st.tab[STORE_LINKS], NULL};
	outs[n++] = (struct journal_out){STORE_FILE_INTEGRATION, NULL, r->integration_json};
	return journal_commit(o->store, outs, n, STORE_FILE_AUDIT, write_audit, &a,
			      check_before_switch, &sw, e);
}

/*
 * A store folder is made by the operator, never by a load: a mistyped
 * `store:` must not start a second, empty store beside the real one.
 */
static int store_folder_exists(const struct load_opts *o, struct itg_err *e)
{
	struct stat st;

	if (stat(o->store, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return err_set(e, ITG_EXIT_RUNTIME, "cannot reach the store folder %s: %s",
				       o->store, strerror(errno));
		return err_set(e, ITG_EXIT_USAGE,
			       "store folder %s does not exist: check `store:` in %s (or --store); "
			       "itg-load never creates a store, so for a new one make an empty "
			       "folder first (mkdir -m 700 %s)",
			       o->store, o->pipeline_path ? o->pipeline_path : "the pipeline",
			       o->store);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ITG_EXIT_USAGE,
			       "store %s is not a folder: check `store:` in %s (or --store)", o->store,
			       o->pipeline_path ? o->pipeline_path : "the pipeline");
	return 0;
}

/* The plan was made with these very pipeline settings (its settings_fnv1a64). */
static int same_pipeline_file(const struct load_opts *o, const struct plan *p,
			      struct itg_err *e)
{
	const char *pipeline = o->pipeline_path ? o->pipeline_path : "the pipeline file";

	if (p->settings_hash == o->settings_hash)
		return 0;
	return err_set(e, ITG_EXIT_STALE,
		       "%s is not the pipeline file the plan in %s was made with (the plan's "
		       "settings_fnv1a64 is %016" PRIx64 ", the file's is %016" PRIx64 "): refused, "
		       "nothing was changed; make the plan again with this file (pipelines/run %s, "
		       "or itg-transform -p %s)",
		       pipeline, p->dir, p->settings_hash, o->settings_hash, pipeline, pipeline);
}

/* The breaker tripped and nothing overrides it: exit 4 with both figures of each limit. */
static int refuse_mass_unlink(const struct load_opts *o, const struct breaker *b,
			      struct itg_err *e)
{
	struct buf msg = {0};

	breaker_describe(b, &msg);
	buf_adds(&msg, ": refused, nothing was changed; if IT Glue really lost them, ");
	breaker_way_out(o->pipeline_path ? o->pipeline_path : "PIPELINE", &msg);
	err_set(e, ITG_EXIT_STALE, "%s", buf_str(&msg));
	buf_free(&msg);
	return -1;
}

/* One log line for what was found changed by hand, when anything was. */
static void log_hand_edits(const struct handedits *h, int dry_run)
{
	if (h->problem)
		log_warn("%s: hand edits of links.csv since the last run are not known; %s",
			 h->problem, dry_run ? "a real load writes a new copy"
					     : "this load writes a new copy");
	else if (h->n)
		log_info("links.csv was changed by hand since the last run: %zu added, %zu "
			 "removed, %zu changed (%s)",
			 h->count[HAND_ADDED], h->count[HAND_REMOVED], h->count[HAND_CHANGED],
			 dry_run ? "a real load records them in audit.ndjson"
				 : "recorded in audit.ndjson with this run");
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
	struct handedits hand = {0};
	int have_store = 0, have_res = 0, lock = -1, rc = -1, committed = 0, keep_staged = 0;
	char now[32], changes[32], *staged = NULL;

	memset(out, 0, sizeof *out);
	run_id_choose(out->run_id);
	time_now_rfc3339(now);
	journal_crash_from_env();

	if (store_folder_exists(o, e) != 0)
		return -1;
	if (!o->recover_only && planread_load(o->plan_dir, o->product, &plan, e) != 0)
		return -1;
	if (!o->recover_only && same_pipeline_file(o, &plan, e) != 0)
		goto out;
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
		if (store_lock_acquire(o->store, &lock, e) != 0 ||
		    journal_recover(o->store, &out->recovered, e) != 0)
			goto out;
		if (out->recovered)
			log_info("%s in %s", recovered_text[out->recovered], o->store);
	}
	if (o->recover_only) {
		rc = 0;
		goto out;
	}
	log_progress("reading the store");
	/* the store is read once: the stale check is on the very bytes applied */
	if (lstore_load(o->store, o->product, &plan, &store, e) != 0)
		goto out;
	have_store = 1;
	/* links.csv as found, before the plan changes it */
	if (handedits_find(o->store, &store.st.tab[STORE_LINKS], &hand, e) != 0)
		goto out;
	log_hand_edits(&hand, o->dry_run);
	/* judged on the tables the stale check just passed: the store the plan was made from */
	breaker_judge(&plan, &store.st, &o->max_unlinks, &o->max_user_unlinks, &out->breaker);
	if (out->breaker.tripped && !o->allow_mass_unlink && !o->dry_run) {
		refuse_mass_unlink(o, &out->breaker, e);
		goto out;
	}
	if (out->breaker.tripped) {
		struct buf why = {0};

		breaker_describe(&out->breaker, &why);
		if (o->allow_mass_unlink)
			log_warn("%s: applied all the same, as --allow-mass-unlink asks", buf_str(&why));
		else
			log_warn("dry run: a real load would be refused: %s", buf_str(&why));
		buf_free(&why);
	}
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
			.pipeline_path = o->pipeline_path,
			.breaker = &out->breaker,
			.allow_mass_unlink = o->allow_mass_unlink,
			.hand = &hand,
		};
		/* the whole report is written before the store changes: a report
		 * that cannot be written (a full disk) stops the load, so no change
		 * is ever applied without its report */
		progress_count(res.events.nev, changes);
		log_progress("writing the report: %s changes", changes);
		staged = report_stage(o->report_dir, &in, e);
		if (!staged)
			goto out;
	}
	/* the plan was read again by the apply and the report: the bytes verified */
	if (planread_unchanged(&plan, e) != 0)
		goto out;
	if (!o->dry_run) {
		long before = journal_steps;

		progress_count(res.events.nev, changes);
		log_progress("committing %s changes to the store", changes);
		if (commit(o, &store, &plan, &res, &hand, out->run_id, now, e) != 0) {
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
	log_progress_end();
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
	log_progress_end();
	if (staged && rc != 0 && !keep_staged)
		fs_remove_tree(staged);
	free(staged);
	store_lock_release(lock);
	if (have_res)
		apply_result_free(&res);
	handedits_free(&hand);
	if (have_store)
		lstore_free(&store);
	planread_free(&plan);
	return rc;
}
