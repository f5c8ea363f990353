#include "lock.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int take(const char *store, int flags, int how, int *fd, struct itg_err *e)
{
	char *path = fs_join(store, STORE_LOCK_FILE);
	int rc = 0;

	*fd = open(path, flags | O_CLOEXEC, 0600);
	if (*fd < 0) {
		if (errno == ENOENT && !(flags & O_CREAT))
			goto out;
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot open the store lock %s: %s", path,
			     strerror(errno));
		goto out;
	}
	if (flock(*fd, how | LOCK_NB) != 0) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		if (saved == EWOULDBLOCK)
			rc = err_set(e, ITG_EXIT_STALE,
				     "another run holds the store lock %s, wait for it to finish",
				     path);
		else
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot lock %s: %s", path,
				     strerror(saved));
	}
out:
	free(path);
	return rc;
}

int store_lock_acquire(const char *store, int *fd, struct itg_err *e)
{
	return take(store, O_RDWR | O_CREAT, LOCK_EX, fd, e);
}

int store_lock_shared(const char *store, int *fd, struct itg_err *e)
{
	return take(store, O_RDONLY, LOCK_SH, fd, e);
}

void store_lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
