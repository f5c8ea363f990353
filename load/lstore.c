#include "lstore.h"
#include "stale.h"

#include <string.h>

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
	    integration_read(dir, &s->it, e) < 0) {
		lstore_free(s);
		return -1;
	}
	return 0;
}

void lstore_free(struct lstore *s)
{
	store_free(&s->st);
	integration_free(&s->it);
	memset(s, 0, sizeof *s);
}
