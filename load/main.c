/* itg-load: a plan into the product store, with a report (CONTRACT.md section 7). */
#include "cli.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "pipeline.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE "itg-load"

static const char synopsis[] =
	"usage: itg-load -p PIPELINE --plan PLANDIR --report DIR [--dry-run] [--store DIR]\n"
	"       itg-load -p PIPELINE --recover [--store DIR]\n";

static void print_help(void)
{
	printf("%s\n", synopsis);
	printf("Applies a plan made by itg-transform to the product store (the CSV files of\n"
	       "the pipeline's store folder) as one transaction, and writes a report.\n\n"
	       "Options:\n"
	       "      --plan PLANDIR  plan folder (plan.ndjson + manifest.json) to apply\n"
	       "      --report DIR    report folder to create or replace: report.md, report.html,\n"
	       "                      changes.csv (one row per changed field) and summary.json\n"
	       "      --dry-run       write the same report but touch nothing in the store\n"
	       "      --store DIR     the store folder (default: the pipeline's `store`)\n"
	       "      --recover       only finish or undo an interrupted load, then stop\n"
	       CLI_COMMON_HELP
	       "\nBefore applying, the plan is verified (format, product, line count, size and\n"
	       "CRC-32 from its manifest) and every store file is compared with the fingerprint\n"
	       "the plan was made from. The store is locked (STORE/.lock) for the run. Changed\n"
	       "tables are written beside their final names and fsynced, a journal\n"
	       "(STORE/.journal) records the switch, then the files are renamed into place and\n"
	       "the changes appended to STORE/audit.ndjson. After a crash at any point, the next\n"
	       "run finds the store wholly as before or wholly as after. STORE/integration.json\n"
	       "records the status (connected, or disconnected for a --disconnect plan) and the\n"
	       "sync time. New rows get ids after the largest id of their table; last_sync is\n"
	       "set on the rows the plan creates or changes.\n\n"
	       "Exit codes: 0 success (business outcomes such as unimported domains are\n"
	       "reported, not errors); 1 runtime failure (I/O); 2 usage error, bad pipeline,\n"
	       "malformed plan or store file, or a plan that does not fit the store; 4 refused:\n"
	       "the store changed since the plan was made (re-run itg-transform), or another\n"
	       "run holds the store lock.\n\n"
	       "Example:\n"
	       "  itg-load -p pipelines/bullphish.yaml --plan out/plan --report out/report\n");
}

enum { OPT_PLAN = OPT_STAGE_BASE, OPT_REPORT, OPT_DRY_RUN, OPT_STORE, OPT_RECOVER };

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{"plan", required_argument, NULL, OPT_PLAN},
	{"report", required_argument, NULL, OPT_REPORT},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"store", required_argument, NULL, OPT_STORE},
	{"recover", no_argument, NULL, OPT_RECOVER},
	{0, 0, 0, 0},
};

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "%s: %s\n", STAGE, msg);
	fputs(synopsis, stderr);
	return ITG_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cli_common common = {0};
	struct load_opts o = {0};
	struct load_outcome outcome;
	struct pipeline p = {0};
	struct itg_err e = {0};
	const char *store = NULL;
	int opt, rc = ITG_EXIT_OK, have_pipeline = 0;

	while ((opt = getopt_long(argc, argv, "p:", long_options, NULL)) != -1) {
		int handled = cli_common_option(&common, opt, optarg, &e);
		if (handled < 0)
			return usage_error(e.msg);
		if (handled)
			continue;
		switch (opt) {
		case OPT_PLAN: o.plan_dir = optarg; break;
		case OPT_REPORT: o.report_dir = optarg; break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		case OPT_STORE: store = optarg; break;
		case OPT_RECOVER: o.recover_only = 1; break;
		default: return usage_error(NULL);
		}
	}
	if (common.want_help) {
		print_help();
		return fclose(stdout) == 0 ? ITG_EXIT_OK : ITG_EXIT_RUNTIME;
	}
	if (common.want_version) {
		cli_print_version(STAGE);
		return fclose(stdout) == 0 ? ITG_EXIT_OK : ITG_EXIT_RUNTIME;
	}
	log_init(STAGE, common.log_format, common.quiet, common.verbose);
	if (optind < argc)
		return usage_error("unexpected argument; options only");
	if (!common.pipeline)
		return usage_error("-p PIPELINE is required: the pipeline names the product and store");
	if (!o.recover_only && (!o.plan_dir || !o.report_dir))
		return usage_error("--plan PLANDIR and --report DIR are required");
	if (o.recover_only && o.dry_run)
		return usage_error("--recover and --dry-run do not go together");

	if (pipeline_load(common.pipeline, &p, &e) != 0) {
		rc = e.code;
		goto out;
	}
	have_pipeline = 1;
	o.pipeline_name = p.name;
	o.product = p.product;
	o.store = store ? store : p.store;
	o.region = p.region;
	o.lic_phishing = p.license_phishing;
	o.lic_training = p.license_training;
	o.lic_domains = p.license_domains;
	if (!o.store) {
		err_set(&e, ITG_EXIT_USAGE, "%s: no store: add `store:` to the pipeline or give --store",
			common.pipeline);
		rc = e.code;
		goto out;
	}
	if (load_run(&o, &outcome, &e) != 0)
		rc = e.code ? e.code : ITG_EXIT_RUNTIME;
out:
	if (rc != ITG_EXIT_OK)
		log_error("%s", e.msg);
	if (have_pipeline)
		pipeline_free(&p);
	if (fclose(stdout) != 0 && rc == ITG_EXIT_OK)
		rc = ITG_EXIT_RUNTIME;
	return rc;
}
