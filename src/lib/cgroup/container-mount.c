/* silo cgroup mount: the OCI `cgroup` mount inside the container (see cgroup.h).
 *
 * Everything is mounted by fd with the mount API: a new filesystem comes from
 * fsopen/fsmount, a bind from open_tree(OPEN_TREE_CLONE), and move_mount attaches it
 * onto the O_PATH fd the rootfs code resolved (once) inside the rootfs.  No container
 * path is resolved here at all, and a mount fd keeps pointing at its mount once
 * attached, so the v1 tmpfs is filled through its own fd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct mount_attributes
{
  uint64_t set;   /* MOUNT_ATTR_* */
  uint64_t clear; /* MOUNT_ATTR__ATIME when an atime mode is asked */
};

static struct mount_attributes
attributes_from_flags (unsigned long flags)
{
  struct mount_attributes a = { 0, 0 };

  if (flags & MS_RDONLY)
    a.set |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    a.set |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    a.set |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    a.set |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME)
    a.set |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOATIME)
    a.set |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    a.set |= MOUNT_ATTR_STRICTATIME;
  if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
    a.clear |= MOUNT_ATTR__ATIME;
  return a;
}

static int
set_attributes (int mount_fd, struct mount_attributes a, const char *what, struct silo_error **err)
{
  struct mount_attr attr = { .attr_set = a.set, .attr_clr = a.clear };

  if (a.set == 0 && a.clear == 0)
    return 0;
  if (mount_setattr (mount_fd, "", AT_EMPTY_PATH, &attr, sizeof (attr)) < 0)
    return silo_fail (err, errno, "set the mount options of %s", what);
  return 0;
}

static int
attach (int mount_fd, int target_fd, const char *what, struct silo_error **err)
{
  if (move_mount (mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return silo_fail (err, errno, "attach %s", what);
  return 0;
}

/* A fresh superblock view: fstype "cgroup" with the hierarchy's controllers (and name=),
 * or "cgroup2"; in the container's cgroup namespace its root is the container's cgroup.  */
static int
open_fresh_cgroup (const struct cgroup_hierarchy *h, struct mount_attributes a, struct silo_error **err)
{
  bool v2 = h->driver->version == CGROUP_V2;
  _cleanup_close_ int fs = fsopen (v2 ? "cgroup2" : "cgroup", FSOPEN_CLOEXEC);
  _cleanup_free_ char *copy = xstrdup (h->controllers);
  char *save = NULL;
  int mnt;

  if (fs < 0)
    return silo_fail (err, errno, "fsopen %s", v2 ? "cgroup2" : "cgroup");
  for (char *c = v2 ? NULL : strtok_r (copy, ",", &save); c != NULL; c = strtok_r (NULL, ",", &save))
    {
      int r = strncmp (c, "name=", 5) == 0 ? fsconfig (fs, FSCONFIG_SET_STRING, "name", c + 5, 0)
                                          : fsconfig (fs, FSCONFIG_SET_FLAG, c, NULL, 0);
      if (r < 0)
        return silo_fail (err, errno, "cgroup mount option `%s`", c);
    }
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return silo_fail (err, errno, "create a %s mount of `%s`", v2 ? "cgroup2" : "cgroup", h->controllers);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, (unsigned) a.set);
  if (mnt < 0)
    return silo_fail (err, errno, "fsmount the `%s` cgroup", h->controllers);
  return mnt;
}

/* A bind of the container's own cgroup directory on the host (no cgroup namespace: the
 * container must not see its parents).  Flags the host mount has locked stay: only the
 * asked ones are set (by the caller: one mount_setattr for the whole v1 tree).  */
static int
open_bind_of_leaf (const struct cgroup_hierarchy *h, struct silo_error **err)
{
  int mnt = open_tree (AT_FDCWD, h->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (mnt < 0)
    return silo_fail (err, errno, "clone a mount of cgroup `%s`", h->path);
  return mnt;
}

static int
open_hierarchy (const struct cgroup_hierarchy *h, struct mount_attributes a, bool cgroupns,
                struct silo_error **err)
{
  return cgroupns ? open_fresh_cgroup (h, a, err) : open_bind_of_leaf (h, err);
}

/* The pure v2 case: one mount, onto the target the rootfs code resolved.  */
static int
mount_unified (const struct cgroup_hierarchy *h, int target_fd, struct mount_attributes a, bool cgroupns,
               struct silo_error **err)
{
  _cleanup_close_ int mnt = open_hierarchy (h, a, cgroupns, err);

  if (mnt < 0 || (!cgroupns && set_attributes (mnt, a, h->path, err) < 0)
      || attach (mnt, target_fd, h->controllers, err) < 0)
    return silo_wrap (err, "mount the `%s` cgroup", h->controllers);
  return 0;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

/* cpu -> cpu,cpuacct for a co-mounted hierarchy, as hosts lay them out.  */
static int
link_co_mounted (int tmpfs_fd, const char *dir_name, const char *controllers, struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (controllers);
  char *save = NULL;

  if (strchr (controllers, ',') == NULL)
    return 0;
  for (char *c = strtok_r (copy, ",", &save); c != NULL; c = strtok_r (NULL, ",", &save))
    if (strncmp (c, "name=", 5) != 0 && strcmp (c, dir_name) != 0
        && symlinkat (dir_name, tmpfs_fd, c) < 0 && errno != EEXIST)
      return silo_fail (err, errno, "symlink `%s` -> `%s`", c, dir_name);
  return 0;
}

/* Each hierarchy on a directory of the tmpfs made here: NAME is one component we have
 * just made in a filesystem only we hold, so it is attached by name (no symlink can be
 * there), which saves an O_PATH open per hierarchy.  */
static int
fill_v1_tree (const struct silo_cgroup *cg, int tmpfs_fd, struct mount_attributes a, bool cgroupns,
              struct silo_error **err)
{
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      const struct cgroup_hierarchy *h = &cg->hierarchies[i];
      const char *name = base_name (h->mount_point);
      _cleanup_close_ int mnt = -1;

      if (name[0] == '\0' || strchr (name, '/') != NULL || strcmp (name, "..") == 0
          || mkdirat (tmpfs_fd, name, 0755) < 0)
        return silo_fail (err, name[0] == '\0' ? EINVAL : errno, "mkdir `%s` in the cgroup tmpfs", name);
      mnt = open_hierarchy (h, a, cgroupns, err);
      if (mnt < 0)
        return silo_wrap (err, "mount the `%s` cgroup", h->controllers);
      if (move_mount (mnt, "", tmpfs_fd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return silo_fail (err, errno, "attach the `%s` cgroup", h->controllers);
      if (link_co_mounted (tmpfs_fd, name, h->controllers, err) < 0)
        return -1;
    }
  return 0;
}

static int
mount_v1_tree (const struct silo_cgroup *cg, int target_fd, struct mount_attributes a, bool cgroupns,
               struct silo_error **err)
{
  _cleanup_close_ int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  _cleanup_close_ int tmpfs = -1;
  struct mount_attr attr = { .attr_set = a.set, .attr_clr = a.clear };

  if (fs < 0 || fsconfig (fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return silo_fail (err, errno, "create the tmpfs for the cgroup hierarchies");
  /* Writable until filled: read-only comes last.  */
  tmpfs = fsmount (fs, FSMOUNT_CLOEXEC, (unsigned) (a.set & ~(uint64_t) MOUNT_ATTR_RDONLY));
  if (tmpfs < 0)
    return silo_fail (err, errno, "fsmount the cgroup tmpfs");
  if (attach (tmpfs, target_fd, "the cgroup tmpfs", err) < 0 || fill_v1_tree (cg, tmpfs, a, cgroupns, err) < 0)
    return -1;
  /* The asked flags on the tmpfs and every hierarchy below it at once (the binds kept the
   * host's flags until now; a fresh mount got them from fsmount already).  */
  if ((a.set != 0 || a.clear != 0)
      && mount_setattr (tmpfs, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof (attr)) < 0)
    return silo_fail (err, errno, "set the mount options of the cgroup tree");
  return 0;
}

int
silo_cgroup_mount_in_container (const struct silo_cgroup *cg, int target, const char *destination,
                                unsigned long mount_flags, bool cgroupns, struct silo_error **err)
{
  struct mount_attributes a = attributes_from_flags (mount_flags);
  bool pure_v2 = cg->n_hierarchies == 1 && cg->unified != NULL;

  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (cg->hierarchies[i].mount_point == NULL)
      return silo_fail (err, 0, "cgroup mount `%s`: the host layout is unknown (cgroups "
                        "loaded from the state file)", destination);
  if ((pure_v2 ? mount_unified (cg->unified, target, a, cgroupns, err)
               : mount_v1_tree (cg, target, a, cgroupns, err)) < 0)
    return silo_wrap (err, "cgroup mount `%s`", destination);
  return 0;
}
