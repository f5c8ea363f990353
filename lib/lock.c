#include "lock.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* what names the lock in a message: "the store lock" or "the lock"; store: a
 * link in its place is refused as for every store file (fs_link_refused) */
static int take(const char *path, const char *what, int store, int flags, int how, int *fd,
		struct itg_err *e)
{
	*fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0) {
		if (errno == ENOENT && !(flags & O_CREAT))
			return 0;
		if (errno == ELOOP && store)
			return fs_link_refused(path, e);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s %s: %s", what, path,
			       strerror(errno));
	}
	if (flock(*fd, how | LOCK_NB) != 0) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		if (saved == EWOULDBLOCK)
			return err_set(e, ITG_EXIT_STALE,
				       "another run holds %s %s, wait for it to finish", what, path);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot lock %s: %s", path, strerror(saved));
	}
	return 0;
}

int lock_path_acquire(const char *path, int *fd, struct itg_err *e)
{
	return take(path, "the lock", 0, O_RDWR | O_CREAT, LOCK_EX, fd, e);
}

int store_lock_acquire(const char *store, int *fd, struct itg_err *e)
{
	char *path = fs_join(store, STORE_LOCK_FILE);
	int rc = take(path, "the store lock", 1, O_RDWR | O_CREAT, LOCK_EX, fd, e);

	free(path);
	return rc;
}

int store_lock_shared(const char *store, int *fd, struct itg_err *e)
{
	char *path = fs_join(store, STORE_LOCK_FILE);
	int rc = take(path, "the store lock", 1, O_RDONLY, LOCK_SH, fd, e);

	free(path);
	return rc;
}

void store_lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
