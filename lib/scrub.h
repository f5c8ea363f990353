/*
 * scrub.h - keeps the IT Glue API key out of text that a server sent.
 *
 * A hostile or broken server may echo the x-api-key header back in an
 * error body (a title, a detail, a message, a plain-text line).  Every such
 * text is scrubbed before it can reach a log line or an error message
 * (docs/contract.md sections 2 and 10): each occurrence of the key is
 * replaced by SCRUB_MARK.  An occurrence is the key's exact bytes, or its
 * URL-encoded form, in which any byte may be written %XX (hex digits of
 * either case), as a server quoting the request line would show it.
 *
 * Ownership: nothing is kept; the key is borrowed for the call.  A NULL or
 * empty key scrubs nothing.
 */
#ifndef ITG_SCRUB_H
#define ITG_SCRUB_H

#include <stddef.h>

#include "xalloc.h"

#define SCRUB_MARK "[key]"

/*
 * Appends text (len bytes) to out, every occurrence of key replaced by
 * SCRUB_MARK; returns the number replaced.
 */
size_t scrub_append(struct buf *out, const char *text, size_t len, const char *key);

/*
 * Scrubs the NUL-terminated s in place; s has room for size bytes.  When
 * the marks make the text longer than size - 1 it is cut at the end (the
 * cut never leaves part of the key: the key is gone before the cut).
 * Returns the number of occurrences replaced.
 */
size_t scrub_inplace(char *s, size_t size, const char *key);

#endif
