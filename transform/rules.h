/*
 * rules.h - the rules of docs/contract.md section 6, one file each, applied in
 * this order by transform.c.  Each reads and updates the model's decisions.
 */
#ifndef ITG_TRANSFORM_RULES_H
#define ITG_TRANSFORM_RULES_H

#include "model.h"
#include "plan.h"

/* scope.c, rule 1 and docs/rules.md 3, 4: resolves the type, status and contact
 * type filters and marks every IT Glue org in or out of scope. */
void scope_apply(struct model *m);
/* One entry of a filter against the snapshot's id -> name map (NULL: an
 * empty snapshot): the ids it puts into the filter go into set, those the
 * snapshot names into ids (ascending); either may be NULL.  1 when it
 * matches something in the snapshot (else scope_apply warns). */
int scope_entry_match(const struct sel_entry *en, const struct strmap *names,
		      struct strmap *set, struct snapshot_ids *ids);
/* An organization type or status (NULL when null) is selected by its filter. */
int scope_type_selected(const struct model *m, const char *type_id);
int scope_status_selected(const struct model *m, const char *status_id);
/* The first filter that puts g out of scope, types first
 * ("organization_types", "organization_statuses"), or NULL when in scope. */
const char *scope_excluded_by(const struct model *m, const struct itg_org *g);
/* A contact type (NULL when null) is selected by sync.contacts.contact_types;
 * type_name (the contact's contact-type-name) is used for a type id missing
 * from the snapshot's contact_types. */
int scope_contact_type_selected(const struct model *m, const char *type_id,
				const char *type_name);

/* links.c, rules 1-3, docs/rules.md 1, 2: judges every store link; surviving links
 * are recorded with model_set_link, except those kept unconfirmed, whose
 * product org is held instead.  Colliding manual links are an error. */
int links_judge(struct model *m, struct itg_err *e);

/* autolink.c, rule 4, docs/rules.md 6-12: links unlinked orgs by name, records
 * reviews and holds ambiguous IT Glue orgs back from import. */
void autolink_run(struct model *m);

/* imports.c, rule 6, docs/rules.md 14-17: marks the orgs to import or skip, with
 * defaults and overrides.  A select entry matching nothing is recorded for
 * a review line select_not_found (and a warning naming the pipeline file,
 * line and column); the run goes on. */
void imports_select(struct model *m);
/* Calls mark(org, ctx) for every IT Glue org a select or override entry
 * names, as imports_select does (docs/rules.md 15); returns how many. */
size_t imports_resolve_entry(struct model *m, const struct sel_entry *en,
			     void (*mark)(struct itg_org *, void *), void *ctx);
/* Fills m->linked (ascending IT Glue id) and each org's rank. */
void imports_rank_linked(struct model *m);
/* rule 8, docs/rules.md 25, 26: first-fit licenses for imported orgs, once the
 * import_user counts are known. */
void imports_licenses(struct model *m);

/*
 * contacts.c, rule 7, docs/rules.md 18-24: streams the contacts, judges the
 * contacts of every linked org and counts the import_user lines.  The lines
 * are written to cs, section files in tmpdir (also the temporary bucket
 * files), to be appended to the plan in order by contacts_sections_append;
 * contacts_sections_free removes them.  The work is shared by
 * workq_threads() threads (lib/workq); the lines are the same for any number.
 */
struct contacts_sections {
	size_t n;
	struct plan_writer *w;   /* closed writers of the section files, in order */
};
int contacts_plan(struct model *m, const char *tmpdir, struct contacts_sections *cs,
		  struct itg_err *e);
int contacts_sections_append(const struct contacts_sections *cs, struct plan_writer *w,
			     struct itg_err *e);
void contacts_sections_free(struct contacts_sections *cs);
/* Contacts in memory at a time, in all threads (tests lower it to exercise
 * several buckets), and the bytes of lines given to a thread at a time. */
extern unsigned long contacts_bucket_size;
extern size_t contacts_batch_bytes;

/* The usable email of a contact record (docs/rules.md 20): trimmed values, the
 * primary first, then the others in listed order, the first valid one.
 * Returns NULL with *email set (malloc'd), or the skip reason
 * (REASON_NO_EMAIL, REASON_INVALID_EMAIL) with *email NULL. */
const char *contacts_choose_email(yajl_val contact, char **email);

/* domains.c, rule 9, docs/rules.md 27-33: streams the domains into w. */
int domains_plan(struct model *m, struct plan_writer *w, struct itg_err *e);

/* renames.c, rule 5, docs/rules.md 13: rename lines, ascending IT Glue id. */
int renames_write(const struct model *m, struct plan_writer *w, struct itg_err *e);

/* links.c: unlink lines (ascending IT Glue id, then product id), then link
 * lines (ascending IT Glue id). */
int links_write_unlinks(const struct model *m, struct plan_writer *w, struct itg_err *e);
int links_write_links(const struct model *m, struct plan_writer *w, struct itg_err *e);
/* links.c: review lines unconfirmed_deletion of the links kept because the
 * snapshot does not confirm their org's deletion (docs/rules.md 1), ascending IT
 * Glue id: the first lines of the review section (docs/rules.md 35). */
int links_write_unconfirmed(const struct model *m, struct plan_writer *w, struct itg_err *e);
/* autolink.c: review lines ambiguous_name. */
int autolink_write_reviews(const struct model *m, struct plan_writer *w, struct itg_err *e);
/* imports.c: review lines select_not_found, in the order of the select
 * list: the last lines of the review section (docs/rules.md 35). */
int imports_write_misses(const struct model *m, struct plan_writer *w, struct itg_err *e);
/* imports.c: import_organization and skip lines, ascending IT Glue id. */
int imports_write(const struct model *m, struct plan_writer *w, struct itg_err *e);

/* disconnect.c, rule 10, docs/rules.md 34: every store link is unlinked. */
void disconnect_apply(struct model *m);

/*
 * binding.c, docs/contract.md sections 6 and 10: the store's binding to one
 * integration, read from its integration.json before anything is planned.
 * Refused (ITG_EXIT_STALE, naming what the store is bound to and the way
 * out) unless connect: a store bound to another product, another pipeline
 * name or another IT Glue account (a snapshot that names none included;
 * without a snapshot the account is not compared), and, unless disconnect,
 * a store its operator disconnected.  A store with no binding passes.
 * pipeline_path names the pipeline file in the messages.
 */
int binding_check(const struct model *m, const char *store, const char *pipeline_path,
		  int connect, int disconnect, struct itg_err *e);

#endif
