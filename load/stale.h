/*
 * stale.h - refusing a plan made from a store that has changed since.
 *
 * The plan manifest holds a fingerprint (presence, size, FNV-1a 64) of every
 * store file the transform read.  If any differs now, the plan was computed
 * from other data (an operator edit, another run): applying it could undo
 * that change, so the load refuses with ITG_EXIT_STALE, naming the file and
 * whether it appeared, disappeared or changed.  Files are fingerprinted
 * from disk by fs_fingerprint, which does not follow a symbolic link: a
 * link in place of a table is ITG_EXIT_USAGE naming it, never read.
 */
#ifndef ITG_LOAD_STALE_H
#define ITG_LOAD_STALE_H

#include "err.h"
#include "planread.h"
#include "store.h"

/*
 * Compares the plan's fingerprints with those of the bytes store_read
 * parsed into s (s->fp), in the manifest's order: what is applied is then
 * provably what the plan was made from, and no table is read twice.  A file
 * the manifest lists that s holds no table for (not one of the product's
 * tables) is fingerprinted from disk.
 */
int stale_check(const struct store *s, const struct plan *p, struct itg_err *e);

/*
 * The same check, fingerprinting every file from disk: for when the store
 * could not be read, so that a store changed since the plan is reported as
 * stale before anything the change broke is.
 */
int stale_check_files(const char *store, const struct plan *p, struct itg_err *e);

/*
 * The same check from disk once more, immediately before the store's
 * transaction switches (journal.h step 1b): a file the operator edited
 * while the load ran is refused (ITG_EXIT_STALE) with a message saying the
 * edit is kept, and the transaction is called off.
 */
int stale_recheck(const char *store, const struct plan *p, struct itg_err *e);

#endif
