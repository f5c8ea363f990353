/*
 * yamltree.c - a YAML document as a small tree of our own, built from
 * libyaml's event API (docs/libraries.md 2.3): scalars keep their style
 * and 1-based marks, so the caller can type values and name line and
 * column; anchors, aliases, tags, a second document and nesting deeper
 * than YAMLTREE_MAX_DEPTH are refused here.
 */
#include "yamltree.h"
#include "xalloc.h"

#include <string.h>
#include <yaml.h>


void ynode_free(struct ynode *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++)
		ynode_free(y->kids[i]);
	free(y->kids);
	free(y->text);
	free(y);
}

static struct ynode *ynode_new(enum ykind kind, const yaml_mark_t *m)
{
	struct ynode *y = xcalloc(1, sizeof *y);

	y->kind = kind;
	y->line = (long)m->line + 1;
	y->col = (long)m->column + 1;
	return y;
}

static void ynode_add(struct ynode *parent, struct ynode *kid)
{
	xgrow((void **)&parent->kids, &parent->cap, parent->n + 1, sizeof *parent->kids);
	parent->kids[parent->n++] = kid;
}

static int mark_err(struct itg_err *e, const char *path, const yaml_mark_t *m, const char *what)
{
	return err_at(e, ITG_EXIT_USAGE, path, (long)m->line + 1, (long)m->column + 1, "%s", what);
}

int yaml_to_tree(const char *path, const char *text, size_t len, struct ynode **root,
			struct itg_err *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[YAMLTREE_MAX_DEPTH + 1];
	int depth = 0, docs = 0, done = 0, rc = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		return err_set(e, ITG_EXIT_RUNTIME, "%s: cannot start the yaml parser", path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && rc == 0) {
		struct ynode *y = NULL;
		const char *anchor = NULL, *tag = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			const yaml_mark_t *m = &parser.problem_mark;
			int tab = m->index < len && text[m->index] == '\t';

			err_at(e, ITG_EXIT_USAGE, path, (long)m->line + 1, (long)m->column + 1,
			       "%s%s%s, %s", parser.context ? parser.context : "",
			       parser.context ? " " : "",
			       parser.problem ? parser.problem : "invalid yaml",
			       tab ? "indent with spaces, not tabs" : "fix the yaml syntax here");
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = mark_err(e, path, &ev.start_mark,
					      "a second yaml document, keep one document per file");
			break;
		case YAML_ALIAS_EVENT:
			rc = mark_err(e, path, &ev.start_mark,
				      "aliases are not allowed, write the value out in full");
			break;
		case YAML_SCALAR_EVENT:
			anchor = (const char *)ev.data.scalar.anchor;
			tag = (const char *)ev.data.scalar.tag;
			if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
				rc = mark_err(e, path, &ev.start_mark, "a NUL character, remove it");
			y = ynode_new(Y_SCALAR, &ev.start_mark);
			y->text = xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			y->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (ev.type == YAML_MAPPING_START_EVENT) {
				anchor = (const char *)ev.data.mapping_start.anchor;
				tag = (const char *)ev.data.mapping_start.tag;
			} else {
				anchor = (const char *)ev.data.sequence_start.anchor;
				tag = (const char *)ev.data.sequence_start.tag;
			}
			if (depth >= YAMLTREE_MAX_DEPTH) {
				rc = mark_err(e, path, &ev.start_mark,
					      "nested more than 64 levels deep, flatten the file");
				break;
			}
			y = ynode_new(ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ,
				      &ev.start_mark);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (rc == 0 && anchor)
			rc = mark_err(e, path, &ev.start_mark,
				      "anchors are not allowed, write the value out in full");
		if (rc == 0 && tag)
			rc = mark_err(e, path, &ev.start_mark,
				      "yaml tags are not allowed, remove the tag");
		if (y) {
			if (depth > 0)
				ynode_add(stack[depth - 1], y);
			else if (!*root)
				*root = y;
			else
				ynode_free(y);  /* cannot happen within one document */
			if (y->kind != Y_SCALAR && rc == 0)
				stack[depth++] = y;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		ynode_free(*root);
		*root = NULL;
	}
	return rc;
}
