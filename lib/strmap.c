#include "strmap.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	char *key;   /* NULL when empty */
	uint64_t hash;
	void *value;
};

struct strmap {
	struct slot *slots;
	size_t cap;   /* power of two */
	size_t count;
};

struct strmap *strmap_new(size_t size_hint)
{
	struct strmap *m = xcalloc(1, sizeof *m);

	m->cap = 16;
	while (m->cap < size_hint * 2)
		m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	return m;
}

void strmap_free(struct strmap *m, void (*free_value)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		free(m->slots[i].key);
		if (free_value)
			free_value(m->slots[i].value);
	}
	free(m->slots);
	free(m);
}

static struct slot *find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;

	for (;;) {
		struct slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
		i = (i + 1) & mask;
	}
}

static void grow(struct strmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	}
	free(old);
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct slot *s = find(m, key, hash_fnv1a64(key, strlen(key)));

	return s->key ? s->value : NULL;
}

int strmap_has(const struct strmap *m, const char *key)
{
	return find(m, key, hash_fnv1a64(key, strlen(key)))->key != NULL;
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t h = hash_fnv1a64(key, strlen(key));
	struct slot *s;
	void *prev;

	if ((m->count + 1) * 4 > m->cap * 3)
		grow(m);
	s = find(m, key, h);
	if (s->key) {
		prev = s->value;
		s->value = value;
		return prev;
	}
	s->key = xstrdup(key);
	s->hash = h;
	s->value = value;
	m->count++;
	return NULL;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}

int strmap_next(const struct strmap *m, size_t *it, const char **key, void **value)
{
	while (*it < m->cap) {
		struct slot *s = &m->slots[(*it)++];
		if (s->key) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return 1;
		}
	}
	return 0;
}
