/*
 * reasons.h - the plan's reason, match, source and domain status words
 * (docs/contract.md section 6), in one place so that the transform, the load, the
 * report and the tests use the same spelling and a typo is a compile error.
 * The action words are enum plan_action (planfmt.h).
 *
 * reasons.c holds the one table of what every reason code means and what a
 * person does next (reason_lookup): the report explains each code where it
 * appears from it, and any other program that explains a code uses the same
 * words.
 */
#ifndef ITG_REASONS_H
#define ITG_REASONS_H

#include <stddef.h>

#define REASON_NAME_MATCH "name_match"
#define REASON_FILTERED_OUT "filtered_out"
#define REASON_ITGLUE_DELETED "itglue_deleted"
#define REASON_SUPERSEDED_BY_MANUAL "superseded_by_manual"
#define REASON_AMBIGUOUS_NAME "ambiguous_name"
#define REASON_NOT_IN_SCOPE "not_in_scope"
#define REASON_DISCONNECT "disconnect"
#define REASON_NO_EMAIL "no_email"
#define REASON_INVALID_EMAIL "invalid_email"
#define REASON_DUPLICATE_EMAIL "duplicate_email"
#define REASON_LICENSE_LIMIT "license_limit"
#define REASON_GOV_DOMAIN "gov_domain"
#define REASON_PROTECTED_DOMAIN "protected_domain"
#define REASON_INVALID_DOMAIN "invalid_domain"
/* review: a linked IT Glue org missing from the snapshot without a
 * confirmed deletion (docs/rules.md 1) */
#define REASON_UNCONFIRMED_DELETION "unconfirmed_deletion"
/* review: an import.select entry that matches no IT Glue org (docs/rules.md 15) */
#define REASON_SELECT_NOT_FOUND "select_not_found"

/*
 * Codes the report gives a change whose plan line carries no reason, so that
 * every row of the report and of changes.csv says why it is there.  They are
 * never written into a plan.
 */
#define REASON_ITGLUE_RENAMED "itglue_renamed"        /* rename */
#define REASON_IMPORT_SELECTED "import_selected"      /* import_organization */
#define REASON_NEW_CONTACT "new_contact"              /* import_user */
#define REASON_EMAIL_MATCH "email_match"              /* link_user */
#define REASON_CONTACT_CHANGED "contact_changed"      /* update_user */
#define REASON_DOMAIN_IMPORTED "domain_imported"      /* import_domain, pending */
#define REASON_INTEGRATION_CONNECTED "integration_connected" /* the integration's status */

/* The plan's inventory (inventory.ndjson): an in-scope IT Glue org nobody
 * selected for import, which can still be imported. */
#define REASON_NOT_SELECTED "not_selected"

#define MATCH_EXACT "exact"
#define MATCH_NORMALIZED "normalized"
#define MATCH_FUZZY "fuzzy"

#define SOURCE_AUTO "auto"
#define SOURCE_MANUAL "manual"
#define SOURCE_IMPORT "import"

#define DOMAIN_PENDING "pending"
#define DOMAIN_UNIMPORTED "unimported"
#define DOMAIN_IMPORTED "imported"

/* What a reason code means, in words, and what a person does about it. */
struct reason_info {
	const char *code;
	const char *meaning;     /* one sentence, no full stop */
	const char *next_step;   /* one sentence, no full stop; "nothing to do" when none */
};

/* Every code above, in the order of this header.  Static storage. */
extern const struct reason_info reason_table[];
extern const size_t reason_table_len;

/* The entry of code, or NULL for a code not in the table (NULL code too). */
const struct reason_info *reason_lookup(const char *code);
/* Its meaning, or a sentence saying the code is unknown to this version. */
const char *reason_meaning(const char *code);
/* Its next step, or a sentence saying where to look. */
const char *reason_next_step(const char *code);

#endif
