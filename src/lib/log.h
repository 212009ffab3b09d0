/* silo: logging.  Errors and warnings go to stderr and, with --log, to a file as text or
 * as JSON lines {"level":..,"msg":..,"time":..} (what conmon and containerd's shim parse).
 * Inside the container's child process, before execve, warnings travel to the parent over
 * the sync socket instead (the child's stderr is the container's).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_LOG_H
#define SILO_LOG_H

#include <stdbool.h>

#include "error.h"

enum silo_log_format { SILO_LOG_TEXT, SILO_LOG_JSON };

int silo_log_init (const char *path, enum silo_log_format format, bool debug,
                   struct silo_error **err);
bool silo_log_debug_enabled (void);

void silo_log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void silo_log_warning (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void silo_log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* --debug: "stage NAME  T ms  at M": the end of a start-up stage, T the time since this
 * process's first stage and M CLOCK_MONOTONIC in ms, which lets bench/ line up the stages
 * of `create`, of the container's init (its lines cross over the sync socket as
 * SYNC_DEBUG) and of `start`.  A time namespace with a monotonic offset shifts M in the
 * init.  Costs nothing without --debug.  */
void silo_log_stage (const char *stage);

/* Write a line of the given level ("error", "warning", "debug") without formatting.  */
void silo_log_line (const char *level, const char *msg);

/* In the container child: hand warnings, errors and (with --debug) debug lines to FN (it
 * sends them to the parent over the sync socket: sync.h) rather than writing them.  NULL
 * restores normal logging.  The logger calls nothing above the floor (error, util): the
 * sink is how it reaches up.  */
typedef void (*silo_log_sink) (const char *level, const char *msg, void *data);
void silo_log_set_sink (silo_log_sink fn, void *data);

#endif
