/*
 * fuzz_csvtab.c - csvtab_read on arbitrary bytes.
 *
 * The first input byte picks the contract/required columns; the rest is the
 * file.  Checks: a refusal is an input error naming the file; an accepted
 * table has every contract column, full rows and increasing line numbers,
 * and survives csvtab_write_fp + csvtab_read unchanged (what the loader does
 * to a store file it did not mean to change).
 */
#include "fuzz_util.h"

#include "csvtab.h"

static const char *const links_cols[] = {"organization_id", "itglue_organization_id", "source",
					 "linked_at", NULL};
static const char *const org_cols[] = {"id", "name", "employee_count", "industry", "last_sync",
				       NULL};
static const char *const id_only[] = {"id", NULL};

static void same_tables(const struct csv_table *a, const struct csv_table *b)
{
	FUZZ_CHECK(a->ncols == b->ncols, "round trip: %zu columns became %zu", a->ncols, b->ncols);
	for (size_t c = 0; c < a->ncols; c++)
		FUZZ_CHECK(strcmp(a->cols[c], b->cols[c]) == 0, "round trip: column %zu \"%s\" became \"%s\"",
			   c, a->cols[c], b->cols[c]);
	FUZZ_CHECK(a->nrows == b->nrows, "round trip: %zu rows became %zu", a->nrows, b->nrows);
	for (size_t r = 0; r < a->nrows; r++)
		for (size_t c = 0; c < a->ncols; c++)
			FUZZ_CHECK(strcmp(csvtab_get(a, r, (int)c), csvtab_get(b, r, (int)c)) == 0,
				   "round trip: row %zu col %zu \"%s\" became \"%s\"", r, c,
				   csvtab_get(a, r, (int)c), csvtab_get(b, r, (int)c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *contract = NULL, *const *required = NULL;
	struct csv_table t, t2;
	struct itg_err e = {0};
	const char *path;
	char *rt;
	FILE *fp;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: contract = links_cols; break;
	case 1: contract = org_cols; required = id_only; break;
	default: break;
	}
	path = fuzz_write_file("in.csv", data + 1, size - 1);
	if (csvtab_read(path, contract, required, &t, &e) != 0) {
		FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
		FUZZ_CHECK(strstr(e.msg, "in.csv") != NULL, "message does not name the file: %s", e.msg);
		FUZZ_CHECK(t.cells == NULL && t.cols == NULL && t.chunks == NULL,
			   "table not emptied on failure");
		return 0;
	}
	for (size_t k = 0; contract && contract[k]; k++)
		FUZZ_CHECK(csvtab_col(&t, contract[k]) >= 0, "contract column %s missing", contract[k]);
	FUZZ_CHECK(t.nlines == t.nrows, "%zu rows read, %zu with a line", t.nrows, t.nlines);
	for (size_t r = 0; r < t.nrows; r++) {
		FUZZ_CHECK(t.lines[r] >= 1, "row %zu has line %lu", r, (unsigned long)t.lines[r]);
		FUZZ_CHECK(r == 0 || t.lines[r] > t.lines[r - 1], "row %zu line %lu after %lu", r,
			   (unsigned long)t.lines[r], (unsigned long)t.lines[r - 1]);
		for (size_t c = 0; c < t.ncols; c++)
			FUZZ_CHECK(csvtab_get(&t, r, (int)c) != NULL, "row %zu col %zu is NULL", r, c);
	}

	/*
	 * Known limit, left out of the round trip: a first header name that
	 * itself starts with a BOM (after blank lines or a first BOM) is written
	 * at the start of the file, where the reader drops it as the BOM.
	 */
	if (t.ncols && strncmp(t.cols[0], "\xEF\xBB\xBF", 3) == 0) {
		csvtab_free(&t);
		return 0;
	}
	rt = strdup(path);
	strcpy(rt + strlen(rt) - strlen("in.csv"), "rt.csv");
	fp = fopen(rt, "w");
	FUZZ_CHECK(fp != NULL, "cannot open %s", rt);
	FUZZ_CHECK(csvtab_write_fp(&t, fp) == 0, "csvtab_write_fp failed");
	FUZZ_CHECK(fclose(fp) == 0, "fclose failed");
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(csvtab_read(rt, contract, NULL, &t2, &e) == 0,
		   "the table written back does not read: %s", e.msg);
	same_tables(&t, &t2);
	csvtab_free(&t2);
	csvtab_free(&t);
	free(rt);
	return 0;
}
