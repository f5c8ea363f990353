/*
 * Unit tests of lib/hash: FNV-1a 64 against the published test vectors, the
 * stages' own basis against the plans already written with it, and the
 * incremental form against the one-shot.
 */
#include "unit.h"

#include "fsutil.h"
#include "hash.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The hash of s from basis, through the incremental form. */
static uint64_t from_basis(uint64_t basis, const char *s)
{
	struct hash_fnv1a64_state h;

	hash_fnv1a64_init_basis(&h, basis);
	hash_fnv1a64_update(&h, s, strlen(s));
	return hash_fnv1a64_final(&h);
}

static void test_fnv1a64_mixing_matches_the_published_test_vectors(void)
{
	/* from the FNV specification's test suite (FNV-1a, 64 bits) */
	CU_ASSERT_EQUAL(from_basis(HASH_FNV1A64_PUBLISHED_BASIS, ""), 0xcbf29ce484222325ULL);
	CU_ASSERT_EQUAL(from_basis(HASH_FNV1A64_PUBLISHED_BASIS, "a"), 0xaf63dc4c8601ec8cULL);
	CU_ASSERT_EQUAL(from_basis(HASH_FNV1A64_PUBLISHED_BASIS, "foobar"), 0x85944171f73967e8ULL);
}

static void test_fnv1a64_keeps_the_basis_of_existing_plans(void)
{
	/* values of tests/golden/load/seal's independent fnv1a64() */
	CU_ASSERT_EQUAL(hash_fnv1a64("", 0), 0x14650fb0739d0383ULL);
	CU_ASSERT_EQUAL(hash_fnv1a64("", 0), HASH_FNV1A64_BASIS);
	CU_ASSERT_EQUAL(hash_fnv1a64("a", 1), 0x44bd8ad473cd9906ULL);
	CU_ASSERT_EQUAL(hash_fnv1a64("foobar", 6), 0x88fad7c0a8ff07f2ULL);
	CU_ASSERT_EQUAL(from_basis(HASH_FNV1A64_BASIS, "foobar"), 0x88fad7c0a8ff07f2ULL);
}

static void test_fnv1a64_incremental_equals_one_shot(void)
{
	unsigned char data[1000];
	static const size_t pieces[] = {1, 2, 3, 7, 64, 999, 1000};

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
		struct hash_fnv1a64_state h;

		hash_fnv1a64_init(&h);
		for (size_t at = 0; at < sizeof data; at += pieces[p]) {
			size_t n = sizeof data - at < pieces[p] ? sizeof data - at : pieces[p];
			hash_fnv1a64_update(&h, data + at, n);
		}
		hash_fnv1a64_update(&h, data, 0);
		CU_ASSERT_EQUAL(hash_fnv1a64_final(&h), hash_fnv1a64(data, sizeof data));
	}
	CU_ASSERT_NOT_EQUAL(hash_fnv1a64(data, sizeof data), hash_fnv1a64(data, sizeof data - 1));
}

static void test_fingerprint_of_a_store_file_matches_its_golden_plan(void)
{
	/* tests/golden/load/bullphish/input/plan/manifest.json holds these */
	char *path = unit_repo_path("tests/golden/load/bullphish/input/store/organizations.csv");
	char *dir = unit_tmpdir();
	char *missing = fs_join(dir, "none.csv");
	struct fingerprint fp;
	struct itg_err e = {0};
	struct buf b = {0};

	CU_ASSERT_EQUAL_FATAL(fs_fingerprint(path, &fp, &e), 0);
	CU_ASSERT(fp.present);
	CU_ASSERT_EQUAL(fp.bytes, 351);
	CU_ASSERT_EQUAL(fp.hash, 0x56f7509ec42a7911ULL);
	CU_ASSERT_EQUAL_FATAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_EQUAL(fp.hash, hash_fnv1a64(b.p, b.len));
	CU_ASSERT_EQUAL(fs_fingerprint(missing, &fp, &e), 0);
	CU_ASSERT(!fp.present);
	CU_ASSERT_EQUAL(fp.bytes, 0);
	CU_ASSERT_EQUAL(fp.hash, HASH_FNV1A64_BASIS);
	buf_free(&b);
	free(missing);
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_fnv1a64_mixing_matches_the_published_test_vectors",
	 test_fnv1a64_mixing_matches_the_published_test_vectors},
	{"test_fnv1a64_keeps_the_basis_of_existing_plans",
	 test_fnv1a64_keeps_the_basis_of_existing_plans},
	{"test_fnv1a64_incremental_equals_one_shot", test_fnv1a64_incremental_equals_one_shot},
	{"test_fingerprint_of_a_store_file_matches_its_golden_plan",
	 test_fingerprint_of_a_store_file_matches_its_golden_plan},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("hash", NULL, NULL, tests)
