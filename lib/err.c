#include "err.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies text into e->msg, cutting it to fit. */
static void set_msg(struct itg_err *e, const char *text)
{
	size_t n = strlen(text);

	if (n >= sizeof e->msg)
		n = sizeof e->msg - 1;
	memcpy(e->msg, text, n);
	e->msg[n] = '\0';
}

int err_set(struct itg_err *e, int code, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	e->code = code;
	set_msg(e, buf_str(&b));
	buf_free(&b);
	return -1;
}

int err_at(struct itg_err *e, int code, const char *file, long line, long col,
	   const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (!e)
		return -1;
	buf_adds(&b, file);
	if (line > 0)
		buf_addf(&b, ":%ld", line);
	if (line > 0 && col > 0)
		buf_addf(&b, ":%ld", col);
	buf_adds(&b, ": ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	e->code = code;
	set_msg(e, buf_str(&b));
	buf_free(&b);
	return -1;
}

int err_prefix(struct itg_err *e, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_adds(&b, ": ");
	buf_adds(&b, e->msg);
	set_msg(e, buf_str(&b));
	buf_free(&b);
	if (!e->code)
		e->code = ITG_EXIT_RUNTIME;
	return -1;
}

void err_clear(struct itg_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}
