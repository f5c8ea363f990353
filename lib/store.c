/*
 * store.c - the product store's tables: names, contract columns, the one
 * reader and the input checks of docs/rules.md 36.
 */
#include "store.h"

#include "ids.h"
#include "lock.h"
#include "reasons.h"
#include "rowix.h"
#include "strmap.h"
#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

const char *const store_table_names[STORE_NTABLES] = {"organizations", "links", "users",
						       "domains"};
const char *const store_file_names[STORE_NTABLES] = {"organizations.csv", "links.csv",
						      "users.csv", "domains.csv"};

/* docs/contract.md section 5 */
static const char *const bp_org_cols[] = {"id", "name", "employee_count", "industry",
					  "phishing", "training", "last_sync", NULL};
static const char *const dw_org_cols[] = {"id", "name", "employee_count", "industry",
					  "last_sync", NULL};
static const char *const link_cols[] = {"organization_id", "itglue_organization_id", "source",
					"linked_at", NULL};
static const char *const user_cols[] = {"id", "organization_id", "first_name", "last_name",
					"email", "group", "itglue_contact_id", "last_sync", NULL};
static const char *const domain_cols[] = {"id", "organization_id", "domain", "itglue_domain_id",
					  "status", "reason", "last_sync", NULL};

/* docs/rules.md 36: the columns a file cannot be read without */
static const char *const org_req[] = {"id", NULL};
static const char *const link_req[] = {"organization_id", "itglue_organization_id", "source",
				       NULL};
static const char *const user_req[] = {"id", "organization_id", NULL};
static const char *const domain_req[] = {"id", "organization_id", "domain", "status", NULL};

int store_uses(enum product p, enum store_table t)
{
	switch (t) {
	case STORE_ORGS:
	case STORE_LINKS:
		return 1;
	case STORE_USERS:
		return p == PRODUCT_BULLPHISH;
	case STORE_DOMAINS:
		return p == PRODUCT_DARKWEBID;
	default:
		return 0;
	}
}

const char *const *store_contract_cols(enum product p, enum store_table t)
{
	switch (t) {
	case STORE_ORGS:
		return p == PRODUCT_BULLPHISH ? bp_org_cols : dw_org_cols;
	case STORE_LINKS:
		return link_cols;
	case STORE_USERS:
		return user_cols;
	case STORE_DOMAINS:
		return domain_cols;
	default:
		return NULL;
	}
}

const char *const *store_required_cols(enum store_table t)
{
	static const char *const *const req[STORE_NTABLES] = {org_req, link_req, user_req,
							      domain_req};

	return t >= 0 && t < STORE_NTABLES ? req[t] : NULL;
}

int store_parse_bool(const char *s)
{
	if (!s)
		return -1;
	if (!*s || !strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no"))
		return 0;
	if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes"))
		return 1;
	return -1;
}

char *store_domain_key(const char *domain)
{
	char *out = xstrdup(domain ? domain : "");

	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

/* ---- reading ------------------------------------------------------------ */

/*
 * The folder itself (docs/contract.md sections 5 and 10): it must exist, since
 * a mistyped `store:` must never start a second, empty store beside the
 * real one (a new store is an empty folder the operator makes); and it must
 * not hold the table only the other product keeps, which says the
 * pipeline is pointed at the other product's store.
 */
static int check_folder(const char *dir, enum product p, struct itg_err *e)
{
	static const char *const others[] = {STORE_FILE_INTEGRATION, STORE_FILE_AUDIT,
					     STORE_LOCK_FILE, STORE_FILE_JOURNAL,
					     STORE_FILE_LINKS_LAST_RUN};
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(e, ITG_EXIT_USAGE,
				       "store folder %s does not exist: check `store:` in the "
				       "pipeline; a new store is an empty folder: mkdir -m 700 %s",
				       dir, dir);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read store folder %s: %s", dir,
			       strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ITG_EXIT_USAGE,
			       "store %s is not a folder: check `store:` in the pipeline", dir);
	/* the folder may be a link (a store mounted elsewhere), its files not:
	 * a linked audit.ndjson or .journal is refused here, before any stage
	 * gets near it (docs/contract.md section 10) */
	for (int i = 0; i < STORE_NTABLES + (int)(sizeof others / sizeof *others); i++) {
		char *path = fs_join(dir, i < STORE_NTABLES ? store_file_names[i]
							    : others[i - STORE_NTABLES]);
		int rc = fs_refuse_link(path, e);

		free(path);
		if (rc != 0)
			return -1;
	}
	for (int t = 0; t < STORE_NTABLES; t++) {
		enum product other = p == PRODUCT_BULLPHISH ? PRODUCT_DARKWEBID : PRODUCT_BULLPHISH;
		char *path;
		int found;

		if (store_uses(p, (enum store_table)t) || !store_uses(other, (enum store_table)t))
			continue;
		path = fs_join(dir, store_file_names[t]);
		found = lstat(path, &st) == 0;
		if (found)
			err_set(e, ITG_EXIT_USAGE,
				"%s: %s is a %s table, and this is a %s pipeline (product: %s): "
				"point `store:` at this pipeline's own store, or move the file out "
				"of this one",
				path, store_file_names[t], product_title(other), product_title(p),
				product_name(p));
		free(path);
		if (found)
			return -1;
	}
	return 0;
}

int store_read(const char *dir, enum product p, struct store *s, struct itg_err *e)
{
	memset(s, 0, sizeof *s);
	if (check_folder(dir, p, e) != 0)
		return -1;
	s->product = p;
	s->dir = xstrdup(dir);
	for (int t = 0; t < STORE_NTABLES; t++) {
		char *path;
		int rc;

		s->used[t] = store_uses(p, (enum store_table)t);
		if (!s->used[t])
			continue;
		path = fs_join(dir, store_file_names[t]);
		rc = csvtab_read(path, store_contract_cols(p, (enum store_table)t),
				 store_required_cols((enum store_table)t), &s->tab[t], e);
		free(path);
		if (rc != 0) {
			s->used[t] = 0;   /* csvtab_read freed the table */
			store_free(s);
			return -1;
		}
		/* the fingerprint of the bytes just parsed: the file is read once */
		s->fp[t] = s->tab[t].fp;
	}
	return 0;
}

void store_free(struct store *s)
{
	for (int t = 0; t < STORE_NTABLES; t++)
		if (s->used[t])
			csvtab_free(&s->tab[t]);
	free(s->dir);
	memset(s, 0, sizeof *s);
}

/* ---- validation --------------------------------------------------------- */

/* strmap values: row + 1, so that row 0 is not NULL */
#define ROW(v) ((size_t)(uintptr_t)(v) - 1)
#define VAL(row) ((void *)(uintptr_t)((row) + 1))

struct org_order {
	const char *id;
	size_t row;
};

/* Ids as numbers (id_cmp), equal ids in file order. */
static int org_order_cmp(const void *a, const void *b)
{
	const struct org_order *x = a, *y = b;
	int c = id_cmp(x->id, y->id);

	return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

/*
 * Organizations, and the index of their ids (*orgs, id -> row + 1) the
 * other tables are checked against.  Duplicates are looked for in id order
 * and named by the later of the two lines, as the transform has always
 * reported them.
 */
static int check_orgs(const struct store *s, struct strmap **orgs, struct itg_err *e)
{
	const struct csv_table *t = &s->tab[STORE_ORGS];
	int c_id = csvtab_col(t, "id");
	int c_ph = csvtab_col(t, "phishing"), c_tr = csvtab_col(t, "training");
	struct org_order *order;
	int rc = 0;

	*orgs = strmap_new(t->nrows);
	for (size_t r = 0; r < t->nrows; r++) {
		if (!*csvtab_get(t, r, c_id))
			return err_at(e, ITG_EXIT_USAGE, t->path, csvtab_line(t, r), 0,
				      "organization has an empty id: give every row an id");
		if (store_parse_bool(csvtab_get(t, r, c_ph)) < 0 ||
		    store_parse_bool(csvtab_get(t, r, c_tr)) < 0)
			return err_at(e, ITG_EXIT_USAGE, t->path, csvtab_line(t, r), 0,
				      "phishing and training must be true or false");
	}
	order = xcalloc(t->nrows ? t->nrows : 1, sizeof *order);
	for (size_t r = 0; r < t->nrows; r++)
		order[r] = (struct org_order){csvtab_get(t, r, c_id), r};
	if (t->nrows)
		qsort(order, t->nrows, sizeof *order, org_order_cmp);
	for (size_t i = 0; i < t->nrows; i++) {
		void *first = strmap_get(*orgs, order[i].id);
		if (first) {
			long a = csvtab_line(t, ROW(first)), b = csvtab_line(t, order[i].row);
			rc = err_at(e, ITG_EXIT_USAGE, t->path, a > b ? a : b, 0,
				    "duplicate organization id %s: ids must be unique", order[i].id);
			break;
		}
		strmap_put(*orgs, order[i].id, VAL(order[i].row));
	}
	free(order);
	return rc;
}

static int check_links(const struct store *s, const struct strmap *orgs, struct itg_err *e)
{
	const struct csv_table *t = &s->tab[STORE_LINKS];
	int c_org = csvtab_col(t, "organization_id");
	int c_itg = csvtab_col(t, "itglue_organization_id"), c_src = csvtab_col(t, "source");

	for (size_t r = 0; r < t->nrows; r++) {
		const char *src = csvtab_get(t, r, c_src), *org = csvtab_get(t, r, c_org);
		long line = csvtab_line(t, r);

		if (strcmp(src, SOURCE_AUTO) && strcmp(src, SOURCE_MANUAL) && strcmp(src, SOURCE_IMPORT))
			return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
				      "unknown source \"%s\": use auto, manual or import", src);
		if (!*csvtab_get(t, r, c_itg))
			return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
				      "link has no itglue_organization_id: fill it in or "
				      "remove the row");
		if (!strmap_has(orgs, org))
			return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
				      "link to unknown organization \"%s\": add it to "
				      "%s or remove the link",
				      org, store_file_names[STORE_ORGS]);
	}
	return 0;
}

/*
 * The checks every row of users.csv and domains.csv shares: an id, unique
 * in its table, and an organization that organizations.csv holds.  `what`
 * names the row in messages ("user", "domain").
 */
static int check_owned_row(const struct csv_table *t, size_t r, int c_id, int c_org,
			   struct rowix *ids, const struct strmap *orgs, const char *what,
			   struct itg_err *e)
{
	const char *id = csvtab_get(t, r, c_id), *org = csvtab_get(t, r, c_org);
	long line = csvtab_line(t, r);

	if (!*id)
		return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
			      "%s has an empty id: give every row an id", what);
	if (rowix_add(ids, r) >= 0)
		return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
			      "duplicate %s id %s: ids must be unique", what, id);
	if (!strmap_has(orgs, org))
		return err_at(e, ITG_EXIT_USAGE, t->path, line, 0,
			      "%s %s of unknown organization \"%s\": add the organization or "
			      "remove the %s",
			      what, id, org, what);
	return 0;
}

static int check_users(const struct store *s, const struct strmap *orgs, struct itg_err *e)
{
	const struct csv_table *t = &s->tab[STORE_USERS];
	int c_id = csvtab_col(t, "id"), c_org = csvtab_col(t, "organization_id");
	int c_ct = csvtab_col(t, "itglue_contact_id");
	/* four bytes a user each (rowix.h), not a string map of half a million keys */
	struct rowix ids, contacts;
	int rc = 0;

	rowix_init(&ids, t, c_id, -1);
	rowix_init(&contacts, t, c_ct, -1);
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		const char *contact = csvtab_get(t, r, c_ct);
		long other;

		rc = check_owned_row(t, r, c_id, c_org, &ids, orgs, "user", e);
		if (rc == 0 && (other = rowix_add(&contacts, r)) >= 0)
			rc = err_at(e, ITG_EXIT_USAGE, t->path, csvtab_line(t, r), 0,
				    "users %s and %s share itglue_contact_id %s: clear "
				    "it on one of them",
				    csvtab_get(t, (size_t)other, c_id), csvtab_get(t, r, c_id), contact);
	}
	rowix_free(&ids);
	rowix_free(&contacts);
	return rc;
}

static int check_domains(const struct store *s, const struct strmap *orgs, struct itg_err *e)
{
	const struct csv_table *t = &s->tab[STORE_DOMAINS];
	int c_id = csvtab_col(t, "id"), c_org = csvtab_col(t, "organization_id");
	int c_st = csvtab_col(t, "status");
	struct rowix ids;
	int rc = 0;

	rowix_init(&ids, t, c_id, -1);
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		const char *status = csvtab_get(t, r, c_st);

		rc = check_owned_row(t, r, c_id, c_org, &ids, orgs, "domain", e);
		if (rc == 0 && strcmp(status, DOMAIN_IMPORTED) && strcmp(status, DOMAIN_PENDING) &&
		    strcmp(status, DOMAIN_UNIMPORTED))
			rc = err_at(e, ITG_EXIT_USAGE, t->path, csvtab_line(t, r), 0,
				    "unknown status \"%s\": use imported, pending or unimported",
				    status);
	}
	rowix_free(&ids);
	return rc;
}

/* The id columns of each table (docs/rules.md 36: `id` and `*_id`). */
static const char *const org_ids[] = {"id", NULL};
static const char *const link_ids[] = {"organization_id", "itglue_organization_id", NULL};
static const char *const user_ids[] = {"id", "organization_id", "itglue_contact_id", NULL};
static const char *const domain_ids[] = {"id", "organization_id", "itglue_domain_id", NULL};

/* The physical line of byte `at` of cell c of row r: the row's first line
 * plus the line ends inside the quoted fields before it. */
static long cell_line(const struct csv_table *t, size_t r, size_t c, size_t at)
{
	long line = csvtab_line(t, r);

	for (size_t k = 0; k <= c; k++) {
		const char *cell = csvtab_get(t, r, (int)k);
		size_t n = k < c ? strlen(cell) : at;
		for (size_t i = 0; i < n; i++)
			line += cell[i] == '\n';
	}
	return line;
}

/*
 * The bytes and the ids of table tab (docs/rules.md 36), before any other check
 * of it: the header, then row by row each cell, which must be UTF-8, and
 * each non-empty id, which must be a decimal number.  An id like "abc" in
 * links.csv would otherwise read as an organization gone from IT Glue and
 * be unlinked instead of refused.
 */
static int check_cells(const struct store *s, enum store_table tab, struct itg_err *e)
{
	static const char *const *const ids[STORE_NTABLES] = {org_ids, link_ids, user_ids,
							      domain_ids};
	const struct csv_table *t = &s->tab[tab];
	int cols[4], ncols = 0;

	for (size_t c = 0; c < t->ncols; c++)
		if (!utf8_valid(t->cols[c]))
			return err_at(e, ITG_EXIT_USAGE, t->path, 1, 0,
				      "the header holds bytes that are not UTF-8: save the file "
				      "as UTF-8");
	for (int k = 0; ids[tab][k]; k++)
		cols[ncols++] = csvtab_col(t, ids[tab][k]);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = csvtab_get(t, r, (int)c);
			size_t len = strlen(cell), at = utf8_invalid_at(cell, len);
			if (at < len)
				return err_at(e, ITG_EXIT_USAGE, t->path, cell_line(t, r, c, at), 0,
					      "column \"%s\" holds bytes that are not UTF-8 (byte "
					      "0x%02x): save the file as UTF-8",
					      t->cols[c], (unsigned char)cell[at]);
		}
		for (int k = 0; k < ncols; k++) {
			const char *id = csvtab_get(t, r, cols[k]);
			if (*id && !id_is_numeric(id))
				return err_at(e, ITG_EXIT_USAGE, t->path, csvtab_line(t, r), 0,
					      "%s \"%.*s\" is not a decimal number: ids are digits "
					      "only; fix the id or remove the row",
					      ids[tab][k], (int)utf8_prefix(id, 64), id);
		}
	}
	return 0;
}

int store_validate(const struct store *s, struct itg_err *e)
{
	struct strmap *orgs = NULL;
	int rc = check_cells(s, STORE_ORGS, e);

	if (rc == 0)
		rc = check_orgs(s, &orgs, e);
	if (rc == 0)
		rc = check_cells(s, STORE_LINKS, e);
	if (rc == 0)
		rc = check_links(s, orgs, e);
	if (rc == 0 && s->used[STORE_USERS]) {
		rc = check_cells(s, STORE_USERS, e);
		if (rc == 0)
			rc = check_users(s, orgs, e);
	}
	if (rc == 0 && s->used[STORE_DOMAINS]) {
		rc = check_cells(s, STORE_DOMAINS, e);
		if (rc == 0)
			rc = check_domains(s, orgs, e);
	}
	strmap_free(orgs, NULL);
	return rc;
}
