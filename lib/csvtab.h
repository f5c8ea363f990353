/*
 * csvtab.h - a product-store CSV file as a header-driven table (libcsv).
 *
 * Reading: RFC 4180, UTF-8, LF or CRLF, a leading UTF-8 BOM dropped, strict
 * quoting.  Columns are found by header name, in any order; extra columns are
 * kept and written back untouched; a contract column missing from the header
 * reads as "" and is appended when the table is written.  A missing file is an
 * empty table.  A malformed row is ITG_EXIT_USAGE naming the file and line.
 * The file is read once, streamed in 64 KiB reads (only the physical line
 * being read waits in memory, never the whole file); its fingerprint is
 * taken of the very bytes fed to the parser, so that what was parsed is
 * provably what was fingerprinted.
 * Writing: LF line ends, header first, fields quoted through libcsv's writer
 * only when they need it.
 */
#ifndef ITG_CSVTAB_H
#define ITG_CSVTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "err.h"
#include "fsutil.h"

/*
 * Cells are four-byte references (csvtab_get turns one into its text): a
 * table of half a million users holds four bytes a cell, not eight, and no
 * pointer a row.  The text lives in chunks of CSVTAB_CHUNK bytes, never
 * moved or freed before csvtab_free, so a cell's text stays valid after the
 * cell is replaced; a cell equal to one of the last CSVTAB_RECENT distinct
 * values of its column (read or set) shares that one's text.
 */
#define CSVTAB_CHUNK_BITS 20
#define CSVTAB_CHUNK ((size_t)1 << CSVTAB_CHUNK_BITS)
#define CSVTAB_RECENT 4

struct csv_table {
	char *path;       /* as given to csvtab_read */
	int present;      /* the file existed */
	struct fingerprint fp; /* of the bytes parsed (fs_fingerprint's values) */
	size_t ncols;
	char **cols;      /* header names, file order, then added contract columns */
	size_t nrows;
	size_t cap;
	uint32_t *cells;  /* nrows x ncols references, row by row; 0 is "" */
	uint32_t *lines;  /* physical line where row r starts (1-based), for the rows read: */
	size_t nlines;    /* rows [0, nlines) were read, the rest added (csvtab_line) */
	uint32_t *recent; /* per column, its last CSVTAB_RECENT distinct values, latest first */
	char **chunks;    /* the cells' text */
	size_t nchunks, chunks_cap;
	size_t fill;      /* the chunk being filled */
	size_t used;      /* bytes used of it */
	struct arena arena; /* owns the header */
};

/*
 * Reads path.  contract_cols (NULL-terminated) are the contract's columns
 * for that file: any missing from the header is appended (as ""), and for a
 * missing file they form the header.  required_cols (NULL-terminated, may be
 * NULL) must be present in an existing file's header, else ITG_EXIT_USAGE.
 * Duplicate header names and rows whose field count differs from the header
 * are errors naming the line.
 */
int csvtab_read(const char *path, const char *const *contract_cols,
		const char *const *required_cols, struct csv_table *t, struct itg_err *e);
void csvtab_free(struct csv_table *t);

/* The physical line where row r starts, 0 for a row added after reading. */
long csvtab_line(const struct csv_table *t, size_t r);
/* Column index by exact header name, or -1. */
int csvtab_col(const struct csv_table *t, const char *name);
/* Cell text; "" when col < 0. */
const char *csvtab_get(const struct csv_table *t, size_t row, int col);
/*
 * Replaces a cell (copies val, or shares the cell of an equal value: cells
 * are never written in place).  col must be >= 0.
 */
void csvtab_set(struct csv_table *t, size_t row, int col, const char *val);
/* Appends an empty row (all ""), returns its index. */
size_t csvtab_append_row(struct csv_table *t);
/* Removes row r, keeping the order of the others. */
void csvtab_remove_row(struct csv_table *t, size_t r);

/* Writes the table (header + rows) as CSV to fp. 0 or -1 (errno set). */
int csvtab_write_fp(const struct csv_table *t, FILE *fp);
/* Writes one field with minimal quoting (libcsv's csv_fwrite when needed). */
int csvtab_write_field(FILE *fp, const char *s);

#endif
