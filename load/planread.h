/*
 * planread.h - reading and verifying a plan folder (docs/plan-format.md).
 *
 * Everything is checked before anything is applied: the manifest
 * (plan_manifest_read: format, product, store files, plan figures), the
 * product matches the pipeline, plan.ndjson's line count, byte length and
 * CRC-32 match the manifest, every line is a JSON object with a known action
 * and the keys that action needs (plan_actions[] of lib/planfmt.h).  Any failure is ITG_EXIT_USAGE naming the
 * file (and plan.ndjson:LINE).
 */
#ifndef ITG_LOAD_PLANREAD_H
#define ITG_LOAD_PLANREAD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fsutil.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"

/*
 * A verified line is kept as its place in plan->text, not as a parsed tree:
 * a plan of half a million lines would otherwise hold half a million yajl
 * trees for the whole run.  plan_line_open parses one line for the time it
 * is in use.
 */
struct plan_line {
	long line;          /* 1-based line in plan.ndjson */
	enum plan_action action;
	size_t off, len;    /* the line's bytes in plan->text */
	yajl_val v;         /* NULL in plan->lines; the parsed object on a copy
			       that plan_line_open filled (owned by that copy) */
};

struct plan {
	char *dir;
	char *pipeline;           /* manifest "pipeline" */
	enum product product;
	int disconnect;           /* integration_status is "disconnected" */
	int connect;              /* made with --connect: (re-)bind the store */
	char *snapshot_time;      /* snapshot.finished_at, or "" */
	char *region;             /* snapshot.region, or "" */
	char *account_id;         /* snapshot.account.primary_organization_id, or NULL */
	char *account_name;       /* snapshot.account.primary_organization_name, or NULL */
	uint64_t settings_hash;   /* settings_fnv1a64: the pipeline file it was made with */
	/* the manifest's "inventory" (planfmt.h): inventory.ndjson's figures,
	 * present 0 for a plan made before it existed */
	struct {
		int present;
		uint64_t lines, bytes;
		uint32_t crc32;
	} inventory;
	size_t nfiles;
	struct plan_store_file *files;
	char *text;               /* plan.ndjson's bytes (owned) */
	size_t n;
	struct plan_line *lines;
};

/*
 * Reads and verifies DIR/manifest.json and DIR/plan.ndjson for a pipeline
 * of product `want`.  On failure p is left empty.
 */
int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e);
/*
 * Verifies text (plan.ndjson's len bytes) line by line and indexes it into
 * p->n and p->lines.  p takes text over (freed by planread_free), even on
 * failure.  file names the plan in messages.
 */
int planread_lines(struct plan *p, char *text, size_t len, enum product want,
		   const char *file, struct itg_err *e);
void planread_free(struct plan *p);

/*
 * Parses line i of p into *out: a copy of p->lines[i] whose v is the line's
 * object.  Release it with plan_line_close.  The line was verified when the
 * plan was read, so only running out of memory can fail (exit 1, as xalloc).
 */
void plan_line_open(const struct plan *p, size_t i, struct plan_line *out);
void plan_line_close(struct plan_line *l);

/* The id-valued member key of an open line (string or number), or NULL. */
const char *plan_id(const struct plan_line *l, const char *key);
/* A string member of an open line, or NULL (null and absent alike). */
const char *plan_str(const struct plan_line *l, const char *key);

#endif
