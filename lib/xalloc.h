/*
 * xalloc.h - allocation that cannot fail quietly, and a growable string.
 *
 * Out of memory is not an error a batch stage can recover from: x* functions
 * print one line and exit 1.  Everything they return is owned by the caller.
 *
 * xmalloc, xcalloc and xrealloc are the one counting point of every
 * allocation the project makes (the other x* functions, buf growth, the
 * arenas, and yajl's generators and libcsv's parser through the hooks of
 * lib/json.c and lib/csvtab.c).  Built with -DITG_ALLOC_FAULTS (make
 * allocfail) they read two environment variables at start, and remove them
 * so that child processes do not see them:
 *   ITG_FAIL_ALLOC_AT=N   the Nth allocation fails (prints the out of memory
 *                         line and exits 1, as a real failure does)
 *   ITG_COUNT_ALLOCS=FILE at exit, "COUNT INJECTED" is appended to FILE: the
 *                         allocations made, and N if the failure was injected
 *                         (0 if the run ended first)
 * A release build has neither.
 */
#ifndef ITG_XALLOC_H
#define ITG_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *v (of *cap elements of size) so that it holds at least need. */
void xgrow(void **v, size_t *cap, size_t need, size_t size);

/* A NUL-terminated growable byte string.  {0} is a valid empty buffer. */
struct buf {
	char *p;     /* NULL until the first add; always NUL-terminated after */
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const void *data, size_t n);
/*
 * Makes room for exactly n more bytes (and the NUL) when b has less: for a
 * caller that knows the final size, such as a whole file read after fstat,
 * so that a 100 MB plan takes 100 MB and not the 128 MB of doubling.
 */
void buf_reserve_exact(struct buf *b, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);          /* len = 0, keeps the memory */
void buf_free(struct buf *b);
const char *buf_str(const struct buf *b); /* "" for an empty buffer */
char *buf_detach(struct buf *b);        /* caller frees; buffer is empty after */

#endif
