/* Unit tests of lib/arena: alignment, large requests, many chunks, strings. */
#include "unit.h"

#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void test_arena_allocations_are_aligned(void)
{
	static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 4096};
	struct arena a = {0};

	for (int round = 0; round < 200; round++)
		for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
			/* odd sizes in between, so every offset is tried */
			unsigned char *odd = arena_alloc(&a, (size_t)round % 7 + 1, 1);
			unsigned char *p = arena_alloc(&a, 24, aligns[i]);

			*odd = 0xAA;
			CU_ASSERT_EQUAL((uintptr_t)p % aligns[i], 0);
			memset(p, 0x55, 24);
			CU_ASSERT_EQUAL(*odd, 0xAA);
		}
	/* what _Alignof asks for */
	CU_ASSERT_EQUAL((uintptr_t)arena_alloc(&a, sizeof(long double), _Alignof(long double)) %
				_Alignof(long double),
			0);
	arena_free(&a);
	CU_ASSERT_PTR_NULL(a.head);
}

static void test_arena_large_request_gets_its_own_chunk(void)
{
	struct arena a = {0};
	char *first = arena_alloc(&a, 10, 1);
	/* more than the chunk has left, and over a quarter of a chunk */
	size_t big_n = ARENA_CHUNK - 5;
	unsigned char *big = arena_alloc(&a, big_n, 16);
	char *second = arena_alloc(&a, 10, 1);
	unsigned char *huge = arena_alloc(&a, 3 * ARENA_CHUNK, 8);
	char *third = arena_alloc(&a, 10, 1);

	/* the chunk being filled stays the same around large requests */
	CU_ASSERT_PTR_EQUAL(second, first + 10);
	CU_ASSERT_PTR_EQUAL(third, second + 10);
	CU_ASSERT_EQUAL((uintptr_t)big % 16, 0);
	CU_ASSERT_EQUAL((uintptr_t)huge % 8, 0);
	memset(big, 0x11, big_n);
	memset(huge, 0x22, 3 * ARENA_CHUNK);
	memset(third, 0x33, 10);
	CU_ASSERT_EQUAL(big[0], 0x11);
	CU_ASSERT_EQUAL(big[big_n - 1], 0x11);
	CU_ASSERT_EQUAL(huge[0], 0x22);
	CU_ASSERT_EQUAL(huge[3 * ARENA_CHUNK - 1], 0x22);
	/* a small request that does not fit starts a new chunk */
	char *rest = arena_alloc(&a, ARENA_CHUNK - 30, 1);
	char *next = arena_alloc(&a, 20, 1);
	CU_ASSERT_PTR_EQUAL(rest, third + 10);
	CU_ASSERT_PTR_NOT_EQUAL(next, rest + ARENA_CHUNK - 30);
	memset(next, 0x44, 20);
	CU_ASSERT_EQUAL(third[9], 0x33);
	arena_free(&a);

	/* a large first request, then small ones: all usable */
	unsigned char *lone = arena_alloc(&a, ARENA_CHUNK, 1);
	char *small = arena_alloc(&a, 3, 1);
	memset(lone, 1, ARENA_CHUNK);
	memcpy(small, "ab", 3);
	CU_ASSERT_STRING_EQUAL(small, "ab");
	CU_ASSERT_EQUAL(lone[ARENA_CHUNK - 1], 1);
	arena_free(&a);
}

static void test_arena_many_chunks_keep_every_allocation(void)
{
	enum { N = 200000 };
	struct arena a = {0};
	uint32_t **v = malloc(N * sizeof *v);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	/* about 20 MiB in small pieces: hundreds of chunks */
	for (uint32_t i = 0; i < N; i++) {
		size_t words = 1 + i % 50;
		v[i] = arena_alloc(&a, words * sizeof(uint32_t), _Alignof(uint32_t));
		for (size_t w = 0; w < words; w++)
			v[i][w] = i;
	}
	int intact = 1;
	for (uint32_t i = 0; i < N && intact; i++)
		for (size_t w = 0; w < 1 + i % 50; w++)
			intact &= v[i][w] == i;
	CU_ASSERT(intact);
	free(v);
	arena_free(&a);
	/* an emptied arena is ready for reuse */
	CU_ASSERT_STRING_EQUAL(arena_strdup(&a, "again"), "again");
	arena_free(&a);
	arena_free(&a);
	arena_free(NULL);
}

static void test_arena_strings_are_copies(void)
{
	struct arena a = {0};
	char src[] = "organization";
	char *d = arena_strdup(&a, src);
	char *n = arena_strndup(&a, src, 5);
	char *e = arena_strdup(&a, "");
	char *z = arena_strndup(&a, "xyz", 0);

	src[0] = 'X';
	CU_ASSERT_STRING_EQUAL(d, "organization");
	CU_ASSERT_STRING_EQUAL(n, "organ");
	CU_ASSERT_STRING_EQUAL(e, "");
	CU_ASSERT_STRING_EQUAL(z, "");
	CU_ASSERT_PTR_NOT_EQUAL(d, src);
	CU_ASSERT_PTR_NULL(arena_strdup(&a, NULL));
	/* bytes that are not NUL-terminated */
	char raw[4] = {'a', 'b', 'c', 'd'};
	CU_ASSERT_STRING_EQUAL(arena_strndup(&a, raw, 4), "abcd");
	/* a string longer than a chunk */
	char *long_src = malloc(3 * ARENA_CHUNK + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(long_src);
	memset(long_src, 'q', 3 * ARENA_CHUNK);
	long_src[3 * ARENA_CHUNK] = '\0';
	char *long_copy = arena_strdup(&a, long_src);
	CU_ASSERT_EQUAL(strlen(long_copy), 3 * ARENA_CHUNK);
	CU_ASSERT_STRING_EQUAL(d, "organization");
	free(long_src);
	arena_free(&a);
}

static CU_TestInfo tests[] = {
	{"test_arena_allocations_are_aligned", test_arena_allocations_are_aligned},
	{"test_arena_large_request_gets_its_own_chunk", test_arena_large_request_gets_its_own_chunk},
	{"test_arena_many_chunks_keep_every_allocation",
	 test_arena_many_chunks_keep_every_allocation},
	{"test_arena_strings_are_copies", test_arena_strings_are_copies},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("arena", NULL, NULL, tests)
