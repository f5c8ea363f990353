/*
 * write.c - a resource's records into DIR/<resource>.ndjson.gz and its
 * manifest entry (run.h): sorted and de-duplicated by records_write, or
 * merged with the base's file in an incremental run, where a resource
 * without changes is the base's file copied byte for byte.
 */
#include "run.h"

#include "fsutil.h"
#include "log.h"
#include "ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies the base's file of a resource unchanged (a merge without changes). */
static int copy_base_file(const char *from, const char *to, struct itg_err *e)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	uint64_t copied = 0;

	if (in < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, ITG_FILE_MODE);
	if (out < 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", to, strerror(errno));
		goto out;
	}
	switch (fs_copy_fd(in, out, UINT64_MAX, &copied)) {
	case -2:
		err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", from, strerror(errno));
		goto out;
	case -1:
		err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", to, strerror(errno));
		goto out;
	}
	if (fsync(out) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot sync %s: %s", to, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(in);
	if (out >= 0 && close(out) != 0 && rc == 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", to, strerror(errno));
	if (rc != 0 && out >= 0)
		unlink(to);
	return rc;
}

/*
 * Writes rs's records into DIR/<resource>.ndjson.gz and the manifest's
 * entry; with merge, the base's records too (records_write_merged: a
 * record of rs replaces the base's copy), and with no record of rs the
 * base's file is copied as it is (the same bytes a merge would write).
 */
int write_resource(struct run *run, struct res_state *rs, const char *dir, int merge,
		   struct itg_err *e)
{
	struct snapshot_resource *out = &run->man.res[rs->res];
	const struct snapshot_resource *in = &run->base.res[rs->res];
	struct ndjson_writer w;
	char *path, *from;
	int rc;

	snprintf(out->file, sizeof out->file, "%s.ndjson.gz", resource_names[rs->res]);
	path = fs_join(dir, out->file);
	if (merge && rs->recs.added == 0) {
		from = fs_join(run->base_dir, in->file);
		rc = copy_base_file(from, path, e);
		free(from);
		free(path);
		if (rc != 0)
			return -1;
		out->crc32 = in->crc32;
		out->bytes = in->bytes;
		out->records = in->records;
		out->present = 1;
		return 0;
	}
	if (ndjson_writer_open(&w, path, e) != 0) {
		free(path);
		return -1;
	}
	free(path);
	if (merge) {
		struct records_base b = {.records = in->records, .crc32 = in->crc32,
					 .bytes = in->bytes};

		from = fs_join(run->base_dir, in->file);
		b.path = from;
		rc = records_write_merged(&rs->recs, &b, &w, e);
		free(from);
	} else {
		rc = records_write(&rs->recs, &w, e);
	}
	if (rc != 0) {
		ndjson_writer_abort(&w);
		return -1;
	}
	out->crc32 = w.crc;
	out->bytes = w.bytes;
	out->records = w.records;
	if (ndjson_writer_close(&w, e) != 0)
		return -1;
	out->present = 1;
	if (!merge)
		log_info("%s: %llu records in %lld pages%s", resource_names[rs->res],
			 (unsigned long long)out->records, rs->pages_done,
			 rs->recs.duplicates ? " (duplicates across pages dropped)" : "");
	return 0;
}

/* Removes what write_resource wrote for rs: its merge is not the snapshot after all. */
void unwrite_resource(struct run *run, struct res_state *rs, const char *dir)
{
	struct snapshot_resource *out = &run->man.res[rs->res];
	char *path = fs_join(dir, out->file);

	unlink(path);
	free(path);
	*out = (struct snapshot_resource){0};
}
