/*
 * renames.c - rule 5, docs/rules.md 13.
 *
 * "If you ... edit an SMB organization name, for example, testingorg7 to
 * testingorg5, the organization name of BullPhish ID changes."  Every link
 * that exists after the plan, those this plan makes included, takes the IT
 * Glue name when the names differ at all (case and spacing included).  An
 * empty IT Glue name never renames.
 */
#include "rules.h"

#include <string.h>

int renames_write(const struct model *m, struct plan_writer *w, struct itg_err *e)
{
	for (size_t i = 0; i < m->norgs; i++) {
		const struct itg_org *g = &m->orgs[i];
		if (!g->link || !*g->name || !strcmp(g->link->name, g->name))
			continue;
		if (plan_write_rename(w, g->link->id, g->id, g->link->name, g->name, e) != 0)
			return -1;
	}
	return 0;
}
