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

/* Write a line of the given level ("error", "warning", "debug") without formatting.  */
void silo_log_line (const char *level, const char *msg);

/* In the container child: send warnings over this socket (see sync.h) rather than
 * writing them.  -1 restores normal logging.  */
void silo_log_set_child_channel (int sync_fd);

#endif
