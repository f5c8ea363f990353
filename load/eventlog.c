/*
 * eventlog.c - the load's events, encoded back to back in one buffer.
 *
 * An event in the log: action, table (name indexes), kind, plan line, nf
 * (unsigned LEB128 varints), key and reason (NUL-terminated, "" for no
 * reason), then nf times: field (name index), old, new (NUL-terminated).
 * The encoding is private to this file and lives only as long as the load:
 * nothing outside reads it.
 */
#include "eventlog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The index of an interned name (action, table or field), interning it if new. */
static size_t name_index(struct eventlog *l, const char *name)
{
	void *v;

	if (!l->name_ix)
		l->name_ix = strmap_new(64);
	v = strmap_get(l->name_ix, name);
	if (v)
		return (size_t)(uintptr_t)v - 1;
	xgrow((void **)&l->names, &l->names_cap, l->nnames + 1, sizeof *l->names);
	l->names[l->nnames] = xstrdup(name);
	strmap_put(l->name_ix, name, (void *)(uintptr_t)(l->nnames + 1));
	return l->nnames++;
}

static void put_varint(struct buf *b, size_t v)
{
	do {
		unsigned char ch = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			ch |= 0x80;
		buf_addc(b, (char)ch);
	} while (v);
}

static size_t get_varint(const char *p, size_t *pos)
{
	size_t v = 0;
	unsigned shift = 0;
	unsigned char ch;

	do {
		ch = (unsigned char)p[(*pos)++];
		v |= (size_t)(ch & 0x7f) << shift;
		shift += 7;
	} while (ch & 0x80);
	return v;
}

static void put_str(struct buf *b, const char *s)
{
	buf_add(b, s ? s : "", strlen(s ? s : "") + 1);
}

static const char *get_str(const char *p, size_t *pos)
{
	const char *s = p + *pos;

	*pos += strlen(s) + 1;
	return s;
}

void eventlog_begin(struct eventlog *l, const char *action, const char *table,
		    const char *key, const char *reason, enum event_kind kind, long plan_line)
{
	l->cur.open = 1;
	l->cur.action = action;
	l->cur.table = table;
	l->cur.reason = reason;
	l->cur.kind = kind;
	l->cur.plan_line = plan_line;
	buf_reset(&l->cur.key);
	buf_adds(&l->cur.key, key ? key : "");
	l->cur.nf = 0;
	buf_reset(&l->cur.fields);
}

void eventlog_set_key(struct eventlog *l, const char *key)
{
	buf_reset(&l->cur.key);
	buf_adds(&l->cur.key, key ? key : "");
}

void eventlog_add(struct eventlog *l, const char *field, const char *old, const char *new)
{
	put_varint(&l->cur.fields, name_index(l, field));
	put_str(&l->cur.fields, old);
	put_str(&l->cur.fields, new);
	l->cur.nf++;
}

int eventlog_is_open(const struct eventlog *l)
{
	return l->cur.open;
}

size_t eventlog_open_fields(const struct eventlog *l)
{
	return l->cur.open ? l->cur.nf : 0;
}

int eventlog_end(struct eventlog *l)
{
	int kept = l->cur.open && l->cur.nf > 0;

	if (kept) {
		put_varint(&l->log, name_index(l, l->cur.action));
		put_varint(&l->log, name_index(l, l->cur.table));
		put_varint(&l->log, (size_t)l->cur.kind);
		put_varint(&l->log, (size_t)l->cur.plan_line);
		put_varint(&l->log, l->cur.nf);
		put_str(&l->log, buf_str(&l->cur.key));
		put_str(&l->log, l->cur.reason);
		buf_add(&l->log, l->cur.fields.p, l->cur.fields.len);
		l->nev++;
		l->nfields += l->cur.nf;
	}
	l->cur.open = 0;
	l->cur.action = l->cur.table = l->cur.reason = NULL;
	return kept;
}

int eventlog_next(const struct eventlog *l, size_t *pos, struct load_event *ev)
{
	const char *p = l->log.p;
	const char *reason;

	if (!p || *pos >= l->log.len)
		return 0;
	ev->action = l->names[get_varint(p, pos)];
	ev->table = l->names[get_varint(p, pos)];
	ev->kind = (enum event_kind)get_varint(p, pos);
	ev->plan_line = (long)get_varint(p, pos);
	ev->nf = get_varint(p, pos);
	ev->key = get_str(p, pos);
	reason = get_str(p, pos);
	ev->reason = *reason ? reason : NULL;
	if (ev->nf > ev->fcap)
		xgrow((void **)&ev->f, &ev->fcap, ev->nf, sizeof *ev->f);
	for (size_t i = 0; i < ev->nf; i++) {
		ev->f[i].field = l->names[get_varint(p, pos)];
		ev->f[i].old = get_str(p, pos);
		ev->f[i].new = get_str(p, pos);
	}
	return 1;
}

void load_event_free(struct load_event *ev)
{
	free(ev->f);
	memset(ev, 0, sizeof *ev);
}

void eventlog_free(struct eventlog *l)
{
	buf_free(&l->log);
	for (size_t i = 0; i < l->nnames; i++)
		free(l->names[i]);
	free(l->names);
	if (l->name_ix)
		strmap_free(l->name_ix, NULL);
	buf_free(&l->cur.key);
	buf_free(&l->cur.fields);
	memset(l, 0, sizeof *l);
}
