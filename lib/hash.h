/*
 * hash.h - FNV-1a, 64 bits: the one hash of the stages.
 *
 * The string maps hash their keys with it, and the plan manifest records the
 * store files' fingerprints and the pipeline's bytes with it, so its values
 * are part of the plan format (docs/plan-format.md): itg-load compares them,
 * and tests compare manifests byte for byte.  It detects change; it does not
 * resist tampering.
 *
 * The stages start from HASH_FNV1A64_BASIS, 1469598103934665603, which is
 * the published FNV offset basis 14695981039346656037 with its last digit
 * lost.  Every plan manifest and golden file holds hashes made from it, so
 * it stays: changing it would make every existing plan stale.  The mixing
 * step is FNV-1a's own, which the unit tests check against the published
 * test vectors by starting from HASH_FNV1A64_PUBLISHED_BASIS.
 */
#ifndef ITG_HASH_H
#define ITG_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Where every hash of the stages starts: the hash of no bytes at all. */
#define HASH_FNV1A64_BASIS 1469598103934665603ULL
/* The offset basis of the FNV specification, for checking test vectors. */
#define HASH_FNV1A64_PUBLISHED_BASIS 14695981039346656037ULL

/* The hash of n bytes at data in one call. */
uint64_t hash_fnv1a64(const void *data, size_t n);

/*
 * The same hash over bytes that come in pieces (a file read chunk by chunk):
 * init, update for each piece in order, final.  The pieces' sizes do not
 * matter: the result equals hash_fnv1a64 of their concatenation.  init_basis
 * starts from another basis (only the tests need it).
 */
struct hash_fnv1a64_state {
	uint64_t h;
};

void hash_fnv1a64_init(struct hash_fnv1a64_state *s);
void hash_fnv1a64_init_basis(struct hash_fnv1a64_state *s, uint64_t basis);
void hash_fnv1a64_update(struct hash_fnv1a64_state *s, const void *data, size_t n);
uint64_t hash_fnv1a64_final(const struct hash_fnv1a64_state *s);

#endif
