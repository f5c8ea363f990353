/*
 * errors.h - what an HTTP answer from IT Glue means, and how to say it.
 *
 * Branch on the status first (docs/itglue-api.md section 6); parse a body only
 * when it starts with '{'.  An error body may be JSON:API errors, a
 * gateway's {"message":..}, an HTML page (an unknown route) or nothing, so
 * summaries never require a shape and never print HTML or control bytes.
 */
#ifndef ITG_EXTRACT_ERRORS_H
#define ITG_EXTRACT_ERRORS_H

#include <stddef.h>

#include "err.h"

enum http_class {
	HTTP_OK,          /* 2xx: parse the page */
	HTTP_RETRY,       /* 5xx, 408, no response: retry with backoff */
	HTTP_RATE_LIMIT,  /* 429: honour Retry-After, slow the bucket, retry */
	HTTP_AUTH,        /* 401, 403: never retried, exit 3 */
	HTTP_FATAL,       /* any other status: exit 1 with the body's summary */
};

/* status 0 means no response came back (connection refused, timeout...). */
enum http_class errors_classify(long status);

/*
 * One printable line about body (len bytes, not NUL-terminated), at most
 * outlen - 1 bytes: "Title: detail" from JSON:API errors[0], else the
 * message member, else "JSON body (N bytes)"; "HTML page (N bytes)";
 * "empty body"; or the start of a plain-text body.  Whatever text of the
 * server's it quotes is scrubbed of key (scrub.h; NULL: none) before it is
 * cut, so a server that echoes the API key never gets it into a log line.
 */
void errors_summarise_body(const char *body, size_t len, const char *key, char *out,
			   size_t outlen);

/*
 * Fills e (ITG_EXIT_AUTH) for a 401/403 on resource, naming the likely
 * causes and the region / base URL used.  region may be "" for a custom
 * base URL.  Returns -1.
 */
int errors_auth(struct itg_err *e, long status, const char *resource, const char *region,
		const char *base_url, const char *summary);

/*
 * Fills e (ITG_EXIT_RUNTIME) for a status that is not retried, with a hint
 * (422: lower --page-size; 404: check the base URL).  Returns -1.
 */
int errors_fatal(struct itg_err *e, long status, const char *resource, long long page,
		 long page_size, const char *summary);

#endif
