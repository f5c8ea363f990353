/*
 * records.h - the records of one resource, collected from pages that may
 * arrive in any order, and written sorted by numeric id (id_cmp) so that two
 * snapshots of the same data are byte-identical.
 *
 * Offset paging is not a consistent snapshot: a record may show up on two
 * pages.  Each id is written once, and the copy from the lowest page wins
 * whatever order the pages came in (on the same page, the first one added).
 *
 * Memory stays bounded whatever the record count (an external merge sort):
 * records are held until their bytes reach a budget, then that chunk is
 * sorted by (id, page) and spilled to a run file ".run-<name>-XXXXXX" (a
 * spill file: unpredictable name, 0600) in the caller's folder.
 * records_write merges the runs and the chunk still in memory with a binary
 * heap, drops the later copies of each id, and streams the result into an
 * NDJSON writer.  There is no index of every id: the duplicates meet in the
 * merge.  Run files are removed once merged and by
 * records_free, whether or not the run succeeded.
 */
#ifndef ITG_EXTRACT_RECORDS_H
#define ITG_EXTRACT_RECORDS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ndjson.h"
#include "snapshot.h"
#include "spill.h"

/* Record bytes held in memory before a spill, unless ITG_EXTRACT_SORT_BUDGET says otherwise. */
#define RECORDS_DEFAULT_BUDGET ((size_t)32 << 20)
/* Runs merged at once (open files); more runs are merged in several passes. */
#define RECORDS_MERGE_FAN_IN 64
/*
 * The most JSON one record may hold: IT Glue's largest records (an
 * organization with long quick notes) are a few kilobytes, so anything
 * near this is not a record of the resource asked for.
 */
#define RECORDS_MAX_RECORD_BYTES ((size_t)1 << 20)

struct record {
	char *id;         /* owned, one allocation with json: free(id) frees both */
	char *json;       /* the resource object on one line, NUL-terminated */
	size_t len;       /* of json */
	long long page;   /* where this copy was seen */
};

struct records {
	char *dir;            /* owned: the folder runs are spilled into */
	char *name;           /* owned: the resource, in run names and messages */
	size_t budget;        /* bytes of the chunk (records and their overhead) before a spill */
	struct record *v;     /* the chunk in memory, in the order added */
	size_t n, cap;
	size_t bytes;
	struct spill *runs;   /* owned: the runs spilled so far, oldest first */
	size_t nruns, capruns;
	uint64_t added;       /* records_add calls so far (duplicates included) */
	uint64_t duplicates;  /* copies dropped by records_write */
};

/*
 * The budget for records_init: ITG_EXTRACT_SORT_BUDGET (bytes, a positive
 * integer; tests set it tiny to force many runs) or RECORDS_DEFAULT_BUDGET.
 */
size_t records_budget_from_env(void);

/*
 * 0 when a record of resource (index into resource_names) with id holds
 * len bytes of JSON at most RECORDS_MAX_RECORD_BYTES; else -1 with e set
 * (ITG_EXIT_RUNTIME) naming the resource, the id and both sizes.
 */
int records_check_size(int resource, const char *id, size_t len, struct itg_err *e);

/* dir and name are copied; nothing is created until the first spill.  budget 0 means 1. */
void records_init(struct records *r, const char *dir, const char *name, size_t budget);

/*
 * Adds a copy of json (len bytes, no newline) under id, seen on page.  May
 * spill the chunk to a run: -1 with e set when that write fails (the run
 * file is removed; r stays valid for records_free).
 */
int records_add(struct records *r, const char *id, const char *json, size_t len,
		long long page, struct itg_err *e);

/*
 * Writes every id once, sorted, through w (borrowed: the caller opened it
 * and closes or aborts it).  Sets r->duplicates.  Consumes the records:
 * afterwards only records_free is allowed.  -1 with e set on a read or
 * write error.
 */
int records_write(struct records *r, struct ndjson_writer *w, struct itg_err *e);

/*
 * The resource file of the snapshot an incremental run starts from
 * (docs/contract.md section 11), as one more sorted input of the merge:
 * its records come last among the copies of an id, so a changed record
 * replaces the base's copy and an id the base lacks is added, while the
 * order stays that of a full walk (numeric id).  The file must be as its
 * manifest says (count, CRC-32, length, checked as it is read) and sorted
 * as itg-extract writes it; otherwise the merge fails.
 */
struct records_base {
	const char *path;     /* BASE/<resource>.ndjson.gz */
	uint64_t records;     /* what the base's manifest says of it */
	uint32_t crc32;
	uint64_t bytes;
	/* set by records_write_merged */
	uint64_t kept;        /* base records written as they were */
	uint64_t replaced;    /* base records a copy in r replaced */
};

/* The page a base record counts as: after every page and every record asked for by id. */
#define RECORDS_PAGE_BASE LLONG_MAX

/*
 * records_write with base merged in (base NULL: records_write).  -1 with
 * e set (ITG_EXIT_RUNTIME) when the base cannot be read, is not sorted or
 * does not match its manifest; what was written to w is then to be
 * aborted.
 */
int records_write_merged(struct records *r, struct records_base *base, struct ndjson_writer *w,
			 struct itg_err *e);

/*
 * The id of a snapshot line (a resource object on one line): its "id"
 * member, a string or a number, copied into out.  0, or -1 when the line
 * is not an object with a numeric id.  A line that begins {"id":"DIGITS"
 * (as IT Glue and itg-extract write them) is not parsed further: this
 * reads lines of a snapshot whose CRC was checked.
 */
int records_line_id(const char *line, size_t len, struct buf *out);

/* Frees everything and removes any run file left; safe on a zeroed struct. */
void records_free(struct records *r);

#endif
