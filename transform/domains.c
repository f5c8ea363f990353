/*
 * domains.c - rule 9, docs/rules.md 27-33: Dark Web ID domains.
 *
 * Every domain of an org linked after the plan is planned as pending, or
 * unimported with a reason ("Domain license limit reached", ".gov domain
 * was not imported", "a sensitive or protected domain"), in ascending
 * domain id so that who gets the last license is predictable.  Unimported
 * domains are planned again on every run.  The snapshot's domains are
 * streamed straight into the plan: they are already in id order.
 */
#include "rules.h"

#include "json.h"
#include "log.h"
#include "reasons.h"
#include "validate.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static char *name_key(const char *org_id, const char *domain)
{
	char *norm = validate_domain_normalize(domain);
	char *key = xasprintf("%s\t%s", org_id, norm);

	free(norm);
	return key;
}

/* docs/rules.md 29: invalid, then gov, then protected, then the license. */
static const char *judge(const char *norm, const struct protected_list *pl, long long *used,
			 long long license)
{
	if (!validate_domain(norm))
		return REASON_INVALID_DOMAIN;
	if (validate_domain_is_gov(norm))
		return REASON_GOV_DOMAIN;
	if (protected_list_match(pl, norm))
		return REASON_PROTECTED_DOMAIN;
	if (license != LICENSE_UNLIMITED && *used + 1 > license)
		return REASON_LICENSE_LIMIT;
	(*used)++;
	return NULL;
}

/* What domains_plan pulls from each domain (lib/recread). */
enum { D_ORG, D_NAME };
static const struct recread_spec domain_spec = {
	.attrs = {"organization-id", "name", NULL},
};

static int ascending(const char *prev, const char *id)
{
	return !prev || id_cmp(prev, id) < 0;
}

int domains_plan(struct model *m, struct plan_writer *w, struct itg_err *e)
{
	struct protected_list *pl = NULL;
	struct strmap *imported_ids, *imported_names;
	struct recread r;
	struct buf prev = {0};   /* the id before, reused from line to line */
	long long used = 0;
	int rc;

	if (protected_list_load(m->p->protected_domains, &pl, e) != 0)
		return -1;
	/* docs/rules.md 27, 28: imported rows use a license and are not planned again */
	imported_ids = strmap_new(m->ndomains);
	imported_names = strmap_new(m->ndomains);
	for (size_t i = 0; i < m->ndomains; i++) {
		const struct store_domain *d = &m->domains[i];
		char *key;
		if (strcmp(d->status, DOMAIN_IMPORTED))
			continue;
		used++;
		if (*d->itg_domain_id)
			strmap_put(imported_ids, d->itg_domain_id, (void *)1);
		key = name_key(d->org_id, d->domain);
		strmap_put(imported_names, key, (void *)1);
		free(key);
	}
	if (model_open_records(m, RES_DOMAINS, &domain_spec, &r, e) != 0) {
		rc = -1;
		goto out;
	}
	while ((rc = model_next_record(m, RES_DOMAINS, &r, e)) == 1) {
		const char *id = recread_id_text(&r.id), *raw, *reason;
		struct itg_org *g;
		char *norm, *ref;
		if (!ascending(prev.len ? prev.p : NULL, id)) {
			rc = err_at(e, ITG_EXIT_USAGE, recread_path(&r), recread_lineno(&r), 0,
				    "domain %s is out of id order: extract the snapshot again", id);
			break;
		}
		buf_reset(&prev);
		buf_adds(&prev, id);
		g = model_itg_org(m, recread_id_text(&r.attr[D_ORG]));
		if (!g || g->rank < 0 || strmap_has(imported_ids, id))
			continue;
		raw = recread_str(&r.attr[D_NAME]);
		raw = raw ? raw : "";
		if (g->link) {
			char *key = name_key(g->link->id, raw);
			int done = strmap_has(imported_names, key);
			free(key);
			if (done)
				continue;
		}
		norm = validate_domain_normalize(raw);
		reason = judge(norm, pl, &used, m->p->license_domains);
		ref = g->link ? NULL : plan_write_ref(g->id);
		rc = plan_write_import_domain(w, g->link ? g->link->id : NULL, ref, g->id, id,
					reason && !strcmp(reason, REASON_INVALID_DOMAIN) ? raw : norm,
					reason ? DOMAIN_UNIMPORTED : DOMAIN_PENDING, reason, e);
		free(ref);
		free(norm);
		if (rc != 0)
			break;
		if (r.nd.records % 10000 == 0)
			log_progress("domains: %llu read", (unsigned long long)r.nd.records);
	}
	log_progress_end();
	recread_close(&r);
out:
	buf_free(&prev);
	strmap_free(imported_ids, NULL);
	strmap_free(imported_names, NULL);
	protected_list_free(pl);
	return rc < 0 ? -1 : 0;
}
