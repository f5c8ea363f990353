/*
 * pipeline.c - loads a pipeline YAML (docs/contract.md section 4) strictly.
 *
 * The file (at most 1 MiB, a leading UTF-8 BOM dropped) is read into a tree
 * (lib/yamltree.c: marks kept; anchors, aliases, tags and deep nesting
 * refused), which is then checked key by key here: libyaml has no types
 * and accepts duplicate keys (docs/libraries.md 2.3), so typing and
 * duplicates are ours (lib/yamlget.c: typed values and mappings with
 * key-path errors).  This file knows the keys: which exist, their types
 * and ranges, the product each belongs to, and the defaults.
 *
 * docs/contract.md section 4 lists every key; these tune the extractor
 * and the runner (all optional):
 *   itglue.base_url     string; an IT Glue-compatible server (test servers)
 *   itglue.rate         number > 0; requests per second
 *   itglue.concurrency  integer 1..32; transfers in flight
 *   itglue.timeout      integer 1..3600; seconds per request
 *   itglue.retries      integer 0..100; retries of a failing request
 *   itglue.page_size    integer 1..1000; records per page
 *   itglue.incremental  boolean; start from the previous snapshot (default false)
 *   itglue.full_every   duration Nm, Nh or Nd; a full walk at least this often (24h)
 *   keep_runs           integer 1..1000; runs kept under out/<name>/ (default 14)
 *   safety.max_unlinks, safety.max_user_unlinks  a count or a percentage
 */
#include "strmap.h"
#include "pipeline.h"
#include "fsutil.h"
#include "xalloc.h"
#include "yamlget.h"
#include "yamltree.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIPELINE_MAX_BYTES (1024 * 1024)

const char *const pipeline_employee_counts[] = {"1-10", "11-50", "51-250", "251+", NULL};

const char *const pipeline_industries[] = {
	"Accounting", "Agriculture", "Construction", "Education", "Energy",
	"Financial Services", "Government", "Healthcare", "Hospitality", "Insurance",
	"Legal", "Manufacturing", "Media", "Non-Profit", "Real Estate", "Retail",
	"Technology", "Transportation", "Other", NULL,
};

static const char *const regions[] = {"us", "eu", "au", NULL};
static const char *const auto_links[] = {"off", "exact", "normalized", "fuzzy", NULL};

const char *auto_link_name(enum auto_link a)
{
	switch (a) {
	case AUTO_LINK_OFF:
		return "off";
	case AUTO_LINK_EXACT:
		return "exact";
	case AUTO_LINK_FUZZY:
		return "fuzzy";
	default:
		return "normalized";
	}
}

/* ---- checking the tree into struct pipeline ---- */

/* The pipeline the key functions fill in: the reading's user pointer. */
static struct pipeline *pipeline_of(const struct yget *c)
{
	return c->user;
}

/* An IT Glue name or id: a plain digit scalar is an id (docs/rules.md 4, 15). */
static int get_entry(struct yget *c, const struct ynode *v, const char *kp, struct sel_entry *out)
{
	if (yget_scalar(c, v, kp) < 0)
		return -1;
	if (!*v->text)
		return yget_fail(c, v, kp, "empty name, give a name or an id");
	out->text = xstrdup(v->text);
	out->is_int = v->plain && id_is_numeric(v->text);
	out->line = (int)v->line;
	out->col = (int)v->col;
	return 0;
}

static void selector_free(struct selector *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].text);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* all | none (when allow_none) | [list]. */
static int get_selector(struct yget *c, const struct ynode *v, const char *kp, int allow_none,
			struct selector *out)
{
	selector_free(out);
	if (v->kind == Y_SEQ) {
		out->v = xcalloc(v->n ? v->n : 1, sizeof *out->v);
		for (size_t i = 0; i < v->n; i++) {
			if (get_entry(c, v->kids[i], kp, &out->v[i]) < 0)
				return -1;
			out->n++;
		}
		return 0;
	}
	if (v->kind == Y_SCALAR && v->plain && !strcmp(v->text, "all")) {
		out->all = 1;
		return 0;
	}
	if (allow_none && v->kind == Y_SCALAR && v->plain && !strcmp(v->text, "none")) {
		out->none = 1;
		return 0;
	}
	if (v->kind == Y_MAP)
		return yget_fail(c, v, kp, "expected %s or a list, found a mapping",
				 allow_none ? "all, none" : "all");
	return yget_fail(c, v, kp, "\"%s\" is not %s or a list of names or ids", v->text,
			 allow_none ? "all, none" : "all");
}

static int only_for(struct yget *c, const struct ynode *key, const char *kp, enum product want)
{
	if (pipeline_of(c)->product == want)
		return 0;
	return yget_fail(c, key, kp, "only for product %s, remove it from a %s pipeline",
			 product_name(want), product_name(pipeline_of(c)->product));
}


int pipeline_parse_duration(const char *s, long long *seconds)
{
	long long n = 0, unit;
	const char *p = s;

	if (!s || *p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > PIPELINE_FULL_EVERY_MAX)
			return -1;
	}
	if (p[0] == 'm' && !p[1])
		unit = 60;
	else if (p[0] == 'h' && !p[1])
		unit = 3600;
	else if (p[0] == 'd' && !p[1])
		unit = 86400;
	else
		return -1;
	if (n * unit > PIPELINE_FULL_EVERY_MAX)
		return -1;
	*seconds = n * unit;
	return 0;
}

static int get_duration(struct yget *c, const struct ynode *v, const char *kp, long long *out)
{
	if (yget_scalar(c, v, kp) < 0)
		return -1;
	if (pipeline_parse_duration(v->text, out) != 0)
		return yget_fail(c, v, kp,
				 "\"%s\" is not a duration: write minutes, hours or days as 30m, "
				 "24h or 7d (at most 3650d)",
				 v->text);
	return 0;
}

static int on_itglue(struct yget *c, const char *key, const struct ynode *k,
		     const struct ynode *v, const char *kp, void *arg)
{
	struct pipeline *p = pipeline_of(c);

	(void)k;
	(void)arg;
	if (!strcmp(key, "region"))
		return yget_choice_str(c, v, kp, regions, &p->region);
	if (!strcmp(key, "api_key_file"))
		return yget_path(c, v, kp, &p->api_key_file);
	if (!strcmp(key, "base_url")) {
		p->base_url_line = v->line;
		p->base_url_col = v->col;
		return yget_string(c, v, kp, &p->base_url);
	}
	if (!strcmp(key, "rate"))
		return yget_number(c, v, kp, 0, 1, 1e6, &p->rate);
	if (!strcmp(key, "concurrency"))
		return yget_long(c, v, kp, 1, 32, &p->concurrency);
	if (!strcmp(key, "timeout"))
		return yget_long(c, v, kp, 1, 3600, &p->timeout);
	if (!strcmp(key, "retries"))
		return yget_long(c, v, kp, 0, 100, &p->retries);
	if (!strcmp(key, "page_size"))
		return yget_long(c, v, kp, 1, 1000, &p->page_size);
	if (!strcmp(key, "incremental"))
		return yget_bool(c, v, kp, &p->incremental);
	if (!strcmp(key, "full_every"))
		return get_duration(c, v, kp, &p->full_every);
	return 1;
}

static int on_contacts(struct yget *c, const char *key, const struct ynode *k,
		       const struct ynode *v, const char *kp, void *arg)
{
	(void)k;
	(void)arg;
	if (!strcmp(key, "enabled"))
		return yget_bool(c, v, kp, &pipeline_of(c)->contacts_enabled);
	if (!strcmp(key, "contact_types"))
		return get_selector(c, v, kp, 0, &pipeline_of(c)->contact_types);
	return 1;
}

static int on_sync(struct yget *c, const char *key, const struct ynode *k,
		   const struct ynode *v, const char *kp, void *arg)
{
	struct pipeline *p = pipeline_of(c);
	int i;

	(void)arg;
	if (!strcmp(key, "organization_types"))
		return get_selector(c, v, kp, 0, &p->organization_types);
	if (!strcmp(key, "organization_statuses"))
		return get_selector(c, v, kp, 0, &p->organization_statuses);
	if (!strcmp(key, "auto_link")) {
		if (yget_choice(c, v, kp, auto_links, &i) < 0)
			return -1;
		p->auto_link = (enum auto_link)i;
		return 0;
	}
	if (!strcmp(key, "fuzzy_threshold"))
		return yget_number(c, v, kp, 0, 0, 1, &p->fuzzy_threshold);
	if (!strcmp(key, "contacts")) {
		if (only_for(c, k, kp, PRODUCT_BULLPHISH) < 0)
			return -1;
		return yget_map(c, v, kp, on_contacts, NULL);
	}
	return 1;
}

static int on_defaults(struct yget *c, const char *key, const struct ynode *k,
		       const struct ynode *v, const char *kp, void *arg)
{
	struct pipeline *p = pipeline_of(c);

	(void)arg;
	if (!strcmp(key, "employee_count"))
		return yget_choice_str(c, v, kp, pipeline_employee_counts,
				       &p->default_employee_count);
	if (!strcmp(key, "industry"))
		return yget_choice_str(c, v, kp, pipeline_industries, &p->default_industry);
	if (!strcmp(key, "phishing") || !strcmp(key, "training")) {
		if (only_for(c, k, kp, PRODUCT_BULLPHISH) < 0)
			return -1;
		return yget_bool(c, v, kp, !strcmp(key, "phishing") ? &p->default_phishing
								    : &p->default_training);
	}
	return 1;
}

static int on_override(struct yget *c, const char *key, const struct ynode *k,
		       const struct ynode *v, const char *kp, void *arg)
{
	struct import_override *o = arg;

	if (!strcmp(key, "itglue_organization"))
		return get_entry(c, v, kp, &o->target);
	if (!strcmp(key, "employee_count"))
		return yget_choice_str(c, v, kp, pipeline_employee_counts, &o->employee_count);
	if (!strcmp(key, "industry"))
		return yget_choice_str(c, v, kp, pipeline_industries, &o->industry);
	if (!strcmp(key, "phishing") || !strcmp(key, "training")) {
		if (only_for(c, k, kp, PRODUCT_BULLPHISH) < 0)
			return -1;
		return yget_bool(c, v, kp, !strcmp(key, "phishing") ? &o->phishing : &o->training);
	}
	return 1;
}

static int get_overrides(struct yget *c, const struct ynode *v, const char *kp)
{
	struct pipeline *p = pipeline_of(c);

	if (v->kind != Y_SEQ)
		return yget_fail(c, v, kp,
				 "expected a list of mappings (- itglue_organization: ...), "
				 "found %s", yget_kind_name(v));
	p->overrides = xcalloc(v->n ? v->n : 1, sizeof *p->overrides);
	for (size_t i = 0; i < v->n; i++) {
		struct import_override *o = &p->overrides[p->n_overrides++];
		const struct ynode *m = v->kids[i];

		o->phishing = o->training = -1;
		o->line = (int)m->line;
		if (yget_map(c, m, kp, on_override, o) < 0)
			return -1;
		if (!o->target.text)
			return yget_fail(c, m, kp,
					 "itglue_organization is missing, name the IT Glue "
					 "organization (name or id)");
	}
	return 0;
}

static int on_import(struct yget *c, const char *key, const struct ynode *k,
		     const struct ynode *v, const char *kp, void *arg)
{
	(void)k;
	(void)arg;
	if (!strcmp(key, "select"))
		return get_selector(c, v, kp, 1, &pipeline_of(c)->import_select);
	if (!strcmp(key, "defaults"))
		return yget_map(c, v, kp, on_defaults, NULL);
	if (!strcmp(key, "overrides"))
		return get_overrides(c, v, kp);
	return 1;
}

static int on_licenses(struct yget *c, const char *key, const struct ynode *k,
		       const struct ynode *v, const char *kp, void *arg)
{
	struct pipeline *p = pipeline_of(c);
	long long *slot;

	(void)arg;
	if (!strcmp(key, "phishing") || !strcmp(key, "training")) {
		if (only_for(c, k, kp, PRODUCT_BULLPHISH) < 0)
			return -1;
		slot = !strcmp(key, "phishing") ? &p->license_phishing : &p->license_training;
	} else if (!strcmp(key, "domains")) {
		if (only_for(c, k, kp, PRODUCT_DARKWEBID) < 0)
			return -1;
		slot = &p->license_domains;
	} else {
		return 1;
	}
	return yget_int(c, v, kp, 0, 1000000000LL, slot);
}

static int on_domains(struct yget *c, const char *key, const struct ynode *k,
		      const struct ynode *v, const char *kp, void *arg)
{
	(void)k;
	(void)arg;
	if (!strcmp(key, "protected"))
		return yget_path(c, v, kp, &pipeline_of(c)->protected_domains);
	return 1;
}

/*
 * A count (a YAML integer) or a percentage ("10%", plain or quoted) of the
 * store's links.
 */
static int get_safety_limit(struct yget *c, const struct ynode *v, const char *kp,
			    struct safety_limit *out)
{
	size_t n;
	char *end;
	double d;

	if (yget_scalar(c, v, kp) < 0)
		return -1;
	n = strlen(v->text);
	if (n > 1 && v->text[n - 1] == '%') {
		errno = 0;
		d = strtod(v->text, &end);
		if (end != v->text + n - 1 || errno || !isfinite(d) || d < 0 || d > 100)
			return yget_fail(c, v, kp, "\"%s\" is not a percentage from 0%% to 100%%",
					 v->text);
		out->is_percent = 1;
		out->percent = d;
		out->count = 0;
		return 0;
	}
	if (!v->plain)
		return yget_fail(c, v, kp,
				 "\"%s\" is neither a count nor a percentage (such as 10%%)",
				 v->text);
	out->is_percent = 0;
	out->percent = 0;
	return yget_int(c, v, kp, 0, 1000000000LL, &out->count);
}

static int on_safety(struct yget *c, const char *key, const struct ynode *k,
		     const struct ynode *v, const char *kp, void *arg)
{
	(void)arg;
	if (!strcmp(key, "max_unlinks"))
		return get_safety_limit(c, v, kp, &pipeline_of(c)->max_unlinks);
	if (!strcmp(key, "max_user_unlinks")) {
		if (only_for(c, k, kp, PRODUCT_BULLPHISH) < 0)
			return -1;
		return get_safety_limit(c, v, kp, &pipeline_of(c)->max_user_unlinks);
	}
	return 1;
}

long long safety_allowance(const struct safety_limit *l, long long n)
{
	double x;
	long long a;

	if (!l->is_percent)
		return l->count;
	/* ceil(P/100 x n), with a hair of tolerance so 10% of 200 is 20, not 21 */
	x = l->percent / 100.0 * (double)(n > 0 ? n : 0);
	a = (long long)x;
	if ((double)a < x - 1e-9)
		a++;
	return a > 10 ? a : 10;
}

/* The run folder name: one safe path component. */
static int check_name(struct yget *c, const struct ynode *v, const char *kp)
{
	const char *s = pipeline_of(c)->name;

	if (s[0] == '.')
		return yget_fail(c, v, kp, "\"%s\" must not start with a dot, it names a folder",
				 s);
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return yget_fail(c, v, kp,
					 "\"%s\" may hold only letters, digits, '-', '_' and "
					 "'.', it names a folder", pipeline_of(c)->name);
	return 0;
}

static int on_top(struct yget *c, const char *key, const struct ynode *k,
		  const struct ynode *v, const char *kp, void *arg)
{
	struct pipeline *p = pipeline_of(c);

	(void)arg;
	if (!strcmp(key, "product"))
		return 0;  /* read first, see pipeline_load */
	if (!strcmp(key, "name"))
		return yget_string(c, v, kp, &p->name) < 0 ? -1 : check_name(c, v, kp);
	if (!strcmp(key, "itglue"))
		return yget_map(c, v, kp, on_itglue, NULL);
	if (!strcmp(key, "store"))
		return yget_path(c, v, kp, &p->store);
	if (!strcmp(key, "out"))
		return yget_path(c, v, kp, &p->out);
	if (!strcmp(key, "keep_runs"))
		return yget_long(c, v, kp, 1, 1000, &p->keep_runs);
	if (!strcmp(key, "sync"))
		return yget_map(c, v, kp, on_sync, NULL);
	if (!strcmp(key, "import"))
		return yget_map(c, v, kp, on_import, NULL);
	if (!strcmp(key, "licenses"))
		return yget_map(c, v, kp, on_licenses, NULL);
	if (!strcmp(key, "safety"))
		return yget_map(c, v, kp, on_safety, NULL);
	if (!strcmp(key, "domains")) {
		if (only_for(c, k, kp, PRODUCT_DARKWEBID) < 0)
			return -1;
		return yget_map(c, v, kp, on_domains, NULL);
	}
	return 1;
}

static void set_defaults(struct pipeline *p)
{
	p->region = xstrdup("us");
	p->retries = -1;
	p->full_every = PIPELINE_FULL_EVERY_DEFAULT;
	p->keep_runs = 14;
	p->organization_types.all = 1;
	p->organization_statuses.all = 1;
	p->auto_link = AUTO_LINK_NORMALIZED;
	p->fuzzy_threshold = 0.92;
	p->contact_types.all = 1;
	p->import_select.none = 1;
	p->default_employee_count = xstrdup("11-50");
	p->default_industry = xstrdup("Other");
	p->license_phishing = LICENSE_UNLIMITED;
	p->license_training = LICENSE_UNLIMITED;
	p->license_domains = LICENSE_UNLIMITED;
	p->max_unlinks = (struct safety_limit){1, 10.0, 0};
	p->max_user_unlinks = (struct safety_limit){1, 10.0, 0};
}

/* Finds the top-level key; NULL when absent. */
static const struct ynode *top_value(const struct ynode *root, const char *key,
				     const struct ynode **keynode)
{
	for (size_t i = 0; i + 1 < root->n; i += 2)
		if (root->kids[i]->kind == Y_SCALAR && !strcmp(root->kids[i]->text, key)) {
			if (keynode)
				*keynode = root->kids[i];
			return root->kids[i + 1];
		}
	return NULL;
}

static int check_tree(struct yget *c, const struct ynode *root)
{
	const struct ynode *v;
	int i;

	if (!root || yget_is_null(root))
		return err_at(c->e, ITG_EXIT_USAGE, c->path, 1, 1,
			      "empty pipeline, set at least name and product");
	if (root->kind != Y_MAP)
		return yget_fail(c, root, "",
				 "expected a mapping of settings (name: ..., product: ...), "
				 "found %s", yget_kind_name(root));
	v = top_value(root, "product", NULL);
	if (!v)
		return yget_fail(c, root, "product", "missing, set it to bullphish or darkwebid");
	if (yget_choice(c, v, "product", product_names, &i) < 0)
		return -1;
	pipeline_of(c)->product = product_parse(product_names[i]);
	if (yget_map(c, root, "", on_top, NULL) < 0)
		return -1;
	if (!pipeline_of(c)->name)
		return yget_fail(c, root, "name",
				 "missing, name the pipeline (its run folder under out/)");
	return 0;
}

int pipeline_load(const char *path, struct pipeline *p, struct itg_err *e)
{
	struct buf b = {0};
	struct ynode *root = NULL;
	struct yget c = {0};
	size_t bom;

	memset(p, 0, sizeof *p);
	c.path = path;
	c.user = p;
	c.e = e;
	if (fs_read_all(path, &b, PIPELINE_MAX_BYTES, e) < 0) {
		buf_free(&b);
		return err_prefix(e, "cannot load the pipeline");
	}
	/*
	 * Editors on Windows start a UTF-8 file with a BOM.  libyaml, told the
	 * encoding, reads it as a character and refuses the first key; dropped
	 * here, before the parser, it takes no column (raw below keeps the
	 * file's bytes: the settings hash is of the file).
	 */
	bom = b.len >= 3 && memcmp(b.p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (yaml_to_tree(path, buf_str(&b) + bom, b.len - bom, &root, e) < 0) {
		buf_free(&b);
		return -1;
	}
	p->path = xstrdup(path);
	p->dir = fs_dirname(path);
	c.dir = p->dir;
	set_defaults(p);
	if (check_tree(&c, root) < 0) {
		ynode_free(root);
		buf_free(&b);
		pipeline_free(p);
		return -1;
	}
	ynode_free(root);
	if (!p->out)
		p->out = fs_resolve(p->dir, "../out");
	p->raw_len = b.len;
	p->raw = buf_detach(&b);
	if (!p->raw)
		p->raw = xstrdup("");
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->dir);
	free(p->name);
	free(p->region);
	free(p->api_key_file);
	free(p->base_url);
	free(p->store);
	free(p->out);
	selector_free(&p->organization_types);
	selector_free(&p->organization_statuses);
	selector_free(&p->contact_types);
	selector_free(&p->import_select);
	free(p->default_employee_count);
	free(p->default_industry);
	for (size_t i = 0; i < p->n_overrides; i++) {
		free(p->overrides[i].target.text);
		free(p->overrides[i].employee_count);
		free(p->overrides[i].industry);
	}
	free(p->overrides);
	free(p->protected_domains);
	free(p->raw);
	memset(p, 0, sizeof *p);
}
