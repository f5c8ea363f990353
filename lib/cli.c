#include "cli.h"
#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void trim_right(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a plain file";
}

static int refuse_kind(struct itg_err *e, const char *path, mode_t mode)
{
	if (S_ISLNK(mode))
		return err_set(e, ITG_EXIT_USAGE,
			       "API key file %s is a symbolic link: name the file itself, not a "
			       "link to it",
			       path);
	return err_set(e, ITG_EXIT_USAGE,
		       "API key file %s is %s, not a regular file: put the key in a plain file, "
		       "mode 600",
		       path, file_kind(mode));
}

/*
 * Opens a key file without ever blocking or following a link: O_NOFOLLOW
 * refuses a symbolic link (ELOOP; lstat tells it from a loop further up),
 * O_NONBLOCK makes a FIFO open at once instead of waiting for a writer
 * forever (holding the pipeline's lock), and fstat then refuses whatever
 * is not a regular file before a byte is read.  A file is not even opened
 * when lstat already shows it is not a regular one (a device's open may
 * act).  Returns the descriptor, blocking again, or -1 with e set.
 */
static int open_key_file(const char *path, struct itg_err *e)
{
	struct stat st;
	int fd, flags;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return refuse_kind(e, path, st.st_mode);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		if (saved == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return refuse_kind(e, path, st.st_mode);
		return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s", path,
			       strerror(saved));
	}
	if (fstat(fd, &st) != 0) {
		int saved = errno;
		close(fd);
		return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s", path,
			       strerror(saved));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return refuse_kind(e, path, st.st_mode);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return err_set(e, ITG_EXIT_USAGE,
			       "API key file %s is readable by others (mode %03o): run chmod 600 %s",
			       path, (unsigned)(st.st_mode & 0777), path);
	}
	if (st.st_size > CLI_KEY_FILE_MAX) {
		close(fd);
		return err_set(e, ITG_EXIT_USAGE,
			       "API key file %s holds %lld bytes, more than a key (at most %d): "
			       "name the file that holds only the key",
			       path, (long long)st.st_size, CLI_KEY_FILE_MAX);
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int saved = errno;
		close(fd);
		return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s", path,
			       strerror(saved));
	}
	return fd;
}

int cli_read_key_file(const char *key_file, char **key, struct itg_err *e)
{
	char chunk[512];
	struct buf b = {0};
	int fd;

	*key = NULL;
	fd = open_key_file(key_file, e);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			if (b.p)
				memset(b.p, 0, b.len);
			buf_free(&b);
			return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s",
				       key_file, strerror(saved));
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
		/* the file grew after fstat: never more than a key's worth */
		if (b.len > CLI_KEY_FILE_MAX)
			break;
	}
	close(fd);
	for (volatile char *p = chunk; p < chunk + sizeof chunk; p++)
		*p = '\0';
	*key = buf_detach(&b);
	trim_right(*key);
	if (!**key || strchr(*key, '\n') || strlen(*key) > CLI_KEY_FILE_MAX) {
		cli_forget_key(*key);
		*key = NULL;
		return err_set(e, ITG_EXIT_USAGE, "API key file %s holds no single-line key: put the key "
			       "alone on one line (a new one is made under Account > Settings > "
			       "API Keys)",
			       key_file);
	}
	return 0;
}

int cli_load_api_key(const char *key_file, char **key, struct itg_err *e)
{
	const char *env = getenv("ITGLUE_API_KEY");

	*key = NULL;
	if (env && *env) {
		*key = xstrdup(env);
		trim_right(*key);
		return 0;
	}
	if (!key_file)
		return err_set(e, ITG_EXIT_USAGE,
			       "no IT Glue API key: set ITGLUE_API_KEY or give a key file "
			       "(--api-key-file or itglue.api_key_file)");
	return cli_read_key_file(key_file, key, e);
}

void cli_forget_key(char *key)
{
	if (!key)
		return;
	/* volatile so the wipe is not optimised away */
	for (volatile char *p = key; *p; p++)
		*p = '\0';
	free(key);
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}
