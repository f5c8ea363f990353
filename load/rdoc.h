/*
 * rdoc.h - the report's document model: a title and a list of blocks
 * (headings of two levels, paragraphs, tables, bar charts).  The sections
 * (report_sections.c) build one document from the plan and what the apply
 * did; report.md and report.html are two renderings of it (report_md.c,
 * report_html.c), so they always say the same thing.
 *
 * A table keeps at most RDOC_MAX_ROWS rows and counts the rest in `more`;
 * rdoc_close_table then adds one line saying how many rows were left out and
 * where every one of them is, or turns a table that got no row into a
 * paragraph ("None.").
 *
 * Ownership: a zeroed struct rdoc is an empty document.  It owns every
 * string in it (copies of what it was given, and the title, which the
 * builder sets with a malloc'd string); rdoc_free releases them all.  The
 * pointers rdoc_block, rdoc_table and rdoc_chart return are valid until the
 * next block is added.
 */
#ifndef ITG_LOAD_RDOC_H
#define ITG_LOAD_RDOC_H

#include <stddef.h>

enum rblock_kind { RB_H2, RB_H3, RB_PARA, RB_TABLE, RB_CHART };

/*
 * A table shows at most RDOC_MAX_ROWS rows, in plan order, so that a plan
 * of half a million users gives a report an auditor can open; `more` counts
 * the rows left out, and a line after the table says where they all are.
 */
#define RDOC_MAX_ROWS 200

struct rtable {
	size_t ncols;
	char **head;
	size_t nrows;
	char **cells;                /* nrows * ncols */
	size_t more;                 /* rows beyond RDOC_MAX_ROWS, not kept */
};

struct rbar {
	char *label;
	long long value;
	long long total;             /* -1: a plain count; LICENSE_UNLIMITED shown as such */
	int is_license;
};

struct rblock {
	enum rblock_kind kind;
	char *text;                  /* heading, paragraph, or chart title; NULL for a table */
	struct rtable t;
	size_t nbars;
	struct rbar *bars;
};

struct rdoc {
	char *title;
	size_t n, cap;
	struct rblock *b;
};

/* Appends a block of kind with a copy of text (may be NULL). */
struct rblock *rdoc_block(struct rdoc *d, enum rblock_kind kind, const char *text);
/* Appends a paragraph, printf-style. */
void rdoc_para(struct rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a table with the given column heads (NULL-terminated) and no row. */
struct rtable *rdoc_table(struct rdoc *d, const char *const *head);
/*
 * 1 if t already holds RDOC_MAX_ROWS rows, counting one more left-out row
 * in t->more: a caller that must do work to make a row asks first.
 */
int rdoc_table_full(struct rtable *t);
/* Adds a row of t->ncols cells (const char *; NULL is ""), or counts it once t is full. */
void rdoc_row(struct rtable *t, ...);
/*
 * Closes the table that is the last block: with rows left out, adds the
 * paragraph "... and N more: REST"; with no row at all, turns it into the
 * paragraph NONE.  Anything else (rows that all fit, another kind of block
 * last) is left as it is.
 */
void rdoc_close_table(struct rdoc *d, const char *none, const char *rest);

/* Appends a bar chart titled title, with no bar. */
struct rblock *rdoc_chart(struct rdoc *d, const char *title);
/* Adds a bar to chart c: a plain count (total -1) or a license's use of total. */
void rdoc_bar(struct rblock *c, const char *label, long long value, long long total,
	      int is_license);

/* Frees everything in d; d is an empty document afterwards. */
void rdoc_free(struct rdoc *d);

#endif
