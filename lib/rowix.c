#include "rowix.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static size_t key_hash(const struct rowix *x, const char *a, const char *b)
{
	struct hash_fnv1a64_state h;

	if (x->col2 < 0)
		return (size_t)hash_fnv1a64(a, strlen(a));
	hash_fnv1a64_init(&h);
	hash_fnv1a64_update(&h, a, strlen(a));
	hash_fnv1a64_update(&h, "\x1f", 1);
	hash_fnv1a64_update(&h, b, strlen(b));
	return (size_t)hash_fnv1a64_final(&h);
}

/* Row r's key cells are a (and b). */
static int row_is(const struct rowix *x, size_t r, const char *a, const char *b)
{
	return strcmp(csvtab_get(x->t, r, x->col), a) == 0 &&
	       (x->col2 < 0 || strcmp(csvtab_get(x->t, r, x->col2), b) == 0);
}

/* The slot holding a row keyed a (b), or the empty slot where it would go. */
static size_t find_slot(const struct rowix *x, const char *a, const char *b)
{
	size_t mask = x->cap - 1, i = key_hash(x, a, b) & mask;

	while (x->slot[i] && !row_is(x, x->slot[i] - 1, a, b))
		i = (i + 1) & mask;
	return i;
}

/* Row r's key cells, or 0 when it is not indexed (its last key cell is ""). */
static int row_key(const struct rowix *x, size_t r, const char **a, const char **b)
{
	*a = csvtab_get(x->t, r, x->col);
	*b = x->col2 < 0 ? "" : csvtab_get(x->t, r, x->col2);
	return x->col >= 0 && r < UINT32_MAX && *(x->col2 < 0 ? *a : *b) != '\0';
}

/* Slots for rows keys, at most three quarters full. */
static void alloc_slots(struct rowix *x, size_t rows)
{
	x->cap = 16;
	while (x->cap / 4 * 3 < rows)
		x->cap *= 2;
	x->slot = xcalloc(x->cap, sizeof *x->slot);
	x->n = 0;
}

/* Puts row into its slot: a higher row takes an equal key's slot over, a lower one does not. */
static void put(struct rowix *x, size_t row, int highest_wins)
{
	const char *a, *b;
	size_t i;

	if (!row_key(x, row, &a, &b))
		return;
	i = find_slot(x, a, b);
	if (!x->slot[i])
		x->n++;
	else if (!highest_wins || x->slot[i] - 1 >= row)
		return;
	x->slot[i] = (uint32_t)row + 1;
}

void rowix_build(struct rowix *x, const struct csv_table *t, int col)
{
	x->t = t;
	x->col = col;
	x->col2 = -1;
	alloc_slots(x, t->nrows);
	for (size_t r = 0; col >= 0 && r < t->nrows; r++)
		put(x, r, 0);
}

void rowix_init(struct rowix *x, const struct csv_table *t, int col, int col2)
{
	x->t = t;
	x->col = col;
	x->col2 = col2;
	alloc_slots(x, 0);
}

/* Room for one more slot: the slots doubled when three quarters are used. */
static void make_room(struct rowix *x)
{
	uint32_t *old = x->slot;
	size_t n = x->cap;

	if (x->n + 1 <= x->cap / 4 * 3)
		return;
	/* rows are put again under their cells as they are now */
	alloc_slots(x, x->cap);
	for (size_t i = 0; i < n; i++)
		if (old[i])
			put(x, old[i] - 1, 1);
	free(old);
}

void rowix_put(struct rowix *x, size_t row)
{
	make_room(x);
	put(x, row, 1);
}

long rowix_add(struct rowix *x, size_t row)
{
	const char *a, *b;
	size_t i;

	make_room(x);
	if (!row_key(x, row, &a, &b))
		return -1;
	i = find_slot(x, a, b);
	if (x->slot[i])
		return (long)x->slot[i] - 1;
	x->slot[i] = (uint32_t)row + 1;
	x->n++;
	return -1;
}

long rowix_get2(const struct rowix *x, const char *key, const char *key2)
{
	size_t i;

	if (!key || !x->slot || (x->col2 >= 0 && !key2) || !*(x->col2 < 0 ? key : key2))
		return -1;
	i = find_slot(x, key, x->col2 < 0 ? "" : key2);
	return x->slot[i] ? (long)x->slot[i] - 1 : -1;
}

long rowix_get(const struct rowix *x, const char *key)
{
	return rowix_get2(x, key, NULL);
}

void rowix_free(struct rowix *x)
{
	free(x->slot);
	memset(x, 0, sizeof *x);
}
