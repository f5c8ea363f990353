/*
 * rowix.h - the rows of a store table by the text of one column (or of two
 * together), for looking ids up (the report's names, the load's row finder).
 *
 * An open-addressing table of row numbers (four bytes a slot, at most three
 * quarters full): the key itself is not copied, it is compared with the
 * table's cells, only where the 8 bits of its hash the slot keeps agree.  A
 * string map of half a million user ids costs some forty megabytes; this
 * costs two.  Rows whose (last) key cell is "" are not indexed.  The index
 * borrows the table, which must outlive it.
 *
 * Two ways to fill it: rowix_build indexes a table that then does not
 * change (the first row with a key wins); rowix_init and rowix_put follow a
 * table that grows and whose key cells change (the highest row with a key
 * wins, which is the last one put when rows are put in order, as the load
 * does).  A lookup compares the cells as they are now: a row whose key cell
 * changed is found by its new key once it is put again, never by its old one.
 */
#ifndef ITG_ROWIX_H
#define ITG_ROWIX_H

#include <stddef.h>
#include <stdint.h>

#include "csvtab.h"

struct rowix {
	const struct csv_table *t;
	int col, col2;    /* key columns; col2 < 0: one column */
	uint32_t *slot;   /* row + 1 (and 8 bits of the key's hash), 0 for an empty slot */
	size_t cap;       /* a power of two */
	size_t n;         /* slots used */
	int tagged;       /* the slots carry hash bits (every row number fits in 24 bits) */
};

/* The largest row + 1 a slot holds beside hash bits: 2^24 - 1 (tests lower
 * it to see an index give its hash bits up). */
extern uint32_t rowix_tag_rows_max;

/* Indexes every row of t by column col (col < 0: an empty index). */
void rowix_build(struct rowix *x, const struct csv_table *t, int col);
/* An empty index of t by col, or by col and col2 together (col2 >= 0). */
void rowix_init(struct rowix *x, const struct csv_table *t, int col, int col2);
/* Indexes row under its key cells as they are now. */
void rowix_put(struct rowix *x, size_t row);
/*
 * Indexes row unless a row with its key is indexed: that row, or -1 when
 * row was added (or has no key).  For finding duplicates.
 */
long rowix_add(struct rowix *x, size_t row);
/* The row whose cell is key, or -1 (key NULL or "" too). */
long rowix_get(const struct rowix *x, const char *key);
/* The row whose two key cells are key and key2, or -1. */
long rowix_get2(const struct rowix *x, const char *key, const char *key2);
void rowix_free(struct rowix *x);

#endif
