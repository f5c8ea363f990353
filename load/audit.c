#include "audit.h"
#include "json.h"

static void fields(yajl_gen g, const struct load_event *ev, int new_side)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ev->nf; i++)
		json_kv_str(g, ev->f[i].field, new_side ? ev->f[i].new : ev->f[i].old);
	yajl_gen_map_close(g);
}

void audit_format(const struct apply_result *r, const char *run_id, const char *now,
		  struct buf *out)
{
	yajl_gen g = json_gen_new();

	for (size_t i = 0; i < r->nev; i++) {
		const struct load_event *ev = &r->ev[i];

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
		json_gen_take(g, out);
		buf_addc(out, '\n');
	}
	yajl_gen_free(g);
}
