/*
 * handedits.h - what the operator changed in links.csv by hand since the
 * last applied load: links.csv as this load finds it, compared with the
 * copy that load left (STORE_FILE_LINKS_LAST_RUN, lib/store.h), so that the
 * report and audit.ndjson say who changed what, by run (docs/contract.md
 * section 7).
 *
 * Links are compared by their key (organization_id, itglue_organization_id);
 * the order of the rows does not matter:
 *   added    a key only in links.csv (its line there)
 *   removed  a key only in the copy (its line in the copy)
 *   changed  a key in both with another source or linked_at (both lines;
 *            the fields that differ, old and new)
 * links.csv does not forbid two rows with one key, so rows are matched one
 * to one within a key: rows equal in source and linked_at first, then the
 * others in file order as changed, and any left over on one side as added
 * or removed.  Edits are listed added and changed in links.csv's order,
 * then removed in the copy's.
 *
 * Every applied load writes the copy in its transaction (load/run.c): the
 * links table as the load leaves it.  A store without a copy (its first
 * load, or loads by an older itg-load) has no hand edits to report.  A copy
 * that cannot be parsed or holds bytes that are not UTF-8 (someone edited
 * the hidden file) is no error either: `problem` says why, nothing is
 * compared, and the load leaves a fresh copy.
 *
 * Ownership: a zeroed struct handedits is empty.  It owns every string and
 * array in it (copies; the tables compared can be freed or changed
 * afterwards); handedits_free releases them and leaves it empty.
 */
#ifndef ITG_LOAD_HANDEDITS_H
#define ITG_LOAD_HANDEDITS_H

#include <stddef.h>
#include <stdio.h>

#include <yajl/yajl_gen.h>

#include "arena.h"
#include "csvtab.h"
#include "err.h"
#include "eventlog.h"

/* The action word of a hand edit in audit.ndjson and changes.csv. */
#define HAND_EDIT_ACTION "hand_edit"
/* The reason words. */
#define HAND_REASON_ADDED "added"
#define HAND_REASON_REMOVED "removed"
#define HAND_REASON_CHANGED "changed"

enum hand_reason { HAND_ADDED, HAND_REMOVED, HAND_CHANGED, HAND_NREASONS };

struct hand_edit {
	enum hand_reason reason;
	const char *org_id;          /* organization_id */
	const char *itglue_org_id;   /* itglue_organization_id */
	const char *key;             /* "ORG/ITGLUE_ORG", as the load's own link events */
	long line;                   /* line in links.csv; 0 for a removed link */
	long last_run_line;          /* line in the copy; 0 for an added link */
	/* added: every non-empty cell of the row (old ""); removed: every
	 * non-empty cell of the copy's row (new ""); changed: source and/or
	 * linked_at */
	size_t nf;
	struct field_change *f;
};

struct handedits {
	int compared;                /* a copy was read and compared: v holds every edit */
	char *problem;               /* the copy could not be read, and why; else NULL */
	size_t n;
	struct hand_edit *v;
	size_t count[HAND_NREASONS];
	struct arena strs;           /* the edits' strings and field arrays */
};

/* "added", "removed", "changed". */
const char *handedits_reason_name(enum hand_reason r);

/*
 * Compares cur (links.csv) with last (the copy) as described above and sets
 * h->compared.  Both are links tables as lib/store reads them.  h is
 * overwritten (start from a zeroed one).
 */
void handedits_compare(const struct csv_table *cur, const struct csv_table *last,
		       struct handedits *h);

/*
 * Reads STORE/.links.last-run.csv and compares links.csv (cur, as the
 * load read it, before the plan is applied) with it.  No copy: 0 with
 * h->compared 0.  A copy that cannot be parsed or is not UTF-8: 0 with
 * h->problem naming the file and line.  A symbolic link or anything but a
 * plain file in its place (lib/store refuses a link before this), or a
 * read error: -1 with e set.  h is overwritten.
 */
int handedits_find(const char *store, const struct csv_table *cur, struct handedits *h,
		   struct itg_err *e);

void handedits_free(struct handedits *h);

/*
 * load/report_handedits.c: the report's parts for hand edits, each called
 * once from the file that writes the rest (in->hand NULL, or a store
 * without a copy: nothing at all).
 */
struct rdoc;
struct report_input;
struct report_names;
/* The section "Changed by hand since the last run" (report_sections.c),
 * organizations named as the rest of the report names them.  (Their
 * changes.csv rows are written with the load's own, report_changes.c.) */
void report_handedits_section(struct rdoc *d, const struct report_input *in,
			      const struct report_names *nm);
/* "hand_edits": N in summary.json (report_summary.c). */
void report_handedits_summary(yajl_gen g, const struct report_input *in);

#endif
