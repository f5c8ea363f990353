#include "store.h"
#include "fsutil.h"
#include "json.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const lstore_table_names[TAB_COUNT] = {"organizations", "links", "users",
						    "domains"};
const char *const lstore_file_names[TAB_COUNT] = {"organizations.csv", "links.csv",
						   "users.csv", "domains.csv"};

static const char *const bp_orgs[] = {"id", "name", "employee_count", "industry", "phishing",
				      "training", "last_sync", NULL};
static const char *const dw_orgs[] = {"id", "name", "employee_count", "industry",
				      "last_sync", NULL};
static const char *const links_cols[] = {"organization_id", "itglue_organization_id",
					 "source", "linked_at", NULL};
static const char *const users_cols[] = {"id", "organization_id", "first_name", "last_name",
					 "email", "group", "itglue_contact_id", "last_sync",
					 NULL};
static const char *const domains_cols[] = {"id", "organization_id", "domain",
					   "itglue_domain_id", "status", "reason",
					   "last_sync", NULL};

/* RULES.md 36: the columns a file cannot be read without. */
static const char *const orgs_req[] = {"id", NULL};
static const char *const links_req[] = {"organization_id", "itglue_organization_id", "source",
					NULL};
static const char *const users_req[] = {"id", "organization_id", NULL};
static const char *const domains_req[] = {"id", "organization_id", "domain", "status", NULL};

const char *const *lstore_contract_cols(enum product p, enum lstore_table t)
{
	switch (t) {
	case TAB_ORGS:
		return p == PRODUCT_BULLPHISH ? bp_orgs : dw_orgs;
	case TAB_LINKS:
		return links_cols;
	case TAB_USERS:
		return users_cols;
	case TAB_DOMAINS:
		return domains_cols;
	default:
		return NULL;
	}
}

static const char *const *required_cols(enum lstore_table t)
{
	static const char *const *const req[TAB_COUNT] = {orgs_req, links_req, users_req,
							  domains_req};
	return req[t];
}

int lstore_bool(const char *s)
{
	return s && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
		     strcasecmp(s, "yes") == 0);
}

static int read_integration(struct lstore *s, struct itg_err *e)
{
	char *path = fs_join(s->dir, LSTORE_INTEGRATION);
	struct buf b = {0};
	char errbuf[256];
	yajl_val v;
	int rc = 0;

	if (!fs_exists(path))
		goto out;
	if (fs_read_all(path, &b, 1 << 20, e) != 0) {
		rc = -1;
		goto out;
	}
	if (b.len == 0)
		goto out;
	v = json_parse(b.p, b.len, errbuf, sizeof errbuf);
	if (!v || !YAJL_IS_OBJECT(v)) {
		rc = err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			    "not a JSON object (%s), fix or remove the file",
			    v ? "wrong type" : errbuf);
		if (v)
			yajl_tree_free(v);
		goto out;
	}
	s->status = xstrdup(json_get_str(v, "status"));
	s->last_sync = xstrdup(json_get_str(v, "last_sync"));
	s->region = xstrdup(json_get_str(v, "region"));
	yajl_tree_free(v);
out:
	buf_free(&b);
	free(path);
	return rc;
}

int lstore_load(const char *dir, enum product p, struct lstore *s, struct itg_err *e)
{
	memset(s, 0, sizeof *s);
	s->product = p;
	s->dir = xstrdup(dir);
	s->used[TAB_ORGS] = s->used[TAB_LINKS] = 1;
	s->used[TAB_USERS] = p == PRODUCT_BULLPHISH;
	s->used[TAB_DOMAINS] = p == PRODUCT_DARKWEBID;
	for (int t = 0; t < TAB_COUNT; t++) {
		char *path;
		int rc;

		if (!s->used[t])
			continue;
		path = fs_join(dir, lstore_file_names[t]);
		rc = csvtab_read(path, lstore_contract_cols(p, t), required_cols(t), &s->tab[t], e);
		free(path);
		if (rc != 0) {
			lstore_free(s);
			return -1;
		}
	}
	if (read_integration(s, e) != 0) {
		lstore_free(s);
		return -1;
	}
	return 0;
}

void lstore_free(struct lstore *s)
{
	for (int t = 0; t < TAB_COUNT; t++)
		if (s->used[t])
			csvtab_free(&s->tab[t]);
	free(s->dir);
	free(s->status);
	free(s->last_sync);
	free(s->region);
	memset(s, 0, sizeof *s);
}
