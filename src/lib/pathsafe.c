/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pathsafe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define PROCFS_STRICT (RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)

int
silo_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
  struct open_how how = { .flags = flags | O_CLOEXEC, .mode = mode, .resolve = resolve };

  /* EAGAIN: a concurrent rename or mount made the scoped lookup unsure; it asks for a
   * retry.  Bounded, so that a hostile loop of renames cannot keep us here.  */
  for (int attempt = 0; attempt < 64; attempt++)
    {
      long fd = syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
        return (int) fd;
    }
  return -1;
}

int
silo_open_in_root (int rootfd, const char *path, int flags, mode_t mode, struct silo_error **err)
{
  int fd = silo_openat2 (rootfd, path, (uint64_t) flags, mode, IN_ROOT);
  if (fd < 0)
    return silo_fail (err, errno, "open `%s` in the container rootfs", path);
  return fd;
}

char *
silo_path_clean (const char *path)
{
  size_t used = 0;
  char *out = xmalloc0 (strlen (path) + 2);

  for (const char *p = path; *p != '\0';)
    {
      const char *start;
      size_t n;

      while (*p == '/')
        p++;
      start = p;
      while (*p != '\0' && *p != '/')
        p++;
      n = (size_t) (p - start);
      if (n == 0 || (n == 1 && start[0] == '.'))
        continue;
      if (n == 2 && start[0] == '.' && start[1] == '.')
        {
          while (used > 0 && out[used - 1] != '/')
            used--;
          if (used > 0)
            used--;
          continue;
        }
      out[used++] = '/';
      memcpy (out + used, start, n);
      used += n;
    }
  if (used == 0)
    out[used++] = '/';
  out[used] = '\0';
  return out;
}

static int mkdirs_walk (int rootfd, const char *path, mode_t mode, int depth, struct silo_error **err);

/* `name` under `parent` (the directory `prefix`) is a symlink to nowhere: runc and crun
 * make its target instead, which must itself resolve inside the root.  */
static int
mkdirs_through_link (int rootfd, int parent, const char *prefix, const char *name, const char *rest,
                     mode_t mode, int depth, struct silo_error **err)
{
  char target[PATH_MAX];
  _cleanup_free_ char *next = NULL;
  ssize_t n = readlinkat (parent, name, target, sizeof target - 1);

  if (n < 0)
    return silo_fail (err, errno, "`%s` in the container rootfs is neither a directory nor a "
                      "symlink", prefix);
  target[n] = '\0';
  if (depth >= 40)
    return silo_fail (err, ELOOP, "`%s` in the container rootfs: too many levels of symlinks", prefix);
  if (target[0] == '/')
    next = xasprintf ("%s/%s", target, rest);
  else
    next = xasprintf ("%.*s/%s/%s", (int) (strlen (prefix) - strlen (name)), prefix, target, rest);
  return mkdirs_walk (rootfd, next, mode, depth + 1, err);
}

/* One component at a time, each prefix resolved from the root again: mkdirat() only ever
 * gets a single name under a directory fd that was itself resolved inside the root, so an
 * existing symlink component is followed the way the container will see it, never out;
 * one that points nowhere gets its target made, inside the root.  */
static int
mkdirs_walk (int rootfd, const char *path, mode_t mode, int depth, struct silo_error **err)
{
  _cleanup_free_ char *prefix = xstrdup (path);
  _cleanup_close_ int current = -1;
  char *p = prefix;

  for (;;)
    {
      char *name, saved;
      int fd;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      name = p;
      while (*p != '\0' && *p != '/')
        p++;
      saved = *p;
      *p = '\0';
      fd = silo_openat2 (rootfd, prefix, O_PATH | O_DIRECTORY, 0, IN_ROOT);
      if (fd < 0 && errno == ENOENT)
        {
          int parent = current >= 0 ? current : rootfd;

          if (mkdirat (parent, name, mode) < 0 && errno != EEXIST)
            return silo_fail (err, errno, "mkdir `%s` in the container rootfs", prefix);
          fd = silo_openat2 (rootfd, prefix, O_PATH | O_DIRECTORY, 0, IN_ROOT);
          /* Not there, yet mkdir says it exists: a symlink to nowhere.  */
          if (fd < 0 && errno == ENOENT)
            return mkdirs_through_link (rootfd, parent, prefix, name, saved != '\0' ? p + 1 : "",
                                        mode, depth, err);
        }
      if (fd < 0)
        return silo_fail (err, errno, "open `%s` in the container rootfs", prefix);
      silo_closep (&current);
      current = fd;
      *p = saved;
    }
  if (current < 0)
    return silo_open_in_root (rootfd, "/", O_PATH | O_DIRECTORY, 0, err);
  return steal_fd (&current);
}

/* The common case of a missing mount point (/dev/pts, /dev/shm in an image without them):
 * only the last component is missing.  Its parent, resolved inside the root, gets it, and
 * the new directory is opened beneath the parent with no symlink followed: four calls,
 * where the walk takes one per component and two more.  1: made; 0: not that case (the
 * walk decides); -1: failed.  */
static int
mkdir_last (int rootfd, const char *path, mode_t mode, int *out, struct silo_error **err)
{
  _cleanup_free_ char *parent = xstrdup (path);
  _cleanup_close_ int parent_fd = -1;
  char *slash = strrchr (parent, '/');
  const char *name = slash != NULL ? slash + 1 : parent;

  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return 0;
  if (slash != NULL)
    *slash = '\0';
  parent_fd = silo_openat2 (rootfd, slash != NULL && *parent != '\0' ? parent : "/",
                            O_PATH | O_DIRECTORY, 0, IN_ROOT);
  if (parent_fd < 0 || mkdirat (parent_fd, name, mode) < 0)
    return 0;   /* a missing parent, a dangling symlink (EEXIST), a refusal: the walk says */
  *out = silo_openat2 (parent_fd, name, O_PATH | O_DIRECTORY, 0,
                       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (*out < 0)
    return silo_fail (err, errno, "open `%s` in the container rootfs, just made", path);
  return 1;
}

int
silo_mkdirs_in_root_missing (int rootfd, const char *path, mode_t mode, struct silo_error **err)
{
  int fd = -1;
  int made = mkdir_last (rootfd, path, mode, &fd, err);

  if (made != 0)
    return made < 0 ? -1 : fd;
  return mkdirs_walk (rootfd, path, mode, 0, err);
}

int
silo_mkdirs_in_root (int rootfd, const char *path, mode_t mode, struct silo_error **err)
{
  int fd = silo_openat2 (rootfd, path, O_PATH | O_DIRECTORY, 0, IN_ROOT);

  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return silo_fail (err, errno, "open `%s` in the container rootfs", path);
  return silo_mkdirs_in_root_missing (rootfd, path, mode, err);
}

int
silo_mkfile_in_root (int rootfd, const char *path, mode_t mode, struct silo_error **err)
{
  _cleanup_free_ char *parent = NULL;
  _cleanup_close_ int dirfd = -1, created = -1;
  const char *name;
  char *slash;
  int fd = silo_openat2 (rootfd, path, O_PATH, 0, IN_ROOT);

  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return silo_fail (err, errno, "open `%s` in the container rootfs", path);

  parent = xstrdup (path);
  slash = strrchr (parent, '/');
  name = slash != NULL ? slash + 1 : parent;
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return silo_fail (err, EINVAL, "`%s` does not name a file", path);
  if (slash != NULL)
    *slash = '\0';
  dirfd = silo_mkdirs_in_root (rootfd, slash != NULL && *parent != '\0' ? parent : "/", 0755, err);
  if (dirfd < 0)
    return -1;

  created = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
  if (created < 0 && errno != EEXIST)
    return silo_fail (err, errno, "create `%s` in the container rootfs", path);
  /* Created here: the fd of that very file is the answer (a mount target needs no more
   * than a reference to it).  EEXIST: something appeared meanwhile (or a dangling
   * symlink): resolve the whole path, inside the root.  */
  if (created >= 0)
    return steal_fd (&created);
  fd = silo_openat2 (rootfd, path, O_PATH, 0, IN_ROOT);
  if (fd < 0)
    return silo_fail (err, errno, "open `%s` in the container rootfs", path);
  return fd;
}

/* ---- procfs ------------------------------------------------------------------- */

static int
procfs_new_instance (void)
{
  _cleanup_close_ int fs = fsopen ("proc", FSOPEN_CLOEXEC);

  if (fs < 0 || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  return fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int
silo_procfs_open (struct silo_error **err)
{
  _cleanup_close_ int mnt = procfs_new_instance ();
  struct statfs sfs;
  int fd, fsopen_errno = errno;

  /* A fresh instance is refused in a user namespace that does not own the pid namespace
   * (mount_too_revealing); a clone of the /proc mount alone (no submounts: nothing some
   * tool bind-mounted over /proc files comes along) is the next best thing.  */
  if (mnt < 0)
    mnt = open_tree (AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  /* A user without privileges may do neither (rootless, or a rootless `exec` that joined
   * the container's user namespace): then /proc as it is, which the check below must
   * find to be procfs.  */
  if (mnt < 0 && errno == EPERM)
    mnt = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (mnt < 0)
    return silo_fail (err, errno, "open a private procfs (fsopen: %s; clone of /proc)",
                      strerror (fsopen_errno));
  fd = openat (mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return silo_fail (err, errno, "open the private procfs");
  if (fstatfs (fd, &sfs) < 0)
    {
      int saved = errno;
      close (fd);
      return silo_fail (err, saved, "fstatfs the private procfs");
    }
  if (sfs.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return silo_fail (err, EXDEV, "the private procfs is not procfs");
    }
  return fd;
}

/* "self/x" -> "<pid>/x", "thread-self/x" -> "<pid>/task/<tid>/x", numbers as procfd's
 * instance sees the caller (its pid namespace may not be ours).  *out stays NULL when
 * the path needs no rewriting.  */
static int
procfs_resolve_self (int procfd, const char *path, char **out, struct silo_error **err)
{
  static const char *const links[] = { "self", "thread-self" };
  char target[64];

  for (size_t i = 0; i < SILO_ARRAY_SIZE (links); i++)
    {
      size_t n = strlen (links[i]);
      ssize_t r;

      if (strncmp (path, links[i], n) != 0 || path[n] != '/')
        continue;
      r = readlinkat (procfd, links[i], target, sizeof (target) - 1);
      if (r < 0)
        return silo_fail (err, errno, "readlink /proc/%s", links[i]);
      target[r] = '\0';
      *out = xasprintf ("%s%s", target, path + n);
      return 0;
    }
  return 0;
}

static int
procfs_check_file (int procfd, int fd, const char *path, struct silo_error **err)
{
  struct statx dir_stx, file_stx;
  struct statfs sfs;

  if (fstatfs (fd, &sfs) < 0)
    return silo_fail (err, errno, "fstatfs /proc/%s", path);
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return silo_fail (err, EXDEV, "/proc/%s is not on procfs", path);
  if (statx (procfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &dir_stx) < 0
      || statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &file_stx) < 0)
    return silo_fail (err, errno, "statx /proc/%s", path);
  if (dir_stx.stx_mnt_id != file_stx.stx_mnt_id)
    return silo_fail (err, EXDEV, "/proc/%s is not on silo's own procfs mount", path);
  return 0;
}

int
silo_procfs_write (int procfd, const char *path, const char *data, size_t len,
                   struct silo_error **err)
{
  _cleanup_free_ char *rewritten = NULL, *what = NULL;
  _cleanup_close_ int fd = -1;

  if (procfs_resolve_self (procfd, path, &rewritten, err) < 0)
    return -1;
  fd = silo_openat2 (procfd, rewritten != NULL ? rewritten : path, O_WRONLY | O_NOCTTY, 0,
                     PROCFS_STRICT);
  if (fd < 0)
    return silo_fail (err, errno, "open /proc/%s for writing", path);
  if (procfs_check_file (procfd, fd, path, err) < 0)
    return -1;
  /* One write(2): uid_map, gid_map and setgroups take the whole value at once.  */
  what = xasprintf ("/proc/%s", path);
  return write_value_fd (fd, what, data, len, err);
}

/* ---- removing a tree -------------------------------------------------------------- */

/* A directory entered on the way down: its name in its parent and the parent's identity,
 * checked when ".." leads back up.  */
struct tree_level
{
  char *name;
  dev_t parent_dev;
  ino_t parent_ino;
};

/* One pass over dir: every entry that is not a directory is unlinked; the first
 * directory stops the pass and is returned in *subdir (caller frees).  *seen counts the
 * entries met: a pass that unlinks while it reads may miss some, so only a pass that
 * met none proves the directory empty.  */
static int
tree_scan (int dir, dev_t dev, char **subdir, size_t *seen, struct silo_error **err)
{
  int fd = openat (dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd < 0 ? NULL : fdopendir (fd);
  struct dirent *de;
  int ret = 0;

  *subdir = NULL;
  *seen = 0;
  if (d == NULL)
    {
      silo_closep (&fd);
      return silo_fail (err, errno, "read a directory to remove");
    }
  while (ret == 0 && *subdir == NULL && (de = readdir (d)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      (*seen)++;
      if (fstatat (dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        ret = errno == ENOENT ? 0 : silo_fail (err, errno, "stat `%s`", de->d_name);
      else if (S_ISDIR (st.st_mode) && st.st_dev != dev)
        ret = silo_fail (err, EXDEV, "`%s` is on another file system (a mount): not removed", de->d_name);
      else if (S_ISDIR (st.st_mode))
        *subdir = xstrdup (de->d_name);
      else if (unlinkat (dir, de->d_name, 0) < 0 && errno != ENOENT)
        ret = silo_fail (err, errno, "remove `%s`", de->d_name);
    }
  closedir (d);
  return ret;
}

/* From an emptied directory cur up to its parent (checked to be the one we came from),
 * removing cur there.  */
static int
tree_climb (int *cur, const struct tree_level *level, int topfd, bool top, struct silo_error **err)
{
  _cleanup_close_ int up = top ? fcntl (topfd, F_DUPFD_CLOEXEC, 3) : openat (*cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;

  if (up < 0 || fstat (up, &st) < 0)
    return silo_fail (err, errno, "go back up from `%s`", level->name);
  if (st.st_dev != level->parent_dev || st.st_ino != level->parent_ino)
    return silo_fail (err, EXDEV, "the directory above `%s` changed while it was removed", level->name);
  if (unlinkat (up, level->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return silo_fail (err, errno, "remove directory `%s`", level->name);
  silo_closep (cur);
  *cur = top ? -1 : steal_fd (&up);
  return 0;
}

static void
tree_levels_free (struct tree_level *levels, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (levels[i].name);
  free (levels);
}

static int
tree_remove_levels (int topfd, int cur, struct tree_level **levels, size_t *n, dev_t dev,
                    struct silo_error **err)
{
  while (*n > 0)
    {
      _cleanup_free_ char *sub = NULL;
      struct stat here;
      size_t seen;
      int next;

      if (tree_scan (cur, dev, &sub, &seen, err) < 0)
        break;
      if (sub == NULL && seen > 0)
        continue;
      if (sub == NULL)
        {
          (*n)--;
          int ret = tree_climb (&cur, &(*levels)[*n], topfd, *n == 0, err);
          free ((*levels)[*n].name);
          if (ret < 0)
            break;
          continue;
        }
      next = openat (cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 || fstat (cur, &here) < 0)
        {
          silo_fail (err, errno, "open directory `%s`", sub);
          silo_closep (&next);
          break;
        }
      *levels = xrealloc (*levels, (*n + 1) * sizeof (**levels));
      (*levels)[(*n)++] = (struct tree_level) { steal_pointer (&sub), here.st_dev, here.st_ino };
      silo_closep (&cur);
      cur = next;
    }
  silo_closep (&cur);
  return *n > 0 ? -1 : 0;
}

int
silo_remove_tree_at (int dirfd, const char *name, struct silo_error **err)
{
  struct tree_level *levels = xmalloc0 (sizeof (*levels));
  struct stat top;
  size_t n = 1;
  int cur, ret;

  if (fstat (dirfd, &top) < 0)
    {
      free (levels);
      return silo_fail (err, errno, "stat the directory that holds `%s`", name);
    }
  cur = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (cur < 0)
    {
      free (levels);
      if (errno == ENOENT)
        return 0;
      if (errno != ENOTDIR && errno != ELOOP)
        return silo_fail (err, errno, "open `%s` to remove it", name);
      if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
        return silo_fail (err, errno, "remove `%s`", name);
      return 0;
    }
  levels[0] = (struct tree_level) { xstrdup (name), top.st_dev, top.st_ino };
  ret = tree_remove_levels (dirfd, cur, &levels, &n, top.st_dev, err);
  tree_levels_free (levels, n);
  if (ret < 0)
    return silo_wrap (err, "remove `%s`", name);
  return 0;
}
