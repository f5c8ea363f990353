#include "log.h"
#include "json.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

static const char *g_stage = "itg";
static enum log_format g_format = LOG_HUMAN;
static int g_quiet, g_verbose, g_progress_shown;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
static const char *const level_json[] = {"debug", "info", "warn", "error"};

void log_init(const char *stage, enum log_format format, int quiet, int verbose)
{
	g_stage = stage;
	g_format = format;
	g_quiet = quiet;
	g_verbose = verbose;
}

const char *log_stage(void)
{
	return g_stage;
}

int log_parse_format(const char *s, enum log_format *out)
{
	if (strcmp(s, "human") == 0 || strcmp(s, "text") == 0)
		*out = LOG_HUMAN;
	else if (strcmp(s, "json") == 0)
		*out = LOG_JSON;
	else
		return -1;
	return 0;
}

static void clear_progress(void)
{
	if (g_progress_shown) {
		fputs("\r\033[K", stderr);
		g_progress_shown = 0;
	}
}

static void emit_json(enum log_level level, const char *msg)
{
	yajl_gen g = yajl_gen_alloc(&json_alloc_funcs);
	const unsigned char *out;
	size_t len;
	char ts[TIME_RFC3339_SIZE];

	time_real_now_rfc3339(ts);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"time", 4);
	yajl_gen_string(g, (const unsigned char *)ts, strlen(ts));
	yajl_gen_string(g, (const unsigned char *)"level", 5);
	yajl_gen_string(g, (const unsigned char *)level_json[level], strlen(level_json[level]));
	yajl_gen_string(g, (const unsigned char *)"stage", 5);
	yajl_gen_string(g, (const unsigned char *)g_stage, strlen(g_stage));
	yajl_gen_string(g, (const unsigned char *)"msg", 3);
	yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &out, &len);
	fwrite(out, 1, len, stderr);
	fputc('\n', stderr);
	yajl_gen_free(g);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (level == LOG_DEBUG && !g_verbose)
		return;
	if (level == LOG_INFO && g_quiet)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* one event, one line: flatten embedded newlines */
	for (size_t i = 0; i < b.len; i++)
		if (b.p[i] == '\n' || b.p[i] == '\r')
			b.p[i] = ' ';
	clear_progress();
	if (g_format == LOG_JSON)
		emit_json(level, buf_str(&b));
	else
		fprintf(stderr, "%s %s: %s\n", level_names[level], g_stage, buf_str(&b));
	fflush(stderr);
	buf_free(&b);
}

/*
 * Progress is for a person watching: a terminal on stderr, or a runner that
 * says (ITG_PROGRESS=1) that one watches its own stderr, where it passes the
 * progress on without writing it into its log file.
 */
static int progress_wanted(void)
{
	const char *v;

	if (g_quiet || g_format != LOG_HUMAN)
		return 0;
	if (isatty(STDERR_FILENO))
		return 1;
	v = getenv(LOG_PROGRESS_VAR);
	return v && strcmp(v, "1") == 0;
}

void log_progress(const char *fmt, ...)
{
	va_list ap;

	if (!progress_wanted())
		return;
	fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: ", g_stage);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	g_progress_shown = 1;
}

void log_progress_end(void)
{
	clear_progress();
}
