/*
 * confirm.h - deletions are confirmed, not inferred (docs/contract.md sections 3
 * and 10, docs/itglue-api.md sections 4a and 6).
 *
 * An organization the store links to that the walk did not return may have
 * been deleted, or merely skipped: offset paging misses a record when
 * another one is deleted mid-walk.  So each one is asked for directly,
 * GET /organizations/ID: a record in the answer goes into the snapshot, a
 * JSON:API 404 confirms the deletion (manifest: confirmed_deleted), and any
 * other outcome leaves it unconfirmed (unconfirmed_missing), which keeps
 * the link.  An HTML 404 is an unknown route, not an unknown id.  At most
 * CONFIRM_MAX_ASKED ids are asked in one run; the rest are unconfirmed.
 *
 * The store is read only, and only its links.csv.
 */
#ifndef ITG_EXTRACT_CONFIRM_H
#define ITG_EXTRACT_CONFIRM_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "csvtab.h"
#include "err.h"
#include "snapshot.h"
#include "strmap.h"

#define CONFIRM_MAX_ASKED 1000

/*
 * Reads STORE/links.csv (columns organization_id, itglue_organization_id,
 * source, linked_at; itglue_organization_id required) into t, to be freed
 * with csvtab_free.  No store (NULL or "") or a store folder that does not
 * exist is an empty table (the transform reports a missing store); a
 * malformed links.csv is ITG_EXIT_USAGE naming the file and line (t is
 * then empty).
 */
int confirm_read_links(const char *store, struct csv_table *t, struct itg_err *e);

/*
 * The linked IT Glue organization ids (distinct, numeric; others are left
 * to the transform to report) that walked does not hold as a key,
 * ascending by id: the first `cap` are appended to ask, the rest to rest.
 * Returns the number of distinct linked ids, missing or not.
 */
size_t confirm_select_missing(const struct csv_table *links, const struct strmap *walked,
			      size_t cap, struct snapshot_ids *ask, struct snapshot_ids *rest);

/* The URL of one organization (caller frees). */
char *confirm_url(const char *base_url, const char *id);

enum confirm_outcome {
	CONFIRM_FOUND,        /* 2xx with {"data": {...}}: the record, same id */
	CONFIRM_DELETED,      /* 404 with a JSON:API errors body */
	CONFIRM_UNCONFIRMED,  /* neither, and asking again would not help */
	CONFIRM_RETRY,        /* 5xx, 408, 429, no answer or a cut body: ask again */
	CONFIRM_AUTH,         /* 401/403: the run fails with exit 3 */
};

/*
 * What an answer (status, len bytes of body) to GET /organizations/id
 * says.  For CONFIRM_FOUND *doc is the parsed answer (the caller frees it
 * with yajl_tree_free) and *record its "data" member; otherwise *doc is
 * NULL and why holds a printable reason (never the body itself; what it
 * quotes of an error body is scrubbed of key, errors_summarise_body).
 */
enum confirm_outcome confirm_classify(long status, const char *body, size_t len, const char *id,
				      const char *key, yajl_val *doc, yajl_val *record, char *why,
				      size_t whylen);

/* A list record as the walk takes it: an object with a numeric string or number id. */
int confirm_record_valid(yajl_val obj);

#endif
