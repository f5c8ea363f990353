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

int cli_load_api_key(const char *key_file, char **key, struct itg_err *e)
{
	const char *env = getenv("ITGLUE_API_KEY");
	struct stat st;
	struct buf b = {0};
	int fd;

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
	fd = open(key_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s", key_file,
			       strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ITG_EXIT_USAGE, "API key file %s is not a regular file", key_file);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return err_set(e, ITG_EXIT_USAGE,
			       "API key file %s is readable by others (mode %03o): run chmod 600 %s",
			       key_file, (unsigned)(st.st_mode & 0777), key_file);
	}
	for (;;) {
		char chunk[512];
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			int saved = errno;
			close(fd);
			buf_free(&b);
			return err_set(e, ITG_EXIT_USAGE, "cannot read API key file %s: %s",
				       key_file, strerror(saved));
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
		if (b.len > 4096)
			break;
	}
	close(fd);
	*key = buf_detach(&b);
	trim_right(*key);
	if (!**key || strchr(*key, '\n')) {
		cli_forget_key(*key);
		*key = NULL;
		return err_set(e, ITG_EXIT_USAGE, "API key file %s holds no single-line key",
			       key_file);
	}
	return 0;
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
