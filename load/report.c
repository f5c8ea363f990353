#include "report.h"
#include "audit.h"
#include "csvtab.h"
#include "fsutil.h"
#include "json.h"
#include "pipeline.h"
#include "planfmt.h"
#include "product.h"
#include "reasons.h"
#include "store.h"
#include "strmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* --- the document model ------------------------------------------------ */

static struct rblock *add_block(struct rdoc *d, enum rblock_kind kind, const char *text)
{
	struct rblock *b;

	xgrow((void **)&d->b, &d->cap, d->n + 1, sizeof *d->b);
	b = &d->b[d->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->text = xstrdup(text);
	return b;
}

static void para(struct rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void para(struct rdoc *d, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	add_block(d, RB_PARA, buf_str(&b));
	buf_free(&b);
}

/* A table with the given column heads (NULL-terminated). */
static struct rtable *table(struct rdoc *d, const char *const *head)
{
	struct rblock *b = add_block(d, RB_TABLE, NULL);

	while (head[b->t.ncols])
		b->t.ncols++;
	b->t.head = xcalloc(b->t.ncols, sizeof *b->t.head);
	for (size_t i = 0; i < b->t.ncols; i++)
		b->t.head[i] = xstrdup(head[i]);
	return &b->t;
}

/* Counts a row beyond REPORT_MAX_ROWS instead of adding it: 1 if so. */
static int table_full(struct rtable *t)
{
	if (t->nrows < REPORT_MAX_ROWS)
		return 0;
	t->more++;
	return 1;
}

/* Adds a row of t->ncols cells (NULL is ""), or counts it once t is full. */
static void trow(struct rtable *t, ...)
{
	va_list ap;

	if (table_full(t))
		return;
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + i] = xstrdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

/*
 * Drops an empty table just added and says so instead; after a table cut
 * at REPORT_MAX_ROWS, says how many rows are left out and where (rest) every
 * one of them is.
 */
static void close_table(struct rdoc *d, const char *none, const char *rest)
{
	struct rblock *b = &d->b[d->n - 1];

	if (b->kind == RB_TABLE && b->t.more) {
		para(d, "... and %zu more: %s", b->t.more, rest);
		return;
	}
	if (b->kind != RB_TABLE || b->t.nrows)
		return;
	for (size_t i = 0; i < b->t.ncols; i++)
		free(b->t.head[i]);
	free(b->t.head);
	b->t.head = NULL;
	b->kind = RB_PARA;
	free(b->text);
	b->text = xstrdup(none);
}

static struct rblock *chart(struct rdoc *d, const char *title)
{
	return add_block(d, RB_CHART, title);
}

static void bar(struct rblock *c, const char *label, long long value, long long total,
		int is_license)
{
	c->bars = xrealloc(c->bars, (c->nbars + 1) * sizeof *c->bars);
	c->bars[c->nbars].label = xstrdup(label);
	c->bars[c->nbars].value = value;
	c->bars[c->nbars].total = total;
	c->bars[c->nbars].is_license = is_license;
	c->nbars++;
}

void report_doc_free(struct rdoc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct rblock *b = &d->b[i];
		if (b->t.head)
			for (size_t c = 0; c < b->t.ncols; c++)
				free(b->t.head[c]);
		free(b->t.head);
		for (size_t c = 0; c < b->t.nrows * b->t.ncols; c++)
			free(b->t.cells[c]);
		free(b->t.cells);
		for (size_t k = 0; k < b->nbars; k++)
			free(b->bars[k].label);
		free(b->bars);
		free(b->text);
	}
	free(d->b);
	free(d->title);
	memset(d, 0, sizeof *d);
}

/* --- what the report needs from the plan and the store ------------------ */

static size_t plan_count(const struct plan *p, enum plan_action a, const struct apply_result *r,
			 int changed_only)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->lines[i].action == a && (!changed_only || r->lines[i].changed))
			n++;
	return n;
}

static int is_unimported(const struct plan_line *l)
{
	const char *st = plan_str(l, PK_STATUS);

	return l->action == PA_IMPORT_DOMAIN && st && strcmp(st, DOMAIN_UNIMPORTED) == 0;
}

static int is_license_limited(const struct plan_line *l)
{
	yajl_val v = json_get(l->v, PK_LICENSE_LIMITED);

	return l->action == PA_IMPORT_ORGANIZATION && v && YAJL_IS_ARRAY(v) &&
	       v->u.array.len > 0;
}

/*
 * Lines of `action` for which pred (NULL: every one) holds.  Only those
 * lines are parsed, one at a time.
 */
static size_t count_if(const struct plan *p, enum plan_action action,
		       int (*pred)(const struct plan_line *))
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct plan_line l;
		if (p->lines[i].action != action)
			continue;
		if (!pred) {
			n++;
			continue;
		}
		plan_line_open(p, i, &l);
		n += pred(&l) != 0;
		plan_line_close(&l);
	}
	return n;
}

static size_t count_unimported(const struct plan *p)
{
	return count_if(p, PA_IMPORT_DOMAIN, is_unimported);
}

static size_t count_license_limited(const struct plan *p)
{
	return count_if(p, PA_IMPORT_ORGANIZATION, is_license_limited);
}

void report_count_licenses(const struct lstore *s, struct report_licenses *l)
{
	memset(l, 0, sizeof *l);
	if (s->st.product == PRODUCT_BULLPHISH) {
		const struct csv_table *o = &s->st.tab[STORE_ORGS], *u = &s->st.tab[STORE_USERS];
		struct strmap *mods = strmap_new(o->nrows);
		int id = csvtab_col(o, "id"), ph = csvtab_col(o, "phishing");
		int tr = csvtab_col(o, "training"), uorg = csvtab_col(u, "organization_id");

		for (size_t r = 0; r < o->nrows; r++) {
			uintptr_t m = (uintptr_t)(store_parse_bool(csvtab_get(o, r, ph)) == 1 ? 1 : 0) |
				      (uintptr_t)(store_parse_bool(csvtab_get(o, r, tr)) == 1 ? 2 : 0);
			strmap_put(mods, csvtab_get(o, r, id), (void *)(m | 4));
		}
		/* RULES.md 25: every user of an org with the module on takes a seat */
		for (size_t r = 0; r < u->nrows; r++) {
			uintptr_t m = (uintptr_t)strmap_get(mods, csvtab_get(u, r, uorg));
			l->phishing_used += (m & 1) != 0;
			l->training_used += (m & 2) != 0;
		}
		strmap_free(mods, NULL);
	} else if (s->st.product == PRODUCT_DARKWEBID) {
		const struct csv_table *t = &s->st.tab[STORE_DOMAINS];
		int st = csvtab_col(t, "status");

		for (size_t r = 0; r < t->nrows; r++)
			l->domains_used += strcmp(csvtab_get(t, r, st), DOMAIN_IMPORTED) == 0;
	}
}

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

/* --- the sections ------------------------------------------------------- */

/* Where the rows a cut table leaves out are (close_table). */
#define PLAN_REST "every one is in plan.ndjson"
#define CHANGES_REST "every change is in changes.csv"

static void header(struct rdoc *d, const struct report_input *in)
{
	const struct plan *p = in->plan;
	struct rtable *t;
	char prod[64];

	d->title = xasprintf("IT Glue sync report: %s", in->pipeline);
	snprintf(prod, sizeof prod, "%s (%s)", product_title(p->product),
		 product_name(p->product));
	t = table(d, (const char *const[]){"Item", "Value", NULL});
	trow(t, "Run id", in->run_id);
	trow(t, "Pipeline", in->pipeline);
	trow(t, "Product", prod);
	trow(t, "Snapshot taken", *p->snapshot_time ? p->snapshot_time : "unknown");
	trow(t, "Mode", in->dry_run ? "dry run: nothing was written to the store"
				    : "applied to the store");
	trow(t, "Integration", p->disconnect ? "disconnected by this plan" : "connected");
	trow(t, "Store", in->store);
	trow(t, "Plan", in->plan_dir);
}

static void what_happened(struct rdoc *d, const struct report_input *in)
{
	const struct plan *p = in->plan;
	size_t fields = in->res->events.nfields;
	struct rtable *t;
	struct rblock *c;
	char a[32], b[32];

	add_block(d, RB_H2, "What happened");
	para(d, "The plan has %zu lines. %s %zu rows (%zu field values).", p->n,
	     in->dry_run ? "Applying it would change" : "Applying it changed", in->res->events.nev, fields);
	t = table(d, (const char *const[]){"Action", "Plan lines",
					   in->dry_run ? "Would change" : "Changed", NULL});
	for (int i = 0; i < PA_COUNT; i++) {
		if (!plan_action_in(i, p->product))
			continue;
		snprintf(a, sizeof a, "%zu", plan_count(p, i, in->res, 0));
		snprintf(b, sizeof b, "%zu", plan_count(p, i, in->res, 1));
		trow(t, plan_action_name(i), a, b);
	}
	/* after the table: adding a block may move it */
	c = chart(d, "Plan lines per action");
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			bar(c, plan_action_name(i), (long long)plan_count(p, i, in->res, 0), -1, 0);
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
	add_block(d, RB_H2, "License consumption");
	para(d, "%s", in->plan->product == PRODUCT_BULLPHISH
			      ? "Seats used after the plan: every user of an organization with the "
				"module on takes one seat."
			      : "Domains used after the plan: every domain with status imported.");
	t = table(d, (const char *const[]){"License", "Used", "Total", "Free", NULL});
	struct lic_row rows[2];
	int nrows = 0;

	if (in->plan->product == PRODUCT_BULLPHISH) {
		rows[nrows++] = (struct lic_row){"Phishing seats", l.phishing_used, in->lic_phishing};
		rows[nrows++] = (struct lic_row){"Training seats", l.training_used, in->lic_training};
	} else {
		rows[nrows++] = (struct lic_row){"Domains", l.domains_used, in->lic_domains};
	}
	for (int i = 0; i < nrows; i++) {
		snprintf(u, sizeof u, "%lld", rows[i].used);
		if (rows[i].total == LICENSE_UNLIMITED)
			snprintf(fr, sizeof fr, "unlimited");
		else
			snprintf(fr, sizeof fr, "%lld", rows[i].total - rows[i].used);
		trow(t, rows[i].name, u, lic_text(rows[i].total, tot), fr);
	}
	c = chart(d, "License use");
	for (int i = 0; i < nrows; i++)
		bar(c, rows[i].name, rows[i].used, rows[i].total, 1);
}

static void needs_person(struct rdoc *d, const struct report_input *in, struct names *nm)
{
	const struct plan *p = in->plan;
	size_t n_items;
	struct rtable *t;
	struct plan_line line;
	struct buf b = {0};

	add_block(d, RB_H2, "Needs a person");
	n_items = count_if(p, PA_REVIEW, NULL) + count_unimported(p) +
		  count_license_limited(p) + count_if(p, PA_SKIP, NULL);
	if (!n_items) {
		para(d, "Nothing needs a person.");
		return;
	}
	add_block(d, RB_H3, "Names to review");
	if (count_if(p, PA_REVIEW, NULL))
		para(d, "These IT Glue and product organizations match more than one candidate by "
		"name, so none was linked or imported. Link the right pair by hand in "
		"links.csv (source manual).");
	t = table(d, (const char *const[]){"IT Glue org", "Product org", "Name", "Reason",
					   "Candidates", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_REVIEW)
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		buf_reset(&b);
		join_array(&b, json_get(l->v, PK_CANDIDATES), json_get(l->v, PK_CANDIDATE_NAMES));
		trow(t, str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), ""),
		     plan_id(l, PK_ORGANIZATION_ID) ? org_label(nm, plan_id(l, PK_ORGANIZATION_ID)) : "",
		     str_or(plan_str(l, PK_NAME), ""), plan_str(l, PK_REASON), buf_str(&b));
		plan_line_close(&line);
	}
	close_table(d, "None.", PLAN_REST);

	add_block(d, RB_H3, "Domains not imported");
	t = table(d, (const char *const[]){"Domain", "IT Glue domain", "Organization", "Reason",
					   NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_IMPORT_DOMAIN)
			continue;
		plan_line_open(p, i, &line);
		if (is_unimported(l))
			trow(t, plan_str(l, PK_DOMAIN), plan_id(l, PK_ITGLUE_DOMAIN_ID),
			     org_label(nm, in->res->lines[i].org_id),
			     str_or(plan_str(l, PK_REASON), ""));
		plan_line_close(&line);
	}
	close_table(d, "None.", PLAN_REST);

	add_block(d, RB_H3, "Imports limited by license");
	t = table(d, (const char *const[]){"IT Glue org", "Name", "Product org", "Modules left off",
					   NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (p->lines[i].action != PA_IMPORT_ORGANIZATION)
			continue;
		plan_line_open(p, i, &line);
		if (is_license_limited(l)) {
			buf_reset(&b);
			join_array(&b, json_get(l->v, PK_LICENSE_LIMITED), NULL);
			trow(t, plan_id(l, PK_ITGLUE_ORGANIZATION_ID), plan_str(l, PK_NAME),
			     org_label(nm, in->res->lines[i].org_id), buf_str(&b));
		}
		plan_line_close(&line);
	}
	close_table(d, "None.", PLAN_REST);

	add_block(d, RB_H3, "Skipped");
	t = table(d, (const char *const[]){"Kind", "IT Glue id", "IT Glue org", "Name", "Reason",
					   NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		const char *contact;
		if (p->lines[i].action != PA_SKIP)
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		contact = plan_id(l, PK_ITGLUE_CONTACT_ID);
		trow(t, contact ? "contact" : "organization",
		     contact ? contact : str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), ""),
		     contact ? str_or(plan_id(l, PK_ITGLUE_ORGANIZATION_ID), "") : "",
		     str_or(plan_str(l, PK_NAME), ""), plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	close_table(d, "None.", PLAN_REST);
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

	add_block(d, RB_H2, "Changes");
	add_block(d, RB_H3, "Links made");
	t = table(d, (const char *const[]){"Product org", "IT Glue org", "IT Glue name", "Match",
					   "Reason", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_LINK))
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		trow(t, org_label(nm, plan_id(l, PK_ORGANIZATION_ID)),
		     plan_id(l, PK_ITGLUE_ORGANIZATION_ID), str_or(plan_str(l, PK_ITGLUE_NAME), ""),
		     str_or(plan_str(l, PK_MATCH), ""), plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	close_table(d, "None.", CHANGES_REST);

	add_block(d, RB_H3, "Links removed");
	t = table(d, (const char *const[]){"Product org", "IT Glue org", "Source", "Reason", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_UNLINK))
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		trow(t, org_label(nm, plan_id(l, PK_ORGANIZATION_ID)),
		     plan_id(l, PK_ITGLUE_ORGANIZATION_ID), str_or(plan_str(l, PK_SOURCE), ""),
		     plan_str(l, PK_REASON));
		plan_line_close(&line);
	}
	close_table(d, "None.", CHANGES_REST);

	add_block(d, RB_H3, "Renames");
	t = table(d, (const char *const[]){"Product org", "Old name", "New name", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_RENAME))
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		trow(t, plan_id(l, PK_ORGANIZATION_ID), str_or(plan_str(l, PK_BEFORE), ""),
		     plan_str(l, PK_AFTER));
		plan_line_close(&line);
	}
	close_table(d, "None.", CHANGES_REST);

	add_block(d, RB_H3, "Organizations imported");
	t = table(d, bp ? (const char *const[]){"New id", "IT Glue org", "Name", "Employees",
						"Industry", "Phishing", "Training", NULL}
			: (const char *const[]){"New id", "IT Glue org", "Name", "Employees",
						"Industry", NULL});
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_line *l = &line;
		if (!changed(in, i, PA_IMPORT_ORGANIZATION))
			continue;
		if (table_full(t))
			continue;
		plan_line_open(p, i, &line);
		if (bp)
			trow(t, in->res->lines[i].row_id, plan_id(l, PK_ITGLUE_ORGANIZATION_ID),
			     plan_str(l, PK_NAME), plan_str(l, PK_EMPLOYEE_COUNT), plan_str(l, PK_INDUSTRY),
			     yesno(l, "phishing"), yesno(l, "training"));
		else
			trow(t, in->res->lines[i].row_id, plan_id(l, PK_ITGLUE_ORGANIZATION_ID),
			     plan_str(l, PK_NAME), plan_str(l, PK_EMPLOYEE_COUNT), plan_str(l, PK_INDUSTRY));
		plan_line_close(&line);
	}
	close_table(d, "None.", CHANGES_REST);

	if (bp) {
		add_block(d, RB_H3, "Users imported");
		t = table(d, (const char *const[]){"User", "Organization", "First name", "Last name",
						   "Email", "Group", "IT Glue contact", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_IMPORT_USER))
				continue;
			if (table_full(t))
				continue;
			plan_line_open(p, i, &line);
			trow(t, in->res->lines[i].row_id, org_label(nm, in->res->lines[i].org_id),
			     str_or(plan_str(l, PK_FIRST_NAME), ""),
			     str_or(plan_str(l, PK_LAST_NAME), ""), str_or(plan_str(l, PK_EMAIL), ""),
			     str_or(plan_str(l, PK_GROUP), ""), plan_id(l, PK_ITGLUE_CONTACT_ID));
			plan_line_close(&line);
		}
		close_table(d, "None.", CHANGES_REST);

		add_block(d, RB_H3, "Users linked");
		t = table(d, (const char *const[]){"User", "Organization", "IT Glue contact", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_LINK_USER))
				continue;
			if (table_full(t))
				continue;
			plan_line_open(p, i, &line);
			trow(t, plan_id(l, PK_USER_ID), org_label(nm, in->res->lines[i].org_id),
			     plan_id(l, PK_ITGLUE_CONTACT_ID));
			plan_line_close(&line);
		}
		close_table(d, "None.", CHANGES_REST);

		add_block(d, RB_H3, "Users updated");
		t = table(d, (const char *const[]){"User", "IT Glue contact", "Field", "Old", "New",
						   NULL});
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
				trow(t, plan_id(l, PK_USER_ID), plan_id(l, PK_ITGLUE_CONTACT_ID), k,
				     str_or(json_get_str(before, k), ""),
				     YAJL_GET_STRING(after->u.object.values[f]));
			}
			plan_line_close(&line);
		}
		close_table(d, "None.", CHANGES_REST);

		add_block(d, RB_H3, "Users unlinked");
		para(d, "The users stay in the product; only their link to the IT Glue contact goes.");
		t = table(d, (const char *const[]){"User", "Organization", "IT Glue contact", "Reason",
						   NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_UNLINK_USER))
				continue;
			if (table_full(t))
				continue;
			plan_line_open(p, i, &line);
			trow(t, plan_id(l, PK_USER_ID), org_label(nm, in->res->lines[i].org_id),
			     str_or(plan_id(l, PK_ITGLUE_CONTACT_ID), ""),
			     str_or(plan_str(l, PK_REASON), ""));
			plan_line_close(&line);
		}
		close_table(d, "None.", CHANGES_REST);
	} else {
		add_block(d, RB_H3, "Domains");
		t = table(d, (const char *const[]){"Domain id", "Organization", "Domain",
						   "IT Glue domain", "Status", "Reason", NULL});
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_line *l = &line;
			if (!changed(in, i, PA_IMPORT_DOMAIN))
				continue;
			if (table_full(t))
				continue;
			plan_line_open(p, i, &line);
			trow(t, in->res->lines[i].row_id, org_label(nm, in->res->lines[i].org_id),
			     plan_str(l, PK_DOMAIN), plan_id(l, PK_ITGLUE_DOMAIN_ID),
			     is_unimported(l) ? DOMAIN_UNIMPORTED : DOMAIN_IMPORTED,
			     is_unimported(l) ? str_or(plan_str(l, PK_REASON), "") : "");
			plan_line_close(&line);
		}
		close_table(d, "None.", CHANGES_REST);
	}
	if (in->res->integration_changed)
		para(d, "Integration status: %s.", p->disconnect ? "disconnected" : "connected");
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
	changes(d, in, &nm);
	names_free(&nm);
}

/* --- report.md ----------------------------------------------------------- */

/* Markdown table cell: no line breaks, and markup characters escaped. */
static void md_text(struct buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		int prev_word = p > s && (p[-1] == '_' || (unsigned char)p[-1] >= 0x80 ||
					  (p[-1] >= '0' && p[-1] <= '9') ||
					  ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z'));
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			buf_addc(out, ' ');
		} else if (strchr("\\|<>*[]`#", ch) || (ch == '_' && !prev_word)) {
			buf_addc(out, '\\');
			buf_addc(out, (char)ch);
		} else {
			buf_addc(out, (char)ch);
		}
	}
}

void report_render_md(const struct rdoc *d, struct buf *out)
{
	buf_adds(out, "# ");
	md_text(out, d->title);
	buf_adds(out, "\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct rblock *b = &d->b[i];
		switch (b->kind) {
		case RB_H2:
		case RB_H3:
			buf_adds(out, b->kind == RB_H2 ? "\n## " : "\n### ");
			md_text(out, b->text);
			buf_adds(out, "\n");
			break;
		case RB_PARA:
			buf_adds(out, "\n");
			md_text(out, b->text);
			buf_adds(out, "\n");
			break;
		case RB_TABLE:
			buf_adds(out, "\n|");
			for (size_t c = 0; c < b->t.ncols; c++) {
				buf_adds(out, " ");
				md_text(out, b->t.head[c]);
				buf_adds(out, " |");
			}
			buf_adds(out, "\n|");
			for (size_t c = 0; c < b->t.ncols; c++)
				buf_adds(out, "---|");
			buf_adds(out, "\n");
			for (size_t r = 0; r < b->t.nrows; r++) {
				buf_adds(out, "|");
				for (size_t c = 0; c < b->t.ncols; c++) {
					buf_adds(out, " ");
					md_text(out, b->t.cells[r * b->t.ncols + c]);
					buf_adds(out, " |");
				}
				buf_adds(out, "\n");
			}
			break;
		case RB_CHART:
			break; /* the table beside it holds the same figures */
		}
	}
}

/* --- changes.csv and summary.json --------------------------------------- */

int report_csv_cell(FILE *fp, const char *s)
{
	if (!s)
		s = "";
	if (strchr("=+-@\t\r", s[0]) && s[0]) {
		char *q = xasprintf("'%s", s);
		int rc = csvtab_write_field(fp, q);
		free(q);
		return rc;
	}
	return csvtab_write_field(fp, s);
}

int report_write_changes(FILE *fp, const struct report_input *in)
{
	static const char *const head[] = {"run_id", "table", "key", "field", "old", "new",
					   "action", "reason"};
	const struct apply_result *r = in->res;
	struct load_event view = {0};
	const struct load_event *ev = &view;
	size_t pos = 0;
	int rc = 0;

	for (size_t c = 0; c < 8; c++)
		if ((c && putc(',', fp) == EOF) || csvtab_write_field(fp, head[c]) != 0)
			return -1;
	if (putc('\n', fp) == EOF)
		return -1;
	while (rc == 0 && eventlog_next(&r->events, &pos, &view)) {
		for (size_t f = 0; f < ev->nf && rc == 0; f++) {
			const char *cells[8] = {in->run_id, ev->table, ev->key, ev->f[f].field,
						ev->f[f].old, ev->f[f].new, ev->action,
						ev->reason ? ev->reason : ""};
			for (size_t c = 0; c < 8 && rc == 0; c++)
				if ((c && putc(',', fp) == EOF) || report_csv_cell(fp, cells[c]) != 0)
					rc = -1;
			if (rc == 0 && putc('\n', fp) == EOF)
				rc = -1;
		}
	}
	load_event_free(&view);
	return rc != 0 || ferror(fp) ? -1 : 0;
}

static void kv_license(yajl_gen g, const char *key, long long used, long long total)
{
	json_key(g, key);
	yajl_gen_map_open(g);
	json_kv_int(g, "used", used);
	json_key(g, "total");
	if (total == LICENSE_UNLIMITED)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, total);
	yajl_gen_map_close(g);
}

void report_summary_json(const struct report_input *in, struct buf *out)
{
	const struct plan *p = in->plan;
	yajl_gen g = json_gen_new();
	struct report_licenses l;
	size_t fields = in->res->events.nfields;

	report_count_licenses(in->after, &l);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	json_kv_str(g, "run_id", in->run_id);
	json_kv_str(g, "status", in->dry_run ? "dry_run" : "applied");
	json_kv_str(g, "pipeline", in->pipeline);
	json_kv_str(g, "product", product_name(p->product));
	json_kv_str(g, "snapshot_time", *p->snapshot_time ? p->snapshot_time : NULL);
	json_kv_str(g, "integration_status", p->disconnect ? "disconnected" : "connected");
	json_kv_int(g, "plan_lines", (long long)p->n);
	json_key(g, "counts");
	yajl_gen_map_open(g);
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			json_kv_int(g, plan_action_name(i), (long long)plan_count(p, i, in->res, 0));
	yajl_gen_map_close(g);
	json_key(g, "changed");
	yajl_gen_map_open(g);
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			json_kv_int(g, plan_action_name(i), (long long)plan_count(p, i, in->res, 1));
	yajl_gen_map_close(g);
	json_kv_int(g, "rows_changed", (long long)in->res->events.nev);
	json_kv_int(g, "fields_changed", (long long)fields);
	json_key(g, "licenses");
	yajl_gen_map_open(g);
	if (p->product == PRODUCT_BULLPHISH) {
		kv_license(g, "phishing", l.phishing_used, in->lic_phishing);
		kv_license(g, "training", l.training_used, in->lic_training);
	} else {
		kv_license(g, "domains", l.domains_used, in->lic_domains);
	}
	yajl_gen_map_close(g);
	json_kv_int(g, "review", (long long)count_if(p, PA_REVIEW, NULL));
	json_kv_int(g, "unimported", (long long)count_unimported(p));
	json_kv_int(g, "license_limited", (long long)count_license_limited(p));
	json_kv_int(g, "skipped", (long long)count_if(p, PA_SKIP, NULL));
	yajl_gen_map_close(g);
	json_gen_take(g, out);
	if (out->len && out->p[out->len - 1] != '\n')
		buf_addc(out, '\n');
	yajl_gen_free(g);
}

/* --- publishing ----------------------------------------------------------- */

static int write_text(const char *dir, const char *name, const struct buf *b,
		      struct itg_err *e)
{
	char *path = fs_join(dir, name);
	int rc = fs_write_atomic(path, buf_str(b), b->len, ITG_FILE_MODE, e);

	free(path);
	return rc;
}

char *report_stage(const char *dir, const struct report_input *in, struct itg_err *e)
{
	char *staged = fs_stage_dir(dir, e), *path = NULL;
	struct rdoc d;
	struct buf b = {0};
	struct afile f;
	int rc = -1;

	if (!staged)
		return NULL;
	report_build(in, &d);
	report_render_md(&d, &b);
	if (write_text(staged, "report.md", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_render_html(&d, &b);
	if (write_text(staged, "report.html", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_summary_json(in, &b);
	if (write_text(staged, "summary.json", &b, e) != 0)
		goto out;
	path = fs_join(staged, "changes.csv");
	if (afile_open(&f, path, ITG_FILE_MODE, e) != 0)
		goto out;
	if (report_write_changes(f.fp, in) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", path, strerror(errno));
		afile_abort(&f);
		goto out;
	}
	if (afile_commit(&f, e) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		fs_remove_tree(staged);
		free(staged);
		staged = NULL;
	}
	report_doc_free(&d);
	buf_free(&b);
	free(path);
	return staged;
}
