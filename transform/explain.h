/*
 * explain.h - itg-transform --explain ORG: every rule's decision for one
 * organization, in plain words, for an operator asking "why was X not
 * linked?" without reading the code (docs/man/itg-transform.1).
 *
 * The decisions are those of the plan made from the same inputs: the
 * explanation reads the judged model, the plan file written from it, and
 * the snapshot's contacts or domains of the organization.
 *
 * Ownership: struct explain_hits borrows the model's organizations;
 * explain_hits_free frees only its arrays.
 */
#ifndef ITG_TRANSFORM_EXPLAIN_H
#define ITG_TRANSFORM_EXPLAIN_H

#include <stdio.h>

#include "model.h"

struct explain_hits {
	struct itg_org **itg;     /* ascending IT Glue id */
	size_t nitg;
	struct prod_org **prod;   /* ascending product id */
	size_t nprod;
};

/*
 * The organizations ORG names, on both sides: first an id (digits) or a
 * name as written; if none, a name equal after trimming and case folding;
 * if none, an equal normalized key (docs/rules.md 7).  No match is
 * ITG_EXIT_USAGE, the message listing the closest names (trigram
 * similarity) with their ids.
 */
int explain_find(const struct model *m, const char *query, struct explain_hits *h,
		 struct itg_err *e);
void explain_hits_free(struct explain_hits *h);

/*
 * Prints to out, for each organization of h in turn: scope, its links and
 * their judgement, its name key and the auto-link candidates on the other
 * side, import selection and licenses, its state after the plan, and its
 * contacts (BullPhish ID) or domains (Dark Web ID) in short.  plan_path is
 * the plan.ndjson made from m.  Errors: the plan or the snapshot cannot be
 * read (ITG_EXIT_RUNTIME, ITG_EXIT_USAGE).
 */
int explain_print(FILE *out, struct model *m, const struct explain_hits *h,
		  const char *plan_path, struct itg_err *e);

#endif
