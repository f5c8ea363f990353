/*
 * Unit tests of pipelines/runner/stage and runlog: finding the programs, the
 * key only for the stage given it, a stage in its own process group, and
 * its standard error copied to run.log with the time in front.
 */
#include "unit.h"

#include "../../pipelines/runner/runlog.h"
#include "../../pipelines/runner/stage.h"
#include "cli.h"
#include "fsutil.h"
#include "log.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int count_prefix(char **env, const char *prefix)
{
	int n = 0;

	for (; *env; env++)
		if (strncmp(*env, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static const char *value_of(char **env, const char *prefix)
{
	for (; *env; env++)
		if (strncmp(*env, prefix, strlen(prefix)) == 0)
			return *env + strlen(prefix);
	return NULL;
}

static void test_key_is_in_the_environment_of_the_stage_given_it_only(void)
{
	char **with, **without;

	setenv("ITG_RUN_ID", "stale", 1);
	setenv("ITGLUE_API_KEY", "ITG.unit-key", 1);
	with = stage_env("20260101T000000Z", "ITG.unit-key", 0);
	without = stage_env("20260101T000000Z", NULL, 0);
	CU_ASSERT_EQUAL(count_prefix(with, "ITGLUE_API_KEY="), 1);
	CU_ASSERT_STRING_EQUAL(value_of(with, "ITGLUE_API_KEY="), "ITG.unit-key");
	CU_ASSERT_EQUAL(count_prefix(without, "ITGLUE_API_KEY="), 0);
	CU_ASSERT_EQUAL(count_prefix(without, "ITG_RUN_ID="), 1);
	CU_ASSERT_STRING_EQUAL(value_of(without, "ITG_RUN_ID="), "20260101T000000Z");
	CU_ASSERT_PTR_NOT_NULL(value_of(without, "PATH="));
	stage_env_free(with);
	stage_env_free(without);
	unsetenv("ITG_RUN_ID");
	unsetenv("ITGLUE_API_KEY");
}

/* ITG_PROGRESS=1 only when the runner shows progress; an inherited one never */
static void test_progress_is_in_the_environment_only_when_asked(void)
{
	char **on, **off;

	setenv("ITG_PROGRESS", "1", 1);
	on = stage_env("20260101T000000Z", NULL, 1);
	off = stage_env("20260101T000000Z", NULL, 0);
	CU_ASSERT_EQUAL(count_prefix(on, "ITG_PROGRESS="), 1);
	CU_ASSERT_STRING_EQUAL(value_of(on, "ITG_PROGRESS="), "1");
	CU_ASSERT_EQUAL(count_prefix(off, "ITG_PROGRESS="), 0);
	stage_env_free(on);
	stage_env_free(off);
	unsetenv("ITG_PROGRESS");
}

static void test_key_is_taken_out_of_the_environment(void)
{
	char *key;

	setenv("ITGLUE_API_KEY", "ITG.from-env", 1);
	CU_ASSERT_EQUAL(stage_take_api_key(&key, &(struct itg_err){0}), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_STRING_EQUAL(key, "ITG.from-env");
	CU_ASSERT_PTR_NULL(getenv("ITGLUE_API_KEY"));
	cli_forget_key(key);
}

static void test_key_comes_from_the_systemd_credential_when_unset(void)
{
	char *dir = unit_tmpdir();
	char *file = fs_join(dir, "itglue-api-key");
	char *key;

	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(unit_write_file(file, "ITG.from-credential\n"), 0);
	chmod(file, 0400);   /* as systemd leaves a credential */
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	setenv("ITGLUE_API_KEY", "", 1);
	CU_ASSERT_EQUAL(stage_take_api_key(&key, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_STRING_EQUAL(key, "ITG.from-credential");
	cli_forget_key(key);
	unlink(file);
	/* no credential file: no key, no error */
	CU_ASSERT_EQUAL(stage_take_api_key(&key, &e), 0);
	CU_ASSERT_PTR_NULL(key);
	/* a FIFO there is refused at once, not waited on */
	CU_ASSERT_EQUAL_FATAL(mkfifo(file, 0600), 0);
	CU_ASSERT_EQUAL(stage_take_api_key(&key, &e), -1);
	CU_ASSERT_PTR_NULL(key);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "FIFO"));
	unlink(file);
	unsetenv("CREDENTIALS_DIRECTORY");
	free(file);
	unit_rmtree(dir);
}

static void write_program(const char *dir, const char *name, const char *body)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, body), 0);
	CU_ASSERT_EQUAL(chmod(path, 0700), 0);
	free(path);
}

static void test_programs_are_taken_from_itg_bin(void)
{
	char *dir = unit_tmpdir();
	char *paths[STAGE_COUNT];
	struct itg_err e = {0};

	for (int i = 0; i < STAGE_COUNT; i++)
		write_program(dir, stage_programs[i], "#!/bin/sh\nexit 0\n");
	setenv("ITG_BIN", dir, 1);
	CU_ASSERT_EQUAL_FATAL(stage_find_programs(paths, &e), 0);
	for (int i = 0; i < STAGE_COUNT; i++) {
		char *want = fs_join(dir, stage_programs[i]);

		CU_ASSERT_STRING_EQUAL(paths[i], want);
		free(want);
		free(paths[i]);
	}
	unit_rmtree(dir);
	unsetenv("ITG_BIN");
}

static void test_missing_program_or_folder_is_named(void)
{
	char *dir = unit_tmpdir();
	char *paths[STAGE_COUNT];
	struct itg_err e = {0};

	write_program(dir, "itg-extract", "#!/bin/sh\nexit 0\n");
	setenv("ITG_BIN", dir, 1);
	CU_ASSERT_EQUAL(stage_find_programs(paths, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "itg-transform"));
	for (int i = 0; i < STAGE_COUNT; i++)
		free(paths[i]);
	setenv("ITG_BIN", "/nonexistent/itg-bin", 1);
	CU_ASSERT_EQUAL(stage_find_programs(paths, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "ITG_BIN=/nonexistent/itg-bin"));
	for (int i = 0; i < STAGE_COUNT; i++)
		free(paths[i]);
	unsetenv("ITG_BIN");
	unit_rmtree(dir);
}

/* Runs sh -c SCRIPT as a stage, logging to DIR/run.log. */
static int run_sh(const char *dir, const char *script, struct stage_end *end, struct buf *log)
{
	char *path = fs_join(dir, "run.log");
	struct stage_argv a = {0};
	struct runlog l;
	struct itg_err e = {0};
	char **env = stage_env("20260101T000000Z", NULL, 0);
	int rc;

	runlog_init(&l, 0);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(runlog_open(&l, path, &e), 0);
	stage_argv_push(&a, "/bin/sh");
	stage_argv_push(&a, "-c");
	stage_argv_push(&a, script);
	rc = stage_run(a.v, env, &l, end, &e);
	CU_ASSERT_EQUAL(runlog_sync(&l, &e), 0);
	runlog_close(&l);
	buf_reset(log);
	CU_ASSERT_EQUAL(fs_read_all(path, log, 0, &e), 0);
	stage_argv_free(&a);
	stage_env_free(env);
	free(path);
	return rc;
}

/* "2026-01-01T00:00:00.000Z " */
static int stamped(const char *line)
{
	return strlen(line) > 25 && line[4] == '-' && line[10] == 'T' && line[19] == '.' &&
	       line[23] == 'Z' && line[24] == ' ';
}

static void test_stage_lines_reach_run_log_with_the_time(void)
{
	char *dir = unit_tmpdir();
	struct stage_end end;
	struct buf log = {0};
	char *second;

	CU_ASSERT_EQUAL_FATAL(run_sh(dir, "echo first >&2; printf 'no newline' >&2; exit 3", &end,
				     &log), 0);
	CU_ASSERT_EQUAL(end.signo, 0);
	CU_ASSERT_EQUAL(end.code, 3);
	CU_ASSERT(stamped(buf_str(&log)));
	CU_ASSERT_PTR_NOT_NULL(strstr(log.p, "Z first\n"));
	second = strchr(log.p, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(second);
	CU_ASSERT(stamped(second + 1));
	CU_ASSERT_PTR_NOT_NULL(strstr(second, "Z no newline\n"));
	buf_free(&log);
	unit_rmtree(dir);
}

static void test_stage_runs_in_its_own_process_group(void)
{
	char *dir = unit_tmpdir();
	struct stage_end end;
	struct buf log = {0};
	char want[64];

	/* field 5 of /proc/PID/stat is the process group; sh's name has no space */
	CU_ASSERT_EQUAL_FATAL(run_sh(dir, "read -r pid comm state ppid pgrp rest </proc/$$/stat; "
					  "[ \"$pid\" = \"$pgrp\" ] && echo own-group >&2", &end, &log),
			      0);
	snprintf(want, sizeof want, "Z own-group\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&log), want));
	CU_ASSERT_EQUAL(end.code, 0);
	buf_free(&log);
	unit_rmtree(dir);
}

static void test_stage_killed_by_a_signal_says_which(void)
{
	char *dir = unit_tmpdir();
	struct stage_end end;
	struct buf log = {0};
	char buf[16];

	CU_ASSERT_EQUAL_FATAL(run_sh(dir, "kill -KILL $$", &end, &log), 0);
	CU_ASSERT_EQUAL(end.signo, SIGKILL);
	CU_ASSERT_STRING_EQUAL(stage_signal_name(end.signo, buf), "SIGKILL");
	CU_ASSERT_STRING_EQUAL(stage_signal_name(SIGTERM, buf), "SIGTERM");
	CU_ASSERT_STRING_EQUAL(stage_signal_name(64, buf), "signal 64");
	buf_free(&log);
	unit_rmtree(dir);
}

static void test_program_that_cannot_start_is_an_error(void)
{
	struct stage_argv a = {0};
	struct stage_end end;
	struct runlog l;
	struct itg_err e = {0};
	char **env = stage_env("20260101T000000Z", NULL, 0);

	runlog_init(&l, 0);
	stage_argv_push(&a, "/nonexistent/itg-extract");
	CU_ASSERT_EQUAL(stage_run(a.v, env, &l, &end, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/itg-extract"));
	stage_argv_free(&a);
	stage_env_free(env);
}

static void test_run_log_is_private_and_made_once(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "run.log");
	struct runlog l, again;
	struct itg_err e = {0};
	struct buf text = {0};
	struct stat st;

	runlog_init(&l, 0);
	runlog_init(&again, 0);
	CU_ASSERT_EQUAL_FATAL(runlog_open(&l, path, &e), 0);
	CU_ASSERT_EQUAL(runlog_open(&again, path, &e), -1);
	runlog_say(&l, LOG_INFO, "two\nlines");
	runlog_say(&l, LOG_DEBUG, "not without --verbose");
	CU_ASSERT_EQUAL(runlog_sync(&l, &e), 0);
	runlog_close(&l);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(fs_read_all(path, &text, 0, &e), 0);
	CU_ASSERT(stamped(buf_str(&text)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&text), "Z INFO itg-run: two lines\n"));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&text), "verbose"));
	buf_free(&text);
	free(path);
	unit_rmtree(dir);
}

static int quiet_logs(void)
{
	log_init("itg-run", LOG_HUMAN, 1, 0);
	return 0;
}

static int default_logs(void)
{
	log_init("itg", LOG_HUMAN, 0, 0);
	return 0;
}

static CU_TestInfo tests[] = {
	{"test_key_is_in_the_environment_of_the_stage_given_it_only",
	 test_key_is_in_the_environment_of_the_stage_given_it_only},
	{"test_progress_is_in_the_environment_only_when_asked",
	 test_progress_is_in_the_environment_only_when_asked},
	{"test_key_is_taken_out_of_the_environment", test_key_is_taken_out_of_the_environment},
	{"test_key_comes_from_the_systemd_credential_when_unset",
	 test_key_comes_from_the_systemd_credential_when_unset},
	{"test_programs_are_taken_from_itg_bin", test_programs_are_taken_from_itg_bin},
	{"test_missing_program_or_folder_is_named", test_missing_program_or_folder_is_named},
	{"test_stage_lines_reach_run_log_with_the_time", test_stage_lines_reach_run_log_with_the_time},
	{"test_stage_runs_in_its_own_process_group", test_stage_runs_in_its_own_process_group},
	{"test_stage_killed_by_a_signal_says_which", test_stage_killed_by_a_signal_says_which},
	{"test_program_that_cannot_start_is_an_error", test_program_that_cannot_start_is_an_error},
	{"test_run_log_is_private_and_made_once", test_run_log_is_private_and_made_once},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_stage", quiet_logs, default_logs, tests)
