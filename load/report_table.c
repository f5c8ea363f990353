/*
 * report_table.c - a table of the report and its file beside the report.
 *
 * A table shows the first RDOC_MAX_ROWS rows; its lists/NAME.csv holds every
 * row, so that a plan of half a million lines gives a report that opens at
 * once and still names every line somewhere in the folder.  The rows are
 * counted per reason, and the table ends with what each reason means and
 * what to do about it (lib/reasons.c), so a code is never left unexplained
 * where it appears.
 *
 * The files are written with plain buffered writes: report_stage makes the
 * whole staged folder durable with one sync before it is published (one
 * fsync per file would cost minutes for the upload/ files of a large run).
 */
#include "report.h"
#include "fsutil.h"
#include "reasons.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void files_fail(struct report_files *f, const char *path)
{
	if (!f->failed && f->e)
		err_set(f->e, ITG_EXIT_RUNTIME, "cannot write %s: %s", path,
			errno ? strerror(errno) : "write error");
	f->failed = 1;
}

FILE *report_file_open(struct report_files *f, const char *name, const char *const *head)
{
	char *path, *dir;
	FILE *fp = NULL;
	int fd;

	if (!f || !f->dir || f->failed)
		return NULL;
	path = fs_join(f->dir, name);
	dir = fs_dirname(path);
	/* files come folder by folder (upload/ holds thousands): make each once */
	if (!f->last_dir || strcmp(f->last_dir, dir) != 0) {
		if (fs_mkdir_p(dir, ITG_DIR_MODE, f->e) != 0) {
			f->failed = 1;
			goto out;
		}
		free(f->last_dir);
		f->last_dir = xstrdup(dir);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, ITG_FILE_MODE);
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		files_fail(f, path);
		goto out;
	}
	if (head) {
		size_t n = 0;
		while (head[n])
			n++;
		report_file_row(f, fp, head, n);
	}
out:
	free(dir);
	free(path);
	return fp;
}

void report_file_row(struct report_files *f, FILE *fp, const char *const *cells, size_t n)
{
	(void)f;
	if (!fp)
		return;
	for (size_t c = 0; c < n; c++) {
		if (c)
			putc(',', fp);
		report_csv_cell(fp, cells[c]);
	}
	putc('\n', fp);
}

void report_file_close(struct report_files *f, FILE *fp, const char *name, size_t rows)
{
	int bad;

	if (!fp)
		return;
	bad = ferror(fp);
	if (fclose(fp) != 0)
		bad = 1;
	if (bad) {
		char *path = fs_join(f->dir, name);
		files_fail(f, path);
		free(path);
		return;
	}
	if (strncmp(name, "upload/", 7) == 0) {
		f->uploads++;
		f->upload_rows += rows;
		return;
	}
	rcount_add(&f->written, name, rows, 0);
}

void report_files_free(struct report_files *f)
{
	rcount_free(&f->written);
	free(f->last_dir);
	f->last_dir = NULL;
}

void rtab_open(struct rtab *t, struct rdoc *d, struct report_files *f, const char *name,
	       const char *const *head, const char *const *csv_head)
{
	memset(t, 0, sizeof *t);
	t->d = d;
	t->f = f;
	rdoc_table(d, head);
	t->block = d->n - 1;
	if (!csv_head) {
		t->list = xstrdup(name);
		return;
	}
	t->list = xasprintf("lists/%s.csv", name);
	while (csv_head[t->ncsv])
		t->ncsv++;
	t->fp = report_file_open(f, t->list, csv_head);
}

struct buf *rtab_buf(struct rtab *t)
{
	struct buf *b = &t->scratch[t->next++ % 16];

	buf_reset(b);
	return b;
}

void rtab_row(struct rtab *t, int show, const char *const *cells, const char *const *csv,
	      const char *reason, int changed, unsigned flags)
{
	if (csv)
		report_file_row(t->f, t->fp, csv, t->ncsv);
	t->rows++;
	if (!changed)
		t->unchanged++;
	if (show) {
		rdoc_row_a(&t->d->b[t->block].t, cells, flags);
		t->shown++;
	}
	rcount_add(&t->reasons, reason, 1, changed ? 1 : 0);
	t->next = 0;
}

void rtab_close(struct rtab *t, const char *none)
{
	char n[32];

	rdoc_close_table(t->d, none, t->list);
	if (t->unchanged)
		rdoc_para(t->d, "%s %s changed nothing (the store already held what %s), so %s "
				"not listed here; %s has every line, with changed = no.",
			  rdoc_num((long long)t->unchanged, n),
			  t->unchanged == 1 ? "line of this kind" : "lines of this kind",
			  t->unchanged == 1 ? "it says" : "they say",
			  t->unchanged == 1 ? "it is" : "they are", t->list);
	report_explain(t->d, &t->reasons, "Lines");
	report_file_close(t->f, t->fp, t->list, t->rows);
	rcount_free(&t->reasons);
	for (int i = 0; i < 16; i++)
		buf_free(&t->scratch[i]);
	free(t->list);
	memset(t, 0, sizeof *t);
}

void report_explain(struct rdoc *d, const struct rcount *c, const char *lines_head)
{
	struct rtable *t;
	char n[32];

	if (!c->n)
		return;
	t = rdoc_table(d, (const char *const[]){"Reason", lines_head, "What it means",
						"What to do", NULL});
	for (size_t i = 0; i < c->n; i++)
		rdoc_row(t, c->v[i].code, rdoc_num((long long)c->v[i].lines, n),
			 reason_meaning(c->v[i].code), reason_next_step(c->v[i].code));
}
