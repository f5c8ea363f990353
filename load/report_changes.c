/*
 * report_changes.c - changes.csv: one row per changed field of every event
 * the apply recorded (eventlog.h), in the order applied, {run_id, table,
 * key, field, old, new, action, reason}.  Every cell goes through
 * report_csv_cell, so that a value a spreadsheet would run as a formula is
 * written as text.
 */
#include "report.h"
#include "csvtab.h"

#include <stdlib.h>
#include <string.h>

int report_csv_cell(FILE *fp, const char *s)
{
	if (!s)
		s = "";
	if (strchr("=+-@\t\r", s[0]) && s[0]) {
		char *q = xasprintf("'%s", s);
		int rc = csvtab_write_field(fp, q);
		free(q);
		return rc;
	}
	return csvtab_write_field(fp, s);
}

int report_write_changes(FILE *fp, const struct report_input *in)
{
	static const char *const head[] = {"run_id", "table", "key", "field", "old", "new",
					   "action", "reason"};
	const struct apply_result *r = in->res;
	struct load_event view = {0};
	const struct load_event *ev = &view;
	size_t pos = 0;
	int rc = 0;

	for (size_t c = 0; c < 8; c++)
		if ((c && putc(',', fp) == EOF) || csvtab_write_field(fp, head[c]) != 0)
			return -1;
	if (putc('\n', fp) == EOF || report_handedits_changes(fp, in) != 0)
		return -1;
	while (rc == 0 && eventlog_next(&r->events, &pos, &view)) {
		for (size_t f = 0; f < ev->nf && rc == 0; f++) {
			const char *cells[8] = {in->run_id, ev->table, ev->key, ev->f[f].field,
						ev->f[f].old, ev->f[f].new, ev->action,
						ev->reason ? ev->reason : ""};
			for (size_t c = 0; c < 8 && rc == 0; c++)
				if ((c && putc(',', fp) == EOF) ||
				    report_csv_cell(fp, cells[c]) != 0)
					rc = -1;
			if (rc == 0 && putc('\n', fp) == EOF)
				rc = -1;
		}
	}
	load_event_free(&view);
	return rc != 0 || ferror(fp) ? -1 : 0;
}
