/*
 * csvtab.c - product-store CSV files as header-driven tables.
 *
 * libcsv gives no positions (docs/libraries.md 2.2), so the file is fed to it one
 * physical line at a time: a strict-quoting failure then lies on the line
 * just fed, and a row starts on the first non-blank line fed after the
 * previous row ended (quoted fields may span several lines).
 */
#include "csvtab.h"
#include "arena.h"
#include "fsutil.h"
#include "hash.h"
#include "xalloc.h"

#include <csv.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The cells' text lives in chunks of CSVTAB_CHUNK bytes; a reference is the
 * chunk's index times CSVTAB_CHUNK plus the offset in it, and 0 (the first
 * byte of the first chunk, never handed out) is the empty cell.  A cell too
 * large for a quarter of a chunk gets a chunk of its own.  Nothing is freed
 * on its own: csvtab_set leaves the old text in place, csvtab_free frees it
 * all.  The header's names live in the table's arena.
 */
#define MAX_CHUNKS ((size_t)1 << (32 - CSVTAB_CHUNK_BITS))

static const char *cell_text(const struct csv_table *t, uint32_t ref)
{
	if (!ref)
		return "";
	return t->chunks[ref >> CSVTAB_CHUNK_BITS] + (ref & (CSVTAB_CHUNK - 1));
}

/* A chunk of size bytes at the end of t->chunks; its index. */
static size_t new_chunk(struct csv_table *t, size_t size)
{
	if (t->nchunks == MAX_CHUNKS) {
		/* like running out of memory: no store comes near it */
		fprintf(stderr, "ERROR %s holds more than 4 GiB of text, more than a table can hold\n",
			t->path ? t->path : "a CSV file");
		exit(1);
	}
	xgrow((void **)&t->chunks, &t->chunks_cap, t->nchunks + 1, sizeof *t->chunks);
	t->chunks[t->nchunks] = xmalloc(size);
	return t->nchunks++;
}

static uint32_t cell_dup(struct csv_table *t, const char *s, size_t n)
{
	size_t at;

	if (!n)
		return 0;
	if (!t->nchunks) {
		/* chunk 0 is a regular one whose first byte is reference 0, the empty cell */
		t->fill = new_chunk(t, CSVTAB_CHUNK);
		t->chunks[0][0] = '\0';
		t->used = 1;
	}
	if (n + 1 > CSVTAB_CHUNK / 4) {
		/* a chunk of its own; the one being filled stays so */
		at = new_chunk(t, n + 1);
		memcpy(t->chunks[at], s, n);
		t->chunks[at][n] = '\0';
		return (uint32_t)(at << CSVTAB_CHUNK_BITS);
	}
	if (t->used + n + 1 > CSVTAB_CHUNK) {
		t->fill = new_chunk(t, CSVTAB_CHUNK);
		t->used = 0;
	}
	at = t->used;
	memcpy(t->chunks[t->fill] + at, s, n);
	t->chunks[t->fill][at + n] = '\0';
	t->used += n + 1;
	return (uint32_t)((t->fill << CSVTAB_CHUNK_BITS) | at);
}

/*
 * Room for row t->nrows, its cells all "" (0): returns them.  The arrays
 * grow through realloc, which moves a large block's pages rather than
 * copying them, and pages not yet written take no memory.
 */
static uint32_t *grow_rows(struct csv_table *t)
{
	uint32_t *row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16, n = cap * t->ncols;

		t->cells = xrealloc(t->cells, (n > 0 ? n : 1) * sizeof *t->cells);
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	memset(row, 0, t->ncols * sizeof *row);
	return row;
}

/* Gives t a header array of n (+1 spare) columns. */
static void cols_alloc(struct csv_table *t, size_t n)
{
	t->cols = arena_alloc(&t->arena, (n + 1) * sizeof *t->cols, _Alignof(char *));
	memset(t->cols, 0, (n + 1) * sizeof *t->cols);
}

struct reader {
	const char *path;
	struct csv_table *t;
	const char *const *contract;
	const char *const *required;
	struct itg_err *e;
	int failed;
	int have_header;
	size_t nheader;        /* columns in the file's header */
	uint32_t *fields;      /* the row being read (cell references) */
	size_t nfields, cap;
	long line;             /* physical line being fed */
	long row_line;         /* line where the current row started */
	size_t lines_cap;      /* of t->lines */
	int row_pending;       /* at a row boundary: the next non-blank line starts a row */
};

/* Keep every space: store values are compared byte for byte. */
static int keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

/* Fields live in the table's chunks: dropping them only forgets them. */
static void free_fields(struct reader *r)
{
	r->nfields = 0;
}

/*
 * A value equal to one of the last CSVTAB_RECENT distinct values of its
 * column (the same last_sync, organization_id or group on thousands of
 * rows, a handful of groups taking turns) shares that one's text, whether
 * read or set: cells are never written in place, only replaced.  The one
 * text of "" is reference 0.
 */
static uint32_t share(struct csv_table *t, size_t col, const char *s, size_t len)
{
	uint32_t *recent, ref;

	if (!len)
		return 0;
	if (col >= t->ncols)
		return cell_dup(t, s, len);
	if (!t->recent)
		t->recent = xcalloc(t->ncols * CSVTAB_RECENT, sizeof *t->recent);
	recent = t->recent + col * CSVTAB_RECENT;
	for (size_t k = 0; k < CSVTAB_RECENT && recent[k]; k++) {
		const char *text = cell_text(t, recent[k]);
		if (strncmp(text, s, len) == 0 && text[len] == '\0') {
			/* found: it moves to the front */
			ref = recent[k];
			memmove(recent + 1, recent, k * sizeof *recent);
			recent[0] = ref;
			return ref;
		}
	}
	ref = cell_dup(t, s, len);
	memmove(recent + 1, recent, (CSVTAB_RECENT - 1) * sizeof *recent);
	recent[0] = ref;
	return ref;
}

/* The cell of a field read: a header name of its own, a data field shared (share). */
static uint32_t field_cell(struct reader *r, const char *s, size_t len)
{
	if (!r->have_header)
		return cell_dup(r->t, s ? s : "", s ? len : 0);
	return share(r->t, r->nfields, s ? s : "", s ? len : 0);
}

static void on_field(void *s, size_t len, void *ctx)
{
	struct reader *r = ctx;
	uint32_t cell;

	if (r->failed)
		return;
	if (len && memchr(s, '\0', len)) {
		r->failed = 1;
		err_at(r->e, ITG_EXIT_USAGE, r->path, r->line, 0,
		       "NUL byte in a field, remove it");
		return;
	}
	xgrow((void **)&r->fields, &r->cap, r->nfields + 1, sizeof *r->fields);
	cell = field_cell(r, s, len);
	r->fields[r->nfields++] = cell;
}

static int take_header(struct reader *r)
{
	struct csv_table *t = r->t;
	size_t extra = 0;

	for (size_t i = 0; i < r->nfields; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(cell_text(t, r->fields[i]), cell_text(t, r->fields[j])) == 0)
				return err_at(r->e, ITG_EXIT_USAGE, r->path, r->row_line, 0,
					      "duplicate column \"%s\" in the header, rename or remove one",
					      cell_text(t, r->fields[i]));
	for (size_t k = 0; r->required && r->required[k]; k++) {
		int found = 0;
		for (size_t i = 0; i < r->nfields && !found; i++)
			found = strcmp(cell_text(t, r->fields[i]), r->required[k]) == 0;
		if (!found)
			return err_at(r->e, ITG_EXIT_USAGE, r->path, r->row_line, 0,
				      "required column \"%s\" is missing from the header, add it",
				      r->required[k]);
	}
	for (size_t k = 0; r->contract && r->contract[k]; k++)
		extra++;
	cols_alloc(t, r->nfields + extra);
	for (size_t i = 0; i < r->nfields; i++)
		t->cols[i] = arena_strdup(&t->arena, cell_text(t, r->fields[i]));
	t->ncols = r->nheader = r->nfields;
	r->nfields = 0;
	for (size_t k = 0; r->contract && r->contract[k]; k++)
		if (csvtab_col(t, r->contract[k]) < 0)
			t->cols[t->ncols++] = arena_strdup(&t->arena, r->contract[k]);
	r->have_header = 1;
	return 0;
}

static void on_row(int c, void *ctx)
{
	struct reader *r = ctx;
	struct csv_table *t = r->t;
	uint32_t *row;

	(void)c;
	r->row_pending = 1;
	if (r->failed)
		return;
	if (!r->have_header) {
		if (take_header(r) < 0)
			r->failed = 1;
		free_fields(r);
		return;
	}
	if (r->nfields != r->nheader) {
		r->failed = 1;
		err_at(r->e, ITG_EXIT_USAGE, r->path, r->row_line, 0,
		       "%zu fields, header has %zu", r->nfields, r->nheader);
		free_fields(r);
		return;
	}
	row = grow_rows(t);
	memcpy(row, r->fields, r->nfields * sizeof *row);
	r->nfields = 0;
	xgrow((void **)&t->lines, &r->lines_cap, t->nrows + 1, sizeof *t->lines);
	t->lines[t->nrows] = r->row_line < (long)UINT32_MAX ? (uint32_t)r->row_line : UINT32_MAX;
	t->nlines = t->nrows + 1;
	t->nrows++;
}

static void empty_table(struct csv_table *t, const char *const *contract)
{
	size_t n = 0;

	while (contract && contract[n])
		n++;
	cols_alloc(t, n);
	for (size_t i = 0; i < n; i++)
		t->cols[i] = arena_strdup(&t->arena, contract[i]);
	t->ncols = n;
}

/*
 * Length of the physical line at p (end of line bytes included), or 0 when
 * its end is not in the left bytes yet: a line ends with LF, CRLF or a CR
 * alone, so a CR as the last byte before more is read decides nothing.  At
 * the end of the file the rest is a line.
 */
static size_t line_len(const char *p, size_t left, size_t from, int at_end)
{
	for (size_t i = from; i < left; i++) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '\r') {
			if (i + 1 < left)
				return p[i + 1] == '\n' ? i + 2 : i + 1;
			if (at_end)
				return i + 1;
			return 0;
		}
	}
	return at_end ? left : 0;
}

static int is_blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/*
 * The file streamed through the parser: read in chunks (fs_drain_plain),
 * fingerprinted as read, and fed to libcsv one complete physical line at a
 * time; only the line being read waits in carry.
 */
struct stream {
	struct reader *r;
	struct csv_parser p;
	struct buf carry;        /* bytes read, not yet fed: the start of one physical line */
	size_t scanned;          /* bytes of carry known to hold no line end */
	int started;             /* the leading BOM was looked for */
	struct hash_fnv1a64_state h;
	uint64_t bytes;
};

static void feed_line(struct stream *s, const char *line, size_t n)
{
	struct reader *r = s->r;

	r->line++;
	if (r->row_pending && !is_blank_line(line, n)) {
		r->row_line = r->line;
		r->row_pending = 0;
	}
	if (csv_parse(&s->p, line, n, on_field, on_row, r) != n) {
		if (!r->failed)
			err_at(r->e, ITG_EXIT_USAGE, r->path, r->line, 0,
			       "bad quoting (%s), double quotes inside a quoted field "
			       "and quote fields that contain quotes",
			       csv_strerror(csv_error(&s->p)));
		r->failed = 1;
	}
}

/* Feeds the complete lines of carry (at the end: all of it): 0, or -1 once a line failed. */
static int feed(struct stream *s, int at_end)
{
	const char *d = s->carry.p ? s->carry.p : "";
	size_t len = s->carry.len, off = 0, n;

	if (!s->started) {
		if (len < 3 && !at_end)
			return 0;
		/* a leading UTF-8 BOM is dropped (it is fingerprinted all the same) */
		if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
			off = 3;
		s->started = 1;
	}
	while (off < len && !s->r->failed &&
	       (n = line_len(d + off, len - off, off ? 0 : s->scanned, at_end)) > 0) {
		feed_line(s, d + off, n);
		off += n;
	}
	if (off) {
		memmove(s->carry.p, s->carry.p + off, len - off);
		s->carry.len = len - off;
		s->carry.p[s->carry.len] = '\0';
	}
	/* where the next look for a line end starts: a CR last may be half of one */
	s->scanned = s->carry.len && s->carry.p[s->carry.len - 1] == '\r' ? s->carry.len - 1
									 : s->carry.len;
	return s->r->failed ? -1 : 0;
}

static int take_chunk(void *arg, const char *chunk, size_t n, struct itg_err *e)
{
	struct stream *s = arg;

	(void)e; /* the reader's errors go to its own e, which is this one */
	hash_fnv1a64_update(&s->h, chunk, n);
	s->bytes += n;
	buf_add(&s->carry, chunk, n);
	return feed(s, 0);
}

static int parse_file(struct reader *r, struct stream *s)
{
	int rc;

	if (csv_init(&s->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(r->e, ITG_EXIT_RUNTIME, "%s: cannot start the csv parser", r->path);
	csv_set_space_func(&s->p, keep_spaces);
	/* its field buffer grows through xalloc (the counting point of make allocfail) */
	csv_set_realloc_func(&s->p, xrealloc);
	csv_set_free_func(&s->p, free);
	s->r = r;
	hash_fnv1a64_init(&s->h);
	r->row_pending = 1;
	r->line = 0;
	rc = fs_drain_plain(r->path, take_chunk, s, r->e);
	if (rc == 0)
		rc = feed(s, 1);
	if (rc == 0 && csv_fini(&s->p, on_field, on_row, r) != 0) {
		err_at(r->e, ITG_EXIT_USAGE, r->path, r->row_line, 0,
		       "quoted field never closed, add the closing quote");
		rc = -1;
	}
	csv_free(&s->p);
	buf_free(&s->carry);
	return rc;
}

int csvtab_read(const char *path, const char *const *contract_cols,
		const char *const *required_cols, struct csv_table *t, struct itg_err *e)
{
	struct reader r = {0};
	struct stream s = {0};
	struct stat st;

	memset(t, 0, sizeof *t);
	t->path = xstrdup(path);
	t->fp.hash = hash_fnv1a64(NULL, 0);
	/* only a file that is not there is missing: any other failure is an
	 * error, as it is for fs_fingerprint */
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", path, strerror(errno));
			csvtab_free(t);
			return -1;
		}
		empty_table(t, contract_cols);
		return 0;
	}
	r.path = path;
	r.t = t;
	r.contract = contract_cols;
	r.required = required_cols;
	r.e = e;
	if (parse_file(&r, &s) < 0) {
		free(r.fields);
		csvtab_free(t);
		return -1;
	}
	free(r.fields);
	/* the fingerprint of exactly the bytes parsed, BOM included */
	t->present = 1;
	t->fp.present = 1;
	t->fp.bytes = s.bytes;
	t->fp.hash = hash_fnv1a64_final(&s.h);
	if (!r.have_header)  /* an empty file reads like a missing one */
		empty_table(t, contract_cols);
	return 0;
}

void csvtab_free(struct csv_table *t)
{
	if (!t)
		return;
	arena_free(&t->arena);
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->cells);
	free(t->lines);
	free(t->recent);
	free(t->path);
	memset(t, 0, sizeof *t);
}

int csvtab_col(const struct csv_table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return (int)c;
	return -1;
}

long csvtab_line(const struct csv_table *t, size_t r)
{
	return r < t->nlines ? (long)t->lines[r] : 0;
}

const char *csvtab_get(const struct csv_table *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return cell_text(t, t->cells[row * t->ncols + (size_t)col]);
}

void csvtab_set(struct csv_table *t, size_t row, int col, const char *val)
{
	/* the old text stays in its chunk until csvtab_free: val may be it */
	if (!val)
		val = "";
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return;
	t->cells[row * t->ncols + (size_t)col] = share(t, (size_t)col, val, strlen(val));
}

size_t csvtab_append_row(struct csv_table *t)
{
	/* a row added has no line: t->lines covers the rows read */
	grow_rows(t);
	return t->nrows++;
}

void csvtab_remove_row(struct csv_table *t, size_t r)
{
	if (r >= t->nrows)
		return;
	/* the row's text stays in its chunks until csvtab_free */
	memmove(t->cells + r * t->ncols, t->cells + (r + 1) * t->ncols,
		(t->nrows - r - 1) * t->ncols * sizeof *t->cells);
	if (r < t->nlines) {
		memmove(t->lines + r, t->lines + r + 1, (t->nlines - r - 1) * sizeof *t->lines);
		t->nlines--;
	}
	t->nrows--;
}

static int needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

int csvtab_write_field(FILE *fp, const char *s)
{
	if (!s)
		s = "";
	if (needs_quotes(s))
		return csv_fwrite(fp, s, strlen(s)) == 0 ? 0 : -1;
	if (*s && fputs(s, fp) == EOF)
		return -1;
	return 0;
}

/*
 * A row of one empty field would be a blank line, which readers skip: write
 * it as "" so the row survives a round trip.
 */
static int write_row(FILE *fp, const struct csv_table *t, long r)
{
	/* r < 0: the header */
#define FIELD(c) (r < 0 ? t->cols[c] : csvtab_get(t, (size_t)r, (int)(c)))
	if (t->ncols == 1 && FIELD(0)[0] == '\0') {
		if (fputs("\"\"", fp) == EOF)
			return -1;
	} else {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c && putc(',', fp) == EOF)
				return -1;
			if (csvtab_write_field(fp, FIELD(c)) < 0)
				return -1;
		}
	}
#undef FIELD
	return putc('\n', fp) == EOF ? -1 : 0;
}

int csvtab_write_fp(const struct csv_table *t, FILE *fp)
{
	if (write_row(fp, t, -1) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++)
		if (write_row(fp, t, (long)r) < 0)
			return -1;
	if (ferror(fp)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
