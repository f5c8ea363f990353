/*
 * itg-run (pipelines/run): one scheduled run of a pipeline (docs/contract.md
 * section 8).  Options only; the run is in runner.c.
 */
#include "cmd.h"
#include "err.h"
#include "runner.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
	"usage: pipelines/run PIPELINE.yaml [--dry-run] [--base-url URL]\n"
	"                     [--disconnect | --connect] [--allow-mass-unlink]\n"
	"       pipelines/run PIPELINE.yaml --status [--runs N] [--json]\n";

/* The fixed part of --help; the lines of run_pass_flags follow it. */
static const char help_head[] =
	"Runs itg-extract, itg-transform and itg-load for one pipeline into\n"
	"out/<name>/<run-id>/{snapshot,plan,report,run.log} and points\n"
	"out/<name>/latest at the newest complete run.\n\n"
	"Options:\n"
	"      --dry-run         itg-load writes the report but leaves the store untouched\n"
	"                        (integration.json included)\n"
	"      --base-url URL    fetch from URL instead of the region's IT Glue host\n"
	"                        (a test server on loopback)\n"
	"      --status          print the integration's state and its last runs, and\n"
	"                        exit: reads the pipeline, integration.json and the run\n"
	"                        folders only (no IT Glue, no key, nothing written)\n"
	"      --runs N          with --status: the newest N runs (default 10)\n"
	"      --json            with --status: one JSON object instead of text\n";

static const char help_tail[] =
	CMD_HELP_PIPELINE CMD_HELP_COMMON
	"\n--log-format, --quiet and --verbose are handed to the stages too.\n"
	"The API key comes from ITGLUE_API_KEY, the systemd credential\n"
	"$CREDENTIALS_DIRECTORY/itglue-api-key, or itglue.api_key_file, never from the\n"
	"command line; only itg-extract gets it (a --disconnect run calls no IT Glue).\n"
	"On a terminal the stages show their progress (never in run.log).\n"
	"IT Glue's rate budget is per account: pipelines with one out folder extract\n"
	"from an IT Glue host one at a time (OUT/.itglue-HOST.lock); a run waits for\n"
	"another's extract up to ITG_EXTRACT_LOCK_WAIT seconds (default 7200).\n"
	"A store whose integration.json says disconnected_by: operator is refused before\n"
	"anything is fetched (exit 4, nothing changed) until a run is given --connect.\n"
	"Exit codes: those of the first failing stage (1 runtime, 2 usage or\n"
	"configuration, 3 IT Glue refused the key, 4 refused: a stale plan, a plan made\n"
	"with another pipeline file, a mass unlink, a store bound elsewhere, or a lock\n"
	"held by another run), or 4 for a store disconnected by the operator or an\n"
	"extract lock held longer than ITG_EXTRACT_LOCK_WAIT; 1 when the run was\n"
	"interrupted (SIGINT, SIGTERM, SIGHUP) or its summary could not be written.\n"
	"--status exits 0 when the integration is connected and the last run succeeded,\n"
	"1 when the last run failed, 3 when IT Glue refused the key (disconnected by\n"
	"itglue, or the last run exited 3), 4 when the operator disconnected the store or\n"
	"the last run was refused (exit 4), 2 for a bad pipeline or a missing store.\n";

enum { OPT_DRY_RUN = CMD_OPT_OWN, OPT_BASE_URL, OPT_PASS };
/* --status and its options, numbered past the pass-through flags */
enum { OPT_STATUS = OPT_PASS + RUN_PASS_MAX, OPT_STATUS_JSON, OPT_STATUS_RUNS };

static int status_option(struct status_opts *s, int opt, const char *arg, struct itg_err *e)
{
	char *end;

	if (opt == OPT_STATUS) {
		s->on = 1;
	} else if (opt == OPT_STATUS_JSON) {
		s->json = 1;
	} else {
		errno = 0;
		s->runs = strtol(arg, &end, 10);
		if (errno || end == arg || *end || s->runs < 1 || s->runs > STATUS_RUNS_MAX)
			return err_set(e, ITG_EXIT_USAGE, "--runs %s: give a number of runs from 1 to %d",
				       arg, STATUS_RUNS_MAX);
	}
	return 0;
}

/*
 * --status only reads: a flag of a run would be ignored, and --json or
 * --runs without it would do nothing.
 */
static int check_status(const struct run_opts *o, struct itg_err *e)
{
	if (!o->status.on && (o->status.json || o->status.runs))
		return cmd_usage_error(e, "--json and --runs go with --status");
	if (o->status.on && (o->dry_run || o->base_url || o->pass))
		return cmd_usage_error(e, "--status only reads the state: it does not go with the "
					  "options of a run (--dry-run, --base-url, --disconnect, ...)");
	return 0;
}

static int on_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct run_opts *o = ctx;

	(void)e;
	if (opt == OPT_DRY_RUN)
		o->dry_run = 1;
	else if (opt == OPT_BASE_URL)
		o->base_url = arg;
	else if (opt >= OPT_PASS && opt < OPT_PASS + RUN_PASS_MAX)
		o->pass |= 1u << (opt - OPT_PASS);
	else if (opt >= OPT_STATUS)
		return status_option(&o->status, opt, arg, e);
	return 0;
}

static int run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	struct run_opts *o = ctx;
	int rc;

	if (a->pipeline && a->argc)
		return cmd_usage_error(e, "one pipeline file only (PIPELINE.yaml or -p, not both)");
	o->pipeline = a->pipeline ? a->pipeline : a->argc ? a->argv[0] : NULL;
	if (!o->pipeline)
		return cmd_usage_error(e, "the pipeline file is required");
	if (check_status(o, e) != 0)
		return -1;
	if (o->status.on) {
		rc = status_view_run(o->pipeline, &o->status, e);
		if (rc >= 0) {
			e->code = rc;
			return rc ? -1 : 0;
		}
		return -1;
	}
	if (run_pass_given(o, "disconnect") && run_pass_given(o, "connect"))
		return cmd_usage_error(e, "--disconnect and --connect do not go together: one ends "
					  "the integration, the other resumes it");
	o->log_format = a->log_format;
	o->quiet = a->quiet;
	o->verbose = a->verbose;
	runner_prepare();
	/* after the run folder exists the runner logs its own failures: e stays empty */
	rc = runner_run(o, e);
	if (rc == ITG_EXIT_OK)
		return 0;
	e->code = rc;
	return -1;
}

/*
 * "      --NAME            text", the text folded at spaces into lines that
 * fit 80 columns under the other options' texts (a long name gets a line of
 * its own).
 */
static void help_line(struct buf *b, const char *name, const char *text)
{
	enum { TEXT_COL = 24, WIDTH = 80 };
	size_t col;

	buf_addf(b, "      --%s", name);
	col = 8 + strlen(name);
	if (col + 1 > TEXT_COL) {
		buf_addc(b, '\n');
		col = 0;
	}
	while (*text) {
		const char *end = text + strlen(text), *cut = end;

		if ((size_t)(end - text) > WIDTH - TEXT_COL) {
			cut = text + (WIDTH - TEXT_COL);
			while (cut > text && *cut != ' ')
				cut--;
			if (cut == text)
				cut = text + (WIDTH - TEXT_COL);
		}
		for (; col < TEXT_COL; col++)
			buf_addc(b, ' ');
		buf_add(b, text, (size_t)(cut - text));
		buf_addc(b, '\n');
		col = 0;
		text = *cut == ' ' ? cut + 1 : cut;
	}
}

int main(int argc, char **argv)
{
	struct option options[6 + RUN_PASS_MAX];
	struct run_opts o = {0};
	struct buf help = {0};
	struct cmd cmd = {
		.name = RUNNER_NAME,
		.synopsis = synopsis,
		.flags = CMD_PIPELINE,
		.long_options = options,
		.option = on_option,
		.min_args = 0,
		.max_args = 1,
		.args_name = "PIPELINE.yaml",
		.run = run,
	};
	size_t n = 0;
	int rc;

	options[n++] = (struct option){"dry-run", no_argument, NULL, OPT_DRY_RUN};
	options[n++] = (struct option){"base-url", required_argument, NULL, OPT_BASE_URL};
	options[n++] = (struct option){"status", no_argument, NULL, OPT_STATUS};
	options[n++] = (struct option){"json", no_argument, NULL, OPT_STATUS_JSON};
	options[n++] = (struct option){"runs", required_argument, NULL, OPT_STATUS_RUNS};
	buf_adds(&help, help_head);
	for (size_t i = 0; i < RUN_PASS_MAX && run_pass_flags[i].name; i++) {
		options[n++] = (struct option){run_pass_flags[i].name, no_argument, NULL,
					       OPT_PASS + (int)i};
		help_line(&help, run_pass_flags[i].name, run_pass_flags[i].help);
	}
	options[n] = (struct option){0, 0, 0, 0};
	buf_adds(&help, help_tail);
	cmd.help = buf_str(&help);
	rc = cmd_main(&cmd, &o, argc, argv);
	buf_free(&help);
	return rc;
}
