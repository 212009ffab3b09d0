/* silo: the container's filesystem view, built in the container's child process (a new
 * mount namespace, maybe new user and pid namespaces) once it is in its cgroups.
 *
 * The order of calls:
 *   silo_rootfs_prepare        "/" made rslave, rootfs bind-mounted onto itself, every
 *                              `mounts` entry in order, /dev populated (devices.h)
 *   (createContainer hooks, terminal setup)
 *   silo_rootfs_bind_console   when process.terminal: the pty slave onto /dev/console
 *   silo_rootfs_pivot          the rootfs becomes "/", the host's tree is detached
 *   silo_rootfs_finalize       maskedPaths, readonlyPaths, root.readonly, rootfsPropagation
 *
 * Without a mount namespace (none listed in linux.namespaces: the runtime's is inherited,
 * as the spec says), nothing is mounted or masked, the host's mount table is never
 * touched, and the rootfs is entered with chroot(2) instead of pivot_root.
 *
 * Errors name the config entry: "mounts[3] (/dev/shm): mount tmpfs: Invalid argument".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_ROOTFS_H
#define SILO_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

struct silo_cgroup;   /* cgroup/cgroup.h */
struct silo_idmap_mounts;   /* idmap.h */
struct silo_rootfs_plan;    /* rootfs-plan.h */

struct silo_rootfs_ctx
{
  const oci_config *config;
  const char *bundle;               /* absolute bundle dir; root.path and relative bind
                                       sources are relative to it */
  const struct silo_cgroup *cgroup; /* for "cgroup"/"cgroup2" mounts; NULL when cgroups are
                                       disabled (such a mount is then an error) */
  bool host_cgroups;                /* no cgroup of its own (--cgroup-manager disabled, or
                                       rootless without one): a cgroup mount binds the host's
                                       /sys/fs/cgroup read-only instead */
  bool cgroupns;                    /* the container has its own cgroup namespace */
  bool userns;                      /* in a new user namespace: no mknod, host nodes are bound */
  int procfd;                       /* from silo_procfs_open, or -1 (not used here yet) */
  bool mount_ns;                    /* a mount namespace of its own (new or joined); without
                                       one nothing is mounted: the rootfs is chroot'ed into */
  const struct silo_rootfs_plan *plan;   /* the mounts, checked by the parent (rootfs-plan.h) */
  const struct silo_idmap_mounts *idmap; /* the ID-mapped trees the parent made (idmap.h);
                                       NULL when there are none */
  bool has_rootfs_tree;             /* the root is rootfs_tree, a detached mount the parent
                                       made (a quick-run overlay, overlay.h), attached onto
                                       root.path instead of a bind of root.path */
  int rootfs_tree;
};

/* Everything up to the pivot.  *rootfd_out gets an O_PATH fd of the rootfs mount (the
 * caller closes it after silo_rootfs_pivot).  An ID-mapped entry ("idmap", "ridmap",
 * uidMappings) is attached from its tree in ctx->idmap; the caller closes those.  */
int silo_rootfs_prepare (const struct silo_rootfs_ctx *ctx, int *rootfd_out, struct silo_error **err);

/* Bind the terminal's pty slave (an fd on the container's devpts) onto /dev/console.  */
int silo_rootfs_bind_console (int rootfd, int pty_slave_fd, struct silo_error **err);

/* pivot_root(2) into rootfd and detach the old root (which first stops propagating, so
 * that its detach cannot reach the host); no_pivot (`--no-pivot`, for ramfs roots where
 * pivot_root is impossible): MS_MOVE the rootfs onto "/" and chroot, which leaves the old
 * root reachable to a process that escapes the chroot.  The working directory ends at "/". */
int silo_rootfs_pivot (const struct silo_rootfs_ctx *ctx, int rootfd, bool no_pivot,
                       struct silo_error **err);

/* After the pivot: maskedPaths (files under the container's /dev/null, verified to be the
 * null device; directories under an empty read-only tmpfs), readonlyPaths (recursively
 * read-only binds onto themselves), root.readonly, then rootfsPropagation on "/".
 * Masked and read-only paths that do not exist are skipped.  */
int silo_rootfs_finalize (const struct silo_rootfs_ctx *ctx, struct silo_error **err);

#endif
