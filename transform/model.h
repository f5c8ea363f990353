/*
 * model.h - what itg-transform holds in memory: the IT Glue organizations,
 * types, statuses and contact types of a snapshot, the product store's
 * tables, and the decisions the rules take about them.
 *
 * Contacts and domains are not held: they are streamed from the snapshot
 * (contacts.c, domains.c), so memory does not grow with their number.
 *
 * Ownership: struct model owns everything reachable from it; store rows
 * borrow their strings from the csv tables the model keeps open.
 * model_free releases all of it.
 */
#ifndef ITG_TRANSFORM_MODEL_H
#define ITG_TRANSFORM_MODEL_H

#include <stddef.h>

#include "arena.h"
#include "csvtab.h"
#include "err.h"
#include "fsutil.h"
#include "pipeline.h"
#include "recread.h"
#include "rowix.h"
#include "snapshot.h"
#include "store.h"
#include "strmap.h"

struct prod_org;
struct inventory_counts;

/* An IT Glue organization of the snapshot, and what this plan does with it.
 * Its strings live in the model's arena. */
struct itg_org {
	char *id;
	char *name;            /* "" when null */
	char *type_id;         /* NULL when null */
	char *status_id;       /* NULL when null */
	int in_scope;          /* rule 1 */
	int review;            /* in an ambiguous group: never imported (docs/rules.md 11) */
	struct prod_org *link; /* product org linked after the plan, or NULL */
	const char *link_match;/* set when this plan makes the link */
	double link_score;     /* fuzzy links only */
	int selected;          /* 0 no, 1 by `select: all`, 2 listed by name or id */
	int import;            /* an import_organization line */
	int skip_not_in_scope; /* a skip line, reason not_in_scope */
	const char *employee_count;
	const char *industry;
	int phishing, training;          /* requested by defaults and overrides */
	int phishing_limited, training_limited; /* left off by the license (rule 8) */
	long rank;             /* position among the orgs linked after the plan; -1 */
	size_t import_users;   /* this plan's import_user lines for the org */
};

struct store_user;

/* A row of organizations.csv. */
struct prod_org {
	const char *id;
	const char *name;
	int phishing, training;
	long line;
	struct itg_org *link;   /* IT Glue org linked after the plan, or NULL */
	int held;               /* its link is kept under unconfirmed_deletion (docs/rules.md 1):
				   never auto-linked, renamed or given contact lines */
	int imported_users;     /* this plan's import_user lines into it */
	struct store_user **users;
	size_t nusers, capusers;
};

/* A row of links.csv. */
struct store_link {
	const char *org_id;
	const char *itg_id;
	const char *source;      /* SOURCE_AUTO, SOURCE_MANUAL or SOURCE_IMPORT */
	long line;
	struct prod_org *org;
	struct itg_org *itg;     /* NULL when gone from the snapshot */
	int unconfirmed;         /* gone, and the snapshot does not confirm the deletion */
	const char *unlink_reason; /* set when this plan removes the link */
};

/* A row of users.csv (BullPhish ID). */
struct store_user {
	const char *id;
	const char *org_id;
	const char *first_name, *last_name, *email, *group;
	const char *contact_id;  /* "" when not linked to a contact */
	long line;
	struct prod_org *org;
	int contact_seen;        /* the contact exists in the snapshot */
	/* contacts.c, while judging the user's org: */
	int claimed;             /* a selected contact of the org has its contact id */
	int relinked;            /* link_user gives it another contact */
	int judged;              /* a contact of the org named it */
};

/* A row of domains.csv (Dark Web ID). */
struct store_domain {
	const char *id;
	const char *org_id;
	const char *domain;
	const char *itg_domain_id;
	const char *status;
	long line;
};

/* A link this plan makes (rule 4). */
struct new_link {
	struct prod_org *org;
	struct itg_org *itg;
	const char *match;
	double score;            /* fuzzy only; < 0 otherwise */
};

/* A select entry that matches no IT Glue org (docs/rules.md 15): a review line. */
struct select_miss {
	const char *name;        /* the entry as written (borrowed from the pipeline) */
	size_t ncand;
	const char **cand_ids;   /* orgs with the entry's normalized key, ascending id */
	const char **cand_names;
};

/* A review line (docs/rules.md 9, 12): one side named, the other side's candidates. */
struct review {
	struct itg_org *itg;     /* the IT Glue org under review, or NULL */
	struct prod_org *org;    /* the product org under review, or NULL */
	const char *match;
	size_t ncand;
	const char **cand_ids;   /* sorted by id */
	const char **cand_names;
};

struct model {
	const struct pipeline *p;
	enum product product;
	int contacts_on;          /* bullphish with sync.contacts.enabled */

	/* snapshot (none for a --disconnect run without one) */
	int have_snapshot;
	char *snapshot_dir;
	struct snapshot_manifest man;  /* with its id lists (snapshot_manifest_load) */
	int verified[RES_COUNT];  /* read to its end and matched with the manifest */
	struct arena strings;     /* the orgs' strings */
	struct strmap *confirmed; /* resources.organizations.confirmed_deleted, id set */
	uint64_t manifest_hash;
	struct itg_org *orgs;     /* sorted by id */
	size_t norgs;
	struct strmap *org_by_id;     /* id -> struct itg_org * */
	struct strmap *type_names;    /* id -> name (char *) */
	struct strmap *status_names;
	struct strmap *ctype_names;

	/* scope (scope.c): id sets, NULL when the filter is `all` */
	struct strmap *types_sel;
	struct strmap *statuses_sel;
	struct strmap *ctypes_sel;
	struct strmap *ctype_names_sel; /* folded names listed for contact types */

	/* store */
	struct store store;       /* the tables, their fingerprints and folder */
	struct prod_org *porgs;   /* sorted by id */
	size_t nporgs;
	struct strmap *porg_by_id;
	struct store_link *links; /* file order */
	size_t nlinks;
	struct store_user *users; /* file order */
	size_t nusers;
	struct rowix user_by_contact;   /* users.csv rows by itglue_contact_id (model_user_by_contact) */
	struct store_domain *domains;
	size_t ndomains;

	/* decisions */
	struct new_link *new_links;
	size_t nnew_links, capnew_links;
	struct review *reviews;
	size_t nreviews, capreviews;
	struct select_miss *misses; /* in the order of the select list */
	size_t nmisses, capmisses;
	/* inventory.c: contacts per contact type, counted as they are streamed */
	struct inventory_counts *contact_counts;

	struct itg_org **linked;  /* orgs linked after the plan, ascending id (rank order) */
	size_t nlinked;
	long long seats_phishing, seats_training;  /* docs/rules.md 25 */
};

/* Loads the snapshot's organizations, types, statuses and contact types
 * (contacts and domains stay on disk), each file in one streaming pass that
 * also checks it against the manifest, and the manifest's confirmed
 * deletions.  Errors name the file and line; bad input is ITG_EXIT_USAGE. */
int model_load_snapshot(struct model *m, const char *dir, struct itg_err *e);

/* Reads and validates the product store under dir (lib/store: the
 * contract's columns, docs/rules.md 36) and builds the rows below from it.  Errors
 * name the file and line, ITG_EXIT_USAGE. */
int model_load_store(struct model *m, const char *dir, struct itg_err *e);

/* Sets m->p, product and contacts_on from the pipeline (borrowed). */
void model_init(struct model *m, const struct pipeline *p);
void model_free(struct model *m);

/*
 * Streams a snapshot resource listed in the manifest, pulling the fields of
 * spec (lib/recread); a missing resource is ITG_EXIT_USAGE saying to extract
 * it.  model_next_record returns 1 with a record, 0 at the end once the
 * file matched the manifest's record count, CRC-32 and length (the resource
 * is then marked verified), -1 with e set: a file at fault (gzip data, the
 * manifest) is prefixed "snapshot DIR is damaged or incomplete, extract it
 * again".  Close with recread_close.
 */
int model_open_records(const struct model *m, enum resource res, const struct recread_spec *spec,
		       struct recread *r, struct itg_err *e);
int model_next_record(struct model *m, enum resource res, struct recread *r, struct itg_err *e);
/* model_next_record's reading without the parse (recread_next_line): the
 * line, for recread_parse on another thread. */
int model_next_line(struct model *m, enum resource res, struct recread *r, const char **line,
		    size_t *len, struct itg_err *e);
/*
 * Compares every resource of the snapshot that no pass read to its end
 * (contacts in a Dark Web ID run, domains in a BullPhish ID run, both with
 * --disconnect) with the manifest, reading its lines without parsing them:
 * a damaged file fails the run even when the plan does not need it.  Call
 * before the plan is published.
 */
int model_verify_unread(struct model *m, struct itg_err *e);

struct itg_org *model_itg_org(const struct model *m, const char *id);
/* 1 if the snapshot confirms that IT Glue deleted org id (its manifest's
 * confirmed_deleted lists it, docs/rules.md 1). */
int model_deletion_confirmed(const struct model *m, const char *id);
struct prod_org *model_prod_org(const struct model *m, const char *id);

/* Records that the product org and the IT Glue org are linked after the plan. */
void model_set_link(struct prod_org *o, struct itg_org *g);

/* Case-folded, trimmed copy for case-insensitive comparison of names in
 * the settings (docs/rules.md 4, 15); malloc'd. */
char *model_fold(const char *s);

/* The user linked to IT Glue contact contact_id (ids are unique: store_validate), or NULL. */
struct store_user *model_user_by_contact(const struct model *m, const char *contact_id);

#endif
