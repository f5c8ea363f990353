#include "lstore.h"
#include "fsutil.h"
#include "stale.h"
#include "json.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static int read_integration(struct lstore *s, struct itg_err *e)
{
	char *path = fs_join(s->st.dir, STORE_FILE_INTEGRATION);
	struct buf b = {0};
	char errbuf[256];
	yajl_val v;
	int rc = 0;

	if (!fs_exists(path))
		goto out;
	if (fs_read_all(path, &b, 1 << 20, e) != 0) {
		rc = -1;
		goto out;
	}
	if (b.len == 0)
		goto out;
	v = json_parse(b.p, b.len, errbuf, sizeof errbuf);
	if (!v || !YAJL_IS_OBJECT(v)) {
		rc = err_at(e, ITG_EXIT_USAGE, path, 0, 0,
			    "not a JSON object (%s), fix or remove the file",
			    v ? "wrong type" : errbuf);
		if (v)
			yajl_tree_free(v);
		goto out;
	}
	s->status = xstrdup(json_get_str(v, "status"));
	s->last_sync = xstrdup(json_get_str(v, "last_sync"));
	s->region = xstrdup(json_get_str(v, "region"));
	yajl_tree_free(v);
out:
	buf_free(&b);
	free(path);
	return rc;
}

/*
 * The stale check sits between reading and validating: on the bytes read,
 * before anything is judged by their content.  A store that cannot be read
 * is checked from disk first, so that a file changed since the plan is
 * reported as stale (re-run itg-transform) rather than as the error it now
 * makes, just as when the whole store reads.
 */
int lstore_load(const char *dir, enum product p, const struct plan *plan, struct lstore *s,
		struct itg_err *e)
{
	struct itg_err read_err = {0};

	memset(s, 0, sizeof *s);
	if (store_read(dir, p, &s->st, &read_err) != 0) {
		if (plan && stale_check_files(dir, plan, e) != 0)
			return -1;
		*e = read_err;
		return -1;
	}
	if ((plan && stale_check(&s->st, plan, e) != 0) || store_validate(&s->st, e) != 0 ||
	    read_integration(s, e) != 0) {
		lstore_free(s);
		return -1;
	}
	return 0;
}

void lstore_free(struct lstore *s)
{
	store_free(&s->st);
	free(s->status);
	free(s->last_sync);
	free(s->region);
	memset(s, 0, sizeof *s);
}
