/*
 * generate.c - a deterministic IT Glue data set of any size.
 */
#include <stdlib.h>

#include "mock.h"
#include "xalloc.h"

struct mock_gen {
	long orgs;
};

int mock_data_generate(struct mock_data *d, const struct mock_gen_params *p, struct itg_err *e)
{
	if (p)
		return err_set(e, ITG_EXIT_USAGE, "--generate is not available yet: use --data");
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
		mock_table_index(&d->t[r]);
	return 0;
}

void mock_gen_render(const struct mock_gen *gen, int r, uint32_t src, yajl_gen g)
{
	(void)gen;
	(void)r;
	(void)src;
	yajl_gen_null(g);
}

void mock_gen_free(struct mock_gen *gen)
{
	free(gen);
}
