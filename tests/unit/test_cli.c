/*
 * Unit tests of lib/cli.c's key files: what is refused, at once and with
 * a message saying what the file is, and what is read.
 */
#include "unit.h"

#include "cli.h"
#include "fsutil.h"
#include "xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Reads path as a key file; the key must never be in the message. */
static int read_key(const char *path, char **key, struct itg_err *e)
{
	int rc;

	err_clear(e);
	*key = NULL;
	rc = cli_read_key_file(path, key, e);
	if (rc != 0) {
		CU_ASSERT_PTR_NULL(*key);
		CU_ASSERT_EQUAL(e->code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NULL(strstr(e->msg, "ITG.secret"));
	}
	return rc;
}

static void test_key_file_that_is_a_fifo_is_refused_at_once(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "key");
	struct itg_err e = {0};
	struct timespec t0, t1;
	char *key;

	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	/* a blocking open would wait for a writer forever: the alarm ends the run */
	alarm(10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	CU_ASSERT(t1.tv_sec - t0.tv_sec < 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a FIFO, not a regular file: put the key in a "
					     "plain file, mode 600"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	free(path);
	unit_rmtree(dir);
}

static void test_key_file_that_is_a_symbolic_link_is_refused_naming_it(void)
{
	char *dir = unit_tmpdir();
	char *real = fs_join(dir, "real");
	char *link = fs_join(dir, "link");
	struct itg_err e = {0};
	char *key;

	unit_write_file(real, "ITG.secret\n");
	chmod(real, 0600);
	CU_ASSERT_EQUAL_FATAL(symlink(real, link), 0);
	CU_ASSERT_EQUAL(read_key(link, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a symbolic link: name the file itself, not a "
					     "link to it"));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "Too many levels"));
	/* a dangling link too */
	unlink(real);
	CU_ASSERT_EQUAL(read_key(link, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a symbolic link"));
	free(real);
	free(link);
	unit_rmtree(dir);
}

static void test_key_file_that_is_a_folder_or_a_device_is_refused(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	char *key;

	CU_ASSERT_EQUAL(read_key(dir, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a folder, not a regular file"));
	CU_ASSERT_EQUAL(read_key("/dev/null", &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/dev/null is a character device, not a regular"));
	unit_rmtree(dir);
}

static void test_key_file_readable_by_others_empty_or_too_large_is_refused(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "key");
	struct itg_err e = {0};
	char *big = xmalloc(CLI_KEY_FILE_MAX + 2);
	char *key;

	unit_write_file(path, "ITG.secret\n");
	chmod(path, 0640);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "readable by others (mode 640): run chmod 600"));
	chmod(path, 0604);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mode 604"));
	unit_write_file(path, "");
	chmod(path, 0600);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "holds no single-line key: put the key alone"));
	unit_write_file(path, "ITG.secret\nITG.secret2\n");
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "holds no single-line key: put the key alone"));
	memset(big, 'k', CLI_KEY_FILE_MAX + 1);
	big[CLI_KEY_FILE_MAX + 1] = '\0';
	unit_write_file(path, big);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "holds 4097 bytes, more than a key (at most 4096)"));
	CU_ASSERT_EQUAL(read_key(dir, &key, &e), -1);   /* sanity: still a folder */
	unlink(path);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot read API key file"));
	free(big);
	free(path);
	unit_rmtree(dir);
}

static void test_key_file_private_and_plain_is_read_and_trimmed(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "key");
	struct itg_err e = {0};
	char *saved = getenv("ITGLUE_API_KEY") ? xstrdup(getenv("ITGLUE_API_KEY")) : NULL;
	char *key;

	unit_write_file(path, "ITG.secret \r\n");
	chmod(path, 0600);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), 0);
	CU_ASSERT_STRING_EQUAL(key, "ITG.secret");
	cli_forget_key(key);
	chmod(path, 0400);
	CU_ASSERT_EQUAL(read_key(path, &key, &e), 0);
	cli_forget_key(key);
	/* cli_load_api_key: the environment first, else the same file rules */
	setenv("ITGLUE_API_KEY", "ITG.from-env", 1);
	CU_ASSERT_EQUAL(cli_load_api_key(dir, &key, &e), 0);
	CU_ASSERT_STRING_EQUAL(key, "ITG.from-env");
	cli_forget_key(key);
	unsetenv("ITGLUE_API_KEY");
	CU_ASSERT_EQUAL(cli_load_api_key(dir, &key, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a folder"));
	CU_ASSERT_EQUAL(cli_load_api_key(path, &key, &e), 0);
	CU_ASSERT_STRING_EQUAL(key, "ITG.secret");
	cli_forget_key(key);
	if (saved) {
		setenv("ITGLUE_API_KEY", saved, 1);
		free(saved);
	}
	free(path);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"key_file_that_is_a_fifo_is_refused_at_once", test_key_file_that_is_a_fifo_is_refused_at_once},
	{"key_file_that_is_a_symbolic_link_is_refused_naming_it", test_key_file_that_is_a_symbolic_link_is_refused_naming_it},
	{"key_file_that_is_a_folder_or_a_device_is_refused", test_key_file_that_is_a_folder_or_a_device_is_refused},
	{"key_file_readable_by_others_empty_or_too_large_is_refused", test_key_file_readable_by_others_empty_or_too_large_is_refused},
	{"key_file_private_and_plain_is_read_and_trimmed", test_key_file_private_and_plain_is_read_and_trimmed},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("cli", NULL, NULL, tests)
