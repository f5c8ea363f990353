#include "hash.h"

#define FNV1A64_PRIME 1099511628211ULL

void hash_fnv1a64_init_basis(struct hash_fnv1a64_state *s, uint64_t basis)
{
	s->h = basis;
}

void hash_fnv1a64_init(struct hash_fnv1a64_state *s)
{
	hash_fnv1a64_init_basis(s, HASH_FNV1A64_BASIS);
}

void hash_fnv1a64_update(struct hash_fnv1a64_state *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = s->h;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV1A64_PRIME;
	}
	s->h = h;
}

uint64_t hash_fnv1a64_final(const struct hash_fnv1a64_state *s)
{
	return s->h;
}

uint64_t hash_fnv1a64(const void *data, size_t n)
{
	struct hash_fnv1a64_state s;

	hash_fnv1a64_init(&s);
	hash_fnv1a64_update(&s, data, n);
	return hash_fnv1a64_final(&s);
}
