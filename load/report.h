/*
 * report.h - the auditor's and the operator's report of one load
 * (docs/contract.md section 7, docs/file-formats.md section 4): DIR/report.md,
 * report.html, changes.csv, summary.json, mapping.csv, lists/NAME.csv and (BullPhish
 * ID) upload/, written into a staged folder and published atomically, on every
 * run, dry or not.
 *
 * One file per part:
 *   report_sections.c    the header, what happened, licenses, needs a person
 *                        and the changes, as a document (rdoc.h), and the
 *                        lists/ files of their tables
 *   report_integration.c the state of the integration after the plan (every
 *                        product org with its IT Glue org or None, the IT Glue
 *                        orgs not linked and why, filters, types) and mapping.csv
 *   report_upload.c      the BullPhish ID group files of upload/ and their section
 *   report_table.c       a table of the document and its lists/ file together,
 *                        with its counts per reason and their explanations
 *   report_names.c       names beside ids: product orgs, IT Glue orgs, users
 *   report_inventory.c   the plan's inventory.ndjson, read and verified
 *   report_md.c          report.md, one rendering of the document
 *   report_html.c        report.html, the other
 *   report_changes.c     changes.csv, from the apply's event log
 *   report_summary.c     summary.json
 *   report_count.c       the figures both the sections and summary.json give
 *   report.c             the staging of the folder
 */
#ifndef ITG_LOAD_REPORT_H
#define ITG_LOAD_REPORT_H

#include <stdio.h>

#include "apply.h"
#include "arena.h"
#include "breaker.h"
#include "err.h"
#include "handedits.h"
#include "lstore.h"
#include "pipeline.h"
#include "planread.h"
#include "rdoc.h"
#include "rowix.h"
#include "strmap.h"
#include "xalloc.h"

/* ---- the plan's inventory (report_inventory.c) ------------------------------ */

#define INVENTORY_FILE "inventory.ndjson"

/* One entry of a sync filter as the pipeline wrote it, and the ids it matched. */
struct inv_entry {
	const char *text;
	size_t nids;
	const char **ids;
};

struct inv_filter {
	const char *filter;          /* organization_types, organization_statuses, contact_types */
	int all;
	size_t n;
	struct inv_entry *entries;
};

/* An organization type, status or contact type of the account. */
struct inv_type {
	const char *resource;        /* organization_types, ... */
	const char *id;              /* NULL: the records whose type or status is null */
	const char *name;            /* NULL with id NULL */
	int selected;
	long long count;
};

/* An IT Glue organization of the snapshot ("org"), or a linked one missing from it ("missing"). */
struct inv_org {
	const char *itglue_id;
	const char *name;            /* NULL for a missing one */
	const char *type_name, *status_name;
	int in_scope;
	const char *excluded_by;     /* NULL, organization_types, organization_statuses */
	const char *state;           /* linked, review, available, held, out_of_scope; "missing" */
	const char *organization_id; /* when linked (or missing: the product org of the kept link) */
	const char *source;
	const char *reason;
};

/*
 * Ownership: every string and array is in the arena; report_inventory_free
 * releases them all.  A zeroed struct is "no inventory" (present 0).
 */
struct report_inventory {
	int present;                 /* the manifest lists one, and it was read */
	size_t nfilters, ntypes, norgs, nmissing;
	struct inv_filter *filters;
	struct inv_type *types;
	struct inv_org *orgs;        /* in file order: ascending IT Glue id */
	struct inv_org *missing;
	struct strmap *by_itglue;    /* IT Glue id -> struct inv_org * (orgs and missing) */
	struct arena a;
};

/*
 * Reads the plan's inventory.ndjson (docs/file-formats.md section 2) when
 * its manifest, already read into p (planread.h), has an "inventory" key:
 * the line count, byte length and CRC-32 verified against p->inventory as
 * plan.ndjson's are, each line parsed on its own (the file is streamed
 * once).  Without the key inv is left empty (present 0) and 0 is returned:
 * an older plan has no inventory.  A mismatch or a malformed line is
 * ITG_EXIT_USAGE naming the file and line; inv is then empty.
 */
int report_inventory_read(const struct plan *p, struct report_inventory *inv,
			  struct itg_err *e);
/* Parses the inventory's text (len bytes) into inv; file names it in errors. */
int report_inventory_parse(const char *text, size_t len, const char *file,
			   struct report_inventory *inv, struct itg_err *e);
void report_inventory_free(struct report_inventory *inv);
/* The org line of an IT Glue id (org or missing), or NULL. */
const struct inv_org *report_inventory_org(const struct report_inventory *inv,
					   const char *itglue_id);

/* ---- what the report is made from -------------------------------------------- */

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
	/* the plan's inventory; NULL: none (report_stage reads it from plan_dir) */
	const struct report_inventory *inv;
};

/*
 * What a real load of this plan would refuse, said in advance by a dry run:
 * BREAKER_WOULD_REFUSE, or NULL.  (A real load that refuses writes no
 * report.)
 */
const char *report_would_refuse(const struct report_input *in);

/* ---- names beside ids (report_names.c) ----------------------------------------- */

/*
 * Look-ups from ids to names: product orgs and users from the store after
 * the plan, IT Glue orgs from the inventory or, without one, from the plan
 * lines that name them.  Built once per report; borrows the store, the
 * inventory and the plan, which must outlive it.
 */
struct report_names {
	const struct lstore *s;
	const struct report_inventory *inv;
	struct rowix orgs;           /* product org id -> row in organizations.csv */
	struct rowix links;          /* product org id -> row in links.csv */
	struct rowix users;          /* user id -> row in users.csv */
	struct strmap *itglue;       /* IT Glue org id -> name from the plan (in a) */
	struct strmap *notes;        /* product org id -> the reason of its unlink or review */
	int o_id, o_name, o_sync, l_org, l_itg, l_src, l_at;
	int u_id, u_org, u_first, u_last, u_email, u_group, u_contact;
	struct arena a;
};

void report_names_init(struct report_names *n, const struct report_input *in);
void report_names_free(struct report_names *n);

/* The product org's name, or NULL when the store has none. */
const char *report_org_name(const struct report_names *n, const char *org_id);
/* "Name (id)", or the id alone; "" for NULL.  Written to out, which it returns. */
const char *report_org_label(const struct report_names *n, const char *org_id, struct buf *out);
/* The IT Glue org's name (inventory first, then the plan), or NULL. */
const char *report_itglue_name(const struct report_names *n, const char *itglue_id);
/* "Name (id)", or the id alone; "" for NULL. */
const char *report_itglue_label(const struct report_names *n, const char *itglue_id,
				struct buf *out);
/* The user's row in users.csv after the plan, or -1. */
long report_user_row(const struct report_names *n, const char *user_id);
/* "First Last (id)" (the email when there is no name), or the id alone. */
const char *report_user_label(const struct report_names *n, const char *user_id,
			      struct buf *out);
/* A users.csv cell of user_id ("" when unknown). */
const char *report_user_cell(const struct report_names *n, const char *user_id, int col);
/* The links.csv row of a product org after the plan, or -1. */
long report_org_link(const struct report_names *n, const char *org_id);

/* ---- the plan's lines, by action and reason (report_count.c) ------------------ */

/*
 * The reason every plan line is shown with: its own, or for a line whose
 * action needs none the report's word for why it is there (reasons.h:
 * itglue_renamed, import_selected, new_contact, email_match,
 * contact_changed, domain_imported).  Static storage, or l's own string.
 */
const char *report_line_reason(const struct plan_line *l);
/* The same for an event of changes.csv (action word, its reason or NULL, the plan's disconnect). */
const char *report_event_reason(const char *action, const char *reason, int disconnect);

/* Counts per reason code: a small list kept in first-seen order. */
struct rcount {
	size_t n, cap;
	struct rcount_item {
		char *code;
		size_t lines, changed;
	} *v;
};
void rcount_add(struct rcount *c, const char *code, size_t lines, size_t changed);
void rcount_free(struct rcount *c);

/* ---- a table and its list file (report_table.c) -------------------------------- */

/*
 * A table of the report together with its file lists/NAME.csv beside the
 * report: every row goes to the file, the first RDOC_MAX_ROWS shown ones to
 * the document, and the rows are counted per reason, so that closing the
 * table can say how many there are, where all of them are, and what each
 * reason means and what to do about it.
 *
 * Ownership: a zeroed struct report_files writes no file (unit tests of the
 * document alone).  Strings handed in are copied.
 */
struct report_files {
	const char *dir;             /* the staged report folder, or NULL */
	struct itg_err *e;           /* the first write error */
	int failed;
	struct rcount written;       /* file -> rows, for "Files beside this report" */
	size_t uploads, upload_rows; /* the files of upload/ (too many to list one by one) */
	char *last_dir;              /* the folder the last file went to, made already */
};
/* Frees what f holds (its counts and last_dir). */
void report_files_free(struct report_files *f);

struct rtab {
	struct rdoc *d;
	struct report_files *f;
	size_t block;                /* the table's block in d */
	char *list;                  /* "lists/NAME.csv" */
	FILE *fp;
	size_t ncsv;
	size_t rows, shown, unchanged;
	struct rcount reasons;
	struct buf scratch[16];      /* a row's cells, reused */
	int next;
};

/*
 * Adds the table (heads NULL-terminated) and opens lists/NAME.csv with
 * csv_head; with csv_head NULL no file is opened and NAME is the file the
 * caller writes every row to itself (mapping.csv).
 */
void rtab_open(struct rtab *t, struct rdoc *d, struct report_files *f, const char *name,
	       const char *const *head, const char *const *csv_head);
/* A scratch buffer for one cell of the current row (reset by rtab_row). */
struct buf *rtab_buf(struct rtab *t);
/*
 * One row: csv (the file's cells) always; cells (the table's) when show and
 * the table has room.  reason is counted (NULL is not); changed 0 counts a
 * line that changed nothing.
 */
void rtab_row(struct rtab *t, int show, const char *const *cells, const char *const *csv,
	      const char *reason, int changed, unsigned flags);
/*
 * Closes the table ("None." when no row was shown, or the first rows of how
 * many and the file), says how many lines changed nothing when any did,
 * and adds the explanation of every reason counted (code, lines, meaning,
 * next step).  Frees t's own memory.
 */
void rtab_close(struct rtab *t, const char *none);
/* The explanation table of the codes in c (nothing when c is empty). */
void report_explain(struct rdoc *d, const struct rcount *c, const char *lines_head);
/* A whole CSV file beside the report (name relative to the folder), one call per row. */
FILE *report_file_open(struct report_files *f, const char *name, const char *const *head);
void report_file_row(struct report_files *f, FILE *fp, const char *const *cells, size_t n);
void report_file_close(struct report_files *f, FILE *fp, const char *name, size_t rows);

/* ---- building and rendering ---------------------------------------------------- */

/*
 * report_sections.c: the whole document of the report (free it with
 * rdoc_free), writing lists/, mapping.csv and upload/ through f (a zeroed f
 * writes none).  0, or -1 with f->e set when a file could not be written.
 */
int report_build(const struct report_input *in, struct report_files *f, struct rdoc *d);

/* report_integration.c: the state of the integration after the plan, and mapping.csv. */
void report_integration(struct rdoc *d, const struct report_input *in,
			const struct report_names *nm, struct report_files *f);
/* report_upload.c: upload/ (BullPhish ID), and its section. */
void report_upload(struct rdoc *d, const struct report_input *in,
		   const struct report_names *nm, struct report_files *f);
/* "acme-dental": lower-case ASCII letters and digits, other runs as one '-'; "x" when empty. */
void report_slug(const char *s, struct buf *out);

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
/*
 * changes.csv: header and one row per changed field, in the order applied:
 * the contract's eight columns (the reason filled in by report_event_reason
 * where the plan line gives none), then name, organization, itglue and
 * plan_line.
 */
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
 * report.c.  Reads the plan's inventory (when in->inv is NULL), writes the
 * report folder into a folder staged beside DIR (fs_stage_dir) and returns
 * its path (caller frees, then publishes it with fs_publish_dir or removes
 * it).  On failure nothing is left behind and NULL is returned with e
 * naming the file.  itg-load stages the report before the store transaction
 * commits, so that a report that cannot be written stops the load.
 */
char *report_stage(const char *dir, const struct report_input *in, struct itg_err *e);

#endif
