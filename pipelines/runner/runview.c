#include "runview.h"
#include "fsutil.h"
#include "json.h"
#include "runlog.h"
#include "stage.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* summary.json is a few hundred bytes; anything near this is not one */
#define RUNVIEW_SUMMARY_MAX (1 << 20)

const char *run_outcome_name(enum run_outcome o)
{
	static const char *const names[] = {
		[RUN_APPLIED] = "applied",         [RUN_DRY_RUN] = "dry_run",
		[RUN_COMPLETE] = "complete",       [RUN_FAILED] = "failed",
		[RUN_REFUSED] = "refused",         [RUN_INTERRUPTED] = "interrupted",
		[RUN_UNDER_WAY] = "under_way",     [RUN_UNFINISHED] = "unfinished",
	};

	return names[o];
}

void runview_init(struct run_view *v, const char *id)
{
	memset(v, 0, sizeof *v);
	snprintf(v->id, sizeof v->id, "%s", id);
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One line of run.log taken apart: level, program and message. */
struct log_line {
	char level[8];       /* "ERROR", ... (JSON lines' "error" upper-cased) */
	char *prog;          /* owned */
	char *msg;           /* owned */
};

/*
 * "TIME LEVEL PROG: message" or "TIME {json}" (a stage with --log-format
 * json); the time is optional.  0 with l filled, -1 for anything else.
 */
static int parse_line(const char *line, struct log_line *l)
{
	const char *p = line, *sp = strchr(line, ' '), *colon;
	size_t n;

	memset(l, 0, sizeof *l);
	/* the time the runner put first: "2026-03-01T05:00:00.000Z " */
	if (sp && line[0] >= '0' && line[0] <= '9' && sp > line && sp[-1] == 'Z')
		p = sp + 1;
	if (*p == '{') {
		char errbuf[128];
		yajl_val v = json_parse(p, strlen(p), errbuf, sizeof errbuf);
		const char *level = json_get_str(v, "level"), *stage = json_get_str(v, "stage");
		const char *msg = json_get_str(v, "msg");
		int rc = -1;

		if (level && stage && msg && strlen(level) < sizeof l->level) {
			for (size_t i = 0; level[i]; i++)
				l->level[i] = (char)(level[i] >= 'a' && level[i] <= 'z'
							     ? level[i] - 'a' + 'A' : level[i]);
			l->prog = xstrdup(stage);
			l->msg = xstrdup(msg);
			rc = 0;
		}
		if (v)
			yajl_tree_free(v);
		return rc;
	}
	sp = strchr(p, ' ');
	if (!sp || (size_t)(sp - p) >= sizeof l->level)
		return -1;
	n = (size_t)(sp - p);
	memcpy(l->level, p, n);
	l->level[n] = '\0';
	if (strcmp(l->level, "DEBUG") && strcmp(l->level, "INFO") && strcmp(l->level, "WARN") &&
	    strcmp(l->level, "ERROR"))
		return -1;
	colon = strstr(sp + 1, ": ");
	if (!colon || colon == sp + 1 || memchr(sp + 1, ' ', (size_t)(colon - sp - 1)))
		return -1;
	l->prog = xstrndup(sp + 1, (size_t)(colon - sp - 1));
	l->msg = xstrdup(colon + 2);
	return 0;
}

static void line_free(struct log_line *l)
{
	free(l->prog);
	free(l->msg);
}

/* The stage whose command line msg is ("/bin/itg-load -p ..."), or NULL. */
static const char *started_stage(const char *msg)
{
	for (int i = 0; i < STAGE_COUNT; i++) {
		const char *prog = stage_programs[i];
		size_t n = strlen(prog);

		for (const char *at = strstr(msg, prog); at; at = strstr(at + 1, prog))
			if ((at == msg || at[-1] == '/') && starts(at + n, " -p "))
				return prog;
	}
	return NULL;
}

/* After "run ID: ", "PROG failed with exit code N" or "PROG was killed by SIG": PROG. */
static const char *failed_stage(const char *rest, const char **how)
{
	for (int i = 0; i < STAGE_COUNT; i++) {
		const char *prog = stage_programs[i];
		size_t n = strlen(prog);

		if (strncmp(rest, prog, n) != 0)
			continue;
		if (starts(rest + n, " failed with exit code ")) {
			*how = "failed";
			return prog;
		}
		if (starts(rest + n, " was killed by ")) {
			*how = "killed";
			return prog;
		}
	}
	return NULL;
}

/* "run ID" at the start of msg: the length of that prefix, or 0. */
static size_t run_prefix(const char *msg)
{
	char id[RUN_ID_LEN + 1];

	if (!starts(msg, "run ") || strlen(msg) < 4 + RUN_ID_LEN)
		return 0;
	memcpy(id, msg + 4, RUN_ID_LEN);
	id[RUN_ID_LEN] = '\0';
	return runid_valid(id) ? 4 + RUN_ID_LEN : 0;
}

/* A line of the runner's own (see runview.h for the shapes it knows). */
static void runner_line(struct run_view *v, const struct log_line *l)
{
	size_t k = run_prefix(l->msg);
	const char *rest = l->msg + k, *prog, *how = NULL;
	int error = strcmp(l->level, "ERROR") == 0;

	if (k && strcmp(rest, " complete") == 0) {
		v->ended = 1;
		return;
	}
	if (k && sscanf(rest, " failed (exit %d)", &v->exit_code) == 1) {
		v->ended = -1;
		return;
	}
	if (k && error && starts(rest, " interrupted by ")) {
		const char *sig = rest + strlen(" interrupted by "), *during = strstr(sig, " during ");

		free(v->signal);
		v->signal = during ? xstrndup(sig, (size_t)(during - sig)) : xstrdup(sig);
		if (during)
			set(&v->during, during + strlen(" during "));
		return;
	}
	if (k && starts(rest, ": ")) {
		rest += 2;
		if (!error && (prog = started_stage(rest))) {
			/* a new stage: the errors of the last one were not what ended the run */
			free(v->started);
			v->started = strstr(rest, " --recover") ? xasprintf("%s --recover", prog)
								: xstrdup(prog);
			free(v->stage_error);
			v->stage_error = NULL;
			return;
		}
		if (error && (prog = failed_stage(rest, &how))) {
			size_t n = strlen(prog);

			/* "itg-load --recover" when the recovery was the stage that ran */
			if (v->started && strncmp(v->started, prog, n) == 0 && v->started[n] == ' ')
				set(&v->stage, v->started);
			else
				set(&v->stage, prog);
			if (strcmp(how, "killed") == 0) {
				free(v->runner_error);
				v->runner_error = xasprintf("%s: %s", RUNNER_NAME, rest);
			}
			return;
		}
	}
	if (error) {
		free(v->runner_error);
		v->runner_error = xasprintf("%s: %s", RUNNER_NAME, l->msg);
	}
}

void runview_log_line(struct run_view *v, const char *line)
{
	struct log_line l;

	if (parse_line(line, &l) != 0)
		return;
	if (strcmp(l.prog, RUNNER_NAME) == 0) {
		runner_line(v, &l);
	} else if (strcmp(l.level, "ERROR") == 0) {
		free(v->stage_error);
		v->stage_error = xasprintf("%s: %s", l.prog, l.msg);
	}
	line_free(&l);
}

int runview_summary(struct run_view *v, const char *json, size_t len)
{
	char errbuf[256];
	yajl_val t = json_parse(json, len, errbuf, sizeof errbuf), w;

	if (v->summary) {
		yajl_tree_free(v->summary);
		v->summary = NULL;
	}
	if (t && !YAJL_IS_OBJECT(t)) {
		yajl_tree_free(t);
		t = NULL;
		snprintf(errbuf, sizeof errbuf, "not a JSON object");
	}
	if (!t) {
		free(v->summary_error);
		v->summary_error = xasprintf("cannot read it: %s", errbuf);
		return -1;
	}
	v->summary = t;
	free(v->would_refuse);
	v->would_refuse = NULL;
	w = json_get(t, "would_refuse");
	if (w && YAJL_IS_STRING(w)) {
		v->would_refuse = xstrdup(YAJL_GET_STRING(w));
	} else if (w && !YAJL_IS_NULL(w) && !YAJL_IS_FALSE(w)) {
		yajl_gen g = json_gen_new();
		struct buf b = {0};

		json_gen_value(g, w);
		json_gen_take(g, &b);
		yajl_gen_free(g);
		v->would_refuse = buf_detach(&b);
	}
	return 0;
}

void runview_finish(struct run_view *v, int may_be_under_way)
{
	const char *status = json_get_str(v->summary, "status");

	free(v->error);
	v->error = NULL;
	if (v->ended > 0) {
		if (status && strcmp(status, "applied") == 0)
			v->outcome = RUN_APPLIED;
		else if (status && strcmp(status, "dry_run") == 0)
			v->outcome = RUN_DRY_RUN;
		else
			v->outcome = RUN_COMPLETE;
		return;
	}
	if (v->ended == 0 && may_be_under_way) {
		v->outcome = RUN_UNDER_WAY;
		return;
	}
	if (v->ended == 0)
		v->outcome = RUN_UNFINISHED;
	else if (v->signal)
		v->outcome = RUN_INTERRUPTED;
	else if (v->exit_code == ITG_EXIT_STALE)
		v->outcome = RUN_REFUSED;
	else
		v->outcome = RUN_FAILED;
	v->error = xstrdup(v->stage_error ? v->stage_error : v->runner_error);
}

/* Every line of path into v; a line longer than the buffer counts by its start. */
static void read_log(struct run_view *v, const char *path)
{
	enum { LINE_MAX_BYTES = RUNLOG_MAX_LINE + 256 };
	struct itg_err e = {0};
	char *line;
	int fd, cont = 0;
	FILE *fp;

	if (fs_open_plain(path, O_RDONLY, 0, &fd, &e) <= 0) {
		if (e.msg[0])
			v->log_error = xstrdup(e.msg);
		return;
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		v->log_error = xasprintf("cannot read %s", path);
		return;
	}
	v->have_log = 1;
	line = xmalloc(LINE_MAX_BYTES);
	while (fgets(line, LINE_MAX_BYTES, fp)) {
		size_t n = strlen(line);
		int whole = n && line[n - 1] == '\n';

		if (whole)
			line[--n] = '\0';
		if (!cont)
			runview_log_line(v, line);
		cont = !whole;
	}
	if (ferror(fp))
		v->log_error = xasprintf("cannot read all of %s", path);
	free(line);
	fclose(fp);
}

static void read_summary(struct run_view *v, const char *run_dir)
{
	char *report = fs_join(run_dir, "report");
	char *path = fs_join(report, "summary.json");
	struct itg_err e = {0};
	struct buf json = {0};

	if (fs_exists(path)) {
		if (fs_read_file_nofollow(path, &json, RUNVIEW_SUMMARY_MAX, &e) != 0)
			v->summary_error = xstrdup(e.msg);
		else
			runview_summary(v, buf_str(&json), json.len);
	}
	buf_free(&json);
	free(path);
	free(report);
}

void runview_read(struct run_view *v, const char *pipeline_out, const char *id,
		  int may_be_under_way)
{
	char *dir = fs_join(pipeline_out, id);
	char *log = fs_join(dir, "run.log");

	runview_init(v, id);
	read_log(v, log);
	read_summary(v, dir);
	runview_finish(v, may_be_under_way);
	free(log);
	free(dir);
}

int runview_succeeded(const struct run_view *v)
{
	return v->outcome == RUN_APPLIED || v->outcome == RUN_DRY_RUN ||
	       v->outcome == RUN_COMPLETE;
}

int runview_over(const struct run_view *v)
{
	return v->outcome != RUN_UNDER_WAY;
}

/* The counts that are changes: "changed", else "counts" less what changes nothing. */
static yajl_val changes_of(const struct run_view *v, int *from_counts)
{
	yajl_val c = json_get(v->summary, "changed");

	*from_counts = 0;
	if (c && YAJL_IS_OBJECT(c))
		return c;
	c = json_get(v->summary, "counts");
	*from_counts = 1;
	return c && YAJL_IS_OBJECT(c) ? c : NULL;
}

/* Calls each(action, count) for the changes; returns how many. */
static size_t each_change(const struct run_view *v, void (*each)(const char *, long long, void *),
			  void *arg)
{
	int from_counts;
	yajl_val c = changes_of(v, &from_counts);
	size_t n = 0;

	if (!c)
		return 0;
	for (size_t i = 0; i < c->u.object.len; i++) {
		const char *action = c->u.object.keys[i];
		yajl_val count = c->u.object.values[i];

		if (!YAJL_IS_INTEGER(count) || YAJL_GET_INTEGER(count) == 0)
			continue;
		if (from_counts && (strcmp(action, "review") == 0 || strcmp(action, "skip") == 0))
			continue;
		each(action, YAJL_GET_INTEGER(count), arg);
		n++;
	}
	return n;
}

struct change_text {
	struct buf *out;
	size_t n;
};

static void change_as_text(const char *action, long long count, void *arg)
{
	struct change_text *t = arg;

	buf_addf(t->out, "%s%s %lld", t->n++ ? ", " : "", action, count);
}

size_t runview_changes(const struct run_view *v, struct buf *out)
{
	struct change_text t = {out, 0};

	return each_change(v, change_as_text, &t);
}

const char *runview_would_refuse(const struct run_view *v)
{
	return v->would_refuse;
}

/* ": CHANGES" of a run that applied or planned them; pre before the list. */
static void add_changes(const struct run_view *v, struct buf *out, const char *pre,
			const char *none)
{
	struct buf c = {0};

	if (runview_changes(v, &c))
		buf_addf(out, "%s%s", pre, buf_str(&c));
	else
		buf_adds(out, none);
	buf_free(&c);
}

/* " in STAGE (exit N)" or " (exit N)" */
static void add_where(const struct run_view *v, const char *in, struct buf *out)
{
	if (v->stage)
		buf_addf(out, " %s %s", in, v->stage);
	buf_addf(out, " (exit %d)", v->exit_code);
}

void runview_text(const struct run_view *v, struct buf *out)
{
	const char *status = json_get_str(v->summary, "status");

	switch (v->outcome) {
	case RUN_APPLIED:
		buf_adds(out, "applied");
		add_changes(v, out, ": ", ": nothing changed");
		return;
	case RUN_DRY_RUN:
		buf_adds(out, "dry run");
		if (v->would_refuse)
			buf_addf(out, ", a real load would be refused (%s)", v->would_refuse);
		add_changes(v, out, ": would change ", ": nothing to change");
		return;
	case RUN_COMPLETE:
		buf_adds(out, "complete, but report/summary.json ");
		if (v->summary_error)
			buf_adds(out, v->summary_error);
		else if (v->summary)
			buf_addf(out, "says status %s", status ? status : "null");
		else
			buf_adds(out, "is missing");
		return;
	case RUN_UNDER_WAY:
		buf_adds(out, "under way (the pipeline's lock is held)");
		return;
	case RUN_UNFINISHED:
		buf_adds(out, v->have_log ? "unfinished: run.log ends before the run's last line "
					    "and no run holds the pipeline's lock (was the runner "
					    "killed?)"
					  : "unfinished: no run.log");
		if (v->log_error)
			buf_addf(out, " (%s)", v->log_error);
		if (v->error)
			buf_addf(out, "; last error: %s", v->error);
		return;
	case RUN_FAILED:
		buf_adds(out, "failed");
		add_where(v, "in", out);
		break;
	case RUN_REFUSED:
		buf_adds(out, "refused");
		add_where(v, "by", out);
		break;
	case RUN_INTERRUPTED:
		buf_addf(out, "interrupted by %s", v->signal);
		if (v->during)
			buf_addf(out, " during %s", v->during);
		buf_addf(out, " (exit %d)", v->exit_code);
		break;
	}
	/* the load may have applied before what failed came (latest, the summary) */
	if (status && strcmp(status, "applied") == 0)
		add_changes(v, out, " after the load applied ", " after the load applied nothing");
	if (v->error)
		buf_addf(out, ": %s", v->error);
}

static void change_as_json(const char *action, long long count, void *arg)
{
	json_kv_int(arg, action, count);
}

void runview_json(const struct run_view *v, yajl_gen g)
{
	yajl_gen_map_open(g);
	json_kv_str(g, "run_id", v->id);
	json_kv_str(g, "outcome", run_outcome_name(v->outcome));
	json_kv_bool(g, "latest", v->latest);
	json_key(g, "exit_code");
	if (v->ended)
		yajl_gen_integer(g, v->exit_code);
	else
		yajl_gen_null(g);
	json_kv_str(g, "stage", v->stage);
	json_kv_str(g, "signal", v->signal);
	json_kv_str(g, "error", v->error);
	json_kv_str(g, "summary_status", json_get_str(v->summary, "status"));
	json_kv_str(g, "would_refuse", v->would_refuse);
	json_key(g, "changes");
	if (v->summary) {
		yajl_gen_map_open(g);
		each_change(v, change_as_json, g);
		yajl_gen_map_close(g);
	} else {
		yajl_gen_null(g);
	}
	yajl_gen_map_close(g);
}

void runview_free(struct run_view *v)
{
	free(v->stage);
	free(v->signal);
	free(v->during);
	free(v->error);
	if (v->summary)
		yajl_tree_free(v->summary);
	free(v->would_refuse);
	free(v->summary_error);
	free(v->log_error);
	free(v->started);
	free(v->stage_error);
	free(v->runner_error);
	memset(v, 0, sizeof *v);
}
