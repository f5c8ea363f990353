/*
 * validate.c - the email and domain tests of docs/rules.md 20, 30, 31, 32.
 *
 * Domain rule (readings 20 and 30): at least two labels separated by dots;
 * each label 1..63 ASCII letters, digits or hyphens, not starting or ending
 * with a hyphen; the last label all letters and at least two long, or
 * starting "xn--".  So URLs, paths, underscores, spaces, IPv4 addresses,
 * single labels and one-letter top-level labels fail.  A domain (reading 30,
 * not the domain part of an email) also fails above 253 characters.
 *
 * Protected list (reading 32): "example.com" matches example.com and every
 * subdomain; ".corp.example" and "*.corp.example" match every domain ending
 * in ".corp.example" but NOT corp.example itself (a suffix is a suffix).
 * A suffix may be a single label (".internal"); an exact line must pass the
 * domain rule.  Text after '#' is a comment, lines are trimmed, compared
 * case-insensitively, and one trailing dot is ignored as for domains.
 */
#include "validate.h"

#include "strmap.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALIDATE_LOCAL_MAX 64
#define VALIDATE_LABEL_MAX 63
#define VALIDATE_DOMAIN_MAX 253

static int validate_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int validate_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int validate_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static char validate_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* RFC 5322 atext: ASCII letters, digits and !#$%&'*+/=?^_`{|}~- */
static int validate_is_atext(char c)
{
	return validate_is_alpha(c) || validate_is_digit(c) ||
	       (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* One label of s[0..n): 1..63 letters, digits, hyphens; no hyphen at either end. */
static int validate_label(const char *s, size_t n)
{
	if (n < 1 || n > VALIDATE_LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!validate_is_alpha(s[i]) && !validate_is_digit(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int validate_top_label(const char *s, size_t n)
{
	if (n >= 4 && validate_lower(s[0]) == 'x' && validate_lower(s[1]) == 'n' &&
	    s[2] == '-' && s[3] == '-')
		return 1;
	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!validate_is_alpha(s[i]))
			return 0;
	return 1;
}

/* The domain rule over s[0..n) (no length limit on the whole). */
static int validate_domain_rule(const char *s, size_t n)
{
	size_t start = 0, labels = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!validate_label(s + start, i - start))
			return 0;
		labels++;
		if (i == n)
			return labels >= 2 && validate_top_label(s + start, i - start);
		start = i + 1;
	}
	return 0;
}

/* A dot-atom of 1..64 characters: atoms of atext joined by single dots. */
static int validate_dot_atom(const char *s, size_t n)
{
	if (n < 1 || n > VALIDATE_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!validate_is_atext(s[i])) {
			return 0;
		}
	}
	return 1;
}

int validate_email(const char *email)
{
	const char *at;

	if (!email)
		return 0;
	at = strchr(email, '@');
	if (!at || strchr(at + 1, '@'))
		return 0;
	/* atext and the label rule admit ASCII only, so non-ASCII, spaces,
	   quotes and "[IP]" literals all fail below. */
	return validate_dot_atom(email, (size_t)(at - email)) &&
	       validate_domain_rule(at + 1, strlen(at + 1));
}

char *validate_domain_normalize(const char *raw)
{
	size_t start = 0, end;
	char *out;

	if (!raw)
		return xstrdup("");
	end = strlen(raw);
	while (start < end && validate_is_space(raw[start]))
		start++;
	while (end > start && validate_is_space(raw[end - 1]))
		end--;
	out = xstrndup(raw + start, end - start);
	for (char *p = out; *p; p++)
		*p = validate_lower(*p);
	end -= start;
	if (end > 0 && out[end - 1] == '.')
		out[end - 1] = '\0';
	return out;
}

int validate_domain(const char *normalized)
{
	size_t n;

	if (!normalized)
		return 0;
	n = strlen(normalized);
	return n <= VALIDATE_DOMAIN_MAX && validate_domain_rule(normalized, n);
}

static int validate_label_is(const char *s, size_t n, const char *word)
{
	size_t wn = strlen(word);

	if (n != wn)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (validate_lower(s[i]) != word[i])
			return 0;
	return 1;
}

int validate_domain_is_gov(const char *normalized)
{
	const char *last, *prev;
	size_t last_n, prev_n;

	if (!normalized)
		return 0;
	last = strrchr(normalized, '.');
	last = last ? last + 1 : normalized;
	last_n = strlen(last);
	if (validate_label_is(last, last_n, "gov") || validate_label_is(last, last_n, "mil"))
		return 1;
	if (last == normalized || last_n != 2 || !validate_is_alpha(last[0]) ||
	    !validate_is_alpha(last[1]))
		return 0;
	/* second-to-last label: between the previous dot (or start) and last - 1 */
	prev = last - 1;
	while (prev > normalized && prev[-1] != '.')
		prev--;
	prev_n = (size_t)(last - 1 - prev);
	return validate_label_is(prev, prev_n, "gov") || validate_label_is(prev, prev_n, "mil");
}

/* ---- protected list ---------------------------------------------------- */

struct protected_list {
	struct strmap *exact;    /* domain -> (void *)1: it and its subdomains */
	struct strmap *suffix;   /* "corp.example" -> (void *)1: strict subdomains only */
};

static struct protected_list *protected_list_new(void)
{
	struct protected_list *pl = xcalloc(1, sizeof *pl);

	pl->exact = strmap_new(0);
	pl->suffix = strmap_new(0);
	return pl;
}

void protected_list_free(struct protected_list *pl)
{
	if (!pl)
		return;
	strmap_free(pl->exact, NULL);
	strmap_free(pl->suffix, NULL);
	free(pl);
}

/* A suffix line's domain part: one or more valid labels. */
static int protected_suffix_ok(const char *s)
{
	size_t n = strlen(s), start = 0;

	if (n == 0 || n > VALIDATE_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!validate_label(s + start, i - start))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* Reads one line (already without its newline); 0 or -1 with e filled. */
static int protected_list_line(struct protected_list *pl, char *line, const char *path,
			       long lineno, struct itg_err *e)
{
	char *hash = strchr(line, '#');
	char *text;
	const char *body;
	int is_suffix = 0, ok;

	if (hash)
		*hash = '\0';
	text = validate_domain_normalize(line);
	if (*text == '\0') {
		free(text);
		return 0;
	}
	body = text;
	if (strncmp(body, "*.", 2) == 0) {
		body += 2;
		is_suffix = 1;
	} else if (body[0] == '.') {
		body += 1;
		is_suffix = 1;
	}
	ok = is_suffix ? protected_suffix_ok(body) : validate_domain(body);
	if (!ok) {
		err_at(e, ITG_EXIT_USAGE, path, lineno, 0,
		       "protected domain list: '%s' is neither a domain (example.com) nor a "
		       "suffix (.example.com or *.example.com); fix or remove the line", text);
		free(text);
		return -1;
	}
	strmap_put(is_suffix ? pl->suffix : pl->exact, body, (void *)1);
	free(text);
	return 0;
}

int protected_list_load(const char *path, struct protected_list **out, struct itg_err *e)
{
	struct protected_list *pl = protected_list_new();
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;

	*out = NULL;
	if (!path) {
		*out = pl;
		return 0;
	}
	fp = fopen(path, "r");
	if (!fp) {
		err_at(e, ITG_EXIT_USAGE, path, 0, 0,
		       "cannot read the protected domain list: %s; check domains.protected",
		       strerror(errno));
		protected_list_free(pl);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			rc = err_at(e, ITG_EXIT_USAGE, path, lineno, 0,
				    "protected domain list: the line holds a NUL byte; "
				    "save the file as plain text");
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (protected_list_line(pl, line, path, lineno, e) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp))
		rc = err_at(e, ITG_EXIT_USAGE, path, lineno + 1, 0,
			    "cannot read the protected domain list: %s; check the file",
			    strerror(errno));
	free(line);
	fclose(fp);
	if (rc < 0) {
		protected_list_free(pl);
		return -1;
	}
	*out = pl;
	return 0;
}

int protected_list_match(const struct protected_list *pl, const char *normalized)
{
	char *d;
	int hit = 0;

	if (!pl || !normalized || !*normalized)
		return 0;
	d = validate_domain_normalize(normalized);
	/* Every label boundary: the whole name and each proper suffix of it. */
	for (const char *p = d; p && *p; ) {
		if (strmap_has(pl->exact, p) || (p != d && strmap_has(pl->suffix, p))) {
			hit = 1;
			break;
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
	free(d);
	return hit;
}
