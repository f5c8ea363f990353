/*
 * itg-transform: snapshot + settings + store -> plan (docs/contract.md section 6).
 * Options only; the work is in transform.c and the rule files.
 */
#include "cmd.h"
#include "transform.h"

#include <stddef.h>
#include <stdio.h>

static const char synopsis[] =
	"usage: itg-transform -p PIPELINE --snapshot DIR --out PLANDIR [--store DIR] "
	"[--connect]\n"
	"       itg-transform -p PIPELINE [--snapshot DIR] --out PLANDIR [--store DIR] "
	"--disconnect\n"
	"       itg-transform -p PIPELINE --snapshot DIR [--store DIR] [--out PLANDIR] "
	"--explain ORG\n";

static const char help[] =
	"Compares an IT Glue snapshot with a product store under the pipeline's\n"
	"settings and writes the changes to make as a plan.  Pure and deterministic:\n"
	"the same inputs give a byte-identical plan; the store is only read.\n"
	"\n"
	"      --snapshot DIR    snapshot written by itg-extract (required, except with\n"
	"                        --disconnect)\n"
	"      --out PLANDIR     plan folder to write, published atomically (required)\n"
	"      --store DIR       product store folder (default: the pipeline's store);\n"
	"                        it must exist (a new store is an empty folder)\n"
	"      --disconnect      plan only the removal of every link and mark the\n"
	"                        integration disconnected by the operator; every later\n"
	"                        run is refused until one is made with --connect.  Needs\n"
	"                        no snapshot (IT Glue may be unreachable)\n"
	"      --connect         bind the store to this pipeline on purpose: plan even\n"
	"                        for a store bound elsewhere or disconnected by the\n"
	"                        operator (the load records the new binding)\n"
	"      --explain ORG     print, for the IT Glue or product organization ORG (an\n"
	"                        id or a name; every match when several), every rule's\n"
	"                        decision: scope, existing links, name key and\n"
	"                        auto-link candidates, import and licenses, its state\n"
	"                        after the plan, its contacts or domains.  Writes no\n"
	"                        plan unless --out is given; exit 2 with the closest\n"
	"                        names when nothing matches\n"
	CMD_HELP_PIPELINE
	CMD_HELP_COMMON
	"\n"
	"Before planning, the store's integration.json is read: a store bound to\n"
	"another product, pipeline name or IT Glue account (the snapshot's primary\n"
	"organization), or disconnected by the operator, is refused (exit 4) unless\n"
	"--connect is given.  A store with no binding yet is not refused.\n"
	"\n"
	"Rules, in the order they are applied:\n"
	"  1 filters    a link to an IT Glue org whose type or status is not selected\n"
	"               is removed (unlink filtered_out)\n"
	"  2 deletion   a link to an org gone from IT Glue is removed (itglue_deleted)\n"
	"               only when the snapshot confirms the deletion (IT Glue answered\n"
	"               404 for it); gone without that, the link is kept and reported\n"
	"               (review unconfirmed_deletion)\n"
	"  3 one-to-one a manual link wins over an auto or import link\n"
	"               (superseded_by_manual); colliding manual links are an error\n"
	"  4 auto-link  unlinked orgs with matching names link (off, exact,\n"
	"               normalized, fuzzy); a name with several candidates is\n"
	"               reported for review and never imported\n"
	"  5 rename     a linked product org takes the IT Glue name\n"
	"  6 import     unlinked in-scope orgs chosen by import.select are created;\n"
	"               a select entry matching no org is reported (review\n"
	"               select_not_found) and the run goes on\n"
	"  7 contacts   BullPhish ID: contacts of the selected types with a usable\n"
	"               email become users (import, link, update, unlink or skip)\n"
	"  8 licenses   BullPhish ID: phishing/training stay off for an imported org\n"
	"               that would exceed the license (first fit, ascending id)\n"
	"  9 domains    Dark Web ID: domains of linked orgs are planned pending, or\n"
	"               unimported (invalid, gov, protected, license limit)\n"
	"\n"
	"Output: PLANDIR/plan.ndjson, one JSON action per line in the order unlink,\n"
	"link, review, rename, import_organization and skip, contact lines, domains;\n"
	"PLANDIR/inventory.ndjson, the state after the plan for the report: the\n"
	"filters, the organization types, statuses and contact types with their\n"
	"counts, every IT Glue organization with its state (linked, review,\n"
	"available, held, out_of_scope) and the links to organizations gone from the\n"
	"snapshot; PLANDIR/manifest.json with the snapshot identity, the settings\n"
	"hash, the store file fingerprints, the size and CRC-32 of both files and the\n"
	"counts per action.\n"
	"\n"
	"Exit codes: 0 success; 1 runtime failure (I/O); 2 bad option, settings,\n"
	"snapshot or store (no store folder, a bad row, an id that is not a number,\n"
	"bytes that are not UTF-8, the other product's table: the message names the\n"
	"file and line; with --explain, no organization matches ORG); 4 the store is\n"
	"bound elsewhere or was disconnected by the operator; on any failure no plan\n"
	"folder is written.\n"
	"\n"
	"The contacts are parsed and judged on one thread per CPU (at most 8);\n"
	"ITG_THREADS=N (1 to 8) sets the number (other values are exit 2).  The\n"
	"plan is the same for any.\n";

enum { OPT_SNAPSHOT = CMD_OPT_OWN, OPT_OUT, OPT_STORE, OPT_DISCONNECT, OPT_CONNECT, OPT_EXPLAIN };

static const struct option options[] = {
	{"snapshot", required_argument, NULL, OPT_SNAPSHOT},
	{"out", required_argument, NULL, OPT_OUT},
	{"store", required_argument, NULL, OPT_STORE},
	{"disconnect", no_argument, NULL, OPT_DISCONNECT},
	{"connect", no_argument, NULL, OPT_CONNECT},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{0, 0, 0, 0},
};

static int on_option(void *ctx, int opt, const char *arg, struct itg_err *e)
{
	struct transform_opts *o = ctx;

	switch (opt) {
	case OPT_SNAPSHOT: o->snapshot = arg; return 0;
	case OPT_OUT: o->out = arg; return 0;
	case OPT_STORE: o->store = arg; return 0;
	case OPT_DISCONNECT: o->disconnect = 1; return 0;
	case OPT_CONNECT: o->connect = 1; return 0;
	case OPT_EXPLAIN: o->explain = arg; return 0;
	default: return err_set(e, ITG_EXIT_USAGE, "unknown option");
	}
}

static int run(void *ctx, const struct cmd_args *a, struct itg_err *e)
{
	struct transform_opts *o = ctx;

	o->pipeline = a->pipeline;
	o->explain_out = stdout;
	if (o->connect && o->disconnect)
		return cmd_usage_error(e, "--connect and --disconnect exclude each other");
	if (o->explain && o->disconnect)
		return cmd_usage_error(e, "--explain and --disconnect exclude each other");
	if (o->explain && !*o->explain)
		return cmd_usage_error(e, "--explain needs an organization: an id or a name");
	if (!o->pipeline || (!o->out && !o->explain) || (!o->snapshot && !o->disconnect))
		return cmd_usage_error(e, "-p PIPELINE, --snapshot DIR and --out PLANDIR are "
					  "required (--snapshot is optional with --disconnect, "
					  "--out with --explain)");
	return transform_run(o, e);
}

static const struct cmd itg_transform = {
	.name = "itg-transform",
	.synopsis = synopsis,
	.help = help,
	.flags = CMD_PIPELINE,
	.long_options = options,
	.option = on_option,
	.run = run,
};

int main(int argc, char **argv)
{
	struct transform_opts o = {0};

	return cmd_main(&itg_transform, &o, argc, argv);
}
