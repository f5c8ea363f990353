/*
 * Unit tests of pipelines/runner/runview: how a run folder ended, from its
 * run.log and report/summary.json, and its line of --status.  The run.log
 * lines are those runner.c and the stages write.
 */
#include "unit.h"

#include "../../pipelines/runner/runview.h"
#include "fsutil.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "20260301T050000Z"
#define T "2026-03-01T05:00:00.000Z "
#define RUN_DIR "/srv/out/nightly/" ID

#define START T "INFO itg-run: run " ID " of pipeline 'nightly' in " RUN_DIR "\n"
#define EXTRACT T "INFO itg-run: run " ID ": /opt/itg/bin/itg-extract -p /etc/itg/p.yaml --out " \
		RUN_DIR "/snapshot\n"
#define TRANSFORM T "INFO itg-run: run " ID ": /opt/itg/bin/itg-transform -p /etc/itg/p.yaml " \
		  "--snapshot " RUN_DIR "/snapshot --out " RUN_DIR "/plan\n"
#define LOAD T "INFO itg-run: run " ID ": /opt/itg/bin/itg-load -p /etc/itg/p.yaml --plan " \
	     RUN_DIR "/plan --report " RUN_DIR "/report\n"
#define RECOVER T "INFO itg-run: run " ID ": /opt/itg/bin/itg-load -p /etc/itg/p.yaml --recover\n"
#define COMPLETE T "INFO itg-run: run " ID " complete\n"
#define FAILED(n) T "ERROR itg-run: run " ID " failed (exit " #n "); log: " RUN_DIR "/run.log\n"

#define SUMMARY_APPLIED                                                                     \
	"{\"run_id\":\"" ID "\",\"status\":\"applied\",\"pipeline\":\"nightly\","             \
	"\"product\":\"bullphish\",\"integration_status\":\"connected\",\"would_refuse\":null," \
	"\"counts\":{\"unlink\":1,\"link\":2,\"review\":1,\"import_user\":24,\"skip\":3},"      \
	"\"changed\":{\"unlink\":1,\"link\":2,\"review\":0,\"import_user\":24,\"skip\":0}}"

/* Feeds run.log text line by line, then summary (or none), then decides. */
static void view(struct run_view *v, const char *log, const char *summary, int under_way)
{
	char *copy = xstrdup(log), *line = copy, *nl;

	runview_init(v, ID);
	while (*line) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		runview_log_line(v, line);
		if (!nl)
			break;
		line = nl + 1;
	}
	free(copy);
	if (summary)
		runview_summary(v, summary, strlen(summary));
	runview_finish(v, under_way);
}

static char *text_of(const struct run_view *v)
{
	struct buf b = {0};

	runview_text(v, &b);
	return buf_detach(&b);
}

static void test_a_complete_run_with_its_summary_is_applied_with_its_changes(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT TRANSFORM LOAD COMPLETE, SUMMARY_APPLIED, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_APPLIED);
	CU_ASSERT(runview_succeeded(&v));
	CU_ASSERT_PTR_NULL(v.error);
	text = text_of(&v);
	/* changes only: review and skip lines change nothing */
	CU_ASSERT_STRING_EQUAL(text, "applied: unlink 1, link 2, import_user 24");
	free(text);
	runview_free(&v);
}

static void test_a_dry_run_says_what_it_would_change_and_what_would_be_refused(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT TRANSFORM LOAD COMPLETE,
	     "{\"status\":\"dry_run\",\"would_refuse\":\"mass_unlink\","
	     "\"changed\":{\"unlink\":37,\"link\":0}}", 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_DRY_RUN);
	CU_ASSERT_STRING_EQUAL(runview_would_refuse(&v), "mass_unlink");
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "dry run, a real load would be refused (mass_unlink): "
				     "would change unlink 37");
	free(text);
	runview_free(&v);

	view(&v, START COMPLETE, "{\"status\":\"dry_run\",\"would_refuse\":null,"
				 "\"changed\":{\"unlink\":0}}", 0);
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "dry run: nothing to change");
	CU_ASSERT_PTR_NULL(runview_would_refuse(&v));
	free(text);
	runview_free(&v);
}

static void test_a_refused_key_fails_in_extract_with_the_stage_s_error(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT
	     T "ERROR itg-extract: IT Glue refused the API key (HTTP 401 on organizations)\n"
	     T "ERROR itg-run: run " ID ": itg-extract failed with exit code 3\n"
	     T "INFO itg-run: integration status in /srv/store/integration.json: disconnected\n"
	     FAILED(3), NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_FAILED);
	CU_ASSERT_EQUAL(v.exit_code, 3);
	CU_ASSERT_STRING_EQUAL(v.stage, "itg-extract");
	CU_ASSERT_STRING_EQUAL(v.error,
			       "itg-extract: IT Glue refused the API key (HTTP 401 on organizations)");
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "failed in itg-extract (exit 3): itg-extract: IT Glue "
				     "refused the API key (HTTP 401 on organizations)");
	free(text);
	runview_free(&v);
}

static void test_exit_4_is_refused_by_the_stage_that_refused(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT TRANSFORM LOAD
	     T "ERROR itg-load: the plan removes 37 of the store's 40 links, more than "
	       "safety.max_unlinks allows\n"
	     T "ERROR itg-run: run " ID ": itg-load failed with exit code 4\n" FAILED(4),
	     NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_REFUSED);
	CU_ASSERT(!runview_succeeded(&v));
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "refused by itg-load (exit 4): itg-load: the plan removes 37 "
				     "of the store's 40 links, more than safety.max_unlinks allows");
	free(text);
	runview_free(&v);
}

static void test_a_refusal_of_the_runner_itself_names_no_stage(void)
{
	struct run_view v;
	char *text;

	/* a recovery finished a disconnect: the runner refuses after it */
	view(&v, START RECOVER
	     T "ERROR itg-run: /srv/store/integration.json says disconnected_by: operator (the "
	       "integration was ended on purpose with --disconnect): this run is refused\n"
	     FAILED(4), NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_REFUSED);
	CU_ASSERT_PTR_NULL(v.stage);
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "refused (exit 4): itg-run: /srv/store/integration.json says "
				     "disconnected_by: operator (the integration was ended on "
				     "purpose with --disconnect): this run is refused");
	free(text);
	runview_free(&v);
}

static void test_a_failed_recovery_is_named_as_one(void)
{
	struct run_view v;

	view(&v, START RECOVER T "ERROR itg-load: .journal: malformed line 3\n"
	     T "ERROR itg-run: run " ID ": itg-load failed with exit code 2\n" FAILED(2), NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_FAILED);
	CU_ASSERT_STRING_EQUAL(v.stage, "itg-load --recover");
	CU_ASSERT_STRING_EQUAL(v.error, "itg-load: .journal: malformed line 3");
	runview_free(&v);
}

static void test_an_earlier_stage_s_error_is_not_what_failed(void)
{
	struct run_view v;

	/* extract logged an ERROR and succeeded; the transform then died without a word */
	view(&v, START EXTRACT T "ERROR itg-extract: a page was refused, retried\n" TRANSFORM
	     T "ERROR itg-run: run " ID ": itg-transform was killed by SIGKILL\n" FAILED(1),
	     NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_FAILED);
	CU_ASSERT_STRING_EQUAL(v.stage, "itg-transform");
	CU_ASSERT_STRING_EQUAL(v.error, "itg-run: itg-transform was killed by SIGKILL");
	runview_free(&v);
}

static void test_an_interrupted_run_names_the_signal_and_the_stage(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT T "ERROR itg-extract: interrupted: nothing was written\n"
	     T "ERROR itg-run: run " ID " interrupted by SIGTERM during itg-extract\n"
	     T "INFO itg-run: integration status in /srv/store/integration.json: connected\n"
	     FAILED(1), NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_INTERRUPTED);
	CU_ASSERT_STRING_EQUAL(v.signal, "SIGTERM");
	CU_ASSERT_STRING_EQUAL(v.during, "itg-extract");
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "interrupted by SIGTERM during itg-extract (exit 1): "
				     "itg-extract: interrupted: nothing was written");
	free(text);
	runview_free(&v);

	/* between stages: no "during" */
	view(&v, START T "ERROR itg-run: run " ID " interrupted by SIGINT\n" FAILED(1), NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_INTERRUPTED);
	CU_ASSERT_STRING_EQUAL(v.signal, "SIGINT");
	CU_ASSERT_PTR_NULL(v.during);
	runview_free(&v);
}

static void test_no_last_line_is_under_way_only_while_the_lock_is_held(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT, NULL, 1);
	CU_ASSERT_EQUAL(v.outcome, RUN_UNDER_WAY);
	CU_ASSERT(!runview_over(&v));
	runview_free(&v);

	view(&v, START EXTRACT, NULL, 0);
	v.have_log = 1;
	CU_ASSERT_EQUAL(v.outcome, RUN_UNFINISHED);
	CU_ASSERT(runview_over(&v));
	CU_ASSERT(!runview_succeeded(&v));
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "unfinished: run.log ends before the run's last line and no "
				     "run holds the pipeline's lock (was the runner killed?)");
	free(text);
	runview_free(&v);

	/* a last line wins over the lock: the run ended as the lock was probed */
	view(&v, START COMPLETE, SUMMARY_APPLIED, 1);
	CU_ASSERT_EQUAL(v.outcome, RUN_APPLIED);
	runview_free(&v);
}

static void test_json_log_lines_of_the_stages_are_read_too(void)
{
	struct run_view v;

	view(&v, START EXTRACT TRANSFORM
	     T "{\"time\":\"2026-03-01T05:00:01.000Z\",\"level\":\"error\",\"stage\":\"itg-transform\","
	       "\"msg\":\"links.csv:3: 2 fields, header has 4\"}\n"
	     T "ERROR itg-run: run " ID ": itg-transform failed with exit code 2\n" FAILED(2),
	     NULL, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_FAILED);
	CU_ASSERT_STRING_EQUAL(v.stage, "itg-transform");
	CU_ASSERT_STRING_EQUAL(v.error, "itg-transform: links.csv:3: 2 fields, header has 4");
	runview_free(&v);
}

static void test_a_run_that_failed_after_its_load_says_what_the_load_applied(void)
{
	struct run_view v;
	char *text;

	view(&v, START EXTRACT TRANSFORM LOAD
	     T "ERROR itg-run: run " ID ": cannot write the summary to standard output: No space "
	       "left on device\n" FAILED(1), SUMMARY_APPLIED, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_FAILED);
	CU_ASSERT_PTR_NULL(v.stage);
	text = text_of(&v);
	CU_ASSERT_STRING_EQUAL(text, "failed (exit 1) after the load applied unlink 1, link 2, "
				     "import_user 24: itg-run: run " ID ": cannot write the summary "
				     "to standard output: No space left on device");
	free(text);
	runview_free(&v);
}

static void test_a_summary_that_is_not_json_leaves_the_outcome_to_run_log(void)
{
	struct run_view v;
	char *text;

	view(&v, START COMPLETE, "{\"status\":", 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_COMPLETE);
	CU_ASSERT(runview_succeeded(&v));
	CU_ASSERT_PTR_NOT_NULL(v.summary_error);
	text = text_of(&v);
	CU_ASSERT_NSTRING_EQUAL(text, "complete, but report/summary.json cannot read it: ", 50);
	free(text);
	runview_free(&v);

	view(&v, START COMPLETE, "[1]", 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_COMPLETE);
	CU_ASSERT_PTR_NULL(v.summary);
	runview_free(&v);
}

static void test_lines_that_are_not_log_lines_are_ignored(void)
{
	struct run_view v;

	/* a stage's stray output, a half line, a runner line of another shape */
	view(&v, START "garbage without a level\n" T "{not json\n" T "ERROR\n"
	     T "INFO itg-run: run 2026 complete\n" EXTRACT, NULL, 0);
	CU_ASSERT_EQUAL(v.ended, 0);
	CU_ASSERT_PTR_NULL(v.runner_error);
	runview_free(&v);
}

static void test_the_json_of_a_run(void)
{
	struct run_view v;
	yajl_gen g = json_gen_new();
	struct buf b = {0};

	view(&v, START EXTRACT T "ERROR itg-extract: refused\n"
	     T "ERROR itg-run: run " ID ": itg-extract failed with exit code 3\n" FAILED(3), NULL, 0);
	runview_json(&v, g);
	json_gen_take(g, &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
		"{\"run_id\":\"" ID "\",\"outcome\":\"failed\",\"latest\":false,\"exit_code\":3,"
		"\"stage\":\"itg-extract\",\"signal\":null,\"error\":\"itg-extract: refused\","
		"\"summary_status\":null,\"would_refuse\":null,\"changes\":null}");
	runview_free(&v);
	buf_reset(&b);

	view(&v, START COMPLETE, SUMMARY_APPLIED, 0);
	v.latest = 1;
	runview_json(&v, g);
	json_gen_take(g, &b);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
		"{\"run_id\":\"" ID "\",\"outcome\":\"applied\",\"latest\":true,\"exit_code\":0,"
		"\"stage\":null,\"signal\":null,\"error\":null,\"summary_status\":\"applied\","
		"\"would_refuse\":null,\"changes\":{\"unlink\":1,\"link\":2,\"import_user\":24}}");
	runview_free(&v);
	buf_free(&b);
	yajl_gen_free(g);
}

static void test_read_from_a_run_folder(void)
{
	char *out = unit_tmpdir(), *dir = fs_join(out, ID), *report = fs_join(dir, "report");
	char *log = fs_join(dir, "run.log"), *summary = fs_join(report, "summary.json");
	struct buf big = {0};
	struct run_view v;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(fs_mkdir_p(report, 0700, &e), 0);
	/* a stage line longer than the read buffer: its rest is no line of its own */
	buf_adds(&big, START EXTRACT T "INFO itg-extract: ");
	for (int i = 0; i < 70000; i++)
		buf_addc(&big, 'x');
	buf_adds(&big, " ERROR itg-run: run " ID " failed (exit 9)\n" COMPLETE);
	CU_ASSERT_EQUAL(unit_write_file(log, buf_str(&big)), 0);
	CU_ASSERT_EQUAL(unit_write_file(summary, SUMMARY_APPLIED), 0);
	runview_read(&v, out, ID, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_APPLIED);
	CU_ASSERT_EQUAL(v.exit_code, 0);
	CU_ASSERT(v.have_log);
	runview_free(&v);

	/* a folder without run.log (the run had just made it) */
	unlink(log);
	unlink(summary);
	runview_read(&v, out, ID, 0);
	CU_ASSERT_EQUAL(v.outcome, RUN_UNFINISHED);
	CU_ASSERT(!v.have_log);
	runview_free(&v);
	runview_read(&v, out, ID, 1);
	CU_ASSERT_EQUAL(v.outcome, RUN_UNDER_WAY);
	runview_free(&v);

	/* run.log a symbolic link: not followed */
	CU_ASSERT_EQUAL(symlink("/etc/hostname", log), 0);
	runview_read(&v, out, ID, 0);
	CU_ASSERT(!v.have_log);
	CU_ASSERT_PTR_NOT_NULL(v.log_error);
	runview_free(&v);

	buf_free(&big);
	free(summary);
	free(log);
	free(report);
	free(dir);
	unit_rmtree(out);
}

static CU_TestInfo tests[] = {
	{"a_complete_run_with_its_summary_is_applied_with_its_changes",
	 test_a_complete_run_with_its_summary_is_applied_with_its_changes},
	{"a_dry_run_says_what_it_would_change_and_what_would_be_refused",
	 test_a_dry_run_says_what_it_would_change_and_what_would_be_refused},
	{"a_refused_key_fails_in_extract_with_the_stage_s_error",
	 test_a_refused_key_fails_in_extract_with_the_stage_s_error},
	{"exit_4_is_refused_by_the_stage_that_refused", test_exit_4_is_refused_by_the_stage_that_refused},
	{"a_refusal_of_the_runner_itself_names_no_stage",
	 test_a_refusal_of_the_runner_itself_names_no_stage},
	{"a_failed_recovery_is_named_as_one", test_a_failed_recovery_is_named_as_one},
	{"an_earlier_stage_s_error_is_not_what_failed", test_an_earlier_stage_s_error_is_not_what_failed},
	{"an_interrupted_run_names_the_signal_and_the_stage",
	 test_an_interrupted_run_names_the_signal_and_the_stage},
	{"no_last_line_is_under_way_only_while_the_lock_is_held",
	 test_no_last_line_is_under_way_only_while_the_lock_is_held},
	{"json_log_lines_of_the_stages_are_read_too", test_json_log_lines_of_the_stages_are_read_too},
	{"a_run_that_failed_after_its_load_says_what_the_load_applied",
	 test_a_run_that_failed_after_its_load_says_what_the_load_applied},
	{"a_summary_that_is_not_json_leaves_the_outcome_to_run_log",
	 test_a_summary_that_is_not_json_leaves_the_outcome_to_run_log},
	{"lines_that_are_not_log_lines_are_ignored", test_lines_that_are_not_log_lines_are_ignored},
	{"the_json_of_a_run", test_the_json_of_a_run},
	{"read_from_a_run_folder", test_read_from_a_run_folder},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_runview", NULL, NULL, tests)
