/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

/* ---- the option table ----------------------------------------------------------- */

enum option_kind
{
  OPTION_SET,          /* flag: MS_* to set */
  OPTION_CLEAR,        /* flag: MS_* to clear */
  OPTION_PROPAGATION,  /* flag: MS_SHARED… | MS_REC */
  OPTION_ATTRIBUTE,    /* attr_set / attr_clear: recursive, through mount_setattr */
  OPTION_TMPCOPYUP,
  OPTION_IDMAP,
  OPTION_RIDMAP,
  OPTION_NOTHING,      /* accepted, no effect */
};

struct mount_option
{
  const char *name;
  enum option_kind kind;
  unsigned long flag;
  uint64_t attr_set, attr_clear;
};

/* The atime mode is one field of the mount attributes: changing it means clearing all of
 * MOUNT_ATTR__ATIME and setting the one mode (MOUNT_ATTR_RELATIME is 0).  */
#define ATIME_MODE(mode) OPTION_ATTRIBUTE, 0, (mode), MOUNT_ATTR__ATIME

static const struct mount_option mount_options[] = {
  { "defaults", OPTION_NOTHING, 0, 0, 0 },
  { "bind", OPTION_SET, MS_BIND, 0, 0 },
  { "rbind", OPTION_SET, MS_BIND | MS_REC, 0, 0 },
  { "ro", OPTION_SET, MS_RDONLY, 0, 0 },
  { "rw", OPTION_CLEAR, MS_RDONLY, 0, 0 },
  { "nosuid", OPTION_SET, MS_NOSUID, 0, 0 },
  { "suid", OPTION_CLEAR, MS_NOSUID, 0, 0 },
  { "nodev", OPTION_SET, MS_NODEV, 0, 0 },
  { "dev", OPTION_CLEAR, MS_NODEV, 0, 0 },
  { "noexec", OPTION_SET, MS_NOEXEC, 0, 0 },
  { "exec", OPTION_CLEAR, MS_NOEXEC, 0, 0 },
  { "sync", OPTION_SET, MS_SYNCHRONOUS, 0, 0 },
  { "async", OPTION_CLEAR, MS_SYNCHRONOUS, 0, 0 },
  { "dirsync", OPTION_SET, MS_DIRSYNC, 0, 0 },
  { "remount", OPTION_SET, MS_REMOUNT, 0, 0 },
  { "mand", OPTION_SET, MS_MANDLOCK, 0, 0 },
  { "nomand", OPTION_CLEAR, MS_MANDLOCK, 0, 0 },
  { "noatime", OPTION_SET, MS_NOATIME, 0, 0 },
  { "atime", OPTION_CLEAR, MS_NOATIME, 0, 0 },
  { "nodiratime", OPTION_SET, MS_NODIRATIME, 0, 0 },
  { "diratime", OPTION_CLEAR, MS_NODIRATIME, 0, 0 },
  { "relatime", OPTION_SET, MS_RELATIME, 0, 0 },
  { "norelatime", OPTION_CLEAR, MS_RELATIME, 0, 0 },
  { "strictatime", OPTION_SET, MS_STRICTATIME, 0, 0 },
  { "nostrictatime", OPTION_CLEAR, MS_STRICTATIME, 0, 0 },
  { "lazytime", OPTION_SET, MS_LAZYTIME, 0, 0 },
  { "nolazytime", OPTION_CLEAR, MS_LAZYTIME, 0, 0 },
  { "silent", OPTION_SET, MS_SILENT, 0, 0 },
  { "loud", OPTION_CLEAR, MS_SILENT, 0, 0 },
  { "iversion", OPTION_SET, MS_I_VERSION, 0, 0 },
  { "noiversion", OPTION_CLEAR, MS_I_VERSION, 0, 0 },
  { "nosymfollow", OPTION_SET, MS_NOSYMFOLLOW, 0, 0 },
  { "symfollow", OPTION_CLEAR, MS_NOSYMFOLLOW, 0, 0 },
  { "shared", OPTION_PROPAGATION, MS_SHARED, 0, 0 },
  { "rshared", OPTION_PROPAGATION, MS_SHARED | MS_REC, 0, 0 },
  { "slave", OPTION_PROPAGATION, MS_SLAVE, 0, 0 },
  { "rslave", OPTION_PROPAGATION, MS_SLAVE | MS_REC, 0, 0 },
  { "private", OPTION_PROPAGATION, MS_PRIVATE, 0, 0 },
  { "rprivate", OPTION_PROPAGATION, MS_PRIVATE | MS_REC, 0, 0 },
  { "unbindable", OPTION_PROPAGATION, MS_UNBINDABLE, 0, 0 },
  { "runbindable", OPTION_PROPAGATION, MS_UNBINDABLE | MS_REC, 0, 0 },
  { "rro", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_RDONLY, 0 },
  { "rrw", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_NOSUID, 0 },
  { "rsuid", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_NOSUID },
  { "rnodev", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_NODEV, 0 },
  { "rdev", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_NODEV },
  { "rnoexec", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_NOEXEC, 0 },
  { "rexec", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_NODIRATIME, 0 },
  { "rdiratime", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPTION_ATTRIBUTE, 0, MOUNT_ATTR_NOSYMFOLLOW, 0 },
  { "rsymfollow", OPTION_ATTRIBUTE, 0, 0, MOUNT_ATTR_NOSYMFOLLOW },
  { "rnoatime", ATIME_MODE (MOUNT_ATTR_NOATIME) },
  { "ratime", ATIME_MODE (MOUNT_ATTR_RELATIME) },
  { "rrelatime", ATIME_MODE (MOUNT_ATTR_RELATIME) },
  { "rnorelatime", ATIME_MODE (MOUNT_ATTR_STRICTATIME) },
  { "rstrictatime", ATIME_MODE (MOUNT_ATTR_STRICTATIME) },
  { "tmpcopyup", OPTION_TMPCOPYUP, 0, 0, 0 },
  { "idmap", OPTION_IDMAP, 0, 0, 0 },
  { "ridmap", OPTION_RIDMAP, 0, 0, 0 },
};

static const struct mount_option *
find_option (const char *name)
{
  for (size_t i = 0; i < SILO_ARRAY_SIZE (mount_options); i++)
    if (strcmp (mount_options[i].name, name) == 0)
      return &mount_options[i];
  return NULL;
}

const char *
silo_mount_option_name (size_t i)
{
  return i < SILO_ARRAY_SIZE (mount_options) ? mount_options[i].name : NULL;
}

int
silo_mount_propagation_parse (const char *name, unsigned long *out)
{
  const struct mount_option *option = name != NULL ? find_option (name) : NULL;

  if (option == NULL || option->kind != OPTION_PROPAGATION)
    return -1;
  *out = option->flag;
  return 0;
}

int
silo_mount_isolation_propagation (const char *rootfs_propagation, unsigned long *out)
{
  unsigned long wanted;

  *out = MS_REC | MS_SLAVE;
  if (rootfs_propagation == NULL)
    return 0;
  if (silo_mount_propagation_parse (rootfs_propagation, &wanted) < 0)
    return -1;
  if (wanted & (MS_PRIVATE | MS_UNBINDABLE))
    *out = MS_REC | MS_PRIVATE;
  return 0;
}

static void
append_data (char **data, const char *option)
{
  size_t used = *data != NULL ? strlen (*data) : 0, n = strlen (option);

  *data = xrealloc (*data, used + n + 2);
  if (used > 0)
    (*data)[used++] = ',';
  memcpy (*data + used, option, n + 1);
}

static void
apply_option (const struct mount_option *option, struct silo_mount_options *o)
{
  switch (option->kind)
    {
    case OPTION_SET:
      o->flags |= option->flag;
      o->cleared &= ~option->flag;
      break;
    case OPTION_CLEAR:
      o->cleared |= option->flag;
      o->flags &= ~option->flag;
      break;
    case OPTION_PROPAGATION:
      o->propagation = option->flag;
      break;
    case OPTION_ATTRIBUTE:
      /* The atime bits of attr_clear must stay whole (see ATIME_MODE).  */
      o->attr_set = (o->attr_set & ~option->attr_clear) | option->attr_set;
      o->attr_clear = (o->attr_clear & ~(option->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME))
                      | option->attr_clear;
      break;
    case OPTION_TMPCOPYUP:
      o->tmpcopyup = true;
      break;
    case OPTION_IDMAP:
    case OPTION_RIDMAP:
      o->idmap = true;
      o->idmap_recursive = option->kind == OPTION_RIDMAP;
      break;
    case OPTION_NOTHING:
      break;
    }
}

int
silo_mount_options_parse (char *const *options, size_t n_options, struct silo_mount_options *out,
                          struct silo_error **err)
{
  memset (out, 0, sizeof (*out));
  for (size_t i = 0; i < n_options; i++)
    {
      const struct mount_option *option;

      if (options[i] == NULL || options[i][0] == '\0')
        continue;
      option = find_option (options[i]);
      if (option != NULL)
        apply_option (option, out);
      else
        append_data (&out->data, options[i]);
    }
  return 0;
}

void
silo_mount_options_release (struct silo_mount_options *o)
{
  free (o->data);
  o->data = NULL;
}

/* ---- targets ------------------------------------------------------------------ */

bool
silo_path_is_under (const char *dest, const char *prefix)
{
  size_t n = strlen (prefix);
  return strncmp (dest, prefix, n) == 0 && (dest[n] == '\0' || dest[n] == '/');
}

static bool
path_needs_no_symlinks (const char *dest)
{
  return silo_path_is_under (dest, "/proc") || silo_path_is_under (dest, "/sys")
         || silo_path_is_under (dest, "/dev");
}

int
silo_mount_open_target (int rootfd, const char *dest, bool is_file, bool no_symlinks,
                        struct silo_error **err)
{
  if (no_symlinks || path_needs_no_symlinks (dest))
    {
      int fd = silo_openat2 (rootfd, dest, O_PATH | (is_file ? 0 : O_DIRECTORY), 0,
                             RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
      if (fd >= 0)
        return fd;
      if (errno == ELOOP)
        return silo_fail (err, ELOOP, "`%s` or a directory above it is a symlink in the rootfs: "
                          "refused, it could redirect the mount (targets under /proc, /sys and "
                          "/dev, and of proc and sysfs mounts, must be real directories)", dest);
      if (errno != ENOENT)
        return silo_fail (err, errno, "open `%s` in the container rootfs", dest);
      /* ENOENT: every component that exists was walked and none is a symlink; only
       * directories silo creates follow.  */
      if (!is_file)
        return silo_mkdirs_in_root_missing (rootfd, dest, 0755, err);
    }
  if (is_file)
    return silo_mkfile_in_root (rootfd, dest, 0644, err);
  return silo_mkdirs_in_root (rootfd, dest, 0755, err);
}

/* ---- primitives on mount fds -------------------------------------------------- */

int
silo_mount_clone (int fd, bool recursive, struct silo_error **err)
{
  int tree = open_tree (fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return silo_fail (err, errno, "open_tree (clone%s)", recursive ? ", recursive" : "");
  return tree;
}

int
silo_mount_attach (int treefd, int targetfd, struct silo_error **err)
{
  if (move_mount (treefd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return silo_fail (err, errno, "move_mount");
  return 0;
}

int
silo_mount_setattr (int fd, bool recursive, uint64_t attr_set, uint64_t attr_clear,
                    unsigned long propagation, struct silo_error **err)
{
  struct mount_attr attr = {
    .attr_set = attr_set,
    .attr_clr = attr_clear,
    .propagation = propagation & ~(unsigned long) MS_REC,
  };

  if (mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof (attr)) < 0)
    return silo_fail (err, errno, "mount_setattr (set %#llx, clear %#llx, propagation %#lx%s)",
                      (unsigned long long) attr_set, (unsigned long long) attr_clear,
                      propagation & ~(unsigned long) MS_REC, recursive ? ", recursive" : "");
  return 0;
}

int
silo_mount_empty_tmpfs (struct silo_error **err)
{
  _cleanup_close_ int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  int mnt;

  if (fs < 0)
    return silo_fail (err, errno, "fsopen tmpfs");
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return silo_fail (err, errno, "create a tmpfs");
  mnt = fsmount (fs, FSMOUNT_CLOEXEC,
                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return silo_fail (err, errno, "fsmount tmpfs");
  return mnt;
}

int
silo_mount_locked_flags (int fd, unsigned long *flags, struct silo_error **err)
{
  static const struct { unsigned long st, ms; } map[] = {
    { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
    { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
  };
  struct statvfs sv;

  if (fstatvfs (fd, &sv) < 0)
    return silo_fail (err, errno, "statvfs");
  *flags = 0;
  for (size_t i = 0; i < SILO_ARRAY_SIZE (map); i++)
    if (sv.f_flag & map[i].st)
      *flags |= map[i].ms;
  /* statvfs has no bit for strictatime: it is neither noatime nor relatime.  */
  if ((sv.f_flag & (ST_NOATIME | ST_RELATIME)) == 0)
    *flags |= MS_STRICTATIME;
  return 0;
}

/* ---- bind mounts -------------------------------------------------------------- */

/* The non-recursive options of a bind, as mount attributes of its top mount.  */
static void
bind_attributes (const struct silo_mount_options *o, uint64_t *set, uint64_t *clear)
{
  static const struct { unsigned long ms; uint64_t attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY }, { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV }, { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };
  uint64_t atime;

  *set = *clear = 0;
  for (size_t i = 0; i < SILO_ARRAY_SIZE (map); i++)
    {
      if (o->flags & map[i].ms)
        *set |= map[i].attr;
      else if (o->cleared & map[i].ms)
        *clear |= map[i].attr;
    }
  if (o->flags & MS_NOATIME)
    atime = MOUNT_ATTR_NOATIME;
  else if (o->flags & MS_STRICTATIME)
    atime = MOUNT_ATTR_STRICTATIME;
  else if (o->flags & MS_RELATIME)
    atime = MOUNT_ATTR_RELATIME;
  else if (o->cleared & MS_RELATIME)
    atime = MOUNT_ATTR_STRICTATIME;
  else if (o->cleared & (MS_NOATIME | MS_STRICTATIME))
    atime = MOUNT_ATTR_RELATIME;
  else
    return;
  *clear |= MOUNT_ATTR__ATIME;
  *set |= atime;
}

/* Recursive attributes first, so that a plain "ro" on the top mount wins over "rrw".
 * Superblock options (sync, dirsync, lazytime, mand, silent) mean nothing to a bind.  */
static int
bind_apply_attributes (int fd, const struct silo_mount_options *o, struct silo_error **err)
{
  uint64_t set, clear;

  if ((o->attr_set | o->attr_clear) != 0
      && silo_mount_setattr (fd, true, o->attr_set, o->attr_clear, 0, err) < 0)
    return -1;
  bind_attributes (o, &set, &clear);
  if ((set | clear) != 0 && silo_mount_setattr (fd, false, set, clear, 0, err) < 0)
    return -1;
  return 0;
}

static int
apply_propagation (int fd, unsigned long propagation, struct silo_error **err)
{
  if (propagation == 0)
    return 0;
  return silo_mount_setattr (fd, (propagation & MS_REC) != 0, 0, 0, propagation, err);
}

int
silo_mount_bind (int rootfd, const char *source, const char *dest,
                 const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_close_ int tree = -1, target = -1;

  if (o->flags & MS_REMOUNT)
    {
      target = silo_mount_open_target (rootfd, dest, false, false, err);
      if (target < 0 || bind_apply_attributes (target, o, err) < 0)
        return -1;
      return apply_propagation (target, o->propagation, err);
    }
  tree = open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                      | ((o->flags & MS_REC) ? AT_RECURSIVE : 0));
  if (tree < 0)
    return silo_fail (err, errno, "bind `%s`", source);
  return silo_mount_bind_tree (rootfd, tree, source, dest, o, err);
}

int
silo_mount_bind_tree (int rootfd, int tree, const char *source, const char *dest,
                      const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_close_ int target = -1;
  struct stat st;

  if (fstat (tree, &st) < 0)
    return silo_fail (err, errno, "stat `%s`", source);
  target = silo_mount_open_target (rootfd, dest, !S_ISDIR (st.st_mode), false, err);
  if (target < 0)
    return -1;
  /* Attributes go on the detached copy: the mount is never visible with fewer
   * restrictions than asked for.  */
  if (bind_apply_attributes (tree, o, err) < 0 || silo_mount_attach (tree, target, err) < 0)
    return silo_wrap (err, "bind `%s`", source);
  return apply_propagation (tree, o->propagation, err);
}

/* ---- tmpcopyup ---------------------------------------------------------------- */

static int copy_directory (int src, int dst, const char *where, struct silo_error **err);

static int
copy_metadata (int dst, const char *name, const struct stat *st, struct silo_error **err)
{
  const struct timespec times[2] = { st->st_atim, st->st_mtim };

  /* EINVAL: an owner not mapped in this user namespace; the copy keeps ours.  */
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
    return silo_fail (err, errno, "chown `%s`", name);
  if (!S_ISLNK (st->st_mode) && fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
    return silo_fail (err, errno, "chmod `%s`", name);
  if (utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return silo_fail (err, errno, "set times of `%s`", name);
  return 0;
}

static int
copy_regular (int src, int dst, const char *name, struct silo_error **err)
{
  _cleanup_close_ int in = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int out = -1;
  ssize_t r;

  if (in < 0)
    return silo_fail (err, errno, "open `%s`", name);
  out = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return silo_fail (err, errno, "create `%s`", name);
  while ((r = sendfile (out, in, NULL, 1 << 30)) > 0)
    ;
  if (r < 0)
    return silo_fail (err, errno, "copy `%s`", name);
  return 0;
}

static int
copy_subdirectory (int src, int dst, const char *name, const char *where, struct silo_error **err)
{
  _cleanup_close_ int in = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int out = -1;
  /* (where is never NULL; gcc -O1 -fsanitize=undefined cannot tell, and -Werror) */
  _cleanup_free_ char *path = xasprintf ("%s/%s", where != NULL ? where : "", name);

  if (in < 0)
    return silo_fail (err, errno, "open `%s`", path);
  if (mkdirat (dst, name, 0700) < 0)
    return silo_fail (err, errno, "mkdir `%s`", path);
  out = openat (dst, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (out < 0)
    return silo_fail (err, errno, "open the copy of `%s`", path);
  return copy_directory (in, out, path, err);
}

static int
copy_entry (int src, int dst, const char *name, const char *where, struct silo_error **err)
{
  char target[PATH_MAX];
  struct stat st;
  ssize_t n;
  int r = 0;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return silo_fail (err, errno, "stat `%s/%s`", where, name);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR:
      r = copy_subdirectory (src, dst, name, where, err);
      break;
    case S_IFREG:
      r = copy_regular (src, dst, name, err);
      break;
    case S_IFLNK:
      n = readlinkat (src, name, target, sizeof (target) - 1);
      if (n < 0)
        return silo_fail (err, errno, "readlink `%s/%s`", where, name);
      target[n] = '\0';
      if (symlinkat (target, dst, name) < 0)
        return silo_fail (err, errno, "symlink `%s/%s`", where, name);
      break;
    default:
      if (mknodat (dst, name, st.st_mode, st.st_rdev) < 0)
        return silo_fail (err, errno, "mknod `%s/%s`", where, name);
    }
  if (r < 0)
    return -1;
  return copy_metadata (dst, name, &st, err);
}

static int
copy_directory (int src, int dst, const char *where, struct silo_error **err)
{
  int dupfd = fcntl (src, F_DUPFD_CLOEXEC, 0);
  DIR *dir = dupfd >= 0 ? fdopendir (dupfd) : NULL;
  struct dirent *de;
  int r = 0;

  if (dir == NULL)
    {
      if (dupfd >= 0)
        close (dupfd);
      return silo_fail (err, errno, "read directory `%s`", where);
    }
  while (r == 0 && (errno = 0, de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      r = copy_entry (src, dst, de->d_name, where, err);
    }
  if (r == 0 && errno != 0)
    r = silo_fail (err, errno, "read directory `%s`", where);
  closedir (dir);
  return r;
}

/* ---- filesystems -------------------------------------------------------------- */

static bool
type_needs_no_symlinks (const char *type)
{
  return strcmp (type, "proc") == 0 || strcmp (type, "sysfs") == 0;
}

static int
filesystem_flags (int target, const struct silo_mount_options *o, unsigned long *flags,
                  struct silo_error **err)
{
  const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
  unsigned long locked;

  *flags = o->flags & ~(unsigned long) (MS_BIND | MS_REC);
  if (!(*flags & MS_REMOUNT))
    return 0;
  if (silo_mount_locked_flags (target, &locked, err) < 0)
    return -1;
  if (*flags & atime)
    locked &= ~atime;
  *flags |= locked & ~o->cleared;
  return 0;
}

/* ---- a new filesystem, made detached ----------------------------------------- */

/* The MS_* flags of a new mount as mount attributes (fsmount) and as superblock
 * parameters (fsconfig): what mount(2) takes in one word, the new API takes apart.  */
static uint64_t
mount_attributes (unsigned long flags)
{
  uint64_t a = 0;

  a |= (flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0;
  a |= (flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0;
  a |= (flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0;
  a |= (flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0;
  a |= (flags & MS_NODIRATIME) ? MOUNT_ATTR_NODIRATIME : 0;
  a |= (flags & MS_NOSYMFOLLOW) ? MOUNT_ATTR_NOSYMFOLLOW : 0;
  if (flags & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  return a;
}

static int
set_superblock_flags (int fs, unsigned long flags, struct silo_error **err)
{
  static const struct { unsigned long flag; const char *name; } sb[] = {
    { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" }, { MS_LAZYTIME, "lazytime" },
    { MS_MANDLOCK, "mand" }, { MS_SILENT, "silent" }, { MS_I_VERSION, "iversion" },
  };

  for (size_t i = 0; i < sizeof (sb) / sizeof (sb[0]); i++)
    if ((flags & sb[i].flag) && fsconfig (fs, FSCONFIG_SET_FLAG, sb[i].name, NULL, 0) < 0)
      return silo_fail (err, errno, "filesystem option `%s`", sb[i].name);
  return 0;
}

/* The data options one by one: "key=value" (a value in double quotes may hold commas,
 * as an SELinux context does) or a bare "key".  */
static int
set_data_options (int fs, const char *data, struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (data != NULL ? data : "");
  char *p = copy;

  while (*p != '\0')
    {
      char *start = p, *eq;
      bool quoted = false;

      for (; *p != '\0' && (quoted || *p != ','); p++)
        quoted ^= *p == '"';
      if (*p == ',')
        *p++ = '\0';
      if (*start == '\0')
        continue;
      eq = strchr (start, '=');
      if (eq != NULL)
        {
          size_t n;
          *eq++ = '\0';
          n = strlen (eq);
          if (n >= 2 && eq[0] == '"' && eq[n - 1] == '"')
            {
              eq[n - 1] = '\0';
              eq++;
            }
        }
      if (fsconfig (fs, eq != NULL ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, start, eq, 0) < 0)
        return silo_fail (err, errno, "filesystem option `%s`", start);
    }
  return 0;
}

/* A new filesystem as a detached mount: nothing can reach it until it is attached.  */
static int
new_detached_filesystem (const char *source, const char *type, unsigned long flags,
                         const char *data, struct silo_error **err)
{
  _cleanup_close_ int fs = fsopen (type, FSOPEN_CLOEXEC);
  int mnt;

  if (fs < 0)
    return silo_fail (err, errno, "fsopen %s", type);
  if (source != NULL && fsconfig (fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return silo_fail (err, errno, "filesystem source `%s`", source);
  if (set_superblock_flags (fs, flags, err) < 0 || set_data_options (fs, data, err) < 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return silo_fail (err, errno, "create a %s filesystem", type);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, (unsigned int) mount_attributes (flags));
  if (mnt < 0)
    return silo_fail (err, errno, "fsmount %s", type);
  return mnt;
}

/* A filesystem that needs more than mount(2) gives: content (tmpcopyup), recursive
 * attributes, propagation.  It is made and filled detached, then attached onto the
 * target fd, and its own fd stays valid: the destination is never looked up again, and
 * no one can swap what the copy goes into (CVE-2026-133553's class).  */
static int
mount_detached (int target, int previous, const char *source, const char *type, unsigned long flags,
                const char *dest, const struct silo_mount_options *o, struct silo_error **err)
{
  _cleanup_close_ int mnt = new_detached_filesystem (source, type, flags & ~(unsigned long) MS_RDONLY,
                                                     o->data, err);

  if (mnt < 0)
    return -1;
  if (previous >= 0 && copy_directory (previous, mnt, dest, err) < 0)
    return silo_wrap (err, "tmpcopyup");
  if ((flags & MS_RDONLY) && silo_mount_setattr (mnt, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
    return -1;
  if ((o->attr_set | o->attr_clear) != 0
      && silo_mount_setattr (mnt, true, o->attr_set, o->attr_clear, 0, err) < 0)
    return -1;
  if (silo_mount_attach (mnt, target, err) < 0)
    return -1;
  return apply_propagation (mnt, o->propagation, err);
}

int
silo_mount_filesystem (int rootfd, const char *source, const char *type, const char *dest,
                       const struct silo_mount_options *o, struct silo_error **err)
{
  bool no_symlinks = type_needs_no_symlinks (type);
  _cleanup_close_ int target = silo_mount_open_target (rootfd, dest, false, no_symlinks, err);
  _cleanup_close_ int previous = -1;
  unsigned long flags;
  char fdpath[64];

  if (target < 0 || filesystem_flags (target, o, &flags, err) < 0)
    return -1;
  /* Opened before the mount hides it: the directory's current content, for tmpcopyup.  */
  if (o->tmpcopyup)
    {
      previous = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (previous < 0)
        return silo_fail (err, errno, "tmpcopyup: open `%s`", dest);
    }
  if (!(flags & MS_REMOUNT) && (o->tmpcopyup || o->propagation != 0 || (o->attr_set | o->attr_clear) != 0))
    return mount_detached (target, previous, source, type, flags, dest, o, err);
  snprintf (fdpath, sizeof (fdpath), "/proc/self/fd/%d", target);
  if (mount (source != NULL ? source : type, fdpath, type, flags, o->data) < 0)
    return silo_fail (err, errno, "%s %s", (flags & MS_REMOUNT) ? "remount" : "mount", type);
  /* A remount changed the mount the target fd is on: its own fd, no second lookup.  */
  if ((o->attr_set | o->attr_clear) != 0
      && silo_mount_setattr (target, true, o->attr_set, o->attr_clear, 0, err) < 0)
    return -1;
  return apply_propagation (target, o->propagation, err);
}
