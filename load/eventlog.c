/*
 * eventlog.c - the load's events, encoded back to back in one buffer.
 *
 * An event in the log: action, table (name indexes), kind, plan line, nf
 * (unsigned LEB128 varints), key and reason (NUL-terminated, "" for no
 * reason), then nf times: field (name index), old, new (NUL-terminated).
 * Each event is preceded by the length of its encoding (a varint), so that
 * a reader of the file knows how many bytes to fetch.  The encoding is
 * private to this file and lives only as long as the load: nothing outside
 * reads it.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include "eventlog.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Events are moved to the file this many bytes at a time, and read back a window this big. */
#define EVENTLOG_FLUSH (1u << 20)
#define EVENTLOG_WINDOW (1u << 20)

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

static size_t varint_len(size_t v)
{
	size_t n = 1;

	while (v >>= 7)
		n++;
	return n;
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

int eventlog_spill_to(struct eventlog *l, const char *dir)
{
	int fd;

	if (l->fd_open || !dir)
		return l->fd_open;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	l->fd = fd;
	l->fd_open = l->spill = 1;
	return 1;
}

/* Moves the events in memory to the file; on a failed write they stay, and so do later ones. */
static void flush(struct eventlog *l)
{
	size_t done = 0;

	while (done < l->log.len) {
		ssize_t n = pwrite(l->fd, l->log.p + done, l->log.len - done,
				   (off_t)(l->flushed + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			l->spill = 0;
			return;
		}
		done += (size_t)n;
	}
	l->flushed += l->log.len;
	buf_reset(&l->log);
}

int eventlog_end(struct eventlog *l)
{
	int kept = l->cur.open && l->cur.nf > 0;

	if (kept) {
		size_t action = name_index(l, l->cur.action), table = name_index(l, l->cur.table);
		const char *key = buf_str(&l->cur.key), *reason = l->cur.reason ? l->cur.reason : "";
		size_t len = varint_len(action) + varint_len(table) +
			     varint_len((size_t)l->cur.kind) + varint_len((size_t)l->cur.plan_line) +
			     varint_len(l->cur.nf) + strlen(key) + 1 + strlen(reason) + 1 +
			     l->cur.fields.len;

		put_varint(&l->log, len);
		put_varint(&l->log, action);
		put_varint(&l->log, table);
		put_varint(&l->log, (size_t)l->cur.kind);
		put_varint(&l->log, (size_t)l->cur.plan_line);
		put_varint(&l->log, l->cur.nf);
		put_str(&l->log, key);
		put_str(&l->log, reason);
		buf_add(&l->log, l->cur.fields.p, l->cur.fields.len);
		l->nev++;
		l->nfields += l->cur.nf;
		if (l->spill && l->log.len >= EVENTLOG_FLUSH)
			flush(l);
	}
	l->cur.open = 0;
	l->cur.action = l->cur.table = l->cur.reason = NULL;
	return kept;
}

/* Makes ev's window hold the file's bytes [off, off + need): 0, or -1 (errno set). */
static int window_get(const struct eventlog *l, struct load_event *ev, size_t off, size_t need)
{
	return fs_window_at(&ev->win, l->fd, off, need, EVENTLOG_WINDOW, l->flushed);
}

int eventlog_next(const struct eventlog *l, size_t *pos, struct load_event *ev)
{
	const char *p, *reason;
	size_t len, i = 0;

	if (*pos >= l->flushed + l->log.len)
		return 0;
	if (*pos < l->flushed) {
		size_t head = l->flushed - *pos < 10 ? (size_t)(l->flushed - *pos) : 10;

		if (window_get(l, ev, *pos, head) != 0)
			return -1;
		len = get_varint(ev->win.buf + (*pos - ev->win.off), &i);
		if (window_get(l, ev, *pos, i + len) != 0)
			return -1;
		p = ev->win.buf + (*pos - ev->win.off);
	} else {
		p = l->log.p + (*pos - l->flushed);
		len = get_varint(p, &i);
	}
	*pos += i + len;
	ev->action = l->names[get_varint(p, &i)];
	ev->table = l->names[get_varint(p, &i)];
	ev->kind = (enum event_kind)get_varint(p, &i);
	ev->plan_line = (long)get_varint(p, &i);
	ev->nf = get_varint(p, &i);
	ev->key = get_str(p, &i);
	reason = get_str(p, &i);
	ev->reason = *reason ? reason : NULL;
	if (ev->nf > ev->fcap)
		xgrow((void **)&ev->f, &ev->fcap, ev->nf, sizeof *ev->f);
	for (size_t k = 0; k < ev->nf; k++) {
		ev->f[k].field = l->names[get_varint(p, &i)];
		ev->f[k].old = get_str(p, &i);
		ev->f[k].new = get_str(p, &i);
	}
	return 1;
}

void load_event_free(struct load_event *ev)
{
	free(ev->f);
	fs_window_free(&ev->win);
	memset(ev, 0, sizeof *ev);
}

void eventlog_free(struct eventlog *l)
{
	buf_free(&l->log);
	if (l->fd_open)
		close(l->fd);
	for (size_t i = 0; i < l->nnames; i++)
		free(l->names[i]);
	free(l->names);
	if (l->name_ix)
		strmap_free(l->name_ix, NULL);
	buf_free(&l->cur.key);
	buf_free(&l->cur.fields);
	memset(l, 0, sizeof *l);
}
