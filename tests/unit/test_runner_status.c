/* Unit tests of pipelines/runner/status: integration.json through a run. */
#include "unit.h"

#include "../../pipelines/runner/runlog.h"
#include "../../pipelines/runner/status.h"
#include "fsutil.h"
#include "integration.h"
#include "lock.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
	char *store;
	char *file;
	struct runlog log;
	struct run_status s;
	struct itg_err e;
};

static void setup(struct fixture *f, const char *state)
{
	memset(f, 0, sizeof *f);
	f->store = unit_tmpdir();
	f->file = fs_join(f->store, INTEGRATION_FILE);
	if (state)
		CU_ASSERT_EQUAL(unit_write_file(f->file, state), 0);
	runlog_init(&f->log, 0);
}

static void teardown(struct fixture *f)
{
	status_free(&f->s);
	free(f->file);
	unit_rmtree(f->store);
}

static char *state_of(struct fixture *f)
{
	struct buf b = {0};
	struct itg_err e = {0};

	if (fs_read_all(f->file, &b, 0, &e) != 0)
		return NULL;
	return buf_detach(&b);
}

#define GOOD "{\"status\":\"connected\",\"region\":\"us\",\"last_sync\":\"2026-01-01T00:00:00.000Z\"," \
	     "\"last_error\":\"old\",\"pipeline\":\"nightly\"}\n"

static void test_syncing_keeps_last_sync_error_and_binding(void)
{
	struct fixture f;
	char *got;

	setup(&f, GOOD);
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "eu", &f.log, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	got = state_of(&f);
	CU_ASSERT_STRING_EQUAL(got, "{\"status\":\"syncing\",\"region\":\"eu\",\"last_sync\":"
				    "\"2026-01-01T00:00:00.000Z\",\"last_error\":\"old\","
				    "\"pipeline\":\"nightly\",\"disconnected_by\":null}\n");
	free(got);
	teardown(&f);
}

static void test_refused_key_disconnects_by_itglue_and_a_good_key_reconnects(void)
{
	struct fixture f;
	struct integration it;

	setup(&f, GOOD);
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	status_mark(&f.s, MARK_KEY_REFUSED, "IT Glue refused the API key (HTTP 401/403)");
	CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_DISCONNECTED);
	CU_ASSERT_STRING_EQUAL(it.disconnected_by, INTEGRATION_BY_ITGLUE);
	CU_ASSERT_STRING_EQUAL(it.last_sync, "2026-01-01T00:00:00.000Z");
	integration_free(&it);
	status_free(&f.s);

	/* the next run: extract took the key, transform failed */
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	CU_ASSERT_STRING_EQUAL(f.s.before, INTEGRATION_DISCONNECTED);
	status_mark(&f.s, MARK_SYNCING, NULL);
	status_mark(&f.s, MARK_FAILED_CONNECTED, "itg-transform failed with exit code 2");
	CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_PTR_NULL(it.disconnected_by);
	CU_ASSERT_STRING_EQUAL(it.last_error, "itg-transform failed with exit code 2");
	integration_free(&it);
	teardown(&f);
}

static void test_failure_before_the_key_was_taken_keeps_the_status(void)
{
	struct fixture f;
	struct integration it;

	setup(&f, "{\"status\":\"disconnected\",\"region\":\"us\",\"last_sync\":null,"
		  "\"last_error\":null,\"disconnected_by\":\"operator\"}");
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	status_mark(&f.s, MARK_FAILED_BEFORE, "itg-extract failed with exit code 1");
	CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_DISCONNECTED);
	CU_ASSERT_STRING_EQUAL(it.disconnected_by, INTEGRATION_BY_OPERATOR);
	integration_free(&it);
	teardown(&f);
}

static void test_interrupted_run_restores_the_status_it_had(void)
{
	struct fixture f;
	struct integration it;

	/* a run killed outright left syncing: that is not a status to go back to */
	setup(&f, "{\"status\":\"syncing\",\"region\":\"us\",\"last_sync\":null,\"last_error\":null}");
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	CU_ASSERT_STRING_EQUAL(f.s.before, INTEGRATION_CONNECTED);
	status_free(&f.s);
	CU_ASSERT_EQUAL(unit_write_file(f.file, GOOD), 0);
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	status_mark(&f.s, MARK_INTERRUPTED, "run r: interrupted by SIGTERM");
	CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_CONNECTED);
	CU_ASSERT_STRING_EQUAL(it.last_error, "run r: interrupted by SIGTERM");
	integration_free(&it);
	/* itg-load completed its sync before the signal: its status stands */
	CU_ASSERT_EQUAL(unit_write_file(f.file, "{\"status\":\"disconnected\"}"), 0);
	status_mark(&f.s, MARK_INTERRUPTED, "run r: interrupted by SIGTERM");
	CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
	CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_DISCONNECTED);
	integration_free(&it);
	teardown(&f);
}

#define BY_OPERATOR "{\"status\":\"disconnected\",\"region\":\"us\",\"last_sync\":null," \
		    "\"last_error\":null,\"disconnected_by\":\"operator\"}\n"

/* The durable disconnect is read from the file; nothing else is taken for it. */
static void test_operator_disconnect_is_recognised(void)
{
	struct fixture f;

	setup(&f, BY_OPERATOR);
	CU_ASSERT(status_disconnected_by_operator(f.store));
	CU_ASSERT_EQUAL(unit_write_file(f.file, "{\"status\":\"disconnected\","
						"\"disconnected_by\":\"itglue\"}"), 0);
	CU_ASSERT_FALSE(status_disconnected_by_operator(f.store));
	CU_ASSERT_EQUAL(unit_write_file(f.file, GOOD), 0);
	CU_ASSERT_FALSE(status_disconnected_by_operator(f.store));
	CU_ASSERT_FALSE(status_disconnected_by_operator(NULL));
	teardown(&f);
}

/*
 * A --connect run that fails does not resume anything: neither a refused key
 * nor a later stage's failure turns an operator's disconnect into another.
 */
static void test_failed_connect_run_keeps_the_operator_disconnect(void)
{
	struct fixture f;
	struct integration it;

	for (int how = 0; how < 2; how++) {
		setup(&f, BY_OPERATOR);
		CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
		status_mark(&f.s, MARK_SYNCING, NULL);
		/* while syncing, the status before the run is read as disconnected */
		status_free(&f.s);
		CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
		CU_ASSERT_STRING_EQUAL(f.s.before, INTEGRATION_DISCONNECTED);
		status_mark(&f.s, how ? MARK_KEY_REFUSED : MARK_FAILED_CONNECTED, "failed");
		CU_ASSERT_EQUAL_FATAL(integration_read(f.store, &it, &f.e), 1);
		CU_ASSERT_STRING_EQUAL(it.status, INTEGRATION_DISCONNECTED);
		CU_ASSERT_STRING_EQUAL(it.disconnected_by, INTEGRATION_BY_OPERATOR);
		integration_free(&it);
		teardown(&f);
	}
}

static void test_held_store_lock_leaves_the_file_alone(void)
{
	struct fixture f;
	char *got;
	int fd = -1;

	setup(&f, GOOD);
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), 0);
	CU_ASSERT_EQUAL_FATAL(store_lock_acquire(f.store, &fd, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	store_lock_release(fd);
	got = state_of(&f);
	CU_ASSERT_STRING_EQUAL(got, GOOD);
	free(got);
	teardown(&f);
}

static void test_malformed_state_stops_the_run_before_it_starts(void)
{
	struct fixture f;

	setup(&f, "{\"status\":");
	CU_ASSERT_EQUAL(status_begin(&f.s, f.store, "us", &f.log, &f.e), -1);
	CU_ASSERT_EQUAL(f.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.e.msg, "fix or remove the file"));
	teardown(&f);
}

static void test_missing_store_is_never_created(void)
{
	struct fixture f;
	char *missing;

	setup(&f, NULL);
	missing = fs_join(f.store, "no-such-store");
	CU_ASSERT_EQUAL_FATAL(status_begin(&f.s, missing, "us", &f.log, &f.e), 0);
	status_mark(&f.s, MARK_SYNCING, NULL);
	CU_ASSERT(!fs_exists(missing));
	free(missing);
	teardown(&f);
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
	{"test_syncing_keeps_last_sync_error_and_binding",
	 test_syncing_keeps_last_sync_error_and_binding},
	{"test_refused_key_disconnects_by_itglue_and_a_good_key_reconnects",
	 test_refused_key_disconnects_by_itglue_and_a_good_key_reconnects},
	{"test_failure_before_the_key_was_taken_keeps_the_status",
	 test_failure_before_the_key_was_taken_keeps_the_status},
	{"test_interrupted_run_restores_the_status_it_had",
	 test_interrupted_run_restores_the_status_it_had},
	{"test_operator_disconnect_is_recognised", test_operator_disconnect_is_recognised},
	{"test_failed_connect_run_keeps_the_operator_disconnect",
	 test_failed_connect_run_keeps_the_operator_disconnect},
	{"test_held_store_lock_leaves_the_file_alone", test_held_store_lock_leaves_the_file_alone},
	{"test_malformed_state_stops_the_run_before_it_starts",
	 test_malformed_state_stops_the_run_before_it_starts},
	{"test_missing_store_is_never_created", test_missing_store_is_never_created},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_status", quiet_logs, default_logs, tests)
