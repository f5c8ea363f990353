/* itg-run (pipelines/run): one scheduled run of a pipeline (CONTRACT.md section 8). */
#include "cli.h"
#include "err.h"
#include "log.h"
#include "runlog.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
	"usage: pipelines/run PIPELINE.yaml [--dry-run] [--base-url URL] [--disconnect]\n";

static void print_help(void)
{
	printf("%s\n", synopsis);
	printf("Runs itg-extract, itg-transform and itg-load for one pipeline into\n"
	       "out/<name>/<run-id>/{snapshot,plan,report,run.log} and points\n"
	       "out/<name>/latest at the newest complete run.\n\n"
	       "Options:\n"
	       "      --dry-run         itg-load writes the report but leaves the store untouched\n"
	       "                        (integration.json included)\n"
	       "      --base-url URL    fetch from URL instead of the region's IT Glue host\n"
	       "                        (a test server on loopback)\n");
	for (size_t i = 0; run_pass_flags[i].name; i++)
		printf("      --%-16s%s\n", run_pass_flags[i].name, run_pass_flags[i].help);
	printf(CLI_COMMON_HELP
	       "\n--log-format, --quiet and --verbose are handed to the stages too.\n"
	       "The API key comes from ITGLUE_API_KEY, the systemd credential\n"
	       "$CREDENTIALS_DIRECTORY/itglue-api-key, or itglue.api_key_file, never from the\n"
	       "command line; only itg-extract gets it.  Exit codes: those of the first failing\n"
	       "stage (1 runtime, 2 usage or configuration, 3 IT Glue refused the key, 4 stale\n"
	       "plan or a lock held by another run); 1 when the run was interrupted (SIGINT,\n"
	       "SIGTERM, SIGHUP) or its summary could not be written.\n");
}

enum { OPT_DRY_RUN = OPT_STAGE_BASE, OPT_BASE_URL, OPT_PASS };

static const struct option own_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"base-url", required_argument, NULL, OPT_BASE_URL},
};
#define N_OWN (sizeof own_options / sizeof own_options[0])

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "%s: %s\n", RUNNER_NAME, msg);
	fputs(synopsis, stderr);
	return ITG_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct option long_options[N_OWN + RUN_PASS_MAX + 1];
	struct cli_common common = {0};
	struct run_opts o = {0};
	struct itg_err e = {0};
	size_t n = N_OWN;
	int opt, rc;

	runner_prepare();
	memcpy(long_options, own_options, sizeof own_options);
	for (size_t i = 0; i < RUN_PASS_MAX && run_pass_flags[i].name; i++)
		long_options[n++] = (struct option){run_pass_flags[i].name, no_argument, NULL,
						    OPT_PASS + (int)i};
	long_options[n] = (struct option){0, 0, 0, 0};

	while ((opt = getopt_long(argc, argv, "p:h", long_options, NULL)) != -1) {
		int handled = cli_common_option(&common, opt, optarg, &e);

		if (handled < 0)
			return usage_error(e.msg);
		if (handled)
			continue;
		if (opt == OPT_DRY_RUN)
			o.dry_run = 1;
		else if (opt == OPT_BASE_URL)
			o.base_url = optarg;
		else if (opt == 'h')
			common.want_help = 1;
		else if (opt >= OPT_PASS && opt < OPT_PASS + RUN_PASS_MAX)
			o.pass |= 1u << (opt - OPT_PASS);
		else
			return usage_error(NULL);
	}
	if (common.want_help || common.want_version) {
		if (common.want_help)
			print_help();
		else
			cli_print_version(RUNNER_NAME);
		return fclose(stdout) == 0 ? ITG_EXIT_OK : ITG_EXIT_RUNTIME;
	}
	log_init(RUNNER_NAME, common.log_format, common.quiet, common.verbose);
	o.pipeline = common.pipeline;
	if (optind < argc && o.pipeline)
		return usage_error("one pipeline file only (PIPELINE.yaml or -p, not both)");
	if (optind < argc)
		o.pipeline = argv[optind++];
	if (optind < argc)
		return usage_error("one pipeline file only");
	if (!o.pipeline)
		return usage_error("the pipeline file is required");
	o.log_format = common.log_format;
	o.quiet = common.quiet;
	o.verbose = common.verbose;

	rc = runner_run(&o, &e);
	if (rc != ITG_EXIT_OK && e.msg[0])
		log_error("%s", e.msg);
	if (fclose(stdout) != 0 && rc == ITG_EXIT_OK) {
		log_error("cannot write to standard output: %s", strerror(errno));
		rc = ITG_EXIT_RUNTIME;
	}
	return rc;
}
