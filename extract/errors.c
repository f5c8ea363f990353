#include "errors.h"

#include "json.h"
#include "scrub.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum http_class errors_classify(long status)
{
	if (status >= 200 && status < 300)
		return HTTP_OK;
	if (status == 429)
		return HTTP_RATE_LIMIT;
	if (status == 401 || status == 403)
		return HTTP_AUTH;
	if (status == 0 || status == 408 || status >= 500)
		return HTTP_RETRY;
	return HTTP_FATAL;
}

/* Copies s into out, keeping printable ASCII and turning the rest into '?'. */
static void put_clean(char *out, size_t outlen, const char *s, size_t n)
{
	size_t j = 0;

	if (!outlen)
		return;
	for (size_t i = 0; i < n && j + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[j] = '\0';
}

static int looks_like_html(const char *s, size_t n)
{
	static const char *const marks[] = {"<!doctype", "<html", "<head", "<body", "<?xml"};

	if (n && s[0] == '<')
		return 1;
	for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
		size_t k = strlen(marks[m]);
		for (size_t i = 0; i + k <= n && i < 512; i++)
			if (strncasecmp(s + i, marks[m], k) == 0)
				return 1;
	}
	return 0;
}

/* Appends a member of the server's text to b, without the key. */
static void add_scrubbed(struct buf *b, const char *s, const char *key)
{
	scrub_append(b, s, strlen(s), key);
}

static int summarise_json(const char *body, size_t len, const char *key, char *out,
			  size_t outlen)
{
	char err[128];
	yajl_val doc = json_parse(body, len, err, sizeof err);
	yajl_val errors, first;
	const char *title = NULL, *detail = NULL, *message;
	struct buf text = {0};

	if (!doc)
		return 0;
	errors = json_get(doc, "errors");
	first = errors && YAJL_IS_ARRAY(errors) && errors->u.array.len ? errors->u.array.values[0]
								       : NULL;
	if (first) {
		title = json_get_str(first, "title");
		detail = json_get_str(first, "detail");
	}
	message = json_get_str(doc, "message");
	/* scrubbed whole, before the summary is cut to outlen */
	if (title && detail && strcmp(title, detail) != 0) {
		add_scrubbed(&text, title, key);
		buf_adds(&text, ": ");
		add_scrubbed(&text, detail, key);
	} else if (title || detail) {
		add_scrubbed(&text, title ? title : detail, key);
	} else if (message) {
		add_scrubbed(&text, message, key);
	} else {
		buf_addf(&text, "JSON body (%zu bytes)", len);
	}
	yajl_tree_free(doc);
	put_clean(out, outlen, buf_str(&text), text.len);
	buf_free(&text);
	return 1;
}

void errors_summarise_body(const char *body, size_t len, const char *key, char *out,
			   size_t outlen)
{
	size_t start = 0, end = len;

	while (start < len && strchr(" \t\r\n", body[start]))
		start++;
	while (end > start && strchr(" \t\r\n", body[end - 1]))
		end--;
	if (start == end) {
		snprintf(out, outlen, "empty body");
		return;
	}
	if (body[start] == '{' && summarise_json(body + start, end - start, key, out, outlen))
		return;
	if (looks_like_html(body + start, end - start)) {
		snprintf(out, outlen, "HTML page (%zu bytes)", len);
		return;
	}
	if (body[start] == '{' || body[start] == '[') {
		snprintf(out, outlen, "unreadable JSON body (%zu bytes)", len);
		return;
	}
	/*
	 * plain text, e.g. a gateway's "Endpoint request timed out": the first
	 * line, scrubbed and then cut (a key that starts before the cut is
	 * replaced whole, even in its URL-encoded form)
	 */
	{
		size_t n = end - start, keep = 120 + (key ? 3 * strlen(key) : 0);
		const char *nl = memchr(body + start, '\n', n);
		struct buf line = {0};

		if (nl)
			n = (size_t)(nl - (body + start));
		if (n > keep)
			n = keep;
		scrub_append(&line, body + start, n, key);
		put_clean(out, outlen, buf_str(&line), line.len < 120 ? line.len : 120);
		buf_free(&line);
	}
}

int errors_auth(struct itg_err *e, long status, const char *resource, const char *region,
		const char *base_url, const char *summary)
{
	char where[600];

	if (region && *region)
		snprintf(where, sizeof where, "this run used region %s, %s", region, base_url);
	else
		snprintf(where, sizeof where, "this run used %s", base_url);
	if (status == 401)
		return err_set(e, ITG_EXIT_AUTH,
			       "IT Glue refused access to %s (HTTP 401, %s): the API key may lack "
			       "access to this resource, or be wrong, revoked or issued for another "
			       "region (%s), or this machine's IP address is not on the account's "
			       "API allowlist; check the key under Account > Settings > API Keys, "
			       "the region, and the allowlist",
			       resource, summary, where);
	return err_set(e, ITG_EXIT_AUTH,
		       "IT Glue refused the API key (HTTP %ld on %s, %s): the key is wrong or "
		       "revoked, or it was issued for another region (%s), or this machine's "
		       "IP address is not on the account's API allowlist; check the key under "
		       "Account > Settings > API Keys, the region, and the allowlist",
		       status, resource, summary, where);
}

int errors_fatal(struct itg_err *e, long status, const char *resource, long long page,
		 long page_size, const char *summary)
{
	const char *hint;
	char size_hint[96];

	switch (status) {
	case 422:
		snprintf(size_hint, sizeof size_hint,
			 "; if the page size is refused, lower --page-size (now %ld)", page_size);
		hint = size_hint;
		break;
	case 404:
		hint = "; check the region or --base-url";
		break;
	case 301: case 302: case 303: case 307: case 308:
		hint = "; redirects are not followed (the API key must not go to another host): "
		       "check the region or --base-url";
		break;
	default:
		hint = "; check the IT Glue API status and retry later";
		break;
	}
	return err_set(e, ITG_EXIT_RUNTIME, "IT Glue answered HTTP %ld for %s page %lld (%s)%s",
		       status, resource, page, summary, hint);
}
