/*
 * Unit tests of lib/spill: temporary record files written once and read
 * back in order, private, removed on close, and never read short.
 */
#include "unit.h"

#include "fsutil.h"
#include "spill.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct spill_spec spec2x3 = {.what = "test spill", .nints = 2, .nstrs = 3};

/* Entries of dir (. and .. aside). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#define NREC 5

/* Record k of the round trip: awkward integers and strings. */
static void record(int k, int64_t ints[2], struct spill_str strs[3], char *big)
{
	static const char nul_inside[] = {'a', '\0', 'b'};

	ints[0] = k == 0 ? INT64_MIN : k == 1 ? INT64_MAX : -k;
	ints[1] = (int64_t)k * 1000003;
	strs[0] = (struct spill_str){"", 0};
	strs[1] = k % 2 ? (struct spill_str){nul_inside, 3} : (struct spill_str){"0123456789", 10};
	/* record 3 holds a string larger than stdio's buffer */
	strs[2] = k == 3 ? (struct spill_str){big, 200000} : (struct spill_str){"id", 2};
}

static void test_spill_round_trip_of_records(void)
{
	char *dir = unit_tmpdir();
	char *big = xmalloc(200000);
	struct spill s;
	struct itg_err e = {0};
	int64_t ints[2];
	struct spill_str strs[3];

	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &spec2x3, &e), 0);
	for (int k = 0; k < NREC; k++) {
		record(k, ints, strs, big);
		CU_ASSERT_EQUAL(spill_put(&s, ints, strs, &e), 0);
	}
	CU_ASSERT_EQUAL(spill_finish(&s, &e), 0);
	/* read twice: a rewind starts again from the first record */
	for (int pass = 0; pass < 2; pass++) {
		CU_ASSERT_EQUAL_FATAL(spill_rewind(&s, &e), 0);
		for (int k = 0; k < NREC; k++) {
			int64_t want_ints[2];
			struct spill_str want[3];
			record(k, want_ints, want, big);
			CU_ASSERT_EQUAL_FATAL(spill_next(&s, ints, strs, &e), 1);
			CU_ASSERT(ints[0] == want_ints[0] && ints[1] == want_ints[1]);
			for (int i = 0; i < 3; i++) {
				CU_ASSERT_EQUAL(strs[i].len, want[i].len);
				CU_ASSERT(strs[i].len == want[i].len &&
					  memcmp(strs[i].p, want[i].p, strs[i].len) == 0);
				CU_ASSERT_EQUAL(strs[i].p[strs[i].len], '\0');
			}
		}
		CU_ASSERT_EQUAL(spill_next(&s, ints, strs, &e), 0);
		CU_ASSERT_EQUAL(spill_next(&s, ints, strs, &e), 0);
	}
	CU_ASSERT_EQUAL(e.code, 0);
	spill_close(&s);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	free(big);
	unit_rmtree(dir);
}

static void test_spill_of_no_records_reads_as_empty(void)
{
	char *dir = unit_tmpdir();
	static const struct spill_spec none = {.what = "test spill", .nints = 1, .nstrs = 0};
	struct spill s;
	struct itg_err e = {0};
	int64_t v = 7;

	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &none, &e), 0);
	/* rewind finishes the writer itself */
	CU_ASSERT_EQUAL(spill_rewind(&s, &e), 0);
	CU_ASSERT_EQUAL(spill_next(&s, &v, NULL, &e), 0);
	spill_close(&s);
	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &none, &e), 0);
	CU_ASSERT_EQUAL(spill_put(&s, &v, NULL, &e), 0);
	v = 0;
	CU_ASSERT_EQUAL(spill_rewind(&s, &e), 0);
	CU_ASSERT_EQUAL(spill_next(&s, &v, NULL, &e), 1);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_EQUAL(spill_next(&s, &v, NULL, &e), 0);
	spill_close(&s);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	unit_rmtree(dir);
}

/* Writes three records and returns the file's size and the record boundaries. */
static off_t write_three(struct spill *s, off_t ends[3])
{
	struct itg_err e = {0};
	struct stat st;

	for (int k = 0; k < 3; k++) {
		int64_t ints[2] = {k, -k};
		struct spill_str strs[3] = {{"first", 5}, {"", 0}, {"third string", 12}};
		CU_ASSERT_EQUAL(spill_put(s, ints, strs, &e), 0);
		/* 2 int64, 3 uint32 lengths, 17 bytes of strings */
		ends[k] = (off_t)(k + 1) * (2 * 8 + 3 * 4 + 17);
	}
	CU_ASSERT_EQUAL(spill_finish(s, &e), 0);
	CU_ASSERT_EQUAL_FATAL(stat(s->path, &st), 0);
	return st.st_size;
}

static void test_spill_truncated_file_is_an_error(void)
{
	char *dir = unit_tmpdir();
	struct spill s;
	struct itg_err e = {0};
	off_t ends[3], size;

	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &spec2x3, &e), 0);
	size = write_three(&s, ends);
	CU_ASSERT_EQUAL(size, ends[2]);
	/* cut the file at every length: only a cut between records reads as a shorter file */
	for (off_t cut = size - 1; cut > 0; cut--) {
		int64_t ints[2];
		struct spill_str strs[3];
		int whole = (int)(cut / ends[0]), rc, got = 0;
		struct itg_err ce = {0};

		CU_ASSERT_EQUAL_FATAL(truncate(s.path, cut), 0);
		CU_ASSERT_EQUAL_FATAL(spill_rewind(&s, &ce), 0);
		while ((rc = spill_next(&s, ints, strs, &ce)) == 1) {
			CU_ASSERT_EQUAL(ints[0], got);
			CU_ASSERT_STRING_EQUAL(strs[2].p, "third string");
			got++;
		}
		CU_ASSERT_EQUAL(got, whole);
		if (cut % ends[0] == 0) {
			CU_ASSERT_EQUAL(rc, 0);
		} else {
			char *want = xasprintf("cannot read test spill %s: truncated", s.path);
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(ce.code, ITG_EXIT_RUNTIME);
			CU_ASSERT_STRING_EQUAL(ce.msg, want);
			free(want);
		}
	}
	spill_close(&s);
	unit_rmtree(dir);
}

static void test_spill_damaged_length_is_an_error_not_an_allocation(void)
{
	char *dir = unit_tmpdir();
	struct spill s;
	struct itg_err e = {0};
	off_t ends[3];
	uint32_t huge = 0xFFFFFFF0u;
	FILE *fp;
	int64_t ints[2];
	struct spill_str strs[3];

	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &spec2x3, &e), 0);
	write_three(&s, ends);
	/* the second record's first length says 4 GiB */
	fp = fopen(s.path, "r+b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fseeko(fp, ends[0] + 16, SEEK_SET);
	fwrite(&huge, sizeof huge, 1, fp);
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(spill_rewind(&s, &e), 0);
	CU_ASSERT_EQUAL(spill_next(&s, ints, strs, &e), 1);
	CU_ASSERT_EQUAL(spill_next(&s, ints, strs, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ": truncated"));
	CU_ASSERT(s.rec.cap < 4096);
	spill_close(&s);
	unit_rmtree(dir);
}

static void test_spill_file_is_private_unpredictable_and_gone_after_close(void)
{
	char *dir = unit_tmpdir();
	struct spill a, b, c;
	struct itg_err e = {0};
	struct stat st;
	char *pattern = fs_join(dir, ".run-x-XXXXXX");
	char *a_path, *c_path;
	mode_t old = umask(0);

	CU_ASSERT_EQUAL_FATAL(spill_create(&a, dir, ".run-x-", &spec2x3, &e), 0);
	CU_ASSERT_EQUAL_FATAL(spill_create(&b, dir, ".run-x-", &spec2x3, &e), 0);
	umask(old);
	a_path = xstrdup(a.path);
	/* DIR/<prefix> and six characters that are not the pattern's */
	CU_ASSERT_EQUAL(strlen(a.path), strlen(pattern));
	CU_ASSERT_EQUAL(strncmp(a.path, pattern, strlen(pattern) - 6), 0);
	CU_ASSERT_STRING_NOT_EQUAL(a.path, pattern);
	CU_ASSERT_STRING_NOT_EQUAL(a.path, b.path);
	CU_ASSERT_EQUAL_FATAL(stat(a.path, &st), 0);
	CU_ASSERT(S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(count_entries(dir), 2);
	/* closed while writing (the abort) */
	spill_close(&b);
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	/* closed after reading */
	CU_ASSERT_EQUAL(spill_rewind(&a, &e), 0);
	spill_close(&a);
	CU_ASSERT_EQUAL(fs_exists(a_path), 0);
	CU_ASSERT_PTR_NULL(a.path);
	/* closed after finishing, before any reading */
	CU_ASSERT_EQUAL_FATAL(spill_create(&c, dir, ".run-x-", &spec2x3, &e), 0);
	c_path = xstrdup(c.path);
	CU_ASSERT_EQUAL(spill_finish(&c, &e), 0);
	CU_ASSERT_EQUAL(fs_exists(c_path), 1);
	spill_close(&c);
	CU_ASSERT_EQUAL(fs_exists(c_path), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	/* twice, and on a zeroed struct */
	spill_close(&c);
	struct spill z = {0};
	spill_close(&z);
	CU_ASSERT_EQUAL(e.code, 0);
	free(a_path);
	free(c_path);
	free(pattern);
	unit_rmtree(dir);
}

static void test_spill_that_cannot_be_created_names_the_pattern_and_leaves_nothing(void)
{
	char *dir = unit_tmpdir();
	char *file = fs_join(dir, "not-a-folder");
	struct spill s;
	struct itg_err e = {0};
	static const struct spill_spec wide = {.what = "test spill", .nints = SPILL_MAX_INTS + 1};

	CU_ASSERT_EQUAL(unit_write_file(file, "x"), 0);
	CU_ASSERT_EQUAL(spill_create(&s, file, ".t-", &spec2x3, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot create test spill "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/not-a-folder/.t-XXXXXX: Not a directory"));
	CU_ASSERT_PTR_NULL(s.path);
	spill_close(&s);
	err_clear(&e);
	CU_ASSERT_EQUAL(spill_create(&s, dir, ".t-", &wide, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	free(file);
	unit_rmtree(dir);
}

static void test_spill_lost_file_is_an_error_naming_it(void)
{
	char *dir = unit_tmpdir();
	struct spill s;
	struct itg_err e = {0};
	char *want;

	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &spec2x3, &e), 0);
	CU_ASSERT_EQUAL(spill_finish(&s, &e), 0);
	CU_ASSERT_EQUAL(unlink(s.path), 0);
	CU_ASSERT_EQUAL(spill_rewind(&s, &e), -1);
	want = xasprintf("cannot open test spill %s: No such file or directory", s.path);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	free(want);
	spill_close(&s);
	unit_rmtree(dir);
}

static void test_spill_write_failure_is_an_error_naming_the_file(void)
{
	char *dir = unit_tmpdir();
	struct spill s;
	struct itg_err e = {0};
	int64_t ints[2] = {1, 2};
	struct spill_str strs[3] = {{"a", 1}, {"b", 1}, {"c", 1}};
	FILE *full = fopen("/dev/full", "wb");
	char *path, *want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	CU_ASSERT_EQUAL_FATAL(spill_create(&s, dir, ".t-", &spec2x3, &e), 0);
	path = xstrdup(s.path);
	/* a disk that is full: the buffered record fails when flushed */
	fclose(s.fp);
	s.fp = full;
	CU_ASSERT_EQUAL(spill_put(&s, ints, strs, &e), 0);
	CU_ASSERT_EQUAL(spill_finish(&s, &e), -1);
	want = xasprintf("cannot write test spill %s: %s: check free space", path,
			 strerror(ENOSPC));
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	spill_close(&s);
	CU_ASSERT_EQUAL(fs_exists(path), 0);
	free(want);
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_spill_round_trip_of_records", test_spill_round_trip_of_records},
	{"test_spill_of_no_records_reads_as_empty", test_spill_of_no_records_reads_as_empty},
	{"test_spill_truncated_file_is_an_error", test_spill_truncated_file_is_an_error},
	{"test_spill_damaged_length_is_an_error_not_an_allocation",
	 test_spill_damaged_length_is_an_error_not_an_allocation},
	{"test_spill_file_is_private_unpredictable_and_gone_after_close",
	 test_spill_file_is_private_unpredictable_and_gone_after_close},
	{"test_spill_that_cannot_be_created_names_the_pattern_and_leaves_nothing",
	 test_spill_that_cannot_be_created_names_the_pattern_and_leaves_nothing},
	{"test_spill_lost_file_is_an_error_naming_it", test_spill_lost_file_is_an_error_naming_it},
	{"test_spill_write_failure_is_an_error_naming_the_file",
	 test_spill_write_failure_is_an_error_naming_the_file},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("spill", NULL, NULL, tests)
