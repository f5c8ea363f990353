/*
 * run.h - one itg-load run: verify the plan, refuse a plan made with
 * another pipeline file, refuse a store folder that does not exist, lock
 * the store, finish any interrupted transaction, refuse a stale plan, find
 * what was changed in links.csv by hand since the last run (handedits.h),
 * refuse a mass unlink (breaker.h), apply, write the report, commit (the
 * hand edits' audit lines and the copy of links.csv for the next run
 * included) with the fingerprints checked again just before the switch,
 * publish the report.
 * main() only turns options and the pipeline file into struct load_opts.
 *
 * Test hooks, read from the environment: ITG_LOAD_CRASH_AT=N (journal.h)
 * and ITG_LOAD_PAUSE_BEFORE_SWITCH=FILE: once the new files are written and
 * before the journal is published, the load creates FILE.waiting and waits,
 * up to 30 seconds, until FILE exists, then checks the fingerprints again
 * (so a test can edit the store at exactly that moment).
 */
#ifndef ITG_LOAD_RUN_H
#define ITG_LOAD_RUN_H

#include <stdint.h>

#include "breaker.h"
#include "err.h"
#include "pipeline.h"

struct load_opts {
	const char *pipeline_path;    /* the pipeline file as given, for messages */
	uint64_t settings_hash;       /* FNV-1a 64 of its bytes: the plan's must match */
	struct safety_limit max_unlinks, max_user_unlinks;
	int allow_mass_unlink;        /* apply a plan the breaker would refuse, once */
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
	struct breaker breaker;       /* how the plan was judged (breaker.h) */
	size_t rows_changed;
	char run_id[20];
};

int load_run(const struct load_opts *o, struct load_outcome *out, struct itg_err *e);

#endif
