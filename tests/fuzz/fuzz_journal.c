/*
 * fuzz_journal.c - journal_recover (load/journal.c) on an arbitrary
 * STORE/.journal in a store of a few real files: tables, integration.json,
 * audit.ndjson, and the temporaries of an interrupted load (three table
 * temps and a pending audit file).
 *
 * The first input byte sets where the interrupted load had got to: bits 0-2
 * say that temp 0-2 was already renamed over its table, bit 3 that the
 * pending audit file is gone, bit 4 that half of it, bit 5 that all of it
 * was already appended to audit.ndjson.  The rest is the journal.
 *
 * What recovery promises, checked on every input (B is the store before,
 * F after; T the names the journal gives as "tmp" of a file entry; A its
 * audit file, P its pending file):
 *   1. A refused journal ("is damaged") changes nothing: F == B, byte for
 *      byte, the journal included.
 *   2. Any other failure keeps the journal: the next start finishes it.
 *   3. Success removes the journal and every temporary ".NAME.tmp.*".
 *   4. Nothing but a temp the journal named, a stray temporary and the
 *      journal itself disappears.
 *   5. Every file holds what it held, or what a temp the journal named
 *      held (renames move contents, they never make new ones); the audit
 *      file alone may instead be its first audit.size bytes followed by the
 *      pending lines (P's or a temp's bytes, or a format 1 journal's lines;
 *      only part of them when recovery failed, or empty when it did not
 *      exist and recovery failed).
 *   6. Roll-forward is whole: for a journal whose entries name distinct
 *      temps and tables (none of them A, P or the journal), success leaves
 *      each table with its temp's bytes where the temp existed and as it
 *      was where it did not, and A as its first size bytes plus the pending
 *      lines (unchanged when there are none).
 * Writes are capped at 1 MiB (RLIMIT_FSIZE, SIGXFSZ ignored) while
 * recovery runs, so a journal that makes it append without end fails
 * there instead of filling the disk.
 *
 * A journal that names any audit file but audit.ndjson, or a file entry
 * that is not a table or integration.json with its own temporary, is
 * refused as damaged (this fuzzer found that recovery once cut a table
 * named as the audit file, and grew a pending file named as its own audit
 * file without end: corpus/fuzz_journal/audit-names-*).
 */
#include "fuzz_util.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "journal.h"
#include "json.h"
#include "store.h"

#define MAX_FILES 64

struct file {
	char name[256];
	char *data;
	size_t len;
};

struct state {
	size_t n;
	struct file f[MAX_FILES];
};

/* The fixture: tables with their temps (same index), the audit file and its pending lines. */
static const char *const tables[3] = {"organizations.csv", "links.csv", STORE_FILE_INTEGRATION};
static const char *const table_old[3] = {
	"id,name,employee_count,industry,phishing,training,last_sync\n"
	"3,Acme Dental,11-50,Healthcare,true,false,\n",
	"organization_id,itglue_organization_id,source,linked_at\n"
	"3,101,auto,2026-01-15T05:00:00.000Z\n",
	("{\"status\":\"connected\",\"region\":\"us\",\"last_sync\":\"2026-01-15T05:00:00.000Z\","
	 "\"last_error\":null}\n"),
};
static const char *const temps[3] = {".organizations.csv.tmp.Aa1Bb2", ".links.csv.tmp.Cc3Dd4",
				     "." STORE_FILE_INTEGRATION ".tmp.Ee5Ff6"};
static const char *const table_new[3] = {
	"id,name,employee_count,industry,phishing,training,last_sync\n"
	"3,Acme Dental,11-50,Healthcare,true,false,2026-03-01T05:00:00.000Z\n"
	"4,Globex Corporation,11-50,Other,false,false,2026-03-01T05:00:00.000Z\n",
	"organization_id,itglue_organization_id,source,linked_at\n"
	"3,101,auto,2026-01-15T05:00:00.000Z\n"
	"4,102,import,2026-03-01T05:00:00.000Z\n",
	("{\"status\":\"connected\",\"region\":\"us\",\"last_sync\":\"2026-03-01T05:00:00.000Z\","
	 "\"last_error\":null}\n"),
};
static const char users_csv[] =
	"id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync\n"
	"5,3,Ann,Lee,ann@acme.example,Staff,9001,\n";
static const char audit_old[] = "{\"run_id\":\"20260115T050000Z\",\"action\":\"link\"}\n";
static const char pending_name[] = ".audit.pending.tmp.Gg7Hh8";
static const char pending_lines[] =
	"{\"run_id\":\"20260301T050000Z\",\"action\":\"import_organization\"}\n"
	"{\"run_id\":\"20260301T050000Z\",\"action\":\"link\"}\n";

static char store[4400];

static void put(const char *name, const char *data, size_t len)
{
	char path[4700];
	int fd;

	snprintf(path, sizeof path, "%s/%s", store, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, data, len) == (ssize_t)len, "short write to %s", path);
	close(fd);
}

static void puts_file(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* Empties the store folder and lays out the interrupted load that mode describes. */
static void make_store(unsigned mode, const uint8_t *journal, size_t jlen)
{
	DIR *d;
	struct dirent *de;
	char audit[1024];
	size_t half = (sizeof pending_lines - 1) / 2;

	if (!store[0]) {
		snprintf(store, sizeof store, "%s/store", fuzz_dir());
		FUZZ_CHECK(mkdir(store, 0700) == 0, "cannot make %s", store);
	}
	d = opendir(store);
	FUZZ_CHECK(d != NULL, "cannot list %s", store);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			char path[4700];
			snprintf(path, sizeof path, "%s/%s", store, de->d_name);
			FUZZ_CHECK(unlink(path) == 0, "cannot remove %s", path);
		}
	closedir(d);
	for (int i = 0; i < 3; i++) {
		if (mode & (1u << i)) {
			puts_file(tables[i], table_new[i]);
		} else {
			puts_file(tables[i], table_old[i]);
			puts_file(temps[i], table_new[i]);
		}
	}
	puts_file("users.csv", users_csv);
	if (!(mode & 8))
		puts_file(pending_name, pending_lines);
	snprintf(audit, sizeof audit, "%s%.*s", audit_old,
		 mode & 32 ? (int)sizeof pending_lines : mode & 16 ? (int)half : 0, pending_lines);
	puts_file(STORE_FILE_AUDIT, audit);
	put(STORE_FILE_JOURNAL, (const char *)journal, jlen);
}

static void snapshot(struct state *s)
{
	DIR *d = opendir(store);
	struct dirent *de;

	FUZZ_CHECK(d != NULL, "cannot list %s", store);
	s->n = 0;
	while ((de = readdir(d))) {
		struct file *f;
		struct buf b = {0};
		struct itg_err e = {0};
		char path[4700];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		FUZZ_CHECK(s->n < MAX_FILES, "too many files in the store");
		f = &s->f[s->n++];
		snprintf(f->name, sizeof f->name, "%s", de->d_name);
		snprintf(path, sizeof path, "%s/%s", store, de->d_name);
		FUZZ_CHECK(fs_read_all(path, &b, 0, &e) == 0, "cannot read %s: %s", path, e.msg);
		f->len = b.len;
		f->data = buf_detach(&b);
	}
	closedir(d);
}

static void state_free(struct state *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->f[i].data);
	s->n = 0;
}

static const struct file *find(const struct state *s, const char *name)
{
	for (size_t i = 0; name && i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return &s->f[i];
	return NULL;
}

static int same_bytes(const struct file *f, const char *data, size_t len)
{
	return f->len == len && memcmp(f->data, data, len) == 0;
}

static int is_stray(const char *name)
{
	return name[0] == '.' && strstr(name, ".tmp.") != NULL;
}

/* What the journal names, read independently of journal.c (only well-formed strings). */
struct names {
	yajl_val tree;
	size_t n;
	const char *tmp[MAX_FILES], *final[MAX_FILES];
	const char *audit, *pending, *lines;
	long long size, bytes;
	int format;
};

static void names_read(const uint8_t *d, size_t n, struct names *j)
{
	char errbuf[128];
	yajl_val files, audit;

	memset(j, 0, sizeof *j);
	j->size = j->bytes = -1;
	j->tree = json_parse((const char *)d, n, errbuf, sizeof errbuf);
	files = json_get(j->tree, "files");
	audit = json_get(j->tree, "audit");
	j->format = (int)json_get_int(j->tree, "format", 0);
	if (files && YAJL_IS_ARRAY(files))
		for (size_t i = 0; i < files->u.array.len && j->n < MAX_FILES; i++) {
			j->tmp[j->n] = json_get_str(files->u.array.values[i], "tmp");
			j->final[j->n] = json_get_str(files->u.array.values[i], "final");
			j->n++;
		}
	j->audit = json_get_str(audit, "file");
	j->pending = json_get_str(audit, "pending");
	j->lines = json_get_str(audit, "lines");
	j->size = json_get_int(audit, "size", -1);
	j->bytes = json_get_int(audit, "bytes", -1);
}

static int named_tmp(const struct names *j, const char *name)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->tmp[i] && strcmp(j->tmp[i], name) == 0)
			return 1;
	return 0;
}

/* 1 if data is what file `name` held before, or what a temp the journal named held. */
static int moved_content(const struct state *b, const struct names *j, const char *name,
			 const char *data, size_t len)
{
	const struct file *f = find(b, name);

	if (f && same_bytes(f, data, len))
		return 1;
	for (size_t i = 0; i < j->n; i++)
		if (j->tmp[i] && (f = find(b, j->tmp[i])) && same_bytes(f, data, len))
			return 1;
	return 0;
}

/* 1 if the first size bytes of data are the first size bytes of what name may hold (rule 5). */
static int moved_content_prefix(const struct state *b, const struct names *j, const char *name,
				const char *data, size_t size)
{
	const struct file *f = find(b, name);

	if (size == 0)
		return 1;
	if (f && f->len >= size && memcmp(f->data, data, size) == 0)
		return 1;
	for (size_t i = 0; i < j->n; i++)
		if (j->tmp[i] && (f = find(b, j->tmp[i])) && f->len >= size &&
		    memcmp(f->data, data, size) == 0)
			return 1;
	return 0;
}

/* 1 if data is HEAD + LINES: HEAD the first size bytes of a content name may hold, LINES pending. */
static int appended_content(const struct state *b, const struct names *j, const char *name,
			    const char *data, size_t len, int partial)
{
	size_t size = j->size < 0 ? 0 : (size_t)j->size;
	const char *tails[MAX_FILES + 2];
	size_t ntails = 0, tlen[MAX_FILES + 2];
	const struct file *f;

	/* opened with O_CREAT before its size is checked: a missing one may be left empty */
	if (partial && len == 0 && !find(b, name))
		return 1;
	if (len < size || !moved_content_prefix(b, j, name, data, size))
		return 0;
	if (j->lines) {
		tlen[ntails] = strlen(j->lines);
		tails[ntails++] = j->lines;
	}
	if ((f = find(b, j->pending))) {
		tlen[ntails] = f->len;
		tails[ntails++] = f->data;
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->tmp[i] && (f = find(b, j->tmp[i]))) {
			tlen[ntails] = f->len;
			tails[ntails++] = f->data;
		}
	for (size_t t = 0; t < ntails; t++)
		if ((partial ? len - size <= tlen[t] : len - size == tlen[t]) &&
		    memcmp(data + size, tails[t], len - size) == 0)
			return 1;
	return 0;
}

/*
 * Rule 5 for the file name: MOVED (what it or a named temp held) or AUDIT
 * (that, or cut back and appended to).
 */
enum rule { MOVED, AUDIT };

static enum rule rule_for(const struct names *j, const char *name)
{
	if (!j->audit || strcmp(j->audit, name) != 0)
		return MOVED;
	return strcmp(name, STORE_FILE_AUDIT) == 0 ? AUDIT : MOVED;
}

/* Distinct temps and tables, none of them the audit file, the pending file or the journal. */
static int simple_journal(const struct names *j)
{
	const char *special[3] = {j->audit, j->pending, STORE_FILE_JOURNAL};

	if (!j->audit || (j->pending && strcmp(j->pending, j->audit) == 0))
		return 0;
	for (size_t i = 0; i < j->n; i++) {
		if (!j->tmp[i] || !j->final[i] || is_stray(j->final[i]))
			return 0;
		for (int k = 0; k < 3; k++)
			if (special[k] && (!strcmp(j->tmp[i], special[k]) || !strcmp(j->final[i], special[k])))
				return 0;
		for (size_t k = 0; k < j->n; k++) {
			if (!strcmp(j->tmp[i], j->final[k]))
				return 0;
			if (k != i && (!strcmp(j->tmp[i], j->tmp[k]) || !strcmp(j->final[i], j->final[k])))
				return 0;
		}
	}
	return 1;
}

/* Rule 6: every entry rolled forward, the audit lines appended once. */
static void check_rolled_forward(const struct state *b, const struct state *a, const struct names *j)
{
	const struct file *ab, *aa, *pf;
	const char *tail = NULL;
	size_t tail_len = 0, size = j->size < 0 ? 0 : (size_t)j->size;

	for (size_t i = 0; i < j->n; i++) {
		const struct file *tb = find(b, j->tmp[i]), *fb = find(b, j->final[i]);
		const struct file *fa = find(a, j->final[i]);

		if (tb) {
			FUZZ_CHECK(fa && same_bytes(fa, tb->data, tb->len),
				   "%s does not hold its temp %s after recovery", j->final[i], j->tmp[i]);
			FUZZ_CHECK(!find(a, j->tmp[i]), "temp %s left after recovery", j->tmp[i]);
		} else if (fb) {
			FUZZ_CHECK(fa && same_bytes(fa, fb->data, fb->len),
				   "%s changed though its temp %s was gone", j->final[i], j->tmp[i]);
		} else {
			FUZZ_CHECK(!fa, "%s appeared from nothing", j->final[i]);
		}
	}
	if (j->format == 1 && j->lines && *j->lines) {
		tail = j->lines;
		tail_len = strlen(j->lines);
	} else if (j->format != 1 && j->bytes > 0) {
		pf = find(b, j->pending);
		FUZZ_CHECK(pf && pf->len == (size_t)j->bytes, "recovered without its pending lines");
		tail = pf->data;
		tail_len = pf->len;
	}
	ab = find(b, j->audit);
	aa = find(a, j->audit);
	if (!tail) {
		FUZZ_CHECK((!ab && !aa) || (ab && aa && same_bytes(aa, ab->data, ab->len)),
			   "%s changed with no lines to append", j->audit);
		return;
	}
	FUZZ_CHECK(aa && aa->len == size + tail_len &&
			   (size == 0 || (ab && ab->len >= size && !memcmp(aa->data, ab->data, size))) &&
			   !memcmp(aa->data + size, tail, tail_len),
		   "%s is not its first %zu bytes and the pending lines", j->audit, size);
	FUZZ_CHECK(!j->pending || !find(a, j->pending), "pending file %s left", j->pending);
}

/* journal_recover with writes capped, so a runaway append fails instead of filling the disk. */
static int recover_capped(int *outcome, struct itg_err *e)
{
	struct rlimit old, cap;
	int rc;

	signal(SIGXFSZ, SIG_IGN);   /* here: libFuzzer installs its own handler after init */
	FUZZ_CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0, "getrlimit");
	cap = old;
	if (cap.rlim_cur == RLIM_INFINITY || cap.rlim_cur > (1u << 20))
		cap.rlim_cur = 1u << 20;
	FUZZ_CHECK(setrlimit(RLIMIT_FSIZE, &cap) == 0, "setrlimit");
	rc = journal_recover(store, outcome, e);
	FUZZ_CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0, "setrlimit");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state before, after;
	struct names j;
	struct itg_err e = {0};
	int outcome = -1, rc, damaged;

	if (size < 1)
		return 0;
	make_store(data[0], data + 1, size - 1);
	snapshot(&before);
	names_read(data + 1, size - 1, &j);
	rc = recover_capped(&outcome, &e);
	snapshot(&after);
	damaged = rc != 0 && strstr(e.msg, "is damaged") != NULL;

	if (rc != 0) {
		FUZZ_CHECK(e.code != 0 && e.msg[0], "failed without an error");
		FUZZ_CHECK(strstr(e.msg, store) != NULL, "message does not name the store: %s", e.msg);
	}
	/* 1. a refused journal changes nothing */
	if (damaged) {
		FUZZ_CHECK(after.n == before.n, "refused (%s) but %zu files became %zu", e.msg,
			   before.n, after.n);
		for (size_t i = 0; i < before.n; i++) {
			const struct file *f = find(&after, before.f[i].name);
			FUZZ_CHECK(f && same_bytes(f, before.f[i].data, before.f[i].len),
				   "refused (%s) but %s changed", e.msg, before.f[i].name);
		}
	}
	/* 2. an unfinished recovery stays decided */
	if (rc != 0 && !damaged)
		FUZZ_CHECK(find(&after, STORE_FILE_JOURNAL), "failed (%s) and dropped the journal", e.msg);
	/* 3. a finished one leaves no journal and no temporary */
	if (rc == 0) {
		FUZZ_CHECK(outcome == 1, "outcome %d with a journal", outcome);
		for (size_t i = 0; i < after.n; i++)
			FUZZ_CHECK(strcmp(after.f[i].name, STORE_FILE_JOURNAL) && !is_stray(after.f[i].name),
				   "%s left after recovery", after.f[i].name);
	}
	/* 4. only temps and the journal disappear */
	for (size_t i = 0; i < before.n; i++) {
		const char *name = before.f[i].name;
		FUZZ_CHECK(find(&after, name) || named_tmp(&j, name) || is_stray(name) ||
				   !strcmp(name, STORE_FILE_JOURNAL),
			   "%s disappeared (%s)", name, rc ? e.msg : "recovered");
	}
	/* 5. contents move, never change (the audit file aside) */
	for (size_t i = 0; i < after.n; i++) {
		const struct file *f = &after.f[i];
		enum rule r = rule_for(&j, f->name);

		FUZZ_CHECK(moved_content(&before, &j, f->name, f->data, f->len) ||
				   (r == AUDIT &&
				    appended_content(&before, &j, f->name, f->data, f->len, rc != 0)),
			   "%s holds bytes it never held (%s): %.*s", f->name, rc ? e.msg : "recovered",
			   (int)(f->len < 200 ? f->len : 200), f->data);
	}
	/* 6. and a plain journal rolls forward whole */
	if (rc == 0 && simple_journal(&j))
		check_rolled_forward(&before, &after, &j);

	if (j.tree)
		yajl_tree_free(j.tree);
	state_free(&before);
	state_free(&after);
	return 0;
}
