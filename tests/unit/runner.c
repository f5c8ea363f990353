/*
 * The one CUnit runner: every suite registered by UNIT_SUITE, in name order.
 * `unit-tests [SUITE...]` runs only the named suites.  Exits non-zero when
 * any test, assertion or suite set-up failed (CU_basic_run_tests does not).
 */
#include "unit.h"
#include "fsutil.h"
#include "xalloc.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SUITES 128

struct suite_def {
	const char *name;
	CU_InitializeFunc init;
	CU_CleanupFunc clean;
	CU_TestInfo *tests;
};

static struct suite_def suites[MAX_SUITES];
static int nsuites;

void unit_register(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
		   CU_TestInfo *tests)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "unit-tests: too many suites\n");
		exit(2);
	}
	suites[nsuites++] = (struct suite_def){name, init, clean, tests};
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct suite_def *)a)->name, ((const struct suite_def *)b)->name);
}

char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/itg-unit.XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	return dir;
}

void unit_rmtree(char *dir)
{
	if (dir)
		fs_remove_tree(dir);
	free(dir);
}

int unit_write_file(const char *path, const char *text)
{
	struct itg_err e = {0};

	return fs_write_atomic(path, text, strlen(text), 0600, &e);
}

char *unit_repo_path(const char *rel)
{
	const char *top = getenv("ITG_REPO");

	return fs_join(top && *top ? top : ".", rel);
}

int main(int argc, char **argv)
{
	unsigned failed;

	qsort(suites, (size_t)nsuites, sizeof suites[0], by_name);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (int i = 0; i < nsuites; i++) {
		CU_pSuite s;
		int wanted = argc < 2;
		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], suites[i].name) == 0)
				wanted = 1;
		if (!wanted)
			continue;
		s = CU_add_suite(suites[i].name, suites[i].init, suites[i].clean);
		for (CU_TestInfo *t = suites[i].tests; t && t->pName; t++)
			CU_add_test(s, t->pName, t->pTestFunc);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed() +
		 CU_get_number_of_failures();
	printf("\nunit: %u passed, %u failed\n",
	       CU_get_number_of_tests_run() - CU_get_number_of_tests_failed(),
	       CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
