#include "fetch.h"

#include "cli.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
	CURL *easy;
	struct fetch_request *req;   /* NULL when idle */
	struct fetch *f;
};

struct fetch {
	CURLM *multi;
	struct curl_slist *headers;
	struct slot *slots;
	long nslots;
	long busy;
	struct fetch_request **queue;   /* waiting to start */
	size_t nqueue, capqueue;
	struct ratelimit bucket;
	unsigned long seq;
	unsigned long started;
	int warned_slowdown;
	const volatile sig_atomic_t *stop;
	struct fetch_budget budget;     /* inflated body bytes, all requests together */
};

int fetch_budget_reserve(struct fetch_budget *b, size_t n)
{
	if (n > b->limit || b->used > b->limit - n)
		return -1;
	b->used += n;
	return 0;
}

void fetch_budget_release(struct fetch_budget *b, size_t n)
{
	b->used = n < b->used ? b->used - n : 0;
}

double fetch_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct slot *s = userdata;
	struct fetch_request *r = s->req;
	size_t n = size * nmemb;

	/* inflated bytes: what a gzip bomb makes of a few compressed ones */
	r->received += n;
	if (fetch_budget_reserve(&s->f->budget, n) != 0) {
		r->too_large = 1;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	r->charged += n;
	buf_add(&r->body, data, n);
	return n;
}

static void wipe_headers(struct curl_slist *h)
{
	for (; h; h = h->next)
		for (volatile char *p = h->data; *p; p++)
			*p = '\0';
}

static int setup_easy(struct fetch *f, struct slot *s, const struct fetch_config *c,
		      struct itg_err *e)
{
	const char *protocols = c->allow_http ? "http,https" : "https";
	long timeout = c->timeout_s > 0 ? c->timeout_s : 60;
	long connect = timeout < 15 ? timeout : 15;
	long stall = timeout < 30 ? timeout : 30;
	CURL *h = curl_easy_init();
	CURLcode rc = CURLE_OK;

	if (!h)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot start libcurl: out of memory");
	s->easy = h;
#define SET(opt, val)                                      \
	do {                                               \
		if (rc == CURLE_OK)                        \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, protocols);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_HTTPHEADER, f->headers);
	SET(CURLOPT_USERAGENT, "itg-extract/" ITG_VERSION);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_CONNECTTIMEOUT, connect);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, stall);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_PRIVATE, s);
	if (c->ca_bundle && *c->ca_bundle)
		SET(CURLOPT_CAINFO, c->ca_bundle);
#undef SET
	if (rc != CURLE_OK)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot configure libcurl: %s",
			       curl_easy_strerror(rc));
	return 0;
}

struct fetch *fetch_new(const struct fetch_config *c, struct itg_err *e)
{
	struct fetch *f = xcalloc(1, sizeof *f);
	char *key_header;
	struct curl_slist *h;

	f->stop = c->stop;
	f->budget.limit = c->body_budget ? c->body_budget : FETCH_BODY_BUDGET;
	f->nslots = c->concurrency > 0 ? c->concurrency : 4;
	f->slots = xcalloc((size_t)f->nslots, sizeof *f->slots);
	ratelimit_init(&f->bucket, c->rate, fetch_clock());
	f->multi = curl_multi_init();
	if (!f->multi) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot start libcurl: out of memory");
		goto fail;
	}
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, f->nslots);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, f->nslots);

	key_header = xasprintf("x-api-key: %s", c->api_key);
	h = curl_slist_append(NULL, key_header);
	for (volatile char *p = key_header; *p; p++)
		*p = '\0';
	free(key_header);
	if (h)
		f->headers = h;
	h = h ? curl_slist_append(f->headers, "Accept: application/vnd.api+json") : NULL;
	if (!h) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot build request headers: out of memory");
		goto fail;
	}
	for (long i = 0; i < f->nslots; i++) {
		f->slots[i].f = f;
		if (setup_easy(f, &f->slots[i], c, e) != 0)
			goto fail;
	}
	return f;
fail:
	fetch_free(f);
	return NULL;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	for (long i = 0; i < f->nslots; i++) {
		if (f->slots[i].req && f->multi)
			curl_multi_remove_handle(f->multi, f->slots[i].easy);
		if (f->slots[i].easy)
			curl_easy_cleanup(f->slots[i].easy);
	}
	if (f->multi)
		curl_multi_cleanup(f->multi);
	wipe_headers(f->headers);
	curl_slist_free_all(f->headers);
	free(f->slots);
	free(f->queue);
	free(f);
}

void fetch_release(struct fetch *f, struct fetch_request *r)
{
	buf_free(&r->body);
	fetch_budget_release(&f->budget, r->charged);
	r->charged = 0;
}

size_t fetch_budget_limit(const struct fetch *f)
{
	return f->budget.limit;
}

size_t fetch_budget_used(const struct fetch *f)
{
	return f->budget.used;
}

void fetch_submit(struct fetch *f, struct fetch_request *r, double delay_s)
{
	r->curl_code = CURLE_OK;
	r->error[0] = '\0';
	r->status = 0;
	r->retry_after = 0;
	r->too_large = 0;
	r->received = 0;
	/* a retried request holds no memory while it waits */
	fetch_release(f, r);
	r->not_before = fetch_clock() + (delay_s > 0 ? delay_s : 0);
	r->seq = f->seq++;
	xgrow((void **)&f->queue, &f->capqueue, f->nqueue + 1, sizeof *f->queue);
	f->queue[f->nqueue++] = r;
}

/* The queued request to start next: the earliest due, then the oldest. */
static size_t next_due(const struct fetch *f)
{
	size_t best = 0;

	for (size_t i = 1; i < f->nqueue; i++) {
		const struct fetch_request *a = f->queue[i], *b = f->queue[best];
		if (a->not_before < b->not_before ||
		    (a->not_before == b->not_before && a->seq < b->seq))
			best = i;
	}
	return best;
}

/*
 * Starts what may start now; returns the seconds until something else may
 * (a due time or the next token), or 1 when only a free slot is missing.
 */
static double start_ready(struct fetch *f, struct itg_err *e)
{
	while (f->nqueue && f->busy < f->nslots) {
		size_t i = next_due(f);
		struct fetch_request *r = f->queue[i];
		double now = fetch_clock(), wait;
		struct slot *s = NULL;
		CURLMcode mc;

		if (r->not_before > now)
			return r->not_before - now;
		wait = ratelimit_acquire(&f->bucket, now);
		if (wait > 0)
			return wait;
		for (long k = 0; k < f->nslots; k++)
			if (!f->slots[k].req) {
				s = &f->slots[k];
				break;
			}
		f->queue[i] = f->queue[--f->nqueue];
		s->req = r;
		r->epoch = f->bucket.epoch;
		curl_easy_setopt(s->easy, CURLOPT_URL, r->url);
		curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, r->error);
		mc = curl_multi_add_handle(f->multi, s->easy);
		if (mc != CURLM_OK) {
			s->req = NULL;
			err_set(e, ITG_EXIT_RUNTIME, "cannot start a transfer: %s",
				curl_multi_strerror(mc));
			return -1;
		}
		f->busy++;
		f->started++;
	}
	return 1.0;
}

static struct fetch_request *finish(struct fetch *f, CURLMsg *msg)
{
	struct slot *s = NULL;
	struct fetch_request *r;
	curl_off_t retry_after = 0;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
	r = s->req;
	r->curl_code = msg->data.result;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(s->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
		r->retry_after = (long long)retry_after;
	if (r->curl_code != CURLE_OK && !r->error[0])
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(r->curl_code));
	/* the body of a transfer that failed is never read: free it now */
	if (r->curl_code != CURLE_OK)
		fetch_release(f, r);
	curl_multi_remove_handle(f->multi, s->easy);
	s->req = NULL;
	f->busy--;
	if (r->curl_code == CURLE_OK && r->status == 429 &&
	    ratelimit_slow_down(&f->bucket, r->epoch)) {
		if (!f->warned_slowdown)
			log_warn("IT Glue answered 429 (rate limit): slowing down to %.2g requests "
				 "per second for the rest of the run",
				 f->bucket.rate);
		else
			log_debug("rate limited again: now %.2g requests per second", f->bucket.rate);
		f->warned_slowdown = 1;
	}
	return r;
}

struct fetch_request *fetch_wait(struct fetch *f, struct itg_err *e)
{
	for (;;) {
		int running = 0, left = 0;
		CURLMsg *msg;
		CURLMcode mc;
		double wait;
		int timeout_ms;

		while ((msg = curl_multi_info_read(f->multi, &left)))
			if (msg->msg == CURLMSG_DONE)
				return finish(f, msg);
		if (f->stop && *f->stop) {
			err_set(e, ITG_EXIT_RUNTIME, "interrupted: nothing was written");
			return NULL;
		}
		wait = start_ready(f, e);
		if (wait < 0)
			return NULL;
		if (!f->busy && !f->nqueue)
			return NULL;
		mc = curl_multi_perform(f->multi, &running);
		if (mc != CURLM_OK) {
			err_set(e, ITG_EXIT_RUNTIME, "transfer failed: %s", curl_multi_strerror(mc));
			return NULL;
		}
		while ((msg = curl_multi_info_read(f->multi, &left)))
			if (msg->msg == CURLMSG_DONE)
				return finish(f, msg);
		timeout_ms = (int)(wait * 1000) + 1;
		if (timeout_ms > 1000)
			timeout_ms = 1000;
		if (!f->busy) {
			/* nothing in flight: sleep until the next start */
			struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		mc = curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
		if (mc != CURLM_OK) {
			err_set(e, ITG_EXIT_RUNTIME, "transfer failed: %s", curl_multi_strerror(mc));
			return NULL;
		}
	}
}

unsigned long fetch_requests(const struct fetch *f)
{
	return f->started;
}
