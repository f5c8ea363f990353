/*
 * unit.h - self-registering CUnit suites.
 *
 * Each tests/unit/test_<module>.c ends with
 *     static CU_TestInfo tests[] = { {"test_name", fn}, ..., CU_TEST_INFO_NULL };
 *     UNIT_SUITE("module", NULL, NULL, tests)
 * and the one runner (runner.c) registers every suite in name order.
 */
#ifndef ITG_UNIT_H
#define ITG_UNIT_H

#include <CUnit/CUnit.h>

void unit_register(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
		   CU_TestInfo *tests);

#define UNIT_SUITE(name, init, clean, tests)                                   \
	__attribute__((constructor)) static void unit_register_this_suite(void) \
	{                                                                      \
		unit_register(name, init, clean, tests);                       \
	}

/* A fresh private temporary folder for a test (caller frees; removed by unit_rmtree). */
char *unit_tmpdir(void);
void unit_rmtree(char *dir);   /* removes and frees */
/* Writes a file (creating it 0600); returns 0 or -1. */
int unit_write_file(const char *path, const char *text);
/* Path of a file under the repository's top folder (caller frees). */
char *unit_repo_path(const char *rel);

#endif
