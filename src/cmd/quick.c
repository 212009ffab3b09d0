/* silo CLI: the quick-run flags `run --rootfs` and `spec --rootfs` share, and their
 * numbers: sizes (update's parser), CPUs, CPU percentages and counts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Digits with at most 5 decimals, as a fixed point number of 1/100000: "0.25" -> 25000.  */
static int
parse_fixed (const char *text, int64_t *out)
{
  int64_t whole = 0, fraction = 0, scale = 100000;
  const char *p = text;

  if (*p < '0' || *p > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++)
    if ((whole = whole * 10 + (*p - '0')) > 1000000)
      return -1;
  if (*p == '.')
    {
      if (p[1] < '0' || p[1] > '9')
        return -1;
      for (p++; *p >= '0' && *p <= '9'; p++)
        {
          if (scale == 1)
            return -1;   /* finer than the quota's microseconds */
          scale /= 10;
          fraction += (*p - '0') * scale;
        }
    }
  if (*p != '\0')
    return -1;
  *out = whole * 100000 + fraction;
  return 0;
}

int
silo_cmd_parse_cpus (const char *option, const char *text, long n_cpus, int64_t *quota,
                     struct silo_error **err)
{
  int64_t value;

  if (parse_fixed (text, &value) < 0)
    return silo_fail (err, 0, "--%s: `%s` is not a number of CPUs (such as 0.5 or 2)", option, text);
  if (value < 1000)
    return silo_fail (err, 0, "--%s: `%s` is below 0.01 (1 ms per 100 ms, the kernel's least quota)",
                      option, text);
  if (value > (int64_t) n_cpus * 100000)
    return silo_fail (err, 0, "--%s: `%s` is more than the %ld CPUs online", option, text, n_cpus);
  *quota = value;
  return 0;
}

int
silo_cmd_parse_cpu_percent (const char *option, const char *text, long n_cpus, int64_t *quota,
                            struct silo_error **err)
{
  long long value;

  if (parse_long (text, &value) < 0 || value < 1 || value > 100LL * n_cpus)
    return silo_fail (err, 0, "--%s: `%s` is not a whole percentage of one CPU from 1 to %ld "
                      "(%ld CPUs online)", option, text, 100 * n_cpus, n_cpus);
  *quota = value * 1000;   /* percent of the 100 ms period, in µs */
  return 0;
}

int
silo_cmd_parse_count (const char *option, const char *text, int64_t *count, struct silo_error **err)
{
  long long value;

  if (parse_long (text, &value) < 0 || value < 1)
    return silo_fail (err, 0, "--%s: `%s` is not a whole number from 1", option, text);
  *count = value;
  return 0;
}

static void
append (char ***v, const char *value)
{
  size_t n = 0;

  while (*v != NULL && (*v)[n] != NULL)
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (**v));
  (*v)[n] = (char *) value;
  (*v)[n + 1] = NULL;
}

static long
cpus_online (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? n : 1;
}

static int
quick_number (struct silo_quickrun_options *q, int option, const char *value, struct silo_error **err)
{
  switch (option)
    {
    case SILO_QUICK_OPTION_MEMORY:
      if (silo_cmd_parse_size ("memory", value, &q->memory, err) < 0)
        return -1;
      if (q->memory == 0)
        return silo_fail (err, 0, "--memory: 0 is no limit a container can run in; leave out "
                          "--memory for none");
      return 0;
    case SILO_QUICK_OPTION_CPUS:
    case SILO_QUICK_OPTION_CPU:
      if (q->cpu_quota != 0)
        return silo_fail (err, 0, "--cpus and --cpu both set the CPU limit: give one, once");
      break;
    }
  switch (option)
    {
    case SILO_QUICK_OPTION_CPUS:
      return silo_cmd_parse_cpus ("cpus", value, cpus_online (), &q->cpu_quota, err);
    case SILO_QUICK_OPTION_CPU:
      return silo_cmd_parse_cpu_percent ("cpu", value, cpus_online (), &q->cpu_quota, err);
    }
  return silo_cmd_parse_count ("pids", value, &q->pids, err);
}

int
silo_cmd_quick_option (struct silo_quickrun_options *q, int option, const char *value,
                       struct silo_error **err)
{
  switch (option)
    {
    case SILO_QUICK_OPTION_ROOTFS: q->rootfs = value; return 0;
    case SILO_QUICK_OPTION_ENV: append (&q->env, value); return 0;
    case SILO_QUICK_OPTION_WORKDIR: q->cwd = value; return 0;
    case SILO_QUICK_OPTION_VOLUME: append (&q->volumes, value); return 0;
    case SILO_QUICK_OPTION_USER: q->user = value; return 0;
    case SILO_QUICK_OPTION_HOSTNAME: q->hostname = value; return 0;
    case SILO_QUICK_OPTION_NETWORK: q->network = value; return 0;
    case SILO_QUICK_OPTION_READ_ONLY: q->read_only = true; return 0;
    case SILO_QUICK_OPTION_TTY: q->tty = true; return 0;
    }
  return quick_number (q, option, value, err);
}

void
silo_cmd_quick_release (struct silo_quickrun_options *q)
{
  free (q->env);
  free (q->volumes);
  q->env = q->volumes = NULL;
}
