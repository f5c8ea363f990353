/*
 * itg-mock - a loopback IT Glue API for tests, the demo and benchmarks.
 *
 * Parses options, loads or generates the data set, listens on 127.0.0.1,
 * announces the port, and serves until SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "fsutil.h"
#include "mock.h"

#define DEFAULT_API_KEY "ITG.mock-key"

static const char synopsis[] =
	"usage: itg-mock [--port N] [--port-file FILE] [--data DIR | --generate ORGS\n"
	"                [--contacts-per-org N] [--domains-per-org N] [--seed S]]\n"
	"                [--rate-limit RPS] [--retry-after SECONDS] [--latency-ms N]\n"
	"                [--fail-rate F] [--fail-html-rate F] [--drop-rate F]\n"
	"                [--truncate-rate F] [--malformed-rate F] [--hang]\n"
	"                [--fault-seed S] [--max-page-size N] [--deny-resource NAME]\n"
	"                [--no-sort NAME] [--ignore-sort NAME] [--empty-organizations]\n"
	"                [--lie-total NAME:N]\n"
	"                [--midwalk-change DEL:NEW] [--fail-record ID] [--announce-pages N]\n"
	"                [--gzip-bomb MB] [--echo-key] [--huge-record NAME:ID:BYTES]\n"
	"                [--mutate FILE] [--max-range-days N] [--log-requests] [--help]\n";

static const char help[] =
	"Serves IT Glue's API (organizations, organization_types, organization_statuses,\n"
	"contacts, contact_types, domains) on 127.0.0.1 until SIGTERM or SIGINT.\n"
	"The valid API key is $ITG_MOCK_API_KEY (default ITG.mock-key); it is never printed.\n"
	"\n"
	"      --port N              port to listen on; 0 (default) picks a free one\n"
	"      --port-file FILE      write the port there (atomically) once listening\n"
	"      --data DIR            serve DIR/<resource>.json (JSON arrays;\n"
	"                            missing = empty), read again when a file changes\n"
	"      --generate ORGS       serve a generated data set of ORGS organizations\n"
	"      --contacts-per-org N  about N contacts per generated organization (25)\n"
	"      --domains-per-org N   domains per generated organization (2)\n"
	"      --seed S              generator seed (1)\n"
	"      --mutate FILE         changes on top of the data, read again when FILE\n"
	"                            changes: {\"RESOURCE\": {\"put\": [records],\n"
	"                            \"delete\": [ids]}, ...} (FILE may appear later)\n"
	"      --max-range-days N    answer 422 to an organizations filter[updated_at]\n"
	"                            range longer than N days (an open end: up to now)\n"
	"      --rate-limit RPS      token bucket shared by all clients;\n"
	"                            0 = off (default)\n"
	"      --retry-after S       send Retry-After: S on 429 (0 = no header)\n"
	"      --latency-ms N        delay every data answer by N ms\n"
	"      --fail-rate F         share of data requests answered 500/502/503\n"
	"      --fail-html-rate F    share of those failures sent as a 502 HTML page\n"
	"      --drop-rate F         share of answers cut off mid-body\n"
	"                            (connection closed)\n"
	"      --truncate-rate F     share of 200 answers with a short body and\n"
	"                            Content-Length\n"
	"      --malformed-rate F    share of 200 answers with broken JSON\n"
	"      --hang                accept connections and never answer\n"
	"      --fault-seed S        seed of the fault draws (1)\n"
	"      --max-page-size N     largest page[size] accepted (1000); larger gives 422\n"
	"      --deny-resource NAME  answer 401 for that resource (repeatable)\n"
	"      --no-sort NAME        answer 422 to any sort on that resource (sort=id\n"
	"                            is refused on domains anyway) (repeatable)\n"
	"      --ignore-sort NAME    list that resource in its unsorted order whatever\n"
	"                            sort asks (repeatable)\n"
	"      --empty-organizations list no organization at all (data [], total-count 0)\n"
	"      --lie-total NAME:N    state a total-count N off the truth (N < 0: lower),\n"
	"                            with total-pages from the stated total\n"
	"      --midwalk-change DEL:NEW  once page 1 of organizations was served,\n"
	"                            delete organization DEL and add NEW, a copy of it\n"
	"                            (--data only)\n"
	"      --fail-record ID      answer 500 to GET /RESOURCE/ID for that id (repeatable)\n"
	"Hostile modes (a server that is not IT Glue):\n"
	"      --announce-pages N    listings announce N pages (and a total to match)\n"
	"      --gzip-bomb MB        200 answers gzip-encoded, inflating to MB MiB more\n"
	"      --echo-key            error bodies quote the x-api-key sent (also encoded)\n"
	"      --huge-record NAME:ID:BYTES  record ID of NAME gets BYTES bytes of notes\n"
	"      --log-requests        one stderr line per request: method, target, status,\n"
	"                            bytes\n"
	CMD_HELP_COMMON
	"\n"
	"Exit codes: 0 stopped by SIGTERM or SIGINT; 1 runtime failure (cannot listen,\n"
	"I/O); 2 bad option, or a data set that cannot be read.\n";

enum {
	OPT_PORT = CMD_OPT_OWN,
	OPT_PORT_FILE,
	OPT_DATA,
	OPT_GENERATE,
	OPT_CONTACTS_PER_ORG,
	OPT_DOMAINS_PER_ORG,
	OPT_SEED,
	OPT_RATE_LIMIT,
	OPT_RETRY_AFTER,
	OPT_LATENCY_MS,
	OPT_FAIL_RATE,
	OPT_FAIL_HTML_RATE,
	OPT_DROP_RATE,
	OPT_TRUNCATE_RATE,
	OPT_MALFORMED_RATE,
	OPT_HANG,
	OPT_FAULT_SEED,
	OPT_MAX_PAGE_SIZE,
	OPT_LOG_REQUESTS,
	OPT_DENY_RESOURCE,
	OPT_NO_SORT,
	OPT_EMPTY_ORGANIZATIONS,
	OPT_LIE_TOTAL,
	OPT_MIDWALK_CHANGE,
	OPT_FAIL_RECORD,
	OPT_ANNOUNCE_PAGES,
	OPT_GZIP_BOMB,
	OPT_ECHO_KEY,
	OPT_HUGE_RECORD,
	OPT_MUTATE,
	OPT_IGNORE_SORT,
	OPT_MAX_RANGE_DAYS,
};

static const struct option options[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"data", required_argument, NULL, OPT_DATA},
	{"generate", required_argument, NULL, OPT_GENERATE},
	{"contacts-per-org", required_argument, NULL, OPT_CONTACTS_PER_ORG},
	{"domains-per-org", required_argument, NULL, OPT_DOMAINS_PER_ORG},
	{"seed", required_argument, NULL, OPT_SEED},
	{"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
	{"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
	{"latency-ms", required_argument, NULL, OPT_LATENCY_MS},
	{"fail-rate", required_argument, NULL, OPT_FAIL_RATE},
	{"fail-html-rate", required_argument, NULL, OPT_FAIL_HTML_RATE},
	{"drop-rate", required_argument, NULL, OPT_DROP_RATE},
	{"truncate-rate", required_argument, NULL, OPT_TRUNCATE_RATE},
	{"malformed-rate", required_argument, NULL, OPT_MALFORMED_RATE},
	{"hang", no_argument, NULL, OPT_HANG},
	{"fault-seed", required_argument, NULL, OPT_FAULT_SEED},
	{"max-page-size", required_argument, NULL, OPT_MAX_PAGE_SIZE},
	{"log-requests", no_argument, NULL, OPT_LOG_REQUESTS},
	{"deny-resource", required_argument, NULL, OPT_DENY_RESOURCE},
	{"no-sort", required_argument, NULL, OPT_NO_SORT},
	{"empty-organizations", no_argument, NULL, OPT_EMPTY_ORGANIZATIONS},
	{"lie-total", required_argument, NULL, OPT_LIE_TOTAL},
	{"midwalk-change", required_argument, NULL, OPT_MIDWALK_CHANGE},
	{"fail-record", required_argument, NULL, OPT_FAIL_RECORD},
	{"announce-pages", required_argument, NULL, OPT_ANNOUNCE_PAGES},
	{"gzip-bomb", required_argument, NULL, OPT_GZIP_BOMB},
	{"echo-key", no_argument, NULL, OPT_ECHO_KEY},
	{"huge-record", required_argument, NULL, OPT_HUGE_RECORD},
	{"mutate", required_argument, NULL, OPT_MUTATE},
	{"ignore-sort", required_argument, NULL, OPT_IGNORE_SORT},
	{"max-range-days", required_argument, NULL, OPT_MAX_RANGE_DAYS},
	{0, 0, 0, 0},
};

struct flags {
	struct mock_config cfg;
	struct mock_gen_params gen;
	const char *port_file, *data_dir, *mutate;
};

/* A value refused: "--port 99999: give a port from 0 to 65535". */
static int refuse(struct itg_err *e, const char *opt, const char *arg, const char *fix)
{
	return err_set(e, ITG_EXIT_USAGE, "%s %s: %s", opt, arg, fix);
}

static int parse_rate(const char *opt, const char *arg, double *out, struct itg_err *e)
{
	if (cli_parse_double(arg, 0, 1, out) != 0)
		return refuse(e, opt, arg, "give a share from 0 to 1");
	return 0;
}

static int on_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct flags *f = ctx;
	struct mock_config *cfg = &f->cfg;
	long n;
	int r;

	switch (opt) {
	case OPT_PORT:
		if (cli_parse_long(arg, 0, 65535, &cfg->port) != 0)
			return refuse(e, "--port", arg, "give a port from 0 to 65535");
		return 0;
	case OPT_PORT_FILE: f->port_file = arg; return 0;
	case OPT_DATA: f->data_dir = arg; return 0;
	case OPT_GENERATE:
		if (cli_parse_long(arg, 1, 10000000, &f->gen.orgs) != 0)
			return refuse(e, "--generate", arg,
				      "give a number of organizations from 1 to 10000000");
		return 0;
	case OPT_CONTACTS_PER_ORG:
		if (cli_parse_long(arg, 0, 10000, &f->gen.contacts_per_org) != 0)
			return refuse(e, "--contacts-per-org", arg, "give a number from 0 to 10000");
		return 0;
	case OPT_DOMAINS_PER_ORG:
		if (cli_parse_long(arg, 0, 1000, &f->gen.domains_per_org) != 0)
			return refuse(e, "--domains-per-org", arg, "give a number from 0 to 1000");
		return 0;
	case OPT_SEED:
		if (cli_parse_long(arg, 0, 2147483647L, &n) != 0)
			return refuse(e, "--seed", arg, "give a whole number");
		f->gen.seed = (uint64_t)n;
		return 0;
	case OPT_FAULT_SEED:
		if (cli_parse_long(arg, 0, 2147483647L, &n) != 0)
			return refuse(e, "--fault-seed", arg, "give a whole number");
		cfg->fault_seed = (uint64_t)n;
		return 0;
	case OPT_RATE_LIMIT:
		if (cli_parse_double(arg, 0, 1e6, &cfg->rate_limit) != 0)
			return refuse(e, "--rate-limit", arg, "give requests per second, 0 for none");
		return 0;
	case OPT_RETRY_AFTER:
		if (cli_parse_long(arg, 0, 86400, &cfg->retry_after) != 0)
			return refuse(e, "--retry-after", arg, "give seconds from 0 to 86400");
		return 0;
	case OPT_LATENCY_MS:
		if (cli_parse_long(arg, 0, 3600000, &cfg->latency_ms) != 0)
			return refuse(e, "--latency-ms", arg, "give milliseconds");
		return 0;
	case OPT_FAIL_RATE: return parse_rate("--fail-rate", arg, &cfg->fail_rate, e);
	case OPT_FAIL_HTML_RATE: return parse_rate("--fail-html-rate", arg, &cfg->fail_html_rate, e);
	case OPT_DROP_RATE: return parse_rate("--drop-rate", arg, &cfg->drop_rate, e);
	case OPT_TRUNCATE_RATE: return parse_rate("--truncate-rate", arg, &cfg->truncate_rate, e);
	case OPT_MALFORMED_RATE: return parse_rate("--malformed-rate", arg, &cfg->malformed_rate, e);
	case OPT_HANG: cfg->hang = 1; return 0;
	case OPT_MAX_PAGE_SIZE:
		if (cli_parse_long(arg, 1, 1000000, &cfg->max_page_size) != 0)
			return refuse(e, "--max-page-size", arg, "give a number from 1 to 1000000");
		return 0;
	case OPT_DENY_RESOURCE:
		if ((r = mock_resource_lookup(arg)) < 0)
			return refuse(e, "--deny-resource", arg, "give a resource such as contacts");
		cfg->deny_mask |= 1u << r;
		return 0;
	case OPT_NO_SORT:
		if ((r = mock_resource_lookup(arg)) < 0)
			return refuse(e, "--no-sort", arg, "give a resource such as contact_types");
		cfg->nosort_mask |= 1u << r;
		return 0;
	case OPT_IGNORE_SORT:
		if ((r = mock_resource_lookup(arg)) < 0)
			return refuse(e, "--ignore-sort", arg, "give a resource such as contacts");
		cfg->ignoresort_mask |= 1u << r;
		return 0;
	case OPT_EMPTY_ORGANIZATIONS: cfg->empty_organizations = 1; return 0;
	case OPT_LIE_TOTAL:
		if (mock_parse_lie_total(cfg, arg) != 0)
			return refuse(e, "--lie-total", arg, "give RESOURCE:N, e.g. organizations:-3");
		return 0;
	case OPT_MIDWALK_CHANGE:
		if (mock_parse_midwalk_change(cfg, arg) != 0)
			return refuse(e, "--midwalk-change", arg, "give DELETE_ID:NEW_ID, two different ids");
		return 0;
	case OPT_FAIL_RECORD:
		if (mock_parse_fail_record(cfg, arg) != 0)
			return refuse(e, "--fail-record", arg, "give an id (at most 64 of them)");
		return 0;
	case OPT_ANNOUNCE_PAGES:
		if (cli_parse_long(arg, 1, 1000000000000L, &n) != 0)
			return refuse(e, "--announce-pages", arg, "give a number of pages from 1 to 1e12");
		cfg->announce_pages = n;
		return 0;
	case OPT_GZIP_BOMB:
		if (cli_parse_long(arg, 1, 4096, &cfg->gzip_bomb_mb) != 0)
			return refuse(e, "--gzip-bomb", arg, "give MiB from 1 to 4096");
		return 0;
	case OPT_ECHO_KEY: cfg->echo_key = 1; return 0;
	case OPT_HUGE_RECORD:
		if (mock_parse_huge_record(cfg, arg) != 0)
			return refuse(e, "--huge-record", arg,
				      "give RESOURCE:ID:BYTES, e.g. contacts:42:3000000");
		return 0;
	case OPT_LOG_REQUESTS: cfg->log_requests = 1; return 0;
	case OPT_MUTATE: f->mutate = arg; return 0;
	case OPT_MAX_RANGE_DAYS:
		if (cli_parse_long(arg, 1, 36500, &cfg->max_range_days) != 0)
			return refuse(e, "--max-range-days", arg, "give a number of days from 1 to 36500");
		return 0;
	default: return err_set(e, ITG_EXIT_USAGE, "unknown option");
	}
}

/* Announces the port on stdout and, when asked, in the port file. */
static int announce(const struct flags *f, unsigned port, struct itg_err *e)
{
	char text[16];
	int len;

	printf("itg-mock: listening on http://127.0.0.1:%u\n", port);
	if (fflush(stdout) != 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write to stdout");
	if (!f->port_file)
		return 0;
	len = snprintf(text, sizeof text, "%u\n", port);
	return fs_write_atomic(f->port_file, text, (size_t)len, 0644, e);
}

static int run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	struct flags *f = ctx;
	struct mock_source src = {0};
	struct mock_live *live = NULL;
	struct mock_server *server = NULL;
	const char *env_key = getenv("ITG_MOCK_API_KEY");
	sigset_t stop_signals;
	int sig, rc = -1;

	(void)a;
	if (f->data_dir && f->gen.orgs)
		return cmd_usage_error(e, "--data and --generate exclude each other: give one");
	if (f->cfg.fail_rate + f->cfg.drop_rate + f->cfg.truncate_rate + f->cfg.malformed_rate > 1.0)
		return cmd_usage_error(e, "fault rates add up to more than 1: lower them");

	/*
	 * Blocked from here on, and inherited by the server's threads, so that
	 * only sigwait below takes them: a stop requested while a large data set
	 * is still being generated is honoured once listening, with exit 0.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	f->cfg.api_key = env_key && *env_key ? env_key : DEFAULT_API_KEY;
	src.data_dir = f->data_dir;
	src.gen = f->gen.orgs ? &f->gen : NULL;
	src.mutate = f->mutate;
	live = mock_live_open(&src, e);
	if (!live)
		goto out;
	server = mock_server_start(&f->cfg, live, e);
	if (!server || announce(f, mock_server_port(server), e) != 0)
		goto out;
	if (sigwait(&stop_signals, &sig) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot wait for SIGTERM or SIGINT");
		goto out;
	}
	rc = 0;
out:
	mock_server_stop(server);
	mock_live_close(live);
	return rc;
}

static const struct cmd itg_mock = {
	.name = "itg-mock",
	.synopsis = synopsis,
	.help = help,
	.long_options = options,
	.option = on_option,
	.run = run,
};

int main(int argc, char **argv)
{
	struct flags f = {
		.cfg = {.max_page_size = 1000, .fault_seed = 1},
		.gen = {.contacts_per_org = 25, .domains_per_org = 2, .seed = 1},
	};

	return cmd_main(&itg_mock, &f, argc, argv);
}
