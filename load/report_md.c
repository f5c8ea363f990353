/*
 * report_md.c - report.md: the report's document (rdoc.h) as Markdown.
 * Headings and paragraphs as they are, tables in the pipe syntax with every
 * cell kept on one line and markup characters escaped, so that no text from
 * the plan or the store can break a table or become a link; charts are left
 * out, the table beside each one holds the same figures.
 */
#include "report.h"

#include <string.h>

/* Markdown table cell: no line breaks, and markup characters escaped. */
static void md_text(struct buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		int prev_word = p > s && (p[-1] == '_' || (unsigned char)p[-1] >= 0x80 ||
					  (p[-1] >= '0' && p[-1] <= '9') ||
					  ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z'));
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			buf_addc(out, ' ');
		} else if (strchr("\\|<>*[]`#", ch) || (ch == '_' && !prev_word)) {
			buf_addc(out, '\\');
			buf_addc(out, (char)ch);
		} else {
			buf_addc(out, (char)ch);
		}
	}
}

void report_render_md(const struct rdoc *d, struct buf *out)
{
	buf_adds(out, "# ");
	md_text(out, d->title);
	buf_adds(out, "\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct rblock *b = &d->b[i];
		switch (b->kind) {
		case RB_H2:
		case RB_H3:
			buf_adds(out, b->kind == RB_H2 ? "\n## " : "\n### ");
			md_text(out, b->text);
			buf_adds(out, "\n");
			break;
		case RB_PARA:
			buf_adds(out, "\n");
			md_text(out, b->text);
			buf_adds(out, "\n");
			break;
		case RB_TABLE:
			buf_adds(out, "\n|");
			for (size_t c = 0; c < b->t.ncols; c++) {
				buf_adds(out, " ");
				md_text(out, b->t.head[c]);
				buf_adds(out, " |");
			}
			buf_adds(out, "\n|");
			for (size_t c = 0; c < b->t.ncols; c++)
				buf_adds(out, "---|");
			buf_adds(out, "\n");
			for (size_t r = 0; r < b->t.nrows; r++) {
				buf_adds(out, "|");
				for (size_t c = 0; c < b->t.ncols; c++) {
					buf_adds(out, " ");
					md_text(out, b->t.cells[r * b->t.ncols + c]);
					buf_adds(out, " |");
				}
				buf_adds(out, "\n");
			}
			break;
		case RB_CHART:
			break; /* the table beside it holds the same figures */
		}
	}
}
