/* Unit tests of lib/scrub.c: the API key replaced in text a server sent. */
#include "unit.h"

#include "scrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "ITG.0a1b-key"

/* text scrubbed of KEY, as a new string in out (freed by the caller). */
static char *scrubbed(const char *text, const char *key, size_t *count)
{
	struct buf b = {0};

	*count = scrub_append(&b, text, strlen(text), key);
	return buf_detach(&b);
}

static void check(const char *text, const char *want, size_t want_count)
{
	size_t n;
	char *got = scrubbed(text, KEY, &n);

	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(n, want_count);
	free(got);
}

static void test_scrub_plain_repeated_and_at_both_ends(void)
{
	check("Forbidden: " KEY " is not valid", "Forbidden: [key] is not valid", 1);
	check(KEY, "[key]", 1);
	check(KEY " at the start", "[key] at the start", 1);
	check("at the end " KEY, "at the end [key]", 1);
	check(KEY KEY, "[key][key]", 2);
	check("a " KEY " b " KEY " c " KEY, "a [key] b [key] c [key]", 3);
}

static void test_scrub_url_encoded_forms(void)
{
	/* the dot encoded, upper and lower case hex */
	check("key=ITG%2E0a1b-key&x", "key=[key]&x", 1);
	check("key=ITG%2e0a1b-key", "key=[key]", 1);
	/* every byte encoded, as a server quoting the raw request */
	check("%49%54%47%2E%30%61%31%62%2D%6B%65%79", "[key]", 1);
	/* mixed with the plain form */
	check(KEY " / %49TG.0a1b-key", "[key] / [key]", 2);
	/* an encoding of another byte is not the key */
	check("ITG%2F0a1b-key", "ITG%2F0a1b-key", 0);
	/* a cut escape at the end does not read past the text */
	check("ITG%2", "ITG%2", 0);
	check("%", "%", 0);
}

static void test_scrub_absent_partial_and_without_a_key(void)
{
	size_t n;
	char *got;

	check("nothing to hide here", "nothing to hide here", 0);
	check("", "", 0);
	/* a prefix of the key is not the key (and is kept: it is not enough) */
	check("ITG.0a1b-ke", "ITG.0a1b-ke", 0);
	/* case differs: exact bytes only */
	check("itg.0a1b-key", "itg.0a1b-key", 0);
	/* no key: the text is copied as it is */
	got = scrubbed("ITG.0a1b-key", NULL, &n);
	CU_ASSERT_STRING_EQUAL(got, "ITG.0a1b-key");
	CU_ASSERT_EQUAL(n, 0);
	free(got);
	got = scrubbed("ITG.0a1b-key", "", &n);
	CU_ASSERT_STRING_EQUAL(got, "ITG.0a1b-key");
	free(got);
}

static void test_scrub_embedded_nul_bytes_are_kept(void)
{
	struct buf b = {0};
	static const char text[] = "a\0" KEY "\0b";

	CU_ASSERT_EQUAL(scrub_append(&b, text, sizeof text - 1, KEY), 1);
	CU_ASSERT_EQUAL(b.len, 2 + 5 + 2);
	CU_ASSERT_EQUAL(memcmp(b.p, "a\0[key]\0b", 9), 0);
	buf_free(&b);
}

static void test_scrub_in_place_cuts_after_scrubbing(void)
{
	char s[64];

	snprintf(s, sizeof s, "%s", "short " KEY);
	CU_ASSERT_EQUAL(scrub_inplace(s, sizeof s, KEY), 1);
	CU_ASSERT_STRING_EQUAL(s, "short [key]");
	/* a short key made longer by the mark: cut to the room there is */
	snprintf(s, 8, "%s", "ab k cd");
	CU_ASSERT_EQUAL(scrub_inplace(s, 8, "k"), 1);
	CU_ASSERT_STRING_EQUAL(s, "ab [key");
	/* nothing found: untouched */
	snprintf(s, sizeof s, "%s", "clean");
	CU_ASSERT_EQUAL(scrub_inplace(s, sizeof s, KEY), 0);
	CU_ASSERT_STRING_EQUAL(s, "clean");
	CU_ASSERT_EQUAL(scrub_inplace(s, sizeof s, NULL), 0);
}

static CU_TestInfo tests[] = {
	{"scrub_plain_repeated_and_at_both_ends", test_scrub_plain_repeated_and_at_both_ends},
	{"scrub_url_encoded_forms", test_scrub_url_encoded_forms},
	{"scrub_absent_partial_and_without_a_key", test_scrub_absent_partial_and_without_a_key},
	{"scrub_embedded_nul_bytes_are_kept", test_scrub_embedded_nul_bytes_are_kept},
	{"scrub_in_place_cuts_after_scrubbing", test_scrub_in_place_cuts_after_scrubbing},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("scrub", NULL, NULL, tests)
