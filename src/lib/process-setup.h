/* silo: turning a process that has entered a container (the init after its pivot, or an
 * `exec` child after setns and chroot) into the container's process.  One sequence for
 * both, in the order docs/security.md sets:
 *
 *   silo_process_setup_enter:  close every fd not passed on (CVE-2024-21626), then the
 *                              cwd and the program resolved inside the root
 *                              (program.h; HOME from the container's /etc/passwd when
 *                              process.env has none), as root and before seccomp
 *   silo_process_setup_credentials:
 *                              stdio (but device nodes) chowned to the process's user,
 *                              rlimits, scheduler, I/O priority, personality, memory
 *                              policy (scheduling.h), LSM labels for the execve
 *                              (lsm.h), a new session keyring, seccomp when
 *                              noNewPrivileges is false (its listener to the agent at
 *                              once), bounding set, uid/gid/groups, capabilities,
 *                              no_new_privs
 *   (the init: created, wait for start, startContainer hooks)
 *   silo_process_setup_finish: seccomp when noNewPrivileges is true
 *   silo_program_exec
 *
 * After seccomp is installed, only these calls are made: sendmsg and close (the listener
 * to the agent; errors to the parent), prctl, setgroups, setresgid, setresuid, umask,
 * capget, capset, rt_sigaction, rt_sigprocmask, accept4, recvmsg, poll, the hooks'
 * clone/execve/wait4, and execve: each in runtime-tools' 2017 profile.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_PROCESS_SETUP_H
#define SILO_PROCESS_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"
#include "oci.h"
#include "program.h"
#include "seccomp.h"

struct silo_process_setup
{
  const oci_process *process;
  const oci_linux *linux_;                   /* personality, memoryPolicy; may be NULL */
  const struct stat *silo_exe;               /* refused as the program */
  const struct silo_seccomp_filter *seccomp; /* NULL or empty: none */
  int seccomp_agent;                         /* connected to listenerPath, or -1 */
  const char *agent_state;                   /* what the agent gets with the listener */
  bool new_keyring;
  bool create_cwd;                           /* a missing process.cwd is made (the init) */
  const int *keep;                           /* fds above 2 that stay open ... */
  size_t n_keep;
  int passed_fds;                            /* ... and 3 .. 3+N-1 when not close-on-exec */
  struct silo_program program;               /* out: what to execute */
};

int silo_process_setup_enter (struct silo_process_setup *s, struct silo_error **err);
int silo_process_setup_credentials (struct silo_process_setup *s, struct silo_error **err);
int silo_process_setup_finish (struct silo_process_setup *s, struct silo_error **err);
void silo_process_setup_release (struct silo_process_setup *s);

#endif
