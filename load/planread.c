#include "planread.h"
#include "reasons.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *plan_id(const struct plan_line *l, const char *key)
{
	return json_get_id(l->v, key);
}

const char *plan_str(const struct plan_line *l, const char *key)
{
	return json_get_str(l->v, key);
}

/* 1 if the line has the id key, or one of "a|b". */
static int has_id(const struct plan_line *l, const char *key)
{
	const char *bar = strchr(key, '|');
	char *first;
	int ok;

	if (!bar)
		return json_get_id(l->v, key) != NULL;
	first = xstrndup(key, (size_t)(bar - key));
	ok = json_get_id(l->v, first) || json_get_id(l->v, bar + 1);
	free(first);
	return ok;
}

static int is_user_field(const char *k)
{
	for (int i = 0; plan_user_fields[i]; i++)
		if (strcmp(k, plan_user_fields[i]) == 0)
			return 1;
	return 0;
}

/* The keys plan_actions[] names for the line's action, and the values load relies on. */
static int check_line(const struct plan_line *l, const char *word, enum product want,
		      const char *file, struct itg_err *e)
{
	const struct plan_action_info *r;

	if (l->action == PA_COUNT)
		return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
			      "unknown action \"%s\", make the plan with a matching itg-transform",
			      word);
	r = &plan_actions[l->action];
	if (!plan_action_in(l->action, want))
		return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
			      "action \"%s\" does not belong to a %s plan, make the plan again",
			      r->name, product_name(want));
	for (int i = 0; r->ids[i]; i++)
		if (!has_id(l, r->ids[i]))
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "%s line lacks \"%s\", make the plan again", r->name, r->ids[i]);
	for (int i = 0; r->strs[i]; i++)
		if (!json_get_str(l->v, r->strs[i]))
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "%s line lacks the string \"%s\", make the plan again",
				      r->name, r->strs[i]);
	if (l->action == PA_IMPORT_DOMAIN) {
		const char *st = json_get_str(l->v, PK_STATUS);
		if (strcmp(st, DOMAIN_PENDING) != 0 && strcmp(st, DOMAIN_UNIMPORTED) != 0)
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "domain status \"%s\" is not pending or unimported", st);
	}
	if (l->action == PA_UPDATE_USER) {
		yajl_val after = json_get(l->v, PK_AFTER);
		if (!after || !YAJL_IS_OBJECT(after))
			return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
				      "update_user line lacks the object \"after\", make the plan again");
		for (size_t i = 0; i < after->u.object.len; i++) {
			const char *k = after->u.object.keys[i];
			if (!is_user_field(k))
				return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
					      "update_user cannot change \"%s\"", k);
			if (!YAJL_IS_STRING(after->u.object.values[i]))
				return err_at(e, ITG_EXIT_USAGE, file, l->line, 0,
					      "update_user \"%s\" is not a string", k);
		}
	}
	return 0;
}

int planread_lines(struct plan *p, char *text, size_t len, enum product want,
		   const char *file, struct itg_err *e)
{
	size_t cap = 0;

	p->text = text;
	for (size_t off = 0, lineno = 1; off < len; lineno++) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;
		char errbuf[256];
		struct plan_line l = {(long)lineno, PA_COUNT, off, n, NULL};
		const char *word;
		int rc;

		off += n + (nl ? 1 : 0);
		if (n == 0)
			return err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				      "empty line, make the plan again");
		l.v = json_parse(start, n, errbuf, sizeof errbuf);
		if (!l.v)
			return err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				      "%s, make the plan again", errbuf);
		word = json_get_str(l.v, PK_ACTION);
		l.action = plan_action_parse(word);
		if (!YAJL_IS_OBJECT(l.v) || !word)
			rc = err_at(e, ITG_EXIT_USAGE, file, (long)lineno, 0,
				    "not an object with an \"action\", make the plan again");
		else
			rc = check_line(&l, word, want, file, e);
		yajl_tree_free(l.v);
		if (rc != 0)
			return rc;
		l.v = NULL;
		xgrow((void **)&p->lines, &cap, p->n + 1, sizeof *p->lines);
		p->lines[p->n++] = l;
	}
	return 0;
}

/* Takes over what the load keeps of the manifest; the rest is freed. */
static void take_manifest(struct plan *p, struct plan_manifest *m)
{
	p->pipeline = m->pipeline ? m->pipeline : xstrdup("");
	p->product = m->product;
	p->disconnect = m->disconnect;
	p->connect = m->connect;
	p->settings_hash = m->settings_hash;
	p->inventory.present = m->inventory.present;
	p->inventory.lines = m->inventory.lines;
	p->inventory.bytes = m->inventory.bytes;
	p->inventory.crc32 = m->inventory.crc32;
	p->account_id = m->snapshot.account_id;
	p->account_name = m->snapshot.account_name;
	m->snapshot.account_id = m->snapshot.account_name = NULL;
	p->snapshot_time = m->snapshot.finished_at ? m->snapshot.finished_at : xstrdup("");
	p->region = m->snapshot.region ? m->snapshot.region : xstrdup("");
	p->nfiles = m->nfiles;
	p->files = m->files;
	m->pipeline = m->snapshot.finished_at = m->snapshot.region = NULL;
	m->nfiles = 0;
	m->files = NULL;
	plan_manifest_free(m);
}

int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e)
{
	struct plan_manifest man;
	char *path = NULL;
	struct buf b = {0};
	long want_lines = 0, nlines = 0;
	uint64_t want_bytes = 0;
	uint32_t want_crc = 0, crc;
	size_t len;
	int rc = -1;

	memset(p, 0, sizeof *p);
	p->dir = xstrdup(dir);
	if (plan_manifest_read(dir, want, &man, e) != 0)
		goto out;
	want_lines = (long)man.lines;
	want_bytes = man.bytes;
	want_crc = man.crc32;
	take_manifest(p, &man);
	path = fs_join(dir, PLAN_FILE);
	if (fs_read_all(path, &b, 0, e) != 0) {
		e->code = ITG_EXIT_USAGE;
		goto out;
	}
	crc = (uint32_t)crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < b.len;) {
		size_t n = b.len - off;
		crc = (uint32_t)crc32(crc, (const Bytef *)b.p + off, n > (1u << 30) ? (1u << 30) : (uInt)n);
		off += n > (1u << 30) ? (1u << 30) : n;
	}
	for (size_t i = 0; i < b.len; i++)
		if (b.p[i] == '\n' || i + 1 == b.len)
			nlines++;
	if ((uint64_t)b.len != want_bytes || nlines != want_lines || crc != want_crc) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "does not match its manifest (%ld lines, %zu bytes, crc32 %08" PRIx32
		       "; manifest says %ld, %" PRIu64 ", %08" PRIx32 "), make the plan again",
		       nlines, b.len, crc, want_lines, want_bytes, want_crc);
		goto out;
	}
	len = b.len;
	rc = planread_lines(p, buf_detach(&b), len, want, path, e);
out:
	buf_free(&b);
	free(path);
	if (rc != 0)
		planread_free(p);
	return rc;
}

void plan_line_open(const struct plan *p, size_t i, struct plan_line *out)
{
	const struct plan_line *l = &p->lines[i];
	char errbuf[256];

	*out = *l;
	out->v = json_parse(p->text + l->off, l->len, errbuf, sizeof errbuf);
	if (!out->v) {
		/* verified when read: only memory can run out */
		fprintf(stderr, "ERROR cannot parse plan line %ld again: %s\n", l->line, errbuf);
		exit(1);
	}
}

void plan_line_close(struct plan_line *l)
{
	if (l->v)
		yajl_tree_free(l->v);
	l->v = NULL;
}

void planread_free(struct plan *p)
{
	free(p->lines);
	free(p->text);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].name);
	free(p->files);
	free(p->dir);
	free(p->pipeline);
	free(p->snapshot_time);
	free(p->region);
	free(p->account_id);
	free(p->account_name);
	memset(p, 0, sizeof *p);
}
