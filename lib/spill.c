#include "spill.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_MAX (SPILL_MAX_INTS * sizeof(int64_t) + SPILL_MAX_STRS * sizeof(uint32_t))

static size_t head_size(const struct spill *s)
{
	return s->spec.nints * sizeof(int64_t) + s->spec.nstrs * sizeof(uint32_t);
}

static int write_error(struct spill *s, int err, struct itg_err *e)
{
	const char *hint = "";

	if (!err)
		err = EIO;
	if (err == ENOSPC || err == EDQUOT || err == EFBIG)
		hint = ": check free space";
	else if (err == EOVERFLOW)
		hint = ": a string of the record is over 4 GiB";
	if (!e->code)
		err_set(e, ITG_EXIT_RUNTIME, "cannot write %s %s: %s%s", s->spec.what,
			s->path ? s->path : "(closed)", strerror(err), hint);
	return -1;
}

static int read_error(struct spill *s, struct itg_err *e)
{
	if (ferror(s->fp))
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s %s: %s", s->spec.what, s->path,
			       strerror(errno ? errno : EIO));
	return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s %s: truncated", s->spec.what, s->path);
}

/*
 * spec.io_buffer bytes of stdio buffer for the open stream.  setvbuf with
 * a NULL buffer keeps glibc's own size (st_blksize, 4 KiB), so the spill
 * owns the buffer; it outlives the stream and is freed after fclose.
 */
static void set_buffer(struct spill *s)
{
	if (!s->spec.io_buffer)
		return;
	if (!s->iobuf)
		s->iobuf = xmalloc(s->spec.io_buffer);
	setvbuf(s->fp, s->iobuf, _IOFBF, s->spec.io_buffer);
}

int spill_create(struct spill *s, const char *dir, const char *prefix,
		 const struct spill_spec *spec, struct itg_err *e)
{
	char *name = xasprintf("%s/%sXXXXXX", dir, prefix);
	int fd;

	memset(s, 0, sizeof *s);
	s->spec = *spec;
	if (spec->nints > SPILL_MAX_INTS || spec->nstrs > SPILL_MAX_STRS) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create %s %s: %zu integers and %zu strings "
			"a record, at most %d and %d", spec->what, name, spec->nints, spec->nstrs,
			SPILL_MAX_INTS, SPILL_MAX_STRS);
		free(name);
		return -1;
	}
	s->path = xstrdup(name);
	fd = mkstemp(s->path);
	if (fd < 0) {
		/* the message names the pattern: mkstemp may have changed the path */
		err_set(e, ITG_EXIT_RUNTIME, "cannot create %s %s: %s", spec->what, name,
			strerror(errno));
		free(name);
		free(s->path);
		memset(s, 0, sizeof *s);
		return -1;
	}
	free(name);
	if (fchmod(fd, ITG_FILE_MODE) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    !(s->fp = fdopen(fd, "wb"))) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create %s %s: %s", spec->what, s->path,
			strerror(errno));
		close(fd);
		spill_close(s);
		return -1;
	}
	set_buffer(s);
	return 0;
}

int spill_put(struct spill *s, const int64_t *ints, const struct spill_str *strs,
	      struct itg_err *e)
{
	unsigned char head[HEAD_MAX];
	size_t hn = head_size(s), at = 0;

	if (!s->fp || s->reading)
		return write_error(s, EBADF, e);
	for (size_t i = 0; i < s->spec.nints; i++, at += sizeof(int64_t))
		memcpy(head + at, &ints[i], sizeof(int64_t));
	for (size_t i = 0; i < s->spec.nstrs; i++, at += sizeof(uint32_t)) {
		uint32_t len;
		if (strs[i].len > UINT32_MAX)
			return write_error(s, EOVERFLOW, e);
		len = (uint32_t)strs[i].len;
		memcpy(head + at, &len, sizeof len);
	}
	if (fwrite(head, 1, hn, s->fp) != hn)
		return write_error(s, errno, e);
	for (size_t i = 0; i < s->spec.nstrs; i++)
		if (strs[i].len && fwrite(strs[i].p, 1, strs[i].len, s->fp) != strs[i].len)
			return write_error(s, errno, e);
	return 0;
}

int spill_finish(struct spill *s, struct itg_err *e)
{
	int failed, err;

	if (!s->fp || s->reading)
		return 0;
	errno = 0;
	failed = fflush(s->fp) != 0 || ferror(s->fp);
	err = errno;
	if (fclose(s->fp) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	s->fp = NULL;
	free(s->iobuf);
	s->iobuf = NULL;
	return failed ? write_error(s, err, e) : 0;
}

int spill_rewind(struct spill *s, struct itg_err *e)
{
	struct stat st;

	if (!s->path)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: it was closed", s->spec.what);
	if (!s->reading && spill_finish(s, e) != 0)
		return -1;
	if (s->fp) {
		fclose(s->fp);
		s->fp = NULL;
	}
	s->reading = 0;
	s->fp = fopen(s->path, "rbe");
	if (!s->fp || fstat(fileno(s->fp), &st) != 0) {
		int err = errno;
		if (s->fp)
			fclose(s->fp);
		s->fp = NULL;
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s %s: %s", s->spec.what, s->path,
			       strerror(err));
	}
	set_buffer(s);
	s->reading = 1;
	s->left = (uint64_t)st.st_size;
	return 0;
}

/*
 * The file's size, taken when it was opened, bounds every length read: a
 * damaged length is reported as a truncated file before anything is
 * allocated for it.
 */
int spill_next(struct spill *s, int64_t *ints, struct spill_str *strs, struct itg_err *e)
{
	unsigned char head[HEAD_MAX];
	uint32_t lens[SPILL_MAX_STRS];
	size_t hn = head_size(s), at = 0, total = 0;

	if (!s->fp || !s->reading)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s %s: not open for reading",
			       s->spec.what, s->path ? s->path : "(closed)");
	if (s->left == 0)
		return 0;
	if (s->left < hn || fread(head, 1, hn, s->fp) != hn)
		return read_error(s, e);
	s->left -= hn;
	for (size_t i = 0; i < s->spec.nints; i++, at += sizeof(int64_t))
		memcpy(&ints[i], head + at, sizeof(int64_t));
	for (size_t i = 0; i < s->spec.nstrs; i++, at += sizeof(uint32_t)) {
		memcpy(&lens[i], head + at, sizeof lens[i]);
		total += lens[i];
	}
	if (total > s->left)
		return read_error(s, e);
	buf_reset(&s->rec);
	xgrow((void **)&s->rec.p, &s->rec.cap, total + s->spec.nstrs + 1, 1);
	for (size_t i = 0, off = 0; i < s->spec.nstrs; off += lens[i] + 1, i++) {
		if (lens[i] && fread(s->rec.p + off, 1, lens[i], s->fp) != lens[i])
			return read_error(s, e);
		s->rec.p[off + lens[i]] = '\0';
		strs[i].p = s->rec.p + off;
		strs[i].len = lens[i];
	}
	s->rec.len = total + s->spec.nstrs;
	s->left -= total;
	return 1;
}

void spill_close(struct spill *s)
{
	if (!s)
		return;
	if (s->fp)
		fclose(s->fp);
	if (s->path)
		unlink(s->path);
	free(s->path);
	free(s->iobuf);
	buf_free(&s->rec);
	memset(s, 0, sizeof *s);
}
