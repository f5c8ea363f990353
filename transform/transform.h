/*
 * transform.h - itg-transform as a function: snapshot + settings + store
 * to a plan folder (docs/contract.md section 6).  main.c only parses options.
 */
#ifndef ITG_TRANSFORM_TRANSFORM_H
#define ITG_TRANSFORM_TRANSFORM_H

#include <stdio.h>

#include "err.h"

struct transform_opts {
	const char *pipeline;   /* pipeline YAML (required) */
	const char *snapshot;   /* snapshot folder (required unless disconnect) */
	const char *out;        /* plan folder to publish (required, except with explain) */
	const char *store;      /* store folder; NULL = the pipeline's `store` */
	int disconnect;         /* rule 10 */
	int connect;            /* (re-)bind the store: no binding refusal (docs/contract.md section 10) */
	const char *explain;    /* --explain ORG: every rule's decision for it, to explain_out */
	FILE *explain_out;
};

/*
 * Reads everything, checks the store's binding (binding.c: a store bound
 * elsewhere or disconnected by its operator is ITG_EXIT_STALE), judges,
 * writes the plan into a staged sibling of o->out and publishes it
 * atomically.  On any error nothing is left under o->out (an earlier plan
 * there stays untouched) and the store is never written.  Logs a summary of
 * the counts per action.
 *
 * With o->explain (not with disconnect), the organizations it names
 * (explain.h) are explained to o->explain_out from the plan made in the
 * same run; the plan is published only when o->out is given, else it is
 * made in a temporary folder and removed.  No organization named is
 * ITG_EXIT_USAGE before anything is written.
 */
int transform_run(const struct transform_opts *o, struct itg_err *e);

#endif
