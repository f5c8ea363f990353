/*
 * workq.c - a few threads taking jobs in order (workq.h).  One mutex guards
 * the queue and every job's done flag; `more` wakes the threads, `finished`
 * wakes whoever waits for a job.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "workq.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* $ITG_THREADS as a count, or 0 when it is not one from 1 to the maximum. */
static int env_threads(const char *env)
{
	char *end;
	long v;

	if (!env || *env < '0' || *env > '9')
		return 0;
	v = strtol(env, &end, 10);
	return *end == '\0' && v >= 1 && v <= WORKQ_MAX_THREADS ? (int)v : 0;
}

int workq_check_env(struct itg_err *e)
{
	const char *env = getenv(WORKQ_ENV);

	if (!env || !*env || env_threads(env))
		return 0;
	return err_set(e, ITG_EXIT_USAGE,
		       "%s=%.40s is not a number of threads: give a whole number from 1 to %d, or "
		       "unset it for one thread per CPU",
		       WORKQ_ENV, env, WORKQ_MAX_THREADS);
}

int workq_threads(void)
{
	int n = env_threads(getenv(WORKQ_ENV));
	cpu_set_t set;

	if (n)
		return n;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = 1;
	return n > WORKQ_MAX_THREADS ? WORKQ_MAX_THREADS : n;
}

static void *thread_main(void *arg)
{
	struct workq_arg *a = arg;
	struct workq *q = a->q;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct workq_job *j;
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->more, &q->mu);
		if (!q->head)
			break;   /* stopping, and nothing is left */
		j = q->head;
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		q->fn(q->ctx, j, a->worker);
		pthread_mutex_lock(&q->mu);
		j->done = 1;
		pthread_cond_broadcast(&q->finished);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

void workq_start(struct workq *q, int nthreads, workq_fn fn, void *ctx)
{
	sigset_t all, old;

	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->finished, NULL);
	q->fn = fn;
	q->ctx = ctx;
	if (nthreads > WORKQ_MAX_THREADS)
		nthreads = WORKQ_MAX_THREADS;
	/* the threads block every signal: SIGINT and SIGTERM still reach the
	 * thread that started them, whose handler and EINTR they were meant for */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < nthreads; i++) {
		q->args[i] = (struct workq_arg){q, i};
		if (pthread_create(&q->th[i], NULL, thread_main, &q->args[i]) != 0)
			break;   /* fewer threads; none at all runs jobs in workq_push */
		q->n++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void workq_push(struct workq *q, struct workq_job *job)
{
	job->next = NULL;
	job->done = 0;
	if (q->n == 0) {
		q->fn(q->ctx, job, 0);
		job->done = 1;
		return;
	}
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
}

void workq_wait(struct workq *q, struct workq_job *job)
{
	if (q->n == 0)
		return;
	pthread_mutex_lock(&q->mu);
	while (!job->done)
		pthread_cond_wait(&q->finished, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void workq_stop(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->mu);
	for (int i = 0; i < q->n; i++)
		pthread_join(q->th[i], NULL);
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->finished);
	pthread_mutex_destroy(&q->mu);
	memset(q, 0, sizeof *q);
}
