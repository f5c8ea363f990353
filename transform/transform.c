/*
 * transform.c - the order in which the rules are applied and the plan is
 * written (docs/rules.md 35): unlink, link, review (unconfirmed_deletion, then
 * ambiguous_name, then select_not_found), rename, import_organization and
 * skip, then each linked org's contact lines, then import_domain.
 *
 * The contact lines are judged before the org section is written, because
 * the licenses of imported orgs (rule 8) depend on their import_user
 * counts; they go to temporary section files appended afterwards.
 */
#include "transform.h"

#include "explain.h"
#include "fsutil.h"
#include "hash.h"
#include "inventory.h"
#include "log.h"
#include "model.h"
#include "pipeline.h"
#include "plan.h"
#include "rules.h"
#include "workq.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void log_summary(const struct plan_writer *w, const char *out)
{
	struct buf b = {0};

	for (int a = 0; a < PA_COUNT; a++)
		buf_addf(&b, "%s%s %lu", a ? ", " : "", plan_action_name(a), w->counts[a]);
	log_info("plan %s: %llu lines: %s", out, (unsigned long long)w->lines, buf_str(&b));
	if (w->counts[PA_IMPORT_DOMAIN])
		log_info("domains: %lu pending, %lu unimported", w->domains_pending,
			 w->domains_unimported);
	buf_free(&b);
}

/* Judges everything that precedes writing. */
static int judge(struct model *m, int disconnect, struct itg_err *e)
{
	if (m->have_snapshot)
		scope_apply(m);
	if (disconnect) {
		disconnect_apply(m);
		return 0;
	}
	if (links_judge(m, e) != 0)
		return -1;
	autolink_run(m);
	imports_select(m);
	imports_rank_linked(m);
	return 0;
}

/*
 * The inventory and the check of the snapshot files no rule read run on a
 * thread of their own while the contact sections are appended to the plan
 * and it is synced: by then nothing changes the model, and the two write
 * different files.
 */
struct side_work {
	struct workq_job job;   /* first: the queue's handle */
	struct model *m;
	const char *staged;
	int disconnect;
	struct plan_writer *inv;
	int rc;
	struct itg_err e;
};

static void side_work_run(void *ctx, struct workq_job *job, int worker)
{
	struct side_work *s = ctx;

	(void)job;
	(void)worker;
	s->rc = inventory_write(s->m, s->staged, s->disconnect, s->inv, &s->e);
	/* the snapshot files no rule read are still checked, before publishing */
	if (s->rc == 0)
		s->rc = model_verify_unread(s->m, &s->e);
}

/* The plan, then (at the same time as its last part) the inventory. */
static int write_plan(struct model *m, int disconnect, const char *staged,
		      struct plan_writer *w, struct plan_writer *inv, struct itg_err *e)
{
	struct contacts_sections cs = {0};
	struct side_work side = {.m = m, .staged = staged, .disconnect = disconnect, .inv = inv};
	struct workq q;
	char *ppath = fs_join(staged, PLAN_FILE);
	int rc = -1, started = 0;

	if (!disconnect && m->contacts_on && contacts_plan(m, staged, &cs, e) != 0)
		goto out;
	if (!disconnect)
		imports_licenses(m);
	if (plan_writer_open(w, ppath, e) != 0)
		goto out;
	if (links_write_unlinks(m, w, e) != 0)
		goto out;
	if (!disconnect) {
		if (links_write_links(m, w, e) != 0 || links_write_unconfirmed(m, w, e) != 0 ||
		    autolink_write_reviews(m, w, e) != 0 || imports_write_misses(m, w, e) != 0 ||
		    renames_write(m, w, e) != 0 || imports_write(m, w, e) != 0)
			goto out;
		/* Dark Web ID has no contact sections: its domains come last either way */
		if (m->product == PRODUCT_DARKWEBID && domains_plan(m, w, e) != 0)
			goto out;
	}
	workq_start(&q, 1, side_work_run, &side);
	workq_push(&q, &side.job);
	started = 1;
	if (contacts_sections_append(&cs, w, e) == 0)
		rc = plan_writer_close(w, e);
out:
	if (started) {
		workq_wait(&q, &side.job);
		workq_stop(&q);
		/* the errors in the order one thread meets them: the plan's first */
		if (rc == 0 && side.rc != 0) {
			*e = side.e;
			rc = -1;
		}
	}
	contacts_sections_free(&cs);   /* removes the section files */
	free(ppath);
	return rc;
}

/* Where --explain without --out makes its plan: a staged folder beside
 * $TMPDIR/itg-explain, removed afterwards (and swept if a run is killed). */
static char *explain_scratch(void)
{
	const char *tmp = getenv("TMPDIR");

	return fs_join(tmp && *tmp ? tmp : "/tmp", "itg-explain");
}

static int explain_plan(const struct transform_opts *o, struct model *m,
			const struct explain_hits *hits, const char *staged, struct itg_err *e)
{
	char *ppath = fs_join(staged, PLAN_FILE);
	int rc = explain_print(o->explain_out, m, hits, ppath, e);

	free(ppath);
	return rc;
}

int transform_run(const struct transform_opts *o, struct itg_err *e)
{
	struct pipeline p;
	struct model m;
	struct plan_writer w = {0}, inv = {0};
	struct explain_hits hits = {0};
	char *staged = NULL, *scratch = NULL;
	const char *store;
	int rc = -1;

	if (pipeline_load(o->pipeline, &p, e) != 0)
		return -1;
	model_init(&m, &p);
	store = o->store ? o->store : p.store;
	if (!store || !*store) {
		err_set(e, ITG_EXIT_USAGE, "%s: no store folder: set `store:` or pass --store",
			o->pipeline);
		goto out;
	}
	if (o->connect && o->disconnect) {
		err_set(e, ITG_EXIT_USAGE, "--connect and --disconnect exclude each other");
		goto out;
	}
	if (!o->snapshot && !o->disconnect) {
		err_set(e, ITG_EXIT_USAGE, "--snapshot DIR is required (except with --disconnect)");
		goto out;
	}
	if (!o->out && !o->explain) {
		err_set(e, ITG_EXIT_USAGE, "--out PLANDIR is required (except with --explain)");
		goto out;
	}
	if (o->explain && o->disconnect) {
		err_set(e, ITG_EXIT_USAGE, "--explain and --disconnect exclude each other");
		goto out;
	}
	/* the binding is checked before the store's tables are read: a store of
	 * another product must be refused for what it is, not for its files */
	if ((o->snapshot && model_load_snapshot(&m, o->snapshot, e) != 0) ||
	    binding_check(&m, store, o->pipeline, o->connect, o->disconnect, e) != 0 ||
	    model_load_store(&m, store, e) != 0 || judge(&m, o->disconnect, e) != 0)
		goto out;
	if (o->explain && explain_find(&m, o->explain, &hits, e) != 0)
		goto out;
	staged = fs_stage_dir(o->out ? o->out : (scratch = explain_scratch()), e);
	if (!staged)
		goto out;
	if (write_plan(&m, o->disconnect, staged, &w, &inv, e) != 0)
		goto out;
	if (plan_write_manifest(staged, &m, &w, &inv, o->snapshot, hash_fnv1a64(p.raw, p.raw_len),
				o->disconnect, o->connect, e) != 0)
		goto out;
	if (o->explain && explain_plan(o, &m, &hits, staged, e) != 0)
		goto out;
	if (!o->out) {
		fs_remove_tree(staged);   /* --explain alone keeps no plan */
	} else {
		if (fs_publish_dir(staged, o->out, e) != 0)
			goto out;
		log_summary(&w, o->out);
	}
	plan_writer_free(&w);
	plan_writer_free(&inv);
	rc = 0;
out:
	plan_writer_abort(&w);
	plan_writer_abort(&inv);
	if (rc != 0 && staged)
		fs_remove_tree(staged);
	free(staged);
	free(scratch);
	explain_hits_free(&hits);
	model_free(&m);
	pipeline_free(&p);
	return rc;
}
