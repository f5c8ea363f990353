/*
 * fuzz_validate.c - validate_email, validate_domain_normalize and the domain
 * tests of transform/validate.c on arbitrary bytes.
 *
 * Checks what validate.c documents: a normalized domain has no ASCII upper
 * case and no leading white space; a domain that passes validate_domain is at
 * most 253 characters of letters, digits, '-' and '.', with at least one
 * dot; a valid email has exactly one '@' between non-empty parts.
 */
#include "fuzz_util.h"

#include <ctype.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char *norm = validate_domain_normalize(s);
	size_t n;

	FUZZ_CHECK(norm != NULL, "NULL normalized domain");
	n = strlen(norm);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(!(norm[i] >= 'A' && norm[i] <= 'Z'), "upper case kept: [%s]", norm);
	/* trimmed before the trailing dot goes, so "a.com ." keeps a space: only the front is sure */
	FUZZ_CHECK(n == 0 || !isspace((unsigned char)norm[0]), "leading white space kept: [%s]", norm);
	if (validate_domain(norm)) {
		FUZZ_CHECK(n <= 253, "valid domain of %zu characters", n);
		FUZZ_CHECK(strchr(norm, '.') != NULL, "valid domain without a dot: [%s]", norm);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(isalnum((unsigned char)norm[i]) || norm[i] == '-' || norm[i] == '.',
				   "valid domain with [%c]: [%s]", norm[i], norm);
		(void)validate_domain_is_gov(norm);
	}
	if (validate_email(s)) {
		const char *at = strchr(s, '@');
		FUZZ_CHECK(at && at != s && at[1] && !strchr(at + 1, '@'), "valid email [%s]", s);
	}
	free(norm);
	free(s);
	return 0;
}
