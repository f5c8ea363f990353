/* Unit tests of pipelines/runner/rundir: run ids, run folders, latest, retention. */
#include "unit.h"

#include "../../pipelines/runner/rundir.h"
#include "fsutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_run_id_is_the_utc_time(void)
{
	char id[RUN_ID_LEN + 1];

	runid_format(0, id);
	CU_ASSERT_STRING_EQUAL(id, "19700101T000000Z");
	runid_format(1764547200 + 3600 * 23 + 60 * 59 + 58, id);
	CU_ASSERT_STRING_EQUAL(id, "20251201T235958Z");
	CU_ASSERT(runid_valid(id));
}

static void test_run_id_shape_is_checked(void)
{
	CU_ASSERT(runid_valid("20260101T000000Z"));
	CU_ASSERT(!runid_valid("20260101T000000"));
	CU_ASSERT(!runid_valid("20260101T000000ZZ"));
	CU_ASSERT(!runid_valid("2026010100000000"));
	CU_ASSERT(!runid_valid("2026010aT000000Z"));
	CU_ASSERT(!runid_valid("latest"));
	CU_ASSERT(!runid_valid(""));
}

static void test_retention_keeps_the_newest_runs(void)
{
	char *names[] = {"20260103T000000Z", "20260101T000000Z", "20260105T000000Z",
			 "20260102T000000Z", "20260104T000000Z"};
	char *remove[5];
	size_t k = retention_choose(names, 5, 2, NULL, NULL, remove);

	CU_ASSERT_EQUAL_FATAL(k, 3);
	CU_ASSERT_STRING_EQUAL(remove[0], "20260101T000000Z");
	CU_ASSERT_STRING_EQUAL(remove[1], "20260102T000000Z");
	CU_ASSERT_STRING_EQUAL(remove[2], "20260103T000000Z");
}

static void test_retention_never_removes_latest_or_the_current_run(void)
{
	char *names[] = {"20260101T000000Z", "20260102T000000Z", "20260103T000000Z",
			 "20260104T000000Z"};
	char *remove[4];
	/* latest names an old run (the newer ones failed); a clock set back
	 * made the current run's id sort first */
	size_t k = retention_choose(names, 4, 1, "20260102T000000Z", "20260101T000000Z", remove);

	CU_ASSERT_EQUAL_FATAL(k, 1);
	CU_ASSERT_STRING_EQUAL(remove[0], "20260103T000000Z");
}

static void test_retention_of_zero_keeps_one(void)
{
	char *names[] = {"20260101T000000Z", "20260102T000000Z"};
	char *remove[2];

	CU_ASSERT_EQUAL_FATAL(retention_choose(names, 2, 0, NULL, NULL, remove), 1);
	CU_ASSERT_STRING_EQUAL(remove[0], "20260101T000000Z");
	CU_ASSERT_EQUAL(retention_choose(names, 2, 5, NULL, NULL, remove), 0);
	CU_ASSERT_EQUAL(retention_choose(names, 0, 1, NULL, NULL, remove), 0);
}

static void test_run_folder_waits_out_a_collision(void)
{
	char *out = unit_tmpdir();
	char taken[RUN_ID_LEN + 1], id[RUN_ID_LEN + 1];
	char *dir = NULL, *path;
	struct itg_err e = {0};
	struct stat st;

	runid_format(time(NULL), taken);
	path = fs_join(out, taken);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(rundir_create(out, id, &dir, &e), 0);
	CU_ASSERT(strcmp(id, taken) > 0);
	CU_ASSERT(runid_valid(id));
	CU_ASSERT_EQUAL(stat(dir, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	free(path);
	free(dir);
	unit_rmtree(out);
}

static void test_latest_is_replaced_by_a_link_to_the_run(void)
{
	char *out = unit_tmpdir();
	char *latest = fs_join(out, RUNDIR_LATEST);
	struct itg_err e = {0};
	char target[PATH_MAX];
	ssize_t n;
	struct dirent *de;
	DIR *d;
	int others = 0;

	CU_ASSERT_EQUAL_FATAL(rundir_point_latest(out, "20260101T000000Z", &e), 0);
	CU_ASSERT_EQUAL_FATAL(rundir_point_latest(out, "20260102T000000Z", &e), 0);
	n = readlink(latest, target, sizeof target - 1);
	CU_ASSERT_EQUAL_FATAL(n, RUN_ID_LEN);
	target[n] = '\0';
	CU_ASSERT_STRING_EQUAL(target, "20260102T000000Z");
	d = opendir(out);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, RUNDIR_LATEST))
			others++;
	if (d)
		closedir(d);
	CU_ASSERT_EQUAL(others, 0);
	free(latest);
	unit_rmtree(out);
}

static void count_removed(const char *id, int ok, void *arg)
{
	(void)id;
	if (ok)
		(*(int *)arg)++;
}

static void make_dir(const char *out, const char *name)
{
	char *path = fs_join(out, name);

	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	free(path);
}

static int exists_in(const char *out, const char *name)
{
	char *path = fs_join(out, name);
	int rc = fs_exists(path);

	free(path);
	return rc;
}

static void test_prune_removes_only_old_run_folders(void)
{
	char *out = unit_tmpdir();
	char *elsewhere = unit_tmpdir();
	char *link_path = fs_join(out, "20250101T000000Z");
	char *latest = fs_join(out, RUNDIR_LATEST);
	struct itg_err e = {0};
	int removed = 0;

	make_dir(out, "20260101T000000Z");
	make_dir(out, "20260102T000000Z");
	make_dir(out, "20260103T000000Z");
	make_dir(out, "20260104T000000Z");
	make_dir(out, "20260105T000000Z");
	make_dir(out, "notes");
	/* a link shaped like a run id is not a run folder of ours */
	CU_ASSERT_EQUAL(symlink(elsewhere, link_path), 0);
	CU_ASSERT_EQUAL(symlink("20260101T000000Z", latest), 0);
	CU_ASSERT_EQUAL(rundir_prune(out, 2, "20260105T000000Z", count_removed, &removed, &e), 0);
	CU_ASSERT_EQUAL(removed, 2);
	CU_ASSERT(exists_in(out, "20260101T000000Z"));   /* latest */
	CU_ASSERT(!exists_in(out, "20260102T000000Z"));
	CU_ASSERT(!exists_in(out, "20260103T000000Z"));
	CU_ASSERT(exists_in(out, "20260104T000000Z"));
	CU_ASSERT(exists_in(out, "20260105T000000Z"));
	CU_ASSERT(exists_in(out, "notes"));
	CU_ASSERT(exists_in(out, "20250101T000000Z"));
	CU_ASSERT(fs_is_dir(elsewhere));
	free(link_path);
	free(latest);
	unit_rmtree(elsewhere);
	unit_rmtree(out);
}

static CU_TestInfo tests[] = {
	{"test_run_id_is_the_utc_time", test_run_id_is_the_utc_time},
	{"test_run_id_shape_is_checked", test_run_id_shape_is_checked},
	{"test_retention_keeps_the_newest_runs", test_retention_keeps_the_newest_runs},
	{"test_retention_never_removes_latest_or_the_current_run",
	 test_retention_never_removes_latest_or_the_current_run},
	{"test_retention_of_zero_keeps_one", test_retention_of_zero_keeps_one},
	{"test_run_folder_waits_out_a_collision", test_run_folder_waits_out_a_collision},
	{"test_latest_is_replaced_by_a_link_to_the_run", test_latest_is_replaced_by_a_link_to_the_run},
	{"test_prune_removes_only_old_run_folders", test_prune_removes_only_old_run_folders},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_rundir", NULL, NULL, tests)
