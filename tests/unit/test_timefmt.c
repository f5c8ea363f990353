/* Unit tests of lib/timefmt: RFC 3339 and run ids, and which "now" honours ITG_FIXED_TIME. */
#include "unit.h"

#include "timefmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void test_rfc3339_of_a_fixed_epoch_is_exact(void)
{
	char out[TIME_RFC3339_SIZE];

	time_format_rfc3339(0, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "1970-01-01T00:00:00.000Z");
	time_format_rfc3339(1700000000, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "2023-11-14T22:13:20.000Z");
	/* milliseconds are truncated, not rounded */
	time_format_rfc3339(1700000000, 123999999, out);
	CU_ASSERT_STRING_EQUAL(out, "2023-11-14T22:13:20.123Z");
	time_format_rfc3339(1767225599, 999999999, out);
	CU_ASSERT_STRING_EQUAL(out, "2025-12-31T23:59:59.999Z");
	time_format_rfc3339(951782400, 5000000, out);
	CU_ASSERT_STRING_EQUAL(out, "2000-02-29T00:00:00.005Z");
}

static void test_runid_of_a_fixed_epoch_is_exact(void)
{
	char out[TIME_RUNID_SIZE];

	time_format_runid(0, out);
	CU_ASSERT_STRING_EQUAL(out, "19700101T000000Z");
	time_format_runid(1700000000, out);
	CU_ASSERT_STRING_EQUAL(out, "20231114T221320Z");
	time_format_runid(1767225599, out);
	CU_ASSERT_STRING_EQUAL(out, "20251231T235959Z");
}

/* Runs the checks with ITG_FIXED_TIME set to value, then restores it. */
static void with_fixed_time(const char *value, void (*check)(void))
{
	const char *old = getenv("ITG_FIXED_TIME");
	char *saved = old ? xstrdup(old) : NULL;

	setenv("ITG_FIXED_TIME", value, 1);
	check();
	if (saved)
		setenv("ITG_FIXED_TIME", saved, 1);
	else
		unsetenv("ITG_FIXED_TIME");
	free(saved);
}

static void check_pinned(void)
{
	char ts[TIME_RFC3339_SIZE], id[TIME_RUNID_SIZE];

	time_now_rfc3339(ts);
	time_now_runid(id);
	CU_ASSERT_STRING_EQUAL(ts, "2023-11-14T22:13:20.000Z");
	CU_ASSERT_STRING_EQUAL(id, "20231114T221320Z");
}

static void test_now_honours_itg_fixed_time(void)
{
	with_fixed_time("1700000000", check_pinned);
}

static void check_real(void)
{
	char ts[TIME_RFC3339_SIZE];

	/* the epoch is pinned, the log clock is not */
	time_real_now_rfc3339(ts);
	CU_ASSERT_EQUAL(strlen(ts), 24);
	CU_ASSERT(strncmp(ts, "1970-", 5) != 0);
	CU_ASSERT_EQUAL(ts[10], 'T');
	CU_ASSERT_EQUAL(ts[23], 'Z');
}

static void test_log_clock_ignores_itg_fixed_time(void)
{
	with_fixed_time("0", check_real);
}

static void check_unpinned(void)
{
	char ts[TIME_RFC3339_SIZE], id[TIME_RUNID_SIZE];

	time_now_rfc3339(ts);
	time_now_runid(id);
	CU_ASSERT_EQUAL(strlen(ts), 24);
	CU_ASSERT_EQUAL(strlen(id), 16);
	CU_ASSERT(strncmp(ts, "1970-", 5) != 0);
}

static void test_empty_itg_fixed_time_is_the_real_clock(void)
{
	with_fixed_time("", check_unpinned);
}

static void test_rfc3339_is_read_back_to_the_millisecond(void)
{
	long long ms;

	CU_ASSERT_EQUAL(time_parse_rfc3339("1970-01-01T00:00:00.000Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 0);
	CU_ASSERT_EQUAL(time_parse_rfc3339("2023-11-14T22:13:20.123Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1700000000123LL);
	/* no fraction, a longer one (truncated), lower case, an offset */
	CU_ASSERT_EQUAL(time_parse_rfc3339("2023-11-14T22:13:20Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1700000000000LL);
	CU_ASSERT_EQUAL(time_parse_rfc3339("2023-11-14t22:13:20.1239z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1700000000123LL);
	CU_ASSERT_EQUAL(time_parse_rfc3339("2023-11-14T23:13:20+01:00", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1700000000000LL);
	CU_ASSERT_EQUAL(time_parse_rfc3339("2023-11-14T21:43:20-00:30", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1700000000000LL);
	CU_ASSERT_EQUAL(time_parse_rfc3339("2000-02-29T00:00:00.005Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 951782400005LL);
}

static void test_rfc3339_refuses_what_is_not_a_time(void)
{
	static const char *const bad[] = {
		"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z",
		"2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z",
		"2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "23-11-14T22:13:20Z",
		"2023-11-14T22:13:20+0100", "*", NULL,
	};
	long long ms = 42;

	for (int i = 0; bad[i]; i++) {
		CU_ASSERT_EQUAL(time_parse_rfc3339(bad[i], &ms), -1);
		CU_ASSERT_EQUAL(ms, 42);
	}
	CU_ASSERT_EQUAL(time_parse_rfc3339(NULL, &ms), -1);
}

static CU_TestInfo tests[] = {
	{"test_rfc3339_is_read_back_to_the_millisecond", test_rfc3339_is_read_back_to_the_millisecond},
	{"test_rfc3339_refuses_what_is_not_a_time", test_rfc3339_refuses_what_is_not_a_time},
	{"test_rfc3339_of_a_fixed_epoch_is_exact", test_rfc3339_of_a_fixed_epoch_is_exact},
	{"test_runid_of_a_fixed_epoch_is_exact", test_runid_of_a_fixed_epoch_is_exact},
	{"test_now_honours_itg_fixed_time", test_now_honours_itg_fixed_time},
	{"test_log_clock_ignores_itg_fixed_time", test_log_clock_ignores_itg_fixed_time},
	{"test_empty_itg_fixed_time_is_the_real_clock",
	 test_empty_itg_fixed_time_is_the_real_clock},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("timefmt", NULL, NULL, tests)
