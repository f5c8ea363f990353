/*
 * faults.c - the arguments of itg-mock's data faults: a lying total, a
 * change in the middle of a walk, single records that fail, and one record
 * too large to be one.  The server applies them (server.c); these only
 * check and store them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mock.h"

/* A decimal id, 1 to 18 digits. */
static int parse_id(const char *s, size_t n, int64_t *out)
{
	char text[24];
	char *end;
	long long v;

	if (n == 0 || n > 18 || strspn(s, "0123456789") < n)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int mock_parse_lie_total(struct mock_config *cfg, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char name[64];
	long n;
	int r;

	if (!colon || (size_t)(colon - arg) >= sizeof name)
		return -1;
	memcpy(name, arg, (size_t)(colon - arg));
	name[colon - arg] = '\0';
	r = mock_resource_lookup(name);
	if (r < 0 || cli_parse_long(colon + 1, -1000000000L, 1000000000L, &n) != 0)
		return -1;
	cfg->lie_total[r] = n;
	return 0;
}

int mock_parse_midwalk_change(struct mock_config *cfg, const char *arg)
{
	const char *colon = strchr(arg, ':');
	int64_t del, add;

	if (!colon || parse_id(arg, (size_t)(colon - arg), &del) != 0 ||
	    parse_id(colon + 1, strlen(colon + 1), &add) != 0 || del == add)
		return -1;
	cfg->midwalk_delete = del;
	cfg->midwalk_add = add;
	return 0;
}

int mock_parse_fail_record(struct mock_config *cfg, const char *arg)
{
	int64_t id;

	if (parse_id(arg, strlen(arg), &id) != 0 || cfg->nfail_records >= MOCK_MAX_FAIL_RECORDS)
		return -1;
	cfg->fail_records[cfg->nfail_records++] = id;
	return 0;
}

int mock_parse_huge_record(struct mock_config *cfg, const char *arg)
{
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char name[64];
	int64_t id;
	long bytes;
	int r;

	if (!c1 || !c2 || (size_t)(c1 - arg) >= sizeof name)
		return -1;
	memcpy(name, arg, (size_t)(c1 - arg));
	name[c1 - arg] = '\0';
	r = mock_resource_lookup(name);
	if (r < 0 || parse_id(c1 + 1, (size_t)(c2 - c1 - 1), &id) != 0 ||
	    cli_parse_long(c2 + 1, 1, 256L << 20, &bytes) != 0)
		return -1;
	cfg->huge_resource = r;
	cfg->huge_id = id;
	cfg->huge_bytes = bytes;
	return 0;
}
