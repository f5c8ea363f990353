/*
 * planread.h - reading and verifying a plan folder (docs/plan-format.md).
 *
 * Everything is checked before anything is applied: manifest format 1, the
 * product matches the pipeline, plan.ndjson's line count, byte length and
 * CRC-32 match the manifest, every line is a JSON object with a known action
 * and the keys that action needs.  Any failure is ITG_EXIT_USAGE naming the
 * file (and plan.ndjson:LINE).
 */
#ifndef ITG_LOAD_PLANREAD_H
#define ITG_LOAD_PLANREAD_H

#include <stddef.h>

#include "err.h"
#include "fsutil.h"
#include "json.h"
#include "pipeline.h"

#define PLAN_FORMAT 1

struct plan_line {
	long line;          /* 1-based line in plan.ndjson */
	const char *action; /* points into v */
	yajl_val v;         /* the parsed object (owned by the plan) */
};

/* A store file's fingerprint as the transform saw it. */
struct plan_store_file {
	char *name;         /* "organizations.csv" */
	struct fingerprint fp;
};

struct plan {
	char *dir;
	char *pipeline;           /* manifest "pipeline" */
	enum product product;
	int disconnect;           /* integration_status is "disconnected" */
	char *snapshot_time;      /* snapshot.finished_at, or "" */
	char *region;             /* snapshot.region, or "" */
	size_t nfiles;
	struct plan_store_file *files;
	size_t n;
	struct plan_line *lines;
};

/*
 * Reads and verifies DIR/manifest.json and DIR/plan.ndjson for a pipeline
 * of product `want`.  On failure p is left empty.
 */
int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e);
void planread_free(struct plan *p);

/* The id-valued member key of a line (string or number), or NULL. */
const char *plan_id(const struct plan_line *l, const char *key);
/* A string member, or NULL (null and absent alike). */
const char *plan_str(const struct plan_line *l, const char *key);

#endif
