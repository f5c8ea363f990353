/*
 * fsutil.h - files that are either wholly there or not there at all.
 *
 * Every output of every stage goes through here: written beside its final
 * name, fsynced, renamed into place, and the folder fsynced, so that a crash
 * or a full disk never leaves a half-written file under the final name.
 * Files are created 0600 and folders 0700: they may hold personal data.
 */
#ifndef ITG_FSUTIL_H
#define ITG_FSUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"
#include "xalloc.h"

#define ITG_FILE_MODE 0600
#define ITG_DIR_MODE 0700

/* Creates path and its missing parents with mode. */
int fs_mkdir_p(const char *path, mode_t mode, struct itg_err *e);
int fs_fsync_dir(const char *dir, struct itg_err *e);
/* 1 if path exists (any type), 0 if not. */
int fs_exists(const char *path);
int fs_is_dir(const char *path);
/*
 * Recursively removes path; missing is fine.  Returns 0 or -1.  Never
 * follows a symbolic link: a link (path itself, or anything inside) is
 * removed as a link and what it points at is left alone.
 */
int fs_remove_tree(const char *path);

/* Reads a whole file (at most max_bytes; 0 = no limit) into out. */
int fs_read_all(const char *path, struct buf *out, size_t max_bytes, struct itg_err *e);
/*
 * Up to n bytes of fd from offset off into buf, retrying short reads and
 * EINTR: the bytes read (fewer than n only at the end of the file), or -1
 * with errno set.
 */
long long fs_pread_full(int fd, void *buf, size_t n, unsigned long long off);

/*
 * Bytes of a file kept from an offset, for reading records again through
 * them (the load's plan and change log).  {0} is an empty window.
 */
struct fs_window {
	char *buf;
	size_t cap, len;
	unsigned long long off;   /* the file offset of buf[0] */
};
/*
 * Makes w hold fd's bytes [off, off + need): read again from off, size bytes
 * or need if more, but not past end, unless w holds them already.  0, or -1
 * with errno set (EIO when the file ends before off + need).
 */
int fs_window_at(struct fs_window *w, int fd, unsigned long long off, size_t need, size_t size,
		 unsigned long long end);
void fs_window_free(struct fs_window *w);
/* The same from an open descriptor, which it closes (path names it in errors). */
int fs_read_fd(int fd, const char *path, struct buf *out, size_t max_bytes, struct itg_err *e);
/* Writes all n bytes at fd's offset (again after EINTR or a short write):
 * 0, or -1 with errno set. */
int fs_write_fd(int fd, const void *data, size_t n);
/*
 * Copies up to max bytes (UINT64_MAX: to the end) from in's offset to out's,
 * adding them to *copied: by copy_file_range (the kernel copies, or shares
 * the blocks where the file system can), else through a buffer.  0 at max
 * or at the end of in; with errno set, -1 when writing failed, -2 reading.
 */
int fs_copy_fd(int in, int out, uint64_t max, uint64_t *copied);

/*
 * The product store's own files (docs/contract.md section 10) are plain
 * files, opened without following a symbolic link: a link in place of
 * links.csv or audit.ndjson would make a run read, append to, truncate or
 * create a file anywhere else.  Only the last part of a path is checked, so
 * a store folder that is itself a link (a store mounted elsewhere) is fine.
 */

/*
 * The refusal of a link found in place of a store file: ITG_EXIT_USAGE,
 * "PATH is a symbolic link: the store's files must be plain files (...);
 * replace it with the file itself".  Returns -1.
 */
int fs_link_refused(const char *path, struct itg_err *e);

/* fs_link_refused when path is a symbolic link; 0 otherwise (missing too). */
int fs_refuse_link(const char *path, struct itg_err *e);

/*
 * Opens path with flags (O_RDONLY, or O_WRONLY with O_APPEND, O_CREAT ...)
 * plus O_NOFOLLOW and O_CLOEXEC, and checks with fstat that it is a regular
 * file (a FIFO cannot hang the open: it is opened non-blocking, then
 * refused).  1 with *fd set; 0 when path does not exist and flags hold no
 * O_CREAT (*fd = -1); -1 with e set: a link is fs_link_refused, any other
 * kind of file ITG_EXIT_USAGE too, and the target is never opened.
 */
int fs_open_plain(const char *path, int flags, mode_t mode, int *fd, struct itg_err *e);

/*
 * fs_read_all for a store file: opened as fs_open_plain does, so a link is
 * refused (fs_link_refused) and its target never read.  A missing file is
 * ITG_EXIT_USAGE, as for fs_read_all.
 */
int fs_read_file_nofollow(const char *path, struct buf *out, size_t max_bytes,
			  struct itg_err *e);
/*
 * A store file streamed: opened as fs_read_file_nofollow opens it, then
 * read to its end in chunks handed to take(arg, chunk, n, e), which returns
 * 0 or -1 with e set (the read stops there).  0 once every byte was taken.
 */
int fs_drain_plain(const char *path, int (*take)(void *, const char *, size_t, struct itg_err *),
		   void *arg, struct itg_err *e);

/* Newly allocated strings. */
char *fs_dirname(const char *path);
char *fs_basename(const char *path);
char *fs_join(const char *dir, const char *name);
/* path if absolute, else base_dir/path. */
char *fs_resolve(const char *base_dir, const char *path);

/*
 * A file being written for atomic publication: written to a temporary
 * sibling ".NAME.tmp.XXXXXX" and renamed over NAME by afile_commit.
 */
struct afile {
	FILE *fp;     /* write here */
	char *tmp;
	char *final;
};

int afile_open(struct afile *f, const char *final, mode_t mode, struct itg_err *e);
/* fflush + fsync + fclose, rename, fsync folder.  Frees f's strings either way. */
int afile_commit(struct afile *f, struct itg_err *e);
/* fflush + fsync + fclose without renaming; f->tmp stays for the caller. */
int afile_close_unpublished(struct afile *f, struct itg_err *e);
/* Closes and unlinks the temporary file; safe on a zeroed struct. */
void afile_abort(struct afile *f);

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
		    struct itg_err *e);

/*
 * A folder staged as a temporary sibling ".NAME.tmp.<pid>.XXXXXX" (0700);
 * staged siblings left by killed processes are removed first.
 * fs_stage_dir returns its path (caller frees).  fs_publish_dir fsyncs the
 * staged folder, renames it to final (replacing an existing folder of that
 * name, which is removed), and fsyncs the parent.  A symbolic link at final
 * is replaced as a link: the folder it points at is neither written nor
 * removed.
 */
char *fs_stage_dir(const char *final, struct itg_err *e);
int fs_publish_dir(const char *staged, const char *final, struct itg_err *e);

/*
 * Store-file fingerprint: size and FNV-1a 64 of the bytes; present=0 if
 * missing.  The file is opened as fs_open_plain does: a link is refused.
 */
struct fingerprint {
	int present;
	uint64_t bytes;
	uint64_t hash;
};
int fs_fingerprint(const char *path, struct fingerprint *fp, struct itg_err *e);

#endif
