/*
 * disconnect.c - rule 10, docs/rules.md 34.
 *
 * "Disconnect: it disconnects the active integration."  A --disconnect plan
 * holds only unlink lines, one for every link in the store (links to
 * deleted or out-of-scope orgs included), and its manifest says the
 * integration is to be disconnected.  Product orgs, users and domains stay.
 */
#include "rules.h"

#include "reasons.h"

void disconnect_apply(struct model *m)
{
	for (size_t i = 0; i < m->nlinks; i++)
		m->links[i].unlink_reason = REASON_DISCONNECT;
}
