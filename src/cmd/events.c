/* silo events: a container's cgroup statistics and OOM kills as JSON lines, as runc
 * prints them (containerd reads this stream).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

enum { EVENTS_OPTION_INTERVAL, EVENTS_OPTION_STATS };

static const struct silo_cmd_option events_options[] = {
  { "interval", 0, "DURATION", "time between two stats lines (default 5s; also 100ms, 1m)" },
  { "stats", 0, NULL, "print the statistics once and exit" },
  { NULL },
};

struct events_options
{
  unsigned interval_ms;
  bool stats_once;
};

/* ---- Go's time.ParseDuration syntax ---------------------------------------------------- */

static const struct { const char *name; long double ns; } duration_units[] = {
  { "ns", 1 }, { "us", 1e3L }, { "\u00b5s", 1e3L }, { "\u03bcs", 1e3L }, { "ms", 1e6L },
  { "s", 1e9L }, { "m", 60e9L }, { "h", 3600e9L },
};

/* Digits, a dot, digits: either side may be empty, not both.  Returns the end or NULL. */
static const char *
duration_number (const char *p, long double *value)
{
  long double scale = 0.1L;
  bool digits = false;

  for (*value = 0; *p >= '0' && *p <= '9'; p++, digits = true)
    *value = *value * 10 + (*p - '0');
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10, digits = true)
      *value += (*p - '0') * scale;
  return digits ? p : NULL;
}

/* The unit that runs up to the next number.  Returns the end or NULL.  */
static const char *
duration_unit (const char *p, long double *ns)
{
  size_t len = strcspn (p, "0123456789.");

  for (size_t i = 0; i < SILO_ARRAY_SIZE (duration_units); i++)
    if (len > 0 && strlen (duration_units[i].name) == len
        && strncmp (p, duration_units[i].name, len) == 0)
      {
        *ns = duration_units[i].ns;
        return p + len;
      }
  return NULL;
}

int
silo_cmd_parse_duration_ms (const char *option, const char *text, unsigned *ms,
                            struct silo_error **err)
{
  const char *p = text + (text[0] == '+' || text[0] == '-');
  long double total = 0, value, unit;

  if (strcmp (p, "0") != 0)
    do
      {
        p = duration_number (p, &value);
        if (p != NULL)
          p = duration_unit (p, &unit);
        if (p == NULL)
          return silo_fail (err, 0, "--%s: invalid duration `%s`: use a number and a unit "
                            "(ns, us, ms, s, m, h), such as 5s, 100ms or 1m30s", option, text);
        total += value * unit;
      }
    while (*p != '\0');
  /* Whole nanoseconds, as Go counts them; then a part of a millisecond rounds up.  */
  total += 0.5L;
  if (text[0] == '-' || total < 1)
    return silo_fail (err, 0, "--%s: `%s`: the duration must be greater than 0", option, text);
  if (total / 1e6L > UINT_MAX - 1)
    return silo_fail (err, 0, "--%s: duration `%s` is too long", option, text);
  *ms = (unsigned) (((uint64_t) total + 999999) / 1000000);
  return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

static int
events_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct events_options *opts = data;

  if (option == EVENTS_OPTION_STATS)
    {
      opts->stats_once = true;
      return 0;
    }
  return silo_cmd_parse_duration_ms ("interval", value, &opts->interval_ms, err);
}

static int
run_events (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct events_options opts = { .interval_ms = 5000 };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_events, argc, argv, events_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_events (ctx, args[0], opts.stats_once, opts.interval_ms, err) < 0)
    return -1;
  return 0;
}

const struct silo_cmd silo_cmd_events = {
  "events", "ID", "print a container's statistics and OOM kills as JSON lines until it stops",
  events_options, 1, 1, run_events,
};
