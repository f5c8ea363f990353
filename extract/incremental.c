#include "incremental.h"

#include "fsutil.h"
#include "json.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int incr_by_changes(int resource)
{
	return resource == RES_ORGANIZATIONS || resource == RES_CONTACTS || resource == RES_DOMAINS;
}

int incr_open_base(const char *dir, struct snapshot_manifest *m, char **real, int *missing,
		   struct itg_err *e)
{
	char *manifest;

	*real = NULL;
	*missing = 0;
	memset(m, 0, sizeof *m);
	manifest = fs_join(dir, "manifest.json");
	if (!fs_is_dir(dir) || !fs_exists(manifest)) {
		free(manifest);
		*missing = 1;
		return err_set(e, ITG_EXIT_USAGE, "%s holds no snapshot", dir);
	}
	free(manifest);
	*real = realpath(dir, NULL);
	if (!*real)
		return err_set(e, ITG_EXIT_USAGE, "cannot resolve %s: %s", dir, strerror(errno));
	if (snapshot_manifest_read(*real, m, e) != 0 || snapshot_verify(*real, m, e) != 0) {
		free(*real);
		*real = NULL;
		return -1;
	}
	return 0;
}

/* "3d 4h", "25h 10m", "7m": a span of seconds, for messages. */
static void format_span(long long s, char *out, size_t n)
{
	long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;

	if (d && h)
		snprintf(out, n, "%lldd %lldh", d, h);
	else if (d)
		snprintf(out, n, "%lldd", d);
	else if (h && m)
		snprintf(out, n, "%lldh %lldm", h, m);
	else if (h)
		snprintf(out, n, "%lldh", h);
	else
		snprintf(out, n, "%lldm", m);
}

int incr_decide(const struct snapshot_manifest *base, const char *base_url, long long now_ms,
		long long full_every_s, char *why, size_t n)
{
	const char *last = snapshot_last_full_at(base);
	long long started, last_ms;
	char ago[32], every[32];

	if (strcmp(base->base_url, base_url) != 0) {
		snprintf(why, n, "the previous snapshot came from %.200s, not %.200s", base->base_url,
			 base_url);
		return 0;
	}
	if (time_parse_rfc3339(base->started_at, &started) != 0) {
		snprintf(why, n, "the previous snapshot does not say when it began");
		return 0;
	}
	if (!last || time_parse_rfc3339(last, &last_ms) != 0) {
		snprintf(why, n, "the previous snapshot does not say when the last full walk was");
		return 0;
	}
	if (started > now_ms + INCR_OVERLAP_MS || last_ms > now_ms + INCR_OVERLAP_MS) {
		snprintf(why, n, "the previous snapshot began at %s, later than this run: check the clock",
			 base->started_at);
		return 0;
	}
	if (now_ms - last_ms >= full_every_s * 1000) {
		format_span((now_ms - last_ms) / 1000, ago, sizeof ago);
		format_span(full_every_s, every, sizeof every);
		snprintf(why, n, "the last full walk began %s ago (%s), and full_every is %s", ago,
			 last, every);
		return 0;
	}
	if (n)
		why[0] = '\0';
	return 1;
}

long long incr_mark(long long base_started_ms)
{
	return base_started_ms - INCR_OVERLAP_MS;
}

static void format_time(long long ms, const char *fmt, char out[40])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 40, fmt, &tm) == 0)
		out[0] = '\0';
}

void incr_format_time(long long ms, char out[40])
{
	format_time(ms, "%Y-%m-%dT%H:%M:%SZ", out);
}

void incr_format_time_url(long long ms, char out[40])
{
	format_time(ms, "%Y-%m-%dT%H%%3A%M%%3A%SZ", out);
}

char *incr_orgs_url(const char *base_url, long page_size, long long page, long long since_ms,
		    long long until_ms, int sort_by_id)
{
	char since[40], until[40] = "*";

	/* filter[updated_at]=A,B with brackets, colons and the comma percent-encoded */
	incr_format_time_url(since_ms, since);
	if (until_ms != INCR_NO_TIME)
		incr_format_time_url(until_ms, until);
	return xasprintf("%s/organizations?page%%5Bsize%%5D=%ld&page%%5Bnumber%%5D=%lld"
			 "&filter%%5Bupdated_at%%5D=%s%%2C%s%s",
			 base_url, page_size, page, since, until, sort_by_id ? "&sort=id" : "");
}

char *incr_sorted_url(const char *base_url, int resource, long page_size, long long page)
{
	return xasprintf("%s/%s?page%%5Bsize%%5D=%ld&page%%5Bnumber%%5D=%lld&sort=-updated_at",
			 base_url, resource_names[resource], page_size, page);
}

char *incr_count_url(const char *base_url, int resource)
{
	return xasprintf("%s/%s?page%%5Bsize%%5D=1&page%%5Bnumber%%5D=1", base_url,
			 resource_names[resource]);
}

int incr_window(long long since_ms, long long now_ms, long k, long long *start, long long *end)
{
	long long s = since_ms + (long long)k * INCR_WINDOW_MS;

	if (k < 0 || s > now_ms + INCR_OVERLAP_MS)
		return 0;
	*start = s;
	*end = s + INCR_WINDOW_MS;
	return 1;
}

int incr_updated_at(yajl_val record, long long *ms)
{
	const char *s = json_get_str(json_get(record, "attributes"), "updated-at");

	if (s && time_parse_rfc3339(s, ms) == 0)
		return 0;
	*ms = INCR_NO_TIME;
	return -1;
}

enum incr_scan incr_scan_page(const long long *ms, size_t n, long long mark, long long *last,
			      size_t *changes)
{
	int past = 0;

	*changes = 0;
	/* the whole page is checked: a server that ignores the sort shows it
	 * somewhere on a page, not always before its first old record */
	for (size_t i = 0; i < n; i++) {
		if (ms[i] == INCR_NO_TIME || ms[i] > *last)
			return INCR_SCAN_UNSORTED;
		*last = ms[i];
		if (ms[i] < mark)
			past = 1;
		else if (!past)
			(*changes)++;
	}
	return past ? INCR_SCAN_PAST : INCR_SCAN_MORE;
}
