/*
 * recread.h - snapshot records streamed through yajl's callback parser.
 *
 * A snapshot file (lib/ndjson, one JSON:API record per line) is read in one
 * pass: each line goes to one yajl handle (yajl_parse with callbacks), which
 * keeps only the fields a spec names -- the record's "id", some members of
 * its "attributes" object and, for one attribute holding an array of
 * objects (a contact's "contact-emails"), some members of each object.  No
 * tree is built and nothing is allocated per line once the buffers have
 * grown: the values of the record last read live in the reader's buffer
 * until the next call.  At the end of the file the record count, CRC-32 and
 * length (kept by lib/ndjson while reading) are compared with what the
 * snapshot manifest says, so no separate pass over the file is needed.
 *
 * The values are those a yajl tree and lib/json's lookups would give: the
 * first of duplicate keys counts, numbers keep their text (ids beyond 2^53
 * stay exact), a string stops at an escaped NUL (\u0000), as the tree's
 * NUL-terminated strings do.  Every line must hold exactly one JSON object
 * with a non-empty string or number "id"; JSON is strict (no comments,
 * UTF-8 validated) and nesting deeper than JSON_MAX_DEPTH (lib/json.h) is
 * refused, counted in the callbacks.  Errors are ITG_EXIT_USAGE naming
 * FILE:LINE.
 *
 * Ownership: the reader owns its buffers and the file; the spec and the
 * strings it names are borrowed and must outlive the reader.  The values
 * returned are valid until the next recread_next, recread_parse or
 * recread_close.
 */
#ifndef ITG_RECREAD_H
#define ITG_RECREAD_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_parse.h>

#include "err.h"
#include "json.h"
#include "ndjson.h"
#include "xalloc.h"

#define RECREAD_MAX_ATTRS 8
#define RECREAD_MAX_MEMBERS 4

/* What a pulled member held; RV_ABSENT when the record lacks it. */
enum recread_type {
	RV_ABSENT = 0,
	RV_NULL,
	RV_FALSE,
	RV_TRUE,
	RV_NUMBER,
	RV_STRING,
	RV_CONTAINER, /* an object or an array: none of its content is kept */
};

struct recread_value {
	unsigned char type;   /* enum recread_type */
	const char *text;     /* RV_STRING, RV_NUMBER: NUL-terminated; else NULL */
	size_t off;           /* the text's offset in the reader's buffer (internal) */
};

/* Which members to pull: names borrowed, not empty, NULL-terminated lists. */
struct recread_spec {
	const char *attrs[RECREAD_MAX_ATTRS + 1];     /* members of "attributes" */
	const char *list;                             /* an attribute: array of objects, or NULL */
	const char *members[RECREAD_MAX_MEMBERS + 1]; /* members of each of its objects */
};

/* What the manifest says of the file; compared at its end. */
struct recread_expect {
	uint64_t records;
	uint32_t crc32;
	uint64_t bytes;
};

struct recread {
	struct ndjson_reader nd;
	const struct recread_spec *spec;
	struct recread_expect expect;
	int has_expect;
	int damaged;          /* the last error is the file's (gzip data, manifest), not a line's */
	yajl_handle h;
	size_t nattrs, nmembers;
	size_t attr_len[RECREAD_MAX_ATTRS], member_len[RECREAD_MAX_MEMBERS], list_len;

	/* the record last read */
	struct recread_value id;
	struct recread_value attr[RECREAD_MAX_ATTRS];  /* in the spec's order */
	struct recread_value *items;   /* nitems rows of nmembers values */
	size_t nitems, capitems;       /* the list's objects, in order (other elements skipped) */
	int list_type;                 /* enum recread_type of the list attribute itself */

	/* parser state (internal) */
	struct buf text;               /* the values' bytes, reset per line */
	int depth;
	unsigned char role[JSON_MAX_DEPTH + 2];
	int pending;                   /* where the next value goes */
	size_t pending_k;              /* which attribute or member */
	int tops;                      /* top-level values on the line */
	int top_object;
	int seen_attrs, seen_list;
	const char *why;               /* why a callback stopped the parse */
};

/*
 * Opens path for records of spec's shape.  With expect non-NULL the file's
 * records, CRC-32 and bytes must match it at the end.  -1 with e set.
 */
int recread_open(struct recread *r, const char *path, const struct recread_spec *spec,
		 const struct recread_expect *expect, struct itg_err *e);
/*
 * Reads the next record into r->id, r->attr, r->items.  1 with a record, 0
 * at the end of a file that matched its manifest, -1 with e set (r->damaged
 * says whether the file itself is at fault).
 */
int recread_next(struct recread *r, struct itg_err *e);
/*
 * The same read in two halves, for a reader that parses its lines on other
 * threads: recread_next_line gives the next line as lib/ndjson does (valid
 * until the next call; 1, or 0 at the end of a file that matched its
 * manifest, or -1 with e set and r->damaged), and recread_parse fills r's
 * record from one line, its errors naming path:lineno (0, or -1 with e set).
 * recread_init makes a parser alone, with no file: recread_parse on it,
 * recread_close after.  One recread is used by one thread at a time.
 */
int recread_next_line(struct recread *r, const char **line, size_t *len, struct itg_err *e);
int recread_parse(struct recread *r, const char *path, long lineno, const char *line, size_t len,
		  struct itg_err *e);
void recread_init(struct recread *r, const struct recread_spec *spec);
/* Reads the rest of the file without parsing it, then checks the manifest
 * as the end of recread_next does: 0, or -1 with e set. */
int recread_skip_rest(struct recread *r, struct itg_err *e);
void recread_close(struct recread *r);

/* The value of a member as lib/json reads it: a string or the text of a
 * number (json_str_or_number), a string only (json_get_str), a boolean
 * (json_get_bool). */
const char *recread_id_text(const struct recread_value *v);
const char *recread_str(const struct recread_value *v);
int recread_bool(const struct recread_value *v, int dflt);

/* The kth member of the ith object of the list. */
const struct recread_value *recread_item(const struct recread *r, size_t i, size_t k);

/* The 1-based number of the line last read, and the file. */
long recread_lineno(const struct recread *r);
const char *recread_path(const struct recread *r);

#endif
