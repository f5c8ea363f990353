#include "rowix.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/*
 * A slot is row + 1 (0: empty).  While every row number fits in 24 bits
 * (x->tagged), the top 8 bits of the slot hold 8 bits of its key's hash: a
 * probe past another key then costs no cell fetch and no strcmp, 255 times
 * in 256.  A row that does not fit clears the tags of every slot, and the
 * index goes on comparing every probed key, as it always may.
 */
#define TAG_SHIFT 24
#define ROW_MASK ((UINT32_C(1) << TAG_SHIFT) - 1)

/* The largest row + 1 a tagged slot holds (tests lower it). */
uint32_t rowix_tag_rows_max = ROW_MASK;

static uint64_t key_hash(const struct rowix *x, const char *a, const char *b)
{
	struct hash_fnv1a64_state h;

	if (x->col2 < 0)
		return hash_fnv1a64(a, strlen(a));
	hash_fnv1a64_init(&h);
	hash_fnv1a64_update(&h, a, strlen(a));
	hash_fnv1a64_update(&h, "\x1f", 1);
	hash_fnv1a64_update(&h, b, strlen(b));
	return hash_fnv1a64_final(&h);
}

/* The row a used slot holds. */
static size_t slot_row(const struct rowix *x, uint32_t s)
{
	return (size_t)(x->tagged ? s & ROW_MASK : s) - 1;
}

static uint32_t make_slot(const struct rowix *x, size_t row, uint32_t tag)
{
	return x->tagged ? tag << TAG_SHIFT | (uint32_t)(row + 1) : (uint32_t)(row + 1);
}

/* Row r's key cells are a (and b). */
static int row_is(const struct rowix *x, size_t r, const char *a, const char *b)
{
	return strcmp(csvtab_get(x->t, r, x->col), a) == 0 &&
	       (x->col2 < 0 || strcmp(csvtab_get(x->t, r, x->col2), b) == 0);
}

/* The slot holding a row keyed a (b), or the empty slot where it would go;
 * *tag is the key's tag. */
static size_t find_slot(const struct rowix *x, const char *a, const char *b, uint32_t *tag)
{
	uint64_t h = key_hash(x, a, b);
	size_t mask = x->cap - 1, i = (size_t)h & mask;
	uint32_t t = (uint32_t)(h >> 56);

	*tag = t;
	for (; x->slot[i]; i = (i + 1) & mask)
		if ((!x->tagged || x->slot[i] >> TAG_SHIFT == t) && row_is(x, slot_row(x, x->slot[i]), a, b))
			break;
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

/* Row (about to be put) does not fit beside a tag: no slot keeps one. */
static void fit_row(struct rowix *x, size_t row)
{
	if (!x->tagged || row + 1 <= rowix_tag_rows_max)
		return;
	for (size_t i = 0; i < x->cap; i++)
		x->slot[i] &= ROW_MASK;
	x->tagged = 0;
}

/* Puts row into its slot: a higher row takes an equal key's slot over, a lower one does not. */
static void put(struct rowix *x, size_t row, int highest_wins)
{
	const char *a, *b;
	uint32_t tag;
	size_t i;

	if (!row_key(x, row, &a, &b))
		return;
	fit_row(x, row);
	i = find_slot(x, a, b, &tag);
	if (!x->slot[i])
		x->n++;
	else if (!highest_wins || slot_row(x, x->slot[i]) >= row)
		return;
	x->slot[i] = make_slot(x, row, tag);
}

void rowix_build(struct rowix *x, const struct csv_table *t, int col)
{
	x->t = t;
	x->col = col;
	x->col2 = -1;
	x->tagged = 1;
	alloc_slots(x, t->nrows);
	for (size_t r = 0; col >= 0 && r < t->nrows; r++)
		put(x, r, 0);
}

void rowix_init(struct rowix *x, const struct csv_table *t, int col, int col2)
{
	x->t = t;
	x->col = col;
	x->col2 = col2;
	x->tagged = 1;
	alloc_slots(x, 0);
}

/* Room for one more slot: the slots doubled when three quarters are used. */
static void make_room(struct rowix *x)
{
	uint32_t *old = x->slot;
	size_t n = x->cap;
	int tagged = x->tagged;

	if (x->n + 1 <= x->cap / 4 * 3)
		return;
	/* rows are put again under their cells as they are now */
	alloc_slots(x, x->cap);
	for (size_t i = 0; i < n; i++)
		if (old[i])
			put(x, (size_t)(tagged ? old[i] & ROW_MASK : old[i]) - 1, 1);
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
	uint32_t tag;
	size_t i;

	make_room(x);
	if (!row_key(x, row, &a, &b))
		return -1;
	fit_row(x, row);
	i = find_slot(x, a, b, &tag);
	if (x->slot[i])
		return (long)slot_row(x, x->slot[i]);
	x->slot[i] = make_slot(x, row, tag);
	x->n++;
	return -1;
}

long rowix_get2(const struct rowix *x, const char *key, const char *key2)
{
	uint32_t tag;
	size_t i;

	if (!key || !x->slot || (x->col2 >= 0 && !key2) || !*(x->col2 < 0 ? key : key2))
		return -1;
	i = find_slot(x, key, x->col2 < 0 ? "" : key2, &tag);
	return x->slot[i] ? (long)slot_row(x, x->slot[i]) : -1;
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
