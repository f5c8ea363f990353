/*
 * Unit tests of an incremental extract's pure parts (extract/incremental.c)
 * and of the merge of changes into a base snapshot's file
 * (records_write_merged): replace by id, add, order; the mark and its
 * overlap; the decision between a full walk and an incremental one
 * (full_every included); the windows after a 422; the scan of a page
 * sorted newest first.
 */
#include "unit.h"

#include "../../extract/incremental.h"
#include "../../extract/records.h"
#include "fsutil.h"
#include "json.h"
#include "ndjson.h"
#include "timefmt.h"
#include "xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIG_BUDGET ((size_t)1 << 30)

/* Writes lines (NULL-terminated) as DIR/NAME.ndjson.gz; fills res with its figures. */
static void write_base(const char *dir, const char *name, const char *const *lines,
		       struct snapshot_resource *res)
{
	char *path = xasprintf("%s/%s.ndjson.gz", dir, name);
	struct ndjson_writer w;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, &e), 0);
	for (size_t i = 0; lines[i]; i++)
		CU_ASSERT_EQUAL(ndjson_writer_line(&w, lines[i], strlen(lines[i]), &e), 0);
	memset(res, 0, sizeof *res);
	res->present = 1;
	snprintf(res->file, sizeof res->file, "%s.ndjson.gz", name);
	res->records = w.records;
	res->crc32 = w.crc;
	res->bytes = w.bytes;
	CU_ASSERT_EQUAL(ndjson_writer_close(&w, &e), 0);
	free(path);
}

/*
 * Merges r with the base file DIR/base.ndjson.gz into DIR/out.ndjson.gz
 * and reads the result back into out (lines joined by '\n').
 */
static int merge_and_read(struct records *r, const char *dir, struct records_base *b,
			  struct buf *out, struct itg_err *e)
{
	char *path = fs_join(dir, "out.ndjson.gz"), *base = fs_join(dir, "base.ndjson.gz");
	struct ndjson_writer w;
	struct ndjson_reader rd;
	const char *line;
	size_t len;
	int rc;

	buf_reset(out);
	b->path = base;
	CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, e), 0);
	rc = records_write_merged(r, b, &w, e);
	if (rc != 0) {
		ndjson_writer_abort(&w);
	} else {
		CU_ASSERT_EQUAL(ndjson_writer_close(&w, e), 0);
		CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&rd, path, e), 0);
		while (ndjson_reader_next(&rd, &line, &len, e) == 1) {
			if (out->len)
				buf_addc(out, '\n');
			buf_add(out, line, len);
		}
		ndjson_reader_close(&rd);
		unlink(path);
	}
	b->path = NULL;
	free(base);
	free(path);
	return rc;
}

static void add(struct records *r, const char *json, long long page)
{
	struct itg_err e = {0};
	struct buf id = {0};

	CU_ASSERT_EQUAL_FATAL(records_line_id(json, strlen(json), &id), 0);
	CU_ASSERT_EQUAL(records_add(r, buf_str(&id), json, strlen(json), page, &e), 0);
	buf_free(&id);
}

static void base_of(struct records_base *b, const struct snapshot_resource *res)
{
	*b = (struct records_base){.records = res->records, .crc32 = res->crc32,
				   .bytes = res->bytes};
}

static void test_changes_replace_by_id_add_new_ids_and_keep_the_order(void)
{
	static const char *const base[] = {
		"{\"id\":\"2\",\"v\":\"base\"}", "{\"id\":\"10\",\"v\":\"base\"}",
		"{\"id\":\"99\",\"v\":\"base\"}", "{\"id\":\"900000000000000001\",\"v\":\"base\"}",
		NULL,
	};
	static const size_t budgets[] = {BIG_BUDGET, 1};
	char *dir = unit_tmpdir();
	struct snapshot_resource res;
	struct records_base b;
	struct itg_err e = {0};
	struct buf out = {0};

	write_base(dir, "base", base, &res);
	for (size_t k = 0; k < 2; k++) {
		struct records r;

		records_init(&r, dir, "contacts", budgets[k]);
		/* changes come newest first: in any id order, and on several pages */
		add(&r, "{\"id\":\"900000000000000000\",\"v\":\"new\"}", 1);
		add(&r, "{\"id\":\"10\",\"v\":\"changed\"}", 1);
		add(&r, "{\"id\":\"3\",\"v\":\"new\"}", 2);
		add(&r, "{\"id\":\"10\",\"v\":\"older copy\"}", 2);
		base_of(&b, &res);
		CU_ASSERT_EQUAL_FATAL(merge_and_read(&r, dir, &b, &out, &e), 0);
		CU_ASSERT_STRING_EQUAL(buf_str(&out),
				       "{\"id\":\"2\",\"v\":\"base\"}\n"
				       "{\"id\":\"3\",\"v\":\"new\"}\n"
				       "{\"id\":\"10\",\"v\":\"changed\"}\n"
				       "{\"id\":\"99\",\"v\":\"base\"}\n"
				       "{\"id\":\"900000000000000000\",\"v\":\"new\"}\n"
				       "{\"id\":\"900000000000000001\",\"v\":\"base\"}");
		CU_ASSERT_EQUAL(b.kept, 3);
		CU_ASSERT_EQUAL(b.replaced, 1);
		CU_ASSERT_EQUAL(r.duplicates, 1);
		records_free(&r);
	}
	buf_free(&out);
	unit_rmtree(dir);
}

static void test_no_change_writes_the_base_as_it_is(void)
{
	static const char *const base[] = {"{\"id\":\"1\"}", "{\"id\":\"5\",\"x\":[1,2]}", NULL};
	static const char *const none[] = {NULL};
	char *dir = unit_tmpdir();
	struct snapshot_resource res;
	struct records_base b;
	struct records r;
	struct itg_err e = {0};
	struct buf out = {0};

	write_base(dir, "base", base, &res);
	records_init(&r, dir, "domains", BIG_BUDGET);
	base_of(&b, &res);
	CU_ASSERT_EQUAL_FATAL(merge_and_read(&r, dir, &b, &out, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&out), "{\"id\":\"1\"}\n{\"id\":\"5\",\"x\":[1,2]}");
	CU_ASSERT_EQUAL(b.kept, 2);
	CU_ASSERT_EQUAL(b.replaced, 0);
	records_free(&r);
	/* an empty base and changes only: the changes, sorted */
	write_base(dir, "base", none, &res);
	records_init(&r, dir, "domains", BIG_BUDGET);
	add(&r, "{\"id\":\"7\"}", 1);
	add(&r, "{\"id\":\"6\"}", 1);
	base_of(&b, &res);
	CU_ASSERT_EQUAL_FATAL(merge_and_read(&r, dir, &b, &out, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&out), "{\"id\":\"6\"}\n{\"id\":\"7\"}");
	records_free(&r);
	buf_free(&out);
	unit_rmtree(dir);
}

static void test_a_base_out_of_order_or_unlike_its_manifest_fails_the_merge(void)
{
	static const char *const unsorted[] = {"{\"id\":\"5\"}", "{\"id\":\"4\"}", NULL};
	static const char *const twice[] = {"{\"id\":\"5\"}", "{\"id\":\"5\"}", NULL};
	static const char *const noid[] = {"{\"id\":\"5\"}", "{\"name\":\"x\"}", NULL};
	static const char *const good[] = {"{\"id\":\"5\"}", NULL};
	const char *const *bad[] = {unsorted, twice, noid};
	static const char *const why[] = {"comes after", "comes after", "numeric id"};
	char *dir = unit_tmpdir();
	struct snapshot_resource res;
	struct records_base b;
	struct records r;
	struct itg_err e = {0};
	struct buf out = {0};

	for (size_t i = 0; i < 3; i++) {
		write_base(dir, "base", bad[i], &res);
		records_init(&r, dir, "contacts", BIG_BUDGET);
		base_of(&b, &res);
		err_clear(&e);
		CU_ASSERT_EQUAL(merge_and_read(&r, dir, &b, &out, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "base.ndjson.gz:2"));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, why[i]));
		records_free(&r);
	}
	/* a file that is not what its manifest says (changed since it was verified) */
	write_base(dir, "base", good, &res);
	records_init(&r, dir, "contacts", BIG_BUDGET);
	base_of(&b, &res);
	b.crc32 ^= 1;
	err_clear(&e);
	CU_ASSERT_EQUAL(merge_and_read(&r, dir, &b, &out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does not match its snapshot manifest"));
	records_free(&r);
	buf_free(&out);
	unit_rmtree(dir);
}

static int line_id(const char *line, struct buf *id)
{
	return records_line_id(line, strlen(line), id);
}

static void test_line_ids_are_read_with_and_without_a_parse(void)
{
	struct buf id = {0};

	CU_ASSERT_EQUAL(line_id("{\"id\":\"123\",\"type\":\"x\"}", &id), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&id), "123");
	/* another member first, spaces, a number: parsed */
	CU_ASSERT_EQUAL(line_id("{\"type\":\"x\", \"id\": \"77\"}", &id), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&id), "77");
	CU_ASSERT_EQUAL(line_id("{\"id\":900000000000000001}", &id), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&id), "900000000000000001");
	CU_ASSERT_EQUAL(line_id("{\"id\":\"12a\"}", &id), -1);
	CU_ASSERT_EQUAL(line_id("{\"id\":\"\"}", &id), -1);
	CU_ASSERT_EQUAL(line_id("[1]", &id), -1);
	/* only the leading id member is read when it leads: the rest is not checked */
	CU_ASSERT_EQUAL(line_id("{\"id\":\"1\",", &id), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&id), "1");
	CU_ASSERT_EQUAL(line_id("{\"id\":\"1", &id), -1);
	buf_free(&id);
}

/* ---- the mark, the URLs, the windows ---- */

static long long ms_of(const char *t)
{
	long long ms = 0;

	CU_ASSERT_EQUAL(time_parse_rfc3339(t, &ms), 0);
	return ms;
}

static void test_the_mark_is_five_minutes_before_the_base_began(void)
{
	char text[40];

	CU_ASSERT_EQUAL(incr_mark(ms_of("2026-01-01T00:03:00.250Z")),
			ms_of("2025-12-31T23:58:00.250Z"));
	incr_format_time(incr_mark(ms_of("2026-01-01T00:03:00.250Z")), text);
	CU_ASSERT_STRING_EQUAL(text, "2025-12-31T23:58:00Z");
	incr_format_time_url(ms_of("2026-01-01T00:03:00.999Z"), text);
	CU_ASSERT_STRING_EQUAL(text, "2026-01-01T00%3A03%3A00Z");
}

static void test_change_urls_filter_sort_and_count(void)
{
	long long since = ms_of("2026-01-01T00:00:00Z"), until = ms_of("2026-01-08T00:00:00Z");
	char *u;

	u = incr_orgs_url("https://api.itglue.com", 1000, 2, since, INCR_NO_TIME, 1);
	CU_ASSERT_STRING_EQUAL(u, "https://api.itglue.com/organizations?page%5Bsize%5D=1000"
				  "&page%5Bnumber%5D=2&filter%5Bupdated_at%5D="
				  "2026-01-01T00%3A00%3A00Z%2C*&sort=id");
	free(u);
	u = incr_orgs_url("http://127.0.0.1:9", 5, 1, since, until, 0);
	CU_ASSERT_STRING_EQUAL(u, "http://127.0.0.1:9/organizations?page%5Bsize%5D=5"
				  "&page%5Bnumber%5D=1&filter%5Bupdated_at%5D="
				  "2026-01-01T00%3A00%3A00Z%2C2026-01-08T00%3A00%3A00Z");
	free(u);
	u = incr_sorted_url("https://api.itglue.com", RES_CONTACTS, 1000, 3);
	CU_ASSERT_STRING_EQUAL(u, "https://api.itglue.com/contacts?page%5Bsize%5D=1000"
				  "&page%5Bnumber%5D=3&sort=-updated_at");
	free(u);
	u = incr_count_url("https://api.itglue.com", RES_ORGANIZATIONS);
	CU_ASSERT_STRING_EQUAL(u, "https://api.itglue.com/organizations?page%5Bsize%5D=1"
				  "&page%5Bnumber%5D=1");
	free(u);
	CU_ASSERT(incr_by_changes(RES_ORGANIZATIONS) && incr_by_changes(RES_CONTACTS) &&
		  incr_by_changes(RES_DOMAINS));
	CU_ASSERT(!incr_by_changes(RES_ORGANIZATION_TYPES) &&
		  !incr_by_changes(RES_ORGANIZATION_STATUSES) && !incr_by_changes(RES_CONTACT_TYPES));
}

static void test_windows_are_seven_days_up_to_now(void)
{
	long long since = ms_of("2026-01-01T00:00:00Z"), start, end;
	long long now = ms_of("2026-01-16T12:00:00Z");
	long k;

	for (k = 0; incr_window(since, now, k, &start, &end); k++) {
		CU_ASSERT_EQUAL(start, since + k * INCR_WINDOW_MS);
		CU_ASSERT_EQUAL(end - start, INCR_WINDOW_MS);
	}
	CU_ASSERT_EQUAL(k, 3);    /* Jan 1-8, 8-15, 15-22 */
	/* a window that begins within the overlap after now still counts (a clock ahead) */
	CU_ASSERT_EQUAL(incr_window(since, since + 2 * INCR_WINDOW_MS - 60000, 2, &start, &end), 1);
	CU_ASSERT_EQUAL(incr_window(since, since + 2 * INCR_WINDOW_MS - INCR_OVERLAP_MS - 1, 2,
				    &start, &end), 0);
	/* a base younger than a window: one */
	CU_ASSERT_EQUAL(incr_window(since, since + 3600000, 0, &start, &end), 1);
	CU_ASSERT_EQUAL(incr_window(since, since + 3600000, 1, &start, &end), 0);
	CU_ASSERT_EQUAL(incr_window(since, now, -1, &start, &end), 0);
}

/* ---- the decision ---- */

static void manifest_at(struct snapshot_manifest *m, const char *mode, const char *started,
			const char *last_full)
{
	memset(m, 0, sizeof *m);
	m->format = SNAPSHOT_FORMAT;
	strcpy(m->base_url, "https://api.itglue.com");
	strcpy(m->started_at, started);
	strcpy(m->mode, mode);
	if (last_full)
		strcpy(m->last_full_at, last_full);
}

static void test_full_every_and_the_base_decide_the_mode(void)
{
	struct snapshot_manifest m;
	long long now = ms_of("2026-01-02T12:00:00.000Z");
	const char *url = "https://api.itglue.com";
	char why[400];

	/* a full base of this morning, an incremental one carrying an older full walk */
	manifest_at(&m, "full", "2026-01-02T06:00:00.000Z", "2026-01-02T06:00:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 1);
	CU_ASSERT_STRING_EQUAL(why, "");
	manifest_at(&m, "incremental", "2026-01-02T11:55:00.000Z", "2026-01-01T12:30:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 1);
	/* the last full walk 24 hours ago or more: full */
	manifest_at(&m, "incremental", "2026-01-02T11:55:00.000Z", "2026-01-01T12:00:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the last full walk began 1d ago (2026-01-01T12:00:00.000Z), "
				    "and full_every is 1d");
	manifest_at(&m, "incremental", "2026-01-02T11:55:00.000Z", "2026-01-02T10:20:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 90 * 60, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the last full walk began 1h 40m ago (2026-01-02T10:20:00.000Z), "
				    "and full_every is 1h 30m");
	/* an older snapshot without "mode": a full walk that began when it began */
	manifest_at(&m, "", "2026-01-02T00:00:00.000Z", NULL);
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 1);
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 12 * 3600, why, sizeof why), 0);
	/* an incremental one that does not say when the last full walk was */
	manifest_at(&m, "incremental", "2026-01-02T11:55:00.000Z", NULL);
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not say when the last full walk was"));
	/* another server, a start later than now (beyond the overlap) */
	manifest_at(&m, "full", "2026-01-02T06:00:00.000Z", "2026-01-02T06:00:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, "https://api.eu.itglue.com", now, 24 * 3600, why,
				    sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(why, "the previous snapshot came from https://api.itglue.com, not "
				    "https://api.eu.itglue.com");
	manifest_at(&m, "full", "2026-01-02T12:06:00.000Z", "2026-01-02T12:06:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "later than this run"));
	manifest_at(&m, "full", "2026-01-02T12:04:00.000Z", "2026-01-02T12:04:00.000Z");
	CU_ASSERT_EQUAL(incr_decide(&m, url, now, 24 * 3600, why, sizeof why), 1);
}

static void test_a_base_is_verified_before_it_serves(void)
{
	static const char *const lines[] = {"{\"id\":\"1\"}", NULL};
	char *dir = unit_tmpdir(), *snap = fs_join(dir, "snap"), *real = NULL;
	struct snapshot_manifest m;
	struct itg_err e = {0};
	int missing = -1;

	CU_ASSERT_EQUAL(incr_open_base(snap, &m, &real, &missing, &e), -1);
	CU_ASSERT_EQUAL(missing, 1);
	CU_ASSERT_PTR_NULL(real);
	CU_ASSERT_EQUAL_FATAL(fs_mkdir_p(snap, 0700, &e), 0);
	CU_ASSERT_EQUAL(incr_open_base(snap, &m, &real, &missing, &e), -1);
	CU_ASSERT_EQUAL(missing, 1);
	memset(&m, 0, sizeof m);
	m.format = SNAPSHOT_FORMAT;
	strcpy(m.started_at, "2026-01-01T00:00:00.000Z");
	write_base(snap, "contacts", lines, &m.res[RES_CONTACTS]);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(snap, &m, &e), 0);
	err_clear(&e);
	CU_ASSERT_EQUAL(incr_open_base(snap, &m, &real, &missing, &e), 0);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	CU_ASSERT_EQUAL(real[0], '/');
	CU_ASSERT_EQUAL(m.res[RES_CONTACTS].records, 1);
	free(real);
	/* a CRC that does not match: refused, and not for want of a snapshot */
	m.res[RES_CONTACTS].crc32 ^= 1;
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_write(snap, &m, &e), 0);
	CU_ASSERT_EQUAL(incr_open_base(snap, &m, &real, &missing, &e), -1);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_PTR_NULL(real);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does not match the snapshot manifest"));
	free(snap);
	unit_rmtree(dir);
}

/* ---- a page newest first ---- */

static void test_a_page_newest_first_gives_its_changes_down_to_the_mark(void)
{
	long long mark = 1000, last = LLONG_MAX;
	size_t changes = 99;
	const long long page1[] = {5000, 5000, 3000, 1000};
	const long long page2[] = {900, 800};
	const long long rising[] = {800, 850};
	const long long no_time[] = {2000, INCR_NO_TIME};
	const long long late[] = {2000, 500, 400, 900};

	/* all at or after the mark: more may follow */
	CU_ASSERT_EQUAL(incr_scan_page(page1, 4, mark, &last, &changes), INCR_SCAN_MORE);
	CU_ASSERT_EQUAL(changes, 4);
	CU_ASSERT_EQUAL(last, 1000);
	/* the next page is past it at once */
	CU_ASSERT_EQUAL(incr_scan_page(page2, 2, mark, &last, &changes), INCR_SCAN_PAST);
	CU_ASSERT_EQUAL(changes, 0);
	/* past the mark within a page */
	last = LLONG_MAX;
	CU_ASSERT_EQUAL(incr_scan_page(page1, 4, 3000, &last, &changes), INCR_SCAN_PAST);
	CU_ASSERT_EQUAL(changes, 3);
	/* newer than the one before (on this page or the last): not sorted as asked */
	last = LLONG_MAX;
	CU_ASSERT_EQUAL(incr_scan_page(rising, 2, 0, &last, &changes), INCR_SCAN_UNSORTED);
	last = 700;
	CU_ASSERT_EQUAL(incr_scan_page(page2, 2, 0, &last, &changes), INCR_SCAN_UNSORTED);
	last = LLONG_MAX;
	CU_ASSERT_EQUAL(incr_scan_page(no_time, 2, 0, &last, &changes), INCR_SCAN_UNSORTED);
	/* out of order only after the first record older than the mark: still seen */
	last = LLONG_MAX;
	CU_ASSERT_EQUAL(incr_scan_page(late, 4, mark, &last, &changes), INCR_SCAN_UNSORTED);
	/* an empty page: nothing, and nothing more */
	last = LLONG_MAX;
	CU_ASSERT_EQUAL(incr_scan_page(page1, 0, mark, &last, &changes), INCR_SCAN_MORE);
	CU_ASSERT_EQUAL(changes, 0);
}

static void test_updated_at_is_read_from_the_attributes(void)
{
	static const char ok[] = "{\"id\":\"1\",\"attributes\":{\"updated-at\":\"2026-01-01T00:00:01.500Z\"}}";
	static const char none[] = "{\"id\":\"1\",\"attributes\":{\"updated-at\":null}}";
	char err[64];
	yajl_val doc = json_parse(ok, strlen(ok), err, sizeof err);
	long long ms = 0;

	CU_ASSERT_EQUAL(incr_updated_at(doc, &ms), 0);
	CU_ASSERT_EQUAL(ms, ms_of("2026-01-01T00:00:01.500Z"));
	yajl_tree_free(doc);
	doc = json_parse(none, strlen(none), err, sizeof err);
	CU_ASSERT_EQUAL(incr_updated_at(doc, &ms), -1);
	CU_ASSERT_EQUAL(ms, INCR_NO_TIME);
	yajl_tree_free(doc);
}

static CU_TestInfo tests[] = {
	{"changes_replace_by_id_add_new_ids_and_keep_the_order",
	 test_changes_replace_by_id_add_new_ids_and_keep_the_order},
	{"no_change_writes_the_base_as_it_is", test_no_change_writes_the_base_as_it_is},
	{"a_base_out_of_order_or_unlike_its_manifest_fails_the_merge",
	 test_a_base_out_of_order_or_unlike_its_manifest_fails_the_merge},
	{"line_ids_are_read_with_and_without_a_parse", test_line_ids_are_read_with_and_without_a_parse},
	{"the_mark_is_five_minutes_before_the_base_began",
	 test_the_mark_is_five_minutes_before_the_base_began},
	{"change_urls_filter_sort_and_count", test_change_urls_filter_sort_and_count},
	{"windows_are_seven_days_up_to_now", test_windows_are_seven_days_up_to_now},
	{"full_every_and_the_base_decide_the_mode", test_full_every_and_the_base_decide_the_mode},
	{"a_base_is_verified_before_it_serves", test_a_base_is_verified_before_it_serves},
	{"a_page_newest_first_gives_its_changes_down_to_the_mark",
	 test_a_page_newest_first_gives_its_changes_down_to_the_mark},
	{"updated_at_is_read_from_the_attributes", test_updated_at_is_read_from_the_attributes},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("extract_incremental", NULL, NULL, tests)
