/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spawn.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>

#include "util.h"

#ifndef CLONE_INTO_CGROUP
# define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static pid_t
sys_clone3 (struct clone_args *args)
{
  return (pid_t) syscall (SYS_clone3, args, sizeof (*args));
}

int
silo_spawn (int flags, int cgroup_fd, struct silo_spawn *out, struct silo_error **err)
{
  int pidfd = -1;
  struct clone_args args;
  pid_t pid;

  memset (out, 0, sizeof (*out));
  memset (&args, 0, sizeof (args));
  args.flags = (uint64_t) (unsigned) flags | CLONE_PIDFD;
  args.pidfd = (uint64_t) (uintptr_t) &pidfd;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) cgroup_fd;
    }
  pid = sys_clone3 (&args);
  if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS && errno != E2BIG)
    {
      /* e.g. EBUSY from a cgroup2 leaf the kernel will not take threads into: place later */
      args.flags &= ~CLONE_INTO_CGROUP;
      args.cgroup = 0;
      pid = sys_clone3 (&args);
    }
  else if (pid >= 0 && cgroup_fd >= 0)
    out->in_cgroup = true;
  if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
    {
      out->in_cgroup = false;
      pid = (pid_t) syscall (SYS_clone, (unsigned long) (flags | CLONE_PIDFD | SIGCHLD), NULL, &pidfd,
                             NULL, 0);
    }
  if (pid < 0)
    return silo_fail (err, errno, "clone the container process (flags %#x)", flags);
  out->pid = pid;
  out->pidfd = pid == 0 ? -1 : pidfd;
  return 0;
}

int
silo_pidfd_open_checked (pid_t pid, unsigned long long start_time, struct silo_error **err)
{
  uint64_t now;
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);

  if (fd < 0)
    return silo_fail (err, errno, "pidfd_open %d", (int) pid);
  /* The pidfd pins the process: if the start time still matches now, it is ours.  */
  if (silo_proc_start_time (pid, &now) < 0 || now != start_time)
    {
      close (fd);
      return silo_fail (err, ESRCH, "process %d is gone", (int) pid);
    }
  return fd;
}

int
silo_pidfd_send_signal (int pidfd, int sig, struct silo_error **err)
{
  if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return silo_fail (err, errno, "send signal %d", sig);
  return 0;
}
