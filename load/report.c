/*
 * report.c - the staging of a report: its four files (report.md,
 * report.html, summary.json, changes.csv) written 0600 into a folder staged
 * beside the report folder, which the caller publishes or removes.
 */
#include "report.h"
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int write_text(const char *dir, const char *name, const struct buf *b,
		      struct itg_err *e)
{
	char *path = fs_join(dir, name);
	int rc = fs_write_atomic(path, buf_str(b), b->len, ITG_FILE_MODE, e);

	free(path);
	return rc;
}

char *report_stage(const char *dir, const struct report_input *in, struct itg_err *e)
{
	char *staged = fs_stage_dir(dir, e), *path = NULL;
	struct rdoc d;
	struct buf b = {0};
	struct afile f;
	int rc = -1;

	if (!staged)
		return NULL;
	report_build(in, &d);
	report_render_md(&d, &b);
	if (write_text(staged, "report.md", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_render_html(&d, &b);
	if (write_text(staged, "report.html", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_summary_json(in, &b);
	if (write_text(staged, "summary.json", &b, e) != 0)
		goto out;
	path = fs_join(staged, "changes.csv");
	if (afile_open(&f, path, ITG_FILE_MODE, e) != 0)
		goto out;
	if (report_write_changes(f.fp, in) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", path, strerror(errno));
		afile_abort(&f);
		goto out;
	}
	if (afile_commit(&f, e) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		fs_remove_tree(staged);
		free(staged);
		staged = NULL;
	}
	rdoc_free(&d);
	buf_free(&b);
	free(path);
	return staged;
}
