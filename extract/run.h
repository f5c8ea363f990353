/*
 * run.h - the state of one itg-extract run, shared by the files that
 * carry it out (internal to extract/; extract.h is the stage's interface):
 *   walk.c     the request queue and its retries, a walk's pages parsed,
 *              taken and planned, and the loop that drains them;
 *   changes.c  an incremental run's phase: the changes asked for and
 *              merged into the base (its pure parts are incremental.c);
 *   byid.c     the linked organizations the walk did not return, asked
 *              for by id (the answers are classified by confirm.c);
 *   write.c    a resource's records into its file and manifest entry;
 *   extract.c  the run itself: its mode, the walks in order, the
 *              confirmations, the manifest and the publication.
 *
 * Ownership: extract_run owns the struct run and frees everything it
 * holds in one place (run_free): each res_state's records and ids, the
 * requests still live, the generator and line buffer, the manifest, the
 * links, the ids asked and the account.  A page_req is created by
 * walk_new_req, linked into run->live, and freed by walk_drain once its
 * handler did not queue it again.  Nothing here is thread-safe: one run,
 * one thread.
 */
#ifndef ITG_EXTRACT_RUN_H
#define ITG_EXTRACT_RUN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "backoff.h"
#include "complete.h"
#include "csvtab.h"
#include "err.h"
#include "extract.h"
#include "fetch.h"
#include "paging.h"
#include "records.h"
#include "snapshot.h"
#include "strmap.h"
#include "xalloc.h"

/* How a resource is read (incremental.h). */
enum walk_kind {
	WALK_FULL,    /* every page, sort=id where allowed */
	WALK_FILTER,  /* organizations updated since the mark (or in one 7-day window) */
	WALK_SORTED,  /* newest first, page by page, until a record older than the mark */
};

struct res_state {
	int res;
	int selected;
	enum walk_kind kind;
	int incr;                 /* starts from the base's records (incremental run) */
	int skip_walk;            /* the base with the changes stands: no full walk */
	int need_full;            /* the changes cannot be used: walk in full (why_full says why) */
	int full_warn;            /* ... because of how the server answered: a warning */
	char why_full[400];
	int has_server_total;     /* the resource's whole total: its count request, or page 1
				   * of a walk newest first */
	long long server_total;
	int windows;              /* organizations: asked 7 days at a time after a 422 */
	long win;                 /* the window walked now */
	long long win_start, win_end;
	uint64_t walk_added;      /* recs.added when this walk (or window) began */
	long long last_updated;   /* walk newest first: updated-at of its last record */
	long long change_requests;/* requests the changes took */
	int walk;                 /* 1, then 2 when walked again */
	struct records recs;
	struct strmap *ids;       /* organizations: every id received, for the count and
				   * the links the walk did not return */
	struct walk_tally tally;
	long inflight;            /* pages submitted and not yet accepted */
	long long pages_done;
	long long pages_planned;  /* the last page of the plan (page 1's meta) */
	long long next_page;      /* the next planned page to submit (refill) */
	long long cap;            /* paging_cap, -1 while unknown */
	int has_total_count;
	long long total_count;    /* the largest seen */
	int unsorted;             /* the server refused sort=id: pages come unsorted */
	int probed;               /* the page after the last one was asked for */
	struct page_meta top_meta;/* meta of the highest page accepted */
	long long top_page;
	size_t top_records;
};

/*
 * A page of a walk, or (id set) one organization asked for by id.  It
 * lives from its submit until it is handled for good (run->live links
 * those alive), so memory follows what is in flight, not the page count.
 */
struct page_req {
	struct fetch_request fr;
	struct res_state *rs;
	long long page;           /* 0 for a single organization */
	const char *id;           /* borrowed from run->ask */
	int retries;              /* retries of this request so far */
	int probe;                /* the page after a full last page */
	int count;                /* the resource's total (page[size]=1), not a page of a walk */
	int queued;               /* handed to the fetcher (again) */
	struct page_req *prev, *next;
};

/* Single organizations found, confirmed deleted or left unconfirmed. */
struct confirm_counts {
	size_t found, deleted, unconfirmed, detailed;
};

/* The "page" of a record asked for by id: after every page, never a walked id. */
#define PAGE_BY_ID LLONG_MAX

struct run {
	const struct extract_options *o;
	struct fetch *f;
	struct res_state rs[RES_COUNT];
	struct page_req *live;    /* requests submitted and not yet done with */
	long outstanding;         /* how many: at most window, but for probes and follows */
	long window;              /* requests queued or in flight at once: 2 x concurrency */
	size_t ask_next;          /* the next of run->ask to submit, while asking */
	int asking;
	long retries_used;
	long long pages_total;
	struct jitter jit;
	yajl_gen gen;
	struct buf line;
	struct snapshot_manifest man;
	struct csv_table links;   /* the store's links.csv, read only */
	int links_unreadable;     /* links.csv is malformed: no confirmation is recorded */
	struct snapshot_ids ask;  /* linked organizations asked for by id */
	struct confirm_counts cc;
	char *primary_id;         /* the organization with primary: true (lowest id) */
	char *primary_name;
	/* an incremental run (incremental.h) */
	int incremental;
	struct snapshot_manifest base;
	char *base_dir;           /* resolved */
	long long now_ms;         /* this run's start */
	long long mark;           /* changes since then are asked for */
	char mark_text[40];
};

/* ---- walk.c: the request queue, retries and pages ---- */

/* A new request of rs, linked into run->live and counted (the caller sets its URL). */
struct page_req *walk_new_req(struct run *run, struct res_state *rs);
/* Hands pr to the fetcher, to start after delay_s seconds. */
void walk_queue_req(struct run *run, struct page_req *pr, double delay_s);
/* Submits page `page` of rs's walk, whatever its kind; the request is run->live's. */
struct page_req *walk_submit_page(struct run *run, struct res_state *rs, long long page);
/* Keeps obj as the account when it is primary: true with the lowest id so far. */
void walk_note_primary(struct run *run, yajl_val obj, const char *id);
/* One record (id borrowed) into rs's records; page is PAGE_BY_ID for one asked by id. */
int walk_add_record(struct run *run, struct res_state *rs, yajl_val obj, const char *id,
		    long long page, struct itg_err *e);
/*
 * A 200 body into *doc (the caller frees it with yajl_tree_free) and its
 * data array; *retried (and no doc) when the page was queued again instead.
 */
int walk_parse_page(struct run *run, struct page_req *pr, yajl_val *doc, yajl_val *data,
		    int *retried, struct itg_err *e);
/* Runs every request queued, and those they queue, to its end. */
int walk_drain(struct run *run, struct itg_err *e);
/* Starts rs's walk from page 1 afresh (staged and budget: records.h). */
void walk_start(struct run *run, struct res_state *rs, const char *staged, size_t budget);

/* ---- changes.c: the changes of an incremental run ---- */

/* A count request's answer (pr->count): the resource's total. */
int changes_accept_count(struct run *run, struct page_req *pr, struct itg_err *e);
/* A page of a walk newest first (WALK_SORTED). */
int changes_accept_sorted(struct run *run, struct page_req *pr, struct itg_err *e);
/* A 4xx to a request of the changes; summary is the scrubbed error body. */
int changes_refused(struct run *run, struct page_req *pr, const char *summary);
/* Every resource's changes, read and merged before any full walk. */
int changes_walk(struct run *run, const char *staged, size_t budget, struct itg_err *e);

/* ---- byid.c: organizations asked for by id ---- */

/* Submits GET /organizations/id (id borrowed from run->ask). */
void byid_submit(struct run *run, struct res_state *rs, const char *id);
/* The answer to a request of byid_submit (pr->id set). */
int byid_handle(struct run *run, struct page_req *pr, struct itg_err *e);
/* Asks for the linked organizations the walk did not return; fills the manifest's lists. */
int byid_confirm_missing(struct run *run, struct itg_err *e);

/* ---- write.c: a resource's file ---- */

/* Writes rs's records (with merge, merged into the base's) into dir and the manifest. */
int write_resource(struct run *run, struct res_state *rs, const char *dir, int merge,
		   struct itg_err *e);
/* Removes what write_resource wrote for rs, and its manifest entry. */
void unwrite_resource(struct run *run, struct res_state *rs, const char *dir);

#endif
