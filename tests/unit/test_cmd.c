/*
 * Unit tests of cmd_main, the one shape of main().  cmd_main closes stdout
 * and programs exit with what it returns, so each case runs it in a child
 * (fork) whose stdout and stderr go to files the parent reads.
 */
#include "unit.h"

#include "cmd.h"
#include "xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- two small programs ------------------------------------------------ */

enum { OPT_FAIL = CMD_OPT_OWN, OPT_MISUSE, OPT_DRY_RUN };

struct flags {
	const char *name;
	long fail_code;
	int misuse, dry_run;
};

static const struct option tool_options[] = {
	{"name", required_argument, NULL, 'n'},
	{"fail", required_argument, NULL, OPT_FAIL},
	{"misuse", no_argument, NULL, OPT_MISUSE},
	{0, 0, 0, 0},
};

static int tool_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct flags *f = ctx;

	switch (opt) {
	case 'n':
		if (!*arg)
			return err_set(e, ITG_EXIT_USAGE, "--name: give a name");
		f->name = arg;
		return 0;
	case OPT_FAIL:
		if (cli_parse_long(arg, 1, 4, &f->fail_code) != 0)
			return err_set(e, ITG_EXIT_USAGE, "--fail: \"%s\" is not from 1 to 4", arg);
		return 0;
	case OPT_MISUSE: f->misuse = 1; return 0;
	case OPT_DRY_RUN: f->dry_run = 1; return 0;
	default: return err_set(e, ITG_EXIT_USAGE, "unknown option");
	}
}

/* Prints what it was given, then fails as the flags ask. */
static int tool_run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	const struct flags *f = ctx;

	printf("stage=%s pipeline=%s name=%s json=%d quiet=%d verbose=%d dry=%d args=%d",
	       log_stage(), a->pipeline ? a->pipeline : "-", f->name ? f->name : "-",
	       a->log_format == LOG_JSON, a->quiet, a->verbose, f->dry_run, a->argc);
	for (int i = 0; i < a->argc; i++)
		printf(" %s", a->argv[i]);
	printf("\n");
	if (f->name && strcmp(f->name, "probe-fd") == 0) {
		/* which descriptor the next file gets */
		int fd = open("/dev/null", O_RDONLY);
		fprintf(stderr, "opened fd %d\n", fd);
		close(fd);
	}
	if (f->misuse)
		return cmd_usage_error(e, "--misuse needs --name");
	if (f->fail_code)
		return err_set(e, (int)f->fail_code, "refused: code %ld", f->fail_code);
	return 0;
}

static const struct cmd tool = {
	.name = "itg-tool",
	.synopsis = "usage: itg-tool -p PIPELINE [-n NAME] [--fail CODE]\n",
	.help = "Prints what it was given.\n" CMD_HELP_PIPELINE CMD_HELP_COMMON,
	.flags = CMD_PIPELINE,
	.short_options = "n:",
	.long_options = tool_options,
	.option = tool_option,
	.run = tool_run,
};

/* The shape of a runner: one positional argument, options on either side. */
static const struct option runner_options[] = {
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{0, 0, 0, 0},
};

static const struct cmd runner = {
	.name = "itg-runner",
	.synopsis = "usage: itg-runner PIPELINE.yaml [--dry-run]\n",
	.help = "Runs a pipeline.\n" CMD_HELP_COMMON,
	.long_options = runner_options,
	.option = tool_option,
	.min_args = 1,
	.max_args = 1,
	.args_name = "PIPELINE.yaml",
	.run = tool_run,
};

/* ---- running one in a child -------------------------------------------- */

/*
 * Where the child's stdout goes.  The child reopens stdout (and stderr) on
 * files, so that they start afresh, fully buffered as a program's stdout on
 * a file is; OUT_FULL_UNBUFFERED makes each printf fail on its own.
 */
enum out_mode { OUT_FILE, OUT_CLOSED, OUT_FULL, OUT_FULL_UNBUFFERED };

struct outcome {
	int status;       /* exit status, or -1 when the child did not exit */
	char out[4096];   /* what it wrote to stdout */
	char err[4096];   /* ... and to stderr */
};

static void slurp(const char *path, char *dst, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(dst, 1, size - 1, f);
		fclose(f);
	}
	dst[n] = '\0';
}

/* In the child: stdout and stderr as mode says, then cmd_main. */
static void child(const struct cmd *c, enum out_mode mode, const char *out, const char *err,
		  int argc, char **argv)
{
	struct flags f = {0};
	const char *target = mode == OUT_FILE ? out : mode == OUT_CLOSED ? "/dev/null" : "/dev/full";

	if (!freopen(err, "w", stderr) || !freopen(target, "w", stdout))
		_exit(99);
	if (mode == OUT_FULL_UNBUFFERED)
		setvbuf(stdout, NULL, _IONBF, 0);
	if (mode == OUT_CLOSED)
		close(STDOUT_FILENO);
	_exit(cmd_main(c, &f, argc, argv));
}

/* Runs cmd_main(c, the program's name + args) in a child; args ends with NULL. */
static void run_cmd(const struct cmd *c, enum out_mode mode, struct outcome *o, char **args)
{
	char *dir = unit_tmpdir();
	char *out = xasprintf("%s/out", dir), *err = xasprintf("%s/err", dir);
	char *argv[16];
	int argc = 0, wstatus;
	pid_t pid;

	argv[argc++] = (char *)c->name;
	while (argc < 15 && *args)
		argv[argc++] = *args++;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		child(c, mode, out, err, argc, argv);
	CU_ASSERT_FATAL(waitpid(pid, &wstatus, 0) == pid);
	o->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	slurp(out, o->out, sizeof o->out);
	slurp(err, o->err, sizeof o->err);
	free(out);
	free(err);
	unit_rmtree(dir);
}

/* RUN(cmd, mode, &outcome, "--arg", ...) */
#define RUN(c, mode, o, ...) run_cmd(c, mode, o, (char *[]){__VA_ARGS__, NULL})

#define TOOL_USAGE "usage: itg-tool -p PIPELINE [-n NAME] [--fail CODE]\ntry 'itg-tool --help'\n"

/* ---- usage errors ------------------------------------------------------- */

static void test_unknown_option_is_usage_error_with_synopsis(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--bogus");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: unknown option --bogus\n" TOOL_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");

	RUN(&tool, OUT_FILE, &o, "-x");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: unknown option -x\n" TOOL_USAGE);
}

/*
 * Only whole option names: getopt_long alone takes "--nam" for --name, so
 * "--api-key KEY" reached --api-key-file and quoted KEY as a file name.
 * A mistyped option's "=VALUE" is not quoted either.
 */
static void test_abbreviated_option_is_refused_and_values_not_quoted(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--nam", "SECRET");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: unknown option --nam (write the whole name)\n"
			       TOOL_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");

	RUN(&tool, OUT_FILE, &o, "--fai=SECRET");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_PTR_NULL(strstr(o.err, "SECRET"));

	RUN(&tool, OUT_FILE, &o, "--pipe", "x.yaml");
	CU_ASSERT_EQUAL(o.status, 2);

	RUN(&tool, OUT_FILE, &o, "--bogus=SECRET");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: unknown option --bogus\n" TOOL_USAGE);

	/* the whole name still works, with its value either way */
	RUN(&tool, OUT_FILE, &o, "--name", "acme", "--pipeline=x.yaml");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "pipeline=x.yaml name=acme"));
}

static void test_missing_value_is_usage_error(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "-p", "x.yaml", "--name");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: option --name needs a value\n" TOOL_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");

	RUN(&tool, OUT_FILE, &o, "-p");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: option -p needs a value\n" TOOL_USAGE);
}

static void test_value_refused_by_handler_is_usage_error(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--fail", "9");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: --fail: \"9\" is not from 1 to 4\n" TOOL_USAGE);

	RUN(&tool, OUT_FILE, &o, "--log-format", "bogus");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err,
			       "itg-tool: --log-format: \"bogus\" is not human or json\n" TOOL_USAGE);

	RUN(&tool, OUT_FILE, &o, "--quiet=1");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: option --quiet takes no value\n" TOOL_USAGE);
}

static void test_stray_argument_is_usage_error(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "-p", "x.yaml", "extra");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: unexpected argument \"extra\"\n" TOOL_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");
}

static void test_usage_error_from_run_prints_synopsis(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--misuse");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: --misuse needs --name\n" TOOL_USAGE);
}

static void test_pipeline_option_only_where_declared(void)
{
	struct outcome o;

	RUN(&runner, OUT_FILE, &o, "-p", "x.yaml", "a.yaml");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "itg-runner: unknown option -p\n"));
	RUN(&runner, OUT_FILE, &o, "--pipeline", "x.yaml", "a.yaml");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "itg-runner: unknown option --pipeline\n"));
}

/* ---- help and version --------------------------------------------------- */

static void test_help_goes_to_stdout_and_exits_0(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--help");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_STRING_EQUAL(o.out, "usage: itg-tool -p PIPELINE [-n NAME] [--fail CODE]\n\n"
				      "Prints what it was given.\n" CMD_HELP_PIPELINE
				      CMD_HELP_COMMON);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	/* help wins over --version, over a missing argument and over run's checks */
	RUN(&runner, OUT_FILE, &o, "--version", "--help");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "Runs a pipeline.\n"));
	CU_ASSERT_PTR_NULL(strstr(o.out, "stage="));
	CU_ASSERT_PTR_NULL(strstr(o.out, "--pipeline"));
}

static void test_version_prints_name_and_version(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--version");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_STRING_EQUAL(o.out, "itg-tool " ITG_VERSION "\n");
	CU_ASSERT_STRING_EQUAL(o.err, "");
}

/* ---- run ---------------------------------------------------------------- */

static void test_run_sees_options_after_log_init(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--pipeline", "x.yaml", "-nacme", "--quiet",
		"--log-format", "json");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_STRING_EQUAL(o.out, "stage=itg-tool pipeline=x.yaml name=acme json=1 quiet=1 "
				      "verbose=0 dry=0 args=0\n");
	CU_ASSERT_STRING_EQUAL(o.err, "");
}

static void test_error_from_run_is_logged_once_and_sets_exit_code(void)
{
	struct outcome o;

	RUN(&tool, OUT_FILE, &o, "--fail", "3");
	CU_ASSERT_EQUAL(o.status, 3);
	CU_ASSERT_STRING_EQUAL(o.err, "ERROR itg-tool: refused: code 3\n");

	RUN(&tool, OUT_FILE, &o, "--fail", "4", "--log-format", "json");
	CU_ASSERT_EQUAL(o.status, 4);
	CU_ASSERT_EQUAL(strncmp(o.err, "{\"time\":", 8), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "\"level\":\"error\",\"stage\":\"itg-tool\","
					     "\"msg\":\"refused: code 4\"}\n"));
}

static void test_positional_argument_on_either_side_of_options(void)
{
	struct outcome o;

	RUN(&runner, OUT_FILE, &o, "a.yaml", "--dry-run");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "dry=1 args=1 a.yaml\n"));
	RUN(&runner, OUT_FILE, &o, "--dry-run", "--", "-odd.yaml");
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "dry=1 args=1 -odd.yaml\n"));

	RUN(&runner, OUT_FILE, &o, "--dry-run");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-runner: missing PIPELINE.yaml\n"
				      "usage: itg-runner PIPELINE.yaml [--dry-run]\n"
				      "try 'itg-runner --help'\n");
	RUN(&runner, OUT_FILE, &o, "a.yaml", "b.yaml");
	CU_ASSERT_EQUAL(o.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "itg-runner: unexpected argument \"b.yaml\"\n"));
}

/* ---- the closing of stdout ---------------------------------------------- */

static void test_closed_stdout_turns_success_into_exit_1(void)
{
	struct outcome o;

	RUN(&tool, OUT_CLOSED, &o, "--help");
	CU_ASSERT_EQUAL(o.status, 1);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: cannot write to standard output: "
				      "Bad file descriptor\n");
	RUN(&tool, OUT_CLOSED, &o, "-p", "x.yaml");
	CU_ASSERT_EQUAL(o.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "cannot write to standard output"));
}

static void test_closed_stdout_is_not_reused_by_the_next_file(void)
{
	struct outcome o;

	RUN(&tool, OUT_CLOSED, &o, "-n", "probe-fd");
	CU_ASSERT_EQUAL(o.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "opened fd "));
	CU_ASSERT_PTR_NULL(strstr(o.err, "opened fd 1\n"));
}

static void test_full_stdout_turns_success_into_exit_1(void)
{
	struct outcome o;

	RUN(&tool, OUT_FULL, &o, "--version");
	CU_ASSERT_EQUAL(o.status, 1);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: cannot write to standard output: "
				      "No space left on device\n");
	/* a write that fails while --help or --version is printed (a text longer
	 * than the buffer, or no buffer) keeps its reason too */
	RUN(&tool, OUT_FULL_UNBUFFERED, &o, "--version");
	CU_ASSERT_EQUAL(o.status, 1);
	CU_ASSERT_STRING_EQUAL(o.err, "itg-tool: cannot write to standard output: "
				      "No space left on device\n");
}

static void test_failed_run_keeps_its_code_when_stdout_fails_too(void)
{
	struct outcome o;

	RUN(&tool, OUT_CLOSED, &o, "--fail", "4");
	CU_ASSERT_EQUAL(o.status, 4);
	CU_ASSERT_STRING_EQUAL(o.err, "ERROR itg-tool: refused: code 4\n");
}

static CU_TestInfo tests[] = {
	{"test_unknown_option_is_usage_error_with_synopsis",
	 test_unknown_option_is_usage_error_with_synopsis},
	{"test_abbreviated_option_is_refused_and_values_not_quoted",
	 test_abbreviated_option_is_refused_and_values_not_quoted},
	{"test_missing_value_is_usage_error", test_missing_value_is_usage_error},
	{"test_value_refused_by_handler_is_usage_error",
	 test_value_refused_by_handler_is_usage_error},
	{"test_stray_argument_is_usage_error", test_stray_argument_is_usage_error},
	{"test_usage_error_from_run_prints_synopsis", test_usage_error_from_run_prints_synopsis},
	{"test_pipeline_option_only_where_declared", test_pipeline_option_only_where_declared},
	{"test_help_goes_to_stdout_and_exits_0", test_help_goes_to_stdout_and_exits_0},
	{"test_version_prints_name_and_version", test_version_prints_name_and_version},
	{"test_run_sees_options_after_log_init", test_run_sees_options_after_log_init},
	{"test_error_from_run_is_logged_once_and_sets_exit_code",
	 test_error_from_run_is_logged_once_and_sets_exit_code},
	{"test_positional_argument_on_either_side_of_options",
	 test_positional_argument_on_either_side_of_options},
	{"test_closed_stdout_turns_success_into_exit_1",
	 test_closed_stdout_turns_success_into_exit_1},
	{"test_closed_stdout_is_not_reused_by_the_next_file",
	 test_closed_stdout_is_not_reused_by_the_next_file},
	{"test_full_stdout_turns_success_into_exit_1", test_full_stdout_turns_success_into_exit_1},
	{"test_failed_run_keeps_its_code_when_stdout_fails_too",
	 test_failed_run_keeps_its_code_when_stdout_fails_too},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("cmd", NULL, NULL, tests)
