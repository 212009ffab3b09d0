/* silo update: change the resource limits of a container, from runc's flags or from a
 * linux.resources JSON document (-r FILE, or -r - for standard input: podman passes a
 * file, containerd a pipe).  Flags given with -r override its values, as in runc.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "util.h"

enum
{
  UPDATE_OPTION_RESOURCES,
  UPDATE_OPTION_MEMORY,
  UPDATE_OPTION_MEMORY_RESERVATION,
  UPDATE_OPTION_MEMORY_SWAP,
  UPDATE_OPTION_KERNEL_MEMORY,
  UPDATE_OPTION_KERNEL_MEMORY_TCP,
  UPDATE_OPTION_CPU_SHARE,
  UPDATE_OPTION_CPU_QUOTA,
  UPDATE_OPTION_CPU_PERIOD,
  UPDATE_OPTION_CPU_BURST,
  UPDATE_OPTION_CPU_IDLE,
  UPDATE_OPTION_CPU_RT_RUNTIME,
  UPDATE_OPTION_CPU_RT_PERIOD,
  UPDATE_OPTION_CPUSET_CPUS,
  UPDATE_OPTION_CPUSET_MEMS,
  UPDATE_OPTION_PIDS_LIMIT,
  UPDATE_OPTION_BLKIO_WEIGHT,
  UPDATE_OPTION__COUNT
};

static const struct silo_cmd_option update_options[] = {
  { "resources", 'r', "FILE", "read linux.resources JSON from FILE (- for standard input)" },
  { "memory", 0, "BYTES", "memory limit (suffix k, m, g, t or p; -1: unlimited)" },
  { "memory-reservation", 0, "BYTES", "memory soft limit" },
  { "memory-swap", 0, "BYTES", "memory plus swap limit (-1: unlimited)" },
  { "kernel-memory", 0, "BYTES", "ignored: Linux 6.0 removed kernel memory limits (as runc)" },
  { "kernel-memory-tcp", 0, "BYTES", "TCP buffer memory limit (memory.kernelTCP; cgroup v1 only)" },
  { "cpu-share", 0, "N", "CPU shares (weight relative to other containers)" },
  { "cpu-quota", 0, "USEC", "CPU time allowed per period (-1: unlimited)" },
  { "cpu-period", 0, "USEC", "CFS period (0: the system's default)" },
  { "cpu-burst", 0, "USEC", "CPU time a period may borrow from idle ones" },
  { "cpu-idle", 0, "N", "1: schedule the container as SCHED_IDLE; 0: as usual" },
  { "cpu-rt-runtime", 0, "USEC", "real-time CPU time allowed per real-time period" },
  { "cpu-rt-period", 0, "USEC", "real-time period" },
  { "cpuset-cpus", 0, "LIST", "CPUs the container may use (0-3,7)" },
  { "cpuset-mems", 0, "LIST", "memory nodes the container may use (0,1)" },
  { "pids-limit", 0, "N", "maximum number of processes (-1: unlimited; 0: unchanged)" },
  { "blkio-weight", 0, "N", "block IO weight, 10 to 1000 (0: unchanged)" },
  { NULL },
};

/* The flags as given (the last one of a name wins); converted once parsing is done, so
 * that they apply on top of -r whatever the order on the command line.  */
struct update_flags
{
  const char *values[UPDATE_OPTION__COUNT];
};

static int
update_option (void *data, int option, const char *value, struct silo_error **err)
{
  ((struct update_flags *) data)->values[option] = value;
  return 0;
}

/* ---- sizes, as docker's units.RAMInBytes reads them ----------------------------------- */

static int
size_multiplier (char letter, int64_t *multiplier)
{
  static const char letters[] = "kmgtp";
  const char *found = strchr (letters, letter | 0x20);

  if (letter == '\0' || found == NULL)
    return -1;
  *multiplier = (int64_t) 1 << (10 * (found - letters + 1));
  return 0;
}

/* Number: digits, then an optional fraction.  Returns its end, or NULL.  */
static const char *
parse_decimal (const char *p, uint64_t *whole, long double *fraction)
{
  long double scale = 0.1L;

  if (*p < '0' || *p > '9')
    return NULL;
  for (*whole = 0; *p >= '0' && *p <= '9'; p++)
    {
      if (*whole > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
        return NULL;
      *whole = *whole * 10 + (uint64_t) (*p - '0');
    }
  *fraction = 0;
  if (*p != '.')
    return p;
  if (p[1] < '0' || p[1] > '9')
    return NULL;
  for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
    *fraction += (*p - '0') * scale;
  return p;
}

int
silo_cmd_parse_size (const char *option, const char *text, int64_t *bytes, struct silo_error **err)
{
  int64_t multiplier = 1;
  long double fraction;
  uint64_t whole;
  const char *p = parse_decimal (text, &whole, &fraction);

  if (p != NULL && *p == ' ')
    p++;
  if (p != NULL && size_multiplier (*p, &multiplier) == 0)
    p++;
  if (p != NULL && (*p == 'i' || *p == 'I'))
    p++;
  if (p != NULL && (*p == 'b' || *p == 'B'))
    p++;
  if (p == NULL || *p != '\0')
    return silo_fail (err, 0, "--%s: invalid size `%s`: use bytes, or a number with a k, m, g, t "
                      "or p suffix (1024-based)", option, text);
  /* whole * multiplier checked first, so that the sum cannot wrap in 64 bits.  */
  if (whole > (uint64_t) INT64_MAX / (uint64_t) multiplier
      || whole * (uint64_t) multiplier + (uint64_t) (fraction * multiplier) > (uint64_t) INT64_MAX)
    return silo_fail (err, 0, "--%s: size `%s` is too large", option, text);
  *bytes = (int64_t) (whole * (uint64_t) multiplier + (uint64_t) (fraction * multiplier));
  return 0;
}

/* ---- the flags -> resources ----------------------------------------------------------- */

static int
parse_u64 (const char *option, const char *text, uint64_t *out, struct silo_error **err)
{
  char *end = NULL;

  errno = 0;
  if (text[0] >= '0' && text[0] <= '9')
    *out = strtoull (text, &end, 10);
  if (end == NULL || *end != '\0' || errno != 0)
    return silo_fail (err, 0, "--%s: `%s` is not a number from 0 to %" PRIu64, option, text,
                      UINT64_MAX);
  return 0;
}

static int
parse_i64 (const char *option, const char *text, int64_t *out, struct silo_error **err)
{
  long long value;

  if (parse_long (text, &value) < 0)
    return silo_fail (err, 0, "--%s: `%s` is not an integer", option, text);
  *out = value;
  return 0;
}

#define ENSURE(member) ((member) != NULL ? (member) : ((member) = xmalloc0 (sizeof (*(member)))))

#define SET(object, field, value) ((object)->has_##field = true, (object)->field = (value))

static int
apply_memory_flag (oci_resources *r, int option, const char *name, const char *text,
                   struct silo_error **err)
{
  int64_t bytes = -1;
  oci_memory *memory;

  if (strcmp (text, "-1") != 0 && silo_cmd_parse_size (name, text, &bytes, err) < 0)
    return -1;
  memory = ENSURE (r->memory);
  if (option == UPDATE_OPTION_MEMORY)
    SET (memory, limit, bytes);
  else if (option == UPDATE_OPTION_MEMORY_RESERVATION)
    SET (memory, reservation, bytes);
  else if (option == UPDATE_OPTION_KERNEL_MEMORY_TCP)
    SET (memory, kernel_tcp, bytes);
  else
    SET (memory, swap, bytes);
  return 0;
}

static int
apply_cpu_flag (oci_resources *r, int option, const char *name, const char *text,
                struct silo_error **err)
{
  oci_cpu *cpu = ENSURE (r->cpu);
  uint64_t u = 0;
  int64_t i = 0;

  switch (option)
    {
    case UPDATE_OPTION_CPUSET_CPUS:
      free (cpu->cpus);
      cpu->cpus = xstrdup (text);
      return 0;
    case UPDATE_OPTION_CPUSET_MEMS:
      free (cpu->mems);
      cpu->mems = xstrdup (text);
      return 0;
    case UPDATE_OPTION_CPU_QUOTA:
    case UPDATE_OPTION_CPU_RT_RUNTIME:
    case UPDATE_OPTION_CPU_IDLE:
      if (parse_i64 (name, text, &i, err) < 0)
        return -1;
      if (option == UPDATE_OPTION_CPU_QUOTA)
        SET (cpu, quota, i);
      else if (option == UPDATE_OPTION_CPU_RT_RUNTIME)
        SET (cpu, realtime_runtime, i);
      else
        SET (cpu, idle, i);
      return 0;
    }
  if (parse_u64 (name, text, &u, err) < 0)
    return -1;
  if (option == UPDATE_OPTION_CPU_SHARE)
    SET (cpu, shares, u);
  else if (option == UPDATE_OPTION_CPU_PERIOD)
    SET (cpu, period, u);
  else if (option == UPDATE_OPTION_CPU_BURST)
    SET (cpu, burst, u);
  else
    SET (cpu, realtime_period, u);
  return 0;
}

/* runc reads 0 for both as "not given" (its integer flags' default); so does silo.  */
static int
apply_count_flag (oci_resources *r, int option, const char *name, const char *text,
                  struct silo_error **err)
{
  oci_block_io *block_io;
  int64_t value = 0;

  if (parse_i64 (name, text, &value, err) < 0)
    return -1;
  if (value == 0)
    return 0;
  if (option == UPDATE_OPTION_PIDS_LIMIT)
    {
      oci_pids *pids = ENSURE (r->pids);
      SET (pids, limit, value);
      return 0;
    }
  if (value < 10 || value > 1000)
    return silo_fail (err, 0, "--%s: `%s` is out of range (10 to 1000)", name, text);
  block_io = ENSURE (r->block_io);
  SET (block_io, weight, (uint16_t) value);
  return 0;
}

/* An empty value is "not given", as in runc (`--memory=` changes nothing).  */
static int
apply_flag (oci_resources *r, int option, const char *text, struct silo_error **err)
{
  const char *name = update_options[option].name;

  if (text == NULL || *text == '\0' || option == UPDATE_OPTION_RESOURCES)
    return 0;
  switch (option)
    {
    case UPDATE_OPTION_MEMORY:
    case UPDATE_OPTION_MEMORY_RESERVATION:
    case UPDATE_OPTION_MEMORY_SWAP:
    case UPDATE_OPTION_KERNEL_MEMORY_TCP:
      return apply_memory_flag (r, option, name, text, err);
    case UPDATE_OPTION_KERNEL_MEMORY:
      silo_log_warning ("--%s is ignored: the kernel has no kernel memory limit any more "
                        "(Linux 6.0 removed memory.kmem.limit_in_bytes)", name);
      return 0;
    case UPDATE_OPTION_PIDS_LIMIT:
    case UPDATE_OPTION_BLKIO_WEIGHT:
      return apply_count_flag (r, option, name, text, err);
    }
  return apply_cpu_flag (r, option, name, text, err);
}

static int
read_resources (const char *path, oci_resources **out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  int ret;

  if (strcmp (path, "-") == 0)
    ret = read_fd_all (STDIN_FILENO, &text, &len, err);
  else
    ret = read_file_at (AT_FDCWD, path, &text, &len, err);
  if (ret < 0 || oci_resources_parse (text, len, out, err) < 0)
    return silo_wrap (err, "--resources `%s`", strcmp (path, "-") == 0 ? "(standard input)" : path);
  return 0;
}

/* `update ID --memory 1g`: runc's own tests put the flags after the id too.  */
/* The same options, after the id: nothing else may follow.  */
static const struct silo_cmd silo_cmd_update_tail = {
  "update", "ID", "", update_options, 0, -1, NULL,
};

/* Returns 0, 1 for -h/--help (more and n_more are not set then), or -1.  */
static int
options_after_id (char *name, char **args, int n_args, struct update_flags *flags,
                  struct silo_error **err)
{
  _cleanup_free_ char **rest = xmalloc0 ((size_t) (n_args + 1) * sizeof (char *));
  char **more;
  int n_more, ret;

  rest[0] = name;
  memcpy (rest + 1, args + 1, (size_t) (n_args - 1) * sizeof (char *));
  ret = silo_cmd_parse (&silo_cmd_update_tail, n_args, rest, update_option, flags, &more, &n_more, err);
  if (ret != 0)
    return ret;
  if (n_more > 0)
    return silo_fail (err, 0, "update: unexpected argument `%s` after the options", more[0]);
  return 0;
}

int
silo_cmd_update_parse (int argc, char **argv, oci_resources **resources, char **id,
                       struct silo_error **err)
{
  struct update_flags flags = { { NULL } };
  oci_resources *r = NULL;
  char **args;
  int n_args, ret;

  *resources = NULL;
  ret = silo_cmd_begin (&silo_cmd_update, argc, argv, update_option, &flags, &args, &n_args, err);
  if (ret != 0)
    return ret;
  if (n_args > 1 && (ret = options_after_id (argv[0], args, n_args, &flags, err)) != 0)
    {
      /* `update ID --help`: the help, as before the id.  */
      if (ret == 1)
        {
          silo_cmd_print_usage (&silo_cmd_update, stdout);
          silo_cmd_print_options (&silo_cmd_update, stdout);
        }
      return ret;
    }
  if (flags.values[UPDATE_OPTION_RESOURCES] != NULL
      && read_resources (flags.values[UPDATE_OPTION_RESOURCES], &r, err) < 0)
    return -1;
  if (r == NULL)
    r = xmalloc0 (sizeof (*r));
  for (int i = 0; i < UPDATE_OPTION__COUNT; i++)
    if (apply_flag (r, i, flags.values[i], err) < 0)
      {
        oci_resources_free (r);
        return -1;
      }
  *resources = r;
  *id = args[0];
  return 0;
}

static int
run_update (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  oci_resources *resources = NULL;
  char *id = NULL;
  int ret = silo_cmd_update_parse (argc, argv, &resources, &id, err);

  if (ret != 0)
    return ret < 0 ? -1 : 0;
  ret = silo_container_update (ctx, id, resources, err);
  oci_resources_free (resources);
  return ret < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_update = {
  "update", "ID", "change the resource limits of a created, running or paused container",
  update_options, 1, -1, run_update,
};
