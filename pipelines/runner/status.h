/*
 * status.h - what a run writes to the store's integration.json, the story of
 * the sync as the products tell it (BullPhish ID's Connected / Syncing /
 * Disconnected):
 *
 *   - `syncing` while a run that may change the store is under way;
 *   - `disconnected` (by itglue) when IT Glue refuses the key: links are
 *     kept, removing them is --disconnect's job, which an operator runs on
 *     purpose; a disconnect by the operator stays the operator's;
 *   - after any other failure the status it had (connected once IT Glue
 *     has taken the key in this run, unless the operator disconnected the
 *     store), with last_error naming what failed;
 *   - itg-load itself writes `connected` and last_sync when a sync completes.
 *
 * The time of the last good sync and the store's binding are always kept.
 * Each change is made under the store's lock (STORE/.lock), so no load is
 * halfway; a dry run never calls these.  A change that cannot be made is
 * logged and does not end the run.
 */
#ifndef ITG_RUNNER_STATUS_H
#define ITG_RUNNER_STATUS_H

#include "err.h"
#include "runlog.h"

struct run_status {
	char *store;         /* the store folder (owned), NULL when the pipeline names none */
	int present;         /* the store folder exists */
	char *region;        /* the pipeline's region (owned) */
	struct runlog *log;  /* borrowed */
	char *before;        /* the status before the run (owned) */
};

/*
 * 1 when STORE/integration.json says disconnected_by: operator (the
 * integration was ended on purpose, docs/contract.md section 10); 0 when it
 * does not, and when store is NULL, missing or its file unreadable (those
 * are status_begin's to report).
 */
int status_disconnected_by_operator(const char *store);

/*
 * Reads the state before the run from STORE/integration.json: its status,
 * or connected when there is none yet; syncing (a run killed outright)
 * stands for disconnected when disconnected_by is set, else connected
 * (integration_effective_status).  store may be NULL or name a missing folder (nothing to read).
 * A malformed file is -1 (ITG_EXIT_USAGE naming it); *s is set up either way
 * and freed with status_free.
 */
int status_begin(struct run_status *s, const char *store, const char *region,
		 struct runlog *log, struct itg_err *e);

enum status_mark {
	MARK_SYNCING,           /* syncing; last_error kept */
	MARK_KEY_REFUSED,       /* disconnected, by itglue (an operator's disconnect stays his) */
	MARK_FAILED_BEFORE,     /* the status before the run */
	MARK_FAILED_CONNECTED,  /* connected: IT Glue took the key; an itglue disconnect is
				   over (an operator's is not: the status before the run) */
	MARK_INTERRUPTED,       /* the status before the run, unless a stage wrote another since */
};

/* Rewrites STORE/integration.json as how says; error, when not NULL, becomes last_error. */
void status_mark(struct run_status *s, enum status_mark how, const char *error);

void status_free(struct run_status *s);

#endif
