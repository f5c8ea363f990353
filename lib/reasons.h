/*
 * reasons.h - the plan's reason, match, source and domain status words
 * (docs/contract.md section 6), in one place so that the transform, the load, the
 * report and the tests use the same spelling and a typo is a compile error.
 * The action words are enum plan_action (planfmt.h).
 */
#ifndef ITG_REASONS_H
#define ITG_REASONS_H

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

#define MATCH_EXACT "exact"
#define MATCH_NORMALIZED "normalized"
#define MATCH_FUZZY "fuzzy"

#define SOURCE_AUTO "auto"
#define SOURCE_MANUAL "manual"
#define SOURCE_IMPORT "import"

#define DOMAIN_PENDING "pending"
#define DOMAIN_UNIMPORTED "unimported"
#define DOMAIN_IMPORTED "imported"

#endif
