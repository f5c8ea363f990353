/*
 * eventlog.h - the changes of one load, as a compact log of events.
 *
 * An event is one changed row: one audit line, and one changes.csv row per
 * changed field.  Half a million imports record millions of fields, and one
 * allocation each would be most of the load's memory, so the log keeps its
 * events encoded back to back in one buffer, the action, table and field
 * names interned once (a small index in each event instead of the text).
 *
 * Writing, one event at a time: eventlog_begin opens an event,
 * eventlog_add records one changed field in it, eventlog_end keeps it if it
 * recorded at least one field and drops it otherwise, so that a line which
 * changed nothing leaves no event.  Reading: eventlog_next decodes the
 * kept events, in the order they were kept, into a struct load_event view.
 *
 * Memory: half a million imports are a hundred megabytes of events, so a
 * log given a folder (eventlog_spill_to) moves its kept events, a few
 * megabytes at a time, into an unnamed file there (O_TMPFILE: no name ever
 * appears, and it is gone when the load ends, however it ends), and reads
 * them back from it.  Without a folder, or where the file cannot be made
 * or written (no O_TMPFILE on that file system, a full disk), the events
 * simply stay in memory: spilling saves memory, it never fails a load.
 *
 * Ownership: a zeroed struct eventlog is an empty log; it owns its buffer,
 * file and names, and eventlog_free releases them (leaving it empty again).
 * The strings given to eventlog_begin are copied (key) or borrowed until
 * eventlog_end (action, table, reason).  A view's strings point into the
 * log or into the view's own read buffer: valid until the next
 * eventlog_next with that view, while the log lives and no event is kept
 * after the view was filled.  The view owns its field array and buffer
 * (load_event_free).
 */
#ifndef ITG_LOAD_EVENTLOG_H
#define ITG_LOAD_EVENTLOG_H

#include <stddef.h>

#include "fsutil.h"
#include "strmap.h"
#include "xalloc.h"

/* One changed field.  old is "" for a created row, new "" for a removed one. */
struct field_change {
	const char *field;
	const char *old;
	const char *new;
};

enum event_kind { EV_CREATE, EV_UPDATE, EV_DELETE };

/* One decoded event (see ownership above). */
struct load_event {
	const char *action;   /* a plan action's name (planfmt.h) or "integration" */
	const char *table;    /* "organizations", "links", "users", "domains", "integration" */
	const char *key;      /* row id; "ORG/ITGLUE_ORG" for links */
	const char *reason;   /* NULL when the event has none ("" given is none) */
	enum event_kind kind;
	long plan_line;       /* 0 for the integration status */
	size_t nf;
	struct field_change *f;   /* owned by the view: load_event_free */
	size_t fcap;
	/* the view's window on the log's file (eventlog.c) */
	struct fs_window win;
};

struct eventlog {
	size_t nev;           /* events kept */
	size_t nfields;       /* changed fields over all kept events */
	struct buf log;       /* the kept events not in the file yet, encoded (eventlog.c) */
	int fd_open;          /* fd is the log's file: events [0, flushed) are in it */
	int spill;            /* more events go to the file (0 once a write failed) */
	int fd;
	unsigned long long flushed;   /* bytes of events in the file, before those of log */
	/* interned names: names[i] is the text of index i */
	char **names;
	size_t nnames, names_cap;
	struct strmap *name_ix;   /* name -> index + 1; made on first use */
	/* the event being built */
	struct {
		int open;
		const char *action, *table, *reason;
		enum event_kind kind;
		long plan_line;
		struct buf key;
		size_t nf;
		struct buf fields;    /* nf encoded fields */
	} cur;
};

/*
 * Lets the log keep its events in an unnamed file in dir (see above); 1 if
 * it can, 0 if they stay in memory.  Call it before the first event.
 */
int eventlog_spill_to(struct eventlog *l, const char *dir);

/*
 * Opens an event, forgetting any event still open.  reason NULL or "" is
 * none.  plan_line is the plan.ndjson line (0: not from a plan line).
 */
void eventlog_begin(struct eventlog *l, const char *action, const char *table,
		    const char *key, const char *reason, enum event_kind kind, long plan_line);
/* Replaces the open event's key (a created row's id is known once it exists). */
void eventlog_set_key(struct eventlog *l, const char *key);
/* Records a changed field in the open event (NULL old or new is ""). */
void eventlog_add(struct eventlog *l, const char *field, const char *old, const char *new);
/* 1 while an event is open. */
int eventlog_is_open(const struct eventlog *l);
/* Fields recorded so far in the open event; 0 when none is open. */
size_t eventlog_open_fields(const struct eventlog *l);
/* Closes the open event, keeping it if it recorded a field: 1 if kept. */
int eventlog_end(struct eventlog *l);

/*
 * Decodes the event at *pos (start with *pos = 0) into ev and moves *pos to
 * the next one: 1, or 0 after the last.  ev starts zeroed and is reused from
 * call to call; release it with load_event_free.  Reading the log's file
 * again can fail (an I/O error): -1 with errno set.
 */
int eventlog_next(const struct eventlog *l, size_t *pos, struct load_event *ev);
void load_event_free(struct load_event *ev);

void eventlog_free(struct eventlog *l);

#endif
