#include "runlog.h"

#include "fsutil.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void runlog_init(struct runlog *l, int verbose)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->err_fd = STDERR_FILENO;
	l->verbose = verbose;
}

int runlog_open(struct runlog *l, const char *path, struct itg_err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", path, strerror(errno));
	l->fd = fd;
	free(l->path);
	l->path = xstrdup(path);
	return 0;
}

/* One whole line into run.log, in one write so lines never interleave. */
static void to_file(struct runlog *l, const char *text, size_t n)
{
	struct buf b = {0};
	char stamp[32];

	if (l->fd < 0)
		return;
	/* the real clock: ITG_FIXED_TIME pins what stages record, not when */
	time_real_now_rfc3339(stamp);
	buf_adds(&b, stamp);
	buf_addc(&b, ' ');
	buf_add(&b, text, n);
	buf_addc(&b, '\n');
	if (fs_write_fd(l->fd, b.p, b.len) != 0 && !l->write_errno)
		l->write_errno = errno ? errno : EIO;
	buf_free(&b);
}

void runlog_say(struct runlog *l, enum log_level level, const char *fmt, ...)
{
	struct buf msg = {0}, line = {0};
	va_list ap;

	if (level == LOG_DEBUG && !l->verbose)
		return;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < msg.len; i++)
		if (msg.p[i] == '\n' || msg.p[i] == '\r')
			msg.p[i] = ' ';
	log_msg(level, "%s", buf_str(&msg));
	buf_addf(&line, "%s %s: %s", level_names[level], RUNNER_NAME, buf_str(&msg));
	to_file(l, line.p, line.len);
	buf_free(&line);
	buf_free(&msg);
}

void runlog_plain(const char *text, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r')
			continue;
		if (c != 0x1b) {
			buf_addc(out, (char)c);
			continue;
		}
		if (i + 1 < n && text[i + 1] == '[') {
			/* CSI: parameter and intermediate bytes up to a final 0x40-0x7e */
			for (i += 2; i < n; i++)
				if ((unsigned char)text[i] >= 0x40 && (unsigned char)text[i] <= 0x7e)
					break;
		} else if (i + 1 < n) {
			i++;
		}
	}
	if (!out->p)
		buf_adds(out, "");
}

/* A line shown on standard error: the text and a newline, in one write. */
static void to_screen(struct runlog *l, const char *before, size_t nb, const char *text,
		      size_t n)
{
	struct buf b = {0};

	buf_add(&b, before, nb);
	buf_add(&b, text, n);
	buf_addc(&b, '\n');
	/* standard error may be gone (a closed terminal): run.log still gets it */
	(void)fs_write_fd(l->err_fd, b.p, b.len);
	buf_free(&b);
}

void runlog_stream_init(struct runlog_stream *s)
{
	memset(s, 0, sizeof *s);
}

static void stream_reset(struct runlog_stream *s)
{
	buf_reset(&s->seg);
	s->in_progress = 0;
	s->shown = 0;
}

static const char clear_line[] = "\r\033[K";

/*
 * The segment is a line.  On the terminal it goes on from what is shown of
 * it, or replaces a progress line shown before it, or simply follows.  A
 * progress segment with no text ("\r\033[K" then a newline, or the "\r" of
 * a "\r\n") is no line: it only clears a progress line shown.
 */
static void stream_line(struct runlog *l, struct runlog_stream *s)
{
	struct buf plain = {0};

	runlog_plain(buf_str(&s->seg), s->seg.len, &plain);
	if (s->in_progress && plain.len == 0) {
		if (l->progress && s->on_screen)
			(void)fs_write_fd(l->err_fd, clear_line, sizeof clear_line - 1);
	} else {
		to_file(l, plain.p, plain.len);
		if (l->progress && s->shown)
			to_screen(l, NULL, 0, s->seg.p + s->shown, s->seg.len - s->shown);
		else if (l->progress && s->on_screen)
			to_screen(l, clear_line, sizeof clear_line - 1, plain.p, plain.len);
		else
			to_screen(l, NULL, 0, plain.p, plain.len);
	}
	s->on_screen = 0;
	buf_free(&plain);
	stream_reset(s);
}

/* Writes what is not yet shown of a progress segment (a lone '\r' waits: it may be a "\r\n"). */
static void stream_show(struct runlog *l, struct runlog_stream *s)
{
	if (!l->progress || !s->in_progress || s->seg.len <= s->shown || s->seg.len < 2)
		return;
	(void)fs_write_fd(l->err_fd, s->seg.p + s->shown, s->seg.len - s->shown);
	s->shown = s->seg.len;
	s->on_screen = 1;
}

/*
 * '\r': a line cut short is kept; a progress segment is shown whole before
 * the next one replaces it, so the terminal gets every progress line the
 * stage wrote, however the bytes were cut into reads.
 */
static void stream_cr(struct runlog *l, struct runlog_stream *s)
{
	if (!s->in_progress && s->seg.len)
		stream_line(l, s);
	stream_show(l, s);
	stream_reset(s);
	buf_addc(&s->seg, '\r');
	s->in_progress = 1;
}

void runlog_stream_feed(struct runlog *l, struct runlog_stream *s, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != '\n' && p[j] != '\r' &&
		       s->seg.len + (j - i) < RUNLOG_MAX_LINE)
			j++;
		buf_add(&s->seg, p + i, j - i);
		if (j == n)
			break;
		if (p[j] == '\n') {
			stream_line(l, s);
			j++;
		} else if (p[j] == '\r') {
			stream_cr(l, s);
			j++;
		} else {
			/* RUNLOG_MAX_LINE reached: a piece of a long line */
			stream_line(l, s);
		}
		i = j;
	}
	/* the terminal shows the progress at once, not at the next newline */
	stream_show(l, s);
}

void runlog_stream_end(struct runlog *l, struct runlog_stream *s)
{
	/* a progress segment at the end was shown by the last feed, or dropped */
	if (s->seg.len && !s->in_progress)
		stream_line(l, s);
	if (l->progress && s->on_screen)
		(void)fs_write_fd(l->err_fd, clear_line, sizeof clear_line - 1);
	buf_free(&s->seg);
	runlog_stream_init(s);
}

int runlog_sync(struct runlog *l, struct itg_err *e)
{
	if (l->fd < 0)
		return 0;
	if (!l->write_errno && fsync(l->fd) != 0 && errno != EINVAL)
		l->write_errno = errno;
	if (l->write_errno)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", l->path,
			       strerror(l->write_errno));
	return 0;
}

void runlog_close(struct runlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
