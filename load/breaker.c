/*
 * breaker.c - the mass-change breaker's decision and its words (breaker.h).
 */
#include "breaker.h"
#include "csvtab.h"
#include "planfmt.h"
#include "reasons.h"

#include <string.h>

/* unlink lines that do not come from --disconnect */
static long long count_unlinks(const struct plan *p)
{
	long long n = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct plan_line l;
		const char *reason;

		if (plan_action_at(p, i) != PA_UNLINK)
			continue;
		plan_line_open(p, i, &l);
		reason = plan_str(&l, PK_REASON);
		n += !(reason && strcmp(reason, REASON_DISCONNECT) == 0);
		plan_line_close(&l);
	}
	return n;
}

static long long count_lines(const struct plan *p, enum plan_action a)
{
	long long n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += plan_action_at(p, i) == a;
	return n;
}

/* users linked to an IT Glue contact */
static long long linked_users(const struct store *s)
{
	const struct csv_table *t = &s->tab[STORE_USERS];
	int col = csvtab_col(t, "itglue_contact_id");
	long long n = 0;

	if (!s->used[STORE_USERS] || col < 0)
		return 0;
	for (size_t r = 0; r < t->nrows; r++)
		n += *csvtab_get(t, r, col) != '\0';
	return n;
}

static void judge(struct breaker_limit *b, const char *key, const struct safety_limit *l,
		  long long removals, long long of)
{
	b->key = key;
	b->limit = *l;
	b->removals = removals;
	b->of = of;
	b->allowed = safety_allowance(l, of);
	b->tripped = removals > b->allowed;
}

void breaker_judge(const struct plan *p, const struct store *s,
		   const struct safety_limit *max_unlinks,
		   const struct safety_limit *max_user_unlinks, struct breaker *out)
{
	memset(out, 0, sizeof *out);
	judge(&out->links, "safety.max_unlinks", max_unlinks, count_unlinks(p),
	      (long long)s->tab[STORE_LINKS].nrows);
	if (s->used[STORE_USERS])
		judge(&out->users, "safety.max_user_unlinks", max_user_unlinks,
		      count_lines(p, PA_UNLINK_USER), linked_users(s));
	out->tripped = out->links.tripped || out->users.tripped;
}

static void clause(const struct breaker_limit *b, const char *what, struct buf *out)
{
	buf_addf(out, "the plan removes %lld of the store's %lld %s, more than %s allows (%lld",
		 b->removals, b->of, what, b->key, b->allowed);
	if (b->limit.is_percent)
		buf_addf(out, ": %g%% of %lld, at least 10", b->limit.percent, b->of);
	buf_addc(out, ')');
}

void breaker_describe(const struct breaker *b, struct buf *out)
{
	if (b->links.tripped)
		clause(&b->links, "links", out);
	if (b->links.tripped && b->users.tripped)
		buf_adds(out, "; and ");
	if (b->users.tripped)
		clause(&b->users, "user links", out);
}

void breaker_way_out(const char *pipeline, struct buf *out)
{
	buf_addf(out, "apply it once with pipelines/run %s --allow-mass-unlink (or itg-load "
		      "--allow-mass-unlink)", pipeline);
}
