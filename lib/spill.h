/*
 * spill.h - temporary record files: what does not fit in memory, written
 * once and read back in order.
 *
 * A spill file lives in a folder the caller names (the stage's staged
 * output folder), under an unpredictable name "<prefix>XXXXXX" created
 * exclusively and 0600 (mkstemp): it holds snapshot data, and nobody can
 * plant a file or a link there for it to write through.  Every record has
 * the same shape, fixed when the file is created: nints integers, then
 * nstrs byte strings.  On disk a record is a header of the integers (int64)
 * and the strings' lengths (uint32), native byte order, then the strings'
 * bytes: the file is read by the process that wrote it, never kept.
 *
 * Lifecycle: spill_create, spill_put..., spill_finish (the file stays,
 * closed, so that many can wait without holding a descriptor each),
 * spill_rewind, spill_next... until 0, spill_close.  spill_close removes
 * the file whatever state it is in, so it is also the abort; a zeroed
 * struct spill is safe to close.  A struct spill may be moved by copying
 * it, as long as only the copy is used afterwards.
 *
 * Errors are ITG_EXIT_RUNTIME naming the file: "cannot write sort run
 * DIR/.run-contacts-Ab3xYz: No space left on device: check free space".
 * A file that ends inside a record is an error ("truncated"), never a
 * short read taken for the end.
 */
#ifndef ITG_SPILL_H
#define ITG_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "xalloc.h"

#define SPILL_MAX_INTS 4
#define SPILL_MAX_STRS 8

/* The shape of every record of one file, and how to name it. */
struct spill_spec {
	const char *what;     /* in messages, "sort run"; must outlive the spill */
	size_t nints;         /* integers per record, at most SPILL_MAX_INTS */
	size_t nstrs;         /* strings per record, at most SPILL_MAX_STRS */
	size_t io_buffer;     /* stdio buffer bytes, 0 for stdio's default */
};

/* A byte string of a record: len bytes at p (p[len] is NUL when read back). */
struct spill_str {
	const char *p;
	size_t len;
};

struct spill {
	struct spill_spec spec;
	char *path;           /* owned; NULL once closed */
	FILE *fp;             /* open for writing or reading, or NULL */
	int reading;          /* fp is open for reading */
	uint64_t left;        /* bytes not read yet (reading) */
	struct buf rec;       /* the strings of the record read last */
	char *iobuf;          /* the stream's buffer (spec.io_buffer bytes), or NULL */
};

/*
 * Creates DIR/<prefix>XXXXXX for writing records of spec's shape.  -1 with
 * e set (and nothing left on disk) when it cannot be created.
 */
int spill_create(struct spill *s, const char *dir, const char *prefix,
		 const struct spill_spec *spec, struct itg_err *e);

/*
 * Appends one record: spec.nints integers, spec.nstrs strings (each at most
 * UINT32_MAX bytes).  Buffered: a failed write may only show in a later
 * spill_put or in spill_finish.  -1 with e set.
 */
int spill_put(struct spill *s, const int64_t *ints, const struct spill_str *strs,
	      struct itg_err *e);

/* Flushes and closes the writer; the file stays for spill_rewind.  -1 with e set. */
int spill_finish(struct spill *s, struct itg_err *e);

/* Opens the file for reading from its first record (finishing the writer first). */
int spill_rewind(struct spill *s, struct itg_err *e);

/*
 * Reads the next record into ints and strs: 1, 0 after the last, -1 with e
 * set on a read error or a truncated file.  The strings point into s and
 * stay valid until the next spill_next or spill_close.
 */
int spill_next(struct spill *s, int64_t *ints, struct spill_str *strs, struct itg_err *e);

/* Closes and removes the file, frees s's memory.  Safe on a zeroed or closed struct. */
void spill_close(struct spill *s);

#endif
