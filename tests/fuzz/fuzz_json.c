/*
 * fuzz_json.c - json_parse on arbitrary bytes.
 *
 * Checks: a refusal comes with a one-line reason; an accepted text
 * re-emitted with json_gen_value parses again and re-emits to the same bytes
 * (the extractor re-emits API records this way), and the id helpers never
 * crash on any member.
 */
#include "fuzz_util.h"

#include "json.h"

static void emit(yajl_val v, struct buf *out)
{
	yajl_gen g = json_gen_new();

	json_gen_value(g, v);
	json_gen_take(g, out);
	yajl_gen_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[256];
	struct buf once = {0}, twice = {0};
	yajl_val v, v2;

	v = json_parse((const char *)data, size, errbuf, sizeof errbuf);
	if (!v) {
		FUZZ_CHECK(errbuf[0] != '\0', "refused without a reason");
		FUZZ_CHECK(strchr(errbuf, '\n') == NULL, "reason spans lines: %s", errbuf);
		return 0;
	}
	if (YAJL_IS_OBJECT(v))
		for (size_t i = 0; i < v->u.object.len; i++) {
			(void)json_get_id(v, v->u.object.keys[i]);
			(void)json_get_int(v, v->u.object.keys[i], 0);
			(void)json_get_bool(v, v->u.object.keys[i], 0);
		}
	emit(v, &once);
	v2 = json_parse(buf_str(&once), once.len, errbuf, sizeof errbuf);
	FUZZ_CHECK(v2 != NULL, "re-emitted text does not parse: %s: %s", errbuf, buf_str(&once));
	emit(v2, &twice);
	FUZZ_CHECK(once.len == twice.len && memcmp(buf_str(&once), buf_str(&twice), once.len) == 0,
		   "re-emission not stable: %s vs %s", buf_str(&once), buf_str(&twice));
	yajl_tree_free(v2);
	yajl_tree_free(v);
	buf_free(&once);
	buf_free(&twice);
	return 0;
}
