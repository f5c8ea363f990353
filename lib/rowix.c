#include "rowix.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void rowix_build(struct rowix *x, const struct csv_table *t, int col)
{
	size_t mask;

	x->t = t;
	x->col = col;
	x->cap = 16;
	while (x->cap < t->nrows * 2)
		x->cap *= 2;
	x->slot = xcalloc(x->cap, sizeof *x->slot);
	mask = x->cap - 1;
	for (size_t r = 0; col >= 0 && r < t->nrows && r < UINT32_MAX; r++) {
		const char *key = csvtab_get(t, r, col);
		size_t i;

		if (!*key)
			continue;
		i = (size_t)hash_fnv1a64(key, strlen(key)) & mask;
		while (x->slot[i] && strcmp(csvtab_get(t, x->slot[i] - 1, col), key) != 0)
			i = (i + 1) & mask;
		if (!x->slot[i])
			x->slot[i] = (uint32_t)r + 1;
	}
}

long rowix_get(const struct rowix *x, const char *key)
{
	size_t mask = x->cap - 1, i;

	if (!key || !*key || !x->slot)
		return -1;
	i = (size_t)hash_fnv1a64(key, strlen(key)) & mask;
	while (x->slot[i]) {
		if (strcmp(csvtab_get(x->t, x->slot[i] - 1, x->col), key) == 0)
			return (long)x->slot[i] - 1;
		i = (i + 1) & mask;
	}
	return -1;
}

void rowix_free(struct rowix *x)
{
	free(x->slot);
	memset(x, 0, sizeof *x);
}
