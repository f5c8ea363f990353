/*
 * fuzz_manifest.c - snapshot_manifest_read on an arbitrary manifest.json.
 *
 * Checks: a refusal is an input error naming the manifest or the folder;
 * an accepted manifest has the supported format, snapshot_manifest_load
 * (which keeps the id lists) accepts it too, and no listed file name
 * leaves the snapshot folder (snapshot_verify opens DIR/<file>).
 */
#include "fuzz_util.h"

#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot_manifest m;
	struct itg_err e = {0};

	fuzz_write_file("manifest.json", data, size);
	if (snapshot_manifest_read(fuzz_dir(), &m, &e) != 0) {
		FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
		FUZZ_CHECK(strstr(e.msg, fuzz_dir()) != NULL, "message names no file: %s", e.msg);
		return 0;
	}
	FUZZ_CHECK(m.format == SNAPSHOT_FORMAT, "format %d accepted", m.format);
	{
		/* the reader that keeps the id lists accepts the same manifests */
		struct snapshot_manifest full;
		FUZZ_CHECK(snapshot_manifest_load(fuzz_dir(), &full, &e) == 0, "load refused: %s",
			   e.msg);
		FUZZ_CHECK(full.has_missing == m.has_missing, "has_missing differs");
		for (size_t i = 0; i < full.confirmed_deleted.n; i++)
			FUZZ_CHECK(full.confirmed_deleted.v[i][0] != '\0', "empty id kept");
		snapshot_manifest_free(&full);
	}
	for (int i = 0; i < RES_COUNT; i++) {
		if (!m.res[i].present)
			continue;
		FUZZ_CHECK(memchr(m.res[i].file, '\0', sizeof m.res[i].file) != NULL, "file not terminated");
		FUZZ_CHECK(strchr(m.res[i].file, '/') == NULL, "file name with a slash: %s", m.res[i].file);
	}
	return 0;
}
