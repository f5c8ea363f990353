/*
 * fuzz_protected.c - protected_list_load (docs/rules.md 32) on an arbitrary file,
 * then protected_list_match against each of the file's own lines.
 *
 * Checks: a refusal is a configuration error naming the file; an accepted
 * list never crashes a match, and every exact line it holds matches itself.
 */
#include "fuzz_util.h"

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct protected_list *pl = NULL;
	struct itg_err e = {0};
	const char *path = fuzz_write_file("protected.txt", data, size);
	char *s, *line, *save = NULL;

	if (protected_list_load(path, &pl, &e) != 0) {
		FUZZ_CHECK(e.code == ITG_EXIT_USAGE, "code %d: %s", e.code, e.msg);
		FUZZ_CHECK(strstr(e.msg, "protected.txt") != NULL, "message does not name the file: %s",
			   e.msg);
		return 0;
	}
	s = fuzz_cstr(data, size);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *norm = validate_domain_normalize(line);
		int hit = protected_list_match(pl, norm);
		if (validate_domain(norm) && !strchr(line, '#') && !strchr(line, '*') && line[0] != '.' &&
		    !strchr(line, '\r'))
			FUZZ_CHECK(hit, "listed domain [%s] does not match itself", norm);
		free(norm);
	}
	free(s);
	protected_list_free(pl);
	return 0;
}
