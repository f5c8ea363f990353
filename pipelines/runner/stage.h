/*
 * stage.h - starting the stages: finding the programs, their environment,
 * running one in its own process group with its standard error passed on
 * (lines to the run's log and standard error, progress to a terminal only:
 * runlog.h), and the signals that end a run.
 */
#ifndef ITG_RUNNER_STAGE_H
#define ITG_RUNNER_STAGE_H

#include <stddef.h>

#include "err.h"
#include "runlog.h"

enum stage_id { STAGE_EXTRACT, STAGE_TRANSFORM, STAGE_LOAD, STAGE_COUNT };

/* "itg-extract", "itg-transform", "itg-load" */
extern const char *const stage_programs[STAGE_COUNT];

/*
 * Finds the three programs: in $ITG_BIN when set (a missing folder is
 * ITG_EXIT_USAGE), else in the folder of the running executable
 * (/proc/self/exe) when itg-extract is there, else on PATH.  A program not
 * found is ITG_EXIT_RUNTIME.  paths[i] are full paths (caller frees each).
 */
int stage_find_programs(char *paths[STAGE_COUNT], struct itg_err *e);

/*
 * Takes the IT Glue API key out of this process's environment into *key:
 * the value of ITGLUE_API_KEY when set and not empty, else the systemd
 * credential $CREDENTIALS_DIRECTORY/itglue-api-key read as a key file
 * (cli_read_key_file), else NULL.  ITGLUE_API_KEY is removed from the
 * environment and its bytes wiped, so that only the stage given the key
 * sees it.  A credential file that is there but unfit (a link, a FIFO,
 * readable by others, not one line) is -1 with e set (ITG_EXIT_USAGE).  The
 * caller wipes and frees *key with cli_forget_key.
 */
int stage_take_api_key(char **key, struct itg_err *e);

/*
 * The environment for a stage (NULL-terminated, caller frees with
 * stage_env_free): this process's environment, with ITG_RUN_ID=run_id,
 * ITG_PROGRESS=1 only when progress is not 0 (lib/log.h: the stage shows
 * progress although its standard error is our pipe), and
 * ITGLUE_API_KEY=key only when key is not NULL.
 */
char **stage_env(const char *run_id, const char *key, int progress);
void stage_env_free(char **env);

/* An argument vector under construction (NULL-terminated; owns its strings). */
struct stage_argv {
	char **v;
	size_t n, cap;
};
void stage_argv_push(struct stage_argv *a, const char *arg);
void stage_argv_free(struct stage_argv *a);
/* The command as one line for the log (caller frees). */
char *stage_argv_text(const struct stage_argv *a);

/* How a stage ended. */
struct stage_end {
	int signo;     /* the signal that killed it, or 0 */
	int code;      /* its exit code when signo is 0 */
};

/*
 * Runs argv[0] with env in a new process group, standard error through a
 * pipe to runlog_stream_feed (lines to run.log and standard error, progress
 * to standard error only), standard input and output shared with this
 * process, signals at their defaults; waits for it.  A SIGINT, SIGTERM or
 * SIGHUP this process receives meanwhile is passed on to the stage's group
 * (see stage_signals_install).  Returns 0 with *end filled, or -1 when it
 * could not be started (ITG_EXIT_RUNTIME).
 */
int stage_run(char *const argv[], char *const env[], struct runlog *log, struct stage_end *end,
	      struct itg_err *e);

/*
 * Ignores SIGPIPE (a closed reader is an error to report, not a death) and
 * catches SIGINT, SIGTERM and SIGHUP: each is noted and passed on to the
 * running stage.  Stages start with every signal at its default.
 */
void stage_signals_install(void);

/* The first ending signal received (SIGINT, SIGTERM, SIGHUP), or 0. */
int stage_interrupted(void);

/* "SIGTERM" for SIGTERM, and so on; "signal N" for others. */
const char *stage_signal_name(int signo, char buf[16]);

#endif
