/*
 * fuzz_names.c - the name keys of transform/names.c on arbitrary bytes.
 *
 * Checks what names.c documents: the fuzzy text is the normalized tokens
 * joined by single spaces (so without its spaces it is the normalized key);
 * the exact key has no outer ASCII white space; trigram similarity is in
 * [0, 1], symmetric, and 1 for a non-empty text against itself.  The input
 * is split at its first NUL into two names for the pairwise checks.
 */
#include "fuzz_util.h"

#include "names.h"

static void check_one(const char *name)
{
	char *exact = names_exact_key(name);
	char *norm = names_normalized_key(name);
	char *fuzzy = names_fuzzy_text(name);
	size_t n = strlen(exact), j = 0;

	FUZZ_CHECK(exact && norm && fuzzy, "NULL key");
	FUZZ_CHECK(n == 0 || (!strchr(" \t\r\n\v\f", exact[0]) && !strchr(" \t\r\n\v\f", exact[n - 1])),
		   "exact key keeps outer white space: [%s]", exact);
	FUZZ_CHECK(!strchr(norm, ' '), "normalized key has a space: [%s]", norm);
	FUZZ_CHECK(fuzzy[0] != ' ' && (!*fuzzy || fuzzy[strlen(fuzzy) - 1] != ' ') && !strstr(fuzzy, "  "),
		   "fuzzy text not single-space joined: [%s]", fuzzy);
	for (size_t i = 0; fuzzy[i]; i++) {
		if (fuzzy[i] == ' ')
			continue;
		FUZZ_CHECK(norm[j] == fuzzy[i], "fuzzy [%s] and normalized [%s] differ", fuzzy, norm);
		j++;
	}
	FUZZ_CHECK(norm[j] == '\0', "fuzzy [%s] and normalized [%s] differ", fuzzy, norm);
	if (*fuzzy) {
		double self = names_trigram_jaccard(fuzzy, fuzzy);
		FUZZ_CHECK(self == 1.0, "self similarity %g for [%s]", self, fuzzy);
	}
	free(exact);
	free(norm);
	free(fuzzy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *a = s, *b = s + strlen(s) + (strlen(s) < size ? 1 : 0);
	char *fa, *fb;
	double ab, ba;
	struct names_index *ix;
	struct names_hit *hits = NULL;
	size_t nhits;

	check_one(a);
	check_one(b);
	fa = names_fuzzy_text(a);
	fb = names_fuzzy_text(b);
	ab = names_trigram_jaccard(fa, fb);
	ba = names_trigram_jaccard(fb, fa);
	FUZZ_CHECK(ab >= 0 && ab <= 1, "similarity %g", ab);
	FUZZ_CHECK(ab == ba, "not symmetric: %g vs %g", ab, ba);

	ix = names_index_new();
	names_index_add(ix, 0, fa);
	names_index_add(ix, 1, fb);
	nhits = names_index_query(ix, fa, 0.0, &hits);
	FUZZ_CHECK(nhits <= 2, "%zu hits from 2 items", nhits);
	for (size_t i = 0; i < nhits; i++) {
		FUZZ_CHECK(hits[i].item <= 1, "hit item %zu", hits[i].item);
		FUZZ_CHECK(i == 0 || hits[i - 1].score >= hits[i].score, "hits not sorted");
	}
	if (*fa)
		FUZZ_CHECK(nhits >= 1 && hits[0].score == 1.0, "a text does not find itself: [%s]", fa);
	free(hits);
	names_index_free(ix);
	free(fa);
	free(fb);
	free(s);
	return 0;
}
