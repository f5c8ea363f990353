/*
 * rdoc.h - the report's document model: a title and a list of blocks
 * (headings of two levels, paragraphs, tables, bar charts).  The sections
 * (report_sections.c) build one document from the plan and what the apply
 * did; report.md and report.html are two renderings of it (report_md.c,
 * report_html.c), so they always say the same thing.
 *
 * A table keeps at most RDOC_MAX_ROWS rows and counts the rest in `more`;
 * rdoc_close_table then adds one line saying how many rows were shown of how
 * many and which file beside the report holds every one of them, or turns a
 * table that got no row into a paragraph ("None.").  A row may be flagged
 * RDOC_ROW_ALERT (a license over its total): report.html draws it in red.
 *
 * Figures are text by the time they reach the document: rdoc_num writes a
 * count with thousands separators ("129,164"), as both renderings show it.
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
#define RDOC_MAX_ROWS 50

#define RDOC_ROW_ALERT 1

struct rtable {
	size_t ncols;
	char **head;
	size_t nrows;
	char **cells;                /* nrows * ncols */
	unsigned char *flags;        /* nrows: RDOC_ROW_ALERT or 0 */
	size_t more;                 /* rows beyond RDOC_MAX_ROWS, not kept */
};

/*
 * A bar: a plain count (is_license 0; drawn to the scale of the chart's
 * largest count), or a license's use of its total (drawn against the
 * total: red when over it; total -1, unlimited, gets no bar at all, only
 * its figure, since nothing can be drawn against no limit).
 */
struct rbar {
	char *label;
	long long value;
	long long total;             /* -1: a plain count or an unlimited license */
	int is_license;
};

struct rblock {
	enum rblock_kind kind;
	char *text;                  /* heading, paragraph, or chart title; NULL for a table */
	struct rtable t;
	size_t nbars;
	struct rbar *bars;
	int muted;                   /* a chart of lines that are not changes: drawn grey */
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
/* The same from an array of t->ncols cells, with flags (RDOC_ROW_ALERT or 0). */
void rdoc_row_a(struct rtable *t, const char *const *cells, unsigned flags);
/*
 * Closes the table that is the last block: with rows left out, adds the
 * paragraph "The first 50 of 1,234 rows are shown; every one is in WHERE.";
 * with no row at all, turns it into the paragraph NONE.  Anything else (rows
 * that all fit, another kind of block last) is left as it is.
 */
void rdoc_close_table(struct rdoc *d, const char *none, const char *where);

/* n with a comma every three digits ("-1,234,567") in out, which it returns. */
const char *rdoc_num(long long n, char out[32]);

/* Appends a bar chart titled title, with no bar. */
struct rblock *rdoc_chart(struct rdoc *d, const char *title);
/* Adds a bar to chart c: a plain count (total -1) or a license's use of total. */
void rdoc_bar(struct rblock *c, const char *label, long long value, long long total,
	      int is_license);

/* Frees everything in d; d is an empty document afterwards. */
void rdoc_free(struct rdoc *d);

#endif
