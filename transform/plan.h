/*
 * plan.h - writing plan.ndjson and manifest.json (docs/plan-format.md,
 * whose names and keys are lib/planfmt.h).
 *
 * Every line is generated with yajl in the key order of the plan format;
 * the writer keeps the line count, byte length, CRC-32 and counts per
 * action that the manifest records.
 */
#ifndef ITG_TRANSFORM_PLAN_H
#define ITG_TRANSFORM_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_gen.h>

#include "err.h"
#include "planfmt.h"
#include "xalloc.h"

struct plan_writer {
	FILE *fp;
	char *iobuf;            /* fp's buffer, owned; freed after fclose */
	char *path;             /* owned */
	yajl_gen g;
	struct buf line;
	uint32_t crc;
	uint64_t bytes;
	uint64_t lines;
	unsigned long counts[PA_COUNT];
	unsigned long domains_pending, domains_unimported;
	int scratch;            /* a section copied into the plan, then removed: no fsync */
};

/* Creates path (0600).  The writer owns its resources until close/abort. */
int plan_writer_open(struct plan_writer *w, const char *path, struct itg_err *e);
/* Flushes, fsyncs (unless scratch) and closes; a write error surfaces here. */
int plan_writer_close(struct plan_writer *w, struct itg_err *e);
/* Closes and removes the file; safe on a zeroed or closed writer. */
void plan_writer_abort(struct plan_writer *w);
/* Releases a closed writer, keeping its file. */
void plan_writer_free(struct plan_writer *w);
/* Ends the JSON object being generated on w->g (opened by the caller with
 * yajl_gen_map_open) and writes it as one line, counted in lines, bytes
 * and crc but in no action's count: the inventory's lines go through it. */
int plan_writer_end_line(struct plan_writer *w, struct itg_err *e);
/* Appends the lines of a closed writer's file (and its counts) to w. */
int plan_writer_append(struct plan_writer *w, const struct plan_writer *part,
		       struct itg_err *e);

/* A contact's field values, for import_user and update_user. */
struct user_fields {
	const char *first_name, *last_name, *email, *group;
};

/* One function per line shape; ids are strings, NULL writes null. */
int plan_write_unlink(struct plan_writer *w, const char *org_id, const char *itg_id,
		const char *reason, const char *source, struct itg_err *e);
/* score < 0: not a fuzzy link, no score key. */
int plan_write_link(struct plan_writer *w, const char *org_id, const char *itg_id, const char *match,
	      double score, const char *name, const char *itg_name, struct itg_err *e);
int plan_write_review(struct plan_writer *w, const char *itg_id, const char *org_id, const char *match,
		const char *name, size_t n, const char *const *cand_ids,
		const char *const *cand_names, struct itg_err *e);
/* review unconfirmed_deletion (docs/rules.md 1): the kept link's orgs and source,
 * candidates []. */
int plan_write_review_unconfirmed(struct plan_writer *w, const char *itg_id, const char *org_id,
				  const char *source, struct itg_err *e);
/* review select_not_found (docs/rules.md 15): both org ids null, name the entry as
 * written, the candidates with their names. */
int plan_write_review_not_found(struct plan_writer *w, const char *name, size_t n,
				const char *const *cand_ids, const char *const *cand_names,
				struct itg_err *e);
int plan_write_rename(struct plan_writer *w, const char *org_id, const char *itg_id,
		const char *before, const char *after, struct itg_err *e);
/* bullphish: phishing/training/limited written; limited_phishing/training
 * name the modules left off by the license. */
struct plan_import_org {
	const char *itg_id, *name, *employee_count, *industry;
	int bullphish;
	int phishing, training;
	int limited_phishing, limited_training;
};
int plan_write_import_org(struct plan_writer *w, const struct plan_import_org *o, struct itg_err *e);
int plan_write_skip_org(struct plan_writer *w, const char *itg_id, const char *reason,
		  const char *name, struct itg_err *e);
/* org_id for an existing product org, else org_ref ("new:<itglue id>"). */
int plan_write_import_user(struct plan_writer *w, const char *org_id, const char *org_ref,
		     const char *itg_org_id, const char *contact_id,
		     const struct user_fields *f, struct itg_err *e);
int plan_write_link_user(struct plan_writer *w, const char *user_id, const char *org_id,
		   const char *contact_id, struct itg_err *e);
/* before/after: only the fields that differ are written (NULL = unchanged). */
int plan_write_update_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const struct user_fields *before,
		     const struct user_fields *after, struct itg_err *e);
int plan_write_unlink_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const char *reason, struct itg_err *e);
int plan_write_skip_contact(struct plan_writer *w, const char *contact_id, const char *itg_org_id,
		      const char *reason, struct itg_err *e);
/* reason NULL for pending. */
int plan_write_import_domain(struct plan_writer *w, const char *org_id, const char *org_ref,
		       const char *itg_org_id, const char *domain_id, const char *domain,
		       const char *status, const char *reason, struct itg_err *e);

/* The "new:<itglue id>" reference of an org this plan imports (malloc'd). */
char *plan_write_ref(const char *itg_id);

struct model;
/* Writes dir/manifest.json for the plan w (closed) made from m, with the
 * figures of the closed inventory writer (NULL: no "inventory" key); the
 * snapshot keys are null when m has no snapshot (--disconnect without one).
 * connect: made with --connect, the load re-binds the store. */
int plan_write_manifest(const char *dir, const struct model *m, const struct plan_writer *w,
			const struct plan_writer *inventory, const char *snapshot_path,
			uint64_t settings_hash, int disconnect, int connect, struct itg_err *e);

#endif
