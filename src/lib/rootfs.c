/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "devices.h"
#include "idmap.h"
#include "lsm.h"
#include "mount.h"
#include "pathsafe.h"
#include "rootfs-plan.h"
#include "util.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* ---- prepare ------------------------------------------------------------------ */

/* root.path, relative to the bundle unless absolute; NULL when the config has none.  */
static char *
rootfs_path (const struct silo_rootfs_ctx *ctx)
{
  const oci_root *root = ctx->config->root;

  if (root == NULL || root->path == NULL)
    return NULL;
  return root->path[0] == '/' ? xstrdup (root->path) : xasprintf ("%s/%s", ctx->bundle, root->path);
}

static int
open_rootfs (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  _cleanup_free_ char *path = rootfs_path (ctx);
  int fd;

  if (path == NULL)
    return silo_fail (err, EINVAL, "root.path: required");
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return silo_fail (err, errno, "root.path: open `%s`", path);
  return fd;
}

/* The root of the mount that holds DIR: up through ".." while the mount stays the same.  */
static int
open_mount_root (int dir, struct silo_error **err)
{
  _cleanup_close_ int cur = fcntl (dir, F_DUPFD_CLOEXEC, 3);
  struct statx here;

  if (cur < 0 || statx (cur, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &here) < 0)
    return silo_fail (err, errno, "statx the rootfs");
  for (;;)
    {
      _cleanup_close_ int up = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      struct statx above;

      if (up < 0 || statx (up, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &above) < 0)
        return silo_fail (err, errno, "find the mount that holds the rootfs");
      if (above.stx_mnt_id != here.stx_mnt_id
          || (above.stx_ino == here.stx_ino && above.stx_dev_major == here.stx_dev_major
              && above.stx_dev_minor == here.stx_dev_minor))
        return steal_fd (&cur);
      silo_closep (&cur);
      cur = steal_fd (&up);
      here = above;
    }
}

/* With a shared rootfsPropagation, the host's mounts stay peers of the container's copies,
 * so that a bind mount asked to be shared (Kubernetes' Bidirectional) propagates both
 * ways.  Then only the namespace's "/" and the mount that holds the rootfs become
 * private: the rootfs bind made from it, and so everything silo mounts in it, reaches no
 * peer on the host (and pivot_root refuses a shared parent).  */
static int
isolate_keeping_shared (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  _cleanup_close_ int dir = open_rootfs (ctx, err), holder = -1, top = -1;

  if (dir < 0)
    return -1;
  holder = open_mount_root (dir, err);
  top = holder < 0 ? -1 : open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (holder < 0)
    return -1;
  if (top < 0)
    return silo_fail (err, errno, "open /");
  if (silo_mount_setattr (top, false, 0, 0, MS_PRIVATE, err) < 0
      || silo_mount_setattr (holder, false, 0, 0, MS_PRIVATE, err) < 0)
    return silo_wrap (err, "linux.rootfsPropagation: make the mount that holds the rootfs private");
  return 0;
}

/* Nothing silo mounts from here on may propagate to the host: the whole tree becomes a
 * slave (host mounts still show up) or, when the config asks for private or unbindable,
 * private; with shared, see isolate_keeping_shared.  rootfsPropagation itself is applied
 * to the container's "/" in finalize.  */
static int
isolate_propagation (const struct silo_rootfs_ctx *ctx, struct silo_error **err)
{
  const oci_linux *linux_ = ctx->config->linux_;
  const char *name = linux_ != NULL ? linux_->rootfs_propagation : NULL;
  unsigned long flags, wanted = 0;

  if (silo_mount_isolation_propagation (name, &flags) < 0)
    return silo_fail (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", name);
  if (name != NULL && silo_mount_propagation_parse (name, &wanted) == 0 && (wanted & MS_SHARED))
    return isolate_keeping_shared (ctx, err);
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
  _cleanup_free_ char *path = rootfs_path (ctx);
  _cleanup_close_ int dir = open_rootfs (ctx, err), tree = -1;

  if (dir < 0)
    return -1;
  if (ctx->has_rootfs_tree)
    {
      tree = fcntl (ctx->rootfs_tree, F_DUPFD_CLOEXEC, 3);
      if (tree < 0)
        return silo_fail (err, errno, "the rootfs overlay: dup its mount fd");
    }
  else
    tree = silo_mount_clone (dir, true, err);
  if (tree < 0 || silo_mount_attach (tree, dir, err) < 0)
    return silo_wrap (err, "bind the rootfs `%s` onto itself", path);
  return steal_fd (&tree);
}

/* Rootless without a cgroup of its own: where a cgroup mount is asked for, the container
 * sees the host's hierarchies, read-only all the way down (its /sys is a bind of the
 * host's then anyway, as `silo spec --rootless` writes it).  */
static int
bind_host_cgroups (int rootfd, const char *dest, const struct silo_mount_options *asked,
                   struct silo_error **err)
{
  struct silo_mount_options o = {
    .flags = (asked->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) | MS_BIND | MS_REC | MS_RDONLY,
    .attr_set = MOUNT_ATTR_RDONLY,
  };

  return silo_mount_bind (rootfd, "/sys/fs/cgroup", dest, &o, err);
}

static int
mount_cgroup (const struct silo_rootfs_ctx *ctx, int rootfd, const char *type, const char *dest,
              const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_close_ int target = -1;

  if (ctx->cgroup == NULL && ctx->host_cgroups)
    return bind_host_cgroups (rootfd, dest, o, err);
  if (ctx->cgroup == NULL)
    return silo_fail (err, EINVAL, "a %s mount needs cgroups, which are disabled", type);
  /* Created and checked here like any target (no symlink under /sys), once: the driver
   * mounts a tmpfs or cgroup2 onto this fd.  */
  target = silo_mount_open_target (rootfd, dest, false, false, err);
  if (target < 0)
    return -1;
  return silo_cgroup_mount_in_container (ctx->cgroup, target, dest, o->flags, ctx->cgroupns, err);
}

/* The tree the parent made before the clone (idmap.h): an ID-mapped bind, which the init
 * could not make in its own user namespace, or a bind whose source the container's ids
 * may not reach.  */
static int
mount_early_tree (const struct silo_rootfs_ctx *ctx, int rootfd, const struct silo_mount_step *s,
                  struct silo_error **err)
{
  const struct silo_idmap_mounts *idmap = ctx->idmap;
  int tree = idmap != NULL && s->index < idmap->n ? idmap->trees[s->index] : -1;

  if (tree < 0)
    return silo_fail (err, EINVAL, "ID-mapped mount: no tree was made for it before the clone "
                      "(silo_idmap_prepare)");
  return silo_mount_bind_tree (rootfd, tree, s->source, s->destination, &s->options, err);
}

static bool
has_early_tree (const struct silo_rootfs_ctx *ctx, size_t i)
{
  return ctx->idmap != NULL && i < ctx->idmap->n && ctx->idmap->trees[i] >= 0;
}

/* One step of the plan: its destination is looked up here, once, inside the rootfs.  */
static int
mount_step (const struct silo_rootfs_ctx *ctx, int rootfd, const struct silo_mount_step *s,
            struct silo_error **err)
{
  switch (s->kind)
    {
    case SILO_STEP_CGROUP:
      return mount_cgroup (ctx, rootfd, s->type, s->destination, &s->options, err);
    case SILO_STEP_REMOUNT:
      return silo_mount_bind (rootfd, NULL, s->destination, &s->options, err);
    case SILO_STEP_BIND:
      if (s->idmapped || has_early_tree (ctx, s->index))
        return mount_early_tree (ctx, rootfd, s, err);
      return silo_mount_bind (rootfd, s->source, s->destination, &s->options, err);
    case SILO_STEP_FILESYSTEM:
      break;
    }
  return silo_mount_filesystem (rootfd, s->source, s->type, s->destination, &s->options, err);
}

int
silo_rootfs_prepare (const struct silo_rootfs_ctx *ctx, int *rootfd_out, struct silo_error **err)
{
  const oci_config *config = ctx->config;
  _cleanup_close_ int rootfd = -1;

  if (!ctx->mount_ns && ctx->has_rootfs_tree)
    return silo_fail (err, EINVAL, "an overlay root needs a mount namespace in linux.namespaces");
  if (!ctx->mount_ns)
    {
      *rootfd_out = open_rootfs (ctx, err);
      return *rootfd_out;
    }
  if (isolate_propagation (ctx, err) < 0)
    return -1;
  rootfd = bind_rootfs (ctx, err);
  if (rootfd < 0)
    return -1;
  for (size_t i = 0; i < ctx->plan->n_steps; i++)
    {
      const struct silo_mount_step *step = &ctx->plan->steps[i];
      if (mount_step (ctx, rootfd, step, err) < 0)
        return silo_wrap (err, "mounts[%zu] (%s)", step->index, config->mounts[step->index].destination);
    }
  if (ctx->plan->populate_dev && silo_devices_create (rootfd, config->linux_, ctx->userns, err) < 0)
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

/* mountinfo escapes space, tab, newline and backslash as \ooo.  */
static void
unescape_octal (char *s)
{
  char *out = s;

  for (char *p = s; *p != '\0'; p++)
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
      {
        *out++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
        p += 3;
      }
    else
      *out++ = *p;
  *out = '\0';
}

/* The procfs and sysfs mounts of this namespace outside the rootfs, deepest first, as a
 * NULL-terminated list (NULL when there are none).  */
static char **
kernel_mounts_outside (const char *rootfs, size_t *n)
{
  _cleanup_free_ char *info = NULL;
  char **list = NULL, *save = NULL;

  *n = 0;
  if (read_file_at (AT_FDCWD, "/proc/self/mountinfo", &info, NULL, NULL) < 0)
    return NULL;
  for (char *line = strtok_r (info, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char point[4096], *sep = strstr (line, " - ");

      if (sep == NULL || (strncmp (sep + 3, "proc ", 5) != 0 && strncmp (sep + 3, "sysfs ", 6) != 0)
          || sscanf (line, "%*s %*s %*s %*s %4095s", point) != 1)
        continue;
      unescape_octal (point);
      if (silo_path_is_under (point, rootfs))
        continue;
      list = xrealloc (list, (*n + 2) * sizeof (char *));
      list[(*n)++] = xstrdup (point);
      list[*n] = NULL;
    }
  /* mountinfo lists parents first: backwards, children go first */
  for (size_t i = 0; i < *n / 2; i++)
    {
      char *t = list[i];
      list[i] = list[*n - 1 - i];
      list[*n - 1 - i] = t;
    }
  return list;
}

/* --no-pivot keeps the old root, and with it the host's procfs and sysfs, in the
 * container's mount namespace: the kernel lets a nested user namespace mount a fresh
 * procfs whenever a fully visible one is somewhere in the namespace.  They go first
 * (or, where they cannot be unmounted, get an empty tmpfs over them), as runc does.  */
static int
hide_kernel_mounts (const char *rootfs, struct silo_error **err)
{
  size_t n;
  _cleanup_strv_ char **mounts = kernel_mounts_outside (rootfs, &n);

  for (size_t i = 0; i < n; i++)
    {
      if (umount2 (mounts[i], MNT_DETACH) == 0)
        continue;
      if (mount ("tmpfs", mounts[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
        return silo_fail (err, errno, "--no-pivot: hide the host's `%s`", mounts[i]);
    }
  return 0;
}

static int
move_root (const char *rootfs, struct silo_error **err)
{
  if (hide_kernel_mounts (rootfs, err) < 0)
    return -1;
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return silo_fail (err, errno, "--no-pivot: move the rootfs onto /");
  if (chroot (".") < 0)
    return silo_fail (err, errno, "--no-pivot: chroot into the rootfs");
  if (chdir ("/") < 0)
    return silo_fail (err, errno, "chdir /");
  return 0;
}

/* pivot_root(".", "."): the old root ends up stacked on the new one, with no directory
 * needed in the rootfs to hold it.  The old root is then reached through an fd taken
 * before: "." names the new root's own mount (umount2 alone follows to the mount on top),
 * and a recursive change there would reach the container's mounts (an rshared volume
 * would stop propagating to the host).  */
static int
pivot_and_detach (struct silo_error **err)
{
  _cleanup_close_ int old_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (old_root < 0)
    return silo_fail (err, errno, "open the old root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return silo_fail (err, errno, "pivot_root into the rootfs (a rootfs on ramfs needs --no-pivot)");
  /* createContainer hooks ran since prepare and may have changed propagation: the detach
   * below must not reach the host's mounts.  */
  if (silo_mount_setattr (old_root, true, 0, 0, MS_SLAVE, err) < 0)
    return silo_wrap (err, "make the old root's mounts slaves");
  if (fchdir (old_root) < 0 || umount2 (".", MNT_DETACH) < 0)
    return silo_fail (err, errno, "detach the old root");
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
    {
      _cleanup_free_ char *path = rootfs_path (ctx);
      _cleanup_free_ char *clean = silo_path_clean (path);
      return move_root (clean, err);
    }
  return pivot_and_detach (err);
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

/* A path for maskedPaths, readonlyPaths or a read-only tmpfs, opened after the pivot.
 * Under /proc, /sys and /dev no component may be a symlink: a rootfs shared with another
 * container can have its /proc renamed away (a mount follows its dentry) and replaced
 * with a link to a fake tree between the mount and this lookup, and the masks would then
 * land on the fake while the real procfs stays open (CVE-2019-19921's class).  ELOOP
 * then fails the create.  */
static int
open_after_pivot (int root, const char *path)
{
  _cleanup_free_ char *clean = silo_path_clean (path);
  uint64_t resolve = IN_ROOT;

  if (silo_path_is_under (clean, "/proc") || silo_path_is_under (clean, "/sys")
      || silo_path_is_under (clean, "/dev"))
    resolve |= RESOLVE_NO_SYMLINKS;
  return silo_openat2 (root, clean, O_PATH, 0, resolve);
}

static int
mask_paths (int root, const oci_linux *linux_, struct silo_error **err)
{
  _cleanup_close_ int null = -1, tmpfs = -1;

  for (size_t i = 0; i < linux_->n_masked_paths; i++)
    {
      const char *path = linux_->masked_paths[i];
      _cleanup_close_ int fd = open_after_pivot (root, path);
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
      _cleanup_close_ int fd = open_after_pivot (root, path);
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
readonly_later (int root, const struct silo_rootfs_plan *plan, struct silo_error **err)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct silo_mount_step *s = &plan->steps[i];
      _cleanup_close_ int fd = -1;

      if (!s->readonly_later)
        continue;
      fd = open_after_pivot (root, s->destination);
      if (fd < 0)
        return silo_fail (err, errno, "mounts[%zu] (%s): open to make it read-only", s->index,
                          s->destination);
      if (silo_mount_setattr (fd, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
        return silo_wrap (err, "mounts[%zu] (%s): make it read-only", s->index, s->destination);
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
  if (readonly_later (root, ctx->plan, err) < 0)
    return -1;
  if (linux_ != NULL && (mask_paths (root, linux_, err) < 0 || readonly_paths (root, linux_, err) < 0))
    return -1;
  if (rootcfg != NULL && rootcfg->readonly
      && silo_mount_setattr (root, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
    return silo_wrap (err, "root.readonly");
  if (linux_ != NULL && linux_->rootfs_propagation != NULL)
    return apply_root_propagation (root, linux_->rootfs_propagation, err);
  return 0;
}
