/* Unit tests of a whole itg-load run: plan checks, stale plans, the lock, dry runs. */
#include "unit.h"

#include "../../load/journal.h"
#include "lock.h"
#include "../../load/planread.h"
#include "../../load/progress.h"
#include "../../load/run.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "xalloc.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char *const orgs =
	"id,name,employee_count,industry,last_sync\n1,Acme,11-50,Other,\n4,Globex,1-10,Other,\n";
static const char *const links =
	"organization_id,itglue_organization_id,source,linked_at\n1,101,manual,x\n";
static const char *const plan_lines =
	"{\"action\":\"link\",\"organization_id\":\"4\",\"itglue_organization_id\":\"102\","
	"\"reason\":\"name_match\",\"match\":\"exact\"}\n"
	"{\"action\":\"import_domain\",\"organization_id\":\"1\",\"itglue_organization_id\":\"101\","
	"\"itglue_domain_id\":\"501\",\"domain\":\"acme.example\",\"status\":\"pending\","
	"\"reason\":null}\n";

/* The pipeline file the unit plans were made with, as its FNV-1a 64. */
#define SETTINGS_HASH 0x00000000deadbeefULL
#define SETTINGS_HEX "00000000deadbeef"

struct world {
	char *top, *store, *plan, *report;
	struct load_opts o;
	struct load_outcome out;
	struct itg_err e;
};

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

/* Writes PLAN/manifest.json the way itg-transform does (docs/plan-format.md). */
static void seal(struct world *w, const char *product, int format, const char *text)
{
	static const char *const tables[] = {"organizations.csv", "links.csv", "domains.csv", NULL};
	yajl_gen g = json_gen_new();
	struct buf b = {0};
	char hex[32];
	long lines = 0;

	write_in(w->plan, "plan.ndjson", text);
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	yajl_gen_map_open(g);
	json_kv_int(g, "format", format);
	json_kv_str(g, "pipeline", "unit");
	json_kv_str(g, "product", product);
	json_kv_str(g, "integration_status", "connected");
	json_kv_str(g, "settings_fnv1a64", SETTINGS_HEX);
	json_key(g, "snapshot");
	yajl_gen_map_open(g);
	json_kv_str(g, "region", "us");
	json_kv_str(g, "finished_at", "2026-03-01T05:00:07Z");
	yajl_gen_map_close(g);
	json_key(g, "store");
	yajl_gen_map_open(g);
	json_key(g, "files");
	yajl_gen_map_open(g);
	for (int i = 0; tables[i]; i++) {
		char *path = fs_join(w->store, tables[i]);
		struct fingerprint fp;
		CU_ASSERT_EQUAL(fs_fingerprint(path, &fp, &w->e), 0);
		free(path);
		json_key(g, tables[i]);
		yajl_gen_map_open(g);
		json_kv_bool(g, "present", fp.present);
		json_kv_int(g, "bytes", (long long)fp.bytes);
		snprintf(hex, sizeof hex, "%016" PRIx64, fp.hash);
		json_kv_str(g, "fnv1a64", hex);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_key(g, "plan");
	yajl_gen_map_open(g);
	json_kv_int(g, "lines", lines);
	json_kv_int(g, "bytes", (long long)strlen(text));
	snprintf(hex, sizeof hex, "%08lx",
		 crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text, (uInt)strlen(text)));
	json_kv_str(g, "crc32", hex);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_gen_take(g, &b);
	yajl_gen_free(g);
	write_in(w->plan, "manifest.json", buf_str(&b));
	buf_free(&b);
}

static void world_open(struct world *w)
{
	memset(w, 0, sizeof *w);
	w->top = unit_tmpdir();
	w->store = fs_join(w->top, "store");
	w->plan = fs_join(w->top, "plan");
	w->report = fs_join(w->top, "report");
	CU_ASSERT_EQUAL(fs_mkdir_p(w->store, 0700, &w->e), 0);
	CU_ASSERT_EQUAL(fs_mkdir_p(w->plan, 0700, &w->e), 0);
	write_in(w->store, "organizations.csv", orgs);
	write_in(w->store, "links.csv", links);
	seal(w, "darkwebid", 1, plan_lines);
	w->o = (struct load_opts){.pipeline_name = "unit", .product = PRODUCT_DARKWEBID,
				  .store = w->store, .region = "us", .lic_phishing = -1,
				  .lic_training = -1, .lic_domains = 10, .plan_dir = w->plan,
				  .report_dir = w->report, .pipeline_path = "p.yaml",
				  .settings_hash = SETTINGS_HASH,
				  .max_unlinks = {1, 10.0, 0}, .max_user_unlinks = {1, 10.0, 0}};
}

static void world_close(struct world *w)
{
	free(w->store);
	free(w->plan);
	free(w->report);
	unit_rmtree(w->top);
}

/* Names and bytes of every file in dir, one string (caller frees). */
static char *listing(const char *dir)
{
	struct buf b = {0};
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char *path = fs_join(dir, names[i]->d_name);
		struct buf f = {0};
		struct itg_err e = {0};
		buf_addf(&b, "== %s\n", names[i]->d_name);
		if (!fs_is_dir(path) && fs_read_all(path, &f, 0, &e) == 0)
			buf_add(&b, buf_str(&f), f.len);
		buf_free(&f);
		free(path);
		free(names[i]);
	}
	free(names);
	return buf_detach(&b);
}

static int load(struct world *w)
{
	err_clear(&w->e);
	return load_run(&w->o, &w->out, &w->e);
}

static void test_run_applies_and_writes_the_four_report_files(void)
{
	struct world w;
	const char *names[] = {"report.md", "report.html", "changes.csv", "summary.json", NULL};

	world_open(&w);
	CU_ASSERT_EQUAL(load(&w), 0);
	CU_ASSERT_EQUAL(w.out.rows_changed, 4); /* link row, org last_sync, domain, status */
	for (int i = 0; names[i]; i++) {
		char *p = fs_join(w.report, names[i]);
		CU_ASSERT(fs_exists(p));
		free(p);
	}
	{
		char *p = fs_join(w.store, "domains.csv");
		struct buf b = {0};
		CU_ASSERT_EQUAL(fs_read_all(p, &b, 0, &w.e), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "1,1,acme.example,501,imported,,"));
		buf_free(&b);
		free(p);
	}
	CU_ASSERT_FALSE(journal_pending(w.store));
	world_close(&w);
}

/*
 * The report is written before the store transaction commits: when it cannot
 * be written (here a file stands where its folder's parent should be; the
 * tests run as root, so an unwritable folder would not do), the store is left
 * byte for byte as it was, with no journal, and the same plan still applies.
 */
static void test_report_that_cannot_be_written_leaves_the_store_untouched(void)
{
	struct world w;
	char *before, *after, *blocker;
	int fd = -1;

	world_open(&w);
	/* the lock file is the one thing a failed run may leave: make it first */
	CU_ASSERT_EQUAL_FATAL(store_lock_acquire(w.store, &fd, &w.e), 0);
	store_lock_release(fd);
	blocker = fs_join(w.top, "blocker");
	write_in(w.top, "blocker", "a file, not a folder\n");
	free(w.report);
	w.report = fs_join(blocker, "report");
	w.o.report_dir = w.report;
	before = listing(w.store);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_RUNTIME);
	if (!strstr(w.e.msg, "blocker"))
		fprintf(stderr, "\n  got: %s\n", w.e.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "blocker"));
	after = listing(w.store);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT_FALSE(journal_pending(w.store));
	/* nothing was lost: the plan is not stale, and applies with its report */
	free(w.report);
	w.report = fs_join(w.top, "report");
	w.o.report_dir = w.report;
	CU_ASSERT_EQUAL(load(&w), 0);
	{
		char *p = fs_join(w.report, "summary.json");
		CU_ASSERT(fs_exists(p));
		free(p);
	}
	free(before);
	free(after);
	free(blocker);
	world_close(&w);
}

static void test_stale_plan_is_refused_naming_the_file(void)
{
	struct world w;

	world_open(&w);
	write_in(w.store, "links.csv", "organization_id,itglue_organization_id,source,linked_at\n");
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "/store/links.csv changed since the plan was made"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "re-run itg-transform"));
	CU_ASSERT_FALSE(fs_exists(w.report));
	world_close(&w);
}

static void test_store_file_that_appeared_makes_the_plan_stale(void)
{
	struct world w;

	world_open(&w);
	write_in(w.store, "domains.csv", "id,organization_id,domain,status\n");
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "domains.csv appeared"));
	world_close(&w);
}

static void test_second_load_of_the_same_plan_is_stale(void)
{
	struct world w;

	world_open(&w);
	CU_ASSERT_EQUAL(load(&w), 0);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	world_close(&w);
}

static void test_held_lock_is_refused_for_load_and_dry_run(void)
{
	struct world w;
	int fd = -1;
	char *want;

	world_open(&w);
	CU_ASSERT_EQUAL_FATAL(store_lock_acquire(w.store, &fd, &w.e), 0);
	want = xasprintf("another run holds the store lock %s/.lock, wait for it to finish",
			 w.store);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	CU_ASSERT_STRING_EQUAL(w.e.msg, want);
	w.o.dry_run = 1;
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	store_lock_release(fd);
	CU_ASSERT_EQUAL(load(&w), 0);
	free(want);
	world_close(&w);
}

static void test_dry_run_leaves_the_store_byte_identical(void)
{
	struct world w;
	char *before, *after;
	struct buf b = {0};
	char *p;

	world_open(&w);
	w.o.dry_run = 1;
	before = listing(w.store);
	CU_ASSERT_EQUAL(load(&w), 0);
	after = listing(w.store);
	CU_ASSERT_STRING_EQUAL(after, before); /* not even a lock file */
	p = fs_join(w.report, "summary.json");
	CU_ASSERT_EQUAL(fs_read_all(p, &b, 0, &w.e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "\"status\": \"dry_run\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "\"rows_changed\": 4"));
	buf_free(&b);
	free(p);
	free(before);
	free(after);
	world_close(&w);
}

/*
 * A store folder that does not exist is an input error naming it, dry or
 * not, and the load never makes it: a mistyped `store:` must not start a
 * second, empty store.
 */
static void test_missing_store_folder_is_a_usage_error_and_is_not_created(void)
{
	struct world w;

	world_open(&w);
	fs_remove_tree(w.store);
	for (int dry = 1; dry >= 0; dry--) {
		w.o.dry_run = dry;
		CU_ASSERT_EQUAL(load(&w), -1);
		CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, w.store));
		CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "does not exist"));
		CU_ASSERT_FALSE(fs_exists(w.store));
		CU_ASSERT_FALSE(fs_exists(w.report));
	}
	w.o.dry_run = 0;
	w.o.recover_only = 1;
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_FALSE(fs_exists(w.store));
	world_close(&w);
}

/* A plan made with another pipeline file (or before it was edited) is stale. */
static void test_plan_made_with_another_pipeline_file_is_refused(void)
{
	struct world w;
	char *before, *after;

	world_open(&w);
	w.o.settings_hash = SETTINGS_HASH + 1;
	before = listing(w.store);
	for (int dry = 0; dry <= 1; dry++) {
		w.o.dry_run = dry;
		CU_ASSERT_EQUAL(load(&w), -1);
		CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
		if (!strstr(w.e.msg, "p.yaml is not the pipeline file the plan in"))
			fprintf(stderr, "\n  got: %s\n", w.e.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "p.yaml is not the pipeline file the plan in"));
		CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "make the plan again"));
		CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, SETTINGS_HEX));
		CU_ASSERT_FALSE(fs_exists(w.report));
	}
	after = listing(w.store);
	CU_ASSERT_STRING_EQUAL(after, before); /* refused before the lock: not even .lock */
	w.o.dry_run = 0;
	w.o.settings_hash = SETTINGS_HASH;
	CU_ASSERT_EQUAL(load(&w), 0);
	free(before);
	free(after);
	world_close(&w);
}

/* Reads a report file (caller frees). */
static char *report_file(struct world *w, const char *name)
{
	char *p = fs_join(w->report, name);
	struct buf b = {0};

	CU_ASSERT_EQUAL(fs_read_all(p, &b, 0, &w->e), 0);
	free(p);
	return buf_detach(&b);
}

/*
 * A plan that unlinks more than safety.max_unlinks allows: refused with both
 * figures and the way out, the store byte for byte as it was and no report;
 * a dry run says so in advance; --allow-mass-unlink applies it once.
 */
static void test_mass_unlink_is_refused_reported_by_a_dry_run_and_allowed_once(void)
{
	struct world w;
	const char *unlink =
		"{\"action\":\"unlink\",\"organization_id\":\"1\",\"itglue_organization_id\":"
		"\"101\",\"reason\":\"itglue_deleted\",\"source\":\"manual\"}\n";
	char *before, *after, *text;
	int fd = -1;

	world_open(&w);
	seal(&w, "darkwebid", 1, unlink);
	w.o.max_unlinks = (struct safety_limit){0, 0, 0};
	/* the lock file may be made by a refused run; make it first to compare the rest */
	CU_ASSERT_EQUAL_FATAL(store_lock_acquire(w.store, &fd, &w.e), 0);
	store_lock_release(fd);
	before = listing(w.store);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	if (!strstr(w.e.msg, "the plan removes 1 of the store's 1 links, more than "
			     "safety.max_unlinks allows (0): refused, nothing was changed; if IT "
			     "Glue really lost them, apply it once with pipelines/run p.yaml "
			     "--allow-mass-unlink (or itg-load --allow-mass-unlink)"))
		fprintf(stderr, "\n  got: %s\n", w.e.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "the plan removes 1 of the store's 1 links, more "
					       "than safety.max_unlinks allows (0): refused, "
					       "nothing was changed; if IT Glue really lost them, "
					       "apply it once with pipelines/run p.yaml "
					       "--allow-mass-unlink (or itg-load --allow-mass-unlink)"));
	CU_ASSERT(w.out.breaker.tripped);
	after = listing(w.store);
	CU_ASSERT_STRING_EQUAL(after, before);
	free(after);
	CU_ASSERT_FALSE(fs_exists(w.report));

	w.o.dry_run = 1;
	CU_ASSERT_EQUAL(load(&w), 0);
	after = listing(w.store);
	CU_ASSERT_STRING_EQUAL(after, before);
	free(after);
	text = report_file(&w, "summary.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"would_refuse\": \"mass_unlink\""));
	free(text);
	text = report_file(&w, "report.md");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "A real load of this plan would be refused"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "### Mass unlink: a real load would be refused"));
	free(text);

	/* a dry run with the flag would go through: nothing to refuse */
	w.o.allow_mass_unlink = 1;
	CU_ASSERT_EQUAL(load(&w), 0);
	text = report_file(&w, "summary.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"would_refuse\": null"));
	free(text);

	w.o.dry_run = 0;
	CU_ASSERT_EQUAL(load(&w), 0);
	text = report_file(&w, "report.md");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "--allow-mass-unlink let the plan through"));
	free(text);
	text = report_file(&w, "summary.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"would_refuse\": null"));
	free(text);
	after = listing(w.store);
	CU_ASSERT_STRING_NOT_EQUAL(after, before);
	free(after);
	free(before);
	world_close(&w);
}

/* A plan within the limits, and a disconnect of every link, go through. */
static void test_plans_within_the_limits_apply(void)
{
	struct world w;

	world_open(&w);
	seal(&w, "darkwebid", 1,
	     "{\"action\":\"unlink\",\"organization_id\":\"1\",\"itglue_organization_id\":"
	     "\"101\",\"reason\":\"disconnect\"}\n");
	w.o.max_unlinks = (struct safety_limit){0, 0, 0};
	CU_ASSERT_EQUAL(load(&w), 0);
	CU_ASSERT_FALSE(w.out.breaker.tripped);
	world_close(&w);
}

static void test_dry_run_refuses_while_a_journal_is_pending(void)
{
	struct world w;

	world_open(&w);
	write_in(w.store, STORE_FILE_JOURNAL, "{}");
	w.o.dry_run = 1;
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "interrupted load"));
	world_close(&w);
}

/* Seals a plan, then expects a usage error whose message contains want. */
static void expect_plan_error(const char *product, int format, const char *text,
			      const char *tamper, const char *want)
{
	struct world w;

	world_open(&w);
	seal(&w, product, format, text);
	if (tamper)
		write_in(w.plan, "plan.ndjson", tamper);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_USAGE);
	if (!strstr(w.e.msg, want))
		fprintf(stderr, "\n  got: %s\n  want: ...%s...\n", w.e.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, want));
	CU_ASSERT_FALSE(fs_exists(w.report));
	world_close(&w);
}

static void test_plan_whose_bytes_differ_from_manifest_is_refused(void)
{
	char *tampered = xstrdup(plan_lines);

	tampered[strlen(tampered) - 3] = 'X';
	expect_plan_error("darkwebid", 1, plan_lines, tampered, "does not match its manifest");
	free(tampered);
}

static void test_unknown_action_names_plan_line(void)
{
	expect_plan_error("darkwebid", 1,
			  "{\"action\":\"link\",\"organization_id\":\"4\",\"itglue_organization_id\":"
			  "\"102\",\"reason\":\"name_match\"}\n{\"action\":\"merge\"}\n",
			  NULL, "plan/plan.ndjson:2: unknown action \"merge\"");
}

static void test_malformed_json_line_names_plan_line(void)
{
	expect_plan_error("darkwebid", 1, "{\"action\":\"skip\",\"reason\":\"x\"}\n{\"action\":\n",
			  NULL, "plan/plan.ndjson:2: ");
}

static void test_plan_for_other_product_is_refused(void)
{
	expect_plan_error("bullphish", 1, plan_lines, NULL,
			  "the plan is for bullphish but the pipeline is for darkwebid");
}

static void test_plan_format_2_is_refused(void)
{
	expect_plan_error("darkwebid", 2, plan_lines, NULL, "format is not 1");
}

static void test_user_action_in_darkwebid_plan_is_refused(void)
{
	expect_plan_error("darkwebid", 1,
			  "{\"action\":\"link_user\",\"user_id\":\"1\",\"itglue_contact_id\":\"2\"}\n",
			  NULL, "plan.ndjson:1: action \"link_user\" does not belong to a darkwebid plan");
}

static void test_line_missing_a_key_is_refused(void)
{
	expect_plan_error("darkwebid", 1,
			  "{\"action\":\"import_domain\",\"organization_id\":\"1\",\"domain\":\"a.b\","
			  "\"status\":\"pending\"}\n",
			  NULL, "plan.ndjson:1: import_domain line lacks \"itglue_domain_id\"");
}

static void test_missing_plan_folder_is_a_usage_error(void)
{
	struct world w;

	world_open(&w);
	fs_remove_tree(w.plan);
	CU_ASSERT_EQUAL(load(&w), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "run itg-transform first"));
	world_close(&w);
}

static void test_run_id_comes_from_itg_run_id_when_well_formed(void)
{
	struct world w;

	world_open(&w);
	setenv("ITG_RUN_ID", "not-a-run-id", 1);
	CU_ASSERT_EQUAL(load(&w), 0);
	CU_ASSERT_STRING_NOT_EQUAL(w.out.run_id, "not-a-run-id");
	CU_ASSERT_EQUAL(strlen(w.out.run_id), 16);
	world_close(&w);

	world_open(&w);
	setenv("ITG_RUN_ID", "19991231T235959Z", 1);
	CU_ASSERT_EQUAL(load(&w), 0);
	CU_ASSERT_STRING_EQUAL(w.out.run_id, "19991231T235959Z");
	unsetenv("ITG_RUN_ID");
	{
		char *p = fs_join(w.store, "audit.ndjson");
		struct buf b = {0};
		CU_ASSERT_EQUAL(fs_read_all(p, &b, 0, &w.e), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "\"run_id\":\"19991231T235959Z\""));
		buf_free(&b);
		free(p);
	}
	world_close(&w);
}

/* --- the progress line's rate (load/progress.h) ---------------------------- */

static double fake_now;
static int clock_reads;

static double fake_clock(void)
{
	clock_reads++;
	return fake_now;
}

static void test_progress_is_due_at_once_then_at_most_every_interval(void)
{
	struct progress p;

	progress_init(&p);
	CU_ASSERT_EQUAL(p.every, PROGRESS_EVERY);
	p.every = 1;
	p.clock = fake_clock;
	fake_now = 100.0;
	CU_ASSERT_EQUAL(progress_due(&p, 0), 1);        /* the first time: at once */
	CU_ASSERT_EQUAL(progress_due(&p, 1), 0);
	fake_now = 100.0 + PROGRESS_INTERVAL / 2;
	CU_ASSERT_EQUAL(progress_due(&p, 2), 0);
	fake_now = 100.0 + PROGRESS_INTERVAL;
	CU_ASSERT_EQUAL(progress_due(&p, 3), 1);
	CU_ASSERT_EQUAL(progress_due(&p, 4), 0);
}

/* Half a million lines at a microsecond each: a few updates a second, few clock reads. */
static void test_progress_reads_the_clock_every_n_lines_only(void)
{
	struct progress p;
	size_t n = 508402;
	int due = 0;

	progress_init(&p);
	p.clock = fake_clock;
	clock_reads = 0;
	fake_now = 0;
	for (size_t i = 0; i < n; i++) {
		due += progress_due(&p, i);
		fake_now += 1e-6;
	}
	CU_ASSERT_EQUAL((size_t)clock_reads, (n + PROGRESS_EVERY - 1) / PROGRESS_EVERY);
	/* 0.5 s of work: the first, then one per interval at most */
	CU_ASSERT(due >= 2);
	CU_ASSERT(due <= 1 + (int)(0.51 / PROGRESS_INTERVAL));
}

static void test_progress_counts_have_thousands_separators(void)
{
	char s[32];

	progress_count(0, s);
	CU_ASSERT_STRING_EQUAL(s, "0");
	progress_count(999, s);
	CU_ASSERT_STRING_EQUAL(s, "999");
	progress_count(1000, s);
	CU_ASSERT_STRING_EQUAL(s, "1,000");
	progress_count(120000, s);
	CU_ASSERT_STRING_EQUAL(s, "120,000");
	progress_count(508402, s);
	CU_ASSERT_STRING_EQUAL(s, "508,402");
	progress_count(18446744073709551615ULL, s);
	CU_ASSERT_STRING_EQUAL(s, "18,446,744,073,709,551,615");
}

/*
 * plan.ndjson is read in chunks of a megabyte and its lines read again
 * from the open file: a line longer than a chunk, in the middle of the
 * file, reads back byte for byte, and the index holds no text.  A plan
 * rewritten in place afterwards is told apart (ITG_EXIT_STALE).
 */
static void test_plan_is_streamed_and_read_again_from_its_file(void)
{
	const size_t big = (3u << 20) / 2;
	struct buf text = {0}, want = {0};
	struct world w;
	struct plan p;
	const char *got;

	world_open(&w);
	buf_adds(&text, "{\"action\":\"skip\",\"reason\":\"filtered_out\"}\n");
	buf_adds(&want, "{\"action\":\"skip\",\"reason\":\"");
	for (size_t i = 0; i < big; i++)
		buf_addc(&want, (char)('a' + i % 26));
	buf_adds(&want, "\"}");
	buf_add(&text, want.p, want.len);
	buf_adds(&text, "\n");
	for (int i = 0; i < 20000; i++)
		buf_adds(&text, "{\"action\":\"skip\",\"reason\":\"filtered_out\"}\n");
	seal(&w, "darkwebid", 1, buf_str(&text));
	CU_ASSERT_EQUAL_FATAL(planread_load(w.plan, PRODUCT_DARKWEBID, &p, &w.e), 0);
	CU_ASSERT_EQUAL(p.n, 20002);
	CU_ASSERT_PTR_NULL(p.text);
	CU_ASSERT_EQUAL(plan_line_len(&p, 1), want.len);
	got = plan_line_text(&p, 1);
	CU_ASSERT(memcmp(got, want.p, want.len) == 0);
	got = plan_line_text(&p, 20001);
	CU_ASSERT(memcmp(got, "{\"action\":\"skip\",", 17) == 0);
	CU_ASSERT_EQUAL(plan_line_off(&p, 20001), text.len - plan_line_len(&p, 20001) - 1);
	CU_ASSERT_EQUAL(plan_action_at(&p, 20001), PA_SKIP);
	CU_ASSERT_EQUAL(planread_unchanged(&p, &w.e), 0);
	write_in(w.plan, "plan.ndjson", plan_lines);
	CU_ASSERT_EQUAL(planread_unchanged(&p, &w.e), -1);
	CU_ASSERT_EQUAL(w.e.code, ITG_EXIT_STALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.e.msg, "plan.ndjson was changed while the load read it"));
	planread_free(&p);
	buf_free(&text);
	buf_free(&want);
	world_close(&w);
}

/* A bad line and figures that disagree with the manifest: the figures are named. */
static void test_plan_cut_short_is_named_by_its_figures_first(void)
{
	expect_plan_error("darkwebid", 1, plan_lines, "{\"action\":\"link\",\"organization_id\"",
			  "does not match its manifest (1 lines, 34 bytes");
}

static CU_TestInfo tests[] = {
	{"test_plan_is_streamed_and_read_again_from_its_file",
	 test_plan_is_streamed_and_read_again_from_its_file},
	{"test_plan_cut_short_is_named_by_its_figures_first",
	 test_plan_cut_short_is_named_by_its_figures_first},
	{"test_progress_is_due_at_once_then_at_most_every_interval",
	 test_progress_is_due_at_once_then_at_most_every_interval},
	{"test_progress_reads_the_clock_every_n_lines_only",
	 test_progress_reads_the_clock_every_n_lines_only},
	{"test_progress_counts_have_thousands_separators",
	 test_progress_counts_have_thousands_separators},
	{"test_run_applies_and_writes_the_four_report_files",
	 test_run_applies_and_writes_the_four_report_files},
	{"test_report_that_cannot_be_written_leaves_the_store_untouched",
	 test_report_that_cannot_be_written_leaves_the_store_untouched},
	{"test_stale_plan_is_refused_naming_the_file", test_stale_plan_is_refused_naming_the_file},
	{"test_store_file_that_appeared_makes_the_plan_stale",
	 test_store_file_that_appeared_makes_the_plan_stale},
	{"test_second_load_of_the_same_plan_is_stale", test_second_load_of_the_same_plan_is_stale},
	{"test_held_lock_is_refused_for_load_and_dry_run",
	 test_held_lock_is_refused_for_load_and_dry_run},
	{"test_dry_run_leaves_the_store_byte_identical", test_dry_run_leaves_the_store_byte_identical},
	{"test_missing_store_folder_is_a_usage_error_and_is_not_created",
	 test_missing_store_folder_is_a_usage_error_and_is_not_created},
	{"test_plan_made_with_another_pipeline_file_is_refused",
	 test_plan_made_with_another_pipeline_file_is_refused},
	{"test_mass_unlink_is_refused_reported_by_a_dry_run_and_allowed_once",
	 test_mass_unlink_is_refused_reported_by_a_dry_run_and_allowed_once},
	{"test_plans_within_the_limits_apply", test_plans_within_the_limits_apply},
	{"test_dry_run_refuses_while_a_journal_is_pending",
	 test_dry_run_refuses_while_a_journal_is_pending},
	{"test_plan_whose_bytes_differ_from_manifest_is_refused",
	 test_plan_whose_bytes_differ_from_manifest_is_refused},
	{"test_unknown_action_names_plan_line", test_unknown_action_names_plan_line},
	{"test_malformed_json_line_names_plan_line", test_malformed_json_line_names_plan_line},
	{"test_plan_for_other_product_is_refused", test_plan_for_other_product_is_refused},
	{"test_plan_format_2_is_refused", test_plan_format_2_is_refused},
	{"test_user_action_in_darkwebid_plan_is_refused",
	 test_user_action_in_darkwebid_plan_is_refused},
	{"test_line_missing_a_key_is_refused", test_line_missing_a_key_is_refused},
	{"test_missing_plan_folder_is_a_usage_error", test_missing_plan_folder_is_a_usage_error},
	{"test_run_id_comes_from_itg_run_id_when_well_formed",
	 test_run_id_comes_from_itg_run_id_when_well_formed},
	CU_TEST_INFO_NULL,
};

/* Runs print an info line each; keep the test output for failures. */
static int quiet_logs(void)
{
	log_init("itg-load", LOG_HUMAN, 1, 0);
	return 0;
}

static int default_logs(void)
{
	log_init("itg", LOG_HUMAN, 0, 0);
	return 0;
}

UNIT_SUITE("load_run", quiet_logs, default_logs, tests)
