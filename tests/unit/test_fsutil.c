/*
 * Unit tests of lib/fsutil's refusal of symbolic links: the store's files
 * are read, fingerprinted and opened without following one, and removing
 * or replacing a folder never reaches into the tree a link points at.
 */
#include "unit.h"

#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VICTIM_TEXT "someone else's file\n"

/* dir/victim (a file outside "the store") and dir/store/NAME -> it. */
struct planted {
	char *dir, *store, *victim, *link;
	struct stat before;
};

static void plant(struct planted *p, const char *name)
{
	p->dir = unit_tmpdir();
	p->store = fs_join(p->dir, "store");
	p->victim = fs_join(p->dir, "victim");
	p->link = fs_join(p->store, name);
	CU_ASSERT_EQUAL_FATAL(mkdir(p->store, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(unit_write_file(p->victim, VICTIM_TEXT), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(p->victim, p->link), 0);
	CU_ASSERT_EQUAL_FATAL(stat(p->victim, &p->before), 0);
}

/* The victim is byte-identical, and was neither written nor replaced. */
static void victim_untouched(const struct planted *p)
{
	struct buf b = {0};
	struct itg_err e = {0};
	struct stat now;

	CU_ASSERT_EQUAL(fs_read_all(p->victim, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), VICTIM_TEXT);
	CU_ASSERT_EQUAL(stat(p->victim, &now), 0);
	CU_ASSERT_EQUAL(now.st_ino, p->before.st_ino);
	CU_ASSERT_EQUAL(now.st_size, p->before.st_size);
	CU_ASSERT(now.st_mtim.tv_sec == p->before.st_mtim.tv_sec &&
		  now.st_mtim.tv_nsec == p->before.st_mtim.tv_nsec);
	buf_free(&b);
}

static void unplant(struct planted *p)
{
	free(p->store);
	free(p->victim);
	free(p->link);
	unit_rmtree(p->dir);
	memset(p, 0, sizeof *p);
}

static void test_read_refuses_a_link_naming_it_and_what_to_do(void)
{
	struct planted p;
	struct buf b = {0};
	struct itg_err e = {0};
	char *want;

	plant(&p, "links.csv");
	want = xasprintf("%s is a symbolic link: the store's files must be plain files (a link "
			 "could make the load write somewhere else); replace it with the file "
			 "itself", p.link);
	CU_ASSERT_EQUAL(fs_read_file_nofollow(p.link, &b, 0, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	CU_ASSERT_EQUAL(b.len, 0);
	/* control: the link does lead to a readable file */
	CU_ASSERT_EQUAL(fs_read_all(p.link, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), VICTIM_TEXT);
	victim_untouched(&p);
	buf_free(&b);
	free(want);
	unplant(&p);
}

static void test_read_of_a_plain_file_and_of_a_missing_one(void)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "links.csv");
	struct buf b = {0};
	struct itg_err e = {0};

	CU_ASSERT_EQUAL(fs_read_file_nofollow(path, &b, 0, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot read"));
	CU_ASSERT_EQUAL(unit_write_file(path, "a,b\n"), 0);
	CU_ASSERT_EQUAL(fs_read_file_nofollow(path, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "a,b\n");
	buf_reset(&b);
	CU_ASSERT_EQUAL(fs_read_file_nofollow(path, &b, 2, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than 2 bytes"));
	buf_free(&b);
	free(path);
	unit_rmtree(dir);
}

/*
 * A whole file takes one allocation of its size (plus the NUL), not the
 * next power of two; a buffer that already holds text keeps it.
 */
static void test_read_all_allocates_the_file_size(void)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "plan.ndjson");
	char text[5000];
	struct buf b = {0};
	struct itg_err e = {0};

	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	CU_ASSERT_EQUAL_FATAL(unit_write_file(path, text), 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_EQUAL(b.len, sizeof text - 1);
	CU_ASSERT_EQUAL(b.cap, sizeof text);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), text);
	buf_reset(&b);
	buf_adds(&b, "head:");
	CU_ASSERT_EQUAL(fs_read_all(path, &b, 0, &e), 0);
	CU_ASSERT_EQUAL(b.len, 5 + sizeof text - 1);
	CU_ASSERT_EQUAL(strncmp(buf_str(&b), "head:xxx", 8), 0);
	buf_free(&b);
	free(path);
	unit_rmtree(dir);
}

/* A store folder that is itself a link is fine: only the last part is checked. */
static void test_a_store_folder_that_is_a_link_is_read_through(void)
{
	char *dir = unit_tmpdir();
	char *real = fs_join(dir, "real"), *mount = fs_join(dir, "mount");
	char *file = fs_join(real, "links.csv"), *via = fs_join(mount, "links.csv");
	struct buf b = {0};
	struct itg_err e = {0};
	struct fingerprint fp;

	CU_ASSERT_EQUAL_FATAL(mkdir(real, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(real, mount), 0);
	CU_ASSERT_EQUAL(unit_write_file(file, "x\n"), 0);
	CU_ASSERT_EQUAL(fs_refuse_link(via, &e), 0);
	CU_ASSERT_EQUAL(fs_read_file_nofollow(via, &b, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "x\n");
	CU_ASSERT_EQUAL(fs_fingerprint(via, &fp, &e), 0);
	CU_ASSERT_EQUAL(fp.present, 1);
	CU_ASSERT_EQUAL(fp.bytes, 2);
	buf_free(&b);
	free(real);
	free(mount);
	free(file);
	free(via);
	unit_rmtree(dir);
}

static void test_fingerprint_refuses_a_link(void)
{
	struct planted p;
	struct fingerprint fp;
	struct itg_err e = {0};

	plant(&p, "users.csv");
	CU_ASSERT_EQUAL(fs_fingerprint(p.link, &fp, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "users.csv is a symbolic link"));
	CU_ASSERT_EQUAL(fp.present, 0);
	victim_untouched(&p);
	unplant(&p);
}

/* O_CREAT through a dangling link would create its target: it must not. */
static void test_open_for_append_neither_follows_nor_creates_through_a_link(void)
{
	struct planted p;
	struct itg_err e = {0};
	char *ghost;
	int fd = 7;

	plant(&p, "audit.ndjson");
	CU_ASSERT_EQUAL(fs_open_plain(p.link, O_WRONLY | O_APPEND | O_CREAT, 0600, &fd, &e), -1);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "audit.ndjson is a symbolic link"));
	victim_untouched(&p);
	/* dangling: the target does not exist and must not be made */
	ghost = fs_join(p.dir, "ghost");
	CU_ASSERT_EQUAL(unlink(p.link), 0);
	CU_ASSERT_EQUAL(symlink(ghost, p.link), 0);
	CU_ASSERT_EQUAL(fs_open_plain(p.link, O_WRONLY | O_APPEND | O_CREAT, 0600, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT(!fs_exists(ghost));
	free(ghost);
	unplant(&p);
}

static void test_open_refuses_a_fifo_and_a_folder_without_hanging(void)
{
	char *dir = unit_tmpdir();
	char *fifo = fs_join(dir, "audit.ndjson"), *sub = fs_join(dir, "links.csv");
	struct itg_err e = {0};
	int fd;

	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	CU_ASSERT_EQUAL(fs_open_plain(fifo, O_RDONLY, 0, &fd, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is not a plain file"));
	CU_ASSERT_EQUAL(fs_open_plain(fifo, O_WRONLY | O_APPEND | O_CREAT, 0600, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_EQUAL(fs_open_plain(sub, O_RDONLY, 0, &fd, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "links.csv is not a plain file"));
	CU_ASSERT_EQUAL(fs_open_plain(sub, O_WRONLY | O_APPEND, 0, &fd, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	free(fifo);
	free(sub);
	unit_rmtree(dir);
}

static void test_open_of_a_plain_file_and_of_a_missing_one(void)
{
	char *dir = unit_tmpdir(), *path = fs_join(dir, "audit.ndjson");
	struct itg_err e = {0};
	struct stat st;
	int fd = 7;

	CU_ASSERT_EQUAL(fs_open_plain(path, O_RDONLY, 0, &fd, &e), 0);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_EQUAL(e.code, 0);
	CU_ASSERT_EQUAL(fs_open_plain(path, O_WRONLY | O_APPEND | O_CREAT, 0600, &fd, &e), 1);
	CU_ASSERT(fd >= 0);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CU_ASSERT_EQUAL(write(fd, "x\n", 2), 2);
	close(fd);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(st.st_size, 2);
	free(path);
	unit_rmtree(dir);
}

/* outside/keep.txt, and tree/{a.txt, sub/b.txt, out -> outside, sub/up -> outside}. */
static void test_remove_tree_removes_links_not_what_they_point_at(void)
{
	char *dir = unit_tmpdir();
	char *outside = fs_join(dir, "outside"), *keep = fs_join(outside, "keep.txt");
	char *tree = fs_join(dir, "tree"), *sub = fs_join(tree, "sub");
	char *a = fs_join(tree, "a.txt"), *b = fs_join(sub, "b.txt");
	char *out = fs_join(tree, "out"), *up = fs_join(sub, "up");
	char *file_link = fs_join(tree, "keep-link");
	char *top_link = fs_join(dir, "top-link");
	char *slashed = xasprintf("%s/", top_link);

	CU_ASSERT_EQUAL_FATAL(mkdir(outside, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(tree, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	CU_ASSERT_EQUAL(unit_write_file(keep, "keep"), 0);
	CU_ASSERT_EQUAL(unit_write_file(a, "a"), 0);
	CU_ASSERT_EQUAL(unit_write_file(b, "b"), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(outside, out), 0);
	CU_ASSERT_EQUAL_FATAL(symlink("../../outside", up), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(keep, file_link), 0);
	CU_ASSERT_EQUAL(fs_remove_tree(tree), 0);
	CU_ASSERT(!fs_exists(tree));
	CU_ASSERT(fs_is_dir(outside));
	CU_ASSERT(fs_exists(keep));
	/* the path itself a link to a folder, with and without a trailing slash */
	CU_ASSERT_EQUAL_FATAL(symlink(outside, top_link), 0);
	CU_ASSERT_EQUAL(fs_remove_tree(slashed), 0);
	CU_ASSERT(!fs_exists(top_link));
	CU_ASSERT(fs_exists(keep));
	CU_ASSERT_EQUAL_FATAL(symlink(outside, top_link), 0);
	CU_ASSERT_EQUAL(fs_remove_tree(top_link), 0);
	CU_ASSERT(!fs_exists(top_link));
	CU_ASSERT(fs_exists(keep));
	free(outside);
	free(keep);
	free(tree);
	free(sub);
	free(a);
	free(b);
	free(out);
	free(up);
	free(file_link);
	free(top_link);
	free(slashed);
	unit_rmtree(dir);
}

/*
 * A link planted in place of a published folder's name (a report or a plan
 * folder) is replaced by the new folder: the folder it pointed at keeps
 * every file and gets none of the new ones.
 */
static void test_publish_dir_replaces_a_planted_link_not_its_target(void)
{
	char *dir = unit_tmpdir();
	char *outside = fs_join(dir, "outside"), *keep = fs_join(outside, "keep.txt");
	char *final = fs_join(dir, "report"), *staged, *file, *there;
	struct itg_err e = {0};
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(mkdir(outside, 0700), 0);
	CU_ASSERT_EQUAL(unit_write_file(keep, "keep"), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(outside, final), 0);
	staged = fs_stage_dir(final, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(staged);
	file = fs_join(staged, "summary.json");
	CU_ASSERT_EQUAL(unit_write_file(file, "{}"), 0);
	CU_ASSERT_EQUAL(fs_publish_dir(staged, final, &e), 0);
	CU_ASSERT_EQUAL(lstat(final, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	there = fs_join(outside, "summary.json");
	CU_ASSERT(!fs_exists(there));
	CU_ASSERT(fs_exists(keep));
	free(file);
	file = fs_join(final, "summary.json");
	CU_ASSERT(fs_exists(file));
	free(file);
	free(there);
	free(staged);
	free(outside);
	free(keep);
	free(final);
	unit_rmtree(dir);
}

/* A stale staging name planted as a link to a folder: the sweep removes the link only. */
static void test_stage_sweep_removes_a_planted_link_only(void)
{
	char *dir = unit_tmpdir();
	char *outside = fs_join(dir, "outside"), *keep = fs_join(outside, "keep.txt");
	char *final = fs_join(dir, "snap");
	/* pid 2^22+1 is above the kernel's pid_max: no such process */
	char *planted = fs_join(dir, ".snap.tmp.4194305.abcdef");
	char *staged;
	struct itg_err e = {0};

	CU_ASSERT_EQUAL_FATAL(mkdir(outside, 0700), 0);
	CU_ASSERT_EQUAL(unit_write_file(keep, "keep"), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(outside, planted), 0);
	staged = fs_stage_dir(final, &e);
	CU_ASSERT_PTR_NOT_NULL(staged);
	CU_ASSERT(!fs_exists(planted));
	CU_ASSERT(fs_exists(keep));
	free(staged);
	free(outside);
	free(keep);
	free(final);
	free(planted);
	unit_rmtree(dir);
}

/* fs_refuse_link: a link is refused, a plain file or nothing at all is not. */
static void test_refuse_link_says_which_file(void)
{
	struct planted p;
	struct itg_err e = {0};
	char *plain, *missing;

	plant(&p, ".journal");
	plain = fs_join(p.store, "links.csv");
	missing = fs_join(p.store, "users.csv");
	CU_ASSERT_EQUAL(unit_write_file(plain, "x"), 0);
	CU_ASSERT_EQUAL(fs_refuse_link(plain, &e), 0);
	CU_ASSERT_EQUAL(fs_refuse_link(missing, &e), 0);
	CU_ASSERT_EQUAL(e.code, 0);
	CU_ASSERT_EQUAL(fs_refuse_link(p.link, &e), -1);
	CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/store/.journal is a symbolic link"));
	victim_untouched(&p);
	free(plain);
	free(missing);
	unplant(&p);
}

static CU_TestInfo tests[] = {
	{"test_read_refuses_a_link_naming_it_and_what_to_do",
	 test_read_refuses_a_link_naming_it_and_what_to_do},
	{"test_read_of_a_plain_file_and_of_a_missing_one",
	 test_read_of_a_plain_file_and_of_a_missing_one},
	{"test_read_all_allocates_the_file_size", test_read_all_allocates_the_file_size},
	{"test_a_store_folder_that_is_a_link_is_read_through",
	 test_a_store_folder_that_is_a_link_is_read_through},
	{"test_fingerprint_refuses_a_link", test_fingerprint_refuses_a_link},
	{"test_open_for_append_neither_follows_nor_creates_through_a_link",
	 test_open_for_append_neither_follows_nor_creates_through_a_link},
	{"test_open_refuses_a_fifo_and_a_folder_without_hanging",
	 test_open_refuses_a_fifo_and_a_folder_without_hanging},
	{"test_open_of_a_plain_file_and_of_a_missing_one",
	 test_open_of_a_plain_file_and_of_a_missing_one},
	{"test_remove_tree_removes_links_not_what_they_point_at",
	 test_remove_tree_removes_links_not_what_they_point_at},
	{"test_publish_dir_replaces_a_planted_link_not_its_target",
	 test_publish_dir_replaces_a_planted_link_not_its_target},
	{"test_stage_sweep_removes_a_planted_link_only",
	 test_stage_sweep_removes_a_planted_link_only},
	{"test_refuse_link_says_which_file", test_refuse_link_says_which_file},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("fsutil", NULL, NULL, tests)
