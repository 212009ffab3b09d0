/* silo: the container's mounts as a plan.
 *
 * The parent makes the plan while it validates the config, before anything of the
 * container exists: every mounts[] entry is checked (destination, options, source, type)
 * and turned into one step with its destination cleaned, its source resolved against the
 * bundle and its options parsed, the mount label and the read-only-tmpfs rule already
 * applied.  An error names mounts[N] and the field, and nothing has been made yet.  The
 * init then carries the steps out in order (rootfs.c), and that is the only place a
 * container path is looked up: each destination is resolved once, inside the rootfs, and
 * the mount goes onto that fd.  Making a plan needs no privilege:
 * tests/unit/rootfs-plan.c checks plans without root.
 *
 * What the init does with each kind:
 *   SILO_STEP_FILESYSTEM  a new filesystem (proc, sysfs, tmpfs, devpts, mqueue, ...)
 *   SILO_STEP_BIND        a bind of a host path (or the tree the parent made, idmap.h)
 *   SILO_STEP_REMOUNT     new flags on what is mounted at the destination
 *   SILO_STEP_CGROUP      the cgroup driver's tree, or (rootless, no cgroup of its own)
 *                         the host's hierarchies read-only
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_ROOTFS_PLAN_H
#define SILO_ROOTFS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "mount.h"
#include "oci.h"

enum silo_step_kind
{
  SILO_STEP_FILESYSTEM,
  SILO_STEP_BIND,
  SILO_STEP_REMOUNT,
  SILO_STEP_CGROUP,
};

struct silo_mount_step
{
  enum silo_step_kind kind;
  size_t index;                       /* mounts[index] */
  char *destination;                  /* cleaned, absolute */
  char *source;                       /* a bind's host path, absolute; else as given or NULL */
  char *type;                         /* as given; "" when none */
  struct silo_mount_options options;  /* parsed; linux.mountLabel added to the data */
  bool readonly_later;                /* a read-only tmpfs: mounted writable, filled, made
                                         read-only after the pivot */
  bool idmapped;                      /* its tree is made by the parent (idmap.h) */
};

struct silo_rootfs_plan
{
  struct silo_mount_step *steps;
  size_t n_steps;
  bool populate_dev;                  /* silo fills /dev (no bind of the host's /dev) */
};

/* Check config->mounts and make the steps; bundle: relative bind sources are under it.  */
int silo_rootfs_plan_make (const oci_config *config, const char *bundle,
                           struct silo_rootfs_plan *out, struct silo_error **err);
void silo_rootfs_plan_release (struct silo_rootfs_plan *plan);

#endif
