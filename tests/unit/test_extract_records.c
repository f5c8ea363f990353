/*
 * Unit tests of extract/records.c: the external merge sort that writes a
 * resource sorted by numeric id, one copy per id from the lowest page,
 * whatever the memory budget and however many runs it spills.
 */
#include "unit.h"

#include "../../extract/records.h"
#include "fsutil.h"
#include "ndjson.h"
#include "xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG_BUDGET ((size_t)1 << 30)

/* Entries of dir whose name starts with prefix (all when prefix is ""). */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/*
 * Writes r through an NDJSON writer into dir/name and reads it back into out
 * (lines joined by '\n').  Returns records_write's result; on success the
 * file is read back and no run file may be left.
 */
static int write_and_read(struct records *r, const char *dir, const char *name,
			  struct buf *out, struct itg_err *e)
{
	char *path = fs_join(dir, name);
	struct ndjson_writer w;
	struct ndjson_reader rd;
	const char *line;
	size_t len;
	int rc;

	buf_reset(out);
	CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, e), 0);
	rc = records_write(r, &w, e);
	if (rc != 0) {
		ndjson_writer_abort(&w);
		free(path);
		return rc;
	}
	CU_ASSERT_EQUAL(ndjson_writer_close(&w, e), 0);
	CU_ASSERT_EQUAL(count_entries(dir, ".run-"), 0);
	CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&rd, path, e), 0);
	while (ndjson_reader_next(&rd, &line, &len, e) == 1) {
		if (out->len)
			buf_addc(out, '\n');
		buf_add(out, line, len);
	}
	CU_ASSERT_EQUAL(e->code, 0);
	ndjson_reader_close(&rd);
	unlink(path);
	free(path);
	return 0;
}

static void add(struct records *r, const char *id, const char *json, long long page)
{
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(records_add(r, id, json, strlen(json), page, &e), 0);
	CU_ASSERT_EQUAL(e.code, 0);
}

/* Writes with two budgets: everything in memory, and one run per record. */
static const size_t budgets[] = {BIG_BUDGET, 1};

static void test_records_keep_one_copy_per_id_from_the_lowest_page(void)
{
	for (size_t b = 0; b < 2; b++) {
		char *dir = unit_tmpdir();
		struct records r;
		struct buf out = {0};
		struct itg_err e = {0};

		records_init(&r, dir, "contacts", budgets[b]);
		/* pages arrive out of order; record 7 shifted from page 2 to page 3 */
		add(&r, "7", "{\"v\":3}", 3);
		add(&r, "9", "{\"v\":9}", 3);
		add(&r, "7", "{\"v\":2}", 2);
		add(&r, "7", "{\"v\":4}", 4);
		/* on the same page the copy added first wins */
		add(&r, "7", "{\"v\":\"2b\"}", 2);
		CU_ASSERT_EQUAL(r.added, 5);
		CU_ASSERT_EQUAL(r.nruns, b ? 5u : 0u);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &out, &e), 0);
		CU_ASSERT_STRING_EQUAL(buf_str(&out), "{\"v\":2}\n{\"v\":9}");
		CU_ASSERT_EQUAL(r.duplicates, 3);
		records_free(&r);
		buf_free(&out);
		CU_ASSERT_EQUAL(count_entries(dir, ""), 0);
		unit_rmtree(dir);
	}
}

static void test_records_sort_by_numeric_id_beyond_2_pow_53(void)
{
	/* 2^53 + 1 and 2^53 are one double apart from nothing: only the text tells them apart */
	static const char *const in[] = {"10", "9007199254740993", "9", "123456789012345678",
					 "100", "9007199254740992", "99999999999999999", "1",
					 "07"};
	static const char *const want =
		"1\n07\n9\n10\n100\n9007199254740992\n9007199254740993\n99999999999999999\n"
		"123456789012345678";

	for (size_t b = 0; b < 2; b++) {
		char *dir = unit_tmpdir();
		struct records r;
		struct buf out = {0};
		struct itg_err e = {0};

		records_init(&r, dir, "organizations", budgets[b]);
		for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
			add(&r, in[i], in[i], 1);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "o.ndjson.gz", &out, &e), 0);
		CU_ASSERT_STRING_EQUAL(buf_str(&out), want);
		CU_ASSERT_EQUAL(r.duplicates, 0);
		records_free(&r);
		buf_free(&out);
		unit_rmtree(dir);
	}
}

static void test_records_ids_equal_as_numbers_but_spelled_apart_stay_apart(void)
{
	for (size_t b = 0; b < 2; b++) {
		char *dir = unit_tmpdir();
		struct records r;
		struct buf out = {0};
		struct itg_err e = {0};

		records_init(&r, dir, "contacts", budgets[b]);
		add(&r, "7", "a", 1);
		add(&r, "007", "b", 1);
		add(&r, "07", "c", 1);
		add(&r, "7", "d", 1);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &out, &e), 0);
		CU_ASSERT_STRING_EQUAL(buf_str(&out), "b\nc\na");
		CU_ASSERT_EQUAL(r.duplicates, 1);
		records_free(&r);
		buf_free(&out);
		unit_rmtree(dir);
	}
}

static void test_records_empty_resource_and_one_record(void)
{
	for (size_t b = 0; b < 2; b++) {
		char *dir = unit_tmpdir();
		struct records r;
		struct buf out = {0};
		struct itg_err e = {0};

		records_init(&r, dir, "domains", budgets[b]);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "d.ndjson.gz", &out, &e), 0);
		CU_ASSERT_EQUAL(out.len, 0);
		records_free(&r);

		records_init(&r, dir, "domains", budgets[b]);
		add(&r, "42", "{\"id\":\"42\"}", 1);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "d.ndjson.gz", &out, &e), 0);
		CU_ASSERT_STRING_EQUAL(buf_str(&out), "{\"id\":\"42\"}");
		records_free(&r);
		buf_free(&out);
		CU_ASSERT_EQUAL(count_entries(dir, ""), 0);
		unit_rmtree(dir);
	}
	/* a zeroed struct frees cleanly */
	struct records z = {0};
	records_free(&z);
}

/* xorshift: the same pseudo-random walk on every run of the test */
static unsigned long long next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define MANY 6000
#define MANY_IDS 2500

/*
 * Adds MANY copies of ids 1..MANY_IDS on random pages (many ids on several
 * pages, some on the same page twice) and returns the expected output: each
 * id in numeric order, the first copy added among those of its lowest page.
 */
static void add_many(struct records *r, struct buf *want)
{
	static long long best_page[MANY_IDS + 1];
	static int best_k[MANY_IDS + 1];
	unsigned long long s = 88172645463325252ull;
	char id[32], json[96];

	memset(best_k, -1, sizeof best_k);
	for (int k = 0; k < MANY; k++) {
		int n = (int)(next_rand(&s) % MANY_IDS) + 1;
		long long page = (long long)(next_rand(&s) % 8) + 1;

		snprintf(id, sizeof id, "%d", n);
		snprintf(json, sizeof json, "{\"id\":\"%d\",\"page\":%lld,\"k\":%d}", n, page, k);
		add(r, id, json, page);
		if (best_k[n] < 0 || page < best_page[n]) {
			best_page[n] = page;
			best_k[n] = k;
		}
	}
	buf_reset(want);
	for (int n = 1; n <= MANY_IDS; n++) {
		if (best_k[n] < 0)
			continue;
		if (want->len)
			buf_addc(want, '\n');
		buf_addf(want, "{\"id\":\"%d\",\"page\":%lld,\"k\":%d}", n, best_page[n], best_k[n]);
	}
}

static void test_records_many_runs_give_the_order_and_copies_of_the_in_memory_sort(void)
{
	/* in memory; a few runs; more runs than one merge opens (several passes); one per record */
	static const size_t many_budgets[] = {BIG_BUDGET, 64 << 10, 4 << 10, 1};
	char *dir = unit_tmpdir();
	struct buf want = {0}, got = {0}, first = {0};
	unsigned long long dups = 0;

	for (size_t b = 0; b < sizeof many_budgets / sizeof many_budgets[0]; b++) {
		struct records r;
		struct itg_err e = {0};

		records_init(&r, dir, "contacts", many_budgets[b]);
		add_many(&r, &want);
		if (many_budgets[b] == BIG_BUDGET)
			CU_ASSERT_EQUAL(r.nruns, 0);
		if (many_budgets[b] == (4 << 10))
			CU_ASSERT(r.nruns > RECORDS_MERGE_FAN_IN);
		CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &got, &e), 0);
		CU_ASSERT_EQUAL(e.code, 0);
		CU_ASSERT_EQUAL(got.len, want.len);
		CU_ASSERT(got.len == want.len && memcmp(got.p, want.p, got.len) == 0);
		if (b == 0) {
			buf_add(&first, got.p, got.len);
			dups = r.duplicates;
		} else {
			CU_ASSERT(got.len == first.len && memcmp(got.p, first.p, got.len) == 0);
			CU_ASSERT_EQUAL(r.duplicates, dups);
		}
		records_free(&r);
		CU_ASSERT_EQUAL(count_entries(dir, ""), 0);
	}
	CU_ASSERT(dups > 0);
	buf_free(&want);
	buf_free(&got);
	buf_free(&first);
	unit_rmtree(dir);
}

static void test_records_duplicates_across_runs_keep_the_lowest_page(void)
{
	char *dir = unit_tmpdir();
	struct records r;
	struct buf out = {0};
	struct itg_err e = {0};

	/* one run per record: every copy of 5 is in a run of its own */
	records_init(&r, dir, "contacts", 1);
	add(&r, "5", "p9", 9);
	add(&r, "6", "six", 1);
	add(&r, "5", "p3-first", 3);
	add(&r, "5", "p7", 7);
	add(&r, "5", "p3-second", 3);
	add(&r, "5", "p4", 4);
	CU_ASSERT_EQUAL(r.nruns, 6);
	CU_ASSERT_EQUAL(count_entries(dir, ".run-contacts-"), 6);
	CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &out, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&out), "p3-first\nsix");
	CU_ASSERT_EQUAL(r.duplicates, 4);
	records_free(&r);
	buf_free(&out);
	unit_rmtree(dir);
}

static void test_records_spill_write_failure_is_an_error(void)
{
	char *dir = unit_tmpdir();
	char *file = fs_join(dir, "not-a-folder");
	struct records r;
	struct itg_err e = {0};

	/* runs go under a path that is a file: creating one fails (even for root) */
	CU_ASSERT_EQUAL(unit_write_file(file, "x"), 0);
	records_init(&r, file, "contacts", 1);
	CU_ASSERT_EQUAL(records_add(&r, "1", "{}", 2, 1, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot create sort run"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/.run-contacts-XXXXXX"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Not a directory"));
	CU_ASSERT_EQUAL(r.nruns, 0);
	records_free(&r);
	CU_ASSERT_EQUAL(count_entries(dir, ""), 1);
	free(file);
	unit_rmtree(dir);
}

static void test_records_lost_run_fails_the_write_and_leaves_no_run_behind(void)
{
	char *dir = unit_tmpdir();
	char *run2;
	struct records r;
	struct buf out = {0};
	struct itg_err e = {0};

	records_init(&r, dir, "contacts", 1);
	add(&r, "1", "a", 1);
	add(&r, "2", "b", 1);
	add(&r, "3", "c", 1);
	CU_ASSERT_EQUAL_FATAL(r.nruns, 3);
	run2 = xstrdup(r.runs[1].path);
	CU_ASSERT_EQUAL(unlink(run2), 0);
	CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &out, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot open sort run"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, run2));
	records_free(&r);
	CU_ASSERT_EQUAL(count_entries(dir, ""), 0);
	buf_free(&out);
	free(run2);
	unit_rmtree(dir);
}

static void test_records_truncated_run_is_an_error(void)
{
	char *dir = unit_tmpdir();
	char *run1, *want;
	struct records r;
	struct buf out = {0};
	struct itg_err e = {0};

	records_init(&r, dir, "contacts", 1);
	add(&r, "1", "{\"id\":\"1\"}", 1);
	add(&r, "2", "{\"id\":\"2\"}", 1);
	CU_ASSERT_EQUAL_FATAL(r.nruns, 2);
	run1 = xstrdup(r.runs[0].path);
	CU_ASSERT_EQUAL(truncate(run1, 20), 0);
	CU_ASSERT_EQUAL(write_and_read(&r, dir, "c.ndjson.gz", &out, &e), -1);
	want = xasprintf("cannot read sort run %s: truncated", run1);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	free(want);
	records_free(&r);
	CU_ASSERT_EQUAL(count_entries(dir, ""), 0);
	buf_free(&out);
	free(run1);
	unit_rmtree(dir);
}

static void test_records_budget_comes_from_the_environment(void)
{
	const char *old = getenv("ITG_EXTRACT_SORT_BUDGET");
	char *saved = old ? xstrdup(old) : NULL;

	unsetenv("ITG_EXTRACT_SORT_BUDGET");
	CU_ASSERT_EQUAL(records_budget_from_env(), RECORDS_DEFAULT_BUDGET);
	CU_ASSERT_EQUAL(RECORDS_DEFAULT_BUDGET, (size_t)32 << 20);
	setenv("ITG_EXTRACT_SORT_BUDGET", "4096", 1);
	CU_ASSERT_EQUAL(records_budget_from_env(), 4096);
	setenv("ITG_EXTRACT_SORT_BUDGET", "1", 1);
	CU_ASSERT_EQUAL(records_budget_from_env(), 1);
	/* a value that is not a positive number of bytes is ignored */
	setenv("ITG_EXTRACT_SORT_BUDGET", "0", 1);
	CU_ASSERT_EQUAL(records_budget_from_env(), RECORDS_DEFAULT_BUDGET);
	setenv("ITG_EXTRACT_SORT_BUDGET", "-5", 1);
	CU_ASSERT_EQUAL(records_budget_from_env(), RECORDS_DEFAULT_BUDGET);
	setenv("ITG_EXTRACT_SORT_BUDGET", "12k", 1);
	CU_ASSERT_EQUAL(records_budget_from_env(), RECORDS_DEFAULT_BUDGET);
	if (saved)
		setenv("ITG_EXTRACT_SORT_BUDGET", saved, 1);
	else
		unsetenv("ITG_EXTRACT_SORT_BUDGET");
	free(saved);
}

static void test_records_runs_are_private(void)
{
	char *dir = unit_tmpdir();
	char *run1;
	struct records r;
	struct stat st;

	records_init(&r, dir, "contacts", 1);
	add(&r, "1", "{}", 1);
	CU_ASSERT_EQUAL_FATAL(r.nruns, 1);
	run1 = xstrdup(r.runs[0].path);
	CU_ASSERT_EQUAL(count_entries(dir, ".run-contacts-"), 1);
	CU_ASSERT_EQUAL_FATAL(stat(run1, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	records_free(&r);
	CU_ASSERT_EQUAL(fs_exists(run1), 0);
	free(run1);
	unit_rmtree(dir);
}

/* ---- the bound on one record ---- */

static void test_records_larger_than_the_bound_are_refused_naming_resource_and_id(void)
{
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(records_check_size(RES_CONTACTS, "42", RECORDS_MAX_RECORD_BYTES, &e), 0);
	CU_ASSERT_EQUAL(e.code, 0);
	CU_ASSERT_EQUAL(records_check_size(RES_CONTACTS, "42", 3200000, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_STRING_EQUAL(e.msg, "contacts record 42 is 3.05 MiB of JSON, more than the 1 MiB "
				      "a record may hold: IT Glue answered something that is not a "
				      "contact; nothing was published");
	err_clear(&e);
	CU_ASSERT_EQUAL(records_check_size(RES_ORGANIZATION_STATUSES, "7",
					   RECORDS_MAX_RECORD_BYTES + 1, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "organization_statuses record 7 is 1.00 MiB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not an organization status"));
	err_clear(&e);
	CU_ASSERT_EQUAL(records_check_size(RES_DOMAINS, "9", (size_t)40 << 20, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "domains record 9 is 40 MiB"));
}

static CU_TestInfo tests[] = {
	{"records_keep_one_copy_per_id_from_the_lowest_page", test_records_keep_one_copy_per_id_from_the_lowest_page},
	{"records_sort_by_numeric_id_beyond_2_pow_53", test_records_sort_by_numeric_id_beyond_2_pow_53},
	{"records_ids_equal_as_numbers_but_spelled_apart_stay_apart", test_records_ids_equal_as_numbers_but_spelled_apart_stay_apart},
	{"records_empty_resource_and_one_record", test_records_empty_resource_and_one_record},
	{"records_many_runs_give_the_order_and_copies_of_the_in_memory_sort", test_records_many_runs_give_the_order_and_copies_of_the_in_memory_sort},
	{"records_duplicates_across_runs_keep_the_lowest_page", test_records_duplicates_across_runs_keep_the_lowest_page},
	{"records_spill_write_failure_is_an_error", test_records_spill_write_failure_is_an_error},
	{"records_lost_run_fails_the_write_and_leaves_no_run_behind", test_records_lost_run_fails_the_write_and_leaves_no_run_behind},
	{"records_truncated_run_is_an_error", test_records_truncated_run_is_an_error},
	{"records_budget_comes_from_the_environment", test_records_budget_comes_from_the_environment},
	{"records_runs_are_private", test_records_runs_are_private},
	{"records_larger_than_the_bound_are_refused_naming_resource_and_id", test_records_larger_than_the_bound_are_refused_naming_resource_and_id},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("extract_records", NULL, NULL, tests)
