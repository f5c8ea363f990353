#include "ids.h"
#include "xalloc.h"

#include <string.h>

int id_is_numeric(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int id_cmp(const char *a, const char *b)
{
	int na = id_is_numeric(a), nb = id_is_numeric(b);
	size_t la, lb;

	if (na != nb)
		return na ? -1 : 1;
	if (!na)
		return strcmp(a, b);
	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/*
 * Adds one to the digits in place, right to left, in a copy with one spare
 * leading digit for the carry ("999" -> "0999" -> "1000"), then drops the
 * spare digit when the carry did not reach it.
 */
char *id_next(const char *max)
{
	size_t n;
	char *out;

	if (!max || !*max)
		return xstrdup("1");
	while (*max == '0' && max[1])
		max++;
	n = strlen(max);
	out = xmalloc(n + 2);
	out[0] = '0';
	memcpy(out + 1, max, n + 1);
	for (size_t i = n; i > 0; i--) {
		if (out[i] == '9') {
			out[i] = '0';
			continue;
		}
		out[i]++;
		break;
	}
	if (out[0] == '0' && out[1] != '0')
		memmove(out, out + 1, n + 1);
	else if (out[0] == '0')
		out[0] = '1';
	return out;
}
