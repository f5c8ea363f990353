/* itg-extract: IT Glue to a snapshot folder (docs/contract.md section 3). */
#include "cmd.h"
#include "extract.h"
#include "options.h"
#include "paging.h"
#include "pipeline.h"
#include "ratelimit.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
	"usage: itg-extract -p PIPELINE --out DIR [options]\n"
	"       itg-extract --region us|eu|au [--base-url URL] --out DIR [--resources LIST]\n"
	"                   [--page-size N] [--rate RPS] [--concurrency N] [--timeout S]\n"
	"                   [--retries N] [--api-key-file FILE]\n"
	"                   [--since SNAPDIR | --full] [--full-every DURATION]\n";

static const char help[] =
	"Reads organizations, organization types and statuses, contacts, contact types\n"
	"and domains from the IT Glue API into DIR: one <resource>.ndjson.gz per resource\n"
	"(records sorted by id) and manifest.json, published in one step.\n\n"
	"Options:\n"
	"      --out DIR            snapshot folder to create or replace (required)\n"
	"      --region R           IT Glue data centre: us (default), eu or au; also\n"
	"                           overrides the pipeline's itglue.base_url\n"
	"      --base-url URL       another API address (https://; http:// only to\n"
	"                           127.0.0.1, ::1 or localhost, for a test server)\n"
	"      --resources LIST     comma-separated: organizations, organization_types,\n"
	"                           organization_statuses, contacts, contact_types, domains\n"
	"                           (default: what the pipeline's product needs; else all)\n"
	"      --page-size N        records per page, 1-1000 (default 1000)\n"
	"      --rate RPS           requests per second, shared by all transfers (default 8;\n"
	"                           halved after a 429 for the rest of the run)\n"
	"      --concurrency N      pages fetched at once, 1-32 (default 4)\n"
	"      --timeout S          seconds per request, 1-3600 (default 60)\n"
	"      --retries N          retries per request, 0-100 (default 6)\n"
	"      --api-key-file FILE  read the API key from FILE (a plain file, not a link,\n"
	"                           mode 0600)\n"
	"      --since SNAPDIR      incremental: start from the snapshot SNAPDIR and ask\n"
	"                           only what changed since it began (with\n"
	"                           itglue.incremental: true, SNAPDIR defaults to --out)\n"
	"      --full               walk everything, whatever itglue.incremental says\n"
	"      --full-every D       walk everything when the last full walk began longer\n"
	"                           ago than D: 30m, 24h, 7d (default 24h)\n"
	CMD_HELP_PIPELINE
	CMD_HELP_COMMON
	"\nThe API key comes from the environment variable ITGLUE_API_KEY, else from the\n"
	"key file (--api-key-file, or itglue.api_key_file in the pipeline). It is never\n"
	"accepted as an argument and never printed. Set ITG_CA_BUNDLE to a PEM file to\n"
	"trust a private certificate authority. The files are compressed on one thread\n"
	"per CPU (at most 8); ITG_THREADS=N (1 to 8, other values are exit 2) sets the\n"
	"number, not the bytes.\n\n"
	"Exit codes: 0 success; 1 runtime failure (network still failing after retries,\n"
	"server errors, I/O); 2 usage or configuration error, or no API key; 3 IT Glue\n"
	"refused the key (HTTP 401/403: wrong or revoked key, wrong region, IP not on the\n"
	"allowlist).\n\n"
	"Example:\n"
	"  ITGLUE_API_KEY=... itg-extract --region eu --out out/snapshot\n"
	"  itg-extract -p pipelines/bullphish.yaml --out out/bullphish/snapshot\n"
	"  itg-extract -p pipelines/bullphish.yaml --since out/bullphish/latest/snapshot \\\n"
	"              --out out/bullphish/new/snapshot\n";

enum {
	OPT_OUT = CMD_OPT_OWN,
	OPT_REGION,
	OPT_BASE_URL,
	OPT_RESOURCES,
	OPT_PAGE_SIZE,
	OPT_RATE,
	OPT_CONCURRENCY,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_API_KEY_FILE,
	OPT_SINCE,
	OPT_FULL,
	OPT_FULL_EVERY,
};

static const struct option options[] = {
	{"out", required_argument, NULL, OPT_OUT},
	{"region", required_argument, NULL, OPT_REGION},
	{"base-url", required_argument, NULL, OPT_BASE_URL},
	{"resources", required_argument, NULL, OPT_RESOURCES},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{"rate", required_argument, NULL, OPT_RATE},
	{"concurrency", required_argument, NULL, OPT_CONCURRENCY},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"api-key-file", required_argument, NULL, OPT_API_KEY_FILE},
	{"since", required_argument, NULL, OPT_SINCE},
	{"full", no_argument, NULL, OPT_FULL},
	{"full-every", required_argument, NULL, OPT_FULL_EVERY},
	{0, 0, 0, 0},
};

/* Flags as given; NULL / 0 / -1 = not given. */
struct flags {
	const char *out, *region, *base_url, *resources, *api_key_file, *since;
	long page_size, concurrency, timeout, retries;
	double rate;
	int full;
	long long full_every;    /* 0 = not given */
};

static int parse_number(const char *opt, const char *arg, long min, long max, long *out,
			struct itg_err *e)
{
	if (cli_parse_long(arg, min, max, out) != 0)
		return err_set(e, ITG_EXIT_USAGE, "%s: \"%s\" is not a whole number from %ld to %ld",
			       opt, arg, min, max);
	return 0;
}

static int on_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct flags *fl = ctx;

	switch (opt) {
	case OPT_OUT: fl->out = arg; return 0;
	case OPT_REGION: fl->region = arg; return 0;
	case OPT_BASE_URL: fl->base_url = arg; return 0;
	case OPT_RESOURCES: fl->resources = arg; return 0;
	case OPT_API_KEY_FILE: fl->api_key_file = arg; return 0;
	case OPT_SINCE: fl->since = arg; return 0;
	case OPT_FULL: fl->full = 1; return 0;
	case OPT_FULL_EVERY:
		if (pipeline_parse_duration(arg, &fl->full_every) != 0)
			return err_set(e, ITG_EXIT_USAGE,
				       "--full-every: \"%s\" is not a duration: write minutes, hours "
				       "or days as 30m, 24h or 7d (at most 3650d)",
				       arg);
		return 0;
	case OPT_PAGE_SIZE:
		return parse_number("--page-size", arg, 1, PAGE_SIZE_MAX, &fl->page_size, e);
	case OPT_CONCURRENCY:
		return parse_number("--concurrency", arg, 1, 32, &fl->concurrency, e);
	case OPT_TIMEOUT: return parse_number("--timeout", arg, 1, 3600, &fl->timeout, e);
	case OPT_RETRIES: return parse_number("--retries", arg, 0, 100, &fl->retries, e);
	case OPT_RATE:
		if (cli_parse_double(arg, 0.1, 1000, &fl->rate) != 0)
			return err_set(e, ITG_EXIT_USAGE,
				       "--rate: \"%s\" is not a number of requests per second from "
				       "0.1 to 1000",
				       arg);
		return 0;
	default:
		return err_set(e, ITG_EXIT_USAGE, "unknown option");
	}
}

/*
 * Explicit flags override the pipeline file (pl, or NULL without -p), which
 * overrides the defaults.  Fills o but for the key; *base_url is the
 * caller's to free.  A value refused here is a usage error.
 */
static int settle_options(const struct flags *fl, const struct pipeline *pl,
			  struct extract_options *o, char **base_url, struct itg_err *e)
{
	const char *region = fl->region ? fl->region : pl ? pl->region : NULL;
	/* an explicit --region overrides the file's base_url as much as its region */
	const char *base_in = fl->base_url ? fl->base_url
			      : pl && !fl->region ? pl->base_url : NULL;

	o->page_size = fl->page_size ? fl->page_size
		       : pl && pl->page_size > 0 ? pl->page_size : PAGE_SIZE_DEFAULT;
	o->rate = fl->rate > 0 ? fl->rate : pl && pl->rate > 0 ? pl->rate : RATELIMIT_DEFAULT_RPS;
	o->concurrency = fl->concurrency ? fl->concurrency
			 : pl && pl->concurrency > 0 ? pl->concurrency
						     : EXTRACT_DEFAULT_CONCURRENCY;
	o->timeout = fl->timeout ? fl->timeout
		     : pl && pl->timeout > 0 ? pl->timeout : EXTRACT_DEFAULT_TIMEOUT;
	o->retries = fl->retries >= 0 ? fl->retries
		     : pl && pl->retries >= 0 ? pl->retries : EXTRACT_DEFAULT_RETRIES;
	if (o->page_size < 1 || o->page_size > PAGE_SIZE_MAX)
		return cmd_usage_error(e, "itglue.page_size must be from 1 to 1000");
	if (fl->resources) {
		if (extract_parse_resources(fl->resources, o->resources, e) != 0)
			return cmd_as_usage_error(e);
	} else {
		extract_default_resources(pl ? pl->product : PRODUCT_NONE, o->resources);
	}
	if (extract_resolve_base_url(region, base_in, base_url, &o->allow_http, e) != 0) {
		const char *why = e->msg;

		if (fl->base_url || !base_in)
			return cmd_as_usage_error(e);
		/* the pipeline's value: name its file, line and column as for any key */
		if (strncmp(why, "--base-url: ", 12) == 0)
			why += 12;
		{
			char msg[sizeof e->msg];

			snprintf(msg, sizeof msg, "%s", why);
			return err_set(e, ITG_EXIT_USAGE, "%s:%ld:%ld: itglue.base_url: %s", pl->path,
				       pl->base_url_line, pl->base_url_col, msg);
		}
	}
	o->base_url = *base_url;
	/* the region as the flag or the pipeline gives it, also beside a base URL:
	 * the manifest records both */
	o->region = region && *region ? region : "us";
	o->out_dir = fl->out;
	o->store = pl ? pl->store : NULL;
	if (fl->since && fl->full)
		return cmd_usage_error(e, "--since and --full exclude each other: give one");
	/* incremental from the snapshot about to be replaced, unless told another */
	o->since = fl->full ? NULL : fl->since ? fl->since : pl && pl->incremental ? fl->out : NULL;
	o->since_given = fl->since != NULL;
	o->full_every = fl->full_every ? fl->full_every
			: pl ? pl->full_every : PIPELINE_FULL_EVERY_DEFAULT;
	o->ca_bundle = getenv("ITG_CA_BUNDLE");
	return 0;
}

/* SIGINT/SIGTERM: stop fetching, remove the staged folder, exit 1. */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* libcurl and the signal handlers around extract_run. */
static int fetch_snapshot(struct extract_options *o, struct itg_err *e)
{
	struct sigaction sa;
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot initialise libcurl");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o->stop = &got_signal;
	rc = extract_run(o, e);
	curl_global_cleanup();
	return rc;
}

static int run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	const struct flags *fl = ctx;
	struct pipeline loaded = {0};
	const struct pipeline *pl = NULL;
	struct extract_options o = {0};
	char *base_url = NULL, *key = NULL;
	const char *key_file;
	int rc = -1;

	if (!fl->out)
		return cmd_usage_error(e, "--out DIR is required");
	if (a->pipeline) {
		if (pipeline_load(a->pipeline, &loaded, e) != 0)
			return -1;
		pl = &loaded;
	}
	if (settle_options(fl, pl, &o, &base_url, e) != 0)
		goto out;
	key_file = fl->api_key_file ? fl->api_key_file : pl ? pl->api_key_file : NULL;
	if (cli_load_api_key(key_file, &key, e) != 0)
		goto out;
	for (const char *p = key; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
			err_set(e, ITG_EXIT_USAGE,
				"the API key holds spaces or control characters: copy it again "
				"from IT Glue (Account > Settings > API Keys)");
			goto out;
		}
	o.api_key = key;
	rc = fetch_snapshot(&o, e);
out:
	cli_forget_key(key);
	free(base_url);
	if (pl)
		pipeline_free(&loaded);
	return rc;
}

static const struct cmd itg_extract = {
	.name = "itg-extract",
	.synopsis = synopsis,
	.help = help,
	.flags = CMD_PIPELINE,
	.long_options = options,
	.option = on_option,
	.run = run,
};

int main(int argc, char **argv)
{
	struct flags fl = {.retries = -1};

	return cmd_main(&itg_extract, &fl, argc, argv);
}
