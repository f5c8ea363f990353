#include "ndjson.h"
#include "fsutil.h"
#include "workq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define IN_CHUNK (64 * 1024)

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

/*
 * The writer cuts the text into blocks of NDJSON_BLOCK bytes (at a line's
 * end: the first line that reaches the size ends the block) and compresses
 * each into a gzip member of its own on lib/workq threads, while the lines
 * of the next blocks are added; the members are written in order.  The cut
 * depends on the text alone, so the file is the same bytes for any number
 * of threads.  A file of less than a block is one member, compressed when
 * it is closed, with no thread.  The CRC-32 and length are of the text, kept
 * as lines are added.
 */
struct ndjson_block {
	struct workq_job job;      /* first: the queue's handle */
	struct buf in;             /* the lines */
	unsigned char *out;        /* the member */
	size_t out_len, out_cap;
	int failed;                /* deflate did not finish */
};

static int block_write_out(struct ndjson_writer *w, struct ndjson_block *b, struct itg_err *e)
{
	if (b->failed)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: compression failed", w->path);
	if (fs_write_fd(w->fd, b->out, b->out_len) != 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path, strerror(errno));
	return 0;
}

/* A worker (or the writer itself): the block's lines into one gzip member. */
static void block_deflate(void *ctx, struct workq_job *job, int worker)
{
	struct ndjson_block *b = (struct ndjson_block *)job;
	z_stream zs;
	size_t need;

	(void)ctx;
	(void)worker;
	memset(&zs, 0, sizeof zs);
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	b->failed = 1;
	b->out_len = 0;
	/* 16 + MAX_WBITS: the gzip wrapper (a header with no name and no time) */
	if (deflateInit2(&zs, NDJSON_LEVEL, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return;
	need = deflateBound(&zs, (uLong)b->in.len);
	if (need > b->out_cap) {
		free(b->out);
		b->out = xmalloc(need);
		b->out_cap = need;
	}
	zs.next_in = (Bytef *)(b->in.p ? b->in.p : "");
	zs.avail_in = (uInt)b->in.len;
	zs.next_out = b->out;
	zs.avail_out = (uInt)b->out_cap;
	if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
		b->out_len = b->out_cap - zs.avail_out;
		b->failed = 0;
	}
	deflateEnd(&zs);
}

int ndjson_writer_open(struct ndjson_writer *w, const char *path, struct itg_err *e)
{
	memset(w, 0, sizeof *w);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, ITG_FILE_MODE);
	if (w->fd < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", path, strerror(errno));
	w->path = xstrdup(path);
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	w->nring = 1;
	w->ring = xcalloc(1, sizeof *w->ring);
	return 0;
}

/* The current block is full (or the file ends): to a thread, and the
 * oldest compressed block out when the ring is full. */
static int block_submit(struct ndjson_writer *w, struct itg_err *e)
{
	if (!w->started) {
		/* the first full block: threads, and a ring of blocks for them */
		int n = workq_threads();
		struct ndjson_block *ring = xcalloc((size_t)n * 2, sizeof *ring);
		ring[0] = w->ring[0];
		free(w->ring);
		w->ring = ring;
		w->nring = (size_t)n * 2;
		workq_start(&w->q, n, block_deflate, NULL);
		w->started = 1;
	}
	workq_push(&w->q, &w->ring[w->pushed % w->nring].job);
	w->pushed++;
	if (w->pushed - w->written == w->nring) {
		struct ndjson_block *old = &w->ring[w->written % w->nring];
		workq_wait(&w->q, &old->job);
		w->written++;
		if (block_write_out(w, old, e) != 0)
			return -1;
	}
	buf_reset(&w->ring[w->pushed % w->nring].in);
	return 0;
}

int ndjson_writer_line(struct ndjson_writer *w, const char *json, size_t len, struct itg_err *e)
{
	struct ndjson_block *b = &w->ring[w->pushed % w->nring];

	/* deflate takes an unsigned count: a block stays well under it */
	if (len > NDJSON_MAX_LINE)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: a line of %zu bytes", w->path,
			       len);
	buf_add(&b->in, json, len);
	buf_addc(&b->in, '\n');
	w->crc = (uint32_t)crc32_z(w->crc, (const Bytef *)json, len);
	w->crc = (uint32_t)crc32(w->crc, (const Bytef *)"\n", 1);
	w->bytes += len + 1;
	w->records++;
	if (b->in.len >= NDJSON_BLOCK)
		return block_submit(w, e);
	return 0;
}

/* Waits for every block pushed (their members written in order while rc
 * is 0), stops the threads, frees the ring. */
static int writer_drain(struct ndjson_writer *w, int rc, struct itg_err *e)
{
	while (w->written < w->pushed) {
		struct ndjson_block *b = &w->ring[w->written % w->nring];
		if (w->started)
			workq_wait(&w->q, &b->job);
		w->written++;
		if (rc == 0)
			rc = block_write_out(w, b, e);
	}
	if (w->started)
		workq_stop(&w->q);
	w->started = 0;
	for (size_t i = 0; i < w->nring; i++) {
		buf_free(&w->ring[i].in);
		free(w->ring[i].out);
	}
	free(w->ring);
	w->ring = NULL;
	w->nring = 0;
	return rc;
}

int ndjson_writer_close(struct ndjson_writer *w, struct itg_err *e)
{
	struct ndjson_block *b = &w->ring[w->pushed % w->nring];
	int rc = 0;

	/* the last lines; an empty file is one empty member */
	if (b->in.len || w->pushed == 0) {
		if (w->started) {
			workq_push(&w->q, &b->job);
		} else {
			b->job.done = 1;
			block_deflate(NULL, &b->job, 0);
		}
		w->pushed++;
	}
	rc = writer_drain(w, rc, e);
	if (rc == 0 && fsync(w->fd) != 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot sync %s: %s", w->path, strerror(errno));
	if (close(w->fd) != 0 && rc == 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path, strerror(errno));
	w->fd = -1;
	if (rc != 0)
		unlink(w->path);
	free(w->path);
	w->path = NULL;
	return rc;
}

void ndjson_writer_abort(struct ndjson_writer *w)
{
	if (w->ring)
		writer_drain(w, -1, NULL);
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
