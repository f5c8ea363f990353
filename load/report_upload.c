/*
 * report_upload.c - the files an operator uploads to the real BullPhish ID.
 *
 * The store is this program's copy of what BullPhish ID holds; BullPhish ID
 * itself takes a group's members as a CSV file with the header
 * "First Name,Last Name,Email,Position".  For every organization and group
 * whose members this run created or changed (a user imported, or a user's
 * name, email or group changed: the old group changed too), the report
 * folder gets upload/<org id>-<org slug>/<group slug>.csv with every member
 * of that group after the plan, and lists/upload_files.csv indexes them.
 * Position is left empty: IT Glue's contacts give none the store keeps.
 * Cells are formula-safe (report_csv_cell's leading quote) and quoted when
 * they hold anything but letters, digits, spaces and . @ _ -.
 */
#include "report.h"
#include "csvtab.h"
#include "ids.h"
#include "planfmt.h"
#include "store.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLUG_MAX 60

void report_slug(const char *s, struct buf *out)
{
	size_t start = out->len;
	int dash = 0;

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		int alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    (*p >= 'A' && *p <= 'Z');
		if (out->len - start >= SLUG_MAX)
			break;
		if (alnum) {
			if (dash && out->len > start)
				buf_addc(out, '-');
			dash = 0;
			buf_addc(out, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
		} else {
			dash = 1;
		}
	}
	if (out->len == start)
		buf_adds(out, "x");
}

struct group {
	const char *org, *name;      /* copies (groups.a): an event's old name is gone after the next event */
	size_t nmembers, cap;
	size_t *members;             /* rows of users.csv */
	char *file;
};

struct groups {
	struct strmap *ix;           /* "ORG\x1fGROUP" -> struct group * */
	size_t n, cap;
	struct group **v;
	struct buf key;
	struct arena a;
};

static struct group *group_get(struct groups *g, const char *org, const char *name, int make)
{
	struct group *x;

	buf_reset(&g->key);
	buf_addf(&g->key, "%s\x1f%s", org, name);
	x = strmap_get(g->ix, buf_str(&g->key));
	if (x || !make)
		return x;
	x = xcalloc(1, sizeof *x);
	x->org = arena_strdup(&g->a, org);
	x->name = arena_strdup(&g->a, name);
	strmap_put(g->ix, buf_str(&g->key), x);
	xgrow((void **)&g->v, &g->cap, g->n + 1, sizeof *g->v);
	g->v[g->n++] = x;
	return x;
}

static int member_field(const char *f)
{
	return strcmp(f, PK_FIRST_NAME) == 0 || strcmp(f, PK_LAST_NAME) == 0 ||
	       strcmp(f, PK_EMAIL) == 0 || strcmp(f, PK_GROUP) == 0;
}

/* The groups whose members this run created or changed, from the event log: 0 or -1 (errno). */
static int changed_groups(const struct report_input *in, const struct report_names *nm,
			  struct groups *g)
{
	const struct csv_table *u = &in->after->st.tab[STORE_USERS];
	struct load_event ev = {0};
	size_t pos = 0;
	int got;

	while ((got = eventlog_next(&in->res->events, &pos, &ev)) > 0) {
		long r;
		int touched = ev.kind == EV_CREATE;
		if (strcmp(ev.table, store_table_names[STORE_USERS]) != 0)
			continue;
		r = report_user_row(nm, ev.key);
		if (r < 0)
			continue;
		for (size_t f = 0; f < ev.nf; f++) {
			if (!member_field(ev.f[f].field))
				continue;
			touched = 1;
			/* a user who moved: the group it left changed too */
			if (strcmp(ev.f[f].field, PK_GROUP) == 0 && ev.kind == EV_UPDATE)
				group_get(g, csvtab_get(u, (size_t)r, nm->u_org), ev.f[f].old, 1);
		}
		if (touched)
			group_get(g, csvtab_get(u, (size_t)r, nm->u_org),
				  csvtab_get(u, (size_t)r, nm->u_group), 1);
	}
	load_event_free(&ev);
	return got < 0 ? -1 : 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = *(const struct group *const *)a;
	const struct group *y = *(const struct group *const *)b;
	int c = id_cmp(x->org, y->org);

	return c ? c : strcmp(x->name, y->name);
}

/* One cell of an upload file: formula-safe, quoted unless plain. */
static void upload_cell(FILE *fp, const char *s)
{
	const char *p;

	if (s[0] && strchr("=+-@\t\r", s[0])) {
		char *q = xasprintf("'%s", s);
		csv_fwrite(fp, q, strlen(q));
		free(q);
		return;
	}
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(" .@_-", *p)))
			break;
	if (*p || (s[0] == ' ') || (*s && s[strlen(s) - 1] == ' '))
		csv_fwrite(fp, s, strlen(s));
	else
		fputs(s, fp);
}

static void write_group(struct report_files *f, const struct report_names *nm,
			const struct group *g)
{
	const struct csv_table *u = &nm->s->st.tab[STORE_USERS];
	FILE *fp = report_file_open(f, g->file, NULL);

	if (!fp)
		return;
	fputs("First Name,Last Name,Email,Position\n", fp);
	for (size_t i = 0; i < g->nmembers; i++) {
		size_t r = g->members[i];
		upload_cell(fp, csvtab_get(u, r, nm->u_first));
		putc(',', fp);
		upload_cell(fp, csvtab_get(u, r, nm->u_last));
		putc(',', fp);
		upload_cell(fp, csvtab_get(u, r, nm->u_email));
		fputs(",\n", fp);
	}
	report_file_close(f, fp, g->file, g->nmembers);
}

/* upload/<org id>-<org slug>/<group slug>.csv, unique within the org's folder. */
static void name_files(struct groups *g, const struct report_names *nm)
{
	struct strmap *used = strmap_new(g->n);
	struct buf b = {0};

	for (size_t i = 0; i < g->n; i++) {
		struct group *x = g->v[i];
		size_t base;
		buf_reset(&b);
		buf_addf(&b, "upload/%s-", x->org);
		report_slug(report_org_name(nm, x->org), &b);
		buf_addc(&b, '/');
		if (*x->name)
			report_slug(x->name, &b);
		else
			buf_adds(&b, "no-group");
		base = b.len;
		for (int k = 2; strmap_has(used, buf_str(&b)); k++) {
			b.len = base;
			b.p[b.len] = '\0';
			buf_addf(&b, "-%d", k);
		}
		strmap_put(used, buf_str(&b), x);
		buf_adds(&b, ".csv");
		x->file = buf_detach(&b);
	}
	strmap_free(used, NULL);
	buf_free(&b);
}

void report_upload(struct rdoc *d, const struct report_input *in,
		   const struct report_names *nm, struct report_files *f)
{
	const struct csv_table *u = &in->after->st.tab[STORE_USERS];
	struct groups g = {0};
	struct rtab t;
	char n[32], raw[32];

	g.ix = strmap_new(64);
	if (changed_groups(in, nm, &g) != 0) {
		if (!f->failed && f->e)
			err_set(f->e, ITG_EXIT_RUNTIME, "cannot read the load's changes again: %s",
				strerror(errno));
		f->failed = 1;
	}
	for (size_t r = 0; r < u->nrows; r++) {
		struct group *x = group_get(&g, csvtab_get(u, r, nm->u_org),
					    csvtab_get(u, r, nm->u_group), 0);
		if (!x)
			continue;
		xgrow((void **)&x->members, &x->cap, x->nmembers + 1, sizeof *x->members);
		x->members[x->nmembers++] = r;
	}
	/* the members are found: the index goes before the file names take memory */
	strmap_free(g.ix, NULL);
	g.ix = NULL;
	if (g.n)
		qsort(g.v, g.n, sizeof *g.v, group_cmp);
	name_files(&g, nm);

	rdoc_block(d, RB_H2, "Files to upload to BullPhish ID");
	rdoc_para(d, "The store is this program's copy of BullPhish ID's organizations and "
		     "users; the real product takes a group's members as a CSV file (First Name, "
		     "Last Name, Email, Position). For every group whose members this run %s, "
		     "upload/ holds the whole group as it is after the plan: import it into that "
		     "group of that organization in BullPhish ID. A value a spreadsheet would run "
		     "as a formula starts with a single quote: correct it in IT Glue.",
		  in->dry_run ? "would create or change" : "created or changed");
	rtab_open(&t, d, f, "upload_files",
		  (const char *const[]){"Organization", "Group", "Members", "File", NULL},
		  (const char *const[]){"organization_id", "organization_name", "group", "members",
					"file", NULL});
	for (size_t i = 0; i < g.n; i++) {
		const struct group *x = g.v[i];
		write_group(f, nm, x);
		snprintf(raw, sizeof raw, "%zu", x->nmembers);
		rtab_row(&t, 1,
			 (const char *const[]){report_org_label(nm, x->org, rtab_buf(&t)),
					       *x->name ? x->name : "(no group)",
					       rdoc_num((long long)x->nmembers, n), x->file},
			 (const char *const[]){x->org, report_org_name(nm, x->org), x->name, raw,
					       x->file},
			 NULL, 1, 0);
	}
	rtab_close(&t, "No group changed: nothing to upload.");
	for (size_t i = 0; i < g.n; i++) {
		free(g.v[i]->members);
		free(g.v[i]->file);
		free(g.v[i]);
	}
	free(g.v);
	strmap_free(g.ix, NULL);
	arena_free(&g.a);
	buf_free(&g.key);
}
