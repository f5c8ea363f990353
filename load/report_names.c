/*
 * report_names.c - the names the report puts beside every id: product
 * organizations and users from the store after the plan, IT Glue
 * organizations from the plan's inventory or, without one, from the plan
 * lines that carry a name (link, rename, import, review, skip).  Also, per
 * product org, the reason of the unlink or review line that names it, which
 * the integration view gives an org with no IT Glue org.
 */
#include "report.h"
#include "csvtab.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"
#include "reasons.h"
#include "store.h"

#include <stdint.h>
#include <string.h>

static void plan_name(struct report_names *n, const char *itg, const char *name)
{
	if (itg && name && *name && !strmap_has(n->itglue, itg))
		strmap_put(n->itglue, itg, arena_strdup(&n->a, name));
}

static void note(struct report_names *n, const char *org, const char *reason)
{
	if (org && reason && !strmap_has(n->notes, org))
		strmap_put(n->notes, org, arena_strdup(&n->a, reason));
}

/* The plan lines that name an IT Glue org or say why a product org has none. */
static void scan_plan(struct report_names *n, const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		enum plan_action a = plan_action_at(p, i);
		struct plan_line l;
		const char *itg;

		if (a != PA_LINK && a != PA_RENAME && a != PA_IMPORT_ORGANIZATION &&
		    a != PA_REVIEW && a != PA_SKIP && a != PA_UNLINK)
			continue;
		plan_line_open(p, i, &l);
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		switch (a) {
		case PA_LINK:
			plan_name(n, itg, plan_str(&l, PK_ITGLUE_NAME));
			break;
		case PA_RENAME:
			plan_name(n, itg, plan_str(&l, PK_AFTER));
			break;
		case PA_IMPORT_ORGANIZATION:
			plan_name(n, itg, plan_str(&l, PK_NAME));
			break;
		case PA_SKIP:
			if (!plan_id(&l, PK_ITGLUE_CONTACT_ID))
				plan_name(n, itg, plan_str(&l, PK_NAME));
			break;
		case PA_REVIEW:
			/* an IT Glue org's review names it, and its candidates are
			 * product orgs under review with it; a product org's names that */
			if (!plan_id(&l, PK_ORGANIZATION_ID) && itg) {
				yajl_val c = json_get(l.v, PK_CANDIDATES);
				plan_name(n, itg, plan_str(&l, PK_NAME));
				for (size_t k = 0; c && YAJL_IS_ARRAY(c) && k < c->u.array.len; k++)
					note(n, json_str_or_number(c->u.array.values[k]),
					     plan_str(&l, PK_REASON));
			}
			note(n, plan_id(&l, PK_ORGANIZATION_ID), plan_str(&l, PK_REASON));
			break;
		case PA_UNLINK:
			note(n, plan_id(&l, PK_ORGANIZATION_ID), plan_str(&l, PK_REASON));
			break;
		default:
			break;
		}
		plan_line_close(&l);
	}
}

void report_names_init(struct report_names *n, const struct report_input *in)
{
	const struct csv_table *o = &in->after->st.tab[STORE_ORGS];
	const struct csv_table *k = &in->after->st.tab[STORE_LINKS];
	const struct csv_table *u = &in->after->st.tab[STORE_USERS];

	memset(n, 0, sizeof *n);
	n->s = in->after;
	n->inv = in->inv;
	n->o_id = csvtab_col(o, "id");
	n->o_name = csvtab_col(o, "name");
	n->o_sync = csvtab_col(o, "last_sync");
	n->l_org = csvtab_col(k, "organization_id");
	n->l_itg = csvtab_col(k, "itglue_organization_id");
	n->l_src = csvtab_col(k, "source");
	n->l_at = csvtab_col(k, "linked_at");
	n->u_id = csvtab_col(u, "id");
	n->u_org = csvtab_col(u, "organization_id");
	n->u_first = csvtab_col(u, "first_name");
	n->u_last = csvtab_col(u, "last_name");
	n->u_email = csvtab_col(u, "email");
	n->u_group = csvtab_col(u, "group");
	n->u_contact = csvtab_col(u, "itglue_contact_id");
	rowix_build(&n->orgs, o, n->o_id);
	rowix_build(&n->links, k, n->l_org);
	rowix_build(&n->users, u, n->u_id);
	n->itglue = strmap_new(64);
	n->notes = strmap_new(64);
	scan_plan(n, in->plan);
}

void report_names_free(struct report_names *n)
{
	rowix_free(&n->orgs);
	rowix_free(&n->links);
	rowix_free(&n->users);
	strmap_free(n->itglue, NULL);
	strmap_free(n->notes, NULL);
	arena_free(&n->a);
	memset(n, 0, sizeof *n);
}

const char *report_org_name(const struct report_names *n, const char *org_id)
{
	long r = rowix_get(&n->orgs, org_id);
	const char *name;

	if (r < 0)
		return NULL;
	name = csvtab_get(&n->s->st.tab[STORE_ORGS], (size_t)r, n->o_name);
	return *name ? name : NULL;
}

static const char *label(struct buf *out, const char *name, const char *id)
{
	buf_reset(out);
	if (!id)
		return buf_str(out);
	if (name && *name)
		buf_addf(out, "%s (%s)", name, id);
	else
		buf_adds(out, id);
	return buf_str(out);
}

const char *report_org_label(const struct report_names *n, const char *org_id, struct buf *out)
{
	return label(out, report_org_name(n, org_id), org_id);
}

const char *report_itglue_name(const struct report_names *n, const char *itglue_id)
{
	const struct inv_org *o = report_inventory_org(n->inv, itglue_id);

	if (o && o->name && *o->name)
		return o->name;
	return itglue_id ? strmap_get(n->itglue, itglue_id) : NULL;
}

const char *report_itglue_label(const struct report_names *n, const char *itglue_id,
				struct buf *out)
{
	const struct inv_org *o = report_inventory_org(n->inv, itglue_id);
	const char *name = report_itglue_name(n, itglue_id);

	/* an org gone from IT Glue has no name left to show: say where it went */
	if (!name && o && strcmp(o->state, "missing") == 0)
		name = o->reason && strcmp(o->reason, REASON_ITGLUE_DELETED) == 0
			       ? "deleted in IT Glue"
			       : "missing from the snapshot";
	return label(out, name, itglue_id);
}

long report_user_row(const struct report_names *n, const char *user_id)
{
	return rowix_get(&n->users, user_id);
}

const char *report_user_cell(const struct report_names *n, const char *user_id, int col)
{
	long r = rowix_get(&n->users, user_id);

	return r < 0 ? "" : csvtab_get(&n->s->st.tab[STORE_USERS], (size_t)r, col);
}

const char *report_user_label(const struct report_names *n, const char *user_id,
			      struct buf *out)
{
	const char *first = report_user_cell(n, user_id, n->u_first);
	const char *last = report_user_cell(n, user_id, n->u_last);

	buf_reset(out);
	if (!user_id)
		return buf_str(out);
	if (*first || *last)
		buf_addf(out, "%s%s%s (%s)", first, *first && *last ? " " : "", last, user_id);
	else if (*report_user_cell(n, user_id, n->u_email))
		buf_addf(out, "%s (%s)", report_user_cell(n, user_id, n->u_email), user_id);
	else
		buf_adds(out, user_id);
	return buf_str(out);
}

long report_org_link(const struct report_names *n, const char *org_id)
{
	return rowix_get(&n->links, org_id);
}
