/*
 * strmap.h - a string-keyed hash table (open addressing, FNV-1a).
 *
 * The map copies keys; values are borrowed pointers the caller owns.
 * Lookups are O(1) on average: every index of the stages (ids, names,
 * emails) is one of these, never a nested loop.
 */
#ifndef ITG_STRMAP_H
#define ITG_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/* maps are mostly keyed by ids: their users order keys with id_cmp */
#include "ids.h"

struct strmap;

struct strmap *strmap_new(size_t size_hint);
/* Frees the map and its keys; calls free_value on each value when non-NULL. */
void strmap_free(struct strmap *m, void (*free_value)(void *));

void *strmap_get(const struct strmap *m, const char *key);
int strmap_has(const struct strmap *m, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
size_t strmap_count(const struct strmap *m);

/*
 * Iteration in slot order (not sorted): start with *it = 0; returns 0 at
 * the end.  Do not insert while iterating.
 */
int strmap_next(const struct strmap *m, size_t *it, const char **key, void **value);

#endif
