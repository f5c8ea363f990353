/*
 * apply.h - applying a verified plan to the in-memory store tables.
 *
 * Every plan line is applied in order (CONTRACT.md sections 5-7).  Only
 * real differences are recorded: setting a cell to the value it already
 * holds is no change, and last_sync is set only on rows whose other fields
 * this plan creates or changes.  So applying a converged plan, or the same
 * plan twice, records no change and marks no table changed.
 *
 * New ids: assigned in plan order after the largest numeric id of the table.
 * `organization_ref` ("new:<itglue id>") resolves to the org an earlier
 * import_organization line created.
 */
#ifndef ITG_LOAD_APPLY_H
#define ITG_LOAD_APPLY_H

#include <stddef.h>

#include "err.h"
#include "lstore.h"
#include "planread.h"
#include "xalloc.h"

/* One changed field.  old is "" for a created row, new "" for a removed one. */
struct field_change {
	const char *field;
	const char *old;
	const char *new;
};

enum event_kind { EV_CREATE, EV_UPDATE, EV_DELETE };

/*
 * One changed row: one audit line, and one changes.csv row per field.  The
 * result keeps its events encoded back to back in one compact log (half a
 * million imports would otherwise be millions of small allocations);
 * apply_event_next decodes them one at a time into this view, whose strings
 * point into the log and stay valid while the result lives.
 */
struct load_event {
	const char *action;   /* a plan action's name (planfmt.h) or "integration" */
	const char *table;    /* "organizations", "links", "users", "domains", "integration" */
	const char *key;      /* row id; "ORG/ITGLUE_ORG" for links */
	const char *reason;   /* NULL when the line has none */
	enum event_kind kind;
	long plan_line;       /* 0 for the integration status */
	size_t nf;
	struct field_change *f;   /* owned by the view: apply_event_free */
	size_t fcap;
};

/* What a plan line did, for the report (strings owned by the result). */
struct line_result {
	const char *org_id;   /* the product org the line resolved to (refs, imports), or NULL */
	const char *row_id;   /* id of the row it created or matched, or NULL */
	int changed;          /* it changed at least one field */
};

struct apply_names;           /* apply.c: interned action, table and field names */
struct apply_strs;            /* apply.c: the arena of the lines' ids */

struct apply_result {
	size_t nev;                    /* changed rows (events) */
	size_t nfields;                /* changed fields over all events */
	struct buf log;                /* the events, encoded (apply.c) */
	struct apply_names *names;
	struct apply_strs *strs;
	size_t nlines;                 /* = plan->n */
	struct line_result *lines;
	char *integration_json;        /* the new integration.json (owned) */
	int integration_changed;       /* status differs from the store's */
};

/*
 * Decodes the event at *pos (start with *pos = 0) into ev and moves *pos to
 * the next one: 1, or 0 after the last.  ev starts zeroed and is reused from
 * call to call; release it with apply_event_free.
 */
int apply_event_next(const struct apply_result *r, size_t *pos, struct load_event *ev);
void apply_event_free(struct load_event *ev);

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

/* "1" after NULL or "", else the decimal successor of a numeric id (caller frees). */
char *apply_id_next(const char *max);

/* Number of events of an action (all actions when action is NULL). */
size_t apply_count_events(const struct apply_result *r, const char *action);

#endif
