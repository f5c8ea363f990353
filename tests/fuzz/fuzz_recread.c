/*
 * fuzz_recread.c - lib/recread (snapshot records through yajl's callbacks)
 * on arbitrary NDJSON text, against json_parse's tree as the reference.
 *
 * The input is gzipped into a file and read with the manifest figures of
 * its own text.  Checks, line by line (split as lib/ndjson does): a record
 * the stream accepts is one json_parse accepts as an object with a
 * non-empty id, and the reverse (but for one leniency of the tree, see
 * tree_leniency); every pulled field (id, attributes, contact-emails'
 * value and primary) is what lib/json's lookups give on the tree; a refusal names the file and the line, on one line.  A clean end
 * means every line was read and the CRC-32, length and count matched.
 */
#include "fuzz_util.h"

#include "json.h"
#include "recread.h"

#include <zlib.h>

enum { A_ORG, A_FIRST, A_TYPE, A_NAME };
static const struct recread_spec spec = {
	.attrs = {"organization-id", "first-name", "contact-type-id", "name", NULL},
	.list = "contact-emails",
	.members = {"value", "primary", NULL},
};
static const char *const attr_names[] = {"organization-id", "first-name", "contact-type-id",
					 "name"};

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The streamed record equals what the tree gives. */
static void compare(const struct recread *r, yajl_val v)
{
	yajl_val attrs = json_get(v, "attributes");
	yajl_val list = json_get(attrs, "contact-emails");
	size_t n = 0;

	FUZZ_CHECK(same(recread_id_text(&r->id), json_get_id(v, "id")), "id differs");
	for (size_t k = 0; k < 4; k++) {
		yajl_val a = json_get(attrs, attr_names[k]);
		FUZZ_CHECK(same(recread_id_text(&r->attr[k]), json_str_or_number(a)),
			   "%s as an id differs", attr_names[k]);
		FUZZ_CHECK(same(recread_str(&r->attr[k]), json_get_str(attrs, attr_names[k])),
			   "%s as a string differs", attr_names[k]);
	}
	if (list && YAJL_IS_ARRAY(list))
		for (size_t i = 0; i < list->u.array.len; i++) {
			yajl_val o = list->u.array.values[i];
			if (!YAJL_IS_OBJECT(o))
				continue;
			FUZZ_CHECK(n < r->nitems, "an email object is missing");
			FUZZ_CHECK(same(recread_str(recread_item(r, n, 0)), json_get_str(o, "value")),
				   "email %zu value differs", n);
			FUZZ_CHECK(recread_bool(recread_item(r, n, 1), 0) ==
					   json_get_bool(o, "primary", 0),
				   "email %zu primary differs", n);
			n++;
		}
	FUZZ_CHECK(n == r->nitems, "%zu email objects streamed, %zu in the tree", r->nitems, n);
}

/*
 * yajl_tree_parse's one known leniency: after a complete value, trailing
 * garbage that is an unterminated string ({"id":"1"} "abc) passes, since
 * the lexer waits for the string's end and yajl_complete_parse's final
 * space only extends it.  The stream refuses such a line; so does the tree
 * once the string is closed ("trailing garbage").
 */
static int tree_leniency(const char *line, size_t len)
{
	char errbuf[256];
	char *closed = malloc(len + 2);
	yajl_val v;

	if (!closed)
		abort();
	memcpy(closed, line, len);
	closed[len] = '"';
	closed[len + 1] = '\0';
	v = json_parse(closed, len + 1, errbuf, sizeof errbuf);
	free(closed);
	if (v) {
		yajl_tree_free(v);
		return 0;
	}
	return strstr(errbuf, "trailing garbage") != NULL;
}

/* The next non-empty line of text from *pos, as lib/ndjson splits lines. */
static int next_line(const uint8_t *d, size_t size, size_t *pos, long *lineno, const char **line,
		     size_t *len)
{
	while (*pos < size) {
		const uint8_t *nl = memchr(d + *pos, '\n', size - *pos);
		size_t n = nl ? (size_t)(nl - (d + *pos)) : size - *pos;
		*line = (const char *)d + *pos;
		*pos += n + (nl ? 1 : 0);
		(*lineno)++;
		if (n && (*line)[n - 1] == '\r')
			n--;
		if (n) {
			*len = n;
			return 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4400];
	struct recread_expect x;
	struct recread r;
	struct itg_err e = {0};
	size_t pos = 0, records = 0;
	long lineno = 0;
	gzFile gz;
	int rc;

	snprintf(path, sizeof path, "%s/records.ndjson.gz", fuzz_dir());
	gz = gzopen(path, "wb1");
	FUZZ_CHECK(gz != NULL, "cannot write %s", path);
	if (size)
		FUZZ_CHECK(gzwrite(gz, data, (unsigned)size) == (int)size, "gzwrite");
	FUZZ_CHECK(gzclose(gz) == Z_OK, "gzclose");
	x.bytes = size;
	x.crc32 = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
	x.records = 0;
	{
		size_t p = 0;
		long ln = 0;
		const char *line;
		size_t len;
		while (next_line(data, size, &p, &ln, &line, &len))
			x.records++;
	}

	FUZZ_CHECK(recread_open(&r, path, &spec, &x, &e) == 0, "open: %s", e.msg);
	for (;;) {
		const char *line = NULL;
		size_t len = 0;
		int have = next_line(data, size, &pos, &lineno, &line, &len);
		char errbuf[256];
		yajl_val v;
		int accepted;

		rc = recread_next(&r, &e);
		if (!have) {
			FUZZ_CHECK(rc == 0, "the text ended, the reader did not: %d %s", rc, e.msg);
			break;
		}
		v = json_parse(line, len, errbuf, sizeof errbuf);
		accepted = v && YAJL_IS_OBJECT(v) && json_get_id(v, "id") && *json_get_id(v, "id");
		if (rc == 1) {
			FUZZ_CHECK(accepted, "line %ld streamed, the tree refuses it: %s", lineno,
				   v ? "no object with an id" : errbuf);
			FUZZ_CHECK(recread_lineno(&r) == lineno, "line %ld read as %ld", lineno,
				   recread_lineno(&r));
			compare(&r, v);
			records++;
		} else {
			char want[64];
			FUZZ_CHECK(rc == -1, "line %ld: the reader ended early", lineno);
			FUZZ_CHECK(!accepted || tree_leniency(line, len),
				   "line %ld refused, the tree accepts it: %s", lineno, e.msg);
			FUZZ_CHECK(!r.damaged, "line %ld: a line's fault taken for the file's: %s",
				   lineno, e.msg);
			snprintf(want, sizeof want, "records.ndjson.gz:%ld: ", lineno);
			FUZZ_CHECK(strstr(e.msg, want) != NULL, "message names no line %ld: %s",
				   lineno, e.msg);
			FUZZ_CHECK(strchr(e.msg, '\n') == NULL, "message spans lines: %s", e.msg);
		}
		yajl_tree_free(v);
		if (rc != 1)
			break;
	}
	if (rc == 0)
		FUZZ_CHECK(records == x.records, "%zu records of %llu", records,
			   (unsigned long long)x.records);
	recread_close(&r);
	return 0;
}
