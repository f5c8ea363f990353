/*
 * inventory.c - PLANDIR/inventory.ndjson (docs/plan-format.md, "The
 * inventory"): what the report needs to show the state of the integration
 * and which itg-load cannot see, since it never reads the snapshot.
 *
 * Lines, in this order: one per sync filter, one per organization type,
 * status and (BullPhish ID) contact type with how many orgs or contacts it
 * holds, one per IT Glue organization with its state after the plan, one
 * per store link to an organization the snapshot does not hold.  Every
 * list is sorted (ids ascending), so the same inputs give the same bytes.
 */
#include "inventory.h"

#include "json.h"
#include "log.h"
#include "planfmt.h"
#include "reasons.h"
#include "rules.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- contacts per contact type -------------------------------------------- */

struct ctype_count {
	char *id;
	char *name;                 /* the first contact-type-name seen, or NULL */
	unsigned long long n;
};

struct inventory_counts {
	struct strmap *by_id;       /* id -> struct ctype_count * */
	unsigned long long nulls;   /* contacts with a null type */
	unsigned long long total;   /* every contact counted */
};

static void free_count(void *v)
{
	struct ctype_count *c = v;

	free(c->id);
	free(c->name);
	free(c);
}

void inventory_counts_free(struct inventory_counts *c)
{
	if (!c)
		return;
	strmap_free(c->by_id, free_count);
	free(c);
}

void inventory_count_contact(struct model *m, const char *type_id, const char *type_name)
{
	struct inventory_counts *c = m->contact_counts;
	struct ctype_count *t;

	if (!c) {
		c = m->contact_counts = xcalloc(1, sizeof *c);
		c->by_id = strmap_new(64);
	}
	c->total++;
	if (!type_id) {
		c->nulls++;
		return;
	}
	t = strmap_get(c->by_id, type_id);
	if (!t) {
		t = xcalloc(1, sizeof *t);
		t->id = xstrdup(type_id);
		t->name = xstrdup(type_name);
		strmap_put(c->by_id, type_id, t);
	}
	t->n++;
}

/* What count_contacts pulls from each contact (lib/recread). */
enum { K_TYPE_ID, K_TYPE_NAME };
static const struct recread_spec count_spec = {
	.attrs = {"contact-type-id", "contact-type-name", NULL},
};

/* The contacts of a snapshot no rule streamed (BullPhish ID with contacts
 * off, or no org linked after the plan): counted in a streaming pass of
 * their own, which also checks the file against its manifest. */
static int count_contacts(struct model *m, struct itg_err *e)
{
	struct recread r;
	int rc;

	inventory_counts_free(m->contact_counts);
	m->contact_counts = NULL;
	if (model_open_records(m, RES_CONTACTS, &count_spec, &r, e) != 0)
		return -1;
	while ((rc = model_next_record(m, RES_CONTACTS, &r, e)) == 1)
		inventory_count_contact(m, recread_id_text(&r.attr[K_TYPE_ID]),
					recread_str(&r.attr[K_TYPE_NAME]));
	recread_close(&r);
	return rc < 0 ? -1 : 0;
}

/* ---- the state of an IT Glue organization ---------------------------------- */

void inventory_links_build(const struct model *m, struct inventory_links *ix)
{
	size_t n = m->norgs ? m->norgs : 1;

	ix->kept = xcalloc(n, sizeof *ix->kept);
	ix->removed = xcalloc(n, sizeof *ix->removed);
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct store_link *l = &m->links[i];
		size_t k;
		if (!l->itg)
			continue;
		k = (size_t)(l->itg - m->orgs);
		if (l->unlink_reason) {
			if (!ix->removed[k])
				ix->removed[k] = l;
		} else if (!l->unconfirmed) {
			ix->kept[k] = l;
		}
	}
}

void inventory_links_free(struct inventory_links *ix)
{
	free(ix->kept);
	free(ix->removed);
	memset(ix, 0, sizeof *ix);
}

void inventory_org_state(const struct model *m, int disconnect, const struct inventory_links *ix,
			 const struct itg_org *g, struct inventory_state *st)
{
	size_t k = (size_t)(g - m->orgs);

	memset(st, 0, sizeof *st);
	st->kept = ix->kept[k];
	st->removed = ix->removed[k];
	if (!g->in_scope) {
		st->state = INV_STATE_OUT_OF_SCOPE;
		st->excluded_by = scope_excluded_by(m, g);
		if (st->removed && !strcmp(st->removed->unlink_reason, REASON_FILTERED_OUT))
			st->reason = REASON_FILTERED_OUT;
		else if (g->skip_not_in_scope)
			st->reason = REASON_NOT_IN_SCOPE;
		return;
	}
	if (disconnect) {
		/* rule 10: nothing links or imports; every link goes */
		st->state = INV_STATE_HELD;
		st->reason = REASON_DISCONNECT;
		return;
	}
	if (g->link) {
		st->state = INV_STATE_LINKED;
		st->org_id = g->link->id;
		st->source = st->kept ? st->kept->source : SOURCE_AUTO;
		st->reason = g->link_match ? REASON_NAME_MATCH : NULL;
		return;
	}
	if (g->import) {
		st->state = INV_STATE_LINKED;
		st->imported = 1;
		st->source = SOURCE_IMPORT;
		st->reason = INV_REASON_IMPORT;
		return;
	}
	if (g->review) {
		st->state = INV_STATE_REVIEW;
		st->reason = REASON_AMBIGUOUS_NAME;
		return;
	}
	if (st->removed) {
		/* rule 3 took its link (superseded_by_manual) and nothing else
		 * linked or imported it */
		st->state = INV_STATE_HELD;
		st->reason = st->removed->unlink_reason;
		return;
	}
	st->state = INV_STATE_AVAILABLE;
	st->reason = INV_REASON_NOT_SELECTED;
}

/* ---- filter lines ------------------------------------------------------------- */

/*
 * Contact types the snapshot's contact_types lacks are matched by the name
 * their contacts carry (docs/rules.md 19): a name entry adds those ids.
 */
static void add_carried_names(const struct model *m, const struct sel_entry *en,
			      struct snapshot_ids *ids)
{
	const struct inventory_counts *c = m->contact_counts;
	size_t it = 0;
	const char *id;
	void *val;
	char *want;

	if (en->is_int || !c)
		return;
	want = model_fold(en->text);
	while (strmap_next(c->by_id, &it, &id, &val)) {
		const struct ctype_count *t = val;
		char *have;
		if (!t->name || (m->ctype_names && strmap_has(m->ctype_names, id)))
			continue;
		have = model_fold(t->name);
		if (!strcmp(have, want))
			snapshot_ids_add(ids, id);
		free(have);
	}
	free(want);
	snapshot_ids_sort(ids);
}

static int write_filter(struct plan_writer *w, const struct model *m, const char *filter,
			const struct selector *sel, const struct strmap *names, int carried,
			struct itg_err *e)
{
	yajl_gen g = w->g;

	yajl_gen_map_open(g);
	json_kv_str(g, IK_KIND, INV_KIND_FILTER);
	json_kv_str(g, IK_FILTER, filter);
	json_kv_bool(g, IK_ALL, sel->all);
	json_key(g, IK_ENTRIES);
	yajl_gen_array_open(g);
	for (size_t i = 0; !sel->all && i < sel->n; i++) {
		struct snapshot_ids ids = {0};
		scope_entry_match(&sel->v[i], names, NULL, &ids);
		if (carried)
			add_carried_names(m, &sel->v[i], &ids);
		yajl_gen_map_open(g);
		json_kv_str(g, IK_TEXT, sel->v[i].text);
		json_key(g, IK_IDS);
		yajl_gen_array_open(g);
		for (size_t k = 0; k < ids.n; k++)
			json_str(g, ids.v[k]);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
		snapshot_ids_free(&ids);
	}
	yajl_gen_array_close(g);
	return plan_writer_end_line(w, e);
}

/* ---- type lines ---------------------------------------------------------------- */

struct ref_line {
	const char *id;
	const char *name;          /* NULL when no name is known */
	unsigned long long count;
};

struct refs {
	struct ref_line *v;
	size_t n, cap;
	struct strmap *ix;         /* id -> index + 1 */
	unsigned long long nulls;
};

static struct ref_line *ref_of(struct refs *r, const char *id)
{
	uintptr_t k = (uintptr_t)strmap_get(r->ix, id);

	if (k)
		return &r->v[k - 1];
	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
	r->v[r->n] = (struct ref_line){id, NULL, 0};
	strmap_put(r->ix, id, (void *)(uintptr_t)(r->n + 1));
	return &r->v[r->n++];
}

/* The reference records of a resource, named by the snapshot. */
static void refs_init(struct refs *r, const struct strmap *names)
{
	size_t it = 0;
	const char *id;
	void *name;

	memset(r, 0, sizeof *r);
	r->ix = strmap_new(64);
	while (names && strmap_next(names, &it, &id, &name))
		ref_of(r, id)->name = name;
}

static void refs_free(struct refs *r)
{
	free(r->v);
	strmap_free(r->ix, NULL);
}

static int ref_cmp(const void *a, const void *b)
{
	return id_cmp(((const struct ref_line *)a)->id, ((const struct ref_line *)b)->id);
}

enum ref_kind { REF_TYPES, REF_STATUSES, REF_CONTACT_TYPES };

static int ref_selected(const struct model *m, enum ref_kind k, const char *id, const char *name)
{
	switch (k) {
	case REF_TYPES: return scope_type_selected(m, id);
	case REF_STATUSES: return scope_status_selected(m, id);
	default: return m->contacts_on && scope_contact_type_selected(m, id, name);
	}
}

static int write_ref(struct plan_writer *w, const char *resource, const char *id,
		     const char *name, int selected, unsigned long long count, struct itg_err *e)
{
	yajl_gen g = w->g;

	yajl_gen_map_open(g);
	json_kv_str(g, IK_KIND, INV_KIND_TYPE);
	json_kv_str(g, IK_RESOURCE, resource);
	json_kv_str(g, IK_ID, id);
	json_kv_str(g, PK_NAME, name);
	json_kv_bool(g, IK_SELECTED, selected);
	json_kv_int(g, IK_COUNT, (long long)count);
	return plan_writer_end_line(w, e);
}

/* One resource's lines: ascending id, then the null line when any. */
static int write_refs(struct plan_writer *w, const struct model *m, enum ref_kind k,
		      struct refs *r, struct itg_err *e)
{
	static const char *const resources[] = {INV_ORGANIZATION_TYPES, INV_ORGANIZATION_STATUSES,
						INV_CONTACT_TYPES};

	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, ref_cmp);
	for (size_t i = 0; i < r->n; i++)
		if (write_ref(w, resources[k], r->v[i].id, r->v[i].name,
			      ref_selected(m, k, r->v[i].id, r->v[i].name), r->v[i].count, e) != 0)
			return -1;
	if (r->nulls && write_ref(w, resources[k], NULL, NULL, ref_selected(m, k, NULL, NULL),
				  r->nulls, e) != 0)
		return -1;
	return 0;
}

static int write_org_refs(struct plan_writer *w, const struct model *m, enum ref_kind k,
			  struct itg_err *e)
{
	struct refs r;
	int rc;

	refs_init(&r, k == REF_TYPES ? m->type_names : m->status_names);
	for (size_t i = 0; i < m->norgs; i++) {
		const char *id = k == REF_TYPES ? m->orgs[i].type_id : m->orgs[i].status_id;
		if (id)
			ref_of(&r, id)->count++;
		else
			r.nulls++;
	}
	rc = write_refs(w, m, k, &r, e);
	refs_free(&r);
	return rc;
}

static int write_contact_refs(struct plan_writer *w, const struct model *m, struct itg_err *e)
{
	const struct inventory_counts *c = m->contact_counts;
	struct refs r;
	size_t it = 0;
	const char *id;
	void *val;
	int rc;

	refs_init(&r, m->ctype_names);
	while (c && strmap_next(c->by_id, &it, &id, &val)) {
		const struct ctype_count *t = val;
		struct ref_line *l = ref_of(&r, t->id);
		l->count = t->n;
		if (!l->name)
			l->name = t->name;
	}
	r.nulls = c ? c->nulls : 0;
	rc = write_refs(w, m, REF_CONTACT_TYPES, &r, e);
	refs_free(&r);
	return rc;
}

/* ---- org and missing lines ------------------------------------------------------ */

static int write_org(struct plan_writer *w, const struct model *m, int disconnect,
		     const struct inventory_links *ix, const struct itg_org *o, struct itg_err *e)
{
	struct inventory_state st;
	yajl_gen g = w->g;
	char *ref = NULL;

	inventory_org_state(m, disconnect, ix, o, &st);
	yajl_gen_map_open(g);
	json_kv_str(g, IK_KIND, INV_KIND_ORG);
	json_kv_str(g, PK_ITGLUE_ORGANIZATION_ID, o->id);
	json_kv_str(g, PK_NAME, o->name);
	json_kv_str(g, IK_TYPE_ID, o->type_id);
	json_kv_str(g, IK_TYPE_NAME, o->type_id ? strmap_get(m->type_names, o->type_id) : NULL);
	json_kv_str(g, IK_STATUS_ID, o->status_id);
	json_kv_str(g, IK_STATUS_NAME,
		    o->status_id ? strmap_get(m->status_names, o->status_id) : NULL);
	json_kv_bool(g, IK_IN_SCOPE, o->in_scope);
	json_kv_str(g, IK_EXCLUDED_BY, st.excluded_by);
	json_kv_str(g, IK_STATE, st.state);
	if (st.imported)
		ref = plan_write_ref(o->id);
	json_kv_str(g, PK_ORGANIZATION_ID, st.imported ? ref : st.org_id);
	free(ref);
	json_kv_str(g, PK_SOURCE, st.source);
	json_kv_str(g, PK_REASON, st.reason);
	return plan_writer_end_line(w, e);
}

static int missing_cmp(const void *a, const void *b)
{
	const struct store_link *x = *(const struct store_link *const *)a;
	const struct store_link *y = *(const struct store_link *const *)b;
	int c = id_cmp(x->itg_id, y->itg_id);

	if (c == 0)
		c = id_cmp(x->org_id, y->org_id);
	if (c == 0)
		c = (x->line > y->line) - (x->line < y->line);
	return c;
}

/* Store links to IT Glue orgs the snapshot does not hold, ascending IT Glue
 * id: kept (unconfirmed_deletion) or removed with their unlink reason. */
static int write_missing(struct plan_writer *w, const struct model *m, struct itg_err *e)
{
	const struct store_link **v = xmalloc((m->nlinks ? m->nlinks : 1) * sizeof *v);
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < m->nlinks; i++)
		if (!m->links[i].itg)
			v[n++] = &m->links[i];
	if (n)
		qsort(v, n, sizeof *v, missing_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		yajl_gen_map_open(w->g);
		json_kv_str(w->g, IK_KIND, INV_KIND_MISSING);
		json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, v[i]->itg_id);
		json_kv_str(w->g, PK_ORGANIZATION_ID, v[i]->org_id);
		json_kv_str(w->g, PK_SOURCE, v[i]->source);
		json_kv_str(w->g, PK_REASON, v[i]->unlink_reason ? v[i]->unlink_reason
								  : REASON_UNCONFIRMED_DELETION);
		rc = plan_writer_end_line(w, e);
	}
	free(v);
	return rc;
}

/* ---- the file ------------------------------------------------------------------------ */

static int write_lines(struct model *m, int disconnect, struct plan_writer *w, struct itg_err *e)
{
	const struct pipeline *p = m->p;
	int bullphish = m->product == PRODUCT_BULLPHISH;
	struct inventory_links ix;
	int rc = 0;

	if (write_filter(w, m, INV_ORGANIZATION_TYPES, &p->organization_types, m->type_names, 0,
			 e) != 0 ||
	    write_filter(w, m, INV_ORGANIZATION_STATUSES, &p->organization_statuses,
			 m->status_names, 0, e) != 0 ||
	    (m->contacts_on && write_filter(w, m, INV_CONTACT_TYPES, &p->contact_types,
					    m->ctype_names, 1, e) != 0))
		return -1;
	if (!m->have_snapshot)
		return 0;
	if (write_org_refs(w, m, REF_TYPES, e) != 0 || write_org_refs(w, m, REF_STATUSES, e) != 0 ||
	    (bullphish && write_contact_refs(w, m, e) != 0))
		return -1;
	inventory_links_build(m, &ix);
	for (size_t i = 0; i < m->norgs && rc == 0; i++)
		rc = write_org(w, m, disconnect, &ix, &m->orgs[i], e);
	inventory_links_free(&ix);
	if (rc == 0)
		rc = write_missing(w, m, e);
	return rc;
}

int inventory_write(struct model *m, const char *dir, int disconnect, struct plan_writer *w,
		    struct itg_err *e)
{
	const struct snapshot_resource *res = &m->man.res[RES_CONTACTS];
	unsigned long long counted = m->contact_counts ? m->contact_counts->total : 0;
	char *path = fs_join(dir, PLAN_INVENTORY_FILE);
	int rc;

	if (m->have_snapshot && m->product == PRODUCT_BULLPHISH && res->present &&
	    counted != res->records && count_contacts(m, e) != 0) {
		free(path);
		return -1;
	}
	rc = plan_writer_open(w, path, e);
	free(path);
	if (rc != 0)
		return -1;
	if (write_lines(m, disconnect, w, e) != 0 || plan_writer_close(w, e) != 0) {
		plan_writer_abort(w);
		return -1;
	}
	return 0;
}
