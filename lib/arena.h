/*
 * arena.h - chunked bump allocation for things that live and die together.
 *
 * A stage holds millions of small strings that all live until it ends (the
 * cells of a store table, the ids of the lines a load applied): one malloc
 * each would cost its own header and its own free.  An arena hands them out
 * of 64 KiB chunks instead, and arena_free releases every chunk at once.
 * Nothing is freed on its own.
 *
 * Ownership: the arena owns every byte it returned; pointers stay valid
 * until arena_free.  A zeroed struct arena ({0}) is an empty arena, and
 * arena_free leaves it empty again, ready for reuse.  Allocation cannot
 * fail quietly: out of memory exits like xmalloc.
 */
#ifndef ITG_ARENA_H
#define ITG_ARENA_H

#include <stddef.h>

/* Bytes of a regular chunk.  Requests over a quarter of it get a chunk of their own. */
#define ARENA_CHUNK ((size_t)64 * 1024)

struct arena_chunk;

struct arena {
	struct arena_chunk *head;   /* the chunk being filled; older ones behind it */
};

/*
 * n bytes aligned to align (a power of two, up to any object's alignment:
 * _Alignof(T)).  n may be 0 (a valid pointer, not to be written through).
 */
void *arena_alloc(struct arena *a, size_t n, size_t align);
/* A copy of s (NUL-terminated); NULL in, NULL out. */
char *arena_strdup(struct arena *a, const char *s);
/* A copy of the n bytes at s, NUL-terminated (s need not be). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees every chunk; a is an empty arena afterwards.  Safe on a zeroed arena. */
void arena_free(struct arena *a);

#endif
