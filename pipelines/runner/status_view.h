/*
 * status_view.h - pipelines/run PIPELINE --status: the integration's state
 * and its last runs, for an operator or a monitor, without touching IT Glue
 * (docs/contract.md section 8).
 *
 * It reads the pipeline, the store's integration.json and OUT/<name>/ (the
 * run folders, latest, each run's report/summary.json and run.log: see
 * runview.h) and nothing else: no API key, no IT Glue, nothing written, no
 * lock taken that a run could wait on.  Whether a run is under way is a
 * non-blocking probe of the pipeline's lock (a shared flock, let go at
 * once; a missing lock file is not made).
 *
 * Its exit code says what a monitor needs to know, most urgent first:
 *   4  disconnected by the operator (runs are refused until --connect), or
 *      the last run was refused (exit 4)
 *   3  disconnected by IT Glue (it refused the key), or the last run exited 3
 *      (a dry run, which writes no integration.json, whose key was refused)
 *   1  the last run that is over failed, was interrupted or did not finish
 *   0  otherwise: connected (or no state yet) and the last run succeeded,
 *      or no run has ended yet
 * A run under way is not judged: the last run that is over is.  A bad
 * pipeline, a missing store or a malformed integration.json is the usual
 * exit 2 (a runtime error 1) with the message, and no state printed.
 */
#ifndef ITG_RUNNER_STATUS_VIEW_H
#define ITG_RUNNER_STATUS_VIEW_H

#include <stddef.h>

#include "err.h"
#include "integration.h"
#include "pipeline.h"
#include "runview.h"
#include "xalloc.h"

#define STATUS_RUNS_DEFAULT 10
#define STATUS_RUNS_MAX 1000

/* The options of --status (main.c). */
struct status_opts {
	int on;      /* --status */
	int json;    /* --json */
	long runs;   /* --runs N; 0 = STATUS_RUNS_DEFAULT */
};

/* What --status found.  Everything is owned (status_view_free). */
struct status_view {
	char *pipeline_path;      /* as given */
	struct pipeline p;
	int have_pipeline;
	int have_state;           /* integration.json holds a state */
	struct integration it;
	char *store;              /* the store folder, resolved */
	char *out;                /* OUT/<name>, resolved when it exists */
	int out_exists;
	int lock;                 /* the pipeline's lock: 1 held, 0 free, -1 cannot tell */
	char *lock_error;         /* why it cannot tell */
	char *latest;             /* the run id latest names, or NULL */
	int latest_present;       /* ... and that run folder exists */
	size_t n_runs;            /* run folders */
	struct run_view *runs;    /* newest first: the shown ones, and up to the last over */
	size_t n_read, n_shown;
	const struct run_view *last_over;   /* the newest run that is over, or NULL */
	int exit_code;            /* see above */
	char *result;             /* what it means, one line */
};

/*
 * Reads everything (see above), showing up to runs runs.  -1 with e for a
 * bad pipeline, a missing store (both ITG_EXIT_USAGE), integration.json
 * malformed; *sv is set up either way (status_view_free).
 */
int status_view_load(struct status_view *sv, const char *pipeline_path, long runs,
		     struct itg_err *e);

/*
 * The exit code and its one-line meaning (*result, caller frees) of a state
 * (it NULL: none yet) and the newest run that is over (NULL: none).
 */
int status_view_verdict(const struct integration *it, const struct run_view *last,
			const char *pipeline_path, char **result);

/* The text --status prints (see docs/man/pipelines-run.1). */
void status_view_text(const struct status_view *sv, struct buf *out);

/* The same as one JSON object and a newline (--json). */
void status_view_json(const struct status_view *sv, struct buf *out);

void status_view_free(struct status_view *sv);

/*
 * --status: loads, prints to standard output, and returns the exit code
 * above; -1 with e (nothing printed) when it cannot read the state or
 * write standard output.
 */
int status_view_run(const char *pipeline_path, const struct status_opts *o, struct itg_err *e);

#endif
