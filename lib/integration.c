#include "integration.h"
#include "fsutil.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A state of a few hundred bytes; anything near this is not ours. */
#define INTEGRATION_MAX_BYTES (1 << 20)

static const char *const statuses[] = {INTEGRATION_CONNECTED, INTEGRATION_DISCONNECTED,
				       INTEGRATION_SYNCING, NULL};
static const char *const by_whom[] = {INTEGRATION_BY_OPERATOR, INTEGRATION_BY_ITGLUE, NULL};

void integration_set(char **field, const char *value)
{
	char *copy = xstrdup(value);

	free(*field);
	*field = copy;
}

const char *integration_effective_status(const struct integration *it)
{
	if (!it->status || strcmp(it->status, INTEGRATION_SYNCING) != 0)
		return it->status;
	return it->disconnected_by ? INTEGRATION_DISCONNECTED : INTEGRATION_CONNECTED;
}

int integration_is_bound(const struct integration *it)
{
	return it->product || it->pipeline || it->account_id || it->account_name;
}

void integration_free(struct integration *it)
{
	free(it->status);
	free(it->region);
	free(it->last_sync);
	free(it->last_error);
	free(it->product);
	free(it->pipeline);
	free(it->account_id);
	free(it->account_name);
	free(it->disconnected_by);
	memset(it, 0, sizeof *it);
}

static int bad(struct itg_err *e, const char *path, const char *what)
{
	return err_at(e, ITG_EXIT_USAGE, path, 0, 0, "%s; fix or remove the file", what);
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/*
 * One string member of obj into *out: absent and null leave it NULL; an id
 * may be a JSON number (kept as its text); anything else is refused, as is
 * a string outside allowed (when given).
 */
static int member(const char *path, yajl_val obj, const char *key, int id_ok,
		  const char *const *allowed, char **out, struct itg_err *e)
{
	yajl_val v = json_get(obj, key);
	const char *s;
	char what[256];

	if (!v || YAJL_IS_NULL(v))
		return 0;
	s = id_ok ? json_str_or_number(v) : YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
	if (!s) {
		snprintf(what, sizeof what, "\"%s\" must be a string or null", key);
		return bad(e, path, what);
	}
	if (allowed && !in_list(s, allowed)) {
		struct buf b = {0};
		int rc;

		buf_addf(&b, "\"%s\" is \"%.40s\", not ", key, s);
		for (size_t i = 0; allowed[i]; i++)
			buf_addf(&b, "%s%s", i ? ", " : "", allowed[i]);
		buf_adds(&b, " or null");
		rc = bad(e, path, buf_str(&b));
		buf_free(&b);
		return rc;
	}
	*out = xstrdup(s);
	return 0;
}

int integration_parse(const char *path, const char *text, size_t len, struct integration *it,
		      struct itg_err *e)
{
	char errbuf[256], what[320];
	yajl_val v, account;
	int rc = -1;

	memset(it, 0, sizeof *it);
	if (len == 0)
		return 0;
	v = json_parse(text, len, errbuf, sizeof errbuf);
	if (!v) {
		snprintf(what, sizeof what, "not JSON (%s)", errbuf);
		return bad(e, path, what);
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		return bad(e, path, "not a JSON object");
	}
	account = json_get(v, "itglue_account");
	if (account && !YAJL_IS_NULL(account) && !YAJL_IS_OBJECT(account)) {
		bad(e, path, "\"itglue_account\" must be an object or null");
		goto out;
	}
	if (member(path, v, "status", 0, statuses, &it->status, e) != 0 ||
	    member(path, v, "region", 0, NULL, &it->region, e) != 0 ||
	    member(path, v, "last_sync", 0, NULL, &it->last_sync, e) != 0 ||
	    member(path, v, "last_error", 0, NULL, &it->last_error, e) != 0 ||
	    member(path, v, "product", 0, NULL, &it->product, e) != 0 ||
	    member(path, v, "pipeline", 0, NULL, &it->pipeline, e) != 0 ||
	    member(path, account, "primary_organization_id", 1, NULL, &it->account_id, e) != 0 ||
	    member(path, account, "primary_organization_name", 0, NULL, &it->account_name, e) != 0 ||
	    member(path, v, "disconnected_by", 0, by_whom, &it->disconnected_by, e) != 0)
		goto out;
	rc = 1;
out:
	yajl_tree_free(v);
	if (rc < 0)
		integration_free(it);
	return rc;
}

/*
 * Reads path as a store file (fs_open_plain: never through a link, never a
 * FIFO); *present = 0 when missing.
 */
static int read_store_file(const char *path, struct buf *b, int *present, struct itg_err *e)
{
	int fd, rc = fs_open_plain(path, O_RDONLY, 0, &fd, e);

	*present = rc > 0;
	if (rc <= 0)
		return rc;
	if (fs_read_fd(fd, path, b, INTEGRATION_MAX_BYTES, e) != 0)
		return e->code == ITG_EXIT_USAGE ? bad(e, path, "larger than 1 MiB") : -1;
	return 0;
}

int integration_read(const char *store_dir, struct integration *it, struct itg_err *e)
{
	char *path = fs_join(store_dir, INTEGRATION_FILE);
	struct buf b = {0};
	int present, rc;

	memset(it, 0, sizeof *it);
	rc = read_store_file(path, &b, &present, e);
	if (rc == 0 && present)
		rc = integration_parse(path, b.p, b.len, it, e);
	buf_free(&b);
	free(path);
	return rc;
}

void integration_render(const struct integration *it, struct buf *out)
{
	yajl_gen g = json_gen_new();

	yajl_gen_map_open(g);
	/* the four keys itg-load has always written, in its order */
	json_kv_str(g, "status", it->status);
	json_kv_str(g, "region", it->region);
	json_kv_str(g, "last_sync", it->last_sync);
	json_kv_str(g, "last_error", it->last_error);
	if (it->product)
		json_kv_str(g, "product", it->product);
	if (it->pipeline)
		json_kv_str(g, "pipeline", it->pipeline);
	/* contract.md sections 5 and 10: a bound store names its account (both
	 * null when the snapshot named none), and disconnected_by is always
	 * there, null while nobody disconnected the integration */
	if (it->product || it->account_id || it->account_name) {
		json_key(g, "itglue_account");
		yajl_gen_map_open(g);
		json_kv_str(g, "primary_organization_id", it->account_id);
		json_kv_str(g, "primary_organization_name", it->account_name);
		yajl_gen_map_close(g);
	}
	json_kv_str(g, "disconnected_by", it->disconnected_by);
	yajl_gen_map_close(g);
	json_gen_take(g, out);
	buf_addc(out, '\n');
	yajl_gen_free(g);
}

int integration_write(const char *store_dir, const struct integration *it, struct itg_err *e)
{
	char *path = fs_join(store_dir, INTEGRATION_FILE);
	struct buf b = {0};
	int rc;

	integration_render(it, &b);
	rc = fs_write_atomic(path, b.p, b.len, ITG_FILE_MODE, e);
	buf_free(&b);
	free(path);
	return rc;
}
