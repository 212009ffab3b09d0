/* silo cgroup v1 driver: one hierarchy per mount, controllers decide what a hierarchy
 * can do (cpuset needs its values copied down, devices takes the device rules, the
 * freezer freezes).  No atomic kill: the caller freezes, signals and thaws.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FREEZE_WAIT_MS 1000

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
  return 0;
}

static int
v1_apply (const struct cgroup_hierarchy *h, int dir_fd, const oci_resources *r, struct silo_error **err)
{
  /* Always, even without linux.resources: a container gets the default device set.  */
  if (cgroup_has_controller (h->controllers, "devices"))
    return cgroup_v1_apply_devices (dir_fd, r != NULL ? r->devices : NULL, r != NULL ? r->n_devices : 0,
                                    err);
  return 0;
}

static int
v1_is_frozen (const struct cgroup_hierarchy *h, int dir_fd)
{
  _cleanup_free_ char *state = NULL;

  if (!cgroup_has_controller (h->controllers, "freezer") || cgroup_read (dir_fd, "freezer.state", &state, NULL) < 0)
    return -1;
  return strncmp (state, "FROZEN", 6) == 0;
}

/* Freezing is asynchronous: freezer.state reads FREEZING until every task stopped.
 * Writing FROZEN again retries tasks that were busy (in a vfork, say).  */
static int
v1_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err)
{
  long long start = 0;
  unsigned step = 0;

  if (cgroup_write (dir_fd, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  if (!frozen)
    return 0;
  while (v1_is_frozen (h, dir_fd) != 1)
    {
      if (!cgroup_backoff (&start, &step, FREEZE_WAIT_MS))
        return silo_fail (err, 0, "cgroup `%s` did not freeze within %d ms", h->path,
                          FREEZE_WAIT_MS);
      if (step % 4 == 0 && cgroup_write (dir_fd, "freezer.state", "FROZEN", err) < 0)
        return silo_wrap (err, "cgroup `%s`", h->path);
    }
  return 0;
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
  .check_unused = v1_check_unused,
  .apply = v1_apply,
  .set_frozen = v1_set_frozen,
  .is_frozen = v1_is_frozen,
  .kill = NULL,
  .populated = v1_populated,
  .stats = NULL,
};
