/*
 * contacts.c - rule 7, docs/rules.md 18-24: BullPhish ID users from IT Glue
 * contacts.
 *
 * For every org linked after the plan, the contacts of the selected types
 * with a usable email become users, matched first by itglue_contact_id,
 * then by email within the org.  Changed fields give update_user; a contact
 * gone or no longer eligible gives unlink_user (the user stays).
 *
 * Memory does not grow with the number of contacts: one pass streams the
 * snapshot's contacts (sorted by contact id) and appends a compact record
 * for each contact of a linked org to one of B bucket files, partitioned
 * by org rank (ascending IT Glue id).  Each bucket is then loaded alone,
 * sorted by (org rank, contact id), and judged org by org.
 */
#include "rules.h"

#include "arena.h"
#include "fsutil.h"
#include "inventory.h"
#include "json.h"
#include "log.h"
#include "reasons.h"
#include "spill.h"
#include "validate.h"
#include "workq.h"
#include "xalloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BUCKETS 512

/* About this many contacts are judged in memory at a time. */
unsigned long contacts_bucket_size = 50000;

/* ---- email choice (docs/rules.md 20) --------------------------------------------- */

/* A contact's emails, read from a tree or from a streamed record. */
struct email_list {
	size_t n;
	const void *src;
	const char *(*value)(const void *src, size_t i);   /* NULL when not a string */
	int (*primary)(const void *src, size_t i);
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The choice itself: the trimmed values, the primary first, then the others
 * in listed order, the first valid one, copied into out (a buffer reused
 * from contact to contact: no allocation per contact once it has grown).
 */
static const char *choose_email(const struct email_list *l, struct buf *out)
{
	int nonempty = 0;
	long primary = -1;

	for (size_t i = 0; i < l->n && primary < 0; i++)
		if (l->primary(l->src, i))
			primary = (long)i;
	/* the primary first, then the others in listed order */
	for (long k = -1; k < (long)l->n; k++) {
		long i = k < 0 ? primary : k;
		const char *raw;
		size_t len;
		if (i < 0 || (k >= 0 && k == primary))
			continue;
		raw = l->value(l->src, (size_t)i);
		if (!raw)
			continue;
		while (is_space(*raw))
			raw++;
		len = strlen(raw);
		while (len && is_space(raw[len - 1]))
			len--;
		if (!len)
			continue;
		nonempty = 1;
		buf_reset(out);
		buf_add(out, raw, len);
		if (validate_email(out->p))
			return NULL;
	}
	buf_reset(out);
	return nonempty ? REASON_INVALID_EMAIL : REASON_NO_EMAIL;
}

static const char *tree_value(const void *src, size_t i)
{
	return json_get_str(((yajl_val)src)->u.array.values[i], "value");
}

static int tree_primary(const void *src, size_t i)
{
	return json_get_bool(((yajl_val)src)->u.array.values[i], "primary", 0);
}

const char *contacts_choose_email(yajl_val contact, char **email)
{
	yajl_val list = json_get(json_get(contact, "attributes"), "contact-emails");
	struct email_list l = {list && YAJL_IS_ARRAY(list) ? list->u.array.len : 0, list,
			       tree_value, tree_primary};
	struct buf b = {0};
	const char *why = choose_email(&l, &b);

	*email = why ? NULL : buf_detach(&b);
	buf_free(&b);
	return why;
}

/* ---- bucket records ------------------------------------------------------- */

enum { REC_STRINGS = 5 };

/* One contact of a linked org: what judging it needs and nothing more. */
struct crec {
	uint32_t rank;
	uint8_t selected;
	const char *skip;        /* NULL, or the skip reason (duplicate set later) */
	char *s[REC_STRINGS];    /* id, first, last, email, group; in the bucket's arena */
	struct store_user *user; /* id match in the org */
};
#define R_ID 0
#define R_FIRST 1
#define R_LAST 2
#define R_EMAIL 3
#define R_GROUP 4

static const char *const skip_codes[] = {NULL, REASON_NO_EMAIL, REASON_INVALID_EMAIL};

static int skip_code(const char *reason)
{
	for (int i = 1; i < 3; i++)
		if (reason == skip_codes[i])
			return i;
	return 0;
}

/* A bucket record: one integer, rank << 3 | skip code << 1 | selected
 * (8 bytes a contact, not 24), then the five strings.  64 KiB stdio
 * buffers (not the 4 KiB default): a tenth of the write calls while every
 * bucket is open, for 64 KiB of memory each. */
static const struct spill_spec bucket_spec = {
	.what = "contact bucket", .nints = 1, .nstrs = REC_STRINGS,
	.io_buffer = (size_t)64 << 10,
};

static int put_rec(struct spill *sp, uint32_t rank, int selected, int skip, const char *const *s,
		   struct itg_err *e)
{
	int64_t ints[1] = {(int64_t)rank << 3 | (int64_t)skip << 1 | (selected ? 1 : 0)};
	struct spill_str strs[REC_STRINGS];

	for (int i = 0; i < REC_STRINGS; i++)
		strs[i] = (struct spill_str){s[i], strlen(s[i])};
	return spill_put(sp, ints, strs, e);
}

/* Reads one record, its strings into the arena: 1 with a record, 0 at the
 * end, -1 with e set. */
static int get_rec(struct spill *sp, struct crec *r, struct arena *a, struct itg_err *e)
{
	int64_t ints[1];
	struct spill_str strs[REC_STRINGS];
	size_t total = 0;
	char *p;
	int rc = spill_next(sp, ints, strs, e);
	int skip;

	if (rc <= 0)
		return rc;
	memset(r, 0, sizeof *r);
	r->rank = (uint32_t)(ints[0] >> 3);
	r->selected = (uint8_t)(ints[0] & 1);
	skip = (int)(ints[0] >> 1 & 3);
	r->skip = skip < 3 ? skip_codes[skip] : NULL;
	/* the strings are copied into one block of the bucket's arena */
	for (int i = 0; i < REC_STRINGS; i++)
		total += strs[i].len + 1;
	p = arena_alloc(a, total, 1);
	for (int i = 0; i < REC_STRINGS; i++) {
		memcpy(p, strs[i].p, strs[i].len + 1);
		r->s[i] = p;
		p += strs[i].len + 1;
	}
	return 1;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct crec *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return id_cmp(x->s[R_ID], y->s[R_ID]);
}

/* ---- pass 1: stream the contacts into buckets ------------------------------ */
/*
 * The main thread inflates the file and cuts it into batches of lines; the
 * workers (lib/workq) parse a batch each and look up what every contact
 * needs: its org, the user linked to it, whether its type is selected, its
 * email.  The main thread takes the batches back in file order and counts,
 * marks and files each contact into its bucket.  What the workers read, the
 * model, does not change during the pass; what changes is changed by the
 * main thread alone, in file order: the buckets, and so the plan, are those
 * one thread would make, and an error is the first in the file.
 */

struct buckets {
	size_t n;
	struct spill *sp;   /* n spill files */
};

/* Closes and removes every bucket file. */
static void buckets_close(struct buckets *b)
{
	for (size_t i = 0; i < b->n; i++)
		spill_close(&b->sp[i]);
	free(b->sp);
	memset(b, 0, sizeof *b);
}

static size_t bucket_of(const struct model *m, const struct buckets *b, long rank)
{
	return (size_t)((unsigned long long)rank * b->n / m->nlinked);
}

/* The first rank of bucket k (bucket_of is rank * n / nlinked, rounded
 * down): the last bucket ends at m->nlinked. */
static size_t bucket_first(const struct model *m, const struct buckets *b, size_t k)
{
	return (size_t)(((unsigned long long)k * m->nlinked + b->n - 1) / b->n);
}

/* What stream_contacts pulls from each contact (lib/recread). */
enum { C_ORG, C_FIRST, C_LAST, C_TYPE_ID, C_TYPE_NAME };
enum { E_VALUE, E_PRIMARY };
static const struct recread_spec contact_spec = {
	.attrs = {"organization-id", "first-name", "last-name", "contact-type-id",
		  "contact-type-name", NULL},
	.list = "contact-emails",
	.members = {"value", "primary", NULL},
};

static const char *rec_value(const void *src, size_t i)
{
	return recread_str(recread_item(src, i, E_VALUE));
}

static int rec_primary(const void *src, size_t i)
{
	return recread_bool(recread_item(src, i, E_PRIMARY), 0);
}

static const char *group_name(const struct model *m, const struct recread *r, const char *type_id)
{
	const char *name = type_id ? strmap_get(m->ctype_names, type_id) : NULL;

	if (!name)
		name = recread_str(&r->attr[C_TYPE_NAME]);
	return name ? name : "";
}

/* About this many bytes of lines go to a worker at a time; each thread has
 * a few batches in flight. */
size_t contacts_batch_bytes = (size_t)512 << 10;
#define BATCHES_PER_THREAD 4

/* A contact as a worker found it: the strings are offsets into the batch's
 * text (NO_TEXT for a NULL), the five of a bucket record first. */
enum { T_TYPE_ID = REC_STRINGS, T_TYPE_NAME, T_COUNT };
#define NO_TEXT SIZE_MAX

struct cres {
	struct store_user *u;   /* the user linked to the contact, if any */
	uint32_t rank;          /* its org's, when keep */
	unsigned char keep;     /* a contact of a linked org, selected or linked to a user */
	unsigned char selected, skip;
	size_t text[T_COUNT];
};

struct batch {
	struct workq_job job;   /* first: the queue's handle */
	struct buf lines;       /* the lines, each followed by a NUL */
	size_t *start;          /* nlines offsets into lines */
	long *lineno;           /* and their line numbers */
	size_t nlines, cap;
	struct cres *res;       /* nres results, in line order */
	size_t nres, capres;
	struct buf text;        /* the results' strings */
	int failed;             /* line nres is not a record: err says why */
	struct itg_err err;
};

struct pass1 {
	const struct model *m;
	const char *path;
	int linked_users;       /* no user linked to a contact (a new store): no lookup */
	atomic_int stop;        /* the main thread gave up: skip what is queued */
	struct recread parser[WORKQ_MAX_THREADS];
	struct buf email[WORKQ_MAX_THREADS];
};

static void put_text(struct batch *bt, struct cres *c, int i, const char *s)
{
	if (!s) {
		c->text[i] = NO_TEXT;
		return;
	}
	c->text[i] = bt->text.len;
	buf_add(&bt->text, s, strlen(s) + 1);
}

static const char *get_text(const struct batch *bt, const struct cres *c, int i)
{
	return c->text[i] == NO_TEXT ? NULL : bt->text.p + c->text[i];
}

/* What the contact just parsed into r needs, into c (a worker; reads only). */
static void find_contact(const struct pass1 *p, const struct recread *r, struct buf *email,
			 struct batch *bt, struct cres *c)
{
	const struct model *m = p->m;
	const char *id = recread_id_text(&r->id), *type_id = recread_id_text(&r->attr[C_TYPE_ID]);
	const char *type_name = recread_str(&r->attr[C_TYPE_NAME]), *first, *last;
	struct itg_org *g;

	memset(c, 0, sizeof *c);
	for (int i = 0; i < T_COUNT; i++)
		c->text[i] = NO_TEXT;
	c->u = p->linked_users ? model_user_by_contact(m, id) : NULL;
	/* every contact is counted, in scope or not (inventory.h) */
	put_text(bt, c, T_TYPE_ID, type_id);
	put_text(bt, c, T_TYPE_NAME, type_name);
	g = model_itg_org(m, recread_id_text(&r->attr[C_ORG]));
	if (!g || g->rank < 0)
		return;
	c->selected = (unsigned char)scope_contact_type_selected(m, type_id, type_name);
	/* an unselected contact matters only to a user linked to it */
	if (!c->selected && !c->u)
		return;
	c->keep = 1;
	c->rank = (uint32_t)g->rank;
	buf_reset(email);
	if (c->selected) {
		struct email_list l = {r->nitems, r, rec_value, rec_primary};
		c->skip = (unsigned char)skip_code(choose_email(&l, email));
	}
	first = recread_str(&r->attr[C_FIRST]);
	last = recread_str(&r->attr[C_LAST]);
	put_text(bt, c, R_ID, id);
	put_text(bt, c, R_FIRST, first ? first : "");
	put_text(bt, c, R_LAST, last ? last : "");
	put_text(bt, c, R_EMAIL, buf_str(email));
	put_text(bt, c, R_GROUP, group_name(m, r, type_id));
}

/* A worker: parses the batch's lines, up to the first that is not a record. */
static void parse_batch(void *ctx, struct workq_job *job, int worker)
{
	struct pass1 *p = ctx;
	struct batch *bt = (struct batch *)job;
	struct recread *r = &p->parser[worker];

	bt->nres = 0;
	bt->failed = 0;
	buf_reset(&bt->text);
	if (atomic_load(&p->stop))
		return;
	xgrow((void **)&bt->res, &bt->capres, bt->nlines, sizeof *bt->res);
	for (size_t i = 0; i < bt->nlines; i++) {
		const char *line = bt->lines.p + bt->start[i];
		size_t len = (i + 1 < bt->nlines ? bt->start[i + 1] : bt->lines.len) - bt->start[i] - 1;
		if (recread_parse(r, p->path, bt->lineno[i], line, len, &bt->err) != 0) {
			bt->failed = 1;
			return;
		}
		find_contact(p, r, &p->email[worker], bt, &bt->res[bt->nres++]);
	}
}

/* Reads lines into bt until it holds contacts_batch_bytes, or the end.
 * 1 when the file has more, 0 at its end, -1 with e set (bt keeps the
 * lines read before the error). */
static int fill_batch(struct model *m, struct recread *r, struct batch *bt, struct itg_err *e)
{
	const char *line;
	size_t len;
	int rc;

	bt->nlines = 0;
	buf_reset(&bt->lines);
	while (bt->lines.len < contacts_batch_bytes) {
		rc = model_next_line(m, RES_CONTACTS, r, &line, &len, e);
		if (rc <= 0)
			return rc;
		if (bt->nlines == bt->cap) {
			size_t cap = bt->cap;
			xgrow((void **)&bt->start, &cap, bt->nlines + 1, sizeof *bt->start);
			xgrow((void **)&bt->lineno, &bt->cap, bt->nlines + 1, sizeof *bt->lineno);
		}
		bt->start[bt->nlines] = bt->lines.len;
		bt->lineno[bt->nlines++] = recread_lineno(r);
		buf_add(&bt->lines, line, len);
		buf_addc(&bt->lines, '\0');
	}
	return 1;
}

/* The main thread, in file order: each contact counted, its user marked,
 * its record filed.  -1 with e set at the batch's error. */
static int take_batch(struct model *m, struct buckets *b, struct batch *bt, uint64_t *done,
		      struct itg_err *e)
{
	for (size_t i = 0; i < bt->nres; i++) {
		const struct cres *c = &bt->res[i];
		inventory_count_contact(m, get_text(bt, c, T_TYPE_ID), get_text(bt, c, T_TYPE_NAME));
		if (c->u)
			c->u->contact_seen = 1;
		if (c->keep) {
			const char *s[REC_STRINGS];
			for (int k = 0; k < REC_STRINGS; k++)
				s[k] = get_text(bt, c, k);
			if (put_rec(&b->sp[bucket_of(m, b, c->rank)], c->rank, c->selected, c->skip, s,
				    e) != 0)
				return -1;
		}
		if (++*done % 10000 == 0)
			log_progress("contacts: %llu read", (unsigned long long)*done);
	}
	if (bt->failed) {
		*e = bt->err;
		return -1;
	}
	return 0;
}

static void batch_free(struct batch *bt)
{
	buf_free(&bt->lines);
	buf_free(&bt->text);
	free(bt->start);
	free(bt->lineno);
	free(bt->res);
}

static int stream_contacts(struct model *m, struct buckets *b, int nthreads, struct itg_err *e)
{
	struct pass1 p = {.m = m, .linked_users = m->user_by_contact.n > 0};
	size_t nring = (size_t)nthreads * BATCHES_PER_THREAD, pushed = 0, taken = 0;
	struct batch *ring;
	struct recread r;
	struct workq q;
	struct itg_err read_err = {0};
	uint64_t done = 0;
	int more = 1, rc = 0, read_failed = 0;

	atomic_init(&p.stop, 0);
	if (model_open_records(m, RES_CONTACTS, &contact_spec, &r, e) != 0)
		return -1;
	p.path = recread_path(&r);
	for (int i = 0; i < nthreads; i++)
		recread_init(&p.parser[i], &contact_spec);
	ring = xcalloc(nring, sizeof *ring);
	workq_start(&q, nthreads, parse_batch, &p);
	while (rc == 0) {
		if (more && pushed - taken < nring) {
			struct batch *bt = &ring[pushed % nring];
			more = fill_batch(m, &r, bt, &read_err);
			if (more < 0) {
				/* the lines before it come first */
				read_failed = 1;
				more = 0;
			}
			if (bt->nlines) {
				workq_push(&q, &bt->job);
				pushed++;
			}
			continue;
		}
		if (taken == pushed)
			break;
		workq_wait(&q, &ring[taken % nring].job);
		rc = take_batch(m, b, &ring[taken % nring], &done, e);
		taken++;
	}
	if (rc == 0 && read_failed) {
		*e = read_err;
		rc = -1;
	}
	atomic_store(&p.stop, 1);
	workq_stop(&q);   /* what is still queued returns at once */
	log_progress_end();
	for (size_t i = 0; i < nring; i++)
		batch_free(&ring[i]);
	free(ring);
	for (int i = 0; i < nthreads; i++) {
		recread_close(&p.parser[i]);
		buf_free(&p.email[i]);
	}
	recread_close(&r);
	return rc;
}

/* ---- pass 2: judge each org ------------------------------------------------ */

/* s in ASCII lower case, in b: a buffer reused from contact to contact. */
static const char *lower(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_adds(b, s);
	for (char *p = b->p; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return buf_str(b);
}

/* update_user when first, last or group differ exactly, or the email other
 * than in letter case (docs/rules.md 23).  Writes nothing when all agree. */
static int update_if_changed(struct plan_writer *w, const struct store_user *u,
			     const struct crec *c, struct itg_err *e)
{
	struct user_fields before = {0}, after = {0};
	int changed = 0;

	if (strcmp(u->first_name, c->s[R_FIRST])) {
		before.first_name = u->first_name;
		after.first_name = c->s[R_FIRST];
		changed = 1;
	}
	if (strcmp(u->last_name, c->s[R_LAST])) {
		before.last_name = u->last_name;
		after.last_name = c->s[R_LAST];
		changed = 1;
	}
	if (strcasecmp(u->email, c->s[R_EMAIL])) {
		before.email = u->email;
		after.email = c->s[R_EMAIL];
		changed = 1;
	}
	if (strcmp(u->group, c->s[R_GROUP])) {
		before.group = u->group;
		after.group = c->s[R_GROUP];
		changed = 1;
	}
	if (!changed)
		return 0;
	return plan_write_update_user(w, u->id, u->org->id, c->s[R_ID], &before, &after, e);
}

static int user_contact_cmp(const void *a, const void *b)
{
	const struct store_user *x = *(const struct store_user *const *)a;
	const struct store_user *y = *(const struct store_user *const *)b;

	return id_cmp(x->contact_id, y->contact_id);
}

/* Lines for one contact (ascending contact id within the org); ref is the
 * org's "new:<id>" when it is imported by this plan, kb a scratch buffer. */
static int judge_contact(struct itg_org *g, const char *ref, struct crec *c,
			 struct strmap *by_email, struct buf *kb, struct plan_writer *w,
			 struct itg_err *e)
{
	struct prod_org *p = g->link;
	struct store_user *u = c->user;

	if (!c->selected) {
		/* a linked contact whose type is no longer selected */
		if (u && !u->relinked)
			return plan_write_unlink_user(w, u->id, p->id, c->s[R_ID], REASON_FILTERED_OUT, e);
		return 0;
	}
	if (c->skip) {
		if (u)
			return plan_write_unlink_user(w, u->id, p->id, c->s[R_ID], c->skip, e);
		return plan_write_skip_contact(w, c->s[R_ID], g->id, c->skip, e);
	}
	if (u)
		return update_if_changed(w, u, c, e);
	if (p && by_email) {
		struct store_user *cand = strmap_get(by_email, lower(kb, c->s[R_EMAIL]));
		if (cand) {
			cand->relinked = 1;
			if (plan_write_link_user(w, cand->id, p->id, c->s[R_ID], e) != 0)
				return -1;
			return update_if_changed(w, cand, c, e);
		}
	}
	{
		struct user_fields f = {c->s[R_FIRST], c->s[R_LAST], c->s[R_EMAIL], c->s[R_GROUP]};
		int rc = plan_write_import_user(w, p ? p->id : NULL, p ? NULL : ref, g->id, c->s[R_ID],
						&f, e);
		g->import_users++;
		if (p)
			p->imported_users++;
		return rc;
	}
}

static int judge_org(struct model *m, struct itg_org *g, struct crec *recs, size_t n,
		     struct plan_writer *w, struct itg_err *e)
{
	struct prod_org *p = g->link;
	struct strmap *emails = strmap_new(n);
	struct strmap *by_email = NULL;
	struct store_user **gone = NULL;
	struct buf kb = {0};
	char *ref = p ? NULL : plan_write_ref(g->id);
	size_t ngone = 0, gi = 0;
	int rc = 0;

	/* docs/rules.md 21: the lowest contact id keeps an address */
	for (size_t i = 0; i < n; i++) {
		struct crec *c = &recs[i];
		const char *key;
		if (!c->selected || c->skip)
			continue;
		key = lower(&kb, c->s[R_EMAIL]);
		if (strmap_has(emails, key))
			c->skip = REASON_DUPLICATE_EMAIL;
		else
			strmap_put(emails, key, c);
	}
	strmap_free(emails, NULL);
	if (p) {
		for (size_t i = 0; i < p->nusers; i++)
			p->users[i]->claimed = p->users[i]->relinked = p->users[i]->judged = 0;
		/* docs/rules.md 22: first by itglue_contact_id among the org's users */
		for (size_t i = 0; i < n; i++) {
			struct store_user *u = model_user_by_contact(m, recs[i].s[R_ID]);
			if (u && u->org == p) {
				recs[i].user = u;
				u->judged = 1;
				u->claimed = recs[i].selected;
			}
		}
		/* then by email to a user no selected contact claims by id; the
		 * lowest user id among several */
		by_email = strmap_new(p->nusers);
		for (size_t i = 0; i < p->nusers; i++) {
			struct store_user *u = p->users[i], *have;
			const char *key;
			if (u->claimed || !*u->email)
				continue;
			key = lower(&kb, u->email);
			have = strmap_get(by_email, key);
			if (!have || id_cmp(u->id, have->id) < 0)
				strmap_put(by_email, key, u);
		}
		/* a user whose contact is gone or in another org is unlinked unless an
		 * email match re-links it */
		gone = xmalloc((p->nusers ? p->nusers : 1) * sizeof *gone);
		for (size_t i = 0; i < p->nusers; i++)
			if (*p->users[i]->contact_id && !p->users[i]->judged)
				gone[ngone++] = p->users[i];
		if (ngone)
			qsort(gone, ngone, sizeof *gone, user_contact_cmp);
	}
	/* email matches first, so that an unselected contact of a re-linked user
	 * yields no unlink_user; the lines are then written in contact id order */
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct crec *c = &recs[i];
		if (!p || !c->selected || c->skip || c->user)
			continue;
		struct store_user *cand = strmap_get(by_email, lower(&kb, c->s[R_EMAIL]));
		if (cand)
			cand->relinked = 1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct crec *c = &recs[i];
		while (rc == 0 && gi < ngone && id_cmp(gone[gi]->contact_id, c->s[R_ID]) < 0) {
			struct store_user *u = gone[gi++];
			if (!u->relinked)
				rc = plan_write_unlink_user(w, u->id, p->id, u->contact_id,
						      u->contact_seen ? REASON_FILTERED_OUT
								      : REASON_ITGLUE_DELETED,
						      e);
		}
		if (rc == 0)
			rc = judge_contact(g, ref, c, by_email, &kb, w, e);
	}
	while (rc == 0 && gi < ngone) {
		struct store_user *u = gone[gi++];
		if (!u->relinked)
			rc = plan_write_unlink_user(w, u->id, p->id, u->contact_id,
					      u->contact_seen ? REASON_FILTERED_OUT
							      : REASON_ITGLUE_DELETED,
					      e);
	}
	free(gone);
	free(ref);
	buf_free(&kb);
	strmap_free(by_email, NULL);
	return rc;
}

/* A bucket in memory: its records, their strings in one arena. */
struct bucket_recs {
	struct crec *v;
	size_t n;
	struct arena strs;
};

static void free_recs(struct bucket_recs *br)
{
	free(br->v);
	arena_free(&br->strs);
	br->v = NULL;
	br->n = 0;
}

static int load_bucket(struct buckets *b, size_t k, struct bucket_recs *br, struct itg_err *e)
{
	struct crec *recs = NULL;
	size_t n = 0, cap = 0;
	int rc = spill_rewind(&b->sp[k], e);

	while (rc == 0) {
		xgrow((void **)&recs, &cap, n + 1, sizeof *recs);
		rc = get_rec(&b->sp[k], &recs[n], &br->strs, e);
		if (rc <= 0)
			break;
		n++;
		rc = 0;
	}
	spill_close(&b->sp[k]);
	br->v = recs;
	br->n = n;
	if (rc < 0) {
		free_recs(br);
		return -1;
	}
	if (n)
		qsort(recs, n, sizeof *recs, rec_cmp);
	return 0;
}

/*
 * Pass 2 on the workers, a bucket each: its orgs are judged into a section
 * file of its own.  The orgs of two buckets are not the same, nor are their
 * users (a user belongs to one org), so two buckets change nothing in
 * common; what they read of the rest of the model does not change.
 */
struct bucket_job {
	struct workq_job job;   /* first: the queue's handle */
	size_t k;
	int rc;
	struct itg_err err;
};

struct pass2 {
	struct model *m;
	struct buckets *b;
	struct contacts_sections *cs;
	const char *tmpdir;
	atomic_int stop;        /* a bucket failed: the later ones need not run */
};

/* A worker: bucket k's orgs, in rank order, into section file k. */
static void judge_bucket(void *ctx, struct workq_job *job, int worker)
{
	struct pass2 *p = ctx;
	struct bucket_job *j = (struct bucket_job *)job;
	struct plan_writer *w = &p->cs->w[j->k];
	struct bucket_recs br = {0};
	size_t last = j->k + 1 < p->b->n ? bucket_first(p->m, p->b, j->k + 1) : p->m->nlinked;
	size_t pos = 0;
	char name[64], *path;

	(void)worker;
	j->rc = 0;
	if (atomic_load(&p->stop))
		return;
	snprintf(name, sizeof name, ".contacts.section.%zu.tmp", j->k);
	path = fs_join(p->tmpdir, name);
	j->rc = plan_writer_open(w, path, &j->err);
	free(path);
	if (j->rc == 0) {
		w->scratch = 1;
		j->rc = load_bucket(p->b, j->k, &br, &j->err);
	}
	for (size_t r = bucket_first(p->m, p->b, j->k); r < last && j->rc == 0; r++) {
		size_t start = pos;
		while (pos < br.n && br.v[pos].rank == r)
			pos++;
		j->rc = judge_org(p->m, p->m->linked[r], br.v + start, pos - start, w, &j->err);
	}
	/* closed here, or removed by contacts_sections_free after a failure */
	if (j->rc == 0)
		j->rc = plan_writer_close(w, &j->err);
	free_recs(&br);
	if (j->rc != 0)
		atomic_store(&p->stop, 1);
}

int contacts_plan(struct model *m, const char *tmpdir, struct contacts_sections *cs,
		  struct itg_err *e)
{
	struct buckets b = {0};
	struct bucket_job *jobs = NULL;
	struct pass2 p = {.m = m, .b = &b, .cs = cs, .tmpdir = tmpdir};
	struct workq q;
	uint64_t total = m->man.res[RES_CONTACTS].records;
	int nthreads = workq_threads(), rc = 0;
	unsigned long per;

	memset(cs, 0, sizeof *cs);
	atomic_init(&p.stop, 0);
	if (!m->nlinked) {
		/* still a snapshot without contacts is an error */
		if (!m->man.res[RES_CONTACTS].present)
			return err_set(e, ITG_EXIT_USAGE,
				       "%s: the snapshot has no contacts: run itg-extract with "
				       "contacts, or set sync.contacts.enabled: false",
				       m->snapshot_dir);
		return 0;
	}
	/* contacts_bucket_size in memory in all: each thread holds a bucket */
	per = contacts_bucket_size / (unsigned long)nthreads;
	b.n = (size_t)(total / (per ? per : 1)) + 1;
	if (b.n > MAX_BUCKETS)
		b.n = MAX_BUCKETS;
	if (b.n > m->nlinked)
		b.n = m->nlinked;
	b.sp = xcalloc(b.n, sizeof *b.sp);
	for (size_t k = 0; k < b.n; k++) {
		if (spill_create(&b.sp[k], tmpdir, ".contacts.bucket.", &bucket_spec, e) != 0) {
			rc = -1;
			goto out;
		}
	}
	if (stream_contacts(m, &b, nthreads, e) != 0) {
		rc = -1;
		goto out;
	}
	for (size_t k = 0; k < b.n && rc == 0; k++)
		rc = spill_finish(&b.sp[k], e);
	if (rc != 0)
		goto out;
	/* the section files, in the order they are appended */
	cs->w = xcalloc(b.n, sizeof *cs->w);
	cs->n = b.n;
	jobs = xcalloc(b.n, sizeof *jobs);
	workq_start(&q, nthreads, judge_bucket, &p);
	for (size_t k = 0; k < b.n; k++) {
		jobs[k].k = k;
		workq_push(&q, &jobs[k].job);
	}
	/* the first bucket that failed, in plan order */
	for (size_t k = 0; k < b.n; k++) {
		workq_wait(&q, &jobs[k].job);
		if (jobs[k].rc != 0 && rc == 0) {
			*e = jobs[k].err;
			rc = -1;
		}
	}
	workq_stop(&q);
	free(jobs);
out:
	buckets_close(&b);
	if (rc != 0)
		contacts_sections_free(cs);
	return rc;
}

int contacts_sections_append(const struct contacts_sections *cs, struct plan_writer *w,
			     struct itg_err *e)
{
	for (size_t k = 0; k < cs->n; k++)
		if (plan_writer_append(w, &cs->w[k], e) != 0)
			return -1;
	return 0;
}

void contacts_sections_free(struct contacts_sections *cs)
{
	for (size_t k = 0; k < cs->n; k++)
		plan_writer_abort(&cs->w[k]);
	free(cs->w);
	memset(cs, 0, sizeof *cs);
}
