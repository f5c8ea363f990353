/* Unit tests of lib/lock: the store's and the pipeline's flock. */
#include "unit.h"

#include "fsutil.h"
#include "lock.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_held_lock_is_stale_naming_the_file(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".lock");
	struct itg_err e = {0};
	struct stat st;
	int a = -1, b = -1;

	CU_ASSERT_EQUAL_FATAL(lock_path_acquire(path, &a, &e), 0);
	CU_ASSERT(a >= 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	/* flock locks belong to the open file: a second open conflicts */
	CU_ASSERT_EQUAL(lock_path_acquire(path, &b, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT_EQUAL(b, -1);
	store_lock_release(a);
	err_clear(&e);
	CU_ASSERT_EQUAL(lock_path_acquire(path, &b, &e), 0);
	store_lock_release(b);
	free(path);
	unit_rmtree(dir);
}

static void test_lock_is_not_inherited_by_programs(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	int fd = -1;

	CU_ASSERT_EQUAL_FATAL(store_lock_acquire(dir, &fd, &e), 0);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	store_lock_release(fd);
	unit_rmtree(dir);
}

static void test_lock_does_not_follow_a_symbolic_link(void)
{
	char *dir = unit_tmpdir();
	char *target = fs_join(dir, "elsewhere");
	char *path = fs_join(dir, ".lock");
	struct itg_err e = {0};
	int fd = -1;

	CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
	CU_ASSERT_EQUAL(store_lock_acquire(dir, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/.lock is a symbolic link: the store's files must "
					     "be plain files"));
	CU_ASSERT(!fs_exists(target));
	CU_ASSERT_EQUAL(store_lock_shared(dir, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(!fs_exists(target));
	free(target);
	free(path);
	unit_rmtree(dir);
}

static void test_shared_lock_without_a_file_creates_nothing(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".lock");
	struct itg_err e = {0};
	int fd = 5;

	CU_ASSERT_EQUAL(store_lock_shared(dir, &fd, &e), 0);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT(!fs_exists(path));
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_held_lock_is_stale_naming_the_file", test_held_lock_is_stale_naming_the_file},
	{"test_lock_is_not_inherited_by_programs", test_lock_is_not_inherited_by_programs},
	{"test_lock_does_not_follow_a_symbolic_link", test_lock_does_not_follow_a_symbolic_link},
	{"test_shared_lock_without_a_file_creates_nothing",
	 test_shared_lock_without_a_file_creates_nothing},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("lock", NULL, NULL, tests)
