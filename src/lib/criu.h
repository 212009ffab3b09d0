/* silo: checkpoint and restore through CRIU's RPC (criu-rpc.h), with the message code of
 * CRIU's library (libcriu, Debian's criu package); the only file that builds requests.
 * Built only with SILO_HAVE_CRIU (configure --with-criu, or found by pkg-config).
 *
 * Each request starts `criu swrk` (the criu program in PATH) as a child and talks to it
 * over a socket; CRIU writes its images to the image directory and its log
 * (dump.log, pre-dump.log, restore.log) to the work directory.  A failure's message
 * carries CRIU's own first errors from that log, and names the log.
 *
 * What silo hands to CRIU, and why:
 *   - the container's init pid (dump) and the cgroup that freezes it (the v1 freezer or
 *     the cgroup2 cgroup), so that no process forks past the dump;
 *   - every bind mount of the config as an external mount: its destination is the key
 *     on dump, and on restore the key maps to the (possibly new) bundle's source;
 *   - a network or pid namespace the config joins by path (and, with --empty-ns network,
 *     the container's own network namespace) as external: CRIU does not dump it, and
 *     restore puts the processes into the namespace silo passes (the path's, or a new,
 *     empty one);
 *   - a terminal: the pty's master lives outside the container (with `run`, the
 *     console socket's receiver), so CRIU is told the master is an orphan; on restore it
 *     makes a new pty and hands the master back, which silo sends to --console-socket;
 *   - stdio: the init's fds 0-2 are usually the caller's (a pipe, /dev/null, a log file),
 *     outside the container.  A file or device on a mount outside the container's mount
 *     namespace is declared an external file; descriptors.json in the image directory
 *     keeps the key CRIU knows each fd by ("pipe:[INODE]", "file[MNT:INODE]", else the
 *     path), and on restore each pipe or external file becomes silo's own fd of that
 *     number (whoever runs `restore` gets the container's input and output);
 *   - restore: the rootfs as CRIU's root (a mount point in silo's own mount namespace,
 *     see container-checkpoint.c) and the container's cgroup as the root of every
 *     controller (--cgroup-root), so a new id restores into its own cgroup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CRIU_H
#define SILO_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"
#include "oci.h"

struct silo_rootfs_plan;

/* One dump or pre-dump.  */
struct silo_criu_dump
{
  const struct silo_checkpoint_options *opts;
  const oci_config *config;
  const struct silo_rootfs_plan *plan;   /* the config's mounts (rootfs-plan.h) */
  pid_t pid;                   /* the container's init */
  const char *freezer;         /* cgroup directory that freezes the container, or NULL */
  bool external_netns;         /* the init's network namespace is not dumped */
  bool external_pidns;         /* nor its pid namespace (joined by path) */
};

int silo_criu_dump (const struct silo_criu_dump *d, struct silo_error **err);

/* Whether CRIU can serve lazy pages on this kernel (userfaultfd); fails saying why not.  */
int silo_criu_check_lazy_pages (struct silo_error **err);

/* One restore; the restored init becomes the caller's child.  */
struct silo_criu_restore
{
  const struct silo_restore_options *opts;
  const oci_config *config;
  const struct silo_rootfs_plan *plan;   /* the bind mounts, sources resolved */
  const char *root;                      /* the rootfs, a mount point */
  const char *cgroup;                    /* "/a/b" below every hierarchy's root, or NULL */
  int netns;                             /* the external network namespace, or -1 */
  int pidns;                             /* the external pid namespace, or -1 */
  /* out */
  pid_t pid;
  int pty_master;                        /* the new pty's master (process.terminal), or -1 */
};

int silo_criu_restore (struct silo_criu_restore *r, struct silo_error **err);

/* In the image directory: a JSON array of the keys of the init's fds 0-2.  */
#define SILO_CRIU_DESCRIPTORS "descriptors.json"

#endif
