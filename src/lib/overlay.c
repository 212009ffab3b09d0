/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
silo_overlay_open_lower (const char *path, const char *what, struct silo_error **err)
{
  _cleanup_close_ int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st, host_root;

  if (fd < 0 && errno == ENOTDIR)
    return silo_fail (err, errno, "%s `%s` is not a directory", what, path);
  if (fd < 0)
    return silo_fail (err, errno, "%s `%s`", what, path);
  if (fstat (fd, &st) < 0 || stat ("/", &host_root) < 0)
    return silo_fail (err, errno, "%s `%s`: stat", what, path);
  if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino)
    return silo_fail (err, EINVAL, "%s `%s` is the host's root directory; a container needs a "
                      "root filesystem of its own", what, path);
  return steal_fd (&fd);
}

/* Is `ancestor` the directory dirfd or one above it?  Up through ".." to "/", mounts
 * included (".." of a mount's root is the directory it is mounted on).  */
static int
is_at_or_below (int dirfd, const struct stat *ancestor, bool *below, struct silo_error **err)
{
  _cleanup_close_ int cur = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);
  struct stat here;

  *below = false;
  if (cur < 0 || fstat (cur, &here) < 0)
    return silo_fail (err, errno, "stat the state directory");
  for (;;)
    {
      _cleanup_close_ int up = -1;
      struct stat above;

      if (here.st_dev == ancestor->st_dev && here.st_ino == ancestor->st_ino)
        {
          *below = true;
          return 0;
        }
      up = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (up < 0 || fstat (up, &above) < 0)
        return silo_fail (err, errno, "walk up from the state directory");
      if (above.st_dev == here.st_dev && above.st_ino == here.st_ino)
        return 0;   /* "/" */
      silo_closep (&cur);
      cur = steal_fd (&up);
      here = above;
    }
}

/* A fresh directory in statedir, owned and moded as asked (not through a symlink: the
 * name is created here, and opened with O_NOFOLLOW).  */
static int
make_layer (int statedir, const char *name, const struct stat *like, struct silo_error **err)
{
  _cleanup_close_ int fd = -1;

  if (mkdirat (statedir, name, 0700) < 0)
    return silo_fail (err, errno, "make the overlay's `%s` directory in the state directory", name);
  fd = openat (statedir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return silo_fail (err, errno, "open the overlay's `%s` directory", name);
  if (like != NULL && (fchown (fd, like->st_uid, like->st_gid) < 0 || fchmod (fd, like->st_mode & 07777) < 0))
    return silo_fail (err, errno, "give the overlay's `%s` directory the rootfs's owner and mode", name);
  return steal_fd (&fd);
}

/* What overlayfs said about a failed fsconfig (its messages queue on the fs fd), so that
 * the error is the kernel's reason rather than a bare EINVAL.  */
static int
fail_with_log (int fs, int errnum, const char *what, struct silo_error **err)
{
  char buf[512];
  ssize_t n = read (fs, buf, sizeof (buf) - 1);

  if (n <= 2)
    return silo_fail (err, errnum, "overlay: %s", what);
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return silo_fail (err, errnum, "overlay: %s: %s", what, buf + 2);   /* "e overlayfs: ..." */
}

static int
set_layer (int fs, const char *key, int fd, struct silo_error **err)
{
  char path[64];

  snprintf (path, sizeof (path), "/proc/self/fd/%d", fd);
  if (fsconfig (fs, FSCONFIG_SET_STRING, key, path, 0) < 0)
    return fail_with_log (fs, errno, key, err);
  return 0;
}

int
silo_overlay_make (int lowerfd, int statedir, const char *upper, const char *work,
                   struct silo_error **err)
{
  _cleanup_close_ int upperfd = -1, workfd = -1, fs = -1;
  struct stat lower;
  bool below;
  int mnt;

  if (fstat (lowerfd, &lower) < 0)
    return silo_fail (err, errno, "stat the rootfs");
  if (is_at_or_below (statedir, &lower, &below, err) < 0)
    return -1;
  if (below)
    return silo_fail (err, ELOOP, "the state directory is inside the rootfs: the container would "
                      "see its own upper layer (use a --root outside the rootfs)");
  upperfd = make_layer (statedir, upper, &lower, err);
  if (upperfd < 0)
    return -1;
  workfd = make_layer (statedir, work, NULL, err);
  if (workfd < 0)
    return -1;
  fs = fsopen ("overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return silo_fail (err, errno, "fsopen overlay (is the overlay module available?)");
  if (set_layer (fs, "lowerdir", lowerfd, err) < 0 || set_layer (fs, "upperdir", upperfd, err) < 0
      || set_layer (fs, "workdir", workfd, err) < 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fail_with_log (fs, errno, "create", err);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0)
    return silo_fail (err, errno, "fsmount overlay");
  return mnt;
}
