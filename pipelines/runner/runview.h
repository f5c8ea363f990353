/*
 * runview.h - how one run of a pipeline ended, read back from what it left
 * in its folder OUT/<name>/<run-id>/ (for pipelines/run --status): the
 * runner's own lines in run.log and report/summary.json.  Reads only.
 *
 * The runner (runner.c) ends every run.log with one of
 *   INFO itg-run: run ID complete
 *   ERROR itg-run: run ID failed (exit N); log: PATH
 * and names on the way what failed:
 *   INFO itg-run: run ID: .../PROG -p ...             a stage starts (--recover: a recovery)
 *   ERROR itg-run: run ID: PROG failed with exit code N
 *   ERROR itg-run: run ID: PROG was killed by SIGNAL
 *   ERROR itg-run: run ID interrupted by SIGNAL[ during WHAT]
 * (each line of run.log after its UTC time; stage lines are "LEVEL PROG:
 * message" or, with --log-format json, one JSON object).
 *
 * Outcomes:
 *   applied, dry run   complete, and summary.json says status applied / dry_run
 *   complete           complete, but summary.json is missing or unreadable
 *   failed             failed with an exit code other than 4, in the stage
 *                      named (if one is)
 *   refused            failed with exit 4: a stale plan, a mass unlink, a
 *                      store bound elsewhere or disconnected by the operator,
 *                      a lock held
 *   interrupted        ended by SIGINT, SIGTERM or SIGHUP (exit 1)
 *   under way          no last line yet, and the caller says the pipeline's
 *                      lock is held and this is the newest run
 *   unfinished         no last line, and no run under way: the runner was
 *                      killed outright (kill -9, a power cut)
 * The error of a run that did not succeed is the last ERROR line of the
 * stage that ran last, else the runner's last ERROR line that is more than
 * the end lines above ("PROG: message").
 */
#ifndef ITG_RUNNER_RUNVIEW_H
#define ITG_RUNNER_RUNVIEW_H

#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "err.h"
#include "rundir.h"
#include "xalloc.h"

enum run_outcome {
	RUN_APPLIED,
	RUN_DRY_RUN,
	RUN_COMPLETE,
	RUN_FAILED,
	RUN_REFUSED,
	RUN_INTERRUPTED,
	RUN_UNDER_WAY,
	RUN_UNFINISHED,
};

/* "applied", "dry_run", ... (the --status --json words). */
const char *run_outcome_name(enum run_outcome o);

/*
 * One run folder.  Every string is owned (runview_free); NULL when unknown.
 * Set up with runview_init, fed with runview_log_line and runview_summary
 * (in any order), decided by runview_finish.
 */
struct run_view {
	char id[RUN_ID_LEN + 1];
	enum run_outcome outcome;     /* valid after runview_finish */
	int ended;                    /* run.log's last line: 1 complete, -1 failed, 0 none */
	int exit_code;                /* of a failed run, else 0 */
	char *stage;                  /* what failed: "itg-extract", "itg-load --recover" */
	char *signal;                 /* "SIGTERM" of an interrupted run */
	char *during;                 /* what it interrupted */
	char *error;                  /* "PROG: message" (see above), after runview_finish */
	yajl_val summary;             /* report/summary.json, a JSON object, or NULL */
	char *would_refuse;           /* summary.json's would_refuse, as text, or NULL */
	char *summary_error;          /* why summary.json could not be read */
	char *log_error;              /* why run.log could not be read (NULL: read, or none) */
	int have_log;                 /* run.log was there */
	int latest;                   /* OUT/<name>/latest names this run (the caller sets it) */
	/* while scanning run.log */
	char *started;                /* the stage started last, as stage would name it */
	char *stage_error;            /* its last ERROR line */
	char *runner_error;           /* the runner's last ERROR line but the end lines */
};

void runview_init(struct run_view *v, const char *id);

/* One line of run.log (NUL-terminated, without its newline). */
void runview_log_line(struct run_view *v, const char *line);

/*
 * The text of summary.json.  Not a JSON object: -1, v->summary_error set
 * (the run's outcome is then read from run.log alone).
 */
int runview_summary(struct run_view *v, const char *json, size_t len);

/*
 * Decides the outcome.  may_be_under_way: this is the newest run and the
 * pipeline's lock is held, so a run.log without its last line is a run
 * still going.
 */
void runview_finish(struct run_view *v, int may_be_under_way);

/*
 * Reads PIPELINE_OUT/ID/run.log and PIPELINE_OUT/ID/report/summary.json
 * (neither need exist; one that cannot be read is noted in log_error or
 * summary_error) and calls runview_finish.  Opens nothing for writing.
 */
void runview_read(struct run_view *v, const char *pipeline_out, const char *id,
		  int may_be_under_way);

/* 1 for applied, dry run and complete: the run succeeded. */
int runview_succeeded(const struct run_view *v);

/* 1 for every outcome but under way: the run is over. */
int runview_over(const struct run_view *v);

/*
 * "link 2, unlink 1, import_user 24": summary.json's changed lines per
 * action, those not 0, in the file's order ("counts" less review and skip
 * when the file has no "changed").  Returns how many (0 appends nothing).
 */
size_t runview_changes(const struct run_view *v, struct buf *out);

/* summary.json's would_refuse ("mass_unlink"), or NULL (owned by v). */
const char *runview_would_refuse(const struct run_view *v);

/*
 * The run's line of --status after its id: "applied: unlink 14", "failed in
 * itg-extract (exit 3): itg-extract: IT Glue refused ...".  No newline.
 */
void runview_text(const struct run_view *v, struct buf *out);

/* The run as one JSON object of --status --json. */
void runview_json(const struct run_view *v, yajl_gen g);

void runview_free(struct run_view *v);

#endif
