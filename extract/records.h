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

/* Frees everything and removes any run file left; safe on a zeroed struct. */
void records_free(struct records *r);

#endif
