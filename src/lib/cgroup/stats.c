/* silo cgroup statistics: the "data" of runc's `events --stats`, the same JSON names
 * (cpu.usage.percpu_kernel, cpu.throttling.throttledPeriods, memory.kernelTCP,
 * blkio.ioServiceBytesRecursive, hugetlb."2MB" ...) and the same omissions (runc's Go
 * structs leave out zero values marked omitempty), so that containerd and docker read
 * silo's output as they read runc's.  Also the OOM kill count `events` polls.
 *
 * Each statistic comes from the hierarchy that holds its controller: on a hybrid host
 * cpu, memory, pids and blkio from v1, hugetlb from cgroup2.  A file the kernel does not
 * have (no swap accounting, a controller not enabled) leaves its numbers at zero.
 * v2 is converted to v1's meaning where runc does: nanoseconds, swap as memory+swap.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define STATS_CONTROLLERS                                                                    \
  (CGROUP_MASK (CGROUP_CPU) | CGROUP_MASK (CGROUP_CPUACCT) | CGROUP_MASK (CGROUP_MEMORY)     \
   | CGROUP_MASK (CGROUP_PIDS) | CGROUP_MASK (CGROUP_IO) | CGROUP_MASK (CGROUP_HUGETLB))

void
cgroup_stats_clear (struct cgroup_stats *s)
{
  for (size_t i = 0; i < s->n_memory_raw; i++)
    free (s->memory_raw[i].key);
  for (size_t i = 0; i < s->n_service_bytes; i++)
    free (s->service_bytes[i].op);
  for (size_t i = 0; i < s->n_serviced; i++)
    free (s->serviced[i].op);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    free (s->hugetlb[i].size);
  free (s->percpu);
  free (s->percpu_kernel);
  free (s->percpu_user);
  free (s->memory_raw);
  free (s->service_bytes);
  free (s->serviced);
  free (s->hugetlb);
  memset (s, 0, sizeof (*s));
}

/* ---- parsers ---------------------------------------------------------------------------- */

static void
append_u64 (uint64_t **list, size_t *n, uint64_t v)
{
  *list = xrealloc (*list, (*n + 1) * sizeof (**list));
  (*list)[(*n)++] = v;
}

static void
append_blkio (struct cgroup_blkio_entry **list, size_t *n, uint64_t major, uint64_t minor,
              const char *op, uint64_t value)
{
  *list = xrealloc (*list, (*n + 1) * sizeof (**list));
  (*list)[(*n)++] = (struct cgroup_blkio_entry) { major, minor, xstrdup (op), value };
}

void
cgroup_parse_u64_list (const char *text, uint64_t **out, size_t *n)
{
  for (const char *p = text; *p != '\0';)
    {
      char *end;
      unsigned long long v = strtoull (p, &end, 10);
      if (end == p)
        break;
      append_u64 (out, n, v);
      p = end + strspn (end, " \n");
    }
}

/* "key value" lines (memory.stat).  */
void
cgroup_parse_raw (const char *text, struct cgroup_raw_entry **out, size_t *n)
{
  for (const char *line = text; *line != '\0';)
    {
      size_t key_len = strcspn (line, " \n");
      char *end;
      unsigned long long v = line[key_len] == ' ' ? strtoull (line + key_len + 1, &end, 10) : 0;
      if (key_len > 0 && line[key_len] == ' ' && end != line + key_len + 1)
        {
          *out = xrealloc (*out, (*n + 1) * sizeof (**out));
          (*out)[(*n)++] = (struct cgroup_raw_entry) { xasprintf ("%.*s", (int) key_len, line), v };
        }
      line = strchrnul (line, '\n');
      line += *line == '\n';
    }
}

/* v1 blkio: "8:0 Read 4096" lines, and a "Total N" line that is not per device.  */
void
cgroup_parse_blkio_v1 (const char *text, struct cgroup_blkio_entry **out, size_t *n)
{
  for (const char *line = text; *line != '\0';)
    {
      unsigned long long major, minor, value;
      char op[16];
      if (sscanf (line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
        append_blkio (out, n, major, minor, op, value);
      line = strchrnul (line, '\n');
      line += *line == '\n';
    }
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" -> v1's tables.  */
void
cgroup_parse_io_stat (const char *text, struct cgroup_stats *s)
{
  for (const char *line = text; *line != '\0';)
    {
      const char *end = strchrnul (line, '\n');
      unsigned long long major, minor, value;
      char key[16];
      int used = 0, more;
      if (sscanf (line, "%llu:%llu%n", &major, &minor, &used) == 2)
        for (const char *p = line + used; p < end; p += more)
          {
            more = 0;
            if (sscanf (p, " %15[a-z]=%llu%n", key, &value, &more) != 2 || more == 0)
              break;
            if (strcmp (key, "rbytes") == 0 || strcmp (key, "wbytes") == 0)
              append_blkio (&s->service_bytes, &s->n_service_bytes, major, minor, key[0] == 'r' ? "Read" : "Write", value);
            else if (strcmp (key, "rios") == 0 || strcmp (key, "wios") == 0)
              append_blkio (&s->serviced, &s->n_serviced, major, minor, key[0] == 'r' ? "Read" : "Write", value);
          }
      line = end + (*end == '\n');
    }
}

static uint64_t
raw_value (const struct cgroup_stats *s, const char *key)
{
  for (size_t i = 0; i < s->n_memory_raw; i++)
    if (strcmp (s->memory_raw[i].key, key) == 0)
      return s->memory_raw[i].value;
  return 0;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* 0 read, 1 no such file (a feature this kernel or cgroup lacks), -1 error.  */
static int
read_optional (int dir_fd, const char *file, char **text, struct silo_error **err)
{
  struct silo_error *e = NULL;

  if (cgroup_read (dir_fd, file, text, &e) == 0)
    return 0;
  if (e->errnum == ENOENT)
    {
      silo_error_free (e);
      return 1;
    }
  if (err != NULL && *err == NULL)
    *err = e;
  else
    silo_error_free (e);
  return -1;
}

static int
read_number (int dir_fd, const char *file, uint64_t *out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  int r = read_optional (dir_fd, file, &text, err);

  *out = 0;
  if (r != 0)
    return r < 0 ? -1 : 0;
  *out = strncmp (text, "max", 3) == 0 ? UINT64_MAX : strtoull (text, NULL, 10);
  return 0;
}

static int
read_key (int dir_fd, const char *file, const char *key, uint64_t *out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  int r = read_optional (dir_fd, file, &text, err);
  size_t len = strlen (key);

  *out = 0;
  if (r != 0)
    return r < 0 ? -1 : 0;
  for (const char *line = text; *line != '\0'; line = strchrnul (line, '\n'), line += *line == '\n')
    if (strncmp (line, key, len) == 0 && line[len] == ' ')
      *out = strtoull (line + len + 1, NULL, 10);
  return 0;
}

/* Names ("2MB") of this host's huge page sizes, NULL-terminated; NULL when it has none.  */
static char **
huge_page_sizes (void)
{
  DIR *dir = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;
  char **names = NULL;
  size_t n = 0;

  if (dir == NULL)
    return NULL;
  while ((de = readdir (dir)) != NULL)
    {
      unsigned long kb;
      if (sscanf (de->d_name, "hugepages-%lukB", &kb) != 1)
        continue;
      names = xrealloc (names, (n + 2) * sizeof (*names));
      names[n++] = cgroup_hugetlb_size_name (kb);
      names[n] = NULL;
    }
  closedir (dir);
  return names;
}

static int
read_hugetlb (int dir_fd, enum cgroup_version v, struct cgroup_stats *s, struct silo_error **err)
{
  _cleanup_strv_ char **sizes = huge_page_sizes ();

  for (size_t i = 0; sizes != NULL && sizes[i] != NULL; i++)
    {
      _cleanup_free_ char *usage = xasprintf ("hugetlb.%s.%s", sizes[i], v == CGROUP_V1 ? "usage_in_bytes" : "current");
      _cleanup_free_ char *max = xasprintf ("hugetlb.%s.max_usage_in_bytes", sizes[i]);
      _cleanup_free_ char *failcnt = xasprintf ("hugetlb.%s.%s", sizes[i], v == CGROUP_V1 ? "failcnt" : "events");
      struct cgroup_hugetlb_entry e = { .size = NULL };
      if (faccessat (dir_fd, usage, F_OK, 0) < 0)
        continue;   /* the controller is not enabled for this cgroup */
      if (read_number (dir_fd, usage, &e.usage, err) < 0
          || (v == CGROUP_V1 && read_number (dir_fd, max, &e.max, err) < 0)
          || (v == CGROUP_V1 ? read_number (dir_fd, failcnt, &e.failcnt, err)
                             : read_key (dir_fd, failcnt, "max", &e.failcnt, err)) < 0)
        return -1;
      e.size = xstrdup (sizes[i]);
      s->hugetlb = xrealloc (s->hugetlb, (s->n_hugetlb + 1) * sizeof (*s->hugetlb));
      s->hugetlb[s->n_hugetlb++] = e;
    }
  return 0;
}

static int
read_pids (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  if (read_number (dir_fd, "pids.current", &s->pids_current, err) < 0
      || read_number (dir_fd, "pids.max", &s->pids_limit, err) < 0)
    return -1;
  if (s->pids_limit == UINT64_MAX)
    s->pids_limit = 0;   /* runc says 0 for no limit */
  return 0;
}

/* ---- v1 ------------------------------------------------------------------------------------ */

static int
v1_memory_entry (int dir_fd, const char *prefix, struct cgroup_memory_entry *e, struct silo_error **err)
{
  const char *names[] = { "usage_in_bytes", "max_usage_in_bytes", "failcnt", "limit_in_bytes" };
  uint64_t *values[] = { &e->usage, &e->max, &e->failcnt, &e->limit };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (names); i++)
    {
      _cleanup_free_ char *file = xasprintf ("%s%s", prefix, names[i]);
      if (read_number (dir_fd, file, values[i], err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_memory (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  _cleanup_free_ char *stat = NULL;

  if (read_optional (dir_fd, "memory.stat", &stat, err) < 0)
    return -1;
  if (stat != NULL)
    cgroup_parse_raw (stat, &s->memory_raw, &s->n_memory_raw);
  s->memory_cache = raw_value (s, "cache");
  if (v1_memory_entry (dir_fd, "memory.", &s->memory_usage, err) < 0
      || v1_memory_entry (dir_fd, "memory.memsw.", &s->memory_swap, err) < 0
      || v1_memory_entry (dir_fd, "memory.kmem.", &s->memory_kernel, err) < 0
      || v1_memory_entry (dir_fd, "memory.kmem.tcp.", &s->memory_kernel_tcp, err) < 0)
    return -1;
  return 0;
}

/* cpuacct.usage_all: "cpu user system" then one line per CPU, in nanoseconds.  */
static void
parse_usage_all (const char *text, struct cgroup_stats *s)
{
  const char *line = strchr (text, '\n');

  while (line != NULL && *++line != '\0')
    {
      unsigned long long cpu, user, system;
      if (sscanf (line, "%llu %llu %llu", &cpu, &user, &system) == 3)
        {
          append_u64 (&s->percpu_user, &s->n_percpu_user, user);
          append_u64 (&s->percpu_kernel, &s->n_percpu_kernel, system);
        }
      line = strchr (line, '\n');
    }
}

static int
v1_cpuacct (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  _cleanup_free_ char *percpu = NULL, *all = NULL;
  uint64_t user_ticks, system_ticks;
  long ticks = sysconf (_SC_CLK_TCK);

  if (read_number (dir_fd, "cpuacct.usage", &s->cpu_total, err) < 0
      || read_optional (dir_fd, "cpuacct.usage_percpu", &percpu, err) < 0
      || read_optional (dir_fd, "cpuacct.usage_all", &all, err) < 0
      || read_key (dir_fd, "cpuacct.stat", "user", &user_ticks, err) < 0
      || read_key (dir_fd, "cpuacct.stat", "system", &system_ticks, err) < 0)
    return -1;
  if (percpu != NULL)
    cgroup_parse_u64_list (percpu, &s->percpu, &s->n_percpu);
  if (all != NULL)
    parse_usage_all (all, s);
  /* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds.  */
  ticks = ticks > 0 ? ticks : 100;
  s->cpu_user = user_ticks * (1000000000ULL / (uint64_t) ticks);
  s->cpu_kernel = system_ticks * (1000000000ULL / (uint64_t) ticks);
  return 0;
}

static int
v1_cpu (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  if (read_key (dir_fd, "cpu.stat", "nr_periods", &s->periods, err) < 0
      || read_key (dir_fd, "cpu.stat", "nr_throttled", &s->throttled_periods, err) < 0
      || read_key (dir_fd, "cpu.stat", "throttled_time", &s->throttled_time, err) < 0)
    return -1;
  return 0;
}

/* The throttle layer's counters: every device's I/O, whatever its scheduler.  */
static int
v1_blkio (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  _cleanup_free_ char *bytes = NULL, *ios = NULL;

  if (read_optional (dir_fd, "blkio.throttle.io_service_bytes_recursive", &bytes, err) < 0
      || read_optional (dir_fd, "blkio.throttle.io_serviced_recursive", &ios, err) < 0)
    return -1;
  if (bytes != NULL)
    cgroup_parse_blkio_v1 (bytes, &s->service_bytes, &s->n_service_bytes);
  if (ios != NULL)
    cgroup_parse_blkio_v1 (ios, &s->serviced, &s->n_serviced);
  return 0;
}

int
cgroup_v1_stats (const struct cgroup_hierarchy *h, int dir_fd, unsigned controllers,
                 struct cgroup_stats *out, struct silo_error **err)
{
  (void) h;
  if ((controllers & CGROUP_MASK (CGROUP_CPUACCT)) && v1_cpuacct (dir_fd, out, err) < 0)
    return -1;
  if ((controllers & CGROUP_MASK (CGROUP_CPU)) && v1_cpu (dir_fd, out, err) < 0)
    return -1;
  if ((controllers & CGROUP_MASK (CGROUP_MEMORY)) && v1_memory (dir_fd, out, err) < 0)
    return -1;
  if ((controllers & CGROUP_MASK (CGROUP_PIDS)) && read_pids (dir_fd, out, err) < 0)
    return -1;
  if ((controllers & CGROUP_MASK (CGROUP_IO)) && v1_blkio (dir_fd, out, err) < 0)
    return -1;
  if ((controllers & CGROUP_MASK (CGROUP_HUGETLB)) && read_hugetlb (dir_fd, CGROUP_V1, out, err) < 0)
    return -1;
  return 0;
}

/* ---- v2 ------------------------------------------------------------------------------------ */

static int
v2_cpu (int dir_fd, unsigned controllers, struct cgroup_stats *s, struct silo_error **err)
{
  uint64_t usage, user, system, periods, throttled, throttled_usec;

  if (read_key (dir_fd, "cpu.stat", "usage_usec", &usage, err) < 0
      || read_key (dir_fd, "cpu.stat", "user_usec", &user, err) < 0
      || read_key (dir_fd, "cpu.stat", "system_usec", &system, err) < 0
      || read_key (dir_fd, "cpu.stat", "nr_periods", &periods, err) < 0
      || read_key (dir_fd, "cpu.stat", "nr_throttled", &throttled, err) < 0
      || read_key (dir_fd, "cpu.stat", "throttled_usec", &throttled_usec, err) < 0)
    return -1;
  if (controllers & CGROUP_MASK (CGROUP_CPUACCT))
    {
      s->cpu_total = usage * 1000;
      s->cpu_user = user * 1000;
      s->cpu_kernel = system * 1000;
    }
  if (controllers & CGROUP_MASK (CGROUP_CPU))
    {
      s->periods = periods;
      s->throttled_periods = throttled;
      s->throttled_time = throttled_usec * 1000;
    }
  return 0;
}

static int
v2_memory (int dir_fd, struct cgroup_stats *s, struct silo_error **err)
{
  _cleanup_free_ char *stat = NULL;
  struct cgroup_memory_entry *u = &s->memory_usage, *w = &s->memory_swap;
  int r = read_optional (dir_fd, "memory.stat", &stat, err);

  if (r != 0)
    return r < 0 ? -1 : 0;   /* memory not enabled for this cgroup */
  cgroup_parse_raw (stat, &s->memory_raw, &s->n_memory_raw);
  s->memory_cache = raw_value (s, "file");
  if (read_number (dir_fd, "memory.current", &u->usage, err) < 0
      || read_number (dir_fd, "memory.max", &u->limit, err) < 0
      || read_number (dir_fd, "memory.peak", &u->max, err) < 0
      || read_key (dir_fd, "memory.events", "max", &u->failcnt, err) < 0
      || read_number (dir_fd, "memory.swap.current", &w->usage, err) < 0
      || read_number (dir_fd, "memory.swap.max", &w->limit, err) < 0)
    return -1;
  /* v1 counted swap as memory+swap, and runc reports v2 that way too.  */
  w->usage += u->usage;
  if (w->limit != UINT64_MAX && u->limit != UINT64_MAX)
    w->limit += u->limit;
  return 0;
}

int
cgroup_v2_stats (const struct cgroup_hierarchy *h, int dir_fd, unsigned controllers,
                 struct cgroup_stats *out, struct silo_error **err)
{
  _cleanup_free_ char *io = NULL;
  int ret = 0;

  (void) h;
  if (controllers & (CGROUP_MASK (CGROUP_CPU) | CGROUP_MASK (CGROUP_CPUACCT)))
    ret = v2_cpu (dir_fd, controllers, out, err);
  if (ret == 0 && (controllers & CGROUP_MASK (CGROUP_MEMORY)))
    ret = v2_memory (dir_fd, out, err);
  if (ret == 0 && (controllers & CGROUP_MASK (CGROUP_PIDS)))
    ret = read_pids (dir_fd, out, err);
  if (ret == 0 && (controllers & CGROUP_MASK (CGROUP_IO)))
    {
      ret = read_optional (dir_fd, "io.stat", &io, err) < 0 ? -1 : 0;
      if (io != NULL)
        cgroup_parse_io_stat (io, out);
    }
  if (ret == 0 && (controllers & CGROUP_MASK (CGROUP_HUGETLB)))
    ret = read_hugetlb (dir_fd, CGROUP_V2, out, err);
  return ret;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

/* oci_json_int takes a long long: "max" (UINT64_MAX) shows as INT64_MAX.  */
static void
json_u64 (oci_json_writer *w, const char *key, uint64_t v, bool omit_zero)
{
  if (omit_zero && v == 0)
    return;
  oci_json_key (w, key);
  oci_json_int (w, v > INT64_MAX ? INT64_MAX : (long long) v);
}

static void
json_u64_list (oci_json_writer *w, const char *key, const uint64_t *v, size_t n)
{
  if (n == 0)
    return;
  oci_json_key (w, key);
  oci_json_begin_array (w);
  for (size_t i = 0; i < n; i++)
    oci_json_int (w, v[i] > INT64_MAX ? INT64_MAX : (long long) v[i]);
  oci_json_end_array (w);
}

static void
json_cpu (oci_json_writer *w, const struct cgroup_stats *s)
{
  oci_json_key (w, "cpu");
  oci_json_begin_object (w);
  oci_json_key (w, "usage");
  oci_json_begin_object (w);
  json_u64 (w, "total", s->cpu_total, true);
  json_u64_list (w, "percpu", s->percpu, s->n_percpu);
  json_u64_list (w, "percpu_kernel", s->percpu_kernel, s->n_percpu_kernel);
  json_u64_list (w, "percpu_user", s->percpu_user, s->n_percpu_user);
  json_u64 (w, "kernel", s->cpu_kernel, false);
  json_u64 (w, "user", s->cpu_user, false);
  oci_json_end_object (w);
  oci_json_key (w, "throttling");
  oci_json_begin_object (w);
  json_u64 (w, "periods", s->periods, true);
  json_u64 (w, "throttledPeriods", s->throttled_periods, true);
  json_u64 (w, "throttledTime", s->throttled_time, true);
  oci_json_end_object (w);
  oci_json_end_object (w);
}

static void
json_memory_entry (oci_json_writer *w, const char *key, const struct cgroup_memory_entry *e)
{
  oci_json_key (w, key);
  oci_json_begin_object (w);
  json_u64 (w, "limit", e->limit, false);
  json_u64 (w, "usage", e->usage, true);
  json_u64 (w, "max", e->max, true);
  json_u64 (w, "failcnt", e->failcnt, false);
  oci_json_end_object (w);
}

static void
json_memory (oci_json_writer *w, const struct cgroup_stats *s)
{
  oci_json_key (w, "memory");
  oci_json_begin_object (w);
  json_u64 (w, "cache", s->memory_cache, true);
  json_memory_entry (w, "usage", &s->memory_usage);
  json_memory_entry (w, "swap", &s->memory_swap);
  json_memory_entry (w, "kernel", &s->memory_kernel);
  json_memory_entry (w, "kernelTCP", &s->memory_kernel_tcp);
  if (s->n_memory_raw > 0)
    {
      oci_json_key (w, "raw");
      oci_json_begin_object (w);
      for (size_t i = 0; i < s->n_memory_raw; i++)
        json_u64 (w, s->memory_raw[i].key, s->memory_raw[i].value, false);
      oci_json_end_object (w);
    }
  oci_json_end_object (w);
}

static void
json_blkio_list (oci_json_writer *w, const char *key, const struct cgroup_blkio_entry *e, size_t n)
{
  if (n == 0)
    return;
  oci_json_key (w, key);
  oci_json_begin_array (w);
  for (size_t i = 0; i < n; i++)
    {
      oci_json_begin_object (w);
      json_u64 (w, "major", e[i].major, true);
      json_u64 (w, "minor", e[i].minor, true);
      if (e[i].op != NULL && e[i].op[0] != '\0')
        {
          oci_json_key (w, "op");
          oci_json_string (w, e[i].op);
        }
      json_u64 (w, "value", e[i].value, true);
      oci_json_end_object (w);
    }
  oci_json_end_array (w);
}

static void
json_rest (oci_json_writer *w, const struct cgroup_stats *s)
{
  oci_json_key (w, "pids");
  oci_json_begin_object (w);
  json_u64 (w, "current", s->pids_current, true);
  json_u64 (w, "limit", s->pids_limit, true);
  oci_json_end_object (w);
  oci_json_key (w, "blkio");
  oci_json_begin_object (w);
  json_blkio_list (w, "ioServiceBytesRecursive", s->service_bytes, s->n_service_bytes);
  json_blkio_list (w, "ioServicedRecursive", s->serviced, s->n_serviced);
  oci_json_end_object (w);
  oci_json_key (w, "hugetlb");
  oci_json_begin_object (w);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    {
      oci_json_key (w, s->hugetlb[i].size);
      oci_json_begin_object (w);
      json_u64 (w, "usage", s->hugetlb[i].usage, true);
      json_u64 (w, "max", s->hugetlb[i].max, true);
      json_u64 (w, "failcnt", s->hugetlb[i].failcnt, false);
      oci_json_end_object (w);
    }
  oci_json_end_object (w);
}

char *
cgroup_stats_json (const struct cgroup_stats *s)
{
  oci_json_writer *w = oci_json_writer_new (false);

  oci_json_begin_object (w);
  json_cpu (w, s);
  json_memory (w, s);
  json_rest (w, s);
  oci_json_end_object (w);
  return oci_json_writer_finish (w, NULL);
}

/* ---- the public calls --------------------------------------------------------------------- */

/* The hierarchy answering for controller c: its v1 hierarchy, else cgroup2.  */
static const struct cgroup_hierarchy *
owner (const struct silo_cgroup *cg, enum cgroup_controller c)
{
  const char *name = cgroup_controller_name (c, CGROUP_V1);

  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (cg->hierarchies[i].driver->version == CGROUP_V1 && cgroup_has_controller (cg->hierarchies[i].controllers, name))
      return &cg->hierarchies[i];
  return cg->unified;
}

int
silo_cgroup_stats_json (const struct silo_cgroup *cg, char **json, struct silo_error **err)
{
  struct cgroup_stats s;

  memset (&s, 0, sizeof (s));
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      const struct cgroup_hierarchy *h = &cg->hierarchies[i];
      _cleanup_close_ int tmp = -1;
      unsigned mask = 0;
      int dir;
      for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
        if ((STATS_CONTROLLERS & CGROUP_MASK (c)) && owner (cg, c) == h)
          mask |= CGROUP_MASK (c);
      if (mask == 0)
        continue;
      dir = cgroup_hierarchy_dir (h, &tmp, err);
      if (dir < 0 || h->driver->stats (h, dir, mask, &s, err) < 0)
        {
          cgroup_stats_clear (&s);
          return silo_wrap (err, "statistics of cgroup `%s`", h->path);
        }
    }
  *json = cgroup_stats_json (&s);
  cgroup_stats_clear (&s);
  return 0;
}

int
silo_cgroup_oom_kills (const struct silo_cgroup *cg, uint64_t *count, struct silo_error **err)
{
  const struct cgroup_hierarchy *h = owner (cg, CGROUP_MEMORY);
  _cleanup_close_ int tmp = -1;
  int dir, r;

  if (h == NULL)
    return silo_fail (err, 0, "no memory cgroup controller on this host: OOM kills cannot be counted");
  dir = cgroup_hierarchy_dir (h, &tmp, err);
  if (dir < 0)
    return -1;
  r = cgroup_read_key (dir, h->driver->version == CGROUP_V1 ? "memory.oom_control" : "memory.events",
                       "oom_kill", count, err);
  if (r == 1)
    return silo_fail (err, 0, "cgroup `%s`: no oom_kill count (a kernel before 4.13?)", h->path);
  return r < 0 ? silo_wrap (err, "cgroup `%s`", h->path) : 0;
}
