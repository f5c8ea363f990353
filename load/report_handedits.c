/*
 * report_handedits.c - the report's parts for what the operator changed in
 * links.csv by hand since the last run (handedits.h): the section "Changed
 * by hand since the last run", its changes.csv rows (action hand_edit,
 * reason added, removed or changed) and "hand_edits" in summary.json.
 * Each is called once from the file that writes the rest of its part.  A
 * store without the last run's copy has no hand edits to report: then none
 * of the three writes anything.
 */
#include "report.h"
#include "csvtab.h"
#include "json.h"
#include "store.h"
#include "strmap.h"

#include <string.h>

/* Nothing to say: no comparison and no problem with the copy. */
static int silent(const struct report_input *in)
{
	return !in->hand || (!in->hand->compared && !in->hand->problem);
}

static const char *const change_title[HAND_NREASONS] = {"added", "removed", "changed"};

/* "source: manual; linked_at: ..." of one side of an edit, the key columns left out. */
static void side_text(struct buf *b, const struct hand_edit *ed, int new_side)
{
	buf_reset(b);
	for (size_t i = 0; i < ed->nf; i++) {
		const struct field_change *f = &ed->f[i];
		const char *v = new_side ? f->new : f->old;

		if (!strcmp(f->field, "organization_id") ||
		    !strcmp(f->field, "itglue_organization_id"))
			continue;
		if (!*v && ed->reason != HAND_CHANGED)
			continue;
		buf_addf(b, "%s%s: %s", b->len ? "; " : "", f->field, *v ? v : "(empty)");
	}
}

static void line_text(char out[32], long line)
{
	if (line > 0)
		snprintf(out, 32, "%ld", line);
	else
		out[0] = '\0';
}

void report_handedits_section(struct rdoc *d, const struct report_input *in,
			      const struct report_names *nm)
{
	const struct handedits *h = in->hand;
	struct rtable *t;
	struct buf org = {0}, itg = {0}, before = {0}, after = {0};

	if (silent(in))
		return;
	rdoc_block(d, RB_H2, "Changed by hand since the last run");
	if (h->problem) {
		rdoc_para(d, "The copy of links.csv the last run left could not be read (%s), so "
			     "what was changed by hand since then is not known. %s",
			  h->problem,
			  in->dry_run ? "A real load leaves a new copy to compare with next time."
				      : "This load left a new copy to compare with next time.");
		return;
	}
	if (!h->n) {
		rdoc_para(d, "links.csv is as the last run left it: nothing was changed by hand.");
		return;
	}
	rdoc_para(d, "links.csv differs from the copy the last run left (" STORE_FILE_LINKS_LAST_RUN
		     ") in %zu %s: %zu added, %zu removed, %zu changed by hand. %s",
		  h->n, h->n == 1 ? "link" : "links", h->count[HAND_ADDED],
		  h->count[HAND_REMOVED], h->count[HAND_CHANGED],
		  in->dry_run ? "A real load records each one in audit.ndjson (action hand_edit); "
				"this dry run recorded nothing."
			      : "This run recorded each one in audit.ndjson (action hand_edit).");
	t = rdoc_table(d, (const char *const[]){"Change", "Product org", "IT Glue org",
						"Line in links.csv", "Line in the last run's copy",
						"Before", "After", NULL});
	for (size_t i = 0; i < h->n; i++) {
		const struct hand_edit *ed = &h->v[i];
		char now[32], was[32];

		if (rdoc_table_full(t))
			continue;
		line_text(now, ed->line);
		line_text(was, ed->last_run_line);
		side_text(&before, ed, 0);
		side_text(&after, ed, 1);
		rdoc_row(t, change_title[ed->reason], report_org_label(nm, ed->org_id, &org),
			 report_itglue_label(nm, ed->itglue_org_id, &itg), now, was,
			 buf_str(&before), buf_str(&after));
	}
	rdoc_close_table(d, "None.", "every one is in changes.csv and audit.ndjson");
	buf_free(&org);
	buf_free(&itg);
	buf_free(&before);
	buf_free(&after);
}

void report_handedits_summary(yajl_gen g, const struct report_input *in)
{
	if (in->hand && in->hand->compared)
		json_kv_int(g, "hand_edits", (long long)in->hand->n);
}
