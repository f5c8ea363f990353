/*
 * lock.h - one run at a time: flock(2) on a lock file.  The store's lock is
 * STORE/.lock (itg-load, and pipelines/run while it rewrites the store's
 * integration.json); pipelines/run also holds one per pipeline,
 * out/<name>/.lock, for the whole run.
 *
 * Non-blocking: a lock held by another run is ITG_EXIT_STALE at once (a
 * nightly job must not queue up behind a stuck one).  The lock goes with the
 * process, so a killed run never leaves the store locked.  Descriptors are
 * close-on-exec: a program started while the lock is held does not hold it.
 */
#ifndef ITG_LOCK_H
#define ITG_LOCK_H

#include "err.h"

#define STORE_LOCK_FILE ".lock"

/*
 * Takes the exclusive lock on path, creating it (0600) if needed, without
 * following a symbolic link.  *fd receives the descriptor to pass to
 * store_lock_release.  Held by another: ITG_EXIT_STALE naming path.
 */
int lock_path_acquire(const char *path, int *fd, struct itg_err *e);

/*
 * Takes the exclusive lock, creating STORE/.lock (0600) if needed.
 * *fd receives the descriptor to pass to store_lock_release.  A symbolic
 * link in its place is refused as every store file's is (fs_link_refused,
 * ITG_EXIT_USAGE), here and in store_lock_shared.
 */
int store_lock_acquire(const char *store, int *fd, struct itg_err *e);

/*
 * For a dry run, which must create nothing in the store: takes a shared
 * lock on an existing STORE/.lock (refused while a run holds it), or
 * nothing when there is no lock file (*fd = -1).
 */
int store_lock_shared(const char *store, int *fd, struct itg_err *e);

/* Releases and closes; -1 is ignored. */
void store_lock_release(int fd);

#endif
