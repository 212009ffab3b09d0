/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "sync.h"
#include "util.h"

static int log_fd = -1;
static enum silo_log_format log_format = SILO_LOG_TEXT;
static bool log_debug;
static int child_channel = -1;

int
silo_log_init (const char *path, enum silo_log_format format, bool debug, struct silo_error **err)
{
  log_format = format;
  log_debug = debug;
  if (path == NULL)
    return 0;
  log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    return silo_fail (err, errno, "open log file `%s`", path);
  return 0;
}

bool
silo_log_debug_enabled (void)
{
  return log_debug;
}

void
silo_log_set_child_channel (int sync_fd)
{
  child_channel = sync_fd;
}

static void
write_log_file (const char *level, const char *msg)
{
  _cleanup_free_ char *line = NULL;
  _cleanup_free_ char *now = NULL;

  if (log_fd < 0)
    return;
  now = rfc3339_now ();
  if (log_format == SILO_LOG_JSON)
    {
      oci_json_writer *w = oci_json_writer_new (false);
      oci_json_begin_object (w);
      oci_json_key (w, "level");
      oci_json_string (w, level);
      oci_json_key (w, "msg");
      oci_json_string (w, msg);
      oci_json_key (w, "time");
      oci_json_string (w, now);
      oci_json_end_object (w);
      _cleanup_free_ char *json = oci_json_writer_finish (w, NULL);
      line = xasprintf ("%s\n", json);
    }
  else
    line = xasprintf ("%s %s: %s\n", now, level, msg);
  (void) write_all (log_fd, line, strlen (line));
}

void
silo_log_line (const char *level, const char *msg)
{
  bool is_debug = strcmp (level, "debug") == 0;

  if (is_debug && !log_debug)
    return;
  if (child_channel >= 0 && !is_debug)
    {
      (void) silo_sync_send (child_channel, SYNC_WARNING, 0, msg, strlen (msg), -1, NULL);
      return;
    }
  if (child_channel < 0)
    {
      _cleanup_free_ char *line = xasprintf ("silo: %s%s%s\n",
                                             strcmp (level, "error") == 0 ? "" : level,
                                             strcmp (level, "error") == 0 ? "" : ": ", msg);
      (void) write_all (STDERR_FILENO, line, strlen (line));
    }
  write_log_file (level, msg);
}

static void log_va (const char *level, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));

static void
log_va (const char *level, const char *fmt, va_list ap)
{
  _cleanup_free_ char *msg = NULL;
  int saved = errno;

  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  silo_log_line (level, msg);
  errno = saved;
}

void
silo_log_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  log_va ("error", fmt, ap);
  va_end (ap);
}

void
silo_log_warning (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  log_va ("warning", fmt, ap);
  va_end (ap);
}

void
silo_log_debug (const char *fmt, ...)
{
  va_list ap;
  if (!log_debug)
    return;
  va_start (ap, fmt);
  log_va ("debug", fmt, ap);
  va_end (ap);
}
