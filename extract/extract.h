/*
 * extract.h - one itg-extract run: every page of every selected resource
 * into DIR/<resource>.ndjson.gz (sorted by numeric id, de-duplicated) and
 * DIR/manifest.json, staged beside DIR and published in one rename.
 * On failure nothing appears under DIR and an existing DIR is untouched.
 *
 * Only evidence is published (docs/contract.md section 10): each resource's walk
 * must be complete (complete.h; walked twice at most), an organizations
 * walk that returns nothing while the store holds links fails, and the
 * linked organizations the walk did not return are asked for by id
 * (confirm.h) before the manifest records them as confirmed deleted or
 * unconfirmed.  The manifest also names the account (the organization with
 * primary: true).
 *
 * What a server sends is bounded (docs/contract.md section 3, Bounds): the
 * pages it announces (paging_plan), the bytes all bodies inflate to at once
 * (fetch.h), and one record's size (records_check_size).  Pages are queued
 * lazily, at most 2 x concurrency requests outstanding, and each is freed
 * once handled, so memory follows what is in flight.  What the server says
 * is scrubbed of the API key before any log line or message quotes it.
 *
 * With a base snapshot (since), the run is incremental (incremental.h):
 * organizations, contacts and domains are asked only for what changed
 * and merged into the base's records; a resource whose merged count
 * disagrees with IT Glue's total is walked in full, and the linked
 * organizations missing from the merged set are still asked for by id.
 */
#ifndef ITG_EXTRACT_EXTRACT_H
#define ITG_EXTRACT_EXTRACT_H

#include <signal.h>

#include "err.h"
#include "snapshot.h"

#define EXTRACT_DEFAULT_CONCURRENCY 4
#define EXTRACT_DEFAULT_TIMEOUT 60
#define EXTRACT_DEFAULT_RETRIES 6

struct extract_options {
	const char *region;      /* "us", "eu", "au"; "" for a custom base URL */
	const char *base_url;    /* resolved (extract_resolve_base_url), no trailing '/' */
	int allow_http;
	const char *out_dir;
	const char *store;       /* the pipeline's store folder (read only: links.csv), or NULL;
				  * a malformed links.csv is a warning (the transform refuses it) */
	int resources[RES_COUNT];
	long page_size;
	double rate;             /* requests per second */
	long concurrency;
	long timeout;            /* seconds per request */
	long retries;            /* per request */
	const char *api_key;     /* borrowed; only ever sent as the x-api-key header */
	const char *ca_bundle;   /* or NULL */
	const char *since;       /* the snapshot to start from (docs/contract.md section 11), or
				  * NULL for a full walk; a base that cannot serve means a full
				  * walk too (a warning when it is there but damaged) */
	int since_given;         /* since came from --since: a folder with no snapshot at all
				  * is a warning too (the operator named it) */
	long long full_every;    /* seconds: a full walk when the last began longer ago */
	const volatile sig_atomic_t *stop; /* raised by a signal handler: give up cleanly */
};

/* The retries a whole run may spend: 50 + 10% of its pages. */
long extract_retry_budget(long long pages);

/*
 * The URL of one page (caller frees).  With sort_by_id, sort=id (never for
 * domains, which IT Glue sorts only by created_at/updated_at).
 */
char *extract_page_url(const char *base_url, int resource, long page_size, long long page,
		       int sort_by_id);

int extract_run(const struct extract_options *o, struct itg_err *e);

#endif
