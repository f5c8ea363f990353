/* Unit tests of the shared library: maps, JSON, NDJSON+CRC, atomic files, manifest. */
#include "unit.h"

#include "cli.h"
#include "fsutil.h"
#include "json.h"
#include "ndjson.h"
#include "snapshot.h"
#include "strmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static void test_strmap_put_get_and_grow(void)
{
	struct strmap *m = strmap_new(0);
	char key[32];

	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%ld", i);
		CU_ASSERT_PTR_NULL(strmap_put(m, key, (void *)(i + 1)));
	}
	CU_ASSERT_EQUAL(strmap_count(m), 5000);
	CU_ASSERT_EQUAL((long)strmap_get(m, "k4999"), 5000);
	CU_ASSERT_PTR_NULL(strmap_get(m, "k5000"));
	CU_ASSERT_EQUAL((long)strmap_put(m, "k1", (void *)7), 2);
	CU_ASSERT_EQUAL((long)strmap_get(m, "k1"), 7);
	strmap_free(m, NULL);
}

static void test_json_parse_keeps_big_ids_as_text(void)
{
	char err[128];
	const char *text = "{\"id\":\"1\",\"attributes\":{\"organization-id\":123456789012345678}}";
	yajl_val v = json_parse(text, strlen(text), err, sizeof err);
	const char *path[] = {"attributes", "organization-id", NULL};

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(json_get_id(v, "id"), "1");
	CU_ASSERT_STRING_EQUAL(json_str_or_number(json_get_path(v, path)), "123456789012345678");
	yajl_tree_free(v);
}

static void test_json_parse_refuses_deep_nesting_and_comments(void)
{
	char err[128];
	char deep[200];

	memset(deep, '[', sizeof deep);
	CU_ASSERT_PTR_NULL(json_parse(deep, sizeof deep, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested"));
	CU_ASSERT_PTR_NULL(json_parse("{/*x*/}", 7, err, sizeof err));
	CU_ASSERT_PTR_NULL(json_parse("{\"a\":", 5, err, sizeof err));
}

/* Each string at every offset of an 8-byte word: the high bit of a byte
 * in any place sends it to yajl's check; invalid UTF-8 becomes U+FFFD. */
static void test_json_strings_are_checked_utf8_wherever_the_high_byte_is(void)
{
	struct buf b = {0};
	char s[32], want[64];

	for (size_t at = 0; at < 17; at++) {
		yajl_gen g = json_gen_new();
		memset(s, 'a', at);
		memcpy(s + at, "\xc3\xa9", 3);          /* e acute, then the NUL */
		yajl_gen_array_open(g);
		json_str(g, s);
		s[at] = '\xff';                           /* never a UTF-8 byte */
		s[at + 1] = 'b';
		json_str(g, s);
		s[at] = '\xe2';                           /* a 3-byte lead cut short */
		json_str(g, s);
		json_str(g, "plain");
		yajl_gen_array_close(g);
		buf_reset(&b);
		json_gen_take(g, &b);
		snprintf(want, sizeof want, "[\"%.*s\xc3\xa9\",\"\xef\xbf\xbd\",\"\xef\xbf\xbd\",\"plain\"]",
			 (int)at, "aaaaaaaaaaaaaaaaaaaa");
		CU_ASSERT_STRING_EQUAL(buf_str(&b), want);
		yajl_gen_free(g);
	}
	{
		/* a key with a byte over 0x7f is checked as a value is */
		yajl_gen g = json_gen_new();
		yajl_gen_map_open(g);
		json_kv_str(g, "n\xc3\xa9", "v");
		yajl_gen_map_close(g);
		buf_reset(&b);
		json_gen_take(g, &b);
		CU_ASSERT_STRING_EQUAL(buf_str(&b), "{\"n\xc3\xa9\":\"v\"}");
		yajl_gen_free(g);
	}
	buf_free(&b);
}

static void test_ndjson_round_trip_counts_crc_and_bytes(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "x.ndjson.gz");
	struct itg_err e = {0};
	struct ndjson_writer w;
	struct ndjson_reader r;
	const char *line;
	size_t len;
	struct stat st;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);

	CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, &e), 0);
	CU_ASSERT_EQUAL(ndjson_writer_line(&w, "{\"a\":1}", 7, &e), 0);
	CU_ASSERT_EQUAL(ndjson_writer_line(&w, "{\"b\":2}", 7, &e), 0);
	CU_ASSERT_EQUAL(w.records, 2);
	CU_ASSERT_EQUAL(w.bytes, 16);
	crc = (uint32_t)crc32(crc, (const Bytef *)"{\"a\":1}\n{\"b\":2}\n", 16);
	CU_ASSERT_EQUAL(w.crc, crc);
	CU_ASSERT_EQUAL(ndjson_writer_close(&w, &e), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

	CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&r, path, &e), 0);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &e), 1);
	CU_ASSERT_STRING_EQUAL(line, "{\"a\":1}");
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &e), 1);
	CU_ASSERT_EQUAL(r.lineno, 2);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &e), 0);
	CU_ASSERT_EQUAL(r.crc, crc);
	CU_ASSERT_EQUAL(r.bytes, 16);
	ndjson_reader_close(&r);
	free(path);
	unit_rmtree(dir);
}

/* The gzip members of a file: inflated one after the other to the end. */
static int count_members(const char *path)
{
	struct buf gz = {0};
	struct itg_err e = {0};
	unsigned char out[65536];
	z_stream zs;
	int members = 0, zrc = Z_OK;

	if (fs_read_all(path, &gz, 0, &e) != 0)
		return -1;
	memset(&zs, 0, sizeof zs);
	inflateInit2(&zs, 16 + MAX_WBITS);
	zs.next_in = (Bytef *)gz.p;
	zs.avail_in = (uInt)gz.len;
	while (zs.avail_in > 0) {
		zs.next_out = out;
		zs.avail_out = sizeof out;
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			members++;
			inflateReset(&zs);
		} else if (zrc != Z_OK) {
			members = -1;
			break;
		}
	}
	inflateEnd(&zs);
	buf_free(&gz);
	return members;
}

/* A file of several blocks is a gzip member a block, cut at the line that
 * reaches NDJSON_BLOCK bytes, and the same bytes for any number of threads;
 * it reads back line for line with its CRC-32 and length.  An empty file
 * is one empty member. */
static void test_ndjson_writer_members_are_the_same_for_any_number_of_threads(void)
{
	static const char *const threads[] = {"1", "2", "8"};
	char *dir = unit_tmpdir();
	struct buf first = {0}, got = {0};
	struct itg_err e = {0};
	char line[256];
	const size_t want_bytes = NDJSON_BLOCK * 3 + NDJSON_BLOCK / 2;

	for (size_t t = 0; t < 3; t++) {
		char name[32];
		char *path;
		struct ndjson_writer w;
		struct ndjson_reader r;
		const char *l;
		size_t len, n = 0;
		uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);

		snprintf(name, sizeof name, "m%zu.ndjson.gz", t);
		path = fs_join(dir, name);
		setenv("ITG_THREADS", threads[t], 1);
		CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, &e), 0);
		while (w.bytes < want_bytes) {
			int k = snprintf(line, sizeof line, "{\"id\":\"%zu\",\"name\":\"%0*zu\"}", n,
					 (int)(n % 97), n * 7919 % 100003);
			CU_ASSERT_EQUAL_FATAL(ndjson_writer_line(&w, line, (size_t)k, &e), 0);
			crc = (uint32_t)crc32(crc, (const Bytef *)line, (uInt)k);
			crc = (uint32_t)crc32(crc, (const Bytef *)"\n", 1);
			n++;
		}
		CU_ASSERT_EQUAL(w.crc, crc);
		CU_ASSERT_EQUAL(ndjson_writer_close(&w, &e), 0);
		CU_ASSERT_EQUAL(count_members(path), 4);
		buf_reset(&got);
		CU_ASSERT_EQUAL(fs_read_all(path, &got, 0, &e), 0);
		if (t == 0) {
			buf_add(&first, got.p, got.len);
		} else {
			CU_ASSERT_EQUAL(got.len, first.len);
			CU_ASSERT(got.len == first.len && memcmp(got.p, first.p, got.len) == 0);
		}
		CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&r, path, &e), 0);
		for (size_t i = 0; i < n; i++) {
			int k = snprintf(line, sizeof line, "{\"id\":\"%zu\",\"name\":\"%0*zu\"}", i,
					 (int)(i % 97), i * 7919 % 100003);
			CU_ASSERT_EQUAL_FATAL(ndjson_reader_next(&r, &l, &len, &e), 1);
			CU_ASSERT(len == (size_t)k && memcmp(l, line, len) == 0);
		}
		CU_ASSERT_EQUAL(ndjson_reader_next(&r, &l, &len, &e), 0);
		CU_ASSERT_EQUAL(r.crc, crc);
		CU_ASSERT_EQUAL(r.bytes, w.bytes);
		ndjson_reader_close(&r);
		free(path);
	}
	{
		char *path = fs_join(dir, "empty.ndjson.gz");
		struct ndjson_writer w;
		struct ndjson_reader r;
		const char *l;
		size_t len;
		CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, path, &e), 0);
		CU_ASSERT_EQUAL(ndjson_writer_close(&w, &e), 0);
		CU_ASSERT_EQUAL(count_members(path), 1);
		CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&r, path, &e), 0);
		CU_ASSERT_EQUAL(ndjson_reader_next(&r, &l, &len, &e), 0);
		CU_ASSERT_EQUAL(r.bytes, 0);
		ndjson_reader_close(&r);
		free(path);
	}
	unsetenv("ITG_THREADS");
	buf_free(&first);
	buf_free(&got);
	unit_rmtree(dir);
}

static void test_ndjson_reader_reports_truncation(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "t.ndjson.gz");
	struct itg_err e = {0};
	struct ndjson_writer w;
	struct ndjson_reader r;
	struct buf b = {0};
	const char *line;
	size_t len;
	int st;

	ndjson_writer_open(&w, path, &e);
	for (int i = 0; i < 2000; i++) {
		char rec[64];
		int n = snprintf(rec, sizeof rec, "{\"id\":\"%d\",\"pad\":\"%d\"}", i, i * 7919);
		ndjson_writer_line(&w, rec, (size_t)n, &e);
	}
	CU_ASSERT_EQUAL(ndjson_writer_close(&w, &e), 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_EQUAL(fs_write_atomic(path, b.p, b.len - 20, 0600, &e), 0);
	CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&r, path, &e), 0);
	while ((st = ndjson_reader_next(&r, &line, &len, &e)) == 1)
		;
	CU_ASSERT_EQUAL(st, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.ndjson.gz"));
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	ndjson_reader_close(&r);
	buf_free(&b);
	free(path);
	unit_rmtree(dir);
}

static void test_atomic_write_replaces_whole_file_with_private_mode(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "f.txt");
	struct itg_err e = {0};
	struct buf b = {0};
	struct stat st;
	struct afile f;

	CU_ASSERT_EQUAL(fs_write_atomic(path, "old", 3, 0600, &e), 0);
	CU_ASSERT_EQUAL(afile_open(&f, path, 0600, &e), 0);
	fputs("new", f.fp);
	afile_abort(&f);   /* a failed writer leaves the old file */
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "old");
	buf_reset(&b);
	CU_ASSERT_EQUAL(afile_open(&f, path, 0600, &e), 0);
	fputs("new", f.fp);
	CU_ASSERT_EQUAL(afile_commit(&f, &e), 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "new");
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	buf_free(&b);
	free(path);
	unit_rmtree(dir);
}

static void test_publish_dir_replaces_previous_output(void)
{
	char *dir = unit_tmpdir();
	char *final = fs_join(dir, "out");
	struct itg_err e = {0};
	char *staged, *file;
	struct stat st;

	for (int round = 0; round < 2; round++) {
		staged = fs_stage_dir(final, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(staged);
		CU_ASSERT_EQUAL(stat(staged, &st), 0);
		CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
		file = fs_join(staged, round ? "b" : "a");
		unit_write_file(file, "x");
		free(file);
		CU_ASSERT_EQUAL(fs_publish_dir(staged, final, &e), 0);
		free(staged);
	}
	file = fs_join(final, "b");
	CU_ASSERT(fs_exists(file));
	free(file);
	file = fs_join(final, "a");
	CU_ASSERT(!fs_exists(file));
	free(file);
	free(final);
	unit_rmtree(dir);
}

static void test_stage_dir_sweeps_folders_of_dead_runs_only(void)
{
	char *dir = unit_tmpdir();
	char *final = fs_join(dir, "snap");
	struct itg_err e = {0};
	pid_t child = fork();
	char *dead, *live, *other, *staged;

	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);   /* a pid whose process is gone */
	dead = xasprintf("%s/.snap.tmp.%ld.abcdef", dir, (long)child);
	live = xasprintf("%s/.snap.tmp.%ld.ghijkl", dir, (long)getpid());
	other = xasprintf("%s/.other.tmp.%ld.abcdef", dir, (long)child);
	CU_ASSERT_EQUAL(mkdir(dead, 0700), 0);
	CU_ASSERT_EQUAL(mkdir(live, 0700), 0);
	CU_ASSERT_EQUAL(mkdir(other, 0700), 0);
	staged = fs_stage_dir(final, &e);
	CU_ASSERT_PTR_NOT_NULL(staged);
	CU_ASSERT(!fs_exists(dead));
	CU_ASSERT(fs_exists(live));
	CU_ASSERT(fs_exists(other));
	free(staged);
	free(dead);
	free(live);
	free(other);
	free(final);
	unit_rmtree(dir);
}

static void test_resolve_keeps_paths_tidy(void)
{
	char *p;

	p = fs_resolve("pipelines", "../out");
	CU_ASSERT_STRING_EQUAL(p, "pipelines/../out");
	free(p);
	p = fs_resolve(".", "./store");
	CU_ASSERT_STRING_EQUAL(p, "store");
	free(p);
	p = fs_resolve("/etc/itg", "/abs/key");
	CU_ASSERT_STRING_EQUAL(p, "/abs/key");
	free(p);
	p = fs_resolve("/etc/itg", "./");
	CU_ASSERT_STRING_EQUAL(p, "/etc/itg/.");
	free(p);
}

static void test_snapshot_manifest_round_trip_and_verify(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "domains.ndjson.gz");
	struct itg_err e = {0};
	struct snapshot_manifest m = {0}, back;
	struct ndjson_writer w;

	ndjson_writer_open(&w, path, &e);
	ndjson_writer_line(&w, "{\"id\":\"1\"}", 10, &e);
	m.format = SNAPSHOT_FORMAT;
	strcpy(m.region, "eu");
	strcpy(m.base_url, "https://api.eu.itglue.com");
	strcpy(m.started_at, "2026-01-01T00:00:00.000Z");
	strcpy(m.finished_at, "2026-01-01T00:00:01.000Z");
	m.res[RES_DOMAINS].present = 1;
	strcpy(m.res[RES_DOMAINS].file, "domains.ndjson.gz");
	m.res[RES_DOMAINS].records = w.records;
	m.res[RES_DOMAINS].crc32 = w.crc;
	m.res[RES_DOMAINS].bytes = w.bytes;
	ndjson_writer_close(&w, &e);
	CU_ASSERT_EQUAL(snapshot_manifest_write(dir, &m, &e), 0);
	CU_ASSERT_EQUAL_FATAL(snapshot_manifest_read(dir, &back, &e), 0);
	CU_ASSERT_STRING_EQUAL(back.region, "eu");
	CU_ASSERT_STRING_EQUAL(back.base_url, m.base_url);
	CU_ASSERT(back.res[RES_DOMAINS].present);
	CU_ASSERT(!back.res[RES_CONTACTS].present);
	CU_ASSERT_EQUAL(back.res[RES_DOMAINS].crc32, m.res[RES_DOMAINS].crc32);
	CU_ASSERT_EQUAL(snapshot_verify(dir, &back, &e), 0);
	back.res[RES_DOMAINS].records = 2;
	CU_ASSERT_EQUAL(snapshot_verify(dir, &back, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	free(path);
	unit_rmtree(dir);
}

static void test_snapshot_manifest_refuses_foreign_file_names_and_bad_crc(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "manifest.json");
	struct itg_err e = {0};
	struct snapshot_manifest m;
	const char *bad[] = {
		"{\"format\":1,\"resources\":{\"domains\":{\"file\":\"../x\",\"records\":0,"
		"\"crc32\":\"00000000\",\"bytes\":0}}}",
		"{\"format\":1,\"resources\":{\"domains\":{\"file\":\"domains.ndjson.gz\","
		"\"records\":0,\"crc32\":\"-1\",\"bytes\":0}}}",
		"{\"format\":1,\"resources\":{\"domains\":{\"file\":\"domains.ndjson.gz\","
		"\"records\":-3,\"crc32\":\"00000000\",\"bytes\":0}}}",
		NULL};

	for (int i = 0; bad[i]; i++) {
		unit_write_file(path, bad[i]);
		err_clear(&e);
		CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "manifest.json"));
	}
	unit_write_file(path, "{\"format\":1,\"resources\":{\"domains\":{\"file\":"
			      "\"domains.ndjson.gz\",\"records\":0,\"crc32\":\"0000000a\","
			      "\"bytes\":0}}}");
	CU_ASSERT_EQUAL(snapshot_manifest_read(dir, &m, &e), 0);
	CU_ASSERT_EQUAL(m.res[RES_DOMAINS].crc32, 10);
	free(path);
	unit_rmtree(dir);
}

static void test_api_key_file_must_be_private(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "key");
	struct itg_err e = {0};
	char *key = NULL;
	char *saved = getenv("ITGLUE_API_KEY") ? xstrdup(getenv("ITGLUE_API_KEY")) : NULL;

	unsetenv("ITGLUE_API_KEY");
	unit_write_file(path, "ITG.secret\n");
	chmod(path, 0644);
	CU_ASSERT_EQUAL(cli_load_api_key(path, &key, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NULL(strstr(e.msg, "ITG.secret"));
	chmod(path, 0600);
	CU_ASSERT_EQUAL(cli_load_api_key(path, &key, &e), 0);
	CU_ASSERT_STRING_EQUAL(key, "ITG.secret");
	cli_forget_key(key);
	CU_ASSERT_EQUAL(cli_load_api_key(NULL, &key, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	if (saved) {
		setenv("ITGLUE_API_KEY", saved, 1);
		free(saved);
	}
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_strmap_put_get_and_grow", test_strmap_put_get_and_grow},
	{"test_json_parse_keeps_big_ids_as_text", test_json_parse_keeps_big_ids_as_text},
	{"test_json_parse_refuses_deep_nesting_and_comments",
	 test_json_parse_refuses_deep_nesting_and_comments},
	{"test_json_strings_are_checked_utf8_wherever_the_high_byte_is",
	 test_json_strings_are_checked_utf8_wherever_the_high_byte_is},
	{"test_ndjson_writer_members_are_the_same_for_any_number_of_threads",
	 test_ndjson_writer_members_are_the_same_for_any_number_of_threads},
	{"test_ndjson_round_trip_counts_crc_and_bytes", test_ndjson_round_trip_counts_crc_and_bytes},
	{"test_ndjson_reader_reports_truncation", test_ndjson_reader_reports_truncation},
	{"test_atomic_write_replaces_whole_file_with_private_mode",
	 test_atomic_write_replaces_whole_file_with_private_mode},
	{"test_publish_dir_replaces_previous_output", test_publish_dir_replaces_previous_output},
	{"test_resolve_keeps_paths_tidy", test_resolve_keeps_paths_tidy},
	{"test_stage_dir_sweeps_folders_of_dead_runs_only",
	 test_stage_dir_sweeps_folders_of_dead_runs_only},
	{"test_snapshot_manifest_round_trip_and_verify",
	 test_snapshot_manifest_round_trip_and_verify},
	{"test_snapshot_manifest_refuses_foreign_file_names_and_bad_crc",
	 test_snapshot_manifest_refuses_foreign_file_names_and_bad_crc},
	{"test_api_key_file_must_be_private", test_api_key_file_must_be_private},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("lib", NULL, NULL, tests)
