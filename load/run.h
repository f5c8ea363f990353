/*
 * run.h - one itg-load run: verify the plan, lock the store, finish any
 * interrupted transaction, refuse a stale plan, apply, commit, report.
 * main() only turns options and the pipeline file into struct load_opts.
 */
#ifndef ITG_LOAD_RUN_H
#define ITG_LOAD_RUN_H

#include "err.h"
#include "pipeline.h"

struct load_opts {
	const char *pipeline_name;
	enum product product;
	const char *store;            /* store folder */
	const char *region;           /* pipeline region, for integration.json */
	long long lic_phishing;       /* LICENSE_UNLIMITED when absent */
	long long lic_training;
	long long lic_domains;
	const char *plan_dir;
	const char *report_dir;
	int dry_run;                  /* report only: nothing in the store is touched */
	int recover_only;             /* finish an interrupted load and stop */
};

/* What the run did, for logs and tests. */
struct load_outcome {
	int recovered;                /* journal_recover outcome (journal.h) */
	size_t rows_changed;
	char run_id[20];
};

int load_run(const struct load_opts *o, struct load_outcome *out, struct itg_err *e);

#endif
