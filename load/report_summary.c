/*
 * report_summary.c - summary.json: the run's figures for machines (status,
 * counts per action, changed rows and fields, licenses, the lines that need
 * a person), written with yajl's generator.  The figures come from
 * report_count.c, as the report's sections' do.
 */
#include "report.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"

static void kv_license(yajl_gen g, const char *key, long long used, long long total)
{
	json_key(g, key);
	yajl_gen_map_open(g);
	json_kv_int(g, "used", used);
	json_key(g, "total");
	if (total == LICENSE_UNLIMITED)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, total);
	yajl_gen_map_close(g);
}

void report_summary_json(const struct report_input *in, struct buf *out)
{
	const struct plan *p = in->plan;
	yajl_gen g = json_gen_new();
	struct report_licenses l;
	size_t fields = in->res->events.nfields;

	report_count_licenses(in->after, &l);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	json_kv_str(g, "run_id", in->run_id);
	json_kv_str(g, "status", in->dry_run ? "dry_run" : "applied");
	json_kv_str(g, "pipeline", in->pipeline);
	json_kv_str(g, "product", product_name(p->product));
	json_kv_str(g, "snapshot_time", *p->snapshot_time ? p->snapshot_time : NULL);
	json_kv_str(g, "integration_status", p->disconnect ? "disconnected" : "connected");
	json_kv_str(g, "would_refuse", report_would_refuse(in));
	json_kv_int(g, "plan_lines", (long long)p->n);
	json_key(g, "counts");
	yajl_gen_map_open(g);
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			json_kv_int(g, plan_action_name(i),
				    (long long)report_count_action(p, i, in->res, 0));
	yajl_gen_map_close(g);
	json_key(g, "changed");
	yajl_gen_map_open(g);
	for (int i = 0; i < PA_COUNT; i++)
		if (plan_action_in(i, p->product))
			json_kv_int(g, plan_action_name(i),
				    (long long)report_count_action(p, i, in->res, 1));
	yajl_gen_map_close(g);
	json_kv_int(g, "rows_changed", (long long)in->res->events.nev);
	json_kv_int(g, "fields_changed", (long long)fields);
	json_key(g, "licenses");
	yajl_gen_map_open(g);
	if (p->product == PRODUCT_BULLPHISH) {
		kv_license(g, "phishing", l.phishing_used, in->lic_phishing);
		kv_license(g, "training", l.training_used, in->lic_training);
	} else {
		kv_license(g, "domains", l.domains_used, in->lic_domains);
	}
	yajl_gen_map_close(g);
	json_kv_int(g, "review", (long long)report_count_lines(p, PA_REVIEW, NULL));
	json_kv_int(g, "unimported", (long long)report_count_unimported(p));
	json_kv_int(g, "license_limited", (long long)report_count_license_limited(p));
	json_kv_int(g, "skipped", (long long)report_count_lines(p, PA_SKIP, NULL));
	report_handedits_summary(g, in);
	yajl_gen_map_close(g);
	json_gen_take(g, out);
	if (out->len && out->p[out->len - 1] != '\n')
		buf_addc(out, '\n');
	yajl_gen_free(g);
}
