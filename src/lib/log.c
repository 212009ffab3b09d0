/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int log_fd = -1;
static enum silo_log_format log_format = SILO_LOG_TEXT;
static bool log_debug;
static silo_log_sink sink;
static void *sink_data;

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
silo_log_set_sink (silo_log_sink fn, void *data)
{
  sink = fn;
  sink_data = data;
}

/* S as a JSON string: quotes, backslashes and control characters escaped, bytes that are
 * not UTF-8 replaced (a path in a message may be anything).  */
static char *
json_quote (const char *s)
{
  size_t len;
  _cleanup_free_ char *clean = utf8_sanitize (s, strlen (s), &len);
  char *out = xmalloc0 (len * 6 + 3), *p = out;

  *p++ = '"';
  for (const unsigned char *c = (const unsigned char *) clean; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        *p++ = '\\', *p++ = (char) *c;
      else if (*c < 0x20)
        p += sprintf (p, "\\u%04x", *c);
      else
        *p++ = (char) *c;
    }
  *p++ = '"';
  return out;
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
      _cleanup_free_ char *l = json_quote (level), *m = json_quote (msg), *t = json_quote (now);
      line = xasprintf ("{\"level\":%s,\"msg\":%s,\"time\":%s}\n", l, m, t);
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
  if (sink != NULL)
    {
      sink (level, msg, sink_data);
      return;
    }
  _cleanup_free_ char *line = xasprintf ("silo: %s%s%s\n",
                                         strcmp (level, "error") == 0 ? "" : level,
                                         strcmp (level, "error") == 0 ? "" : ": ", msg);
  (void) write_all (STDERR_FILENO, line, strlen (line));
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

void
silo_log_stage (const char *stage)
{
  static double first;
  struct timespec now;
  double ms;

  if (!log_debug)
    return;
  clock_gettime (CLOCK_MONOTONIC, &now);
  ms = (double) now.tv_sec * 1e3 + (double) now.tv_nsec / 1e6;
  if (first == 0)
    first = ms;
  silo_log_debug ("stage %-16s %8.3f ms  at %.3f", stage, ms - first, ms);
}
