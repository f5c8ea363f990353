/*
 * incremental.h - what an incremental extract asks for, and when it may
 * (docs/contract.md section 11, docs/itglue-api.md sections 3, 4 and 4a).
 *
 * An incremental run starts from a complete snapshot (the base) and asks
 * IT Glue only for what changed since the base began, less a few minutes
 * of overlap against clock skew (the mark):
 *   - organizations by filter[updated_at]=<mark>,* (all pages; 7-day
 *     windows when the server refuses the open range with a 422), and
 *     their total by one page[size]=1 request;
 *   - contacts and domains sorted by -updated_at, newest first, page by
 *     page until a record older than the mark; page 1's meta states the
 *     resource's total;
 *   - types, statuses and contact types, which are small, in full.
 * The changes are merged into the base's records by id (records.h,
 * records_write_merged), so the snapshot is complete, not a delta.  When
 * the merged count disagrees with IT Glue's total (something was
 * deleted), that resource is walked in full.
 *
 * A run is full instead when there is no usable base (none, unreadable, a
 * count or CRC that does not match, another server), when the last full
 * walk is older than itglue.full_every, or when the base claims to begin
 * in the future.  These are the pure parts: the decision, the mark, the
 * URLs, the windows and the scan of a sorted page; changes.c runs them.
 */
#ifndef ITG_EXTRACT_INCREMENTAL_H
#define ITG_EXTRACT_INCREMENTAL_H

#include <limits.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "err.h"
#include "snapshot.h"

/* The overlap before the base's start: changes this close to it are asked again. */
#define INCR_OVERLAP_MS (5LL * 60 * 1000)
/* The longest updated_at range asked at once after a 422: a week. */
#define INCR_WINDOW_MS (7LL * 86400 * 1000)

/* The resources read by their changes; the others are always walked in full. */
int incr_by_changes(int resource);

/*
 * Opens the base snapshot DIR: its folder resolved (*real, caller frees),
 * its manifest read into m and every file verified (snapshot_verify).  0,
 * or -1 with e set saying why it cannot serve (*missing = 1 when DIR
 * holds no snapshot at all: no folder or no manifest.json).
 */
int incr_open_base(const char *dir, struct snapshot_manifest *m, char **real, int *missing,
		   struct itg_err *e);

/*
 * Whether a run may start from base (opened with incr_open_base), made by
 * a run that talked to base_url: 1 to go incremental, 0 for a full walk
 * with the reason in why (at most n - 1 bytes).  now_ms is this run's
 * start; full_every_s the longest time between full walks.
 */
int incr_decide(const struct snapshot_manifest *base, const char *base_url, long long now_ms,
		long long full_every_s, char *why, size_t n);

/* The mark: changes since then are asked for (the base's start less the overlap). */
long long incr_mark(long long base_started_ms);

/* No time: a record without updated-at, or an open end of a range. */
#define INCR_NO_TIME LLONG_MIN

/* ms as IT Glue's filters take a time: "2026-01-01T00:00:00Z" (seconds, floored). */
void incr_format_time(long long ms, char out[40]);
/* The same percent-encoded for a query: "2026-01-01T00%3A00%3A00Z". */
void incr_format_time_url(long long ms, char out[40]);

/*
 * Page `page` of organizations updated in [since_ms, until_ms], or since
 * since_ms (until_ms INCR_NO_TIME: "*"); sort=id with sort_by_id.  Caller
 * frees.
 */
char *incr_orgs_url(const char *base_url, long page_size, long long page, long long since_ms,
		    long long until_ms, int sort_by_id);

/* Page `page` of resource sorted newest first (sort=-updated_at).  Caller frees. */
char *incr_sorted_url(const char *base_url, int resource, long page_size, long long page);

/* One record of resource, to read meta.total-count (page[size]=1).  Caller frees. */
char *incr_count_url(const char *base_url, int resource);

/*
 * The windows after a 422: window k is [since + k x INCR_WINDOW_MS, that +
 * INCR_WINDOW_MS].  1 with *start and *end set while window k begins no
 * later than now_ms plus the overlap (a server clock ahead of ours), else 0.
 */
int incr_window(long long since_ms, long long now_ms, long k, long long *start, long long *end);

/* A record's attributes."updated-at" in ms: 0, or -1 (*ms INCR_NO_TIME) when it has none that reads. */
int incr_updated_at(yajl_val record, long long *ms);

/*
 * A page of a walk sorted newest first, seen as its records' updated-at
 * (ms[i], or INCR_NO_TIME for a record without one): how many of its
 * first records are changes (at or after mark) before one that is older.
 * *last is the updated-at of the walk's previous record (LLONG_MAX before
 * the first) and is moved on.  INCR_SCAN_MORE when every record is a
 * change (the next page may hold more), INCR_SCAN_PAST when an older one
 * was reached (the walk is over), INCR_SCAN_UNSORTED when any record of
 * the page, before or after the mark, is newer than the one before it or
 * has no updated-at (the server does not sort as asked: the resource is
 * walked in full).
 */
enum incr_scan { INCR_SCAN_MORE, INCR_SCAN_PAST, INCR_SCAN_UNSORTED };

enum incr_scan incr_scan_page(const long long *ms, size_t n, long long mark, long long *last,
			      size_t *changes);

#endif
