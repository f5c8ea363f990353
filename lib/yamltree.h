/*
 * yamltree.h - a YAML document read into a tree of scalars, mappings and
 * lists, for the strict settings loader (lib/pipeline.c; its values are
 * typed by lib/yamlget.c).
 *
 * libyaml has no types and accepts duplicate keys, anchors and aliases
 * (docs/libraries.md 2.3): the tree keeps every scalar as text with its
 * style and position, so the caller decides types and reports
 * "FILE:LINE:COL".  Anchors, aliases and tags are refused (a settings file
 * has no use for them, and aliases are how a small file grows without
 * bound), so is a second document, and nesting deeper than
 * YAMLTREE_MAX_DEPTH (libyaml's cost grows with depth).
 */
#ifndef ITG_YAMLTREE_H
#define ITG_YAMLTREE_H

#include <stddef.h>

#include "err.h"

#define YAMLTREE_MAX_DEPTH 64

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ykind kind;
	long line, col;          /* 1-based */
	char *text;              /* scalars */
	int plain;               /* plain (unquoted) scalar */
	struct ynode **kids;     /* maps: key, value, key, value ... */
	size_t n, cap;
};

/*
 * Parses len bytes of UTF-8 text into *root (NULL for an empty document);
 * errors are ITG_EXIT_USAGE naming path:line:col and saying what to fix.
 * The caller owns *root (ynode_free).
 */
int yaml_to_tree(const char *path, const char *text, size_t len, struct ynode **root,
		 struct itg_err *e);
void ynode_free(struct ynode *y);

#endif
