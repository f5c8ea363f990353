#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ITG_ALLOC_FAULTS
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

/*
 * The allocation-failure build (make allocfail; xalloc.h).  Every
 * allocation of the project passes fault_point() once: the Nth fails as
 * if malloc had returned NULL.  The variables are read once, before main,
 * and removed from the environment, so a program's children (the stages
 * pipelines/run starts) allocate normally.
 */
/* atomic: transform's threads allocate too (lib/workq) */
static atomic_ulong fault_calls, fault_injected;
static unsigned long fault_at;
static char fault_count_path[4096];

/* Writes "COUNT INJECTED\n" to $ITG_COUNT_ALLOCS (appended), without allocating. */
static void fault_report(void)
{
	char line[64];
	int fd, n;

	n = snprintf(line, sizeof line, "%lu %lu\n", (unsigned long)atomic_load(&fault_calls),
		     (unsigned long)atomic_load(&fault_injected));
	fd = open(fault_count_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "ERROR cannot write %s\n", fault_count_path);
	close(fd);
}

__attribute__((constructor)) static void fault_init(void)
{
	const char *at = getenv("ITG_FAIL_ALLOC_AT"), *count = getenv("ITG_COUNT_ALLOCS");

	if (at && *at)
		fault_at = strtoul(at, NULL, 10);
	if (count && *count && strlen(count) < sizeof fault_count_path) {
		memcpy(fault_count_path, count, strlen(count) + 1);
		atexit(fault_report);
	}
	unsetenv("ITG_FAIL_ALLOC_AT");
	unsetenv("ITG_COUNT_ALLOCS");
}

/* 1 when this allocation is the one to fail. */
static int fault_point(void)
{
	unsigned long n = atomic_fetch_add(&fault_calls, 1) + 1;

	if (n != fault_at)
		return 0;
	atomic_store(&fault_injected, n);
	return 1;
}
#else
#define fault_point() 0
#endif

static void oom(size_t n)
{
	fprintf(stderr, "ERROR out of memory allocating %zu bytes\n", n);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = fault_point() ? NULL : malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = fault_point() ? NULL : calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = fault_point() ? NULL : realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!b.p)
		buf_add(&b, "", 0);
	return buf_detach(&b);
}

void xgrow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*v = xrealloc(*v, n * size);
	*cap = n;
}

void buf_reserve_exact(struct buf *b, size_t n)
{
	size_t need = b->len + n + 1;

	if (need > b->cap) {
		b->p = xrealloc(b->p, need);
		b->cap = need;
	}
}

static void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need > b->cap) {
		size_t n = b->cap ? b->cap : 64;
		while (n < need)
			n *= 2;
		b->p = xrealloc(b->p, n);
		b->cap = n;
	}
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

char *buf_detach(struct buf *b)
{
	char *p = b->p;

	if (!p)
		p = xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
