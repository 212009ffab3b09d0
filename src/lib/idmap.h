/* silo: ID-mapped bind mounts (mounts[].options "idmap"/"ridmap", mounts[].uidMappings and
 * gidMappings; mount_setattr(2) MOUNT_ATTR_IDMAP).
 *
 * Through an ID-mapped mount, a file owned by id N on disk is seen as owned by whatever N
 * maps to in the mount's user namespace, as if N were an id inside it: with the mapping
 * containerID 0 -> hostID 100000, a file of uid 5 shows as 100005 on the host and, in a
 * container whose user namespace has the same mapping, as 5.  What the container writes
 * goes back to disk mapped the other way (its root writes files of uid 0).
 *
 * Which user namespace: the mount's own uidMappings/gidMappings when it has them (they
 * imply "idmap"), else the container's (its linux.uidMappings/gidMappings, or the user
 * namespace it joins).  One user namespace is made per distinct mapping, by a short-lived
 * child cloned with CLONE_NEWUSER whose maps the parent writes; only the namespace fd is
 * kept, and only until the trees are made.
 *
 * Why in the parent, before the clone: MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN in the user
 * namespace that owns the source's filesystem (the host's, for a host directory), which
 * the container's init no longer has once it is in its own user namespace.  The parent
 * makes one detached tree per entry (open_tree(OPEN_TREE_CLONE), AT_RECURSIVE for
 * "rbind"; the mapping on the top mount for "idmap", on every mount of the tree for
 * "ridmap"); the init inherits the fds with the clone and attaches them in mount order
 * (silo_mount_bind_tree), with the entry's other options; it closes them all right after
 * its mounts, long before anything of the container runs.
 *
 * With a user namespace and silo run by root, every other bind of the config is made the
 * same way, without a mapping: its source is then opened with silo's own privileges, as
 * the config asked, not with the container's ids, which may not reach it (a directory
 * of mode 0700 on the path).
 *
 * When the container has a user namespace, the trees are cloned from inside a mount
 * namespace owned by a throwaway user namespace, not from the runtime's own: the kernel
 * then locks what the host mounted (a read-only mount stays read-only, a mount below the
 * source cannot be unmounted to show what it covers), exactly as for the container's
 * other mounts.  A tree cloned in the host's namespace would carry no such lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_IDMAP_H
#define SILO_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "mount.h"
#include "oci.h"

/* The kernel limit on ranges per map (UID_GID_MAP_MAX_EXTENTS).  */
#define SILO_IDMAP_MAX_RANGES 340

/* The detached, ID-mapped trees made before the clone, one slot per mounts[] entry.  */
struct silo_idmap_mounts
{
  int *trees;      /* trees[i]: the tree of mounts[i], or -1 when it is not ID-mapped */
  size_t n;        /* config->n_mounts, or 0 when no entry is ID-mapped */
};

/* Whether mounts[] entry m (options parsed into o) is to be ID-mapped.  */
bool silo_idmap_wanted (const oci_mount *m, const struct silo_mount_options *o);

/* Check every entry before anything is made: mappings only on bind mounts and in pairs,
 * ranges of size >= 1 that end below 2^32 - 1 and do not overlap, no "remount", and a
 * user namespace to borrow (userns: the container has one) when the entry has no
 * mappings of its own.  Errors name mounts[N] and the field.  */
int silo_idmap_validate (const oci_config *config, bool userns, struct silo_error **err);

/* Parent, before the clone: make the trees.  userns: the container has a user namespace
 * (new, with linux.uidMappings/gidMappings, or joined: joined_userns >= 0).  Sources are
 * resolved in the runtime's mount namespace, relative ones against bundle.  */
int silo_idmap_prepare (const oci_config *config, const char *bundle, bool userns, int joined_userns,
                        struct silo_idmap_mounts *out, struct silo_error **err);

/* Close every tree still open and free the table (parent after the clone; init after
 * its mounts).  */
void silo_idmap_mounts_close (struct silo_idmap_mounts *m);

/* The kernel has mount_setattr(2) (Linux 5.12): features.json "idmap".  */
bool silo_idmap_supported (void);

#endif
