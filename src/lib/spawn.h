/* silo: creating the container's init process.
 *
 * clone3 does three things at once that matter here: CLONE_NEW* namespaces, CLONE_PIDFD
 * (a race-free handle on the child) and CLONE_INTO_CGROUP (the child is born in its
 * cgroup2 leaf, so no instruction of it runs outside).  Where clone3 is missing (older
 * kernels; valgrind answers ENOSYS) or refuses CLONE_INTO_CGROUP, silo falls back to
 * clone(2) with CLONE_PIDFD and the parent writes cgroup.procs before the child is let go.
 * Both behave like fork(): the child returns 0 on a copy of the stack.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SPAWN_H
#define SILO_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct silo_spawn
{
  pid_t pid;          /* 0 in the child */
  int pidfd;          /* parent only */
  bool in_cgroup;     /* CLONE_INTO_CGROUP took effect */
};

/* flags: CLONE_NEW* to create; cgroup_fd: cgroup2 directory or -1.  */
int silo_spawn (int flags, int cgroup_fd, struct silo_spawn *out, struct silo_error **err);

/* Open a pidfd for pid and check that pid still has start_time (no pid reuse).  */
int silo_pidfd_open_checked (pid_t pid, unsigned long long start_time, struct silo_error **err);

int silo_pidfd_send_signal (int pidfd, int sig, struct silo_error **err);

#endif
