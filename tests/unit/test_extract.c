/*
 * Unit tests of itg-extract: paging and its caps, backoff, rate limit, the
 * shared body budget, error bodies (scrubbed of the key), options.
 */
#include "unit.h"

#include "../../extract/backoff.h"
#include "../../extract/errors.h"
#include "../../extract/extract.h"
#include "../../extract/fetch.h"
#include "../../extract/options.h"
#include "../../extract/paging.h"
#include "../../extract/ratelimit.h"
#include "fsutil.h"
#include "json.h"

#include <curl/curl.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- paging ---- */

static struct page_meta meta_of(const char *json)
{
	char err[128];
	yajl_val doc = json_parse(json, strlen(json), err, sizeof err);
	struct page_meta m;

	paging_read_meta(doc, &m);
	yajl_tree_free(doc);
	return m;
}

static void test_paging_cap_is_pages_from_total_count_plus_one(void)
{
	CU_ASSERT_EQUAL(paging_cap(0, 50), 1);
	CU_ASSERT_EQUAL(paging_cap(300, 50), 7);
	CU_ASSERT_EQUAL(paging_cap(301, 50), 8);
	CU_ASSERT_EQUAL(paging_cap(1, 1000), 2);
	CU_ASSERT_EQUAL(paging_cap(-1, 50), -1);
	CU_ASSERT_EQUAL(paging_cap(10, 0), -1);
}

static void test_paging_reads_meta_including_null_next_page(void)
{
	struct page_meta m = meta_of("{\"data\":[],\"meta\":{\"current-page\":2,\"next-page\":null,"
				     "\"prev-page\":1,\"total-pages\":2,\"total-count\":75}}");

	CU_ASSERT(m.has_current && m.current_page == 2);
	CU_ASSERT(!m.has_next && m.next_is_null);
	CU_ASSERT(m.has_total_pages && m.total_pages == 2);
	CU_ASSERT(m.has_total_count && m.total_count == 75);
	m = meta_of("{\"data\":[]}");
	CU_ASSERT(!m.has_total_pages && !m.has_next && !m.next_is_null);
}

static void test_paging_first_page_plans_all_pages_and_zero_means_empty(void)
{
	int capped = -1;
	struct page_meta m = meta_of("{\"meta\":{\"current-page\":1,\"next-page\":2,"
				     "\"total-pages\":6,\"total-count\":300}}");

	CU_ASSERT_EQUAL(paging_last_page(&m, 50, 50, &capped), 6);
	CU_ASSERT_EQUAL(capped, 0);
	/* total-pages is 0 when nothing matches */
	m = meta_of("{\"meta\":{\"current-page\":1,\"next-page\":null,\"total-pages\":0,"
		    "\"total-count\":0}}");
	CU_ASSERT_EQUAL(paging_last_page(&m, 0, 50, &capped), 1);
	CU_ASSERT_EQUAL(paging_more(&m, 1, 0, paging_cap(0, 50)), 0);
}

static void test_paging_caps_a_page_count_the_total_count_cannot_fill(void)
{
	int capped = 0;
	struct page_meta m = meta_of("{\"meta\":{\"current-page\":1,\"next-page\":2,"
				     "\"total-pages\":1000000,\"total-count\":100}}");

	CU_ASSERT_EQUAL(paging_last_page(&m, 50, 50, &capped), 3);
	CU_ASSERT_EQUAL(capped, 1);
}

static void test_paging_stops_on_each_stop_condition(void)
{
	struct page_meta more = meta_of("{\"meta\":{\"current-page\":3,\"next-page\":4,"
					"\"total-pages\":5,\"total-count\":250}}");
	struct page_meta last = meta_of("{\"meta\":{\"current-page\":5,\"next-page\":null,"
					"\"total-pages\":5,\"total-count\":250}}");
	struct page_meta over = meta_of("{\"meta\":{\"current-page\":5,\"next-page\":6,"
					"\"total-pages\":5,\"total-count\":250}}");
	struct page_meta bare = meta_of("{\"meta\":{}}");

	CU_ASSERT_EQUAL(paging_more(&more, 3, 50, 6), 1);
	CU_ASSERT_EQUAL(paging_more(&more, 3, 0, 6), 0);    /* empty data */
	CU_ASSERT_EQUAL(paging_more(&last, 5, 50, 6), 0);   /* next-page null */
	CU_ASSERT_EQUAL(paging_more(&over, 5, 50, 6), 0);   /* current >= total */
	CU_ASSERT_EQUAL(paging_more(&more, 6, 50, 6), 0);   /* the walk cap */
	CU_ASSERT_EQUAL(paging_more(&bare, 1, 50, -1), 0);  /* nothing to follow */
}

static void test_paging_cap_never_overflows_on_an_absurd_total_count(void)
{
	CU_ASSERT_EQUAL(paging_cap(LLONG_MAX, 1), LLONG_MAX);
	CU_ASSERT_EQUAL(paging_cap(LLONG_MAX, 1000), LLONG_MAX / 1000 + 2);
	CU_ASSERT_EQUAL(paging_cap(LLONG_MAX - 1, 2), LLONG_MAX / 2 + 1);
}

/* paging_plan on a page 1 with this meta and a full page of 1000 records. */
static int plan_of(const char *json, long size, long long *last, struct itg_err *e)
{
	struct page_meta m = meta_of(json);
	int capped;

	err_clear(e);
	return paging_plan("contacts", &m, (size_t)size, size, last, &capped, e);
}

static void test_paging_plan_refuses_an_announcement_beyond_the_absolute_cap(void)
{
	struct itg_err e = {0};
	long long last = 0;

	/* a billion pages, with a total-count to match: the count cut cannot help */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"current-page\":1,\"next-page\":2,"
				"\"total-pages\":1000000000,\"total-count\":1000000000000}}",
				1000, &last, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "contacts: IT Glue announced 1000000000 pages"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "total-count 1000000000000 at 1000 a page"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "more than the 100000 pages a walk may take"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nothing was published"));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "--page-size"));   /* already the largest */
	/* no total-count at all: total-pages alone is not trusted either */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"next-page\":2,\"total-pages\":100001}}", 1000,
				&last, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "announced 100001 pages (no total-count"));
	/* a total-count that needs too many pages, whatever total-pages says */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"next-page\":2,\"total-count\":500000}}", 4,
				&last, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "announced 125000 pages (total-count 500000 at 4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "raise --page-size (now 4)"));
}

static void test_paging_plan_cuts_to_the_count_and_accepts_up_to_the_cap(void)
{
	struct itg_err e = {0};
	long long last = 0;

	/* a billion pages for 1500 records: cut to ceil(1500 / 1000) + 1, no error */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"next-page\":2,\"total-pages\":1000000000,"
				"\"total-count\":1500}}", 1000, &last, &e), 0);
	CU_ASSERT_EQUAL(last, 3);
	CU_ASSERT_EQUAL(e.code, 0);
	/* exactly the cap is a walk that may be taken */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"next-page\":2,\"total-pages\":100000,"
				"\"total-count\":100000000}}", 1000, &last, &e), 0);
	CU_ASSERT_EQUAL(last, PAGING_MAX_PAGES);
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"next-page\":2,\"total-pages\":100001,"
				"\"total-count\":100000001}}", 1000, &last, &e), -1);
	/* an empty page 1 plans nothing more, whatever it announces */
	CU_ASSERT_EQUAL(plan_of("{\"meta\":{\"total-pages\":1000000000,"
				"\"total-count\":1000000000000}}", 0, &last, &e), 0);
	CU_ASSERT_EQUAL(last, 1);
}

static void test_paging_stops_at_the_absolute_cap_when_following(void)
{
	struct page_meta m = meta_of("{\"meta\":{\"next-page\":100001}}");
	struct page_meta end = meta_of("{\"meta\":{\"next-page\":null}}");

	/* a total-count whose cap is beyond the absolute one does not lift it */
	CU_ASSERT_EQUAL(paging_more(&m, PAGING_MAX_PAGES - 1, 10, 1000000), 1);
	CU_ASSERT_EQUAL(paging_more(&m, PAGING_MAX_PAGES, 10, 1000000), 0);
	CU_ASSERT_EQUAL(paging_over_max(&m, PAGING_MAX_PAGES, 10), 1);
	CU_ASSERT_EQUAL(paging_over_max(&m, PAGING_MAX_PAGES - 1, 10), 0);
	CU_ASSERT_EQUAL(paging_over_max(&end, PAGING_MAX_PAGES, 10), 0);
	CU_ASSERT_EQUAL(paging_over_max(&m, PAGING_MAX_PAGES, 0), 0);
}

static void test_paging_follows_next_page_without_a_page_count(void)
{
	struct page_meta m = meta_of("{\"meta\":{\"current-page\":1,\"next-page\":2}}");
	int capped;

	CU_ASSERT_EQUAL(paging_last_page(&m, 10, 10, &capped), 1);
	CU_ASSERT_EQUAL(paging_more(&m, 1, 10, -1), 1);
	CU_ASSERT_EQUAL(paging_more(&m, PAGING_HARD_CAP, 10, -1), 0);
}

/* ---- the shared body budget ---- */

static void test_budget_is_shared_reserved_and_released_across_requests(void)
{
	struct fetch_budget b = {.limit = 100};

	/* three transfers in flight take their bytes from the one budget */
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 40), 0);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 40), 0);
	CU_ASSERT_EQUAL(b.used, 80);
	/* the third would go over what is left: refused, nothing taken */
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 21), -1);
	CU_ASSERT_EQUAL(b.used, 80);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 20), 0);
	CU_ASSERT_EQUAL(b.used, 100);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 1), -1);
	/* one released: its bytes serve the next */
	fetch_budget_release(&b, 40);
	CU_ASSERT_EQUAL(b.used, 60);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 40), 0);
	/* more than the whole budget, and sizes that would wrap, are refused */
	fetch_budget_release(&b, 1000);
	CU_ASSERT_EQUAL(b.used, 0);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 101), -1);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, 60), 0);
	CU_ASSERT_EQUAL(fetch_budget_reserve(&b, (size_t)-1), -1);
	CU_ASSERT_EQUAL(b.used, 60);
}

static void test_fetcher_budget_defaults_to_256_mib_and_release_is_idempotent(void)
{
	struct fetch_config c = {.api_key = "ITG.unit", .concurrency = 2, .rate = 10};
	struct fetch_request r = {0};
	struct itg_err e = {0};
	struct fetch *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	f = fetch_new(&c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fetch_budget_limit(f), FETCH_BODY_BUDGET);
	CU_ASSERT_EQUAL(fetch_budget_used(f), 0);
	buf_adds(&r.body, "leftover");
	fetch_release(f, &r);
	fetch_release(f, &r);
	CU_ASSERT_PTR_NULL(r.body.p);
	CU_ASSERT_EQUAL(fetch_budget_used(f), 0);
	fetch_free(f);
	c.body_budget = 1000;
	f = fetch_new(&c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fetch_budget_limit(f), 1000);
	fetch_free(f);
	curl_global_cleanup();
}

/* ---- backoff ---- */

static void test_backoff_ceiling_doubles_from_one_second_up_to_the_cap(void)
{
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(1), 1.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(2), 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(3), 4.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(5), 16.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(6), BACKOFF_CAP_S, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_ceiling(60), BACKOFF_CAP_S, 1e-9);
}

static void test_backoff_delay_is_jittered_within_bounds_and_grows(void)
{
	struct jitter j;
	double sum1 = 0, sum4 = 0, lo = 1e9, hi = -1;

	jitter_seed(&j, 42);
	for (int i = 0; i < 2000; i++) {
		double u = jitter_next(&j);
		double d1 = backoff_delay(1, u), d4 = backoff_delay(4, u), d9 = backoff_delay(9, u);
		CU_ASSERT(u >= 0 && u < 1);
		CU_ASSERT(d1 >= 0 && d1 < 1.0);
		CU_ASSERT(d4 >= 0 && d4 < 8.0);
		CU_ASSERT(d9 >= 0 && d9 < BACKOFF_CAP_S);
		sum1 += d1;
		sum4 += d4;
		lo = d4 < lo ? d4 : lo;
		hi = d4 > hi ? d4 : hi;
	}
	/* full jitter: the mean is half the ceiling, and draws spread over it */
	CU_ASSERT(sum1 / 2000 > 0.4 && sum1 / 2000 < 0.6);
	CU_ASSERT(sum4 / 2000 > 3.2 && sum4 / 2000 < 4.8);
	CU_ASSERT(lo < 1.0 && hi > 7.0);
	CU_ASSERT(backoff_delay(4, 0.5) > backoff_delay(1, 0.5));
}

static void test_retry_after_is_clamped_and_zero_means_own_backoff(void)
{
	CU_ASSERT_EQUAL(backoff_clamp_retry_after(7), 7);
	CU_ASSERT_EQUAL(backoff_clamp_retry_after(0), 0);
	/* libcurl 7.88 turns a past HTTP-date into a negative number */
	CU_ASSERT_EQUAL(backoff_clamp_retry_after(-349953935LL), 0);
	CU_ASSERT_EQUAL(backoff_clamp_retry_after(86400), RETRY_AFTER_MAX_S);
	CU_ASSERT_DOUBLE_EQUAL(backoff_wait(1, 7, 0.9), 7.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_wait(1, 100000, 0.9), 120.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_wait(3, 0, 0.5), 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(backoff_wait(3, -5, 0.5), 2.0, 1e-9);
}

/* ---- token bucket ---- */

static void test_bucket_spaces_requests_at_the_rate(void)
{
	struct ratelimit r;
	double now = 100.0;
	int sent = 0;

	ratelimit_init(&r, 8, now);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, now), 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, now), 0.125, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, now + 0.1), 0.025, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, now + 0.125), 0, 1e-9);
	/* a greedy client over 10 simulated seconds gets rate x 10 requests */
	ratelimit_init(&r, 8, now);
	for (double t = now; t < now + 10.0 - 1e-9;) {
		double w = ratelimit_acquire(&r, t);
		if (w == 0)
			sent++;
		else
			t += w;
	}
	CU_ASSERT(sent >= 80 && sent <= 81);
}

static void test_bucket_does_not_save_up_a_burst_when_idle(void)
{
	struct ratelimit r;

	ratelimit_init(&r, 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, 60), 0, 1e-9);
	CU_ASSERT(ratelimit_acquire(&r, 60) > 0.49);
}

static void test_bucket_halves_after_429_once_per_wave_down_to_the_floor(void)
{
	struct ratelimit r;
	unsigned sent;

	ratelimit_init(&r, 8, 0);
	sent = r.epoch;
	CU_ASSERT_EQUAL(ratelimit_slow_down(&r, sent), 1);
	CU_ASSERT_DOUBLE_EQUAL(r.rate, 4, 1e-9);
	/* other requests sent before the slow-down do not halve again */
	CU_ASSERT_EQUAL(ratelimit_slow_down(&r, sent), 0);
	CU_ASSERT_DOUBLE_EQUAL(r.rate, 4, 1e-9);
	/* after the slow-down requests leave two per second */
	ratelimit_acquire(&r, 10);
	CU_ASSERT_DOUBLE_EQUAL(ratelimit_acquire(&r, 10), 0.25, 1e-9);
	for (int i = 0; i < 10; i++)
		ratelimit_slow_down(&r, r.epoch);
	CU_ASSERT_DOUBLE_EQUAL(r.rate, RATELIMIT_FLOOR_RPS, 1e-9);
	CU_ASSERT_EQUAL(r.slowdowns, 4);
}

/* ---- HTTP status and error bodies ---- */

static void test_status_classification(void)
{
	CU_ASSERT_EQUAL(errors_classify(200), HTTP_OK);
	CU_ASSERT_EQUAL(errors_classify(429), HTTP_RATE_LIMIT);
	CU_ASSERT_EQUAL(errors_classify(401), HTTP_AUTH);
	CU_ASSERT_EQUAL(errors_classify(403), HTTP_AUTH);
	CU_ASSERT_EQUAL(errors_classify(500), HTTP_RETRY);
	CU_ASSERT_EQUAL(errors_classify(502), HTTP_RETRY);
	CU_ASSERT_EQUAL(errors_classify(504), HTTP_RETRY);
	CU_ASSERT_EQUAL(errors_classify(0), HTTP_RETRY);
	CU_ASSERT_EQUAL(errors_classify(404), HTTP_FATAL);
	CU_ASSERT_EQUAL(errors_classify(422), HTTP_FATAL);
	CU_ASSERT_EQUAL(errors_classify(302), HTTP_FATAL);
}

static void summary_of(const char *body, char *out, size_t n)
{
	errors_summarise_body(body, strlen(body), NULL, out, n);
}

static void test_error_body_summaries_for_json_html_and_empty(void)
{
	char s[200];
	char html[600];

	summary_of("{\"errors\":[{\"status\":401,\"title\":\"Unauthorized\","
		   "\"detail\":\"Unauthorized resource access\"}]}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Unauthorized: Unauthorized resource access");
	summary_of("{\"message\":\"Forbidden\"}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Forbidden");
	summary_of("{\"errors\":[{\"title\":\"Invalid page size\"}]}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Invalid page size");
	summary_of("{\"other\":1}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "JSON body (11 bytes)");
	snprintf(html, sizeof html, "<!DOCTYPE html><html><body>%s</body></html>",
		 "<h1>The page you were looking for doesn't exist.</h1>");
	summary_of(html, s, sizeof s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "HTML page ("));
	CU_ASSERT_PTR_NULL(strchr(s, '<'));
	summary_of("", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "empty body");
	summary_of(" \r\n", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "empty body");
}

static void test_error_body_summary_of_text_and_broken_json_is_one_clean_line(void)
{
	char s[200];

	summary_of("Endpoint request timed out\nsecond line", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Endpoint request timed out");
	summary_of("{\"errors\":[{\"title\":\"Bad", s, sizeof s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "unreadable JSON body"));
	summary_of("bad\x1b[31mred\x01", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "bad?[31mred?");
	summary_of("{\"message\":\"a\\nb\"}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "a b");
}

/* The summary of body when the run's key is ITG.s3cret/key. */
static void summary_with_key(const char *body, char *out, size_t n)
{
	errors_summarise_body(body, strlen(body), "ITG.s3cret/key", out, n);
}

static void test_error_body_summaries_never_quote_the_key(void)
{
	char s[200], big[2000];

	/* the gateway's message, a JSON:API title and detail, a text line */
	summary_with_key("{\"message\":\"Forbidden: ITG.s3cret/key is not valid\"}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Forbidden: [key] is not valid");
	summary_with_key("{\"errors\":[{\"title\":\"ITG.s3cret/key\",\"detail\":\"bad "
			 "key=ITG.s3cret%2Fkey or ITG%2es3cret%2fkey\"}]}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "[key]: bad key=[key] or [key]");
	summary_with_key("Service Unavailable for ITG.s3cret/key\nmore", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Service Unavailable for [key]");
	/* a key that would straddle the cut of a long line is gone before the cut */
	memset(big, 'a', 115);
	snprintf(big + 115, sizeof big - 115, "%s", "ITG.s3cret/key and more");
	summary_with_key(big, s, sizeof s);
	CU_ASSERT_PTR_NULL(strstr(s, "ITG."));
	CU_ASSERT_EQUAL(strlen(s), 120);
	/* and a short output buffer cuts after scrubbing, too */
	summary_with_key("{\"message\":\"xx ITG.s3cret/key\"}", s, 8);
	CU_ASSERT_STRING_EQUAL(s, "xx [key");
	/* fully percent-encoded, as a server quoting the raw request would */
	summary_with_key("{\"message\":\"%49%54%47%2E%73%33%63%72%65%74%2F%6B%65%79\"}", s,
			 sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "[key]");
	/* without the key nothing changes */
	summary_with_key("{\"message\":\"Forbidden\"}", s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "Forbidden");
}

static void test_auth_errors_name_key_region_and_allowlist(void)
{
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(errors_auth(&e, 403, "organizations", "eu", "https://api.eu.itglue.com",
				    "Forbidden"), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_AUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "key is wrong or revoked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "region eu, https://api.eu.itglue.com"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "allowlist"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "HTTP 403"));
	err_clear(&e);
	errors_auth(&e, 401, "contacts", "", "http://127.0.0.1:9", "Unauthorized");
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_AUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "access to contacts"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lack access to this resource"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "http://127.0.0.1:9"));
	/* the contract's three causes, on 401 as on 403 */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "wrong, revoked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "another region"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "allowlist"));
}

static void test_other_4xx_fail_with_a_hint(void)
{
	struct itg_err e = {0};

	errors_fatal(&e, 422, "organizations", 1, 1000, "Invalid page size");
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lower --page-size (now 1000)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "organizations page 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Invalid page size"));
	err_clear(&e);
	errors_fatal(&e, 404, "domains", 2, 50, "HTML page (900 bytes)");
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--base-url"));
}

/* ---- options ---- */

static void test_loopback_hosts_are_recognised_and_others_refused(void)
{
	CU_ASSERT(extract_host_is_loopback("127.0.0.1"));
	CU_ASSERT(extract_host_is_loopback("127.255.3.9"));
	CU_ASSERT(extract_host_is_loopback("[::1]"));
	CU_ASSERT(extract_host_is_loopback("localhost"));
	CU_ASSERT(extract_host_is_loopback("LOCALHOST"));
	CU_ASSERT(!extract_host_is_loopback("128.0.0.1"));
	CU_ASSERT(!extract_host_is_loopback("127.0.0"));
	CU_ASSERT(!extract_host_is_loopback("127.0.0.1.5"));
	CU_ASSERT(!extract_host_is_loopback("127.0.0.256"));
	CU_ASSERT(!extract_host_is_loopback("1270.0.0.1"));
	CU_ASSERT(!extract_host_is_loopback("127.0.0.1.example.com"));
	CU_ASSERT(!extract_host_is_loopback("localhost.example.com"));
	CU_ASSERT(!extract_host_is_loopback("10.0.0.1"));
	CU_ASSERT(!extract_host_is_loopback(NULL));
}

static void test_base_url_allows_http_only_to_loopback(void)
{
	struct itg_err e = {0};
	char *url = NULL;
	int http = -1;

	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "http://127.0.0.1:8080/", &url, &http, &e), 0);
	CU_ASSERT_STRING_EQUAL(url, "http://127.0.0.1:8080");
	CU_ASSERT_EQUAL(http, 1);
	free(url);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "https://itglue.example.com", &url, &http, &e), 0);
	CU_ASSERT_EQUAL(http, 0);
	free(url);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "http://itglue.example.com", &url, &http, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "loopback"));
	CU_ASSERT_PTR_NULL(url);
	/* the host is what counts, not a user name that looks like loopback */
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "http://127.0.0.1@evil.example", &url, &http, &e), -1);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "ftp://127.0.0.1", &url, &http, &e), -1);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "not a url", &url, &http, &e), -1);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, "https://h.example/?x=1", &url, &http, &e), -1);
}

static void test_regions_pick_their_data_centre(void)
{
	struct itg_err e = {0};
	char *url = NULL;
	int http;

	CU_ASSERT_EQUAL(extract_resolve_base_url("eu", NULL, &url, &http, &e), 0);
	CU_ASSERT_STRING_EQUAL(url, "https://api.eu.itglue.com");
	free(url);
	CU_ASSERT_EQUAL(extract_resolve_base_url(NULL, NULL, &url, &http, &e), 0);
	CU_ASSERT_STRING_EQUAL(url, "https://api.itglue.com");
	free(url);
	CU_ASSERT_STRING_EQUAL(extract_region_url("au"), "https://api.au.itglue.com");
	CU_ASSERT_EQUAL(extract_resolve_base_url("mars", NULL, &url, &http, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "use us, eu or au"));
}

static void test_resource_lists_are_checked(void)
{
	struct itg_err e = {0};
	int sel[RES_COUNT];

	CU_ASSERT_EQUAL(extract_parse_resources(" organizations , contacts", sel, &e), 0);
	CU_ASSERT(sel[RES_ORGANIZATIONS] && sel[RES_CONTACTS]);
	CU_ASSERT(!sel[RES_DOMAINS] && !sel[RES_CONTACT_TYPES]);
	CU_ASSERT_EQUAL(extract_parse_resources("organizations,orgs", sel, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "\"orgs\""));
	err_clear(&e);
	CU_ASSERT_EQUAL(extract_parse_resources(",,", sel, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "empty"));
}

static void test_products_pick_their_default_resources(void)
{
	int sel[RES_COUNT];

	extract_default_resources(PRODUCT_BULLPHISH, sel);
	CU_ASSERT(sel[RES_CONTACTS] && sel[RES_CONTACT_TYPES] && !sel[RES_DOMAINS]);
	extract_default_resources(PRODUCT_DARKWEBID, sel);
	CU_ASSERT(sel[RES_DOMAINS] && !sel[RES_CONTACTS] && !sel[RES_CONTACT_TYPES]);
	CU_ASSERT(sel[RES_ORGANIZATIONS] && sel[RES_ORGANIZATION_TYPES] &&
		  sel[RES_ORGANIZATION_STATUSES]);
	extract_default_resources(PRODUCT_NONE, sel);
	for (int i = 0; i < RES_COUNT; i++)
		CU_ASSERT(sel[i]);
}

static void test_page_urls_sort_by_id_except_domains(void)
{
	char *u = extract_page_url("https://api.itglue.com", RES_ORGANIZATIONS, 1000, 3, 1);

	CU_ASSERT_STRING_EQUAL(u, "https://api.itglue.com/organizations?page%5Bsize%5D=1000"
				  "&page%5Bnumber%5D=3&sort=id");
	free(u);
	u = extract_page_url("http://127.0.0.1:9", RES_DOMAINS, 50, 1, 1);
	CU_ASSERT_PTR_NULL(strstr(u, "sort="));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "/domains?"));
	free(u);
	u = extract_page_url("http://127.0.0.1:9", RES_CONTACTS, 50, 1, 0);
	CU_ASSERT_PTR_NULL(strstr(u, "sort="));
	free(u);
	CU_ASSERT_EQUAL(extract_retry_budget(0), 50);
	CU_ASSERT_EQUAL(extract_retry_budget(1000), 150);
}

/* ---- a run that cannot reach the server leaves nothing behind ---- */

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_failed_run_names_resource_and_page_and_leaves_no_folder(void)
{
	char *dir = unit_tmpdir();
	char *out = fs_join(dir, "snap");
	struct extract_options o = {0};
	struct itg_err e = {0};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	o.region = "";
	o.base_url = "http://127.0.0.1:1"; /* nothing listens on port 1 */
	o.allow_http = 1;
	o.out_dir = out;
	o.resources[RES_ORGANIZATION_TYPES] = 1;
	o.page_size = 50;
	o.rate = 100;
	o.concurrency = 2;
	o.timeout = 5;
	o.retries = 0;
	o.api_key = "ITG.unit-test-key";
	CU_ASSERT_EQUAL(extract_run(&o, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "organization_types page 1"));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "ITG.unit-test-key"));
	CU_ASSERT_EQUAL(fs_exists(out), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	curl_global_cleanup();
	free(out);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"paging_cap_is_pages_from_total_count_plus_one", test_paging_cap_is_pages_from_total_count_plus_one},
	{"paging_reads_meta_including_null_next_page", test_paging_reads_meta_including_null_next_page},
	{"paging_first_page_plans_all_pages_and_zero_means_empty", test_paging_first_page_plans_all_pages_and_zero_means_empty},
	{"paging_caps_a_page_count_the_total_count_cannot_fill", test_paging_caps_a_page_count_the_total_count_cannot_fill},
	{"paging_stops_on_each_stop_condition", test_paging_stops_on_each_stop_condition},
	{"paging_follows_next_page_without_a_page_count", test_paging_follows_next_page_without_a_page_count},
	{"paging_cap_never_overflows_on_an_absurd_total_count", test_paging_cap_never_overflows_on_an_absurd_total_count},
	{"paging_plan_refuses_an_announcement_beyond_the_absolute_cap", test_paging_plan_refuses_an_announcement_beyond_the_absolute_cap},
	{"paging_plan_cuts_to_the_count_and_accepts_up_to_the_cap", test_paging_plan_cuts_to_the_count_and_accepts_up_to_the_cap},
	{"paging_stops_at_the_absolute_cap_when_following", test_paging_stops_at_the_absolute_cap_when_following},
	{"budget_is_shared_reserved_and_released_across_requests", test_budget_is_shared_reserved_and_released_across_requests},
	{"fetcher_budget_defaults_to_256_mib_and_release_is_idempotent", test_fetcher_budget_defaults_to_256_mib_and_release_is_idempotent},
	{"backoff_ceiling_doubles_from_one_second_up_to_the_cap", test_backoff_ceiling_doubles_from_one_second_up_to_the_cap},
	{"backoff_delay_is_jittered_within_bounds_and_grows", test_backoff_delay_is_jittered_within_bounds_and_grows},
	{"retry_after_is_clamped_and_zero_means_own_backoff", test_retry_after_is_clamped_and_zero_means_own_backoff},
	{"bucket_spaces_requests_at_the_rate", test_bucket_spaces_requests_at_the_rate},
	{"bucket_does_not_save_up_a_burst_when_idle", test_bucket_does_not_save_up_a_burst_when_idle},
	{"bucket_halves_after_429_once_per_wave_down_to_the_floor", test_bucket_halves_after_429_once_per_wave_down_to_the_floor},
	{"status_classification", test_status_classification},
	{"error_body_summaries_for_json_html_and_empty", test_error_body_summaries_for_json_html_and_empty},
	{"error_body_summary_of_text_and_broken_json_is_one_clean_line", test_error_body_summary_of_text_and_broken_json_is_one_clean_line},
	{"error_body_summaries_never_quote_the_key", test_error_body_summaries_never_quote_the_key},
	{"auth_errors_name_key_region_and_allowlist", test_auth_errors_name_key_region_and_allowlist},
	{"other_4xx_fail_with_a_hint", test_other_4xx_fail_with_a_hint},
	{"loopback_hosts_are_recognised_and_others_refused", test_loopback_hosts_are_recognised_and_others_refused},
	{"base_url_allows_http_only_to_loopback", test_base_url_allows_http_only_to_loopback},
	{"regions_pick_their_data_centre", test_regions_pick_their_data_centre},
	{"resource_lists_are_checked", test_resource_lists_are_checked},
	{"products_pick_their_default_resources", test_products_pick_their_default_resources},
	{"page_urls_sort_by_id_except_domains", test_page_urls_sort_by_id_except_domains},
	{"failed_run_names_resource_and_page_and_leaves_no_folder", test_failed_run_names_resource_and_page_and_leaves_no_folder},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("extract", NULL, NULL, tests)
