/*
 * report_sections.c - the sections of the report, built as one document
 * (rdoc.h) from the plan, what the apply did and the store after it: the
 * header, what happened (lines per action and reason), license consumption,
 * what needs a person (review, unimported domains, license-limited imports,
 * skipped lines, licenses over their total) and the changes, table by
 * table; then the state of the integration (report_integration.c), the
 * BullPhish ID upload files (report_upload.c) and the files beside the
 * report.
 *
 * Every table names what its ids are (org names, IT Glue names, users),
 * gives every row a reason, explains each reason it counts, and shows its
 * first RDOC_MAX_ROWS rows; its file in lists/ holds every line (report_table.c),
 * so that every plan line is in some file of the report folder by name.
 */
#include "report.h"
#include "csvtab.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"
#include "reasons.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the first pass over the plan counted: lines per action and reason. */
struct plan_stats {
	struct rcount by_action[PA_COUNT];
	size_t lines[PA_COUNT], changed[PA_COUNT];
	size_t unimported, license_limited;
};

/*
 * The raw value of a top-level string key of a verified plan line, without
 * parsing it: inside a JSON string every quote is escaped, so `"key":"` can
 * only be a key, and the plan's nested objects (before, after) hold user
 * fields only.  NULL when the key is absent or not a string.  The first
 * pass over half a million lines costs a scan instead of a parse.
 */
static const char *raw_str(const struct plan *p, size_t i, const char *key, size_t *len)
{
	const char *line = plan_line_text(p, i), *end = line + plan_line_len(p, i), *v;
	size_t klen = strlen(key);

	for (const char *q = line; q + klen + 4 <= end; q++) {
		q = memchr(q, '"', (size_t)(end - q));
		if (!q || q + klen + 4 > end)
			return NULL;
		if (memcmp(q + 1, key, klen) == 0 && q[klen + 1] == '"' && q[klen + 2] == ':' &&
		    q[klen + 3] == '"') {
			v = q + klen + 4;
			for (q = v; q < end && *q != '"'; q++)
				if (*q == '\\')
					q++;
			*len = (size_t)(q - v);
			return v;
		}
	}
	return NULL;
}

static int raw_is(const struct plan *p, size_t i, const char *key, const char *want)
{
	size_t n;
	const char *v = raw_str(p, i, key, &n);

	return v && n == strlen(want) && memcmp(v, want, n) == 0;
}

static void stats_build(const struct report_input *in, struct plan_stats *st)
{
	const struct plan *p = in->plan;
	struct buf code = {0};

	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < p->n; i++) {
		enum plan_action a = plan_action_at(p, i);
		int ch = apply_line_changed(in->res, i);
		struct plan_line l;
		size_t n;
		const char *r = raw_str(p, i, PK_REASON, &n);

		plan_line_ref(p, i, &l);
		buf_reset(&code);
		/* a reason with an escape in it is decoded the slow way */
		if (r && !memchr(r, '\\', n)) {
			buf_add(&code, r, n);
		} else if (r) {
			plan_line_open(p, i, &l);
			buf_adds(&code, report_line_reason(&l));
			plan_line_close(&l);
		} else {
			l.v = NULL;
			buf_adds(&code, report_line_reason(&l) ? report_line_reason(&l) : "");
		}
		rcount_add(&st->by_action[a], code.len ? buf_str(&code) : NULL, 1, ch ? 1 : 0);
		st->lines[a]++;
		if (a == PA_IMPORT_DOMAIN && raw_is(p, i, PK_STATUS, DOMAIN_UNIMPORTED))
			st->unimported++;
		else if (ch)
			st->changed[a]++;
		if (a == PA_IMPORT_ORGANIZATION && raw_str(p, i, PK_REASON, &n) &&
		    raw_is(p, i, PK_REASON, REASON_LICENSE_LIMIT)) {
			plan_line_open(p, i, &l);
			st->license_limited += report_line_license_limited(&l) != 0;
			plan_line_close(&l);
		}
	}
	buf_free(&code);
}

static void stats_free(struct plan_stats *st)
{
	for (int a = 0; a < PA_COUNT; a++)
		rcount_free(&st->by_action[a]);
}

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static const char *yesno(const struct plan_line *l, const char *key)
{
	return json_get_bool(l->v, key, 0) ? "on" : "off";
}

static const char *boolword(const struct plan_line *l, const char *key)
{
	return json_get_bool(l->v, key, 0) ? "true" : "false";
}

/* The line number of plan line i, as text in b. */
static const char *line_no(size_t i, struct buf *b)
{
	buf_addf(b, "%zu", i + 1);
	return buf_str(b);
}

/* Joins an array of ids with their names: "Hooli (21); Hooli Inc (22)". */
static const char *join_array(struct buf *b, yajl_val arr, yajl_val names)
{
	if (!arr || !YAJL_IS_ARRAY(arr))
		return buf_str(b);
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
	return buf_str(b);
}

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

static int no_changes(const struct report_input *in)
{
	return in->res->events.nev == 0;
}

static void header(struct rdoc *d, const struct report_input *in)
{
	const struct plan *p = in->plan;
	struct rtable *t;
	char prod[64], n[32];
	struct buf inv = {0};

	d->title = xasprintf("IT Glue sync report: %s", in->pipeline);
	snprintf(prod, sizeof prod, "%s (%s)", product_title(p->product),
		 product_name(p->product));
	if (in->inv && in->inv->present)
		buf_addf(&inv, "%s: %s IT Glue organizations, their types and statuses, and the "
			       "sync filters", INVENTORY_FILE,
			 rdoc_num((long long)in->inv->norgs, n));
	else
		buf_adds(&inv, "none: this plan has no inventory");
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
	rdoc_row(t, "Inventory", buf_str(&inv));
	buf_free(&inv);
	breaker_line(d, in);
}

static void what_happened(struct rdoc *d, const struct report_input *in,
			  const struct plan_stats *st)
{
	const struct plan *p = in->plan;
	struct rtable *t;
	struct rblock *c;
	char a[32], b[32], f[32];
	long long other = 0;

	rdoc_block(d, RB_H2, "What happened");
	if (no_changes(in))
		rdoc_para(d, "No changes: %s nothing in the store. The plan has %s lines.",
			  in->dry_run ? "applying the plan would change" : "applying the plan changed",
			  rdoc_num((long long)p->n, a));
	else
		rdoc_para(d, "The plan has %s lines. %s %s rows (%s field values).",
			  rdoc_num((long long)p->n, a),
			  in->dry_run ? "Applying it would change" : "Applying it changed",
			  rdoc_num((long long)in->res->events.nev, b),
			  rdoc_num((long long)in->res->events.nfields, f));
	if (!p->n)
		return;
	rdoc_para(d, "Plan lines per action and reason (actions with no line are left out). "
		     "Review and skip lines never change the store: they are listed under "
		     "Needs a person.");
	t = rdoc_table(d, (const char *const[]){"Action", "Reason", "Plan lines",
						in->dry_run ? "Would change" : "Changed",
						"What it means", NULL});
	for (int i = 0; i < PA_COUNT; i++) {
		const struct rcount *rc = &st->by_action[i];
		for (size_t k = 0; k < rc->n; k++)
			rdoc_row(t, plan_action_name(i), rc->v[k].code,
				 rdoc_num((long long)rc->v[k].lines, a),
				 plan_actions[i].changes_store
					 ? rdoc_num((long long)rc->v[k].changed, b)
					 : "never",
				 reason_meaning(rc->v[k].code));
		if (st->lines[i] && !rc->n)
			rdoc_row(t, plan_action_name(i), "",
				 rdoc_num((long long)st->lines[i], a), "", "");
	}
	/* after the table: adding a block may move it */
	for (int i = 0; i < PA_COUNT; i++)
		if (st->changed[i] && plan_actions[i].changes_store) {
			c = rdoc_chart(d, in->dry_run ? "Lines that would change the store, per action"
						      : "Lines that changed the store, per action");
			for (int k = 0; k < PA_COUNT; k++)
				if (st->changed[k] && plan_actions[k].changes_store)
					rdoc_bar(c, plan_action_name(k), (long long)st->changed[k], -1, 0);
			break;
		}
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_actions[i].changes_store)
			other += (long long)(st->lines[i] - st->changed[i]);
	other -= (long long)st->unimported;
	if (st->lines[PA_REVIEW] || st->lines[PA_SKIP] || st->unimported || other > 0) {
		c = rdoc_chart(d, "Lines that changed nothing or need a person (not changes)");
		c->muted = 1;
		if (st->lines[PA_REVIEW])
			rdoc_bar(c, "review", (long long)st->lines[PA_REVIEW], -1, 0);
		if (st->lines[PA_SKIP])
			rdoc_bar(c, "skip", (long long)st->lines[PA_SKIP], -1, 0);
		if (st->unimported)
			rdoc_bar(c, "domain unimported", (long long)st->unimported, -1, 0);
		if (other > 0)
			rdoc_bar(c, "no change (already so)", other, -1, 0);
	}
}

struct lic_row {
	const char *name, *key;
	long long used, total;
};

static int lic_rows(const struct report_input *in, struct lic_row rows[2])
{
	struct report_licenses l;

	report_count_licenses(in->after, &l);
	if (in->plan->product == PRODUCT_BULLPHISH) {
		rows[0] = (struct lic_row){"Phishing seats", "licenses.phishing", l.phishing_used,
					   in->lic_phishing};
		rows[1] = (struct lic_row){"Training seats", "licenses.training", l.training_used,
					   in->lic_training};
		return 2;
	}
	rows[0] = (struct lic_row){"Domains", "licenses.domains", l.domains_used, in->lic_domains};
	return 1;
}

static int over(const struct lic_row *r)
{
	return r->total != LICENSE_UNLIMITED && r->used > r->total;
}

static void licenses(struct rdoc *d, const struct report_input *in)
{
	struct lic_row rows[2];
	int nrows = lic_rows(in, rows);
	struct rtable *t;
	struct rblock *c;
	char u[32], tot[32], fr[64], x[32];

	rdoc_block(d, RB_H2, "License consumption");
	rdoc_para(d, "%s",
		  in->plan->product == PRODUCT_BULLPHISH
			  ? "Seats used after the plan: every user of an organization with the "
			    "module on takes one seat."
			  : "Domains used after the plan: every domain with status imported.");
	t = rdoc_table(d, (const char *const[]){"License", "Used", "Total", "Free", NULL});
	for (int i = 0; i < nrows; i++) {
		const struct lic_row *r = &rows[i];
		rdoc_num(r->used, u);
		if (r->total == LICENSE_UNLIMITED) {
			snprintf(tot, sizeof tot, "unlimited");
			snprintf(fr, sizeof fr, "unlimited");
		} else {
			rdoc_num(r->total, tot);
			if (over(r))
				snprintf(fr, sizeof fr, "none: %s over the license",
					 rdoc_num(r->used - r->total, x));
			else
				rdoc_num(r->total - r->used, fr);
		}
		rdoc_row_a(t, (const char *const[]){r->name, u, tot, fr}, over(r) ? RDOC_ROW_ALERT : 0);
	}
	c = rdoc_chart(d, "License use against the total (red: over it; an unlimited license has no bar)");
	for (int i = 0; i < nrows; i++)
		rdoc_bar(c, rows[i].name, rows[i].used,
			 rows[i].total == LICENSE_UNLIMITED ? -1 : rows[i].total, 1);
}

/*
 * The next plan line of action a at *i or after it, opened into l (close it
 * with plan_line_close): 1, or 0 once past the last line.  The sections'
 * loops: for (i = 0; open_next(p, A, &i, &l); plan_line_close(&l), i++).
 */
static int open_next(const struct plan *p, enum plan_action a, size_t *i, struct plan_line *l)
{
	for (; *i < p->n; (*i)++)
		if (plan_action_at(p, *i) == a) {
			plan_line_open(p, *i, l);
			return 1;
		}
	return 0;
}

/* The name a skipped contact line gives, if any. */
static const char *contact_name(const struct plan_line *l, struct buf *b)
{
	const char *first = plan_str(l, PK_FIRST_NAME), *last = plan_str(l, PK_LAST_NAME);
	const char *email = plan_str(l, PK_EMAIL);

	if (first || last)
		buf_addf(b, "%s%s%s", str_or(first, ""), first && last ? " " : "", str_or(last, ""));
	if (email && *email)
		buf_addf(b, "%s<%s>", b->len ? " " : "", email);
	return b->len ? buf_str(b) : "(the plan gives no name)";
}

static void review_table(struct rdoc *d, const struct report_input *in,
			 const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rtab t;
	struct plan_line l;

	rdoc_block(d, RB_H3, "Names to review");
	rdoc_para(d, "Nothing was linked or imported for these: the reason says why, and what "
		     "to do.");
	rtab_open(&t, d, f, "review",
		  (const char *const[]){"IT Glue org", "Product org", "Name", "Reason",
					"Candidates", NULL},
		  (const char *const[]){"plan_line", "itglue_organization_id", "itglue_name",
					"organization_id", "organization_name", "name", "reason",
					"source", "candidates", NULL});
	for (size_t i = 0; open_next(p, PA_REVIEW, &i, &l); plan_line_close(&l), i++) {
		const char *itg, *org;
		struct buf *cand;
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		org = plan_id(&l, PK_ORGANIZATION_ID);
		cand = rtab_buf(&t);
		join_array(cand, json_get(l.v, PK_CANDIDATES), json_get(l.v, PK_CANDIDATE_NAMES));
		rtab_row(&t, 1,
			 (const char *const[]){report_itglue_label(nm, itg, rtab_buf(&t)),
					       report_org_label(nm, org, rtab_buf(&t)),
					       str_or(plan_str(&l, PK_NAME), ""),
					       plan_str(&l, PK_REASON), buf_str(cand)},
			 (const char *const[]){line_no(i, rtab_buf(&t)), itg,
					       report_itglue_name(nm, itg), org,
					       report_org_name(nm, org), plan_str(&l, PK_NAME),
					       plan_str(&l, PK_REASON), plan_str(&l, PK_SOURCE),
					       buf_str(cand)},
			 plan_str(&l, PK_REASON), 1, 0);
	}
	rtab_close(&t, "None.");
}

static void unimported_table(struct rdoc *d, const struct report_input *in,
			     const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rtab t;
	struct plan_line l;

	rdoc_block(d, RB_H3, "Domains not imported");
	rtab_open(&t, d, f, "domains_not_imported",
		  (const char *const[]){"Domain", "IT Glue domain", "Organization", "Reason", NULL},
		  (const char *const[]){"plan_line", "domain", "itglue_domain_id", "organization_id",
					"organization_name", "itglue_organization_id", "reason",
					NULL});
	for (size_t i = 0; open_next(p, PA_IMPORT_DOMAIN, &i, &l); plan_line_close(&l), i++) {
		const char *org = apply_line_org(in->res, i);
		if (report_line_unimported(&l))
			rtab_row(&t, 1,
				 (const char *const[]){plan_str(&l, PK_DOMAIN),
						       plan_id(&l, PK_ITGLUE_DOMAIN_ID),
						       report_org_label(nm, org, rtab_buf(&t)),
						       report_line_reason(&l)},
				 (const char *const[]){line_no(i, rtab_buf(&t)),
						       plan_str(&l, PK_DOMAIN),
						       plan_id(&l, PK_ITGLUE_DOMAIN_ID), org,
						       report_org_name(nm, org),
						       plan_id(&l, PK_ITGLUE_ORGANIZATION_ID),
						       report_line_reason(&l)},
				 report_line_reason(&l), 1, 0);
	}
	rtab_close(&t, "None.");
}

static void limited_table(struct rdoc *d, const struct report_input *in,
			  const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rtab t;
	struct plan_line l;

	rdoc_block(d, RB_H3, "Imports limited by license");
	rtab_open(&t, d, f, "imports_license_limited",
		  (const char *const[]){"IT Glue org", "Product org", "Modules left off", "Reason",
					NULL},
		  (const char *const[]){"plan_line", "itglue_organization_id", "itglue_name",
					"organization_id", "organization_name", "modules_left_off",
					"reason", NULL});
	for (size_t i = 0; open_next(p, PA_IMPORT_ORGANIZATION, &i, &l); plan_line_close(&l), i++) {
		const char *org = apply_line_org(in->res, i), *itg;
		struct buf *mods;
		if (report_line_license_limited(&l)) {
			itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
			mods = rtab_buf(&t);
			join_array(mods, json_get(l.v, PK_LICENSE_LIMITED), NULL);
			rtab_row(&t, 1,
				 (const char *const[]){report_itglue_label(nm, itg, rtab_buf(&t)),
						       report_org_label(nm, org, rtab_buf(&t)),
						       buf_str(mods), report_line_reason(&l)},
				 (const char *const[]){line_no(i, rtab_buf(&t)), itg,
						       report_itglue_name(nm, itg), org,
						       report_org_name(nm, org), buf_str(mods),
						       report_line_reason(&l)},
				 report_line_reason(&l), 1, 0);
		}
	}
	rtab_close(&t, "None.");
}

static void skipped_table(struct rdoc *d, const struct report_input *in,
			  const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rtab t;
	struct plan_line l;

	rdoc_block(d, RB_H3, "Skipped");
	rtab_open(&t, d, f, "skipped",
		  (const char *const[]){"Kind", "IT Glue org", "IT Glue contact", "Name", "Reason",
					NULL},
		  (const char *const[]){"plan_line", "kind", "itglue_organization_id", "itglue_name",
					"itglue_contact_id", "name", "reason", NULL});
	for (size_t i = 0; open_next(p, PA_SKIP, &i, &l); plan_line_close(&l), i++) {
		const char *contact, *itg, *name;
		contact = plan_id(&l, PK_ITGLUE_CONTACT_ID);
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		name = contact ? contact_name(&l, rtab_buf(&t)) : str_or(plan_str(&l, PK_NAME), "");
		rtab_row(&t, 1,
			 (const char *const[]){contact ? "contact" : "organization",
					       report_itglue_label(nm, itg, rtab_buf(&t)),
					       str_or(contact, ""), name, plan_str(&l, PK_REASON)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       contact ? "contact" : "organization", itg,
					       report_itglue_name(nm, itg), contact, name,
					       plan_str(&l, PK_REASON)},
			 plan_str(&l, PK_REASON), 1, 0);
	}
	rtab_close(&t, "None.");
}

static void needs_person(struct rdoc *d, const struct report_input *in,
			 const struct report_names *nm, struct report_files *f,
			 const struct plan_stats *st)
{
	struct lic_row rows[2];
	int nrows = lic_rows(in, rows), nover = 0;
	char u[32], tot[32], x[32];

	for (int i = 0; i < nrows; i++)
		nover += over(&rows[i]);
	rdoc_block(d, RB_H2, "Needs a person");
	if (!st->lines[PA_REVIEW] && !st->unimported && !st->license_limited &&
	    !st->lines[PA_SKIP] && !report_would_refuse(in) && !nover) {
		rdoc_para(d, "Nothing needs a person.");
		return;
	}
	if (report_would_refuse(in)) {
		rdoc_block(d, RB_H3, "Mass unlink: a real load would be refused");
		breaker_line(d, in);
	}
	if (nover) {
		rdoc_block(d, RB_H3, "Licenses over their total");
		for (int i = 0; i < nrows; i++)
			if (over(&rows[i]))
				rdoc_para(d, "%s: %s used of %s, %s over the license. %s",
					  rows[i].name, rdoc_num(rows[i].used, u),
					  rdoc_num(rows[i].total, tot),
					  rdoc_num(rows[i].used - rows[i].total, x),
					  in->plan->product == PRODUCT_BULLPHISH
						  ? "Users are never refused for want of seats (only "
						    "an imported organization's module is), so the "
						    "users of organizations with the module on can "
						    "take more seats than the license has. Turn the "
						    "module off for some organizations, or raise the "
						    "license in the pipeline once the subscription has "
						    "the seats."
						  : "Set some domains back to unimported, or raise "
						    "licenses.domains once the subscription has them.");
	}
	if (st->lines[PA_REVIEW])
		review_table(d, in, nm, f);
	if (st->unimported)
		unimported_table(d, in, nm, f);
	if (st->license_limited)
		limited_table(d, in, nm, f);
	if (st->lines[PA_SKIP])
		skipped_table(d, in, nm, f);
}

static int changed(const struct report_input *in, size_t i)
{
	return apply_line_changed(in->res, i);
}

/* The heading of one table of changes; nothing in a run with no change. */
static struct rdoc *change_heading(struct rdoc *d, const struct report_input *in,
				   const char *title)
{
	if (no_changes(in))
		return NULL;
	rdoc_block(d, RB_H3, title);
	return d;
}

/*
 * A table of changes: shown lines are those that changed the store; every
 * line of the action goes to the list file.  In a run with no change the
 * table is not in the document (d NULL), only its file.
 */
static void ctab_open(struct rtab *t, struct rdoc *d, struct report_files *f, const char *name,
		      const char *const *head, const char *const *csv_head)
{
	/* without d, a document of its own, thrown away: the list file is what counts */
	rtab_open(t, d ? d : xcalloc(1, sizeof *d), f, name, head, csv_head);
}

static void ctab_close(struct rtab *t, struct rdoc *d, const char *none)
{
	struct rdoc *own = d ? NULL : t->d;

	rtab_close(t, none);
	if (own) {
		rdoc_free(own);
		free(own);
	}
}

static void links_made(struct rdoc *d0, const struct report_input *in,
		       const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, "Links made");
	struct rtab t;
	struct plan_line l;

	ctab_open(&t, d, f, "links_made",
		  (const char *const[]){"Product org", "IT Glue org", "Match", "Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "organization_id",
					"organization_name", "itglue_organization_id", "itglue_name",
					"match", "score", "reason", NULL});
	for (size_t i = 0; open_next(p, PA_LINK, &i, &l); plan_line_close(&l), i++) {
		const char *org, *itg;
		org = plan_id(&l, PK_ORGANIZATION_ID);
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		rtab_row(&t, changed(in, i),
			 (const char *const[]){report_org_label(nm, org, rtab_buf(&t)),
					       report_itglue_label(nm, itg, rtab_buf(&t)),
					       str_or(plan_str(&l, PK_MATCH), ""),
					       report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", org,
					       report_org_name(nm, org), itg,
					       report_itglue_name(nm, itg), plan_str(&l, PK_MATCH),
					       json_str_or_number(json_get(l.v, PK_SCORE)),
					       report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

static void links_removed(struct rdoc *d0, const struct report_input *in,
			  const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, "Links removed");
	struct rtab t;
	struct plan_line l;

	if (d)
		rdoc_para(d, "The product organizations stay; only their link to IT Glue goes (the "
			     "products show None in its IT Glue column).");
	ctab_open(&t, d, f, "links_removed",
		  (const char *const[]){"Product org", "IT Glue org", "Source", "Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "organization_id",
					"organization_name", "itglue_organization_id", "itglue_name",
					"source", "reason", NULL});
	for (size_t i = 0; open_next(p, PA_UNLINK, &i, &l); plan_line_close(&l), i++) {
		const char *org, *itg;
		org = plan_id(&l, PK_ORGANIZATION_ID);
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		rtab_row(&t, changed(in, i),
			 (const char *const[]){report_org_label(nm, org, rtab_buf(&t)),
					       report_itglue_label(nm, itg, rtab_buf(&t)),
					       str_or(plan_str(&l, PK_SOURCE), ""),
					       report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", org,
					       report_org_name(nm, org), itg,
					       report_itglue_name(nm, itg), plan_str(&l, PK_SOURCE),
					       report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

static void renames(struct rdoc *d0, const struct report_input *in,
		    const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, "Renames");
	struct rtab t;
	struct plan_line l;

	ctab_open(&t, d, f, "renames",
		  (const char *const[]){"Product org", "IT Glue org", "Old name", "New name",
					"Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "organization_id", "old_name",
					"new_name", "itglue_organization_id", "itglue_name",
					"reason", NULL});
	for (size_t i = 0; open_next(p, PA_RENAME, &i, &l); plan_line_close(&l), i++) {
		const char *org, *itg;
		org = plan_id(&l, PK_ORGANIZATION_ID);
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		rtab_row(&t, changed(in, i),
			 (const char *const[]){report_org_label(nm, org, rtab_buf(&t)),
					       report_itglue_label(nm, itg, rtab_buf(&t)),
					       str_or(plan_str(&l, PK_BEFORE), ""),
					       plan_str(&l, PK_AFTER), report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", org,
					       plan_str(&l, PK_BEFORE), plan_str(&l, PK_AFTER), itg,
					       report_itglue_name(nm, itg), report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

static void orgs_imported(struct rdoc *d0, const struct report_input *in,
			  const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	int bp = p->product == PRODUCT_BULLPHISH;
	struct rdoc *d = change_heading(d0, in, "Organizations imported");
	struct rtab t;
	struct plan_line l;

	ctab_open(&t, d, f, "organizations_imported",
		  bp ? (const char *const[]){"Product org", "IT Glue org", "Employees", "Industry",
					     "Phishing", "Training", "Reason", NULL}
		     : (const char *const[]){"Product org", "IT Glue org", "Employees", "Industry",
					     "Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "organization_id", "name",
					"itglue_organization_id", "employee_count", "industry",
					"phishing", "training", "license_limited", "reason", NULL});
	for (size_t i = 0; open_next(p, PA_IMPORT_ORGANIZATION, &i, &l); plan_line_close(&l), i++) {
		const char *org = apply_line_row_id(in->res, i), *itg;
		struct buf *mods;
		itg = plan_id(&l, PK_ITGLUE_ORGANIZATION_ID);
		mods = rtab_buf(&t);
		join_array(mods, json_get(l.v, PK_LICENSE_LIMITED), NULL);
		rtab_row(&t, changed(in, i),
			 bp ? (const char *const[]){report_org_label(nm, org, rtab_buf(&t)),
						    report_itglue_label(nm, itg, rtab_buf(&t)),
						    plan_str(&l, PK_EMPLOYEE_COUNT),
						    plan_str(&l, PK_INDUSTRY), yesno(&l, PK_PHISHING),
						    yesno(&l, PK_TRAINING), report_line_reason(&l)}
			    : (const char *const[]){report_org_label(nm, org, rtab_buf(&t)),
						    report_itglue_label(nm, itg, rtab_buf(&t)),
						    plan_str(&l, PK_EMPLOYEE_COUNT),
						    plan_str(&l, PK_INDUSTRY), report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", org,
					       plan_str(&l, PK_NAME), itg,
					       plan_str(&l, PK_EMPLOYEE_COUNT),
					       plan_str(&l, PK_INDUSTRY),
					       bp ? boolword(&l, PK_PHISHING) : "",
					       bp ? boolword(&l, PK_TRAINING) : "", buf_str(mods),
					       report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

/* users_imported, users_linked, users_unlinked: one row per line. */
static void users_table(struct rdoc *d0, const struct report_input *in,
			const struct report_names *nm, struct report_files *f,
			enum plan_action action, const char *title, const char *name,
			const char *intro)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, title);
	struct rtab t;
	struct plan_line l;

	if (d && intro)
		rdoc_para(d, "%s", intro);
	ctab_open(&t, d, f, name,
		  (const char *const[]){"User", "Email", "Organization", "Group", "IT Glue contact",
					"Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "user_id", "first_name", "last_name",
					"email", "group", "organization_id", "organization_name",
					"itglue_contact_id", "reason", NULL});
	for (size_t i = 0; open_next(p, action, &i, &l); plan_line_close(&l), i++) {
		const char *user, *org = apply_line_org(in->res, i);
		user = action == PA_IMPORT_USER ? apply_line_row_id(in->res, i)
						: plan_id(&l, PK_USER_ID);
		if (!org)
			org = plan_id(&l, PK_ORGANIZATION_ID);
		rtab_row(&t, changed(in, i),
			 (const char *const[]){report_user_label(nm, user, rtab_buf(&t)),
					       report_user_cell(nm, user, nm->u_email),
					       report_org_label(nm, org, rtab_buf(&t)),
					       report_user_cell(nm, user, nm->u_group),
					       str_or(plan_id(&l, PK_ITGLUE_CONTACT_ID), ""),
					       report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", user,
					       report_user_cell(nm, user, nm->u_first),
					       report_user_cell(nm, user, nm->u_last),
					       report_user_cell(nm, user, nm->u_email),
					       report_user_cell(nm, user, nm->u_group), org,
					       report_org_name(nm, org),
					       plan_id(&l, PK_ITGLUE_CONTACT_ID),
					       report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

static void users_updated(struct rdoc *d0, const struct report_input *in,
			  const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, "Users updated");
	struct rtab t;
	struct plan_line l;

	ctab_open(&t, d, f, "users_updated",
		  (const char *const[]){"User", "Organization", "Field", "Old", "New", "Reason",
					NULL},
		  (const char *const[]){"plan_line", "changed", "user_id", "user_name", "email",
					"organization_id", "organization_name", "itglue_contact_id",
					"field", "old", "new", "reason", NULL});
	for (size_t i = 0; open_next(p, PA_UPDATE_USER, &i, &l); plan_line_close(&l), i++) {
		const char *user, *org;
		yajl_val after, before;
		user = plan_id(&l, PK_USER_ID);
		org = apply_line_org(in->res, i) ? apply_line_org(in->res, i)
					       : plan_id(&l, PK_ORGANIZATION_ID);
		after = json_get(l.v, PK_AFTER);
		before = json_get(l.v, PK_BEFORE);
		for (size_t k = 0; k < after->u.object.len; k++) {
			const char *field = after->u.object.keys[k];
			const char *old = str_or(json_get_str(before, field), "");
			const char *new = YAJL_GET_STRING(after->u.object.values[k]);
			/* the reason counts the line once, on its first field */
			rtab_row(&t, changed(in, i),
				 (const char *const[]){report_user_label(nm, user, rtab_buf(&t)),
						       report_org_label(nm, org, rtab_buf(&t)), field,
						       old, new, report_line_reason(&l)},
				 (const char *const[]){line_no(i, rtab_buf(&t)),
						       changed(in, i) ? "yes" : "no", user,
						       report_user_label(nm, user, rtab_buf(&t)),
						       report_user_cell(nm, user, nm->u_email), org,
						       report_org_name(nm, org),
						       plan_id(&l, PK_ITGLUE_CONTACT_ID), field, old,
						       new, report_line_reason(&l)},
				 k == 0 ? report_line_reason(&l) : NULL, changed(in, i), 0);
		}
	}
	ctab_close(&t, d, "None.");
}

static void domains(struct rdoc *d0, const struct report_input *in,
		    const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	struct rdoc *d = change_heading(d0, in, "Domains");
	struct rtab t;
	struct plan_line l;

	ctab_open(&t, d, f, "domains",
		  (const char *const[]){"Domain", "Organization", "IT Glue domain", "Status",
					"Reason", NULL},
		  (const char *const[]){"plan_line", "changed", "domain_id", "domain",
					"organization_id", "organization_name",
					"itglue_organization_id", "itglue_domain_id", "status",
					"reason", NULL});
	for (size_t i = 0; open_next(p, PA_IMPORT_DOMAIN, &i, &l); plan_line_close(&l), i++) {
		const char *org = apply_line_org(in->res, i), *id = apply_line_row_id(in->res, i);
		const char *status;
		struct buf *dom;
		status = report_line_unimported(&l) ? DOMAIN_UNIMPORTED : DOMAIN_IMPORTED;
		dom = rtab_buf(&t);
		if (id)
			buf_addf(dom, "%s (%s)", str_or(plan_str(&l, PK_DOMAIN), ""), id);
		else
			buf_adds(dom, str_or(plan_str(&l, PK_DOMAIN), ""));
		rtab_row(&t, changed(in, i),
			 (const char *const[]){buf_str(dom), report_org_label(nm, org, rtab_buf(&t)),
					       plan_id(&l, PK_ITGLUE_DOMAIN_ID), status,
					       report_line_reason(&l)},
			 (const char *const[]){line_no(i, rtab_buf(&t)),
					       changed(in, i) ? "yes" : "no", id,
					       plan_str(&l, PK_DOMAIN), org, report_org_name(nm, org),
					       plan_id(&l, PK_ITGLUE_ORGANIZATION_ID),
					       plan_id(&l, PK_ITGLUE_DOMAIN_ID), status,
					       report_line_reason(&l)},
			 report_line_reason(&l), changed(in, i), 0);
	}
	ctab_close(&t, d, "None.");
}

static void changes(struct rdoc *d, const struct report_input *in,
		    const struct report_names *nm, struct report_files *f)
{
	const struct plan *p = in->plan;
	int bp = p->product == PRODUCT_BULLPHISH;

	rdoc_block(d, RB_H2, "Changes");
	if (no_changes(in))
		rdoc_para(d, "No changes.%s",
			  p->n ? " Every line of the plan is in lists/ all the same, with changed "
				 "= no."
			       : "");
	links_made(d, in, nm, f);
	links_removed(d, in, nm, f);
	renames(d, in, nm, f);
	orgs_imported(d, in, nm, f);
	if (bp) {
		users_table(d, in, nm, f, PA_IMPORT_USER, "Users imported", "users_imported", NULL);
		users_table(d, in, nm, f, PA_LINK_USER, "Users linked", "users_linked", NULL);
		users_updated(d, in, nm, f);
		users_table(d, in, nm, f, PA_UNLINK_USER, "Users unlinked", "users_unlinked",
			    "The users stay in the product; only their link to the IT Glue contact "
			    "goes.");
	} else {
		domains(d, in, nm, f);
	}
	if (in->res->integration_changed)
		rdoc_para(d, "Integration status: %s (%s: %s).",
			  p->disconnect ? "disconnected" : "connected",
			  report_event_reason("integration", NULL, p->disconnect),
			  reason_meaning(report_event_reason("integration", NULL, p->disconnect)));
}

/* What each file beside the report holds. */
static const struct {
	const char *file, *what;
} file_words[] = {
	{"mapping.csv", "every product organization with its IT Glue organization or None, and "
			"every IT Glue organization not linked, with why"},
	{"lists/review.csv", "every review line (Names to review)"},
	{"lists/domains_not_imported.csv", "every domain left unimported (Domains not imported)"},
	{"lists/imports_license_limited.csv", "every import with a module left off"},
	{"lists/skipped.csv", "every skip line (Skipped)"},
	{"lists/links_made.csv", "every link line, changed or not"},
	{"lists/links_removed.csv", "every unlink line, changed or not"},
	{"lists/renames.csv", "every rename line, changed or not"},
	{"lists/organizations_imported.csv", "every import_organization line, changed or not"},
	{"lists/users_imported.csv", "every import_user line, changed or not"},
	{"lists/users_linked.csv", "every link_user line, changed or not"},
	{"lists/users_updated.csv", "every update_user line, one row per field"},
	{"lists/users_unlinked.csv", "every unlink_user line, changed or not"},
	{"lists/domains.csv", "every import_domain line, changed or not"},
	{"lists/organization_types.csv", "the account's organization types"},
	{"lists/organization_statuses.csv", "the account's organization statuses"},
	{"lists/contact_types.csv", "the account's contact types"},
	{"lists/upload_files.csv", "the files of upload/, one per BullPhish ID group that changed"},
	{"lists/reasons.csv", "every reason code of the plan: what it means, what to do"},
};

static const char *file_what(const char *file)
{
	for (size_t i = 0; i < sizeof file_words / sizeof file_words[0]; i++)
		if (strcmp(file_words[i].file, file) == 0)
			return file_words[i].what;
	return "";
}

/* The files beside the report, with what each holds and its rows. */
static void files_section(struct rdoc *d, const struct report_input *in,
			  const struct report_files *f)
{
	struct rtable *t;
	char n[32];

	rdoc_block(d, RB_H2, "Files beside this report");
	rdoc_para(d, "CSV files open in any spreadsheet; a cell that would run as a formula "
		     "starts with a single quote. Every plan line is in one of the lists/ files "
		     "(plan_line is its line in plan.ndjson), by name.");
	t = rdoc_table(d, (const char *const[]){"File", "Rows", "What it holds", NULL});
	rdoc_row(t, "changes.csv", rdoc_num((long long)in->res->events.nfields, n),
		 "one row per changed field, with names and a reason on every row");
	rdoc_row(t, "summary.json", "", "the figures, for monitoring");
	for (size_t i = 0; i < f->written.n; i++) {
		const char *file = f->written.v[i].code;
		rdoc_row(t, file, rdoc_num((long long)f->written.v[i].lines, n), file_what(file));
	}
	if (f->uploads) {
		char m[32];
		struct buf b = {0};
		buf_addf(&b, "%s group files to upload to BullPhish ID, %s members in all",
			 rdoc_num((long long)f->uploads, n), rdoc_num((long long)f->upload_rows, m));
		rdoc_row(t, "upload/", "", buf_str(&b));
		buf_free(&b);
	}
}

/* lists/reasons.csv: every code the report counted, explained. */
static void reasons_file(struct report_files *f, const struct plan_stats *st)
{
	struct rcount all = {0};
	FILE *fp;

	for (int a = 0; a < PA_COUNT; a++)
		for (size_t k = 0; k < st->by_action[a].n; k++)
			rcount_add(&all, st->by_action[a].v[k].code, st->by_action[a].v[k].lines, 0);
	fp = report_file_open(f, "lists/reasons.csv",
			      (const char *const[]){"reason", "plan_lines", "meaning", "next_step",
						    NULL});
	for (size_t i = 0; fp && i < all.n; i++) {
		char n[32];
		snprintf(n, sizeof n, "%zu", all.v[i].lines);
		report_file_row(f, fp,
				(const char *const[]){all.v[i].code, n, reason_meaning(all.v[i].code),
						      reason_next_step(all.v[i].code)},
				4);
	}
	report_file_close(f, fp, "lists/reasons.csv", all.n);
	rcount_free(&all);
}

int report_build(const struct report_input *in, struct report_files *f, struct rdoc *d)
{
	struct report_files none = {0};
	struct report_names nm;
	struct plan_stats st;
	if (!f)
		f = &none;
	memset(d, 0, sizeof *d);
	report_names_init(&nm, in);
	stats_build(in, &st);
	header(d, in);
	what_happened(d, in, &st);
	licenses(d, in);
	needs_person(d, in, &nm, f, &st);
	report_handedits_section(d, in, &nm);
	changes(d, in, &nm, f);
	report_integration(d, in, &nm, f);
	if (in->plan->product == PRODUCT_BULLPHISH)
		report_upload(d, in, &nm, f);
	reasons_file(f, &st);
	files_section(d, in, f);
	stats_free(&st);
	report_names_free(&nm);
	if (f == &none)
		report_files_free(&none);
	return f->failed ? -1 : 0;
}
