/*
 * records.h - the records of one resource, collected from pages that may
 * arrive in any order.  Offset paging is not a consistent snapshot: a record
 * may show up on two pages, so records are kept once per id, and the copy
 * from the lowest page wins whatever order the pages came in.  Sorted by
 * numeric id (id_cmp) for writing, so that two snapshots of the same data
 * are byte-identical.
 */
#ifndef ITG_EXTRACT_RECORDS_H
#define ITG_EXTRACT_RECORDS_H

#include <stddef.h>

struct strmap;

struct record {
	char *id;         /* owned */
	char *json;       /* owned: the resource object on one line */
	size_t len;
	long long page;   /* where this copy was seen */
};

struct records {
	struct record *v;
	size_t n, cap;
	struct strmap *index;    /* id -> position + 1 */
	unsigned long duplicates;
};

void records_init(struct records *r);
void records_free(struct records *r);

/* Adds a copy of json (len bytes) under id, seen on page. */
void records_add(struct records *r, const char *id, const char *json, size_t len,
		 long long page);

/* Sorts by numeric id; the index is dropped (no records_add afterwards). */
void records_sort(struct records *r);

#endif
