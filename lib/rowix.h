/*
 * rowix.h - the rows of a store table by the text of one column, for
 * looking ids up (the report's names, the load's row finder).
 *
 * An open-addressing table of row numbers (four bytes a slot, at most half
 * full): the key itself is not copied, it is compared with the table's cell.
 * A string map of half a million user ids costs some forty megabytes; this
 * costs four.  The first row with a key wins; rows whose cell is "" are not
 * indexed.  The index borrows the table, which must outlive it and must not
 * change while it is used.
 */
#ifndef ITG_ROWIX_H
#define ITG_ROWIX_H

#include <stddef.h>
#include <stdint.h>

#include "csvtab.h"

struct rowix {
	const struct csv_table *t;
	int col;
	uint32_t *slot;   /* row + 1, 0 for an empty slot */
	size_t cap;       /* a power of two */
};

/* Indexes every row of t by column col (col < 0: an empty index). */
void rowix_build(struct rowix *x, const struct csv_table *t, int col);
/* The first row whose cell is key, or -1 (key NULL or "" too). */
long rowix_get(const struct rowix *x, const char *key);
void rowix_free(struct rowix *x);

#endif
