/*
 * Unit tests of lib/yamlget: typed values out of a YAML tree, and the
 * "FILE:LINE:COL: KEYPATH: message" of each refusal.  (The pipeline's own
 * keys are test_pipeline.c's.)
 */
#include "unit.h"

#include "yamlget.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A document parsed from text, read as file t.yaml in folder /base. */
struct doc {
	struct ynode *root;
	struct itg_err e;
	struct yget g;
};

static void doc_open(struct doc *d, const char *text)
{
	memset(d, 0, sizeof *d);
	CU_ASSERT_EQUAL_FATAL(yaml_to_tree("t.yaml", text, strlen(text), &d->root, &d->e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->root);
	d->g.path = "t.yaml";
	d->g.dir = "/base";
	d->g.e = &d->e;
}

/* The value of the top-level key `key`. */
static const struct ynode *value(const struct doc *d, const char *key)
{
	for (size_t i = 0; i + 1 < d->root->n; i += 2)
		if (!strcmp(d->root->kids[i]->text, key))
			return d->root->kids[i + 1];
	CU_FAIL_FATAL("no such key in the test document");
	return NULL;
}

static void doc_close(struct doc *d)
{
	ynode_free(d->root);
}

static void test_bool_is_only_plain_true_or_false(void)
{
	struct doc d;
	int b = 7;

	doc_open(&d, "a: true\nb: false\nc: yes\nd: \"true\"\n");
	CU_ASSERT(yget_bool(&d.g, value(&d, "a"), "a", &b) == 0 && b == 1);
	CU_ASSERT(yget_bool(&d.g, value(&d, "b"), "b", &b) == 0 && b == 0);
	b = 7;
	CU_ASSERT_EQUAL(yget_bool(&d.g, value(&d, "c"), "x.c", &b), -1);
	CU_ASSERT_EQUAL(b, 7);
	CU_ASSERT_EQUAL(d.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:3:4: x.c: \"yes\" is not a boolean, write true or false");
	CU_ASSERT_EQUAL(yget_bool(&d.g, value(&d, "d"), "d", &b), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:4:4: d: \"true\" is not a boolean, write true or false");
	doc_close(&d);
}

static void test_whole_numbers_stay_within_their_range(void)
{
	struct doc d;
	long long n = -1;
	long l = -1;

	doc_open(&d, "a: 32\nb: 33\nc: 0x10\nd: \"5\"\ne: 5.0\n");
	CU_ASSERT(yget_int(&d.g, value(&d, "a"), "a", 1, 32, &n) == 0 && n == 32);
	CU_ASSERT(yget_long(&d.g, value(&d, "a"), "a", 1, 32, &l) == 0 && l == 32);
	n = -1;
	CU_ASSERT_EQUAL(yget_int(&d.g, value(&d, "b"), "b", 1, 32, &n), -1);
	CU_ASSERT_EQUAL(n, -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:2:4: b: \"33\" is not a whole number from 1 to 32");
	CU_ASSERT_EQUAL(yget_long(&d.g, value(&d, "c"), "c", 0, 100, &l), -1);
	CU_ASSERT_EQUAL(l, 32);
	CU_ASSERT_EQUAL(yget_int(&d.g, value(&d, "d"), "d", 0, 100, &n), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:4:4: d: \"5\" is not a whole number from 0 to 100");
	CU_ASSERT_EQUAL(yget_int(&d.g, value(&d, "e"), "e", 0, 100, &n), -1);
	doc_close(&d);
}

static void test_numbers_honour_an_open_lower_bound(void)
{
	struct doc d;
	double x = -1;

	doc_open(&d, "a: 0\nb: 0.5\nc: .inf\nd: nan\ne: 1e6\n");
	CU_ASSERT(yget_number(&d.g, value(&d, "a"), "a", 0, 0, 1, &x) == 0 && x == 0);
	x = -1;
	CU_ASSERT_EQUAL(yget_number(&d.g, value(&d, "a"), "r", 0, 1, 1e6, &x), -1);
	CU_ASSERT_EQUAL(x, -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:1:4: r: \"0\" is not a number in (0, 1e+06]");
	CU_ASSERT(yget_number(&d.g, value(&d, "b"), "b", 0, 1, 1, &x) == 0 && x == 0.5);
	CU_ASSERT_EQUAL(yget_number(&d.g, value(&d, "c"), "c", 0, 0, 1e9, &x), -1);
	CU_ASSERT_EQUAL(yget_number(&d.g, value(&d, "d"), "d", 0, 0, 1e9, &x), -1);
	CU_ASSERT(yget_number(&d.g, value(&d, "e"), "e", 0, 1, 1e6, &x) == 0 && x == 1e6);
	CU_ASSERT_EQUAL(yget_number(&d.g, value(&d, "e"), "e", 0, 0, 1, &x), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:5:4: e: \"1e6\" is not a number in [0, 1]");
	doc_close(&d);
}

static void test_choices_are_spelled_exactly_and_listed_on_error(void)
{
	static const char *const regions[] = {"us", "eu", "au", NULL};
	struct doc d;
	char *s = NULL;
	int i = -1;

	doc_open(&d, "a: eu\nb: EU\n");
	CU_ASSERT(yget_choice(&d.g, value(&d, "a"), "a", regions, &i) == 0 && i == 1);
	CU_ASSERT_EQUAL(yget_choice(&d.g, value(&d, "b"), "itglue.region", regions, &i), -1);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:2:4: itglue.region: \"EU\" is not one of us, eu, au");
	/* the previous string is freed (LeakSanitizer would say so) and replaced by a copy */
	s = malloc(8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	strcpy(s, "before");
	CU_ASSERT_EQUAL(yget_choice_str(&d.g, value(&d, "a"), "a", regions, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "eu");
	CU_ASSERT_PTR_NOT_EQUAL(s, regions[1]);
	CU_ASSERT_EQUAL(yget_choice_str(&d.g, value(&d, "b"), "b", regions, &s), -1);
	CU_ASSERT_STRING_EQUAL(s, "eu");
	free(s);
	doc_close(&d);
}

static void test_strings_and_paths_need_a_value(void)
{
	struct doc d;
	char *s = NULL;

	doc_open(&d, "a: plain\nb: \"\"\nc: ~\nd: rel/key\ne: /abs/key\nf:\n  - x\n");
	CU_ASSERT_EQUAL(yget_string(&d.g, value(&d, "a"), "a", &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "plain");
	CU_ASSERT_EQUAL(yget_string(&d.g, value(&d, "b"), "b", &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:2:4: b: is empty, give a value or remove the key");
	CU_ASSERT_EQUAL(yget_path(&d.g, value(&d, "b"), "b", &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:2:4: b: is empty, give a path or remove the key");
	CU_ASSERT_EQUAL(yget_string(&d.g, value(&d, "c"), "c", &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:3:4: c: has no value, give one or remove the key");
	CU_ASSERT_EQUAL(yget_string(&d.g, value(&d, "f"), "f", &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:7:3: f: expected a single value, found a list");
	CU_ASSERT_STRING_EQUAL(s, "plain");
	CU_ASSERT_EQUAL(yget_path(&d.g, value(&d, "d"), "d", &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "/base/rel/key");
	CU_ASSERT_EQUAL(yget_path(&d.g, value(&d, "e"), "e", &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "/abs/key");
	free(s);
	doc_close(&d);
}

static void test_null_and_kind_names(void)
{
	struct doc d;

	doc_open(&d, "a: ~\nb: null\nc:\nd: \"null\"\ne: {x: 1}\nf: [1]\n");
	CU_ASSERT(yget_is_null(value(&d, "a")));
	CU_ASSERT(yget_is_null(value(&d, "b")));
	CU_ASSERT(yget_is_null(value(&d, "c")));
	CU_ASSERT(!yget_is_null(value(&d, "d")));
	CU_ASSERT(!yget_is_null(value(&d, "e")));
	CU_ASSERT_STRING_EQUAL(yget_kind_name(value(&d, "d")), "a single value");
	CU_ASSERT_STRING_EQUAL(yget_kind_name(value(&d, "e")), "a mapping");
	CU_ASSERT_STRING_EQUAL(yget_kind_name(value(&d, "f")), "a list");
	CU_ASSERT_EQUAL(yget_scalar(&d.g, value(&d, "e"), "e"), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:5:4: e: expected a single value, found a mapping");
	CU_ASSERT_EQUAL(yget_scalar(&d.g, value(&d, "d"), "d"), 0);
	CU_ASSERT_EQUAL(yget_fail(&d.g, value(&d, "f"), "", "no key path %d", 1), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:6:4: no key path 1");
	doc_close(&d);
}

/* Records the key paths it is handed; knows only "a" and "b". */
struct seen {
	char paths[4][64];
	int n;
};

static int on_key(struct yget *g, const char *key, const struct ynode *k, const struct ynode *v,
		  const char *kp, void *arg)
{
	struct seen *s = arg;

	(void)k;
	(void)v;
	CU_ASSERT_PTR_NOT_NULL(g->user);
	if (strcmp(key, "a") && strcmp(key, "b"))
		return 1;
	if (s->n < 4)
		snprintf(s->paths[s->n++], sizeof s->paths[0], "%s", kp);
	return 0;
}

static void test_map_hands_each_key_with_its_path(void)
{
	struct doc d;
	struct seen s = {0};
	int user = 1;

	doc_open(&d, "top:\n  a: 1\n  b: 2\n");
	d.g.user = &user;
	CU_ASSERT_EQUAL(yget_map(&d.g, value(&d, "top"), "top", on_key, &s), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.paths[0], "top.a");
	CU_ASSERT_STRING_EQUAL(s.paths[1], "top.b");
	s.n = 0;
	CU_ASSERT_EQUAL(yget_map(&d.g, d.root, "", on_key, &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:1:1: top: unknown key, remove it or check its spelling");
	doc_close(&d);
}

static void test_map_refuses_duplicates_and_non_mappings(void)
{
	struct doc d;
	struct seen s = {0};
	int user = 1;

	doc_open(&d, "m:\n  a: 1\n  b: 2\n  a: 3\nn:\no: [1]\np:\n  [x]: 1\n");
	d.g.user = &user;
	CU_ASSERT_EQUAL(yget_map(&d.g, value(&d, "m"), "m", on_key, &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:4:3: m.a: duplicate key (first at line 2), keep one");
	CU_ASSERT_EQUAL(yget_map(&d.g, value(&d, "n"), "n", on_key, &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:5:3: n: expected a mapping (key: value lines), found nothing");
	CU_ASSERT_EQUAL(yget_map(&d.g, value(&d, "o"), "o", on_key, &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg,
			       "t.yaml:6:4: o: expected a mapping (key: value lines), found a list");
	CU_ASSERT_EQUAL(yget_map(&d.g, value(&d, "p"), "p", on_key, &s), -1);
	CU_ASSERT_STRING_EQUAL(d.e.msg, "t.yaml:8:3: p: keys must be plain words, found a list");
	doc_close(&d);
}

static CU_TestInfo tests[] = {
	{"test_bool_is_only_plain_true_or_false", test_bool_is_only_plain_true_or_false},
	{"test_whole_numbers_stay_within_their_range", test_whole_numbers_stay_within_their_range},
	{"test_numbers_honour_an_open_lower_bound", test_numbers_honour_an_open_lower_bound},
	{"test_choices_are_spelled_exactly_and_listed_on_error",
	 test_choices_are_spelled_exactly_and_listed_on_error},
	{"test_strings_and_paths_need_a_value", test_strings_and_paths_need_a_value},
	{"test_null_and_kind_names", test_null_and_kind_names},
	{"test_map_hands_each_key_with_its_path", test_map_hands_each_key_with_its_path},
	{"test_map_refuses_duplicates_and_non_mappings",
	 test_map_refuses_duplicates_and_non_mappings},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("yamlget", NULL, NULL, tests)
