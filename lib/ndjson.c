#include "ndjson.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GZ_BUFFER (128 * 1024)
#define READ_CHUNK (64 * 1024)
#define IN_CHUNK (64 * 1024)

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

/* zlib allocates through xalloc: out of memory is the one clean exit, and
 * make allocfail counts these allocations too. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return xcalloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	free(p);
}

int ndjson_reader_open(struct ndjson_reader *r, const char *path, struct itg_err *e)
{
	FILE *fp;

	memset(r, 0, sizeof *r);
	fp = fopen(path, "rb");
	if (!fp)
		return err_set(e, ITG_EXIT_USAGE, "cannot read %s: %s", path, strerror(errno));
	r->in = xmalloc(IN_CHUNK);
	r->zs.avail_in = (uInt)fread(r->in, 1, 2, fp);
	if (r->zs.avail_in != 2 || r->in[0] != 0x1f || r->in[1] != 0x8b) {
		fclose(fp);
		free(r->in);
		memset(r, 0, sizeof *r);
		return err_set(e, ITG_EXIT_USAGE, "%s: not a gzip file", path);
	}
	r->zs.next_in = r->in;
	r->zs.zalloc = z_alloc;
	r->zs.zfree = z_free;
	/* 16 + MAX_WBITS: a gzip wrapper, whose trailer CRC-32 zlib checks */
	if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK) {
		fclose(fp);
		free(r->in);
		memset(r, 0, sizeof *r);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot inflate %s", path);
	}
	r->zinit = 1;
	r->fp = fp;
	r->path = xstrdup(path);
	r->chunk = xmalloc(READ_CHUNK);
	r->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return 0;
}

/* Reads more compressed bytes after the keep bytes not yet inflated. */
static int read_in(struct ndjson_reader *r, struct itg_err *e)
{
	size_t keep = r->zs.avail_in, n;

	if (keep)
		memmove(r->in, r->zs.next_in, keep);
	n = fread(r->in + keep, 1, IN_CHUNK - keep, r->fp);
	if (n == 0) {
		if (ferror(r->fp))
			return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", r->path,
				       strerror(errno));
		r->in_eof = 1;
	}
	r->zs.next_in = r->in;
	r->zs.avail_in = (uInt)(keep + n);
	return 0;
}

/*
 * Inflates the next chunk of text.  The running CRC-32 is zlib's own check
 * value (zs.adler), combined across members; a member that ends before its
 * trailer is "truncated", bad deflate data or a trailer that does not match
 * is "corrupt".
 */
static int fill(struct ndjson_reader *r, struct itg_err *e)
{
	r->zs.next_out = (Bytef *)r->chunk;
	r->zs.avail_out = READ_CHUNK;
	while (r->zs.avail_out == READ_CHUNK) {
		int zrc;
		if (r->member_end) {
			/* another member, or the end (bytes after the last member are
			 * ignored, as gzread does) */
			if (r->zs.avail_in < 2 && !r->in_eof) {
				if (read_in(r, e) != 0)
					return -1;
				continue;
			}
			if (r->zs.avail_in < 2 || r->zs.next_in[0] != 0x1f || r->zs.next_in[1] != 0x8b) {
				r->eof = 1;
				break;
			}
			inflateReset(&r->zs);
			r->member_end = 0;
		}
		if (r->zs.avail_in == 0 && !r->in_eof && read_in(r, e) != 0)
			return -1;
		zrc = inflate(&r->zs, Z_NO_FLUSH);
		r->bytes = r->bytes_done + r->zs.total_out;
		r->crc = r->bytes_done ? (uint32_t)crc32_combine(r->crc_done, r->zs.adler,
								  (z_off_t)r->zs.total_out)
				       : (uint32_t)r->zs.adler;
		if (zrc == Z_STREAM_END) {
			r->member_end = 1;
			r->crc_done = r->crc;
			r->bytes_done = r->bytes;
			continue;
		}
		if (zrc == Z_OK)
			continue;
		if (zrc == Z_BUF_ERROR && r->zs.avail_in == 0) {
			if (r->in_eof)
				return err_at(e, ITG_EXIT_USAGE, r->path, r->lineno + 1, 0,
					      "truncated gzip data");
			continue;
		}
		return err_at(e, ITG_EXIT_USAGE, r->path, r->lineno + 1, 0, "corrupt gzip data: %s",
			      r->zs.msg ? r->zs.msg : "invalid data");
	}
	r->chunk_len = READ_CHUNK - r->zs.avail_out;
	r->chunk_pos = 0;
	return 0;
}

int ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len,
		       struct itg_err *e)
{
	for (;;) {
		char *p, *nl;
		size_t n, avail;

		if (r->line_out) {
			buf_reset(&r->line);
			r->line_out = 0;
		}
		if (r->chunk_pos == r->chunk_len) {
			if (!r->eof) {
				if (fill(r, e) != 0)
					return -1;
				continue;
			}
			if (r->line.len == 0)
				return 0;
			/* the last line, with no newline after it */
			p = r->line.p;
			n = r->line.len;
			r->line_out = 1;
		} else {
			p = r->chunk + r->chunk_pos;
			avail = r->chunk_len - r->chunk_pos;
			nl = memchr(p, '\n', avail);
			if (!nl) {
				buf_add(&r->line, p, avail);
				r->chunk_pos = r->chunk_len;
				continue;
			}
			n = (size_t)(nl - p);
			r->chunk_pos += n + 1;
			if (r->line.len) {
				/* the rest of a line cut by the end of the chunk before */
				buf_add(&r->line, p, n);
				p = r->line.p;
				n = r->line.len;
				r->line_out = 1;
			} else {
				*nl = '\0';
			}
		}
		r->lineno++;
		if (n && p[n - 1] == '\r')
			p[--n] = '\0';
		if (n == 0)
			continue;
		r->records++;
		*line = p;
		*len = n;
		return 1;
	}
}

void ndjson_reader_close(struct ndjson_reader *r)
{
	if (r->zinit)
		inflateEnd(&r->zs);
	if (r->fp)
		fclose(r->fp);
	free(r->in);
	free(r->path);
	free(r->chunk);
	buf_free(&r->line);
	memset(r, 0, sizeof *r);
}
