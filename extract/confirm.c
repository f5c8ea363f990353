#include "confirm.h"

#include "errors.h"
#include "fsutil.h"
#include "json.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const link_cols[] = {"organization_id", "itglue_organization_id", "source",
					"linked_at", NULL};
static const char *const link_req[] = {"itglue_organization_id", NULL};

int confirm_read_links(const char *store, struct csv_table *t, struct itg_err *e)
{
	char *path;
	int rc;

	memset(t, 0, sizeof *t);
	if (!store || !*store || !fs_is_dir(store))
		return 0;
	path = fs_join(store, "links.csv");
	rc = csvtab_read(path, link_cols, link_req, t, e);
	free(path);
	return rc;
}

static int id_ptr_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = id_cmp(x, y);

	return c ? c : strcmp(x, y);
}

size_t confirm_select_missing(const struct csv_table *links, const struct strmap *walked,
			      size_t cap, struct snapshot_ids *ask, struct snapshot_ids *rest)
{
	int col = csvtab_col(links, "itglue_organization_id");
	struct strmap *seen = strmap_new(links->nrows);
	const char **missing = xcalloc(links->nrows ? links->nrows : 1, sizeof *missing);
	size_t n = 0, linked;

	for (size_t r = 0; col >= 0 && r < links->nrows; r++) {
		const char *id = csvtab_get(links, r, col);
		if (!id_is_numeric(id) || strmap_has(seen, id))
			continue;
		strmap_put(seen, id, NULL);
		if (!walked || !strmap_has(walked, id))
			missing[n++] = id;
	}
	linked = strmap_count(seen);
	if (n > 1)
		qsort(missing, n, sizeof *missing, id_ptr_cmp);
	for (size_t i = 0; i < n; i++)
		snapshot_ids_add(i < cap ? ask : rest, missing[i]);
	free(missing);
	strmap_free(seen, NULL);
	return linked;
}

char *confirm_url(const char *base_url, const char *id)
{
	return xasprintf("%s/organizations/%s", base_url, id);
}

int confirm_record_valid(yajl_val obj)
{
	const char *id = json_get_id(obj, "id");

	return obj && YAJL_IS_OBJECT(obj) && id && id_is_numeric(id);
}

/* A JSON body with an "errors" array: IT Glue's answer for an unknown id. */
static int is_jsonapi_errors(const char *body, size_t len)
{
	char err[64];
	size_t start = 0;
	yajl_val doc, errors;
	int yes;

	while (start < len && strchr(" \t\r\n", body[start]))
		start++;
	if (start == len || body[start] != '{')
		return 0;
	doc = json_parse(body + start, len - start, err, sizeof err);
	errors = json_get(doc, "errors");
	yes = errors && YAJL_IS_ARRAY(errors);
	yajl_tree_free(doc);
	return yes;
}

enum confirm_outcome confirm_classify(long status, const char *body, size_t len, const char *id,
				      const char *key, yajl_val *doc, yajl_val *record, char *why,
				      size_t whylen)
{
	char summary[200], err[128];
	yajl_val d, data;
	const char *got;

	*doc = NULL;
	*record = NULL;
	why[0] = '\0';
	body = body ? body : "";
	switch (errors_classify(status)) {
	case HTTP_AUTH:
		return CONFIRM_AUTH;
	case HTTP_RATE_LIMIT:
		snprintf(why, whylen, "HTTP 429 (rate limit)");
		return CONFIRM_RETRY;
	case HTTP_RETRY:
		errors_summarise_body(body, len, key, summary, sizeof summary);
		if (status == 0)
			snprintf(why, whylen, "no answer");
		else
			snprintf(why, whylen, "HTTP %ld (%s)", status, summary);
		return CONFIRM_RETRY;
	case HTTP_FATAL:
		errors_summarise_body(body, len, key, summary, sizeof summary);
		if (status == 404 && is_jsonapi_errors(body, len))
			return CONFIRM_DELETED;
		if (status == 404)
			snprintf(why, whylen,
				 "HTTP 404 without a JSON:API error (%s): the address does not "
				 "serve single organizations, which is not a confirmation",
				 summary);
		else
			snprintf(why, whylen, "HTTP %ld (%s)", status, summary);
		return CONFIRM_UNCONFIRMED;
	case HTTP_OK:
		break;
	}
	d = json_parse(body, len, err, sizeof err);
	if (!d) {
		/* the parser's message may quote the body: say only its size */
		snprintf(why, whylen, "malformed JSON body (%zu bytes) on HTTP %ld", len, status);
		return CONFIRM_RETRY;
	}
	data = json_get(d, "data");
	if (!data || !YAJL_IS_OBJECT(data) || !confirm_record_valid(data)) {
		yajl_tree_free(d);
		snprintf(why, whylen, "HTTP %ld without an organization record in \"data\"", status);
		return CONFIRM_UNCONFIRMED;
	}
	got = json_get_id(data, "id");
	if (strcmp(got, id) != 0) {
		snprintf(why, whylen, "the answer is organization %.40s, not %.40s", got, id);
		yajl_tree_free(d);
		return CONFIRM_UNCONFIRMED;
	}
	*doc = d;
	*record = data;
	return CONFIRM_FOUND;
}
