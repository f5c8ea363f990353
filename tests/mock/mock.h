/*
 * mock.h - itg-mock, a loopback stand-in for the IT Glue API.
 *
 * The data set is six tables (one per resource) of small index records that
 * carry what paging, filters and sorting need; the JSON of a record is
 * rendered only when a page holding it is served.  Records come either from
 * fixture files (--data DIR) or from a deterministic generator (--generate),
 * which renders each record from its index so that half a million contacts
 * cost a few dozen bytes each.
 *
 * The data changes between runs of a client (live.c): the --data files, and
 * a --mutate file of records to put and ids to delete on top of either data
 * set, are watched (their mtime, size and inode are looked at on every
 * request) and read again when one changes; the new data replaces the old
 * at once, between two requests, and a request keeps the view it started
 * with.
 */
#ifndef ITG_MOCK_H
#define ITG_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "err.h"

enum mock_resource {
	MOCK_ORGANIZATIONS,
	MOCK_ORGANIZATION_TYPES,
	MOCK_ORGANIZATION_STATUSES,
	MOCK_CONTACTS,
	MOCK_CONTACT_TYPES,
	MOCK_DOMAINS,
	MOCK_RESOURCE_COUNT
};

/* "organization_types": the URL path segment and fixture file stem. */
const char *mock_resource_path(int r);
/* "organization-types": the JSON:API type. */
const char *mock_resource_type(int r);
/* Resource of a path segment or a type name; -1 when unknown. */
int mock_resource_lookup(const char *name);

/* A record without an updated-at (it sorts first and matches no range). */
#define MOCK_NO_TIME INT64_MIN

/* What filtering and sorting need of one record; 0 means "none". */
struct mock_rec {
	int64_t id;
	int64_t org;      /* organization-id (contacts, domains) */
	int64_t type;     /* organization-type-id or contact-type-id */
	int64_t status;   /* organization-status-id */
	uint64_t key;     /* the default (unsorted) order: name rank or updated-at */
	int64_t updated;  /* updated-at, ms since the epoch, or MOCK_NO_TIME */
	uint32_t src;     /* fixture array index or generator index (or --mutate's) */
	uint8_t layer;    /* 0: the data set; 1: a record put by the --mutate file */
};

/* One resource: its records and three orders over them (indexes into recs). */
struct mock_table {
	struct mock_rec *recs;
	size_t n;
	uint32_t *by_default;   /* key, then id */
	uint32_t *by_id;        /* numeric id */
	uint32_t *by_updated;   /* updated, then id */
};

struct mock_gen_params {
	long orgs;
	long contacts_per_org;
	long domains_per_org;
	uint64_t seed;
};

struct mock_gen;

struct mock_data {
	struct mock_table t[MOCK_RESOURCE_COUNT];
	yajl_val tree[MOCK_RESOURCE_COUNT];  /* fixture arrays (--data), else NULL */
	struct mock_gen *gen;                /* generator state (--generate), else NULL */
};

/* Reads DIR/<resource>.json for every resource (a missing file is empty). */
int mock_data_load(struct mock_data *d, const char *dir, struct itg_err *e);
/*
 * Reads the index records of a JSON array of resource objects of resource
 * r (a fixture file or a --mutate "put" list) into recs (room for
 * arr->u.array.len), src being the array index; what is wrong names path.
 */
int mock_records_parse(yajl_val arr, int r, struct mock_rec *recs, uint8_t layer,
		       const char *path, struct itg_err *e);
/* Writes a resource object of a fixture or --mutate array, as IT Glue shapes it. */
void mock_render_object(int r, yajl_val obj, int64_t id, yajl_gen g);
/* Builds the generated data set (generate.c). */
int mock_data_generate(struct mock_data *d, const struct mock_gen_params *p,
		       struct itg_err *e);
/* Builds the three orders of a table whose recs are filled (dataset.c). */
void mock_table_index(struct mock_table *t);
/* Writes one JSON:API resource object. */
void mock_data_render(const struct mock_data *d, int r, const struct mock_rec *rec,
		      yajl_gen g);
void mock_data_free(struct mock_data *d);

/* Generator internals used by dataset.c. */
void mock_gen_render(const struct mock_gen *gen, int r, uint32_t src, yajl_gen g);
void mock_gen_free(struct mock_gen *gen);

/*
 * Where the data come from: a fixture folder or generator parameters
 * (neither: an empty account), and an optional --mutate file.  Borrowed.
 */
struct mock_source {
	const char *data_dir;
	const struct mock_gen_params *gen;
	const char *mutate;
};

/* The data set as served to one request: tables and rendering. */
struct mock_view;
const struct mock_table *mock_view_table(const struct mock_view *v, int r);
void mock_view_render(const struct mock_view *v, int r, const struct mock_rec *rec, yajl_gen g);
/* 1 when the records come from the generator (--generate). */
int mock_view_generated(const struct mock_view *v);

/* The data set as it is now, read again when its files change (live.c). */
struct mock_live;
/* Reads or generates the data set; NULL with e set when it cannot be. */
struct mock_live *mock_live_open(const struct mock_source *src, struct itg_err *e);
/*
 * The view to serve a request with, after a look at the watched files (a
 * change is read in first; a change that cannot be read is reported on
 * stderr once and the previous view kept).  Give it back with mock_live_put.
 */
struct mock_view *mock_live_get(struct mock_live *l);
void mock_live_put(struct mock_live *l, struct mock_view *v);
void mock_live_close(struct mock_live *l);

#define MOCK_MAX_FAIL_RECORDS 64

/* Server settings from the command line. */
struct mock_config {
	long port;
	const char *api_key;        /* borrowed; never printed */
	unsigned deny_mask;         /* bit r set: resource r answers 401 */
	unsigned nosort_mask;       /* bit r set: any sort on resource r answers 422 */
	unsigned ignoresort_mask;   /* bit r set: resource r is listed unsorted whatever sort asks */
	double rate_limit;          /* requests per second, 0 = off */
	long retry_after;           /* seconds, 0 = no header */
	long latency_ms;
	double fail_rate, fail_html_rate, drop_rate, truncate_rate, malformed_rate;
	int hang;
	uint64_t fault_seed;
	long max_page_size;
	int log_requests;
	long max_range_days;        /* organizations' filter[updated_at] ranges longer than
				     * this answer 422 (0 = any range) */

	/* Data faults (faults.c): what a server that loses or shifts records looks like. */
	int empty_organizations;             /* organizations list: data [], total-count 0 */
	long lie_total[MOCK_RESOURCE_COUNT]; /* added to meta.total-count; total-pages follow */
	int64_t midwalk_delete;              /* after page 1 of organizations is served once: */
	int64_t midwalk_add;                 /* delete this id, add this one (0 = off) */
	int64_t fail_records[MOCK_MAX_FAIL_RECORDS]; /* single-record routes answering 500 */
	size_t nfail_records;

	/* Hostile server modes: what a server that is not IT Glue may send. */
	long long announce_pages;  /* every listing announces this many pages, with a
				    * total-count to match (0 = off) */
	long gzip_bomb_mb;         /* every 200 answer gzip-encoded, inflating to this many
				    * MiB more (whitespace inside the JSON; 0 = off) */
	int echo_key;              /* error bodies quote the x-api-key sent, plain and
				    * percent-encoded */
	int huge_resource;         /* --huge-record: this resource's record ... */
	int64_t huge_id;           /* ... with this id (0 = off) ... */
	long huge_bytes;           /* ... carries an attribute of this many bytes */
};

/*
 * Option arguments of the data faults, into cfg: "RESOURCE:N" (N may be
 * negative), "DELETE_ID:NEW_ID", "ID" (at most MOCK_MAX_FAIL_RECORDS).
 * -1 when malformed.
 */
int mock_parse_lie_total(struct mock_config *cfg, const char *arg);
int mock_parse_midwalk_change(struct mock_config *cfg, const char *arg);
int mock_parse_fail_record(struct mock_config *cfg, const char *arg);
/* "RESOURCE:ID:BYTES" (BYTES 1 to 256 MiB); -1 when malformed. */
int mock_parse_huge_record(struct mock_config *cfg, const char *arg);

struct mock_server;

/* Starts listening on 127.0.0.1; live and cfg are borrowed until mock_server_stop. */
struct mock_server *mock_server_start(const struct mock_config *cfg, struct mock_live *live,
				      struct itg_err *e);
unsigned mock_server_port(const struct mock_server *s);
/* Wakes hanging handlers, stops the daemon, frees s. */
void mock_server_stop(struct mock_server *s);

#endif
