/*
 * integration.h - the store's integration.json, read and written in one place
 * (docs/contract.md sections 5 and 10).
 *
 * It tells the products' story of a sync (BullPhish ID's Connected / Syncing /
 * Disconnected): status, region, the time of the last good sync and the last
 * error; and the store's binding to one integration: product, pipeline name,
 * IT Glue account, and who disconnected it.
 *
 * The file is written compact, in a fixed key order: status, region,
 * last_sync, last_error always (null when unset), then product and pipeline
 * when they are set, itglue_account once the store is bound (both of its
 * keys null while no snapshot named an account), disconnected_by always
 * (null unless someone disconnected the integration), and a newline:
 *   {"status":"connected","region":"us","last_sync":"2026-03-01T05:00:00.000Z","last_error":null,"disconnected_by":null}
 * Keys this module does not know are not kept when the file is rewritten.
 */
#ifndef ITG_INTEGRATION_H
#define ITG_INTEGRATION_H

#include "err.h"
#include "xalloc.h"

#define INTEGRATION_FILE "integration.json"

#define INTEGRATION_CONNECTED "connected"
#define INTEGRATION_DISCONNECTED "disconnected"
#define INTEGRATION_SYNCING "syncing"

#define INTEGRATION_BY_OPERATOR "operator"
#define INTEGRATION_BY_ITGLUE "itglue"

/*
 * Every string is owned by the struct (free with integration_free) and NULL
 * when unset; replace one with integration_set.  {0} is "no state yet".
 */
struct integration {
	char *status;           /* INTEGRATION_CONNECTED | _DISCONNECTED | _SYNCING */
	char *region;           /* us | eu | au, or "" for a custom base URL */
	char *last_sync;        /* RFC 3339 time of the last completed sync */
	char *last_error;       /* one line, or NULL */
	/* the binding, docs/contract.md section 10 */
	char *product;          /* bullphish | darkwebid */
	char *pipeline;         /* the pipeline's name */
	char *account_id;       /* itglue_account.primary_organization_id (an id, as text) */
	char *account_name;     /* itglue_account.primary_organization_name */
	char *disconnected_by;  /* INTEGRATION_BY_OPERATOR | INTEGRATION_BY_ITGLUE */
};

/*
 * Reads STORE_DIR/integration.json into *it (which is overwritten; free it
 * with integration_free on every return).  Returns 1 when the file holds a
 * state, 0 when it is missing or empty (no state yet, *it all NULL), -1 on
 * error: malformed JSON, a value of the wrong type or outside its list, or a
 * symbolic link is ITG_EXIT_USAGE naming the file and saying to fix or remove
 * it; an unreadable file is ITG_EXIT_RUNTIME.
 */
int integration_read(const char *store_dir, struct integration *it, struct itg_err *e);

/* The same from text already in memory; path names the file in messages. */
int integration_parse(const char *path, const char *text, size_t len, struct integration *it,
		      struct itg_err *e);

/* Appends the file's bytes (see above) to out. */
void integration_render(const struct integration *it, struct buf *out);

/*
 * Writes STORE_DIR/integration.json atomically (0600): a temporary sibling
 * with an unpredictable name created exclusively, fsynced, renamed over the
 * file, and the folder fsynced.  The caller holds the store lock.
 */
int integration_write(const char *store_dir, const struct integration *it, struct itg_err *e);

/*
 * The status the store stood in before a run: `syncing` is what
 * pipelines/run writes while a run is under way, so it stands for the state
 * the run started from, `disconnected` when disconnected_by is set, else
 * `connected`.  Any other status is itself; NULL when the file holds none.
 * The string is static (or the struct's own).
 */
const char *integration_effective_status(const struct integration *it);

/* 1 when the store is bound to an integration: any binding key is set. */
int integration_is_bound(const struct integration *it);

/* Replaces one owned string of the struct with a copy of value (NULL clears). */
void integration_set(char **field, const char *value);

void integration_free(struct integration *it);

#endif
