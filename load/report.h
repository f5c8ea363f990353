/*
 * report.h - the auditor's report of one load (docs/contract.md section 7):
 * DIR/report.md, report.html, changes.csv and summary.json, written into a
 * staged folder and published atomically, on every run, dry or not.
 *
 * One file per part:
 *   report_sections.c  the sections, built from the plan, what the apply did
 *                      and the store after it, as a document (rdoc.h)
 *   report_md.c        report.md, one rendering of that document
 *   report_html.c      report.html, the other
 *   report_changes.c   changes.csv, from the apply's event log
 *   report_summary.c   summary.json
 *   report_count.c     the figures both the sections and summary.json give
 *   report.c           the staging of the four files
 */
#ifndef ITG_LOAD_REPORT_H
#define ITG_LOAD_REPORT_H

#include <stdio.h>

#include "apply.h"
#include "breaker.h"
#include "err.h"
#include "handedits.h"
#include "lstore.h"
#include "pipeline.h"
#include "planread.h"
#include "rdoc.h"
#include "xalloc.h"

struct report_input {
	const char *run_id;
	const char *pipeline;        /* pipeline name */
	const char *store;           /* store folder */
	const char *plan_dir;
	int dry_run;
	const struct plan *plan;
	const struct apply_result *res;
	const struct lstore *after;  /* the tables after the plan */
	long long lic_phishing;      /* LICENSE_UNLIMITED when absent */
	long long lic_training;
	long long lic_domains;
	const char *pipeline_path;   /* the pipeline file, for the way on; may be NULL */
	const struct breaker *breaker;   /* how the breaker judged the plan; may be NULL */
	int allow_mass_unlink;       /* --allow-mass-unlink was given */
	const struct handedits *hand;    /* hand edits of links.csv since the last run; may be NULL */
};

/*
 * What a real load of this plan would refuse, said in advance by a dry run:
 * BREAKER_WOULD_REFUSE, or NULL.  (A real load that refuses writes no
 * report.)
 */
const char *report_would_refuse(const struct report_input *in);

/* report_sections.c: the whole document of the report (free it with rdoc_free). */
void report_build(const struct report_input *in, struct rdoc *d);

/* report_md.c: Markdown with pipe tables; charts are left out (their table says the same). */
void report_render_md(const struct rdoc *d, struct buf *out);
/* report_html.c: self-contained page, inline CSS and SVG, no scripts. */
void report_render_html(const struct rdoc *d, struct buf *out);
/* Appends s with & < > " ' escaped. */
void report_html_escape(struct buf *out, const char *s);

/*
 * report_changes.c.  Writes one CSV cell through csvtab_write_field, first
 * neutralising a value a spreadsheet would run as a formula (leading =, +,
 * -, @, tab or CR gets a leading single quote).  0 or -1.
 */
int report_csv_cell(FILE *fp, const char *s);
/* changes.csv: header and one row per changed field, in the order applied. */
int report_write_changes(FILE *fp, const struct report_input *in);

/* report_summary.c: summary.json, pretty-printed, ending in a newline. */
void report_summary_json(const struct report_input *in, struct buf *out);

/* report_count.c: lines of action a in the plan (changed_only: that changed something). */
size_t report_count_action(const struct plan *p, enum plan_action a,
			   const struct apply_result *r, int changed_only);
/*
 * Lines of action for which pred (NULL: every one) holds.  Only those
 * lines are parsed, one at a time.
 */
size_t report_count_lines(const struct plan *p, enum plan_action action,
			  int (*pred)(const struct plan_line *));
/* An import_domain line that leaves its domain unimported. */
int report_line_unimported(const struct plan_line *l);
/* An import_organization line with modules left off for want of licenses. */
int report_line_license_limited(const struct plan_line *l);
size_t report_count_unimported(const struct plan *p);
size_t report_count_license_limited(const struct plan *p);

/* Seats / domains in use after the plan. */
struct report_licenses {
	long long phishing_used, training_used, domains_used;
};
void report_count_licenses(const struct lstore *s, struct report_licenses *l);

/*
 * report.c.  Writes the four files into a folder staged beside DIR
 * (fs_stage_dir) and returns its path (caller frees, then publishes it with
 * fs_publish_dir or removes it).  On failure nothing is left behind and NULL
 * is returned with e naming the file.  itg-load stages the report before the
 * store transaction commits, so that a report that cannot be written stops
 * the load.
 */
char *report_stage(const char *dir, const struct report_input *in, struct itg_err *e);

#endif
