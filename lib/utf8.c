/*
 * utf8.c - strict UTF-8 validation (RFC 3629, table 3-7 of the Unicode
 * standard): each lead byte fixes the length and the range of the second
 * byte, which is what rules out overlong forms, surrogates and code points
 * above U+10FFFF without decoding.
 */
#include "utf8.h"

#include <string.h>

size_t utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			if (c == 0xe0)
				lo = 0xa0;          /* overlong below U+0800 */
			else if (c == 0xed)
				hi = 0x9f;          /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			if (c == 0xf0)
				lo = 0x90;          /* overlong below U+10000 */
			else if (c == 0xf4)
				hi = 0x8f;          /* above U+10FFFF */
		} else {
			return i;                   /* 0x80-0xc1, 0xf5-0xff */
		}
		if (len - i < n || p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (size_t k = 2; k < n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return i;
		i += n;
	}
	return len;
}

int utf8_valid(const char *s)
{
	size_t len = strlen(s);

	return utf8_invalid_at(s, len) == len;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}
