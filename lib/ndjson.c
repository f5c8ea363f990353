#include "ndjson.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GZ_BUFFER (128 * 1024)
#define READ_CHUNK (64 * 1024)

int ndjson_writer_open(struct ndjson_writer *w, const char *path, struct itg_err *e)
{
	int fd;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, ITG_FILE_MODE);
	if (fd < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", path, strerror(errno));
	w->fd = dup(fd);
	w->gz = gzdopen(fd, "wb6");
	if (!w->gz || w->fd < 0) {
		close(fd);
		if (w->fd >= 0)
			close(w->fd);
		unlink(path);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s for gzip", path);
	}
	gzbuffer(w->gz, GZ_BUFFER);
	w->path = xstrdup(path);
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return 0;
}

static int gz_put(struct ndjson_writer *w, const char *p, size_t n, struct itg_err *e)
{
	while (n) {
		unsigned part = n > (1u << 30) ? (1u << 30) : (unsigned)n;
		int errnum;
		if (gzwrite(w->gz, p, part) != (int)part) {
			const char *msg = gzerror(w->gz, &errnum);
			return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				       errnum == Z_ERRNO ? strerror(errno) : msg);
		}
		w->crc = (uint32_t)crc32(w->crc, (const Bytef *)p, part);
		w->bytes += part;
		p += part;
		n -= part;
	}
	return 0;
}

int ndjson_writer_line(struct ndjson_writer *w, const char *json, size_t len, struct itg_err *e)
{
	if (gz_put(w, json, len, e) != 0 || gz_put(w, "\n", 1, e) != 0)
		return -1;
	w->records++;
	return 0;
}

int ndjson_writer_close(struct ndjson_writer *w, struct itg_err *e)
{
	int rc = 0, zrc = gzclose(w->gz);

	w->gz = NULL;
	if (zrc != Z_OK)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
			     zrc == Z_ERRNO ? strerror(errno) : "compression failed");
	else if (fsync(w->fd) != 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot sync %s: %s", w->path, strerror(errno));
	close(w->fd);
	w->fd = -1;
	if (rc != 0)
		unlink(w->path);
	free(w->path);
	w->path = NULL;
	return rc;
}

void ndjson_writer_abort(struct ndjson_writer *w)
{
	if (w->gz)
		gzclose(w->gz);
	if (w->fd >= 0)
		close(w->fd);
	if (w->path)
		unlink(w->path);
	free(w->path);
	memset(w, 0, sizeof *w);
	w->fd = -1;
}

int ndjson_reader_open(struct ndjson_reader *r, const char *path, struct itg_err *e)
{
	unsigned char magic[2];
	FILE *fp;

	memset(r, 0, sizeof *r);
	fp = fopen(path, "rb");
	if (!fp)
		return err_set(e, ITG_EXIT_USAGE, "cannot read %s: %s", path, strerror(errno));
	if (fread(magic, 1, 2, fp) != 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		fclose(fp);
		return err_set(e, ITG_EXIT_USAGE, "%s: not a gzip file", path);
	}
	fclose(fp);
	r->gz = gzopen(path, "rb");
	if (!r->gz)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: %s", path, strerror(errno));
	gzbuffer(r->gz, GZ_BUFFER);
	r->path = xstrdup(path);
	r->chunk = xmalloc(READ_CHUNK);
	r->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return 0;
}

static int fill(struct ndjson_reader *r, struct itg_err *e)
{
	int n = gzread(r->gz, r->chunk, READ_CHUNK);
	int errnum = Z_OK;

	if (n < 0) {
		const char *msg = gzerror(r->gz, &errnum);
		return err_at(e, ITG_EXIT_USAGE, r->path, r->lineno + 1, 0, "corrupt gzip data: %s",
			      msg);
	}
	if (n == 0) {
		/* zlib defers "unexpected end of file" to gzerror/gzclose */
		gzerror(r->gz, &errnum);
		if (errnum != Z_OK)
			return err_at(e, ITG_EXIT_USAGE, r->path, r->lineno + 1, 0,
				      "truncated gzip data");
		r->eof = 1;
	}
	r->crc = (uint32_t)crc32(r->crc, (const Bytef *)r->chunk, (unsigned)n);
	r->bytes += (uint64_t)n;
	r->chunk_len = (size_t)n;
	r->chunk_pos = 0;
	return 0;
}

int ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len,
		       struct itg_err *e)
{
	for (;;) {
		buf_reset(&r->line);
		for (;;) {
			char *nl;
			size_t avail;
			if (r->chunk_pos == r->chunk_len) {
				if (r->eof)
					break;
				if (fill(r, e) != 0)
					return -1;
				continue;
			}
			avail = r->chunk_len - r->chunk_pos;
			nl = memchr(r->chunk + r->chunk_pos, '\n', avail);
			if (nl) {
				size_t n = (size_t)(nl - (r->chunk + r->chunk_pos));
				buf_add(&r->line, r->chunk + r->chunk_pos, n);
				r->chunk_pos += n + 1;
				goto got_line;
			}
			buf_add(&r->line, r->chunk + r->chunk_pos, avail);
			r->chunk_pos = r->chunk_len;
		}
		if (r->line.len == 0)
			return 0;
got_line:
		r->lineno++;
		if (r->line.len && r->line.p[r->line.len - 1] == '\r')
			r->line.p[--r->line.len] = '\0';
		if (r->line.len == 0)
			continue;
		r->records++;
		*line = r->line.p;
		*len = r->line.len;
		return 1;
	}
}

void ndjson_reader_close(struct ndjson_reader *r)
{
	if (r->gz)
		gzclose(r->gz);
	free(r->path);
	free(r->chunk);
	buf_free(&r->line);
	memset(r, 0, sizeof *r);
}
