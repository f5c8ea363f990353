/*
 * audit.h - the lines appended to STORE/audit.ndjson: one JSON object per
 * applied change, {run_id, time, action, table, key, before, after, reason}.
 * before is null for a created row, after is null for a removed one; for an
 * update both hold the changed fields only.
 */
#ifndef ITG_LOAD_AUDIT_H
#define ITG_LOAD_AUDIT_H

#include "apply.h"
#include "xalloc.h"

/* Appends one NDJSON line per event of r to out. */
void audit_format(const struct apply_result *r, const char *run_id, const char *now,
		  struct buf *out);

#endif
