/* lib/recread: snapshot records streamed through yajl's callbacks, and the
 * lib/ndjson reader under it (CRC-32 from zlib, concatenated members). */
#include "unit.h"

#include "fsutil.h"
#include "ndjson.h"
#include "recread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* What the tests pull: the fields itg-transform pulls from a contact. */
enum { A_ORG, A_FIRST, A_TYPE, A_NAME };
enum { M_VALUE, M_PRIMARY };
static const struct recread_spec spec = {
	.attrs = {"organization-id", "first-name", "contact-type-id", "name", NULL},
	.list = "contact-emails",
	.members = {"value", "primary", NULL},
};

struct fixture {
	char *dir;
	char *path;
	struct recread_expect x;   /* what the writer counted */
	struct itg_err e;
};

/* Writes lines (each a record, or "" for an empty line) to DIR/NAME and
 * keeps the writer's counts as the manifest would. */
static void write_file(struct fixture *f, const char *name, const char *const *lines)
{
	struct ndjson_writer w;

	memset(f, 0, sizeof *f);
	f->dir = unit_tmpdir();
	f->path = fs_join(f->dir, name);
	CU_ASSERT_EQUAL_FATAL(ndjson_writer_open(&w, f->path, &f->e), 0);
	for (size_t i = 0; lines[i]; i++)
		CU_ASSERT_EQUAL(ndjson_writer_line(&w, lines[i], strlen(lines[i]), &f->e), 0);
	f->x.records = w.records;
	f->x.crc32 = w.crc;
	f->x.bytes = w.bytes;
	CU_ASSERT_EQUAL_FATAL(ndjson_writer_close(&w, &f->e), 0);
}

static void fixture_free(struct fixture *f)
{
	free(f->path);
	unit_rmtree(f->dir);
}

/* Reads every record of the file; returns the last status and leaves the
 * error in f->e.  *n counts the records read. */
static int read_all(struct fixture *f, const struct recread_expect *x, size_t *n, int *damaged)
{
	struct recread r;
	int rc;

	*n = 0;
	if (recread_open(&r, f->path, &spec, x, &f->e) != 0)
		return -1;
	while ((rc = recread_next(&r, &f->e)) == 1)
		(*n)++;
	*damaged = r.damaged;
	recread_close(&r);
	return rc;
}

static void test_fields_pulled_and_the_rest_skipped(void)
{
	static const char *const lines[] = {
		"{\"id\":\"201\",\"type\":\"contacts\",\"attributes\":{\"organization-id\":2,"
		"\"organization-name\":\"Test SMB\",\"name\":\"Alice Walker\",\"first-name\":\"Al\\u00efce\","
		"\"contact-type-id\":null,\"notes\":{\"first-name\":\"nested, not pulled\"},"
		"\"contact-emails\":[{\"value\":\"a@x.example\",\"primary\":true,\"label-name\":\"Work\"},"
		"7,[1,2],{\"primary\":\"yes\"}],\"contact-phones\":[]},\"relationships\":{}}",
		NULL,
	};
	struct fixture f;
	struct recread r;

	write_file(&f, "contacts.ndjson.gz", lines);
	CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &f.x, &f.e), 0);
	CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.id), "201");
	CU_ASSERT_EQUAL(r.attr[A_ORG].type, RV_NUMBER);
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.attr[A_ORG]), "2");
	CU_ASSERT_PTR_NULL(recread_str(&r.attr[A_ORG]));   /* a number is no string */
	CU_ASSERT_STRING_EQUAL(recread_str(&r.attr[A_FIRST]), "Al\xc3\xaf" "ce");
	CU_ASSERT_EQUAL(r.attr[A_TYPE].type, RV_NULL);
	CU_ASSERT_PTR_NULL(recread_id_text(&r.attr[A_TYPE]));
	CU_ASSERT_STRING_EQUAL(recread_str(&r.attr[A_NAME]), "Alice Walker");
	/* the list's objects only: 7 and [1,2] are not objects */
	CU_ASSERT_EQUAL_FATAL(r.nitems, 2);
	CU_ASSERT_STRING_EQUAL(recread_str(recread_item(&r, 0, M_VALUE)), "a@x.example");
	CU_ASSERT_EQUAL(recread_bool(recread_item(&r, 0, M_PRIMARY), 0), 1);
	CU_ASSERT_EQUAL(recread_item(&r, 1, M_VALUE)->type, RV_ABSENT);
	CU_ASSERT_EQUAL(recread_bool(recread_item(&r, 1, M_PRIMARY), 0), 0); /* "yes" is no boolean */
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), 0);
	recread_close(&r);
	fixture_free(&f);
}

static void test_first_of_duplicate_keys_counts_as_in_a_tree(void)
{
	static const char *const lines[] = {
		/* the first "attributes" is no object: none of its members exist */
		"{\"id\":\"1\",\"attributes\":[],\"attributes\":{\"name\":\"second\"}}",
		/* duplicates inside: the first one, even when it is a container */
		"{\"id\":\"2\",\"id\":\"3\",\"attributes\":{\"name\":{\"a\":1},\"name\":\"x\","
		"\"first-name\":\"F\",\"first-name\":\"G\"}}",
		/* a key with an escaped NUL is cut there, as a tree's keys are */
		"{\"id\":\"4\",\"attributes\":{\"name\\u0000x\":\"cut key\",\"first-name\":\"a\\u0000b\"}}",
		NULL,
	};
	struct fixture f;
	struct recread r;

	write_file(&f, "organizations.ndjson.gz", lines);
	CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, NULL, &f.e), 0);
	CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_EQUAL(r.attr[A_NAME].type, RV_ABSENT);
	CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.id), "2");
	CU_ASSERT_EQUAL(r.attr[A_NAME].type, RV_CONTAINER);
	CU_ASSERT_PTR_NULL(recread_str(&r.attr[A_NAME]));
	CU_ASSERT_STRING_EQUAL(recread_str(&r.attr[A_FIRST]), "F");
	CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(recread_str(&r.attr[A_NAME]), "cut key");
	CU_ASSERT_STRING_EQUAL(recread_str(&r.attr[A_FIRST]), "a");
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), 0);
	recread_close(&r);
	fixture_free(&f);
}

static void test_ids_beyond_2_53_stay_text(void)
{
	static const char *const lines[] = {
		"{\"id\":900000000000000001,\"attributes\":{\"organization-id\":12345678901234567890123,"
		"\"contact-type-id\":\"900000000000000003\",\"name\":1e400}}",
		NULL,
	};
	struct fixture f;
	struct recread r;

	write_file(&f, "contacts.ndjson.gz", lines);
	CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &f.x, &f.e), 0);
	CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.id), "900000000000000001");
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.attr[A_ORG]), "12345678901234567890123");
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.attr[A_TYPE]), "900000000000000003");
	CU_ASSERT_STRING_EQUAL(recread_id_text(&r.attr[A_NAME]), "1e400");
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), 0);
	recread_close(&r);
	fixture_free(&f);
}

/* A record nested n levels: the record itself, then n - 1 arrays. */
static char *nested(int n)
{
	struct buf b = {0};

	buf_adds(&b, "{\"id\":\"1\",\"x\":");
	for (int i = 1; i < n; i++)
		buf_addc(&b, '[');
	for (int i = 1; i < n; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	return buf_detach(&b);
}

static void test_depth_limit_counted_in_the_callbacks(void)
{
	char *ok = nested(JSON_MAX_DEPTH), *deep = nested(JSON_MAX_DEPTH + 1);
	const char *lines[] = {ok, deep, NULL};
	struct fixture f;
	struct recread r;

	write_file(&f, "contacts.ndjson.gz", lines);
	CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &f.x, &f.e), 0);
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), 1);
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), -1);
	CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "contacts.ndjson.gz:2: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "nested deeper than 64 levels"));
	CU_ASSERT_FALSE(r.damaged);
	recread_close(&r);
	fixture_free(&f);
	free(ok);
	free(deep);
}

/* Each bad line, after a good one and an empty one: refused naming line 3. */
static void test_malformed_line_names_file_and_line(void)
{
	static const char *const bad[][2] = {
		{"{\"id\":\"3\",\"attributes\":{\"name\":", "no complete value on the line"},
		{"{\"id\":\"3\"} {\"id\":\"4\"}", "more than one JSON value"},
		{"{\"id\":\"3\"}{\"id\":\"4\"}", "more than one JSON value"},
		{"{\"id\":\"3\" /* c */}", "not a JSON record"},
		{"{\"id\":\"3\",\"name\":\"\xff\"}", "not a JSON record"},
		{"{\"id\":tru}", "not a JSON record"},
		{"[{\"id\":\"3\"}]", "record has no id"},
		{"17", "record has no id"},
		{"{\"id\":\"\"}", "record has no id"},
		{"{\"id\":null}", "record has no id"},
		{"{\"attributes\":{}}", "record has no id"},
		{"   ", "not a JSON record"},
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *lines[] = {"{\"id\":\"1\"}", "", bad[i][0], "{\"id\":\"5\"}", NULL};
		struct fixture f;
		size_t n;
		int damaged;

		write_file(&f, "domains.ndjson.gz", lines);
		CU_ASSERT_EQUAL(read_all(&f, &f.x, &n, &damaged), -1);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
		CU_ASSERT_FALSE(damaged);
		if (!strstr(f.e.msg, "domains.ndjson.gz:3: ") || !strstr(f.e.msg, bad[i][1]) ||
		    strchr(f.e.msg, '\n'))
			fprintf(stderr, "\n  line [%s]: message [%s]\n", bad[i][0], f.e.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "domains.ndjson.gz:3: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, bad[i][1]));
		CU_ASSERT_PTR_NULL(strchr(f.e.msg, '\n'));
		fixture_free(&f);
	}
}

static void test_manifest_mismatch_fails_at_the_end(void)
{
	static const char *const lines[] = {"{\"id\":\"1\"}", "{\"id\":\"2\"}", NULL};
	struct recread_expect x;
	struct fixture f;
	size_t n;
	int damaged;

	write_file(&f, "contacts.ndjson.gz", lines);
	CU_ASSERT_EQUAL(read_all(&f, &f.x, &n, &damaged), 0);
	CU_ASSERT_EQUAL(n, 2);
	/* without a manifest nothing is compared */
	CU_ASSERT_EQUAL(read_all(&f, NULL, &n, &damaged), 0);

	x = f.x;
	x.crc32 ^= 1;
	CU_ASSERT_EQUAL(read_all(&f, &x, &n, &damaged), -1);
	CU_ASSERT_EQUAL(n, 2);   /* every record first: the check is at the end */
	CU_ASSERT(damaged);
	CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "contacts.ndjson.gz: does not match the snapshot manifest"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "crc32"));

	x = f.x;
	x.records = 3;
	CU_ASSERT_EQUAL(read_all(&f, &x, &n, &damaged), -1);
	CU_ASSERT(damaged);
	x = f.x;
	x.bytes--;
	CU_ASSERT_EQUAL(read_all(&f, &x, &n, &damaged), -1);
	CU_ASSERT(damaged);

	/* skipping the rest checks the manifest too */
	{
		struct recread r;
		x = f.x;
		x.crc32 ^= 1;
		CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &f.x, &f.e), 0);
		CU_ASSERT_EQUAL(recread_next(&r, &f.e), 1);
		CU_ASSERT_EQUAL(recread_skip_rest(&r, &f.e), 0);
		recread_close(&r);
		CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &x, &f.e), 0);
		CU_ASSERT_EQUAL(recread_skip_rest(&r, &f.e), -1);
		CU_ASSERT(r.damaged);
		recread_close(&r);
	}
	fixture_free(&f);
}

static void test_damaged_gzip_is_the_files_fault(void)
{
	struct fixture f;
	struct buf b = {0};
	const char **lines = calloc(3001, sizeof *lines);
	char **recs = calloc(3000, sizeof *recs);
	size_t n;
	int damaged;

	for (int i = 0; i < 3000; i++) {
		recs[i] = xasprintf("{\"id\":\"%d\",\"attributes\":{\"name\":\"org %d\"}}", i + 1,
				    i * 7919);
		lines[i] = recs[i];
	}
	write_file(&f, "organizations.ndjson.gz", lines);
	CU_ASSERT_EQUAL(fs_read_all(f.path, &b, 0, &f.e), 0);
	/* cut: truncated */
	CU_ASSERT_EQUAL(fs_write_atomic(f.path, b.p, b.len - 30, 0600, &f.e), 0);
	CU_ASSERT_EQUAL(read_all(&f, &f.x, &n, &damaged), -1);
	CU_ASSERT(damaged);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "organizations.ndjson.gz:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "truncated gzip data"));
	/* the trailer's CRC changed: corrupt, after every line was read */
	b.p[b.len - 8] ^= 0x55;
	CU_ASSERT_EQUAL(fs_write_atomic(f.path, b.p, b.len, 0600, &f.e), 0);
	CU_ASSERT_EQUAL(read_all(&f, &f.x, &n, &damaged), -1);
	CU_ASSERT(damaged);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "corrupt gzip data"));
	/* not gzip at all */
	CU_ASSERT_EQUAL(fs_write_atomic(f.path, "{\"id\":\"1\"}\n", 11, 0600, &f.e), 0);
	CU_ASSERT_EQUAL(read_all(&f, &f.x, &n, &damaged), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "not a gzip file"));
	for (int i = 0; i < 3000; i++)
		free(recs[i]);
	free(recs);
	free(lines);
	buf_free(&b);
	fixture_free(&f);
}

/* gzip members one after the other read as one text, with the CRC-32 of
 * the whole; CRLF line ends and empty lines count as lines, not records. */
static void test_ndjson_reads_concatenated_members_with_their_crc(void)
{
	static const char *const a[] = {"{\"id\":\"1\"}\r", "", NULL};
	static const char *const b[] = {"{\"id\":\"2\"}", "{\"id\":\"3\"}", NULL};
	struct fixture fa, fb;
	struct buf ga = {0}, gb = {0};
	struct ndjson_reader r;
	const char *text = "{\"id\":\"1\"}\r\n\n{\"id\":\"2\"}\n{\"id\":\"3\"}\n";
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text,
				       (uInt)strlen(text));
	const char *line;
	size_t len;

	write_file(&fa, "a.ndjson.gz", a);
	write_file(&fb, "b.ndjson.gz", b);
	CU_ASSERT_EQUAL(fs_read_all(fa.path, &ga, 0, &fa.e), 0);
	CU_ASSERT_EQUAL(fs_read_all(fb.path, &gb, 0, &fb.e), 0);
	buf_add(&ga, gb.p, gb.len);
	CU_ASSERT_EQUAL(fs_write_atomic(fa.path, ga.p, ga.len, 0600, &fa.e), 0);
	CU_ASSERT_EQUAL_FATAL(ndjson_reader_open(&r, fa.path, &fa.e), 0);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &fa.e), 1);
	CU_ASSERT_STRING_EQUAL(line, "{\"id\":\"1\"}");
	CU_ASSERT_EQUAL(len, 10);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &fa.e), 1);
	CU_ASSERT_STRING_EQUAL(line, "{\"id\":\"2\"}");
	CU_ASSERT_EQUAL(r.lineno, 3);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &fa.e), 1);
	CU_ASSERT_EQUAL(ndjson_reader_next(&r, &line, &len, &fa.e), 0);
	CU_ASSERT_EQUAL(r.records, 3);
	CU_ASSERT_EQUAL(r.bytes, strlen(text));
	CU_ASSERT_EQUAL(r.crc, crc);
	ndjson_reader_close(&r);
	buf_free(&ga);
	buf_free(&gb);
	fixture_free(&fa);
	fixture_free(&fb);
}

/* Lines longer than the reader's chunk, and a last line without newline
 * (written with zlib itself: the writer always ends a line). */
static void test_long_lines_across_chunks(void)
{
	static const char *const none[] = {NULL};
	struct fixture f;
	struct recread r;
	struct recread_expect x;
	struct buf text = {0};
	gzFile gz;

	for (int i = 0; i < 3; i++) {
		if (i)
			buf_addc(&text, '\n');
		buf_addf(&text, "{\"id\":\"%d\",\"attributes\":{\"name\":\"", i + 1);
		for (int k = 0; k < 50000 * (i + 1); k++)
			buf_addc(&text, (char)('a' + k % 26));
		buf_adds(&text, "\"}}");
	}
	write_file(&f, "organizations.ndjson.gz", none);
	gz = gzopen(f.path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
	CU_ASSERT_EQUAL(gzwrite(gz, text.p, (unsigned)text.len), (int)text.len);
	CU_ASSERT_EQUAL(gzclose(gz), Z_OK);
	x.records = 3;
	x.bytes = text.len;
	x.crc32 = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text.p, (uInt)text.len);
	CU_ASSERT_EQUAL_FATAL(recread_open(&r, f.path, &spec, &x, &f.e), 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(recread_next(&r, &f.e), 1);
		CU_ASSERT_EQUAL(strlen(recread_str(&r.attr[A_NAME])), (size_t)(50000 * (i + 1)));
		CU_ASSERT_EQUAL(recread_lineno(&r), i + 1);
	}
	CU_ASSERT_EQUAL(recread_next(&r, &f.e), 0);
	recread_close(&r);
	buf_free(&text);
	fixture_free(&f);
}

static CU_TestInfo tests[] = {
	{"test_fields_pulled_and_the_rest_skipped", test_fields_pulled_and_the_rest_skipped},
	{"test_first_of_duplicate_keys_counts_as_in_a_tree",
	 test_first_of_duplicate_keys_counts_as_in_a_tree},
	{"test_ids_beyond_2_53_stay_text", test_ids_beyond_2_53_stay_text},
	{"test_depth_limit_counted_in_the_callbacks", test_depth_limit_counted_in_the_callbacks},
	{"test_malformed_line_names_file_and_line", test_malformed_line_names_file_and_line},
	{"test_manifest_mismatch_fails_at_the_end", test_manifest_mismatch_fails_at_the_end},
	{"test_damaged_gzip_is_the_files_fault", test_damaged_gzip_is_the_files_fault},
	{"test_ndjson_reads_concatenated_members_with_their_crc",
	 test_ndjson_reads_concatenated_members_with_their_crc},
	{"test_long_lines_across_chunks", test_long_lines_across_chunks},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("recread", NULL, NULL, tests)
