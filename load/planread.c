#include "planread.h"
#include "product.h"
#include "reasons.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PLAN_MANIFEST "manifest.json"
#define PLAN_FILE "plan.ndjson"
#define PLAN_MAX_MANIFEST (1 << 20)

/*
 * What each action needs (docs/plan-format.md).  "a|b" means either key;
 * products: 0 both, else only that product.
 */
struct action_rule {
	const char *action;
	enum product only;
	const char *ids[4];       /* id keys (string or number) */
	const char *strs[4];      /* string keys */
};

static const struct action_rule rules[] = {
	{ACT_UNLINK, PRODUCT_NONE, {"organization_id", "itglue_organization_id"}, {"reason"}},
	{ACT_LINK, PRODUCT_NONE, {"organization_id", "itglue_organization_id"}, {"reason"}},
	{ACT_REVIEW, PRODUCT_NONE, {NULL}, {"reason"}},
	{ACT_RENAME, PRODUCT_NONE, {"organization_id", "itglue_organization_id"}, {"after"}},
	{ACT_IMPORT_ORGANIZATION, PRODUCT_NONE, {"itglue_organization_id"},
	 {"ref", "name", "employee_count", "industry"}},
	{ACT_SKIP, PRODUCT_NONE, {NULL}, {"reason"}},
	{ACT_IMPORT_USER, PRODUCT_BULLPHISH, {"organization_id|organization_ref", "itglue_contact_id"},
	 {NULL}},
	{ACT_LINK_USER, PRODUCT_BULLPHISH, {"user_id", "itglue_contact_id"}, {NULL}},
	{ACT_UPDATE_USER, PRODUCT_BULLPHISH, {"user_id", "itglue_contact_id"}, {NULL}},
	{ACT_UNLINK_USER, PRODUCT_BULLPHISH, {"user_id"}, {NULL}},
	{ACT_IMPORT_DOMAIN, PRODUCT_DARKWEBID,
	 {"organization_id|organization_ref", "itglue_domain_id"}, {"domain", "status"}},
};

const char *plan_id(const struct plan_line *l, const char *key)
{
	return json_get_id(l->v, key);
}

const char *plan_str(const struct plan_line *l, const char *key)
{
	return json_get_str(l->v, key);
}

static int parse_hex64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoull(s, &end, 16);
	return *end ? -1 : 0;
}

static const struct action_rule *find_rule(const char *action)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(rules[i].action, action) == 0)
			return &rules[i];
	return NULL;
}

static int check_line(const struct plan_line *l, enum product want, const char *file,
		      struct itg_err *e)
{
	const struct action_rule *r = find_rule(l->action);

	if (!r)
		return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
			      "unknown action \"%s\", make the plan with a matching itg-transform",
			      l->action);
	if (r->only != PRODUCT_NONE && r->only != want)
		return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
			      "action \"%s\" does not belong to a %s plan, make the plan again",
			      l->action, product_name(want));
	for (int i = 0; i < 4 && r->ids[i]; i++) {
		const char *key = r->ids[i], *bar = strchr(key, '|');
		int ok;
		if (bar) {
			char *first = xstrndup(key, (size_t)(bar - key));
			ok = json_get_id(l->v, first) || json_get_id(l->v, bar + 1);
			free(first);
		} else {
			ok = json_get_id(l->v, key) != NULL;
		}
		if (!ok)
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "%s line lacks \"%s\", make the plan again", l->action, key);
	}
	for (int i = 0; i < 4 && r->strs[i]; i++)
		if (!json_get_str(l->v, r->strs[i]))
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "%s line lacks the string \"%s\", make the plan again",
				      l->action, r->strs[i]);
	if (strcmp(l->action, ACT_IMPORT_DOMAIN) == 0) {
		const char *st = json_get_str(l->v, "status");
		if (strcmp(st, DOMAIN_PENDING) != 0 && strcmp(st, DOMAIN_UNIMPORTED) != 0)
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "domain status \"%s\" is not pending or unimported", st);
	}
	if (strcmp(l->action, ACT_UPDATE_USER) == 0) {
		yajl_val after = json_get(l->v, "after");
		if (!after || !YAJL_IS_OBJECT(after))
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "update_user line lacks the object \"after\", make the plan again");
		for (size_t i = 0; i < after->u.object.len; i++) {
			const char *k = after->u.object.keys[i];
			if (strcmp(k, "first_name") && strcmp(k, "last_name") && strcmp(k, "email") &&
			    strcmp(k, "group"))
				return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
					      "update_user cannot change \"%s\"", k);
			if (!YAJL_IS_STRING(after->u.object.values[i]))
				return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
					      "update_user \"%s\" is not a string", k);
		}
	}
	return 0;
}

static int read_manifest(const char *dir, enum product want, struct plan *p, long *lines,
			 uint64_t *bytes, uint32_t *crc, struct itg_err *e)
{
	char *path = fs_join(dir, PLAN_MANIFEST);
	struct buf b = {0};
	char errbuf[256];
	yajl_val m = NULL, v;
	const char *s;
	uint64_t x;
	int rc = -1;

	if (fs_read_all(path, &b, PLAN_MAX_MANIFEST, e) != 0) {
		err_prefix(e, "not a plan folder (run itg-transform first)");
		e->code = ITG_EXIT_USAGE;
		goto out;
	}
	m = json_parse(buf_str(&b), b.len, errbuf, sizeof errbuf);
	if (!m || !YAJL_IS_OBJECT(m)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "not a JSON object (%s), make the plan again",
		       m ? "wrong type" : errbuf);
		goto out;
	}
	if (json_get_int(m, "format", -1) != PLAN_FORMAT) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "format is not %d, make the plan with a matching itg-transform", PLAN_FORMAT);
		goto out;
	}
	p->product = product_parse(json_get_str(m, "product"));
	if (p->product == PRODUCT_NONE) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0, "product is not bullphish or darkwebid");
		goto out;
	}
	if (p->product != want) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "the plan is for %s but the pipeline is for %s, load it with its own pipeline",
		       product_name(p->product), product_name(want));
		goto out;
	}
	p->pipeline = xstrdup(json_get_str(m, "pipeline") ? json_get_str(m, "pipeline") : "");
	s = json_get_str(m, "integration_status");
	p->disconnect = json_get_bool(m, "disconnect", 0) || (s && strcmp(s, "disconnected") == 0);
	v = json_get(m, "snapshot");
	s = json_get_str(v, "finished_at");
	p->snapshot_time = xstrdup(s ? s : "");
	s = json_get_str(v, "region");
	p->region = xstrdup(s ? s : "");

	v = json_get_path(m, (const char *[]){"store", "files", NULL});
	if (!v || !YAJL_IS_OBJECT(v)) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "store.files is missing, make the plan with a matching itg-transform");
		goto out;
	}
	p->files = xcalloc(v->u.object.len + 1, sizeof *p->files);
	for (size_t i = 0; i < v->u.object.len; i++) {
		yajl_val f = v->u.object.values[i];
		const char *name = v->u.object.keys[i];
		struct plan_store_file *pf = &p->files[p->nfiles];
		long long n = json_get_int(f, "bytes", -1);

		if (strchr(name, '/') || name[0] == '.' ||
		    parse_hex64(json_get_str(f, "fnv1a64"), &x) != 0 || n < 0) {
			err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			       "store.files entry \"%s\" is malformed, make the plan again", name);
			goto out;
		}
		pf->name = xstrdup(name);
		pf->fp.present = json_get_bool(f, "present", 1);
		pf->fp.bytes = (uint64_t)n;
		pf->fp.hash = x;
		p->nfiles++;
	}
	v = json_get(m, "plan");
	*lines = (long)json_get_int(v, "lines", -1);
	*bytes = (uint64_t)json_get_int(v, "bytes", -1);
	if (*lines < 0 || json_get_int(v, "bytes", -1) < 0 ||
	    parse_hex64(json_get_str(v, "crc32"), &x) != 0 || x > 0xffffffffu) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "plan.lines, plan.bytes or plan.crc32 is missing, make the plan again");
		goto out;
	}
	*crc = (uint32_t)x;
	rc = 0;
out:
	if (m)
		yajl_tree_free(m);
	buf_free(&b);
	free(path);
	return rc;
}

int planread_lines(struct plan *p, char *text, size_t len, enum product want,
		   const char *file, struct itg_err *e)
{
	size_t cap = 0;

	p->text = text;
	for (size_t off = 0, lineno = 1; off < len; lineno++) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;
		char errbuf[256];
		struct plan_line l = {(long)lineno, NULL, off, n, NULL};
		int rc;

		off += n + (nl ? 1 : 0);
		if (n == 0)
			return err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				      "empty line, make the plan again");
		l.v = json_parse(start, n, errbuf, sizeof errbuf);
		if (!l.v)
			return err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				      "%s, make the plan again", errbuf);
		l.action = json_get_str(l.v, "action");
		if (!YAJL_IS_OBJECT(l.v) || !l.action)
			rc = err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				    "not an object with an \"action\", make the plan again");
		else
			rc = check_line(&l, want, file, e);
		if (rc == 0)
			l.action = find_rule(l.action)->action; /* outlives the tree */
		yajl_tree_free(l.v);
		if (rc != 0)
			return rc;
		l.v = NULL;
		xgrow((void **)&p->lines, &cap, p->n + 1, sizeof *p->lines);
		p->lines[p->n++] = l;
	}
	return 0;
}

int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e)
{
	char *path = NULL;
	struct buf b = {0};
	long want_lines = 0, nlines = 0;
	uint64_t want_bytes = 0;
	uint32_t want_crc = 0, crc;
	size_t len;
	int rc = -1;

	memset(p, 0, sizeof *p);
	p->dir = xstrdup(dir);
	if (read_manifest(dir, want, p, &want_lines, &want_bytes, &want_crc, e) != 0)
		goto out;
	path = fs_join(dir, PLAN_FILE);
	if (fs_read_all(path, &b, 0, e) != 0) {
		e->code = ITG_EXIT_USAGE;
		goto out;
	}
	crc = (uint32_t)crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < b.len;) {
		size_t n = b.len - off;
		crc = (uint32_t)crc32(crc, (const Bytef *)b.p + off, n > (1u << 30) ? (1u << 30) : (uInt)n);
		off += n > (1u << 30) ? (1u << 30) : n;
	}
	for (size_t i = 0; i < b.len; i++)
		if (b.p[i] == '\n' || i + 1 == b.len)
			nlines++;
	if ((uint64_t)b.len != want_bytes || nlines != want_lines || crc != want_crc) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "does not match its manifest (%ld lines, %zu bytes, crc32 %08" PRIx32
		       "; manifest says %ld, %" PRIu64 ", %08" PRIx32 "), make the plan again",
		       nlines, b.len, crc, want_lines, want_bytes, want_crc);
		goto out;
	}
	len = b.len;
	rc = planread_lines(p, buf_detach(&b), len, want, path, e);
out:
	buf_free(&b);
	free(path);
	if (rc != 0)
		planread_free(p);
	return rc;
}

void plan_line_open(const struct plan *p, size_t i, struct plan_line *out)
{
	const struct plan_line *l = &p->lines[i];
	char errbuf[256];

	*out = *l;
	out->v = json_parse(p->text + l->off, l->len, errbuf, sizeof errbuf);
	if (!out->v) {
		/* verified when read: only memory can run out */
		fprintf(stderr, "ERROR cannot parse plan line %ld again: %s\n", l->line, errbuf);
		exit(1);
	}
}

void plan_line_close(struct plan_line *l)
{
	if (l->v)
		yajl_tree_free(l->v);
	l->v = NULL;
}

void planread_free(struct plan *p)
{
	free(p->lines);
	free(p->text);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].name);
	free(p->files);
	free(p->dir);
	free(p->pipeline);
	free(p->snapshot_time);
	free(p->region);
	memset(p, 0, sizeof *p);
}
