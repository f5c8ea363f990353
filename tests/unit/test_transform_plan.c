/* transform/plan.c: a section file appended to the plan. */
#include "unit.h"

#include "fsutil.h"
#include "json.h"
#include "../../transform/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* A closed section of n lines {"n":"<i>"} at dir/name; its text in *text. */
static void section(struct plan_writer *w, const char *dir, const char *name, int n,
		    struct buf *text)
{
	char *path = fs_join(dir, name);
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(plan_writer_open(w, path, &e), 0);
	w->scratch = 1;
	for (int i = 0; i < n; i++) {
		char v[16];
		snprintf(v, sizeof v, "%d", i);
		yajl_gen_map_open(w->g);
		json_kv_str(w->g, "n", v);
		CU_ASSERT_EQUAL(plan_writer_end_line(w, &e), 0);
		buf_addf(text, "{\"n\":\"%d\"}\n", i);
	}
	w->counts[PA_SKIP] = (unsigned long)n;
	CU_ASSERT_EQUAL(plan_writer_close(w, &e), 0);
	free(path);
}

/* Appended into a plan file (copy_file_range), the bytes, CRC-32, lines
 * and counts are those of the two written as one. */
static void test_section_appended_to_a_file_is_its_bytes_and_figures(void)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "plan.ndjson");
	struct plan_writer part, w;
	struct buf want = {0}, got = {0};
	struct itg_err e = {0};

	buf_adds(&want, "{\"a\":\"b\"}\n");
	section(&part, dir, ".s.tmp", 30000, &want);
	CU_ASSERT_EQUAL_FATAL(plan_writer_open(&w, path, &e), 0);
	yajl_gen_map_open(w.g);
	json_kv_str(w.g, "a", "b");
	CU_ASSERT_EQUAL(plan_writer_end_line(&w, &e), 0);
	CU_ASSERT_EQUAL(plan_writer_append(&w, &part, &e), 0);
	CU_ASSERT_EQUAL(plan_writer_close(&w, &e), 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &got, 0, &e), 0);
	CU_ASSERT_EQUAL_FATAL(got.len, want.len);
	CU_ASSERT_EQUAL(memcmp(got.p, want.p, want.len), 0);
	CU_ASSERT_EQUAL(w.bytes, want.len);
	CU_ASSERT_EQUAL(w.lines, 30001);
	CU_ASSERT_EQUAL(w.counts[PA_SKIP], 30000);
	CU_ASSERT_EQUAL(w.crc, (uint32_t)crc32(0, (const Bytef *)want.p, (uInt)want.len));
	plan_writer_free(&w);
	plan_writer_abort(&part);
	buf_free(&want);
	buf_free(&got);
	free(path);
	unit_rmtree(dir);
}

/* Where the kernel cannot copy (here a pipe), the bytes go through a
 * buffer; a part shorter than its figures is an error naming it. */
static void test_section_appended_the_plain_way_and_a_short_one_refused(void)
{
	char *dir = unit_tmpdir();
	struct plan_writer part, w;
	struct buf want = {0};
	struct itg_err e = {0};
	char got[65536];
	ssize_t n;
	int fds[2];

	section(&part, dir, ".s.tmp", 2000, &want);
	CU_ASSERT_FATAL(want.len < sizeof got);   /* the pipe holds it all */
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	memset(&w, 0, sizeof w);
	w.fp = fdopen(fds[1], "w");
	w.path = xstrdup("the pipe");
	CU_ASSERT_EQUAL(plan_writer_append(&w, &part, &e), 0);
	fclose(w.fp);
	w.fp = NULL;
	n = read(fds[0], got, sizeof got);
	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)want.len);
	CU_ASSERT_EQUAL(memcmp(got, want.p, want.len), 0);
	close(fds[0]);
	free(w.path);

	/* the figures say 10 bytes more than the file holds */
	part.bytes += 10;
	memset(&w, 0, sizeof w);
	{
		char *path = fs_join(dir, "plan.ndjson");
		CU_ASSERT_EQUAL_FATAL(plan_writer_open(&w, path, &e), 0);
		free(path);
	}
	CU_ASSERT_EQUAL(plan_writer_append(&w, &part, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".s.tmp: it is shorter than written"));
	plan_writer_abort(&w);
	plan_writer_abort(&part);
	buf_free(&want);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_section_appended_to_a_file_is_its_bytes_and_figures",
	 test_section_appended_to_a_file_is_its_bytes_and_figures},
	{"test_section_appended_the_plain_way_and_a_short_one_refused",
	 test_section_appended_the_plain_way_and_a_short_one_refused},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_plan", NULL, NULL, tests)
