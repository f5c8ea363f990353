/*
 * store.h - the product store (docs/contract.md section 5, docs/rules.md 36): the
 * folder of CSV tables a product keeps, the other files beside them, and
 * the one reader and the one validation both itg-transform and itg-load use.
 *
 * Tables are read through lib/csvtab: columns found by header name, extra
 * columns kept, a contract column missing from a header read as "" (and
 * added when the table is written), the required columns of docs/rules.md 36
 * enforced, a missing file an empty table.  Every table read is also
 * fingerprinted (fs_fingerprint), the figures a plan manifest records.
 *
 * Ownership: struct store owns its folder name and tables; store_free
 * releases them.
 */
#ifndef ITG_STORE_H
#define ITG_STORE_H

#include "csvtab.h"
#include "err.h"
#include "fsutil.h"
#include "product.h"

/* The tables of both products, in the order a plan manifest lists them. */
enum store_table { STORE_ORGS, STORE_LINKS, STORE_USERS, STORE_DOMAINS, STORE_NTABLES };

/* The store's other files. */
#define STORE_FILE_INTEGRATION "integration.json"
#define STORE_FILE_AUDIT "audit.ndjson"
#define STORE_FILE_LOCK ".lock"
#define STORE_FILE_JOURNAL ".journal"
/* links.csv as the last applied load left it, for finding hand edits
 * (load/handedits.h); written by itg-load's transaction only */
#define STORE_FILE_LINKS_LAST_RUN ".links.last-run.csv"

/* "organizations", "links", "users", "domains" (audit and changes.csv words) */
extern const char *const store_table_names[STORE_NTABLES];
/* "organizations.csv", "links.csv", "users.csv", "domains.csv" */
extern const char *const store_file_names[STORE_NTABLES];

/* 1 if product p keeps table t: organizations and links for both, users
 * for BullPhish ID, domains for Dark Web ID. */
int store_uses(enum product p, enum store_table t);
/* The contract columns of table t for product p, NULL-terminated. */
const char *const *store_contract_cols(enum product p, enum store_table t);
/* The columns a file of table t cannot be read without (docs/rules.md 36). */
const char *const *store_required_cols(enum store_table t);

/*
 * A store boolean (docs/rules.md 36): true/false, 1/0, yes/no in any case, and
 * the empty string for false.  1 or 0; -1 for anything else (NULL too).
 */
int store_parse_bool(const char *s);

/*
 * The key under which the load compares a store domain with a plan's
 * domain: the name with ASCII letters lower-cased.  malloc'd.
 */
char *store_domain_key(const char *domain);

struct store {
	enum product product;
	char *dir;                          /* owned copy */
	int used[STORE_NTABLES];            /* store_uses(product, t) */
	struct csv_table tab[STORE_NTABLES];/* read when used */
	struct fingerprint fp[STORE_NTABLES];
};

/*
 * Fingerprints and reads the tables of product p from dir, in table order.
 * First the folder: one that does not exist is ITG_EXIT_USAGE naming the
 * path (never an empty store: a new store is a folder the operator makes),
 * and so is one that holds the table only the other product keeps
 * (domains.csv in a BullPhish ID store, users.csv in a Dark Web ID store),
 * and so is a symbolic link in place of any of the store's files (a table,
 * integration.json, audit.ndjson, .lock, .journal, .links.last-run.csv:
 * fs_link_refused); the folder itself may be a link.
 * A malformed file is ITG_EXIT_USAGE naming the file and line.  On failure
 * s is left empty (nothing to free).
 */
int store_read(const char *dir, enum product p, struct store *s, struct itg_err *e);

/*
 * The input checks of docs/rules.md 36 on tables read by store_read, table by
 * table in this order: organizations, links, then users or domains.  Each
 * table's bytes and ids come first: a header or cell that is not UTF-8,
 * then row by row a cell that is not UTF-8 or a non-empty id (the `id` and
 * `*_id` contract columns) that is not a decimal number.  Then
 * organizations (empty id, phishing/training not a boolean, then a
 * duplicate id), links (unknown source, no IT Glue id, unknown
 * organization), users (empty id, duplicate id, unknown organization, two
 * users with one itglue_contact_id) or domains (empty id, duplicate id,
 * unknown organization, unknown status).  The first problem found is
 * ITG_EXIT_USAGE naming the file and line (a header problem: line 1).
 */
int store_validate(const struct store *s, struct itg_err *e);

void store_free(struct store *s);

#endif
