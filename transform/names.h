/*
 * names.h - name keys and trigram similarity for auto-link (docs/rules.md 7, 8, 12).
 *
 * The normalisation is documented in one place: the comment at the top of
 * names.c (and docs/matching.md).
 */
#ifndef ITG_NAMES_H
#define ITG_NAMES_H

#include <stddef.h>

/* Name keys for auto-link (docs/rules.md 7, 8, 12).  All return malloc'd strings the caller frees. */
char *names_exact_key(const char *name);       /* Unicode NFC, outer whitespace trimmed, case kept */
char *names_normalized_key(const char *name);  /* docs/rules.md 7; "" when no token is left (never auto-links) */
char *names_fuzzy_text(const char *name);      /* the normalized tokens joined by one space ("" if none) */
double names_trigram_jaccard(const char *fuzzy_a, const char *fuzzy_b); /* Jaccard of character trigram sets */
struct names_hit { size_t item; double score; };
struct names_index;                              /* trigram -> posting list, for blocking */
struct names_index *names_index_new(void);
void names_index_add(struct names_index *ix, size_t item, const char *fuzzy_text); /* item: caller's index */
/* All indexed items sharing at least one trigram with fuzzy_text whose score >= min_score,
   sorted by score descending then item ascending.  *hits is malloc'd (caller frees); returns the count. */
size_t names_index_query(const struct names_index *ix, const char *fuzzy_text, double min_score, struct names_hit **hits);
void names_index_free(struct names_index *ix);

#endif
