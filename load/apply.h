/*
 * apply.h - applying a verified plan to the in-memory store tables.
 *
 * Every plan line is applied in order (docs/contract.md sections 5-7).  Only
 * real differences are recorded: setting a cell to the value it already
 * holds is no change, and last_sync is set only on rows whose other fields
 * this plan creates or changes.  So applying a converged plan, or the same
 * plan twice, records no change and marks no table changed.
 *
 * New ids: assigned in plan order after the largest numeric id of the table.
 * `organization_ref` ("new:<itglue id>") resolves to the org an earlier
 * import_organization line created.
 *
 * What changed is recorded in the result's event log (eventlog.h), one
 * event per changed row, which the audit lines and changes.csv are written
 * from.
 */
#ifndef ITG_LOAD_APPLY_H
#define ITG_LOAD_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "eventlog.h"
#include "lstore.h"
#include "planread.h"
#include "xalloc.h"

/* Which row a line's row id is the id of. */
enum line_row_kind { LINE_ROW_NONE, LINE_ROW_ORG, LINE_ROW_USER, LINE_ROW_DOMAIN };

struct apply_result {
	struct eventlog events;        /* every changed row, in the order applied */
	size_t nlines;                 /* = plan->n */
	/* what each plan line did, for the report: five bytes a line, read
	 * through apply_line_org, apply_line_row_id and apply_line_changed */
	uint32_t *lines;               /* a row + 1 (of the table its kind names), or an index + 1 in orgs */
	unsigned char *line_flags;     /* enum line_row_kind and flags (apply.c) */
	const char **orgs;             /* the org ids lines resolved to, in strs (a run of lines of one org shares one) */
	size_t norgs, orgs_cap;
	const struct lstore *s;        /* the store applied to: the tables the rows are in */
	struct arena strs;             /* the lines' org ids */
	char *integration_json;        /* the new integration.json (owned) */
	int integration_changed;       /* status differs from the store's */
};

/*
 * Applies p to s (tables changed in place, s->changed set per table).
 * now: RFC 3339 time for linked_at / last_sync; region: written to
 * integration.json when the plan names none (may be NULL).  A line that does
 * not fit the store (unknown org or user id, unknown ref) is
 * ITG_EXIT_USAGE naming plan.ndjson:LINE.  r is filled either way; free it
 * with apply_result_free.
 */
int apply_plan(const struct plan *p, struct lstore *s, const char *now, const char *region,
	       struct apply_result *r, struct itg_err *e);
void apply_result_free(struct apply_result *r);

/* The product org line i resolved to (refs, imports), or NULL. */
const char *apply_line_org(const struct apply_result *r, size_t i);
/* The id of the row line i created or matched, or NULL. */
const char *apply_line_row_id(const struct apply_result *r, size_t i);
/* Line i changed at least one field. */
int apply_line_changed(const struct apply_result *r, size_t i);

#endif
