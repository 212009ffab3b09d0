/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "process-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "lsm.h"
#include "ns.h"
#include "process.h"
#include "scheduling.h"
#include "util.h"

/* Only stdio, the caller's passed fds (never close-on-exec: ours always are) and the
 * ones listed stay.  close_range, not a walk of /proc/self/fd: this /proc is the
 * container's.  */
static int
close_the_rest (const struct silo_process_setup *s, struct silo_error **err)
{
  _cleanup_free_ int *keep = xmalloc0 ((size_t) (s->passed_fds + 1) * sizeof (int) + s->n_keep * sizeof (int));
  size_t n = 0;

  for (int fd = 3; fd < 3 + s->passed_fds; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC))
        keep[n++] = fd;
    }
  for (size_t i = 0; i < s->n_keep; i++)
    if (s->keep[i] >= 0)
      keep[n++] = s->keep[i];
  return silo_close_fds_except (keep, n, err);
}

int
silo_process_setup_enter (struct silo_process_setup *s, struct silo_error **err)
{
  _cleanup_close_ int rootfd = -1;

  if (close_the_rest (s, err) < 0)
    return -1;
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return silo_fail (err, errno, "open the container's root");
  /* As root, before seccomp: openat2 may not be in the profile.  */
  if (silo_enter_cwd (rootfd, s->process->cwd, s->create_cwd, err) < 0)
    return -1;
  return silo_program_resolve (rootfd, s->process, s->silo_exe, &s->program, err);
}

/* The listener goes to the agent at once, before anything could wait on it.  */
static int
install_seccomp (struct silo_process_setup *s, struct silo_error **err)
{
  _cleanup_close_ int listener = -1;

  if (s->seccomp == NULL || silo_seccomp_install (s->seccomp, &listener, err) < 0)
    return s->seccomp == NULL ? 0 : -1;
  if (listener < 0)
    return 0;
  if (silo_seccomp_agent_send (s->seccomp_agent, s->agent_state, listener, err) < 0)
    return -1;
  /* The spec: the connection is closed once the listener is sent; the agent sees EOF.  */
  silo_closep (&s->seccomp_agent);
  return 0;
}

/* The pipes, sockets and files the process was given as stdio become its own, as runc
 * and crun make them, so that it can reopen them (/proc/self/fd/1) once it is not root.
 * Device nodes (/dev/null, the caller's terminal) stay as they are: they are shared.
 * An id the file's user namespace cannot show, or a read-only mount, is not an error.  */
static int
own_stdio (const oci_process *p, struct silo_error **err)
{
  for (int fd = 0; fd <= 2; fd++)
    {
      struct stat st;

      if (fstat (fd, &st) < 0 || S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        continue;
      if (st.st_uid == p->user.uid && st.st_gid == p->user.gid)
        continue;
      if (fchown (fd, p->user.uid, p->user.gid) < 0 && errno != EINVAL && errno != EPERM
          && errno != EROFS)
        return silo_fail (err, errno, "give stdio fd %d to uid %u", fd, p->user.uid);
    }
  return 0;
}

int
silo_process_setup_credentials (struct silo_process_setup *s, struct silo_error **err)
{
  const oci_process *p = s->process;

  if (own_stdio (p, err) < 0 || silo_rlimits_apply (p, err) < 0
      || silo_sched_apply (p, s->linux_, err) < 0 || silo_lsm_apply_exec_labels (p, err) < 0)
    return -1;
  if (s->new_keyring && syscall (SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0
      && errno != ENOSYS)
    return silo_fail (err, errno, "create a session keyring (use --no-new-keyring to share silo's)");
  /* Without noNewPrivileges loading needs CAP_SYS_ADMIN: before the capabilities go.  */
  if (!p->no_new_privileges && install_seccomp (s, err) < 0)
    return -1;
  if (silo_caps_drop_bounding (p->capabilities, err) < 0)
    return -1;
  if (silo_process_set_identity (p, silo_ns_userns_unmapped (s->linux_), err) < 0
      || silo_caps_apply (p->capabilities, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return silo_fail (err, errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}

int
silo_process_setup_finish (struct silo_process_setup *s, struct silo_error **err)
{
  /* With noNewPrivileges the filter can be loaded last, unprivileged.  */
  if (s->process->no_new_privileges)
    return install_seccomp (s, err);
  return 0;
}

void
silo_process_setup_release (struct silo_process_setup *s)
{
  silo_program_release (&s->program);
}
