/*
 * report.h - the auditor's report of one load (CONTRACT.md section 7):
 * DIR/report.md, report.html, changes.csv and summary.json, written into a
 * staged folder and published atomically, on every run, dry or not.
 *
 * report_build turns the plan, what the apply did and the store after it
 * into a small document model (headings, paragraphs, tables, bar charts);
 * report.md and report.html are two renderings of that one model, so they
 * always say the same thing.
 */
#ifndef ITG_LOAD_REPORT_H
#define ITG_LOAD_REPORT_H

#include <stdio.h>

#include "apply.h"
#include "err.h"
#include "lstore.h"
#include "pipeline.h"
#include "planread.h"
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
};

enum rblock_kind { RB_H2, RB_H3, RB_PARA, RB_TABLE, RB_CHART };

/*
 * A table shows at most REPORT_MAX_ROWS rows, in plan order, so that a plan
 * of half a million users gives a report an auditor can open; `more` counts
 * the rows left out, and a line after the table says where they all are.
 */
#define REPORT_MAX_ROWS 200

struct rtable {
	size_t ncols;
	char **head;
	size_t nrows;
	char **cells;                /* nrows * ncols */
	size_t more;                 /* rows beyond REPORT_MAX_ROWS, not kept */
};

struct rbar {
	char *label;
	long long value;
	long long total;             /* -1: a plain count; LICENSE_UNLIMITED shown as such */
	int is_license;
};

struct rblock {
	enum rblock_kind kind;
	char *text;                  /* heading, paragraph, or chart title */
	struct rtable t;
	size_t nbars;
	struct rbar *bars;
};

struct rdoc {
	char *title;
	size_t n, cap;
	struct rblock *b;
};

void report_build(const struct report_input *in, struct rdoc *d);
void report_doc_free(struct rdoc *d);

void report_render_md(const struct rdoc *d, struct buf *out);
/* report_html.c: self-contained page, inline CSS and SVG, no scripts. */
void report_render_html(const struct rdoc *d, struct buf *out);
/* Appends s with & < > " ' escaped. */
void report_html_escape(struct buf *out, const char *s);

/*
 * Writes one CSV cell through csvtab_write_field, first neutralising a
 * value a spreadsheet would run as a formula (leading =, +, -, @, tab or CR
 * gets a leading single quote).  0 or -1.
 */
int report_csv_cell(FILE *fp, const char *s);
/* changes.csv: header and one row per changed field. */
int report_write_changes(FILE *fp, const struct report_input *in);
void report_summary_json(const struct report_input *in, struct buf *out);

/* Seats / domains in use after the plan. */
struct report_licenses {
	long long phishing_used, training_used, domains_used;
};
void report_count_licenses(const struct lstore *s, struct report_licenses *l);

/*
 * Writes the four files into a folder staged beside DIR (fs_stage_dir) and
 * returns its path (caller frees, then publishes it with fs_publish_dir or
 * removes it).  On failure nothing is left behind and NULL is returned with e
 * naming the file.  itg-load stages the report before the store transaction
 * commits, so that a report that cannot be written stops the load.
 */
char *report_stage(const char *dir, const struct report_input *in, struct itg_err *e);

#endif
