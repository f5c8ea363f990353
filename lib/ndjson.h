/*
 * ndjson.h - gzip-compressed NDJSON files, written and read as a stream.
 *
 * Both sides count records and keep the CRC-32 and byte length of the
 * uncompressed text, which the snapshot manifest records and readers check.
 * Writers create files 0600 (snapshots hold contact names and emails).
 */
#ifndef ITG_NDJSON_H
#define ITG_NDJSON_H

#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "err.h"
#include "workq.h"
#include "xalloc.h"

/* The text a gzip member of a written file holds (the last may hold less),
 * and the compression level. */
#define NDJSON_BLOCK ((size_t)1 << 20)
#define NDJSON_LEVEL 6
#define NDJSON_MAX_LINE ((size_t)1 << 30)   /* longer is refused */

struct ndjson_block;
struct ndjson_writer {
	int fd;
	char *path;
	uint32_t crc;
	uint64_t bytes;   /* uncompressed, newlines included */
	uint64_t records;
	/* internal: blocks being filled and compressed (lib/ndjson.c) */
	struct ndjson_block *ring;
	size_t nring, pushed, written;
	int started;      /* q runs */
	struct workq q;
};

int ndjson_writer_open(struct ndjson_writer *w, const char *path, struct itg_err *e);
/* Writes one record (len bytes, no newline inside, at most NDJSON_MAX_LINE)
 * and a newline. */
int ndjson_writer_line(struct ndjson_writer *w, const char *json, size_t len, struct itg_err *e);
/* Flushes, fsyncs and closes; a write error surfaces here too. */
int ndjson_writer_close(struct ndjson_writer *w, struct itg_err *e);
/* Closes and unlinks after a failure. */
void ndjson_writer_abort(struct ndjson_writer *w);

/*
 * The reader inflates with zlib's inflate itself (not gzread): zlib keeps
 * the CRC-32 of what it inflated to check the gzip trailer, and that is
 * the CRC the manifest records, so it costs no second pass.  Concatenated
 * gzip members are read one after the other (their CRCs combined); bytes
 * after the last member that are not another member are ignored, as gzread
 * does.  Lines that lie inside one inflated chunk are returned where they
 * are, without a copy.
 */
struct ndjson_reader {
	FILE *fp;
	z_stream zs;
	int zinit;        /* zs is initialised */
	int member_end;   /* a member ended; another may follow */
	uint32_t crc_done;   /* CRC-32 and length of the members before this one */
	uint64_t bytes_done;
	unsigned char *in;   /* compressed bytes; zs.next_in, zs.avail_in in it */
	int in_eof;
	char *path;
	struct buf line;  /* a line cut by the end of a chunk */
	int line_out;     /* line was returned: emptied on the next call */
	char *chunk;      /* inflated text, one spare byte for a NUL */
	size_t chunk_len, chunk_pos;
	int eof;
	long lineno;      /* 1-based number of the line last returned */
	uint32_t crc;     /* of the text inflated so far */
	uint64_t bytes;
	uint64_t records;
};

/* Refuses a file that is not gzip. */
int ndjson_reader_open(struct ndjson_reader *r, const char *path, struct itg_err *e);
/*
 * Next non-empty line, without its newline (nor a CR before it),
 * NUL-terminated, valid until the next call (it may lie in the reader's
 * chunk, which the call writes the NUL into).  Returns 1 with a line, 0 at a
 * clean end (crc, bytes and records are then the whole file's), -1 on a
 * truncated or corrupt file (the error names the file and line).
 */
int ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len,
		       struct itg_err *e);
void ndjson_reader_close(struct ndjson_reader *r);

#endif
