/*
 * budget.h - one IT Glue rate budget per account: the extract lock.
 *
 * IT Glue allows 3000 requests per 5 minutes per account, shared by every
 * integration of the account (docs/itglue-api.md section 5).  itg-extract
 * stays under 8 requests per second on its own; two extracts from one
 * account at once would together go over the account's 10.  So
 * pipelines/run holds, for the whole of the extract stage, an exclusive
 * lock per IT Glue host in the `out` folder its pipeline's runs go to:
 * OUT/.itglue-<host>.lock (flock(2), created 0600, never through a symbolic
 * link).  Every pipeline with that `out` folder takes its turn; a run that
 * finds the lock held waits for it, up to a limit.
 *
 * The lock cannot tell two accounts on one host apart (the account is known
 * only once IT Glue has answered): their pipelines take turns too.
 */
#ifndef ITG_RUNNER_BUDGET_H
#define ITG_RUNNER_BUDGET_H

#include "err.h"

/* How long a run waits for the lock by default: 2 hours. */
#define BUDGET_WAIT_DEFAULT 7200L
/* The most ITG_EXTRACT_LOCK_WAIT may ask: a day. */
#define BUDGET_WAIT_MAX 86400L
/* ITG_EXTRACT_LOCK_WAIT=SECONDS overrides BUDGET_WAIT_DEFAULT. */
#define BUDGET_WAIT_VAR "ITG_EXTRACT_LOCK_WAIT"

/*
 * The IT Glue host the extract will talk to, as people write it: the host of
 * base_url (lowercase, with ":PORT" unless the port is the scheme's own),
 * else the region's ("us" or none: api.itglue.com, "eu": api.eu.itglue.com,
 * "au": api.au.itglue.com; the same table as extract/options.c).  A base_url
 * that is not a URL stands for itself (itg-extract will refuse it).  Caller
 * frees.
 */
char *budget_host(const char *region, const char *base_url);

/*
 * The lock file's name for host: ".itglue-" + host + ".lock", every byte of
 * host other than a-z, 0-9, '.' and '-' made '_' ("127.0.0.1:8080" ->
 * ".itglue-127.0.0.1_8080.lock").  Caller frees.
 */
char *budget_lock_name(const char *host);

/*
 * The wait limit in seconds: $ITG_EXTRACT_LOCK_WAIT (whole seconds, 0 to
 * BUDGET_WAIT_MAX; 0 = do not wait) or BUDGET_WAIT_DEFAULT.  Anything else
 * is ITG_EXIT_USAGE naming the variable.
 */
int budget_wait_limit(long *seconds, struct itg_err *e);

struct budget_wait {
	long max_wait;              /* seconds */
	long poll_ms;               /* between two tries; 0 = 250 */
	int (*stop)(void);          /* not 0: give up (a signal came); NULL = never */
	void (*waiting)(void *arg); /* called once, when the lock is found held; may be NULL */
	void *arg;
	double waited;              /* out: seconds spent waiting */
};

/*
 * Takes the exclusive lock on path (made 0600 if missing; a symbolic link
 * or anything but a regular file is refused), trying again every poll_ms
 * while another process holds it, for up to max_wait seconds.  Returns 0
 * with *fd held (release with store_lock_release), 1 when stop() said to
 * give up (*fd = -1), or -1 with e: ITG_EXIT_STALE when the lock was still
 * held after max_wait (the message names path and host), ITG_EXIT_RUNTIME
 * when it could not be opened or locked.  The descriptor is close-on-exec.
 */
int budget_lock_take(const char *path, const char *host, struct budget_wait *w, int *fd,
		     struct itg_err *e);

/* "2 h", "1 h 30 min", "5 min", "45 s": for messages. */
void budget_duration(long seconds, char out[32]);

#endif
