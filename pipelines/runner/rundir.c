#include "rundir.h"
#include "fsutil.h"
#include "timefmt.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Seconds a run waits for a free run id before giving up. */
#define RUNDIR_MAX_WAIT 10

void runid_format(time_t t, char out[RUN_ID_LEN + 1])
{
	char id[TIME_RUNID_SIZE];

	time_format_runid(t, id);
	memcpy(out, id, RUN_ID_LEN + 1);
}

int runid_valid(const char *s)
{
	for (int i = 0; i < RUN_ID_LEN; i++) {
		char c = s[i];

		if (i == 8 ? c != 'T' : i == 15 ? c != 'Z' : (c < '0' || c > '9'))
			return 0;
	}
	return s[RUN_ID_LEN] == '\0';
}

/* Sleeps until the next whole second of the real clock. */
static void sleep_to_next_second(void)
{
	struct timespec now, nap;

	clock_gettime(CLOCK_REALTIME, &now);
	nap.tv_sec = 0;
	nap.tv_nsec = 1000000000L - now.tv_nsec;
	nanosleep(&nap, NULL);
}

int rundir_create(const char *pipeline_out, char id[RUN_ID_LEN + 1], char **dir,
		  struct itg_err *e)
{
	*dir = NULL;
	for (int tries = 0; tries <= RUNDIR_MAX_WAIT; tries++) {
		char *path;

		/* the real clock: ITG_FIXED_TIME would make every run collide */
		runid_format(time(NULL), id);
		path = fs_join(pipeline_out, id);
		if (mkdir(path, ITG_DIR_MODE) == 0) {
			*dir = path;
			return 0;
		}
		if (errno != EEXIST) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		free(path);
		sleep_to_next_second();
	}
	return err_set(e, ITG_EXIT_RUNTIME,
		       "cannot find a free run id in %s: %s exists (is the clock stuck?)",
		       pipeline_out, id);
}

int rundir_point_latest(const char *pipeline_out, const char *run_id, struct itg_err *e)
{
	char *latest = fs_join(pipeline_out, RUNDIR_LATEST);
	char *tmp = NULL;
	int rc = -1;

	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[8];

		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot draw a temporary name: %s",
				strerror(errno));
			goto out;
		}
		free(tmp);
		tmp = xasprintf("%s/.%s.tmp.%02x%02x%02x%02x%02x%02x%02x%02x", pipeline_out,
				RUNDIR_LATEST, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
		/* symlink() creates exclusively: an existing name is EEXIST */
		if (symlink(run_id, tmp) == 0)
			break;
		if (errno != EEXIST) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot create a link beside %s: %s", latest,
				strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, latest) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot update %s: %s", latest, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = fs_fsync_dir(pipeline_out, e);
out:
	free(tmp);
	free(latest);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t retention_choose(char **names, size_t n, long keep, const char *latest,
			const char *current, char **remove)
{
	size_t k = 0, old;

	if (keep < 1)
		keep = 1;
	qsort(names, n, sizeof *names, by_name);
	old = n > (size_t)keep ? n - (size_t)keep : 0;
	for (size_t i = 0; i < old; i++) {
		if ((latest && strcmp(names[i], latest) == 0) ||
		    (current && strcmp(names[i], current) == 0))
			continue;
		remove[k++] = names[i];
	}
	return k;
}

char *rundir_latest(const char *pipeline_out)
{
	char *link = fs_join(pipeline_out, RUNDIR_LATEST);
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof target - 1);
	char *slash;

	free(link);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	slash = strrchr(target, '/');
	return xstrdup(slash ? slash + 1 : target);
}

int rundir_list(const char *pipeline_out, char ***ids, size_t *n, struct itg_err *e)
{
	DIR *d = opendir(pipeline_out);
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (!d)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot list %s: %s", pipeline_out,
			       strerror(errno));
	while ((de = readdir(d))) {
		struct stat st;

		/* a folder named like a run id, not a link to one elsewhere */
		if (!runid_valid(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		xgrow((void **)&names, &cap, *n + 1, sizeof *names);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, by_name);
	*ids = names;
	return 0;
}

void rundir_list_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int rundir_prune(const char *pipeline_out, long keep, const char *current,
		 void (*removed)(const char *id, int ok, void *arg), void *arg, struct itg_err *e)
{
	char **names, **remove, *latest;
	size_t n, k;

	if (rundir_list(pipeline_out, &names, &n, e) != 0)
		return -1;
	latest = rundir_latest(pipeline_out);
	remove = xcalloc(n + 1, sizeof *remove);
	k = retention_choose(names, n, keep, latest, current, remove);
	for (size_t i = 0; i < k; i++) {
		char *path = fs_join(pipeline_out, remove[i]);
		int ok = fs_remove_tree(path) == 0;

		if (removed)
			removed(remove[i], ok, arg);
		free(path);
	}
	rundir_list_free(names, n);
	free(remove);
	free(latest);
	return 0;
}
