#include "runner.h"
#include "cmd.h"
#include "cli.h"
#include "fsutil.h"
#include "budget.h"
#include "integration.h"
#include "lock.h"
#include "pipeline.h"
#include "rundir.h"
#include "runlog.h"
#include "store.h"
#include "snapshot.h"
#include "stage.h"
#include "status.h"
#include "summary.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a stage ended because this run was interrupted */
#define RUN_INTERRUPTED (-1)

const struct run_pass_flag run_pass_flags[] = {
	{"disconnect", STAGE_TRANSFORM,
	 "end the integration on purpose: every link removed, no IT Glue call; later runs "
	 "are refused until --connect"},
	{"connect", STAGE_TRANSFORM,
	 "resume a store disconnected by the operator, or bind it to this pipeline and "
	 "IT Glue account on purpose"},
	{"allow-mass-unlink", STAGE_LOAD,
	 "let itg-load apply, this once, a plan that removes more links than safety allows"},
	{NULL, STAGE_COUNT, NULL},
};

int run_pass_given(const struct run_opts *o, const char *name)
{
	for (size_t i = 0; run_pass_flags[i].name; i++)
		if (strcmp(run_pass_flags[i].name, name) == 0)
			return (o->pass & (1u << i)) != 0;
	return 0;
}

void runner_prepare(void)
{
	umask(077);
	stage_signals_install();
}

struct run {
	const struct run_opts *o;
	struct pipeline p;
	int have_pipeline;
	char *pipeline_abs;            /* what the stages get as -p */
	char *store;                   /* resolved, or NULL */
	char *programs[STAGE_COUNT];
	char *key;                     /* for itg-extract only, or NULL */
	char *out;                     /* out/<name>, resolved */
	int lock;                      /* out/<name>/.lock */
	char id[RUN_ID_LEN + 1];
	char *dir;                     /* out/<name>/<run-id> */
	char *log_path;
	struct runlog log;
	struct run_status status;
	int have_status;               /* integration.json readable: it may be written */
	const char *failed;            /* what failed: "itg-extract", ..., "recovery" */
	const char *interrupted_in;    /* the stage running when a signal came, or NULL */
	char *failure;                 /* "itg-extract failed with exit code 1" */
	int key_refused;               /* itg-extract exited 3 */
	int extracted;                 /* itg-extract ran and succeeded: IT Glue took the key */
	int disconnect, connect;       /* --disconnect, --connect */
	char *budget_host;             /* the IT Glue host itg-extract talks to */
	char *budget_path;             /* OUT/.itglue-<host>.lock (budget.h) */
	long budget_wait;              /* seconds to wait for it at most */
	int budget_lock;               /* held while itg-extract runs, else -1 */
};

/* A path with its folder resolved (the file itself need not exist). */
static char *resolve_folder_of(const char *path)
{
	char *dir = fs_dirname(path), *base = fs_basename(path);
	char *real = realpath(dir, NULL), *out = NULL;

	if (real)
		out = fs_join(real, base);
	free(real);
	free(dir);
	free(base);
	return out;
}

/*
 * The durable disconnect: a store its operator disconnected stays so until
 * a run is given --connect.  A run with --disconnect is let through (it
 * fetches nothing, and disconnecting twice is harmless).  ITG_EXIT_STALE,
 * or 0.
 */
static int refuse_operator_disconnect(const struct run *r, struct itg_err *e)
{
	char *path;

	if (r->connect || r->disconnect || !status_disconnected_by_operator(r->store))
		return 0;
	path = fs_join(r->store, INTEGRATION_FILE);
	err_set(e, ITG_EXIT_STALE,
		"%s says disconnected_by: operator (the integration was ended on purpose with "
		"--disconnect): this run is refused, nothing was fetched or changed; to resume "
		"it: pipelines/run %s --connect",
		path, r->o->pipeline);
	free(path);
	return -1;
}

/* Everything up to an open run.log: the pipeline, the programs, the lock, the run folder. */
static int setup(struct run *r, struct itg_err *e)
{
	char *pipeline_out, *lock_path;
	int rc;

	/* before anything else: the key must not linger in our environment */
	if (stage_take_api_key(&r->key, e) != 0)
		return e->code;
	if (pipeline_load(r->o->pipeline, &r->p, e) != 0)
		return e->code;
	r->have_pipeline = 1;
	r->pipeline_abs = resolve_folder_of(r->o->pipeline);
	if (!r->pipeline_abs) {
		err_set(e, ITG_EXIT_USAGE, "cannot enter the folder of %s: %s", r->o->pipeline,
			strerror(errno));
		return e->code;
	}
	if (stage_find_programs(r->programs, e) != 0)
		return e->code;
	if (r->p.store)
		r->store = fs_is_dir(r->p.store) ? realpath(r->p.store, NULL) : NULL;
	if (r->p.store && !r->store)
		r->store = xstrdup(r->p.store);
	/* before anything is fetched or made: not even a run folder */
	if (refuse_operator_disconnect(r, e) != 0)
		return e->code;

	pipeline_out = fs_join(r->p.out, r->p.name);
	rc = fs_mkdir_p(pipeline_out, ITG_DIR_MODE, e);
	if (rc == 0 && !(r->out = realpath(pipeline_out, NULL)))
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot enter %s: %s", pipeline_out,
			     strerror(errno));
	free(pipeline_out);
	if (rc != 0)
		return e->code;

	if (budget_wait_limit(&r->budget_wait, e) != 0)
		return e->code;
	{
		/* r->out is OUT/<name> resolved: the lock is shared by all of OUT */
		char *out_dir = fs_dirname(r->out), *name;

		r->budget_host = budget_host(r->p.region,
					     r->o->base_url ? r->o->base_url : r->p.base_url);
		name = budget_lock_name(r->budget_host);
		r->budget_path = fs_join(out_dir, name);
		free(name);
		free(out_dir);
	}

	lock_path = fs_join(r->out, RUNDIR_LOCK);
	if (lock_path_acquire(lock_path, &r->lock, e) != 0 && e->code == ITG_EXIT_STALE)
		err_set(e, ITG_EXIT_STALE,
			"another run of pipeline '%s' holds %s; try again when it has finished",
			r->p.name, lock_path);
	free(lock_path);
	if (r->lock < 0)
		return e->code;

	if (rundir_create(r->out, r->id, &r->dir, e) != 0)
		return e->code;
	r->log_path = fs_join(r->dir, "run.log");
	if (runlog_open(&r->log, r->log_path, e) != 0)
		return e->code;
	return 0;
}

/* --- the stages ---------------------------------------------------------- */

static void push_common(const struct run *r, struct stage_argv *a, enum stage_id stage)
{
	if (r->o->log_format == LOG_JSON) {
		stage_argv_push(a, "--log-format");
		stage_argv_push(a, "json");
	}
	if (r->o->quiet)
		stage_argv_push(a, "--quiet");
	if (r->o->verbose)
		stage_argv_push(a, "--verbose");
	for (size_t i = 0; run_pass_flags[i].name; i++)
		if ((r->o->pass & (1u << i)) && run_pass_flags[i].stage == stage) {
			char *flag = xasprintf("--%s", run_pass_flags[i].name);

			stage_argv_push(a, flag);
			free(flag);
		}
}

/* "-p PIPELINE" after the program, for every stage */
static void push_start(const struct run *r, struct stage_argv *a, enum stage_id stage)
{
	stage_argv_push(a, r->programs[stage]);
	stage_argv_push(a, "-p");
	stage_argv_push(a, r->pipeline_abs);
}

static void push_path(struct stage_argv *a, const char *flag, const char *dir, const char *name)
{
	char *path = fs_join(dir, name);

	stage_argv_push(a, flag);
	stage_argv_push(a, path);
	free(path);
}

/*
 * Runs one stage and says how it ended.  Returns 0, its exit code, 1 when
 * it was killed or could not start, or RUN_INTERRUPTED when this run got an
 * ending signal (before or while it ran).  A failure is remembered as
 * r->failed (label) and r->failure.
 */
static int run_one(struct run *r, struct stage_argv *a, enum stage_id stage, const char *label)
{
	const char *prog = stage_programs[stage];
	struct itg_err e = {0};
	struct stage_end end;
	char **env, *text, sig[16];
	int rc = 0;

	if (stage_interrupted())
		return RUN_INTERRUPTED;
	text = stage_argv_text(a);
	runlog_say(&r->log, LOG_INFO, "run %s: %s", r->id, text);
	free(text);
	/* the key goes to the one stage that talks to IT Glue */
	env = stage_env(r->id, stage == STAGE_EXTRACT ? r->key : NULL, r->log.progress);
	if (stage_run(a->v, env, &r->log, &end, &e) != 0) {
		runlog_say(&r->log, LOG_ERROR, "run %s: %s", r->id, e.msg);
		r->failure = xasprintf("%s could not be started", label);
		rc = ITG_EXIT_RUNTIME;
	} else if (stage_interrupted()) {
		r->interrupted_in = label;
		rc = RUN_INTERRUPTED;
	} else if (end.signo) {
		runlog_say(&r->log, LOG_ERROR, "run %s: %s was killed by %s", r->id, prog,
			   stage_signal_name(end.signo, sig));
		r->failure = xasprintf("%s was killed by %s", label, stage_signal_name(end.signo, sig));
		rc = ITG_EXIT_RUNTIME;
	} else if (end.code != 0) {
		runlog_say(&r->log, LOG_ERROR, "run %s: %s failed with exit code %d", r->id, prog,
			   end.code);
		r->failure = xasprintf("%s failed with exit code %d", label, end.code);
		rc = end.code;
	}
	if (rc > 0)
		r->failed = label;
	stage_env_free(env);
	return rc;
}

/* itg-load --recover: a load killed mid-transaction left a journal */
static int recover(struct run *r)
{
	struct stage_argv a = {0};
	char *journal;
	int rc = 0;

	if (!r->store)
		return 0;
	journal = fs_join(r->store, STORE_FILE_JOURNAL);
	/* finish or undo it before the transform reads the store, or this
	 * run's plan would be stale at once */
	if (fs_exists(journal)) {
		push_start(r, &a, STAGE_LOAD);
		stage_argv_push(&a, "--recover");
		push_common(r, &a, STAGE_COUNT);
		rc = run_one(r, &a, STAGE_LOAD, "recovery");
		stage_argv_free(&a);
	}
	free(journal);
	return rc;
}

static void on_budget_wait(void *arg)
{
	struct run *r = arg;
	char limit[32];

	budget_duration(r->budget_wait, limit);
	runlog_say(&r->log, LOG_INFO,
		   "waiting for another pipeline's extract from %s to finish (IT Glue's rate "
		   "budget is per account): %s is held; waiting up to %s",
		   r->budget_host, r->budget_path, limit);
}

/*
 * The account's rate budget (budget.h): the extract starts only once no
 * other pipeline of this out folder extracts from the same IT Glue host.
 * Returns 0 with r->budget_lock held, RUN_INTERRUPTED, or an exit code with
 * the failure remembered as itg-extract's.
 */
static int take_budget(struct run *r)
{
	struct budget_wait w = {
		.max_wait = r->budget_wait,
		.stop = stage_interrupted,
		.waiting = on_budget_wait,
		.arg = r,
	};
	struct itg_err e = {0};
	char waited[32];
	int rc = budget_lock_take(r->budget_path, r->budget_host, &w, &r->budget_lock, &e);

	if (rc == 1) {
		r->interrupted_in = "the wait for another pipeline's extract";
		return RUN_INTERRUPTED;
	}
	if (rc < 0) {
		char limit[32];

		runlog_say(&r->log, LOG_ERROR, "run %s: %s", r->id, e.msg);
		budget_duration(r->budget_wait, limit);
		r->failed = stage_programs[STAGE_EXTRACT];
		r->failure = e.code == ITG_EXIT_STALE
			? xasprintf("itg-extract did not start: another pipeline's extract from %s "
				    "held %s for more than %s", r->budget_host, r->budget_path, limit)
			: xasprintf("itg-extract did not start: %s", e.msg);
		return e.code;
	}
	if (w.waited > 0.5) {
		budget_duration((long)(w.waited + 0.5), waited);
		runlog_say(&r->log, LOG_INFO, "the other extract from %s is over after %s: this "
			   "run's extract starts", r->budget_host, waited);
	}
	return 0;
}

/*
 * itglue.incremental (docs/contract.md section 11): the newest complete
 * run's snapshot is the base, when its manifest reads; itg-extract checks
 * its files and falls back to a full walk by itself.
 */
static void push_since(struct run *r, struct stage_argv *a)
{
	char *latest = fs_join(r->out, RUNDIR_LATEST), *snap = fs_join(latest, "snapshot"), *real;
	struct snapshot_manifest m;
	struct itg_err e = {0};

	if (!fs_exists(snap))
		runlog_say(&r->log, LOG_INFO, "run %s: no previous snapshot (%s): a full extract",
			   r->id, snap);
	else if (snapshot_manifest_read(snap, &m, &e) != 0 || !(real = realpath(snap, NULL)))
		runlog_say(&r->log, LOG_WARN, "run %s: the previous snapshot cannot serve as a base "
			   "(%s): a full extract", r->id, e.code ? e.msg : strerror(errno));
	else {
		stage_argv_push(a, "--since");
		stage_argv_push(a, real);
		free(real);
	}
	free(snap);
	free(latest);
}

static int extract(struct run *r)
{
	struct stage_argv a = {0};
	int rc;

	rc = take_budget(r);
	if (rc != 0)
		return rc;
	push_start(r, &a, STAGE_EXTRACT);
	push_path(&a, "--out", r->dir, "snapshot");
	if (r->p.incremental)
		push_since(r, &a);
	if (r->o->base_url) {
		stage_argv_push(&a, "--base-url");
		stage_argv_push(&a, r->o->base_url);
	}
	push_common(r, &a, STAGE_EXTRACT);
	rc = run_one(r, &a, STAGE_EXTRACT, stage_programs[STAGE_EXTRACT]);
	stage_argv_free(&a);
	/* the next pipeline's extract may start while this one transforms and loads */
	store_lock_release(r->budget_lock);
	r->budget_lock = -1;
	r->key_refused = rc == ITG_EXIT_AUTH;
	r->extracted = rc == 0;
	return rc;
}

static int transform(struct run *r)
{
	struct stage_argv a = {0};
	int rc;

	push_start(r, &a, STAGE_TRANSFORM);
	/* a disconnect needs nothing of IT Glue: no snapshot was taken */
	if (!r->disconnect)
		push_path(&a, "--snapshot", r->dir, "snapshot");
	push_path(&a, "--out", r->dir, "plan");
	push_common(r, &a, STAGE_TRANSFORM);
	rc = run_one(r, &a, STAGE_TRANSFORM, stage_programs[STAGE_TRANSFORM]);
	stage_argv_free(&a);
	return rc;
}

static int load(struct run *r)
{
	struct stage_argv a = {0};
	int rc;

	push_start(r, &a, STAGE_LOAD);
	push_path(&a, "--plan", r->dir, "plan");
	push_path(&a, "--report", r->dir, "report");
	if (r->o->dry_run)
		stage_argv_push(&a, "--dry-run");
	push_common(r, &a, STAGE_LOAD);
	rc = run_one(r, &a, STAGE_LOAD, stage_programs[STAGE_LOAD]);
	stage_argv_free(&a);
	return rc;
}

/* --- the end of a run ---------------------------------------------------- */

/* What an interrupted or failed run writes to integration.json. */
static void record_end(struct run *r, int rc)
{
	char *msg;
	char sig[16];

	if (r->o->dry_run || !r->have_status)
		return;   /* a dry run writes nothing in the store, whatever happens */
	if (rc == RUN_INTERRUPTED) {
		msg = xasprintf("run %s: interrupted by %s%s%s (see %s)", r->id,
				stage_signal_name(stage_interrupted(), sig),
				r->interrupted_in ? " during " : "",
				r->interrupted_in ? r->interrupted_in : "", r->log_path);
		status_mark(&r->status, MARK_INTERRUPTED, msg);
	} else if (r->key_refused) {
		msg = xstrdup("IT Glue refused the API key (HTTP 401/403)");
		status_mark(&r->status, MARK_KEY_REFUSED, msg);
	} else if (rc != 0 && r->failure) {
		/* once extract got through, IT Glue took the key: connected */
		int before = !r->extracted;

		msg = xasprintf("run %s: %s (see %s)", r->id, r->failure, r->log_path);
		status_mark(&r->status, before ? MARK_FAILED_BEFORE : MARK_FAILED_CONNECTED, msg);
	} else {
		return;
	}
	free(msg);
}

static void on_removed(const char *id, int ok, void *arg)
{
	struct run *r = arg;

	if (ok)
		runlog_say(&r->log, LOG_INFO, "removed old run %s", id);
	else
		runlog_say(&r->log, LOG_WARN, "cannot remove all of old run %s/%s", r->out, id);
}

/*
 * Prints where the report is and the summary lines.  A run that succeeded
 * must have its summary printed: a missing or unreadable summary.json, a
 * closed standard output or a failed write is exit 1.
 */
static int print_summary(struct run *r, int rc)
{
	struct itg_err e = {0};
	struct buf b = {0};
	int found = summary_text(r->dir, &b, &e);

	if (found < 0 && rc == 0) {
		runlog_say(&r->log, LOG_ERROR, "%s", e.msg);
		rc = ITG_EXIT_RUNTIME;
	} else if (found == 0 && rc == 0) {
		runlog_say(&r->log, LOG_ERROR, "itg-load left no %s/report/summary.json", r->dir);
		rc = ITG_EXIT_RUNTIME;
	}
	if (b.len) {
		const char *why = NULL;

		errno = 0;
		if (cmd_std_was_closed(STDOUT_FILENO))
			why = "it was closed when the run started (send it to /dev/null instead)";
		else if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
			why = strerror(errno ? errno : EIO);
		if (why) {
			runlog_say(&r->log, LOG_ERROR,
				   "run %s: cannot write the summary to standard output: %s", r->id, why);
			if (rc == 0)
				rc = ITG_EXIT_RUNTIME;
		}
	}
	buf_free(&b);
	return rc;
}

/* The run proper, once run.log is open: returns the exit code. */
static int run_stages(struct run *r)
{
	struct itg_err e = {0};
	char sig[16];
	int rc;

	runlog_say(&r->log, LOG_INFO, "run %s of pipeline '%s' in %s", r->id, r->p.name, r->dir);
	rc = recover(r);
	/* the status before the run, read after a recovery may have changed it */
	if (status_begin(&r->status, r->store, r->p.region, &r->log, &e) != 0) {
		runlog_say(&r->log, LOG_ERROR, "%s", e.msg);
		if (rc == 0)
			rc = e.code;
	} else {
		r->have_status = 1;
	}
	if (rc == 0 && stage_interrupted())
		rc = RUN_INTERRUPTED;
	/* a recovery may just have finished a disconnect */
	if (rc == 0 && r->have_status && refuse_operator_disconnect(r, &e) != 0) {
		runlog_say(&r->log, LOG_ERROR, "%s", e.msg);
		rc = e.code;
	}
	if (rc == 0 && !r->o->dry_run)
		status_mark(&r->status, MARK_SYNCING, NULL);
	if (rc == 0 && !r->disconnect)
		rc = extract(r);
	if (rc == 0)
		rc = transform(r);
	if (rc == 0)
		rc = load(r);
	/* a signal after the last stage still means this run did not finish */
	if (rc == 0 && stage_interrupted())
		rc = RUN_INTERRUPTED;
	if (rc == RUN_INTERRUPTED)
		runlog_say(&r->log, LOG_ERROR, "run %s interrupted by %s%s%s",
			   r->id, stage_signal_name(stage_interrupted(), sig),
			   r->interrupted_in ? " during " : "",
			   r->interrupted_in ? r->interrupted_in : "");
	record_end(r, rc);
	if (rc == RUN_INTERRUPTED)
		rc = ITG_EXIT_RUNTIME;
	if (rc == 0 && rundir_point_latest(r->out, r->id, &e) != 0) {
		runlog_say(&r->log, LOG_ERROR, "%s", e.msg);
		rc = ITG_EXIT_RUNTIME;
	}
	if (rundir_prune(r->out, r->p.keep_runs, r->id, on_removed, r, &e) != 0)
		runlog_say(&r->log, LOG_WARN, "%s", e.msg);
	rc = print_summary(r, rc);
	if (runlog_sync(&r->log, &e) != 0) {
		log_error("%s", e.msg);
		if (rc == 0)
			rc = ITG_EXIT_RUNTIME;
	}
	if (rc == 0)
		runlog_say(&r->log, LOG_INFO, "run %s complete", r->id);
	else
		runlog_say(&r->log, LOG_ERROR, "run %s failed (exit %d); log: %s", r->id, rc,
			   r->log_path);
	return rc;
}

int runner_run(const struct run_opts *o, struct itg_err *e)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.lock = -1;
	r.budget_lock = -1;
	r.disconnect = run_pass_given(o, "disconnect");
	r.connect = run_pass_given(o, "connect");
	runlog_init(&r.log, o->verbose);
	/* someone watches: the stages' progress goes to the terminal (never to run.log) */
	r.log.progress = o->log_format == LOG_HUMAN && !o->quiet && isatty(STDERR_FILENO);
	rc = setup(&r, e);
	if (rc == 0)
		rc = run_stages(&r);
	runlog_close(&r.log);
	store_lock_release(r.budget_lock);
	store_lock_release(r.lock);
	status_free(&r.status);
	if (r.have_pipeline)
		pipeline_free(&r.p);
	for (int i = 0; i < STAGE_COUNT; i++)
		free(r.programs[i]);
	cli_forget_key(r.key);
	free(r.pipeline_abs);
	free(r.store);
	free(r.out);
	free(r.dir);
	free(r.log_path);
	free(r.failure);
	free(r.budget_host);
	free(r.budget_path);
	return rc;
}
