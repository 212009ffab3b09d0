/* silo: the commands on an existing container: start, run, state, kill, delete, list.
 * Each reads the state file and derives the status live; start and delete hold the
 * container's lock (start not while the init decides), kill, state and list take none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "fault.h"
#include "container-internal.h"
#include "hooks.h"
#include "log.h"
#include "resctrl.h"
#include "spawn.h"
#include "state.h"
#include "sync.h"
#include "util.h"

char *
silo_default_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");

  if (geteuid () != 0 && xdg != NULL && xdg[0] == '/')
    return xasprintf ("%s/silo", xdg);
  return xstrdup (SILO_DEFAULT_ROOT);
}

int
silo_container_open (const struct silo_context *ctx, const char *id, bool lock, silo_state **s,
                struct silo_error **err)
{
  _cleanup_close_ int dirfd = -1;

  if (silo_validate_id (id, err) < 0)
    return -1;
  dirfd = silo_state_open_dir (ctx->root, id, lock, err);
  if (dirfd < 0)
    return -1;
  if (silo_state_load (dirfd, s, err) < 0)
    return silo_wrap (err, "container `%s`", id);
  if (!lock)
    silo_state_probe_creator (dirfd, *s);
  return steal_fd (&dirfd);
}

/* The owner `state` and `list` show: the state root's, which is silo's own euid (no state
 * another uid owns is trusted, see state.h), looked up once when shown rather than through
 * NSS at every create.  */
static const char *
owner_name (void)
{
  static char name[LOGIN_NAME_MAX + 1];
  static bool looked_up;

  if (!looked_up)
    {
      struct passwd *pw = getpwuid (geteuid ());
      snprintf (name, sizeof name, "%s", pw != NULL ? pw->pw_name : "");
      looked_up = true;
    }
  return name;
}

/* ---- start ---------------------------------------------------------------------------- */

static int
connect_start_socket (int dirfd, struct silo_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return silo_fail (err, errno, "socket");
  snprintf (addr.sun_path, sizeof (addr.sun_path), "/proc/self/fd/%d/start.sock", dirfd);
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return silo_fail (err, errno, "connect to the container's start socket");
  return steal_fd (&fd);
}

static int
run_poststart (silo_state *s, struct silo_error **err)
{
  const oci_hooks *h = s->config->hooks;
  _cleanup_free_ char *json = NULL;

  if (h == NULL || h->n_poststart == 0)
    return 0;
  json = silo_hook_state_json (s, "running");
  return silo_hooks_run (h->poststart, h->n_poststart, "poststart", json, err);
}

/* The command name of PID, a zombie's too ("" when it cannot be read).  */
static void
read_comm (pid_t pid, char out[32])
{
  char path[64];
  _cleanup_close_ int fd = -1;
  ssize_t n;

  out[0] = '\0';
  snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  n = fd < 0 ? -1 : read_all (fd, out, 31);
  out[n > 0 ? n : 0] = '\0';
}

/* The connection ended without SYNC_EXEC: the init was killed before its program ran,
 * or a seccomp profile denied it the send.  One that lives ran its program; one that
 * died did not when its zombie still has the init's name (a pid already reaped cannot
 * tell: taken as run, as before).  The connection ends before the pidfd shows an exit:
 * a dying init gets a moment.  */
static bool
died_before_exec (int pidfd, pid_t pid, const char *init_comm)
{
  struct pollfd alive = { .fd = pidfd, .events = POLLIN };
  char comm[32];

  if (poll (&alive, 1, 1000) == 0)
    return false;
  read_comm (pid, comm);
  return comm[0] != '\0' && strcmp (comm, init_comm) == 0;
}

/* Until the init's execve: SYNC_EXEC, then the end of the connection.  */
static int
wait_for_exec (int sock, int pidfd, pid_t pid, const char *init_comm, struct silo_error **err)
{
  bool announced = false;

  for (;;)
    {
      struct silo_sync_msg m;

      if (silo_sync_next (sock, -1, "the container process to start", &m, err) < 0)
        {
          if ((*err)->errnum != EPIPE)
            return -1;
          silo_error_freep (err);
          if (announced || !died_before_exec (pidfd, pid, init_comm))
            return 0;
          return silo_fail (err, ECHILD, "the container's init died before its program ran "
                            "(killed, or it crashed)");
        }
      announced = announced || m.type == SYNC_EXEC;
      silo_sync_msg_clear (&m);
    }
}

/* The wait for the init's execve is the container's to end: it runs startContainer hooks,
 * a debugger may hold it.  The lock is let go meanwhile, so that `kill` and `delete
 * --force` work at once; a `delete` that came in meanwhile wins.  */
static int
wait_unlocked (int dirfd, int sock, int pidfd, const silo_state *s, const char *init_comm,
               bool *destroy, struct silo_error **err)
{
  const char *id = s->id;
  struct stat st;
  int r;

  flock (dirfd, LOCK_UN);
  r = wait_for_exec (sock, pidfd, s->pid, init_comm, err);
  while (flock (dirfd, LOCK_EX) < 0 && errno == EINTR)
    ;
  if (fstat (dirfd, &st) == 0 && st.st_nlink == 0)
    {
      *destroy = false;
      if (r < 0)
        silo_error_freep (err);
      return silo_fail (err, ENOENT, "container `%s` was deleted while it started", id);
    }
  return r;
}

/* SYNC_START on SOCK, the wait for the execve, "started" recorded, poststart hooks.
 * *destroy tells the caller, on failure, that the start message went out: a
 * startContainer hook, the exec or a poststart hook failed, and runtime-spec 1.3.0
 * (lifecycle steps 7 and 9) wants the container stopped and destroyed, poststop hooks
 * included, rather than left for `delete`.  */
static int
release_init (int dirfd, int sock, int pidfd, silo_state *s, const char *init_comm,
              bool record_started, bool *destroy, struct silo_error **err)
{
  silo_log_stage ("start-connected");   /* before the send: the init may stamp first */
  if (silo_sync_send (sock, SYNC_START, 0, NULL, 0, -1, err) < 0)
    return -1;
  *destroy = true;
  if (wait_unlocked (dirfd, sock, pidfd, s, init_comm, destroy, err) < 0)
    return -1;
  FAULT_POINT ("start-after-exec");
  /* The status reads running from the init's executable once it has called execve
   * (silo_state_record_init_exe): `run` writes `started` only where that was not
   * recorded.  A state that cannot be written (a full disk) must not make `start` say
   * otherwise.  */
  if (record_started || s->init_exe_ino == 0)
    {
      s->started = true;
      if (silo_state_save (dirfd, s, err) < 0)
        {
          silo_log_warning ("the container runs, but recording it failed: %s", (*err)->msg);
          silo_error_freep (err);
        }
    }
  silo_log_stage ("started");
  return run_poststart (s, err);
}

int
silo_start_init (int dirfd, silo_state *s, bool *destroy, struct silo_error **err)
{
  char init_comm[32];
  _cleanup_close_ int sock = -1;
  _cleanup_close_ int pidfd = silo_pidfd_open_checked (s->pid, s->start_time, err);

  if (pidfd < 0)
    return -1;
  sock = connect_start_socket (dirfd, err);
  if (sock < 0)
    {
      /* Nobody listens but the init lives: an earlier `start` released it and was killed
       * before it could record that (or a `run`, which makes no start.sock, is releasing
       * it).  Record it now.  */
      int e = (*err)->errnum;
      if ((e == ECONNREFUSED || e == ENOENT) && silo_state_init_alive (s))
        {
          s->started = true;
          silo_error_freep (err);
          if (silo_state_save (dirfd, s, err) < 0)
            return -1;
          return silo_fail (err, EBUSY, "the container was already started");
        }
      return -1;
    }
  FAULT_POINT ("start-after-connect");
  read_comm (s->pid, init_comm);   /* before the start: its name until the execve */
  return release_init (dirfd, sock, pidfd, s, init_comm, true, destroy, err);
}

/* `run`: the init is our child, on our socketpair and pidfd, and still bears our name.  */
int
silo_start_created (struct silo_creation *c, bool *destroy, struct silo_error **err)
{
  char init_comm[32] = "";

  prctl (PR_GET_NAME, init_comm, 0, 0, 0);
  return release_init (c->dirfd, c->sync_parent, c->spawn.pidfd, c->state, init_comm, false,
                       destroy, err);
}

int
silo_container_start (const struct silo_context *ctx, const char *id, struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  _cleanup_close_ int dirfd = silo_container_open (ctx, id, true, &s, err);
  enum silo_status status;
  bool destroy = false;

  if (dirfd < 0)
    return -1;
  status = silo_container_status (s);
  if (status != SILO_CREATED)
    return silo_fail (err, EINVAL, "cannot start container `%s`: it is %s, not created", id,
                      silo_status_name (status));
  if (silo_start_init (dirfd, s, &destroy, err) < 0)
    {
      struct silo_error *ignored = NULL;

      if (destroy && silo_delete_stopped (ctx, s, &ignored) < 0)
        silo_log_warning ("destroy the container after the failed start: %s", ignored->msg);
      silo_error_free (ignored);
      return silo_wrap (err, "start container `%s`", id);
    }
  return 0;
}

/* ---- run ------------------------------------------------------------------------------ */

int
silo_creation_run (struct silo_creation *c, int *exit_status, struct silo_error **err)
{
  const struct silo_create_options *opts = c->opts;
  bool destroy = false;
  int ret;

  *exit_status = 0;
  c->foreground = !opts->detach;
  c->run_starts = true;
  /* When the init is forked by an intermediate child (see ns.h), it must become ours.  */
  if (!opts->detach)
    prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ret = silo_creation_make (c, err);
  if (ret == 0 && (ret = silo_start_created (c, &destroy, err)) < 0)
    {
      struct silo_error *ignored = NULL;
      silo_delete_stopped (c->ctx, c->state, &ignored);
      silo_error_free (ignored);
    }
  if (ret == 0 && !opts->detach)
    {
      /* Let other commands (kill, state) in while we wait.  */
      flock (c->dirfd, LOCK_UN);
      struct silo_foreground f = { c->spawn.pid, c->spawn.pidfd, c->pty_master };

      ret = silo_foreground_wait (&f, exit_status, err);
      c->pty_master = f.pty_master;
      if (ret == 0 && !opts->keep)
        {
          flock (c->dirfd, LOCK_EX);
          ret = silo_delete_stopped (c->ctx, c->state, err);
        }
    }
  silo_creation_release (c);
  if (ret < 0)
    return silo_wrap (err, "run container `%s`", c->id);
  return 0;
}

int
silo_container_run (const struct silo_context *ctx, const char *id,
                    const struct silo_create_options *opts, int *exit_status, struct silo_error **err)
{
  struct silo_creation c = { .ctx = ctx, .opts = opts, .id = id };

  return silo_creation_run (&c, exit_status, err);
}

/* ---- state ---------------------------------------------------------------------------- */

int
silo_container_state (const struct silo_context *ctx, const char *id, char **json,
                      struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  _cleanup_close_ int dirfd = silo_container_open (ctx, id, false, &s, err);
  enum silo_status status;
  size_t len;

  if (dirfd < 0)
    return -1;
  status = silo_container_status (s);
  oci_state st = {
    .oci_version = s->config->oci_version, .id = s->id, .status = (char *) silo_status_name (status),
    .bundle = s->bundle, .rootfs = s->rootfs, .created = s->created,
    .owner = (char *) owner_name (),
    .pid = status == SILO_STOPPED ? 0 : s->pid, .annotations = s->config->annotations,
  };
  return oci_state_generate (&st, json, &len, err);
}

/* ---- kill ----------------------------------------------------------------------------- */

int
silo_container_kill (const struct silo_context *ctx, const char *id, int signal, bool all,
                     struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  /* No lock: a signal needs none (the pidfd is checked against the start time), and
   * whatever holds the lock can never keep a container from being killed.  */
  _cleanup_close_ int dirfd = silo_container_open (ctx, id, false, &s, err);
  _cleanup_close_ int pidfd = -1;
  enum silo_status status;

  if (dirfd < 0)
    return -1;
  status = silo_container_status (s);
  /* --all is about the container's other processes, which may outlive its init (no pid
   * namespace of its own): a stopped container is signalled through its cgroup, as runc
   * does.  */
  if (status == SILO_STOPPED && !(all && s->n_cgroups > 0))
    return silo_fail (err, ESRCH, "cannot kill container `%s`: it is not running", id);
  /* Its pid reaches the state with "created" (until then the init dies with its create).  */
  if (status == SILO_CREATING && s->pid <= 0 && !(all && s->n_cgroups > 0))
    return silo_fail (err, EBUSY, "cannot kill container `%s`: it is creating, not created or "
                      "running", id);
  if (all && s->n_cgroups > 0)
    {
      struct silo_cgroup *cg = NULL;
      int ret = silo_cgroup_load (s->cgroups, s->n_cgroups, &cg, err);
      if (ret == 0)
        ret = silo_cgroup_kill_all (cg, signal, err);
      silo_cgroup_free (cg);
      if (ret < 0)
        return silo_wrap (err, "kill --all container `%s`", id);
      return 0;
    }
  pidfd = silo_pidfd_open_checked (s->pid, s->start_time, err);
  FAULT_POINT ("kill-before-signal");
  if (pidfd < 0 || silo_pidfd_send_signal (pidfd, signal, err) < 0)
    return silo_wrap (err, "kill container `%s`", id);
  return 0;
}

/* ---- delete --------------------------------------------------------------------------- */

static void
run_poststop (silo_state *s)
{
  const oci_hooks *h = s->config->hooks;
  _cleanup_free_ char *json = NULL;

  if (h == NULL || h->n_poststop == 0)
    return;
  json = silo_hook_state_json (s, "stopped");
  /* runtime-spec: a failing poststop hook is logged; the others and the deletion go on.  */
  silo_hooks_run_all (h->poststop, h->n_poststop, "poststop", json);
}

static int
kill_init_and_wait (silo_state *s, struct silo_error **err)
{
  _cleanup_close_ int pidfd = silo_pidfd_open_checked (s->pid, s->start_time, NULL);
  struct pollfd p = { .fd = pidfd, .events = POLLIN };

  if (pidfd < 0)
    return 0;  /* already gone */
  if (silo_pidfd_send_signal (pidfd, SIGKILL, err) < 0 && (*err)->errnum != ESRCH)
    return -1;
  silo_error_freep (err);
  /* The pidfd turns readable when the process has exited; 10 s is plenty for SIGKILL.  */
  if (poll (&p, 1, 10000) == 0)
    return silo_fail (err, ETIMEDOUT, "container process %d did not die after SIGKILL", s->pid);
  waitpid (s->pid, NULL, WNOHANG);
  return 0;
}

/* linux.intelRdt: the group silo made for this container goes with it.  */
static void
remove_resctrl_group (const silo_state *s)
{
  const oci_linux *l = s->config->linux_;
  _cleanup_free_ char *mount = NULL;
  struct silo_error *err = NULL;

  if (l == NULL || l->intel_rdt == NULL)
    return;
  if (silo_resctrl_find (&mount, &err) < 0 || silo_resctrl_remove (mount, s->id, l->intel_rdt, &err) < 0)
    silo_log_warning ("%s", err->msg);
  silo_error_free (err);
}

int
silo_delete_stopped (const struct silo_context *ctx, silo_state *s, struct silo_error **err)
{
  struct silo_cgroup *cg = NULL;
  int ret = 0;

  if (s->n_cgroups > 0 && silo_cgroup_load (s->cgroups, s->n_cgroups, &cg, err) < 0)
    return -1;
  if (cg != NULL && s->systemd_cgroup)
    silo_cgroup_use_systemd (cg);   /* destroy stops the scope */
  /* Through the cgroup first: a paused container's processes are frozen, and only the
   * cgroup driver knows to thaw them so that SIGKILL can take effect.  */
  if (cg != NULL && silo_state_init_alive (s) && silo_cgroup_kill_all (cg, SIGKILL, err) < 0)
    {
      silo_log_warning ("%s", (*err)->msg);
      silo_error_freep (err);
    }
  ret = kill_init_and_wait (s, err);
  FAULT_POINT ("delete-after-kill");
  if (ret == 0 && cg != NULL)
    ret = silo_cgroup_destroy (cg, err);
  silo_cgroup_free (cg);
  if (ret < 0)
    return -1;
  FAULT_POINT ("delete-after-cgroups");
  if (s->started || s->pid > 0)
    run_poststop (s);
  remove_resctrl_group (s);
  return silo_state_remove_dir (ctx->root, s->id, err);
}

/* state.json cannot be read (ERR): with --force, the record written once the init's pid was
 * known stands in for it (unless the file was one others could forge), so that its processes and cgroups still go.  Without either
 * file, a create killed before its first state write left only the directory (*s stays
 * NULL: removed here).  Anything else may describe live processes: never forget them.  */
static int
load_for_force_delete (const struct silo_context *ctx, int dirfd, const char *id, bool force,
                       silo_state **s, struct silo_error **err)
{
  struct silo_error *recovery_err = NULL;
  bool missing = (*err)->errnum == ENOENT;

  /* A state file others could have written (EPERM) is refused outright: it says someone
   * tampers with the state root, which needs a person's look.  */
  if (force && (*err)->errnum != EPERM && silo_state_load_recovery (dirfd, true, s, &recovery_err) == 0)
    {
      silo_log_warning ("%s; deleting container `%s` from %s", (*err)->msg, id, SILO_STATE_RECOVERY);
      silo_error_freep (err);
      return 0;
    }
  missing = missing && recovery_err != NULL && recovery_err->errnum == ENOENT;
  silo_error_free (recovery_err);
  if (force && missing)
    {
      silo_log_warning ("%s; removing its state directory", (*err)->msg);
      silo_error_freep (err);
      return silo_state_remove_dir (ctx->root, id, err);
    }
  return silo_wrap (err, "delete container `%s`: its state cannot be trusted or read, and "
                    "its processes may still run; fix `%s/%s/state.json`%s or, once they are "
                    "gone, remove that directory by hand", id, ctx->root, id,
                    force ? "" : ", try `delete --force`");
}

int
silo_container_delete (const struct silo_context *ctx, const char *id, bool force,
                       struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  _cleanup_close_ int dirfd = -1;
  enum silo_status status;

  if (silo_validate_id (id, err) < 0)
    return -1;
  dirfd = silo_state_open_dir (ctx->root, id, true, err);
  if (dirfd < 0)
    {
      if (force && (*err)->errnum == ENOENT)
        {
          silo_error_freep (err);
          return 0;
        }
      return -1;
    }
  if (silo_state_load (dirfd, &s, err) < 0 && load_for_force_delete (ctx, dirfd, id, force, &s, err) < 0)
    return -1;
  if (s == NULL)
    return 0;
  status = silo_container_status (s);
  if (!force && (status == SILO_RUNNING || status == SILO_PAUSED || status == SILO_CREATING))
    return silo_fail (err, EBUSY, "cannot delete container `%s`: it is %s; stop it first or use --force",
                      id, silo_status_name (status));
  if (silo_delete_stopped (ctx, s, err) < 0)
    return silo_wrap (err, "delete container `%s`", id);
  return 0;
}

/* ---- list ----------------------------------------------------------------------------- */

char *
silo_command_line (const oci_process *p)
{
  char *joined = xstrdup ("");

  for (size_t i = 0; p != NULL && i < p->n_args; i++)
    {
      char *longer = xasprintf ("%s%s%s", joined, i > 0 ? " " : "", p->args[i]);
      free (joined);
      joined = longer;
    }
  return joined;
}

static void
fill_info (struct silo_container_info *info, silo_state *s)
{
  enum silo_status status = silo_container_status (s);

  info->id = xstrdup (s->id);
  info->status = xstrdup (silo_status_name (status));
  info->bundle = xstrdup (s->bundle);
  info->rootfs = xstrdup (s->rootfs);
  info->created = xstrdup (s->created);
  info->owner = xstrdup (owner_name ());
  info->pid = status == SILO_STOPPED ? 0 : s->pid;
  /* In the state since schema 2 (list reads no config); schema 1 embedded the config.  */
  if (s->command != NULL)
    info->command = xstrdup (s->command);
  else
    info->command = silo_command_line (s->config != NULL ? s->config->process : NULL);
}

/* An entry whose state.json cannot be read is listed, never hidden: "creating" while a
 * create holds its lock (it has not written it yet), else "unknown", with what the
 * recovery record tells (its pid while that lives).  A directory with neither file and
 * no lock is not a container (a stranger in a shared root, as containerd's shim's, or
 * a create killed before its first write, which `delete --force` removes): skipped,
 * returning true.  */
static bool
fill_unreadable (struct silo_container_info *info, int dirfd, const char *id,
                 const struct silo_error *why)
{
  _cleanup_silo_state_ silo_state *r = NULL;
  struct silo_error *ignored = NULL;
  bool creating = flock (dirfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  bool recovered = silo_state_load_recovery (dirfd, false, &r, &ignored) == 0;

  silo_error_free (ignored);
  if (!creating && !recovered && why->errnum == ENOENT)
    return true;
  memset (info, 0, sizeof (*info));
  if (!creating)
    silo_log_warning ("container `%s`: %s", id, why->msg);
  if (recovered)
    fill_info (info, r);
  else
    {
      info->id = xstrdup (id);
      info->bundle = xstrdup ("");
      info->rootfs = xstrdup ("");
      info->created = xstrdup ("");
      info->owner = xstrdup ("");
      info->command = xstrdup ("");
    }
  free (info->status);
  info->status = xstrdup (creating ? "creating" : "unknown");
  return false;
}

static int
compare_info (const void *a, const void *b)
{
  return strcmp (((const struct silo_container_info *) a)->id, ((const struct silo_container_info *) b)->id);
}

int
silo_container_list (const struct silo_context *ctx, struct silo_container_info **out, size_t *n,
                     struct silo_error **err)
{
  struct silo_error *open_err = NULL;
  int rootfd = silo_state_open_root (ctx->root, &open_err);
  DIR *dir;
  struct dirent *de;
  size_t count = 0;
  struct silo_container_info *list = NULL;

  *out = NULL;
  *n = 0;
  if (rootfd < 0 && open_err->errnum == ENOENT)
    {
      silo_error_free (open_err);
      return 0;
    }
  if (rootfd < 0)
    {
      *err = open_err;
      return -1;
    }
  dir = fdopendir (rootfd);
  if (dir == NULL)
    {
      close (rootfd);
      return silo_fail (err, errno, "read state root `%s`", ctx->root);
    }
  while ((de = readdir (dir)) != NULL)
    {
      _cleanup_close_ int dirfd = -1;
      silo_state *s = NULL;
      struct silo_error *ignored = NULL;

      if (de->d_name[0] == '.' || silo_validate_id (de->d_name, &ignored) < 0)
        {
          silo_error_freep (&ignored);
          continue;
        }
      list = xrealloc (list, (count + 1) * sizeof (*list));
      /* The common case reads state.json alone; the directory (its lock, the recovery
       * record) only for a create in progress or a state that cannot be read.  */
      if (silo_state_load_brief_at (rootfd, de->d_name, &s, &ignored) == 0 && !silo_state_needs_dir (s))
        {
          fill_info (&list[count++], s);
          silo_state_free (s);
          continue;
        }
      silo_error_freep (&ignored);
      silo_state_freep (&s);
      dirfd = silo_state_open_dir_at (rootfd, ctx->root, de->d_name, false, &ignored);
      if (dirfd < 0)
        {
          silo_error_freep (&ignored);  /* removed meanwhile */
          continue;
        }
      if (silo_state_load_brief (dirfd, &s, &ignored) == 0)
        {
          silo_state_probe_creator (dirfd, s);
          fill_info (&list[count++], s);
        }
      else if (!fill_unreadable (&list[count], dirfd, de->d_name, ignored))
        count++;
      silo_error_freep (&ignored);
      silo_state_free (s);
    }
  closedir (dir);
  if (count > 1)
    qsort (list, count, sizeof (*list), compare_info);
  *out = list;
  *n = count;
  return 0;
}

void
silo_container_info_free (struct silo_container_info *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (list[i].id);
      free (list[i].status);
      free (list[i].bundle);
      free (list[i].rootfs);
      free (list[i].created);
      free (list[i].owner);
      free (list[i].command);
    }
  free (list);
}
