/* Unit tests of transform/names.c: name keys (docs/rules.md 7, 8) and trigram matching (12). */
#include "unit.h"

#include "../../transform/names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Asserts that f(name) equals want, freeing the result. */
#define ASSERT_KEY(f, name, want)                     \
	do {                                          \
		char *got_ = f(name);                 \
		CU_ASSERT_STRING_EQUAL(got_, want);   \
		free(got_);                           \
	} while (0)

static int same_normalized(const char *a, const char *b)
{
	char *ka = names_normalized_key(a), *kb = names_normalized_key(b);
	int same = strcmp(ka, kb) == 0;

	free(ka);
	free(kb);
	return same;
}

static void test_normalized_treats_hyphen_as_space(void)
{
	CU_ASSERT(same_normalized("Smith-Jones", "Smith Jones"));
	ASSERT_KEY(names_normalized_key, "Smith-Jones", "smithjones");
	ASSERT_KEY(names_fuzzy_text, "Smith-Jones", "smith jones");
}

static void test_normalized_removes_dots_and_apostrophes_without_splitting(void)
{
	CU_ASSERT(same_normalized("A.B.C.", "ABC"));
	ASSERT_KEY(names_normalized_key, "A.B.C.", "abc");
	ASSERT_KEY(names_fuzzy_text, "A.B.C.", "abc");
	ASSERT_KEY(names_normalized_key, "O'Brien", "obrien");
	ASSERT_KEY(names_normalized_key, "O\xe2\x80\x99" "Brien", "obrien");
	ASSERT_KEY(names_fuzzy_text, "O'Brien & Sons", "obrien and sons");
}

static void test_normalized_drops_accents_and_legal_suffix(void)
{
	ASSERT_KEY(names_normalized_key, "Caf\xc3\xa9 Z\xc3\xbcrich, GmbH", "cafezurich");
	CU_ASSERT(same_normalized("Caf\xc3\xa9 Z\xc3\xbcrich, GmbH", "cafe zurich"));
	/* the same name written with combining marks (NFD) */
	ASSERT_KEY(names_normalized_key, "Cafe\xcc\x81 Zu\xcc\x88rich", "cafezurich");
}

static void test_normalized_ignores_trailing_legal_suffixes(void)
{
	CU_ASSERT(same_normalized("Globex LLC", "Globex"));
	CU_ASSERT(same_normalized("Globex, L.L.C.", "Globex"));
	CU_ASSERT(same_normalized("Initech Pty Ltd", "Initech"));
	CU_ASSERT(same_normalized("Acme Inc.", "ACME"));
	/* a suffix word in the middle of a name stays */
	ASSERT_KEY(names_normalized_key, "Co Op Stores", "coopstores");
	ASSERT_KEY(names_normalized_key, "Acme Ltd Holdings", "acmeltdholdings");
}

static void test_normalized_drops_and_between_suffixes(void)
{
	ASSERT_KEY(names_normalized_key, "M\xc3\xbcller GmbH & Co KG", "muller");
	ASSERT_KEY(names_normalized_key, "M\xc3\xbcller GmbH & Co. KG", "muller");
	ASSERT_KEY(names_fuzzy_text, "M\xc3\xbcller GmbH and Co KG", "muller");
	/* the chain alone keeps its first token: never the last remaining one */
	ASSERT_KEY(names_normalized_key, "GmbH & Co KG", "gmbh");
	/* an "and" after a plain word is part of the name */
	ASSERT_KEY(names_normalized_key, "Smith & Co", "smithand");
	ASSERT_KEY(names_fuzzy_text, "Smith & Co", "smith and");
	/* an "and" with no suffix after it stays */
	ASSERT_KEY(names_normalized_key, "Foo Inc &", "fooincand");
}

static void test_normalized_keeps_a_name_that_is_only_a_suffix(void)
{
	ASSERT_KEY(names_normalized_key, "LLC", "llc");
	ASSERT_KEY(names_normalized_key, "Co. Ltd.", "co");
	ASSERT_KEY(names_fuzzy_text, "Inc", "inc");
}

static void test_normalized_keeps_letters_without_decomposition(void)
{
	ASSERT_KEY(names_normalized_key, "\xc3\x98RSTED", "\xc3\xb8rsted");          /* Ø -> ø */
	ASSERT_KEY(names_normalized_key, "\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x82odz"); /* Łódź -> łodz */
	ASSERT_KEY(names_normalized_key, "\xc3\x86gir", "\xc3\xa6gir");             /* Ægir -> ægir */
}

static void test_normalized_folds_sharp_s_to_ss(void)
{
	ASSERT_KEY(names_normalized_key, "Stra\xc3\x9f" "e", "strasse");
	CU_ASSERT(same_normalized("Stra\xc3\x9f" "e", "STRASSE"));
}

static void test_normalized_turns_ampersand_into_a_token(void)
{
	CU_ASSERT(same_normalized("Smith & Wesson", "Smith and Wesson"));
	CU_ASSERT(same_normalized("Smith&Wesson", "smith and wesson"));
	ASSERT_KEY(names_fuzzy_text, "AT&T", "at and t");
	/* fullwidth forms are compatibility characters */
	ASSERT_KEY(names_normalized_key, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc");
}

static void test_normalized_splits_on_punctuation_and_keeps_digits(void)
{
	ASSERT_KEY(names_fuzzy_text, "  3M / Europe (North)  ", "3m europe north");
	ASSERT_KEY(names_normalized_key, "Route_66", "route66");
	ASSERT_KEY(names_fuzzy_text, "Route_66", "route 66");
}

static void test_empty_and_blank_names_give_empty_keys(void)
{
	ASSERT_KEY(names_normalized_key, "", "");
	ASSERT_KEY(names_normalized_key, "   \t\n", "");
	ASSERT_KEY(names_normalized_key, "-- ... --", "");
	ASSERT_KEY(names_fuzzy_text, "", "");
	ASSERT_KEY(names_fuzzy_text, " , ", "");
	ASSERT_KEY(names_exact_key, "", "");
	ASSERT_KEY(names_exact_key, " \t\n ", "");
	ASSERT_KEY(names_exact_key, NULL, "");
	ASSERT_KEY(names_normalized_key, NULL, "");
}

static void test_exact_key_composes_nfd_to_nfc(void)
{
	const char *nfc = "Caf\xc3\xa9";
	const char *nfd = "Cafe\xcc\x81";
	char *a = names_exact_key(nfc), *b = names_exact_key(nfd);

	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_STRING_EQUAL(a, nfc);
	free(a);
	free(b);
}

static void test_exact_key_trims_outer_white_space_and_keeps_case(void)
{
	ASSERT_KEY(names_exact_key, "  Acme  Corp\t\n", "Acme  Corp");
	ASSERT_KEY(names_exact_key, "\xc2\xa0" "Acme\xc2\xa0", "Acme");         /* U+00A0 */
	ASSERT_KEY(names_exact_key, "\xe3\x80\x80" "Acme\xe2\x80\x83", "Acme"); /* U+3000, U+2003 */
	ASSERT_KEY(names_exact_key, "ACME", "ACME");
	/* compatibility forms are not folded by NFC */
	ASSERT_KEY(names_exact_key, "\xef\xac\x81" "sh", "\xef\xac\x81" "sh");
}

static void test_invalid_utf8_falls_back_to_ascii(void)
{
	const char *latin1 = " Caf\xe9 Z\xfcrich GmbH ";

	ASSERT_KEY(names_normalized_key, latin1, "cafzrich");
	ASSERT_KEY(names_fuzzy_text, latin1, "caf z rich");
	ASSERT_KEY(names_exact_key, latin1, "Caf\xe9 Z\xfcrich GmbH");
	ASSERT_KEY(names_normalized_key, "\xff\xfe\x80", "");
	ASSERT_KEY(names_exact_key, "\xc3", "\xc3");
	/* scoring accepts whatever bytes it is given */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("\xff\xfe\x80", "\xff\xfe\x80"), 1.0, 1e-12);
}

/* ---- trigrams ---------------------------------------------------------- */

static void test_jaccard_of_identical_texts_is_one(void)
{
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("globex", "globex"), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("ab", "ab"), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("z\xc3\xbcrich", "z\xc3\xbcrich"), 1.0, 1e-12);
}

static void test_jaccard_of_disjoint_or_empty_texts_is_zero(void)
{
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("abc", "xyz"), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("", ""), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("abc", ""), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard(NULL, "abc"), 0.0, 1e-12);
	/* a short text is one "trigram": "ab" shares nothing with "abc" */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("ab", "abc"), 0.0, 1e-12);
}

static void test_jaccard_matches_hand_computed_values(void)
{
	/* {abc,bcd} vs {abc,bce}: 1 shared of 3 */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("abcd", "abce"), 1.0 / 3.0, 1e-12);
	/* {glo,lob,obe,bex} vs {glo,lob,obe,"be ","e x"}: 3 of 6 */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("globex", "globe x"), 0.5, 1e-12);
	/* sets, not bags: "aaaa" is {aaa}, "aaa" is {aaa} */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("aaaa", "aaa"), 1.0, 1e-12);
	/* code points, not bytes: "zürich" {zür,üri,ric,ich} vs "zurich" {zur,uri,ric,ich} */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("z\xc3\xbcrich", "zurich"), 2.0 / 6.0, 1e-12);
	/* symmetric */
	CU_ASSERT_DOUBLE_EQUAL(names_trigram_jaccard("globe x", "globex"), 0.5, 1e-12);
}

/* A small deterministic generator, so failures reproduce. */
static uint64_t rng_state;

static uint32_t rng_next(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* A random company-like fuzzy text of 1..3 words from a small syllable set. */
static char *random_fuzzy_name(void)
{
	static const char *const syl[] = {"ac", "me", "glo", "bex", "in", "i", "tech",
					  "um", "bre", "lla", "vor", "tex", "a", "zu",
					  "ri", "ch", "\xc3\xb8r", "st"};
	size_t nsyl = sizeof syl / sizeof syl[0];
	char buf[128] = "";
	unsigned words = 1 + rng_next() % 3;

	for (unsigned w = 0; w < words; w++) {
		unsigned parts = 1 + rng_next() % 3;

		if (w > 0)
			strcat(buf, " ");
		for (unsigned p = 0; p < parts; p++)
			strcat(buf, syl[rng_next() % nsyl]);
	}
	return strdup(buf);
}

static int hit_in_order(const struct names_hit *h, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (h[i - 1].score < h[i].score ||
		    (h[i - 1].score == h[i].score && h[i - 1].item >= h[i].item))
			return 0;
	return 1;
}

static void test_index_finds_the_same_hits_as_brute_force(void)
{
	enum { N = 400, Q = 150 };
	char *items[N];
	struct names_index *ix = names_index_new();
	const double mins[] = {0.0, 0.3, 0.6, 1.0};
	int mismatches = 0, nonempty = 0;

	rng_state = 42;
	for (size_t i = 0; i < N; i++) {
		items[i] = random_fuzzy_name();
		names_index_add(ix, i * 3 + 7, items[i]); /* caller's own numbering */
	}
	for (size_t q = 0; q < Q; q++) {
		char *query = random_fuzzy_name();
		double min = mins[q % 4];
		struct names_hit *hits;
		size_t nh = names_index_query(ix, query, min, &hits);
		size_t want = 0, k = 0;

		CU_ASSERT(hit_in_order(hits, nh));
		for (size_t i = 0; i < N; i++) {
			double s = names_trigram_jaccard(query, items[i]);

			if (s > 0 && s >= min)
				want++;
		}
		if (want != nh)
			mismatches++;
		for (k = 0; k < nh; k++) {
			size_t i = (hits[k].item - 7) / 3;
			double s = names_trigram_jaccard(query, items[i]);

			if (s != hits[k].score || s <= 0 || s < min)
				mismatches++;
		}
		if (nh > 0)
			nonempty++;
		free(hits);
		free(query);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT(nonempty > Q / 3); /* the comparison was not vacuous */
	for (size_t i = 0; i < N; i++)
		free(items[i]);
	names_index_free(ix);
}

static void test_index_query_of_empty_or_unknown_text_has_no_hits(void)
{
	struct names_index *ix = names_index_new();
	struct names_hit *hits = (struct names_hit *)&hits; /* must be reset */

	names_index_add(ix, 0, "acme");
	names_index_add(ix, 1, "");
	CU_ASSERT_EQUAL(names_index_query(ix, "", 0.0, &hits), 0);
	CU_ASSERT_PTR_NULL(hits);
	CU_ASSERT_EQUAL(names_index_query(ix, "zzzz", 0.0, &hits), 0);
	CU_ASSERT_PTR_NULL(hits);
	/* shares a trigram but scores below the bar */
	CU_ASSERT_EQUAL(names_index_query(ix, "acmexyzw", 0.5, &hits), 0);
	CU_ASSERT_PTR_NULL(hits);
	names_index_free(ix);
	names_index_free(NULL);
}

static void test_index_orders_ties_by_item(void)
{
	struct names_index *ix = names_index_new();
	struct names_hit *hits;
	size_t n;

	names_index_add(ix, 9, "globex");
	names_index_add(ix, 2, "globe x");
	names_index_add(ix, 5, "globex");
	names_index_add(ix, 1, "initech");
	n = names_index_query(ix, "globex", 0.4, &hits);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(hits[0].item, 5);
	CU_ASSERT_EQUAL(hits[1].item, 9);
	CU_ASSERT_EQUAL(hits[2].item, 2);
	CU_ASSERT_DOUBLE_EQUAL(hits[0].score, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(hits[2].score, 0.5, 1e-12);
	free(hits);
	names_index_free(ix);
}

/* A random name of 2..3 words of 2..4 consonant-vowel syllables. */
static char *random_varied_name(void)
{
	static const char cons[] = "bcdfghjklmnprstvwz";
	static const char vow[] = "aeiou";
	char buf[64];
	size_t n = 0;
	unsigned words = 2 + rng_next() % 2;

	for (unsigned w = 0; w < words; w++) {
		unsigned parts = 2 + rng_next() % 3;

		if (w > 0)
			buf[n++] = ' ';
		for (unsigned p = 0; p < parts; p++) {
			buf[n++] = cons[rng_next() % (sizeof cons - 1)];
			buf[n++] = vow[rng_next() % (sizeof vow - 1)];
		}
	}
	buf[n] = '\0';
	return strdup(buf);
}

static void test_index_handles_twenty_thousand_names(void)
{
	enum { N = 20000 };
	char **items = malloc(N * sizeof *items);
	struct names_index *ix = names_index_new();
	size_t found_self = 0, total_hits = 0, misordered = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(items);
	rng_state = 7;
	for (size_t i = 0; i < N; i++) {
		char *raw = random_varied_name();

		items[i] = names_fuzzy_text(raw);
		free(raw);
		names_index_add(ix, i, items[i]);
	}
	for (size_t i = 0; i < N; i++) {
		struct names_hit *hits;
		size_t n = names_index_query(ix, items[i], 0.5, &hits);

		for (size_t k = 0; k < n && hits[k].score == 1.0; k++)
			if (hits[k].item == i)
				found_self++;
		if (!hit_in_order(hits, n))
			misordered++;
		total_hits += n;
		free(hits);
	}
	CU_ASSERT_EQUAL(found_self, N);
	CU_ASSERT_EQUAL(misordered, 0);
	CU_ASSERT(total_hits >= N);
	for (size_t i = 0; i < N; i++)
		free(items[i]);
	free(items);
	names_index_free(ix);
}

static CU_TestInfo tests[] = {
	{"normalized_treats_hyphen_as_space", test_normalized_treats_hyphen_as_space},
	{"normalized_removes_dots_and_apostrophes_without_splitting",
	 test_normalized_removes_dots_and_apostrophes_without_splitting},
	{"normalized_drops_accents_and_legal_suffix", test_normalized_drops_accents_and_legal_suffix},
	{"normalized_ignores_trailing_legal_suffixes", test_normalized_ignores_trailing_legal_suffixes},
	{"normalized_drops_and_between_suffixes", test_normalized_drops_and_between_suffixes},
	{"normalized_keeps_a_name_that_is_only_a_suffix", test_normalized_keeps_a_name_that_is_only_a_suffix},
	{"normalized_keeps_letters_without_decomposition", test_normalized_keeps_letters_without_decomposition},
	{"normalized_folds_sharp_s_to_ss", test_normalized_folds_sharp_s_to_ss},
	{"normalized_turns_ampersand_into_a_token", test_normalized_turns_ampersand_into_a_token},
	{"normalized_splits_on_punctuation_and_keeps_digits",
	 test_normalized_splits_on_punctuation_and_keeps_digits},
	{"empty_and_blank_names_give_empty_keys", test_empty_and_blank_names_give_empty_keys},
	{"exact_key_composes_nfd_to_nfc", test_exact_key_composes_nfd_to_nfc},
	{"exact_key_trims_outer_white_space_and_keeps_case",
	 test_exact_key_trims_outer_white_space_and_keeps_case},
	{"invalid_utf8_falls_back_to_ascii", test_invalid_utf8_falls_back_to_ascii},
	{"jaccard_of_identical_texts_is_one", test_jaccard_of_identical_texts_is_one},
	{"jaccard_of_disjoint_or_empty_texts_is_zero", test_jaccard_of_disjoint_or_empty_texts_is_zero},
	{"jaccard_matches_hand_computed_values", test_jaccard_matches_hand_computed_values},
	{"index_finds_the_same_hits_as_brute_force", test_index_finds_the_same_hits_as_brute_force},
	{"index_query_of_empty_or_unknown_text_has_no_hits",
	 test_index_query_of_empty_or_unknown_text_has_no_hits},
	{"index_orders_ties_by_item", test_index_orders_ties_by_item},
	{"index_handles_twenty_thousand_names", test_index_handles_twenty_thousand_names},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("names", NULL, NULL, tests)
