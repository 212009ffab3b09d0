/* silo: namespaces — which to create with clone, which to join by path, and the
 * per-namespace setup that must happen from outside (id maps, time offsets).
 *
 * Ordering rules (why this file exists):
 *  - new namespaces are created by the clone of the init, so that they are owned by the
 *    container's new user namespace when there is one;
 *  - a user namespace joined by path is entered first, and every new namespace is then
 *    unshared by the child so that it belongs to the joined user namespace;
 *  - pid and time namespaces apply to children only: the parent enters joined ones
 *    (setns) around the clone and goes back to its own afterwards;
 *  - time offsets must be written before any process lives in the new time namespace:
 *    the parent unshares CLONE_NEWTIME, writes /proc/self/timens_offsets, clones, and
 *    returns to its own time namespace (clone3 with CLONE_NEWTIME would freeze them at 0);
 *  - the cgroup namespace is unshared by the child only after it was placed in its cgroups.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_NS_H
#define SILO_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

struct silo_ns_plan
{
  bool new_ns[OCI_NS__COUNT];     /* listed without a path */
  int join_fd[OCI_NS__COUNT];     /* listed with a path: opened, checked, or -1 */
  int clone_flags;                /* CLONE_NEW* for clone3 */
  int unshare_flags;              /* CLONE_NEW* the child unshares itself */
  bool child_forks_init;          /* user ns joined + new pid ns: the child forks the init */
};

int silo_ns_clone_flag (oci_namespace_type t);

/* Validate linux.namespaces (paths exist and are namespaces of the right type, mappings
 * only with a new user namespace, ...) and open the paths.  */
int silo_ns_plan_init (struct silo_ns_plan *plan, const oci_linux *linux_, struct silo_error **err);
void silo_ns_plan_close (struct silo_ns_plan *plan);

/* Parent, around the clone: enter joined pid/time namespaces and prepare a new time
 * namespace with its offsets; silo_ns_parent_restore goes back.  saved_fds[2] is filled
 * with the parent's own pid and time namespaces.  */
int silo_ns_parent_prepare (const struct silo_ns_plan *plan, const oci_linux *linux_,
                            int saved_fds[2], struct silo_error **err);
int silo_ns_parent_restore (int saved_fds[2], struct silo_error **err);

/* The text of a uid_map or gid_map file for these ranges ("ID HOST-ID SIZE" lines).  */
char *silo_ns_format_id_map (const oci_id_mapping *m, size_t n);

/* A new user namespace with neither uidMappings nor gidMappings (crun accepts it): no
 * map is written, and every process in it runs as the overflow user (nobody, 65534) with
 * the capabilities the namespace gives its creator.  No id can be set there.  */
bool silo_ns_userns_unmapped (const oci_linux *linux_);

/* Parent: write uid_map/gid_map of the child's new user namespace.  Root writes them
 * itself; another user too when each maps only its own id (setgroups is then denied in
 * the namespace, as the kernel requires); any other map goes through newuidmap and
 * newgidmap, which check it against /etc/subuid and /etc/subgid.  The child must be
 * dumpable meanwhile when the caller is not root (see silo_creation.user_maps).  */
int silo_ns_write_id_maps (pid_t pid, const oci_linux *linux_, struct silo_error **err);

/* Child: join namespaces given by path (user first), then unshare plan->unshare_flags.  */
int silo_ns_child_enter (const struct silo_ns_plan *plan, struct silo_error **err);

/* Child: hostname and domainname (need a uts namespace).  */
int silo_ns_apply_uts (const oci_config *c, const struct silo_ns_plan *plan, struct silo_error **err);

#endif
