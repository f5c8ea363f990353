#include "planread.h"
#include "reasons.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

/*
 * Verifies one line (n bytes at start, the file's line lineno at byte off)
 * and appends it to p's index.
 */
static int verify_line(struct plan *p, size_t *cap, const char *start, size_t n, uint64_t off,
		       long lineno, enum product want, const char *file, struct itg_err *e)
{
	char errbuf[256];
	struct plan_line l = {lineno, PA_COUNT, (size_t)off, n, NULL};
	const char *word;
	int rc;

	if (n == 0)
		return err_at(e, ITG_EXIT_USAGE, file, lineno, 0, "empty line, make the plan again");
	l.v = json_parse(start, n, errbuf, sizeof errbuf);
	if (!l.v)
		return err_at(e, ITG_EXIT_USAGE, file, lineno, 0, "%s, make the plan again", errbuf);
	word = json_get_str(l.v, PK_ACTION);
	l.action = plan_action_parse(word);
	if (!YAJL_IS_OBJECT(l.v) || !word)
		rc = err_at(e, ITG_EXIT_USAGE, file, lineno, 0,
			    "not an object with an \"action\", make the plan again");
	else
		rc = check_line(&l, word, want, file, e);
	yajl_tree_free(l.v);
	if (rc != 0)
		return rc;
	if (off + n >= PLAN_IX_OFF)
		return err_at(e, ITG_EXIT_USAGE, file, lineno, 0,
			      "the plan is too large (%" PRIu64 " bytes), make a smaller one",
			      (uint64_t)(off + n));
	xgrow((void **)&p->lines, cap, p->n + 1, sizeof *p->lines);
	p->lines[p->n++] = off | ((uint64_t)l.action << PLAN_IX_SHIFT);
	p->end = off + n + 1;
	return 0;
}

int planread_lines(struct plan *p, char *text, size_t len, enum product want,
		   const char *file, struct itg_err *e)
{
	size_t cap = 0;

	p->text = text;
	p->fd = -1;
	for (size_t off = 0, lineno = 1; off < len; lineno++) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;

		if (verify_line(p, &cap, start, n, off, (long)lineno, want, file, e) != 0)
			return -1;
		off += n + (nl ? 1 : 0);
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

/* The bytes of plan.ndjson read at a time, and the window plan_line_text reads again. */
#define PLAN_CHUNK (1u << 20)

static void file_id(const struct stat *st, struct plan_file_id *id)
{
	id->dev = (unsigned long long)st->st_dev;
	id->ino = (unsigned long long)st->st_ino;
	id->size = (unsigned long long)st->st_size;
	id->mtime_s = (long long)st->st_mtim.tv_sec;
	id->mtime_ns = (long long)st->st_mtim.tv_nsec;
	id->ctime_s = (long long)st->st_ctim.tv_sec;
	id->ctime_ns = (long long)st->st_ctim.tv_nsec;
}

/* What one pass over plan.ndjson found: its figures and its first bad line. */
struct plan_scan {
	uint64_t bytes;
	long lines;
	uint32_t crc;
	int bad;               /* a line failed; the rest is only counted */
	struct itg_err line_err;
	size_t cap;            /* of p->lines */
};

/* The complete lines of buf[0, len) (the file's bytes from base): how many bytes they took. */
static size_t scan_lines(struct plan *p, struct plan_scan *sc, const char *buf, size_t len,
			 uint64_t base, int at_end, enum product want)
{
	size_t off = 0;

	while (off < len) {
		const char *start = buf + off, *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;

		if (!nl && !at_end)
			break;
		sc->lines++;
		if (!sc->bad && verify_line(p, &sc->cap, start, n, base + off, sc->lines, want,
					    p->path, &sc->line_err) != 0)
			sc->bad = 1;
		off += n + (nl ? 1 : 0);
	}
	return off;
}

/*
 * Reads fd to its end in chunks: the CRC-32 and the figures of every byte,
 * and every line verified into p's index.  A line longer than the chunk
 * grows the buffer to hold it.
 */
static int scan_file(struct plan *p, int fd, enum product want, struct plan_scan *sc,
		     struct itg_err *e)
{
	size_t cap = PLAN_CHUNK, have = 0;
	char *buf = xmalloc(cap);
	uint64_t base = 0;
	int rc = 0;

	sc->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	for (;;) {
		ssize_t got;
		size_t used;

		if (have == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", p->path,
				     strerror(errno));
			break;
		}
		sc->crc = (uint32_t)crc32(sc->crc, (const Bytef *)buf + have, (uInt)got);
		sc->bytes += (uint64_t)got;
		have += (size_t)got;
		used = scan_lines(p, sc, buf, have, base, got == 0, want);
		memmove(buf, buf + used, have - used);
		have -= used;
		base += used;
		if (got == 0)
			break;
	}
	free(buf);
	return rc;
}

int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e)
{
	struct plan_manifest man;
	struct plan_scan sc;
	struct stat st;
	long want_lines = 0;
	uint64_t want_bytes = 0;
	uint32_t want_crc = 0;
	int rc = -1;

	memset(p, 0, sizeof *p);
	memset(&sc, 0, sizeof sc);
	p->fd = -1;
	p->dir = xstrdup(dir);
	if (plan_manifest_read(dir, want, &man, e) != 0)
		goto out;
	want_lines = (long)man.lines;
	want_bytes = man.bytes;
	want_crc = man.crc32;
	take_manifest(p, &man);
	p->path = fs_join(dir, PLAN_FILE);
	p->fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		err_set(e, errno == ENOENT ? ITG_EXIT_USAGE : ITG_EXIT_RUNTIME, "cannot read %s: %s",
			p->path, strerror(errno));
		goto out;
	}
	if (fstat(p->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ITG_EXIT_USAGE, "cannot read %s: not a plain file", p->path);
		goto out;
	}
	file_id(&st, &p->id);
	/* the index at its final size at once: a line takes two bytes at least */
	if (want_lines > 0 && (uint64_t)want_lines <= (uint64_t)st.st_size / 2 + 1)
		xgrow((void **)&p->lines, &sc.cap, (size_t)want_lines, sizeof *p->lines);
	if (scan_file(p, p->fd, want, &sc, e) != 0)
		goto out;
	/* the figures first: a plan cut short is that, whatever its last line says */
	if (sc.bytes != want_bytes || sc.lines != want_lines || sc.crc != want_crc) {
		err_at(e, ITG_EXIT_USAGE, p->path, 0, 0,
		       "does not match its manifest (%ld lines, %" PRIu64 " bytes, crc32 %08" PRIx32
		       "; manifest says %ld, %" PRIu64 ", %08" PRIx32 "), make the plan again",
		       sc.lines, sc.bytes, sc.crc, want_lines, want_bytes, want_crc);
		goto out;
	}
	if (sc.bad) {
		*e = sc.line_err;
		goto out;
	}
	p->win = xcalloc(1, sizeof *p->win);
	rc = 0;
out:
	if (rc != 0)
		planread_free(p);
	return rc;
}

int planread_unchanged(const struct plan *p, struct itg_err *e)
{
	struct plan_file_id now;
	struct stat st;

	if (p->fd < 0)
		return 0;
	if (fstat(p->fd, &st) != 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot check %s: %s", p->path, strerror(errno));
	file_id(&st, &now);
	if (memcmp(&now, &p->id, sizeof now) != 0)
		return err_set(e, ITG_EXIT_STALE,
			       "%s was changed while the load read it: refused, nothing was "
			       "changed; make the plan again (pipelines/run, or itg-transform)",
			       p->path);
	return 0;
}

const char *plan_line_text(const struct plan *p, size_t i)
{
	uint64_t off = plan_line_off(p, i);
	size_t len = plan_line_len(p, i);
	struct fs_window *w = p->win;

	if (p->text)
		return p->text + off;
	if (fs_window_at(w, p->fd, off, len, PLAN_CHUNK, ~0ULL) != 0) {
		/* verified when read: only a file changed under the load gets here */
		fprintf(stderr, "ERROR cannot read %s again (%s): it was changed while the load "
				"read it; nothing was changed, make the plan again\n",
			p->path, errno == EIO ? "cut short" : strerror(errno));
		exit(1);
	}
	return w->buf + (off - w->off);
}

void plan_line_ref(const struct plan *p, size_t i, struct plan_line *out)
{
	*out = (struct plan_line){(long)i + 1, plan_action_at(p, i), (size_t)plan_line_off(p, i),
				  plan_line_len(p, i), NULL};
}

void plan_line_open(const struct plan *p, size_t i, struct plan_line *out)
{
	const char *text = plan_line_text(p, i);
	char errbuf[256];

	plan_line_ref(p, i, out);
	out->v = json_parse(text, out->len, errbuf, sizeof errbuf);
	if (!out->v) {
		/* verified when read: only memory can run out, or the file changed */
		fprintf(stderr, "ERROR cannot parse %s:%ld again: %s\n",
			p->path ? p->path : PLAN_FILE, out->line, errbuf);
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
	if (p->path && p->fd >= 0)
		close(p->fd);
	if (p->win)
		fs_window_free(p->win);
	free(p->win);
	free(p->path);
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
