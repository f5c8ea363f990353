/*
 * snapshot.h - the snapshot folder: one <resource>.ndjson.gz per resource
 * and manifest.json, written last.  A folder without a complete manifest is
 * not a snapshot; snapshot_verify checks every count and CRC-32.
 */
#ifndef ITG_SNAPSHOT_H
#define ITG_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SNAPSHOT_FORMAT 1

enum resource {
	RES_ORGANIZATIONS,
	RES_ORGANIZATION_TYPES,
	RES_ORGANIZATION_STATUSES,
	RES_CONTACTS,
	RES_CONTACT_TYPES,
	RES_DOMAINS,
	RES_COUNT
};

/* "organizations", "organization_types", ... (URL path and file stem). */
extern const char *const resource_names[RES_COUNT];
/* JSON:API "type" values: "organizations", "organization-types", ... */
extern const char *const resource_types[RES_COUNT];
/* Returns the resource for a name, or -1. */
int resource_from_name(const char *name);

struct snapshot_resource {
	int present;          /* listed in the manifest */
	char file[64];        /* "organizations.ndjson.gz" */
	uint64_t records;
	uint32_t crc32;       /* of the uncompressed NDJSON */
	uint64_t bytes;       /* uncompressed length */
};

/*
 * A list of IT Glue ids: owned copies, ascending by id_cmp once
 * snapshot_ids_sort ran (the manifest keeps them that way).
 */
struct snapshot_ids {
	char **v;
	size_t n, cap;
};

/* Appends a copy of id. */
void snapshot_ids_add(struct snapshot_ids *l, const char *id);
/* Sorts ascending by numeric id (id_cmp), then bytewise. */
void snapshot_ids_sort(struct snapshot_ids *l);
/* Frees every id; safe on a zeroed list, which it leaves zeroed. */
void snapshot_ids_free(struct snapshot_ids *l);

/* Room for the account's primary organization (ids reach 18 digits; names are cut
 * at a character boundary to fit). */
#define SNAPSHOT_ID_MAX 32
#define SNAPSHOT_NAME_MAX 512

#define SNAPSHOT_PATH_MAX 4096

struct snapshot_manifest {
	int format;
	char region[16];      /* "us", "eu", "au" or "" for a custom base URL */
	char base_url[512];
	char started_at[32];
	char finished_at[32];
	struct snapshot_resource res[RES_COUNT];

	/*
	 * How the snapshot was made (docs/contract.md section 11).  mode is
	 * "full" (every resource walked; base null) or "incremental" (started
	 * from the snapshot base names, merged with what changed since); ""
	 * when the manifest has no "mode" (older snapshots, all full walks),
	 * and then nothing of these three is written either.  last_full_at is
	 * the started_at of the last full snapshot in the chain, carried
	 * forward by incremental ones; a full one leaves it out (its own
	 * started_at is the last full walk): "" when absent, then not written.
	 */
	char mode[16];
	int has_base;
	char base_path[SNAPSHOT_PATH_MAX];
	char base_started_at[32];
	char last_full_at[32];

	/*
	 * "account": the IT Glue account the snapshot came from (docs/contract.md
	 * section 3).  has_account is 0 when the manifest has no "account"
	 * (older snapshots: account unknown).  An empty primary_org_id is
	 * null: no organization had primary: true, or organizations were not
	 * extracted; the name is then empty too.
	 */
	int has_account;
	char primary_org_id[SNAPSHOT_ID_MAX];
	char primary_org_name[SNAPSHOT_NAME_MAX];

	/*
	 * resources.organizations.confirmed_deleted and .unconfirmed_missing:
	 * organizations the store links to that the walk did not return, which
	 * IT Glue answered 404 for (deleted), or which could not be confirmed
	 * either way.  has_missing is 0 when the manifest lacks the two keys
	 * (older snapshots: no confirmations).  Owned by the manifest struct:
	 * filled by snapshot_manifest_load (not by snapshot_manifest_read),
	 * freed by snapshot_manifest_free; the writer only borrows them.
	 */
	int has_missing;
	struct snapshot_ids confirmed_deleted;
	struct snapshot_ids unconfirmed_missing;
};

/*
 * Sets the account: has_account, and the primary organization when id is
 * a numeric id that fits (else none).  name may be NULL; it is cut at a
 * character boundary to fit.
 */
void snapshot_manifest_set_account(struct snapshot_manifest *m, const char *id,
				   const char *name);

/*
 * When the last full walk of m's chain began: last_full_at, or for a full
 * snapshot (or an older one without "mode") its own started_at; NULL for
 * an incremental snapshot that does not say.
 */
const char *snapshot_last_full_at(const struct snapshot_manifest *m);

/*
 * Writes DIR/manifest.json atomically (0600).  "account" is written when
 * has_account is set, the two organizations lists when has_missing is set
 * and organizations are present (itg-extract always sets both); "mode",
 * "base" and "last_full_at" when mode is set.
 */
int snapshot_manifest_write(const char *dir, const struct snapshot_manifest *m,
			    struct itg_err *e);
/*
 * Reads and validates DIR/manifest.json; errors are ITG_EXIT_USAGE naming
 * the file.  "mode" is "full" with "base" null or "incremental" with
 * "base" {"path", "started_at"}; every time given must be RFC 3339.  The
 * id lists are validated (numeric id strings, ascending,
 * unique, no id in both) but not kept: has_missing is set and both lists
 * stay empty, so there is nothing to free.  Readers that need the ids call
 * snapshot_manifest_load.
 */
int snapshot_manifest_read(const char *dir, struct snapshot_manifest *m, struct itg_err *e);
/* snapshot_manifest_read that also keeps the id lists: free m with snapshot_manifest_free. */
int snapshot_manifest_load(const char *dir, struct snapshot_manifest *m, struct itg_err *e);
/* Frees the id lists; safe after either reader and on a zeroed struct. */
void snapshot_manifest_free(struct snapshot_manifest *m);
/*
 * Streams every listed file and compares record count, CRC-32 and length
 * with the manifest.  A mismatch is ITG_EXIT_USAGE naming the file.
 */
int snapshot_verify(const char *dir, const struct snapshot_manifest *m, struct itg_err *e);

#endif
