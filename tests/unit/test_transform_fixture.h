/*
 * test_transform_fixture.h - a tiny world for transform tests: a snapshot
 * written with the real ndjson writer and manifest, a store of CSV texts,
 * a pipeline file, one run of transform_run, and the plan read back.
 *
 * Expected lines are written with ' for " so a test reads like the plan:
 *     CU_ASSERT(tfx_has(&t, "{'action':'link','organization_id':'10',...}"));
 */
#ifndef ITG_TEST_TRANSFORM_FIXTURE_H
#define ITG_TEST_TRANSFORM_FIXTURE_H

#include "err.h"
#include "snapshot.h"
#include "xalloc.h"

#include <stddef.h>

struct tfx {
	char *dir;                    /* temporary top folder */
	char *product;
	struct buf res[RES_COUNT];    /* NDJSON lines per resource */
	int given[RES_COUNT];         /* the test wrote this resource */
	int omit[RES_COUNT];          /* leave it out of the snapshot */
	int keep_snapshot;            /* tfx_run leaves the snapshot folder as it is */
	/* the manifest's organizations lists (docs/rules.md 1); has_missing 0 writes
	 * neither key, as a snapshot made by hand */
	int has_missing;
	struct snapshot_ids deleted, unconfirmed;
	int has_account;              /* the manifest's account */
	char *account_id, *account_name;
	int connect;                  /* run with --connect */
	int no_snapshot;              /* run without --snapshot (with --disconnect) */
	struct itg_err e;             /* error of the last run */
	char *plan;                   /* plan.ndjson of the last successful run */
	char *manifest;               /* manifest.json of the last successful run */
	char *inventory;              /* inventory.ndjson of the last successful run */
	char *out;                    /* plan folder */
};

/* product: "bullphish" or "darkwebid".  Default reference data: org types
 * 1 Customer, 2 Vendor; statuses 1 Active, 2 Inactive; contact types
 * 1 Employee, 2 Terminated. */
void tfx_init(struct tfx *t, const char *product);
void tfx_free(struct tfx *t);

/* Appends one record to a resource (a JSON object, ' for "). */
void tfx_add(struct tfx *t, enum resource r, const char *json);
/* An org: type/status 0 for null. */
void tfx_org(struct tfx *t, const char *id, const char *name, int type, int status);
/* A contact; emails is the JSON array text of contact-emails (' for "). */
void tfx_contact(struct tfx *t, const char *id, const char *org, const char *first,
		 const char *last, int ctype, const char *emails);
/* A contact with one primary email. */
void tfx_contact1(struct tfx *t, const char *id, const char *org, const char *first,
		  const char *last, const char *email);
void tfx_domain(struct tfx *t, const char *id, const char *org, const char *name);
/* The snapshot confirms that IT Glue deleted org id (confirmed_deleted). */
void tfx_deleted(struct tfx *t, const char *id);
/* The snapshot lists org id as missing, unconfirmed (unconfirmed_missing). */
void tfx_unconfirmed(struct tfx *t, const char *id);
/* The snapshot's account (id NULL: an account key with null members). */
void tfx_account(struct tfx *t, const char *id, const char *name);

/* Writes store/<file> with text. */
void tfx_store(struct tfx *t, const char *file, const char *csv);
/* Writes any file under the top folder. */
void tfx_file(struct tfx *t, const char *rel, const char *text);
/* Cuts the snapshot file of r written by the last run to half its bytes and
 * keeps the snapshot for the next run (a damaged file). */
void tfx_cut_in_half(struct tfx *t, enum resource r);

/* Writes the pipeline ("name", "product" and "store: store" are prepended
 * to body) and the snapshot, runs the transform.  Returns its result; on
 * success t->plan holds plan.ndjson. */
int tfx_run(struct tfx *t, const char *body);
int tfx_run_disconnect(struct tfx *t, const char *body);
/* The same inputs with --explain org and no --out: returns the run's result,
 * *text what it printed (caller frees); no plan folder is left. */
int tfx_explain(struct tfx *t, const char *body, const char *org, char **text);

/* The plan has this exact line (' for "). */
int tfx_has(const struct tfx *t, const char *line);
/* Number of plan lines containing text (' for "). */
size_t tfx_count(const struct tfx *t, const char *text);
/* Line n (0-based) of the plan, or "" (static buffer, ' kept as "). */
const char *tfx_line(const struct tfx *t, size_t n);
size_t tfx_lines(const struct tfx *t);
/* The inventory has this exact line (' for "). */
int tfx_inv_has(const struct tfx *t, const char *line);
/* The error message of the last failed run contains text. */
int tfx_err_has(const struct tfx *t, const char *text);

#endif
