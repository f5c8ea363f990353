/*
 * fuzz_plan.c - the plan reader of itg-load (load/planread.c) and the
 * manifest reader of lib/planfmt.c on arbitrary bytes.
 *
 * The first input byte picks what the rest is:
 *   0  plan.ndjson text, verified by planread_lines for both products.  A
 *      refusal is an input error naming plan.ndjson and a line that exists;
 *      an accepted text has one entry per line, in order, each a slice of
 *      the text without its newline, whose action belongs to the product
 *      and whose line reopens (plan_line_open) with every key that
 *      plan_actions[] names.  The products differ only in which actions
 *      they take: accepted for one, the text is accepted for the other
 *      exactly when every action belongs to it.
 *   1  manifest.json, read by plan_manifest_read from a temp folder for
 *      any product and for each one.  A refusal is an input error naming
 *      the manifest and leaves the struct empty; an accepted manifest has
 *      the supported format, a product, store file names without '/' or a
 *      leading '.', is accepted for its own product and refused for the
 *      other, and reads back equal after plan_manifest_write.
 *   2  plan.ndjson again, in a plan folder whose manifest is made to
 *      match it (lines, bytes, CRC-32): planread_load must give the same
 *      verdict and message as planread_lines, and refuse it once the
 *      manifest's line count is off by one.
 */
#include "fuzz_util.h"

#include <sys/stat.h>
#include <zlib.h>

#include "planfmt.h"
#include "planread.h"

static const char *sub_dir(const char *name)
{
	static char path[4400];

	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	mkdir(path, 0700);
	return path;
}

/* 1 if the open line has the id key of plan_actions[], or one of "a|b". */
static int has_id(const struct plan_line *l, const char *key)
{
	const char *bar = strchr(key, '|');
	char first[64];

	if (!bar)
		return plan_id(l, key) != NULL;
	snprintf(first, sizeof first, "%.*s", (int)(bar - key), key);
	return plan_id(l, first) || plan_id(l, bar + 1);
}

/* The number of lines planread_lines sees: pieces between newlines, no trailing empty one. */
static long count_lines(const uint8_t *d, size_t n)
{
	long k = 0;

	for (size_t i = 0; i < n; i++)
		if (d[i] == '\n' || i + 1 == n)
			k++;
	return k;
}

/* Verifies text for product want; returns the verdict, leaves the plan in *p (freed by caller). */
static int lines_for(const uint8_t *d, size_t n, enum product want, const char *file,
		     struct plan *p, struct itg_err *e)
{
	char *text = malloc(n + 1);

	FUZZ_CHECK(text != NULL, "malloc");
	memcpy(text, d, n);
	text[n] = '\0';
	memset(p, 0, sizeof *p);
	memset(e, 0, sizeof *e);
	return planread_lines(p, text, n, want, file, e);
}

static void check_refusal(const struct itg_err *e, const char *file, long nlines)
{
	char want[4500];
	const char *at;
	long line;

	FUZZ_CHECK(e->code == ITG_EXIT_USAGE, "code %d: %s", e->code, e->msg);
	snprintf(want, sizeof want, "%s:", file);
	FUZZ_CHECK(strncmp(e->msg, want, strlen(want)) == 0, "message does not name the plan: %s",
		   e->msg);
	at = e->msg + strlen(want);
	line = strtol(at, NULL, 10);
	FUZZ_CHECK(line >= 1 && line <= nlines, "message names line %ld of %ld: %s", line, nlines,
		   e->msg);
}

static void check_accepted(const struct plan *p, const uint8_t *d, size_t n, enum product want)
{
	long nlines = count_lines(d, n);

	FUZZ_CHECK((long)p->n == nlines, "%zu lines indexed, the text has %ld", p->n, nlines);
	for (size_t i = 0; i < p->n; i++) {
		struct plan_line ref, open;
		const struct plan_line *l = &ref;
		const struct plan_action_info *r;

		plan_line_ref(p, i, &ref);

		FUZZ_CHECK(l->line == (long)i + 1, "entry %zu is line %ld", i, l->line);
		FUZZ_CHECK(l->off + l->len <= n, "line %ld outside the text", l->line);
		FUZZ_CHECK(l->len > 0 && !memchr(d + l->off, '\n', l->len), "line %ld spans a newline",
			   l->line);
		FUZZ_CHECK(i == 0 || l->off == plan_line_off(p, i - 1) + plan_line_len(p, i - 1) + 1,
			   "line %ld does not follow the one before", l->line);
		FUZZ_CHECK(l->v == NULL, "line %ld keeps a parsed tree", l->line);
		FUZZ_CHECK(plan_action_in(l->action, want), "line %ld: action %d in a %s plan", l->line,
			   (int)l->action, product_name(want));
		r = &plan_actions[l->action];
		plan_line_open(p, i, &open);
		FUZZ_CHECK(open.v && YAJL_IS_OBJECT(open.v), "line %ld reopens as a non-object", l->line);
		FUZZ_CHECK(plan_str(&open, PK_ACTION) && strcmp(plan_str(&open, PK_ACTION), r->name) == 0,
			   "line %ld: action word is not %s", l->line, r->name);
		for (int k = 0; r->ids[k]; k++)
			FUZZ_CHECK(has_id(&open, r->ids[k]), "line %ld (%s) lacks %s", l->line, r->name,
				   r->ids[k]);
		for (int k = 0; r->strs[k]; k++)
			FUZZ_CHECK(plan_str(&open, r->strs[k]) != NULL, "line %ld (%s) lacks %s", l->line,
				   r->name, r->strs[k]);
		plan_line_close(&open);
		FUZZ_CHECK(open.v == NULL, "plan_line_close leaves the tree");
	}
}

static int all_actions_in(const struct plan *p, enum product q)
{
	for (size_t i = 0; i < p->n; i++)
		if (!plan_action_in(plan_action_at(p, i), q))
			return 0;
	return 1;
}

static void fuzz_lines(const uint8_t *d, size_t n)
{
	static const enum product products[2] = {PRODUCT_BULLPHISH, PRODUCT_DARKWEBID};
	const char *file = "in/plan.ndjson";
	struct plan p[2];
	struct itg_err e[2];
	int rc[2];

	for (int k = 0; k < 2; k++) {
		rc[k] = lines_for(d, n, products[k], file, &p[k], &e[k]);
		if (rc[k] != 0)
			check_refusal(&e[k], file, count_lines(d, n));
		else
			check_accepted(&p[k], d, n, products[k]);
	}
	for (int k = 0; k < 2; k++)
		if (rc[k] == 0)
			FUZZ_CHECK((rc[1 - k] == 0) == all_actions_in(&p[k], products[1 - k]),
				   "accepted for %s; for %s: %s", product_name(products[k]),
				   product_name(products[1 - k]), rc[1 - k] ? e[1 - k].msg : "accepted");
	planread_free(&p[0]);
	planread_free(&p[1]);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void same_manifests(const struct plan_manifest *a, const struct plan_manifest *b)
{
	FUZZ_CHECK(a->format == b->format && a->product == b->product &&
			   a->disconnect == b->disconnect && a->connect == b->connect,
		   "round trip: format, product or flags differ");
	FUZZ_CHECK(same_str(a->pipeline, b->pipeline), "round trip: pipeline differs");
	FUZZ_CHECK(same_str(a->snapshot.path, b->snapshot.path) &&
			   same_str(a->snapshot.region, b->snapshot.region) &&
			   same_str(a->snapshot.base_url, b->snapshot.base_url) &&
			   same_str(a->snapshot.started_at, b->snapshot.started_at) &&
			   same_str(a->snapshot.finished_at, b->snapshot.finished_at) &&
			   same_str(a->snapshot.account_id, b->snapshot.account_id) &&
			   same_str(a->snapshot.account_name, b->snapshot.account_name),
		   "round trip: a snapshot string differs");
	FUZZ_CHECK(a->snapshot.manifest_hash == b->snapshot.manifest_hash &&
			   a->settings_hash == b->settings_hash,
		   "round trip: a hash differs");
	FUZZ_CHECK(same_str(a->store_path, b->store_path), "round trip: store path differs");
	FUZZ_CHECK(a->nfiles == b->nfiles, "round trip: %zu store files became %zu", a->nfiles,
		   b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++)
		FUZZ_CHECK(strcmp(a->files[i].name, b->files[i].name) == 0 &&
				   a->files[i].fp.present == b->files[i].fp.present &&
				   a->files[i].fp.bytes == b->files[i].fp.bytes &&
				   a->files[i].fp.hash == b->files[i].fp.hash,
			   "round trip: store file %zu (%s) differs", i, a->files[i].name);
	FUZZ_CHECK(a->lines == b->lines && a->bytes == b->bytes && a->crc32 == b->crc32,
		   "round trip: plan figures differ");
	for (int k = 0; k < PA_COUNT; k++)
		FUZZ_CHECK(a->counts[k] == b->counts[k], "round trip: count of %s differs",
			   plan_actions[k].name);
	FUZZ_CHECK(a->domains_pending == b->domains_pending &&
			   a->domains_unimported == b->domains_unimported,
		   "round trip: domain counts differ");
}

static void check_empty(const struct plan_manifest *m)
{
	static const struct plan_manifest zero;

	FUZZ_CHECK(memcmp(m, &zero, sizeof zero) == 0, "manifest not left empty on refusal");
}

static void fuzz_manifest(const uint8_t *d, size_t n)
{
	const char *dir = sub_dir("man");
	char path[4500];
	struct plan_manifest m, each, back;
	struct itg_err e = {0};
	int fd;

	snprintf(path, sizeof path, "%s/" PLAN_MANIFEST_FILE, dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, d, n) == (ssize_t)n, "short write");
	close(fd);

	if (plan_manifest_read(dir, PRODUCT_NONE, &m, &e) != 0) {
		FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
		FUZZ_CHECK(strstr(e.msg, path) != NULL, "message does not name the manifest: %s", e.msg);
		check_empty(&m);
		return;
	}
	FUZZ_CHECK(m.format == PLAN_FORMAT, "format %d accepted", m.format);
	FUZZ_CHECK(m.product == PRODUCT_BULLPHISH || m.product == PRODUCT_DARKWEBID, "product %d",
		   (int)m.product);
	for (size_t i = 0; i < m.nfiles; i++)
		FUZZ_CHECK(m.files[i].name && !strchr(m.files[i].name, '/') && m.files[i].name[0] != '.',
			   "store file name %s accepted", m.files[i].name ? m.files[i].name : "(null)");

	/* for its own product the same; for the other, refused naming both */
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(plan_manifest_read(dir, m.product, &each, &e) == 0, "refused for its product: %s",
		   e.msg);
	same_manifests(&m, &each);
	plan_manifest_free(&each);
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(plan_manifest_read(dir, m.product == PRODUCT_BULLPHISH ? PRODUCT_DARKWEBID
									    : PRODUCT_BULLPHISH,
				      &each, &e) != 0,
		   "accepted for the other product");
	FUZZ_CHECK(e.code == ITG_EXIT_USAGE && strstr(e.msg, "pipeline is for"),
		   "refusal for the other product: %s", e.msg);
	check_empty(&each);

	/* what the transform writes, the load reads back */
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(plan_manifest_write(sub_dir("man-rt"), &m, &e) == 0, "write failed: %s", e.msg);
	memset(&e, 0, sizeof e);
	FUZZ_CHECK(plan_manifest_read(sub_dir("man-rt"), PRODUCT_NONE, &back, &e) == 0,
		   "the written manifest does not read: %s", e.msg);
	same_manifests(&m, &back);
	plan_manifest_free(&back);
	plan_manifest_free(&m);
}

/* A plan folder: the text as plan.ndjson and a manifest whose figures match it (lines + skew). */
static const char *write_folder(const uint8_t *d, size_t n, enum product prod, long skew)
{
	const char *dir = sub_dir("plan");
	struct plan_manifest m = {0};
	struct itg_err e = {0};
	char path[4500];
	int fd;

	snprintf(path, sizeof path, "%s/" PLAN_FILE, dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, d, n) == (ssize_t)n, "short write");
	close(fd);
	m.pipeline = "fuzz";
	m.product = prod;
	m.lines = (uint64_t)(count_lines(d, n) + skew);
	m.bytes = n;
	m.crc32 = (uint32_t)crc32(crc32(0L, Z_NULL, 0), d, (uInt)n);
	FUZZ_CHECK(plan_manifest_write(dir, &m, &e) == 0, "manifest write: %s", e.msg);
	return dir;
}

static void fuzz_folder(const uint8_t *d, size_t n, enum product prod)
{
	char file[4500];
	const char *dir = write_folder(d, n, prod, 0);
	struct plan whole, lines;
	struct itg_err ew = {0}, el;
	int rw, rl;

	snprintf(file, sizeof file, "%s/" PLAN_FILE, dir);
	rw = planread_load(dir, prod, &whole, &ew);
	rl = lines_for(d, n, prod, file, &lines, &el);
	FUZZ_CHECK((rw == 0) == (rl == 0), "folder %s, lines %s", rw ? ew.msg : "accepted",
		   rl ? el.msg : "accepted");
	if (rw != 0) {
		FUZZ_CHECK(strcmp(ew.msg, el.msg) == 0, "messages differ: %s vs %s", ew.msg, el.msg);
		FUZZ_CHECK(whole.text == NULL && whole.lines == NULL && whole.dir == NULL,
			   "plan not left empty on refusal");
	} else {
		FUZZ_CHECK(whole.n == lines.n && whole.product == prod, "folder read %zu lines, not %zu",
			   whole.n, lines.n);
		FUZZ_CHECK(strcmp(whole.pipeline, "fuzz") == 0, "pipeline name lost");
		for (size_t i = 0; i < whole.n; i++)
			FUZZ_CHECK(whole.lines[i] == lines.lines[i] &&
					   plan_line_len(&whole, i) == plan_line_len(&lines, i),
				   "line %zu indexed differently", i + 1);
	}
	planread_free(&whole);
	planread_free(&lines);

	/* a manifest one line off is refused before any line is read */
	dir = write_folder(d, n, prod, 1);
	memset(&ew, 0, sizeof ew);
	FUZZ_CHECK(planread_load(dir, prod, &whole, &ew) != 0, "a plan with a wrong line count read");
	FUZZ_CHECK(ew.code == ITG_EXIT_USAGE && strstr(ew.msg, "does not match its manifest"),
		   "wrong line count: %s", ew.msg);
	planread_free(&whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: fuzz_lines(data + 1, size - 1); break;
	case 1: fuzz_manifest(data + 1, size - 1); break;
	default:
		fuzz_folder(data + 1, size - 1, data[0] & 8 ? PRODUCT_DARKWEBID : PRODUCT_BULLPHISH);
		break;
	}
	return 0;
}
