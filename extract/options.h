/*
 * options.h - checking what the operator asked for before any request:
 * the resource list, the region or base URL, and the pipeline's defaults.
 */
#ifndef ITG_EXTRACT_OPTIONS_H
#define ITG_EXTRACT_OPTIONS_H

#include "err.h"
#include "pipeline.h"
#include "snapshot.h"

/* "organizations,contacts" -> sel[] flags.  Unknown or empty names are ITG_EXIT_USAGE. */
int extract_parse_resources(const char *list, int sel[RES_COUNT], struct itg_err *e);

/*
 * The resources a product needs: BullPhish ID all but domains, Dark Web ID
 * all but contacts and contact_types, no product all six.
 */
void extract_default_resources(enum product p, int sel[RES_COUNT]);

/* The base URL of region "us", "eu" or "au"; NULL for anything else. */
const char *extract_region_url(const char *region);

/* 1 when host (as in a URL: "127.0.0.1", "[::1]", "localhost") is loopback. */
int extract_host_is_loopback(const char *host);

/*
 * Resolves the URL to talk to: base_url when given (https anywhere, http
 * only to a loopback host; no user info, query or fragment), else the
 * region's.  *url is newly allocated without a trailing '/'; *allow_http
 * says whether plain http is allowed.  Errors are ITG_EXIT_USAGE.
 */
int extract_resolve_base_url(const char *region, const char *base_url, char **url,
			     int *allow_http, struct itg_err *e);

#endif
