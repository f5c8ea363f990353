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
#include "integration.h"
#include "planread.h"
#include "product.h"
#include "store.h"

struct lstore {
	struct store st;                /* the tables (lib/store.h) */
	int changed[STORE_NTABLES];     /* set by apply: write this table */
	/* integration.json as read by lib/integration ({0} when absent or empty) */
	struct integration it;
};

/*
 * Reads the tables of product p from dir (a missing folder or file is an
 * empty table), each file once; with a plan, refuses a store changed since
 * the plan was made (stale.h: ITG_EXIT_STALE); then validates the tables
 * (docs/rules.md 36 as in itg-transform) and reads integration.json
 * (integration_read: a malformed one is ITG_EXIT_USAGE).  Errors name the
 * file and line.  plan may be NULL (no stale check).  On failure
 * s is left empty.
 */
int lstore_load(const char *dir, enum product p, const struct plan *plan, struct lstore *s,
		struct itg_err *e);
void lstore_free(struct lstore *s);

#endif
