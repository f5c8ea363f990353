/*
 * binding.c - one store, one integration (docs/contract.md sections 6 and 10).
 *
 * The first load that applies a plan binds its store: integration.json
 * records the product, the pipeline name and the IT Glue account.  A plan
 * made for a store bound elsewhere would remove every link the other
 * integration made (another account's orgs are all "gone" from this
 * snapshot), and a plan made for a store its operator disconnected would
 * undo the disconnect.  So before anything is planned such a store is
 * refused (exit 4) with what it is bound to and the two ways out: point
 * `store:` at the pipeline's own store, or re-bind this one on purpose with
 * --connect, which skips every refusal here (the load then re-binds).
 */
#include "rules.h"

#include "integration.h"
#include "product.h"

#include <stdlib.h>
#include <string.h>

/* The way out, shared by the refusals of a store bound elsewhere. */
#define REBIND "point `store:` at this pipeline's own store, or re-bind this one on purpose " \
	       "with `pipelines/run %s --connect` (or `itg-transform --connect`)"

static const char *or_none(const char *s)
{
	return s && *s ? s : "no name";
}

static int check(const struct model *m, const struct integration *it, const char *path,
		 const char *pipeline_path, int disconnect, struct itg_err *e)
{
	const char *want_product = product_name(m->product);
	const struct snapshot_manifest *sm = &m->man;
	const char *snap_account = sm->has_account && sm->primary_org_id[0] ? sm->primary_org_id
									  : NULL;

	if (it->product && strcmp(it->product, want_product) != 0)
		return err_set(e, ITG_EXIT_STALE,
			       "%s: this store is bound to product %s (%s), and pipeline %s is "
			       "%s: " REBIND,
			       path, it->product, product_title(product_parse(it->product)),
			       pipeline_path, want_product, pipeline_path);
	if (it->pipeline && strcmp(it->pipeline, m->p->name) != 0)
		return err_set(e, ITG_EXIT_STALE,
			       "%s: this store is bound to pipeline \"%s\", not \"%s\" (%s): " REBIND,
			       path, it->pipeline, m->p->name, pipeline_path, pipeline_path);
	/* without a snapshot (--disconnect alone) there is no account to compare */
	if (it->account_id && m->have_snapshot && !snap_account)
		return err_set(e, ITG_EXIT_STALE,
			       "%s: this store is bound to IT Glue account %s (%s), and snapshot %s "
			       "names no account: " REBIND,
			       path, it->account_id, or_none(it->account_name), m->snapshot_dir,
			       pipeline_path);
	if (it->account_id && m->have_snapshot && id_cmp(it->account_id, snap_account) != 0)
		return err_set(e, ITG_EXIT_STALE,
			       "%s: this store is bound to IT Glue account %s (%s), and snapshot %s "
			       "is of account %s (%s): " REBIND,
			       path, it->account_id, or_none(it->account_name), m->snapshot_dir,
			       snap_account, or_none(sm->primary_org_name), pipeline_path);
	/* disconnecting twice is harmless; resuming needs --connect */
	if (!disconnect && it->disconnected_by &&
	    strcmp(it->disconnected_by, INTEGRATION_BY_OPERATOR) == 0)
		return err_set(e, ITG_EXIT_STALE,
			       "%s: the integration was disconnected on purpose (disconnected_by: "
			       "operator), so nothing is planned for this store: resume it with "
			       "`pipelines/run %s --connect` (or `itg-transform --connect`)",
			       path, pipeline_path);
	return 0;
}

int binding_check(const struct model *m, const char *store, const char *pipeline_path,
		  int connect, int disconnect, struct itg_err *e)
{
	struct integration it;
	char *path;
	int rc;

	/* a missing folder is store_read's to refuse, naming the path */
	if (connect || !fs_is_dir(store))
		return 0;
	rc = integration_read(store, &it, e);
	if (rc <= 0) {
		integration_free(&it);
		return rc;      /* -1: unreadable or malformed; 0: no state, no binding */
	}
	path = fs_join(store, INTEGRATION_FILE);
	rc = check(m, &it, path, pipeline_path, disconnect, e);
	free(path);
	integration_free(&it);
	return rc;
}
