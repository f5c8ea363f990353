/*
 * yamlget.c - typed values out of a YAML tree, with errors that name the
 * key path (yamlget.h).  Split from the pipeline loader, which is their
 * first user: the getters know nothing of a pipeline's keys.
 */
#include "yamlget.h"

#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "FILE:LINE:COL: KEYPATH: message". */
int yget_fail(struct yget *g, const struct ynode *at, const char *keypath, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (keypath && *keypath)
		err_at(g->e, ITG_EXIT_USAGE, g->path, at->line, at->col, "%s: %s", keypath,
		       buf_str(&b));
	else
		err_at(g->e, ITG_EXIT_USAGE, g->path, at->line, at->col, "%s", buf_str(&b));
	buf_free(&b);
	return -1;
}

const char *yget_kind_name(const struct ynode *y)
{
	return y->kind == Y_MAP ? "a mapping" : y->kind == Y_SEQ ? "a list" : "a single value";
}

int yget_is_null(const struct ynode *y)
{
	return y->kind == Y_SCALAR && y->plain &&
	       (!*y->text || !strcmp(y->text, "~") || !strcmp(y->text, "null"));
}

int yget_scalar(struct yget *g, const struct ynode *v, const char *kp)
{
	if (v->kind != Y_SCALAR)
		return yget_fail(g, v, kp, "expected a single value, found %s", yget_kind_name(v));
	if (yget_is_null(v))
		return yget_fail(g, v, kp, "has no value, give one or remove the key");
	return 0;
}

int yget_string(struct yget *g, const struct ynode *v, const char *kp, char **out)
{
	if (yget_scalar(g, v, kp) < 0)
		return -1;
	if (!*v->text)
		return yget_fail(g, v, kp, "is empty, give a value or remove the key");
	free(*out);
	*out = xstrdup(v->text);
	return 0;
}

/* A path resolved against g->dir, the folder of the file read. */
int yget_path(struct yget *g, const struct ynode *v, const char *kp, char **out)
{
	if (yget_scalar(g, v, kp) < 0)
		return -1;
	if (!*v->text)
		return yget_fail(g, v, kp, "is empty, give a path or remove the key");
	free(*out);
	*out = fs_resolve(g->dir, v->text);
	return 0;
}

int yget_bool(struct yget *g, const struct ynode *v, const char *kp, int *out)
{
	if (yget_scalar(g, v, kp) < 0)
		return -1;
	if (v->plain && !strcmp(v->text, "true"))
		*out = 1;
	else if (v->plain && !strcmp(v->text, "false"))
		*out = 0;
	else
		return yget_fail(g, v, kp, "\"%s\" is not a boolean, write true or false", v->text);
	return 0;
}

int yget_int(struct yget *g, const struct ynode *v, const char *kp, long long lo,
	     long long hi, long long *out)
{
	char *end;
	long long n;

	if (yget_scalar(g, v, kp) < 0)
		return -1;
	errno = 0;
	n = v->plain ? strtoll(v->text, &end, 10) : 0;
	if (!v->plain || end == v->text || *end || errno || n < lo || n > hi)
		return yget_fail(g, v, kp, "\"%s\" is not a whole number from %lld to %lld",
				 v->text, lo, hi);
	*out = n;
	return 0;
}

int yget_long(struct yget *g, const struct ynode *v, const char *kp, long lo, long hi,
	      long *out)
{
	long long n;

	if (yget_int(g, v, kp, lo, hi, &n) < 0)
		return -1;
	*out = (long)n;
	return 0;
}

/* A number; lo_open makes the lower bound exclusive. */
int yget_number(struct yget *g, const struct ynode *v, const char *kp, double lo,
		int lo_open, double hi, double *out)
{
	char *end;
	double d;

	if (yget_scalar(g, v, kp) < 0)
		return -1;
	errno = 0;
	d = v->plain ? strtod(v->text, &end) : 0;
	if (!v->plain || end == v->text || *end || errno || !isfinite(d) || d > hi ||
	    (lo_open ? d <= lo : d < lo))
		return yget_fail(g, v, kp, "\"%s\" is not a number in %c%g, %g]", v->text,
				 lo_open ? '(' : '[', lo, hi);
	*out = d;
	return 0;
}

/* Index of v's text in list, exactly spelled; error listing the choices. */
int yget_choice(struct yget *g, const struct ynode *v, const char *kp,
		const char *const *list, int *out)
{
	struct buf b = {0};
	int rc;

	if (yget_scalar(g, v, kp) < 0)
		return -1;
	for (int i = 0; list[i]; i++)
		if (!strcmp(v->text, list[i])) {
			*out = i;
			return 0;
		}
	for (int i = 0; list[i]; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", list[i]);
	rc = yget_fail(g, v, kp, "\"%s\" is not one of %s", v->text, buf_str(&b));
	buf_free(&b);
	return rc;
}

int yget_choice_str(struct yget *g, const struct ynode *v, const char *kp,
		    const char *const *list, char **out)
{
	int i;

	if (yget_choice(g, v, kp, list, &i) < 0)
		return -1;
	free(*out);
	*out = xstrdup(list[i]);
	return 0;
}

/*
 * Walks a mapping: rejects non-mappings, non-scalar and duplicate keys, and
 * hands each pair to on_key, which returns 1 for a key it does not know.
 */
int yget_map(struct yget *g, const struct ynode *map, const char *prefix, yget_key_fn on_key,
	     void *arg)
{
	if (map->kind != Y_MAP)
		return yget_fail(g, map, prefix, "expected a mapping (key: value lines), found %s",
				 yget_is_null(map) ? "nothing" : yget_kind_name(map));
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		char kp[256];
		int rc;

		if (k->kind != Y_SCALAR)
			return yget_fail(g, k, prefix, "keys must be plain words, found %s",
					 yget_kind_name(k));
		snprintf(kp, sizeof kp, "%s%s%s", prefix, *prefix ? "." : "", k->text);
		for (size_t j = 0; j < i; j += 2)
			if (!strcmp(map->kids[j]->text, k->text))
				return yget_fail(g, k, kp,
						 "duplicate key (first at line %ld), keep one",
						 map->kids[j]->line);
		rc = on_key(g, k->text, k, v, kp, arg);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return yget_fail(g, k, kp, "unknown key, remove it or check its spelling");
	}
	return 0;
}
