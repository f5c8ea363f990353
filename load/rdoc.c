/*
 * rdoc.c - the report's document model (rdoc.h): blocks appended one by
 * one, tables that stop keeping rows at RDOC_MAX_ROWS but go on counting.
 */
#include "rdoc.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rblock *rdoc_block(struct rdoc *d, enum rblock_kind kind, const char *text)
{
	struct rblock *b;

	xgrow((void **)&d->b, &d->cap, d->n + 1, sizeof *d->b);
	b = &d->b[d->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->text = xstrdup(text);
	return b;
}

void rdoc_para(struct rdoc *d, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rdoc_block(d, RB_PARA, buf_str(&b));
	buf_free(&b);
}

struct rtable *rdoc_table(struct rdoc *d, const char *const *head)
{
	struct rblock *b = rdoc_block(d, RB_TABLE, NULL);

	while (head[b->t.ncols])
		b->t.ncols++;
	b->t.head = xcalloc(b->t.ncols, sizeof *b->t.head);
	for (size_t i = 0; i < b->t.ncols; i++)
		b->t.head[i] = xstrdup(head[i]);
	return &b->t;
}

int rdoc_table_full(struct rtable *t)
{
	if (t->nrows < RDOC_MAX_ROWS)
		return 0;
	t->more++;
	return 1;
}

/* Room for one more row; 0 once the table is full (the row is counted). */
static int row_room(struct rtable *t, unsigned flags)
{
	if (rdoc_table_full(t))
		return 0;
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
	t->flags = xrealloc(t->flags, t->nrows + 1);
	t->flags[t->nrows] = (unsigned char)flags;
	return 1;
}

void rdoc_row(struct rtable *t, ...)
{
	va_list ap;

	if (!row_room(t, 0))
		return;
	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + i] = xstrdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

void rdoc_row_a(struct rtable *t, const char *const *cells, unsigned flags)
{
	if (!row_room(t, flags))
		return;
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

const char *rdoc_num(long long n, char out[32])
{
	char digits[24];
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	int len = snprintf(digits, sizeof digits, "%llu", u), o = 0;

	if (n < 0)
		out[o++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

void rdoc_close_table(struct rdoc *d, const char *none, const char *where)
{
	struct rblock *b = &d->b[d->n - 1];

	if (b->kind == RB_TABLE && b->t.more) {
		char shown[32], all[32];
		rdoc_para(d, "The first %s of %s rows are shown; every one is in %s.",
			  rdoc_num((long long)b->t.nrows, shown),
			  rdoc_num((long long)(b->t.nrows + b->t.more), all), where);
		return;
	}
	if (b->kind != RB_TABLE || b->t.nrows)
		return;
	for (size_t i = 0; i < b->t.ncols; i++)
		free(b->t.head[i]);
	free(b->t.head);
	b->t.head = NULL;
	b->kind = RB_PARA;
	free(b->text);
	b->text = xstrdup(none);
}

struct rblock *rdoc_chart(struct rdoc *d, const char *title)
{
	return rdoc_block(d, RB_CHART, title);
}

void rdoc_bar(struct rblock *c, const char *label, long long value, long long total,
	      int is_license)
{
	c->bars = xrealloc(c->bars, (c->nbars + 1) * sizeof *c->bars);
	c->bars[c->nbars].label = xstrdup(label);
	c->bars[c->nbars].value = value;
	c->bars[c->nbars].total = total;
	c->bars[c->nbars].is_license = is_license;
	c->nbars++;
}

void rdoc_free(struct rdoc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct rblock *b = &d->b[i];
		if (b->t.head)
			for (size_t c = 0; c < b->t.ncols; c++)
				free(b->t.head[c]);
		free(b->t.head);
		for (size_t c = 0; c < b->t.nrows * b->t.ncols; c++)
			free(b->t.cells[c]);
		free(b->t.cells);
		free(b->t.flags);
		for (size_t k = 0; k < b->nbars; k++)
			free(b->bars[k].label);
		free(b->bars);
		free(b->text);
	}
	free(d->b);
	free(d->title);
	memset(d, 0, sizeof *d);
}
