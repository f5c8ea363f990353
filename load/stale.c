#include "stale.h"
#include "fsutil.h"

#include <stdlib.h>

int stale_check(const char *store, const struct plan *p, struct itg_err *e)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct plan_store_file *f = &p->files[i];
		char *path = fs_join(store, f->name);
		struct fingerprint now;
		int same;

		if (fs_fingerprint(path, &now, e) != 0) {
			free(path);
			return -1;
		}
		same = now.present == f->fp.present &&
		       (!now.present || (now.bytes == f->fp.bytes && now.hash == f->fp.hash));
		if (!same) {
			err_set(e, ITG_EXIT_STALE,
				"%s %s since the plan was made: re-run itg-transform and load the new plan",
				path, !f->fp.present ? "appeared" : !now.present ? "disappeared" : "changed");
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}
