/*
 * apply.c - the plan applied to the store tables: the indexes of the rows
 * the lines name, and one handler per action, dispatched from the table
 * indexed by enum plan_action (handlers[] below).  Every change is recorded
 * in the result's event log (eventlog.h).
 */
#include "apply.h"
#include "ids.h"
#include "integration.h"
#include "json.h"
#include "log.h"
#include "planfmt.h"
#include "progress.h"
#include "reasons.h"
#include "rowix.h"
#include "store.h"
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ctx {
	const struct plan *plan;
	struct lstore *s;
	struct apply_result *r;
	const char *now;
	struct itg_err *e;
	const char *file;               /* plan.ndjson path for messages */
	/* indexes: values are row + 1 (or owned strings for refs/linked) */
	struct strmap *orgs, *links, *domains_by_id, *domains_by_name;
	/* users by id and by organization and contact: four bytes a user (rowix.h) */
	struct rowix users, user_contacts;
	struct strmap *refs;            /* "new:8" -> org id (owned) */
	struct strmap *linked_itg;      /* itglue org id -> org id (owned) */
	unsigned char *deleted;         /* links rows to remove at the end */
	size_t deleted_cap;
	char *next_id[STORE_NTABLES];   /* next id to assign per table */
};

#define ROW(v) ((size_t)(uintptr_t)(v) - 1)
#define VAL(row) ((void *)(uintptr_t)((row) + 1))

static char *two_key(const char *a, const char *b)
{
	return xasprintf("%s\x1f%s", a, b);
}

static const char *cell(struct ctx *c, int t, size_t row, const char *col)
{
	struct csv_table *tab = &c->s->st.tab[t];

	return csvtab_get(tab, row, csvtab_col(tab, col));
}

/* --- events ------------------------------------------------------------ */

/*
 * The event log (eventlog.h) seen from a handler: t is a table of the store,
 * or STORE_NTABLES for integration.json.
 */
static void event_begin(struct ctx *c, const char *action, int t, const char *key,
			const char *reason, enum event_kind kind, long line)
{
	eventlog_begin(&c->r->events, action,
		       t < STORE_NTABLES ? store_table_names[t] : "integration", key, reason, kind,
		       line);
}

/* The row id of a created row, known once the row exists. */
static void event_key(struct ctx *c, const char *key)
{
	eventlog_set_key(&c->r->events, key);
}

static void add_change(struct ctx *c, const char *field, const char *old, const char *new)
{
	eventlog_add(&c->r->events, field, old, new);
}

/* Keeps the current event if it recorded a change; returns 1 if it did. */
static int event_end(struct ctx *c)
{
	return eventlog_end(&c->r->events);
}

/* Sets a cell, recording the change in the current event.  1 if it changed. */
static int set_cell(struct ctx *c, int t, size_t row, const char *col, const char *val)
{
	struct csv_table *tab = &c->s->st.tab[t];
	int ci = csvtab_col(tab, col);
	const char *old;

	if (!val)
		val = "";
	old = csvtab_get(tab, row, ci);
	if (ci < 0 || strcmp(old, val) == 0)
		return 0;
	if (eventlog_is_open(&c->r->events))
		add_change(c, col, old, val);
	csvtab_set(tab, row, ci, val);
	c->s->changed[t] = 1;
	return 1;
}

/* After an update that changed something, the row was synced now. */
static void touch(struct ctx *c, int t, size_t row)
{
	if (eventlog_open_fields(&c->r->events) > 0)
		set_cell(c, t, row, "last_sync", c->now);
}

static size_t new_row(struct ctx *c, int t, const char **id_out)
{
	struct csv_table *tab = &c->s->st.tab[t];
	size_t row = csvtab_append_row(tab);
	char *id = c->next_id[t];

	c->next_id[t] = id_next(id);
	set_cell(c, t, row, t == STORE_LINKS ? "organization_id" : "id", id);
	free(id);
	*id_out = cell(c, t, row, "id");
	c->s->changed[t] = 1;
	return row;
}

/* --- indexes ----------------------------------------------------------- */

static char *max_id(struct ctx *c, int t)
{
	struct csv_table *tab = &c->s->st.tab[t];
	int ci = csvtab_col(tab, "id");
	const char *max = NULL;

	for (size_t r = 0; r < tab->nrows; r++) {
		const char *id = csvtab_get(tab, r, ci);
		if (id_is_numeric(id) && (!max || id_cmp(id, max) > 0))
			max = id;
	}
	return id_next(max);
}

static void index_tables(struct ctx *c)
{
	struct lstore *s = c->s;
	struct csv_table *t;

	c->orgs = strmap_new(s->st.tab[STORE_ORGS].nrows);
	c->links = strmap_new(s->st.tab[STORE_LINKS].nrows);
	c->domains_by_id = strmap_new(s->st.tab[STORE_DOMAINS].nrows);
	c->domains_by_name = strmap_new(s->st.tab[STORE_DOMAINS].nrows);
	c->refs = strmap_new(16);
	c->linked_itg = strmap_new(s->st.tab[STORE_LINKS].nrows);

	t = &s->st.tab[STORE_ORGS];
	for (size_t r = 0; r < t->nrows; r++)
		strmap_put(c->orgs, cell(c, STORE_ORGS, r, "id"), VAL(r));
	t = &s->st.tab[STORE_LINKS];
	for (size_t r = 0; r < t->nrows; r++) {
		const char *org = cell(c, STORE_LINKS, r, "organization_id");
		const char *itg = cell(c, STORE_LINKS, r, "itglue_organization_id");
		char *k = two_key(org, itg);
		strmap_put(c->links, k, VAL(r));
		free(strmap_put(c->linked_itg, itg, xstrdup(org)));
		free(k);
	}
	t = &s->st.tab[STORE_USERS];
	rowix_init(&c->users, t, csvtab_col(t, "id"), -1);
	rowix_init(&c->user_contacts, t, csvtab_col(t, "organization_id"),
		   csvtab_col(t, "itglue_contact_id"));
	for (size_t r = 0; s->st.used[STORE_USERS] && r < t->nrows; r++) {
		rowix_put(&c->users, r);
		rowix_put(&c->user_contacts, r);
	}
	if (s->st.used[STORE_DOMAINS]) {
		t = &s->st.tab[STORE_DOMAINS];
		for (size_t r = 0; r < t->nrows; r++) {
			const char *itg = cell(c, STORE_DOMAINS, r, "itglue_domain_id");
			if (*itg) {
				strmap_put(c->domains_by_id, itg, VAL(r));
			} else {
				char *name = store_domain_key(cell(c, STORE_DOMAINS, r, "domain"));
				char *k = two_key(cell(c, STORE_DOMAINS, r, "organization_id"), name);
				if (!strmap_has(c->domains_by_name, k))
					strmap_put(c->domains_by_name, k, VAL(r));
				free(k);
				free(name);
			}
		}
	}
	for (int i = 0; i < STORE_NTABLES; i++)
		if (s->st.used[i] && i != STORE_LINKS)
			c->next_id[i] = max_id(c, i);
}

static void free_indexes(struct ctx *c)
{
	strmap_free(c->orgs, NULL);
	strmap_free(c->links, NULL);
	rowix_free(&c->users);
	rowix_free(&c->user_contacts);
	strmap_free(c->domains_by_id, NULL);
	strmap_free(c->domains_by_name, NULL);
	strmap_free(c->refs, free);
	strmap_free(c->linked_itg, free);
	free(c->deleted);
	for (int i = 0; i < STORE_NTABLES; i++)
		free(c->next_id[i]);
}

/* --- lookups that fail with the plan line named ------------------------ */

static int misfit(struct ctx *c, const struct plan_line *l, const char *what, const char *id,
		  const char *file)
{
	return err_at(c->e, ITG_EXIT_USAGE, c->file, l->line, 0,
		      "%s %s is not in %s, the plan does not fit this store: make it again", what,
		      id, file);
}

static int find_org(struct ctx *c, const struct plan_line *l, const char *id, size_t *row)
{
	void *v = strmap_get(c->orgs, id);

	if (!v)
		return misfit(c, l, "organization", id, store_file_names[STORE_ORGS]);
	*row = ROW(v);
	return 0;
}

/* organization_id, or the org an earlier import made for organization_ref. */
static const char *line_org(struct ctx *c, const struct plan_line *l)
{
	const char *id = plan_id(l, PK_ORGANIZATION_ID);
	const char *ref;

	if (id)
		return id;
	ref = plan_id(l, PK_ORGANIZATION_REF);
	id = strmap_get(c->refs, ref);
	if (!id)
		err_at(c->e, ITG_EXIT_USAGE, c->file, l->line, 0,
		       "organization_ref \"%s\" names no organization imported earlier in the plan, "
		       "make the plan again", ref);
	return id;
}

#define LINE_KIND 3u
#define LINE_CHANGED 4u
#define LINE_ORG_STR 8u    /* v is an index + 1 in r->orgs, not a row */

/*
 * Line i resolved to org (or NULL); its row id is that of row of kind.  A
 * line of a user or a domain keeps only its row: its organization is the
 * row's organization_id, which the line set (a user never changes
 * organization; a plan has one import_domain line a domain).  A line of an
 * organization keeps the org's row in organizations.csv (org_row, or -1
 * when it has none); the others keep the org id itself.
 */
static void result_set(struct ctx *c, size_t i, const char *org, enum line_row_kind kind,
		       size_t row, long org_row)
{
	struct apply_result *r = c->r;
	unsigned flags = (unsigned)kind;

	if (kind == LINE_ROW_USER || kind == LINE_ROW_DOMAIN) {
		r->lines[i] = (uint32_t)row + 1;
	} else if (kind == LINE_ROW_ORG && org_row >= 0) {
		r->lines[i] = (uint32_t)org_row + 1;
	} else if (org) {
		/* lines of one org follow each other: one copy of its id serves them all */
		if (!(r->norgs && strcmp(r->orgs[r->norgs - 1], org) == 0)) {
			xgrow((void **)&r->orgs, &r->orgs_cap, r->norgs + 1, sizeof *r->orgs);
			r->orgs[r->norgs++] = arena_strdup(&r->strs, org);
		}
		r->lines[i] = (uint32_t)r->norgs;
		flags |= LINE_ORG_STR;
	} else {
		r->lines[i] = 0;
	}
	r->line_flags[i] = (unsigned char)((r->line_flags[i] & LINE_CHANGED) | flags);
}

static void line_changed(struct ctx *c, size_t i, int changed)
{
	if (changed)
		c->r->line_flags[i] |= LINE_CHANGED;
	else
		c->r->line_flags[i] &= (unsigned char)~LINE_CHANGED;
}

/* Cell col of the row line i keeps (a line of kind), or NULL. */
static const char *line_cell(const struct apply_result *r, size_t i, enum store_table t,
			     const char *col)
{
	const struct csv_table *tab = &r->s->st.tab[t];

	return csvtab_get(tab, r->lines[i] - 1, csvtab_col(tab, col));
}

const char *apply_line_org(const struct apply_result *r, size_t i)
{
	if (i >= r->nlines || !r->lines[i])
		return NULL;
	if (r->line_flags[i] & LINE_ORG_STR)
		return r->orgs[r->lines[i] - 1];
	switch (r->line_flags[i] & LINE_KIND) {
	case LINE_ROW_ORG:
		return line_cell(r, i, STORE_ORGS, "id");
	case LINE_ROW_USER:
		return line_cell(r, i, STORE_USERS, "organization_id");
	case LINE_ROW_DOMAIN:
		return line_cell(r, i, STORE_DOMAINS, "organization_id");
	default:
		return NULL;
	}
}

const char *apply_line_row_id(const struct apply_result *r, size_t i)
{
	if (i >= r->nlines || !r->lines[i])
		return NULL;
	switch (r->line_flags[i] & LINE_KIND) {
	case LINE_ROW_ORG:
		return apply_line_org(r, i);
	case LINE_ROW_USER:
		return line_cell(r, i, STORE_USERS, "id");
	case LINE_ROW_DOMAIN:
		return line_cell(r, i, STORE_DOMAINS, "id");
	default:
		return NULL;
	}
}

int apply_line_changed(const struct apply_result *r, size_t i)
{
	return i < r->nlines && (r->line_flags[i] & LINE_CHANGED) != 0;
}

/* --- actions ------------------------------------------------------------ */

static void mark_deleted(struct ctx *c, size_t row, size_t nrows)
{
	size_t old = c->deleted_cap;

	xgrow((void **)&c->deleted, &c->deleted_cap, nrows, 1);
	memset(c->deleted + old, 0, c->deleted_cap - old);
	c->deleted[row] = 1;
}

static int do_unlink(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *org = plan_id(l, PK_ORGANIZATION_ID);
	const char *itg = plan_id(l, PK_ITGLUE_ORGANIZATION_ID);
	char *k = two_key(org, itg), *key = xasprintf("%s/%s", org, itg);
	void *v = strmap_get(c->links, k);
	struct csv_table *t = &c->s->st.tab[STORE_LINKS];

	result_set(c, i, org, LINE_ROW_NONE, 0, -1);
	if (v) {
		size_t row = ROW(v);
		event_begin(c, plan_action_name(PA_UNLINK), STORE_LINKS, key, plan_str(l, PK_REASON),
			    EV_DELETE, l->line);
		for (size_t col = 0; col < t->ncols; col++)
			if (*csvtab_get(t, row, (int)col))
				add_change(c, t->cols[col], csvtab_get(t, row, (int)col), "");
		event_end(c);
		mark_deleted(c, row, t->nrows);
		c->s->changed[STORE_LINKS] = 1;
		strmap_put(c->links, k, NULL);
		free(strmap_put(c->linked_itg, itg, NULL));
		line_changed(c, i, 1);
	}
	free(k);
	free(key);
	return 0;
}

static int add_link(struct ctx *c, const struct plan_line *l, const char *action,
		    const char *org, const char *itg, const char *source, const char *reason)
{
	char *k = two_key(org, itg), *key = xasprintf("%s/%s", org, itg);
	int added = 0;

	if (!strmap_get(c->links, k)) {
		size_t row = csvtab_append_row(&c->s->st.tab[STORE_LINKS]);
		event_begin(c, action, STORE_LINKS, key, reason, EV_CREATE, l->line);
		set_cell(c, STORE_LINKS, row, "organization_id", org);
		set_cell(c, STORE_LINKS, row, "itglue_organization_id", itg);
		set_cell(c, STORE_LINKS, row, "source", source);
		set_cell(c, STORE_LINKS, row, "linked_at", c->now);
		event_end(c);
		strmap_put(c->links, k, VAL(row));
		free(strmap_put(c->linked_itg, itg, xstrdup(org)));
		added = 1;
	}
	free(k);
	free(key);
	return added;
}

static int do_link(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *org = plan_id(l, PK_ORGANIZATION_ID);
	const char *itg = plan_id(l, PK_ITGLUE_ORGANIZATION_ID);
	size_t row = 0;

	if (find_org(c, l, org, &row) != 0)
		return -1;
	result_set(c, i, org, LINE_ROW_NONE, 0, -1);
	if (add_link(c, l, plan_action_name(PA_LINK), org, itg, SOURCE_AUTO, plan_str(l, PK_REASON))) {
		/* the org is synced from now on */
		event_begin(c, plan_action_name(PA_LINK), STORE_ORGS, org, plan_str(l, PK_REASON),
			    EV_UPDATE, l->line);
		set_cell(c, STORE_ORGS, row, "last_sync", c->now);
		event_end(c);
		line_changed(c, i, 1);
	}
	return 0;
}

static int do_rename(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *org = plan_id(l, PK_ORGANIZATION_ID);
	size_t row = 0;

	if (find_org(c, l, org, &row) != 0)
		return -1;
	result_set(c, i, org, LINE_ROW_ORG, 0, (long)row);
	event_begin(c, plan_action_name(PA_RENAME), STORE_ORGS, org, NULL, EV_UPDATE, l->line);
	set_cell(c, STORE_ORGS, row, "name", plan_str(l, PK_AFTER));
	touch(c, STORE_ORGS, row);
	line_changed(c, i, event_end(c));
	return 0;
}

static int do_import_org(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *itg = plan_id(l, PK_ITGLUE_ORGANIZATION_ID);
	const char *ref = plan_str(l, PK_REF);
	const char *existing = strmap_get(c->linked_itg, itg);
	const char *id;
	size_t row = 0;

	if (existing) {
		/* already imported (an earlier load of this plan): never twice */
		free(strmap_put(c->refs, ref, xstrdup(existing)));
		void *v = strmap_get(c->orgs, existing);
		result_set(c, i, existing, LINE_ROW_ORG, 0, v ? (long)ROW(v) : -1);
		return 0;
	}
	event_begin(c, plan_action_name(PA_IMPORT_ORGANIZATION), STORE_ORGS, "",
		    plan_str(l, PK_REASON), EV_CREATE, l->line);
	row = new_row(c, STORE_ORGS, &id);
	event_key(c, id);
	set_cell(c, STORE_ORGS, row, "name", plan_str(l, PK_NAME));
	set_cell(c, STORE_ORGS, row, "employee_count", plan_str(l, PK_EMPLOYEE_COUNT));
	set_cell(c, STORE_ORGS, row, "industry", plan_str(l, PK_INDUSTRY));
	if (c->s->st.product == PRODUCT_BULLPHISH) {
		set_cell(c, STORE_ORGS, row, "phishing",
			 json_get_bool(l->v, PK_PHISHING, 0) ? "true" : "false");
		set_cell(c, STORE_ORGS, row, "training",
			 json_get_bool(l->v, PK_TRAINING, 0) ? "true" : "false");
	}
	set_cell(c, STORE_ORGS, row, "last_sync", c->now);
	event_end(c);
	strmap_put(c->orgs, id, VAL(row));
	free(strmap_put(c->refs, ref, xstrdup(id)));
	result_set(c, i, id, LINE_ROW_ORG, 0, (long)row);
	line_changed(c, i, 1);
	add_link(c, l, plan_action_name(PA_IMPORT_ORGANIZATION), id, itg, SOURCE_IMPORT, NULL);
	return 0;
}

static int do_import_user(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *org = line_org(c, l);
	const char *contact = plan_id(l, PK_ITGLUE_CONTACT_ID);
	size_t orow = 0, row = 0;
	const char *id;
	long found;

	if (!org || find_org(c, l, org, &orow) != 0)
		return -1;
	found = rowix_get2(&c->user_contacts, org, contact);
	if (found >= 0) {
		/* the user exists (an earlier load of this plan): bring it up to date */
		row = (size_t)found;
		id = cell(c, STORE_USERS, row, "id");
		event_begin(c, plan_action_name(PA_IMPORT_USER), STORE_USERS, id, NULL, EV_UPDATE, l->line);
	} else {
		event_begin(c, plan_action_name(PA_IMPORT_USER), STORE_USERS, "", NULL, EV_CREATE, l->line);
		row = new_row(c, STORE_USERS, &id);
		event_key(c, id);
		set_cell(c, STORE_USERS, row, "organization_id", org);
		set_cell(c, STORE_USERS, row, "itglue_contact_id", contact);
		rowix_put(&c->users, row);
		rowix_put(&c->user_contacts, row);
	}
	for (int f = 0; plan_user_fields[f]; f++)
		set_cell(c, STORE_USERS, row, plan_user_fields[f], plan_str(l, plan_user_fields[f]));
	touch(c, STORE_USERS, row);
	result_set(c, i, org, LINE_ROW_USER, row, -1);
	line_changed(c, i, event_end(c));
	return 0;
}

static int find_user(struct ctx *c, const struct plan_line *l, size_t *row)
{
	const char *id = plan_id(l, PK_USER_ID);
	long found = rowix_get(&c->users, id);

	if (found < 0)
		return misfit(c, l, "user", id, store_file_names[STORE_USERS]);
	*row = (size_t)found;
	return 0;
}

static int do_user_change(struct ctx *c, const struct plan_line *l, size_t i)
{
	size_t row = 0;

	if (find_user(c, l, &row) != 0)
		return -1;
	event_begin(c, plan_action_name(l->action), STORE_USERS, plan_id(l, PK_USER_ID),
		    plan_str(l, PK_REASON), EV_UPDATE, l->line);
	switch (l->action) {
	case PA_LINK_USER: {
		set_cell(c, STORE_USERS, row, "itglue_contact_id", plan_id(l, PK_ITGLUE_CONTACT_ID));
		touch(c, STORE_USERS, row);
		break;
	}
	case PA_UPDATE_USER: {
		yajl_val after = json_get(l->v, PK_AFTER);
		for (size_t f = 0; f < after->u.object.len; f++)
			set_cell(c, STORE_USERS, row, after->u.object.keys[f],
				 YAJL_GET_STRING(after->u.object.values[f]));
		touch(c, STORE_USERS, row);
		break;
	}
	default:
		/* unlink_user: the user stays, the link goes; not a sync of the row */
		set_cell(c, STORE_USERS, row, "itglue_contact_id", "");
		break;
	}
	/* found by its organization and contact as they are now */
	rowix_put(&c->user_contacts, row);
	result_set(c, i, NULL, LINE_ROW_USER, row, -1);
	line_changed(c, i, event_end(c));
	return 0;
}

static int do_import_domain(struct ctx *c, const struct plan_line *l, size_t i)
{
	const char *org = line_org(c, l);
	const char *itg = plan_id(l, PK_ITGLUE_DOMAIN_ID);
	const char *domain = plan_str(l, PK_DOMAIN);
	int pending = strcmp(plan_str(l, PK_STATUS), DOMAIN_PENDING) == 0;
	const char *reason = pending ? "" : plan_str(l, PK_REASON);
	size_t orow = 0, row = 0;
	const char *id;
	void *v;

	if (!org || find_org(c, l, org, &orow) != 0)
		return -1;
	v = strmap_get(c->domains_by_id, itg);
	if (!v) {
		char *name = store_domain_key(domain), *k = two_key(org, name);
		v = strmap_get(c->domains_by_name, k);
		if (v)
			strmap_put(c->domains_by_name, k, NULL); /* now carries an IT Glue id */
		free(k);
		free(name);
	}
	if (v) {
		row = ROW(v);
		id = cell(c, STORE_DOMAINS, row, "id");
		event_begin(c, plan_action_name(PA_IMPORT_DOMAIN), STORE_DOMAINS, id, reason, EV_UPDATE, l->line);
	} else {
		event_begin(c, plan_action_name(PA_IMPORT_DOMAIN), STORE_DOMAINS, "", reason, EV_CREATE, l->line);
		row = new_row(c, STORE_DOMAINS, &id);
		event_key(c, id);
	}
	strmap_put(c->domains_by_id, itg, VAL(row));
	set_cell(c, STORE_DOMAINS, row, "organization_id", org);
	set_cell(c, STORE_DOMAINS, row, "domain", domain);
	set_cell(c, STORE_DOMAINS, row, "itglue_domain_id", itg);
	/* the apply imports a pending domain */
	set_cell(c, STORE_DOMAINS, row, "status", pending ? DOMAIN_IMPORTED : DOMAIN_UNIMPORTED);
	set_cell(c, STORE_DOMAINS, row, "reason", reason);
	touch(c, STORE_DOMAINS, row);
	result_set(c, i, org, LINE_ROW_DOMAIN, row, -1);
	line_changed(c, i, event_end(c));
	return 0;
}

typedef int action_fn(struct ctx *c, const struct plan_line *l, size_t i);

/* What loading a line of each action does; review and skip have no handler. */
static action_fn *const handlers[PA_COUNT] = {
	[PA_UNLINK] = do_unlink,
	[PA_LINK] = do_link,
	[PA_RENAME] = do_rename,
	[PA_IMPORT_ORGANIZATION] = do_import_org,
	[PA_IMPORT_USER] = do_import_user,
	[PA_LINK_USER] = do_user_change,
	[PA_UPDATE_USER] = do_user_change,
	[PA_UNLINK_USER] = do_user_change,
	[PA_IMPORT_DOMAIN] = do_import_domain,
};

static void remove_deleted_links(struct ctx *c)
{
	struct csv_table *t = &c->s->st.tab[STORE_LINKS];

	if (!c->deleted)
		return;
	for (size_t r = t->nrows; r > 0; r--)
		if (r - 1 < c->deleted_cap && c->deleted[r - 1])
			csvtab_remove_row(t, r - 1);
}

/*
 * integration.json after the plan, through lib/integration: the status, the
 * sync time and the store's binding (docs/contract.md section 10).
 *
 * The status event: pipelines/run writes `syncing` before the load, and
 * that stands for the state the run started from (disconnected when
 * disconnected_by is set, else connected: integration_effective_status).
 * A change is recorded only when that differs from the new status, so a run
 * that changes nothing appends nothing to audit.ndjson.
 *
 * The binding: the first applied plan binds the store (product, pipeline
 * name, IT Glue account from the snapshot, NULL when unknown), and so does
 * a plan made with --connect; any other plan keeps the binding it finds.
 * disconnected_by is "operator" after a --disconnect plan and cleared by any
 * other (an IT Glue refusal is over once a plan was made and applied).
 */
static void integration(struct ctx *c, const char *region)
{
	const struct lstore *s = c->s;
	const struct plan *p = c->plan;
	const char *status = p->disconnect ? INTEGRATION_DISCONNECTED : INTEGRATION_CONNECTED;
	const char *old = integration_effective_status(&s->it);
	const char *reg = *p->region ? p->region : region ? region : s->it.region;
	struct integration it = {0};
	struct buf b = {0};

	if (!old)
		old = "";
	if (strcmp(old, status) != 0) {
		event_begin(c, "integration", STORE_NTABLES, "status",
			    p->disconnect ? REASON_DISCONNECT : NULL, EV_UPDATE, 0);
		add_change(c, "status", old, status);
		event_end(c);
		c->r->integration_changed = 1;
	}
	integration_set(&it.status, status);
	integration_set(&it.region, reg);
	/* a disconnect is not a sync: keep the time of the last one */
	integration_set(&it.last_sync, p->disconnect ? s->it.last_sync : c->now);
	if (!integration_is_bound(&s->it) || p->connect) {
		integration_set(&it.product, product_name(s->st.product));
		integration_set(&it.pipeline, p->pipeline && *p->pipeline ? p->pipeline : NULL);
		integration_set(&it.account_id, p->account_id);
		integration_set(&it.account_name, p->account_name);
	} else {
		integration_set(&it.product, s->it.product);
		integration_set(&it.pipeline, s->it.pipeline);
		integration_set(&it.account_id, s->it.account_id);
		integration_set(&it.account_name, s->it.account_name);
	}
	integration_set(&it.disconnected_by, p->disconnect ? INTEGRATION_BY_OPERATOR : NULL);
	integration_render(&it, &b);
	c->r->integration_json = buf_detach(&b);
	integration_free(&it);
}

int apply_plan(const struct plan *p, struct lstore *s, const char *now, const char *region,
	       struct apply_result *r, struct itg_err *e)
{
	struct ctx c = {0};
	char *file = fs_join(p->dir ? p->dir : ".", PLAN_FILE);
	struct progress prog;
	char total[32];
	int rc = 0;

	memset(r, 0, sizeof *r);
	r->nlines = p->n;
	r->lines = xcalloc(p->n + 1, sizeof *r->lines);
	r->line_flags = xcalloc(p->n + 1, 1);
	r->s = s;
	/* the events wait in an unnamed file in the store's folder, not in memory */
	eventlog_spill_to(&r->events, s->st.dir);
	c.plan = p;
	c.s = s;
	c.r = r;
	c.now = now;
	c.e = e;
	c.file = file;
	index_tables(&c);
	progress_init(&prog);
	progress_count(p->n, total);
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		struct plan_line line;
		const struct plan_line *l = &line;
		action_fn *handle = handlers[plan_action_at(p, i)];

		if (progress_due(&prog, i)) {
			char done[32];

			progress_count(i, done);
			log_progress("applying plan lines: %s of %s", done, total);
		}

		/* review and skip change nothing: the report lists them */
		if (!handle)
			continue;
		plan_line_open(p, i, &line);
		rc = handle(&c, l, i);
		plan_line_close(&line);
	}
	log_progress_end();
	if (rc == 0) {
		remove_deleted_links(&c);
		integration(&c, region);
	}
	free_indexes(&c);
	free(file);
	return rc;
}

void apply_result_free(struct apply_result *r)
{
	eventlog_free(&r->events);
	arena_free(&r->strs);
	free(r->lines);
	free(r->line_flags);
	free(r->orgs);
	free(r->integration_json);
	memset(r, 0, sizeof *r);
}
