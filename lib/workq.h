/*
 * workq.h - a few threads that take jobs in the order they are pushed.
 *
 * The caller pushes jobs (a struct workq_job at the head of its own
 * struct) and waits for each, in any order; the threads call the queue's
 * function on one job at a time.  What a job reads and writes is the
 * caller's to keep apart: the function must not touch what another job or
 * the pushing thread may be changing.  A job is the caller's memory
 * throughout; once workq_wait returns, the job is the caller's alone again.
 *
 * Nothing is cancelled: a caller that gives up sets a flag of its own that
 * its function reads, then waits for (or stops the queue after) what it
 * pushed.  When no thread could be started, workq_push runs the job itself,
 * so a queue always works.
 *
 * The threads block every signal, so that a signal reaches the threads
 * the program has (its handler, and the EINTR of what it waits in).
 *
 * How many threads: workq_threads() is $ITG_THREADS when it is a number
 * from 1 to WORKQ_MAX_THREADS, else the CPUs this process may run on
 * (sched_getaffinity), at most WORKQ_MAX_THREADS.  Every program checks the
 * variable first (workq_check_env, from lib/cmd): set to anything else, it
 * is a usage error, not a silent default.
 */
#ifndef ITG_WORKQ_H
#define ITG_WORKQ_H

#include <pthread.h>

#include "err.h"

#define WORKQ_MAX_THREADS 8
#define WORKQ_ENV "ITG_THREADS"

struct workq_job {
	struct workq_job *next;   /* internal */
	int done;                 /* internal: read through workq_wait */
};

struct workq;
/* fn(ctx, job, worker): worker is 0..n-1, the thread's own number (for
 * state kept per thread); 0 when workq_push runs the job itself. */
typedef void (*workq_fn)(void *ctx, struct workq_job *job, int worker);

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t more, finished;
	struct workq_job *head, *tail;
	int stopping;
	workq_fn fn;
	void *ctx;
	int n;                     /* threads running (0: jobs run in workq_push) */
	pthread_t th[WORKQ_MAX_THREADS];
	struct workq_arg {
		struct workq *q;
		int worker;
	} args[WORKQ_MAX_THREADS];
};

int workq_threads(void);
/* 0 when $ITG_THREADS is unset, empty or a count workq_threads takes; else
 * -1 with e set (ITG_EXIT_USAGE, naming the variable and the range). */
int workq_check_env(struct itg_err *e);
/* Starts up to nthreads threads (at most WORKQ_MAX_THREADS); q->n says how
 * many did start.  0 threads (asked for, or none could start): workq_push
 * runs each job before it returns. */
void workq_start(struct workq *q, int nthreads, workq_fn fn, void *ctx);
void workq_push(struct workq *q, struct workq_job *job);
/* Returns once fn has returned for job. */
void workq_wait(struct workq *q, struct workq_job *job);
/* Runs what is still queued, then joins the threads. */
void workq_stop(struct workq *q);

#endif
