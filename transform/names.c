/*
 * names.c - name keys and trigram similarity for auto-link.
 *
 * The normalisation, documented in one place (docs/matching.md repeats it
 * with examples):
 *
 * exact key (docs/rules.md 8)
 *   Unicode NFC, then outer white space trimmed (the Unicode White_Space
 *   code points: ASCII space, tab, newlines, U+0085, U+00A0, U+1680,
 *   U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).  Case is kept.
 *
 * normalized key (docs/rules.md 7)
 *   1. Unicode NFKD, case fold (full folding: "ß" -> "ss"), combining marks
 *      (categories Mn, Mc, Me) dropped.  Letters with no decomposition
 *      ("ø", "ł", "æ") stay as they are.
 *   2. "&" becomes the token "and"; "." "'" and U+2019 are removed without
 *      splitting ("A.B.C." -> "abc", "O'Brien" -> "obrien").
 *   3. Tokens are the runs of letters and digits (categories L* and N*);
 *      every other code point separates tokens.
 *   4. Trailing legal suffixes (the list below) are dropped repeatedly, and
 *      so is an "and" standing between two suffixes ("Müller GmbH & Co KG"
 *      -> "muller"), but the last remaining token is never dropped ("LLC"
 *      -> "llc", "GmbH & Co KG" -> "gmbh").  An "and" not followed by a
 *      dropped suffix stays ("Smith & Co" -> "smithand").
 *   5. The tokens are joined with no separator; no token left gives "".
 *
 * fuzzy text (docs/rules.md 12)
 *   The tokens of step 4 joined by one space.  Its trigrams are the runs of
 *   three consecutive code points, without padding, as a set; a text of one
 *   or two code points has a single "trigram", the whole text; "" has none.
 *   Similarity is the Jaccard index |A n B| / |A u B| of the two sets, and 0
 *   when either set is empty.
 *
 * Input that is not valid UTF-8 cannot be normalised by utf8proc.  Such a
 * name is read byte by byte as ASCII: the exact key is the bytes with ASCII
 * white space trimmed; the normalized key lower-cases ASCII letters, keeps
 * ASCII digits, applies "&", "." and "'" as above, and treats every other
 * byte (all bytes >= 0x80 included) as a separator.
 */
#include "names.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const names_legal_suffixes[] = {
	"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp",
	"corporation", "co", "company", "plc", "pty", "llp", "lp", "pllc", "pc",
	"sa", "ag", "bv", "nv", "srl", "sarl", "sas", "spa", "oy", "ab", "kg",
	"kk", "pte", "bhd", NULL,
};

static int names_is_suffix(const char *token)
{
	for (size_t i = 0; names_legal_suffixes[i]; i++)
		if (strcmp(token, names_legal_suffixes[i]) == 0)
			return 1;
	return 0;
}

static int names_is_white_space(utf8proc_int32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static int names_is_ascii_space(unsigned char c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d);
}

char *names_exact_key(const char *name)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	size_t start, end;
	char *out;

	if (!name)
		return xstrdup("");
	n = utf8proc_map((const utf8proc_uint8_t *)name, 0, &nfc,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		/* Not UTF-8: keep the bytes, trim ASCII white space. */
		start = 0;
		end = strlen(name);
		while (start < end && names_is_ascii_space((unsigned char)name[start]))
			start++;
		while (end > start && names_is_ascii_space((unsigned char)name[end - 1]))
			end--;
		return xstrndup(name + start, end - start);
	}

	/* Trim leading, then trailing White_Space code points. */
	start = 0;
	end = (size_t)n;
	while (start < end) {
		utf8proc_int32_t c;
		utf8proc_ssize_t len = utf8proc_iterate(nfc + start, (utf8proc_ssize_t)(end - start), &c);
		if (len <= 0 || !names_is_white_space(c))
			break;
		start += (size_t)len;
	}
	while (end > start) {
		size_t back = end - 1;
		utf8proc_int32_t c;
		utf8proc_ssize_t len;

		while (back > start && (nfc[back] & 0xc0) == 0x80)
			back--;
		len = utf8proc_iterate(nfc + back, (utf8proc_ssize_t)(end - back), &c);
		if (len <= 0 || !names_is_white_space(c))
			break;
		end = back;
	}
	out = xstrndup((const char *)nfc + start, end - start);
	free(nfc);
	return out;
}

/* The tokens of a name, after suffix dropping: a list of malloc'd strings. */
struct names_tokens {
	char **v;
	size_t n, cap;
	struct buf cur;   /* the token being read */
};

static void names_tokens_end(struct names_tokens *t)
{
	if (t->cur.len == 0)
		return;
	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
	t->v[t->n++] = buf_detach(&t->cur);
}

static void names_tokens_add_and(struct names_tokens *t)
{
	names_tokens_end(t);
	buf_adds(&t->cur, "and");
	names_tokens_end(t);
}

static void names_tokens_free(struct names_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	buf_free(&t->cur);
}

static int names_is_removed(utf8proc_int32_t c)
{
	return c == '.' || c == '\'' || c == 0x2019;
}

static int names_is_letter_or_digit(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

static void names_split_folded(struct names_tokens *t, const utf8proc_uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		utf8proc_int32_t c;
		utf8proc_ssize_t len = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);

		if (len <= 0) /* cannot happen on utf8proc's own output */
			break;
		if (c == '&')
			names_tokens_add_and(t);
		else if (names_is_removed(c))
			;
		else if (names_is_letter_or_digit(c))
			buf_add(&t->cur, s + i, (size_t)len);
		else
			names_tokens_end(t);
		i += (size_t)len;
	}
	names_tokens_end(t);
}

static void names_split_ascii(struct names_tokens *t, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			names_tokens_add_and(t);
		else if (c == '.' || c == '\'')
			;
		else if (c >= 'A' && c <= 'Z')
			buf_addc(&t->cur, (char)(c - 'A' + 'a'));
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			buf_addc(&t->cur, (char)c);
		else
			names_tokens_end(t);
	}
	names_tokens_end(t);
}

/*
 * Drops trailing legal suffixes, and an "and" whose neighbours are both
 * suffixes (the one after it already dropped), never the last token.
 */
static void names_drop_suffixes(struct names_tokens *t)
{
	int after_suffix = 0;

	while (t->n > 1) {
		const char *last = t->v[t->n - 1];

		if (names_is_suffix(last)) {
			after_suffix = 1;
		} else if (after_suffix && strcmp(last, "and") == 0 &&
			   names_is_suffix(t->v[t->n - 2])) {
			after_suffix = 0;
		} else {
			break;
		}
		free(t->v[--t->n]);
	}
}

static void names_tokenize(const char *name, struct names_tokens *t)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n;

	memset(t, 0, sizeof *t);
	if (!name)
		return;
	n = utf8proc_map((const utf8proc_uint8_t *)name, 0, &folded,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
			 UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
	if (n < 0) {
		names_split_ascii(t, name);
	} else {
		names_split_folded(t, folded, (size_t)n);
		free(folded);
	}
	names_drop_suffixes(t);
}

static char *names_join(const char *name, const char *sep)
{
	struct names_tokens t;
	struct buf out = {0};

	names_tokenize(name, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (i > 0)
			buf_adds(&out, sep);
		buf_adds(&out, t.v[i]);
	}
	names_tokens_free(&t);
	if (!out.p)
		return xstrdup("");
	return buf_detach(&out);
}

char *names_normalized_key(const char *name)
{
	return names_join(name, "");
}

char *names_fuzzy_text(const char *name)
{
	return names_join(name, " ");
}

/* ---- trigrams ---------------------------------------------------------- */

/*
 * A trigram is packed into 64 bits as three 21-bit fields holding code
 * point + 1, so 0 marks an absent code point and the one "trigram" of a
 * text of one or two code points never equals a real trigram.
 */
typedef uint64_t names_trigram;

static names_trigram names_pack(const utf8proc_int32_t *cp, size_t n)
{
	names_trigram g = 0;

	for (size_t i = 0; i < 3; i++) {
		uint64_t field = i < n ? (uint64_t)(cp[i] + 1) : 0;
		g = (g << 21) | (field & 0x1fffff);
	}
	return g;
}

static int names_trigram_cmp(const void *a, const void *b)
{
	names_trigram x = *(const names_trigram *)a, y = *(const names_trigram *)b;

	return (x > y) - (x < y);
}

/*
 * The sorted set of trigrams of text (malloc'd, NULL when empty); returns
 * its size.  Bytes that are not UTF-8 count as code points U+0080..U+00FF
 * so that any input gives a stable answer.
 */
static size_t names_trigrams(const char *text, names_trigram **out)
{
	utf8proc_int32_t *cp;
	names_trigram *g;
	size_t len, n = 0, count, i = 0;

	*out = NULL;
	if (!text || !*text)
		return 0;
	len = strlen(text);
	cp = xmalloc(len * sizeof *cp);
	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
							 (utf8proc_ssize_t)(len - i), &c);
		if (step <= 0) {
			c = (unsigned char)text[i];
			step = 1;
		}
		cp[n++] = c;
		i += (size_t)step;
	}
	if (n < 3) {
		g = xmalloc(sizeof *g);
		g[0] = names_pack(cp, n);
		free(cp);
		*out = g;
		return 1;
	}
	g = xmalloc((n - 2) * sizeof *g);
	for (i = 0; i + 2 < n; i++)
		g[i] = names_pack(cp + i, 3);
	free(cp);
	qsort(g, n - 2, sizeof *g, names_trigram_cmp);
	count = 1;
	for (i = 1; i < n - 2; i++)
		if (g[i] != g[count - 1])
			g[count++] = g[i];
	*out = g;
	return count;
}

static double names_jaccard(size_t shared, size_t na, size_t nb)
{
	if (na == 0 || nb == 0)
		return 0.0;
	return (double)shared / (double)(na + nb - shared);
}

double names_trigram_jaccard(const char *fuzzy_a, const char *fuzzy_b)
{
	names_trigram *a, *b;
	size_t na = names_trigrams(fuzzy_a, &a);
	size_t nb = names_trigrams(fuzzy_b, &b);
	size_t i = 0, j = 0, shared = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j]) {
			i++;
		} else if (a[i] > b[j]) {
			j++;
		} else {
			shared++;
			i++;
			j++;
		}
	}
	free(a);
	free(b);
	return names_jaccard(shared, na, nb);
}

/* ---- the index --------------------------------------------------------- */

/* Posting list: the entries (positions in ix->entries) holding a trigram. */
struct names_posting {
	names_trigram gram;    /* 0 = free slot */
	size_t *entries;
	size_t n, cap;
};

struct names_entry {
	size_t item;       /* the caller's index */
	size_t ngrams;     /* size of its trigram set */
};

/*
 * Query scratch space: a shared-trigram counter per entry and the list of
 * counters a query touched, so that a query costs the length of its
 * posting lists and never a pass over all entries.  It sits behind a
 * pointer because queries take a const index: one query at a time.
 */
struct names_scratch {
	size_t *shared;
	size_t *touched;
	size_t cap;
};

struct names_index {
	struct names_posting *slots;   /* open addressing, power-of-two size */
	size_t nslots, nused;
	struct names_entry *entries;
	size_t nentries, cap;
	struct names_scratch *scratch;
};

static uint64_t names_mix(uint64_t x)
{
	/* splitmix64 finaliser: spreads the packed fields over all bits */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static struct names_posting *names_slot(struct names_posting *slots, size_t nslots,
					names_trigram gram)
{
	size_t mask = nslots - 1, i = (size_t)names_mix(gram) & mask;

	while (slots[i].gram != 0 && slots[i].gram != gram)
		i = (i + 1) & mask;
	return &slots[i];
}

static void names_index_grow(struct names_index *ix)
{
	size_t nslots = ix->nslots * 2;
	struct names_posting *slots = xcalloc(nslots, sizeof *slots);

	for (size_t i = 0; i < ix->nslots; i++)
		if (ix->slots[i].gram != 0)
			*names_slot(slots, nslots, ix->slots[i].gram) = ix->slots[i];
	free(ix->slots);
	ix->slots = slots;
	ix->nslots = nslots;
}

struct names_index *names_index_new(void)
{
	struct names_index *ix = xcalloc(1, sizeof *ix);

	ix->nslots = 1024;
	ix->slots = xcalloc(ix->nslots, sizeof *ix->slots);
	ix->scratch = xcalloc(1, sizeof *ix->scratch);
	return ix;
}

void names_index_add(struct names_index *ix, size_t item, const char *fuzzy_text)
{
	names_trigram *g;
	size_t n = names_trigrams(fuzzy_text, &g);
	size_t entry = ix->nentries;

	xgrow((void **)&ix->entries, &ix->cap, ix->nentries + 1, sizeof *ix->entries);
	ix->entries[ix->nentries].item = item;
	ix->entries[ix->nentries].ngrams = n;
	ix->nentries++;
	for (size_t i = 0; i < n; i++) {
		struct names_posting *p;

		if ((ix->nused + 1) * 4 > ix->nslots * 3)
			names_index_grow(ix);
		p = names_slot(ix->slots, ix->nslots, g[i]);
		if (p->gram == 0) {
			p->gram = g[i];
			ix->nused++;
		}
		xgrow((void **)&p->entries, &p->cap, p->n + 1, sizeof *p->entries);
		p->entries[p->n++] = entry;
	}
	free(g);
}

static int names_hit_cmp(const void *a, const void *b)
{
	const struct names_hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

size_t names_index_query(const struct names_index *ix, const char *fuzzy_text,
			 double min_score, struct names_hit **hits)
{
	names_trigram *g;
	size_t n = names_trigrams(fuzzy_text, &g);
	struct names_scratch *sc = ix->scratch;
	size_t ntouched = 0, nhits = 0;
	struct names_hit *out;

	*hits = NULL;
	if (n == 0)
		return 0;

	/* Dense counters, one per entry, all zero between queries. */
	if (sc->cap < ix->nentries) {
		free(sc->shared);
		free(sc->touched);
		sc->cap = ix->nentries;
		sc->shared = xcalloc(sc->cap, sizeof *sc->shared);
		sc->touched = xmalloc(sc->cap * sizeof *sc->touched);
	}
	for (size_t i = 0; i < n; i++) {
		const struct names_posting *p = names_slot(ix->slots, ix->nslots, g[i]);

		if (p->gram != g[i])
			continue;
		for (size_t k = 0; k < p->n; k++) {
			size_t entry = p->entries[k];

			if (sc->shared[entry]++ == 0)
				sc->touched[ntouched++] = entry;
		}
	}
	free(g);
	if (ntouched == 0)
		return 0;

	out = xmalloc(ntouched * sizeof *out);
	for (size_t i = 0; i < ntouched; i++) {
		size_t entry = sc->touched[i];
		const struct names_entry *en = &ix->entries[entry];
		double score = names_jaccard(sc->shared[entry], n, en->ngrams);

		sc->shared[entry] = 0;
		if (score >= min_score) {
			out[nhits].item = en->item;
			out[nhits].score = score;
			nhits++;
		}
	}
	if (nhits == 0) {
		free(out);
		return 0;
	}
	qsort(out, nhits, sizeof *out, names_hit_cmp);
	*hits = out;
	return nhits;
}

void names_index_free(struct names_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nslots; i++)
		free(ix->slots[i].entries);
	free(ix->slots);
	free(ix->entries);
	free(ix->scratch->shared);
	free(ix->scratch->touched);
	free(ix->scratch);
	free(ix);
}
