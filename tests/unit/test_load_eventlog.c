/* Unit tests of load/eventlog: events encoded, then decoded as they were kept. */
#include "unit.h"

#include "../../load/eventlog.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_empty_log_has_no_events(void)
{
	struct eventlog l = {0};
	struct load_event ev = {0};
	size_t pos = 0;

	CU_ASSERT_FALSE(eventlog_next(&l, &pos, &ev));
	CU_ASSERT_EQUAL(l.nev, 0);
	CU_ASSERT_FALSE(eventlog_is_open(&l));
	CU_ASSERT_EQUAL(eventlog_open_fields(&l), 0);
	load_event_free(&ev);
	eventlog_free(&l);
}

static void test_event_with_fields_decodes_as_encoded(void)
{
	struct eventlog l = {0};
	struct load_event ev = {0};
	size_t pos = 0;

	eventlog_begin(&l, "import_user", "users", "", "name_match", EV_CREATE, 12);
	CU_ASSERT(eventlog_is_open(&l));
	eventlog_set_key(&l, "42");
	eventlog_add(&l, "first_name", "", "Ann");
	eventlog_add(&l, "email", NULL, "ann@acme.example");
	eventlog_add(&l, "notes", "a, \"b\"\nc", "");
	CU_ASSERT_EQUAL(eventlog_open_fields(&l), 3);
	CU_ASSERT_EQUAL(eventlog_end(&l), 1);
	CU_ASSERT_FALSE(eventlog_is_open(&l));
	CU_ASSERT_EQUAL(l.nev, 1);
	CU_ASSERT_EQUAL(l.nfields, 3);

	CU_ASSERT_FATAL(eventlog_next(&l, &pos, &ev));
	CU_ASSERT_STRING_EQUAL(ev.action, "import_user");
	CU_ASSERT_STRING_EQUAL(ev.table, "users");
	CU_ASSERT_STRING_EQUAL(ev.key, "42");
	CU_ASSERT_STRING_EQUAL(ev.reason, "name_match");
	CU_ASSERT_EQUAL(ev.kind, EV_CREATE);
	CU_ASSERT_EQUAL(ev.plan_line, 12);
	CU_ASSERT_EQUAL_FATAL(ev.nf, 3);
	CU_ASSERT_STRING_EQUAL(ev.f[0].field, "first_name");
	CU_ASSERT_STRING_EQUAL(ev.f[0].old, "");
	CU_ASSERT_STRING_EQUAL(ev.f[0].new, "Ann");
	CU_ASSERT_STRING_EQUAL(ev.f[1].field, "email");
	CU_ASSERT_STRING_EQUAL(ev.f[1].old, "");
	CU_ASSERT_STRING_EQUAL(ev.f[1].new, "ann@acme.example");
	CU_ASSERT_STRING_EQUAL(ev.f[2].field, "notes");
	CU_ASSERT_STRING_EQUAL(ev.f[2].old, "a, \"b\"\nc");
	CU_ASSERT_STRING_EQUAL(ev.f[2].new, "");
	CU_ASSERT_FALSE(eventlog_next(&l, &pos, &ev));
	load_event_free(&ev);
	eventlog_free(&l);
}

/*
 * Events come back in the order they were kept, whatever their sizes and
 * kinds; an event that recorded no field is not kept; "" and NULL reasons
 * read back as none; large numbers survive the varints.
 */
static void test_events_iterate_in_the_order_kept(void)
{
	enum { N = 300 };
	struct eventlog l = {0};
	struct load_event ev = {0};
	size_t pos = 0, seen = 0;
	char key[32], val[64];

	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "%d", i);
		eventlog_begin(&l, i % 2 ? "rename" : "unlink", i % 3 ? "organizations" : "links",
			       key, i % 5 == 0 ? NULL : i % 5 == 1 ? "" : "filtered_out",
			       (enum event_kind)(i % 3), 100000L * i);
		/* every seventh line changes nothing */
		for (int f = 0; i % 7 && f < i % 4 + 1; f++) {
			snprintf(val, sizeof val, "v%d.%d", i, f);
			eventlog_add(&l, f % 2 ? "name" : "last_sync", "", val);
		}
		CU_ASSERT_EQUAL(eventlog_end(&l), i % 7 != 0);
	}
	for (int i = 0; i < N; i++) {
		if (i % 7 == 0)
			continue;
		CU_ASSERT_FATAL(eventlog_next(&l, &pos, &ev));
		snprintf(key, sizeof key, "%d", i);
		CU_ASSERT_STRING_EQUAL(ev.key, key);
		CU_ASSERT_STRING_EQUAL(ev.action, i % 2 ? "rename" : "unlink");
		CU_ASSERT_STRING_EQUAL(ev.table, i % 3 ? "organizations" : "links");
		if (i % 5 < 2) {
			CU_ASSERT_PTR_NULL(ev.reason);
		} else {
			CU_ASSERT_STRING_EQUAL(ev.reason, "filtered_out");
		}
		CU_ASSERT_EQUAL(ev.kind, (enum event_kind)(i % 3));
		CU_ASSERT_EQUAL(ev.plan_line, 100000L * i);
		CU_ASSERT_EQUAL_FATAL(ev.nf, (size_t)(i % 4 + 1));
		for (size_t f = 0; f < ev.nf; f++) {
			snprintf(val, sizeof val, "v%d.%zu", i, f);
			CU_ASSERT_STRING_EQUAL(ev.f[f].field, f % 2 ? "name" : "last_sync");
			CU_ASSERT_STRING_EQUAL(ev.f[f].new, val);
		}
		seen++;
	}
	CU_ASSERT_FALSE(eventlog_next(&l, &pos, &ev));
	CU_ASSERT_EQUAL(seen, l.nev);
	/* names are interned: one copy of each, whatever the number of events */
	CU_ASSERT_EQUAL(l.nnames, 6);
	load_event_free(&ev);
	eventlog_free(&l);
}

/* A view's strings stay valid across the events that follow it. */
static void test_views_point_into_the_log(void)
{
	struct eventlog l = {0};
	struct load_event a = {0}, b = {0};
	size_t pos = 0;

	eventlog_begin(&l, "link", "links", "4/102", NULL, EV_CREATE, 1);
	eventlog_add(&l, "source", "", "auto");
	eventlog_end(&l);
	eventlog_begin(&l, "link", "organizations", "4", NULL, EV_UPDATE, 1);
	eventlog_add(&l, "last_sync", "", "2026-03-01T05:00:00.000Z");
	eventlog_end(&l);
	CU_ASSERT_FATAL(eventlog_next(&l, &pos, &a));
	CU_ASSERT_FATAL(eventlog_next(&l, &pos, &b));
	CU_ASSERT_STRING_EQUAL(a.key, "4/102");
	CU_ASSERT_STRING_EQUAL(a.f[0].new, "auto");
	CU_ASSERT_STRING_EQUAL(b.key, "4");
	CU_ASSERT_PTR_EQUAL(a.action, b.action);
	load_event_free(&a);
	load_event_free(&b);
	eventlog_free(&l);
	CU_ASSERT_EQUAL(l.nev, 0);
	CU_ASSERT_PTR_NULL(l.log.p);
}

/* Keeps n events of about 100 bytes, and one of `big` bytes in the middle. */
static void keep_many(struct eventlog *l, int n, size_t big)
{
	char key[32], val[96];
	char *huge = malloc(big + 1);

	memset(huge, 'x', big);
	huge[big] = '\0';
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%d", i);
		snprintf(val, sizeof val, "user%d@example.com, a value of some seventy bytes, %d", i, i);
		eventlog_begin(l, "import_user", "users", key, i % 2 ? "new_contact" : NULL,
			       EV_CREATE, i + 1);
		eventlog_add(l, "email", "", val);
		if (i == n / 2)
			eventlog_add(l, "notes", "", huge);
		eventlog_end(l);
	}
	free(huge);
}

static void check_many(const struct eventlog *l, int n, size_t big)
{
	struct load_event ev = {0};
	size_t pos = 0;
	char key[32], val[96];
	int i = 0, got;

	while ((got = eventlog_next(l, &pos, &ev)) > 0) {
		snprintf(key, sizeof key, "%d", i);
		snprintf(val, sizeof val, "user%d@example.com, a value of some seventy bytes, %d", i, i);
		CU_ASSERT_STRING_EQUAL(ev.key, key);
		CU_ASSERT_EQUAL(ev.plan_line, i + 1);
		CU_ASSERT_EQUAL_FATAL(ev.nf, (size_t)(i == n / 2 ? 2 : 1));
		CU_ASSERT_STRING_EQUAL(ev.f[0].new, val);
		if (i % 2) {
			CU_ASSERT_STRING_EQUAL(ev.reason, "new_contact");
		} else {
			CU_ASSERT_PTR_NULL(ev.reason);
		}
		if (i == n / 2) {
			CU_ASSERT_EQUAL(strlen(ev.f[1].new), big);
		}
		i++;
	}
	CU_ASSERT_EQUAL(got, 0);
	CU_ASSERT_EQUAL(i, n);
	load_event_free(&ev);
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

/*
 * A log given a folder moves its events into an unnamed file there, a
 * megabyte at a time, and reads them back as kept, an event bigger than
 * the read window too, by two views at once; no name ever appears in the
 * folder, and the memory holds only the events not moved yet.
 */
static void test_spilled_log_reads_back_as_kept(void)
{
	enum { N = 60000 };
	const size_t big = 3u << 20;
	char *dir = unit_tmpdir();
	struct eventlog l = {0};
	struct load_event a = {0}, b = {0};
	size_t pa = 0, pb = 0;

	CU_ASSERT_EQUAL_FATAL(eventlog_spill_to(&l, dir), 1);
	keep_many(&l, N, big);
	CU_ASSERT_EQUAL(l.nev, N);
	CU_ASSERT(l.flushed > big);
	CU_ASSERT(l.log.len < (2u << 20));
	CU_ASSERT_EQUAL(entries(dir), 0);
	check_many(&l, N, big);
	/* two views, one in the file and one further on, do not disturb each other */
	CU_ASSERT_FATAL(eventlog_next(&l, &pa, &a) == 1);
	for (int i = 0; i < N - 1; i++)
		CU_ASSERT_FATAL(eventlog_next(&l, &pb, &b) == 1);
	CU_ASSERT_STRING_EQUAL(a.key, "0");
	CU_ASSERT_STRING_EQUAL(b.key, "59998");
	load_event_free(&a);
	load_event_free(&b);
	eventlog_free(&l);
	CU_ASSERT_EQUAL(entries(dir), 0);
	unit_rmtree(dir);
}

/* Where no file can be made, the events stay in memory and read back the same. */
static void test_log_without_a_file_keeps_events_in_memory(void)
{
	enum { N = 20000 };
	struct eventlog l = {0};

	CU_ASSERT_EQUAL(eventlog_spill_to(&l, "/nonexistent/folder"), 0);
	CU_ASSERT_EQUAL(eventlog_spill_to(&l, NULL), 0);
	keep_many(&l, N, 10);
	CU_ASSERT_EQUAL(l.flushed, 0);
	check_many(&l, N, 10);
	eventlog_free(&l);
}

static CU_TestInfo tests[] = {
	{"test_empty_log_has_no_events", test_empty_log_has_no_events},
	{"test_event_with_fields_decodes_as_encoded", test_event_with_fields_decodes_as_encoded},
	{"test_events_iterate_in_the_order_kept", test_events_iterate_in_the_order_kept},
	{"test_views_point_into_the_log", test_views_point_into_the_log},
	{"test_spilled_log_reads_back_as_kept", test_spilled_log_reads_back_as_kept},
	{"test_log_without_a_file_keeps_events_in_memory",
	 test_log_without_a_file_keeps_events_in_memory},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_eventlog", NULL, NULL, tests)
