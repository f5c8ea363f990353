#define _GNU_SOURCE /* copy_file_range */
#include "fsutil.h"
#include "hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdir_p(const char *path, mode_t mode, struct itg_err *e)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				rc = err_set(e, ITG_EXIT_RUNTIME, "cannot create folder %s: %s", p,
					     strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	if (rc == 0 && !fs_is_dir(path))
		rc = err_set(e, ITG_EXIT_RUNTIME, "%s exists and is not a folder", path);
	free(p);
	return rc;
}

int fs_fsync_dir(const char *dir, struct itg_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open folder %s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int saved = errno;
		close(fd);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot sync folder %s: %s", dir, strerror(saved));
	}
	close(fd);
	return 0;
}

int fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * One entry of the folder dirfd, by name, never through a link: fstatat
 * without following, and a folder opened O_NOFOLLOW and walked by its
 * descriptor, so a link put in place of a folder (even between the fstatat
 * and the open) cannot lead the removal into the tree it points at.
 */
static int remove_at(int at, const char *name)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_at(dirfd(d), de->d_name) != 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int fs_remove_tree(const char *path)
{
	/* "link/" would name the folder behind the link: drop trailing slashes */
	char *p = xstrdup(path);
	size_t n = strlen(p);
	int rc;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	rc = remove_at(AT_FDCWD, p);
	free(p);
	return rc;
}

/*
 * Reads fd to its end, handing each chunk to take(arg, chunk, n), which
 * returns 0 or -1 with e set; closes fd either way.  The one read loop of
 * the library: whole files, fingerprints and store state all go through it.
 */
static int drain_fd(int fd, const char *path, int (*take)(void *, const char *, size_t,
							   struct itg_err *),
		    void *arg, struct itg_err *e)
{
	char chunk[65536];
	int rc = 0;

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path,
				     strerror(errno));
			break;
		}
		if (n == 0 || (rc = take(arg, chunk, (size_t)n, e)) != 0)
			break;
	}
	close(fd);
	return rc;
}

struct into_buf {
	struct buf *out;
	const char *path;
	size_t max_bytes;
};

static int take_into_buf(void *arg, const char *chunk, size_t n, struct itg_err *e)
{
	struct into_buf *a = arg;

	if (a->max_bytes && a->out->len + n > a->max_bytes)
		return err_set(e, ITG_EXIT_USAGE, "%s: larger than %zu bytes", a->path,
			       a->max_bytes);
	buf_add(a->out, chunk, n);
	return 0;
}

int fs_window_at(struct fs_window *w, int fd, unsigned long long off, size_t need, size_t size,
		 unsigned long long end)
{
	size_t want = need > size ? need : size;
	long long got;

	if (w->buf && off >= w->off && off + need <= w->off + w->len)
		return 0;
	if (end > off && want > end - off)
		want = need > end - off ? need : (size_t)(end - off);
	if (w->cap < want) {
		free(w->buf);
		w->buf = xmalloc(want);
		w->cap = want;
	}
	w->off = off;
	got = fs_pread_full(fd, w->buf, want, off);
	w->len = got > 0 ? (size_t)got : 0;
	if (got < 0)
		return -1;
	if (w->len < need) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void fs_window_free(struct fs_window *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

long long fs_pread_full(int fd, void *buf, size_t n, unsigned long long off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (long long)done;
}

int fs_read_fd(int fd, const char *path, struct buf *out, size_t max_bytes, struct itg_err *e)
{
	struct into_buf a = {out, path, max_bytes};
	struct stat st;

	/* a regular file's size is known: one allocation of that size, grown
	 * the usual way only if the file grows while it is read */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (!max_bytes || (uintmax_t)st.st_size <= max_bytes) &&
	    (uintmax_t)st.st_size < SIZE_MAX / 2)
		buf_reserve_exact(out, (size_t)st.st_size);
	buf_add(out, "", 0);
	return drain_fd(fd, path, take_into_buf, &a, e);
}

int fs_read_all(const char *path, struct buf *out, size_t max_bytes, struct itg_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno == ENOENT ? ITG_EXIT_USAGE : ITG_EXIT_RUNTIME,
			       "cannot read %s: %s", path, strerror(errno));
	return fs_read_fd(fd, path, out, max_bytes, e);
}

int fs_link_refused(const char *path, struct itg_err *e)
{
	return err_set(e, ITG_EXIT_USAGE,
		       "%s is a symbolic link: the store's files must be plain files (a link "
		       "could make the load write somewhere else); replace it with the file itself",
		       path);
}

int fs_refuse_link(const char *path, struct itg_err *e)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return fs_link_refused(path, e);
	return 0;
}

static int not_plain(const char *path, struct itg_err *e)
{
	return err_set(e, ITG_EXIT_USAGE,
		       "%s is not a plain file: the store's files must be plain files; put the "
		       "file itself there", path);
}

int fs_open_plain(const char *path, int flags, mode_t mode, int *fd, struct itg_err *e)
{
	struct stat st;
	int saved;

	*fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	if (*fd < 0) {
		saved = errno;
		if (saved == ENOENT && !(flags & O_CREAT))
			return 0;
		/* ELOOP: the link itself; ENXIO: a FIFO nobody reads (a write open) */
		if (saved == ELOOP)
			return fs_link_refused(path, e);
		if (saved == ENXIO || saved == EISDIR)
			return not_plain(path, e);
		return err_set(e, saved == ENOENT ? ITG_EXIT_USAGE : ITG_EXIT_RUNTIME,
			       "cannot open %s: %s", path, strerror(saved));
	}
	if (fstat(*fd, &st) != 0) {
		saved = errno;
		close(*fd);
		*fd = -1;
		return err_set(e, ITG_EXIT_RUNTIME, "cannot stat %s: %s", path, strerror(saved));
	}
	if (!S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return not_plain(path, e);
	}
	/* a regular file ignores O_NONBLOCK; clear it all the same */
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
	return 1;
}

/* A store file opened for reading as fs_open_plain opens it; missing is an error here. */
static int open_store_file(const char *path, int *fd, struct itg_err *e)
{
	int rc = fs_open_plain(path, O_RDONLY, 0, fd, e);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, ITG_EXIT_USAGE, "cannot read %s: %s", path, strerror(ENOENT));
	return 0;
}

int fs_drain_plain(const char *path, int (*take)(void *, const char *, size_t, struct itg_err *),
		   void *arg, struct itg_err *e)
{
	int fd;

	if (open_store_file(path, &fd, e) != 0)
		return -1;
	return drain_fd(fd, path, take, arg, e);
}

int fs_read_file_nofollow(const char *path, struct buf *out, size_t max_bytes,
			  struct itg_err *e)
{
	int fd;

	if (open_store_file(path, &fd, e) != 0)
		return -1;
	return fs_read_fd(fd, path, out, max_bytes, e);
}

char *fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *fs_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return xstrdup(slash ? slash + 1 : path);
}

char *fs_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

char *fs_resolve(const char *base_dir, const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/' || !base_dir || !*base_dir || strcmp(base_dir, ".") == 0)
		return xstrdup(*path ? path : ".");
	return fs_join(base_dir, *path ? path : ".");
}

static char *temp_sibling(const char *final)
{
	char *dir = fs_dirname(final), *base = fs_basename(final);
	char *tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, base);

	free(dir);
	free(base);
	return tmp;
}

int afile_open(struct afile *f, const char *final, mode_t mode, struct itg_err *e)
{
	int fd;

	memset(f, 0, sizeof *f);
	f->final = xstrdup(final);
	f->tmp = temp_sibling(final);
	fd = mkstemp(f->tmp);
	if (fd < 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create a file beside %s: %s", final,
			strerror(errno));
		free(f->tmp);
		free(f->final);
		memset(f, 0, sizeof *f);
		return -1;
	}
	fchmod(fd, mode);
	f->fp = fdopen(fd, "wb");
	if (!f->fp) {
		close(fd);
		unlink(f->tmp);
		free(f->tmp);
		free(f->final);
		memset(f, 0, sizeof *f);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: %s", final, strerror(errno));
	}
	return 0;
}

int afile_close_unpublished(struct afile *f, struct itg_err *e)
{
	int bad = 0, saved = 0;

	if (fflush(f->fp) != 0 || ferror(f->fp)) {
		bad = 1;
		saved = errno;
	} else if (fsync(fileno(f->fp)) != 0) {
		bad = 1;
		saved = errno;
	}
	if (fclose(f->fp) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	f->fp = NULL;
	if (bad) {
		unlink(f->tmp);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", f->final,
			       strerror(saved ? saved : EIO));
	}
	return 0;
}

int afile_commit(struct afile *f, struct itg_err *e)
{
	int rc = afile_close_unpublished(f, e);
	char *dir;

	if (rc == 0 && rename(f->tmp, f->final) != 0) {
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot rename into %s: %s", f->final,
			     strerror(errno));
		unlink(f->tmp);
	}
	if (rc == 0) {
		dir = fs_dirname(f->final);
		rc = fs_fsync_dir(dir, e);
		free(dir);
	}
	free(f->tmp);
	free(f->final);
	memset(f, 0, sizeof *f);
	return rc;
}

void afile_abort(struct afile *f)
{
	if (f->fp)
		fclose(f->fp);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->final);
	memset(f, 0, sizeof *f);
}

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
		    struct itg_err *e)
{
	struct afile f;

	if (afile_open(&f, path, mode, e) != 0)
		return -1;
	if (n && fwrite(data, 1, n, f.fp) != n) {
		int saved = errno;
		afile_abort(&f);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", path, strerror(saved));
	}
	return afile_commit(&f, e);
}

/*
 * A staged folder is named ".NAME.tmp.<pid>.XXXXXX".  A run killed with
 * SIGKILL cannot remove its own, so the next run of any stage writing to the
 * same NAME removes those whose process is gone (they may hold personal data).
 * Folders of a process that is still running are left alone.
 */
static void sweep_stale_stages(const char *parent, const char *base)
{
	char *prefix = xasprintf(".%s.tmp.", base);
	size_t plen = strlen(prefix);
	DIR *d = opendir(parent);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *end, *path;
		long pid;
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '.' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = fs_join(parent, de->d_name);
		if (fs_is_dir(path))
			fs_remove_tree(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
}

char *fs_stage_dir(const char *final, struct itg_err *e)
{
	char *parent = fs_dirname(final);
	char *base = fs_basename(final);
	char *tmp = xasprintf("%s/.%s.tmp.%ld.XXXXXX", parent, base, (long)getpid());

	if (fs_mkdir_p(parent, ITG_DIR_MODE, e) != 0) {
		free(parent);
		free(base);
		free(tmp);
		return NULL;
	}
	sweep_stale_stages(parent, base);
	free(parent);
	free(base);
	if (!mkdtemp(tmp)) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot create a folder beside %s: %s", final,
			strerror(errno));
		free(tmp);
		return NULL;
	}
	chmod(tmp, ITG_DIR_MODE);
	return tmp;
}

int fs_publish_dir(const char *staged, const char *final, struct itg_err *e)
{
	char *parent = fs_dirname(final);
	char *old = NULL;
	int rc = 0;

	if (fs_fsync_dir(staged, e) != 0) {
		free(parent);
		return -1;
	}
	if (fs_exists(final)) {
		/* move the previous output aside first: rename() cannot replace a
		 * non-empty folder */
		old = xasprintf("%s.old.%ld", staged, (long)getpid());
		if (rename(final, old) != 0) {
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot replace %s: %s", final,
				     strerror(errno));
			goto out;
		}
	}
	if (rename(staged, final) != 0) {
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot rename into %s: %s", final,
			     strerror(errno));
		if (old)
			rename(old, final);
		goto out;
	}
	rc = fs_fsync_dir(parent, e);
	if (old)
		fs_remove_tree(old);
out:
	free(old);
	free(parent);
	return rc;
}

struct fingerprint_state {
	struct hash_fnv1a64_state h;
	uint64_t bytes;
};

static int take_into_hash(void *arg, const char *chunk, size_t n, struct itg_err *e)
{
	struct fingerprint_state *a = arg;

	(void)e;
	hash_fnv1a64_update(&a->h, chunk, n);
	a->bytes += (uint64_t)n;
	return 0;
}

int fs_fingerprint(const char *path, struct fingerprint *fp, struct itg_err *e)
{
	struct fingerprint_state a = {0};
	int fd, rc;

	memset(fp, 0, sizeof *fp);
	hash_fnv1a64_init(&a.h);
	rc = fs_open_plain(path, O_RDONLY, 0, &fd, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		fp->present = 1;
		if (drain_fd(fd, path, take_into_hash, &a, e) != 0)
			return -1;
	}
	fp->bytes = a.bytes;
	fp->hash = hash_fnv1a64_final(&a.h);
	return 0;
}

int fs_write_fd(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int fs_copy_fd(int in, int out, uint64_t max, uint64_t *copied)
{
	const uint64_t start = *copied;
	char chunk[65536];

	while (*copied - start < max) {
		uint64_t left = max - (*copied - start);
		ssize_t k = copy_file_range(in, NULL, out, NULL,
					    (size_t)(left < (1u << 30) ? left : (1u << 30)), 0);
		if (k > 0) {
			*copied += (uint64_t)k;
			continue;
		}
		if (k == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
		break;   /* not here: the plain way, from where it stopped */
	}
	while (*copied - start < max) {
		uint64_t left = max - (*copied - start);
		ssize_t k = read(in, chunk, left < sizeof chunk ? (size_t)left : sizeof chunk);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -2 : 0;
		if (fs_write_fd(out, chunk, (size_t)k) != 0)
			return -1;
		*copied += (uint64_t)k;
	}
	return 0;
}
