/*
 * fetch.h - concurrent GETs over one libcurl multi handle.
 *
 * A fixed pool of easy handles (one per allowed concurrent transfer) is
 * reused, so connections stay alive between pages.  Every transfer takes a
 * token from one shared bucket (ratelimit.h); a 429 slows the bucket for the
 * rest of the run.  The API key lives only in the x-api-key request header
 * (never in a URL or a log line) and is wiped when the fetcher is freed.
 * Redirects are not followed: the key must not travel to another host.
 *
 * The fetcher decides nothing about retries: the caller looks at each
 * finished request and may submit it again with a delay.
 *
 * What a server sends is bounded as a whole (docs/contract.md section 10):
 * libcurl inflates gzip and deflate bodies, and every inflated byte is
 * charged to one budget shared by all requests, in flight or finished and
 * not yet released (fetch_release), so a few small gzip bombs at a high
 * concurrency cannot add up to more than FETCH_BODY_BUDGET of memory.  A
 * body that would go over what is left ends its transfer at once, marked
 * too_large; it is not a network error, and retrying it would not help.
 */
#ifndef ITG_EXTRACT_FETCH_H
#define ITG_EXTRACT_FETCH_H

#include <curl/curl.h>
#include <signal.h>

#include "err.h"
#include "ratelimit.h"
#include "xalloc.h"

/* Inflated body bytes held at once by all requests of one fetcher. */
#define FETCH_BODY_BUDGET ((size_t)256 << 20)

/*
 * The shared budget's accounting, on its own so that it can be tested:
 * fetch_budget_reserve takes n bytes when that many are left (0) and
 * refuses otherwise (-1, nothing taken); fetch_budget_release gives bytes
 * back (never below zero).
 */
struct fetch_budget {
	size_t limit;
	size_t used;
};

int fetch_budget_reserve(struct fetch_budget *b, size_t n);
void fetch_budget_release(struct fetch_budget *b, size_t n);

struct fetch_config {
	const char *api_key;    /* borrowed; copied into the request header */
	int allow_http;         /* plain http (loopback base URLs only) */
	long timeout_s;         /* whole transfer; also bounds connect and stalls */
	long concurrency;       /* transfers in flight at most */
	double rate;            /* requests per second */
	const char *ca_bundle;  /* CURLOPT_CAINFO, or NULL for the system bundle */
	size_t body_budget;     /* inflated bytes of all bodies at once; 0 = FETCH_BODY_BUDGET */
	const volatile sig_atomic_t *stop; /* when it turns non-zero, fetch_wait gives up */
};

/*
 * One request, owned by the caller.  The fetcher borrows it from
 * fetch_submit until fetch_wait returns it.  Result members are reset on
 * every submit.
 */
struct fetch_request {
	char *url;              /* set by the caller */
	void *tag;              /* the caller's */
	/* result */
	CURLcode curl_code;
	char error[CURL_ERROR_SIZE];
	long status;            /* 0 when no response came back */
	long long retry_after;  /* as libcurl reports it: may be 0 or negative */
	int too_large;          /* the shared budget ran out while the body arrived */
	size_t received;        /* inflated body bytes this answer brought (kept when
				 * a failed transfer's body is dropped) */
	struct buf body;        /* the body of a transfer that ended without a libcurl
				 * error; charged to the budget until fetch_release */
	/* the fetcher's */
	size_t charged;
	double not_before;
	unsigned epoch;
	unsigned long seq;
};

struct fetch;

struct fetch *fetch_new(const struct fetch_config *c, struct itg_err *e);
/* Stops transfers in flight; requests still borrowed are given back untouched. */
void fetch_free(struct fetch *f);

/*
 * Queues r to start no sooner than delay_s seconds from now (its earlier
 * body, if any, is released first).
 */
void fetch_submit(struct fetch *f, struct fetch_request *r, double delay_s);

/*
 * The caller is done with r's body: frees it and gives its bytes back to
 * the shared budget.  Safe to call twice, and on a request never submitted.
 */
void fetch_release(struct fetch *f, struct fetch_request *r);

/* The shared budget's limit, and the bytes charged to it now. */
size_t fetch_budget_limit(const struct fetch *f);
size_t fetch_budget_used(const struct fetch *f);

/*
 * Runs transfers until one finishes and returns it; NULL with e unset when
 * nothing is queued or in flight, NULL with e set on a libcurl failure or
 * when config.stop was raised (checked at least once a second).
 */
struct fetch_request *fetch_wait(struct fetch *f, struct itg_err *e);

/* Transfers started so far (every attempt counts). */
unsigned long fetch_requests(const struct fetch *f);

/* Seconds on the monotonic clock. */
double fetch_clock(void);

#endif
