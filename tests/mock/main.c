/*
 * itg-mock - a loopback IT Glue API for tests, the demo and benchmarks.
 *
 * Parses options, loads or generates the data set, listens on 127.0.0.1,
 * announces the port, and serves until SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsutil.h"
#include "mock.h"
#include "xalloc.h"

#define DEFAULT_API_KEY "ITG.mock-key"

enum {
	OPT_PORT = OPT_STAGE_BASE,
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
};

static const struct option long_options[] = {
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
	{"version", no_argument, NULL, OPT_VERSION},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

static const char synopsis[] =
	"usage: itg-mock [--port N] [--port-file FILE] [--data DIR | --generate ORGS\n"
	"                [--contacts-per-org N] [--domains-per-org N] [--seed S]]\n"
	"                [--rate-limit RPS] [--retry-after SECONDS] [--latency-ms N]\n"
	"                [--fail-rate F] [--fail-html-rate F] [--drop-rate F]\n"
	"                [--truncate-rate F] [--malformed-rate F] [--hang] [--fault-seed S]\n"
	"                [--max-page-size N] [--deny-resource NAME] [--no-sort NAME]\n"
	"                [--empty-organizations] [--lie-total NAME:N] [--midwalk-change DEL:NEW]\n"
	"                [--fail-record ID] [--log-requests] [--help]\n";

static const char help_text[] =
	"\n"
	"Serves IT Glue's API (organizations, organization_types, organization_statuses,\n"
	"contacts, contact_types, domains) on 127.0.0.1 until SIGTERM or SIGINT.\n"
	"The valid API key is $ITG_MOCK_API_KEY (default ITG.mock-key); it is never printed.\n"
	"\n"
	"  --port N              port to listen on; 0 (default) picks a free one\n"
	"  --port-file FILE      write the port there (atomically) once listening\n"
	"  --data DIR            serve DIR/<resource>.json (JSON arrays; missing = empty)\n"
	"  --generate ORGS       serve a generated data set of ORGS organizations\n"
	"  --contacts-per-org N  about N contacts per generated organization (25)\n"
	"  --domains-per-org N   domains per generated organization (2)\n"
	"  --seed S              generator seed (1)\n"
	"  --rate-limit RPS      token bucket shared by all clients; 0 = off (default)\n"
	"  --retry-after S       send Retry-After: S on 429 (0 = no header)\n"
	"  --latency-ms N        delay every data answer by N ms\n"
	"  --fail-rate F         share of data requests answered 500/502/503\n"
	"  --fail-html-rate F    share of those failures sent as a 502 HTML page\n"
	"  --drop-rate F         share of answers cut off mid-body (connection closed)\n"
	"  --truncate-rate F     share of 200 answers with a short body and Content-Length\n"
	"  --malformed-rate F    share of 200 answers with broken JSON\n"
	"  --hang                accept connections and never answer\n"
	"  --fault-seed S        seed of the fault draws (1)\n"
	"  --max-page-size N     largest page[size] accepted (1000); larger gives 422\n"
	"  --deny-resource NAME  answer 401 for that resource (repeatable)\n"
	"  --no-sort NAME        answer 422 to sort=id on that resource, as for domains (repeatable)\n"
	"  --empty-organizations list no organization at all (data [], total-count 0)\n"
	"  --lie-total NAME:N    state a total-count N off the truth (N < 0: lower), with\n"
	"                        total-pages from the stated total, for that resource\n"
	"  --midwalk-change DEL:NEW  once page 1 of organizations was served, delete\n"
	"                        organization DEL and add NEW, a copy of it (--data only)\n"
	"  --fail-record ID      answer 500 to GET /RESOURCE/ID for that id (repeatable)\n"
	"  --log-requests        one stderr line per request: method, target, status, bytes\n"
	"  --version             print the version and exit\n"
	"  --help                print this help and exit\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "itg-mock: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", synopsis);
	return ITG_EXIT_USAGE;
}

static int parse_rate(const char *arg, double *out)
{
	return cli_parse_double(arg, 0, 1, out);
}

int main(int argc, char **argv)
{
	struct mock_config cfg = {.max_page_size = 1000, .fault_seed = 1};
	struct mock_gen_params gen = {.contacts_per_org = 25, .domains_per_org = 2, .seed = 1};
	struct mock_data data = {0};
	struct mock_server *server = NULL;
	struct itg_err e = {0};
	const char *port_file = NULL, *data_dir = NULL, *env_key;
	sigset_t stop_signals;
	int opt, sig, rc = ITG_EXIT_OK;
	long n;

	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		const char *arg = optarg;

		switch (opt) {
		case OPT_PORT:
			if (cli_parse_long(arg, 0, 65535, &cfg.port) != 0)
				return usage_error("--port %s: give a port from 0 to 65535", arg);
			break;
		case OPT_PORT_FILE:
			port_file = arg;
			break;
		case OPT_DATA:
			data_dir = arg;
			break;
		case OPT_GENERATE:
			if (cli_parse_long(arg, 1, 10000000, &gen.orgs) != 0)
				return usage_error("--generate %s: give a number of organizations from 1 to 10000000", arg);
			break;
		case OPT_CONTACTS_PER_ORG:
			if (cli_parse_long(arg, 0, 10000, &gen.contacts_per_org) != 0)
				return usage_error("--contacts-per-org %s: give a number from 0 to 10000", arg);
			break;
		case OPT_DOMAINS_PER_ORG:
			if (cli_parse_long(arg, 0, 1000, &gen.domains_per_org) != 0)
				return usage_error("--domains-per-org %s: give a number from 0 to 1000", arg);
			break;
		case OPT_SEED:
			if (cli_parse_long(arg, 0, 2147483647L, &n) != 0)
				return usage_error("--seed %s: give a whole number", arg);
			gen.seed = (uint64_t)n;
			break;
		case OPT_FAULT_SEED:
			if (cli_parse_long(arg, 0, 2147483647L, &n) != 0)
				return usage_error("--fault-seed %s: give a whole number", arg);
			cfg.fault_seed = (uint64_t)n;
			break;
		case OPT_RATE_LIMIT:
			if (cli_parse_double(arg, 0, 1e6, &cfg.rate_limit) != 0)
				return usage_error("--rate-limit %s: give requests per second, 0 for none", arg);
			break;
		case OPT_RETRY_AFTER:
			if (cli_parse_long(arg, 0, 86400, &cfg.retry_after) != 0)
				return usage_error("--retry-after %s: give seconds from 0 to 86400", arg);
			break;
		case OPT_LATENCY_MS:
			if (cli_parse_long(arg, 0, 3600000, &cfg.latency_ms) != 0)
				return usage_error("--latency-ms %s: give milliseconds", arg);
			break;
		case OPT_FAIL_RATE:
			if (parse_rate(arg, &cfg.fail_rate) != 0)
				return usage_error("--fail-rate %s: give a share from 0 to 1", arg);
			break;
		case OPT_FAIL_HTML_RATE:
			if (parse_rate(arg, &cfg.fail_html_rate) != 0)
				return usage_error("--fail-html-rate %s: give a share from 0 to 1", arg);
			break;
		case OPT_DROP_RATE:
			if (parse_rate(arg, &cfg.drop_rate) != 0)
				return usage_error("--drop-rate %s: give a share from 0 to 1", arg);
			break;
		case OPT_TRUNCATE_RATE:
			if (parse_rate(arg, &cfg.truncate_rate) != 0)
				return usage_error("--truncate-rate %s: give a share from 0 to 1", arg);
			break;
		case OPT_MALFORMED_RATE:
			if (parse_rate(arg, &cfg.malformed_rate) != 0)
				return usage_error("--malformed-rate %s: give a share from 0 to 1", arg);
			break;
		case OPT_HANG:
			cfg.hang = 1;
			break;
		case OPT_MAX_PAGE_SIZE:
			if (cli_parse_long(arg, 1, 1000000, &cfg.max_page_size) != 0)
				return usage_error("--max-page-size %s: give a number from 1 to 1000000", arg);
			break;
		case OPT_DENY_RESOURCE: {
			int r = mock_resource_lookup(arg);
			if (r < 0)
				return usage_error("--deny-resource %s: give a resource such as contacts", arg);
			cfg.deny_mask |= 1u << r;
			break;
		}
		case OPT_NO_SORT: {
			int r = mock_resource_lookup(arg);
			if (r < 0)
				return usage_error("--no-sort %s: give a resource such as contact_types", arg);
			cfg.nosort_mask |= 1u << r;
			break;
		}
		case OPT_EMPTY_ORGANIZATIONS:
			cfg.empty_organizations = 1;
			break;
		case OPT_LIE_TOTAL:
			if (mock_parse_lie_total(&cfg, arg) != 0)
				return usage_error("--lie-total %s: give RESOURCE:N, e.g. organizations:-3", arg);
			break;
		case OPT_MIDWALK_CHANGE:
			if (mock_parse_midwalk_change(&cfg, arg) != 0)
				return usage_error("--midwalk-change %s: give DELETE_ID:NEW_ID, two different ids", arg);
			break;
		case OPT_FAIL_RECORD:
			if (mock_parse_fail_record(&cfg, arg) != 0)
				return usage_error("--fail-record %s: give an id (at most 64 of them)", arg);
			break;
		case OPT_LOG_REQUESTS:
			cfg.log_requests = 1;
			break;
		case OPT_VERSION:
			cli_print_version("itg-mock");
			return ITG_EXIT_OK;
		case OPT_HELP:
			fputs(synopsis, stdout);
			fputs(help_text, stdout);
			return ITG_EXIT_OK;
		default:
			fputs(synopsis, stderr);
			return ITG_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument %s: options only", argv[optind]);
	if (data_dir && gen.orgs)
		return usage_error("%s", "--data and --generate exclude each other: give one");
	if (cfg.fail_rate + cfg.drop_rate + cfg.truncate_rate + cfg.malformed_rate > 1.0)
		return usage_error("%s", "fault rates add up to more than 1: lower them");

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

	env_key = getenv("ITG_MOCK_API_KEY");
	cfg.api_key = env_key && *env_key ? env_key : DEFAULT_API_KEY;

	if (data_dir ? mock_data_load(&data, data_dir, &e)
		     : mock_data_generate(&data, gen.orgs ? &gen : NULL, &e)) {
		rc = e.code ? e.code : ITG_EXIT_RUNTIME;
		goto out;
	}

	server = mock_server_start(&cfg, &data, &e);
	if (!server) {
		rc = e.code;
		goto out;
	}
	printf("itg-mock: listening on http://127.0.0.1:%u\n", mock_server_port(server));
	if (fflush(stdout) != 0) {
		err_set(&e, ITG_EXIT_RUNTIME, "cannot write to stdout");
		rc = e.code;
		goto out;
	}
	if (port_file) {
		char text[16];
		int len = snprintf(text, sizeof text, "%u\n", mock_server_port(server));
		if (fs_write_atomic(port_file, text, (size_t)len, 0644, &e) != 0) {
			rc = e.code;
			goto out;
		}
	}
	if (sigwait(&stop_signals, &sig) != 0)
		rc = ITG_EXIT_RUNTIME;
out:
	mock_server_stop(server);
	mock_data_free(&data);
	if (rc != ITG_EXIT_OK && e.code)
		fprintf(stderr, "itg-mock: %s\n", e.msg);
	return rc;
}
