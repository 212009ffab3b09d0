/* silo cgroup, systemd driver: names, unit properties, and the scope's life (systemd.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "log.h"
#include "util.h"

#define DEFAULT_SLICE "system.slice"
#define DEFAULT_PREFIX "silo"
#define UNIT_NAME_MAX 255
#define CPU_PERIOD_DEFAULT 100000   /* µs, the kernel's default cpu.max period */

/* ---- properties -------------------------------------------------------------------------- */

void
cgroup_unit_properties_clear (struct cgroup_unit_properties *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->items[i].name);
      free (p->items[i].text);
      free (p->items[i].bytes);
    }
  free (p->items);
  p->items = NULL;
  p->n = 0;
}

static struct cgroup_unit_property *
property_add (struct cgroup_unit_properties *p, const char *name, char type)
{
  struct cgroup_unit_property *x;

  p->items = xrealloc (p->items, (p->n + 1) * sizeof (*p->items));
  x = &p->items[p->n++];
  memset (x, 0, sizeof (*x));
  x->name = xstrdup (name);
  x->type = type;
  return x;
}

void
cgroup_unit_property_number (struct cgroup_unit_properties *p, const char *name, char type, uint64_t number)
{
  property_add (p, name, type)->number = number;
}

void
cgroup_unit_property_text (struct cgroup_unit_properties *p, const char *name, const char *text)
{
  property_add (p, name, 's')->text = xstrdup (text);
}

/* ---- names ------------------------------------------------------------------------------- */

static bool
valid_unit_chars (const char *s)
{
  for (; *s != '\0'; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || strchr (":-_.\\@", *s) != NULL))
      return false;
  return true;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

int
cgroup_systemd_expand_slice (const char *slice, char **out, struct silo_error **err)
{
  size_t len = strlen (slice), base;
  char *path = NULL;

  if (strcmp (slice, "-.slice") == 0)
    {
      *out = xstrdup ("");
      return 0;
    }
  if (!has_suffix (slice, ".slice") || len == strlen (".slice") || len > UNIT_NAME_MAX
      || strchr (slice, '/') != NULL || !valid_unit_chars (slice))
    return silo_fail (err, 0, "slice `%s`: not a systemd slice name (like machine.slice "
                      "or kubepods-pod1.slice)", slice);
  base = len - strlen (".slice");
  if (slice[0] == '-' || slice[base - 1] == '-' || strstr (slice, "--") != NULL)
    return silo_fail (err, 0, "slice `%s`: a dash may not start or end it, nor follow another", slice);
  /* Each dash starts a level: a-b-c.slice is in a-b.slice, which is in a.slice.  */
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      {
        char *next = xasprintf ("%s%s%.*s.slice", path != NULL ? path : "", path != NULL ? "/" : "",
                                (int) i, slice);
        free (path);
        path = next;
      }
  *out = path;
  return 0;
}

/* "SLICE:PREFIX:NAME" -> slice, unit.  */
static int
split_cgroups_path (const char *cgroups_path, const char *id, char **slice, char **unit,
                    struct silo_error **err)
{
  const char *first = strchr (cgroups_path, ':'), *second = first ? strchr (first + 1, ':') : NULL;
  _cleanup_free_ char *prefix = NULL, *name = NULL;

  if (first == NULL || second == NULL || strchr (second + 1, ':') != NULL)
    return silo_fail (err, 0, "linux.cgroupsPath `%s`: the systemd cgroup driver takes "
                      "SLICE:PREFIX:NAME (like system.slice:silo:%s)", cgroups_path, id);
  *slice = first == cgroups_path ? xstrdup (DEFAULT_SLICE)
                                  : xasprintf ("%.*s", (int) (first - cgroups_path), cgroups_path);
  prefix = xasprintf ("%.*s", (int) (second - first - 1), first + 1);
  name = xstrdup (second + 1);
  if (name[0] == '\0')
    return silo_fail (err, 0, "linux.cgroupsPath `%s`: NAME (after the second colon) is empty",
                      cgroups_path);
  if (has_suffix (name, ".slice"))
    return silo_fail (err, 0, "linux.cgroupsPath `%s`: a slice as the container's own unit is "
                      "not supported; name a scope (NAME without .slice)", cgroups_path);
  *unit = prefix[0] == '\0' ? xasprintf ("%s.scope", name) : xasprintf ("%s-%s.scope", prefix, name);
  return 0;
}

int
cgroup_systemd_names (const char *cgroups_path, const char *id, char **unit, char **slice,
                      char **relative, struct silo_error **err)
{
  _cleanup_free_ char *u = NULL, *s = NULL, *expanded = NULL;

  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    {
      s = xstrdup (DEFAULT_SLICE);
      u = xasprintf ("%s-%s.scope", DEFAULT_PREFIX, id);
    }
  else if (split_cgroups_path (cgroups_path, id, &s, &u, err) < 0)
    return -1;
  if (strlen (u) > UNIT_NAME_MAX || !valid_unit_chars (u) || strchr (u, '/') != NULL)
    return silo_fail (err, 0, "linux.cgroupsPath: `%s` is not a valid systemd unit name (letters, "
                      "digits and :-_.\\@, at most %d characters)", u, UNIT_NAME_MAX);
  if (cgroup_systemd_expand_slice (s, &expanded, err) < 0)
    return silo_wrap (err, "linux.cgroupsPath");
  *relative = expanded[0] == '\0' ? xstrdup (u) : xasprintf ("%s/%s", expanded, u);
  *unit = steal_pointer (&u);
  *slice = steal_pointer (&s);
  return 0;
}

/* ---- resources as properties ------------------------------------------------------------- */

/* A number, or "max" (UINT64_MAX); what follows a space or newline is not read.  */
static int
parse_value (const char *text, uint64_t *out)
{
  char *end;

  while (*text == ' ')
    text++;
  if (strncmp (text, "max", 3) == 0 && (text[3] == '\0' || text[3] == ' ' || text[3] == '\n'))
    {
      *out = UINT64_MAX;
      return 0;
    }
  if (*text < '0' || *text > '9')
    return -1;
  errno = 0;
  *out = strtoull (text, &end, 10);
  return errno != 0 || (*end != '\0' && *end != ' ' && *end != '\n') ? -1 : 0;
}

/* cpu.max "QUOTA [PERIOD]" (or " PERIOD": keep the quota in place) -> CPUQuotaPerSecUSec
 * (rounded up: never less CPU than asked) and, when a period is given, CPUQuotaPeriodUSec.
 * What the value leaves out is read from the live cgroup (update) or is the kernel's
 * default (create: quota max, period 100 ms).  */
static int
cpu_max_properties (const struct cgroup_write *x, int dir_fd, struct cgroup_unit_properties *out,
                    struct silo_error **err)
{
  _cleanup_free_ char *current = NULL;
  bool keep = (x->flags & CGROUP_WRITE_KEEP_QUOTA) != 0;
  const char *quota_text = keep ? "max" : x->value;
  const char *period_text = keep ? x->value + 1 : strchr (x->value, ' ');
  uint64_t quota, period = CPU_PERIOD_DEFAULT;

  if (period_text != NULL && !keep)
    period_text++;
  if ((keep || period_text == NULL) && dir_fd >= 0)
    {
      const char *space;
      if (cgroup_read (dir_fd, "cpu.max", &current, err) < 0)
        return -1;
      if ((space = strchr (current, ' ')) == NULL || parse_value (space + 1, &period) < 0)
        return silo_fail (err, EINVAL, "cpu.max: cannot read `%s`", current);
      if (keep)
        quota_text = current;
    }
  if (parse_value (quota_text, &quota) < 0)
    return silo_fail (err, EINVAL, "%s: `%s` is not a CPU quota", x->field, quota_text);
  if (period_text != NULL && (parse_value (period_text, &period) < 0 || period == 0 || period == UINT64_MAX))
    return silo_fail (err, EINVAL, "%s: `%s` is not a CPU period", x->field, x->value);
  if (period_text != NULL)
    cgroup_unit_property_number (out, "CPUQuotaPeriodUSec", 't', period);
  cgroup_unit_property_number (out, "CPUQuotaPerSecUSec", 't',
                               quota == UINT64_MAX ? UINT64_MAX : (quota * 1000000 + period - 1) / period);
  return 0;
}

static int
cpuset_property (const struct cgroup_write *x, const char *name, struct cgroup_unit_properties *out,
                 struct silo_error **err)
{
  cpu_set_t set;
  struct cgroup_unit_property *p;
  size_t last = 0;

  if (silo_parse_cpu_list (x->value, &set, err) < 0)
    return silo_wrap (err, "%s", x->field);
  for (size_t i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET (i, &set))
      last = i + 1;
  p = property_add (out, name, 'y');
  p->n_bytes = (last + 7) / 8;
  p->bytes = xmalloc0 (p->n_bytes > 0 ? p->n_bytes : 1);
  for (size_t i = 0; i < last; i++)
    if (CPU_ISSET (i, &set))
      p->bytes[i / 8] |= (uint8_t) (1u << (i % 8));
  return 0;
}

static const struct { const char *file, *property; } number_properties[] = {
  { "memory.max", "MemoryMax" },     { "memory.low", "MemoryLow" },
  { "memory.high", "MemoryHigh" },   { "memory.min", "MemoryMin" },
  { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
  { "cpu.weight", "CPUWeight" },     { "io.weight", "IOWeight" },
};

static int
write_to_property (const struct cgroup_write *x, int dir_fd, struct cgroup_unit_properties *out,
                   struct silo_error **err)
{
  uint64_t v, limit;

  if (strcmp (x->file, "cpu.max") == 0)
    return cpu_max_properties (x, dir_fd, out, err);
  if (strcmp (x->file, "cpuset.cpus") == 0 || strcmp (x->file, "cpuset.mems") == 0)
    return cpuset_property (x, x->file[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes", out, err);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (number_properties); i++)
    {
      if (strcmp (x->file, number_properties[i].file) != 0)
        continue;
      if (strchr (x->value, ':') != NULL)
        return 0;   /* io.weight per device: no property, written to the file alone */
      if (parse_value (x->value, &v) < 0)
        return silo_fail (err, EINVAL, "%s: `%s` is not a number", x->field, x->value);
      if (x->flags & CGROUP_WRITE_SWAP_MINUS_LIMIT)
        {
          _cleanup_free_ char *text = NULL;
          if (dir_fd < 0)
            return 0;
          if (cgroup_read (dir_fd, "memory.max", &text, err) < 0)
            return -1;
          if (parse_value (text, &limit) < 0)
            return silo_fail (err, EINVAL, "memory.max: cannot read `%s`", text);
          v = limit == UINT64_MAX || v == UINT64_MAX ? UINT64_MAX : (v > limit ? v - limit : 0);
        }
      cgroup_unit_property_number (out, number_properties[i].property, 't', v);
      return 0;
    }
  return 0;   /* a file systemd does not manage */
}

int
cgroup_systemd_resource_properties (const oci_resources *r, bool update, int dir_fd,
                                    struct cgroup_unit_properties *out, struct silo_error **err)
{
  static const enum cgroup_controller managed[] = { CGROUP_MEMORY, CGROUP_CPU, CGROUP_CPUSET,
                                                    CGROUP_PIDS, CGROUP_IO };
  struct cgroup_writes w = { NULL, 0 };
  int ret = 0;

  if (r == NULL)
    return 0;
  for (size_t i = 0; ret == 0 && i < SILO_ARRAY_SIZE (managed); i++)
    ret = cgroup_resource_writes (managed[i], CGROUP_V2, r, update, &w, err);
  if (ret == 0)
    cgroup_unified_writes (r, &w);
  for (size_t i = 0; ret == 0 && i < w.n; i++)
    ret = write_to_property (&w.items[i], dir_fd, out, err);
  cgroup_writes_clear (&w);
  return ret;
}

/* ---- the scope's life ---------------------------------------------------------------------- */

static void
scope_properties (const struct silo_cgroup *cg, pid_t pid, struct cgroup_unit_properties *p)
{
  _cleanup_free_ char *description = xasprintf ("silo container %s", cg->unit);

  cgroup_unit_property_text (p, "Description", description);
  cgroup_unit_property_text (p, "Slice", cg->slice);
  cgroup_unit_property_number (p, "PIDs", 'u', (uint64_t) pid);
  /* The subtree is the container's: systemd neither moves its processes nor manages its
   * sub-cgroups.  */
  cgroup_unit_property_number (p, "Delegate", 'b', 1);
  /* Not stopped with the slice's shutdown ordering, and gone once empty even if it failed
   * (an OOM kill), so that the name can be used again.  */
  cgroup_unit_property_number (p, "DefaultDependencies", 'b', 0);
  cgroup_unit_property_text (p, "CollectMode", "inactive-or-failed");
  cgroup_unit_property_number (p, "MemoryAccounting", 'b', 1);
  cgroup_unit_property_number (p, "CPUAccounting", 'b', 1);
  cgroup_unit_property_number (p, "TasksAccounting", 'b', 1);
  cgroup_unit_property_number (p, "IOAccounting", 'b', 1);
}

int
cgroup_systemd_start_scope (struct silo_cgroup *cg, pid_t pid, struct silo_error **err)
{
  struct cgroup_unit_properties p = { NULL, 0 };
  int ret;

  scope_properties (cg, pid, &p);
  ret = cgroup_systemd_resource_properties (cg->resources, false, -1, &p, err);
  if (ret == 0)
    ret = cgroup_systemd_start_unit (cg->unit, &p, err);
  cgroup_unit_properties_clear (&p);
  if (ret < 0)
    return silo_wrap (err, "cgroup of the container: systemd scope `%s`", cg->unit);
  cg->started = true;
  return 0;
}

void
cgroup_systemd_release (const struct silo_cgroup *cg)
{
  struct silo_error *err = NULL;

  if (cgroup_systemd_stop_unit (cg->unit, &err) < 0)
    {
      silo_log_warning ("%s (an empty scope is collected by systemd anyway)", err->msg);
      silo_error_free (err);
    }
}

int
cgroup_systemd_update (const struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err)
{
  struct cgroup_unit_properties p = { NULL, 0 };
  _cleanup_close_ int tmp = -1;
  int dir, ret;

  if (cg->unified == NULL)
    return 0;
  dir = cgroup_hierarchy_dir (cg->unified, &tmp, err);
  if (dir < 0)
    return -1;
  ret = cgroup_systemd_resource_properties (r, true, dir, &p, err);
  if (ret == 0)
    ret = cgroup_systemd_set_properties (cg->unit, &p, err);
  cgroup_unit_properties_clear (&p);
  return ret;
}
