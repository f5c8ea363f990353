#include "summary.h"
#include "fsutil.h"
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_MAX_BYTES (1 << 20)

/* null and false are "absent" (jq's `//`) */
static int absent(yajl_val v)
{
	return !v || YAJL_IS_NULL(v) || YAJL_IS_FALSE(v);
}

/*
 * A value as text in a line: a string as it is, a number as written,
 * true/false/null as words, an object or array as compact JSON.
 */
static void add_value(struct buf *b, yajl_val v)
{
	if (!v || YAJL_IS_NULL(v)) {
		buf_adds(b, "null");
	} else if (YAJL_IS_STRING(v)) {
		buf_adds(b, v->u.string);
	} else if (YAJL_IS_INTEGER(v)) {
		buf_addf(b, "%lld", YAJL_GET_INTEGER(v));
	} else if (YAJL_IS_DOUBLE(v)) {
		double d = YAJL_GET_DOUBLE(v);

		if (d == floor(d) && fabs(d) < 1e17)
			buf_addf(b, "%.0f", d);
		else
			buf_addf(b, "%.17g", d);
	} else if (YAJL_IS_NUMBER(v)) {
		buf_adds(b, YAJL_GET_NUMBER(v));
	} else if (YAJL_IS_TRUE(v)) {
		buf_adds(b, "true");
	} else if (YAJL_IS_FALSE(v)) {
		buf_adds(b, "false");
	} else {
		yajl_gen g = json_gen_new();

		json_gen_value(g, v);
		json_gen_take(g, b);
		yajl_gen_free(g);
	}
}

static void add_member(struct buf *b, yajl_val obj, const char *key, const char *dflt)
{
	yajl_val v = json_get(obj, key);

	if (absent(v))
		buf_adds(b, dflt);
	else
		add_value(b, v);
}

/* Counts that say something: neither 0 nor null. */
static int nonzero(yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (YAJL_IS_INTEGER(v))
		return YAJL_GET_INTEGER(v) != 0;
	if (YAJL_IS_DOUBLE(v))
		return YAJL_GET_DOUBLE(v) != 0;
	return 1;
}

/* "key value, key value" of an object's nonzero members; returns how many. */
static size_t add_counts(struct buf *b, yajl_val obj, const char *const *only, const char *sep)
{
	size_t n = 0;

	if (only) {
		for (; *only; only++) {
			yajl_val v = json_get(obj, *only);

			if (!nonzero(v))
				continue;
			buf_addf(b, "%s%s ", n++ ? ", " : sep, *only);
			add_value(b, v);
		}
		return n;
	}
	if (!obj || !YAJL_IS_OBJECT(obj))
		return 0;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		yajl_val v = obj->u.object.values[i];

		if (!nonzero(v))
			continue;
		buf_addf(b, "%s%s ", n++ ? ", " : sep, obj->u.object.keys[i]);
		add_value(b, v);
	}
	return n;
}

int summary_lines(const char *json, size_t len, struct buf *out, char *errbuf, size_t errlen)
{
	static const char *const attention[] = {"review", "unimported", "license_limited", NULL};
	yajl_val v = json_parse(json, len, errbuf, errlen);
	const char *status;
	yajl_val licenses, would_refuse;
	size_t n = 0;

	if (!v)
		return -1;
	if (!YAJL_IS_OBJECT(v)) {
		snprintf(errbuf, errlen, "not a JSON object");
		yajl_tree_free(v);
		return -1;
	}
	buf_adds(out, "run ");
	add_member(out, v, "run_id", "?");
	buf_adds(out, ": ");
	add_member(out, v, "pipeline", "?");
	buf_adds(out, " (");
	add_member(out, v, "product", "?");
	buf_adds(out, "), ");
	status = json_get_str(v, "status");
	if (status && strcmp(status, "dry_run") == 0)
		buf_adds(out, "dry run, store untouched");
	else
		add_member(out, v, "status", "?");
	/* a dry run says what the real load would refuse, right after saying it is one */
	would_refuse = json_get(v, "would_refuse");
	if (!absent(would_refuse)) {
		buf_adds(out, "; a real load would be refused: ");
		add_value(out, would_refuse);
	}
	buf_adds(out, ", integration ");
	add_member(out, v, "integration_status", "?");

	buf_adds(out, "\nactions: ");
	if (add_counts(out, json_get(v, "counts"), NULL, "") == 0)
		buf_adds(out, "nothing to change");

	buf_adds(out, "\nlicenses: ");
	licenses = json_get(v, "licenses");
	if (licenses && YAJL_IS_OBJECT(licenses)) {
		for (size_t i = 0; i < licenses->u.object.len; i++) {
			yajl_val l = licenses->u.object.values[i];

			buf_addf(out, "%s%s ", n++ ? ", " : "", licenses->u.object.keys[i]);
			add_member(out, l, "used", "0");
			buf_addc(out, '/');
			add_member(out, l, "total", "unlimited");
		}
	}
	if (n == 0)
		buf_adds(out, "none");
	add_counts(out, v, attention, "; to look at: ");
	buf_addc(out, '\n');
	yajl_tree_free(v);
	return 0;
}

int summary_text(const char *run_dir, struct buf *out, struct itg_err *e)
{
	char *report = fs_join(run_dir, "report");
	char *path = fs_join(report, "summary.json");
	struct buf json = {0};
	char errbuf[256];
	int rc = 1;

	if (!fs_exists(path)) {
		rc = 0;
		goto out;
	}
	if (fs_read_all(path, &json, SUMMARY_MAX_BYTES, e) != 0) {
		rc = -1;
		goto out;
	}
	buf_addf(out, "report: %s/report.md\n", report);
	buf_addf(out, "        %s/report.html\n", report);
	if (summary_lines(json.p, json.len, out, errbuf, sizeof errbuf) != 0)
		rc = err_at(e, ITG_EXIT_RUNTIME, path, 0, 0, "cannot read the summary: %s", errbuf);
out:
	buf_free(&json);
	free(path);
	free(report);
	return rc;
}
