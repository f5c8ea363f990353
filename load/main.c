/* itg-load: a plan into the product store, with a report (docs/contract.md section 7). */
#include "cmd.h"
#include "hash.h"
#include "pipeline.h"
#include "run.h"

#include <stddef.h>

static const char synopsis[] =
	"usage: itg-load -p PIPELINE --plan PLANDIR --report DIR [--dry-run] [--store DIR]\n"
	"                [--allow-mass-unlink]\n"
	"       itg-load -p PIPELINE --recover [--store DIR]\n";

static const char help[] =
	"Applies a plan made by itg-transform to the product store (the CSV files of\n"
	"the pipeline's store folder) as one transaction, and writes a report.\n\n"
	"Options:\n"
	"      --plan PLANDIR  plan folder (plan.ndjson + manifest.json) to apply\n"
	"      --report DIR    report folder to create or replace: report.md, report.html,\n"
	"                      changes.csv (one row per changed field) and summary.json\n"
	"      --dry-run       write the same report but touch nothing in the store\n"
	"      --store DIR     the store folder (default: the pipeline's `store`)\n"
	"      --recover       only finish or undo an interrupted load, then stop\n"
	"      --allow-mass-unlink\n"
	"                      apply a plan that removes more links than the pipeline's\n"
	"                      safety.max_unlinks / max_user_unlinks allow, this once\n"
	CMD_HELP_PIPELINE
	CMD_HELP_COMMON
	"\nBefore applying, the plan is verified (format, product, line count, size and\n"
	"CRC-32 from its manifest), it must have been made with this very pipeline file\n"
	"(its settings_fnv1a64), the store folder must exist (itg-load never creates\n"
	"one), and every store file is compared with the fingerprint the plan was made\n"
	"from. The store is locked (STORE/.lock) for the run. A plan whose unlink lines\n"
	"(reason other than disconnect) exceed safety.max_unlinks of the store's links,\n"
	"or whose unlink_user lines exceed safety.max_user_unlinks of its linked users,\n"
	"is refused unless --allow-mass-unlink is given (a dry run reports it instead, as\n"
	"summary.json \"would_refuse\": \"mass_unlink\"). Changed tables are written\n"
	"beside their final names and fsynced, the fingerprints are checked once more (a\n"
	"hand edit made meanwhile is kept and the load refused), a journal\n"
	"(STORE/.journal) records the switch, then the files are renamed into place and\n"
	"the changes appended to STORE/audit.ndjson. After a crash at any point, the next\n"
	"run finds the store wholly as before or wholly as after. STORE/integration.json\n"
	"records the status (connected, or disconnected by the operator for a\n"
	"--disconnect plan), the sync time and the store's binding (product, pipeline,\n"
	"IT Glue account: set by the first applied plan and by a --connect plan). New\n"
	"rows get ids after the largest id of their table; last_sync is set on the rows\n"
	"the plan creates or changes.\n\n"
	"Exit codes: 0 success (business outcomes such as unimported domains are\n"
	"reported, not errors); 1 runtime failure (I/O); 2 usage error, bad pipeline,\n"
	"malformed plan or store file, a store folder that does not exist, or a plan\n"
	"that does not fit the store; 4 refused, nothing changed: the store changed since\n"
	"the plan was made or while the load ran (re-run itg-transform), the plan was\n"
	"made with another pipeline file (make it again), the plan removes too many links\n"
	"(--allow-mass-unlink), or another run holds the store lock.\n\n"
	"Example:\n"
	"  itg-load -p pipelines/bullphish.yaml --plan out/plan --report out/report\n";

enum { OPT_PLAN = CMD_OPT_OWN, OPT_REPORT, OPT_DRY_RUN, OPT_STORE, OPT_RECOVER, OPT_ALLOW };

static const struct option options[] = {
	{"plan", required_argument, NULL, OPT_PLAN},
	{"report", required_argument, NULL, OPT_REPORT},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"store", required_argument, NULL, OPT_STORE},
	{"recover", no_argument, NULL, OPT_RECOVER},
	{"allow-mass-unlink", no_argument, NULL, OPT_ALLOW},
	{0, 0, 0, 0},
};

struct flags {
	const char *plan, *report, *store;
	int dry_run, recover, allow_mass_unlink;
};

static int on_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct flags *f = ctx;

	switch (opt) {
	case OPT_PLAN: f->plan = arg; return 0;
	case OPT_REPORT: f->report = arg; return 0;
	case OPT_DRY_RUN: f->dry_run = 1; return 0;
	case OPT_STORE: f->store = arg; return 0;
	case OPT_RECOVER: f->recover = 1; return 0;
	case OPT_ALLOW: f->allow_mass_unlink = 1; return 0;
	default: return err_set(e, ITG_EXIT_USAGE, "unknown option");
	}
}

static int run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	const struct flags *f = ctx;
	struct load_opts o = {0};
	struct load_outcome outcome;
	struct pipeline p = {0};
	int rc;

	if (!a->pipeline)
		return cmd_usage_error(e, "-p PIPELINE is required: the pipeline names the product "
					  "and store");
	if (!f->recover && (!f->plan || !f->report))
		return cmd_usage_error(e, "--plan PLANDIR and --report DIR are required");
	if (f->recover && f->dry_run)
		return cmd_usage_error(e, "--recover and --dry-run do not go together");
	if (pipeline_load(a->pipeline, &p, e) != 0)
		return -1;
	o.pipeline_path = a->pipeline;
	/* the same bytes itg-transform hashed into the plan's settings_fnv1a64 */
	o.settings_hash = hash_fnv1a64(p.raw, p.raw_len);
	o.max_unlinks = p.max_unlinks;
	o.max_user_unlinks = p.max_user_unlinks;
	o.allow_mass_unlink = f->allow_mass_unlink;
	o.plan_dir = f->plan;
	o.report_dir = f->report;
	o.dry_run = f->dry_run;
	o.recover_only = f->recover;
	o.pipeline_name = p.name;
	o.product = p.product;
	o.store = f->store ? f->store : p.store;
	o.region = p.region;
	o.lic_phishing = p.license_phishing;
	o.lic_training = p.license_training;
	o.lic_domains = p.license_domains;
	if (!o.store)
		rc = err_set(e, ITG_EXIT_USAGE, "%s: no store: add `store:` to the pipeline or give "
			     "--store", a->pipeline);
	else
		rc = load_run(&o, &outcome, e);
	pipeline_free(&p);
	return rc;
}

static const struct cmd itg_load = {
	.name = "itg-load",
	.synopsis = synopsis,
	.help = help,
	.flags = CMD_PIPELINE,
	.long_options = options,
	.option = on_option,
	.run = run,
};

int main(int argc, char **argv)
{
	struct flags f = {0};

	return cmd_main(&itg_load, &f, argc, argv);
}
