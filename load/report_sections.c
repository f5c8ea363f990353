/*
 * report_sections.c - the sections of the report, built as one document
 * (rdoc.h) from the plan, what the apply did and the store after it: the
 * header, what happened, license consumption, what needs a person (review,
 * unimported domains, license-limited imports, skipped lines) and the
 * changes, table by table.  Tables list lines in plan order; a table cut at
 * RDOC_MAX_ROWS says where every row is (plan.ndjson or changes.csv).
 */
#include "report.h"
#include "csvtab.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"
#include "reasons.h"
#include "store.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Name (id)" from the store after the plan, or the id alone. */
struct names {
	struct strmap *orgs;
	struct buf tmp[4];
	int next;
};

static void names_init(struct names *n, const struct lstore *s)
{
	const struct csv_table *o = &s->st.tab[STORE_ORGS];
	int id = csvtab_col(o, "id"), name = csvtab_col(o, "name");

	memset(n, 0, sizeof *n);
	n->orgs = strmap_new(o->nrows);
	for (size_t r = 0; r < o->nrows; r++)
		strmap_put(n->orgs, csvtab_get(o, r, id), (void *)csvtab_get(o, r, name));
}

static void names_free(struct names *n)
{
	strmap_free(n->orgs, NULL);
	for (int i = 0; i < 4; i++)
		buf_free(&n->tmp[i]);
}

/* Valid until four more calls. */
static const char *org_label(struct names *n, const char *id)
{
	struct buf *b = &n->tmp[n->next++ % 4];
	const char *name;

	buf_reset(b);
	if (!id)
		return "";
	name = strmap_get(n->orgs, id);
	if (name && *name)
		buf_addf(b, "%s (%s)", name, id);
	else
		buf_adds(b, id);
	return buf_str(b);
}

static const char *lic_text(long long total, char out[32])
{
	if (total == LICENSE_UNLIMITED)
		return "unlimited";
	snprintf(out, 32, "%lld", total);
	return out;
}

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static const char *yesno(const struct plan_line *l, const char *key)
{
	return json_get_bool(l->v, key, 0) ? "on" : "off";
}

/* Joins an array of strings/ids: "a, b". */
static void join_array(struct buf *b, yajl_val arr, yajl_val names)
{
	if (!arr || !YAJL_IS_ARRAY(arr))
		return;
	for (size_t i = 0; i < arr->u.array.len; i++) {
		const char *id = json_str_or_number(arr->u.array.values[i]);
		const char *name = names && YAJL_IS_ARRAY(names) && i < names->u.array.len
					   ? json_str_or_number(names->u.array.values[i])
					   : NULL;
		if (i)
			buf_adds(b, "; ");
		if (name)
			buf_addf(b, "%s (%s)", name, id ? id : "?");
		else
			buf_adds(b, id ? id : "?");
	}
}

/* Where the rows a cut table leaves out are (rdoc_close_table). */
#define PLAN_REST "every one is in plan.ndjson"
#define CHANGES_REST "every change is in changes.csv"

/*
 * What the mass-change breaker made of the plan (breaker.h), when it
 * tripped: in a dry run that the real load would be refused, and the way
 * on; in a load let through by --allow-mass-unlink, that it was.
 */
static void breaker_text(const struct report_input *in, struct buf *b)
{
	const char *pipeline = in->pipeline_path ? in->pipeline_path : "PIPELINE";

	if (report_would_refuse(in)) {
		buf_adds(b, "A real load of this plan would be refused (exit 4, nothing changed): ");
		breaker_describe(in->breaker, b);
		buf_adds(b, ". Read the links removed below; if IT Glue really lost them, ");
		breaker_way_out(pipeline, b);
		buf_adds(b, ".");
	} else if (in->breaker && in->breaker->tripped) {
		buf_adds(b, "The mass-change breaker tripped and --allow-mass-unlink let the plan "
			    "through: ");
		breaker_describe(in->breaker, b);
		buf_adds(b, ".");
	}
}

static void breaker_line(struct rdoc *d, const struct report_input *in)
{
	struct buf b = {0};

	breaker_text(in, &b);
	if (b.len)
		rdoc_para(d, "%s", buf_str(&b));
	buf_free(&b);
}

static void header(struct rdoc *d, const struct report_input *in)
{
	const struct plan *p = in->plan;
	struct rtable *t;
	char prod[64];

	d->title = xasprintf("IT Glue sync report: %s", in->pipeline);
	snprintf(prod, sizeof prod, "%s (%s)", product_title(p->product),
		 product_name(p->product));
	t = rdoc_table(d, (const char *const[]){"Item", "Value", NULL});
	rdoc_row(t, "Run id", in->run_id);
	rdoc_row(t, "Pipeline", in->pipeline);
	rdoc_row(t, "Product", prod);
	rdoc_row(t, "Snapshot taken", *p->snapshot_time ? p->snapshot_time : "unknown");
	rdoc_row(t, "Mode",
		 in->dry_run ? "dry run: nothing was written to the store"
			     : "applied to the store");
	rdoc_row(t, "Integration", p->disconnect ? "disconnected by this plan" : "connected");
	rdoc_row(t, "Store", in->store);
	rdoc_row(t, "Plan", in->plan_dir);
	breaker_line(d, in);
}

static void what_happened(struct rdoc *d, const struct report_input *in)
{
	const struct plan *p = in->plan;
	size_t fields = in->res->events.nfields;
	struct rtable *t;
	struct rblock *c;
	char a[32], b[32];

	rdoc_block(d, RB_H2, "What happened");
	rdoc_para(d, "The plan has %zu lines. %s %zu rows (%zu field values).", p->n,
		  in->dry_run ? "Applying it would change" : "Applying it changed",
		  in->res->events.nev, fields);
	t = rdoc_table(d, (const char *const[]){"Action", "Plan lines",
						in->dry_run ? "Would change" : "Changed", NULL});
	for (int i = 0; i < PA_COUNT; i++) {
		if (!plan_action_in(i, p->product))
			continue;
		snprintf(a, sizeof a, "%zu", report_count_action(p, i, in->res, 0));
		snprintf(b, sizeof b, "%zu", report_count_action(p, i, in->res, 1));
		rdoc_row(t, plan_action_name(i), a, b);
	}
	/* after the table: adding a block may move it */
	c = rdoc_chart(d, "Plan lines per action");
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			rdoc_bar(c, plan_action_name(i),
				 (long long)report_count_action(p, i, in->res, 0), -1, 0);
}

struct lic_row {
	const char *name;
	long long used, total;
};

static void licenses(struct rdoc *d, const struct report_input *in)
{
	struct report_licenses l;
	struct rtable *t;
	struct rblock *c;
	char u[32], tot[32], fr[32];

	report_count_licenses(in->after, &l);
	rdoc_block(d, RB_H2, "License consumption");
	rdoc_para(d, "%s",
		  in->plan->product == PRODUCT_BULLPHISH
			  ? "Seats used after the plan: every user of an organization with the "
			    "module on takes one seat."
			  : "Domains used after the plan: every domain with status imported.");
	t = rdoc_table(d, (const char *const[]){"License", "Used", "Total", "Free", NULL});
	struct lic_row rows[2];
	int nrows = 0;

	if (in->plan->product == PRODUCT_BULLPHISH) {
		rows[nrows++] =
			(struct lic_row){"Phishing seats", l.phishing_used, in->lic_phishing};
		rows[nrows++] =
			(struct lic_row){"Training seats", l.training_used, in->lic_training};
	} else {
		rows[nrows++] = (struct lic_row){"Domains", l.domains_used, in->lic_domains};
	}
	for (int i = 0; i < nrows; i++) {
		snprintf(u, sizeof u, "%lld", rows[i].used);
		if (rows[i].total == LICENSE_UNLIMITED)
			snprintf(fr, sizeof fr, "unlimited");
		else
			snprintf(fr, sizeof fr, "%lld", rows[i].total - rows[i].used);
		rdoc_row(t, rows[i].name, u, lic_text(rows[i].total, tot), fr);
	}
	c = rdoc_chart(d, "License use");
	for (int i = 0; i < nrows; i++)
		rdoc_bar(c, rows[i].name, rows[i].used, rows[i].total, 1);
}

static void needs_person(struct rdoc *d, const struct report_input *in, struct names *nm)
{
	const struct plan *p = in->plan;
	size_t n_items;
	struct rtable *t;
	struct plan_line line;
	struct buf b = {0};

	rdoc_block(d, RB_H2, "Needs a person");
	n_items = report_count_lines(p, PA_REVIEW, NULL) + report_count_unimported(p) +
		  report_count_license_limited(p) + report_count_lines(p, PA_SKIP, NULL);
	if (!n_items && !report_would_refuse(in)) {
		rdoc_para(d, "Nothing needs a person.");
		return;
	}
	if (report_would_refuse(in)) {
		rdoc_block(d, RB_H3, "Mass unlink: a real load would be refused");
		breaker_line(d, in);
	}
	if (!n_items)
		return;
	rdoc_block(d, RB_H3, "Names to review");
	if (report_count_lines(p, PA_REVIEW, NULL))
		rdoc_para(d, "These IT Glue and product organizations match more than one candidate "
			     "by name, so none was linked or imported. Link the right pair by hand "
			     "in links.csv (source manual).");
	t = rdoc_table(d, (const char *const[]){"IT Glue org", "Product org", "Name", "Reason",
						"Candidates", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_REVIEW)
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		buf_reset(&b);
		join_array(&b, json_get(l->v, PK_CANDIDATES), json_get(l->v, PK_CANDIDATE_NAMES));
		rdoc_row(t, str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), ""),
			 plan_id(l, PK_ORGANIZATION_ID)
				 ? org_label(nm, plan_id(l, PK_ORGANIZATION_ID))
				 : "",
			 str_or(plan_str(l, PK_NAME), ""), plan_str(l, PK_REASON), buf_str(&b));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", PLAN_REST);

	rdoc_block(d, RB_H3, "Domains not imported");
	t = rdoc_table(d, (const char *const[]){"Domain", "IT Glue domain", "Organization",
						"Reason", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_IMPORT_DOMAIN)
			continue;
		plan_line_open(p, i, &line);
		if (report_line_unimported(l))
			rdoc_row(t, plan_str(l, PK_DOMAIN), plan_id(l, PK_ITGLUE_DOMAIN_ID),
				 org_label(nm, in->res->lines[i].org_id),
				 str_or(plan_str(l, PK_REASON), ""));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", PLAN_REST);

	rdoc_block(d, RB_H3, "Imports limited by license");
	t = rdoc_table(d, (const char *const[]){"IT Glue org", "Name", "Product org",
						"Modules left off", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_IMPORT_ORGANIZATION)
			continue;
		plan_line_open(p, i, &line);
		if (report_line_license_limited(l)) {
			buf_reset(&b);
			join_array(&b, json_get(l->v, PK_LICENSE_LIMITED), NULL);
			rdoc_row(t, plan_id(l, PK_ITGLUE_ORGANIZATION_ID), plan_str(l, PK_NAME),
				 org_label(nm, in->res->lines[i].org_id), buf_str(&b));
		}
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", PLAN_REST);

	rdoc_block(d, RB_H3, "Skipped");
	t = rdoc_table(d, (const char *const[]){"Kind", "IT Glue id", "IT Glue org", "Name",
						"Reason", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		const char *contact;
		if (p->lines[i].action != PA_SKIP)
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		contact = plan_id(l, PK_ITGLUE_CONTACT_ID);
		rdoc_row(t, contact ? "contact" : "organization",
			 contact ? contact : str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), ""),
			 contact ? str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), "") : "",
			 str_or(plan_str(l, PK_NAME), ""), plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", PLAN_REST);
	buf_free(&b);
}

static int changed(const struct report_input *in, size_t i, enum plan_action action)
{
	return in->plan->lines[i].action == action && in->res->lines[i].changed;
}

static void changes(struct rdoc *d, const struct report_input *in, struct names *nm)
{
	const struct plan *p = in->plan;
	int bp = p->product == PRODUCT_BULLPHISH;
	struct plan_line line;
	struct rtable *t;

	rdoc_block(d, RB_H2, "Changes");
	rdoc_block(d, RB_H3, "Links made");
	t = rdoc_table(d, (const char *const[]){"Product org", "IT Glue org", "IT Glue name",
						"Match", "Reason", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_LINK))
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		rdoc_row(t, org_label(nm, plan_id(l, PK_ORGANIZATION_ID)),
			 plan_id(l, PK_ITGLUE_ORGANIZATION_ID),
			 str_or(plan_str(l, PK_ITGLUE_NAME), ""), str_or(plan_str(l, PK_MATCH), ""),
			 plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", CHANGES_REST);

	rdoc_block(d, RB_H3, "Links removed");
	t = rdoc_table(d, (const char *const[]){"Product org", "IT Glue org", "Source", "Reason",
						NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_UNLINK))
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		rdoc_row(t, org_label(nm, plan_id(l, PK_ORGANIZATION_ID)),
			 plan_id(l, PK_ITGLUE_ORGANIZATION_ID), str_or(plan_str(l, PK_SOURCE), ""),
			 plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", CHANGES_REST);

	rdoc_block(d, RB_H3, "Renames");
	t = rdoc_table(d, (const char *const[]){"Product org", "Old name", "New name", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_RENAME))
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		rdoc_row(t, plan_id(l, PK_ORGANIZATION_ID), str_or(plan_str(l, PK_BEFORE), ""),
			 plan_str(l, PK_AFTER));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", CHANGES_REST);

	rdoc_block(d, RB_H3, "Organizations imported");
	t = rdoc_table(d, bp ? (const char *const[]){"New id", "IT Glue org", "Name", "Employees",
						     "Industry", "Phishing", "Training", NULL}
			     : (const char *const[]){"New id", "IT Glue org", "Name", "Employees",
						     "Industry", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_IMPORT_ORGANIZATION))
			continue;
		if (rdoc_table_full(t))
			continue;
		plan_line_open(p, i, &line);
		if (bp)
			rdoc_row(t, in->res->lines[i].row_id, plan_id(l, PK_ITGLUE_ORGANIZATION_ID),
				 plan_str(l, PK_NAME), plan_str(l, PK_EMPLOYEE_COUNT),
				 plan_str(l, PK_INDUSTRY), yesno(l, "phishing"),
				 yesno(l, "training"));
		else
			rdoc_row(t, in->res->lines[i].row_id, plan_id(l, PK_ITGLUE_ORGANIZATION_ID),
				 plan_str(l, PK_NAME), plan_str(l, PK_EMPLOYEE_COUNT),
				 plan_str(l, PK_INDUSTRY));
		plan_line_close(&line);
	}
	rdoc_close_table(d, "None.", CHANGES_REST);

	if (bp) {
		rdoc_block(d, RB_H3, "Users imported");
		t = rdoc_table(d, (const char *const[]){"User", "Organization", "First name",
							"Last name", "Email", "Group",
							"IT Glue contact", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_IMPORT_USER))
				continue;
			if (rdoc_table_full(t))
				continue;
			plan_line_open(p, i, &line);
			rdoc_row(t, in->res->lines[i].row_id,
				 org_label(nm, in->res->lines[i].org_id),
				 str_or(plan_str(l, PK_FIRST_NAME), ""),
				 str_or(plan_str(l, PK_LAST_NAME), ""),
				 str_or(plan_str(l, PK_EMAIL), ""),
				 str_or(plan_str(l, PK_GROUP), ""),
				 plan_id(l, PK_ITGLUE_CONTACT_ID));
			plan_line_close(&line);
		}
		rdoc_close_table(d, "None.", CHANGES_REST);

		rdoc_block(d, RB_H3, "Users linked");
		t = rdoc_table(d, (const char *const[]){"User", "Organization", "IT Glue contact",
							NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_LINK_USER))
				continue;
			if (rdoc_table_full(t))
				continue;
			plan_line_open(p, i, &line);
			rdoc_row(t, plan_id(l, PK_USER_ID), org_label(nm, in->res->lines[i].org_id),
				 plan_id(l, PK_ITGLUE_CONTACT_ID));
			plan_line_close(&line);
		}
		rdoc_close_table(d, "None.", CHANGES_REST);

		rdoc_block(d, RB_H3, "Users updated");
		t = rdoc_table(d, (const char *const[]){"User", "IT Glue contact", "Field", "Old",
							"New", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			yajl_val after, before;
			if (!changed(in, i, PA_UPDATE_USER))
				continue;
			plan_line_open(p, i, &line);
			after = json_get(l->v, PK_AFTER);
			before = json_get(l->v, PK_BEFORE);
			for (size_t f = 0; f < after->u.object.len; f++) {
				const char *k = after->u.object.keys[f];
				rdoc_row(t, plan_id(l, PK_USER_ID),
					 plan_id(l, PK_ITGLUE_CONTACT_ID), k,
					 str_or(json_get_str(before, k), ""),
					 YAJL_GET_STRING(after->u.object.values[f]));
			}
			plan_line_close(&line);
		}
		rdoc_close_table(d, "None.", CHANGES_REST);

		rdoc_block(d, RB_H3, "Users unlinked");
		rdoc_para(d, "The users stay in the product; only their link to the IT Glue "
			     "contact goes.");
		t = rdoc_table(d, (const char *const[]){"User", "Organization", "IT Glue contact",
							"Reason", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_UNLINK_USER))
				continue;
			if (rdoc_table_full(t))
				continue;
			plan_line_open(p, i, &line);
			rdoc_row(t, plan_id(l, PK_USER_ID), org_label(nm, in->res->lines[i].org_id),
				 str_or(plan_id(l, PK_ITGLUE_CONTACT_ID), ""),
				 str_or(plan_str(l, PK_REASON), ""));
			plan_line_close(&line);
		}
		rdoc_close_table(d, "None.", CHANGES_REST);
	} else {
		rdoc_block(d, RB_H3, "Domains");
		t = rdoc_table(d,
			       (const char *const[]){"Domain id", "Organization", "Domain",
						     "IT Glue domain", "Status", "Reason", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_IMPORT_DOMAIN))
				continue;
			if (rdoc_table_full(t))
				continue;
			plan_line_open(p, i, &line);
			rdoc_row(t, in->res->lines[i].row_id,
				 org_label(nm, in->res->lines[i].org_id), plan_str(l, PK_DOMAIN),
				 plan_id(l, PK_ITGLUE_DOMAIN_ID),
				 report_line_unimported(l) ? DOMAIN_UNIMPORTED : DOMAIN_IMPORTED,
				 report_line_unimported(l) ? str_or(plan_str(l, PK_REASON), "")
							   : "");
			plan_line_close(&line);
		}
		rdoc_close_table(d, "None.", CHANGES_REST);
	}
	if (in->res->integration_changed)
		rdoc_para(d, "Integration status: %s.",
			  p->disconnect ? "disconnected" : "connected");
}

void report_build(const struct report_input *in, struct rdoc *d)
{
	struct names nm;

	memset(d, 0, sizeof *d);
	names_init(&nm, in->after);
	header(d, in);
	what_happened(d, in);
	licenses(d, in);
	needs_person(d, in, &nm);
	report_handedits_section(d, in);
	changes(d, in, &nm);
	names_free(&nm);
}
