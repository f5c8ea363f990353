/* The transform test fixture (test_transform_fixture.h) and its own suite. */
#include "test_transform_fixture.h"

#include "unit.h"

#include "fsutil.h"
#include "log.h"
#include "ndjson.h"
#include "../../transform/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dq(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

void tfx_init(struct tfx *t, const char *product)
{
	char *p;

	memset(t, 0, sizeof *t);
	log_init("itg-transform", LOG_HUMAN, 1, 0);
	t->dir = unit_tmpdir();
	t->product = xstrdup(product);
	p = fs_join(t->dir, "store");
	fs_mkdir_p(p, 0700, &t->e);
	free(p);
	t->out = fs_join(t->dir, "plan");
}

void tfx_free(struct tfx *t)
{
	for (int r = 0; r < RES_COUNT; r++)
		buf_free(&t->res[r]);
	snapshot_ids_free(&t->deleted);
	snapshot_ids_free(&t->unconfirmed);
	free(t->account_id);
	free(t->account_name);
	free(t->product);
	free(t->plan);
	free(t->manifest);
	free(t->inventory);
	free(t->out);
	unit_rmtree(t->dir);
	memset(t, 0, sizeof *t);
}

void tfx_add(struct tfx *t, enum resource r, const char *json)
{
	char *j = dq(json);

	buf_adds(&t->res[r], j);
	buf_addc(&t->res[r], '\n');
	t->given[r] = 1;
	free(j);
}

/* A JSON string literal of s (NULL -> null), for building records. */
static void add_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void add_num_or_null(struct buf *b, int n)
{
	if (n)
		buf_addf(b, "%d", n);
	else
		buf_adds(b, "null");
}

static void add_raw(struct tfx *t, enum resource r, struct buf *b)
{
	buf_adds(&t->res[r], buf_str(b));
	buf_addc(&t->res[r], '\n');
	t->given[r] = 1;
	buf_free(b);
}

void tfx_org(struct tfx *t, const char *id, const char *name, int type, int status)
{
	struct buf b = {0};

	buf_adds(&b, "{\"id\":");
	add_str(&b, id);
	buf_adds(&b, ",\"type\":\"organizations\",\"attributes\":{\"name\":");
	add_str(&b, name);
	buf_adds(&b, ",\"organization-type-id\":");
	add_num_or_null(&b, type);
	buf_adds(&b, ",\"organization-status-id\":");
	add_num_or_null(&b, status);
	buf_adds(&b, ",\"primary\":false}}");
	add_raw(t, RES_ORGANIZATIONS, &b);
}

void tfx_contact(struct tfx *t, const char *id, const char *org, const char *first,
		 const char *last, int ctype, const char *emails)
{
	struct buf b = {0};
	char *em = dq(emails);

	buf_adds(&b, "{\"id\":");
	add_str(&b, id);
	buf_addf(&b, ",\"type\":\"contacts\",\"attributes\":{\"organization-id\":%s,\"first-name\":",
		 org);
	add_str(&b, first);
	buf_adds(&b, ",\"last-name\":");
	add_str(&b, last);
	buf_adds(&b, ",\"contact-type-id\":");
	add_num_or_null(&b, ctype);
	buf_addf(&b, ",\"contact-emails\":%s}}", em);
	free(em);
	add_raw(t, RES_CONTACTS, &b);
}

void tfx_contact1(struct tfx *t, const char *id, const char *org, const char *first,
		  const char *last, const char *email)
{
	struct buf b = {0};

	buf_adds(&b, "[{\"value\":");
	add_str(&b, email);
	buf_adds(&b, ",\"primary\":true,\"label-name\":\"Work\"}]");
	tfx_contact(t, id, org, first, last, 1, buf_str(&b));
	buf_free(&b);
}

void tfx_domain(struct tfx *t, const char *id, const char *org, const char *name)
{
	struct buf b = {0};

	buf_adds(&b, "{\"id\":");
	add_str(&b, id);
	buf_addf(&b, ",\"type\":\"domains\",\"attributes\":{\"organization-id\":%s,\"name\":", org);
	add_str(&b, name);
	buf_adds(&b, "}}");
	add_raw(t, RES_DOMAINS, &b);
}

void tfx_deleted(struct tfx *t, const char *id)
{
	t->has_missing = 1;
	snapshot_ids_add(&t->deleted, id);
}

void tfx_unconfirmed(struct tfx *t, const char *id)
{
	t->has_missing = 1;
	snapshot_ids_add(&t->unconfirmed, id);
}

void tfx_account(struct tfx *t, const char *id, const char *name)
{
	t->has_account = 1;
	free(t->account_id);
	free(t->account_name);
	t->account_id = id ? xstrdup(id) : NULL;
	t->account_name = name ? xstrdup(name) : NULL;
}

void tfx_file(struct tfx *t, const char *rel, const char *text)
{
	char *p = fs_join(t->dir, rel);
	char *parent = fs_dirname(p);

	fs_mkdir_p(parent, 0700, &t->e);
	unit_write_file(p, text);
	free(parent);
	free(p);
}

void tfx_cut_in_half(struct tfx *t, enum resource r)
{
	char rel[96];
	char *path;
	struct buf b = {0};

	snprintf(rel, sizeof rel, "snapshot/%s.ndjson.gz", resource_names[r]);
	path = fs_join(t->dir, rel);
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &t->e), 0);
	CU_ASSERT_EQUAL(fs_write_atomic(path, b.p, b.len / 2, 0600, &t->e), 0);
	buf_free(&b);
	free(path);
	t->keep_snapshot = 1;
}

void tfx_store(struct tfx *t, const char *file, const char *csv)
{
	char *rel = fs_join("store", file);

	tfx_file(t, rel, csv);
	free(rel);
}

static void defaults(struct tfx *t)
{
	if (!t->given[RES_ORGANIZATION_TYPES]) {
		tfx_add(t, RES_ORGANIZATION_TYPES, "{'id':'1','type':'organization-types','attributes':{'name':'Customer'}}");
		tfx_add(t, RES_ORGANIZATION_TYPES, "{'id':'2','type':'organization-types','attributes':{'name':'Vendor'}}");
	}
	if (!t->given[RES_ORGANIZATION_STATUSES]) {
		tfx_add(t, RES_ORGANIZATION_STATUSES, "{'id':'1','type':'organization-statuses','attributes':{'name':'Active'}}");
		tfx_add(t, RES_ORGANIZATION_STATUSES, "{'id':'2','type':'organization-statuses','attributes':{'name':'Inactive'}}");
	}
	if (!t->given[RES_CONTACT_TYPES]) {
		tfx_add(t, RES_CONTACT_TYPES, "{'id':'1','type':'contact-types','attributes':{'name':'Employee'}}");
		tfx_add(t, RES_CONTACT_TYPES, "{'id':'2','type':'contact-types','attributes':{'name':'Terminated'}}");
	}
}

static void write_snapshot(struct tfx *t)
{
	char *dir = fs_join(t->dir, "snapshot");
	struct snapshot_manifest m;

	fs_remove_tree(dir);
	fs_mkdir_p(dir, 0700, &t->e);
	memset(&m, 0, sizeof m);
	m.format = SNAPSHOT_FORMAT;
	snprintf(m.region, sizeof m.region, "us");
	snprintf(m.base_url, sizeof m.base_url, "http://127.0.0.1:1");
	snprintf(m.started_at, sizeof m.started_at, "2026-01-01T00:00:00.000Z");
	snprintf(m.finished_at, sizeof m.finished_at, "2026-01-01T00:00:01.000Z");
	for (int r = 0; r < RES_COUNT; r++) {
		struct ndjson_writer w;
		char *path;
		const char *s = buf_str(&t->res[r]);
		if (t->omit[r])
			continue;
		snprintf(m.res[r].file, sizeof m.res[r].file, "%s.ndjson.gz", resource_names[r]);
		path = fs_join(dir, m.res[r].file);
		ndjson_writer_open(&w, path, &t->e);
		while (*s) {
			const char *nl = strchr(s, '\n');
			ndjson_writer_line(&w, s, (size_t)(nl - s), &t->e);
			s = nl + 1;
		}
		m.res[r].present = 1;
		m.res[r].records = w.records;
		m.res[r].crc32 = w.crc;
		m.res[r].bytes = w.bytes;
		ndjson_writer_close(&w, &t->e);
		free(path);
	}
	if (t->has_account)
		snapshot_manifest_set_account(&m, t->account_id, t->account_name);
	if (t->has_missing) {
		/* borrowed by the manifest: not freed with it */
		snapshot_ids_sort(&t->deleted);
		snapshot_ids_sort(&t->unconfirmed);
		m.has_missing = 1;
		m.confirmed_deleted = t->deleted;
		m.unconfirmed_missing = t->unconfirmed;
	}
	snapshot_manifest_write(dir, &m, &t->e);
	free(dir);
}

static int run(struct tfx *t, const char *body, int disconnect, const char *explain,
	       char **text)
{
	char *yaml = xasprintf("name: t\nproduct: %s\nstore: store\n%s", t->product, body);
	char *pipeline = fs_join(t->dir, "pipeline.yaml");
	char *snap = fs_join(t->dir, "snapshot");
	struct transform_opts o = {.pipeline = pipeline,
				   .snapshot = t->no_snapshot ? NULL : snap,
				   .out = t->out,
				   .disconnect = disconnect,
				   .connect = t->connect,
				   .explain = explain};
	struct buf b = {0};
	size_t text_len = 0;
	char *mpath = fs_join(t->out, "manifest.json");
	char *ppath = fs_join(t->out, "plan.ndjson");
	char *ipath = fs_join(t->out, "inventory.ndjson");
	int rc;

	defaults(t);
	unit_write_file(pipeline, yaml);
	if (!t->keep_snapshot)
		write_snapshot(t);
	free(t->plan);
	free(t->manifest);
	free(t->inventory);
	t->plan = t->manifest = t->inventory = NULL;
	fs_remove_tree(t->out);
	err_clear(&t->e);
	if (explain) {
		o.out = NULL;
		o.explain_out = open_memstream(text, &text_len);
		rc = transform_run(&o, &t->e);
		fclose(o.explain_out);
		goto out;
	}
	rc = transform_run(&o, &t->e);
	if (rc == 0 && fs_read_all(ppath, &b, 0, &t->e) == 0) {
		t->plan = buf_detach(&b);
		if (!t->plan)
			t->plan = xstrdup("");
		if (fs_read_all(mpath, &b, 0, &t->e) == 0)
			t->manifest = buf_detach(&b);
		if (fs_read_all(ipath, &b, 0, &t->e) == 0)
			t->inventory = buf_detach(&b);
		if (!t->inventory)
			t->inventory = xstrdup("");
	}
out:
	buf_free(&b);
	free(ipath);
	free(mpath);
	free(ppath);
	free(yaml);
	free(pipeline);
	free(snap);
	return rc;
}

int tfx_run(struct tfx *t, const char *body)
{
	return run(t, body, 0, NULL, NULL);
}

int tfx_run_disconnect(struct tfx *t, const char *body)
{
	return run(t, body, 1, NULL, NULL);
}

int tfx_explain(struct tfx *t, const char *body, const char *org, char **text)
{
	*text = NULL;
	return run(t, body, 0, org, text);
}

/* text holds line (' for ") as one of its lines; what names it in the failure output. */
static int has_line(const char *text, const char *line, const char *what)
{
	char *want = dq(line);
	const char *p = text;
	size_t n = strlen(want);
	int found = 0;

	while (p && *p && !found) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		found = len == n && !memcmp(p, want, n);
		p = nl ? nl + 1 : p + len;
	}
	if (!found)
		fprintf(stderr, "\nmissing %s line: %s\n%s:\n%s", what, want, what,
			text ? text : "(none)\n");
	free(want);
	return found;
}

int tfx_has(const struct tfx *t, const char *line)
{
	return has_line(t->plan, line, "plan");
}

int tfx_inv_has(const struct tfx *t, const char *line)
{
	return has_line(t->inventory, line, "inventory");
}

size_t tfx_count(const struct tfx *t, const char *text)
{
	char *want = dq(text);
	const char *p = t->plan;
	size_t n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		char *line = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		n += strstr(line, want) != NULL;
		free(line);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(want);
	return n;
}

const char *tfx_line(const struct tfx *t, size_t n)
{
	static char line[4096];
	const char *p = t->plan;

	line[0] = '\0';
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (n-- == 0) {
			if (len >= sizeof line)
				len = sizeof line - 1;
			memcpy(line, p, len);
			line[len] = '\0';
			for (char *q = line; *q; q++)
				if (*q == '"')
					*q = '\'';
			break;
		}
		p = nl ? nl + 1 : p + len;
	}
	return line;
}

size_t tfx_lines(const struct tfx *t)
{
	size_t n = 0;

	for (const char *p = t->plan; p && *p; p++)
		n += *p == '\n';
	return n;
}

int tfx_err_has(const struct tfx *t, const char *text)
{
	int yes = strstr(t->e.msg, text) != NULL;

	if (!yes)
		fprintf(stderr, "\nerror \"%s\" lacks \"%s\"\n", t->e.msg, text);
	return yes;
}

/* ---- the fixture's own checks --------------------------------------------- */

static void test_empty_store_and_empty_snapshot_give_an_empty_plan(void)
{
	struct tfx t;

	tfx_init(&t, "bullphish");
	CU_ASSERT_EQUAL(tfx_run(&t, ""), 0);
	CU_ASSERT_PTR_NOT_NULL(t.plan);
	CU_ASSERT_EQUAL(tfx_lines(&t), 0);
	CU_ASSERT_PTR_NOT_NULL(t.manifest && strstr(t.manifest, "\"lines\": 0"));
	tfx_free(&t);
}

static void test_manifest_names_store_files_and_counts(void)
{
	struct tfx t;

	tfx_init(&t, "darkwebid");
	tfx_store(&t, "organizations.csv", "id,name\n1,A\n");
	CU_ASSERT_EQUAL_FATAL(tfx_run(&t, ""), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"domains.csv\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"integration_status\": \"connected\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.manifest, "\"import_domain\": 0"));
	CU_ASSERT_PTR_NULL(strstr(t.manifest, "users.csv"));
	tfx_free(&t);
}

static CU_TestInfo tests[] = {
	{"test_empty_store_and_empty_snapshot_give_an_empty_plan",
	 test_empty_store_and_empty_snapshot_give_an_empty_plan},
	{"test_manifest_names_store_files_and_counts", test_manifest_names_store_files_and_counts},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_fixture", NULL, NULL, tests)
