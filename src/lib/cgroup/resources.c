/* silo cgroup resources, the host half: which hierarchy each controller lives in and
 * whether the layout can do what linux.resources asks (checked before anything is made),
 * the writes themselves, and `update` on a live cgroup.
 *
 * A controller is in a v1 hierarchy, or in cgroup2 (its cgroup.controllers), or nowhere:
 * the kernel binds each to one of them.  So on a hybrid host memory goes to the v1
 * memory hierarchy and hugepageLimits to cgroup2 when hugetlb is there, per controller.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* ---- the writes ------------------------------------------------------------------------- */

/* write_file_at's write, answering only its errno: the caller words the error with the
 * field and a hint.  */
static int
write_value (int dir_fd, const char *file, const char *value)
{
  struct silo_error *e = NULL;
  int errnum = 0;

  if (write_file_at (dir_fd, file, value, strlen (value), &e) < 0)
    errnum = e != NULL && e->errnum != 0 ? e->errnum : EIO;
  silo_error_free (e);
  return errnum;
}

static int
write_failed (const struct cgroup_write *x, const char *value, int errnum, struct silo_error **err)
{
  if (x->hint == NULL)
    return silo_fail (err, errnum, "%s: write %s to %s", x->field, value, x->file);
  silo_fail (err, 0, "%s: write %s to %s: %s (%s)", x->field, value, x->file, strerror (errnum), x->hint);
  if (err != NULL && *err != NULL)
    (*err)->errnum = errnum;
  return -1;
}

/* "123" or "max" (-> UINT64_MAX): 0, or -1 for anything else.  */
static int
parse_u64 (const char *text, uint64_t *out)
{
  long long v;
  size_t len = strcspn (text, " \n");
  _cleanup_free_ char *word = xasprintf ("%.*s", (int) len, text);

  if (strcmp (word, "max") == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  if (parse_long (word, &v) < 0 || v < 0)
    return -1;
  *out = (uint64_t) v;
  return 0;
}

int
cgroup_read_u64 (int dir_fd, const char *file, uint64_t *out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;

  if (cgroup_read (dir_fd, file, &text, err) < 0)
    return -1;
  if (parse_u64 (text, out) < 0)
    return silo_fail (err, 0, "%s: `%.*s` is not a number", file, (int) strcspn (text, "\n"), text);
  return 0;
}

/* checkBeforeUpdate: a limit below what the cgroup uses now would make the kernel reclaim
 * or OOM-kill at once; refuse it instead.  */
static int
check_usage (int dir_fd, const struct cgroup_write *x, struct silo_error **err)
{
  uint64_t usage, limit;

  if (parse_u64 (x->value, &limit) < 0)
    return 0;   /* -1: unlimited */
  if (cgroup_read_u64 (dir_fd, x->usage, &usage, err) < 0)
    return silo_wrap (err, "%s", x->field);
  if (limit < usage)
    return silo_fail (err, 0, "%s: %" PRIu64 " is below the current usage of %" PRIu64 " bytes (%s), "
                      "and memory.checkBeforeUpdate is set", x->field, limit, usage, x->usage);
  return 0;
}

/* The value as written now: most are fixed, a few depend on the live cgroup.  */
static int
final_value (int dir_fd, const struct cgroup_write *x, char **value, struct silo_error **err)
{
  _cleanup_free_ char *current = NULL;
  uint64_t limit;
  long long swap;

  if ((x->flags & CGROUP_WRITE_CHECK_USAGE) && check_usage (dir_fd, x, err) < 0)
    return -1;
  if (x->flags & CGROUP_WRITE_KEEP_QUOTA)
    {
      if (cgroup_read (dir_fd, "cpu.max", &current, err) < 0)
        return silo_wrap (err, "%s", x->field);
      *value = xasprintf ("%.*s%s", (int) strcspn (current, " \n"), current, x->value);
      return 0;
    }
  if (x->flags & CGROUP_WRITE_SWAP_MINUS_LIMIT)
    {
      if (cgroup_read_u64 (dir_fd, "memory.max", &limit, err) < 0 || parse_long (x->value, &swap) < 0)
        return silo_wrap (err, "%s", x->field);
      if (limit != UINT64_MAX && limit <= INT64_MAX
          && oci_memory_swap_check (x->field, swap, (int64_t) limit, "the memory limit in place", err) < 0)
        return -1;
      *value = limit == UINT64_MAX ? xstrdup (x->value) : xasprintf ("%" PRIu64, (uint64_t) swap - limit);
      return 0;
    }
  *value = xstrdup (x->value);
  return 0;
}

static int
try_write (int dir_fd, const struct cgroup_write *x, char **value, int *errnum, struct silo_error **err)
{
  free (*value);
  *value = NULL;
  if (final_value (dir_fd, x, value, err) < 0)
    return -1;
  *errnum = write_value (dir_fd, x->file, *value);
  return 0;
}

int
cgroup_writes_apply (int dir_fd, const struct cgroup_writes *w, struct silo_error **err)
{
  for (size_t i = 0; i < w->n; i++)
    {
      const struct cgroup_write *x = &w->items[i], *next = i + 1 < w->n ? &w->items[i + 1] : NULL;
      _cleanup_free_ char *value = NULL, *next_value = NULL;
      int errnum = 0, next_errnum = 0;

      if (try_write (dir_fd, x, &value, &errnum, err) < 0)
        return -1;
      if (errnum == ENOENT && (x->flags & CGROUP_WRITE_OPTIONAL))
        continue;
      if (errnum == ENOENT && (x->flags & CGROUP_WRITE_OR_NEXT) && next != NULL)
        continue;   /* the next entry is the alternative */
      if (errnum == EINVAL && (x->flags & CGROUP_WRITE_RETRY_AFTER_NEXT) && next != NULL)
        {
          if (try_write (dir_fd, next, &next_value, &next_errnum, err) < 0)
            return -1;
          if (next_errnum != 0)
            return write_failed (next, next_value, next_errnum, err);
          if (try_write (dir_fd, x, &value, &errnum, err) < 0)
            return -1;
          if (errnum == 0)
            i++;
        }
      if (errnum != 0)
        return write_failed (x, value, errnum, err);
      if (x->flags & CGROUP_WRITE_OR_NEXT)
        i++;
    }
  return 0;
}

int
cgroup_apply_controllers (int dir_fd, enum cgroup_version v, unsigned mask, const oci_resources *r,
                          const struct cgroup_apply_options *o, struct silo_error **err)
{
  struct cgroup_writes w = { NULL, 0 };
  int ret = 0;

  for (int c = 0; c < CGROUP_N_CONTROLLERS && ret == 0; c++)
    if (mask & CGROUP_MASK (c))
      ret = cgroup_resource_writes (c, v, r, o->update, &w, err);
  if (ret == 0)
    ret = cgroup_writes_apply (dir_fd, &w, err);
  cgroup_writes_clear (&w);
  return ret;
}

/* ---- the layout check ------------------------------------------------------------------- */

unsigned
cgroup_v1_controllers (const struct silo_cgroup *cg)
{
  unsigned mask = 0;

  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (cg->hierarchies[i].driver->version == CGROUP_V1)
      mask |= cgroup_controllers_mask (cg->hierarchies[i].controllers, CGROUP_V1);
  return mask;
}

static int
missing_controller (enum cgroup_controller c, const oci_resources *r, struct silo_error **err)
{
  struct cgroup_writes w = { NULL, 0 };
  _cleanup_free_ char *field = NULL;

  if (c == CGROUP_NET_CLS || c == CGROUP_NET_PRIO)
    return silo_fail (err, 0, "linux.resources.network.%s: needs the cgroup v1 %s controller, which is "
                      "not mounted on this host (cgroup v2 has no such controller)",
                      c == CGROUP_NET_CLS ? "classID" : "priorities", cgroup_controller_name (c, CGROUP_V1));
  if (c == CGROUP_RDMA)
    return silo_fail (err, 0, "linux.resources.rdma: this host has no rdma cgroup controller (a kernel "
                      "without CONFIG_CGROUP_RDMA, or not mounted)");
  cgroup_resource_writes (c, CGROUP_V1, r, false, &w, NULL);
  field = xstrdup (w.n > 0 ? w.items[0].field : "linux.resources");
  cgroup_writes_clear (&w);
  return silo_fail (err, 0, "%s: this host has no %s controller: it is neither a mounted cgroup v1 "
                    "hierarchy nor listed in cgroup2's cgroup.controllers", field,
                    cgroup_controller_name (c, CGROUP_V1));
}

/* What one version cannot express, and the conversions, tried without writing.  */
static int
check_version (enum cgroup_controller c, enum cgroup_version v, const oci_resources *r, bool update,
               struct silo_error **err)
{
  struct cgroup_writes w = { NULL, 0 };
  int ret;

  if (v == CGROUP_V2 && c == CGROUP_CPU && r->cpu->has_realtime_runtime && r->cpu->realtime_runtime != 0)
    return silo_fail (err, 0, "linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time CPU "
                      "bandwidth (cpu.rt_runtime_us is cgroup v1 only)");
  if (v == CGROUP_V2 && c == CGROUP_CPU && r->cpu->has_realtime_period && r->cpu->realtime_period != 0)
    return silo_fail (err, 0, "linux.resources.cpu.realtimePeriod: cgroup v2 has no real-time CPU "
                      "bandwidth (cpu.rt_period_us is cgroup v1 only)");
  if (v == CGROUP_V2 && c == CGROUP_MEMORY && r->memory->has_use_hierarchy && !r->memory->use_hierarchy)
    return silo_fail (err, 0, "linux.resources.memory.useHierarchy: false cannot be set: cgroup v2 is "
                      "always hierarchical");
  ret = cgroup_resource_writes (c, v, r, update, &w, err);
  cgroup_writes_clear (&w);
  return ret;
}

static void
warn_ignored (const oci_resources *r, unsigned v2_mask)
{
  const oci_memory *m = r->memory;

  if (m == NULL)
    return;
  if (m->has_kernel && m->kernel != 0)
    silo_log_warning ("linux.resources.memory.kernel: ignored, as runc does: kernel memory limits "
                      "are gone since Linux 5.16 (v1 takes the value and does nothing) and v2 has "
                      "none");
  if (!(v2_mask & CGROUP_MASK (CGROUP_MEMORY)))
    return;
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    silo_log_warning ("linux.resources.memory.kernelTCP: ignored: cgroup v2 has no separate limit "
                      "for kernel TCP buffers (they count in memory.max)");
  if (m->has_swappiness)
    silo_log_warning ("linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    silo_log_warning ("linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot turn the "
                      "OOM killer off for a cgroup");
}

/* Each unified key's controller must be in cgroup2; the ones silo does not know by name
 * (a newer kernel's) come back in *extra as "+name " to enable.  */
static int
check_unified (const struct silo_cgroup *cg, const oci_resources *r, const char *v2_available,
               unsigned *mask, char **extra, struct silo_error **err)
{
  if (!r->has_unified || r->unified.len == 0)
    return 0;
  if (cg->unified == NULL)
    return silo_fail (err, 0, "linux.resources.unified: needs cgroup v2, and this host has only cgroup "
                      "v1 hierarchies");
  for (size_t i = 0; i < r->unified.len; i++)
    {
      _cleanup_free_ char *controller = cgroup_unified_key_controller (r->unified.keys[i]);
      unsigned known;
      if (controller == NULL)
        continue;
      if (v2_available == NULL || !cgroup_list_has (v2_available, controller))
        return silo_fail (err, 0, "linux.resources.unified.%s: the %s controller is not in cgroup2 on "
                          "this host%s", r->unified.keys[i], controller,
                          cgroup_controllers_mask (controller, CGROUP_V1) & cgroup_v1_controllers (cg)
                            ? " (it is a cgroup v1 hierarchy here: use its own linux.resources field)" : "");
      known = cgroup_controllers_mask (controller, CGROUP_V2);
      *mask |= known;
      if (known == 0 && (*extra == NULL || !cgroup_list_has (*extra, controller)))
        {
          char *next = xasprintf ("%s %s", *extra != NULL ? *extra : "", controller);
          free (*extra);
          *extra = next;
        }
    }
  return 0;
}

int
cgroup_resources_check (const struct silo_cgroup *cg, const oci_resources *r, const char *v2_available,
                        bool update, unsigned *v2_mask, char **v2_extra, struct silo_error **err)
{
  unsigned needed = cgroup_resources_controllers (r), v1 = cgroup_v1_controllers (cg);
  unsigned v2 = cg->unified != NULL && v2_available != NULL ? cgroup_controllers_mask (v2_available, CGROUP_V2) : 0;
  unsigned to_v2 = 0;
  _cleanup_free_ char *extra = NULL;

  if (r == NULL)
    return 0;
  for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
    {
      unsigned bit = CGROUP_MASK (c);
      enum cgroup_version v = (v1 & bit) ? CGROUP_V1 : CGROUP_V2;
      if (!(needed & bit))
        continue;
      if (!(v1 & bit) && !(v2 & bit))
        return missing_controller (c, r, err);
      if (check_version (c, v, r, update, err) < 0)
        return -1;
      if (v == CGROUP_V2)
        to_v2 |= bit;
    }
  if (check_unified (cg, r, v2_available, &to_v2, &extra, err) < 0)
    return -1;
  warn_ignored (r, to_v2);
  if (v2_mask != NULL)
    *v2_mask = to_v2;
  if (v2_extra != NULL)
    *v2_extra = steal_pointer (&extra);
  return 0;
}

char *
cgroup_v2_enable_text (unsigned mask, const char *extra)
{
  char *text = xstrdup ("");

  for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
    {
      const char *name = cgroup_controller_name (c, CGROUP_V2);
      if ((mask & CGROUP_MASK (c)) && name != NULL)
        {
          char *next = xasprintf ("%s%s+%s", text, text[0] != '\0' ? " " : "", name);
          free (text);
          text = next;
        }
    }
  for (const char *p = extra; p != NULL && *p != '\0';)
    {
      size_t len = strcspn (p, " ");
      char *next = len > 0 ? xasprintf ("%s%s+%.*s", text, text[0] != '\0' ? " " : "", (int) len, p) : NULL;
      if (next != NULL)
        {
          free (text);
          text = next;
        }
      p += len + strspn (p + len, " ");
    }
  if (text[0] == '\0')
    {
      free (text);
      return NULL;
    }
  return text;
}

/* ---- update ----------------------------------------------------------------------------- */

bool
cgroup_devices_v1 (const struct silo_cgroup *cg)
{
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (cg->hierarchies[i].driver->version == CGROUP_V1
        && cgroup_has_controller (cg->hierarchies[i].controllers, "devices"))
      return true;
  return false;
}

static void
append_word (char **text, const char *word)
{
  char *next;

  if (cgroup_list_has (*text, word))
    return;
  next = xasprintf ("%s%s%s", *text, (*text)[0] != '\0' ? " " : "", word);
  free (*text);
  *text = next;
}

/* The controllers r needs from cgroup2: those no v1 hierarchy holds, and the unified
 * keys' ones ("hugetlb memory").  */
static char *
v2_wanted (const struct silo_cgroup *cg, const oci_resources *r)
{
  unsigned mask = cgroup_resources_controllers (r) & ~cgroup_v1_controllers (cg);
  char *text = xstrdup ("");

  for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
    if ((mask & CGROUP_MASK (c)) && cgroup_controller_name (c, CGROUP_V2) != NULL)
      append_word (&text, cgroup_controller_name (c, CGROUP_V2));
  for (size_t i = 0; r->has_unified && i < r->unified.len; i++)
    {
      _cleanup_free_ char *controller = cgroup_unified_key_controller (r->unified.keys[i]);
      if (controller != NULL)
        append_word (&text, controller);
    }
  return text;
}

/* Enable names for the leaf: from its lowest ancestor that has them available (in its
 * cgroup.controllers) down to its parent.  1: no ancestor has them (the check then says
 * which field needs what).  */
static int
enable_upward (const char *leaf, const char *names, struct silo_error **err)
{
  _cleanup_free_ char *walk = xstrdup (leaf), *plus = cgroup_v2_enable_text (0, names);
  const char *last = strrchr (leaf, '/');
  size_t parent_len = last != NULL ? (size_t) (last - leaf) : 0, len = parent_len;

  for (;; len = (size_t) (strrchr (walk, '/') - walk))
    {
      _cleanup_free_ char *available = NULL, *file = NULL;
      bool all = true;
      walk[len] = '\0';
      file = xasprintf ("%s/cgroup.controllers", walk);
      if (len == 0 || cgroup_read (AT_FDCWD, file, &available, NULL) < 0)
        return 1;   /* left cgroup2 without finding them */
      for (const char *p = names; *p != '\0'; p += strspn (p, " "))
        {
          _cleanup_free_ char *word = xasprintf ("%.*s", (int) strcspn (p, " "), p);
          all = all && cgroup_list_has (available, word);
          p += strlen (word);
        }
      if (all)
        break;
    }
  for (;;)
    {
      _cleanup_free_ char *file = NULL;
      int errnum;
      walk[len] = '\0';
      file = xasprintf ("%s/cgroup.subtree_control", walk);
      errnum = write_value (AT_FDCWD, file, plus);
      if (errnum != 0)
        return silo_fail (err, errnum, "enable `%s` in `%s`", plus, file);
      if (len >= parent_len)
        return 0;
      walk[len] = leaf[len];
      len = (size_t) (strchr (leaf + len + 1, '/') - leaf);
    }
}

/* What cgroup2 offers the leaf for r, enabling what its ancestors have but do not pass
 * down yet (a hugepageLimits update on a container created without one).  */
static int
update_v2_available (const struct silo_cgroup *cg, const oci_resources *r, char **available,
                     struct silo_error **err)
{
  const struct cgroup_hierarchy *h = cg->unified;
  _cleanup_free_ char *wanted = NULL, *missing = xstrdup ("");
  _cleanup_close_ int tmp = -1;
  int dir, ret;

  if (h == NULL || (wanted = v2_wanted (cg, r))[0] == '\0')
    return 0;
  dir = cgroup_hierarchy_dir (h, &tmp, err);
  if (dir < 0 || cgroup_read (dir, "cgroup.controllers", available, err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  for (const char *p = wanted; *p != '\0'; p += strspn (p, " "))
    {
      _cleanup_free_ char *word = xasprintf ("%.*s", (int) strcspn (p, " "), p);
      if (!cgroup_list_has (*available, word))
        append_word (&missing, word);
      p += strlen (word);
    }
  if (missing[0] == '\0')
    return 0;
  ret = enable_upward (h->path, missing, err);
  if (ret == 0)
    {
      char *next = xasprintf ("%s %s", *available, missing);
      free (*available);
      *available = next;
    }
  return ret < 0 ? -1 : 0;
}

int
silo_cgroup_update (const struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err)
{
  struct cgroup_apply_options o = { .update = true, .devices_v1 = cgroup_devices_v1 (cg) };
  _cleanup_free_ char *available = NULL;

  if (r == NULL)
    return 0;
  if (update_v2_available (cg, r, &available, err) < 0
      || cgroup_resources_check (cg, r, available, true, &o.v2_controllers, NULL, err) < 0)
    return silo_wrap (err, "update the container's cgroup");
  if (cg->unit != NULL && cgroup_systemd_update (cg, r, err) < 0)
    return silo_wrap (err, "update the container's cgroup");
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      const struct cgroup_hierarchy *h = &cg->hierarchies[i];
      _cleanup_close_ int tmp = -1;
      int dir = cgroup_hierarchy_dir (h, &tmp, err);
      if (dir < 0 || h->driver->apply (h, dir, r, &o, err) < 0)
        return silo_wrap (err, "update cgroup `%s`", h->path);
    }
  return 0;
}
