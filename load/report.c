/*
 * report.c - the staging of a report folder: report.md, report.html,
 * summary.json and changes.csv, and the files the sections write beside
 * them (mapping.csv, lists/, upload/), all 0600 in a folder staged beside the
 * report folder (0700), which the caller publishes or removes.
 *
 * The four main files are written as before, each fsynced; the many small
 * files of lists/ and upload/ are written plainly and made durable at once
 * by one syncfs of the staged folder's file system before it is handed back.
 */
#define _GNU_SOURCE /* syncfs */
#include "report.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_text(const char *dir, const char *name, const struct buf *b,
		      struct itg_err *e)
{
	char *path = fs_join(dir, name);
	int rc = fs_write_atomic(path, buf_str(b), b->len, ITG_FILE_MODE, e);

	free(path);
	return rc;
}

/* Every file written into the staged folder, on disk before it is published. */
static int sync_folder(const char *dir, struct itg_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || syncfs(fd) != 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot sync %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

char *report_stage(const char *dir, const struct report_input *in0, struct itg_err *e)
{
	struct report_input in = *in0;
	struct report_inventory inv = {0};
	struct report_files files = {0};
	char *staged = NULL, *path = NULL;
	struct rdoc d = {0};
	struct buf b = {0};
	struct afile f;
	int rc = -1;

	if (!in.inv) {
		if (report_inventory_read(in.plan_dir, &inv, e) != 0)
			return NULL;
		in.inv = &inv;
	}
	staged = fs_stage_dir(dir, e);
	if (!staged)
		goto out;
	files.dir = staged;
	files.e = e;
	if (report_build(&in, &files, &d) != 0)
		goto out;
	report_render_md(&d, &b);
	if (write_text(staged, "report.md", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_render_html(&d, &b);
	if (write_text(staged, "report.html", &b, e) != 0)
		goto out;
	buf_reset(&b);
	report_summary_json(&in, &b);
	if (write_text(staged, "summary.json", &b, e) != 0)
		goto out;
	path = fs_join(staged, "changes.csv");
	if (afile_open(&f, path, ITG_FILE_MODE, e) != 0)
		goto out;
	if (report_write_changes(f.fp, &in) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", path, strerror(errno));
		afile_abort(&f);
		goto out;
	}
	if (afile_commit(&f, e) != 0 || sync_folder(staged, e) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && staged) {
		fs_remove_tree(staged);
		free(staged);
		staged = NULL;
	}
	report_files_free(&files);
	report_inventory_free(&inv);
	rdoc_free(&d);
	buf_free(&b);
	free(path);
	return staged;
}
