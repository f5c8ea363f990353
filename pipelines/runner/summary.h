/*
 * summary.h - the text a run prints at its end, from report/summary.json:
 *
 *   report: RUN_DIR/report/report.md
 *           RUN_DIR/report/report.html
 *   run 20260101T000000Z: bullphish-demo (bullphish), applied, integration connected
 *   actions: unlink 2, link 2, review 1, rename 3, import_organization 2
 *   licenses: phishing 15/20, training 0/50; to look at: review 1, license_limited 1
 *
 * A dry run whose summary.json names what a real load would refuse
 * ("would_refuse") says so after its status:
 *   run ...: bullphish-demo (bullphish), dry run, store untouched; a real load
 *   would be refused: mass_unlink, integration connected
 *
 * Actions and licenses in the file's order; actions of count 0 left out
 * ("nothing to change" when none is left); a license without a total is
 * "unlimited"; "to look at" lists review, unimported and license_limited
 * when not 0.  A missing member reads as "?".  Operators, the README and the
 * tests read these lines: keep them stable.
 */
#ifndef ITG_RUNNER_SUMMARY_H
#define ITG_RUNNER_SUMMARY_H

#include <stddef.h>

#include "err.h"
#include "xalloc.h"

/*
 * Appends the three summary lines (each ending in a newline) for the JSON
 * text of a summary.json.  Text that is not a JSON object is -1 with a
 * reason in errbuf.
 */
int summary_lines(const char *json, size_t len, struct buf *out, char *errbuf, size_t errlen);

/*
 * Appends the whole text for RUN_DIR (the two report lines, then the
 * summary lines).  Returns 1 with the text, 0 when RUN_DIR/report/summary.json
 * does not exist (nothing appended), -1 when it cannot be read or is not a
 * JSON object (e names the file).
 */
int summary_text(const char *run_dir, struct buf *out, struct itg_err *e);

#endif
