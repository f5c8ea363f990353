/*
 * generate.c - a deterministic IT Glue data set of any size (--generate).
 *
 * Every record is a pure function of (seed, resource, index): the tables
 * hold only what filters and sorting need, and a record's JSON is rendered
 * from its index when a page holding it is served.  The data carries the
 * awkward cases a sync must handle: shared and non-ASCII organization names,
 * 18-digit ids, null types and statuses, contacts with no, one, several or
 * invalid emails, and .gov, protected-looking and invalid domains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "mock.h"
#include "timefmt.h"
#include "xalloc.h"

#define BIG_ID_BASE 900000000000000000LL   /* 18 digits, beyond a double's 2^53 */
#define TIME_BASE 1420070400LL             /* 2015-01-01T00:00:00Z */
#define MAX_RECORDS 50000000LL

enum { TYPE_CUSTOMER = 10, TYPE_PROSPECT, TYPE_INTERNAL, TYPE_VENDOR };
enum { STATUS_ACTIVE = 20, STATUS_INACTIVE };
enum { CT_EMPLOYEE = 30, CT_APPROVER, CT_TERMINATED, CT_VENDOR_SUPPORT };

enum tag { TAG_ORG = 1, TAG_NAME, TAG_COUNT, TAG_CONTACT, TAG_DOMAIN };

struct named {
	int64_t id;
	const char *name;
};

static const struct named org_types[] = {
	{TYPE_CUSTOMER, "Customer"}, {TYPE_PROSPECT, "Prospect"},
	{TYPE_INTERNAL, "Internal"}, {TYPE_VENDOR, "Vendor"},
};
static const struct named org_statuses[] = {
	{STATUS_ACTIVE, "Active"}, {STATUS_INACTIVE, "Inactive"},
};
static const struct named contact_types[] = {
	{CT_EMPLOYEE, "Employee"}, {CT_APPROVER, "Approver"},
	{CT_TERMINATED, "Terminated"}, {CT_VENDOR_SUPPORT, "Vendor Support"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const adjectives[32] = {
	"Blue", "Red", "Green", "Silver", "Golden", "North", "South", "East",
	"West", "Summit", "River", "Lake", "Harbor", "Pine", "Oak", "Maple",
	"Granite", "Coastal", "Prairie", "Valley", "Bright", "Swift", "Iron", "Cedar",
	"Liberty", "Pioneer", "Metro", "Union", "Atlas", "Beacon", "Crescent", "Evergreen",
};
static const char *const nouns[32] = {
	"Falcon", "Ridge", "Bridge", "Harvest", "Anchor", "Compass", "Lantern", "Meadow",
	"Stone", "Forge", "Orchard", "Canyon", "Summit", "Delta", "Grove", "Haven",
	"Point", "Crest", "Field", "Springs", "Hollow", "Brook", "Mills", "Heights",
	"Gate", "Square", "Trail", "Works", "Peak", "Shore", "Park", "Bay",
};
static const char *const kinds[16] = {
	"Dental", "Marine", "Logistics", "Law Group", "Bakery", "Accounting", "Clinic",
	"Construction", "Realty", "Motors", "Media", "Insurance", "Farms", "Hotel",
	"Pharmacy", "Schools",
};
static const char *const suffixes[8] = {"", "", "LLC", "Inc", "Ltd", "GmbH", "Co", "Corp."};
static const char *const non_ascii[6] = {"Café", "Zürich", "Ørsted", "Łódź", "Málaga", "Straße"};
static const char *const first_names[24] = {
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
	"David", "Susan", "Maria", "Thomas", "Sarah", "Daniel", "Karen", "Paul",
	"Nancy", "Mark", "Lisa", "Steven", "José", "Zoë", "Björn", "Amélie",
};
static const char *const last_names[24] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
	"White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King",
};

struct mock_gen {
	struct mock_gen_params p;
	long *contact_start;   /* orgs + 1 prefix sums: org i owns [start[i], start[i+1]) */
};

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t hv(const struct mock_gen *g, enum tag t, uint64_t i)
{
	return mix64(mix64(g->p.seed * 0x100000001b3ULL + (uint64_t)t) ^ i);
}

/* A few organizations get 18-digit ids: every 1000th and the last one. */
static int org_has_big_id(const struct mock_gen *g, long i)
{
	return g->p.orgs >= 10 && (i == g->p.orgs - 1 || i % 1000 == 999);
}

static int64_t org_id(const struct mock_gen *g, long i)
{
	return org_has_big_id(g, i) ? BIG_ID_BASE + i : (int64_t)i + 1;
}

static void iso_time(int64_t t, char out[32])
{
	time_format_rfc3339((time_t)t, 0, out);
}

static int64_t org_created(long i)
{
	return TIME_BASE + (int64_t)i * 600;
}

static int64_t org_updated(const struct mock_gen *g, long i)
{
	return org_created(i) + (int64_t)(hv(g, TAG_ORG, (uint64_t)i) % (3 * 365 * 86400LL));
}

/*
 * Names are unique by construction (a mixed-radix reading of the index),
 * except that every 97th organization repeats its neighbour's name, and
 * every 41st starts with a non-ASCII word.
 */
static void org_name_parts(const struct mock_gen *g, long i, const char **adj, long *noun,
			   long *kind, long *round, const char **suffix)
{
	long j = i % 97 == 96 ? i - 1 : i;
	uint64_t h = hv(g, TAG_NAME, (uint64_t)j);
	long a = j % 32;

	*noun = (j / 32) % 32;
	*kind = (j / 1024) % 16;
	*round = j / 16384;
	*adj = j % 41 == 40 ? non_ascii[(h >> 8) % COUNT(non_ascii)]
			   : adjectives[(uint64_t)(a * 13 + *noun) % 32];
	*suffix = suffixes[(h >> 16) % COUNT(suffixes)];
}

static void org_name(const struct mock_gen *g, long i, struct buf *b)
{
	const char *adj, *suffix;
	long noun, kind, round;

	if (i == 0) {
		buf_adds(b, "Mock Partner MSP");
		return;
	}
	org_name_parts(g, i, &adj, &noun, &kind, &round, &suffix);
	buf_addf(b, "%s %s %s", adj, nouns[noun], kinds[kind]);
	if (round)
		buf_addf(b, " %ld", round + 1);
	if (*suffix)
		buf_addf(b, " %s", suffix);
}

/* An ASCII label for emails and domains: "blueharbordental42". */
static void org_slug(const struct mock_gen *g, long i, struct buf *b)
{
	const char *adj, *suffix, *p;
	long noun, kind, round;

	org_name_parts(g, i, &adj, &noun, &kind, &round, &suffix);
	for (p = adj; *p; p++)
		if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
			buf_addc(b, (char)(*p | 0x20));
	for (p = nouns[noun]; *p; p++)
		buf_addc(b, (char)(*p | 0x20));
	for (p = kinds[kind]; *p && *p != ' '; p++)
		buf_addc(b, (char)(*p | 0x20));
	buf_addf(b, "%ld", i + 1);
}

static void org_class(const struct mock_gen *g, long i, int64_t *type, int64_t *status)
{
	uint64_t h = hv(g, TAG_ORG, (uint64_t)i) >> 32;
	unsigned t = (unsigned)(h % 100), s = (unsigned)((h >> 8) % 1000);

	if (i == 0) {
		*type = TYPE_INTERNAL;
		*status = STATUS_ACTIVE;
		return;
	}
	*type = t < 1 ? 0 : t < 80 ? TYPE_CUSTOMER : t < 90 ? TYPE_PROSPECT : TYPE_VENDOR;
	*status = s < 5 ? 0 : s < 850 ? STATUS_ACTIVE : STATUS_INACTIVE;
}

static const char *named_name(const struct named *list, size_t n, int64_t id)
{
	for (size_t k = 0; k < n; k++)
		if (list[k].id == id)
			return list[k].name;
	return NULL;
}

static long contact_org(const struct mock_gen *g, long c)
{
	long lo = 0, hi = g->p.orgs;   /* the last org whose start is <= c */

	while (hi - lo > 1) {
		long mid = lo + (hi - lo) / 2;
		if (g->contact_start[mid] <= c)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int64_t contact_updated(const struct mock_gen *g, long c, long org)
{
	return org_created(org) + 3600 + (int64_t)(hv(g, TAG_CONTACT, (uint64_t)c) >> 40) % (4 * 365 * 86400LL);
}

static int64_t contact_type(const struct mock_gen *g, long c)
{
	unsigned t = (unsigned)((hv(g, TAG_CONTACT, (uint64_t)c) >> 16) % 100);

	return t < 70 ? CT_EMPLOYEE : t < 80 ? CT_APPROVER : t < 92 ? CT_TERMINATED
	       : t < 97 ? CT_VENDOR_SUPPORT : 0;
}

static int64_t domain_updated(const struct mock_gen *g, long d, long org)
{
	return org_created(org) + 7200 + (int64_t)(hv(g, TAG_DOMAIN, (uint64_t)d) >> 40) % (2 * 365 * 86400LL);
}

int mock_data_generate(struct mock_data *d, const struct mock_gen_params *p, struct itg_err *e)
{
	struct mock_gen *g;
	struct mock_table *t;
	long total;

	if (!p) {   /* neither --data nor --generate: an empty account */
		for (int r = 0; r < MOCK_RESOURCE_COUNT; r++)
			mock_table_index(&d->t[r]);
		return 0;
	}
	if ((long long)p->orgs * (p->contacts_per_org * 3 / 2 + 1) > MAX_RECORDS ||
	    (long long)p->orgs * p->domains_per_org > MAX_RECORDS)
		return err_set(e, ITG_EXIT_USAGE,
			       "--generate %ld makes over %lld records: lower --generate, "
			       "--contacts-per-org or --domains-per-org",
			       p->orgs, MAX_RECORDS);
	g = xcalloc(1, sizeof *g);
	g->p = *p;
	d->gen = g;

	t = &d->t[MOCK_ORGANIZATIONS];
	t->n = (size_t)p->orgs;
	t->recs = xcalloc(t->n, sizeof *t->recs);
	g->contact_start = xcalloc((size_t)p->orgs + 1, sizeof *g->contact_start);
	total = 0;
	for (long i = 0; i < p->orgs; i++) {
		struct mock_rec *rec = &t->recs[i];
		long cpo = p->contacts_per_org;

		rec->id = org_id(g, i);
		org_class(g, i, &rec->type, &rec->status);
		/* unsorted order is updated-at order, never id order */
		rec->key = (uint64_t)org_updated(g, i);
		rec->updated = org_updated(g, i) * 1000;
		rec->src = (uint32_t)i;
		g->contact_start[i] = total;
		if (cpo > 0)
			total += cpo / 2 + (long)(hv(g, TAG_COUNT, (uint64_t)i) % (uint64_t)(cpo + 1));
	}
	g->contact_start[p->orgs] = total;
	mock_table_index(t);

	t = &d->t[MOCK_CONTACTS];
	t->n = (size_t)total;
	t->recs = xcalloc(t->n ? t->n : 1, sizeof *t->recs);
	for (long i = 0; i < p->orgs; i++) {
		for (long c = g->contact_start[i]; c < g->contact_start[i + 1]; c++) {
			struct mock_rec *rec = &t->recs[c];
			rec->id = c + 1;
			rec->org = org_id(g, i);
			rec->type = contact_type(g, c);
			rec->key = (uint64_t)contact_updated(g, c, i);
			rec->updated = contact_updated(g, c, i) * 1000;
			rec->src = (uint32_t)c;
		}
	}
	mock_table_index(t);

	t = &d->t[MOCK_DOMAINS];
	t->n = (size_t)(p->orgs * p->domains_per_org);
	t->recs = xcalloc(t->n ? t->n : 1, sizeof *t->recs);
	for (size_t k = 0; k < t->n; k++) {
		struct mock_rec *rec = &t->recs[k];
		long org = (long)k / p->domains_per_org;
		rec->id = (int64_t)k + 1;
		rec->org = org_id(g, org);
		rec->key = (uint64_t)rec->id;
		rec->updated = domain_updated(g, (long)k, org) * 1000;
		rec->src = (uint32_t)k;
	}
	mock_table_index(t);

	{
		static const struct {
			int r;
			const struct named *list;
			size_t n;
		} small[] = {
			{MOCK_ORGANIZATION_TYPES, org_types, COUNT(org_types)},
			{MOCK_ORGANIZATION_STATUSES, org_statuses, COUNT(org_statuses)},
			{MOCK_CONTACT_TYPES, contact_types, COUNT(contact_types)},
		};
		for (size_t s = 0; s < COUNT(small); s++) {
			t = &d->t[small[s].r];
			t->n = small[s].n;
			t->recs = xcalloc(t->n, sizeof *t->recs);
			for (size_t k = 0; k < t->n; k++) {
				t->recs[k].id = small[s].list[k].id;
				t->recs[k].key = (uint64_t)small[s].list[k].id;
				t->recs[k].updated = TIME_BASE * 1000;
				t->recs[k].src = (uint32_t)k;
			}
			mock_table_index(t);
		}
	}
	return 0;
}

/* ---- rendering ---------------------------------------------------------- */

static void kv_time(yajl_gen y, const char *key, int64_t t)
{
	char ts[32];

	iso_time(t, ts);
	json_kv_str(y, key, ts);
}

static void kv_fk(yajl_gen y, const char *key, int64_t id)
{
	json_key(y, key);
	if (id)
		yajl_gen_integer(y, (long long)id);
	else
		yajl_gen_null(y);
}

static void open_resource(yajl_gen y, int r, int64_t id)
{
	char text[32];

	snprintf(text, sizeof text, "%lld", (long long)id);
	yajl_gen_map_open(y);
	json_kv_str(y, "id", text);
	json_kv_str(y, "type", mock_resource_type(r));
	json_key(y, "attributes");
	yajl_gen_map_open(y);
}

static void close_resource(yajl_gen y)
{
	yajl_gen_map_close(y);   /* attributes */
	json_key(y, "relationships");
	yajl_gen_map_open(y);
	yajl_gen_map_close(y);
	yajl_gen_map_close(y);
}

static void render_named(yajl_gen y, int r, const struct named *n)
{
	open_resource(y, r, n->id);
	json_kv_str(y, "name", n->name);
	kv_time(y, "created-at", TIME_BASE);
	kv_time(y, "updated-at", TIME_BASE);
	json_key(y, "synced");
	yajl_gen_bool(y, 0);
	close_resource(y);
}

static void render_org(const struct mock_gen *g, long i, yajl_gen y)
{
	struct buf name = {0}, slug = {0};
	int64_t type, status;

	org_name(g, i, &name);
	org_slug(g, i, &slug);
	org_class(g, i, &type, &status);
	open_resource(y, MOCK_ORGANIZATIONS, org_id(g, i));
	json_kv_str(y, "name", buf_str(&name));
	json_kv_str(y, "short-name", buf_str(&slug));
	json_kv_str(y, "description", NULL);
	json_kv_str(y, "alert", NULL);
	json_kv_str(y, "quick-notes", NULL);
	json_kv_bool(y, "primary", i == 0);
	kv_fk(y, "organization-type-id", type);
	json_kv_str(y, "organization-type-name", named_name(org_types, COUNT(org_types), type));
	kv_fk(y, "organization-status-id", status);
	json_kv_str(y, "organization-status-name",
		    named_name(org_statuses, COUNT(org_statuses), status));
	json_kv_str(y, "parent-id", NULL);
	json_kv_str(y, "ancestor-ids", "[]");
	json_kv_str(y, "logo", "");
	kv_time(y, "created-at", org_created(i));
	kv_time(y, "updated-at", org_updated(g, i));
	close_resource(y);
	buf_free(&name);
	buf_free(&slug);
}

static void lower_into(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, *s >= 'A' && *s <= 'Z' ? (char)(*s | 0x20) : *s);
}

static void email(yajl_gen y, const char *value, int primary, const char *label)
{
	yajl_gen_map_open(y);
	json_kv_str(y, "value", value);
	json_kv_bool(y, "primary", primary);
	json_kv_str(y, "label-name", label);
	yajl_gen_map_close(y);
}

/*
 * Email cases, by share: none 6%, one invalid 4%, one valid 60%, valid plus
 * a second 15%, invalid primary with a valid secondary 7%, only a
 * non-primary one 4%, one in mixed case 4%.  Non-ASCII first names give
 * invalid addresses on their own, and repeated names give duplicates.
 */
static void render_emails(const struct mock_gen *g, long c, const char *first, const char *last,
			  const char *slug, yajl_gen y)
{
	uint64_t h = hv(g, TAG_CONTACT, (uint64_t)c);
	unsigned scheme = (unsigned)((h >> 24) % 100), variant = (unsigned)((h >> 32) % 3);
	struct buf local = {0}, v = {0}, w = {0};

	lower_into(&local, first);
	buf_addc(&local, '.');
	lower_into(&local, last);
	buf_addf(&v, "%s@%s.example", buf_str(&local), slug);
	if (variant == 0)
		buf_addf(&w, "%s(at)%s.example", buf_str(&local), slug);
	else if (variant == 1)
		buf_addf(&w, "%s@%s", buf_str(&local), slug);
	else
		buf_addf(&w, "%s %s@%s.example", first, last, slug);

	yajl_gen_array_open(y);
	if (scheme < 6) {
		/* no email */
	} else if (scheme < 10) {
		email(y, buf_str(&w), 1, "Work");
	} else if (scheme < 70) {
		email(y, buf_str(&v), 1, "Work");
	} else if (scheme < 85) {
		struct buf home = {0};
		buf_addf(&home, "%s%ld@mail.example", buf_str(&local), c + 1);
		email(y, buf_str(&v), 1, "Work");
		email(y, buf_str(&home), 0, "Home");
		buf_free(&home);
	} else if (scheme < 92) {
		email(y, buf_str(&w), 1, "Work");
		email(y, buf_str(&v), 0, "Home");
	} else if (scheme < 96) {
		email(y, buf_str(&v), 0, "Work");
	} else {
		struct buf mixed = {0};
		buf_addf(&mixed, "%s.%s@%s.Example", first, last, slug);
		email(y, buf_str(&mixed), 1, "Work");
		buf_free(&mixed);
	}
	yajl_gen_array_close(y);
	buf_free(&local);
	buf_free(&v);
	buf_free(&w);
}

static void render_contact(const struct mock_gen *g, long c, yajl_gen y)
{
	long org = contact_org(g, c);
	uint64_t h = hv(g, TAG_CONTACT, (uint64_t)c);
	const char *first = first_names[h % COUNT(first_names)];
	const char *last = last_names[(h >> 8) % COUNT(last_names)];
	int64_t type = contact_type(g, c);
	struct buf name = {0}, orgname = {0}, slug = {0};

	buf_addf(&name, "%s %s", first, last);
	org_name(g, org, &orgname);
	org_slug(g, org, &slug);
	open_resource(y, MOCK_CONTACTS, c + 1);
	json_kv_int(y, "organization-id", org_id(g, org));
	json_kv_str(y, "organization-name", buf_str(&orgname));
	json_kv_str(y, "name", buf_str(&name));
	json_kv_str(y, "first-name", first);
	json_kv_str(y, "last-name", last);
	json_kv_str(y, "title", NULL);
	kv_fk(y, "contact-type-id", type);
	json_kv_str(y, "contact-type-name", named_name(contact_types, COUNT(contact_types), type));
	json_kv_str(y, "location-id", NULL);
	json_kv_str(y, "location-name", NULL);
	json_kv_str(y, "important", NULL);
	json_kv_str(y, "notes", NULL);
	json_key(y, "contact-emails");
	render_emails(g, c, first, last, buf_str(&slug), y);
	json_key(y, "contact-phones");
	yajl_gen_array_open(y);
	yajl_gen_array_close(y);
	kv_time(y, "created-at", org_created(org) + 3600);
	kv_time(y, "updated-at", contact_updated(g, c, org));
	close_resource(y);
	buf_free(&name);
	buf_free(&orgname);
	buf_free(&slug);
}

/* Domain cases: .gov / gov.uk 2%, invalid 2%, upper case with a trailing dot 2%. */
static void render_domain(const struct mock_gen *g, long k, yajl_gen y)
{
	long org = k / g->p.domains_per_org, nth = k % g->p.domains_per_org;
	uint64_t h = hv(g, TAG_DOMAIN, (uint64_t)k);
	unsigned scheme = (unsigned)(h % 100);
	static const char *const tlds[] = {"com", "net", "org", "example"};
	struct buf name = {0}, orgname = {0}, slug = {0}, url = {0};

	org_slug(g, org, &slug);
	org_name(g, org, &orgname);
	if (nth)
		buf_addf(&slug, "-%ld", nth + 1);
	if (scheme < 1)
		buf_addf(&name, "%s.gov", buf_str(&slug));
	else if (scheme < 2)
		buf_addf(&name, "%s.gov.uk", buf_str(&slug));
	else if (scheme < 3)
		buf_addf(&name, "http://%s site", buf_str(&slug));
	else if (scheme < 4)
		buf_addf(&name, "%s_mail.example", buf_str(&slug));
	else if (scheme < 6)
		for (const char *p = buf_str(&slug); *p; p++)
			buf_addc(&name, *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p);
	else
		buf_addf(&name, "%s.%s", buf_str(&slug), tlds[(h >> 8) % COUNT(tlds)]);
	if (scheme >= 4 && scheme < 6)
		buf_adds(&name, ".COM.");
	buf_addf(&url, "https://mock.itglue.example/%lld/domains/%ld", (long long)org_id(g, org),
		 k + 1);

	open_resource(y, MOCK_DOMAINS, k + 1);
	json_kv_int(y, "organization-id", org_id(g, org));
	json_kv_str(y, "organization-name", buf_str(&orgname));
	json_kv_str(y, "name", buf_str(&name));
	json_kv_str(y, "registrar-name", (h >> 16) % 3 ? "Example Registrar" : NULL);
	kv_time(y, "expires-on", TIME_BASE + 12 * 365 * 86400LL + (int64_t)((h >> 20) % (365 * 86400LL)));
	json_kv_str(y, "notes", NULL);
	json_kv_str(y, "screenshot", NULL);
	json_kv_str(y, "resource-url", buf_str(&url));
	kv_time(y, "created-at", org_created(org) + 7200);
	kv_time(y, "updated-at", domain_updated(g, k, org));
	close_resource(y);
	buf_free(&name);
	buf_free(&orgname);
	buf_free(&slug);
	buf_free(&url);
}

void mock_gen_render(const struct mock_gen *gen, int r, uint32_t src, yajl_gen g)
{
	switch (r) {
	case MOCK_ORGANIZATIONS:
		render_org(gen, (long)src, g);
		break;
	case MOCK_CONTACTS:
		render_contact(gen, (long)src, g);
		break;
	case MOCK_DOMAINS:
		render_domain(gen, (long)src, g);
		break;
	case MOCK_ORGANIZATION_TYPES:
		render_named(g, r, &org_types[src]);
		break;
	case MOCK_ORGANIZATION_STATUSES:
		render_named(g, r, &org_statuses[src]);
		break;
	case MOCK_CONTACT_TYPES:
		render_named(g, r, &contact_types[src]);
		break;
	default:
		yajl_gen_null(g);
	}
}

void mock_gen_free(struct mock_gen *gen)
{
	if (!gen)
		return;
	free(gen->contact_start);
	free(gen);
}
