#include "journal.h"
#include "fsutil.h"
#include "json.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

long journal_crash_at;
int journal_crash_soft;
long journal_steps;
static int journal_crashed;   /* the last step was a simulated crash */

void journal_crash_from_env(void)
{
	const char *s = getenv("ITG_LOAD_CRASH_AT");

	journal_crash_at = s && *s ? strtol(s, NULL, 10) : 0;
}

/* One numbered point of the transaction (see journal.h). */
static int step(struct itg_err *e)
{
	journal_steps++;
	if (journal_crash_at > 0 && journal_steps == journal_crash_at) {
		if (!journal_crash_soft)
			raise(SIGKILL);
		journal_crashed = 1;
		return err_set(e, ITG_EXIT_RUNTIME, "simulated crash at step %ld", journal_steps);
	}
	return 0;
}

struct pending {
	size_t n;
	char **tmp;      /* names inside the store */
	char **final;
	char *audit_file;
	long long audit_size;     /* the audit file's size before this transaction */
	char *audit_pending;      /* format 2: the pending audit file's name */
	long long audit_bytes;    /* and its length */
	const char *audit_lines;  /* format 1: the lines, borrowed from the journal */
};

static int sync_dir(const char *store, struct itg_err *e)
{
	if (fs_fsync_dir(store, e) != 0)
		return -1;
	return step(e);
}

static int append_all(int fd, const char *p, size_t n, const char *path, struct itg_err *e)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set(e, ITG_EXIT_RUNTIME, "cannot append to %s: %s", path,
				       strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The lines to append: the pending file, or a format 1 journal's text. */
static FILE *audit_source(const char *store, const struct pending *pd, struct itg_err *e)
{
	char *path;
	struct stat st;
	FILE *fp;
	int fd;

	if (!pd->audit_pending) {
		fp = fmemopen((void *)pd->audit_lines, strlen(pd->audit_lines), "r");
		if (!fp)
			err_set(e, ITG_EXIT_RUNTIME, "cannot read the journal's audit lines: %s",
				strerror(errno));
		return fp;
	}
	path = fs_join(store, pd->audit_pending);
	fp = NULL;
	switch (fs_open_plain(path, O_RDONLY, 0, &fd, e)) {
	case 1:
		if (!(fp = fdopen(fd, "r"))) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: %s", path, strerror(errno));
			close(fd);
		}
		break;
	case 0:
		err_set(e, ITG_EXIT_RUNTIME, "cannot open %s: %s: restore the store from a backup "
			"and remove %s/" STORE_FILE_JOURNAL, path, strerror(ENOENT), store);
		break;
	default:
		break;  /* a link or not a plain file: refused, e says so */
	}
	if (fp && (fstat(fileno(fp), &st) != 0 || (long long)st.st_size != pd->audit_bytes)) {
		err_set(e, ITG_EXIT_RUNTIME, "%s is not the %lld bytes the journal records: "
			"restore the store from a backup and remove %s/" STORE_FILE_JOURNAL,
			path, pd->audit_bytes, store);
		fclose(fp);
		fp = NULL;
	}
	free(path);
	return fp;
}

/*
 * Appends the audit lines, first cutting the file back to the size it had
 * before this transaction, so that a repeat after a crash never doubles a
 * line.  The lines are streamed from the pending file a line at a time.
 * Each line goes in two writes with a point between them, so crash tests
 * also leave half-written lines behind.
 */
static int append_audit(const char *store, const struct pending *pd, struct itg_err *e)
{
	char *path, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct stat st;
	FILE *src;
	int fd = -1, rc = 0;

	if (pd->audit_pending ? pd->audit_bytes == 0 : !*pd->audit_lines)
		return 0;
	src = audit_source(store, pd, e);
	if (!src)
		return -1;
	path = fs_join(store, pd->audit_file);
	/* never through a link: the truncation below is only ever done to the
	 * store's own plain file */
	if (fs_open_plain(path, O_WRONLY | O_CREAT | O_APPEND, ITG_FILE_MODE, &fd, e) < 0) {
		rc = -1;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size < pd->audit_size) {
		rc = err_set(e, ITG_EXIT_RUNTIME,
			     "%s is shorter than the journal records (%lld < %lld bytes): "
			     "restore it from a backup, then run itg-load again",
			     path, (long long)st.st_size, pd->audit_size);
		goto out;
	}
	if (st.st_size > pd->audit_size && ftruncate(fd, (off_t)pd->audit_size) != 0) {
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot truncate %s: %s", path, strerror(errno));
		goto out;
	}
	while (rc == 0 && (len = getline(&line, &cap, src)) > 0) {
		size_t half = (size_t)len / 2;

		if (append_all(fd, line, half, path, e) != 0 || step(e) != 0 ||
		    append_all(fd, line + half, (size_t)len - half, path, e) != 0 || step(e) != 0)
			rc = -1;
	}
	if (rc == 0 && ferror(src))
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot read the pending audit lines of %s",
			     path);
	if (rc == 0 && fsync(fd) != 0)
		rc = err_set(e, ITG_EXIT_RUNTIME, "cannot sync %s: %s", path, strerror(errno));
	if (rc == 0)
		rc = step(e);
out:
	if (fd >= 0)
		close(fd);
	fclose(src);
	free(line);
	free(path);
	return rc;
}

/* Step 3 of journal.h, shared by the commit and the recovery. */
static int finish(const char *store, const struct pending *pd, struct itg_err *e)
{
	char *jpath = fs_join(store, STORE_FILE_JOURNAL), *apath = fs_join(store, pd->audit_file);
	int rc = -1;

	/* a link in place of the audit file is refused before anything moves:
	 * the transaction stays decided, and finishes once it is a file again */
	if (fs_refuse_link(apath, e) != 0)
		goto out;
	for (size_t i = 0; i < pd->n; i++) {
		char *tmp = fs_join(store, pd->tmp[i]), *final = fs_join(store, pd->final[i]);
		struct stat st;
		int bad = 0;

		/* a temp that is gone was renamed before the crash; one that is
		 * not a plain file is none of ours (a link would become the table) */
		if (lstat(tmp, &st) == 0 && !S_ISREG(st.st_mode))
			bad = S_ISLNK(st.st_mode) ? fs_link_refused(tmp, e)
						  : err_set(e, ITG_EXIT_RUNTIME,
							    "%s is not a plain file: restore the "
							    "store from a backup and remove %s",
							    tmp, jpath);
		else if (fs_exists(tmp) && rename(tmp, final) != 0)
			bad = err_set(e, ITG_EXIT_RUNTIME,
				      "cannot rename %s into place: %s, run itg-load again", final,
				      strerror(errno));
		free(tmp);
		free(final);
		if (bad || step(e) != 0)
			goto out;
	}
	if (sync_dir(store, e) != 0 || append_audit(store, pd, e) != 0 || sync_dir(store, e) != 0)
		goto out;
	if (unlink(jpath) != 0) {
		err_set(e, ITG_EXIT_RUNTIME, "cannot delete %s: %s", jpath, strerror(errno));
		goto out;
	}
	if (step(e) != 0 || sync_dir(store, e) != 0)
		goto out;
	/* without the journal the pending file is a stray temp: a crash here
	 * leaves it for journal_recover to sweep */
	if (pd->audit_pending) {
		char *ppath = fs_join(store, pd->audit_pending);
		int bad = unlink(ppath) != 0 && errno != ENOENT;

		if (bad)
			err_set(e, ITG_EXIT_RUNTIME, "cannot delete %s: %s", ppath, strerror(errno));
		free(ppath);
		if (bad || step(e) != 0)
			goto out;
	}
	rc = 0;
out:
	free(apath);
	free(jpath);
	return rc;
}

static char *journal_text(const struct pending *pd)
{
	yajl_gen g = json_gen_new();
	struct buf b = {0};

	yajl_gen_map_open(g);
	json_kv_int(g, "format", JOURNAL_FORMAT);
	json_key(g, "files");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < pd->n; i++) {
		yajl_gen_map_open(g);
		json_kv_str(g, "tmp", pd->tmp[i]);
		json_kv_str(g, "final", pd->final[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	json_key(g, "audit");
	yajl_gen_map_open(g);
	json_kv_str(g, "file", pd->audit_file);
	json_kv_int(g, "size", pd->audit_size);
	json_kv_str(g, "pending", pd->audit_pending);
	json_kv_int(g, "bytes", pd->audit_bytes);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_gen_take(g, &b);
	buf_addc(&b, '\n');
	yajl_gen_free(g);
	return buf_detach(&b);
}

static void pending_free(struct pending *pd)
{
	for (size_t i = 0; i < pd->n; i++) {
		free(pd->tmp[i]);
		free(pd->final[i]);
	}
	free(pd->tmp);
	free(pd->final);
	free(pd->audit_file);
	free(pd->audit_pending);
	memset(pd, 0, sizeof *pd);
}

int journal_commit(const char *store, const struct journal_out *outs, size_t n,
		   const char *audit_file, journal_audit_fn audit, void *arg,
		   journal_check_fn before_switch, void *check_arg, struct itg_err *e)
{
	struct pending pd = {0};
	struct afile f;
	char *jpath = fs_join(store, STORE_FILE_JOURNAL), *apath = fs_join(store, audit_file);
	char *text = NULL;
	struct stat st;
	int afd, published = 0, rc = -1;

	journal_crashed = 0;
	pd.tmp = xcalloc(n + 1, sizeof *pd.tmp);
	pd.final = xcalloc(n + 1, sizeof *pd.final);
	pd.audit_file = xstrdup(audit_file);
	/* the audit file's size, read without following a link: a linked one
	 * is refused before anything is written */
	switch (fs_open_plain(apath, O_RDONLY, 0, &afd, e)) {
	case 1:
		if (fstat(afd, &st) != 0) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot stat %s: %s", apath, strerror(errno));
			close(afd);
			goto out;
		}
		pd.audit_size = (long long)st.st_size;
		close(afd);
		break;
	case 0:
		pd.audit_size = 0;
		break;
	default:
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *final = fs_join(store, outs[i].name);
		int bad;

		bad = afile_open(&f, final, ITG_FILE_MODE, e);
		free(final);
		if (bad)
			goto out;
		pd.tmp[i] = fs_basename(f.tmp);
		pd.final[i] = xstrdup(outs[i].name);
		pd.n = i + 1;
		if (outs[i].table)
			bad = csvtab_write_fp(outs[i].table, f.fp);
		else
			bad = fputs(outs[i].text, f.fp) == EOF;
		if (bad) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", f.final, strerror(errno));
			afile_abort(&f);
			goto out;
		}
		if (step(e) != 0) {
			/* a crash: the temp stays as it is */
			fclose(f.fp);
			free(f.tmp);
			free(f.final);
			goto crashed;
		}
		bad = afile_close_unpublished(&f, e);
		free(f.tmp);
		free(f.final);
		if (bad || step(e) != 0)
			goto out;
	}
	{
		/* the audit lines go to a pending file, streamed: the journal only
		 * names it, so it stays small however many lines there are */
		char *ppath = fs_join(store, JOURNAL_AUDIT_PENDING);
		int bad;
		off_t len;

		bad = afile_open(&f, ppath, ITG_FILE_MODE, e);
		free(ppath);
		if (bad)
			goto out;
		pd.audit_pending = fs_basename(f.tmp);
		if (audit(f.fp, arg) != 0 || fflush(f.fp) != 0 || (len = ftello(f.fp)) < 0) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", f.tmp, strerror(errno));
			afile_abort(&f);
			goto out;
		}
		pd.audit_bytes = (long long)len;
		if (step(e) != 0) {
			fclose(f.fp);
			free(f.tmp);
			free(f.final);
			goto crashed;
		}
		bad = afile_close_unpublished(&f, e);
		free(f.tmp);
		free(f.final);
		if (bad || step(e) != 0)
			goto out;
	}
	/* step 1b: nothing is decided yet, so a refusal leaves the store as it was */
	if (before_switch && before_switch(check_arg, e) != 0)
		goto out;
	text = journal_text(&pd);
	if (fs_write_atomic(jpath, text, strlen(text), ITG_FILE_MODE, e) != 0)
		goto out;
	published = 1;
	if (step(e) != 0 || sync_dir(store, e) != 0)
		goto out;
	rc = finish(store, &pd, e);
out:
	if (rc != 0 && !published && !journal_crashed) {
		/* nothing decided yet: the store stays wholly as it was */
		for (size_t i = 0; i < pd.n; i++) {
			char *tmp = fs_join(store, pd.tmp[i]);
			unlink(tmp);
			free(tmp);
		}
		if (pd.audit_pending) {
			char *tmp = fs_join(store, pd.audit_pending);
			unlink(tmp);
			free(tmp);
		}
	} else if (rc != 0 && published && !journal_crashed) {
		err_prefix(e, "the store update is decided but unfinished; run itg-load again to "
			      "finish it");
	}
crashed:
	free(text);
	free(jpath);
	free(apath);
	pending_free(&pd);
	return rc;
}

int journal_pending(const char *store)
{
	char *path = fs_join(store, STORE_FILE_JOURNAL);
	struct stat st;
	int yes = lstat(path, &st) == 0 && !S_ISLNK(st.st_mode);

	free(path);
	return yes;
}

static int safe_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Only a pending audit file may be named: recovery deletes it when done. */
static int pending_name(const char *s)
{
	static const char prefix[] = "." JOURNAL_AUDIT_PENDING ".tmp.";

	return safe_name(s) && strncmp(s, prefix, sizeof prefix - 1) == 0;
}

/*
 * The files a load replaces: the tables, integration.json and the copy of
 * links.csv the load leaves for the next one (STORE_FILE_LINKS_LAST_RUN),
 * nothing else.
 * A journal naming any other file (a table as the audit file, the pending
 * file as its own target) would make the recovery cut or grow the wrong file.
 */
static int replaceable_name(const char *s)
{
	if (!s)
		return 0;
	for (int t = 0; t < STORE_NTABLES; t++)
		if (strcmp(s, store_file_names[t]) == 0)
			return 1;
	return strcmp(s, STORE_FILE_INTEGRATION) == 0 || strcmp(s, STORE_FILE_LINKS_LAST_RUN) == 0;
}

/* A temporary of final: ".FINAL.tmp.SUFFIX", as afile_open makes them. */
static int temp_of(const char *tmp, const char *final)
{
	size_t n = strlen(final);

	return safe_name(tmp) && tmp[0] == '.' && strncmp(tmp + 1, final, n) == 0 &&
	       strncmp(tmp + 1 + n, ".tmp.", 5) == 0 && tmp[1 + n + 5] != '\0';
}

static int read_journal(const char *path, struct pending *pd, yajl_val *tree,
			struct itg_err *e)
{
	struct buf b = {0};
	char errbuf[256];
	yajl_val v, files, audit;
	long long format;

	if (fs_read_file_nofollow(path, &b, 0, e) != 0)
		return -1;
	v = json_parse(buf_str(&b), b.len, errbuf, sizeof errbuf);
	buf_free(&b);
	*tree = v;
	files = json_get(v, "files");
	audit = json_get(v, "audit");
	format = v ? json_get_int(v, "format", 0) : 0;
	if (!v || (format != 1 && format != JOURNAL_FORMAT) || !files ||
	    !YAJL_IS_ARRAY(files) || !json_get_str(audit, "file") ||
	    strcmp(json_get_str(audit, "file"), STORE_FILE_AUDIT) != 0 ||
	    json_get_int(audit, "size", -1) < 0 ||
	    (format == 1 && !json_get_str(audit, "lines")) ||
	    (format == 2 && (!pending_name(json_get_str(audit, "pending")) ||
			     json_get_int(audit, "bytes", -1) < 0)))
		return err_set(e, ITG_EXIT_RUNTIME,
			       "%s is damaged (%s): restore the store from a backup and remove it",
			       path, v ? "unexpected content" : errbuf);
	pd->n = files->u.array.len;
	pd->tmp = xcalloc(pd->n + 1, sizeof *pd->tmp);
	pd->final = xcalloc(pd->n + 1, sizeof *pd->final);
	for (size_t i = 0; i < pd->n; i++) {
		const char *tmp = json_get_str(files->u.array.values[i], "tmp");
		const char *final = json_get_str(files->u.array.values[i], "final");
		int twice = 0;

		for (size_t k = 0; k < i && final; k++)
			twice |= strcmp(pd->final[k], final) == 0;
		if (!replaceable_name(final) || !temp_of(tmp, final) || twice)
			return err_set(e, ITG_EXIT_RUNTIME,
				       "%s is damaged (bad file entry): restore the store from a "
				       "backup and remove it", path);
		pd->tmp[i] = xstrdup(tmp);
		pd->final[i] = xstrdup(final);
	}
	pd->audit_file = xstrdup(json_get_str(audit, "file"));
	pd->audit_size = json_get_int(audit, "size", 0);
	if (format == 1) {
		/* written by an older itg-load: the lines are in the journal */
		pd->audit_lines = json_get_str(audit, "lines");
	} else {
		pd->audit_pending = xstrdup(json_get_str(audit, "pending"));
		pd->audit_bytes = json_get_int(audit, "bytes", 0);
	}
	return 0;
}

/* Temporary siblings ".NAME.tmp.XXXXXX" left by an undecided transaction. */
static int remove_strays(const char *store, int *removed, struct itg_err *e)
{
	DIR *d = opendir(store);
	struct dirent *de;

	*removed = 0;
	if (!d)
		return errno == ENOENT ? 0 : err_set(e, ITG_EXIT_RUNTIME, "cannot list %s: %s",
						     store, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp.")) {
			char *p = fs_join(store, de->d_name);
			if (unlink(p) == 0)
				(*removed)++;
			free(p);
		}
	}
	closedir(d);
	return *removed ? fs_fsync_dir(store, e) : 0;
}

int journal_recover(const char *store, int *outcome, struct itg_err *e)
{
	char *jpath = fs_join(store, STORE_FILE_JOURNAL);
	struct pending pd = {0};
	yajl_val tree = NULL;
	int removed = 0, rc = 0;

	*outcome = 0;
	if (fs_exists(jpath)) {
		rc = read_journal(jpath, &pd, &tree, e);
		if (rc == 0)
			rc = finish(store, &pd, e);
		if (rc == 0)
			*outcome = 1;
	}
	if (rc == 0)
		rc = remove_strays(store, &removed, e);
	if (rc == 0 && removed && !*outcome)
		*outcome = 2;
	if (tree)
		yajl_tree_free(tree);
	pending_free(&pd);
	free(jpath);
	return rc;
}
