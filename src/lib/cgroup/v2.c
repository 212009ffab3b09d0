/* silo cgroup v2 driver: the one cgroup2 hierarchy (a pure v2 host, or the "unified"
 * mount of a hybrid one).  The core files do the work v1 needs a controller for:
 * cgroup.events tells populated/frozen for the whole subtree, cgroup.freeze freezes
 * (5.2), cgroup.kill kills atomically, forks included (5.14).
 *
 * Controllers reach the container's cgroup only when every level above enables them in
 * its cgroup.subtree_control; plan chose which (h->enable), each level's parent gets them
 * as the path is made.  A level that holds processes cannot pass controllers down (the
 * "no internal processes" rule): the error says so.  Devices are an eBPF program
 * (devices-ebpf.c) where no v1 devices hierarchy enforces them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Value of "key 0|1" in cgroup.events; -1 (error set) when unreadable or missing.  */
static int
events_value (int dir_fd, const char *key, struct silo_error **err)
{
  uint64_t value;
  int r = cgroup_read_key (dir_fd, "cgroup.events", key, &value, err);

  if (r == 1)
    return silo_fail (err, 0, "no `%s` in cgroup.events", key);
  return r < 0 ? -1 : value != 0;
}

static int
v2_init_level (const struct cgroup_hierarchy *h, int parent_fd, int dir_fd, bool made,
               struct silo_error **err)
{
  (void) dir_fd;
  (void) made;
  if (h->enable == NULL || cgroup_write (parent_fd, "cgroup.subtree_control", h->enable, err) == 0)
    return 0;
  if (err != NULL && *err != NULL && (*err)->errnum == EBUSY)
    return silo_wrap (err, "cgroup `%s`: a cgroup above it holds processes and so cannot enable "
                      "controllers for its children (cgroup v2 allows processes only in leaves)", h->path);
  return silo_wrap (err, "cgroup `%s`: enable the controllers it needs", h->path);
}

static bool
v2_inits_levels (const struct cgroup_hierarchy *h)
{
  return h->enable != NULL;
}

static int
v2_check_unused (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  int populated = events_value (dir_fd, "populated", err);

  if (populated < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  if (populated == 1)
    return silo_fail (err, 0, "cgroup `%s` already exists and holds processes: is another "
                      "container using the same linux.cgroupsPath?", h->path);
  if (cgroup_v2_is_frozen (h, dir_fd) == 1)
    return silo_fail (err, 0, "cgroup `%s` already exists and is frozen (cgroup.freeze): a container "
                      "in it would never run; remove it or thaw it first", h->path);
  return 0;
}

static int
v2_apply (const struct cgroup_hierarchy *h, int dir_fd, const oci_resources *r,
          const struct cgroup_apply_options *o, struct silo_error **err)
{
  unsigned mask = cgroup_resources_controllers (r) & o->v2_controllers;
  struct cgroup_writes unified = { NULL, 0 };
  int ret;

  (void) h;
  if (mask != 0 && cgroup_apply_controllers (dir_fd, CGROUP_V2, mask, r, o, err) < 0)
    return -1;
  /* Last: a raw key may refine what the fields above wrote.  */
  cgroup_unified_writes (r, &unified);
  ret = cgroup_writes_apply (dir_fd, &unified, err);
  cgroup_writes_clear (&unified);
  if (ret < 0)
    return -1;
  if (o->devices_v1 || (o->update && (r == NULL || r->n_devices == 0)))
    return 0;
  return cgroup_v2_apply_devices (dir_fd, r != NULL ? r->devices : NULL, r != NULL ? r->n_devices : 0,
                                  true, o->update, err);
}

static int
v2_kill (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  _cleanup_close_ int fd = openat (dir_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    return 1;   /* before Linux 5.14 */
  if (fd < 0 || write (fd, "1", 1) != 1)
    return silo_fail (err, errno, "write `1` to `%s/cgroup.kill`", h->path);
  return 0;
}

static int
v2_populated (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  int populated = events_value (dir_fd, "populated", err);

  if (populated < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  return populated;
}

const struct cgroup_driver cgroup_driver_v2 = {
  .version = CGROUP_V2,
  .init_level = v2_init_level,
  .inits_levels = v2_inits_levels,
  .check_unused = v2_check_unused,
  .apply = v2_apply,
  .set_frozen = cgroup_v2_set_frozen,
  .is_frozen = cgroup_v2_is_frozen,
  .kill = v2_kill,
  .populated = v2_populated,
  .stats = cgroup_v2_stats,
};
