#include "status_view.h"
#include "fsutil.h"
#include "json.h"
#include "product.h"
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Whether a run holds the lock at path: 1 held, 0 free (or no lock file:
 * none is made), -1 cannot tell (*why, when why is not NULL).  A shared lock taken without waiting
 * and let go at once: a run holds its lock exclusively, so this never waits
 * on one, and a run that is under way is never held up.
 */
static int probe_lock(const char *path, char **why)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (why)
			*why = xasprintf("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return 1;
		if (why)
			*why = xasprintf("cannot probe %s: %s", path, strerror(saved));
		return -1;
	}
	flock(fd, LOCK_UN);
	close(fd);
	return 0;
}

/* The store as the stages would find it: it must exist (store.c says the same). */
static int check_store(const struct status_view *sv, struct itg_err *e)
{
	struct stat st;
	const char *store = sv->p.store;

	if (!store)
		return err_set(e, ITG_EXIT_USAGE,
			       "%s names no store: add `store:` (the product store folder)",
			       sv->pipeline_path);
	if (stat(store, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(e, ITG_EXIT_USAGE,
				       "store folder %s does not exist: check `store:` in %s; a new "
				       "store is an empty folder: mkdir -m 700 %s",
				       store, sv->pipeline_path, store);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read store folder %s: %s", store,
			       strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ITG_EXIT_USAGE, "store %s is not a folder: check `store:` in %s",
			       store, sv->pipeline_path);
	return 0;
}

static void find_last_over(struct status_view *sv)
{
	sv->last_over = NULL;
	for (size_t i = 0; i < sv->n_read && !sv->last_over; i++)
		if (runview_over(&sv->runs[i]))
			sv->last_over = &sv->runs[i];
}

/*
 * Reads the runs newest first (ids oldest first, as rundir_list gives
 * them): the first `runs` of them, and on past those until one that is
 * over, which the exit code judges.  Only the newest run can be under way,
 * and only while the pipeline's lock is held.
 */
static void read_runs(struct status_view *sv, char **ids, size_t n, long runs)
{
	for (size_t i = sv->n_read; i < n; i++) {
		struct run_view *v = &sv->runs[i];

		if ((long)i >= runs && sv->last_over)
			break;
		runview_read(v, sv->out, ids[n - 1 - i], i == 0 && sv->lock == 1);
		v->latest = sv->latest && strcmp(sv->latest, v->id) == 0;
		sv->n_read++;
		if ((long)i < runs)
			sv->n_shown++;
		if (!sv->last_over && runview_over(v))
			sv->last_over = v;
	}
}

static int load_runs(struct status_view *sv, long runs, struct itg_err *e)
{
	char *lock_path = fs_join(sv->out, RUNDIR_LOCK), **ids;
	size_t n;
	int after;

	sv->out_exists = fs_is_dir(sv->out);
	if (!sv->out_exists) {
		free(lock_path);
		return 0;
	}
	/* probed before and after the runs are read: a run that starts or ends
	 * meanwhile is seen under way, never as one that did not finish */
	sv->lock = probe_lock(lock_path, &sv->lock_error);
	if (rundir_list(sv->out, &ids, &n, e) != 0) {
		free(lock_path);
		return -1;
	}
	sv->n_runs = n;
	sv->latest = rundir_latest(sv->out);
	for (size_t i = 0; sv->latest && i < n; i++)
		if (strcmp(ids[i], sv->latest) == 0)
			sv->latest_present = 1;
	sv->runs = xcalloc(n ? n : 1, sizeof *sv->runs);
	read_runs(sv, ids, n, runs);
	after = sv->lock == 1 ? 1 : probe_lock(lock_path, sv->lock_error ? NULL : &sv->lock_error);
	if (after == 1 && sv->lock != 1) {
		sv->lock = 1;
		if (sv->n_read) {
			runview_finish(&sv->runs[0], 1);
			find_last_over(sv);
			read_runs(sv, ids, n, runs);
		}
	} else if (after < 0) {
		sv->lock = -1;
	}
	rundir_list_free(ids, n);
	free(lock_path);
	return 0;
}

int status_view_load(struct status_view *sv, const char *pipeline_path, long runs,
		     struct itg_err *e)
{
	int rc;

	memset(sv, 0, sizeof *sv);
	sv->pipeline_path = xstrdup(pipeline_path);
	sv->lock = 0;
	if (pipeline_load(pipeline_path, &sv->p, e) != 0)
		return -1;
	sv->have_pipeline = 1;
	if (check_store(sv, e) != 0)
		return -1;
	rc = integration_read(sv->p.store, &sv->it, e);
	if (rc < 0)
		return -1;
	sv->have_state = rc > 0;
	/* shown as the runner names them in run.log: resolved */
	sv->store = realpath(sv->p.store, NULL);
	if (!sv->store)
		sv->store = xstrdup(sv->p.store);
	{
		char *out = realpath(sv->p.out, NULL);

		sv->out = fs_join(out ? out : sv->p.out, sv->p.name);
		free(out);
	}
	if (load_runs(sv, runs > 0 ? runs : STATUS_RUNS_DEFAULT, e) != 0)
		return -1;
	sv->exit_code = status_view_verdict(sv->have_state ? &sv->it : NULL, sv->last_over,
					    pipeline_path, &sv->result);
	return 0;
}

static int is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

int status_view_verdict(const struct integration *it, const struct run_view *last,
			const char *pipeline_path, char **result)
{
	const char *status = it ? integration_effective_status(it) : NULL;

	if (is(status, INTEGRATION_DISCONNECTED) && is(it->disconnected_by, INTEGRATION_BY_ITGLUE)) {
		*result = xstrdup("disconnected by IT Glue: it refused the API key; the next run "
				  "with a good key reconnects");
		return ITG_EXIT_AUTH;
	}
	if (is(status, INTEGRATION_DISCONNECTED)) {
		*result = xasprintf("disconnected by the operator: runs are refused until "
				    "pipelines/run %s --connect", pipeline_path);
		return ITG_EXIT_STALE;
	}
	if (!last) {
		*result = xstrdup("no run has ended yet");
		return ITG_EXIT_OK;
	}
	if (runview_succeeded(last)) {
		*result = xasprintf("%sthe last run (%s) succeeded",
				    is(status, INTEGRATION_CONNECTED) ? "connected, " : "", last->id);
		return ITG_EXIT_OK;
	}
	if (last->outcome == RUN_FAILED && last->exit_code == ITG_EXIT_AUTH) {
		*result = xasprintf("IT Glue refused the API key in the last run (%s, exit 3)",
				    last->id);
		return ITG_EXIT_AUTH;
	}
	if (last->outcome == RUN_REFUSED) {
		*result = xasprintf("the last run (%s) was refused (exit 4)", last->id);
		return ITG_EXIT_STALE;
	}
	if (last->outcome == RUN_INTERRUPTED)
		*result = xasprintf("the last run (%s) was interrupted", last->id);
	else if (last->outcome == RUN_UNFINISHED)
		*result = xasprintf("the last run (%s) did not finish", last->id);
	else
		*result = xasprintf("the last run (%s) failed (exit %d)", last->id,
				    last->exit_code);
	return ITG_EXIT_RUNTIME;
}

/* --- text ---------------------------------------------------------------- */

#define LABEL "%-13s"

static void add_integration(const struct status_view *sv, struct buf *out)
{
	const struct integration *it = &sv->it;

	buf_addf(out, LABEL, "integration:");
	if (!sv->have_state) {
		buf_addf(out, "no state yet: the store has no %s (no run has changed it)\n",
			 INTEGRATION_FILE);
		return;
	}
	buf_adds(out, it->status ? it->status : "?");
	if (it->disconnected_by)
		buf_addf(out, " (disconnected_by: %s)", it->disconnected_by);
	if (is(it->status, INTEGRATION_SYNCING)) {
		if (sv->lock == 1)
			buf_adds(out, ": a run is under way");
		else
			buf_addf(out, ", but no run is under way (one was killed outright): it stands "
				 "for %s", integration_effective_status(it));
	} else if (is(it->status, INTEGRATION_DISCONNECTED) &&
		   is(it->disconnected_by, INTEGRATION_BY_ITGLUE)) {
		buf_adds(out, ": IT Glue refused the API key; the next run with a good key "
			 "reconnects");
	} else if (is(it->status, INTEGRATION_DISCONNECTED)) {
		buf_addf(out, ": runs are refused until pipelines/run %s --connect",
			 sv->pipeline_path);
	}
	buf_addc(out, '\n');
	buf_addf(out, LABEL "%s\n", "last sync:", it->last_sync ? it->last_sync : "never");
	buf_addf(out, LABEL "%s\n", "last error:", it->last_error ? it->last_error : "none");
	buf_addf(out, LABEL "%s\n", "region:",
		 !it->region ? "?" : it->region[0] ? it->region : "none (a custom base URL)");
}

static void add_binding(const struct status_view *sv, struct buf *out)
{
	const struct integration *it = &sv->it;
	const char *product = product_name(sv->p.product);
	const char *sep = "";

	buf_addf(out, LABEL, "bound to:");
	if (!sv->have_state || !integration_is_bound(it)) {
		buf_adds(out, "not bound yet (the first run that changes the store binds it)\n");
		return;
	}
	if (it->product) {
		buf_addf(out, "product %s", it->product);
		sep = ", ";
	}
	if (it->pipeline) {
		buf_addf(out, "%spipeline %s", sep, it->pipeline);
		sep = ", ";
	}
	if (it->account_id || it->account_name) {
		buf_addf(out, "%sIT Glue account %s", sep, it->account_id ? it->account_id : "?");
		if (it->account_name)
			buf_addf(out, " (%s)", it->account_name);
	}
	if ((it->product && strcmp(it->product, product) != 0) ||
	    (it->pipeline && strcmp(it->pipeline, sv->p.name) != 0))
		buf_addf(out, "; not this pipeline (%s, %s): its runs are refused until one is given "
			 "--connect", sv->p.name, product);
	buf_addc(out, '\n');
}

static void add_runs(const struct status_view *sv, struct buf *out)
{
	buf_addf(out, LABEL, "run lock:");
	if (sv->lock == 1)
		buf_adds(out, "held: a run is under way\n");
	else if (sv->lock == 0)
		buf_adds(out, "free: no run is under way\n");
	else
		buf_addf(out, "cannot tell: %s\n", sv->lock_error ? sv->lock_error : "?");

	buf_addf(out, LABEL, "latest:");
	if (!sv->latest)
		buf_adds(out, "none (no run has completed)\n");
	else if (!sv->latest_present)
		buf_addf(out, "%s (its run folder is gone)\n", sv->latest);
	else
		buf_addf(out, "%s\n", sv->latest);

	buf_addf(out, LABEL, "runs:");
	if (!sv->out_exists) {
		buf_addf(out, "none yet (%s does not exist)\n", sv->out);
		return;
	}
	if (!sv->n_runs) {
		buf_addf(out, "none yet in %s\n", sv->out);
		return;
	}
	buf_addf(out, "%zu in %s, ", sv->n_runs, sv->out);
	if (sv->n_shown < sv->n_runs)
		buf_addf(out, "the newest %zu shown", sv->n_shown);
	else
		buf_adds(out, "newest first");
	buf_adds(out, " (* = latest)\n");
	for (size_t i = 0; i < sv->n_shown; i++) {
		const struct run_view *v = &sv->runs[i];

		buf_addf(out, "%c %s  ", v->latest ? '*' : ' ', v->id);
		runview_text(v, out);
		buf_addc(out, '\n');
	}
}

void status_view_text(const struct status_view *sv, struct buf *out)
{
	buf_addf(out, LABEL "%s (%s), %s\n", "pipeline:", sv->p.name,
		 product_name(sv->p.product), sv->pipeline_path);
	buf_addf(out, LABEL "%s\n", "store:", sv->store);
	add_integration(sv, out);
	add_binding(sv, out);
	add_runs(sv, out);
	buf_addf(out, LABEL "exit %d, %s\n", "result:", sv->exit_code, sv->result);
}

/* --- JSON ---------------------------------------------------------------- */

static void integration_json(const struct status_view *sv, yajl_gen g)
{
	const struct integration *it = &sv->it;

	json_key(g, "integration");
	if (!sv->have_state) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	json_kv_str(g, "status", it->status);
	json_kv_str(g, "effective_status", integration_effective_status(it));
	json_kv_str(g, "disconnected_by", it->disconnected_by);
	json_kv_str(g, "last_sync", it->last_sync);
	json_kv_str(g, "last_error", it->last_error);
	json_kv_str(g, "region", it->region);
	json_key(g, "binding");
	if (integration_is_bound(it)) {
		yajl_gen_map_open(g);
		json_kv_str(g, "product", it->product);
		json_kv_str(g, "pipeline", it->pipeline);
		json_key(g, "itglue_account");
		if (it->account_id || it->account_name) {
			yajl_gen_map_open(g);
			json_kv_str(g, "id", it->account_id);
			json_kv_str(g, "name", it->account_name);
			yajl_gen_map_close(g);
		} else {
			yajl_gen_null(g);
		}
		yajl_gen_map_close(g);
	} else {
		yajl_gen_null(g);
	}
	yajl_gen_map_close(g);
}

void status_view_json(const struct status_view *sv, struct buf *out)
{
	yajl_gen g = json_gen_new();

	yajl_gen_map_open(g);
	json_kv_str(g, "pipeline", sv->p.name);
	json_kv_str(g, "product", product_name(sv->p.product));
	json_kv_str(g, "pipeline_file", sv->pipeline_path);
	json_kv_str(g, "store", sv->store);
	integration_json(sv, g);
	json_key(g, "under_way");
	if (sv->lock < 0)
		yajl_gen_null(g);
	else
		yajl_gen_bool(g, sv->lock == 1);
	json_kv_str(g, "out", sv->out);
	json_kv_str(g, "latest", sv->latest);
	json_kv_int(g, "runs_total", (long long)sv->n_runs);
	json_key(g, "runs");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < sv->n_shown; i++)
		runview_json(&sv->runs[i], g);
	yajl_gen_array_close(g);
	json_kv_int(g, "exit_code", sv->exit_code);
	json_kv_str(g, "result", sv->result);
	yajl_gen_map_close(g);
	json_gen_take(g, out);
	yajl_gen_free(g);
	buf_addc(out, '\n');
}

void status_view_free(struct status_view *sv)
{
	for (size_t i = 0; i < sv->n_read; i++)
		runview_free(&sv->runs[i]);
	free(sv->runs);
	if (sv->have_pipeline)
		pipeline_free(&sv->p);
	integration_free(&sv->it);
	free(sv->pipeline_path);
	free(sv->store);
	free(sv->out);
	free(sv->lock_error);
	free(sv->latest);
	free(sv->result);
	memset(sv, 0, sizeof *sv);
}

int status_view_run(const char *pipeline_path, const struct status_opts *o, struct itg_err *e)
{
	struct status_view sv;
	struct buf text = {0};
	int rc = -1;

	if (status_view_load(&sv, pipeline_path, o->runs, e) != 0)
		goto out;
	if (o->json)
		status_view_json(&sv, &text);
	else
		status_view_text(&sv, &text);
	errno = 0;
	if (fwrite(text.p, 1, text.len, stdout) != text.len || fflush(stdout) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot write the status to standard output: %s",
			strerror(errno ? errno : EIO));
		goto out;
	}
	rc = sv.exit_code;
out:
	buf_free(&text);
	status_view_free(&sv);
	return rc;
}
