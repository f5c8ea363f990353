/*
 * itg-transform: snapshot + settings + store -> plan (CONTRACT.md section 6).
 * Options only; the work is in transform.c and the rule files.
 */
#include "cli.h"
#include "err.h"
#include "log.h"
#include "transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAGE "itg-transform"

enum { OPT_SNAPSHOT = OPT_STAGE_BASE, OPT_OUT, OPT_STORE, OPT_DISCONNECT };

static const char synopsis[] =
	"usage: itg-transform -p PIPELINE --snapshot DIR --out PLANDIR [--store DIR] "
	"[--disconnect]\n";

static void usage(void)
{
	fputs(synopsis, stderr);
	fputs("try 'itg-transform --help' for more\n", stderr);
	exit(ITG_EXIT_USAGE);
}

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Compares an IT Glue snapshot with a product store under the pipeline's\n"
	      "settings and writes the changes to make as a plan.  Pure and deterministic:\n"
	      "the same inputs give a byte-identical plan; the store is only read.\n"
	      "\n"
	      "      --snapshot DIR    snapshot written by itg-extract (required)\n"
	      "      --out PLANDIR     plan folder to write, published atomically (required)\n"
	      "      --store DIR       product store folder (default: the pipeline's store)\n"
	      "      --disconnect      plan only the removal of every link and mark the\n"
	      "                        integration disconnected\n"
	      CLI_COMMON_HELP
	      "\n"
	      "Rules, in the order they are applied:\n"
	      "  1 filters    a link to an IT Glue org whose type or status is not selected\n"
	      "               is removed (unlink filtered_out)\n"
	      "  2 deletion   a link to an org gone from IT Glue is removed (itglue_deleted)\n"
	      "  3 one-to-one a manual link wins over an auto or import link\n"
	      "               (superseded_by_manual); colliding manual links are an error\n"
	      "  4 auto-link  unlinked orgs with matching names link (off, exact,\n"
	      "               normalized, fuzzy); a name with several candidates is\n"
	      "               reported for review and never imported\n"
	      "  5 rename     a linked product org takes the IT Glue name\n"
	      "  6 import     unlinked in-scope orgs chosen by import.select are created\n"
	      "  7 contacts   BullPhish ID: contacts of the selected types with a usable\n"
	      "               email become users (import, link, update, unlink or skip)\n"
	      "  8 licenses   BullPhish ID: phishing/training stay off for an imported org\n"
	      "               that would exceed the license (first fit, ascending id)\n"
	      "  9 domains    Dark Web ID: domains of linked orgs are planned pending, or\n"
	      "               unimported (invalid, gov, protected, license limit)\n"
	      "\n"
	      "Output: PLANDIR/plan.ndjson, one JSON action per line in the order unlink,\n"
	      "link, review, rename, import_organization and skip, contact lines, domains;\n"
	      "PLANDIR/manifest.json with the snapshot identity, the settings hash, the store\n"
	      "file fingerprints, the plan's size and CRC-32 and the counts per action.\n"
	      "\n"
	      "Exit codes: 0 success; 1 runtime failure (I/O); 2 bad option, settings,\n"
	      "snapshot or store (the message names the file and line); on any failure no\n"
	      "plan folder is written.\n",
	      stdout);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"snapshot", required_argument, NULL, OPT_SNAPSHOT},
		{"out", required_argument, NULL, OPT_OUT},
		{"store", required_argument, NULL, OPT_STORE},
		{"disconnect", no_argument, NULL, OPT_DISCONNECT},
		{NULL, 0, NULL, 0},
	};
	struct cli_common common = {0};
	struct transform_opts o = {0};
	struct itg_err e = {0};
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "p:", longopts, NULL)) != -1) {
		rc = cli_common_option(&common, opt, optarg, &e);
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", STAGE, e.msg);
			usage();
		}
		if (rc > 0)
			continue;
		switch (opt) {
		case OPT_SNAPSHOT:
			o.snapshot = optarg;
			break;
		case OPT_OUT:
			o.out = optarg;
			break;
		case OPT_STORE:
			o.store = optarg;
			break;
		case OPT_DISCONNECT:
			o.disconnect = 1;
			break;
		default:
			usage();
		}
	}
	if (common.want_help) {
		help();
		return fclose(stdout) == 0 ? ITG_EXIT_OK : ITG_EXIT_RUNTIME;
	}
	if (common.want_version) {
		cli_print_version(STAGE);
		return fclose(stdout) == 0 ? ITG_EXIT_OK : ITG_EXIT_RUNTIME;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", STAGE, argv[optind]);
		usage();
	}
	log_init(STAGE, common.log_format, common.quiet, common.verbose);
	o.pipeline = common.pipeline;
	if (!o.pipeline || !o.snapshot || !o.out) {
		fprintf(stderr, "%s: -p PIPELINE, --snapshot DIR and --out PLANDIR are required\n",
			STAGE);
		usage();
	}
	if (transform_run(&o, &e) != 0) {
		log_error("%s", e.msg);
		return e.code ? e.code : ITG_EXIT_RUNTIME;
	}
	return ITG_EXIT_OK;
}
