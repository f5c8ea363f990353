/*
 * validate.h - email and domain tests of docs/rules.md 20, 30, 31 and the
 * protected-domain list of docs/rules.md 32.
 */
#ifndef ITG_VALIDATE_H
#define ITG_VALIDATE_H

#include "err.h"

/* docs/rules.md 20: the usable-email test (trimmed input expected). */
int validate_email(const char *email);          /* 1 valid, 0 not */
/* docs/rules.md 30: trimmed, lower-cased (ASCII), one trailing dot removed; malloc'd. */
char *validate_domain_normalize(const char *raw);
int validate_domain(const char *normalized);    /* 1 valid under the domain rule of reading 20/30 */
int validate_domain_is_gov(const char *normalized); /* docs/rules.md 31 */
struct protected_list;                           /* docs/rules.md 32 */
/* Loads path (blank lines, '#' comments ignored, case-insensitive; ".x" or "*.x" is a suffix;
   other lines match that domain and its subdomains).  NULL path = empty list.  Errors (unreadable
   file, a line that is not a domain or suffix) -> ITG_EXIT_USAGE naming file and line. */
int protected_list_load(const char *path, struct protected_list **out, struct itg_err *e);
int protected_list_match(const struct protected_list *pl, const char *normalized);
void protected_list_free(struct protected_list *pl);

#endif
