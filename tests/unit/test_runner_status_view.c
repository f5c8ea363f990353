/*
 * Unit tests of pipelines/runner/status_view: pipelines/run --status, its
 * exit code, its text and JSON, over a pipeline, a store and run folders
 * made here.
 */
#include "unit.h"

#include "../../pipelines/runner/status_view.h"
#include "fsutil.h"
#include "json.h"
#include "lock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OLD "20260301T050000Z"
#define MID "20260302T050000Z"
#define NEW "20260303T050000Z"

#define CONNECTED "{\"status\":\"connected\",\"region\":\"eu\",\"last_sync\":" \
		  "\"2026-03-02T05:00:09.000Z\",\"last_error\":null,\"product\":\"bullphish\"," \
		  "\"pipeline\":\"nightly\",\"itglue_account\":{\"primary_organization_id\":\"7\"," \
		  "\"primary_organization_name\":\"Acme MSP\"}}\n"

struct fixture {
	char *top;       /* resolved */
	char *pipeline;  /* TOP/p/nightly.yaml */
	char *store;
	char *out;       /* TOP/out/nightly */
};

static void setup(struct fixture *f, const char *state)
{
	char *tmp = unit_tmpdir(), *p;
	struct itg_err e = {0};

	f->top = realpath(tmp, NULL);
	free(tmp);
	p = fs_join(f->top, "p");
	f->pipeline = fs_join(p, "nightly.yaml");
	f->store = fs_join(f->top, "store");
	f->out = xasprintf("%s/out/nightly", f->top);
	CU_ASSERT_EQUAL(fs_mkdir_p(p, 0700, &e), 0);
	CU_ASSERT_EQUAL(fs_mkdir_p(f->store, 0700, &e), 0);
	CU_ASSERT_EQUAL(unit_write_file(f->pipeline, "name: nightly\nproduct: bullphish\n"
						     "itglue:\n  region: eu\n"
						     "store: ../store\nout: ../out\n"), 0);
	if (state) {
		char *file = fs_join(f->store, INTEGRATION_FILE);

		CU_ASSERT_EQUAL(unit_write_file(file, state), 0);
		free(file);
	}
	free(p);
}

static void teardown(struct fixture *f)
{
	free(f->pipeline);
	free(f->store);
	free(f->out);
	unit_rmtree(f->top);
}

/* OUT/nightly/ID with run.log (lines after the time) and summary.json (or none). */
static void add_run(struct fixture *f, const char *id, const char *log, const char *summary)
{
	char *dir = fs_join(f->out, id), *report = fs_join(dir, "report");
	char *path = fs_join(dir, "run.log");
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(fs_mkdir_p(report, 0700, &e), 0);
	CU_ASSERT_EQUAL(unit_write_file(path, log), 0);
	free(path);
	if (summary) {
		path = fs_join(report, "summary.json");
		CU_ASSERT_EQUAL(unit_write_file(path, summary), 0);
		free(path);
	}
	free(report);
	free(dir);
}

static void point_latest(struct fixture *f, const char *id)
{
	char *latest = fs_join(f->out, "latest");

	CU_ASSERT_EQUAL(symlink(id, latest), 0);
	free(latest);
}

#define APPLIED(id) "2026-03-01T05:00:00.000Z INFO itg-run: run " id " complete\n"
#define SUMMARY(status) "{\"status\":\"" status "\",\"changed\":{\"link\":2,\"unlink\":1," \
			"\"review\":0}}"
#define KEY_REFUSED(id)                                                                    \
	"2026-03-01T05:00:00.000Z INFO itg-run: run " id ": /b/itg-extract -p /p.yaml --out /s\n" \
	"2026-03-01T05:00:00.000Z ERROR itg-extract: IT Glue refused the API key (HTTP 401)\n"    \
	"2026-03-01T05:00:00.000Z ERROR itg-run: run " id ": itg-extract failed with exit code 3\n" \
	"2026-03-01T05:00:00.000Z ERROR itg-run: run " id " failed (exit 3); log: /x/run.log\n"
#define STARTED(id) "2026-03-01T05:00:00.000Z INFO itg-run: run " id ": /b/itg-extract -p /p.yaml\n"

static char *text_of(const struct status_view *sv)
{
	struct buf b = {0};

	status_view_text(sv, &b);
	return buf_detach(&b);
}

static void test_the_text_names_state_binding_and_runs_newest_first(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0};
	char *got, *want;

	setup(&f, CONNECTED);
	add_run(&f, OLD, APPLIED(OLD), SUMMARY("dry_run"));
	add_run(&f, MID, APPLIED(MID), SUMMARY("applied"));
	add_run(&f, NEW, KEY_REFUSED(NEW), NULL);
	point_latest(&f, MID);
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	got = text_of(&sv);
	want = xasprintf(
		"pipeline:    nightly (bullphish), %s\n"
		"store:       %s\n"
		"integration: connected\n"
		"last sync:   2026-03-02T05:00:09.000Z\n"
		"last error:  none\n"
		"region:      eu\n"
		"bound to:    product bullphish, pipeline nightly, IT Glue account 7 (Acme MSP)\n"
		"run lock:    free: no run is under way\n"
		"latest:      " MID "\n"
		"runs:        3 in %s, newest first (* = latest)\n"
		"  " NEW "  failed in itg-extract (exit 3): itg-extract: IT Glue refused the API key "
		"(HTTP 401)\n"
		"* " MID "  applied: link 2, unlink 1\n"
		"  " OLD "  dry run: would change link 2, unlink 1\n"
		"result:      exit 3, IT Glue refused the API key in the last run (" NEW ", exit 3)\n",
		f.pipeline, f.store, f.out);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(sv.exit_code, 3);
	free(want);
	free(got);
	status_view_free(&sv);
	teardown(&f);
}

static void test_the_json_says_the_same(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0};
	struct buf b = {0};
	char errbuf[128];
	yajl_val v, runs;
	static const char *const account_name[] = {"integration", "binding", "itglue_account",
						   "name", NULL};

	setup(&f, CONNECTED);
	add_run(&f, OLD, APPLIED(OLD), SUMMARY("applied"));
	point_latest(&f, OLD);
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	status_view_json(&sv, &b);
	CU_ASSERT_EQUAL(b.p[b.len - 1], '\n');
	v = json_parse(b.p, b.len, errbuf, sizeof errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(json_get_str(v, "pipeline"), "nightly");
	CU_ASSERT_STRING_EQUAL(json_get_str(json_get(v, "integration"), "status"), "connected");
	CU_ASSERT_STRING_EQUAL(YAJL_GET_STRING(json_get_path(v, account_name)), "Acme MSP");
	CU_ASSERT_STRING_EQUAL(json_get_str(v, "latest"), OLD);
	CU_ASSERT(YAJL_IS_FALSE(json_get(v, "under_way")));
	CU_ASSERT_EQUAL(json_get_int(v, "exit_code", -1), 0);
	runs = json_get(v, "runs");
	CU_ASSERT_FATAL(runs && YAJL_IS_ARRAY(runs) && runs->u.array.len == 1);
	CU_ASSERT_STRING_EQUAL(json_get_str(runs->u.array.values[0], "outcome"), "applied");
	CU_ASSERT_EQUAL(json_get_int(json_get(runs->u.array.values[0], "changes"), "link", -1), 2);
	yajl_tree_free(v);
	buf_free(&b);
	status_view_free(&sv);
	teardown(&f);
}

static void verdict_is(const char *state, int last_kind, int want)
{
	struct integration it = {0};
	struct itg_err e = {0};
	struct run_view run;
	char *result = NULL;
	int got;

	if (state)
		CU_ASSERT_EQUAL_FATAL(integration_parse("integration.json", state, strlen(state), &it,
							&e), 1);
	runview_init(&run, NEW);
	switch (last_kind) {
	case 'a': /* applied */
		runview_log_line(&run, "INFO itg-run: run " NEW " complete");
		runview_summary(&run, SUMMARY("applied"), strlen(SUMMARY("applied")));
		break;
	case '3': case '1': case '4': {
		char line[128];

		snprintf(line, sizeof line, "ERROR itg-run: run " NEW " failed (exit %c); log: x",
			 last_kind);
		runview_log_line(&run, line);
		break;
	}
	case 'i':
		runview_log_line(&run, "ERROR itg-run: run " NEW " interrupted by SIGHUP");
		runview_log_line(&run, "ERROR itg-run: run " NEW " failed (exit 1); log: x");
		break;
	default: /* 'u': unfinished */
		break;
	}
	runview_finish(&run, 0);
	got = status_view_verdict(state ? &it : NULL, last_kind ? &run : NULL, "p.yaml", &result);
	if (got != want)
		fprintf(stderr, "\nverdict of %s / %c: %d (%s), want %d\n", state ? state : "none",
			last_kind ? last_kind : '-', got, result, want);
	CU_ASSERT_EQUAL(got, want);
	CU_ASSERT_PTR_NOT_NULL(result);
	free(result);
	runview_free(&run);
	integration_free(&it);
}

#define DISC_OP "{\"status\":\"disconnected\",\"disconnected_by\":\"operator\"}"
#define DISC_IG "{\"status\":\"disconnected\",\"disconnected_by\":\"itglue\"}"
#define SYNC_OP "{\"status\":\"syncing\",\"disconnected_by\":\"operator\"}"
#define CONN "{\"status\":\"connected\"}"

static void test_the_exit_code_says_the_most_urgent_first(void)
{
	verdict_is(CONN, 'a', 0);
	verdict_is(NULL, 'a', 0);     /* dry runs only: no state yet */
	verdict_is(CONN, 0, 0);       /* no run has ended yet */
	verdict_is(CONN, '1', 1);
	verdict_is(CONN, 'i', 1);
	verdict_is(CONN, 'u', 1);
	verdict_is(CONN, '3', 3);     /* a dry run whose key was refused */
	verdict_is(CONN, '4', 4);
	verdict_is(DISC_IG, '3', 3);
	verdict_is(DISC_IG, 'a', 3);  /* the state is the store's, whatever a dry run did */
	verdict_is(DISC_OP, 'a', 4);
	verdict_is(DISC_OP, '1', 4);
	verdict_is(SYNC_OP, 'a', 4);  /* a --connect run under way has not resumed it yet */
	verdict_is("{\"status\":\"syncing\"}", '1', 1);
}

static void test_no_runs_yet_and_nothing_made(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0};
	char *got, *want, *out_dir;

	setup(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	got = text_of(&sv);
	want = xasprintf(
		"pipeline:    nightly (bullphish), %s\n"
		"store:       %s\n"
		"integration: no state yet: the store has no integration.json (no run has changed it)\n"
		"bound to:    not bound yet (the first run that changes the store binds it)\n"
		"run lock:    free: no run is under way\n"
		"latest:      none (no run has completed)\n"
		"runs:        none yet (%s/p/../out/nightly does not exist)\n"
		"result:      exit 0, no run has ended yet\n",
		f.pipeline, f.store, f.top);
	CU_ASSERT_STRING_EQUAL(got, want);
	out_dir = fs_dirname(f.out);
	CU_ASSERT(!fs_exists(out_dir));
	free(out_dir);
	free(want);
	free(got);
	status_view_free(&sv);

	/* an empty OUT/<name>: the lock probe makes no lock file */
	CU_ASSERT_EQUAL(fs_mkdir_p(f.out, 0700, &e), 0);
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	got = text_of(&sv);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "runs:        none yet in "));
	{
		char *lock = fs_join(f.out, RUNDIR_LOCK);

		CU_ASSERT(!fs_exists(lock));
		free(lock);
	}
	free(got);
	status_view_free(&sv);
	teardown(&f);
}

static void test_a_held_lock_is_a_run_under_way_and_the_one_before_is_judged(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0};
	char *lock_path, *got;
	int lock = -1;

	setup(&f, "{\"status\":\"syncing\",\"region\":\"eu\"}\n");
	add_run(&f, OLD, KEY_REFUSED(OLD), NULL);
	add_run(&f, MID, APPLIED(MID), SUMMARY("applied"));
	add_run(&f, NEW, STARTED(NEW), NULL);
	lock_path = fs_join(f.out, RUNDIR_LOCK);
	CU_ASSERT_EQUAL_FATAL(lock_path_acquire(lock_path, &lock, &e), 0);
	/* one run shown: the one under way; the one before it is still read and judged */
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 1, &e), 0);
	CU_ASSERT_EQUAL(sv.lock, 1);
	CU_ASSERT_EQUAL(sv.n_shown, 1);
	CU_ASSERT_EQUAL(sv.runs[0].outcome, RUN_UNDER_WAY);
	CU_ASSERT_PTR_EQUAL(sv.last_over, &sv.runs[1]);
	CU_ASSERT_EQUAL(sv.exit_code, 0);
	got = text_of(&sv);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "integration: syncing: a run is under way\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "run lock:    held: a run is under way\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "the newest 1 shown (* = latest)\n"
					   "  " NEW "  under way (the pipeline's lock is held)\n"
					   "result:      exit 0, connected, the last run (" MID ") "
					   "succeeded\n"));
	free(got);
	status_view_free(&sv);
	store_lock_release(lock);

	/* the lock let go with no last line: the runner was killed */
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	CU_ASSERT_EQUAL(sv.lock, 0);
	CU_ASSERT_EQUAL(sv.runs[0].outcome, RUN_UNFINISHED);
	CU_ASSERT_EQUAL(sv.exit_code, 1);
	got = text_of(&sv);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "integration: syncing, but no run is under way (one was "
					   "killed outright): it stands for connected\n"));
	free(got);
	status_view_free(&sv);
	free(lock_path);
	teardown(&f);
}

static void test_the_operator_s_disconnect_and_another_binding_are_said(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0};
	char *got, *want;

	setup(&f, "{\"status\":\"disconnected\",\"region\":\"eu\",\"last_sync\":null,"
		  "\"last_error\":\"run X: itg-load failed\",\"pipeline\":\"other\","
		  "\"disconnected_by\":\"operator\"}\n");
	add_run(&f, OLD, APPLIED(OLD), SUMMARY("applied"));
	CU_ASSERT_EQUAL_FATAL(status_view_load(&sv, f.pipeline, 0, &e), 0);
	CU_ASSERT_EQUAL(sv.exit_code, 4);
	got = text_of(&sv);
	want = xasprintf("integration: disconnected (disconnected_by: operator): runs are refused "
			 "until pipelines/run %s --connect\n"
			 "last sync:   never\n"
			 "last error:  run X: itg-load failed\n"
			 "region:      eu\n"
			 "bound to:    pipeline other; not this pipeline (nightly, bullphish): its "
			 "runs are refused until one is given --connect\n",
			 f.pipeline);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	/* latest names no run: none */
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "latest:      none (no run has completed)\n"));
	free(want);
	free(got);
	status_view_free(&sv);
	teardown(&f);
}

static void test_a_missing_store_or_a_bad_state_is_the_usual_error(void)
{
	struct fixture f;
	struct status_view sv;
	struct itg_err e = {0}, e2 = {0}, e3 = {0};
	char *file, *want;

	setup(&f, NULL);
	unit_rmtree(xstrdup(f.store));
	CU_ASSERT_EQUAL(status_view_load(&sv, f.pipeline, 0, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	want = xasprintf("store folder %s/p/../store does not exist: check `store:` in %s; a new "
			 "store is an empty folder: mkdir -m 700 %s/p/../store",
			 f.top, f.pipeline, f.top);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	CU_ASSERT(!fs_exists(f.store));
	free(want);
	status_view_free(&sv);

	CU_ASSERT_EQUAL(mkdir(f.store, 0700), 0);
	file = fs_join(f.store, INTEGRATION_FILE);
	CU_ASSERT_EQUAL(unit_write_file(file, "{\"status\":\"sleeping\"}"), 0);
	CU_ASSERT_EQUAL(status_view_load(&sv, f.pipeline, 0, &e2), -1);
	CU_ASSERT_EQUAL(e2.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e2.msg, INTEGRATION_FILE));
	status_view_free(&sv);
	free(file);

	CU_ASSERT_EQUAL(unit_write_file(f.pipeline, "name: nightly\nproduct: nope\n"), 0);
	CU_ASSERT_EQUAL(status_view_load(&sv, f.pipeline, 0, &e3), -1);
	CU_ASSERT_EQUAL(e3.code, ITG_EXIT_USAGE);
	status_view_free(&sv);
	teardown(&f);
}

static CU_TestInfo tests[] = {
	{"the_text_names_state_binding_and_runs_newest_first",
	 test_the_text_names_state_binding_and_runs_newest_first},
	{"the_json_says_the_same", test_the_json_says_the_same},
	{"the_exit_code_says_the_most_urgent_first", test_the_exit_code_says_the_most_urgent_first},
	{"no_runs_yet_and_nothing_made", test_no_runs_yet_and_nothing_made},
	{"a_held_lock_is_a_run_under_way_and_the_one_before_is_judged",
	 test_a_held_lock_is_a_run_under_way_and_the_one_before_is_judged},
	{"the_operator_s_disconnect_and_another_binding_are_said",
	 test_the_operator_s_disconnect_and_another_binding_are_said},
	{"a_missing_store_or_a_bad_state_is_the_usual_error",
	 test_a_missing_store_or_a_bad_state_is_the_usual_error},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_status_view", NULL, NULL, tests)
