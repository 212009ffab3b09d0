/* silo: the container's init from clone to execve.
 *
 * It runs silo's own code (no re-exec) in the namespaces clone gave it, non-dumpable, with
 * PR_SET_PDEATHSIG until the created handshake.  Every error goes to the parent as a
 * SYNC_ERROR with its full text (our stderr may be the container's), then we exit.
 *
 * Stages, in order (docs/design.md):
 *   wait GO → join/unshare namespaces → uts, loopback, sysctl, oom_score_adj → mounts →
 *   prestart/createRuntime (parent) → createContainer hooks → pty → pivot_root →
 *   masked/readonly paths → close every fd not passed on → cwd and program resolved in
 *   the root → rlimits, [seccomp when !noNewPrivileges], capabilities, ids → CREATED →
 *   accept start → [seccomp when noNewPrivileges] → startContainer hooks → execve
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include "caps.h"
#include "fault.h"
#include "hooks.h"
#include "log.h"
#include "netlink.h"
#include "pathsafe.h"
#include "process.h"
#include "process-setup.h"
#include "program.h"
#include "rootfs.h"
#include "seccomp.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"
#include "util.h"

struct child
{
  struct silo_creation *c;
  const oci_config *config;
  const oci_process *process;
  int sync;               /* our end of the socketpair */
  int procfd;
  int rootfd;
  char *hook_state;       /* state JSON from the parent, for createContainer ("creating") */
  const char *hook_state_created;   /* ... and for startContainer ("created") */
  const char *agent_state;          /* ... and for the seccomp agent ("" without one) */
  struct silo_process_setup setup;  /* the process: fds, cwd, program, credentials */
};

_Noreturn static void
child_fail (struct child *ch, struct silo_error *err)
{
  silo_sync_send_error (ch->sync, err);
  _exit (EXIT_FAILURE);
}

/* The init inherited the parent's descriptors: keep only what it needs.  */
static void
drop_parent_fds (struct silo_creation *c)
{
  silo_closep (&c->dirfd);          /* holds the state lock: `start` must be able to take it */
  silo_closep (&c->sync_parent);
}

/* systemd socket activation: the fds silo got (LISTEN_FDS) are the container's now.  */
static void
add_listen_env (struct child *ch)
{
  oci_process *p = ch->c->config->process;

  if (ch->c->listen_fds <= 0)
    return;
  p->env = xrealloc (p->env, (p->n_env + 3) * sizeof (char *));
  p->env[p->n_env++] = xasprintf ("LISTEN_FDS=%d", ch->c->listen_fds);
  p->env[p->n_env++] = xstrdup ("LISTEN_PID=1");
  p->env[p->n_env] = NULL;
}

static int
wait_for_go (struct child *ch, struct silo_error **err)
{
  struct silo_sync_msg m;

  /* Until CREATED the init must not outlive `create`: a killed parent takes it along.  */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_PDEATHSIG)");
  if (silo_sync_expect (ch->sync, -1, SYNC_GO, "the parent to place the container", &m, err) < 0)
    _exit (EXIT_FAILURE);  /* the parent is gone: nobody to report to */
  silo_sync_msg_clear (&m);
  if (ch->c->user_maps && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_DUMPABLE)");
  return 0;
}

/* The real init, once its first parent (us, the intermediate) has exited and the kernel
 * has handed it to silo (a subreaper while it creates, see spawn_init): only then may it
 * tie its life to its parent's again, or a PR_SET_PDEATHSIG set too early would fire on
 * the intermediate's own exit.  A pidfd turns readable only after the exiting task's
 * children have been reparented.  Its pid namespace hides silo's pid (getppid() is 0),
 * so silo is watched through a pidfd too.  */
static int
adopted_by_silo (int intermediate, int silo, struct silo_error **err)
{
  struct pollfd p = { .fd = intermediate, .events = POLLIN };

  while (poll (&p, 1, -1) < 0)
    if (errno != EINTR)
      return silo_fail (err, errno, "wait for the intermediate process to exit");
  close (intermediate);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_PDEATHSIG)");
  p.fd = silo;
  if (poll (&p, 1, 0) != 0)
    _exit (EXIT_FAILURE);   /* silo is gone: nobody to report to, nobody adopted us */
  close (silo);
  return 0;
}

/* A user namespace joined by path plus a new pid namespace: the pid namespace was unshared
 * by us, so only our child lives in it.  Fork it, tell the parent its pid, and leave.  */
static int
fork_real_init (struct child *ch, struct silo_error **err)
{
  pid_t pid;
  int self, silo;
  char text[32];

  if (!ch->c->plan.child_forks_init)
    return 0;
  self = (int) syscall (SYS_pidfd_open, getpid (), 0);
  silo = (int) syscall (SYS_pidfd_open, getppid (), 0);
  if (self < 0 || silo < 0)
    return silo_fail (err, errno, "pidfd_open the intermediate process and silo");
  pid = fork ();
  if (pid < 0)
    return silo_fail (err, errno, "fork the container init in its new pid namespace");
  if (pid == 0)
    return adopted_by_silo (self, silo, err);
  snprintf (text, sizeof (text), "%d", (int) pid);
  if (silo_sync_send (ch->sync, SYNC_INIT_PID, 0, text, strlen (text), -1, err) < 0)
    return -1;
  _exit (EXIT_SUCCESS);
}

/* In a user namespace our credentials are still the host's root, which the container's
 * mappings usually do not cover: every file we made would fail with EOVERFLOW.  Become
 * the namespace's root.  */
static int
become_namespace_root (const struct silo_ns_plan *plan, const oci_linux *l, struct silo_error **err)
{
  if ((!plan->new_ns[OCI_NS_USER] && plan->join_fd[OCI_NS_USER] < 0) || silo_ns_userns_unmapped (l))
    return 0;
  if (setgroups (0, NULL) < 0 && errno != EPERM)
    return silo_fail (err, errno, "setgroups in the user namespace");
  if (setresgid (0, 0, 0) < 0)
    return silo_fail (err, errno, "setresgid 0 in the user namespace (is gid 0 in linux.gidMappings?)");
  if (setresuid (0, 0, 0) < 0)
    return silo_fail (err, errno, "setresuid 0 in the user namespace (is uid 0 in linux.uidMappings?)");
  return 0;
}

static int
setup_namespaces (struct child *ch, struct silo_error **err)
{
  const struct silo_ns_plan *plan = &ch->c->plan;

  if (silo_ns_child_enter (plan, err) < 0 || become_namespace_root (plan, ch->config->linux_, err) < 0)
    return -1;
  if (fork_real_init (ch, err) < 0)
    return -1;
  if (silo_ns_apply_uts (ch->config, plan, err) < 0)
    return -1;
  if (plan->new_ns[OCI_NS_NETWORK] && silo_netlink_loopback_up (err) < 0)
    return -1;
  bool need_proc = (ch->config->linux_ != NULL && ch->config->linux_->sysctl.len > 0)
                   || ch->process->has_oom_score_adj;
  if (need_proc)
    {
      ch->procfd = silo_procfs_open (err);
      if (ch->procfd < 0)
        return -1;
    }
  if (silo_sysctl_apply (ch->config, ch->procfd, err) < 0)
    return -1;
  if (ch->process->has_oom_score_adj && silo_oom_score_adj_apply (ch->process, ch->procfd, err) < 0)
    return -1;
  return 0;
}

static int
request_runtime_hooks (struct child *ch, struct silo_error **err)
{
  struct silo_sync_msg m;

  /* Also the parent's news that the mounts are done (it names the stage if the init dies
   * later); the answer comes only when something reads the documents.  */
  if (silo_sync_send (ch->sync, SYNC_HOOKS_REQUEST, 0, NULL, 0, -1, err) < 0)
    return -1;
  if (!silo_creation_wants_hook_state (ch->config))
    {
      ch->agent_state = "";
      return 0;
    }
  if (silo_sync_expect (ch->sync, -1, SYNC_HOOKS_DONE, "the prestart and createRuntime hooks", &m, err) < 0)
    return -1;
  ch->hook_state = steal_pointer (&m.data);
  /* three documents, NUL-separated: see run_create_hooks in container.c */
  size_t first = strlen (ch->hook_state);
  ch->hook_state_created = first < m.len ? ch->hook_state + first + 1 : ch->hook_state;
  size_t second = (size_t) (ch->hook_state_created - ch->hook_state) + strlen (ch->hook_state_created);
  ch->agent_state = second < m.len ? ch->hook_state + second + 1 : "";
  silo_sync_msg_clear (&m);
  return 0;
}

static int
setup_terminal (struct child *ch, struct silo_error **err)
{
  _cleanup_close_ int master = -1, slave = -1;

  /* Without a terminal the init still leaves the caller's session, as runc's and crun's
   * do: a session whose leader is outside the container is one CRIU cannot restore
   * (`checkpoint` would need --shell-job), and the caller's terminal has no business
   * signalling the container's process group.  */
  if (!ch->process->terminal)
    {
      if (setsid () < 0)
        return silo_fail (err, errno, "setsid: leave the caller's session");
      return 0;
    }
  if (silo_terminal_open_pty (ch->rootfd, &master, &slave, err) < 0)
    return -1;
  if (silo_rootfs_bind_console (ch->rootfd, slave, err) < 0)
    return -1;
  if (silo_terminal_setup_slave (slave, ch->process, ch->c->foreground, err) < 0)
    return -1;
  return silo_sync_send (ch->sync, SYNC_PTY, 0, "/dev/ptmx", 9, master, err);
}

static int
setup_rootfs (struct child *ch, struct silo_error **err)
{
  const oci_hooks *h = ch->config->hooks;
  struct silo_rootfs_ctx rctx = {
    .config = ch->config, .bundle = ch->c->bundle, .cgroup = ch->c->cgroup,
    .host_cgroups = ch->c->cgroup == NULL && (ch->c->ctx->cgroups_disabled || ch->c->ctx->rootless),
    .cgroupns = ch->c->plan.new_ns[OCI_NS_CGROUP] || ch->c->plan.join_fd[OCI_NS_CGROUP] >= 0,
    .userns = ch->c->plan.new_ns[OCI_NS_USER] || ch->c->plan.join_fd[OCI_NS_USER] >= 0,
    .procfd = ch->procfd,
    .mount_ns = ch->c->plan.new_ns[OCI_NS_MOUNT] || ch->c->plan.join_fd[OCI_NS_MOUNT] >= 0,
    .plan = &ch->c->rootfs_plan, .idmap = &ch->c->idmap,
    .has_rootfs_tree = ch->c->rootfs_tree >= 0, .rootfs_tree = ch->c->rootfs_tree,
  };

  if (silo_rootfs_prepare (&rctx, &ch->rootfd, err) < 0)
    {
      if ((*err)->errnum == EOVERFLOW && silo_ns_userns_unmapped (ch->config->linux_))
        return silo_wrap (err, "without uidMappings and gidMappings nothing can create a file "
                          "on a filesystem mounted in the user namespace (a tmpfs /dev): map "
                          "ids, or give every such mount target in the image");
      return -1;
    }
  /* The ID-mapped trees are attached: nothing else may reach them (docs/security.md §1).  */
  silo_idmap_mounts_close (&ch->c->idmap);
  silo_closep (&ch->c->rootfs_tree);
  silo_log_stage ("mounts");
  FAULT_POINT ("child-after-mounts");
  if (request_runtime_hooks (ch, err) < 0)
    return -1;
  /* createContainer hooks: container namespaces, but paths still resolve on the host;
   * they start in the rootfs, as runc's do (a hook may write relative to it).  */
  if (h != NULL && h->n_create_container > 0 && fchdir (ch->rootfd) < 0)
    return silo_fail (err, errno, "hooks.createContainer: enter the rootfs");
  if (h != NULL && silo_hooks_run (h->create_container, h->n_create_container, "createContainer",
                                   ch->hook_state, err) < 0)
    return -1;
  if (setup_terminal (ch, err) < 0)
    return -1;
  if (silo_rootfs_pivot (&rctx, ch->rootfd, ch->c->opts->no_pivot, err) < 0
      || silo_rootfs_finalize (&rctx, err) < 0)
    return -1;
  silo_log_stage ("pivot-root");
  return 0;
}

/* CVE-2024-21626: a directory fd of silo's that survived into this point (a cgroup
 * directory, the private procfs) would be a way out of the root through
 * /proc/self/fd/N: process-setup.c closes all but stdio, the passed fds and these.  */
static int
setup_process (struct child *ch, struct silo_error **err)
{
  int keep[] = { ch->sync, ch->c->start_listen, ch->c->seccomp_agent };

  silo_closep (&ch->procfd);
  silo_closep (&ch->rootfd);
  ch->setup = (struct silo_process_setup) {
    .process = ch->process, .linux_ = ch->config->linux_, .silo_exe = &ch->c->silo_exe,
    .seccomp = &ch->c->seccomp,
    .seccomp_agent = ch->c->seccomp_agent, .agent_state = ch->agent_state,
    .new_keyring = !ch->c->opts->no_new_keyring, .create_cwd = true,
    .keep = keep, .n_keep = SILO_ARRAY_SIZE (keep),
    .passed_fds = ch->c->opts->preserve_fds + ch->c->listen_fds,
  };
  if (silo_process_setup_enter (&ch->setup, err) < 0)
    return -1;
  return silo_process_setup_credentials (&ch->setup, err);
}

static void
exit_on_signal (int sig)
{
  _exit (128 + sig);
}

/* A created container's init is PID 1 of its namespace: without handlers, every signal
 * but SIGKILL would be ignored, and `silo kill ID TERM` on a created container would do
 * nothing.  execve resets these handlers.  */
static void
install_created_handlers (void)
{
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE };
  struct sigaction sa = { .sa_handler = exit_on_signal };
  sigset_t none;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (sigs); i++)
    sigaction (sigs[i], &sa, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static int
report_created (struct child *ch, struct silo_error **err)
{
  FAULT_POINT ("child-before-created");
  /* `create` exits as soon as it has recorded us, so the death signal must be off before
   * we send CREATED.  From here, the socket's end before the parent's answer is what
   * tells that it died before we were on disk (wait_for_start).  */
  if (prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_PDEATHSIG)");
  if (silo_sync_send (ch->sync, SYNC_CREATED, 0, NULL, 0, -1, err) < 0)
    _exit (EXIT_FAILURE);
  install_created_handlers ();
  return 0;
}

/* `start`'s connection on start.sock, after the parent's SYNC_RECORDED.  */
static int
accept_start (struct child *ch)
{
  for (;;)
    {
      struct silo_sync_msg m;
      struct silo_error *err = NULL;
      int conn = accept4 (ch->c->start_listen, NULL, NULL, SOCK_CLOEXEC);

      if (conn < 0)
        {
          if (errno == EINTR)
            continue;
          _exit (EXIT_FAILURE);
        }
      if (silo_sync_recv (conn, -1, "start", &m, &err) == 0 && m.type == SYNC_START)
        {
          silo_sync_msg_clear (&m);
          silo_closep (&ch->c->start_listen);
          return conn;
        }
      if (err == NULL)
        silo_sync_msg_clear (&m);
      silo_error_free (err);
      close (conn);
    }
}

/* The parent's answer to CREATED: SYNC_RECORDED from `create` (then `start` comes on
 * start.sock), or SYNC_START from `run` (this socket is then the start connection).
 * Anything else, the end of the socket above all, is a parent that died before the
 * state held our pid: nobody could find us, so we go.  Returns the start connection.  */
static int
wait_for_start (struct child *ch)
{
  struct silo_sync_msg m;
  struct silo_error *err = NULL;
  enum silo_sync_type type;

  if (silo_sync_recv (ch->sync, -1, "the parent to record the container", &m, &err) < 0)
    _exit (EXIT_FAILURE);
  type = m.type;
  silo_sync_msg_clear (&m);
  if (type == SYNC_START)
    return ch->sync;
  if (type != SYNC_RECORDED)
    _exit (EXIT_FAILURE);
  silo_log_set_sink (NULL, NULL);
  silo_closep (&ch->sync);
  return accept_start (ch);
}

static void
start_and_exec (struct child *ch)
{
  const oci_hooks *h = ch->config->hooks;
  struct silo_error *err = NULL;

  ch->sync = wait_for_start (ch);
  silo_log_set_sink (silo_sync_log_sink, &ch->sync);
  silo_log_stage ("start-received");
  /* The filter first: startContainer hooks run in the container, under its seccomp
   * profile, as runc runs them.  */
  if (silo_process_setup_finish (&ch->setup, &err) < 0)
    child_fail (ch, err);
  if (ch->process->no_new_privileges && ch->c->seccomp.code != NULL)
    silo_log_stage ("seccomp-install");
  if (h != NULL && silo_hooks_run (h->start_container, h->n_start_container, "startContainer",
                                   ch->hook_state_created, &err) < 0)
    child_fail (ch, err);
  silo_log_stage ("exec");
  /* Best effort: a profile may deny the send; `start` then sees the init alive.  */
  if (silo_sync_send (ch->sync, SYNC_EXEC, 0, NULL, 0, -1, &err) < 0)
    silo_error_freep (&err);
  silo_program_exec (&ch->setup.program, &err);
  child_fail (ch, err);
}

_Noreturn void
silo_child_main (struct silo_creation *c)
{
  struct child ch = { .c = c, .config = c->config, .process = c->config->process,
                      .sync = c->sync_child, .procfd = -1, .rootfd = -1 };
  struct silo_error *err = NULL;

  drop_parent_fds (c);
  silo_log_set_sink (silo_sync_log_sink, &ch.sync);
  if (wait_for_go (&ch, &err) < 0)
    child_fail (&ch, err);
  FAULT_POINT ("child-start");
  if (setup_namespaces (&ch, &err) < 0)
    child_fail (&ch, err);
  silo_log_stage ("namespaces");
  if (setup_rootfs (&ch, &err) < 0)
    child_fail (&ch, err);
  add_listen_env (&ch);
  if (setup_process (&ch, &err) < 0)
    child_fail (&ch, err);
  silo_log_stage ("process");
  if (report_created (&ch, &err) < 0)
    child_fail (&ch, err);
  start_and_exec (&ch);
  _exit (EXIT_FAILURE);
}
