/*
 * Data-driven transform cases: every folder under tests/golden/transform/cases/
 * holds pipeline.yaml (with `store: store`), itglue/<resource>.ndjson (one
 * record per line; a missing file is an empty resource), optionally
 * itglue/missing.json ({"confirmed_deleted": [ids], "unconfirmed_missing":
 * [ids]}, the snapshot manifest's lists; without it the manifest has
 * neither key, as a snapshot made by hand), store/NAME.csv, and either
 * plan.ndjson (the reviewed expected plan) or error (text the error
 * message must contain; the run must exit 2).  Add a case by adding a folder;
 * ITG_WRITE_GOLDEN=1 writes a missing plan.ndjson, to be reviewed line by
 * line against docs/rules.md before it is checked in.
 */
#include "unit.h"

#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "ndjson.h"
#include "snapshot.h"
#include "xalloc.h"

#include "../../transform/transform.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_file(const char *from, const char *to, struct itg_err *e)
{
	struct buf b = {0};
	int rc = fs_read_all(from, &b, 0, e);

	if (rc == 0)
		rc = fs_write_atomic(to, b.p ? b.p : "", b.len, 0600, e);
	buf_free(&b);
	return rc;
}

/* itglue/missing.json: the two id lists of the manifest, when the case has them. */
static int read_missing(const char *case_dir, struct snapshot_manifest *m, struct itg_err *e)
{
	static const char *const keys[] = {"confirmed_deleted", "unconfirmed_missing"};
	char *path = fs_join(case_dir, "itglue/missing.json");
	struct buf b = {0};
	char why[256];
	yajl_val v;
	int rc = 0;

	if (!fs_exists(path)) {
		free(path);
		return 0;
	}
	if (fs_read_all(path, &b, 0, e) != 0 || !(v = json_parse(buf_str(&b), b.len, why,
								  sizeof why))) {
		rc = err_set(e, ITG_EXIT_USAGE, "%s: cannot read", path);
		goto out;
	}
	m->has_missing = 1;
	for (int k = 0; k < 2; k++) {
		yajl_val list = json_get(v, keys[k]);
		struct snapshot_ids *ids = k ? &m->unconfirmed_missing : &m->confirmed_deleted;
		for (size_t i = 0; list && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
			const char *id = json_str_or_number(list->u.array.values[i]);
			if (id)
				snapshot_ids_add(ids, id);
		}
		snapshot_ids_sort(ids);
	}
	yajl_tree_free(v);
out:
	buf_free(&b);
	free(path);
	return rc;
}

static int write_snapshot(const char *case_dir, const char *snap, struct itg_err *e)
{
	struct snapshot_manifest m;
	int rc;

	memset(&m, 0, sizeof m);
	m.format = SNAPSHOT_FORMAT;
	snprintf(m.region, sizeof m.region, "us");
	snprintf(m.base_url, sizeof m.base_url, "https://api.itglue.com");
	snprintf(m.started_at, sizeof m.started_at, "2026-01-01T00:00:00.000Z");
	snprintf(m.finished_at, sizeof m.finished_at, "2026-01-01T00:00:01.000Z");
	if (fs_mkdir_p(snap, 0700, e) != 0 || read_missing(case_dir, &m, e) != 0) {
		snapshot_manifest_free(&m);
		return -1;
	}
	for (int r = 0; r < RES_COUNT; r++) {
		char *name = xasprintf("itglue/%s.ndjson", resource_names[r]);
		char *src = fs_join(case_dir, name);
		char *dst;
		struct buf b = {0};
		struct ndjson_writer w;
		const char *s;
		free(name);
		if (fs_exists(src) && fs_read_all(src, &b, 0, e) != 0) {
			free(src);
			snapshot_manifest_free(&m);
			return -1;
		}
		free(src);
		snprintf(m.res[r].file, sizeof m.res[r].file, "%s.ndjson.gz", resource_names[r]);
		dst = fs_join(snap, m.res[r].file);
		if (ndjson_writer_open(&w, dst, e) != 0) {
			free(dst);
			buf_free(&b);
			snapshot_manifest_free(&m);
			return -1;
		}
		free(dst);
		for (s = buf_str(&b); *s;) {
			const char *nl = strchr(s, '\n');
			size_t len = nl ? (size_t)(nl - s) : strlen(s);
			if (len)
				ndjson_writer_line(&w, s, len, e);
			s += len + (nl != NULL);
		}
		buf_free(&b);
		m.res[r].present = 1;
		m.res[r].records = w.records;
		m.res[r].crc32 = w.crc;
		m.res[r].bytes = w.bytes;
		if (ndjson_writer_close(&w, e) != 0) {
			snapshot_manifest_free(&m);
			return -1;
		}
	}
	rc = snapshot_manifest_write(snap, &m, e);
	snapshot_manifest_free(&m);
	return rc;
}

/* Copies the regular files of from (missing: none) into to. */
static int copy_files(const char *from, const char *to, struct itg_err *e)
{
	DIR *d;
	struct dirent *de;
	int rc = fs_mkdir_p(to, 0700, e);

	d = opendir(from);
	while (rc == 0 && d && (de = readdir(d))) {
		char *a, *b;
		if (de->d_name[0] == '.')
			continue;
		a = fs_join(from, de->d_name);
		b = fs_join(to, de->d_name);
		if (!fs_is_dir(a))
			rc = copy_file(a, b, e);
		free(a);
		free(b);
	}
	if (d)
		closedir(d);
	return rc;
}

/* Runs one case; returns 1 when it passes (and says why not otherwise). */
static int run_case(const char *case_dir, const char *name)
{
	char *tmp = unit_tmpdir();
	char *snap = fs_join(tmp, "snapshot"), *store = fs_join(tmp, "store");
	char *pipeline = fs_join(tmp, "pipeline.yaml"), *out = fs_join(tmp, "plan");
	char *src = fs_join(case_dir, "store");
	char *want_plan = fs_join(case_dir, "plan.ndjson"), *want_err = fs_join(case_dir, "error");
	char *got_plan = fs_join(out, "plan.ndjson");
	struct transform_opts o = {.pipeline = pipeline, .snapshot = snap, .out = out};
	struct itg_err e = {0};
	struct buf want = {0}, got = {0};
	int ok = 0, rc;

	/* pipeline.yaml and its neighbours (a protected list), then the store */
	if (copy_files(case_dir, tmp, &e) != 0 || write_snapshot(case_dir, snap, &e) != 0 ||
	    copy_files(src, store, &e) != 0) {
		fprintf(stderr, "\ncase %s: cannot set up: %s\n", name, e.msg);
		goto out;
	}
	rc = transform_run(&o, &e);
	if (fs_exists(want_err)) {
		fs_read_all(want_err, &want, 0, &e);
		while (want.len && want.p[want.len - 1] == '\n')
			want.p[--want.len] = '\0';
		ok = rc != 0 && e.code == 2 && strstr(e.msg, buf_str(&want)) && !fs_exists(out);
		if (!ok)
			fprintf(stderr, "\ncase %s: wanted exit 2 with \"%s\", got %d \"%s\"\n", name,
				buf_str(&want), rc ? e.code : 0, e.msg);
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "\ncase %s: transform failed: %s\n", name, e.msg);
		goto out;
	}
	fs_read_all(got_plan, &got, 0, &e);
	/* ITG_WRITE_GOLDEN=1 writes a case's plan for review before check-in */
	if (getenv("ITG_WRITE_GOLDEN") && !fs_exists(want_plan))
		fs_write_atomic(want_plan, buf_str(&got), got.len, 0644, &e);
	fs_read_all(want_plan, &want, 0, &e);
	ok = !strcmp(buf_str(&want), buf_str(&got));
	if (!ok)
		fprintf(stderr, "\ncase %s: plan differs\n--- want\n%s--- got\n%s", name,
			buf_str(&want), buf_str(&got));
out:
	buf_free(&want);
	buf_free(&got);
	free(snap);
	free(store);
	free(pipeline);
	free(out);
	free(src);
	free(want_plan);
	free(want_err);
	free(got_plan);
	unit_rmtree(tmp);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_every_golden_case_gives_its_reviewed_plan(void)
{
	char *root = unit_repo_path("tests/golden/transform/cases");
	DIR *d = opendir(root);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	log_init("itg-transform", LOG_HUMAN, 1, 0);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		xgrow((void **)&names, &cap, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	CU_ASSERT(n > 0);
	for (size_t i = 0; i < n; i++) {
		char *dir = fs_join(root, names[i]);
		CU_ASSERT(run_case(dir, names[i]));
		free(dir);
		free(names[i]);
	}
	free(names);
	free(root);
}

static CU_TestInfo tests[] = {
	{"test_every_golden_case_gives_its_reviewed_plan",
	 test_every_golden_case_gives_its_reviewed_plan},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("transform_cases", NULL, NULL, tests)
