/*
 * inventory.h - PLANDIR/inventory.ndjson (docs/plan-format.md): the state
 * of the integration after the plan, written beside it for the report,
 * which never reads the snapshot.  The filters in effect, the account's
 * organization types, statuses and contact types with how many orgs or
 * contacts each holds, every IT Glue organization with its state after the
 * plan, and the links to organizations the snapshot does not hold.
 *
 * Memory is per organization: contacts are counted per contact type while
 * contacts.c streams them (inventory_count_contact), or by a pass of our
 * own when no rule streamed them.
 *
 * Ownership: struct inventory_counts belongs to the model (model_free
 * frees it); struct inventory_links borrows the model's links.
 */
#ifndef ITG_TRANSFORM_INVENTORY_H
#define ITG_TRANSFORM_INVENTORY_H

#include "model.h"
#include "plan.h"

struct inventory_counts;

/* Counts one contact record of the snapshot under its contact type
 * (type_id NULL: a null type; type_name: its contact-type-name, kept for a
 * type the snapshot's contact_types lacks).  Call once per record. */
void inventory_count_contact(struct model *m, const char *type_id, const char *type_name);
void inventory_counts_free(struct inventory_counts *c);

/* The store links of every IT Glue organization, by its index in m->orgs:
 * the one kept after the plan, and the first one the plan removes. */
struct inventory_links {
	const struct store_link **kept;
	const struct store_link **removed;
};
void inventory_links_build(const struct model *m, struct inventory_links *ix);
void inventory_links_free(struct inventory_links *ix);

/* An IT Glue organization's line of the inventory (docs/plan-format.md). */
struct inventory_state {
	const char *state;        /* INV_STATE_* */
	const char *reason;       /* NULL for null */
	const char *excluded_by;  /* INV_ORGANIZATION_TYPES / _STATUSES, or NULL */
	const char *org_id;       /* the product org when linked to one, else NULL */
	int imported;             /* linked because this plan imports it: its
				     organization_id is the plan's "new:<id>" */
	const char *source;       /* SOURCE_* when linked, else NULL */
	const struct store_link *kept;    /* the store link kept, or NULL */
	const struct store_link *removed; /* a store link to it this plan removes, or NULL */
};

/*
 * Decides g's state after the plan from the rules' decisions in m (the
 * plan is judged; disconnect: a --disconnect plan, where every in-scope
 * org is held by rule 10).  The order of the tests is the documented one:
 * out of scope, linked (kept, auto-linked or imported), review, held
 * (its link superseded by a manual one), available.
 */
void inventory_org_state(const struct model *m, int disconnect, const struct inventory_links *ix,
			 const struct itg_org *g, struct inventory_state *st);

/*
 * Writes dir/inventory.ndjson with w (0600; closed on success: its lines,
 * bytes and crc go into the manifest).  Call after the plan is written:
 * the states are those after the plan, and contacts.c has counted the
 * contacts.  A BullPhish ID snapshot whose contacts were not streamed (no
 * org linked, or contacts off) has them counted here, in one more pass.
 */
int inventory_write(struct model *m, const char *dir, int disconnect, struct plan_writer *w,
		    struct itg_err *e);

#endif
