/*
 * journal.h - the store transaction: every changed file replaced, and the
 * audit lines appended, or nothing at all (docs/contract.md section 7).
 *
 * journal_commit:
 *   1. writes each new file to a temporary sibling .NAME.tmp.XXXXXX, and the
 *      audit lines to append to .audit.pending.tmp.XXXXXX, all fsynced;
 *   1b. calls the caller's before_switch check, the last moment at which the
 *      transaction can still be called off: when it fails, the temporaries
 *      are removed and the store is wholly as before (itg-load re-checks the
 *      plan's fingerprints here, so a hand edit made while it ran is kept);
 *   2. publishes STORE/.journal atomically: the temp -> final pairs, the audit
 *      file's size before this run, and the pending audit file's name and
 *      length (the lines themselves are not copied into the journal);
 *   3. renames each temp over its final, appends the pending audit file to
 *      the audit file, fsyncs the folder, deletes the journal, then the
 *      pending audit file.
 * Once the journal exists the transaction is decided: journal_recover (run
 * at the next start, under the store lock) redoes the renames of temps that
 * still exist, cuts audit.ndjson back to its recorded size and appends the
 * pending lines again, and deletes the journal.  Without a journal, stray
 * temps (the pending audit file among them) are deleted and the store is
 * wholly as before.  A format 1 journal (lines inside it) is still finished.
 *
 * Links: every file of the store is opened without following a symbolic
 * link (lib/fsutil.h fs_open_plain).  audit.ndjson is opened
 * O_WRONLY|O_APPEND|O_NOFOLLOW and checked to be a regular file before it is
 * cut back or appended to; the journal and the pending audit file are read
 * the same way; temporaries are mkstemp names, created exclusively, and
 * renames replace a link rather than write through it.  A link in place of
 * audit.ndjson is refused (ITG_EXIT_USAGE naming it) before the first
 * temporary is written, and a recovery refuses it before its first rename:
 * the target is never read, written, truncated or created.
 *
 * Crash testing: every write, fsync, rename, audit append and journal step is
 * a numbered point.  ITG_LOAD_CRASH_AT=N in the environment kills the process
 * (SIGKILL) at point N.  Unit tests set journal_crash_at directly and
 * journal_crash_soft = 1, which makes the step return -1 and the commit stop
 * where it is, without cleaning up, as a crash would.
 */
#ifndef ITG_LOAD_JOURNAL_H
#define ITG_LOAD_JOURNAL_H

#include <stddef.h>
#include <stdio.h>

#include "csvtab.h"
#include "err.h"
#include "store.h"

/* the journal file is STORE_FILE_JOURNAL (lib/store.h) */
#define JOURNAL_FORMAT 2
/* the pending audit file: .audit.pending.tmp.XXXXXX, a temp never renamed */
#define JOURNAL_AUDIT_PENDING "audit.pending"

/* One file the transaction replaces: a table, or a text (exactly one set). */
struct journal_out {
	const char *name;              /* file name inside the store */
	const struct csv_table *table;
	const char *text;
};

extern long journal_crash_at;     /* 0 = never */
extern int journal_crash_soft;    /* 1 = return instead of SIGKILL */
extern long journal_steps;        /* points passed so far */

/* Reads ITG_LOAD_CRASH_AT. */
void journal_crash_from_env(void);

/*
 * Writes the transaction's audit lines (whole lines, each ending in LF) to
 * fp; 0, or -1 with errno set.  Writing none is fine.
 */
typedef int (*journal_audit_fn)(FILE *fp, void *arg);

/*
 * The check of step 1b: 0 to go on, or -1 with e set to call the
 * transaction off.
 */
typedef int (*journal_check_fn)(void *arg, struct itg_err *e);

/*
 * Runs the transaction described above; audit(fp, arg) writes the lines to
 * append; before_switch(check_arg, e), when not NULL, is step 1b.
 */
int journal_commit(const char *store, const struct journal_out *outs, size_t n,
		   const char *audit_file, journal_audit_fn audit, void *arg,
		   journal_check_fn before_switch, void *check_arg, struct itg_err *e);

/*
 * Finishes or discards an interrupted transaction.  *outcome: 0 nothing to
 * do, 1 rolled forward, 2 stray temporary files removed (rolled back).
 */
int journal_recover(const char *store, int *outcome, struct itg_err *e);

/*
 * 1 when STORE/.journal exists.  A symbolic link there is no journal of
 * ours: 0, and the store reader (lib/store.c) and journal_recover refuse it
 * naming it.
 */
int journal_pending(const char *store);

#endif
