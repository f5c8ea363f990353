/* Unit tests of lib/csvtab: reading store CSVs, errors with lines, round trips. */
#include "unit.h"

#include "csvtab.h"
#include "fsutil.h"
#include "hash.h"
#include "rowix.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const links_cols[] = {"organization_id", "itglue_organization_id",
					 "source", "linked_at", NULL};
static const char *const links_required[] = {"organization_id", "itglue_organization_id",
					     "source", NULL};

/* Writes text to DIR/name and reads it as a links table. */
static int read_text(const char *dir, const char *text, struct csv_table *t,
		     struct itg_err *e)
{
	char *path = fs_join(dir, "links.csv");
	int rc;

	unit_write_file(path, text);
	rc = csvtab_read(path, links_cols, links_required, t, e);
	free(path);
	return rc;
}

/* The table written to a string (caller frees). */
static char *write_text(const struct csv_table *t)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	CU_ASSERT_EQUAL(csvtab_write_fp(t, fp), 0);
	fclose(fp);
	return s;
}

/* "DIR/links.csv:LINE: " followed by what. */
static int msg_is(const char *dir, const struct itg_err *e, const char *at_and_text)
{
	char *want = xasprintf("%s/links.csv:%s", dir, at_and_text);
	int ok = strcmp(e->msg, want) == 0;

	if (!ok)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", e->msg, want);
	free(want);
	return ok;
}

static void test_bom_and_crlf_are_accepted(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "\xEF\xBB\xBForganization_id,itglue_organization_id,"
					"source,linked_at\r\n1,10,auto,x\r\n2,20,manual,\r\n",
					&t, &e), 0);
	CU_ASSERT_EQUAL(t.present, 1);
	CU_ASSERT_EQUAL(t.ncols, 4);
	CU_ASSERT_STRING_EQUAL(t.cols[0], "organization_id");
	CU_ASSERT_EQUAL(t.nrows, 2);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 1, csvtab_col(&t, "source")), "manual");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 1, csvtab_col(&t, "linked_at")), "");
	CU_ASSERT_EQUAL(t.lines[0], 2);
	CU_ASSERT_EQUAL(t.lines[1], 3);
	csvtab_free(&t);
	unit_rmtree(dir);
}

/*
 * The file is streamed in 64 KiB reads: rows whose line ends are LF, CRLF
 * or a CR alone, quoted fields holding a line end, a BOM and a last line
 * without one, with the reads' boundaries moved over twenty bytes so that a
 * CRLF and a quoted line end fall on one: every row, its text and its line
 * read as written, and the fingerprint is of every byte.
 */
static void test_streamed_file_reads_the_same_across_read_boundaries(void)
{
	enum { ROWS = 9000 };
	static const char *const ends[] = {"\n", "\r\n", "\r"};
	char *dir = unit_tmpdir();

	for (int pad = 0; pad < 20; pad++) {
		struct buf text = {0};
		struct csv_table t;
		struct itg_err e = {0};
		long *line = xcalloc(ROWS, sizeof *line), at = 2;
		char want[64];
		int ok = 1;

		buf_adds(&text, "\xEF\xBB\xBForganization_id,itglue_organization_id,source,linked_at\n");
		for (int i = 0; i < ROWS; i++) {
			line[i] = at++;
			if (i % 50 == 7) {
				buf_addf(&text, "%d,%d,\"two%s lines\",%.*s", i, 1000 + i, ends[i % 3],
					 i == 0 ? pad : i % 5, "xxxxxxxxxxxxxxxxxxxx");
				at++;
			} else {
				buf_addf(&text, "%d,%d,s%d,%.*s", i, 1000 + i, i % 7,
					 i == 0 ? pad : i % 5, "xxxxxxxxxxxxxxxxxxxx");
			}
			if (i < ROWS - 1)
				buf_adds(&text, ends[i % 3]);
		}
		CU_ASSERT_EQUAL_FATAL(read_text(dir, buf_str(&text), &t, &e), 0);
		CU_ASSERT_EQUAL(t.nrows, ROWS);
		CU_ASSERT_EQUAL(t.fp.bytes, text.len);
		CU_ASSERT_EQUAL(t.fp.hash, hash_fnv1a64(text.p, text.len));
		CU_ASSERT_STRING_EQUAL(t.cols[0], "organization_id");
		for (int i = 0; i < ROWS && i < (int)t.nrows && ok; i++) {
			snprintf(want, sizeof want, "%d", 1000 + i);
			ok = strcmp(csvtab_get(&t, (size_t)i, 1), want) == 0 &&
			     csvtab_line(&t, (size_t)i) == line[i];
			if (i % 50 == 7) {
				snprintf(want, sizeof want, "two%s lines", ends[i % 3]);
				ok = ok && strcmp(csvtab_get(&t, (size_t)i, 2), want) == 0;
			}
			if (!ok)
				CU_FAIL("a row read differently across a read boundary");
		}
		csvtab_free(&t);
		free(line);
		buf_free(&text);
	}
	unit_rmtree(dir);
}

/* A bad quote far into a streamed file names its own physical line. */
static void test_streamed_file_error_names_its_line(void)
{
	char *dir = unit_tmpdir();
	struct buf text = {0};
	struct csv_table t;
	struct itg_err e = {0};

	buf_adds(&text, "organization_id,itglue_organization_id,source,linked_at\n");
	for (int i = 0; i < 20000; i++)
		buf_addf(&text, "%d,%d,auto,x\n", i, i);
	buf_adds(&text, "1,2,a\"b,x\n");
	CU_ASSERT_EQUAL(read_text(dir, buf_str(&text), &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv:20002: bad quoting ("));
	CU_ASSERT_PTR_NULL(t.cells);
	buf_free(&text);
	unit_rmtree(dir);
}

static void test_columns_in_any_order_are_found_by_name(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "source,linked_at,itglue_organization_id,"
					"organization_id\nimport,t,77,5\n", &t, &e), 0);
	CU_ASSERT_EQUAL(csvtab_col(&t, "organization_id"), 3);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, csvtab_col(&t, "organization_id")), "5");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, csvtab_col(&t, "itglue_organization_id")), "77");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, csvtab_col(&t, "nope")), "");
	CU_ASSERT_EQUAL(csvtab_col(&t, "nope"), -1);
	csvtab_free(&t);
	unit_rmtree(dir);
}

static void test_extra_column_and_row_order_survive_a_round_trip(void)
{
	char *dir = unit_tmpdir();
	const char *text = "organization_id,note,itglue_organization_id,source,linked_at\n"
			   "3,  keep my spaces ,30,manual,a\n"
			   "1,,10,auto,b\n"
			   "2,x,20,import,c\n";
	struct csv_table t;
	struct itg_err e = {0};
	char *out;

	CU_ASSERT_EQUAL_FATAL(read_text(dir, text, &t, &e), 0);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, 1), "  keep my spaces ");
	out = write_text(&t);
	CU_ASSERT_STRING_EQUAL(out, "organization_id,note,itglue_organization_id,source,linked_at\n"
				    "3,\"  keep my spaces \",30,manual,a\n"
				    "1,,10,auto,b\n"
				    "2,x,20,import,c\n");
	free(out);
	csvtab_free(&t);
	unit_rmtree(dir);
}

static void test_quotes_commas_and_newlines_round_trip_byte_for_byte(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "links.csv");
	const char *nasty[] = {"say \"hi\"", "a,b", "two\nlines", "cr\r\nlf", " lead",
			       "trail ", "\"", "", "plain", "caf\xC3\xA9"};
	size_t n = sizeof nasty / sizeof nasty[0];
	struct csv_table t, u;
	struct itg_err e = {0};
	char *out;
	FILE *fp;

	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, links_cols, NULL, &t, &e), 0);
	for (size_t i = 0; i < n; i++) {
		size_t r = csvtab_append_row(&t);
		csvtab_set(&t, r, 0, nasty[i]);
		csvtab_set(&t, r, 3, nasty[n - 1 - i]);
	}
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(csvtab_write_fp(&t, fp), 0);
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, links_cols, links_cols, &u, &e), 0);
	CU_ASSERT_EQUAL_FATAL(u.nrows, n);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_STRING_EQUAL(csvtab_get(&u, i, 0), nasty[i]);
		CU_ASSERT_STRING_EQUAL(csvtab_get(&u, i, 3), nasty[n - 1 - i]);
	}
	out = write_text(&u);
	{
		char *first = write_text(&t);
		CU_ASSERT_STRING_EQUAL(out, first);
		free(first);
	}
	free(out);
	csvtab_free(&t);
	csvtab_free(&u);
	free(path);
	unit_rmtree(dir);
}

static void test_write_field_quotes_only_when_needed(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	csvtab_write_field(fp, "abc");
	putc('|', fp);
	csvtab_write_field(fp, "a\"b");
	putc('|', fp);
	csvtab_write_field(fp, "");
	putc('|', fp);
	csvtab_write_field(fp, "x y");
	putc('|', fp);
	csvtab_write_field(fp, "x ");
	fclose(fp);
	CU_ASSERT_STRING_EQUAL(s, "abc|\"a\"\"b\"||x y|\"x \"");
	free(s);
}

static void test_single_empty_column_row_is_not_lost(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "one.csv");
	const char *const cols[] = {"only", NULL};
	struct csv_table t, u;
	struct itg_err e = {0};
	FILE *fp;

	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, cols, NULL, &t, &e), 0);
	csvtab_append_row(&t);
	csvtab_set(&t, csvtab_append_row(&t), 0, "v");
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(csvtab_write_fp(&t, fp), 0);
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, cols, NULL, &u, &e), 0);
	CU_ASSERT_EQUAL(u.nrows, 2);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&u, 0, 0), "");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&u, 1, 0), "v");
	csvtab_free(&t);
	csvtab_free(&u);
	free(path);
	unit_rmtree(dir);
}

static void test_missing_file_is_an_empty_table_with_contract_header(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "links.csv");
	struct csv_table t;
	struct itg_err e = {0};
	char *out;

	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, links_cols, links_required, &t, &e), 0);
	CU_ASSERT_EQUAL(t.present, 0);
	CU_ASSERT_EQUAL(t.nrows, 0);
	CU_ASSERT_EQUAL(t.ncols, 4);
	out = write_text(&t);
	CU_ASSERT_STRING_EQUAL(out, "organization_id,itglue_organization_id,source,linked_at\n");
	free(out);
	csvtab_free(&t);
	free(path);
	unit_rmtree(dir);
}

static void test_missing_contract_column_is_appended_as_empty(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};
	char *out;

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "organization_id,itglue_organization_id,source\n"
					"1,10,auto\n", &t, &e), 0);
	CU_ASSERT_EQUAL(t.ncols, 4);
	CU_ASSERT_EQUAL(csvtab_col(&t, "linked_at"), 3);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, 3), "");
	out = write_text(&t);
	CU_ASSERT_STRING_EQUAL(out, "organization_id,itglue_organization_id,source,linked_at\n"
				    "1,10,auto,\n");
	free(out);
	csvtab_free(&t);
	unit_rmtree(dir);
}

static void test_row_with_wrong_field_count_names_its_line(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,auto,x\n\n2,20,auto,x,extra\n", &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(msg_is(dir, &e, "4: 5 fields, header has 4"));
	CU_ASSERT_EQUAL(t.nrows, 0);
	CU_ASSERT_PTR_NULL(t.cells);
	CU_ASSERT_PTR_NULL(t.chunks);
	unit_rmtree(dir);
}

static void test_wrong_field_count_after_multiline_field_names_physical_line(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,auto,\"line one\nline two\nline three\"\n"
				  "2,20\n", &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(msg_is(dir, &e, "5: 2 fields, header has 4"));

	err_clear(&e);
	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,\"a\r\nb\",x\r\n3,\"multi\nline\"\r\n", &t, &e), -1);
	CU_ASSERT(msg_is(dir, &e, "4: 2 fields, header has 4"));
	unit_rmtree(dir);
}

static void test_bad_quote_names_its_line(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,auto,x\n2,2\"0,auto,x\n", &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv:3: bad quoting"));

	err_clear(&e);
	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,auto,\"a\nb\"\n2,\"20\"x,auto,x\n", &t, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/links.csv:4: bad quoting"));

	err_clear(&e);
	CU_ASSERT_EQUAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				  "1,10,auto,x\n2,20,auto,\"never closed\n", &t, &e), -1);
	CU_ASSERT(msg_is(dir, &e, "3: quoted field never closed, add the closing quote"));
	unit_rmtree(dir);
}

static void test_missing_required_column_is_an_error(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(read_text(dir, "organization_id,source,linked_at\n1,auto,x\n", &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(msg_is(dir, &e, "1: required column \"itglue_organization_id\" is missing "
				  "from the header, add it"));
	unit_rmtree(dir);
}

static void test_duplicate_header_name_is_an_error(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(read_text(dir, "\norganization_id,itglue_organization_id,source,source\n",
				  &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(msg_is(dir, &e, "2: duplicate column \"source\" in the header, rename or "
				  "remove one"));
	unit_rmtree(dir);
}

static void test_set_append_and_remove_rows_keep_order(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};
	size_t r;
	char *out;

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
					"1,10,auto,a\n2,20,auto,b\n3,30,auto,c\n", &t, &e), 0);
	csvtab_remove_row(&t, 1);
	CU_ASSERT_EQUAL(t.nrows, 2);
	CU_ASSERT_EQUAL(t.lines[1], 4);
	r = csvtab_append_row(&t);
	CU_ASSERT_EQUAL(r, 2);
	CU_ASSERT_EQUAL(csvtab_line(&t, 2), 0);
	CU_ASSERT_EQUAL(t.nlines, 2);
	csvtab_set(&t, r, 0, "4");
	csvtab_set(&t, r, 2, "import");
	csvtab_set(&t, 0, 3, "changed, with comma");
	out = write_text(&t);
	CU_ASSERT_STRING_EQUAL(out, "organization_id,itglue_organization_id,source,linked_at\n"
				    "1,10,auto,\"changed, with comma\"\n"
				    "3,30,auto,c\n"
				    "4,,import,\n");
	free(out);
	csvtab_free(&t);
	unit_rmtree(dir);
}

static void test_empty_existing_file_reads_as_empty_table(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "\xEF\xBB\xBF", &t, &e), 0);
	CU_ASSERT_EQUAL(t.present, 1);
	CU_ASSERT_EQUAL(t.ncols, 4);
	CU_ASSERT_EQUAL(t.nrows, 0);
	csvtab_free(&t);
	unit_rmtree(dir);
}

/*
 * Equal values share one cell, read or set (the same last_sync on every
 * row of an import); replacing one row's value leaves the others as they
 * were, and the table writes back byte for byte.
 */
static void test_equal_cells_are_shared_and_stay_independent(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};
	char *out;
	size_t r;

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				       "1,101,manual,2026-03-01T05:00:00.000Z\n"
				       "2,102,manual,2026-03-01T05:00:00.000Z\n"
				       "3,103,auto,2026-03-01T05:00:00.000Z\n",
			     &t, &e), 0);
	CU_ASSERT_PTR_EQUAL(csvtab_get(&t, 0, 3), csvtab_get(&t, 1, 3));
	CU_ASSERT_PTR_EQUAL(csvtab_get(&t, 0, 2), csvtab_get(&t, 1, 2));
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 2, 2), "auto");
	r = csvtab_append_row(&t);
	csvtab_set(&t, r, 0, "4");
	csvtab_set(&t, r, 3, "2026-03-02T05:00:00.000Z");
	csvtab_set(&t, 2, 3, "2026-03-02T05:00:00.000Z");
	CU_ASSERT_PTR_EQUAL(csvtab_get(&t, r, 3), csvtab_get(&t, 2, 3));
	/* a value set from a cell of the table itself, then that cell replaced */
	csvtab_set(&t, 0, 2, csvtab_get(&t, 2, 2));
	csvtab_set(&t, 2, 2, "manual");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, 2), "auto");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 1, 2), "manual");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 1, 3), "2026-03-01T05:00:00.000Z");
	out = write_text(&t);
	CU_ASSERT_STRING_EQUAL(out, "organization_id,itglue_organization_id,source,linked_at\n"
				    "1,101,auto,2026-03-01T05:00:00.000Z\n"
				    "2,102,manual,2026-03-01T05:00:00.000Z\n"
				    "3,103,manual,2026-03-02T05:00:00.000Z\n"
				    "4,,,2026-03-02T05:00:00.000Z\n");
	free(out);
	csvtab_free(&t);
	unit_rmtree(dir);
}

/*
 * The cells' text in chunks: several chunks' worth of cells, a cell too
 * large to share a chunk (read and set) among small ones, the text a get
 * returned still readable after its cell is replaced and the table grew,
 * and a row removed: every cell reads back as written, and the table
 * writes back byte for byte.
 */
static void test_cells_in_many_chunks_read_back_as_written(void)
{
	enum { ROWS = 40000 };
	char *dir = unit_tmpdir();
	struct csv_table t, t2;
	struct itg_err e = {0};
	struct buf text = {0};
	size_t big_len = CSVTAB_CHUNK / 2, r;
	char *big = xmalloc(big_len + 1), key[32], *out, *path;
	const char *kept;

	memset(big, 'b', big_len);
	big[big_len] = '\0';
	buf_adds(&text, "organization_id,itglue_organization_id,source,linked_at\n");
	for (int i = 0; i < ROWS; i++)
		buf_addf(&text, "%d,%d,%s,2026-03-01T05:00:%02dZ\n", i, 100000 + i,
			 i == 7 ? big : "manual", i % 60);
	CU_ASSERT_EQUAL_FATAL(read_text(dir, buf_str(&text), &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(t.nrows, ROWS);
	CU_ASSERT(t.nchunks > 2);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 7, 2), big);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 8, 2), "manual");
	kept = csvtab_get(&t, ROWS - 1, 1);
	for (int i = 0; i < 3000; i++) {
		r = csvtab_append_row(&t);
		snprintf(key, sizeof key, "n%d", i);
		csvtab_set(&t, r, 0, key);
		csvtab_set(&t, r, 2, i == 1500 ? big : key);
	}
	csvtab_set(&t, ROWS - 1, 1, "replaced");
	CU_ASSERT_STRING_EQUAL(kept, "139999");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, ROWS - 1, 1), "replaced");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, ROWS + 1500, 2), big);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, ROWS + 1501, 2), "n1501");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, ROWS + 2999, 0), "n2999");
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, ROWS + 2999, 3), "");
	csvtab_remove_row(&t, 0);
	CU_ASSERT_EQUAL(t.nrows, ROWS + 3000 - 1);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 0, 1), "100001");
	CU_ASSERT_EQUAL(t.lines[0], 3);
	CU_ASSERT_STRING_EQUAL(csvtab_get(&t, 6, 2), big);
	for (int i = 1; i < ROWS - 1; i++) {
		snprintf(key, sizeof key, "%d", 100000 + i);
		if (strcmp(csvtab_get(&t, (size_t)i - 1, 1), key) != 0) {
			CU_FAIL("a cell read back changed");
			break;
		}
	}
	/* what it writes reads back the same */
	out = write_text(&t);
	path = fs_join(dir, "again.csv");
	CU_ASSERT_EQUAL_FATAL(unit_write_file(path, out), 0);
	CU_ASSERT_EQUAL_FATAL(csvtab_read(path, links_cols, links_required, &t2, &e), 0);
	CU_ASSERT_EQUAL(t2.nrows, t.nrows);
	for (size_t i = 0; i < t.nrows; i++)
		for (int c = 0; c < 4; c++)
			if (strcmp(csvtab_get(&t, i, c), csvtab_get(&t2, i, c)) != 0) {
				CU_FAIL("a cell did not survive the round trip");
				i = t.nrows;
				break;
			}
	csvtab_free(&t2);
	free(path);
	free(out);
	free(big);
	buf_free(&text);
	csvtab_free(&t);
	unit_rmtree(dir);
}

/* Rows by a column: the first row of a key wins, "" is no key, unknown keys are -1. */
static void test_row_index_finds_first_row_of_each_key(void)
{
	char *dir = unit_tmpdir();
	struct csv_table t;
	struct itg_err e = {0};
	struct rowix x;
	char key[16];

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				       "7,101,manual,\n,102,manual,\n7,103,auto,\n9,104,auto,\n",
			     &t, &e), 0);
	for (int i = 0; i < 5000; i++) {
		size_t r = csvtab_append_row(&t);
		snprintf(key, sizeof key, "n%d", i);
		csvtab_set(&t, r, 0, key);
	}
	rowix_build(&x, &t, 0);
	CU_ASSERT_EQUAL(rowix_get(&x, "7"), 0);
	CU_ASSERT_EQUAL(rowix_get(&x, "9"), 3);
	CU_ASSERT_EQUAL(rowix_get(&x, ""), -1);
	CU_ASSERT_EQUAL(rowix_get(&x, NULL), -1);
	CU_ASSERT_EQUAL(rowix_get(&x, "8"), -1);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "n%d", i);
		CU_ASSERT_EQUAL(rowix_get(&x, key), 4 + i);
	}
	rowix_free(&x);
	rowix_build(&x, &t, -1);
	CU_ASSERT_EQUAL(rowix_get(&x, "7"), -1);
	rowix_free(&x);
	csvtab_free(&t);
	unit_rmtree(dir);
}

/*
 * An index that follows the table (the load's users): two columns as one
 * key, the highest row of a key wins, a row whose key cell changed is found
 * by its new key once put again and never by its old one, and growing the
 * slots keeps all of it.
 */
/* The index followed as a table grows, its rows tagged while they fit in
 * rowix_tag_rows_max, untagged once one does not. */
static void follow_growing_table(char *dir, int tags_given_up)
{
	struct csv_table t;
	struct itg_err e = {0};
	struct rowix x;
	char key[16];

	CU_ASSERT_EQUAL_FATAL(read_text(dir, "organization_id,itglue_organization_id,source,linked_at\n"
				       "7,101,a,\n7,101,b,\n8,101,c,\n7,,d,\n",
			     &t, &e), 0);
	rowix_init(&x, &t, 0, 1);
	for (size_t r = 0; r < t.nrows; r++)
		rowix_put(&x, r);
	CU_ASSERT_EQUAL(rowix_get2(&x, "7", "101"), 1);
	CU_ASSERT_EQUAL(rowix_get2(&x, "8", "101"), 2);
	CU_ASSERT_EQUAL(rowix_get2(&x, "7", ""), -1);
	CU_ASSERT_EQUAL(rowix_get2(&x, "7", NULL), -1);
	CU_ASSERT_EQUAL(rowix_get2(&x, "71", "01"), -1);
	/* row 2 now keyed 8/102: found by that, 8/101 is gone */
	csvtab_set(&t, 2, 1, "102");
	rowix_put(&x, 2);
	CU_ASSERT_EQUAL(rowix_get2(&x, "8", "102"), 2);
	CU_ASSERT_EQUAL(rowix_get2(&x, "8", "101"), -1);
	/* a lower row put again does not take a higher one's key */
	rowix_put(&x, 0);
	CU_ASSERT_EQUAL(rowix_get2(&x, "7", "101"), 1);
	for (int i = 0; i < 5000; i++) {
		size_t r = csvtab_append_row(&t);
		snprintf(key, sizeof key, "%d", i);
		csvtab_set(&t, r, 0, "9");
		csvtab_set(&t, r, 1, key);
		rowix_put(&x, r);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "%d", i);
		CU_ASSERT_EQUAL(rowix_get2(&x, "9", key), 4 + i);
	}
	CU_ASSERT_EQUAL(rowix_get2(&x, "8", "102"), 2);
	CU_ASSERT_EQUAL(rowix_get2(&x, "8", "101"), -1);
	CU_ASSERT_EQUAL(rowix_get2(&x, "7", "101"), 1);
	CU_ASSERT(x.cap / 4 * 3 >= x.n && x.n >= 5000);
	CU_ASSERT_EQUAL(x.tagged, !tags_given_up);
	rowix_free(&x);
	/* one column, followed the same way */
	rowix_init(&x, &t, 2, -1);
	for (size_t r = 0; r < t.nrows; r++)
		rowix_put(&x, r);
	CU_ASSERT_EQUAL(rowix_get(&x, "c"), 2);
	CU_ASSERT_EQUAL(rowix_get(&x, ""), -1);
	rowix_free(&x);
	/* duplicates found: the first row of a key stays, a later one is named by it */
	rowix_init(&x, &t, 0, -1);
	CU_ASSERT_EQUAL(rowix_add(&x, 0), -1);
	CU_ASSERT_EQUAL(rowix_add(&x, 1), 0);
	CU_ASSERT_EQUAL(rowix_add(&x, 2), -1);
	CU_ASSERT_EQUAL(rowix_add(&x, 3), 0);
	for (size_t r = 4; r < t.nrows; r++)
		CU_ASSERT_EQUAL(rowix_add(&x, r), r == 4 ? -1 : 4);
	CU_ASSERT_EQUAL(rowix_get(&x, "7"), 0);
	CU_ASSERT_EQUAL(rowix_get(&x, "9"), 4);
	rowix_free(&x);
	/* built whole from a table of more rows than a tag allows: untagged */
	rowix_build(&x, &t, 0);
	CU_ASSERT_EQUAL(rowix_get(&x, "7"), 0);
	CU_ASSERT_EQUAL(rowix_get(&x, "8"), 2);
	CU_ASSERT_EQUAL(rowix_get(&x, "9"), 4);
	CU_ASSERT_EQUAL(x.tagged, !tags_given_up);
	rowix_free(&x);
	csvtab_free(&t);
}

static void test_row_index_follows_a_growing_table(void)
{
	/* tagged throughout; tags given up at the fourth row; given up while the
	 * slots are doubled with many rows in them */
	static const uint32_t max[] = {0, 3, 1000};
	char *dir = unit_tmpdir();

	for (size_t i = 0; i < 3; i++) {
		uint32_t keep = rowix_tag_rows_max;
		if (max[i])
			rowix_tag_rows_max = max[i];
		follow_growing_table(dir, max[i] != 0);
		rowix_tag_rows_max = keep;
	}
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_equal_cells_are_shared_and_stay_independent",
	 test_equal_cells_are_shared_and_stay_independent},
	{"test_cells_in_many_chunks_read_back_as_written",
	 test_cells_in_many_chunks_read_back_as_written},
	{"test_row_index_finds_first_row_of_each_key", test_row_index_finds_first_row_of_each_key},
	{"test_row_index_follows_a_growing_table", test_row_index_follows_a_growing_table},
	{"test_bom_and_crlf_are_accepted", test_bom_and_crlf_are_accepted},
	{"test_streamed_file_reads_the_same_across_read_boundaries",
	 test_streamed_file_reads_the_same_across_read_boundaries},
	{"test_streamed_file_error_names_its_line", test_streamed_file_error_names_its_line},
	{"test_columns_in_any_order_are_found_by_name", test_columns_in_any_order_are_found_by_name},
	{"test_extra_column_and_row_order_survive_a_round_trip",
	 test_extra_column_and_row_order_survive_a_round_trip},
	{"test_quotes_commas_and_newlines_round_trip_byte_for_byte",
	 test_quotes_commas_and_newlines_round_trip_byte_for_byte},
	{"test_write_field_quotes_only_when_needed", test_write_field_quotes_only_when_needed},
	{"test_single_empty_column_row_is_not_lost", test_single_empty_column_row_is_not_lost},
	{"test_missing_file_is_an_empty_table_with_contract_header",
	 test_missing_file_is_an_empty_table_with_contract_header},
	{"test_missing_contract_column_is_appended_as_empty",
	 test_missing_contract_column_is_appended_as_empty},
	{"test_row_with_wrong_field_count_names_its_line",
	 test_row_with_wrong_field_count_names_its_line},
	{"test_wrong_field_count_after_multiline_field_names_physical_line",
	 test_wrong_field_count_after_multiline_field_names_physical_line},
	{"test_bad_quote_names_its_line", test_bad_quote_names_its_line},
	{"test_missing_required_column_is_an_error", test_missing_required_column_is_an_error},
	{"test_duplicate_header_name_is_an_error", test_duplicate_header_name_is_an_error},
	{"test_set_append_and_remove_rows_keep_order", test_set_append_and_remove_rows_keep_order},
	{"test_empty_existing_file_reads_as_empty_table",
	 test_empty_existing_file_reads_as_empty_table},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("csvtab", NULL, NULL, tests)
