/*
 * planread.h - reading and verifying a plan folder (docs/plan-format.md).
 *
 * Everything is checked before anything is applied: the manifest
 * (plan_manifest_read: format, product, store files, plan figures), the
 * product matches the pipeline, plan.ndjson's line count, byte length and
 * CRC-32 match the manifest, every line is a JSON object with a known action
 * and the keys that action needs (plan_actions[] of lib/planfmt.h).  Any failure is ITG_EXIT_USAGE naming the
 * file (and plan.ndjson:LINE).
 */
#ifndef ITG_LOAD_PLANREAD_H
#define ITG_LOAD_PLANREAD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fsutil.h"
#include "json.h"
#include "planfmt.h"
#include "product.h"

/*
 * A verified line is kept as its place in plan.ndjson, not as a parsed tree
 * nor as its text: a plan of half a million lines is a hundred megabytes.
 * planread_load reads the file once, in chunks, verifying every line and
 * indexing it; afterwards a line's bytes are read again from the open file
 * through a window of a megabyte (plan_line_text), and plan_line_open parses
 * one line for the time it is in use.  A plan given as text in memory
 * (planread_lines) is read from that text.
 */
struct plan_line {
	long line;          /* 1-based line in plan.ndjson */
	enum plan_action action;
	size_t off, len;    /* the line's bytes in plan.ndjson */
	yajl_val v;         /* the parsed object when plan_line_open filled it
			       (owned by it), else NULL */
};

/*
 * The plan's index: eight bytes a verified line (line i is line i + 1 of the
 * file), its first byte's offset in plan.ndjson below PLAN_IX_SHIFT bits and
 * its enum plan_action above.  Lines follow each other, each ended by a
 * newline (the last one may not be), so a line's length is where the next
 * begins (p->end after the last) less its own start and one.
 */
#define PLAN_IX_SHIFT 56
#define PLAN_IX_OFF ((UINT64_C(1) << PLAN_IX_SHIFT) - 1)

struct plan {
	char *dir;
	char *pipeline;           /* manifest "pipeline" */
	enum product product;
	int disconnect;           /* integration_status is "disconnected" */
	int connect;              /* made with --connect: (re-)bind the store */
	char *snapshot_time;      /* snapshot.finished_at, or "" */
	char *region;             /* snapshot.region, or "" */
	char *account_id;         /* snapshot.account.primary_organization_id, or NULL */
	char *account_name;       /* snapshot.account.primary_organization_name, or NULL */
	uint64_t settings_hash;   /* settings_fnv1a64: the pipeline file it was made with */
	/* the manifest's "inventory" (planfmt.h): inventory.ndjson's figures,
	 * present 0 for a plan made before it existed */
	struct {
		int present;
		uint64_t lines, bytes;
		uint32_t crc32;
	} inventory;
	size_t nfiles;
	struct plan_store_file *files;
	char *text;               /* the plan's bytes, when given in memory (owned), or NULL */
	int fd;                   /* plan.ndjson open for reading again, or -1 (planread_load) */
	char *path;               /* plan.ndjson, for messages and the re-check (owned) */
	struct fs_window *win;    /* the bytes read from fd last (plan_line_text) */
	struct plan_file_id {     /* plan.ndjson as verified (planread_unchanged) */
		unsigned long long dev, ino, size;
		long long mtime_s, mtime_ns, ctime_s, ctime_ns;
	} id;
	size_t n;
	uint64_t *lines;          /* the index (PLAN_IX_SHIFT) */
	uint64_t end;             /* the last line's offset + its length + 1 */
};

static inline enum plan_action plan_action_at(const struct plan *p, size_t i)
{
	return (enum plan_action)(p->lines[i] >> PLAN_IX_SHIFT);
}

static inline uint64_t plan_line_off(const struct plan *p, size_t i)
{
	return p->lines[i] & PLAN_IX_OFF;
}

/* Bytes of line i, without its newline. */
static inline size_t plan_line_len(const struct plan *p, size_t i)
{
	return (size_t)((i + 1 < p->n ? plan_line_off(p, i + 1) : p->end) - plan_line_off(p, i) - 1);
}

/*
 * Reads and verifies DIR/manifest.json and DIR/plan.ndjson for a pipeline
 * of product `want`, streaming plan.ndjson once (memory for its index, not
 * its text) and keeping it open.  On failure p is left empty.
 */
int planread_load(const char *dir, enum product want, struct plan *p, struct itg_err *e);
/*
 * Verifies text (plan.ndjson's len bytes) line by line and indexes it into
 * p->n and p->lines.  p takes text over (freed by planread_free), even on
 * failure.  file names the plan in messages.
 */
int planread_lines(struct plan *p, char *text, size_t len, enum product want,
		   const char *file, struct itg_err *e);
void planread_free(struct plan *p);

/*
 * The bytes of line i (plan_line_len of them, no newline, not
 * NUL-terminated): valid until the next plan_line_text or plan_line_open of
 * p.  Lines read in file order cost one read a megabyte.  A read that fails
 * after the plan was verified (the file cut short under the load) ends the
 * process with exit 1 naming the file, before the store was changed.
 */
const char *plan_line_text(const struct plan *p, size_t i);

/*
 * 0 if plan.ndjson is still the file planread_load verified (same file,
 * size, modification and change times), else ITG_EXIT_STALE: it was
 * rewritten while the load read it.  Always 0 for a plan given in memory.
 */
int planread_unchanged(const struct plan *p, struct itg_err *e);

/* Line i of p, not parsed (out->v NULL). */
void plan_line_ref(const struct plan *p, size_t i, struct plan_line *out);

/*
 * Parses line i of p into *out: plan_line_ref's line with v the line's
 * object.  Release it with plan_line_close.  The line was verified when the
 * plan was read, so only running out of memory can fail (exit 1, as xalloc).
 */
void plan_line_open(const struct plan *p, size_t i, struct plan_line *out);
void plan_line_close(struct plan_line *l);

/* The id-valued member key of an open line (string or number), or NULL. */
const char *plan_id(const struct plan_line *l, const char *key);
/* A string member of an open line, or NULL (null and absent alike). */
const char *plan_str(const struct plan_line *l, const char *key);

#endif
