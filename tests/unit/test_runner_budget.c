/*
 * Unit tests of pipelines/runner/budget: the IT Glue host a run extracts
 * from, its lock file's name, the wait limit, and the lock itself: taken at
 * once when free, waited for while another holds it, given up after the
 * limit (exit 4) or on a signal.
 */
#include "unit.h"

#include "../../pipelines/runner/budget.h"
#include "fsutil.h"
#include "lock.h"
#include "xalloc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void check_host(const char *region, const char *base_url, const char *want)
{
	char *got = budget_host(region, base_url);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_host_is_the_regions_or_the_base_urls(void)
{
	check_host(NULL, NULL, "api.itglue.com");
	check_host("us", NULL, "api.itglue.com");
	check_host("eu", "", "api.eu.itglue.com");
	check_host("au", NULL, "api.au.itglue.com");
	/* the scheme's own port is no part of the name: one host, one lock */
	check_host("us", "https://api.itglue.com", "api.itglue.com");
	check_host("us", "https://API.ITGlue.com:443/", "api.itglue.com");
	check_host("us", "https://api.itglue.com:8443", "api.itglue.com:8443");
	check_host("us", "http://127.0.0.1:8080", "127.0.0.1:8080");
	check_host("us", "http://localhost", "localhost");
	check_host("us", "not a url", "not a url");
}

static void test_lock_name_keeps_only_safe_bytes(void)
{
	char *n;

	n = budget_lock_name("api.itglue.com");
	CU_ASSERT_STRING_EQUAL(n, ".itglue-api.itglue.com.lock");
	free(n);
	n = budget_lock_name("127.0.0.1:8080");
	CU_ASSERT_STRING_EQUAL(n, ".itglue-127.0.0.1_8080.lock");
	free(n);
	n = budget_lock_name("[::1]:9/../x");
	CU_ASSERT_STRING_EQUAL(n, ".itglue-___1__9_.._x.lock");
	CU_ASSERT_PTR_NULL(strchr(n, '/'));
	free(n);
}

static void test_wait_limit_comes_from_the_environment(void)
{
	struct itg_err e = {0};
	long s = -1;

	unsetenv(BUDGET_WAIT_VAR);
	CU_ASSERT_EQUAL(budget_wait_limit(&s, &e), 0);
	CU_ASSERT_EQUAL(s, BUDGET_WAIT_DEFAULT);
	setenv(BUDGET_WAIT_VAR, "0", 1);
	CU_ASSERT_EQUAL(budget_wait_limit(&s, &e), 0);
	CU_ASSERT_EQUAL(s, 0);
	setenv(BUDGET_WAIT_VAR, "600", 1);
	CU_ASSERT_EQUAL(budget_wait_limit(&s, &e), 0);
	CU_ASSERT_EQUAL(s, 600);
	static const char *const bad[] = {"", "-1", "1h", " 5", "86401", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv(BUDGET_WAIT_VAR, bad[i], 1);
		CU_ASSERT_EQUAL(budget_wait_limit(&s, &e), -1);
		CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, BUDGET_WAIT_VAR));
	}
	unsetenv(BUDGET_WAIT_VAR);
}

static void test_durations_read_as_people_write_them(void)
{
	char d[32];

	budget_duration(7200, d);
	CU_ASSERT_STRING_EQUAL(d, "2 h");
	budget_duration(5400, d);
	CU_ASSERT_STRING_EQUAL(d, "1 h 30 min");
	budget_duration(300, d);
	CU_ASSERT_STRING_EQUAL(d, "5 min");
	budget_duration(90, d);
	CU_ASSERT_STRING_EQUAL(d, "1 min 30 s");
	budget_duration(0, d);
	CU_ASSERT_STRING_EQUAL(d, "0 s");
}

static int waits;
static void count_wait(void *arg)
{
	(void)arg;
	waits++;
}

static int stop_now(void)
{
	return 1;
}

/* Another open file description of the lock, locked: "another pipeline". */
static int hold(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

static void test_free_lock_is_taken_at_once_and_made_private(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".itglue-api.itglue.com.lock");
	struct budget_wait w = {.max_wait = 0, .waiting = count_wait};
	struct itg_err e = {0};
	struct stat st;
	int fd = -1, other;

	waits = 0;
	CU_ASSERT_EQUAL(budget_lock_take(path, "api.itglue.com", &w, &fd, &e), 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(waits, 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* held now: another taker must wait */
	other = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(other >= 0);
	CU_ASSERT_EQUAL(flock(other, LOCK_EX | LOCK_NB), -1);
	close(other);
	store_lock_release(fd);
	free(path);
	unit_rmtree(dir);
}

static void test_held_lock_is_given_up_after_the_limit(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".itglue-api.itglue.com.lock");
	struct budget_wait w = {.max_wait = 0, .poll_ms = 20, .waiting = count_wait};
	struct itg_err e = {0};
	int other = hold(path), fd = 0;

	waits = 0;
	CU_ASSERT_EQUAL(budget_lock_take(path, "api.itglue.com", &w, &fd, &e), -1);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "api.itglue.com"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "after 0 s"));
	CU_ASSERT_EQUAL(waits, 0);

	w.max_wait = 1;
	CU_ASSERT_EQUAL(budget_lock_take(path, "api.itglue.com", &w, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "after 1 s"));
	CU_ASSERT_EQUAL(waits, 1);
	CU_ASSERT(w.waited >= 1.0);

	w.max_wait = 60;
	w.stop = stop_now;
	CU_ASSERT_EQUAL(budget_lock_take(path, "api.itglue.com", &w, &fd, &e), 1);
	CU_ASSERT_EQUAL(fd, -1);
	close(other);
	free(path);
	unit_rmtree(dir);
}

/* A child holds the lock a moment: the wait ends when it lets go. */
static void test_wait_ends_when_the_other_lets_go(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".itglue-127.0.0.1_8080.lock");
	char *ready = fs_join(dir, "ready");
	struct budget_wait w = {.max_wait = 30, .poll_ms = 20, .waiting = count_wait};
	struct itg_err e = {0};
	struct timespec tick = {0, 10 * 1000 * 1000};
	int fd = -1, status;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct timespec hold_for = {0, 400 * 1000 * 1000};
		int h = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (h < 0 || flock(h, LOCK_EX) != 0)
			_exit(1);
		close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		nanosleep(&hold_for, NULL);
		_exit(0);
	}
	for (int i = 0; i < 500 && !fs_exists(ready); i++)
		nanosleep(&tick, NULL);
	CU_ASSERT_FATAL(fs_exists(ready));
	waits = 0;
	CU_ASSERT_EQUAL(budget_lock_take(path, "127.0.0.1:8080", &w, &fd, &e), 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(waits, 1);
	CU_ASSERT(w.waited > 0.1 && w.waited < 30);
	store_lock_release(fd);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(ready);
	free(path);
	unit_rmtree(dir);
}

static void test_lock_through_a_symbolic_link_is_refused(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, ".itglue-api.itglue.com.lock");
	char *target = fs_join(dir, "elsewhere");
	struct budget_wait w = {.max_wait = 0};
	struct itg_err e = {0};
	int fd = 0;

	CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
	CU_ASSERT_EQUAL(budget_lock_take(path, "api.itglue.com", &w, &fd, &e), -1);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT(!fs_exists(target));
	free(target);
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_host_is_the_regions_or_the_base_urls", test_host_is_the_regions_or_the_base_urls},
	{"test_lock_name_keeps_only_safe_bytes", test_lock_name_keeps_only_safe_bytes},
	{"test_wait_limit_comes_from_the_environment", test_wait_limit_comes_from_the_environment},
	{"test_durations_read_as_people_write_them", test_durations_read_as_people_write_them},
	{"test_free_lock_is_taken_at_once_and_made_private",
	 test_free_lock_is_taken_at_once_and_made_private},
	{"test_held_lock_is_given_up_after_the_limit", test_held_lock_is_given_up_after_the_limit},
	{"test_wait_ends_when_the_other_lets_go", test_wait_ends_when_the_other_lets_go},
	{"test_lock_through_a_symbolic_link_is_refused",
	 test_lock_through_a_symbolic_link_is_refused},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_budget", NULL, NULL, tests)
