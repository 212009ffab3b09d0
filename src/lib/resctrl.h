/* silo: linux.intelRdt, through the resctrl filesystem (Intel RDT, AMD PQoS).
 *
 * The container's group is <resctrl>/<closID>, or <resctrl>/<container id> without a
 * closID.  With l3CacheSchema, memBwSchema or schemata, the group is made when missing
 * and its `schemata` file gets: the non-"MB:" lines of l3CacheSchema, then memBwSchema,
 * then each schemata line, in one write per line, as the spec orders them; a closID
 * group that already exists must already hold the L3 and MB lines asked for (an error
 * says which differs).  With a closID and no schema, the group must exist (a group the
 * administrator prepared).  enableMonitoring: the group's own monitoring when it is the
 * container's, a mon_groups/<container id> group below a shared closID (the kernel must
 * list L3_MON or MB_MON in info/).  The container's init pid goes to `tasks` (its
 * children follow).
 *
 * silo_resctrl_find: the mount point of resctrl in the runtime's mount namespace, or an
 *   error that says the host has none (this machine kind: no RDT).
 * silo_resctrl_apply: as above, in `mount` (a directory: the unit tests use a fake tree).
 * silo_resctrl_remove: at delete, the groups silo made for this container (the
 *   container-id group, or its mon_groups entry); a shared closID group stays.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_RESCTRL_H
#define SILO_RESCTRL_H

#include <sys/types.h>

#include "error.h"
#include "oci.h"

int silo_resctrl_find (char **mount, struct silo_error **err);
int silo_resctrl_apply (const char *mount, const char *id, const oci_intel_rdt *rdt, pid_t pid,
                        struct silo_error **err);
int silo_resctrl_remove (const char *mount, const char *id, const oci_intel_rdt *rdt,
                         struct silo_error **err);

#endif
