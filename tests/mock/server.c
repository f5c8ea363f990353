/*
 * server.c - the HTTP side of itg-mock: routing, API-key check, rate limit,
 * paging, filters, sorting and injected faults, on libmicrohttpd with one
 * thread per connection (so a hanging or slow answer blocks only its own
 * client, as a real gateway would).
 *
 * Hostile modes play a server that is not IT Glue: one announcing absurd
 * page counts, one sending gzip bombs, one echoing the API key in its
 * error bodies, one with a record far too large to be one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <zlib.h>

#include "cli.h"
#include "json.h"
#include "mock.h"
#include "timefmt.h"
#include "xalloc.h"

#define JSONAPI_TYPE "application/vnd.api+json"
#define HTML_TYPE "text/html; charset=utf-8"
#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_NUMBER 1000000000000L

struct mock_server {
	struct mock_config cfg;
	struct mock_live *live;
	struct mock_view *first;    /* the data as the server started: --midwalk-change's */
	struct MHD_Daemon *daemon;
	unsigned port;
	atomic_int stopping;

	pthread_mutex_t lock;       /* guards the two below */
	uint64_t prng;              /* fault draws (splitmix64 state) */
	double tokens;              /* rate-limit bucket */
	double bucket_time;

	/* --midwalk-change: the organizations once page 1 was served (of the first view) */
	struct mock_table after;
	int have_after;
	atomic_int changed;

	/* --gzip-bomb: the padding, deflated once (a raw segment ending on a sync flush) */
	struct buf bomb_seg;
	uLong bomb_crc;
	uint64_t bomb_len;
};

/* Per request: the raw target (for --log-requests) and the handler's state. */
struct mock_request {
	char *uri;
	int started;
};

enum send_mode { SEND_WHOLE, SEND_TRUNCATED, SEND_DROP };

struct reply {
	unsigned status;
	const char *content_type;
	struct buf body;
	int retry_after;            /* add a Retry-After header */
	enum send_mode mode;
	const char *echo;           /* --echo-key: the x-api-key sent, quoted in error bodies */
	int gzip;                   /* the body is gzip-encoded (--gzip-bomb) */
};

/* ---- small helpers ------------------------------------------------------ */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps ms milliseconds, waking early when the server is stopping. */
static void nap(struct mock_server *s, long ms)
{
	while (ms > 0 && !atomic_load(&s->stopping)) {
		long step = ms < 20 ? ms : 20;
		struct timespec ts = {0, step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* A uniform draw in [0, 1) from the shared seeded generator. */
static double draw(struct mock_server *s)
{
	uint64_t z;

	pthread_mutex_lock(&s->lock);
	z = (s->prng += 0x9e3779b97f4a7c15ULL);
	pthread_mutex_unlock(&s->lock);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/* Token bucket shared by every client; burst is the rate, at least one. */
static int take_token(struct mock_server *s)
{
	double rate = s->cfg.rate_limit, burst = rate < 1 ? 1 : rate, now;
	int ok;

	if (rate <= 0)
		return 1;
	pthread_mutex_lock(&s->lock);
	now = now_seconds();
	s->tokens += (now - s->bucket_time) * rate;
	if (s->tokens > burst)
		s->tokens = burst;
	s->bucket_time = now;
	ok = s->tokens >= 1;
	if (ok)
		s->tokens -= 1;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* --echo-key: what a careless server says about the key it was sent. */
static void add_echo(struct buf *b, const char *key)
{
	buf_addf(b, "; request x-api-key: %s (as sent: ", key);
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		buf_addf(b, "%%%02X", *p);
	buf_addc(b, ')');
}

static void reply_json_errors(struct reply *rep, unsigned status, int numeric_status,
			      const char *title, const char *detail)
{
	yajl_gen g = json_gen_new();
	struct buf echoed = {0};
	char code[8];

	if (rep->echo) {
		buf_adds(&echoed, detail ? detail : title);
		add_echo(&echoed, rep->echo);
		detail = buf_str(&echoed);
	}
	snprintf(code, sizeof code, "%u", status);
	yajl_gen_map_open(g);
	json_key(g, "errors");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	if (numeric_status)
		json_kv_int(g, "status", status);
	else
		json_kv_str(g, "status", code);
	json_kv_str(g, "title", title);
	if (detail)
		json_kv_str(g, "detail", detail);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	buf_reset(&rep->body);
	json_gen_take(g, &rep->body);
	yajl_gen_free(g);
	buf_free(&echoed);
	rep->status = status;
	rep->content_type = JSONAPI_TYPE;
}

static void reply_message(struct reply *rep, unsigned status, const char *message)
{
	yajl_gen g = json_gen_new();
	struct buf echoed = {0};

	if (rep->echo) {
		buf_adds(&echoed, message);
		add_echo(&echoed, rep->echo);
		message = buf_str(&echoed);
	}
	yajl_gen_map_open(g);
	json_kv_str(g, "message", message);
	yajl_gen_map_close(g);
	buf_reset(&rep->body);
	json_gen_take(g, &rep->body);
	yajl_gen_free(g);
	buf_free(&echoed);
	rep->status = status;
	rep->content_type = "application/json";
}

static void reply_html(struct reply *rep, unsigned status, const char *title, const char *text)
{
	struct buf echoed = {0};

	buf_adds(&echoed, text);
	if (rep->echo)
		add_echo(&echoed, rep->echo);
	buf_reset(&rep->body);
	buf_addf(&rep->body,
		 "<!DOCTYPE html>\n<html>\n<head>\n  <title>%s</title>\n</head>\n"
		 "<body>\n  <h1>%s</h1>\n  <p>%s</p>\n</body>\n</html>\n",
		 title, title, buf_str(&echoed));
	buf_free(&echoed);
	rep->status = status;
	rep->content_type = HTML_TYPE;
}

/* A gateway's plain-text answer, such as "Endpoint request timed out". */
static void reply_text(struct reply *rep, unsigned status, const char *text)
{
	buf_reset(&rep->body);
	buf_adds(&rep->body, text);
	if (rep->echo)
		add_echo(&rep->body, rep->echo);
	buf_addc(&rep->body, '\n');
	rep->status = status;
	rep->content_type = "text/plain; charset=utf-8";
}

/* ---- query string ------------------------------------------------------- */

struct query {
	size_t n, cap;
	struct {
		char *key;
		char *value;
	} *kv;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct query *q = cls;

	(void)kind;
	xgrow((void **)&q->kv, &q->cap, q->n + 1, sizeof *q->kv);
	q->kv[q->n].key = xstrdup(key);
	q->kv[q->n].value = xstrdup(value ? value : "");
	q->n++;
	return MHD_YES;
}

/* The last value of key, or NULL. */
static const char *query_get(const struct query *q, const char *key)
{
	for (size_t i = q->n; i-- > 0;)
		if (strcmp(q->kv[i].key, key) == 0)
			return q->kv[i].value;
	return NULL;
}

static void query_free(struct query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->kv[i].key);
		free(q->kv[i].value);
	}
	free(q->kv);
}

static void url_encode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			buf_addc(b, (char)c);
		else
			buf_addf(b, "%%%02X", c);
	}
}

/* Absolute URL of page `page` of this listing, other parameters kept. */
static void page_link(struct buf *b, const struct mock_server *s, const char *path,
		      const struct query *q, long page, long size)
{
	buf_addf(b, "http://127.0.0.1:%u%s?", s->port, path);
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->kv[i].key, "page[number]") == 0 ||
		    strcmp(q->kv[i].key, "page[size]") == 0)
			continue;
		url_encode(b, q->kv[i].key);
		buf_addc(b, '=');
		url_encode(b, q->kv[i].value);
		buf_addc(b, '&');
	}
	buf_addf(b, "page%%5Bnumber%%5D=%ld&page%%5Bsize%%5D=%ld", page, size);
}

/* ---- filters ------------------------------------------------------------ */

enum field { F_ID, F_ORG, F_TYPE, F_STATUS, F_COUNT };

struct filter {
	int active;
	const char *text;   /* borrowed from the query, echoed in meta.filters */
	size_t n;
	int64_t *vals;
};

/* The filter[...] name of a field for resource r, or NULL if r has none. */
static const char *filter_name(int r, int f)
{
	switch (f) {
	case F_ID:
		return "id";
	case F_ORG:
		return r == MOCK_CONTACTS || r == MOCK_DOMAINS ? "organization_id" : NULL;
	case F_TYPE:
		return r == MOCK_ORGANIZATIONS ? "organization_type_id"
		       : r == MOCK_CONTACTS    ? "contact_type_id"
					       : NULL;
	case F_STATUS:
		return r == MOCK_ORGANIZATIONS ? "organization_status_id" : NULL;
	}
	return NULL;
}

/* Comma-separated ids (a backslash escapes a comma); a non-id matches nothing. */
static void filter_parse(struct filter *f, const char *text)
{
	size_t cap = 0;
	const char *p = text;

	f->active = 1;
	f->text = text;
	while (1) {
		struct buf one = {0};
		char *end;
		long long v;

		for (; *p && *p != ','; p++) {
			if (*p == '\\' && p[1])
				p++;
			buf_addc(&one, *p);
		}
		v = -1;
		if (one.len && strspn(buf_str(&one), "0123456789") == one.len) {
			v = strtoll(buf_str(&one), &end, 10);
			if (*end)
				v = -1;
		}
		xgrow((void **)&f->vals, &cap, f->n + 1, sizeof *f->vals);
		f->vals[f->n++] = v;
		buf_free(&one);
		if (!*p)
			break;
		p++;
	}
}

static int filter_match(const struct filter *fs, const struct mock_rec *rec)
{
	for (int f = 0; f < F_COUNT; f++) {
		int64_t have;
		int hit = 0;

		if (!fs[f].active)
			continue;
		have = f == F_ID ? rec->id : f == F_ORG ? rec->org : f == F_TYPE ? rec->type : rec->status;
		for (size_t i = 0; i < fs[f].n && !hit; i++)
			hit = fs[f].vals[i] == have && have != 0;
		if (!hit)
			return 0;
	}
	return 1;
}

/* ---- the data as it is now --------------------------------------------- */

static const struct mock_table empty_table;

/*
 * The table of resource r in view v: after a mid-walk change (while the
 * data are still those the server started with), or as v holds it.
 */
static const struct mock_table *table_for(struct mock_server *s, const struct mock_view *v,
					  int r)
{
	if (r == MOCK_ORGANIZATIONS && s->have_after && atomic_load(&s->changed) &&
	    v == s->first)
		return &s->after;
	return mock_view_table(v, r);
}

/*
 * The organizations after the mid-walk change: the deleted one's record is
 * gone, and the added one is a copy of it under the new id (same name and
 * attributes, as if it had been deleted and created again).
 */
static int build_after(struct mock_server *s, struct itg_err *e)
{
	const struct mock_table *t = mock_view_table(s->first, MOCK_ORGANIZATIONS);
	int64_t del = s->cfg.midwalk_delete, add = s->cfg.midwalk_add;
	size_t found = t->n, k = 0;

	if (mock_view_generated(s->first))
		return err_set(e, ITG_EXIT_USAGE,
			       "--midwalk-change needs --data: generated records are rendered from "
			       "their index, not their id");
	for (size_t i = 0; i < t->n; i++) {
		if (t->recs[i].id == del)
			found = i;
		if (t->recs[i].id == add)
			return err_set(e, ITG_EXIT_USAGE,
				       "--midwalk-change: organization %lld is already in the data: "
				       "give a new id to add",
				       (long long)add);
	}
	if (found == t->n)
		return err_set(e, ITG_EXIT_USAGE,
			       "--midwalk-change: organization %lld is not in the data: give one "
			       "to delete",
			       (long long)del);
	s->after.n = t->n;
	s->after.recs = xcalloc(t->n, sizeof *s->after.recs);
	for (size_t i = 0; i < t->n; i++)
		if (i != found)
			s->after.recs[k++] = t->recs[i];
	s->after.recs[k] = t->recs[found];
	s->after.recs[k].id = add;
	mock_table_index(&s->after);
	s->have_after = 1;
	return 0;
}

/* ---- one record --------------------------------------------------------- */

/*
 * --huge-record: the record rendered as usual, then copied with one more
 * attribute, "notes", of cfg.huge_bytes bytes.
 */
static void render_huge(const struct mock_server *s, const struct mock_view *v, int r,
			const struct mock_rec *rec, yajl_gen g)
{
	yajl_gen one = json_gen_new();
	struct buf text = {0};
	char err[128];
	yajl_val obj;
	char *pad;

	mock_view_render(v, r, rec, one);
	json_gen_take(one, &text);
	yajl_gen_free(one);
	obj = json_parse(buf_str(&text), text.len, err, sizeof err);
	buf_free(&text);
	pad = xmalloc((size_t)s->cfg.huge_bytes + 1);
	memset(pad, 'x', (size_t)s->cfg.huge_bytes);
	pad[s->cfg.huge_bytes] = '\0';
	yajl_gen_map_open(g);
	for (size_t i = 0; obj && YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		yajl_val v = obj->u.object.values[i];

		json_key(g, k);
		if (strcmp(k, "attributes") != 0 || !YAJL_IS_OBJECT(v)) {
			json_gen_value(g, v);
			continue;
		}
		yajl_gen_map_open(g);
		for (size_t j = 0; j < v->u.object.len; j++) {
			json_key(g, v->u.object.keys[j]);
			json_gen_value(g, v->u.object.values[j]);
		}
		json_kv_str(g, "notes", pad);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	free(pad);
	yajl_tree_free(obj);
}

static void render_rec(const struct mock_server *s, const struct mock_view *v, int r,
		       const struct mock_rec *rec, yajl_gen g)
{
	if (s->cfg.huge_id && r == s->cfg.huge_resource && rec->id == s->cfg.huge_id)
		render_huge(s, v, r, rec, g);
	else
		mock_view_render(v, r, rec, g);
}

/* ---- a listing ---------------------------------------------------------- */

/* The real clock, in ms (ITG_FIXED_TIME is the client's, not IT Glue's). */
static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * filter[updated_at]=START,END (docs/itglue-api.md section 4): RFC 3339
 * times, "*" for an open end.  0 with the bounds (INT64_MIN / INT64_MAX for
 * open ends), or -1 with detail set.  With --max-range-days, a range longer
 * than that many days is refused (an open end counts up to now, an open
 * start as forever).
 */
static int updated_range(const struct mock_server *s, const char *text, int64_t *lo, int64_t *hi,
			 char *detail, size_t n)
{
	const char *comma = strchr(text, ',');
	char start[64];
	long long ms;
	size_t len;

	if (!comma || (len = (size_t)(comma - text)) >= sizeof start) {
		snprintf(detail, n, "filter[updated_at] must be START,END (RFC 3339 times or *)");
		return -1;
	}
	memcpy(start, text, len);
	start[len] = '\0';
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if (strcmp(start, "*") != 0) {
		if (time_parse_rfc3339(start, &ms) != 0)
			goto bad;
		*lo = ms;
	}
	if (strcmp(comma + 1, "*") != 0) {
		if (time_parse_rfc3339(comma + 1, &ms) != 0)
			goto bad;
		*hi = ms;
	}
	if (s->cfg.max_range_days > 0) {
		int64_t end = *hi == INT64_MAX ? wall_ms() : *hi;

		if (*lo == INT64_MIN || end - *lo > (int64_t)s->cfg.max_range_days * 86400000) {
			snprintf(detail, n, "filter[updated_at] range must not exceed %ld days",
				 s->cfg.max_range_days);
			return -1;
		}
	}
	return 0;
bad:
	snprintf(detail, n, "filter[updated_at] must be START,END (RFC 3339 times or *)");
	return -1;
}

/* Serves one page of resource r; returns the page number (0 when refused). */
static long serve_listing(struct mock_server *s, const struct mock_view *view, int r,
			  const char *path, const struct query *q, struct reply *rep)
{
	const struct mock_table *t = r == MOCK_ORGANIZATIONS && s->cfg.empty_organizations
					     ? &empty_table
					     : table_for(s, view, r);
	const char *range = r == MOCK_ORGANIZATIONS ? query_get(q, "filter[updated_at]") : NULL;
	int64_t range_lo = INT64_MIN, range_hi = INT64_MAX;
	struct filter fs[F_COUNT] = {{0}};
	const char *v, *sort = query_get(q, "sort");
	const uint32_t *ord = t->by_default;
	long page = 1, size = DEFAULT_PAGE_SIZE, total_pages;
	int desc = 0, filtered = 0;
	uint64_t start, total = 0, stated;
	size_t *hits = NULL, nhits = 0, hcap = 0;
	struct buf link = {0};
	yajl_gen g;

	v = query_get(q, "page[number]");
	if (v && cli_parse_long(v, 1, MAX_PAGE_NUMBER, &page) != 0) {
		reply_json_errors(rep, 422, 0, "Unprocessable Entity",
				  "page[number] must be a positive integer");
		return 0;
	}
	v = query_get(q, "page[size]");
	if (v && (cli_parse_long(v, 1, s->cfg.max_page_size, &size) != 0)) {
		char detail[96];
		snprintf(detail, sizeof detail, "page[size] must be an integer from 1 to %ld",
			 s->cfg.max_page_size);
		reply_json_errors(rep, 422, 0, "Unprocessable Entity", detail);
		return 0;
	}
	if (sort && (s->cfg.nosort_mask & (1u << r))) {
		char detail[160];
		snprintf(detail, sizeof detail, "sort is not supported for %s", mock_resource_path(r));
		reply_json_errors(rep, 422, 0, "Unprocessable Entity", detail);
		return 0;
	}
	if (sort && !(s->cfg.ignoresort_mask & (1u << r))) {
		const char *key = sort[0] == '-' ? sort + 1 : sort;

		desc = sort[0] == '-';
		if (strcmp(key, "id") == 0 && r != MOCK_DOMAINS) {
			ord = t->by_id;
		} else if (strcmp(key, "created_at") == 0) {
			ord = t->by_id;    /* records are created in id order */
		} else if (strcmp(key, "updated_at") == 0) {
			ord = t->by_updated;
		} else {
			char detail[160];
			snprintf(detail, sizeof detail, "sort by %.60s is not supported for %s", key,
				 mock_resource_path(r));
			reply_json_errors(rep, 422, 0, "Unprocessable Entity", detail);
			return 0;
		}
	}
	for (size_t i = 0; i < q->n; i++) {
		const char *k = q->kv[i].key;
		size_t kl = strlen(k);

		if (strncmp(k, "filter[", 7) != 0 || kl < 9 || k[kl - 1] != ']')
			continue;
		for (int f = 0; f < F_COUNT; f++) {
			const char *name = filter_name(r, f);
			if (name && strlen(name) == kl - 8 && strncmp(k + 7, name, kl - 8) == 0) {
				free(fs[f].vals);
				memset(&fs[f], 0, sizeof fs[f]);
				filter_parse(&fs[f], q->kv[i].value);
				filtered = 1;
			}
		}
	}

	if (range) {
		char detail[160];

		if (updated_range(s, range, &range_lo, &range_hi, detail, sizeof detail) != 0) {
			reply_json_errors(rep, 422, 0, "Unprocessable Entity", detail);
			for (int f = 0; f < F_COUNT; f++)
				free(fs[f].vals);
			return 0;
		}
	}
	start = (uint64_t)(page - 1) * (uint64_t)size;
	for (size_t i = 0; i < t->n; i++) {
		size_t at = desc ? ord[t->n - 1 - i] : ord[i];
		if (filtered && !filter_match(fs, &t->recs[at]))
			continue;
		if (range && (t->recs[at].updated == MOCK_NO_TIME || t->recs[at].updated < range_lo ||
			      t->recs[at].updated > range_hi))
			continue;
		if (total >= start && total < start + (uint64_t)size) {
			xgrow((void **)&hits, &hcap, nhits + 1, sizeof *hits);
			hits[nhits++] = at;
		}
		total++;
	}
	/* --lie-total: the meta (and the page count) state another total than served */
	stated = total;
	if (s->cfg.lie_total[r] < 0)
		stated = (uint64_t)-s->cfg.lie_total[r] > total ? 0
							     : total - (uint64_t)-s->cfg.lie_total[r];
	else
		stated = total + (uint64_t)s->cfg.lie_total[r];
	total_pages = (long)((stated + (uint64_t)size - 1) / (uint64_t)size);
	/* --announce-pages: a page count (and a total to match) nobody could serve */
	if (s->cfg.announce_pages > 0) {
		total_pages = (long)s->cfg.announce_pages;
		stated = (uint64_t)s->cfg.announce_pages * (uint64_t)size;
	}

	g = json_gen_new();
	yajl_gen_map_open(g);
	json_key(g, "data");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < nhits; i++)
		render_rec(s, view, r, &t->recs[hits[i]], g);
	yajl_gen_array_close(g);

	json_key(g, "meta");
	yajl_gen_map_open(g);
	json_kv_int(g, "current-page", page);
	json_key(g, "next-page");
	if (page < total_pages)
		yajl_gen_integer(g, page + 1);
	else
		yajl_gen_null(g);
	json_key(g, "prev-page");
	if (page > 1)
		yajl_gen_integer(g, page - 1);
	else
		yajl_gen_null(g);
	json_kv_int(g, "total-pages", total_pages);
	json_kv_int(g, "total-count", (long long)stated);
	json_key(g, "filters");
	yajl_gen_map_open(g);
	for (int f = 0; f < F_COUNT; f++)
		if (fs[f].active)
			json_kv_str(g, filter_name(r, f), fs[f].text);
	if (range)
		json_kv_str(g, "updated_at", range);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	json_key(g, "links");
	yajl_gen_map_open(g);
	page_link(&link, s, path, q, page, size);
	json_kv_str(g, "self", buf_str(&link));
	buf_reset(&link);
	page_link(&link, s, path, q, 1, size);
	json_kv_str(g, "first", buf_str(&link));
	if (page > 1) {
		buf_reset(&link);
		page_link(&link, s, path, q, page - 1, size);
		json_kv_str(g, "prev", buf_str(&link));
	}
	if (page < total_pages) {
		buf_reset(&link);
		page_link(&link, s, path, q, page + 1, size);
		json_kv_str(g, "next", buf_str(&link));
	}
	buf_reset(&link);
	page_link(&link, s, path, q, total_pages > 0 ? total_pages : 1, size);
	json_kv_str(g, "last", buf_str(&link));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	buf_reset(&rep->body);
	json_gen_take(g, &rep->body);
	yajl_gen_free(g);
	rep->status = 200;
	rep->content_type = JSONAPI_TYPE;

	buf_free(&link);
	free(hits);
	for (int f = 0; f < F_COUNT; f++)
		free(fs[f].vals);
	return page;
}

/* ---- a single record (docs/itglue-api.md section 4a) ------------------------- */

static const char *const record_classes[MOCK_RESOURCE_COUNT] = {
	"Organization", "OrganizationType", "OrganizationStatus", "Contact", "ContactType", "Domain",
};

static int fails_on_purpose(const struct mock_server *s, int64_t id)
{
	for (size_t i = 0; i < s->cfg.nfail_records; i++)
		if (s->cfg.fail_records[i] == id)
			return 1;
	return 0;
}

/* {"data": {...}} for a known id, else IT Glue's JSON:API 404. */
static void serve_record(struct mock_server *s, const struct mock_view *view, int r,
			 const char *idtext, struct reply *rep)
{
	const struct mock_table *t = table_for(s, view, r);
	char detail[160];
	int64_t id = -1;
	size_t lo = 0, hi = t->n;
	yajl_gen g;

	if (*idtext && strlen(idtext) <= 18 && strspn(idtext, "0123456789") == strlen(idtext))
		id = strtoll(idtext, NULL, 10);
	if (id > 0 && fails_on_purpose(s, id)) {
		reply_json_errors(rep, 500, 0, "Internal Server Error", NULL);
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->recs[t->by_id[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (id <= 0 || lo == t->n || t->recs[t->by_id[lo]].id != id) {
		/* the id is echoed only when it is one: the path may hold any bytes */
		snprintf(detail, sizeof detail, "Couldn't find %s with 'id'=%s", record_classes[r],
			 id > 0 ? idtext : "?");
		reply_json_errors(rep, 404, 0, "Record not found", detail);
		return;
	}
	g = json_gen_new();
	yajl_gen_map_open(g);
	json_key(g, "data");
	render_rec(s, view, r, &t->recs[t->by_id[lo]], g);
	yajl_gen_map_close(g);
	buf_reset(&rep->body);
	json_gen_take(g, &rep->body);
	yajl_gen_free(g);
	rep->status = 200;
	rep->content_type = JSONAPI_TYPE;
}

/* ---- faults ------------------------------------------------------------- */

/*
 * One draw per request picks at most one fault, so rates add up and a given
 * --fault-seed replays the same sequence for a client that asks in order.
 * Returns 1 when the reply is already final (a 5xx).
 */
static int pick_fault(struct mock_server *s, struct reply *rep)
{
	const struct mock_config *c = &s->cfg;
	double x = draw(s), edge = c->fail_rate;

	if (x < edge) {
		static const unsigned codes[] = {500, 502, 503};
		static const char *const titles[] = {"Internal Server Error", "Bad Gateway",
						     "Service Unavailable"};
		double y = draw(s);
		int k = (int)(draw(s) * 3);

		if (k > 2)
			k = 2;
		if (y < c->fail_html_rate)
			reply_html(rep, 502, "502 Bad Gateway",
				   "The server encountered a temporary error and could not "
				   "complete your request.");
		else if (rep->echo && k == 2)
			reply_text(rep, 503, "Service Unavailable");   /* a text line, echoing */
		else
			reply_json_errors(rep, codes[k], 0, titles[k], NULL);
		return 1;
	}
	if (x < (edge += c->drop_rate))
		rep->mode = SEND_DROP;
	else if (x < (edge += c->truncate_rate))
		rep->mode = SEND_TRUNCATED;
	else if (x < edge + c->malformed_rate)
		return -1;   /* malformed: the caller breaks the body once built */
	return 0;
}

/* Makes the body syntactically invalid JSON: a comma opens the data array. */
static void break_json(struct buf *body)
{
	struct buf out = {0};
	const char *p = buf_str(body), *at = strchr(p, '[');

	if (!at) {
		buf_adds(body, "}{");
		return;
	}
	buf_add(&out, p, (size_t)(at - p) + 1);
	buf_adds(&out, ",,");
	buf_adds(&out, at + 1);
	buf_free(body);
	*body = out;
}

/* ---- gzip bombs ---------------------------------------------------------- */

/*
 * Raw deflate of len bytes onto out, by a fresh stream (no reference to
 * anything before), ending on a sync flush, or finishing the stream when
 * last.  Segments made so concatenate into one valid deflate stream.
 */
static int deflate_segment(struct buf *out, const char *data, size_t len, int last)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc = Z_OK;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_RLE) != Z_OK)
		return -1;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH);
		buf_add(out, chunk, sizeof chunk - z.avail_out);
	} while (rc == Z_OK && z.avail_out == 0);
	deflateEnd(&z);
	return rc == Z_STREAM_END || (!last && rc == Z_OK) ? 0 : -1;
}

/*
 * The padding of --gzip-bomb, deflated once at start: MiB of spaces fed
 * a MiB at a time into one stream that ends on a sync flush.
 */
static int build_bomb(struct mock_server *s, struct itg_err *e)
{
	size_t mib = (size_t)1 << 20;
	char *spaces = xmalloc(mib);
	unsigned char chunk[65536];
	z_stream z;
	int rc = Z_OK;

	memset(spaces, ' ', mib);
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_RLE) != Z_OK) {
		free(spaces);
		return err_set(e, ITG_EXIT_RUNTIME, "--gzip-bomb: cannot start zlib");
	}
	s->bomb_crc = crc32(0L, Z_NULL, 0);
	for (long m = 0; m < s->cfg.gzip_bomb_mb && rc == Z_OK; m++) {
		s->bomb_crc = crc32(s->bomb_crc, (const Bytef *)spaces, (uInt)mib);
		z.next_in = (Bytef *)spaces;
		z.avail_in = (uInt)mib;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			rc = deflate(&z, m + 1 == s->cfg.gzip_bomb_mb ? Z_SYNC_FLUSH : Z_NO_FLUSH);
			buf_add(&s->bomb_seg, chunk, sizeof chunk - z.avail_out);
		} while (rc == Z_OK && z.avail_out == 0);
	}
	deflateEnd(&z);
	free(spaces);
	s->bomb_len = (uint64_t)s->cfg.gzip_bomb_mb * mib;
	if (rc != Z_OK)
		return err_set(e, ITG_EXIT_RUNTIME, "--gzip-bomb: cannot deflate the padding");
	return 0;
}

static void put_le32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	buf_add(b, x, 4);
}

/*
 * The body as one gzip member that inflates to the same JSON with the
 * padding before its last byte (the closing brace): valid JSON, and as
 * large as asked, from a few kilobytes on the wire.
 */
static void bombify(const struct mock_server *s, struct reply *rep)
{
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
	struct buf out = {0};
	const char *p = buf_str(&rep->body);
	size_t len = rep->body.len;
	uLong crc;

	if (len == 0)
		return;
	buf_add(&out, header, sizeof header);
	if (deflate_segment(&out, p, len - 1, 0) != 0) {
		buf_free(&out);
		return;
	}
	buf_add(&out, s->bomb_seg.p, s->bomb_seg.len);
	if (deflate_segment(&out, p + len - 1, 1, 1) != 0) {
		buf_free(&out);
		return;
	}
	crc = crc32(0L, (const Bytef *)p, (uInt)(len - 1));
	crc = crc32_combine(crc, s->bomb_crc, (z_off_t)s->bomb_len);
	crc = crc32_combine(crc, crc32(0L, (const Bytef *)p + len - 1, 1), 1);
	put_le32(&out, (uint32_t)crc);
	put_le32(&out, (uint32_t)((uint64_t)len + s->bomb_len));
	buf_free(&rep->body);
	rep->body = out;
	rep->gzip = 1;
}

/* ---- the handler -------------------------------------------------------- */

/*
 * The resource of /RESOURCE (list, *id NULL) or /RESOURCE/ID (*id the ID
 * text); -1 for an unknown route, /domains/ID included (IT Glue has none).
 */
static int route(const char *url, const char **id)
{
	*id = NULL;
	if (url[0] != '/')
		return -1;
	for (int r = 0; r < MOCK_RESOURCE_COUNT; r++) {
		const char *p = mock_resource_path(r);
		size_t n = strlen(p);
		if (strncmp(url + 1, p, n) != 0)
			continue;
		if (url[1 + n] == '\0')
			return r;
		if (url[1 + n] == '/' && url[2 + n] && !strchr(url + 2 + n, '/') &&
		    r != MOCK_DOMAINS) {
			*id = url + 2 + n;
			return r;
		}
	}
	return -1;
}

static void build_reply(struct mock_server *s, struct MHD_Connection *c, const char *url,
			const char *method, struct reply *rep)
{
	const char *key, *id = NULL;
	int r = strcmp(method, "GET") == 0 ? route(url, &id) : -1;
	struct mock_view *view;
	int fault;
	long page;
	struct query q = {0};

	if (s->cfg.echo_key)
		rep->echo = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-api-key");
	if (r < 0) {
		reply_html(rep, 404, "The page you were looking for doesn't exist (404)",
			   "You may have mistyped the address or the page may have moved.");
		return;
	}
	if (s->cfg.hang) {
		nap(s, 24L * 3600 * 1000);
		reply_html(rep, 503, "503 Service Unavailable", "The server is shutting down.");
		return;
	}
	if (!take_token(s)) {
		reply_message(rep, 429, "Too Many Requests");
		rep->retry_after = s->cfg.retry_after > 0;
		return;
	}
	key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-api-key");
	if (!key || strcmp(key, s->cfg.api_key) != 0) {
		reply_message(rep, 403, "Forbidden");
		return;
	}
	if (s->cfg.deny_mask & (1u << r)) {
		reply_json_errors(rep, 401, 1, "Unauthorized", "Unauthorized resource access");
		return;
	}
	if (s->cfg.latency_ms > 0)
		nap(s, s->cfg.latency_ms);
	fault = pick_fault(s, rep);
	if (fault == 1)
		return;
	view = mock_live_get(s->live);
	if (id) {
		serve_record(s, view, r, id, rep);
		mock_live_put(s->live, view);
		if (fault == -1 && rep->status == 200)
			break_json(&rep->body);
		if (s->cfg.gzip_bomb_mb && rep->status == 200)
			bombify(s, rep);
		return;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
	page = serve_listing(s, view, r, url, &q, rep);
	query_free(&q);
	if (fault == -1 && rep->status == 200)
		break_json(&rep->body);
	if (s->cfg.gzip_bomb_mb && rep->status == 200)
		bombify(s, rep);
	/* --midwalk-change: the data change once a whole page 1 is on its way */
	if (r == MOCK_ORGANIZATIONS && page == 1 && s->have_after && fault == 0 &&
	    rep->status == 200 && rep->mode == SEND_WHOLE && view == s->first)
		atomic_store(&s->changed, 1);
	mock_live_put(s->live, view);
}

/* Sends the first half of the body, then fails the connection. */
struct drop_body {
	char *data;
	size_t limit;
};

static ssize_t drop_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct drop_body *d = cls;
	size_t n;

	if (pos >= d->limit)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = d->limit - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(out, d->data + pos, n);
	return (ssize_t)n;
}

static void drop_free(void *cls)
{
	struct drop_body *d = cls;

	free(d->data);
	free(d);
}

/*
 * A gzip bomb goes out in 4 KiB pieces 2 ms apart, as over a slow link, so
 * that bombs sent at once arrive (and inflate) side by side.
 */
#define BOMB_PIECE 4096
#define BOMB_PACE_MS 2

struct trickle_body {
	struct mock_server *s;
	char *data;
	size_t len;
};

static ssize_t trickle_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct trickle_body *t = cls;
	size_t n;

	if (pos >= t->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (pos > 0)
		nap(t->s, BOMB_PACE_MS);
	n = t->len - (size_t)pos;
	if (n > max)
		n = max;
	if (n > BOMB_PIECE)
		n = BOMB_PIECE;
	memcpy(out, t->data + pos, n);
	return (ssize_t)n;
}

static void trickle_free(void *cls)
{
	struct trickle_body *t = cls;

	free(t->data);
	free(t);
}

static enum MHD_Result send_reply(struct mock_server *s, struct MHD_Connection *c,
				  const struct mock_request *req, const char *method,
				  struct reply *rep)
{
	struct MHD_Response *resp;
	size_t len = rep->body.len, sent = len;
	enum MHD_Result ret;
	const char *note = "";

	if (rep->mode == SEND_DROP && len > 1) {
		struct drop_body *d = xmalloc(sizeof *d);
		d->limit = sent = len / 2;
		d->data = buf_detach(&rep->body);
		resp = MHD_create_response_from_callback(len, 512, drop_reader, d, drop_free);
		note = " dropped";
	} else if (rep->gzip && rep->mode == SEND_WHOLE) {
		struct trickle_body *t = xmalloc(sizeof *t);
		t->s = s;
		t->len = len;
		t->data = buf_detach(&rep->body);
		resp = MHD_create_response_from_callback(len, BOMB_PIECE, trickle_reader, t,
							 trickle_free);
		note = " gzip bomb";
	} else {
		if (rep->mode == SEND_TRUNCATED && len > 1) {
			sent = len / 2;
			note = " truncated";
		}
		if (sent == 0)
			resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		else
			resp = MHD_create_response_from_buffer(sent, buf_detach(&rep->body),
							       MHD_RESPMEM_MUST_FREE);
	}
	buf_free(&rep->body);
	if (!resp)
		return MHD_NO;
	if (rep->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
	if (rep->gzip)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (rep->retry_after) {
		char secs[32];
		snprintf(secs, sizeof secs, "%ld", s->cfg.retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	if (s->cfg.log_requests)
		fprintf(stderr, "itg-mock: %s %s %u %zu%s\n", method, req && req->uri ? req->uri : "?",
			rep->status, sent, note);
	ret = MHD_queue_response(c, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct mock_server *s = cls;
	struct mock_request *req = *con_cls;
	struct reply rep = {0};

	(void)version;
	(void)upload;
	if (req && !req->started) {
		req->started = 1;
		return MHD_YES;
	}
	if (*upload_size) {        /* a body is never read: IT Glue ignores it too */
		*upload_size = 0;
		return MHD_YES;
	}
	build_reply(s, c, url, method, &rep);
	return send_reply(s, c, req, method, &rep);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct mock_request *req = xcalloc(1, sizeof *req);

	(void)cls;
	(void)c;
	req->uri = xstrdup(uri);
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct mock_request *req = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (req) {
		free(req->uri);
		free(req);
		*con_cls = NULL;
	}
}

/* ---- lifecycle ---------------------------------------------------------- */

static void free_table(struct mock_table *t)
{
	free(t->recs);
	free(t->by_default);
	free(t->by_id);
	free(t->by_updated);
}

struct mock_server *mock_server_start(const struct mock_config *cfg, struct mock_live *live,
				      struct itg_err *e)
{
	struct mock_server *s = xcalloc(1, sizeof *s);
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	s->cfg = *cfg;
	s->live = live;
	s->first = mock_live_get(live);
	s->prng = cfg->fault_seed;
	s->tokens = cfg->rate_limit < 1 ? 1 : cfg->rate_limit;
	s->bucket_time = now_seconds();
	atomic_init(&s->stopping, 0);
	atomic_init(&s->changed, 0);
	if (cfg->midwalk_delete && build_after(s, e) != 0) {
		mock_live_put(live, s->first);
		free(s);
		return NULL;
	}
	if (cfg->gzip_bomb_mb && build_bomb(s, e) != 0) {
		free_table(&s->after);
		buf_free(&s->bomb_seg);
		mock_live_put(live, s->first);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				     0, NULL, NULL, on_request, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
				     MHD_OPTION_END);
	if (!s->daemon) {
		err_set(e, ITG_EXIT_RUNTIME,
			"cannot listen on 127.0.0.1:%ld: choose another --port or 0 for a free one",
			cfg->port);
		pthread_mutex_destroy(&s->lock);
		free_table(&s->after);
		buf_free(&s->bomb_seg);
		mock_live_put(live, s->first);
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : (unsigned)cfg->port;
	return s;
}

unsigned mock_server_port(const struct mock_server *s)
{
	return s->port;
}

void mock_server_stop(struct mock_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	MHD_stop_daemon(s->daemon);
	pthread_mutex_destroy(&s->lock);
	free_table(&s->after);
	buf_free(&s->bomb_seg);
	mock_live_put(s->live, s->first);
	free(s);
}
