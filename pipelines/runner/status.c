#include "status.h"
#include "fsutil.h"
#include "integration.h"
#include "lock.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static int by_operator(const struct integration *it)
{
	return it->disconnected_by && strcmp(it->disconnected_by, INTEGRATION_BY_OPERATOR) == 0;
}

int status_disconnected_by_operator(const char *store)
{
	struct integration it;
	struct itg_err e = {0};
	int yes;

	if (!store || !fs_is_dir(store))
		return 0;
	yes = integration_read(store, &it, &e) > 0 && by_operator(&it);
	integration_free(&it);
	return yes;
}

int status_begin(struct run_status *s, const char *store, const char *region,
		 struct runlog *log, struct itg_err *e)
{
	struct integration it;

	memset(s, 0, sizeof *s);
	s->store = xstrdup(store);
	s->present = store && fs_is_dir(store);
	s->region = xstrdup(region);
	s->log = log;
	s->before = xstrdup(INTEGRATION_CONNECTED);
	if (!s->present)
		return 0;
	if (integration_read(s->store, &it, e) < 0)
		return -1;
	if (it.status)
		integration_set(&s->before, integration_effective_status(&it));
	integration_free(&it);
	return 0;
}

void status_mark(struct run_status *s, enum status_mark how, const char *error)
{
	struct integration it = {0};
	struct itg_err e = {0};
	char *path;
	int lock = -1;

	if (!s->present) {
		runlog_say(s->log, LOG_WARN, "store folder '%s' not found: integration status not updated",
			   s->store ? s->store : "");
		return;
	}
	path = fs_join(s->store, INTEGRATION_FILE);
	if (store_lock_acquire(s->store, &lock, &e) != 0) {
		if (e.code == ITG_EXIT_STALE)
			runlog_say(s->log, LOG_WARN,
				   "another run holds %s/%s: integration status not updated", s->store,
				   STORE_LOCK_FILE);
		else
			runlog_say(s->log, LOG_ERROR, "%s: integration status not updated", e.msg);
		goto out;
	}
	if (integration_read(s->store, &it, &e) < 0) {
		runlog_say(s->log, LOG_ERROR, "%s: integration status not updated", e.msg);
		goto out;
	}
	switch (how) {
	case MARK_SYNCING:
		integration_set(&it.status, INTEGRATION_SYNCING);
		break;
	case MARK_KEY_REFUSED:
		integration_set(&it.status, INTEGRATION_DISCONNECTED);
		/* a --connect run that IT Glue refused has not resumed anything */
		if (!by_operator(&it))
			integration_set(&it.disconnected_by, INTEGRATION_BY_ITGLUE);
		break;
	case MARK_FAILED_BEFORE:
		integration_set(&it.status, s->before);
		break;
	case MARK_FAILED_CONNECTED:
		/* the key works again; a disconnect by an operator stays, and so does its status */
		if (by_operator(&it)) {
			integration_set(&it.status, s->before);
			break;
		}
		integration_set(&it.status, INTEGRATION_CONNECTED);
		if (it.disconnected_by && strcmp(it.disconnected_by, INTEGRATION_BY_ITGLUE) == 0)
			integration_set(&it.disconnected_by, NULL);
		break;
	case MARK_INTERRUPTED:
		if (!it.status || strcmp(it.status, INTEGRATION_SYNCING) == 0)
			integration_set(&it.status, s->before);
		break;
	}
	integration_set(&it.region, s->region);
	if (error)
		integration_set(&it.last_error, error);
	if (integration_write(s->store, &it, &e) != 0)
		runlog_say(s->log, LOG_ERROR, "%s", e.msg);
	else
		runlog_say(s->log, LOG_INFO, "integration status in %s: %s", path, it.status);
out:
	store_lock_release(lock);
	integration_free(&it);
	free(path);
}

void status_free(struct run_status *s)
{
	free(s->store);
	free(s->region);
	free(s->before);
	memset(s, 0, sizeof *s);
}
