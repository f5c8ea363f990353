/*
 * yamlget.h - typed values out of a YAML tree (yamltree.h), each error
 * naming the file, line, column and key path: "FILE:LINE:COL: KEYPATH:
 * message", ITG_EXIT_USAGE, saying what to write instead.
 *
 * libyaml has no types and accepts duplicate keys (docs/libraries.md 2.3):
 * a scalar is text with its style, so whether it is a boolean, a whole
 * number in a range, one of a list or a path is decided here, and so are
 * mappings with duplicate or unknown keys (yget_map).  A plain empty, "~"
 * or "null" scalar is no value: every getter refuses it, so a key written
 * without a value is an error rather than a default.
 *
 * Every getter returns 0 with *out set, or -1 with g->e set and *out left
 * as it was.  A getter of a string frees the previous *out and sets a new
 * one the caller owns (free).  The tree is only read.
 */
#ifndef ITG_YAMLGET_H
#define ITG_YAMLGET_H

#include "err.h"
#include "yamltree.h"

/* One reading of a file; every member is borrowed. */
struct yget {
	const char *path;   /* the file, named in every message */
	const char *dir;    /* the folder relative paths resolve against (yget_path) */
	struct itg_err *e;  /* where an error goes */
	void *user;         /* the caller's, for its key functions (yget_map) */
};

/* Sets "FILE:LINE:COL: KEYPATH: message" (no KEYPATH when NULL or "") at at; returns -1. */
int yget_fail(struct yget *g, const struct ynode *at, const char *keypath, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "a mapping", "a list" or "a single value", for messages. */
const char *yget_kind_name(const struct ynode *y);

/* A plain empty, "~" or "null" scalar: no value. */
int yget_is_null(const struct ynode *y);

/* 0 when v is a scalar with a value; otherwise -1 with the error. */
int yget_scalar(struct yget *g, const struct ynode *v, const char *kp);

/* A non-empty string. */
int yget_string(struct yget *g, const struct ynode *v, const char *kp, char **out);

/* A non-empty path, resolved against g->dir. */
int yget_path(struct yget *g, const struct ynode *v, const char *kp, char **out);

/* Plain true or false. */
int yget_bool(struct yget *g, const struct ynode *v, const char *kp, int *out);

/* A plain whole number from lo to hi. */
int yget_int(struct yget *g, const struct ynode *v, const char *kp, long long lo, long long hi,
	     long long *out);
int yget_long(struct yget *g, const struct ynode *v, const char *kp, long lo, long hi,
	      long *out);

/* A plain finite number from lo (excluded when lo_open) to hi. */
int yget_number(struct yget *g, const struct ynode *v, const char *kp, double lo, int lo_open,
		double hi, double *out);

/*
 * One of list (NULL-terminated), spelled exactly: *out its index, or, for
 * yget_choice_str, a copy of it.
 */
int yget_choice(struct yget *g, const struct ynode *v, const char *kp, const char *const *list,
		int *out);
int yget_choice_str(struct yget *g, const struct ynode *v, const char *kp,
		    const char *const *list, char **out);

/*
 * Called by yget_map for each key (its text, its node k, its value v and
 * its key path kp) with yget_map's arg: 0 when taken, -1 with g->e set, 1
 * for a key it does not know.
 */
typedef int (*yget_key_fn)(struct yget *g, const char *key, const struct ynode *k,
			   const struct ynode *v, const char *kp, void *arg);

/*
 * A mapping, key by key in file order, the key paths prefixed with prefix
 * ("" at the top): anything but a mapping, a key that is not a scalar, a
 * duplicate key or a key on_key does not know is an error.
 */
int yget_map(struct yget *g, const struct ynode *map, const char *prefix, yget_key_fn on_key,
	     void *arg);

#endif
