/*
 * fuzz_pipeline.c - pipeline_load on an arbitrary pipeline YAML file.
 *
 * Checks: a refusal is a configuration error naming the file, and leaves
 * nothing to free (LeakSanitizer would see it); an accepted file has a name,
 * a product, a store, and only values from the contract's lists.
 */
#include "fuzz_util.h"

#include "pipeline.h"

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline p;
	struct itg_err e = {0};
	const char *path = fuzz_write_file("pipe.yaml", data, size);

	if (pipeline_load(path, &p, &e) != 0) {
		FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
		FUZZ_CHECK(strstr(e.msg, "pipe.yaml") != NULL, "message does not name the file: %s", e.msg);
		return 0;
	}
	FUZZ_CHECK(p.name != NULL, "no name");
	FUZZ_CHECK(p.product == PRODUCT_BULLPHISH || p.product == PRODUCT_DARKWEBID, "product %d",
		   (int)p.product);
	FUZZ_CHECK(p.default_employee_count && in_list(p.default_employee_count, pipeline_employee_counts),
		   "employee count %s", p.default_employee_count ? p.default_employee_count : "(null)");
	FUZZ_CHECK(p.default_industry && in_list(p.default_industry, pipeline_industries), "industry %s",
		   p.default_industry ? p.default_industry : "(null)");
	for (size_t i = 0; i < p.n_overrides; i++) {
		const struct import_override *o = &p.overrides[i];
		FUZZ_CHECK(!o->employee_count || in_list(o->employee_count, pipeline_employee_counts),
			   "override employee count %s", o->employee_count);
		FUZZ_CHECK(!o->industry || in_list(o->industry, pipeline_industries),
			   "override industry %s", o->industry);
	}
	FUZZ_CHECK(p.auto_link >= AUTO_LINK_OFF && p.auto_link <= AUTO_LINK_FUZZY, "auto_link %d",
		   (int)p.auto_link);
	FUZZ_CHECK(p.fuzzy_threshold >= 0 && p.fuzzy_threshold <= 1, "threshold %g", p.fuzzy_threshold);
	pipeline_free(&p);
	return 0;
}
