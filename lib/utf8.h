/*
 * utf8.h - is this text UTF-8?  The check every reader of operator-edited
 * files applies (docs/contract.md section 10: readers refuse bad bytes, invalid
 * UTF-8 included), so that a Latin-1 name never reaches a plan or a report.
 */
#ifndef ITG_UTF8_H
#define ITG_UTF8_H

#include <stddef.h>

/*
 * The offset of the first byte of s[0..len) that does not begin a
 * well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates
 * U+D800-DFFF, nothing above U+10FFFF, no sequence cut short), or len when
 * the whole text is UTF-8.
 */
size_t utf8_invalid_at(const char *s, size_t len);

/* 1 if the NUL-terminated s is UTF-8 throughout. */
int utf8_valid(const char *s);

/*
 * The length of the longest prefix of s (NUL-terminated) of at most max
 * bytes that ends on a character boundary, for quoting a long value in a
 * message without cutting a character in two.
 */
size_t utf8_prefix(const char *s, size_t max);

#endif
