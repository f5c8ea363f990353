/*
 * rundir.h - the run folders of one pipeline, out/<name>/<run-id>/, the
 * out/<name>/latest link to the newest complete run, and retention.
 *
 * A run id is the UTC start time, YYYYMMDDTHHMMSSZ: ids sort as times do.
 * Everything that changes them runs under the pipeline's lock,
 * out/<name>/RUNDIR_LOCK; rundir_list and rundir_latest only read.
 */
#ifndef ITG_RUNNER_RUNDIR_H
#define ITG_RUNNER_RUNDIR_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define RUN_ID_LEN 16
#define RUNDIR_LATEST "latest"
#define RUNDIR_LOCK ".lock"     /* the pipeline's lock, held for a whole run */

/* The run id of time t: "20261125T010203Z". */
void runid_format(time_t t, char out[RUN_ID_LEN + 1]);

/* 1 when s is shaped like a run id. */
int runid_valid(const char *s);

/*
 * Creates PIPELINE_OUT/<run-id> (0700) for the current second; when a run
 * of the same second made it first, waits for the next second (ids have
 * one-second resolution).  Writes the id to id and the folder to *dir
 * (caller frees).
 */
int rundir_create(const char *pipeline_out, char id[RUN_ID_LEN + 1], char **dir,
		  struct itg_err *e);

/*
 * Points PIPELINE_OUT/latest at run_id: a symbolic link made under an
 * unpredictable temporary name and renamed over latest, so a reader sees
 * the old run or the new one, never no link; then the folder is fsynced.
 */
int rundir_point_latest(const char *pipeline_out, const char *run_id, struct itg_err *e);

/*
 * The run ids to remove so that the newest keep remain: sorts names (run
 * ids, in any order) oldest first and puts in remove[] (room for n) those
 * older than the newest keep, except latest and current (either may be
 * NULL), which are never removed.  Returns how many.  keep < 1 counts as 1.
 */
size_t retention_choose(char **names, size_t n, long keep, const char *latest,
			const char *current, char **remove);

/*
 * The run ids of PIPELINE_OUT's run folders (folders named like a run id,
 * not links), oldest first, into *ids (free with rundir_list_free).  Reads
 * only.
 */
int rundir_list(const char *pipeline_out, char ***ids, size_t *n, struct itg_err *e);
void rundir_list_free(char **ids, size_t n);

/* The run id PIPELINE_OUT/latest names (its link's last part), or NULL (caller frees). */
char *rundir_latest(const char *pipeline_out);

/*
 * Lists the run folders of PIPELINE_OUT and removes those retention_choose
 * picks (latest as its link says now).  removed(id, ok, arg) is called for
 * each, ok = 0 when it could not be removed completely.
 */
int rundir_prune(const char *pipeline_out, long keep, const char *current,
		 void (*removed)(const char *id, int ok, void *arg), void *arg, struct itg_err *e);

#endif
