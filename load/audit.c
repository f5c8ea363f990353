#include "audit.h"
#include "json.h"

static void fields(yajl_gen g, const struct load_event *ev, int new_side)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ev->nf; i++)
		json_kv_str(g, ev->f[i].field, new_side ? ev->f[i].new : ev->f[i].old);
	yajl_gen_map_close(g);
}

int audit_write(FILE *fp, const struct apply_result *r, const char *run_id, const char *now)
{
	yajl_gen g = json_gen_new();
	struct load_event view = {0};
	const struct load_event *ev = &view;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && eventlog_next(&r->events, &pos, &view)) {
		const unsigned char *line;
		size_t len;

		yajl_gen_map_open(g);
		json_kv_str(g, "run_id", run_id);
		json_kv_str(g, "time", now);
		json_kv_str(g, "action", ev->action);
		json_kv_str(g, "table", ev->table);
		json_kv_str(g, "key", ev->key);
		json_key(g, "before");
		if (ev->kind == EV_CREATE)
			yajl_gen_null(g);
		else
			fields(g, ev, 0);
		json_key(g, "after");
		if (ev->kind == EV_DELETE)
			yajl_gen_null(g);
		else
			fields(g, ev, 1);
		json_kv_str(g, "reason", ev->reason);
		yajl_gen_map_close(g);
		yajl_gen_get_buf(g, &line, &len);
		if (fwrite(line, 1, len, fp) != len || putc('\n', fp) == EOF)
			rc = -1;
		yajl_gen_clear(g);
		yajl_gen_reset(g, NULL);
	}
	yajl_gen_free(g);
	load_event_free(&view);
	return rc;
}
