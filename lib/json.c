#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int depth_ok(const char *s, size_t len)
{
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

yajl_val json_parse(const char *text, size_t len, char *errbuf, size_t errlen)
{
	char *copy;
	yajl_val v;

	if (!depth_ok(text, len)) {
		snprintf(errbuf, errlen, "nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	/* yajl_tree_parse allows comments; JSON does not */
	for (size_t i = 0, in_str = 0; i + 1 < len; i++) {
		if (in_str) {
			if (text[i] == '\\')
				i++;
			else if (text[i] == '"')
				in_str = 0;
		} else if (text[i] == '"') {
			in_str = 1;
		} else if (text[i] == '/' && (text[i + 1] == '*' || text[i + 1] == '/')) {
			snprintf(errbuf, errlen, "comments are not JSON");
			return NULL;
		}
	}
	copy = xstrndup(text, len);
	if (memchr(text, '\0', len)) {
		snprintf(errbuf, errlen, "NUL byte in JSON text");
		free(copy);
		return NULL;
	}
	errbuf[0] = '\0';
	v = yajl_tree_parse(copy, errbuf, errlen);
	free(copy);
	if (!v) {
		/* flatten yajl's multi-line message to one line */
		for (char *p = errbuf; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		if (!errbuf[0])
			snprintf(errbuf, errlen, "invalid JSON");
	}
	return v;
}

yajl_val json_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

yajl_val json_get_path(yajl_val obj, const char *const *path)
{
	for (; obj && *path; path++)
		obj = json_get(obj, *path);
	return obj;
}

const char *json_get_str(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

const char *json_str_or_number(yajl_val v)
{
	if (!v)
		return NULL;
	if (YAJL_IS_STRING(v))
		return YAJL_GET_STRING(v);
	if (YAJL_IS_NUMBER(v))
		return YAJL_GET_NUMBER(v);
	return NULL;
}

const char *json_get_id(yajl_val obj, const char *key)
{
	return json_str_or_number(json_get(obj, key));
}

int json_get_bool(yajl_val obj, const char *key, int dflt)
{
	yajl_val v = json_get(obj, key);

	if (v && YAJL_IS_TRUE(v))
		return 1;
	if (v && YAJL_IS_FALSE(v))
		return 0;
	return dflt;
}

long long json_get_int(yajl_val obj, const char *key, long long dflt)
{
	yajl_val v = json_get(obj, key);

	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

/*
 * yajl's generators allocate through xalloc: yajl does not check what its
 * allocator returns, and xalloc's is the counting point of make allocfail.
 */
static void *yajl_x_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return xmalloc(n);
}

static void *yajl_x_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return xrealloc(p, n);
}

static void yajl_x_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

const yajl_alloc_funcs json_alloc_funcs = {yajl_x_malloc, yajl_x_realloc, yajl_x_free, NULL};

/*
 * The generator is made without yajl_gen_validate_utf8: an ASCII string
 * needs no check, and yajl's is a byte at a time (a seventh of a large
 * plan's time).  A string with any byte over 0x7f is generated with the
 * check turned on for it alone (yajl_gen_config sets a flag the generator
 * reads per string), so what is accepted and refused is yajl's own.
 */
yajl_gen json_gen_new(void)
{
	return yajl_gen_alloc(&json_alloc_funcs);
}

/* 1 when none of the n bytes at s has its high bit set: 8 at a time. */
static int is_ascii(const char *s, size_t n)
{
	const uint64_t high = 0x8080808080808080ull;
	uint64_t any = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)s[i];
	return (any & high) == 0;
}

static yajl_gen_status gen_string(yajl_gen g, const char *s, size_t n)
{
	yajl_gen_status st;

	if (is_ascii(s, n))
		return yajl_gen_string(g, (const unsigned char *)s, n);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	st = yajl_gen_string(g, (const unsigned char *)s, n);
	yajl_gen_config(g, yajl_gen_validate_utf8, 0);
	return st;
}

void json_strn(yajl_gen g, const char *s, size_t n)
{
	if (!s) {
		yajl_gen_null(g);
		return;
	}
	if (gen_string(g, s, n) == yajl_gen_invalid_string)
		/* never emit invalid UTF-8: replace the whole value */
		yajl_gen_string(g, (const unsigned char *)"\xef\xbf\xbd", 3);
}

void json_str(yajl_gen g, const char *s)
{
	json_strn(g, s, s ? strlen(s) : 0);
}

void json_key(yajl_gen g, const char *key)
{
	gen_string(g, key, strlen(key));
}

void json_kv_str(yajl_gen g, const char *key, const char *val)
{
	json_key(g, key);
	json_str(g, val);
}

void json_kv_int(yajl_gen g, const char *key, long long val)
{
	json_key(g, key);
	yajl_gen_integer(g, val);
}

void json_kv_bool(yajl_gen g, const char *key, int val)
{
	json_key(g, key);
	yajl_gen_bool(g, val);
}

void json_kv_raw_number(yajl_gen g, const char *key, const char *text)
{
	json_key(g, key);
	yajl_gen_number(g, text, strlen(text));
}

void json_gen_value(yajl_gen g, yajl_val v)
{
	if (!v) {
		yajl_gen_null(g);
	} else if (YAJL_IS_STRING(v)) {
		json_str(g, YAJL_GET_STRING(v));
	} else if (YAJL_IS_NUMBER(v)) {
		const char *raw = YAJL_GET_NUMBER(v);
		yajl_gen_number(g, raw, strlen(raw));
	} else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			json_key(g, v->u.object.keys[i]);
			json_gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			json_gen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_TRUE(v)) {
		yajl_gen_bool(g, 1);
	} else if (YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, 0);
	} else {
		yajl_gen_null(g);
	}
}

void json_gen_take(yajl_gen g, struct buf *b)
{
	const unsigned char *out;
	size_t len;

	yajl_gen_get_buf(g, &out, &len);
	buf_add(b, out, len);
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}
