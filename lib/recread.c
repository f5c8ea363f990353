/*
 * recread.c - snapshot records through yajl's callback parser (recread.h).
 *
 * One yajl handle per file, with yajl_allow_multiple_values so that it
 * takes one value per line without being freed and allocated again; each
 * line is fed to it alone, followed by a newline, which ends any number
 * token yajl would otherwise hold back for the next call.  Since a raw
 * newline cannot sit inside a JSON string, nothing is left pending after
 * that newline: a line either completed its values or left a container
 * open (depth > 0), and the callbacks count the top-level values, so "one
 * object per line" is checked exactly, without yajl_complete_parse.
 *
 * The callbacks follow where they are with one role per nesting level:
 * the record (top level), its attributes, the list attribute, an object of
 * that list, or anything else (skipped, only the depth counted).  A key
 * sets `pending`, the slot the next value fills; the first of duplicate keys
 * takes it, later ones are skipped, as json_get finds the first.
 */
#include "recread.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum role { R_SKIP = 0, R_TOP, R_ATTRS, R_LIST, R_ITEM };

/* pending: where the next value goes (the kth attribute or member) */
enum pending { P_NONE = 0, P_ID, P_ATTRS, P_LIST, P_ATTR, P_MEMBER };

#define STR_(x) #x
#define STR(x) STR_(x)

static struct recread_value *target(struct recread *r)
{
	switch (r->pending) {
	case P_ID:
		return &r->id;
	case P_ATTR:
		return &r->attr[r->pending_k];
	case P_MEMBER:
		return &r->items[(r->nitems - 1) * r->nmembers + r->pending_k];
	default:
		return NULL;
	}
}

/* A value at the top level: the line's record, or a second value. */
static int top_value(struct recread *r, int is_object)
{
	if (++r->tops > 1) {
		r->why = "more than one JSON value on the line";
		return 0;
	}
	r->top_object = is_object;
	return 1;
}

static int scalar(struct recread *r, int type, const char *s, size_t len)
{
	struct recread_value *v;

	if (r->depth == 0)
		return top_value(r, 0);
	if (r->pending == P_LIST) {
		r->list_type = type;
	} else if ((v = target(r)) != NULL) {
		v->type = (unsigned char)type;
		if (s) {
			v->off = r->text.len;
			buf_add(&r->text, s, len);
			buf_addc(&r->text, '\0');
		}
	}
	r->pending = P_NONE;
	return 1;
}

static int on_null(void *ctx)
{
	return scalar(ctx, RV_NULL, NULL, 0);
}

static int on_boolean(void *ctx, int b)
{
	return scalar(ctx, b ? RV_TRUE : RV_FALSE, NULL, 0);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, RV_NUMBER, s, len);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, RV_STRING, (const char *)s, len);
}

/* Opens a container; role is what it is, when its parent gives it one. */
static int open_container(struct recread *r, int is_object)
{
	int role = R_SKIP;

	if (r->depth >= JSON_MAX_DEPTH) {
		r->why = "nested deeper than " STR(JSON_MAX_DEPTH) " levels";
		return 0;
	}
	if (r->depth == 0) {
		if (!top_value(r, is_object))
			return 0;
		role = is_object ? R_TOP : R_SKIP;
	} else if (r->role[r->depth] == R_LIST) {
		if (is_object) {
			/* an object of the list: a row of members, all absent so far */
			xgrow((void **)&r->items, &r->capitems, (r->nitems + 1) * r->nmembers + 1,
			      sizeof *r->items);
			memset(&r->items[r->nitems * r->nmembers], 0, r->nmembers * sizeof *r->items);
			r->nitems++;
			role = R_ITEM;
		}
	} else if (r->pending == P_ATTRS) {
		role = is_object ? R_ATTRS : R_SKIP;
	} else if (r->pending == P_LIST) {
		r->list_type = RV_CONTAINER;
		role = is_object ? R_SKIP : R_LIST;
	}
	/* a pulled member holding a container keeps its RV_CONTAINER mark */
	r->role[++r->depth] = (unsigned char)role;
	r->pending = P_NONE;
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, 0);
}

static int on_end(void *ctx)
{
	struct recread *r = ctx;

	r->depth--;
	r->pending = P_NONE;
	return 1;
}

/* The first key of a name takes the value: marks the slot taken. */
static int take(struct recread_value *v)
{
	if (v->type != RV_ABSENT)
		return 0;
	v->type = RV_CONTAINER; /* until the value says what it is */
	return 1;
}

/*
 * key is want (wlen > 0 bytes).  A yajl tree's keys are NUL-terminated, so
 * json_get finds "id" under "id\u0000x" too: so does this, without a scan
 * of every key for a NUL.
 */
static inline int key_is(const unsigned char *key, size_t len, const char *want, size_t wlen)
{
	/* the length first: most keys differ there */
	return len >= wlen && (len == wlen || key[wlen] == '\0') &&
	       memcmp(key, want, wlen) == 0;
}

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
	struct recread *r = ctx;
	const struct recread_spec *sp = r->spec;
	int role = r->role[r->depth];

	r->pending = P_NONE;
	if (role == R_SKIP || len == 0)
		return 1;
	if (role == R_TOP) {
		if (key_is(key, len, "id", 2)) {
			if (take(&r->id))
				r->pending = P_ID;
		} else if (key_is(key, len, "attributes", 10) && !r->seen_attrs) {
			r->seen_attrs = 1;
			r->pending = P_ATTRS;
		}
	} else if (role == R_ATTRS) {
		for (size_t k = 0; k < r->nattrs; k++)
			if (key_is(key, len, sp->attrs[k], r->attr_len[k])) {
				if (take(&r->attr[k])) {
					r->pending = P_ATTR;
					r->pending_k = k;
				}
				return 1;
			}
		if (sp->list && key_is(key, len, sp->list, r->list_len) && !r->seen_list) {
			r->seen_list = 1;
			r->pending = P_LIST;
		}
	} else if (role == R_ITEM) {
		for (size_t k = 0; k < r->nmembers; k++)
			if (key_is(key, len, sp->members[k], r->member_len[k])) {
				if (take(&r->items[(r->nitems - 1) * r->nmembers + k])) {
					r->pending = P_MEMBER;
					r->pending_k = k;
				}
				return 1;
			}
	}
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_boolean,
	.yajl_number = on_number,       /* raw text: integer and double stay unused */
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

/* The parser and the spec's lengths, on r zeroed. */
static void setup(struct recread *r, const struct recread_spec *spec)
{
	r->spec = spec;
	while (r->nattrs < RECREAD_MAX_ATTRS && spec->attrs[r->nattrs]) {
		r->attr_len[r->nattrs] = strlen(spec->attrs[r->nattrs]);
		r->nattrs++;
	}
	while (r->nmembers < RECREAD_MAX_MEMBERS && spec->members[r->nmembers]) {
		r->member_len[r->nmembers] = strlen(spec->members[r->nmembers]);
		r->nmembers++;
	}
	r->list_len = spec->list ? strlen(spec->list) : 0;
	/* yajl copies the allocator; its defaults refuse comments and
	 * validate UTF-8 */
	yajl_alloc_funcs af = json_alloc_funcs;
	r->h = yajl_alloc(&callbacks, &af, r);
	yajl_config(r->h, yajl_allow_multiple_values, 1);
}

int recread_open(struct recread *r, const char *path, const struct recread_spec *spec,
		 const struct recread_expect *expect, struct itg_err *e)
{
	memset(r, 0, sizeof *r);
	if (ndjson_reader_open(&r->nd, path, e) != 0) {
		r->damaged = 1;
		return -1;
	}
	if (expect) {
		r->expect = *expect;
		r->has_expect = 1;
	}
	setup(r, spec);
	return 0;
}

void recread_init(struct recread *r, const struct recread_spec *spec)
{
	memset(r, 0, sizeof *r);
	setup(r, spec);
}

static void reset_record(struct recread *r)
{
	memset(&r->id, 0, sizeof r->id);
	memset(r->attr, 0, r->nattrs * sizeof *r->attr);
	r->nitems = 0;
	r->list_type = RV_ABSENT;
	buf_reset(&r->text);
	r->depth = 0;
	r->pending = P_NONE;
	r->tops = 0;
	r->top_object = 0;
	r->seen_attrs = r->seen_list = 0;
	r->why = NULL;
}

static void resolve(struct recread *r, struct recread_value *v)
{
	v->text = v->type == RV_STRING || v->type == RV_NUMBER ? r->text.p + v->off : NULL;
}

/* yajl's reason, on one line and without its full stop. */
static void yajl_reason(struct recread *r, const char *line, size_t len, char *out, size_t n)
{
	unsigned char *msg = yajl_get_error(r->h, 0, (const unsigned char *)line, len);
	size_t k;

	snprintf(out, n, "%s", msg ? (const char *)msg : "invalid JSON");
	if (msg)
		yajl_free_error(r->h, msg);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	k = strlen(out);
	while (k && (out[k - 1] == ' ' || out[k - 1] == '.'))
		out[--k] = '\0';
}

static int at_end(struct recread *r, struct itg_err *e)
{
	const struct ndjson_reader *nd = &r->nd;
	const struct recread_expect *x = &r->expect;

	if (!r->has_expect ||
	    (nd->records == x->records && nd->crc == x->crc32 && nd->bytes == x->bytes))
		return 0;
	r->damaged = 1;
	return err_set(e, ITG_EXIT_USAGE,
		       "%s: does not match the snapshot manifest (%" PRIu64 " records, crc32 %08" PRIx32
		       ", %" PRIu64 " bytes; manifest says %" PRIu64 ", %08" PRIx32 ", %" PRIu64
		       "): the snapshot is damaged, extract it again",
		       nd->path, nd->records, nd->crc, nd->bytes, x->records, x->crc32, x->bytes);
}

int recread_next_line(struct recread *r, const char **line, size_t *len, struct itg_err *e)
{
	int rc;

	r->damaged = 0;
	rc = ndjson_reader_next(&r->nd, line, len, e);
	if (rc < 0) {
		r->damaged = 1;
		return -1;
	}
	if (rc == 0)
		return at_end(r, e) == 0 ? 0 : -1;
	return 1;
}

int recread_parse(struct recread *r, const char *path, long lineno, const char *line, size_t len,
		  struct itg_err *e)
{
	yajl_status st;
	const char *id;

	reset_record(r);
	st = yajl_parse(r->h, (const unsigned char *)line, len);
	if (st == yajl_status_ok)
		st = yajl_parse(r->h, (const unsigned char *)"\n", 1);
	if (st != yajl_status_ok) {
		char why[256];
		if (st == yajl_status_client_canceled && r->why)
			snprintf(why, sizeof why, "%s", r->why);
		else
			yajl_reason(r, line, len, why, sizeof why);
		return err_at(e, ITG_EXIT_USAGE, path, lineno, 0,
			      "not a JSON record (%s): extract the snapshot again", why);
	}
	if (r->depth != 0 || r->tops == 0)
		return err_at(e, ITG_EXIT_USAGE, path, lineno, 0,
			      "not a JSON record (no complete value on the line): extract the snapshot "
			      "again");
	resolve(r, &r->id);
	id = recread_id_text(&r->id);
	if (!r->top_object || !id || !*id)
		return err_at(e, ITG_EXIT_USAGE, path, lineno, 0,
			      "record has no id: extract the snapshot again");
	for (size_t k = 0; k < r->nattrs; k++)
		resolve(r, &r->attr[k]);
	for (size_t i = 0; i < r->nitems * r->nmembers; i++)
		resolve(r, &r->items[i]);
	return 0;
}

int recread_next(struct recread *r, struct itg_err *e)
{
	const char *line;
	size_t len;
	int rc = recread_next_line(r, &line, &len, e);

	if (rc <= 0)
		return rc;
	return recread_parse(r, r->nd.path, r->nd.lineno, line, len, e) == 0 ? 1 : -1;
}

int recread_skip_rest(struct recread *r, struct itg_err *e)
{
	const char *line;
	size_t len;
	int rc;

	r->damaged = 0;
	while ((rc = ndjson_reader_next(&r->nd, &line, &len, e)) == 1)
		;
	if (rc < 0) {
		r->damaged = 1;
		return -1;
	}
	return at_end(r, e);
}

void recread_close(struct recread *r)
{
	if (r->h)
		yajl_free(r->h);
	ndjson_reader_close(&r->nd);
	free(r->items);
	buf_free(&r->text);
	memset(r, 0, sizeof *r);
}

const char *recread_id_text(const struct recread_value *v)
{
	return v->type == RV_STRING || v->type == RV_NUMBER ? v->text : NULL;
}

const char *recread_str(const struct recread_value *v)
{
	return v->type == RV_STRING ? v->text : NULL;
}

int recread_bool(const struct recread_value *v, int dflt)
{
	if (v->type == RV_TRUE)
		return 1;
	if (v->type == RV_FALSE)
		return 0;
	return dflt;
}

const struct recread_value *recread_item(const struct recread *r, size_t i, size_t k)
{
	return &r->items[i * r->nmembers + k];
}

long recread_lineno(const struct recread *r)
{
	return r->nd.lineno;
}

const char *recread_path(const struct recread *r)
{
	return r->nd.path;
}
