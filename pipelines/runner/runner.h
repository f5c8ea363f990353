/*
 * runner.h - one scheduled run of a pipeline (docs/contract.md section 8):
 * itg-extract, itg-transform and itg-load into out/<name>/<run-id>/
 * {snapshot,plan,report,run.log}, under the pipeline's lock, with the
 * store's integration.json telling the story (status.h), out/<name>/latest
 * pointed at the newest complete run, old runs pruned, and the exit code of
 * the first failing stage.  While itg-extract runs, the run holds the
 * extract lock of its IT Glue host in the out folder (budget.h), so that
 * pipelines of one account never spend its rate budget at once.
 *
 * A store its operator disconnected (integration.json disconnected_by:
 * operator, docs/contract.md section 10) is refused before anything is
 * fetched, with exit 4, unless --connect resumes it; --disconnect needs
 * nothing of IT Glue, so such a run skips itg-extract and plans without a
 * snapshot.
 */
#ifndef ITG_RUNNER_RUNNER_H
#define ITG_RUNNER_RUNNER_H

#include "err.h"
#include "log.h"
#include "stage.h"
#include "status_view.h"

/*
 * A flag the runner hands on, as given, to one stage.  run_pass_flags is
 * NULL-terminated; a flag added there is an option of pipelines/run (with
 * its --help line) passed to that stage.
 */
struct run_pass_flag {
	const char *name;      /* without the dashes */
	enum stage_id stage;
	const char *help;      /* one line for --help */
};
extern const struct run_pass_flag run_pass_flags[];
#define RUN_PASS_MAX 16

struct run_opts {
	const char *pipeline;        /* PIPELINE.yaml */
	int dry_run;                 /* itg-load --dry-run, and the store is not written */
	const char *base_url;        /* itg-extract --base-url, or NULL */
	unsigned pass;               /* bit i: run_pass_flags[i] was given */
	enum log_format log_format;  /* also handed to the stages */
	int quiet, verbose;          /* also handed to the stages */
	struct status_opts status;   /* --status: no run, the state printed (status_view.h) */
};

/* 1 when the run_pass_flags entry named name (without dashes) was given. */
int run_pass_given(const struct run_opts *o, const char *name);

/*
 * Makes this process fit to run stages; call it before the first stage.
 * SIGPIPE is ignored, SIGINT/SIGTERM/SIGHUP are caught (stage.h), the umask
 * is 077.  (Closed descriptors 0-2 are reserved by cmd_main, and a closed
 * standard output is reported when the summary cannot be printed.)
 */
void runner_prepare(void);

/*
 * One run.  Returns the exit code.  A failure before the run folder exists
 * (bad pipeline, programs not found, lock held) is returned in e for main
 * to print; after that the run logs everything itself (standard error and
 * run.log) and e stays empty.
 */
int runner_run(const struct run_opts *o, struct itg_err *e);

#endif
