/*
 * store.h - the product store as itg-load sees it: the CSV tables of one
 * product (CONTRACT.md section 5) read into memory, plus integration.json.
 *
 * Tables are read through lib/csvtab (extra columns kept, missing contract
 * columns appended).  A table is written back only when `changed` is set,
 * so a plan that changes nothing leaves every CSV byte-identical.
 */
#ifndef ITG_LOAD_STORE_H
#define ITG_LOAD_STORE_H

#include "csvtab.h"
#include "err.h"
#include "pipeline.h"

enum lstore_table { TAB_ORGS, TAB_LINKS, TAB_USERS, TAB_DOMAINS, TAB_COUNT };

#define LSTORE_INTEGRATION "integration.json"
#define LSTORE_AUDIT "audit.ndjson"

struct lstore {
	enum product product;
	char *dir;                      /* owned copy */
	int used[TAB_COUNT];            /* tables of this product */
	int changed[TAB_COUNT];         /* set by apply: write this table */
	struct csv_table tab[TAB_COUNT];
	/* integration.json as read (owned, NULL when absent or empty) */
	char *status;
	char *last_sync;
	char *region;
};

/* "organizations", "links", "users", "domains" */
extern const char *const lstore_table_names[TAB_COUNT];
/* "organizations.csv", ... */
extern const char *const lstore_file_names[TAB_COUNT];

/* The contract columns of table t for product p (NULL-terminated). */
const char *const *lstore_contract_cols(enum product p, enum lstore_table t);

/*
 * Reads the tables of product p from dir (a missing folder or file is an
 * empty table) and integration.json.  Errors name the file and line.
 */
int lstore_load(const char *dir, enum product p, struct lstore *s, struct itg_err *e);
void lstore_free(struct lstore *s);

/* Store booleans (RULES.md 36): true/1/yes (any case); anything else false. */
int lstore_bool(const char *s);

#endif
