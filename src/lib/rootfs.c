/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "devices.h"
#include "mount.h"
#include "pathsafe.h"
#include "util.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* ---- prepare ------------------------------------------------------------------ */

/* Nothing mounted from here on may propagate to the host: the whole tree becomes a slave
 * (host mounts still show up) or, when the config asks for private or unbindable, private.
 * rootfsPropagation itself is applied to the container's "/" in finalize.  */
static int
isolate_propagation (const oci_linux *linux_, struct silo_error **err)
{
  const char *name = linux_ != NULL ? linux_->rootfs_propagation : NULL;
  unsigned long flags = MS_REC | MS_SLAVE, wanted;

  if (name != NULL)
    {
      if (silo_mount_propagation_parse (name, &wanted) < 0)
        return silo_fail (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", name);
      if (wanted & (MS_PRIVATE | MS_UNBINDABLE))
        flags = MS_REC | MS_PRIVATE;
    }
  if (mount (NULL, "/", NULL, flags, NULL) < 0)
    return silo_fail (err, errno, "make the mounts of the container's namespace %s",
                      (flags & MS_PRIVATE) ? "private" : "slaves");
  return 0;
}

/* The rootfs as a mount of its own (pivot_root needs one), with whatever is mounted below
 * it.  Returns the fd of the new mount: every later path resolves from it.  */
static int
bind_rootfs (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  const oci_root *root = ctx->config->root;
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int dir = -1, tree = -1;

  if (root == NULL || root->path == NULL)
    return silo_fail (err, EINVAL, "root.path: required");
  path = root->path[0] == '/' ? xstrdup (root->path) : xasprintf ("%s/%s", ctx->bundle, root->path);
  dir = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return silo_fail (err, errno, "root.path: open `%s`", path);
  tree = silo_mount_clone (dir, true, err);
  if (tree < 0 || silo_mount_attach (tree, dir, err) < 0)
    return silo_wrap (err, "bind the rootfs `%s` onto itself", path);
  return steal_fd (&tree);
}

static int
mount_cgroup (const struct silo_rootfs_ctx *ctx, int rootfd, const char *type, const char *dest,
              const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_close_ int target = -1;

  if (ctx->cgroup == NULL)
    return silo_fail (err, EINVAL, "a %s mount needs cgroups, which are disabled", type);
  /* Created and checked here like any target (no symlink under /sys), once: the driver
   * mounts a tmpfs or cgroup2 onto this fd.  */
  target = silo_mount_open_target (rootfd, dest, false, false, err);
  if (target < 0)
    return -1;
  return silo_cgroup_mount_in_container (ctx->cgroup, target, dest, o->flags, ctx->cgroupns, err);
}

static int
mount_bind (const struct silo_rootfs_ctx *ctx, int rootfd, const oci_mount *m, const char *dest,
            const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_free_ char *source = NULL;

  if (o->flags & MS_REMOUNT)
    return silo_mount_bind (rootfd, NULL, dest, o, err);
  if (m->source == NULL || m->source[0] == '\0')
    return silo_fail (err, EINVAL, "source: required for a bind mount");
  /* A relative source is relative to the bundle (runtime-spec, config.md).  */
  source = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", ctx->bundle, m->source);
  return silo_mount_bind (rootfd, source, dest, o, err);
}

static int
mount_dispatch (const struct silo_rootfs_ctx *ctx, int rootfd, const oci_mount *m, const char *dest,
                const struct silo_mount_options *o, struct silo_error **err)
{
  const char *type = m->type != NULL ? m->type : "";

  if (o->idmap)
    return silo_fail (err, ENOTSUP, "idmapped mounts (idmap, ridmap) are not supported yet");
  if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    return mount_cgroup (ctx, rootfd, type, dest, o, err);
  if ((o->flags & MS_BIND) || strcmp (type, "bind") == 0)
    return mount_bind (ctx, rootfd, m, dest, o, err);
  if (*type == '\0' && !(o->flags & MS_REMOUNT))
    return silo_fail (err, EINVAL, "type: required unless the mount is a bind (options bind or rbind)");
  return silo_mount_filesystem (rootfd, m->source, type, dest, o, err);
}

static int
mount_entry (const struct silo_rootfs_ctx *ctx, int rootfd, size_t i, bool *populate_dev,
             struct silo_error **err)
{
  const oci_mount *m = &ctx->config->mounts[i];
  _cleanup_mount_options_ struct silo_mount_options o = { 0 };
  _cleanup_free_ char *dest = NULL;

  if (m->destination == NULL)
    return silo_fail (err, EINVAL, "mounts[%zu]: destination: required", i);
  dest = silo_path_clean (m->destination);
  if (silo_mount_options_parse (m->options, m->n_options, &o, err) < 0
      || mount_dispatch (ctx, rootfd, m, dest, &o, err) < 0)
    return silo_wrap (err, "mounts[%zu] (%s)", i, m->destination);
  /* The host's /dev, bound in: its nodes are the host's business, not ours.  */
  if (strcmp (dest, "/dev") == 0)
    *populate_dev = !(o.flags & MS_BIND) && (m->type == NULL || strcmp (m->type, "bind") != 0);
  return 0;
}

/* The runtime's mount namespace: the rootfs as it is, to chroot into.  */
static int
open_rootfs (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  const oci_root *root = ctx->config->root;
  _cleanup_free_ char *path = root->path[0] == '/' ? xstrdup (root->path)
                                                   : xasprintf ("%s/%s", ctx->bundle, root->path);
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return silo_fail (err, errno, "root.path: open `%s`", path);
  return fd;
}

int
silo_rootfs_prepare (const struct silo_rootfs_ctx *ctx, int *rootfd_out, struct silo_error **err)
{
  const oci_config *config = ctx->config;
  _cleanup_close_ int rootfd = -1;
  bool populate_dev = true;

  if (!ctx->mount_ns)
    {
      *rootfd_out = open_rootfs (ctx, err);
      return *rootfd_out;
    }
  if (isolate_propagation (config->linux_, err) < 0)
    return -1;
  rootfd = bind_rootfs (ctx, err);
  if (rootfd < 0)
    return -1;
  for (size_t i = 0; i < config->n_mounts; i++)
    if (mount_entry (ctx, rootfd, i, &populate_dev, err) < 0)
      return -1;
  if (populate_dev && silo_devices_create (rootfd, config->linux_, ctx->userns, err) < 0)
    return -1;
  *rootfd_out = steal_fd (&rootfd);
  return 0;
}

int
silo_rootfs_bind_console (int rootfd, int pty_slave_fd, struct silo_error **err)
{
  _cleanup_close_ int target = -1, tree = -1;
  struct statfs sfs;

  if (fstatfs (pty_slave_fd, &sfs) < 0)
    return silo_fail (err, errno, "bind /dev/console: fstatfs the terminal");
  if (sfs.f_type != DEVPTS_SUPER_MAGIC)
    return silo_fail (err, EINVAL, "bind /dev/console: the terminal is not a pty on devpts");
  target = silo_mount_open_target (rootfd, "/dev/console", true, true, err);
  if (target < 0)
    return silo_wrap (err, "bind /dev/console");
  tree = silo_mount_clone (pty_slave_fd, false, err);
  if (tree < 0 || silo_mount_attach (tree, target, err) < 0)
    return silo_wrap (err, "bind the terminal onto /dev/console");
  return 0;
}

/* ---- pivot -------------------------------------------------------------------- */

static int
move_root (struct silo_error **err)
{
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return silo_fail (err, errno, "--no-pivot: move the rootfs onto /");
  if (chroot (".") < 0)
    return silo_fail (err, errno, "--no-pivot: chroot into the rootfs");
  if (chdir ("/") < 0)
    return silo_fail (err, errno, "chdir /");
  return 0;
}

int
silo_rootfs_pivot (const struct silo_rootfs_ctx *ctx, int rootfd, bool no_pivot,
                   struct silo_error **err)
{
  if (fchdir (rootfd) < 0)
    return silo_fail (err, errno, "chdir into the rootfs");
  if (!ctx->mount_ns)
    {
      if (chroot (".") < 0 || chdir ("/") < 0)
        return silo_fail (err, errno, "chroot into the rootfs");
      return 0;
    }
  if (no_pivot)
    return move_root (err);
  /* pivot_root(".", "."): the old root ends up stacked on the new one, at ".", with no
   * directory needed in the rootfs to hold it.  */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return silo_fail (err, errno, "pivot_root into the rootfs (a rootfs on ramfs needs --no-pivot)");
  /* createContainer hooks ran since prepare and may have changed propagation: the detach
   * below must not reach the host's mounts.  */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return silo_fail (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return silo_fail (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return silo_fail (err, errno, "chdir /");
  return 0;
}

/* ---- finalize ----------------------------------------------------------------- */

static int
check_null_device (int fd, struct silo_error **err)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return silo_fail (err, errno, "stat /dev/null");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return silo_fail (err, EPERM, "/dev/null in the container is not the null device (1:3): "
                      "refusing to mask with it");
  return 0;
}

/* A file is masked by /dev/null.  The inode is checked on the fd that is opened and again
 * on the mount clone that is attached: what ends up over the file is the null device,
 * whatever the container's /dev was made of.  */
static int
mask_file (int root, int target, int *null, struct silo_error **err)
{
  _cleanup_close_ int tree = -1;

  if (*null < 0)
    {
      *null = silo_openat2 (root, "/dev/null", O_PATH, 0, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
      if (*null < 0)
        return silo_fail (err, errno, "open /dev/null");
      if (check_null_device (*null, err) < 0)
        return -1;
    }
  tree = silo_mount_clone (*null, false, err);
  if (tree < 0 || check_null_device (tree, err) < 0)
    return -1;
  return silo_mount_attach (tree, target, err);
}

/* Directories share one empty read-only tmpfs: the first gets it, the others clones.  */
static int
mask_directory (int target, int *tmpfs, struct silo_error **err)
{
  _cleanup_close_ int tree = -1;

  if (*tmpfs < 0)
    {
      tree = silo_mount_empty_tmpfs (err);
      if (tree < 0 || silo_mount_attach (tree, target, err) < 0)
        return -1;
      *tmpfs = steal_fd (&tree);
      return 0;
    }
  tree = silo_mount_clone (*tmpfs, false, err);
  if (tree < 0)
    return -1;
  return silo_mount_attach (tree, target, err);
}

static int
mask_paths (int root, const oci_linux *linux_, struct silo_error **err)
{
  _cleanup_close_ int null = -1, tmpfs = -1;

  for (size_t i = 0; i < linux_->n_masked_paths; i++)
    {
      const char *path = linux_->masked_paths[i];
      _cleanup_close_ int fd = silo_openat2 (root, path, O_PATH, 0, IN_ROOT);
      struct stat st;
      int r;

      if (fd < 0 && errno == ENOENT)
        continue;
      if (fd < 0 || fstat (fd, &st) < 0)
        r = silo_fail (err, errno, "open");
      else if (S_ISDIR (st.st_mode))
        r = mask_directory (fd, &tmpfs, err);
      else
        r = mask_file (root, fd, &null, err);
      if (r < 0)
        return silo_wrap (err, "linux.maskedPaths[%zu] (%s)", i, path);
    }
  return 0;
}

/* Bound onto itself with all that is mounted below, then all of it read-only: a remount
 * only changing that flag keeps whatever flags the kernel locked.  */
static int
readonly_paths (int root, const oci_linux *linux_, struct silo_error **err)
{
  for (size_t i = 0; i < linux_->n_readonly_paths; i++)
    {
      const char *path = linux_->readonly_paths[i];
      _cleanup_close_ int fd = silo_openat2 (root, path, O_PATH, 0, IN_ROOT);
      _cleanup_close_ int tree = -1;

      if (fd < 0 && errno == ENOENT)
        continue;
      if (fd < 0)
        return silo_fail (err, errno, "linux.readonlyPaths[%zu] (%s): open", i, path);
      tree = silo_mount_clone (fd, true, err);
      if (tree < 0 || silo_mount_setattr (tree, true, MOUNT_ATTR_RDONLY, 0, 0, err) < 0
          || silo_mount_attach (tree, fd, err) < 0)
        return silo_wrap (err, "linux.readonlyPaths[%zu] (%s)", i, path);
    }
  return 0;
}

static int
apply_root_propagation (int root, const char *name, struct silo_error **err)
{
  unsigned long propagation;

  if (silo_mount_propagation_parse (name, &propagation) < 0)
    return silo_fail (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", name);
  if (silo_mount_setattr (root, (propagation & MS_REC) != 0, 0, 0, propagation, err) < 0)
    return silo_wrap (err, "linux.rootfsPropagation (%s)", name);
  return 0;
}

int
silo_rootfs_finalize (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  const oci_linux *linux_ = ctx->config->linux_;
  const oci_root *rootcfg = ctx->config->root;
  _cleanup_close_ int root = -1;

  if (!ctx->mount_ns)
    return 0;
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return silo_fail (err, errno, "open /");
  if (linux_ != NULL && (mask_paths (root, linux_, err) < 0 || readonly_paths (root, linux_, err) < 0))
    return -1;
  if (rootcfg != NULL && rootcfg->readonly
      && silo_mount_setattr (root, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
    return silo_wrap (err, "root.readonly");
  if (linux_ != NULL && linux_->rootfs_propagation != NULL)
    return apply_root_propagation (root, linux_->rootfs_propagation, err);
  return 0;
}
