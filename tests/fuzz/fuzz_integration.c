/*
 * fuzz_integration.c - the store's integration.json reader (lib/integration.c)
 * on arbitrary bytes.
 *
 * Checks what integration.h documents: integration_parse returns 0 (and an
 * all-NULL struct) exactly for empty text, -1 with an input error naming the
 * file and saying to fix or remove it (and an all-NULL struct), or 1 with a
 * status and disconnected_by from their lists or NULL; integration_read of
 * the same bytes as STORE/integration.json gives the same verdict, message
 * and struct; and an accepted state survives render + parse and
 * integration_write + integration_read unchanged, rendered as one line.
 */
#include "fuzz_util.h"

#include <sys/stat.h>

#include "fsutil.h"
#include "integration.h"

#define NFIELDS 9

static void fields(struct integration *it, char **out[NFIELDS])
{
	out[0] = &it->status;
	out[1] = &it->region;
	out[2] = &it->last_sync;
	out[3] = &it->last_error;
	out[4] = &it->product;
	out[5] = &it->pipeline;
	out[6] = &it->account_id;
	out[7] = &it->account_name;
	out[8] = &it->disconnected_by;

}

static void same(struct integration *a, struct integration *b, const char *what)
{
	char **fa[NFIELDS], **fb[NFIELDS];

	fields(a, fa);
	fields(b, fb);
	for (int i = 0; i < NFIELDS; i++) {
		const char *x = *fa[i], *y = *fb[i];
		FUZZ_CHECK((!x && !y) || (x && y && strcmp(x, y) == 0), "%s: field %d: [%s] became [%s]",
			   what, i, x ? x : "(null)", y ? y : "(null)");
	}
}

static void all_null(struct integration *it, const char *what)
{
	char **f[NFIELDS];

	fields(it, f);
	for (int i = 0; i < NFIELDS; i++)
		FUZZ_CHECK(*f[i] == NULL, "%s: field %d set", what, i);
}

static const char *store_dir(void)
{
	static char path[4400];

	if (!path[0]) {
		snprintf(path, sizeof path, "%s/store", fuzz_dir());
		FUZZ_CHECK(mkdir(path, 0700) == 0, "cannot make %s", path);
	}
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = store_dir();
	char path[4500];
	struct integration it, viaread, back;
	struct itg_err e = {0}, e2 = {0};
	struct buf once = {0}, twice = {0}, file = {0};
	int rc, rc2, fd;

	snprintf(path, sizeof path, "%s/" INTEGRATION_FILE, dir);
	rc = integration_parse(path, (const char *)data, size, &it, &e);
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1, "rc %d", rc);
	FUZZ_CHECK((rc == 0) == (size == 0), "rc %d for %zu bytes", rc, size);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size, "short write");
	close(fd);
	rc2 = integration_read(dir, &viaread, &e2);
	FUZZ_CHECK(rc2 == rc, "integration_read %d, integration_parse %d", rc2, rc);

	if (rc <= 0) {
		all_null(&it, "parse");
		all_null(&viaread, "read");
		if (rc < 0) {
			FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
			FUZZ_CHECK(strstr(e.msg, path) == e.msg, "message does not name the file: %s", e.msg);
			FUZZ_CHECK(strstr(e.msg, "fix or remove the file") != NULL, "message says nothing to do: %s",
				   e.msg);
			FUZZ_CHECK(strcmp(e.msg, e2.msg) == 0, "read and parse differ: %s vs %s", e2.msg,
				   e.msg);
		}
		integration_free(&it);
		integration_free(&viaread);
		return 0;
	}
	same(&it, &viaread, "read vs parse");
	FUZZ_CHECK(!it.status || !strcmp(it.status, INTEGRATION_CONNECTED) ||
			   !strcmp(it.status, INTEGRATION_DISCONNECTED) ||
			   !strcmp(it.status, INTEGRATION_SYNCING),
		   "status %s", it.status);
	FUZZ_CHECK(!it.disconnected_by || !strcmp(it.disconnected_by, INTEGRATION_BY_OPERATOR) ||
			   !strcmp(it.disconnected_by, INTEGRATION_BY_ITGLUE),
		   "disconnected_by %s", it.disconnected_by);

	/* what the load writes back, the next run reads as the same state */
	integration_render(&it, &once);
	FUZZ_CHECK(once.len > 0 && once.p[once.len - 1] == '\n' &&
			   memchr(once.p, '\n', once.len) == once.p + once.len - 1,
		   "rendered as more than one line: %s", buf_str(&once));
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(integration_parse(path, once.p, once.len, &back, &e) == 1,
		   "the rendered state does not parse: %s: %s", e.msg, buf_str(&once));
	same(&it, &back, "render + parse");
	integration_render(&back, &twice);
	FUZZ_CHECK(once.len == twice.len && memcmp(once.p, twice.p, once.len) == 0,
		   "render not stable: %s vs %s", buf_str(&once), buf_str(&twice));
	integration_free(&back);

	memset(&e, 0, sizeof e);
	FUZZ_CHECK(integration_write(dir, &it, &e) == 0, "write failed: %s", e.msg);
	FUZZ_CHECK(integration_read(dir, &back, &e) == 1, "the written state does not read: %s",
		   e.msg);
	same(&it, &back, "write + read");
	FUZZ_CHECK(fs_read_all(path, &file, 0, &e) == 0 && file.len == once.len &&
			   memcmp(file.p, once.p, once.len) == 0,
		   "the file is not what render gives");
	integration_free(&back);
	integration_free(&it);
	integration_free(&viaread);
	buf_free(&once);
	buf_free(&twice);
	buf_free(&file);
	return 0;
}
