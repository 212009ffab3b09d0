/* silo: `checkpoint` and `restore`, the container side (state, cgroups, rootfs); CRIU
 * itself is behind criu.h.  Built only with SILO_HAVE_CRIU.
 *
 * checkpoint: under the container's lock, a running or paused container is dumped (or
 * pre-dumped) by CRIU, frozen through its cgroup; a dump without --leave-running ends the
 * container's processes, and silo then deletes the container as `delete` would.
 *
 * restore: `create`'s stages up to the cgroups (validation of the bundle's config, the
 * state directory and "creating", the cgroups with the config's resources), then, instead
 * of a clone, CRIU: silo moves into a mount namespace of its own (a slave of the host's,
 * so nothing it mounts shows outside and it all goes away with silo), makes the rootfs a
 * mount point there (CRIU restores the container's mount tree on top of a root mount),
 * makes the bind mounts' targets that a new bundle may lack, and asks CRIU to restore
 * into the container's cgroup.  The restored init is silo's child; its pid is saved as a
 * started container's (the state reads "running").  A failure undoes it all, as a failed
 * create does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container-internal.h"
#include "criu.h"
#include "criu-library.h"
#include "log.h"
#include "mount.h"
#include "netlink.h"
#include "rootfs-plan.h"
#include "spawn.h"
#include "state.h"
#include "util.h"

/* ---- what CRIU can take ----------------------------------------------------------------- */

/* The lazy-pages daemon's socket, in its work directory (CRIU's name for it): a lazy
 * restore connects to it there, in its own work directory, so both must be the same.  */
#define LAZY_PAGES_SOCKET "lazy-pages.socket"

/* A namespace joined by path other than network or pid would come back as a copy, not
 * as the namespace itself; a user namespace needs id-mapped images silo does not make.  */
static int
check_namespaces (const oci_linux *l, struct silo_error **err)
{
  bool own_mount_ns = false;

  for (size_t i = 0; l != NULL && i < l->n_namespaces; i++)
    {
      const oci_namespace *ns = &l->namespaces[i];
      const char *name = oci_namespace_type_name (ns->type);

      if (ns->type == OCI_NS_USER)
        return silo_fail (err, ENOTSUP, "linux.namespaces: silo cannot checkpoint or restore a "
                          "container with a user namespace yet");
      if (ns->path != NULL && ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_PID)
        return silo_fail (err, ENOTSUP, "linux.namespaces: the %s namespace is joined (`%s`): "
                          "CRIU would restore a copy of it, not rejoin it; only network and pid "
                          "namespaces may be joined by a container to checkpoint", name, ns->path);
      if (ns->type == OCI_NS_MOUNT && ns->path == NULL)
        own_mount_ns = true;
    }
  if (!own_mount_ns)
    return silo_fail (err, ENOTSUP, "linux.namespaces: checkpoint and restore need a mount "
                      "namespace of the container's own");
  return 0;
}

static int
check_mounts (const struct silo_rootfs_plan *plan, struct silo_error **err)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    if (plan->steps[i].idmapped)
      return silo_fail (err, ENOTSUP, "mounts[%zu] (%s): silo cannot checkpoint or restore "
                        "ID-mapped mounts yet", plan->steps[i].index, plan->steps[i].destination);
  return 0;
}

static bool
joins (const oci_linux *l, oci_namespace_type type)
{
  for (size_t i = 0; l != NULL && i < l->n_namespaces; i++)
    if (l->namespaces[i].type == type && l->namespaces[i].path != NULL)
      return true;
  return false;
}

static bool
has_namespace (const oci_linux *l, oci_namespace_type type)
{
  for (size_t i = 0; l != NULL && i < l->n_namespaces; i++)
    if (l->namespaces[i].type == type)
      return true;
  return false;
}

/* ---- checkpoint ------------------------------------------------------------------------- */

/* runc checks the status fd only with --lazy-pages, and ignores it without: so do we,
 * with a warning.  */
static int
check_status_fd (const struct silo_checkpoint_options *o, struct silo_error **err)
{
  int flags;

  if (o->status_fd < 0)
    return 0;
  if (!o->criu.lazy_pages)
    {
      silo_log_warning ("--status-fd %d: ignored without --lazy-pages (CRIU is ready for the "
                        "lazy-pages daemon only after a lazy dump)", o->status_fd);
      return 0;
    }
  flags = fcntl (o->status_fd, F_GETFL);
  if (flags < 0)
    return silo_fail (err, errno, "--status-fd %d: not an open file descriptor", o->status_fd);
  if ((flags & O_ACCMODE) == O_RDONLY)
    return silo_fail (err, EBADF, "--status-fd %d: not open for writing", o->status_fd);
  return 0;
}

/* Lazy pages: CRIU's page server sends them to `criu lazy-pages` on the restoring host,
 * which needs the address; a pre-dump has nothing to serve lazily.  */
static int
check_checkpoint_options (const struct silo_checkpoint_options *o, struct silo_error **err)
{
  if (silo_criu_library_load (err) < 0 || check_status_fd (o, err) < 0)
    return -1;
  if (!o->criu.lazy_pages)
    return 0;
  if (o->pre_dump)
    return silo_fail (err, EINVAL, "--lazy-pages with --pre-dump: a pre-dump copies the pages "
                      "now; only the final dump can leave them to be fetched lazily");
  if (o->page_server == NULL)
    return silo_fail (err, EINVAL, "--lazy-pages needs --page-server ADDRESS:PORT: CRIU serves "
                      "the pages there to `criu lazy-pages --page-server` on the restoring side");
  return silo_criu_check_lazy_pages (err);
}

static int
dump (const silo_state *s, const struct silo_checkpoint_options *o,
      const struct silo_rootfs_plan *plan, struct silo_error **err)
{
  const oci_linux *l = s->config->linux_;
  struct silo_cgroup *cg = NULL;
  int ret;

  if (s->n_cgroups > 0 && silo_cgroup_load (s->cgroups, s->n_cgroups, &cg, err) < 0)
    return -1;
  struct silo_criu_dump d = {
    .opts = o, .config = s->config, .plan = plan, .pid = s->pid,
    .freezer = silo_cgroup_freezer_dir (cg),
    .external_netns = joins (l, OCI_NS_NETWORK) || (o->criu.empty_netns && has_namespace (l, OCI_NS_NETWORK)),
    .external_pidns = joins (l, OCI_NS_PID),
  };
  ret = silo_criu_dump (&d, err);
  silo_cgroup_free (cg);
  return ret;
}

static int
checkpoint_locked (const struct silo_context *ctx, silo_state *s,
                   const struct silo_checkpoint_options *o, struct silo_error **err)
{
  enum silo_status status = silo_container_status (s);
  struct silo_rootfs_plan plan = { 0 };
  int ret;

  if (status != SILO_RUNNING && status != SILO_PAUSED)
    return silo_fail (err, EINVAL, "it is %s; only a running or paused container can be "
                      "checkpointed", silo_status_name (status));
  if (check_namespaces (s->config->linux_, err) < 0)
    return -1;
  ret = silo_rootfs_plan_make (s->config, s->bundle, &plan, err);
  if (ret == 0)
    ret = check_mounts (&plan, err);
  if (ret == 0)
    ret = dump (s, o, &plan, err);
  silo_rootfs_plan_release (&plan);
  if (ret < 0 || o->pre_dump || o->leave_running)
    return ret;
  /* CRIU ended the processes once the images were written: what is left is a stopped
   * container, deleted as `delete` does (cgroups, poststop hooks, state).  */
  return silo_delete_stopped (ctx, s, err);
}

int
silo_container_checkpoint (const struct silo_context *ctx, const char *id,
                           const struct silo_checkpoint_options *opts, struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  _cleanup_close_ int dirfd = -1;

  if (check_checkpoint_options (opts, err) < 0)
    return silo_wrap (err, "checkpoint container `%s`", id);
  dirfd = silo_container_open (ctx, id, true, &s, err);
  if (dirfd < 0)
    return -1;
  if (checkpoint_locked (ctx, s, opts, err) < 0)
    return silo_wrap (err, "checkpoint container `%s`", id);
  return 0;
}

/* ---- restore ---------------------------------------------------------------------------- */

/* Our own mount namespace, a slave of the host's: the rootfs becomes a mount point there
 * (a recursive bind onto itself), and nothing of it is seen outside or outlives us.  */
static int
mount_rootfs_for_criu (const char *rootfs, struct silo_error **err)
{
  _cleanup_close_ int target = -1, tree = -1;

  if (unshare (CLONE_NEWNS) < 0)
    return silo_fail (err, errno, "unshare a mount namespace for CRIU's root");
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return silo_fail (err, errno, "make the mounts of silo's own namespace slaves");
  target = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (target < 0)
    return silo_fail (err, errno, "root.path: open the rootfs `%s`", rootfs);
  tree = silo_mount_clone (target, true, err);
  if (tree < 0 || silo_mount_attach (tree, target, err) < 0)
    return silo_wrap (err, "bind the rootfs `%s` onto itself for CRIU", rootfs);
  return 0;
}

/* Under a filesystem a mount of the config makes (a tmpfs /dev): CRIU restores that
 * filesystem's content, mount points included.  */
static bool
under_new_filesystem (const struct silo_rootfs_plan *plan, const struct silo_mount_step *bind)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct silo_mount_step *s = &plan->steps[i];
      if (s != bind && s->kind == SILO_STEP_FILESYSTEM && strcmp (s->destination, bind->destination) != 0
          && silo_path_is_under (bind->destination, s->destination))
        return true;
    }
  return false;
}

/* The bind mounts' targets, as create makes them: a new bundle (a copied rootfs) may
 * lack them, and CRIU mounts only onto what exists.  */
static int
make_bind_targets (const char *rootfs, const struct silo_rootfs_plan *plan, struct silo_error **err)
{
  _cleanup_close_ int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (rootfd < 0)
    return silo_fail (err, errno, "root.path: open the rootfs `%s`", rootfs);
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct silo_mount_step *s = &plan->steps[i];
      struct stat st;
      int fd;

      if (s->kind != SILO_STEP_BIND || under_new_filesystem (plan, s))
        continue;
      if (stat (s->source, &st) < 0)
        return silo_fail (err, errno, "mounts[%zu]: source `%s`", s->index, s->source);
      fd = silo_mount_open_target (rootfd, s->destination, !S_ISDIR (st.st_mode), false, err);
      if (fd < 0)
        return silo_wrap (err, "mounts[%zu] (%s)", s->index, s->destination);
      close (fd);
    }
  return 0;
}

/* --empty-ns network: a new network namespace with only its loopback, up.  */
static int
new_network_namespace (struct silo_error **err)
{
  _cleanup_close_ int ours = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int made = -1;
  int ret = 0;

  if (ours < 0)
    return silo_fail (err, errno, "open /proc/self/ns/net");
  if (unshare (CLONE_NEWNET) < 0)
    return silo_fail (err, errno, "--empty-ns network: unshare a network namespace");
  made = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (made < 0)
    ret = silo_fail (err, errno, "--empty-ns network: open the new network namespace");
  if (ret == 0)
    ret = silo_netlink_loopback_up (err);
  if (setns (ours, CLONE_NEWNET) < 0)
    {
      silo_error_freep (err);
      return silo_fail (err, errno, "--empty-ns network: go back to silo's network namespace");
    }
  return ret < 0 ? -1 : steal_fd (&made);
}

static int
restored (struct silo_creation *c, const struct silo_criu_restore *r, struct silo_error **err)
{
  uint64_t start_time;

  c->spawn.pid = r->pid;
  c->pty_master = r->pty_master;
  /* The pidfd first: should anything below fail, the creation's undo kills through it.  */
  if (silo_proc_start_time (r->pid, &start_time) < 0)
    return silo_fail (err, ESRCH, "the restored container process %d died at once", (int) r->pid);
  c->spawn.pidfd = silo_pidfd_open_checked (r->pid, start_time, err);
  if (c->spawn.pidfd < 0 || silo_creation_persist_pid (c, r->pid, err) < 0)
    return silo_wrap (err, "the restored container process %d", (int) r->pid);
  /* Its program runs already: the state reads "running" from now on.  */
  c->state->started = true;
  return silo_creation_finish (c, err);
}

int
silo_restore_processes (struct silo_creation *c, struct silo_error **err)
{
  const struct silo_ns_plan *ns = &c->plan;
  _cleanup_close_ int empty_netns = -1;
  _cleanup_free_ char *cgroup = NULL;
  const char *relative = silo_cgroup_relative_path (c->cgroup);
  struct silo_criu_restore r = { .opts = c->restore, .config = c->config,
                                 .plan = &c->rootfs_plan, .root = c->state->rootfs };
  int ret;

  if (check_namespaces (c->config->linux_, err) < 0 || check_mounts (&c->rootfs_plan, err) < 0)
    return -1;
  if (c->restore->criu.empty_netns && ns->new_ns[OCI_NS_NETWORK]
      && (empty_netns = new_network_namespace (err)) < 0)
    return -1;
  if (mount_rootfs_for_criu (c->state->rootfs, err) < 0
      || make_bind_targets (c->state->rootfs, &c->rootfs_plan, err) < 0)
    return -1;
  if (relative != NULL)
    r.cgroup = cgroup = xasprintf ("/%s", relative);
  r.netns = ns->join_fd[OCI_NS_NETWORK] >= 0 ? ns->join_fd[OCI_NS_NETWORK] : empty_netns;
  r.pidns = ns->join_fd[OCI_NS_PID];
  ret = silo_criu_restore (&r, err);
  if (ret == 0)
    ret = restored (c, &r, err);
  else
    silo_closep (&r.pty_master);
  return ret;
}

/* A lazy restore asks the lazy-pages daemon for every page: without one, CRIU would fail
 * after the container is half made.  */
static int
check_lazy_pages_daemon (const struct silo_criu_options *c, const char *images,
                         struct silo_error **err)
{
  const char *work = c->work_path != NULL ? c->work_path : images;
  _cleanup_free_ char *socket = xasprintf ("%s/%s", work, LAZY_PAGES_SOCKET);
  struct stat st;

  if (stat (socket, &st) == 0 && S_ISSOCK (st.st_mode))
    return 0;
  return silo_fail (err, ENOENT, "--lazy-pages: no lazy-pages daemon for `%s` (no socket %s): "
                    "start `criu lazy-pages --page-server --address ADDRESS --port PORT -D %s%s%s` "
                    "first, ADDRESS:PORT being the checkpoint's --page-server", work, socket,
                    images, c->work_path != NULL ? " -W " : "", c->work_path != NULL ? work : "");
}

/* Before anything is made: a mistyped --image-path is the likeliest error.  */
static int
check_images (const struct silo_criu_options *c, struct silo_error **err)
{
  const char *path = c->image_path != NULL ? c->image_path : "checkpoint";
  struct stat st;

  if (stat (path, &st) < 0)
    return silo_fail (err, errno, "--image-path `%s`: no such directory (are the images "
                      "there?)", path);
  if (!S_ISDIR (st.st_mode))
    return silo_fail (err, ENOTDIR, "--image-path `%s`: not a directory", path);
  if (c->lazy_pages)
    return check_lazy_pages_daemon (c, path, err);
  return 0;
}

static int
restore_and_wait (struct silo_creation *c, int *exit_status, struct silo_error **err)
{
  struct silo_foreground f = { c->spawn.pid, c->spawn.pidfd, c->pty_master };
  int ret;

  /* Let other commands (kill, state, checkpoint) in while we wait.  */
  flock (c->dirfd, LOCK_UN);
  ret = silo_foreground_wait (&f, exit_status, err);
  c->pty_master = f.pty_master;
  if (ret < 0)
    return -1;
  flock (c->dirfd, LOCK_EX);
  /* A checkpoint taken meanwhile deleted it already.  */
  if (faccessat (c->dirfd, "state.json", F_OK, 0) < 0 && errno == ENOENT)
    return 0;
  return silo_delete_stopped (c->ctx, c->state, err);
}

int
silo_container_restore (const struct silo_context *ctx, const char *id,
                        const struct silo_restore_options *opts, int *exit_status,
                        struct silo_error **err)
{
  struct silo_creation c = { .ctx = ctx, .opts = &opts->create, .id = id,
                             .foreground = !opts->create.detach, .restore = opts };
  int ret;

  *exit_status = 0;
  if (silo_criu_library_load (err) < 0 || check_images (&opts->criu, err) < 0)
    return silo_wrap (err, "restore container `%s`", id);
  /* Processes the container leaves behind come to us, to be reaped, while we wait.  */
  if (!opts->create.detach && !opts->no_subreaper)
    prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ret = silo_creation_make (&c, err);
  if (ret == 0 && !opts->create.detach)
    ret = restore_and_wait (&c, exit_status, err);
  silo_creation_release (&c);
  if (ret < 0)
    return silo_wrap (err, "restore container `%s`", id);
  return 0;
}
