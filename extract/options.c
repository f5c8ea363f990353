#include "options.h"

#include "xalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int extract_parse_resources(const char *list, int sel[RES_COUNT], struct itg_err *e)
{
	char *copy = xstrdup(list), *save = NULL;
	int any = 0;

	for (int i = 0; i < RES_COUNT; i++)
		sel[i] = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		int r;

		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		r = resource_from_name(tok);
		if (r < 0) {
			err_set(e, ITG_EXIT_USAGE,
				"--resources: unknown resource \"%s\": use organizations, "
				"organization_types, organization_statuses, contacts, contact_types "
				"or domains, separated by commas",
				tok);
			free(copy);
			return -1;
		}
		sel[r] = 1;
		any = 1;
	}
	free(copy);
	if (!any)
		return err_set(e, ITG_EXIT_USAGE, "--resources: the list is empty: name at least "
						  "one resource");
	return 0;
}

void extract_default_resources(enum product p, int sel[RES_COUNT])
{
	for (int i = 0; i < RES_COUNT; i++)
		sel[i] = 1;
	if (p == PRODUCT_BULLPHISH) {
		sel[RES_DOMAINS] = 0;
	} else if (p == PRODUCT_DARKWEBID) {
		sel[RES_CONTACTS] = 0;
		sel[RES_CONTACT_TYPES] = 0;
	}
}

const char *extract_region_url(const char *region)
{
	if (!region)
		return NULL;
	if (strcmp(region, "us") == 0)
		return "https://api.itglue.com";
	if (strcmp(region, "eu") == 0)
		return "https://api.eu.itglue.com";
	if (strcmp(region, "au") == 0)
		return "https://api.au.itglue.com";
	return NULL;
}

/* Whole dotted quad with every part 0-255 and the first 127. */
static int is_loopback_v4(const char *h)
{
	int parts = 0, first = -1;

	while (*h) {
		int v = 0, digits = 0;
		while (isdigit((unsigned char)*h)) {
			v = v * 10 + (*h++ - '0');
			if (++digits > 3)
				return 0;
		}
		if (!digits || v > 255)
			return 0;
		if (first < 0)
			first = v;
		parts++;
		if (*h == '.')
			h++;
		else if (*h)
			return 0;
	}
	return parts == 4 && first == 127;
}

int extract_host_is_loopback(const char *host)
{
	if (!host)
		return 0;
	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return 1;
	if (strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0 ||
	    strcasecmp(host, "[0:0:0:0:0:0:0:1]") == 0)
		return 1;
	return is_loopback_v4(host);
}

int extract_resolve_base_url(const char *region, const char *base_url, char **url,
			     int *allow_http, struct itg_err *e)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *fragment = NULL;
	int rc = 0;
	size_t n;

	*url = NULL;
	*allow_http = 0;
	if (!base_url || !*base_url) {
		const char *r = region && *region ? region : "us";
		const char *known = extract_region_url(r);
		if (!known)
			return err_set(e, ITG_EXIT_USAGE,
				       "unknown region \"%s\": use us, eu or au", r);
		*url = xstrdup(known);
		return 0;
	}
	if (region && *region && !extract_region_url(region))
		return err_set(e, ITG_EXIT_USAGE, "unknown region \"%s\": use us, eu or au", region);
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, base_url, 0) != CURLUE_OK) {
		rc = err_set(e, ITG_EXIT_USAGE,
			     "--base-url: \"%s\" is not a URL: give https://HOST[:PORT]", base_url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
	if (user || query || fragment) {
		rc = err_set(e, ITG_EXIT_USAGE,
			     "--base-url: give only scheme, host, port and path (no user name, "
			     "query or fragment)");
		goto out;
	}
	if (scheme && strcmp(scheme, "https") == 0) {
		/* fine anywhere */
	} else if (scheme && strcmp(scheme, "http") == 0) {
		if (!extract_host_is_loopback(host)) {
			rc = err_set(e, ITG_EXIT_USAGE,
				     "--base-url: plain http is allowed only to loopback "
				     "(127.0.0.1, ::1, localhost), not to %s: use https",
				     host ? host : "this host");
			goto out;
		}
		*allow_http = 1;
	} else {
		rc = err_set(e, ITG_EXIT_USAGE, "--base-url: use an https:// URL (http:// only "
						"to loopback)");
		goto out;
	}
	*url = xstrdup(base_url);
	n = strlen(*url);
	while (n && (*url)[n - 1] == '/')
		(*url)[--n] = '\0';
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(fragment);
	curl_url_cleanup(u);
	return rc;
}
