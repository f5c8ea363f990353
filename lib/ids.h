/*
 * ids.h - ids as decimal text.
 *
 * IT Glue ids reach 18 digits and product-store ids are whatever the store
 * holds, beyond what a double keeps exact, so the stages never turn an id
 * into a number: they compare and count on the digits themselves.
 */
#ifndef ITG_IDS_H
#define ITG_IDS_H

/* 1 if s is one or more ASCII digits (NULL and "" are not). */
int id_is_numeric(const char *s);

/*
 * Compares two ids as numbers: leading zeros are ignored, then the shorter
 * is smaller, then byte order.  Non-numeric ids sort after numeric ones,
 * bytewise among themselves.  "007" and "7" compare equal.
 */
int id_cmp(const char *a, const char *b);

/*
 * The decimal successor of max, as a new string the caller frees: "41" ->
 * "42", "999" -> "1000", "099" -> "100" (leading zeros dropped); NULL and
 * "" give "1", the first id of an empty table.  max is expected to be
 * numeric (id_is_numeric): callers pass the largest numeric id they hold.
 */
char *id_next(const char *max);

#endif
