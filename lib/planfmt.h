/*
 * planfmt.h - the plan format of docs/plan-format.md, the one contract
 * between itg-transform (which writes plans) and itg-load (which reads
 * them): the format number, the file names, the actions and what each line
 * of an action carries, the line keys, and manifest.json.
 *
 * Ownership: struct plan_manifest owns its strings and file list, whoever
 * filled it; plan_manifest_free releases them.
 */
#ifndef ITG_PLANFMT_H
#define ITG_PLANFMT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fsutil.h"
#include "product.h"

#define PLAN_FORMAT 1
#define PLAN_FILE "plan.ndjson"
#define PLAN_MANIFEST_FILE "manifest.json"
/* The state of the integration after the plan, for the report (docs/plan-format.md). */
#define PLAN_INVENTORY_FILE "inventory.ndjson"

/* The actions, in the order of docs/plan-format.md (and of manifest counts). */
enum plan_action {
	PA_UNLINK,
	PA_LINK,
	PA_REVIEW,
	PA_RENAME,
	PA_IMPORT_ORGANIZATION,
	PA_IMPORT_USER,
	PA_LINK_USER,
	PA_UPDATE_USER,
	PA_UNLINK_USER,
	PA_IMPORT_DOMAIN,
	PA_SKIP,
	PA_COUNT
};

/* The keys of plan lines that both stages name. */
#define PK_ACTION "action"
#define PK_ORGANIZATION_ID "organization_id"
#define PK_ORGANIZATION_REF "organization_ref"
#define PK_ITGLUE_ORGANIZATION_ID "itglue_organization_id"
#define PK_USER_ID "user_id"
#define PK_ITGLUE_CONTACT_ID "itglue_contact_id"
#define PK_ITGLUE_DOMAIN_ID "itglue_domain_id"
#define PK_REF "ref"
#define PK_REASON "reason"
#define PK_SOURCE "source"
#define PK_MATCH "match"
#define PK_SCORE "score"
#define PK_NAME "name"
#define PK_ITGLUE_NAME "itglue_name"
#define PK_CANDIDATES "candidates"
#define PK_CANDIDATE_NAMES "candidate_names"
#define PK_BEFORE "before"
#define PK_AFTER "after"
#define PK_EMPLOYEE_COUNT "employee_count"
#define PK_INDUSTRY "industry"
#define PK_PHISHING "phishing"
#define PK_TRAINING "training"
#define PK_LICENSE_LIMITED "license_limited"
#define PK_FIRST_NAME "first_name"
#define PK_LAST_NAME "last_name"
#define PK_EMAIL "email"
#define PK_GROUP "group"
#define PK_DOMAIN "domain"
#define PK_STATUS "status"

/*
 * inventory.ndjson (docs/plan-format.md): the words of its lines, so that
 * the transform that writes it and the report that reads it spell them the
 * same.  Reasons that are plan reasons are those of reasons.h.
 */
#define INV_KIND_FILTER "filter"
#define INV_KIND_TYPE "type"
#define INV_KIND_ORG "org"
#define INV_KIND_MISSING "missing"
/* filters and reference resources, in line order */
#define INV_ORGANIZATION_TYPES "organization_types"
#define INV_ORGANIZATION_STATUSES "organization_statuses"
#define INV_CONTACT_TYPES "contact_types"
/* the state of an IT Glue organization after the plan */
#define INV_STATE_LINKED "linked"
#define INV_STATE_REVIEW "review"
#define INV_STATE_AVAILABLE "available"
#define INV_STATE_HELD "held"
#define INV_STATE_OUT_OF_SCOPE "out_of_scope"
/* keys of inventory lines besides the PK_ keys they share with plan lines
 * (itglue_organization_id, organization_id, name, source, reason) */
#define IK_KIND "kind"
#define IK_FILTER "filter"
#define IK_ALL "all"
#define IK_ENTRIES "entries"
#define IK_TEXT "text"
#define IK_IDS "ids"
#define IK_RESOURCE "resource"
#define IK_ID "id"
#define IK_SELECTED "selected"
#define IK_COUNT "count"
#define IK_TYPE_ID "type_id"
#define IK_TYPE_NAME "type_name"
#define IK_STATUS_ID "status_id"
#define IK_STATUS_NAME "status_name"
#define IK_IN_SCOPE "in_scope"
#define IK_EXCLUDED_BY "excluded_by"
#define IK_STATE "state"
/* reason of an available organization: in scope, not chosen by import.select */
#define INV_REASON_NOT_SELECTED "not_selected"
/* reason of an organization linked because this plan imports it */
#define INV_REASON_IMPORT "import"

/* The contact fields import_user carries and update_user may change, in
 * line order (also users.csv column names), NULL-terminated. */
extern const char *const plan_user_fields[];

/*
 * What a line of each action is (docs/plan-format.md), as itg-load checks
 * it: the keys it must have, and what loading it means.
 */
struct plan_action_info {
	const char *name;          /* "unlink", "import_organization", ... */
	enum product product;      /* PRODUCT_NONE: a line of either product's plan */
	const char *ids[3];        /* id keys (string or number), NULL-terminated;
				      "a|b" means either key */
	const char *strs[5];       /* string keys, NULL-terminated */
	int changes_store;         /* 0 for review and skip: the report lists them */
	int user;                  /* a BullPhish ID user action */
	int domain;                /* a Dark Web ID domain action */
};

extern const struct plan_action_info plan_actions[PA_COUNT];

/* The action's word ("import_user").  Static storage. */
const char *plan_action_name(enum plan_action a);
/* The action named by word; PA_COUNT for anything else (NULL included). */
enum plan_action plan_action_parse(const char *word);
/* 1 if a line of action a may be in a plan for product p. */
int plan_action_in(enum plan_action a, enum product p);

/* A store file's fingerprint as the transform saw it. */
struct plan_store_file {
	char *name;                /* one of store_file_names (lib/store.h) */
	struct fingerprint fp;
};

/* manifest.json.  Strings are NULL when absent or null. */
struct plan_manifest {
	int format;                /* read: the file's; written: always PLAN_FORMAT */
	char *pipeline;
	enum product product;
	int disconnect;            /* integration_status "disconnected" */
	int connect;               /* made with --connect: the load (re-)binds the store */
	struct {
		char *path, *region, *base_url, *started_at, *finished_at;
		/* the IT Glue account (its primary organization), NULL when unknown */
		char *account_id, *account_name;
		uint64_t manifest_hash;   /* FNV-1a 64 of the snapshot's manifest.json */
	} snapshot;
	uint64_t settings_hash;    /* FNV-1a 64 of the pipeline file */
	char *store_path;
	size_t nfiles;
	struct plan_store_file *files;
	uint64_t lines, bytes;     /* of plan.ndjson */
	uint32_t crc32;
	/* "inventory": inventory.ndjson's figures; present 0 for a plan made
	 * before the inventory existed (no key), and then the rest is empty */
	struct {
		int present;
		char *file;            /* always PLAN_INVENTORY_FILE when present */
		uint64_t lines, bytes;
		uint32_t crc32;
	} inventory;
	unsigned long counts[PA_COUNT];
	unsigned long domains_pending, domains_unimported;
};

/* Writes DIR/manifest.json atomically (0600), pretty-printed, keys in the
 * order of docs/plan-format.md; "inventory" (after "plan") only when
 * m->inventory.present. */
int plan_manifest_write(const char *dir, const struct plan_manifest *m, struct itg_err *e);

/*
 * Reads DIR/manifest.json into m.  Refused (ITG_EXIT_USAGE naming the
 * file): not a JSON object, a format other than PLAN_FORMAT, no product or
 * one other than want (want PRODUCT_NONE: any), store.files missing or an
 * entry malformed (a name with '/' or a leading '.' included), plan.lines,
 * plan.bytes or plan.crc32 missing; an "inventory" key that is not an
 * object naming inventory.ndjson with lines, bytes and crc32.  The other
 * keys, "inventory" included, are optional.  On failure m is left empty.
 */
int plan_manifest_read(const char *dir, enum product want, struct plan_manifest *m,
		       struct itg_err *e);
void plan_manifest_free(struct plan_manifest *m);

#endif
