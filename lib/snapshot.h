/*
 * snapshot.h - the snapshot folder: one <resource>.ndjson.gz per resource
 * and manifest.json, written last.  A folder without a complete manifest is
 * not a snapshot; snapshot_verify checks every count and CRC-32.
 */
#ifndef ITG_SNAPSHOT_H
#define ITG_SNAPSHOT_H

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

struct snapshot_manifest {
	int format;
	char region[16];      /* "us", "eu", "au" or "" for a custom base URL */
	char base_url[512];
	char started_at[32];
	char finished_at[32];
	struct snapshot_resource res[RES_COUNT];
};

/* Writes DIR/manifest.json atomically (0600). */
int snapshot_manifest_write(const char *dir, const struct snapshot_manifest *m,
			    struct itg_err *e);
/* Reads and validates DIR/manifest.json; errors are ITG_EXIT_USAGE naming the file. */
int snapshot_manifest_read(const char *dir, struct snapshot_manifest *m, struct itg_err *e);
/*
 * Streams every listed file and compares record count, CRC-32 and length
 * with the manifest.  A mismatch is ITG_EXIT_USAGE naming the file.
 */
int snapshot_verify(const char *dir, const struct snapshot_manifest *m, struct itg_err *e);

#endif
