#include "budget.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define POLL_MS_DEFAULT 250

/* The same hosts as extract/options.c extract_region_url. */
static const char *region_host(const char *region)
{
	if (!region || !*region || strcmp(region, "us") == 0)
		return "api.itglue.com";
	if (strcmp(region, "eu") == 0)
		return "api.eu.itglue.com";
	if (strcmp(region, "au") == 0)
		return "api.au.itglue.com";
	return NULL;
}

char *budget_host(const char *region, const char *base_url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (!base_url || !*base_url) {
		const char *known = region_host(region);

		return xstrdup(known ? known : region);
	}
	u = curl_url();
	if (u && curl_url_set(u, CURLUPART_URL, base_url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host) {
		int own = 0;

		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
		if (scheme && port)
			own = (strcasecmp(scheme, "https") == 0 && strcmp(port, "443") == 0) ||
			      (strcasecmp(scheme, "http") == 0 && strcmp(port, "80") == 0);
		for (char *c = host; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		out = port && !own ? xasprintf("%s:%s", host, port) : xstrdup(host);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out ? out : xstrdup(base_url);
}

char *budget_lock_name(const char *host)
{
	char *name = xasprintf(".itglue-%s.lock", host);
	size_t first = strlen(".itglue-"), last = strlen(name) - strlen(".lock");

	for (size_t i = first; i < last; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)name[i]);

		name[i] = (char)((isalnum(c) && c < 0x80) || c == '.' || c == '-' ? c : '_');
	}
	return name;
}

int budget_wait_limit(long *seconds, struct itg_err *e)
{
	const char *v = getenv(BUDGET_WAIT_VAR);
	char *end;
	long n;

	*seconds = BUDGET_WAIT_DEFAULT;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n > BUDGET_WAIT_MAX || !isdigit((unsigned char)*v))
		return err_set(e, ITG_EXIT_USAGE,
			       "%s=%s is not a number of seconds: give a whole number from 0 to %ld "
			       "(how long a run waits for another pipeline's extract)",
			       BUDGET_WAIT_VAR, v, BUDGET_WAIT_MAX);
	*seconds = n;
	return 0;
}

void budget_duration(long s, char out[32])
{
	if (s >= 3600 && s % 3600 == 0)
		snprintf(out, 32, "%ld h", s / 3600);
	else if (s >= 3600)
		snprintf(out, 32, "%ld h %ld min", s / 3600, s % 3600 / 60);
	else if (s >= 60 && s % 60 == 0)
		snprintf(out, 32, "%ld min", s / 60);
	else if (s >= 60)
		snprintf(out, 32, "%ld min %ld s", s / 60, s % 60);
	else
		snprintf(out, 32, "%ld s", s);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Opens the lock file: made 0600 when missing, never a link, a regular file. */
static int open_lock(const char *path, int *fd, struct itg_err *e)
{
	struct stat st;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (*fd < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot open the IT Glue extract lock %s: %s%s",
			       path, strerror(errno),
			       errno == ELOOP ? " (it is a symbolic link: remove it)" : "");
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return err_set(e, ITG_EXIT_RUNTIME,
			       "the IT Glue extract lock %s is not a regular file: remove it", path);
	}
	return 0;
}

/*
 * Polls rather than blocks in flock(2): a signal must end the wait at once
 * (stop), and the limit needs no alarm.  One run waiting at a time is the
 * common case, so the lost fairness of a queue costs nothing.
 */
int budget_lock_take(const char *path, const char *host, struct budget_wait *w, int *fd,
		     struct itg_err *e)
{
	long poll_ms = w->poll_ms > 0 ? w->poll_ms : POLL_MS_DEFAULT;
	struct timespec tick = {poll_ms / 1000, (poll_ms % 1000) * 1000000L};
	double start = now_seconds();
	int told = 0;

	w->waited = 0;
	if (open_lock(path, fd, e) != 0)
		return -1;
	for (;;) {
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int saved = errno;

			close(*fd);
			*fd = -1;
			return err_set(e, ITG_EXIT_RUNTIME, "cannot lock %s: %s", path,
				       strerror(saved));
		}
		w->waited = now_seconds() - start;
		if ((w->stop && w->stop()) || w->waited >= (double)w->max_wait) {
			char limit[32];
			int stopped = w->stop && w->stop();

			close(*fd);
			*fd = -1;
			if (stopped)
				return 1;
			budget_duration(w->max_wait, limit);
			return err_set(e, ITG_EXIT_STALE,
				       "another pipeline's extract from %s still holds %s after %s: this "
				       "run gave up before fetching anything, nothing was changed; look "
				       "for a stuck run (ps, the run.log of the other pipeline under the "
				       "same out folder), or schedule the pipelines further apart "
				       "(IT Glue's rate budget is per account)",
				       host, path, limit);
		}
		if (!told && w->waiting) {
			w->waiting(w->arg);
			told = 1;
		}
		nanosleep(&tick, NULL);
	}
}
