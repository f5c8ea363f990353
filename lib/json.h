/*
 * json.h - small helpers over yajl for reading one record and writing JSON.
 *
 * Ids stay strings: json_get_id returns a string id or the raw text of a
 * numeric one, never a double (IT Glue ids reach 18 digits).
 */
#ifndef ITG_JSON_H
#define ITG_JSON_H

#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "xalloc.h"

#define JSON_MAX_DEPTH 64

/*
 * Parses one JSON text of len bytes (need not be NUL-terminated).  Refuses
 * nesting deeper than JSON_MAX_DEPTH (yajl_tree_free recurses) and
 * comments.  On failure returns NULL and writes a one-line reason to errbuf.
 * The tree is freed with yajl_tree_free.
 */
yajl_val json_parse(const char *text, size_t len, char *errbuf, size_t errlen);

/* Object member lookup (NULL when obj is not an object or the key is absent). */
yajl_val json_get(yajl_val obj, const char *key);
/* Follows a path of object keys. */
yajl_val json_get_path(yajl_val obj, const char *const *path);
/* A string member, or NULL (also for null and non-strings). */
const char *json_get_str(yajl_val obj, const char *key);
/* A string, or the raw text of a number; NULL otherwise. */
const char *json_str_or_number(yajl_val v);
const char *json_get_id(yajl_val obj, const char *key);
/* true/false member; dflt when absent or not a boolean. */
int json_get_bool(yajl_val obj, const char *key, int dflt);
/* Integer member; dflt when absent or not an integer. */
long long json_get_int(yajl_val obj, const char *key, long long dflt);

/*
 * yajl allocators that go through xalloc (exit 1 on failure, counted by
 * make allocfail): pass to every yajl_gen_alloc.  yajl_tree_parse takes
 * none, so parsing allocates with plain malloc.
 */
extern const yajl_alloc_funcs json_alloc_funcs;

/* A generator whose strings are checked UTF-8 (json_str, json_key: yajl's
 * check, for a string with a byte over 0x7f), no beautify, '/' unescaped. */
yajl_gen json_gen_new(void);
void json_str(yajl_gen g, const char *s);            /* NULL writes null */
void json_strn(yajl_gen g, const char *s, size_t n);
void json_key(yajl_gen g, const char *key);
void json_kv_str(yajl_gen g, const char *key, const char *val);   /* NULL -> null */
void json_kv_int(yajl_gen g, const char *key, long long val);
void json_kv_bool(yajl_gen g, const char *key, int val);
/* A number from its text, written as is (ids, %.17g doubles). */
void json_kv_raw_number(yajl_gen g, const char *key, const char *text);
/* Re-emits a parsed value (object keys in their original order). */
void json_gen_value(yajl_gen g, yajl_val v);
/* Appends the generator's output to b and clears the generator. */
void json_gen_take(yajl_gen g, struct buf *b);

#endif
