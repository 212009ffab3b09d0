/* silo: resolving paths inside a container rootfs, and writing procfs knobs, without
 * following a symlink or a mount out of where the path is meant to lead.
 *
 * Every container path goes through openat2(2): RESOLVE_IN_ROOT makes "/", ".." and
 * absolute symlinks stay inside the rootfs fd, RESOLVE_NO_MAGICLINKS refuses the
 * /proc/<pid>/fd style links that jump anywhere.  A path may start with '/'.  Nothing
 * here builds "rootfs + path" as a string.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_PATHSAFE_H
#define SILO_PATHSAFE_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* openat2(2) with EAGAIN retried (the kernel returns it for IN_ROOT/BENEATH lookups that
 * raced with a rename or mount).  O_CLOEXEC is always added.  Returns an fd, or -1 with
 * errno set; no silo_error: callers decide what ENOENT means.  */
int silo_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/* openat2 (rootfd, path, {flags | O_CLOEXEC, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS}).  */
int silo_open_in_root (int rootfd, const char *path, int flags, mode_t mode,
                       struct silo_error **err);

/* Create every missing directory of `path` (mkdir -p), each component resolved inside the
 * root, so that a symlink component cannot lead out of it.  Returns an O_PATH|O_DIRECTORY
 * fd of the last directory.  */
int silo_mkdirs_in_root (int rootfd, const char *path, mode_t mode, struct silo_error **err);
/* The same for a path just found missing (ENOENT): no second lookup of the whole path.  */
int silo_mkdirs_in_root_missing (int rootfd, const char *path, mode_t mode, struct silo_error **err);

/* The parent directories and an empty regular file `path` (the target of a file bind
 * mount); an existing file of any type is kept.  Returns an fd of it: O_PATH, or the
 * write-only fd it was created with (no second lookup of what was just made).  */
int silo_mkfile_in_root (int rootfd, const char *path, mode_t mode, struct silo_error **err);

/* Lexically cleaned absolute path: repeated '/', "." and ".." removed ("/a/./b/../c/" ->
 * "/a/c"; ".." never climbs above "/").  Caller frees.  */
char *silo_path_clean (const char *path);

/* A procfs instance silo opened itself: a fresh detached mount (fsopen("proc"), subset and
 * hidepid left at their defaults), or, where that is refused (a user namespace that does
 * not own the pid namespace), a detached clone of the /proc mount alone.  Its pids are
 * those of the caller's pid namespace.  Returns an O_DIRECTORY fd.  */
int silo_procfs_open (struct silo_error **err);

/* Write `data` to a procfs file relative to procfd ("sys/net/ipv4/ip_forward",
 * "self/oom_score_adj", "1234/uid_map").  A leading "self/" or "thread-self/" is replaced
 * by the numbers procfd's instance gives the caller, so that no symlink is followed; the
 * open refuses symlinks, magic links, ".." and mount crossings, and the file must be on
 * procfs and on procfd's own mount.  A fstatfs check alone would not stop a racing bind
 * mount from redirecting the write to another real procfs file (CVE-2025-52881):
 * RESOLVE_NO_XDEV on a private instance does.  */
int silo_procfs_write (int procfd, const char *path, const char *data, size_t len,
                       struct silo_error **err);

/* Remove dirfd's entry `name` and, when it is a directory, everything below it: no symlink
 * is followed, a directory on another file system (a mount) is refused, not entered, and
 * the number of fds used does not grow with the depth (a container can make a tree deeper
 * than the fd limit in its overlay's upper layer).  A missing entry is not an error.  */
int silo_remove_tree_at (int dirfd, const char *name, struct silo_error **err);

#endif
