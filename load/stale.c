/*
 * stale.c - the plan's store fingerprints against the store's (stale.h).
 */
#include "stale.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

/* ITG_EXIT_STALE naming STORE/NAME unless now is what the plan saw. */
static int compare(const char *store, const struct plan_store_file *f,
		   const struct fingerprint *now, struct itg_err *e)
{
	int same = now->present == f->fp.present &&
		   (!now->present || (now->bytes == f->fp.bytes && now->hash == f->fp.hash));
	char *path;

	if (same)
		return 0;
	path = fs_join(store, f->name);
	err_set(e, ITG_EXIT_STALE,
		"%s %s since the plan was made: re-run itg-transform and load the new plan", path,
		!f->fp.present ? "appeared" : !now->present ? "disappeared" : "changed");
	free(path);
	return -1;
}

static int compare_file(const char *store, const struct plan_store_file *f, struct itg_err *e)
{
	char *path = fs_join(store, f->name);
	struct fingerprint now;
	int rc = fs_fingerprint(path, &now, e);

	free(path);
	return rc != 0 ? -1 : compare(store, f, &now, e);
}

/* The fingerprint of the table s parsed from the file named name, or NULL. */
static const struct fingerprint *parsed(const struct store *s, const char *name)
{
	for (int t = 0; t < STORE_NTABLES; t++)
		if (s->used[t] && strcmp(store_file_names[t], name) == 0)
			return &s->fp[t];
	return NULL;
}

int stale_check(const struct store *s, const struct plan *p, struct itg_err *e)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct plan_store_file *f = &p->files[i];
		const struct fingerprint *now = parsed(s, f->name);

		if ((now ? compare(s->dir, f, now, e) : compare_file(s->dir, f, e)) != 0)
			return -1;
	}
	return 0;
}

int stale_check_files(const char *store, const struct plan *p, struct itg_err *e)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (compare_file(store, &p->files[i], e) != 0)
			return -1;
	return 0;
}
