/*
 * Unit tests of pipelines/runner/runlog's stream: a stage's standard error
 * cut into lines for run.log (with the time in front, never a carriage
 * return or a control sequence) and progress lines for the terminal only;
 * and lib/log's side of it, ITG_PROGRESS=1.
 */
#include "unit.h"

#include "../../pipelines/runner/runlog.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* run.log and a file standing for the terminal, in a folder of their own */
struct sink {
	char *dir, *log_path, *term_path;
	struct runlog l;
	struct runlog_stream s;
};

static void sink_open(struct sink *k, int progress)
{
	struct itg_err e = {0};

	k->dir = unit_tmpdir();
	k->log_path = fs_join(k->dir, "run.log");
	k->term_path = fs_join(k->dir, "terminal");
	runlog_init(&k->l, 0);
	CU_ASSERT_EQUAL_FATAL(runlog_open(&k->l, k->log_path, &e), 0);
	k->l.err_fd = open(k->term_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(k->l.err_fd >= 0);
	k->l.progress = progress;
	runlog_stream_init(&k->s);
}

static void feed(struct sink *k, const char *text)
{
	runlog_stream_feed(&k->l, &k->s, text, strlen(text));
}

/* Ends the stream; log gets run.log less its time stamps (each checked), term the terminal. */
static void sink_close(struct sink *k, struct buf *log, struct buf *term)
{
	struct itg_err e = {0};
	struct buf raw = {0};
	const char *p;

	runlog_stream_end(&k->l, &k->s);
	CU_ASSERT_EQUAL(runlog_sync(&k->l, &e), 0);
	runlog_close(&k->l);
	close(k->l.err_fd);
	CU_ASSERT_EQUAL(fs_read_all(k->log_path, &raw, 0, &e), 0);
	buf_reset(term);
	CU_ASSERT_EQUAL(fs_read_all(k->term_path, term, 0, &e), 0);
	buf_reset(log);
	buf_adds(log, "");
	/* "2026-01-01T00:00:00.000Z " before every line */
	for (p = buf_str(&raw); *p;) {
		const char *nl = strchr(p, '\n');

		CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
		CU_ASSERT_FATAL(nl - p >= 25);
		CU_ASSERT(p[4] == '-' && p[10] == 'T' && p[19] == '.' && p[23] == 'Z' && p[24] == ' ');
		buf_add(log, p + 25, (size_t)(nl - p - 25) + 1);
		p = nl + 1;
	}
	buf_free(&raw);
	free(k->log_path);
	free(k->term_path);
	unit_rmtree(k->dir);
}

#define P1 "\r\033[Kitg-extract: organizations: 1000 records, 1 of 3 pages"
#define P2 "\r\033[Kitg-extract: organizations: 2000 records, 2 of 3 pages"
#define DONE "\r\033[KINFO itg-extract: wrote 6 resources\n"

/* A progress line followed by a normal line, as lib/log writes them: one write each. */
static void test_progress_goes_to_the_terminal_only(void)
{
	struct sink k;
	struct buf log = {0}, term = {0};

	sink_open(&k, 1);
	feed(&k, "INFO itg-extract: start\n");
	feed(&k, P1);
	feed(&k, P2);
	feed(&k, DONE);
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log),
			       "INFO itg-extract: start\nINFO itg-extract: wrote 6 resources\n");
	/* the terminal gets what the stage wrote, byte for byte */
	CU_ASSERT_STRING_EQUAL(buf_str(&term), "INFO itg-extract: start\n" P1 P2 DONE);

	/* all in one read: every progress line is still shown */
	sink_open(&k, 1);
	feed(&k, "INFO itg-extract: start\n" P1 P2 DONE);
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&term), "INFO itg-extract: start\n" P1 P2 DONE);
	buf_free(&log);
	buf_free(&term);
}

static void test_without_a_terminal_progress_is_dropped(void)
{
	struct sink k;
	struct buf log = {0}, term = {0};

	sink_open(&k, 0);
	feed(&k, P1);
	feed(&k, P2);
	feed(&k, DONE);
	feed(&k, P1);
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log), "INFO itg-extract: wrote 6 resources\n");
	CU_ASSERT_STRING_EQUAL(buf_str(&term), "INFO itg-extract: wrote 6 resources\n");
	CU_ASSERT_PTR_NULL(strchr(buf_str(&term), '\r'));
	buf_free(&log);
	buf_free(&term);
}

/* Byte by byte, or all at once: run.log is the same. */
static void test_lines_do_not_depend_on_how_the_bytes_come(void)
{
	static const char text[] = "INFO a: one\n" P1 P2 DONE "\r\033[K" "WARN a: two\n" P1;
	struct sink k;
	struct buf log = {0}, term = {0}, once = {0};

	sink_open(&k, 1);
	for (size_t i = 0; i < sizeof text - 1; i++)
		runlog_stream_feed(&k.l, &k.s, text + i, 1);
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log),
			       "INFO a: one\nINFO itg-extract: wrote 6 resources\nWARN a: two\n");
	/* shown as it came, and the last progress line cleared at the end */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&term), "2 of 3 pages"));
	CU_ASSERT(term.len > 4 && strcmp(term.p + term.len - 4, "\r\033[K") == 0);

	sink_open(&k, 1);
	feed(&k, text);
	sink_close(&k, &once, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&once), buf_str(&log));
	buf_free(&log);
	buf_free(&once);
	buf_free(&term);
}

/* A stage ending on a progress line (killed, or no log_progress_end): cleared, not logged. */
static void test_carriage_return_without_newline_at_the_end(void)
{
	struct sink k;
	struct buf log = {0}, term = {0};

	sink_open(&k, 1);
	feed(&k, "INFO itg-load: start\n");
	feed(&k, "\r\033[Kitg-load: applying plan lines: 4,096 of 508,402");
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log), "INFO itg-load: start\n");
	CU_ASSERT_STRING_EQUAL(buf_str(&term),
			       "INFO itg-load: start\n"
			       "\r\033[Kitg-load: applying plan lines: 4,096 of 508,402\r\033[K");

	/* text, then a bare carriage return at the very end: the text is a line */
	sink_open(&k, 1);
	feed(&k, "ERROR itg-load: cut short\r");
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log), "ERROR itg-load: cut short\n");
	CU_ASSERT_STRING_EQUAL(buf_str(&term), "ERROR itg-load: cut short\n");
	buf_free(&log);
	buf_free(&term);
}

/* A progress line the stage overwrites with text and a newline is a line: nothing is lost. */
static void test_progress_followed_by_text_and_newline_is_a_line(void)
{
	struct sink k;
	struct buf log = {0}, term = {0};

	sink_open(&k, 1);
	feed(&k, P1);
	feed(&k, "==12==ERROR: AddressSanitizer: heap-use-after-free\n");
	feed(&k, "one\r\ntwo\r\n");
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log),
			       "itg-extract: organizations: 1000 records, 1 of 3 pages"
			       "==12==ERROR: AddressSanitizer: heap-use-after-free\none\ntwo\n");
	CU_ASSERT_STRING_EQUAL(buf_str(&term),
			       P1 "==12==ERROR: AddressSanitizer: heap-use-after-free\none\ntwo\n");
	buf_free(&log);
	buf_free(&term);
}

static void test_long_lines_are_passed_on_in_pieces(void)
{
	size_t n = RUNLOG_MAX_LINE + 1000;
	char *text = xmalloc(n + 2);
	struct sink k;
	struct buf log = {0}, term = {0};
	const char *nl;

	memset(text, 'x', n);
	text[n] = '\n';
	text[n + 1] = '\0';
	sink_open(&k, 1);
	feed(&k, text);
	/* a progress segment that never ends is cut the same way */
	feed(&k, "\r");
	feed(&k, text);
	sink_close(&k, &log, &term);
	nl = strchr(buf_str(&log), '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
	CU_ASSERT_EQUAL((size_t)(nl - log.p), (size_t)RUNLOG_MAX_LINE);
	CU_ASSERT_EQUAL(log.len, 2 * (n + 2));
	CU_ASSERT_PTR_NULL(strchr(buf_str(&log), '\r'));
	CU_ASSERT_EQUAL(term.len, 2 * (n + 2));
	free(text);
	buf_free(&log);
	buf_free(&term);
}

static void test_control_sequences_never_reach_run_log(void)
{
	struct buf plain = {0};
	struct sink k;
	struct buf log = {0}, term = {0};

	runlog_plain("a\033[1mb\033[0m\rc\033Xd\033", 17, &plain);
	CU_ASSERT_STRING_EQUAL(buf_str(&plain), "abcd");
	buf_free(&plain);

	sink_open(&k, 0);
	feed(&k, "WARN itg-transform: \033[31mred\033[0m\n");
	sink_close(&k, &log, &term);
	CU_ASSERT_STRING_EQUAL(buf_str(&log), "WARN itg-transform: red\n");
	CU_ASSERT_STRING_EQUAL(buf_str(&term), "WARN itg-transform: red\n");
	buf_free(&log);
	buf_free(&term);
}

/* lib/log: with ITG_PROGRESS=1, progress although standard error is no terminal. */
static void test_log_progress_honours_itg_progress(void)
{
	char *dir = unit_tmpdir();
	char *path = fs_join(dir, "stderr");
	struct itg_err e = {0};
	struct buf got = {0};
	int saved = dup(STDERR_FILENO);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_init("unit", LOG_HUMAN, 0, 0);
	unsetenv("ITG_PROGRESS");
	log_progress("hidden %d", 1);
	setenv("ITG_PROGRESS", "0", 1);
	log_progress("hidden %d", 2);
	setenv("ITG_PROGRESS", "1", 1);
	log_progress("shown %d", 3);
	log_progress_end();
	log_init("unit", LOG_HUMAN, 1, 0);
	log_progress("hidden %d", 4);
	log_init("unit", LOG_JSON, 0, 0);
	log_progress("hidden %d", 5);
	unsetenv("ITG_PROGRESS");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_init("itg-run", LOG_HUMAN, 1, 0);
	CU_ASSERT_EQUAL(fs_read_all(path, &got, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(buf_str(&got), "\r\033[Kunit: shown 3\r\033[K");
	buf_free(&got);
	free(path);
	unit_rmtree(dir);
}

static int quiet_logs(void)
{
	log_init("itg-run", LOG_HUMAN, 1, 0);
	return 0;
}

static int default_logs(void)
{
	log_init("itg", LOG_HUMAN, 0, 0);
	return 0;
}

static CU_TestInfo tests[] = {
	{"test_progress_goes_to_the_terminal_only", test_progress_goes_to_the_terminal_only},
	{"test_without_a_terminal_progress_is_dropped", test_without_a_terminal_progress_is_dropped},
	{"test_lines_do_not_depend_on_how_the_bytes_come",
	 test_lines_do_not_depend_on_how_the_bytes_come},
	{"test_carriage_return_without_newline_at_the_end",
	 test_carriage_return_without_newline_at_the_end},
	{"test_progress_followed_by_text_and_newline_is_a_line",
	 test_progress_followed_by_text_and_newline_is_a_line},
	{"test_long_lines_are_passed_on_in_pieces", test_long_lines_are_passed_on_in_pieces},
	{"test_control_sequences_never_reach_run_log", test_control_sequences_never_reach_run_log},
	{"test_log_progress_honours_itg_progress", test_log_progress_honours_itg_progress},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("runner_runlog", quiet_logs, default_logs, tests)
