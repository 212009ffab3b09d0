/* silo cgroup v1 driver: one hierarchy per mount, controllers decide what a hierarchy
 * can do (cpuset needs its values copied down, devices takes the device rules, the
 * freezer freezes: freeze.c), and each takes the linux.resources of its controllers
 * (resources-convert.c says which files).  No atomic kill: the caller freezes, signals
 * and thaws.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool
is_blank (const char *s)
{
  return s[strspn (s, " \n")] == '\0';
}

/* A new cpuset cgroup starts with empty cpus and mems, and the kernel refuses to move a
 * process into it (ENOSPC): copy the parent's values down, at every level that is empty
 * (a level made by someone else may be empty too).  */
static int
cpuset_fill (const struct cgroup_hierarchy *h, int parent_fd, int dir_fd, bool made, const char *file,
             struct silo_error **err)
{
  _cleanup_free_ char *value = NULL;

  if (!made)
    {
      if (cgroup_read (dir_fd, file, &value, err) < 0)
        return silo_wrap (err, "cgroup `%s`", h->path);
      if (!is_blank (value))
        return 0;
      free (steal_pointer (&value));
    }
  if (cgroup_read (parent_fd, file, &value, err) < 0)
    return silo_wrap (err, "parent of cgroup `%s`", h->path);
  if (is_blank (value))
    return 0;   /* nothing to copy; entering will say why it fails */
  if (cgroup_write (dir_fd, file, value, err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  return 0;
}

static int
v1_init_level (const struct cgroup_hierarchy *h, int parent_fd, int dir_fd, bool made,
               struct silo_error **err)
{
  if (!cgroup_has_controller (h->controllers, "cpuset"))
    return 0;
  if (cpuset_fill (h, parent_fd, dir_fd, made, "cpuset.cpus", err) < 0
      || cpuset_fill (h, parent_fd, dir_fd, made, "cpuset.mems", err) < 0)
    return -1;
  return 0;
}

static bool
v1_inits_levels (const struct cgroup_hierarchy *h)
{
  return cgroup_has_controller (h->controllers, "cpuset");
}

static int
v1_check_unused (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  _cleanup_free_ char *procs = NULL;

  if (cgroup_read (dir_fd, "cgroup.procs", &procs, err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  if (!is_blank (procs))
    return silo_fail (err, 0, "cgroup `%s` already exists and holds processes (%.*s): is "
                      "another container using the same linux.cgroupsPath?", h->path,
                      (int) strcspn (procs, "\n"), procs);
  if (cgroup_has_controller (h->controllers, "freezer") && cgroup_v1_is_frozen (h, dir_fd) == 1)
    return silo_fail (err, 0, "cgroup `%s` already exists and is frozen (freezer.state): a container "
                      "in it would never run; remove it or thaw it first", h->path);
  return 0;
}

static int
v1_apply (const struct cgroup_hierarchy *h, int dir_fd, const oci_resources *r,
          const struct cgroup_apply_options *o, struct silo_error **err)
{
  unsigned mask = cgroup_resources_controllers (r) & cgroup_controllers_mask (h->controllers, CGROUP_V1);

  if (mask != 0 && cgroup_apply_controllers (dir_fd, CGROUP_V1, mask, r, o, err) < 0)
    return -1;
  if (!cgroup_has_controller (h->controllers, "devices"))
    return 0;
  /* At create always: a container gets the default device set even without rules.  An
   * update only rewrites the rules it is given.  */
  if (o->update)
    return r == NULL || r->n_devices == 0 ? 0 : cgroup_v1_update_devices (dir_fd, r->devices, r->n_devices, err);
  return cgroup_v1_apply_devices (dir_fd, r != NULL ? r->devices : NULL, r != NULL ? r->n_devices : 0, err);
}

static int
v1_populated (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  if (cgroup_collect_pids (dir_fd, &pids, &n, err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  return n > 0;
}

const struct cgroup_driver cgroup_driver_v1 = {
  .version = CGROUP_V1,
  .init_level = v1_init_level,
  .inits_levels = v1_inits_levels,
  .check_unused = v1_check_unused,
  .apply = v1_apply,
  .set_frozen = cgroup_v1_set_frozen,
  .is_frozen = cgroup_v1_is_frozen,
  .kill = NULL,
  .populated = v1_populated,
  .stats = cgroup_v1_stats,
};
