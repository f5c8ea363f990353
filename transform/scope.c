/*
 * scope.c - rule 1 (filters) and docs/rules.md 3, 4.
 *
 * "You can set up Sync Settings and filter organizations by organization
 * type and status": an IT Glue org whose type or status is not selected is
 * out of scope.  Filter entries: a YAML integer is an id; a string is a
 * name (trimmed, case-insensitive); a digit string that names nothing is an
 * id.  An entry that matches nothing is only a warning: types come and go.
 */
#include "strmap.h"
#include "rules.h"

#include "log.h"
#include "planfmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/*
 * One filter entry against id -> name (docs/rules.md 4).  Every id the entry
 * puts into the filter goes into set (when not NULL), and those the
 * snapshot names into ids (when not NULL), ascending: an integer entry, or
 * a digit string that names nothing, stands for its id even when the
 * snapshot has no such type.  Returns 1 when the entry matches something
 * in the snapshot.
 */
int scope_entry_match(const struct sel_entry *en, const struct strmap *names,
		      struct strmap *set, struct snapshot_ids *ids)
{
	int found = 0;

	if (!en->is_int) {
		char *want = model_fold(en->text);
		size_t it = 0;
		const char *id;
		void *name;
		while (names && strmap_next(names, &it, &id, &name)) {
			char *have = model_fold(name);
			if (!strcmp(have, want)) {
				if (set)
					strmap_put(set, id, (void *)1);
				if (ids)
					snapshot_ids_add(ids, id);
				found = 1;
			}
			free(have);
		}
		free(want);
		if (found || !id_is_numeric(en->text)) {
			if (ids)
				snapshot_ids_sort(ids);
			return found;
		}
	}
	/* an id: an integer, or a digit string that names nothing */
	if (set)
		strmap_put(set, en->text, (void *)1);
	found = names && strmap_has(names, en->text);
	if (found && ids)
		snapshot_ids_add(ids, en->text);
	return found;
}

/* Resolves a selector against id -> name; NULL means `all`. */
static struct strmap *resolve(const struct selector *sel, const struct strmap *names,
			      const char *what, const char *pipeline_path)
{
	struct strmap *set;

	if (sel->all)
		return NULL;
	set = strmap_new(sel->n * 2 + 1);
	for (size_t i = 0; i < sel->n; i++) {
		const struct sel_entry *en = &sel->v[i];
		if (!scope_entry_match(en, names, set, NULL))
			log_warn("%s:%d:%d: %s \"%s\" matches nothing in the snapshot", pipeline_path,
				 en->line, en->col, what, en->text);
	}
	return set;
}

/* A null type or status is selected only by `all` (docs/rules.md 3). */
static int selected(const struct strmap *set, const char *id)
{
	if (!set)
		return 1;
	return id && strmap_has(set, id);
}

void scope_apply(struct model *m)
{
	const struct pipeline *p = m->p;

	m->types_sel = resolve(&p->organization_types, m->type_names, "organization type",
			       p->path);
	m->statuses_sel = resolve(&p->organization_statuses, m->status_names,
				  "organization status", p->path);
	if (m->contacts_on) {
		m->ctypes_sel = resolve(&p->contact_types, m->ctype_names, "contact type",
					p->path);
		/* a contact also carries its type's name, for snapshots without
		 * contact_types */
		if (m->ctypes_sel) {
			m->ctype_names_sel = strmap_new(p->contact_types.n * 2 + 1);
			for (size_t i = 0; i < p->contact_types.n; i++) {
				char *f;
				if (p->contact_types.v[i].is_int)
					continue;
				f = model_fold(p->contact_types.v[i].text);
				strmap_put(m->ctype_names_sel, f, (void *)1);
				free(f);
			}
		}
	}
	for (size_t i = 0; i < m->norgs; i++) {
		struct itg_org *o = &m->orgs[i];
		o->in_scope = selected(m->types_sel, o->type_id) &&
			      selected(m->statuses_sel, o->status_id);
	}
}

int scope_contact_type_selected(const struct model *m, const char *type_id,
				const char *type_name)
{
	int yes;
	char *f;

	if (selected(m->ctypes_sel, type_id))
		return 1;
	if (!type_id || !type_name || !m->ctype_names_sel || strmap_has(m->ctype_names, type_id))
		return 0;
	f = model_fold(type_name);
	yes = strmap_has(m->ctype_names_sel, f);
	free(f);
	return yes;
}

int scope_type_selected(const struct model *m, const char *type_id)
{
	return selected(m->types_sel, type_id);
}

int scope_status_selected(const struct model *m, const char *status_id)
{
	return selected(m->statuses_sel, status_id);
}

const char *scope_excluded_by(const struct model *m, const struct itg_org *g)
{
	if (!scope_type_selected(m, g->type_id))
		return INV_ORGANIZATION_TYPES;
	if (!scope_status_selected(m, g->status_id))
		return INV_ORGANIZATION_STATUSES;
	return NULL;
}
