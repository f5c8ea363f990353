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
#define _GNU_SOURCE /* qsort_r */
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

/*
 * A group is an organization and a group name.  Nothing is kept a member: the
 * changed groups are a sorted array of keys (cells of users.csv, or copies
 * for the group a user left), and their members one array of users.csv rows,
 * group after group (a counting sort): some four bytes a changed user, and
 * twenty a changed group.
 */
struct gkey {
	const char *org, *name;
};

struct ukeys {
	const struct csv_table *u;
	int org, group;
};

static int gkey_cmp(const struct gkey *a, const struct gkey *b)
{
	int c = id_cmp(a->org, b->org);

	/* "01" and "1" are two organizations that sort together */
	if (!c)
		c = strcmp(a->org, b->org);
	return c ? c : strcmp(a->name, b->name);
}

static int gkey_qcmp(const void *a, const void *b)
{
	return gkey_cmp(a, b);
}

static struct gkey row_key(const struct ukeys *k, uint32_t r)
{
	return (struct gkey){csvtab_get(k->u, r, k->org), csvtab_get(k->u, r, k->group)};
}

/* users.csv rows by group. */
static int row_qcmp(const void *a, const void *b, void *arg)
{
	struct gkey x = row_key(arg, *(const uint32_t *)a), y = row_key(arg, *(const uint32_t *)b);

	return gkey_cmp(&x, &y);
}

struct changed {
	uint32_t *rows;              /* users created or changed */
	size_t nrows, rows_cap;
	struct gkey *left;           /* groups users left (copies in a) */
	size_t nleft, left_cap;
	struct arena a;
};

static int member_field(const char *f)
{
	return strcmp(f, PK_FIRST_NAME) == 0 || strcmp(f, PK_LAST_NAME) == 0 ||
	       strcmp(f, PK_EMAIL) == 0 || strcmp(f, PK_GROUP) == 0;
}

/* The users this run created or changed, from the event log: 0 or -1 (errno). */
static int changed_users(const struct report_input *in, const struct report_names *nm,
			 const struct ukeys *k, struct changed *ch)
{
	struct load_event ev = {0};
	size_t pos = 0;
	int got;

	while ((got = eventlog_next(&in->res->events, &pos, &ev)) > 0) {
		long r;
		int touched = ev.kind == EV_CREATE;
		if (strcmp(ev.table, store_table_names[STORE_USERS]) != 0)
			continue;
		r = report_user_row(nm, ev.key);
		if (r < 0 || (unsigned long)r >= UINT32_MAX)
			continue;
		for (size_t f = 0; f < ev.nf; f++) {
			if (!member_field(ev.f[f].field))
				continue;
			touched = 1;
			/* a user who moved: the group it left changed too */
			if (strcmp(ev.f[f].field, PK_GROUP) == 0 && ev.kind == EV_UPDATE) {
				xgrow((void **)&ch->left, &ch->left_cap, ch->nleft + 1, sizeof *ch->left);
				ch->left[ch->nleft++] = (struct gkey){
					arena_strdup(&ch->a, csvtab_get(k->u, (size_t)r, k->org)),
					arena_strdup(&ch->a, ev.f[f].old)};
			}
		}
		if (touched && !(ch->nrows && ch->rows[ch->nrows - 1] == (uint32_t)r)) {
			xgrow((void **)&ch->rows, &ch->rows_cap, ch->nrows + 1, sizeof *ch->rows);
			ch->rows[ch->nrows++] = (uint32_t)r;
		}
	}
	load_event_free(&ev);
	return got < 0 ? -1 : 0;
}

/* The changed groups, sorted, each once: *n of them (free the array).  Frees ch->rows. */
static struct gkey *changed_groups(const struct ukeys *k, struct changed *ch, size_t *n)
{
	struct gkey *g;
	size_t m = 0;

	/* the users by group: one key a group follows from the first of each run */
	if (ch->nrows)
		qsort_r(ch->rows, ch->nrows, sizeof *ch->rows, row_qcmp, (void *)k);
	for (size_t i = 0; i < ch->nrows; i++)
		m += i == 0 || row_qcmp(&ch->rows[i - 1], &ch->rows[i], (void *)k) != 0;
	g = xcalloc(m + ch->nleft + 1, sizeof *g);
	m = 0;
	for (size_t i = 0; i < ch->nrows; i++)
		if (i == 0 || row_qcmp(&ch->rows[i - 1], &ch->rows[i], (void *)k) != 0)
			g[m++] = row_key(k, ch->rows[i]);
	free(ch->rows);
	ch->rows = NULL;
	for (size_t i = 0; i < ch->nleft; i++)
		g[m++] = ch->left[i];
	if (ch->nleft)
		qsort(g, m, sizeof *g, gkey_qcmp);
	*n = 0;
	for (size_t i = 0; i < m; i++)
		if (!(*n && gkey_cmp(&g[*n - 1], &g[i]) == 0))
			g[(*n)++] = g[i];
	return g;
}

/* The changed group row r of users.csv is in, or -1. */
static long group_of(const struct ukeys *k, const struct gkey *g, size_t ng, uint32_t r)
{
	struct gkey x = row_key(k, r);
	const struct gkey *at = ng ? bsearch(&x, g, ng, sizeof *g, gkey_qcmp) : NULL;

	return at ? (long)(at - g) : -1;
}

/*
 * The rows of users.csv in the changed groups, group after group and in
 * file order within one: group i's are members[i ? end[i - 1] : 0, end[i]).
 * *end is set to an array of ng (free it).
 */
static uint32_t *group_members(const struct ukeys *k, const struct gkey *g, size_t ng,
			       uint32_t **end)
{
	size_t nrows = k->u->nrows < UINT32_MAX ? k->u->nrows : UINT32_MAX - 1;
	uint32_t *at = xcalloc(ng + 1, sizeof *at), *m, sum = 0;
	long x;

	/* how many in each group, then where each group starts */
	for (size_t r = 0; r < nrows; r++)
		if ((x = group_of(k, g, ng, (uint32_t)r)) >= 0)
			at[x]++;
	for (size_t i = 0; i < ng; i++) {
		uint32_t c = at[i];
		at[i] = sum;
		sum += c;
	}
	m = xmalloc((sum ? sum : 1) * sizeof *m);
	/* each row at its group's next place: at[i] ends where group i ends */
	for (size_t r = 0; r < nrows; r++)
		if ((x = group_of(k, g, ng, (uint32_t)r)) >= 0)
			m[at[x]++] = (uint32_t)r;
	*end = at;
	return m;
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
			const char *file, const uint32_t *members, size_t n)
{
	const struct csv_table *u = &nm->s->st.tab[STORE_USERS];
	FILE *fp = report_file_open(f, file, NULL);

	if (!fp)
		return;
	fputs("First Name,Last Name,Email,Position\n", fp);
	for (size_t i = 0; i < n; i++) {
		size_t r = members[i];
		upload_cell(fp, csvtab_get(u, r, nm->u_first));
		putc(',', fp);
		upload_cell(fp, csvtab_get(u, r, nm->u_last));
		putc(',', fp);
		upload_cell(fp, csvtab_get(u, r, nm->u_email));
		fputs(",\n", fp);
	}
	report_file_close(f, fp, file, n);
}

/*
 * The file names: upload/<org id>-<org slug>/<group slug>.csv, unique within
 * the org's folder.  Store ids are decimal numbers (lib/store.c refuses any
 * other), so a folder's name begins with its org's id and a dash: no two
 * orgs share a folder, and as the groups come org by org, only the names of
 * the current org's folder are kept.
 */
struct names {
	const struct report_names *nm;
	struct strmap *here;         /* names used in the current org's folder */
	const char *org;             /* the current org */
	struct buf b;
};

/* The file of group g (owned by the caller). */
static char *name_file(struct names *n, const struct gkey *g)
{
	size_t base;

	if (!n->org || strcmp(n->org, g->org) != 0) {
		strmap_free(n->here, NULL);
		n->here = strmap_new(16);
		n->org = g->org;
	}
	buf_reset(&n->b);
	buf_addf(&n->b, "upload/%s-", g->org);
	report_slug(report_org_name(n->nm, g->org), &n->b);
	buf_addc(&n->b, '/');
	if (*g->name)
		report_slug(g->name, &n->b);
	else
		buf_adds(&n->b, "no-group");
	base = n->b.len;
	for (int k = 2; strmap_has(n->here, buf_str(&n->b)); k++) {
		n->b.len = base;
		n->b.p[n->b.len] = '\0';
		buf_addf(&n->b, "-%d", k);
	}
	strmap_put(n->here, buf_str(&n->b), NULL);
	buf_adds(&n->b, ".csv");
	return xstrdup(buf_str(&n->b));
}

static void names_free(struct names *n)
{
	strmap_free(n->here, NULL);
	buf_free(&n->b);
}

void report_upload(struct rdoc *d, const struct report_input *in,
		   const struct report_names *nm, struct report_files *f)
{
	const struct csv_table *u = &in->after->st.tab[STORE_USERS];
	struct ukeys k = {u, nm->u_org, nm->u_group};
	struct changed ch = {0};
	struct gkey *g;
	uint32_t *members, *end;
	size_t ng = 0;
	struct names names;
	struct rtab t;
	char n[32], raw[32];

	if (changed_users(in, nm, &k, &ch) != 0) {
		if (!f->failed && f->e)
			err_set(f->e, ITG_EXIT_RUNTIME, "cannot read the load's changes again: %s",
				strerror(errno));
		f->failed = 1;
	}
	g = changed_groups(&k, &ch, &ng);
	members = group_members(&k, g, ng, &end);
	names = (struct names){.nm = nm};

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
	for (size_t i = 0; i < ng; i++) {
		const struct gkey *x = &g[i];
		size_t first = i ? end[i - 1] : 0, count = end[i] - first;
		char *file = name_file(&names, x);
		write_group(f, nm, file, members + first, count);
		snprintf(raw, sizeof raw, "%zu", count);
		rtab_row(&t, 1,
			 (const char *const[]){report_org_label(nm, x->org, rtab_buf(&t)),
					       *x->name ? x->name : "(no group)",
					       rdoc_num((long long)count, n), file},
			 (const char *const[]){x->org, report_org_name(nm, x->org), x->name, raw,
					       file},
			 NULL, 1, 0);
		free(file);
	}
	rtab_close(&t, "No group changed: nothing to upload.");
	names_free(&names);
	free(members);
	free(end);
	free(g);
	free(ch.rows);
	free(ch.left);
	arena_free(&ch.a);
}
