/*
 * pipeline.h - the pipeline YAML (sync settings, docs/contract.md section 4).
 *
 * Strict: an unknown key, a duplicate key, a wrong type, a value outside its
 * list, an anchor/alias, or a key of the other product is ITG_EXIT_USAGE
 * naming the file, line and column.  Relative paths are resolved against the
 * folder holding the file.  Absent keys take the defaults of docs/rules.md 17.
 */
#ifndef ITG_PIPELINE_H
#define ITG_PIPELINE_H

#include <stddef.h>

#include "err.h"
#include "product.h"

enum auto_link { AUTO_LINK_OFF, AUTO_LINK_EXACT, AUTO_LINK_NORMALIZED, AUTO_LINK_FUZZY };

/* "off" / "exact" / ... */
const char *auto_link_name(enum auto_link a);

/*
 * One entry of a list that names IT Glue things.  docs/rules.md 4 and 15: a YAML
 * plain integer scalar is an id (is_int = 1); any other scalar is a string
 * (is_int = 0; for filters trimmed, case-insensitive; digit strings may also
 * be ids, decided by the rule code).
 */
struct sel_entry {
	char *text;
	int is_int;
	int line, col;   /* 1-based position in the pipeline file */
};

/* all | none | [list].  For filters `none` is not allowed. */
struct selector {
	int all;
	int none;
	size_t n;
	struct sel_entry *v;
};

struct import_override {
	struct sel_entry target;   /* itglue_organization */
	char *employee_count;      /* NULL = not overridden */
	char *industry;            /* NULL = not overridden */
	int phishing;              /* -1 = not overridden, else 0/1 */
	int training;              /* -1 = not overridden, else 0/1 */
	int line;
};

#define LICENSE_UNLIMITED (-1LL)

/*
 * safety.max_unlinks / safety.max_user_unlinks (docs/contract.md section
 * 10): how many links one plan may remove.  A percentage P allows
 * max(10, ceil(P/100 x N)) of the N links the store held when the plan was
 * made; a count allows exactly that many.
 */
struct safety_limit {
	int is_percent;     /* 1: percent holds P; 0: count holds the limit */
	double percent;     /* 0-100 */
	long long count;
};

/* The number of removals a limit allows out of n links. */
long long safety_allowance(const struct safety_limit *l, long long n);

struct pipeline {
	char *path;          /* as given */
	char *dir;           /* folder holding the file */
	char *name;          /* required */
	enum product product;/* required */

	/* itglue: */
	char *region;        /* us | eu | au; default "us" */
	char *api_key_file;  /* resolved path or NULL */
	char *base_url;      /* itglue.base_url (optional; for test servers) or NULL */
	long base_url_line, base_url_col; /* its position, for itg-extract's refusal */
	double rate;         /* itglue.rate, requests/s; 0 = stage default */
	long concurrency;    /* itglue.concurrency; 0 = default */
	long timeout;        /* itglue.timeout, seconds; 0 = default */
	long retries;        /* itglue.retries; -1 = default */
	long page_size;      /* itglue.page_size; 0 = default */
	int incremental;     /* itglue.incremental: start from the previous snapshot; default 0 */
	long long full_every;/* itglue.full_every, seconds: a full walk at least this often;
			      * default PIPELINE_FULL_EVERY_DEFAULT */

	char *store;         /* resolved path; required by transform/load */
	char *out;           /* resolved path; default "<dir>/../out" */
	long keep_runs;      /* keep_runs: N (pipelines/run retention); default 14 */

	/* sync: */
	struct selector organization_types;    /* default all */
	struct selector organization_statuses; /* default all */
	enum auto_link auto_link;              /* default normalized */
	double fuzzy_threshold;                /* default 0.92 */
	int contacts_enabled;                  /* bullphish only; default 0 */
	struct selector contact_types;         /* default all */

	/* import: */
	struct selector import_select;         /* default none */
	char *default_employee_count;          /* default "11-50" */
	char *default_industry;                /* default "Other" */
	int default_phishing;                  /* bullphish only; default 0 */
	int default_training;
	struct import_override *overrides;
	size_t n_overrides;

	/* licenses: LICENSE_UNLIMITED when absent */
	long long license_phishing;
	long long license_training;
	long long license_domains;

	/* domains: (darkwebid only) */
	char *protected_domains;               /* resolved path or NULL */

	/* safety: default 10% each; max_user_unlinks is bullphish only */
	struct safety_limit max_unlinks;
	struct safety_limit max_user_unlinks;

	/* Raw bytes of the file, for the plan's settings hash. */
	char *raw;
	size_t raw_len;
};

/* itglue.full_every's default: a day. */
#define PIPELINE_FULL_EVERY_DEFAULT (24LL * 3600)
/* The longest itglue.full_every: ten years. */
#define PIPELINE_FULL_EVERY_MAX (3650LL * 86400)

/*
 * A duration as itglue.full_every and itg-extract --full-every take it: a
 * whole number from 1 followed by m (minutes), h (hours) or d (days), at
 * most PIPELINE_FULL_EVERY_MAX: "30m", "24h", "7d".  0 with *seconds, or
 * -1 when s is anything else.
 */
int pipeline_parse_duration(const char *s, long long *seconds);

/* Loads and validates path.  On failure p is left empty (nothing to free). */
int pipeline_load(const char *path, struct pipeline *p, struct itg_err *e);
void pipeline_free(struct pipeline *p);

/* The valid employee counts and industries (NULL-terminated). */
extern const char *const pipeline_employee_counts[];
extern const char *const pipeline_industries[];

#endif
