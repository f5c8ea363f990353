#include "runlog.h"
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

/* Writes all of it, through short writes and signals; -1 with errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
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
	if (write_all(l->fd, b.p, b.len) != 0 && !l->write_errno)
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

void runlog_stage_line(struct runlog *l, const char *text, size_t n)
{
	struct buf b = {0};

	buf_add(&b, text, n);
	buf_addc(&b, '\n');
	/* standard error may be gone (a closed terminal): run.log still gets it */
	(void)write_all(STDERR_FILENO, b.p, b.len);
	buf_free(&b);
	to_file(l, text, n);
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
