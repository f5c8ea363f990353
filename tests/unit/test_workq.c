/* lib/workq: jobs on a few threads, waited for in any order. */
#include "unit.h"

#include "workq.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct square {
	struct workq_job job;   /* first */
	long in, out;
	int worker;
};

struct counts {
	atomic_int ran;
	int nthreads;
	long order[64];         /* with one thread: the order the jobs ran in */
	int norder;
};

static void square(void *ctx, struct workq_job *job, int worker)
{
	struct counts *c = ctx;
	struct square *s = (struct square *)job;

	s->out = s->in * s->in;
	s->worker = worker;
	if (c->nthreads == 1 && c->norder < 64)
		c->order[c->norder++] = s->in;
	atomic_fetch_add(&c->ran, 1);
}

/* Every job runs once, on a thread of the queue, and is done when waited
 * for, whatever the order of the waits. */
static void test_jobs_run_once_and_are_done_when_waited_for(void)
{
	enum { N = 2000 };
	struct square *jobs = calloc(N, sizeof *jobs);
	struct counts c = {.nthreads = 4};
	struct workq q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jobs);
	workq_start(&q, 4, square, &c);
	CU_ASSERT(q.n >= 1 && q.n <= 4);
	for (long i = 0; i < N; i++) {
		jobs[i].in = i;
		jobs[i].out = -1;
		workq_push(&q, &jobs[i].job);
		/* waits interleaved with pushes: the newest half way */
		if (i % 500 == 499)
			workq_wait(&q, &jobs[i / 2].job);
	}
	for (long i = N - 1; i >= 0; i--) {
		workq_wait(&q, &jobs[i].job);
		CU_ASSERT_EQUAL(jobs[i].out, i * i);
		CU_ASSERT(jobs[i].worker >= 0 && jobs[i].worker < q.n);
	}
	workq_stop(&q);
	CU_ASSERT_EQUAL(atomic_load(&c.ran), N);
	free(jobs);
}

/* One thread takes the jobs in the order they were pushed; stopping runs
 * what is still queued. */
static void test_one_thread_runs_jobs_in_order_and_stop_drains(void)
{
	struct square jobs[40];
	struct counts c = {.nthreads = 1};
	struct workq q;

	memset(jobs, 0, sizeof jobs);
	workq_start(&q, 1, square, &c);
	for (long i = 0; i < 40; i++) {
		jobs[i].in = i;
		workq_push(&q, &jobs[i].job);
	}
	workq_stop(&q);   /* no wait: stop itself runs them all */
	CU_ASSERT_EQUAL(atomic_load(&c.ran), 40);
	CU_ASSERT_EQUAL_FATAL(c.norder, 40);
	for (int i = 0; i < 40; i++) {
		CU_ASSERT_EQUAL(c.order[i], i);
		CU_ASSERT_EQUAL(jobs[i].out, (long)i * i);
	}
}

/* With no thread, each job runs inside workq_push, in order. */
static void test_no_thread_runs_each_job_when_pushed(void)
{
	struct square jobs[5];
	struct counts c = {.nthreads = 1};
	struct workq q;

	memset(jobs, 0, sizeof jobs);
	workq_start(&q, 0, square, &c);
	CU_ASSERT_EQUAL(q.n, 0);
	for (long i = 0; i < 5; i++) {
		jobs[i].in = i + 2;
		workq_push(&q, &jobs[i].job);
		CU_ASSERT_EQUAL(atomic_load(&c.ran), i + 1);   /* already ran */
		CU_ASSERT_EQUAL(jobs[i].out, (i + 2) * (i + 2));
	}
	workq_wait(&q, &jobs[0].job);
	workq_stop(&q);
	CU_ASSERT_EQUAL(c.norder, 5);
}

struct mask_job {
	struct workq_job job;   /* first */
	int int_blocked, term_blocked;
};

static void read_mask(void *ctx, struct workq_job *job, int worker)
{
	struct mask_job *j = (struct mask_job *)job;
	sigset_t cur;

	(void)ctx;
	(void)worker;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	j->int_blocked = sigismember(&cur, SIGINT);
	j->term_blocked = sigismember(&cur, SIGTERM);
}

/* The threads block SIGINT and SIGTERM, so that they reach the thread that
 * has the handlers; that thread's own mask is left as it was. */
static void test_threads_leave_signals_to_the_caller(void)
{
	struct mask_job jobs[4];
	struct workq q;
	sigset_t cur;

	memset(jobs, 0, sizeof jobs);
	workq_start(&q, 4, read_mask, NULL);
	for (int i = 0; i < 4; i++)
		workq_push(&q, &jobs[i].job);
	for (int i = 0; i < 4; i++) {
		workq_wait(&q, &jobs[i].job);
		CU_ASSERT_EQUAL(jobs[i].int_blocked, 1);
		CU_ASSERT_EQUAL(jobs[i].term_blocked, 1);
	}
	workq_stop(&q);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	CU_ASSERT_EQUAL(sigismember(&cur, SIGINT), 0);
	CU_ASSERT_EQUAL(sigismember(&cur, SIGTERM), 0);
}

/* ITG_THREADS sets the count when it is 1..WORKQ_MAX_THREADS; anything
 * else is the CPUs the process may use, within the same bounds, and what
 * workq_check_env refuses. */
static void test_thread_count_from_environment_or_cpus(void)
{
	static const char *const ignored[] = {"0", "9", "-1", "2x", "", "many"};
	int cpus;

	unsetenv("ITG_THREADS");
	cpus = workq_threads();
	CU_ASSERT(cpus >= 1 && cpus <= WORKQ_MAX_THREADS);
	setenv("ITG_THREADS", "3", 1);
	CU_ASSERT_EQUAL(workq_threads(), 3);
	setenv("ITG_THREADS", "8", 1);
	CU_ASSERT_EQUAL(workq_threads(), 8);
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
		struct itg_err e = {0};
		setenv("ITG_THREADS", ignored[i], 1);
		CU_ASSERT_EQUAL(workq_threads(), cpus);
		/* what a program refuses at its start (all but the empty value) */
		if (*ignored[i]) {
			CU_ASSERT_EQUAL(workq_check_env(&e), -1);
			CU_ASSERT_EQUAL(e.code, ITG_EXIT_USAGE);
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "ITG_THREADS="));
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "from 1 to 8"));
		} else {
			CU_ASSERT_EQUAL(workq_check_env(&e), 0);
		}
	}
	{
		struct itg_err e = {0};
		setenv("ITG_THREADS", "5", 1);
		CU_ASSERT_EQUAL(workq_check_env(&e), 0);
		unsetenv("ITG_THREADS");
		CU_ASSERT_EQUAL(workq_check_env(&e), 0);
	}
}

static CU_TestInfo tests[] = {
	{"test_jobs_run_once_and_are_done_when_waited_for",
	 test_jobs_run_once_and_are_done_when_waited_for},
	{"test_one_thread_runs_jobs_in_order_and_stop_drains",
	 test_one_thread_runs_jobs_in_order_and_stop_drains},
	{"test_no_thread_runs_each_job_when_pushed", test_no_thread_runs_each_job_when_pushed},
	{"test_threads_leave_signals_to_the_caller", test_threads_leave_signals_to_the_caller},
	{"test_thread_count_from_environment_or_cpus", test_thread_count_from_environment_or_cpus},
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("workq", NULL, NULL, tests)
