/*
 * breaker.h - the mass-change breaker (docs/contract.md section 10): a plan
 * that removes more links than the pipeline's `safety` allows is not loaded
 * with nobody watching.
 *
 * Two limits, each judged on its own:
 *   - `unlink` lines whose reason is not `disconnect` (a --disconnect plan
 *     removes every link on purpose) against safety.max_unlinks, out of the
 *     rows of links.csv;
 *   - `unlink_user` lines against safety.max_user_unlinks, out of the users
 *     with a non-empty itglue_contact_id.
 * A percentage P allows max(10, ceil(P/100 x N)), a count exactly that many
 * (safety_allowance, lib/pipeline.h).  N is counted on the store the plan
 * was made from: the load judges after the stale check, on the very tables
 * that check passed.
 *
 * The load refuses a plan that trips it (ITG_EXIT_STALE, nothing written)
 * unless --allow-mass-unlink is given; a dry run reports it instead
 * (summary.json "would_refuse": "mass_unlink").
 */
#ifndef ITG_LOAD_BREAKER_H
#define ITG_LOAD_BREAKER_H

#include "pipeline.h"
#include "planread.h"
#include "store.h"
#include "xalloc.h"

/* The word summary.json gives as "would_refuse". */
#define BREAKER_WOULD_REFUSE "mass_unlink"

/* One limit as judged. */
struct breaker_limit {
	const char *key;          /* "safety.max_unlinks" */
	struct safety_limit limit;
	long long removals;       /* plan lines that remove a link */
	long long of;             /* N: the links there are */
	long long allowed;        /* safety_allowance(limit, of) */
	int tripped;              /* removals > allowed */
};

struct breaker {
	struct breaker_limit links, users;
	int tripped;              /* either limit */
};

/*
 * Judges plan p against the tables of s (the store it was made from) and
 * the two limits.  users is left all zero for a Dark Web ID store.
 */
void breaker_judge(const struct plan *p, const struct store *s,
		   const struct safety_limit *max_unlinks,
		   const struct safety_limit *max_user_unlinks, struct breaker *out);

/*
 * Appends what tripped, one clause per limit joined by "; and ":
 *   the plan removes 37 of the store's 40 links, more than
 *   safety.max_unlinks allows (10% of 40, at least 10: 10)
 * Nothing when it did not trip.
 */
void breaker_describe(const struct breaker *b, struct buf *out);

/*
 * Appends the way on: apply it once with
 *   pipelines/run PIPELINE --allow-mass-unlink (or itg-load --allow-mass-unlink)
 * pipeline is the pipeline file as the operator names it.
 */
void breaker_way_out(const char *pipeline, struct buf *out);

#endif
