/*
 * lstore.h - the product store as itg-load holds it: the product's tables
 * read and checked by lib/store (the same reader and checks as
 * itg-transform), which tables apply changed, and integration.json.
 *
 * A table is written back only when `changed` is set, so a plan that
 * changes nothing leaves every CSV byte-identical.
 */
#ifndef ITG_LOAD_LSTORE_H
#define ITG_LOAD_LSTORE_H

#include "err.h"
#include "product.h"
#include "store.h"

struct lstore {
	struct store st;                /* the tables (lib/store.h) */
	int changed[STORE_NTABLES];     /* set by apply: write this table */
	/* integration.json as read (owned, NULL when absent or empty) */
	char *status;
	char *last_sync;
	char *region;
};

/*
 * Reads and validates the tables of product p from dir (a missing folder or
 * file is an empty table; RULES.md 36 as in itg-transform), then
 * integration.json.  Errors name the file and line.  On failure s is left
 * empty.
 */
int lstore_load(const char *dir, enum product p, struct lstore *s, struct itg_err *e);
void lstore_free(struct lstore *s);

#endif
