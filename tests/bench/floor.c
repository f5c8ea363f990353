/*
 * floor.c - bin/bench-floor, the floor scripts/bench compares itg-transform
 * with: the least any reader of a snapshot must do.  Each FILE.ndjson.gz is
 * inflated with zlib and every line is given to yajl's parser with no
 * callbacks; nothing is kept, checked or counted beyond the lines.
 *
 *   bench-floor FILE.ndjson.gz...   prints "LINES lines, BYTES bytes"
 *
 * It reads the way lib/ndjson and lib/recread do (gzread in 64 KiB chunks
 * through a 128 KiB gzip buffer; one yajl handle per file taking one value
 * per line), so the ratio scripts/bench prints is the cost of the rules and
 * of the fields pulled, not of another way of inflating.  A parse error is
 * reported with its file and line and exit 1: the bench must not measure a
 * parser that stopped early.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <zlib.h>

#define GZ_BUFFER (128 * 1024)
#define READ_CHUNK (64 * 1024)

struct floor_file {
	const char *path;
	yajl_handle h;
	unsigned long long lines;
	char *carry;               /* a line cut by the end of a chunk */
	size_t carry_len, carry_cap;
};

static int parse_line(struct floor_file *f, const char *p, size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (!n)
		return 0;
	f->lines++;
	/* the newline ends a number yajl would otherwise wait on */
	if (yajl_parse(f->h, (const unsigned char *)p, n) != yajl_status_ok ||
	    yajl_parse(f->h, (const unsigned char *)"\n", 1) != yajl_status_ok) {
		unsigned char *msg = yajl_get_error(f->h, 0, (const unsigned char *)p, n);
		fprintf(stderr, "bench-floor: %s:%llu: %s", f->path, f->lines, (const char *)msg);
		yajl_free_error(f->h, msg);
		return -1;
	}
	return 0;
}

static int carry_add(struct floor_file *f, const char *p, size_t n)
{
	if (f->carry_len + n > f->carry_cap) {
		size_t cap = f->carry_cap ? f->carry_cap : 4096;
		char *q;
		while (cap < f->carry_len + n)
			cap *= 2;
		q = realloc(f->carry, cap);
		if (!q) {
			fprintf(stderr, "bench-floor: out of memory\n");
			return -1;
		}
		f->carry = q;
		f->carry_cap = cap;
	}
	memcpy(f->carry + f->carry_len, p, n);
	f->carry_len += n;
	return 0;
}

static int floor_file(const char *path, unsigned long long *lines, unsigned long long *bytes)
{
	struct floor_file f = {.path = path};
	char *chunk = malloc(READ_CHUNK);
	gzFile gz = gzopen(path, "rb");
	int rc = -1, n, errnum;

	if (!chunk || !gz) {
		fprintf(stderr, "bench-floor: cannot open %s\n", path);
		goto out;
	}
	gzbuffer(gz, GZ_BUFFER);
	f.h = yajl_alloc(NULL, NULL, NULL);
	if (!f.h)
		goto out;
	yajl_config(f.h, yajl_allow_multiple_values, 1);
	while ((n = gzread(gz, chunk, READ_CHUNK)) > 0) {
		const char *p = chunk, *end = chunk + n, *nl;
		*bytes += (unsigned long long)n;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (f.carry_len) {
				if (carry_add(&f, p, (size_t)(nl - p)) != 0 ||
				    parse_line(&f, f.carry, f.carry_len) != 0)
					goto out;
				f.carry_len = 0;
			} else if (parse_line(&f, p, (size_t)(nl - p)) != 0) {
				goto out;
			}
			p = nl + 1;
		}
		if (p < end && carry_add(&f, p, (size_t)(end - p)) != 0)
			goto out;
	}
	gzerror(gz, &errnum);
	if (n < 0 || errnum != Z_OK) {
		fprintf(stderr, "bench-floor: %s: corrupt or truncated gzip data\n", path);
		goto out;
	}
	if (f.carry_len && parse_line(&f, f.carry, f.carry_len) != 0)
		goto out;
	if (yajl_complete_parse(f.h) != yajl_status_ok) {
		fprintf(stderr, "bench-floor: %s: the last line ends inside a value\n", path);
		goto out;
	}
	*lines += f.lines;
	rc = 0;
out:
	if (f.h)
		yajl_free(f.h);
	if (gz)
		gzclose(gz);
	free(f.carry);
	free(chunk);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long long lines = 0, bytes = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-floor FILE.ndjson.gz...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (floor_file(argv[i], &lines, &bytes) != 0)
			return 1;
	printf("%llu lines, %llu bytes\n", lines, bytes);
	return 0;
}
