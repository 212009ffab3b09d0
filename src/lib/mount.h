/* silo: OCI mount options and the mount primitives the rootfs setup is built from.
 *
 * Options: `silo_mount_options_parse` turns a mounts[].options list into the MS_* flags to
 * set and to clear, a propagation type, the recursive attributes (the r* options, applied
 * with mount_setattr(AT_RECURSIVE)) and the filesystem data string (every option silo does
 * not know, in order: "mode=755,size=65536k").  Later options override earlier ones.
 *
 * Mounts: every target is an fd resolved inside the rootfs (pathsafe.h).  Binds go through
 * open_tree(OPEN_TREE_CLONE) + mount_setattr + move_mount: attributes change only what
 * the options ask for, so flags the kernel locked on the source (a user namespace's
 * nosuid/nodev/...) are kept without reading them back.  Filesystems go through mount(2)
 * on "/proc/self/fd/N" of the verified target (the data string passes unchanged); the
 * only remount(2) (the "remount" option) keeps the target's locked flags from statvfs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_MOUNT_H
#define SILO_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct silo_mount_options
{
  unsigned long flags;      /* MS_* to set: MS_BIND (+MS_REC for rbind), MS_RDONLY, MS_REMOUNT… */
  unsigned long cleared;    /* MS_* turned off by name: "rw", "suid", "dev", "exec", "atime"… */
  unsigned long propagation;/* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, | MS_REC; 0: none */
  uint64_t attr_set;        /* MOUNT_ATTR_* of the r* options ("rro", "rnosuid", "rnoatime"…) */
  uint64_t attr_clear;      /* MOUNT_ATTR_* they clear ("rrw", "rsuid"…; MOUNT_ATTR__ATIME for atime) */
  bool tmpcopyup;           /* tmpfs: copy the target's previous content into it */
  bool idmap;               /* "idmap" or "ridmap": ID-mapped (idmap.h) */
  bool idmap_recursive;     /* "ridmap": every mount of an rbind tree, not only its top */
  char *data;               /* the other options, comma-joined; NULL when none */
};

int silo_mount_options_parse (char *const *options, size_t n_options,
                              struct silo_mount_options *out, struct silo_error **err);
void silo_mount_options_release (struct silo_mount_options *o);
#define _cleanup_mount_options_ __attribute__ ((cleanup (silo_mount_options_release)))

/* "shared", "rslave"… -> MS_* (| MS_REC); -1 for any other name.  */
int silo_mount_propagation_parse (const char *name, unsigned long *out);

/* The propagation that cuts the container's mounts off from the host's: MS_SLAVE | MS_REC
 * (host mounts still show up in the container), or MS_PRIVATE | MS_REC when
 * linux.rootfsPropagation (name, may be NULL) is private or unbindable.  -1 for an
 * unknown name.  */
int silo_mount_isolation_propagation (const char *rootfs_propagation, unsigned long *out);

/* The i-th option name silo knows (features.json mountOptions); NULL past the end.  */
const char *silo_mount_option_name (size_t i);

/* Open the mount target `dest` (a cleaned absolute path, see silo_path_clean) inside
 * rootfd, creating it when missing: a directory, or an empty file when is_file.  Under
 * /proc, /sys and /dev, and everywhere when no_symlinks (proc and sysfs mounts), no
 * component may be a symlink: one could send a procfs or sysfs mount where the LSM policy
 * does not look, or over another file (CVE-2019-16884, CVE-2019-19921).  Returns an
 * O_PATH fd.  */
int silo_mount_open_target (int rootfd, const char *dest, bool is_file, bool no_symlinks,
                            struct silo_error **err);

/* True for dest == prefix or dest under prefix ("/dev/pts" is under "/dev").  */
bool silo_path_is_under (const char *dest, const char *prefix);

/* Bind the host path `source` onto `dest` in rootfd, with every option of o (recursive
 * clone for rbind, attributes on the clone before it becomes visible, propagation once
 * attached).  A target is created to match the source: directory or file.  */
int silo_mount_bind (int rootfd, const char *source, const char *dest,
                     const struct silo_mount_options *o, struct silo_error **err);

/* The same with a detached tree already cloned from `source` (an ID-mapped one, made by
 * the parent: idmap.h): o's attributes, attached onto dest, propagation.  The caller
 * keeps tree and closes it.  */
int silo_mount_bind_tree (int rootfd, int tree, const char *source, const char *dest,
                          const struct silo_mount_options *o, struct silo_error **err);

/* Mount a new filesystem `type` onto `dest` in rootfd (a directory), or with "remount"
 * change the one mounted there.  */
int silo_mount_filesystem (int rootfd, const char *source, const char *type, const char *dest,
                           const struct silo_mount_options *o, struct silo_error **err);

/* Primitives on mount fds.  silo_mount_clone returns a detached copy of the mount at fd
 * (of all mounts below it too when recursive).  silo_mount_attach puts a detached tree
 * onto target.  silo_mount_setattr changes attributes (and propagation when not 0) of the
 * mount at fd, or of its whole tree when recursive.  */
int silo_mount_clone (int fd, bool recursive, struct silo_error **err);
int silo_mount_attach (int treefd, int targetfd, struct silo_error **err);
int silo_mount_setattr (int fd, bool recursive, uint64_t attr_set, uint64_t attr_clear,
                        unsigned long propagation, struct silo_error **err);

/* A new, empty, read-only tmpfs, detached (to mask directories).  */
int silo_mount_empty_tmpfs (struct silo_error **err);

/* MS_* flags of the mount at fd that a remount must repeat: in a user namespace the kernel
 * locks nosuid, nodev, noexec and the atime flags of mounts it inherited, and a remount
 * that omits them fails with EPERM.  */
int silo_mount_locked_flags (int fd, unsigned long *flags, struct silo_error **err);

#endif
