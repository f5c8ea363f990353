/*
 * model.c - loading the snapshot's organizations and reference tables, and
 * the rules' view of the product store (read and checked by lib/store).
 */
#include "model.h"

#include "hash.h"
#include "inventory.h"
#include "json.h"
#include "reasons.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

void model_init(struct model *m, const struct pipeline *p)
{
	memset(m, 0, sizeof *m);
	m->p = p;
	m->product = p->product;
	m->contacts_on = p->product == PRODUCT_BULLPHISH && p->contacts_enabled;
}

/* ---- snapshot ---------------------------------------------------------- */

int model_open_records(const struct model *m, enum resource res, const struct recread_spec *spec,
		       struct recread *r, struct itg_err *e)
{
	const struct snapshot_resource *sr = &m->man.res[res];
	struct recread_expect x = {sr->records, sr->crc32, sr->bytes};
	char *path;
	int rc;

	if (!sr->present)
		return err_set(e, ITG_EXIT_USAGE,
			       "%s: the snapshot has no %s: run itg-extract with that resource",
			       m->snapshot_dir, resource_names[res]);
	path = fs_join(m->snapshot_dir, sr->file);
	rc = recread_open(r, path, spec, &x, e);
	free(path);
	if (rc != 0 && r->damaged)
		err_prefix(e, "snapshot %s is damaged or incomplete, extract it again",
			   m->snapshot_dir);
	return rc;
}

/* After a read of rc: the end marks the resource verified; a file at fault
 * says to extract the snapshot again. */
static int after_read(struct model *m, enum resource res, const struct recread *r, int rc,
		      struct itg_err *e)
{
	if (rc == 0)
		m->verified[res] = 1;
	else if (rc < 0 && r->damaged)
		err_prefix(e, "snapshot %s is damaged or incomplete, extract it again",
			   m->snapshot_dir);
	return rc;
}

int model_next_record(struct model *m, enum resource res, struct recread *r, struct itg_err *e)
{
	return after_read(m, res, r, recread_next(r, e), e);
}

int model_next_line(struct model *m, enum resource res, struct recread *r, const char **line,
		    size_t *len, struct itg_err *e)
{
	return after_read(m, res, r, recread_next_line(r, line, len, e), e);
}

static const struct recread_spec no_fields = {.attrs = {NULL}};

int model_verify_unread(struct model *m, struct itg_err *e)
{
	for (int res = 0; res < RES_COUNT; res++) {
		struct recread r;
		int rc;
		if (!m->have_snapshot || !m->man.res[res].present || m->verified[res])
			continue;
		if (model_open_records(m, res, &no_fields, &r, e) != 0)
			return -1;
		rc = recread_skip_rest(&r, e);
		if (rc == 0)
			m->verified[res] = 1;
		else
			err_prefix(e, "snapshot %s is damaged or incomplete, extract it again",
				   m->snapshot_dir);
		recread_close(&r);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Reads id -> name of a reference resource (types, statuses, contact types). */
static const struct recread_spec names_spec = {.attrs = {"name", NULL}};

static int load_names(struct model *m, enum resource res, struct strmap **out, struct itg_err *e)
{
	struct recread r;
	int rc;

	*out = strmap_new(64);
	if (!m->man.res[res].present)
		return 0;
	if (model_open_records(m, res, &names_spec, &r, e) != 0)
		return -1;
	while ((rc = model_next_record(m, res, &r, e)) == 1) {
		const char *name = recread_str(&r.attr[0]);
		free(strmap_put(*out, recread_id_text(&r.id), xstrdup(name ? name : "")));
	}
	recread_close(&r);
	return rc < 0 ? -1 : 0;
}

static int org_cmp(const void *a, const void *b)
{
	return id_cmp(((const struct itg_org *)a)->id, ((const struct itg_org *)b)->id);
}

/* Remembers the first type or status name carried on an org, for when the
 * reference resource lacks it (an older or partial snapshot). */
static void note_name(struct arena *a, struct strmap *names, const char *id, const char *name)
{
	if (id && name && !strmap_has(names, id))
		strmap_put(names, id, arena_strdup(a, name));
}

/* The names carried on the orgs that the reference resource lacks. */
static void add_carried(struct strmap *names, const struct strmap *carried)
{
	size_t it = 0;
	const char *id;
	void *name;

	while (strmap_next(carried, &it, &id, &name))
		if (!strmap_has(names, id))
			strmap_put(names, id, xstrdup(name));
}

enum { ORG_NAME, ORG_TYPE_ID, ORG_STATUS_ID, ORG_TYPE_NAME, ORG_STATUS_NAME };
static const struct recread_spec orgs_spec = {
	.attrs = {"name", "organization-type-id", "organization-status-id",
		  "organization-type-name", "organization-status-name", NULL},
};

static int load_orgs(struct model *m, struct strmap *carried_types, struct strmap *carried_statuses,
		     struct itg_err *e)
{
	struct arena *a = &m->strings;
	struct recread r;
	size_t cap = 0;
	int rc;

	if (model_open_records(m, RES_ORGANIZATIONS, &orgs_spec, &r, e) != 0)
		return -1;
	while ((rc = model_next_record(m, RES_ORGANIZATIONS, &r, e)) == 1) {
		struct itg_org *o;
		const char *s;
		xgrow((void **)&m->orgs, &cap, m->norgs + 1, sizeof *m->orgs);
		o = &m->orgs[m->norgs++];
		memset(o, 0, sizeof *o);
		o->rank = -1;
		o->id = arena_strdup(a, recread_id_text(&r.id));
		s = recread_str(&r.attr[ORG_NAME]);
		o->name = arena_strdup(a, s ? s : "");
		o->type_id = arena_strdup(a, recread_id_text(&r.attr[ORG_TYPE_ID]));
		o->status_id = arena_strdup(a, recread_id_text(&r.attr[ORG_STATUS_ID]));
		note_name(a, carried_types, o->type_id, recread_str(&r.attr[ORG_TYPE_NAME]));
		note_name(a, carried_statuses, o->status_id, recread_str(&r.attr[ORG_STATUS_NAME]));
		if (strmap_has(m->org_by_id, o->id)) {
			rc = err_at(e, ITG_EXIT_USAGE, recread_path(&r), recread_lineno(&r), 0,
				    "organization %s appears twice: extract the snapshot again",
				    o->id);
			break;
		}
		/* a placeholder: the array moves while it grows */
		strmap_put(m->org_by_id, o->id, NULL);
	}
	recread_close(&r);
	return rc < 0 ? -1 : 0;
}

int model_load_snapshot(struct model *m, const char *dir, struct itg_err *e)
{
	struct strmap *carried_types, *carried_statuses;
	struct buf raw = {0};
	char *mpath;
	int rc;

	m->snapshot_dir = xstrdup(dir);
	if (snapshot_manifest_load(dir, &m->man, e) != 0)
		return -1;
	m->have_snapshot = 1;
	/* a snapshot without the lists (made by hand, or by an older
	 * itg-extract) confirms nothing */
	m->confirmed = strmap_new(m->man.confirmed_deleted.n);
	for (size_t i = 0; i < m->man.confirmed_deleted.n; i++)
		strmap_put(m->confirmed, m->man.confirmed_deleted.v[i], NULL);
	mpath = fs_join(dir, "manifest.json");
	if (fs_read_all(mpath, &raw, 0, e) != 0) {
		free(mpath);
		return -1;
	}
	free(mpath);
	m->manifest_hash = hash_fnv1a64(raw.p ? raw.p : "", raw.len);
	buf_free(&raw);
	/* each file is checked against the manifest at the end of its one
	 * pass; the organizations first, as the largest file read here */
	m->org_by_id = strmap_new(1024);
	carried_types = strmap_new(16);
	carried_statuses = strmap_new(16);
	rc = load_orgs(m, carried_types, carried_statuses, e);
	if (rc == 0 && (load_names(m, RES_ORGANIZATION_TYPES, &m->type_names, e) != 0 ||
			load_names(m, RES_ORGANIZATION_STATUSES, &m->status_names, e) != 0 ||
			load_names(m, RES_CONTACT_TYPES, &m->ctype_names, e) != 0))
		rc = -1;
	if (rc == 0) {
		add_carried(m->type_names, carried_types);
		add_carried(m->status_names, carried_statuses);
	}
	strmap_free(carried_types, NULL);
	strmap_free(carried_statuses, NULL);
	if (rc != 0)
		return -1;
	if (m->norgs)
		qsort(m->orgs, m->norgs, sizeof *m->orgs, org_cmp);
	/* index the array where it ended up */
	strmap_free(m->org_by_id, NULL);
	m->org_by_id = strmap_new(m->norgs);
	for (size_t i = 0; i < m->norgs; i++)
		strmap_put(m->org_by_id, m->orgs[i].id, &m->orgs[i]);
	return 0;
}

struct itg_org *model_itg_org(const struct model *m, const char *id)
{
	return id && m->org_by_id ? strmap_get(m->org_by_id, id) : NULL;
}

int model_deletion_confirmed(const struct model *m, const char *id)
{
	return id && m->confirmed && strmap_has(m->confirmed, id);
}

struct prod_org *model_prod_org(const struct model *m, const char *id)
{
	return id && m->porg_by_id ? strmap_get(m->porg_by_id, id) : NULL;
}

void model_set_link(struct prod_org *o, struct itg_org *g)
{
	o->link = g;
	g->link = o;
}

/* ---- store ------------------------------------------------------------- */

/*
 * The store's rows as the rules see them.  store_validate has already
 * refused every inconsistency (docs/rules.md 36), so building cannot fail.
 */

static int porg_cmp(const void *a, const void *b)
{
	return id_cmp(((const struct prod_org *)a)->id, ((const struct prod_org *)b)->id);
}

static void build_prod_orgs(struct model *m)
{
	const struct csv_table *t = &m->store.tab[STORE_ORGS];
	int c_id = csvtab_col(t, "id"), c_name = csvtab_col(t, "name");
	int c_ph = csvtab_col(t, "phishing"), c_tr = csvtab_col(t, "training");

	m->porgs = xcalloc(t->nrows ? t->nrows : 1, sizeof *m->porgs);
	m->nporgs = t->nrows;
	for (size_t r = 0; r < t->nrows; r++) {
		struct prod_org *o = &m->porgs[r];
		o->id = csvtab_get(t, r, c_id);
		o->name = csvtab_get(t, r, c_name);
		o->line = csvtab_line(t, r);
		o->phishing = store_parse_bool(csvtab_get(t, r, c_ph));
		o->training = store_parse_bool(csvtab_get(t, r, c_tr));
	}
	if (m->nporgs)
		qsort(m->porgs, m->nporgs, sizeof *m->porgs, porg_cmp);
	m->porg_by_id = strmap_new(m->nporgs);
	for (size_t i = 0; i < m->nporgs; i++)
		strmap_put(m->porg_by_id, m->porgs[i].id, &m->porgs[i]);
}

static void build_links(struct model *m)
{
	const struct csv_table *t = &m->store.tab[STORE_LINKS];
	int c_org = csvtab_col(t, "organization_id");
	int c_itg = csvtab_col(t, "itglue_organization_id"), c_src = csvtab_col(t, "source");

	m->links = xcalloc(t->nrows ? t->nrows : 1, sizeof *m->links);
	m->nlinks = t->nrows;
	for (size_t r = 0; r < t->nrows; r++) {
		struct store_link *l = &m->links[r];
		const char *src = csvtab_get(t, r, c_src);
		l->org_id = csvtab_get(t, r, c_org);
		l->itg_id = csvtab_get(t, r, c_itg);
		l->line = csvtab_line(t, r);
		l->source = !strcmp(src, SOURCE_AUTO)     ? SOURCE_AUTO
			    : !strcmp(src, SOURCE_MANUAL) ? SOURCE_MANUAL
							  : SOURCE_IMPORT;
		l->org = model_prod_org(m, l->org_id);
		l->itg = model_itg_org(m, l->itg_id);
	}
}

static void build_users(struct model *m)
{
	const struct csv_table *t = &m->store.tab[STORE_USERS];
	int c_id = csvtab_col(t, "id"), c_org = csvtab_col(t, "organization_id");
	int c_fn = csvtab_col(t, "first_name"), c_ln = csvtab_col(t, "last_name");
	int c_em = csvtab_col(t, "email"), c_gr = csvtab_col(t, "group");
	int c_ct = csvtab_col(t, "itglue_contact_id");

	m->users = xcalloc(t->nrows ? t->nrows : 1, sizeof *m->users);
	m->nusers = t->nrows;
	for (size_t r = 0; r < t->nrows; r++) {
		struct store_user *u = &m->users[r];
		u->id = csvtab_get(t, r, c_id);
		u->org_id = csvtab_get(t, r, c_org);
		u->first_name = csvtab_get(t, r, c_fn);
		u->last_name = csvtab_get(t, r, c_ln);
		u->email = csvtab_get(t, r, c_em);
		u->group = csvtab_get(t, r, c_gr);
		u->contact_id = csvtab_get(t, r, c_ct);
		u->line = csvtab_line(t, r);
		u->org = model_prod_org(m, u->org_id);
		xgrow((void **)&u->org->users, &u->org->capusers, u->org->nusers + 1,
		      sizeof *u->org->users);
		u->org->users[u->org->nusers++] = u;
	}
	/* four bytes a user (rowix.h), not a string map of every contact id */
	rowix_build(&m->user_by_contact, t, c_ct);
}

struct store_user *model_user_by_contact(const struct model *m, const char *contact_id)
{
	long r = m->user_by_contact.slot ? rowix_get(&m->user_by_contact, contact_id) : -1;

	return r >= 0 ? &m->users[r] : NULL;
}

static void build_domains(struct model *m)
{
	const struct csv_table *t = &m->store.tab[STORE_DOMAINS];
	int c_id = csvtab_col(t, "id"), c_org = csvtab_col(t, "organization_id");
	int c_dom = csvtab_col(t, "domain"), c_itg = csvtab_col(t, "itglue_domain_id");
	int c_st = csvtab_col(t, "status");

	m->domains = xcalloc(t->nrows ? t->nrows : 1, sizeof *m->domains);
	m->ndomains = t->nrows;
	for (size_t r = 0; r < t->nrows; r++) {
		struct store_domain *d = &m->domains[r];
		d->id = csvtab_get(t, r, c_id);
		d->org_id = csvtab_get(t, r, c_org);
		d->domain = csvtab_get(t, r, c_dom);
		d->itg_domain_id = csvtab_get(t, r, c_itg);
		d->status = csvtab_get(t, r, c_st);
		d->line = csvtab_line(t, r);
	}
}

int model_load_store(struct model *m, const char *dir, struct itg_err *e)
{
	if (store_read(dir, m->product, &m->store, e) != 0 || store_validate(&m->store, e) != 0)
		return -1;
	build_prod_orgs(m);
	build_links(m);
	if (m->store.used[STORE_USERS])
		build_users(m);
	if (m->store.used[STORE_DOMAINS])
		build_domains(m);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

char *model_fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	size_t start = 0, end = strlen(s);
	char *trimmed, *res;

	while (start < end && (s[start] == ' ' || s[start] == '\t'))
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	trimmed = xstrndup(s + start, end - start);
	if (utf8proc_map((const utf8proc_uint8_t *)trimmed, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
				 UTF8PROC_CASEFOLD) < 0) {
		/* not UTF-8: fold ASCII only */
		for (char *p = trimmed; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return trimmed;
	}
	free(trimmed);
	res = xstrdup((const char *)out);
	free(out);
	return res;
}

static void free_review(struct review *r)
{
	free(r->cand_ids);
	free(r->cand_names);
}

void model_free(struct model *m)
{
	free(m->orgs);
	arena_free(&m->strings);
	strmap_free(m->org_by_id, NULL);
	strmap_free(m->type_names, free);
	strmap_free(m->status_names, free);
	strmap_free(m->ctype_names, free);
	strmap_free(m->types_sel, NULL);
	strmap_free(m->statuses_sel, NULL);
	strmap_free(m->ctypes_sel, NULL);
	strmap_free(m->ctype_names_sel, NULL);
	for (size_t i = 0; i < m->nporgs; i++)
		free(m->porgs[i].users);
	free(m->porgs);
	strmap_free(m->porg_by_id, NULL);
	free(m->links);
	free(m->users);
	rowix_free(&m->user_by_contact);
	free(m->domains);
	store_free(&m->store);
	free(m->new_links);
	for (size_t i = 0; i < m->nreviews; i++)
		free_review(&m->reviews[i]);
	free(m->reviews);
	for (size_t i = 0; i < m->nmisses; i++) {
		free(m->misses[i].cand_ids);
		free(m->misses[i].cand_names);
	}
	free(m->misses);
	free(m->linked);
	inventory_counts_free(m->contact_counts);
	free(m->snapshot_dir);
	strmap_free(m->confirmed, NULL);
	snapshot_manifest_free(&m->man);
	memset(m, 0, sizeof *m);
}
