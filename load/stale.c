/*
 * stale.c - the plan's store fingerprints against the store's (stale.h).
 */
#include "stale.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

/* When the difference was found, for the message. */
enum when { AT_START, BEFORE_SWITCH };

/* ITG_EXIT_STALE naming STORE/NAME unless now is what the plan saw. */
static int compare(const char *store, const struct plan_store_file *f,
		   const struct fingerprint *now, enum when when, struct itg_err *e)
{
	const char *how;
	int same = now->present == f->fp.present &&
		   (!now->present || (now->bytes == f->fp.bytes && now->hash == f->fp.hash));
	char *path;

	if (same)
		return 0;
	path = fs_join(store, f->name);
	how = !f->fp.present ? "appeared" : !now->present ? "disappeared" : "changed";
	if (when == AT_START)
		err_set(e, ITG_EXIT_STALE,
			"%s %s since the plan was made: re-run itg-transform and load the new plan",
			path, how);
	else
		err_set(e, ITG_EXIT_STALE,
			"%s %s while itg-load was running (after its start-up check): refused, "
			"nothing was changed and the store keeps that edit; run the pipeline "
			"again (or itg-transform, then itg-load) to plan from the store as it is now",
			path, how);
	free(path);
	return -1;
}

static int compare_file(const char *store, const struct plan_store_file *f, enum when when,
			struct itg_err *e)
{
	char *path = fs_join(store, f->name);
	struct fingerprint now;
	int rc = fs_fingerprint(path, &now, e);

	free(path);
	return rc != 0 ? -1 : compare(store, f, &now, when, e);
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

		if ((now ? compare(s->dir, f, now, AT_START, e)
			 : compare_file(s->dir, f, AT_START, e)) != 0)
			return -1;
	}
	return 0;
}

int stale_check_files(const char *store, const struct plan *p, struct itg_err *e)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (compare_file(store, &p->files[i], AT_START, e) != 0)
			return -1;
	return 0;
}

int stale_recheck(const char *store, const struct plan *p, struct itg_err *e)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (compare_file(store, &p->files[i], BEFORE_SWITCH, e) != 0)
			return -1;
	return 0;
}
