#include "scrub.h"

#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The length of the occurrence of key that starts at text[at], or 0 when
 * none does: each byte of the key may stand as itself or as %XX.
 */
static size_t match_at(const char *text, size_t len, size_t at, const char *key)
{
	size_t i = at;

	for (const char *k = key; *k; k++) {
		if (i < len && text[i] == *k) {
			i++;
			continue;
		}
		if (i + 2 < len && text[i] == '%') {
			int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
			if (hi >= 0 && lo >= 0 && (char)(hi * 16 + lo) == *k) {
				i += 3;
				continue;
			}
		}
		return 0;
	}
	return i - at;
}

size_t scrub_append(struct buf *out, const char *text, size_t len, const char *key)
{
	size_t i = 0, from = 0, count = 0;

	if (!key || !*key) {
		buf_add(out, text, len);
		return 0;
	}
	while (i < len) {
		size_t n = (text[i] == key[0] || text[i] == '%') ? match_at(text, len, i, key) : 0;

		if (!n) {
			i++;
			continue;
		}
		buf_add(out, text + from, i - from);
		buf_adds(out, SCRUB_MARK);
		count++;
		i += n;
		from = i;
	}
	buf_add(out, text + from, len - from);
	return count;
}

size_t scrub_inplace(char *s, size_t size, const char *key)
{
	struct buf b = {0};
	size_t n = 0, len;

	if (!s || !size || !key || !*key)
		return 0;
	len = strlen(s);
	n = scrub_append(&b, s, len, key);
	if (!n) {
		buf_free(&b);
		return 0;
	}
	len = b.len < size - 1 ? b.len : size - 1;
	memcpy(s, buf_str(&b), len);
	s[len] = '\0';
	buf_free(&b);
	return n;
}
