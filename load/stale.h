/*
 * stale.h - refusing a plan made from a store that has changed since.
 *
 * The plan manifest holds a fingerprint (presence, size, FNV-1a 64) of every
 * store file the transform read.  If any differs now, the plan was computed
 * from other data (an operator edit, another run): applying it could undo
 * that change, so the load refuses with ITG_EXIT_STALE.
 */
#ifndef ITG_LOAD_STALE_H
#define ITG_LOAD_STALE_H

#include "err.h"
#include "planread.h"

int stale_check(const char *store, const struct plan *p, struct itg_err *e);

#endif
