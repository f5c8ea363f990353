/*
 * audit.h - the lines appended to STORE/audit.ndjson: one JSON object per
 * applied change, {run_id, time, action, table, key, before, after, reason}.
 * before is null for a created row, after is null for a removed one; for an
 * update both hold the changed fields only.  A hand edit of links.csv
 * (handedits.h) is a line of the run that found it, with two more members:
 * {..., "action": "hand_edit", "table": "links", ..., "reason": "added",
 * "line": N, "last_run_line": M}, its line in links.csv and in the last
 * run's copy (null where it has none).
 */
#ifndef ITG_LOAD_AUDIT_H
#define ITG_LOAD_AUDIT_H

#include <stdio.h>

#include "apply.h"
#include "handedits.h"

/*
 * Writes one NDJSON line per event of r to fp, a line at a time, so that
 * half a million changes never sit in memory as one text.  0, or -1 with
 * errno set by the failed write.
 */
int audit_write(FILE *fp, const struct apply_result *r, const char *run_id, const char *now);

/*
 * One line per edit of h, in h's order, as above; before and after as for
 * a created (added), removed or updated (changed) link.  0, or -1 with
 * errno set by the failed write.
 */
int audit_write_hand_edits(FILE *fp, const struct handedits *h, const char *run_id,
			   const char *now);

#endif
