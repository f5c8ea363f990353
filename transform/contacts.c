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
#include "inventory.h"
#include "json.h"
#include "log.h"
#include "reasons.h"
#include "spill.h"
#include "validate.h"
#include "xalloc.h"

#include <stdint.h>
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

static int stream_contacts(struct model *m, struct buckets *b, struct itg_err *e)
{
	struct recread r;
	struct buf email = {0};
	/* no user linked to a contact (a new store): no lookup per contact */
	int linked_users = m->user_by_contact.n > 0;
	int rc;

	if (model_open_records(m, RES_CONTACTS, &contact_spec, &r, e) != 0)
		return -1;
	while ((rc = model_next_record(m, RES_CONTACTS, &r, e)) == 1) {
		const char *id = recread_id_text(&r.id), *type_id, *skip = NULL, *first, *last;
		struct store_user *u = linked_users ? model_user_by_contact(m, id) : NULL;
		struct itg_org *g;
		int selected;
		type_id = recread_id_text(&r.attr[C_TYPE_ID]);
		/* every contact is counted, in scope or not (inventory.h) */
		inventory_count_contact(m, type_id, recread_str(&r.attr[C_TYPE_NAME]));
		if (u)
			u->contact_seen = 1;
		g = model_itg_org(m, recread_id_text(&r.attr[C_ORG]));
		if (!g || g->rank < 0)
			continue;
		selected = scope_contact_type_selected(m, type_id, recread_str(&r.attr[C_TYPE_NAME]));
		/* an unselected contact matters only to a user linked to it */
		if (selected || u) {
			const char *s[REC_STRINGS];
			struct email_list l = {r.nitems, &r, rec_value, rec_primary};
			buf_reset(&email);
			if (selected)
				skip = choose_email(&l, &email);
			first = recread_str(&r.attr[C_FIRST]);
			last = recread_str(&r.attr[C_LAST]);
			s[R_ID] = id;
			s[R_FIRST] = first ? first : "";
			s[R_LAST] = last ? last : "";
			s[R_EMAIL] = buf_str(&email);
			s[R_GROUP] = group_name(m, &r, type_id);
			size_t k = bucket_of(m, b, g->rank);
			if (put_rec(&b->sp[k], (uint32_t)g->rank, selected, skip_code(skip), s, e) != 0) {
				rc = -1;
				break;
			}
		}
		if (r.nd.records % 10000 == 0)
			log_progress("contacts: %llu read", (unsigned long long)r.nd.records);
	}
	log_progress_end();
	recread_close(&r);
	buf_free(&email);
	return rc < 0 ? -1 : 0;
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

int contacts_plan(struct model *m, const char *tmpdir, struct plan_writer *w, struct itg_err *e)
{
	struct buckets b = {0};
	struct bucket_recs br = {0};
	size_t pos = 0, cur = (size_t)-1;
	uint64_t total = m->man.res[RES_CONTACTS].records;
	int rc = 0;

	if (!m->nlinked) {
		/* still a snapshot without contacts is an error */
		if (!m->man.res[RES_CONTACTS].present)
			return err_set(e, ITG_EXIT_USAGE,
				       "%s: the snapshot has no contacts: run itg-extract with "
				       "contacts, or set sync.contacts.enabled: false",
				       m->snapshot_dir);
		return 0;
	}
	b.n = (size_t)(total / (contacts_bucket_size ? contacts_bucket_size : 1)) + 1;
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
	if (stream_contacts(m, &b, e) != 0) {
		rc = -1;
		goto out;
	}
	for (size_t k = 0; k < b.n && rc == 0; k++)
		rc = spill_finish(&b.sp[k], e);
	for (size_t r = 0; r < m->nlinked && rc == 0; r++) {
		size_t k = bucket_of(m, &b, (long)r), start;
		if (k != cur) {
			free_recs(&br);
			pos = 0;
			if (load_bucket(&b, k, &br, e) != 0) {
				rc = -1;
				break;
			}
			cur = k;
		}
		start = pos;
		while (pos < br.n && br.v[pos].rank == r)
			pos++;
		rc = judge_org(m, m->linked[r], br.v + start, pos - start, w, e);
	}
out:
	free_recs(&br);
	buckets_close(&b);
	return rc;
}
