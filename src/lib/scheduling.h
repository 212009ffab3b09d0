/* silo: how the container's process is scheduled and where its memory goes:
 * process.scheduler (sched_setattr: every policy and flag, deadline parameters),
 * process.ioPriority (ioprio_set), linux.personality (personality: LINUX, LINUX32) and
 * linux.memoryPolicy (set_mempolicy: mode, nodes, flags).  All of them are inherited
 * across execve, so the child sets them on itself before it drops its capabilities
 * (SCHED_FIFO and an RT I/O class need CAP_SYS_NICE / CAP_SYS_ADMIN) and before seccomp.
 *
 * silo_sched_validate: before anything is created: what the kernel would refuse with a
 *   bare EINVAL is refused here with the field (a realtime policy without a priority
 *   from 1 to 99, nice outside -20..19, deadline parameters out of order or on another
 *   policy, SCHED_ISO, which Linux does not have; a memory mode that needs nodes without
 *   them, or nodes where it takes none, static with relative nodes).
 * silo_sched_apply: in the child, for the init and for an exec'd process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SCHEDULING_H
#define SILO_SCHEDULING_H

#include "error.h"
#include "oci.h"

int silo_sched_validate (const oci_process *p, const oci_linux *l, struct silo_error **err);
int silo_sched_apply (const oci_process *p, const oci_linux *l, struct silo_error **err);

#endif
