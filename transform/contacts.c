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

static char *trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

const char *contacts_choose_email(yajl_val contact, char **email)
{
	yajl_val list = json_get(json_get(contact, "attributes"), "contact-emails");
	size_t n = list && YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	int nonempty = 0;
	long primary = -1;

	*email = NULL;
	for (size_t i = 0; i < n && primary < 0; i++)
		if (json_get_bool(list->u.array.values[i], "primary", 0))
			primary = (long)i;
	/* the primary first, then the others in listed order */
	for (long k = -1; k < (long)n; k++) {
		long i = k < 0 ? primary : k;
		const char *raw;
		char *v;
		if (i < 0 || (k >= 0 && k == primary))
			continue;
		raw = json_get_str(list->u.array.values[i], "value");
		if (!raw)
			continue;
		v = trimmed(raw);
		if (*v)
			nonempty = 1;
		if (*v && validate_email(v)) {
			*email = v;
			return NULL;
		}
		free(v);
	}
	return nonempty ? REASON_INVALID_EMAIL : REASON_NO_EMAIL;
}

/* ---- bucket records ------------------------------------------------------- */

enum { REC_STRINGS = 5 };

/* One contact of a linked org: what judging it needs and nothing more. */
struct crec {
	uint32_t rank;
	uint8_t selected;
	const char *skip;        /* NULL, or the skip reason (duplicate set later) */
	char *s[REC_STRINGS];    /* id, first, last, email, group; one allocation */
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

/* A bucket record: rank, selected, skip code; then the five strings. */
static const struct spill_spec bucket_spec = {
	.what = "contact bucket", .nints = 3, .nstrs = REC_STRINGS,
};

static int put_rec(struct spill *sp, uint32_t rank, int selected, int skip, const char *const *s,
		   struct itg_err *e)
{
	int64_t ints[3] = {rank, selected, skip};
	struct spill_str strs[REC_STRINGS];

	for (int i = 0; i < REC_STRINGS; i++)
		strs[i] = (struct spill_str){s[i], strlen(s[i])};
	return spill_put(sp, ints, strs, e);
}

/* Reads one record: 1 with a record, 0 at the end, -1 with e set. */
static int get_rec(struct spill *sp, struct crec *r, struct itg_err *e)
{
	int64_t ints[3];
	struct spill_str strs[REC_STRINGS];
	size_t total = 0;
	char *p;
	int rc = spill_next(sp, ints, strs, e);

	if (rc <= 0)
		return rc;
	memset(r, 0, sizeof *r);
	r->rank = (uint32_t)ints[0];
	r->selected = (uint8_t)ints[1];
	r->skip = ints[2] >= 0 && ints[2] < 3 ? skip_codes[ints[2]] : NULL;
	/* the strings are copied into a single block the record owns */
	for (int i = 0; i < REC_STRINGS; i++)
		total += strs[i].len + 1;
	p = xmalloc(total);
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

static const char *group_name(const struct model *m, yajl_val v, const char *type_id)
{
	const char *name = type_id ? strmap_get(m->ctype_names, type_id) : NULL;

	if (!name)
		name = model_attr_str(v, "contact-type-name");
	return name ? name : "";
}

static int stream_contacts(struct model *m, struct buckets *b, struct itg_err *e)
{
	struct ndjson_reader r;
	const char *line;
	size_t len;
	int rc;

	if (model_open_resource(m, RES_CONTACTS, &r, e) != 0)
		return -1;
	while ((rc = ndjson_reader_next(&r, &line, &len, e)) == 1) {
		yajl_val v = model_parse_record(&r, line, len, e);
		const char *id, *type_id, *skip = NULL, *first, *last;
		struct store_user *u;
		struct itg_org *g;
		char *email = NULL;
		int selected;
		if (!v) {
			rc = -1;
			break;
		}
		id = json_get_id(v, "id");
		inventory_count_contact(m, model_attr_id(v, "contact-type-id"),
					model_attr_str(v, "contact-type-name"));
		u = strmap_get(m->user_by_contact, id);
		if (u)
			u->contact_seen = 1;
		g = model_itg_org(m, model_attr_id(v, "organization-id"));
		if (!g || g->rank < 0) {
			yajl_tree_free(v);
			continue;
		}
		type_id = model_attr_id(v, "contact-type-id");
		selected = scope_contact_type_selected(m, type_id,
						       model_attr_str(v, "contact-type-name"));
		/* an unselected contact matters only to a user linked to it */
		if (selected || u) {
			const char *s[REC_STRINGS];
			if (selected)
				skip = contacts_choose_email(v, &email);
			first = model_attr_str(v, "first-name");
			last = model_attr_str(v, "last-name");
			s[R_ID] = id;
			s[R_FIRST] = first ? first : "";
			s[R_LAST] = last ? last : "";
			s[R_EMAIL] = email ? email : "";
			s[R_GROUP] = group_name(m, v, type_id);
			size_t k = bucket_of(m, b, g->rank);
			if (put_rec(&b->sp[k], (uint32_t)g->rank, selected, skip_code(skip), s, e) != 0)
				rc = -1;
		}
		free(email);
		yajl_tree_free(v);
		if (rc < 0)
			break;
		if (r.records % 10000 == 0)
			log_progress("contacts: %llu read", (unsigned long long)r.records);
	}
	log_progress_end();
	ndjson_reader_close(&r);
	return rc < 0 ? -1 : 0;
}

/* ---- pass 2: judge each org ------------------------------------------------ */

static char *lower(const char *s)
{
	char *l = xstrdup(s);

	for (char *p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
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

/* Lines for one contact (ascending contact id within the org). */
static int judge_contact(struct itg_org *g, struct crec *c,
			 struct strmap *by_email, struct plan_writer *w, struct itg_err *e)
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
		char *key = lower(c->s[R_EMAIL]);
		struct store_user *cand = strmap_get(by_email, key);
		free(key);
		if (cand) {
			cand->relinked = 1;
			if (plan_write_link_user(w, cand->id, p->id, c->s[R_ID], e) != 0)
				return -1;
			return update_if_changed(w, cand, c, e);
		}
	}
	{
		struct user_fields f = {c->s[R_FIRST], c->s[R_LAST], c->s[R_EMAIL], c->s[R_GROUP]};
		char *ref = p ? NULL : plan_write_ref(g->id);
		int rc = plan_write_import_user(w, p ? p->id : NULL, ref, g->id, c->s[R_ID], &f, e);
		free(ref);
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
	size_t ngone = 0, gi = 0;
	int rc = 0;

	/* docs/rules.md 21: the lowest contact id keeps an address */
	for (size_t i = 0; i < n; i++) {
		struct crec *c = &recs[i];
		char *key;
		if (!c->selected || c->skip)
			continue;
		key = lower(c->s[R_EMAIL]);
		if (strmap_has(emails, key))
			c->skip = REASON_DUPLICATE_EMAIL;
		else
			strmap_put(emails, key, c);
		free(key);
	}
	strmap_free(emails, NULL);
	if (p) {
		for (size_t i = 0; i < p->nusers; i++)
			p->users[i]->claimed = p->users[i]->relinked = p->users[i]->judged = 0;
		/* docs/rules.md 22: first by itglue_contact_id among the org's users */
		for (size_t i = 0; i < n; i++) {
			struct store_user *u = strmap_get(m->user_by_contact, recs[i].s[R_ID]);
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
			char *key;
			if (u->claimed || !*u->email)
				continue;
			key = lower(u->email);
			have = strmap_get(by_email, key);
			if (!have || id_cmp(u->id, have->id) < 0)
				strmap_put(by_email, key, u);
			free(key);
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
		char *key = lower(c->s[R_EMAIL]);
		struct store_user *cand = strmap_get(by_email, key);
		free(key);
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
			rc = judge_contact(g, c, by_email, w, e);
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
	strmap_free(by_email, NULL);
	return rc;
}

static void free_recs(struct crec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(recs[i].s[0]);
	free(recs);
}

static int load_bucket(struct buckets *b, size_t k, struct crec **out, size_t *nout,
		       struct itg_err *e)
{
	struct crec *recs = NULL;
	size_t n = 0, cap = 0;
	int rc = spill_rewind(&b->sp[k], e);

	while (rc == 0) {
		xgrow((void **)&recs, &cap, n + 1, sizeof *recs);
		rc = get_rec(&b->sp[k], &recs[n], e);
		if (rc <= 0)
			break;
		n++;
		rc = 0;
	}
	spill_close(&b->sp[k]);
	if (rc < 0) {
		free_recs(recs, n);
		return -1;
	}
	if (n)
		qsort(recs, n, sizeof *recs, rec_cmp);
	*out = recs;
	*nout = n;
	return 0;
}

int contacts_plan(struct model *m, const char *tmpdir, struct plan_writer *w, struct itg_err *e)
{
	struct buckets b = {0};
	struct crec *recs = NULL;
	size_t nrecs = 0, pos = 0, cur = (size_t)-1;
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
			free_recs(recs, nrecs);
			recs = NULL;
			nrecs = pos = 0;
			if (load_bucket(&b, k, &recs, &nrecs, e) != 0) {
				rc = -1;
				break;
			}
			cur = k;
		}
		start = pos;
		while (pos < nrecs && recs[pos].rank == r)
			pos++;
		rc = judge_org(m, m->linked[r], recs + start, pos - start, w, e);
	}
out:
	free_recs(recs, nrecs);
	buckets_close(&b);
	return rc;
}
