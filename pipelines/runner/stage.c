#include "stage.h"
#include "cli.h"
#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define KEY_VAR "ITGLUE_API_KEY"
#define RUN_ID_VAR "ITG_RUN_ID"
#define CREDENTIAL_NAME "itglue-api-key"

const char *const stage_programs[STAGE_COUNT] = {"itg-extract", "itg-transform", "itg-load"};

/* --- finding the programs ------------------------------------------------ */

static int executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* All three from one folder; a missing one is an error naming it. */
static int programs_in(const char *dir, char *paths[STAGE_COUNT], struct itg_err *e)
{
	for (int i = 0; i < STAGE_COUNT; i++) {
		paths[i] = fs_join(dir, stage_programs[i]);
		if (!executable(paths[i]))
			return err_set(e, ITG_EXIT_RUNTIME,
				       "cannot find %s (build with make, or set ITG_BIN)", paths[i]);
	}
	return 0;
}

static char *on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = xstrdup(path);
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *candidate = fs_join(*dir ? dir : ".", prog);

		if (executable(candidate))
			found = candidate;
		else
			free(candidate);
	}
	free(copy);
	return found;
}

int stage_find_programs(char *paths[STAGE_COUNT], struct itg_err *e)
{
	const char *bin = getenv("ITG_BIN");
	char exe[PATH_MAX], *dir, *real;
	ssize_t n;
	int rc;

	for (int i = 0; i < STAGE_COUNT; i++)
		paths[i] = NULL;
	if (bin && *bin) {
		real = realpath(bin, NULL);
		if (!real || !fs_is_dir(real)) {
			free(real);
			return err_set(e, ITG_EXIT_USAGE, "ITG_BIN=%s is not a folder", bin);
		}
		rc = programs_in(real, paths, e);
		free(real);
		return rc;
	}
	/* installed or built, the stages sit beside itg-run */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *first;

		exe[n] = '\0';
		dir = fs_dirname(exe);
		first = fs_join(dir, stage_programs[0]);
		rc = executable(first) ? programs_in(dir, paths, e) : 1;
		free(first);
		free(dir);
		if (rc <= 0)
			return rc;
	}
	for (int i = 0; i < STAGE_COUNT; i++) {
		free(paths[i]);
		paths[i] = on_path(stage_programs[i]);
		if (!paths[i])
			return err_set(e, ITG_EXIT_RUNTIME,
				       "cannot find %s beside itg-run or on PATH (build with make, "
				       "or set ITG_BIN)", stage_programs[i]);
	}
	return 0;
}

/* --- the API key and the environment ------------------------------------- */

/* volatile, so that the wipe of a buffer about to be freed is not dropped */
static void wipe_n(char *s, size_t n)
{
	for (volatile char *p = s; n; n--)
		*p++ = '\0';
}

static void wipe(char *s)
{
	if (s)
		wipe_n(s, strlen(s));
}

/* The first line of the systemd credential, or NULL. */
/*
 * The systemd credential, read like any key file (cli_read_key_file: never
 * through a link, never blocking on a FIFO, one line, mode 600 or stricter).
 * A credential that is not there is no credential; one that is there but
 * unfit is an error, not a silent "no key".
 */
static int credential_key(char **key, struct itg_err *e)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct stat st;
	char *path;
	int rc = 0;

	*key = NULL;
	if (!dir || !*dir)
		return 0;
	path = fs_join(dir, CREDENTIAL_NAME);
	if (lstat(path, &st) == 0)
		rc = cli_read_key_file(path, key, e);
	else if (errno != ENOENT)
		rc = err_set(e, ITG_EXIT_USAGE, "cannot read the systemd credential %s: %s", path,
			     strerror(errno));
	free(path);
	return rc;
}

int stage_take_api_key(char **out, struct itg_err *e)
{
	size_t plen = strlen(KEY_VAR "=");
	char *key = NULL;

	for (char **p = environ; p && *p; p++) {
		if (strncmp(*p, KEY_VAR "=", plen) != 0)
			continue;
		if (!key && (*p)[plen])
			key = xstrdup(*p + plen);
		/* the bytes also show in /proc/<pid>/environ: wipe them */
		wipe(*p + plen);
	}
	unsetenv(KEY_VAR);
	if (key) {
		*out = key;
		return 0;
	}
	return credential_key(out, e);
}

static int is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

char **stage_env(const char *run_id, const char *key, int progress)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + 4, sizeof *env);
	for (size_t i = 0; i < n; i++) {
		if (is_var(environ[i], KEY_VAR) || is_var(environ[i], RUN_ID_VAR) ||
		    is_var(environ[i], LOG_PROGRESS_VAR))
			continue;
		env[k++] = xstrdup(environ[i]);
	}
	env[k++] = xasprintf("%s=%s", RUN_ID_VAR, run_id);
	/* without it the stage, writing to our pipe, would show no progress */
	if (progress)
		env[k++] = xasprintf("%s=1", LOG_PROGRESS_VAR);
	if (key)
		env[k++] = xasprintf("%s=%s", KEY_VAR, key);
	return env;
}

void stage_env_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++) {
		wipe(*p);
		free(*p);
	}
	free(env);
}

/* --- argument vectors ---------------------------------------------------- */

void stage_argv_push(struct stage_argv *a, const char *arg)
{
	xgrow((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v);
	a->v[a->n++] = xstrdup(arg);
	a->v[a->n] = NULL;
}

void stage_argv_free(struct stage_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

char *stage_argv_text(const struct stage_argv *a)
{
	struct buf b = {0};

	for (size_t i = 0; i < a->n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", a->v[i]);
	return buf_detach(&b);
}

/* --- signals ------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
/* the running stage's process group, 0 while none runs */
static volatile sig_atomic_t stage_group;

static void on_signal(int sig)
{
	int saved = errno;

	if (!got_signal)
		got_signal = sig;
	if (stage_group > 0)
		kill(-(pid_t)stage_group, sig);
	errno = saved;
}

static void ending_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void stage_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	ending_signals(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int stage_interrupted(void)
{
	return got_signal;
}

const char *stage_signal_name(int signo, char buf[16])
{
	static const struct {
		int signo;
		const char *name;
	} names[] = {
		{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
		{SIGILL, "SIGILL"},   {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},
		{SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"}, {SIGSEGV, "SIGSEGV"},
		{SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
		{SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].signo == signo)
			return names[i].name;
	snprintf(buf, 16, "signal %d", signo);
	return buf;
}

/* --- running one stage --------------------------------------------------- */

/*
 * Passes the stage's standard error on until it closes: lines to run.log and
 * standard error, progress to standard error only (runlog_stream_feed).
 */
static void copy_lines(int fd, struct runlog *log)
{
	struct runlog_stream s;
	char chunk[8192];

	runlog_stream_init(&s);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		runlog_stream_feed(log, &s, chunk, (size_t)n);
	}
	runlog_stream_end(log, &s);
}

int stage_run(char *const argv[], char *const env[], struct runlog *log, struct stage_end *end,
	      struct itg_err *e)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t ending, defaults, none, old;
	siginfo_t info;
	int pfd[2], rc, status;
	pid_t pid = 0;

	memset(end, 0, sizeof *end);
	if (pipe(pfd) != 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot make a pipe: %s", strerror(errno));
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pfd[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	ending_signals(&ending);
	defaults = ending;
	sigaddset(&defaults, SIGPIPE);
	sigemptyset(&none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setsigmask(&attr, &none);
	/*
	 * A signal between the start and stage_group being set would not reach
	 * the stage: hold them until it is set, then they are passed on.
	 */
	sigprocmask(SIG_BLOCK, &ending, &old);
	rc = posix_spawn(&pid, argv[0], &actions, &attr, argv, env);
	if (rc == 0)
		stage_group = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot start %s: %s", argv[0], strerror(rc));
	}
	copy_lines(pfd[0], log);
	close(pfd[0]);
	/*
	 * Wait without reaping, forget the group, then reap: until then its id
	 * cannot be reused, so a signal passed on never reaches a stranger.
	 */
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR)
		;
	stage_group = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return err_set(e, ITG_EXIT_RUNTIME, "cannot wait for %s: %s", argv[0],
				       strerror(errno));
	}
	if (WIFSIGNALED(status))
		end->signo = WTERMSIG(status);
	else
		end->code = WEXITSTATUS(status);
	return 0;
}
