/* silo: `exec`, a new process in an existing container.
 *
 * Parent (the `silo exec` process, already running from its sealed binary): load the
 * state (no lock: execs run side by side, and kill must never wait for one), check the
 * status, build and check the process (exec-process.c), compile the container's seccomp
 * program, pin the init with a pidfd (its start time checked), open its root
 * (/proc/PID/root) and find the namespaces it does not share with us.  Then, non-dumpable,
 * enter the init's pid and time namespaces for our children (they apply to children
 * only), set process.execCPUAffinity.initial, and clone one child.  Put it in the
 * container's cgroups (or --cgroup's), set its oom_score_adj, and let it go (SYNC_GO,
 * with what a seccomp agent must get).  Serve it until the sync socket closes at its
 * execve (close-on-exec) or it sends SYNC_ERROR; a pty master comes as SYNC_PTY.  Then
 * --pid-file, --console-socket, and, in the foreground, wait for it (run.c).
 *
 * Child: join the init's other namespaces in one setns(pidfd) (the user namespace first:
 * the kernel orders them), chroot into the init's root, make the terminal, then the
 * shared process setup (process-setup.h: every other fd closed, cwd and program resolved
 * inside the root, credentials, seccomp), execCPUAffinity.final, execve.  It is the
 * container's process from the first instruction after setns: nothing of the host's
 * (fds, binary, dumpable memory) is reachable from it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "exe-seal.h"
#include "log.h"
#include "pathsafe.h"
#include "process-setup.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"

struct execution
{
  const struct silo_context *ctx;
  const struct silo_exec_options *opts;
  silo_state *state;
  oci_process *process;
  struct silo_seccomp_filter seccomp;
  int seccomp_agent;
  struct stat silo_exe;
  int init_pidfd;
  int rootfd;                  /* the init's root, O_PATH */
  int child_setns;             /* CLONE_NEW* the child joins through init_pidfd */
  int parent_setns;            /* pid and time: for the parent's children */
  int sync_parent, sync_child;
  struct silo_spawn spawn;
  int pty_master;
  char *agent_state;           /* the child's copy, from SYNC_GO */
};

/* ---- checks ---------------------------------------------------------------------- */

static int
check_status (const struct execution *x, const char *id, struct silo_error **err)
{
  enum silo_status status = silo_container_status (x->state);

  if (status == SILO_STOPPED)
    return silo_fail (err, EINVAL, "cannot exec in container `%s`: it is stopped", id);
  if (status == SILO_CREATING)
    return silo_fail (err, EAGAIN, "cannot exec in container `%s`: it is still being created", id);
  if (status == SILO_PAUSED && !x->opts->ignore_paused)
    return silo_fail (err, EBUSY, "container `%s`: cannot exec in a paused container; resume it, "
                      "or use --ignore-paused (the process then waits, frozen, until resume)", id);
  return 0;
}

static int
check_terminal (const struct execution *x, struct silo_error **err)
{
  if (x->process->terminal && x->opts->detach && x->opts->console_socket == NULL)
    return silo_fail (err, EINVAL, "a detached exec with a terminal needs --console-socket to "
                      "receive it");
  if (!x->process->terminal && x->opts->console_socket != NULL)
    return silo_fail (err, EINVAL, "--console-socket given but the process has no terminal "
                      "(add --tty, or terminal: true in --process)");
  return 0;
}

/* ---- the init's namespaces, root and seccomp ------------------------------------------ */

static bool
same_namespace (pid_t pid, const char *name)
{
  char theirs[64], ours[64];
  struct stat a, b;

  snprintf (theirs, sizeof theirs, "/proc/%d/ns/%s", (int) pid, name);
  snprintf (ours, sizeof ours, "/proc/self/ns/%s", name);
  return stat (theirs, &a) == 0 && stat (ours, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The namespaces the init has and we do not: all but pid and time are joined by the
 * child; those two apply to children only and are entered by the parent.  */
static void
plan_namespaces (struct execution *x)
{
  static const struct { const char *name; int flag; bool parent; } kinds[] = {
    { "user", CLONE_NEWUSER, false }, { "mnt", CLONE_NEWNS, false },
    { "net", CLONE_NEWNET, false }, { "ipc", CLONE_NEWIPC, false },
    { "uts", CLONE_NEWUTS, false }, { "cgroup", CLONE_NEWCGROUP, false },
    { "pid", CLONE_NEWPID, true }, { "time", CLONE_NEWTIME, true },
  };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (kinds); i++)
    if (!same_namespace (x->state->pid, kinds[i].name))
      {
        if (kinds[i].parent)
          x->parent_setns |= kinds[i].flag;
        else
          x->child_setns |= kinds[i].flag;
      }
  /* Entering a pid namespace takes CAP_SYS_ADMIN in our own user namespace as well as in
   * its owner: a user without privileges over the host joins the container's user
   * namespace in the parent first (as its owner it gets all capabilities there).  */
  if (geteuid () != 0 && (x->child_setns & CLONE_NEWUSER) && x->parent_setns != 0)
    {
      x->parent_setns |= CLONE_NEWUSER;
      x->child_setns &= ~CLONE_NEWUSER;
    }
}

static int
pin_init (struct execution *x, struct silo_error **err)
{
  _cleanup_free_ char *root = xasprintf ("/proc/%d/root", (int) x->state->pid);

  x->init_pidfd = silo_pidfd_open_checked (x->state->pid, x->state->start_time, err);
  if (x->init_pidfd < 0)
    return silo_wrap (err, "the container's init");
  x->rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* Still the same process: then the pid in that path was its.  */
  if (silo_pidfd_send_signal (x->init_pidfd, 0, NULL) < 0)
    return silo_fail (err, ESRCH, "cannot exec in container `%s`: it stopped", x->state->id);
  if (x->rootfd < 0)
    return silo_fail (err, errno, "open the container's root (%s)", root);
  plan_namespaces (x);
  return 0;
}

static int
prepare_seccomp (struct execution *x, struct silo_error **err)
{
  const oci_seccomp *s = x->state->config->linux_ != NULL ? x->state->config->linux_->seccomp : NULL;
  _cleanup_free_ char *cache = xasprintf ("%s/.seccomp-cache", x->ctx->root);

  if (s == NULL)
    return 0;
  if (silo_seccomp_compile (s, cache, &x->seccomp, err) < 0)
    return -1;
  if (silo_seccomp_uses_notify (s))
    {
      x->seccomp_agent = silo_seccomp_agent_connect (s->listener_path, err);
      return x->seccomp_agent;
    }
  return 0;
}

/* ---- the child ------------------------------------------------------------------- */

_Noreturn static void
child_fail (struct execution *x, struct silo_error *err)
{
  silo_sync_send_error (x->sync_child, err);
  _exit (EXIT_FAILURE);
}

static int
child_terminal (struct execution *x, struct silo_error **err)
{
  _cleanup_close_ int root = -1, master = -1, slave = -1;

  if (!x->process->terminal)
    return 0;
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return silo_fail (err, errno, "open the container's root");
  if (silo_terminal_open_pty (root, &master, &slave, err) < 0
      || silo_terminal_setup_slave (slave, x->process, !x->opts->detach, err) < 0)
    return -1;
  return silo_sync_send (x->sync_child, SYNC_PTY, 0, "/dev/ptmx", 9, master, err);
}

static int
child_affinity (const char *cpus, const char *field, struct silo_error **err)
{
  cpu_set_t set;

  if (cpus == NULL)
    return 0;
  if (silo_parse_cpu_list (cpus, &set, err) < 0)
    return silo_wrap (err, "%s", field);
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    return silo_fail (err, errno, "%s: sched_setaffinity `%s`", field, cpus);
  return 0;
}

static int
child_enter (struct execution *x, struct silo_error **err)
{
  struct silo_sync_msg m;

  if (silo_sync_expect (x->sync_child, -1, SYNC_GO, "exec to place the process", &m, err) < 0)
    _exit (EXIT_FAILURE);   /* the parent is gone: nobody to report to */
  x->agent_state = steal_pointer (&m.data);
  silo_sync_msg_clear (&m);
  if (x->child_setns != 0 && setns (x->init_pidfd, x->child_setns) < 0)
    return silo_fail (err, errno, "join the container's namespaces (setns %#x)", x->child_setns);
  if (fchdir (x->rootfd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return silo_fail (err, errno, "enter the container's root");
  silo_closep (&x->rootfd);
  silo_closep (&x->init_pidfd);
  return child_terminal (x, err);
}

_Noreturn static void
child_main (struct execution *x)
{
  const oci_exec_cpu_affinity *affinity = x->process->exec_cpu_affinity;
  int keep[] = { x->sync_child, x->seccomp_agent };
  struct silo_process_setup setup = {
    .process = x->process, .linux_ = x->state->config->linux_, .silo_exe = &x->silo_exe,
    .seccomp = &x->seccomp,
    .seccomp_agent = x->seccomp_agent, .new_keyring = true,
    .keep = keep, .n_keep = SILO_ARRAY_SIZE (keep), .passed_fds = x->opts->preserve_fds,
  };
  struct silo_error *err = NULL;

  silo_closep (&x->sync_parent);
  silo_log_set_sink (silo_sync_log_sink, &x->sync_child);
  if (child_enter (x, &err) < 0)
    child_fail (x, err);
  setup.agent_state = x->agent_state;
  if (silo_process_setup_enter (&setup, &err) < 0 || silo_process_setup_credentials (&setup, &err) < 0)
    child_fail (x, err);
  if (affinity != NULL && child_affinity (affinity->final, "process.execCPUAffinity.final", &err) < 0)
    child_fail (x, err);
  if (silo_process_setup_finish (&setup, &err) < 0)
    child_fail (x, err);
  silo_program_exec (&setup.program, &err);
  child_fail (x, err);
}

/* ---- the parent ------------------------------------------------------------------ */

/* What a seccomp agent gets with the exec'd process's own listener.  */
static char *
agent_json (const struct execution *x)
{
  const oci_seccomp *s = x->state->config->linux_ != NULL ? x->state->config->linux_->seccomp : NULL;
  oci_state st = {
    .oci_version = x->state->config->oci_version, .id = x->state->id, .status = (char *) "running",
    .bundle = x->state->bundle, .pid = x->spawn.pid, .annotations = x->state->config->annotations,
  };
  char *json = NULL;
  size_t len;

  /* By the config, not by our fd to the agent: that one is closed once the child has it.  */
  if (s == NULL || s->listener_path == NULL
      || oci_process_state_generate (&st, s->listener_metadata, &json, &len, NULL) < 0)
    return xstrdup ("");
  return json;
}

static int
place_child (struct execution *x, struct silo_error **err)
{
  struct silo_cgroup *cg = NULL;
  int r = 0;

  if (x->state->n_cgroups > 0)
    {
      if (silo_cgroup_load (x->state->cgroups, x->state->n_cgroups, &cg, err) < 0)
        return -1;
      r = silo_cgroup_enter_exec (cg, x->spawn.pid, x->opts->cgroup, x->state->pid, err);
      silo_cgroup_free (cg);
    }
  else if (x->opts->cgroup != NULL)
    return silo_fail (err, EINVAL, "--cgroup: the container has no cgroups");
  if (r == 0 && x->process->has_oom_score_adj)
    {
      _cleanup_close_ int procfd = silo_procfs_open (err);
      char path[64], value[16];

      snprintf (path, sizeof path, "%d/oom_score_adj", (int) x->spawn.pid);
      snprintf (value, sizeof value, "%d", (int) x->process->oom_score_adj);
      if (procfd < 0 || silo_procfs_write (procfd, path, value, strlen (value), err) < 0)
        return silo_wrap (err, "process.oomScoreAdj");
    }
  return r;
}

static int
spawn_child (struct execution *x, struct silo_error **err)
{
  const oci_exec_cpu_affinity *affinity = x->process->exec_cpu_affinity;
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return silo_fail (err, errno, "socketpair");
  x->sync_parent = pair[0];
  x->sync_child = pair[1];
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_DUMPABLE)");
  /* Ours for the rest of this process's life: it makes no other children.  */
  if (x->parent_setns != 0 && setns (x->init_pidfd, x->parent_setns) < 0)
    return silo_fail (err, errno, "enter the container's %s namespace (setns %#x)",
                      (x->parent_setns & CLONE_NEWUSER) ? "user and pid" : "pid", x->parent_setns);
  if (affinity != NULL && child_affinity (affinity->initial, "process.execCPUAffinity.initial", err) < 0)
    return -1;
  if (silo_spawn (0, -1, &x->spawn, err) < 0)
    return -1;
  if (x->spawn.pid == 0)
    child_main (x);
  silo_closep (&x->sync_child);
  silo_closep (&x->seccomp_agent);
  return 0;
}

/* Until the socket closes at the child's execve, or it reports an error.  (A child
 * killed before its execve without a word reads as started, as with runc: its exit
 * status then tells.)  */
static int
serve_child (struct execution *x, struct silo_error **err)
{
  _cleanup_free_ char *agent = agent_json (x);

  if (place_child (x, err) < 0
      || silo_sync_send (x->sync_parent, SYNC_GO, 0, agent, strlen (agent), -1, err) < 0)
    return -1;
  for (;;)
    {
      struct silo_sync_msg m;
      struct silo_error *recv_err = NULL;

      if (silo_sync_next (x->sync_parent, -1, "the process to start", &m, &recv_err) < 0)
        {
          if (recv_err->errnum != EPIPE)
            {
              *err = recv_err;
              return -1;
            }
          silo_error_free (recv_err);
          return 0;
        }
      if (m.type == SYNC_PTY)
        x->pty_master = steal_fd (&m.fd);
      silo_sync_msg_clear (&m);
    }
}

static int
after_start (struct execution *x, int *exit_status, struct silo_error **err)
{
  if (x->opts->pid_file != NULL && silo_write_pid_file (x->opts->pid_file, x->spawn.pid, err) < 0)
    return -1;
  if (x->pty_master >= 0 && x->opts->console_socket != NULL)
    {
      if (silo_terminal_send_to_console_socket (x->opts->console_socket, x->pty_master, err) < 0)
        return -1;
      silo_closep (&x->pty_master);
    }
  *exit_status = 0;
  if (x->opts->detach)
    return 0;
  struct silo_foreground f = { x->spawn.pid, x->spawn.pidfd, x->pty_master };
  int r = silo_foreground_wait (&f, exit_status, err);
  x->pty_master = f.pty_master;
  return r;
}

static void
execution_release (struct execution *x, bool kill_child)
{
  if (kill_child && x->spawn.pidfd >= 0)
    {
      silo_pidfd_send_signal (x->spawn.pidfd, SIGKILL, NULL);
      waitpid (x->spawn.pid, NULL, 0);
    }
  silo_closep (&x->spawn.pidfd);
  silo_closep (&x->sync_parent);
  silo_closep (&x->sync_child);
  silo_closep (&x->init_pidfd);
  silo_closep (&x->rootfd);
  silo_closep (&x->seccomp_agent);
  silo_closep (&x->pty_master);
  silo_seccomp_filter_release (&x->seccomp);
  if (x->process != NULL)
    oci_process_free (x->process);
  if (x->state != NULL)
    silo_state_free (x->state);
}

static bool
has_user_namespace (const oci_config *c)
{
  for (size_t i = 0; c->linux_ != NULL && i < c->linux_->n_namespaces; i++)
    if (c->linux_->namespaces[i].type == OCI_NS_USER)
      return true;
  return false;
}

static int
prepare (struct execution *x, const char *id, struct silo_error **err)
{
  _cleanup_close_ int dirfd = silo_container_open (x->ctx, id, false, &x->state, err);
  int sealed;

  if (dirfd < 0 || check_status (x, id, err) < 0)
    return -1;
  if (silo_exec_process (x->state, x->opts, has_user_namespace (x->state->config), &x->process, err) < 0
      || check_terminal (x, err) < 0)
    return -1;
  sealed = silo_exe_is_sealed (err);
  if (sealed <= 0)
    return sealed < 0 ? -1 : silo_fail (err, EPERM, "silo's binary is not sealed: call "
                                        "silo_exe_seal first (exe-seal.h)");
  if (stat ("/proc/self/exe", &x->silo_exe) < 0)
    return silo_fail (err, errno, "stat /proc/self/exe");
  return prepare_seccomp (x, err) < 0 ? -1 : pin_init (x, err);
}

int
silo_container_exec (const struct silo_context *ctx, const char *id,
                     const struct silo_exec_options *opts, int *exit_status,
                     struct silo_error **err)
{
  struct execution x = { .ctx = ctx, .opts = opts, .seccomp_agent = -1, .init_pidfd = -1,
                         .rootfd = -1, .sync_parent = -1, .sync_child = -1, .pty_master = -1,
                         .spawn = { .pidfd = -1 } };
  int ret;

  *exit_status = 0;
  if (silo_validate_id (id, err) < 0)
    return -1;
  ret = prepare (&x, id, err);
  if (ret == 0)
    ret = spawn_child (&x, err);
  if (ret == 0)
    ret = serve_child (&x, err);
  if (ret == 0)
    ret = after_start (&x, exit_status, err);
  execution_release (&x, ret < 0 && x.spawn.pid > 0 && !opts->detach);
  if (ret < 0)
    return silo_wrap (err, "exec in container `%s`", id);
  return 0;
}
