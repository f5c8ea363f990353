#include "arena.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;     /* bytes of data[] handed out, and its size */
	unsigned char data[];
};

/* Offset in c's data where n bytes aligned to align fit, or (size_t)-1. */
static size_t fit(const struct arena_chunk *c, size_t n, size_t align)
{
	uintptr_t at = (uintptr_t)(c->data + c->used);
	size_t pad = (size_t)((align - (at & (align - 1))) & (align - 1));

	if (c->cap - c->used < pad || c->cap - c->used - pad < n)
		return (size_t)-1;
	return c->used + pad;
}

static struct arena_chunk *new_chunk(size_t cap)
{
	/* a size that cannot be had is asked for as SIZE_MAX: xmalloc reports it */
	struct arena_chunk *c = xmalloc(cap > SIZE_MAX - sizeof *c ? SIZE_MAX : sizeof *c + cap);

	c->next = NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

/*
 * A request that does not fit the current chunk starts a new one, except a
 * large one (over a quarter of a chunk): it gets a chunk of its own, linked
 * behind the current chunk, so the space left in the current chunk is not
 * thrown away for it.
 */
void *arena_alloc(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	size_t at;

	if (align == 0)
		align = 1;
	if (c && (at = fit(c, n, align)) != (size_t)-1) {
		c->used = at + n;
		return c->data + at;
	}
	if (n > ARENA_CHUNK / 4) {
		size_t cap = n > SIZE_MAX - align ? SIZE_MAX : n + align - 1;
		struct arena_chunk *big = new_chunk(cap);

		at = fit(big, n, align);
		big->used = at + n;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			a->head = big;
		}
		return big->data + at;
	}
	c = new_chunk(ARENA_CHUNK);
	c->next = a->head;
	a->head = c;
	at = fit(c, n, align);
	c->used = at + n;
	return c->data + at;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n < SIZE_MAX ? n + 1 : SIZE_MAX, 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	while (a->head) {
		struct arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
