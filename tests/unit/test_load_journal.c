/* Unit tests of load/journal: the store transaction and its recovery after a crash. */
#include "unit.h"

#include "../../load/journal.h"
#include "fsutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = {"organizations.csv", "links.csv", "integration.json",
				    "audit.ndjson", NULL};
static const char *const old_text[] = {"id,name\n1,Old\n", "organization_id\n1\n", NULL,
				       "{\"n\":0}\n"};
static const char *const new_text[] = {"id,name\n1,New\n2,Added\n", "organization_id\n",
				       "{\"status\":\"connected\"}\n",
				       "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"};
#define AUDIT_LINES "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"

static void write_in(const char *dir, const char *name, const char *text)
{
	char *path = fs_join(dir, name);

	CU_ASSERT_EQUAL(unit_write_file(path, text), 0);
	free(path);
}

static void unlink_in(const char *dir, const char *name)
{
	char *path = fs_join(dir, name);

	unlink(path);
	free(path);
}

static void make_old(const char *dir)
{
	for (int i = 0; files[i]; i++)
		if (old_text[i])
			write_in(dir, files[i], old_text[i]);
}

/* Every file of the store and its bytes, one string, or NULL when extra files lie around. */
static char *store_state(const char *dir)
{
	struct buf b = {0};
	DIR *d = opendir(dir);
	struct dirent *de;
	int extra = 0;

	while (d && (de = readdir(d))) {
		int known = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
		for (int i = 0; files[i]; i++)
			known |= strcmp(de->d_name, files[i]) == 0;
		if (!known) {
			fprintf(stderr, "\n  left behind: %s\n", de->d_name);
			extra = 1;
		}
	}
	if (d)
		closedir(d);
	for (int i = 0; files[i]; i++) {
		char *path = fs_join(dir, files[i]);
		struct buf f = {0};
		struct itg_err e = {0};
		buf_addf(&b, "== %s\n", files[i]);
		if (fs_exists(path) && fs_read_all(path, &f, 0, &e) == 0)
			buf_add(&b, buf_str(&f), f.len);
		else
			buf_adds(&b, "(absent)\n");
		buf_free(&f);
		free(path);
	}
	if (extra) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static char *expected_state(const char *const *text)
{
	struct buf b = {0};

	for (int i = 0; files[i]; i++) {
		buf_addf(&b, "== %s\n", files[i]);
		buf_adds(&b, text[i] ? text[i] : "(absent)\n");
	}
	return buf_detach(&b);
}

static int write_lines(FILE *fp, void *arg)
{
	return fputs(arg, fp) == EOF ? -1 : 0;
}

static int commit(const char *dir, struct itg_err *e)
{
	struct journal_out outs[] = {
		{"organizations.csv", NULL, new_text[0]},
		{"links.csv", NULL, new_text[1]},
		{"integration.json", NULL, new_text[2]},
	};

	return journal_commit(dir, outs, 3, "audit.ndjson", write_lines, (void *)AUDIT_LINES, NULL,
			      NULL, e);
}

struct refusal {
	const char *dir;
	int called;
	int temps_seen;      /* temporaries present when the check ran */
};

/* A before_switch check that finds every new file written, then refuses. */
static int refuse(void *arg, struct itg_err *e)
{
	struct refusal *r = arg;
	DIR *d = opendir(r->dir);
	struct dirent *de;

	r->called++;
	while (d && (de = readdir(d)))
		r->temps_seen += de->d_name[0] == '.' && strstr(de->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return err_set(e, 4, "refused by the check");
}

/*
 * The check before the switch sees the new files written and no journal;
 * when it refuses, the temporaries go and the store is wholly as before.
 */
static void test_refusal_before_the_switch_leaves_the_store_as_before(void)
{
	char *dir = unit_tmpdir(), *got, *want = expected_state(old_text);
	struct journal_out outs[] = {
		{"organizations.csv", NULL, new_text[0]},
		{"links.csv", NULL, new_text[1]},
		{"integration.json", NULL, new_text[2]},
	};
	struct refusal r = {dir, 0, 0};
	struct itg_err e = {0};

	make_old(dir);
	journal_crash_at = 0;
	CU_ASSERT_EQUAL(journal_commit(dir, outs, 3, "audit.ndjson", write_lines,
				       (void *)AUDIT_LINES, refuse, &r, &e),
			-1);
	CU_ASSERT_EQUAL(e.code, 4);
	CU_ASSERT_STRING_EQUAL(e.msg, "refused by the check");
	CU_ASSERT_EQUAL(r.called, 1);
	CU_ASSERT_EQUAL(r.temps_seen, 4); /* three files and the pending audit lines */
	CU_ASSERT_FALSE(journal_pending(dir));
	got = store_state(dir);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	unit_rmtree(dir);
}

static void test_commit_replaces_files_and_appends_audit(void)
{
	char *dir = unit_tmpdir(), *got, *want = expected_state(new_text);
	struct itg_err e = {0};

	make_old(dir);
	journal_crash_at = 0;
	CU_ASSERT_EQUAL(commit(dir, &e), 0);
	got = store_state(dir);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_FALSE(journal_pending(dir));
	free(got);
	free(want);
	unit_rmtree(dir);
}

/*
 * The crash test in process: stop the commit at every numbered point, run
 * the recovery, and demand the store be wholly old or wholly new.
 */
static void test_crash_at_every_point_leaves_old_or_new(void)
{
	char *want_old = expected_state(old_text), *want_new = expected_state(new_text);
	struct itg_err e = {0};
	long points, olds = 0, news = 0;
	char *dir = unit_tmpdir();

	make_old(dir);
	journal_crash_at = 0;
	journal_steps = 0;
	CU_ASSERT_EQUAL_FATAL(commit(dir, &e), 0);
	points = journal_steps;
	unit_rmtree(dir);
	CU_ASSERT(points >= 15);
	for (long n = 1; n <= points; n++) {
		int outcome = -1;
		char *got;

		dir = unit_tmpdir();
		make_old(dir);
		journal_steps = 0;
		journal_crash_at = n;
		journal_crash_soft = 1;
		CU_ASSERT_EQUAL(commit(dir, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "simulated crash"));
		journal_crash_at = 0;
		journal_crash_soft = 0;
		CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), 0);
		got = store_state(dir);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got && strcmp(got, want_old) == 0)
			olds++;
		else if (got && strcmp(got, want_new) == 0)
			news++;
		else
			fprintf(stderr, "\n  crash at %ld: store is neither old nor new:\n%s", n,
				got ? got : "(extra files)");
		free(got);
		unit_rmtree(dir);
	}
	CU_ASSERT_EQUAL(olds + news, points);
	CU_ASSERT(olds > 0);
	CU_ASSERT(news > 0);
	free(want_old);
	free(want_new);
}

/*
 * A journal written by hand: temps listed, audit size before, and the lines
 * to append in a pending file (format 2) or inside the journal (format 1, an
 * older itg-load's).
 */
static void hand_journal_format(const char *dir, int with_org_tmp, int with_links_tmp,
				int format)
{
	static const char *const files_json =
		"\"files\":["
		"{\"tmp\":\".organizations.csv.tmp.AAAAAA\",\"final\":\"organizations.csv\"},"
		"{\"tmp\":\".links.csv.tmp.BBBBBB\",\"final\":\"links.csv\"},"
		"{\"tmp\":\".integration.json.tmp.CCCCCC\",\"final\":\"integration.json\"}]";
	char *j;

	if (format == 1)
		j = xasprintf("{\"format\":1,%s,"
			      "\"audit\":{\"file\":\"audit.ndjson\",\"size\":%zu,\"lines\":"
			      "\"{\\\"n\\\":1}\\n{\\\"n\\\":2}\\n{\\\"n\\\":3}\\n\"}}\n",
			      files_json, strlen(old_text[3]));
	else
		j = xasprintf("{\"format\":2,%s,"
			      "\"audit\":{\"file\":\"audit.ndjson\",\"size\":%zu,"
			      "\"pending\":\".audit.pending.tmp.DDDDDD\",\"bytes\":%zu}}\n",
			      files_json, strlen(old_text[3]), strlen(AUDIT_LINES));
	write_in(dir, STORE_FILE_JOURNAL, j);
	if (format != 1)
		write_in(dir, ".audit.pending.tmp.DDDDDD", AUDIT_LINES);
	if (with_org_tmp)
		write_in(dir, ".organizations.csv.tmp.AAAAAA", new_text[0]);
	else
		write_in(dir, "organizations.csv", new_text[0]);
	if (with_links_tmp)
		write_in(dir, ".links.csv.tmp.BBBBBB", new_text[1]);
	else
		write_in(dir, "links.csv", new_text[1]);
	write_in(dir, ".integration.json.tmp.CCCCCC", new_text[2]);
	free(j);
}

static void hand_journal(const char *dir, int with_org_tmp, int with_links_tmp)
{
	hand_journal_format(dir, with_org_tmp, with_links_tmp, JOURNAL_FORMAT);
}

static void recover_expect_new(const char *dir)
{
	char *want = expected_state(new_text), *got;
	struct itg_err e = {0};
	int outcome = -1;

	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), 0);
	CU_ASSERT_EQUAL(outcome, 1);
	got = store_state(dir);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	/* a second recovery finds nothing to do and changes nothing */
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), 0);
	CU_ASSERT_EQUAL(outcome, 0);
	free(got);
	got = store_state(dir);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
}

static void test_recover_crash_before_any_rename_rolls_forward(void)
{
	char *dir = unit_tmpdir();

	make_old(dir);
	hand_journal(dir, 1, 1);
	recover_expect_new(dir);
	unit_rmtree(dir);
}

static void test_recover_crash_between_renames_rolls_forward(void)
{
	char *dir = unit_tmpdir();

	make_old(dir);
	hand_journal(dir, 0, 1);
	recover_expect_new(dir);
	unit_rmtree(dir);
}

static void test_recover_after_renames_with_half_audit_line_does_not_double_it(void)
{
	char *dir = unit_tmpdir();

	make_old(dir);
	hand_journal(dir, 0, 0);
	/* the crash came while appending: one line and a half are already there */
	write_in(dir, "audit.ndjson", "{\"n\":0}\n{\"n\":1}\n{\"n\"");
	recover_expect_new(dir);
	unit_rmtree(dir);
}

static void test_recover_finishes_a_format_1_journal_with_lines_inside(void)
{
	char *dir = unit_tmpdir();

	make_old(dir);
	hand_journal_format(dir, 1, 0, 1);
	recover_expect_new(dir);
	unit_rmtree(dir);
}

static void test_journal_names_the_pending_audit_file_instead_of_holding_lines(void)
{
	char *dir = unit_tmpdir(), *jpath = fs_join(dir, STORE_FILE_JOURNAL);
	struct buf b = {0};
	struct itg_err e = {0};
	int outcome = -1;

	make_old(dir);
	/* stop right after the journal is published (soft crash at every point
	 * until the journal exists) and look at it */
	for (long n = 1; !fs_exists(jpath); n++) {
		unit_rmtree(dir);
		dir = unit_tmpdir();
		free(jpath);
		jpath = fs_join(dir, STORE_FILE_JOURNAL);
		make_old(dir);
		journal_steps = 0;
		journal_crash_at = n;
		journal_crash_soft = 1;
		CU_ASSERT_EQUAL(commit(dir, &e), -1);
		journal_crash_at = 0;
		journal_crash_soft = 0;
		CU_ASSERT_FATAL(n < 100);
	}
	CU_ASSERT_EQUAL(fs_read_all(jpath, &b, 0, &e), 0);
	CU_ASSERT_PTR_NULL(strstr(buf_str(&b), "\\\"n\\\""));
	CU_ASSERT_PTR_NULL(strstr(buf_str(&b), "\"lines\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "\"pending\":\".audit.pending.tmp."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&b), "\"format\":2"));
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), 0);
	CU_ASSERT_EQUAL(outcome, 1);
	buf_free(&b);
	free(jpath);
	unit_rmtree(dir);
}

static void test_journal_naming_a_store_file_as_pending_audit_is_damaged(void)
{
	char *dir = unit_tmpdir(), *want = expected_state(old_text), *got;
	struct itg_err e = {0};
	int outcome = -1;

	make_old(dir);
	write_in(dir, STORE_FILE_JOURNAL, "{\"format\":2,\"files\":[],\"audit\":{\"file\":"
				    "\"audit.ndjson\",\"size\":0,\"pending\":\"organizations.csv\","
				    "\"bytes\":14}}\n");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".journal is damaged"));
	unlink_in(dir, STORE_FILE_JOURNAL);
	got = store_state(dir);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	unit_rmtree(dir);
}

/*
 * A journal may name only audit.ndjson as the audit file, and only the
 * tables and integration.json, each with its own temporary, as the files
 * it replaces: anything else would make the recovery cut, grow or create
 * the wrong file (the journal fuzzer's finds).
 */
static void test_journal_naming_other_files_is_damaged(void)
{
	static const char *const journals[] = {
		/* a table as the audit file: it would be cut back and appended to */
		"{\"format\":2,\"files\":[],\"audit\":{\"file\":\"links.csv\",\"size\":3,"
		"\"pending\":\".audit.pending.tmp.abc123\",\"bytes\":0}}\n",
		/* the pending file as its own audit file: appended to itself */
		"{\"format\":2,\"files\":[],\"audit\":{\"file\":\".audit.pending.tmp.abc123\","
		"\"size\":0,\"pending\":\".audit.pending.tmp.abc123\",\"bytes\":0}}\n",
		/* a file the load never writes as a target */
		"{\"format\":2,\"files\":[{\"tmp\":\".links.csv.tmp.abc123\",\"final\":"
		"\"notes.txt\"}],\"audit\":{\"file\":\"audit.ndjson\",\"size\":0,\"pending\":"
		"\".audit.pending.tmp.abc123\",\"bytes\":0}}\n",
		/* a table replaced by another table's temporary */
		"{\"format\":2,\"files\":[{\"tmp\":\".users.csv.tmp.abc123\",\"final\":"
		"\"links.csv\"}],\"audit\":{\"file\":\"audit.ndjson\",\"size\":0,\"pending\":"
		"\".audit.pending.tmp.abc123\",\"bytes\":0}}\n",
		/* a table replaced twice */
		"{\"format\":2,\"files\":[{\"tmp\":\".links.csv.tmp.a\",\"final\":\"links.csv\"},"
		"{\"tmp\":\".links.csv.tmp.b\",\"final\":\"links.csv\"}],\"audit\":{\"file\":"
		"\"audit.ndjson\",\"size\":0,\"pending\":\".audit.pending.tmp.abc123\",\"bytes\":0}}\n",
	};

	for (size_t i = 0; i < sizeof journals / sizeof journals[0]; i++) {
		char *dir = unit_tmpdir(), *want, *got;
		struct itg_err e = {0};
		int outcome = -1;

		make_old(dir);
		want = store_state(dir);
		write_in(dir, STORE_FILE_JOURNAL, journals[i]);
		CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".journal is damaged"));
		unlink_in(dir, STORE_FILE_JOURNAL);
		got = store_state(dir);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got && want)
			CU_ASSERT_STRING_EQUAL(got, want);
		free(got);
		free(want);
		unit_rmtree(dir);
	}
}

static void test_missing_pending_audit_file_is_refused(void)
{
	char *dir = unit_tmpdir(), *p;
	struct itg_err e = {0};
	int outcome = -1;

	make_old(dir);
	hand_journal(dir, 0, 0);
	p = fs_join(dir, ".audit.pending.tmp.DDDDDD");
	unlink(p);
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".audit.pending.tmp.DDDDDD"));
	CU_ASSERT_TRUE(journal_pending(dir));
	free(p);
	unit_rmtree(dir);
}

static void test_recover_without_journal_removes_stray_temps(void)
{
	char *dir = unit_tmpdir(), *want = expected_state(old_text), *got;
	struct itg_err e = {0};
	int outcome = -1;

	make_old(dir);
	write_in(dir, ".organizations.csv.tmp.Q1w2E3", "half a fi");
	write_in(dir, ".journal.tmp.Z9x8C7", "{\"format\":1,");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), 0);
	CU_ASSERT_EQUAL(outcome, 2);
	got = store_state(dir);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	unit_rmtree(dir);
}

static void test_damaged_journal_is_a_runtime_error_naming_it(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	int outcome = -1;

	write_in(dir, STORE_FILE_JOURNAL, "{\"format\":1,\"files\":[{\"tmp\":\"../x\",\"final\":\"y\"}],"
				    "\"audit\":{\"file\":\"audit.ndjson\",\"size\":0,\"lines\":\"\"}}");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_RUNTIME);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".journal is damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "restore the store"));
	unit_rmtree(dir);
}

static void test_audit_shorter_than_recorded_is_refused(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	int outcome = -1;

	make_old(dir);
	hand_journal(dir, 1, 1);
	write_in(dir, "audit.ndjson", "{");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "shorter than the journal records"));
	unit_rmtree(dir);
}

/* ---- symbolic links in the store ---------------------------------------- */

/* A file outside the store that a planted link points at. */
struct victim {
	char *dir, *path, *text;
	struct stat before;
};

static void victim_make(struct victim *v, const char *text)
{
	v->dir = unit_tmpdir();
	v->path = fs_join(v->dir, "victim");
	v->text = xstrdup(text);
	CU_ASSERT_EQUAL_FATAL(unit_write_file(v->path, text), 0);
	CU_ASSERT_EQUAL_FATAL(stat(v->path, &v->before), 0);
}

/* dir/name becomes a link to the victim. */
static void victim_link(const struct victim *v, const char *dir, const char *name)
{
	char *path = fs_join(dir, name);

	unlink(path);
	CU_ASSERT_EQUAL_FATAL(symlink(v->path, path), 0);
	free(path);
}

/* Byte-identical, same inode, same mtime: never written, truncated or replaced. */
static void victim_check_and_free(struct victim *v)
{
	struct buf b = {0};
	struct itg_err e = {0};
	struct stat now;

	CU_ASSERT_EQUAL(fs_read_all(v->path, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), v->text);
	CU_ASSERT_EQUAL(stat(v->path, &now), 0);
	CU_ASSERT_EQUAL(now.st_ino, v->before.st_ino);
	CU_ASSERT(now.st_mtim.tv_sec == v->before.st_mtim.tv_sec &&
		  now.st_mtim.tv_nsec == v->before.st_mtim.tv_nsec);
	buf_free(&b);
	free(v->path);
	free(v->text);
	unit_rmtree(v->dir);
}

/* The bytes of dir/name, read without following a link ("(link)" for one). */
static char *file_text(const char *dir, const char *name)
{
	char *path = fs_join(dir, name);
	struct buf b = {0};
	struct itg_err e = {0};
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		buf_adds(&b, "(link)");
	else if (fs_read_all(path, &b, 0, &e) != 0)
		buf_adds(&b, "(absent)");
	free(path);
	return buf_detach(&b);
}

static int count_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] == '.' && strstr(de->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *got = file_text(dir, name);

	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_commit_refuses_a_linked_audit_file_and_leaves_its_target(void)
{
	char *dir = unit_tmpdir(), *want;
	struct itg_err e = {0};
	struct victim v;

	make_old(dir);
	victim_make(&v, "{\"someone\":\"else\"}\n");
	victim_link(&v, dir, "audit.ndjson");
	journal_crash_at = 0;
	CU_ASSERT_EQUAL(commit(dir, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	want = xasprintf("%s/audit.ndjson is a symbolic link: the store's files must be plain "
			 "files (a link could make the load write somewhere else); replace it "
			 "with the file itself", dir);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	/* refused before anything was written: no temporaries, no journal */
	CU_ASSERT_EQUAL(count_temps(dir), 0);
	CU_ASSERT_FALSE(journal_pending(dir));
	assert_file(dir, "organizations.csv", old_text[0]);
	assert_file(dir, "links.csv", old_text[1]);
	assert_file(dir, "integration.json", "(absent)");
	victim_check_and_free(&v);
	free(want);
	unit_rmtree(dir);
}

/*
 * The recovery of a killed load cuts audit.ndjson back to the recorded size:
 * through a link that would truncate someone else's file.  It is refused
 * before the first rename, the victim keeps every byte, and once the link is
 * replaced by the file itself the recovery finishes as usual.
 */
static void test_recovery_refuses_a_linked_audit_file_without_truncating_its_target(void)
{
	char *dir = unit_tmpdir(), *audit;
	struct itg_err e = {0};
	struct victim v;
	int outcome = -1;

	make_old(dir);
	hand_journal(dir, 1, 1);
	/* longer than the journal's recorded size: a truncation would show */
	victim_make(&v, "0123456789abcdefghijklmnopqrstuvwxyz\n");
	victim_link(&v, dir, "audit.ndjson");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/audit.ndjson is a symbolic link"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "replace it with the file itself"));
	CU_ASSERT_EQUAL(outcome, 0);
	CU_ASSERT_TRUE(journal_pending(dir));
	assert_file(dir, "organizations.csv", old_text[0]);
	assert_file(dir, "audit.ndjson", "(link)");
	victim_check_and_free(&v);
	/* what the message says to do, then the recovery again */
	audit = fs_join(dir, "audit.ndjson");
	CU_ASSERT_EQUAL(unlink(audit), 0);
	write_in(dir, "audit.ndjson", old_text[3]);
	recover_expect_new(dir);
	free(audit);
	unit_rmtree(dir);
}

/* A .journal that is a link to a well-formed journal elsewhere is not followed. */
static void test_linked_journal_is_refused_and_not_followed(void)
{
	char *dir = unit_tmpdir(), *elsewhere = unit_tmpdir(), *text;
	struct itg_err e = {0};
	struct victim v;
	int outcome = -1;

	/* a journal that would roll the store forward, were it read */
	make_old(elsewhere);
	hand_journal(elsewhere, 1, 1);
	text = file_text(elsewhere, STORE_FILE_JOURNAL);
	make_old(dir);
	write_in(dir, ".audit.pending.tmp.DDDDDD", AUDIT_LINES);
	write_in(dir, ".organizations.csv.tmp.AAAAAA", new_text[0]);
	victim_make(&v, text);
	victim_link(&v, dir, STORE_FILE_JOURNAL);
	CU_ASSERT_FALSE(journal_pending(dir));
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/.journal is a symbolic link"));
	assert_file(dir, "organizations.csv", old_text[0]);
	assert_file(dir, "audit.ndjson", old_text[3]);
	assert_file(dir, STORE_FILE_JOURNAL, "(link)");
	victim_check_and_free(&v);
	free(text);
	unit_rmtree(elsewhere);
	unit_rmtree(dir);
}

static void test_linked_pending_audit_file_is_refused(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	struct victim v;
	int outcome = -1;

	make_old(dir);
	hand_journal(dir, 0, 0);
	/* the very bytes the journal records, so only the link gives it away */
	victim_make(&v, AUDIT_LINES);
	victim_link(&v, dir, ".audit.pending.tmp.DDDDDD");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".audit.pending.tmp.DDDDDD is a symbolic link"));
	assert_file(dir, "audit.ndjson", old_text[3]);
	CU_ASSERT_TRUE(journal_pending(dir));
	victim_check_and_free(&v);
	unit_rmtree(dir);
}

/* A temporary the journal names that is a link would become the table: refused. */
static void test_linked_temporary_is_not_renamed_into_place(void)
{
	char *dir = unit_tmpdir();
	struct itg_err e = {0};
	struct victim v;
	int outcome = -1;

	make_old(dir);
	hand_journal(dir, 1, 1);
	victim_make(&v, "organization_id\n999\n");
	victim_link(&v, dir, ".links.csv.tmp.BBBBBB");
	CU_ASSERT_EQUAL(journal_recover(dir, &outcome, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ".links.csv.tmp.BBBBBB is a symbolic link"));
	assert_file(dir, "links.csv", old_text[1]);
	CU_ASSERT_TRUE(journal_pending(dir));
	victim_check_and_free(&v);
	unit_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{"test_refusal_before_the_switch_leaves_the_store_as_before",
	 test_refusal_before_the_switch_leaves_the_store_as_before},
	{"test_recover_finishes_a_format_1_journal_with_lines_inside",
	 test_recover_finishes_a_format_1_journal_with_lines_inside},
	{"test_journal_names_the_pending_audit_file_instead_of_holding_lines",
	 test_journal_names_the_pending_audit_file_instead_of_holding_lines},
	{"test_missing_pending_audit_file_is_refused", test_missing_pending_audit_file_is_refused},
	{"test_journal_naming_a_store_file_as_pending_audit_is_damaged",
	 test_journal_naming_a_store_file_as_pending_audit_is_damaged},
	{"test_journal_naming_other_files_is_damaged", test_journal_naming_other_files_is_damaged},
	{"test_commit_replaces_files_and_appends_audit",
	 test_commit_replaces_files_and_appends_audit},
	{"test_crash_at_every_point_leaves_old_or_new", test_crash_at_every_point_leaves_old_or_new},
	{"test_recover_crash_before_any_rename_rolls_forward",
	 test_recover_crash_before_any_rename_rolls_forward},
	{"test_recover_crash_between_renames_rolls_forward",
	 test_recover_crash_between_renames_rolls_forward},
	{"test_recover_after_renames_with_half_audit_line_does_not_double_it",
	 test_recover_after_renames_with_half_audit_line_does_not_double_it},
	{"test_recover_without_journal_removes_stray_temps",
	 test_recover_without_journal_removes_stray_temps},
	{"test_damaged_journal_is_a_runtime_error_naming_it",
	 test_damaged_journal_is_a_runtime_error_naming_it},
	{"test_audit_shorter_than_recorded_is_refused", test_audit_shorter_than_recorded_is_refused},
	{"test_commit_refuses_a_linked_audit_file_and_leaves_its_target",
	 test_commit_refuses_a_linked_audit_file_and_leaves_its_target},
	{"test_recovery_refuses_a_linked_audit_file_without_truncating_its_target",
	 test_recovery_refuses_a_linked_audit_file_without_truncating_its_target},
	{"test_linked_journal_is_refused_and_not_followed",
	 test_linked_journal_is_refused_and_not_followed},
	{"test_linked_pending_audit_file_is_refused", test_linked_pending_audit_file_is_refused},
	{"test_linked_temporary_is_not_renamed_into_place",
	 test_linked_temporary_is_not_renamed_into_place},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("load_journal", NULL, NULL, tests)
