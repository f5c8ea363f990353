#include "cmd.h"

#include "workq.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static const struct option common_options[] = {
	{"pipeline", required_argument, NULL, 'p'},
	{"log-format", required_argument, NULL, CMD_OPT_LOG_FORMAT},
	{"quiet", no_argument, NULL, CMD_OPT_QUIET},
	{"verbose", no_argument, NULL, CMD_OPT_VERBOSE},
	{"version", no_argument, NULL, CMD_OPT_VERSION},
	{"help", no_argument, NULL, CMD_OPT_HELP},
};
#define N_COMMON (sizeof common_options / sizeof common_options[0])

/* What the common options asked for. */
struct common {
	struct cmd_args args;
	int want_help, want_version;
};

int cmd_usage_error(struct itg_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = CMD_EXIT_MISUSE;
	return -1;
}

int cmd_as_usage_error(struct itg_err *e)
{
	e->code = CMD_EXIT_MISUSE;
	return -1;
}

static int usage_error(const struct cmd *cmd, const char *msg)
{
	fprintf(stderr, "%s: %s\n", cmd->name, msg);
	fputs(cmd->synopsis, stderr);
	fprintf(stderr, "try '%s --help'\n", cmd->name);
	return ITG_EXIT_USAGE;
}

/*
 * A descriptor of 0-2 that is closed at start would be handed to the next
 * open(): a store file could then receive what we print to stdout.  Keep
 * the slot taken by /dev/null, opened the wrong way round so that using it
 * still fails as a closed descriptor would.
 */
static unsigned std_closed;   /* bit fd: descriptor fd was closed at start */

int cmd_std_was_closed(int fd)
{
	return fd >= 0 && fd <= 2 && (std_closed & (1u << fd)) != 0;
}

static void reserve_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		std_closed |= 1u << fd;
		got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (got >= 0 && got != fd)
			close(got);
	}
}

/* The common options and the program's own as one getopt_long table. */
static struct option *merged_options(const struct cmd *cmd)
{
	size_t own = 0, n = 0;
	struct option *all;

	while (cmd->long_options && cmd->long_options[own].name)
		own++;
	all = xcalloc(N_COMMON + own + 1, sizeof *all);
	for (size_t i = 0; i < N_COMMON; i++)
		if (common_options[i].val != 'p' || (cmd->flags & CMD_PIPELINE))
			all[n++] = common_options[i];
	for (size_t i = 0; i < own; i++)
		all[n++] = cmd->long_options[i];
	return all;
}

/* getopt_long's '?' or ':' as a sentence naming the option at fault. */
static void describe_bad_option(int opt, char **argv, char *msg, size_t size)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		snprintf(msg, size, "option %s needs a value", word);
	else if (optopt > 0 && optopt < 128 && strncmp(word, "--", 2) != 0)
		snprintf(msg, size, "unknown option -%c", optopt);
	else if (optopt != 0)
		/* a known long option given "=VALUE" though it takes none */
		snprintf(msg, size, "option %.*s takes no value", (int)strcspn(word, "="), word);
	else
		/* without "=VALUE": a value given to a mistyped option may be a secret */
		snprintf(msg, size, "unknown option %.*s", (int)strcspn(word, "="), word);
}

/*
 * getopt_long takes any unambiguous prefix of a long option: "--api-key"
 * would reach --api-key-file and the key given after it would be quoted
 * back as a file name.  Only the whole name is an option; 1 when word
 * (argv's word for options[index]) abbreviates it.
 */
static int abbreviated(const char *word, const struct option *options, int index)
{
	size_t n;

	if (index < 0 || strncmp(word, "--", 2) != 0)
		return 0;
	word += 2;
	n = strcspn(word, "=");
	return n != strlen(options[index].name) || strncmp(word, options[index].name, n) != 0;
}

/* Handles a common option: 1 when it was one, 0 when it is the program's, -1 bad value. */
static int common_option(struct common *c, int opt, const char *arg, struct itg_err *e)
{
	switch (opt) {
	case 'p':
		c->args.pipeline = arg;
		return 1;
	case CMD_OPT_LOG_FORMAT:
		if (log_parse_format(arg, &c->args.log_format) != 0)
			return err_set(e, ITG_EXIT_USAGE,
				       "--log-format: \"%s\" is not human or json", arg);
		return 1;
	case CMD_OPT_QUIET:
		c->args.quiet = 1;
		return 1;
	case CMD_OPT_VERBOSE:
		c->args.verbose = 1;
		return 1;
	case CMD_OPT_VERSION:
		c->want_version = 1;
		return 1;
	case CMD_OPT_HELP:
		c->want_help = 1;
		return 1;
	default:
		return 0;
	}
}

/*
 * Reads argv into c, calling the program's handler for its own options.
 * Returns 0, or -1 with msg set to the usage error.
 */
static int parse(const struct cmd *cmd, void *ctx, int argc, char **argv, struct common *c,
		 char *msg, size_t size)
{
	struct option *options = merged_options(cmd);
	struct itg_err e = {0};
	char *shorts = xasprintf(":%s%s", (cmd->flags & CMD_PIPELINE) ? "p:" : "",
				 cmd->short_options ? cmd->short_options : "");
	int opt, index = -1, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, options, &index)) != -1) {
		int common;

		if (opt == '?' || opt == ':') {
			describe_bad_option(opt, argv, msg, size);
			rc = -1;
			break;
		}
		if (index >= 0) {
			/* "--opt VALUE" leaves optind past VALUE; "--opt=VALUE" past the word */
			const char *word = optarg && optarg == argv[optind - 1] ? argv[optind - 2]
									       : argv[optind - 1];

			if (abbreviated(word, options, index)) {
				snprintf(msg, size, "unknown option %.*s (write the whole name)",
					 (int)strcspn(word, "="), word);
				rc = -1;
				break;
			}
			index = -1;
		}
		common = common_option(c, opt, optarg, &e);
		if (common == 0 && !cmd->option)
			common = err_set(&e, ITG_EXIT_USAGE, "option %s is not handled",
					 argv[optind - 1]);
		else if (common == 0 && cmd->option(ctx, opt, optarg, &e) != 0)
			common = -1;
		if (common < 0) {
			snprintf(msg, size, "%s", e.msg);
			rc = -1;
			break;
		}
	}
	c->args.argc = argc - optind;
	c->args.argv = argv + optind;
	free(shorts);
	free(options);
	return rc;
}

static int check_args(const struct cmd *cmd, const struct cmd_args *a, char *msg, size_t size)
{
	if (a->argc > cmd->max_args) {
		snprintf(msg, size, "unexpected argument \"%s\"", a->argv[cmd->max_args]);
		return -1;
	}
	if (a->argc < cmd->min_args) {
		snprintf(msg, size, "missing %s", cmd->args_name ? cmd->args_name : "argument");
		return -1;
	}
	return 0;
}

/*
 * The one exit path: a write error on stdout (seen by ferror, or by the
 * flush inside fclose) fails a run that had succeeded.
 */
/*
 * The reason of the first failed write of --help or --version: a text
 * longer than stdio's buffer fails while it is written, not at fclose,
 * and errno is gone by then.
 */
static int write_errno;

static void out(const char *s)
{
	errno = 0;
	if (fputs(s, stdout) == EOF && !write_errno)
		write_errno = errno ? errno : EIO;
}

static int close_stdout(const struct cmd *cmd, int rc)
{
	int had_error = ferror(stdout) != 0;
	int saved = 0;

	errno = 0;
	if (fclose(stdout) != 0)
		saved = errno;
	if (!saved && had_error)
		saved = write_errno;
	if ((had_error || saved) && rc == ITG_EXIT_OK) {
		if (saved)
			fprintf(stderr, "%s: cannot write to standard output: %s\n", cmd->name,
				strerror(saved));
		else
			fprintf(stderr, "%s: cannot write to standard output\n", cmd->name);
		rc = ITG_EXIT_RUNTIME;
	}
	fflush(stderr);
	return rc;
}

/*
 * No core file, ever: a crash must not leave the API key (or the personal
 * data of a snapshot) on disk.  The hard limit goes to 0 too, so neither
 * this program nor a child it starts can raise it again; not dumpable also
 * keeps other processes of the same user from reading this one's memory.
 */
static void forbid_core_dumps(void)
{
	const struct rlimit none = {0, 0};

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * A file-size limit (ulimit -f, systemd's LimitFSIZE) kills a process that
 * writes past it with SIGXFSZ, with no message.  Ignored, the write fails
 * with EFBIG instead and reaches the caller like a full disk: the error
 * names the file, and the atomic writers leave nothing half-written.
 */
static void survive_file_size_limit(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGXFSZ, &sa, NULL);
}

int cmd_main(const struct cmd *cmd, void *ctx, int argc, char **argv)
{
	struct common c = {.args.log_format = LOG_HUMAN};
	struct itg_err e = {0};
	char msg[ITG_ERR_MSG + 64];
	int rc = ITG_EXIT_OK;

	forbid_core_dumps();
	survive_file_size_limit();
	reserve_std_fds();
	if (parse(cmd, ctx, argc, argv, &c, msg, sizeof msg) != 0) {
		rc = usage_error(cmd, msg);
		goto out;
	}
	if (c.want_help) {
		out(cmd->synopsis);
		out("\n");
		out(cmd->help);
		goto out;
	}
	if (c.want_version) {
		out(cmd->name);
		out(" " ITG_VERSION "\n");
		goto out;
	}
	if (check_args(cmd, &c.args, msg, sizeof msg) != 0) {
		rc = usage_error(cmd, msg);
		goto out;
	}
	log_init(cmd->name, c.args.log_format, c.args.quiet, c.args.verbose);
	if (workq_check_env(&e) != 0) {
		log_error("%s", e.msg);
		rc = e.code;
		goto out;
	}
	if (cmd->run(ctx, &c.args, &e) != 0) {
		if (e.code == CMD_EXIT_MISUSE) {
			rc = usage_error(cmd, e.msg);
			goto out;
		}
		if (e.msg[0])
			log_error("%s", e.msg);
		rc = e.code ? e.code : ITG_EXIT_RUNTIME;
	}
out:
	return close_stdout(cmd, rc);
}
