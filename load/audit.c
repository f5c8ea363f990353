#include "audit.h"
#include "handedits.h"
#include "json.h"
#include "store.h"

static void fields(yajl_gen g, const struct load_event *ev, int new_side)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ev->nf; i++)
		json_kv_str(g, ev->f[i].field, new_side ? ev->f[i].new : ev->f[i].old);
	yajl_gen_map_close(g);
}

/* The members every audit line has, in their order; the object is left open. */
static void line_open(yajl_gen g, const struct load_event *ev, const char *run_id,
		      const char *now)
{
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
}

/* Closes the line, writes it to fp and readies g for the next one.  0 or -1. */
static int line_close(yajl_gen g, FILE *fp)
{
	const unsigned char *line;
	size_t len;
	int rc = 0;

	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &line, &len);
	if (fwrite(line, 1, len, fp) != len || putc('\n', fp) == EOF)
		rc = -1;
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
	return rc;
}

int audit_write(FILE *fp, const struct apply_result *r, const char *run_id, const char *now)
{
	yajl_gen g = json_gen_new();
	struct load_event view = {0};
	size_t pos = 0;
	int rc = 0, got;

	while (rc == 0 && (got = eventlog_next(&r->events, &pos, &view)) != 0) {
		if (got < 0) {
			rc = -1;
			break;
		}
		line_open(g, &view, run_id, now);
		rc = line_close(g, fp);
	}
	yajl_gen_free(g);
	load_event_free(&view);
	return rc;
}

/* A line number, or null for none (0). */
static void kv_line(yajl_gen g, const char *key, long line)
{
	json_key(g, key);
	if (line > 0)
		yajl_gen_integer(g, line);
	else
		yajl_gen_null(g);
}

int audit_write_hand_edits(FILE *fp, const struct handedits *h, const char *run_id,
			   const char *now)
{
	static const enum event_kind kinds[HAND_NREASONS] = {EV_CREATE, EV_DELETE, EV_UPDATE};
	yajl_gen g = json_gen_new();
	int rc = 0;

	for (size_t i = 0; i < h->n && rc == 0; i++) {
		const struct hand_edit *ed = &h->v[i];
		struct load_event ev = {
			.action = HAND_EDIT_ACTION,
			.table = store_table_names[STORE_LINKS],
			.key = ed->key,
			.reason = handedits_reason_name(ed->reason),
			.kind = kinds[ed->reason],
			.nf = ed->nf,
			.f = ed->f,
		};

		line_open(g, &ev, run_id, now);
		kv_line(g, "line", ed->line);
		kv_line(g, "last_run_line", ed->last_run_line);
		rc = line_close(g, fp);
	}
	yajl_gen_free(g);
	return rc;
}
