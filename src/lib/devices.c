/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "pathsafe.h"
#include "util.h"

struct device_node
{
  const char *path;   /* cleaned, absolute */
  mode_t type;        /* S_IFCHR, S_IFBLK or S_IFIFO */
  dev_t rdev;
  mode_t mode;
  uid_t uid;          /* (uid_t) -1: leave */
  gid_t gid;          /* (gid_t) -1: leave */
};

static const struct { const char *path; unsigned major, minor; } default_devices[] = {
  { "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct { const char *name, *target; } default_symlinks[] = {
  { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
  { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
};

static int
existing_node_matches (int dirfd, const char *name, const struct device_node *node,
                       struct silo_error **err)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return silo_fail (err, errno, "stat `%s`", node->path);
  if ((st.st_mode & S_IFMT) == node->type && (node->type == S_IFIFO || st.st_rdev == node->rdev))
    return 0;
  return silo_fail (err, EEXIST, "`%s` exists and is not the requested device %u:%u",
                    node->path, major (node->rdev), minor (node->rdev));
}

/* The host's node, bind-mounted: a user namespace may not mknod.  The host path must be
 * the very device asked for, not whatever the host happens to have there.  */
static bool
is_node (int fd, const struct device_node *node)
{
  struct stat st;

  return fstat (fd, &st) == 0 && (st.st_mode & S_IFMT) == node->type && st.st_rdev == node->rdev;
}

/* The host's node for the device: at the same path, or else under the name udev gives
 * every device, /dev/char/MAJOR:MINOR or /dev/block/MAJOR:MINOR.  */
static int
open_host_node (const struct device_node *node, struct silo_error **err)
{
  char by_number[64];
  int fd = open (node->path, O_PATH | O_CLOEXEC);

  if (fd >= 0 && is_node (fd, node))
    return fd;
  silo_closep (&fd);
  snprintf (by_number, sizeof by_number, "/dev/%s/%u:%u", node->type == S_IFBLK ? "block" : "char",
            major (node->rdev), minor (node->rdev));
  fd = open (by_number, O_PATH | O_CLOEXEC);
  if (fd >= 0 && is_node (fd, node))
    return fd;
  silo_closep (&fd);
  return silo_fail (err, ENODEV, "`%s`: a user namespace may not mknod, and the host has no "
                    "device %u:%u at `%s` or `%s` to bind instead", node->path,
                    major (node->rdev), minor (node->rdev), node->path, by_number);
}

static int
bind_host_node (int rootfd, const struct device_node *node, struct silo_error **err)
{
  _cleanup_close_ int host = open_host_node (node, err);
  _cleanup_close_ int target = -1, tree = -1;

  if (host < 0)
    return -1;
  target = silo_mkfile_in_root (rootfd, node->path, 0600, err);
  if (target < 0)
    return -1;
  tree = silo_mount_clone (host, false, err);
  if (tree < 0 || silo_mount_attach (tree, target, err) < 0)
    return silo_wrap (err, "bind the host's `%s`", node->path);
  return 0;
}

/* DEVFD: /dev of the root, opened once for the nodes that go there (most of them).  */
static int
create_node (int rootfd, int devfd, const struct device_node *node, bool userns, struct silo_error **err)
{
  _cleanup_free_ char *parent = xstrdup (node->path);
  _cleanup_close_ int opened = -1;
  char *slash = strrchr (parent, '/');
  const char *name = slash + 1;
  int dirfd = devfd;

  if (userns && node->type != S_IFIFO)
    return bind_host_node (rootfd, node, err);
  *slash = '\0';
  if (strcmp (parent, "/dev") != 0)
    dirfd = opened = silo_mkdirs_in_root (rootfd, *parent != '\0' ? parent : "/", 0755, err);
  if (dirfd < 0)
    return -1;
  /* mknodat() creates the last name itself, never through a symlink.  */
  if (mknodat (dirfd, name, node->type | node->mode, node->rdev) < 0)
    {
      if (errno == EEXIST)
        return existing_node_matches (dirfd, name, node, err);
      return silo_fail (err, errno, "mknod `%s`", node->path);
    }
  if ((node->uid != (uid_t) -1 || node->gid != (gid_t) -1)
      && fchownat (dirfd, name, node->uid, node->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return silo_fail (err, errno, "chown `%s` to %d:%d", node->path, (int) node->uid, (int) node->gid);
  return 0;
}

static int
node_from_config (const oci_device *d, char *path, struct device_node *node, struct silo_error **err)
{
  const char *type = d->type != NULL ? d->type : "";

  if (strcmp (type, "c") == 0 || strcmp (type, "u") == 0)
    node->type = S_IFCHR;
  else if (strcmp (type, "b") == 0)
    node->type = S_IFBLK;
  else if (strcmp (type, "p") == 0)
    node->type = S_IFIFO;
  else
    return silo_fail (err, EINVAL, "type `%s`: must be c, b, u or p", type);
  if (strcmp (path, "/") == 0)
    return silo_fail (err, EINVAL, "path: must name a file");
  if (d->major < 0 || d->major > 0xfff || d->minor < 0 || d->minor > 0xfffff)
    return silo_fail (err, ERANGE, "major %lld, minor %lld: out of range",
                      (long long) d->major, (long long) d->minor);
  node->path = path;
  node->rdev = node->type == S_IFIFO ? 0 : makedev ((unsigned) d->major, (unsigned) d->minor);
  /* Engines (podman) pass the whole st_mode: its type bits, when given, must be the
   * type's.  */
  if (d->has_file_mode && (d->file_mode & S_IFMT) != 0 && (d->file_mode & S_IFMT) != node->type)
    return silo_fail (err, EINVAL, "fileMode %#o: its file type bits are not those of type `%s`",
                      (unsigned) d->file_mode, type);
  node->mode = d->has_file_mode ? d->file_mode & 07777 : 0666;
  node->uid = d->has_uid ? d->uid : (uid_t) -1;
  node->gid = d->has_gid ? d->gid : (gid_t) -1;
  return 0;
}

static bool
config_lists_device (const oci_linux *linux_, const char *path)
{
  for (size_t i = 0; linux_ != NULL && i < linux_->n_devices; i++)
    {
      _cleanup_free_ char *clean = linux_->devices[i].path != NULL
                                     ? silo_path_clean (linux_->devices[i].path) : NULL;
      if (clean != NULL && strcmp (clean, path) == 0)
        return true;
    }
  return false;
}

static int
create_config_devices (int rootfd, int devfd, const oci_linux *linux_, bool userns, struct silo_error **err)
{
  for (size_t i = 0; linux_ != NULL && i < linux_->n_devices; i++)
    {
      const oci_device *d = &linux_->devices[i];
      _cleanup_free_ char *path = silo_path_clean (d->path != NULL ? d->path : "/");
      struct device_node node;

      if (node_from_config (d, path, &node, err) < 0 || create_node (rootfd, devfd, &node, userns, err) < 0)
        return silo_wrap (err, "linux.devices[%zu] (%s)", i, d->path != NULL ? d->path : "");
    }
  return 0;
}

static int
create_symlinks (int dev, const oci_linux *linux_, struct silo_error **err)
{
  char target[sizeof ("pts/ptmx")];
  ssize_t n;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (default_symlinks); i++)
    if (symlinkat (default_symlinks[i].target, dev, default_symlinks[i].name) < 0 && errno != EEXIST)
      return silo_fail (err, errno, "symlink /dev/%s", default_symlinks[i].name);
  if (config_lists_device (linux_, "/dev/ptmx"))
    return 0;
  /* An image's own /dev/ptmx node would open the host's devpts instance.  A fresh /dev
   * (a tmpfs) takes the link at once; a rootfs's own /dev keeps a link that is already
   * right (no inode made and freed on its filesystem at every start).  */
  if (symlinkat ("pts/ptmx", dev, "ptmx") == 0)
    return 0;
  if (errno != EEXIST)
    return silo_fail (err, errno, "symlink /dev/ptmx");
  n = readlinkat (dev, "ptmx", target, sizeof (target));
  if (n == (ssize_t) sizeof (target) - 1 && memcmp (target, "pts/ptmx", (size_t) n) == 0)
    return 0;
  if (unlinkat (dev, "ptmx", 0) < 0 && errno != ENOENT)
    return silo_fail (err, errno, "remove /dev/ptmx");
  if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
    return silo_fail (err, errno, "symlink /dev/ptmx");
  return 0;
}

static int
create_all (int rootfd, const oci_linux *linux_, bool userns, struct silo_error **err)
{
  _cleanup_close_ int dev = silo_mkdirs_in_root (rootfd, "/dev", 0755, err);

  if (dev < 0)
    return -1;
  for (size_t i = 0; i < SILO_ARRAY_SIZE (default_devices); i++)
    {
      struct device_node node = {
        .path = default_devices[i].path, .type = S_IFCHR, .mode = 0666,
        .rdev = makedev (default_devices[i].major, default_devices[i].minor),
        .uid = (uid_t) -1, .gid = (gid_t) -1,
      };
      if (config_lists_device (linux_, node.path))
        continue;
      if (create_node (rootfd, dev, &node, userns, err) < 0)
        return -1;
    }
  if (create_config_devices (rootfd, dev, linux_, userns, err) < 0)
    return -1;
  return create_symlinks (dev, linux_, err);
}

int
silo_devices_create (int rootfd, const oci_linux *linux_, bool userns, struct silo_error **err)
{
  /* The modes asked for are the modes created: no umask in between.  */
  mode_t saved = umask (0);
  int r = create_all (rootfd, linux_, userns, err);

  umask (saved);
  return r;
}
