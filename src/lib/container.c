/* silo: `create`, parent side (the other commands are in container-ops.c, the init's
 * side in container-child.c).  The order of create's stages is part of the design (docs/design.md): validate everything,
 * persist "creating", make the cgroups, clone the init into them, persist its pid, let it
 * go, serve its requests until it reports "created".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup/cgroup.h"
#include "container-internal.h"
#include "exe-seal.h"
#include "fault.h"
#include "hooks.h"
#include "idmap.h"
#include "log.h"
#include "lsm.h"
#include "netlink.h"
#include "process.h"
#include "resctrl.h"
#include "scheduling.h"
#include "signals.h"
#include "seccomp.h"
#include "state.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"
#include "util.h"

int
silo_validate_id (const char *id, struct silo_error **err)
{
  size_t len = id != NULL ? strlen (id) : 0;

  if (len == 0)
    return silo_fail (err, EINVAL, "container id must not be empty");
  if (len > 1024)
    return silo_fail (err, EINVAL, "container id is longer than 1024 bytes");
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= '0' && id[0] <= '9')))
    return silo_fail (err, EINVAL, "invalid container id `%s`: it must start with a letter or digit", id);
  for (size_t i = 1; i < len; i++)
    if (strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-", id[i]) == NULL)
      return silo_fail (err, EINVAL, "invalid container id `%s`: only letters, digits and `_+.-` are allowed", id);
  if (strstr (id, "..") != NULL)
    return silo_fail (err, EINVAL, "invalid container id `%s`: `..` is not allowed", id);
  return 0;
}

/* ---- create: validation ------------------------------------------------------------- */

static int
load_config (struct silo_creation *c, struct silo_error **err)
{
  const char *bundle = c->opts->bundle != NULL ? c->opts->bundle : ".";
  _cleanup_free_ char *config_path = NULL;
  char resolved[PATH_MAX];
  struct stat st, root_st;

  if (realpath (bundle, resolved) == NULL)
    return silo_fail (err, errno, "bundle `%s`", bundle);
  c->bundle = xstrdup (resolved);
  if (c->opts->config_path != NULL)
    config_path = xstrdup (c->opts->config_path);
  else
    config_path = xasprintf ("%s/config.json", c->bundle);
  if (oci_config_parse_file (config_path, &c->config, err) < 0)
    return -1;
  if (c->config->root == NULL || c->config->root->path == NULL)
    return silo_fail (err, EINVAL, "%s: root.path is required", config_path);
  _cleanup_free_ char *rootfs = c->config->root->path[0] == '/'
    ? xstrdup (c->config->root->path) : xasprintf ("%s/%s", c->bundle, c->config->root->path);
  if (stat (rootfs, &st) < 0)
    return silo_fail (err, errno, "root.path: rootfs `%s`", rootfs);
  if (!S_ISDIR (st.st_mode))
    return silo_fail (err, ENOTDIR, "root.path: rootfs `%s` is not a directory", rootfs);
  /* By path, not by inode: a bind mount of / elsewhere is a root of its own (a host
   * root bound read-only is how a GPU container is often run).  Only a directory that is
   * /'s inode can be / by path: realpath (a readlink per component) is for that case.  */
  if (stat ("/", &root_st) == 0 && root_st.st_dev == st.st_dev && root_st.st_ino == st.st_ino
      && realpath (rootfs, resolved) != NULL && strcmp (resolved, "/") == 0)
    return silo_fail (err, EINVAL, "root.path: `%s` is the host's root directory; a container "
                      "needs a root filesystem of its own", rootfs);
  return 0;
}

static int
validate_terminal (struct silo_creation *c, struct silo_error **err)
{
  bool terminal = c->config->process->terminal;

  if (terminal && c->opts->console_socket == NULL && !c->foreground)
    return silo_fail (err, EINVAL, "process.terminal is true: a detached container needs --console-socket "
                      "to receive the terminal (or set process.terminal to false)");
  if (!terminal && c->opts->console_socket != NULL)
    return silo_fail (err, EINVAL, "--console-socket given but process.terminal is false");
  return 0;
}

/* No mount namespace: the runtime's is the container's (runtime-spec: a namespace type
 * not listed is inherited), so silo mounts nothing and enters the rootfs with chroot.
 * What the config asked of mounts cannot be done then: say so.  */
static void
warn_without_mount_namespace (const oci_config *cfg)
{
  const oci_linux *l = cfg->linux_;

  if (cfg->n_mounts > 0 || (l != NULL && (l->n_masked_paths > 0 || l->n_readonly_paths > 0))
      || (cfg->root != NULL && cfg->root->readonly))
    silo_log_warning ("linux.namespaces has no mount namespace: the container shares the "
                      "runtime's, so silo makes no mounts there (mounts, maskedPaths, "
                      "readonlyPaths and root.readonly do not apply) and enters root.path "
                      "with chroot");
}

/* Validated and compiled before anything is made: the init only installs the program
 * (after `start` when noNewPrivileges is true, so that start stays one write and one
 * install).  Compiled programs are kept under <root>/.seccomp-cache.  */
static int
compile_seccomp (struct silo_creation *c, struct silo_error **err)
{
  const oci_seccomp *s = c->config->linux_->seccomp;
  _cleanup_free_ char *cache = xasprintf ("%s/.seccomp-cache", c->ctx->root);

  if (silo_seccomp_validate (s, err) < 0)
    return -1;
  return silo_seccomp_compile (s, cache, &c->seccomp, err);
}

/* CVE-2019-5736: nothing in the container may ever reach silo's on-disk binary through
 * /proc/PID/exe of the init (exe-seal.h).  */
static int
check_sealed_exe (struct silo_creation *c, struct silo_error **err)
{
  int sealed = silo_exe_is_sealed (err);

  if (sealed < 0)
    return -1;
  if (sealed == 0)
    return silo_fail (err, EPERM, "silo's binary could be opened for writing through "
                      "/proc/PID/exe of the container's init: the program must call "
                      "silo_exe_seal first (exe-seal.h)");
  if (stat ("/proc/self/exe", &c->silo_exe) < 0)
    return silo_fail (err, errno, "stat /proc/self/exe");
  return 0;
}

static int
validate_config (struct silo_creation *c, struct silo_error **err)
{
  oci_config *cfg = c->config;

  if (c->ctx->systemd_cgroup && c->restore != NULL)
    return silo_fail (err, ENOTSUP, "restore with the systemd cgroup driver is not supported "
                      "(CRIU would have to make the scope): use --cgroup-manager cgroupfs");
  if (silo_process_validate (cfg, err) < 0 || validate_terminal (c, err) < 0)
    return -1;
  if (silo_sched_validate (cfg->process, cfg->linux_, err) < 0
      || silo_lsm_validate (cfg->process, cfg->linux_, err) < 0)
    return -1;
  if (silo_sysctl_validate (cfg, err) < 0)
    return -1;
  if (cfg->linux_ != NULL && cfg->linux_->seccomp != NULL)
    {
      silo_log_stage ("validate-process");
      if (compile_seccomp (c, err) < 0)
        return -1;
      silo_log_stage ("seccomp-compile");
    }
  if (!c->ctx->cgroups_disabled && silo_cgroup_validate (cfg, err) < 0)
    return -1;
  if (silo_ns_plan_init (&c->plan, cfg->linux_, err) < 0)
    return -1;
  bool userns = c->plan.new_ns[OCI_NS_USER] || c->plan.join_fd[OCI_NS_USER] >= 0;
  if (cfg->process->capabilities != NULL
      && silo_caps_validate (cfg->process->capabilities, userns, cfg->process->user.uid == 0,
                             err) < 0)
    return -1;
  if (silo_idmap_validate (cfg, userns, err) < 0
      || silo_rootfs_plan_make (cfg, c->bundle, &c->rootfs_plan, err) < 0)
    return -1;
  if ((cfg->hostname != NULL || cfg->domainname != NULL)
      && !c->plan.new_ns[OCI_NS_UTS] && c->plan.join_fd[OCI_NS_UTS] < 0)
    return silo_fail (err, EINVAL, "%s: needs a uts namespace in linux.namespaces",
                      cfg->hostname != NULL ? "hostname" : "domainname");
  if (!c->plan.new_ns[OCI_NS_MOUNT] && c->plan.join_fd[OCI_NS_MOUNT] < 0)
    warn_without_mount_namespace (cfg);
  if (silo_netlink_validate_devices (cfg->linux_, c->plan.new_ns[OCI_NS_NETWORK]
                                     || c->plan.join_fd[OCI_NS_NETWORK] >= 0, err) < 0)
    return -1;
  if (cfg->linux_ != NULL && cfg->linux_->intel_rdt != NULL && silo_resctrl_find (&c->resctrl, err) < 0)
    return -1;
  return check_sealed_exe (c, err);
}

/* ---- create: the state file ----------------------------------------------------------- */

static int
persist_creating (struct silo_creation *c, struct silo_error **err)
{
  silo_state *s = xmalloc0 (sizeof (*s));
  const char *rp = c->config->root->path;

  s->schema = SILO_STATE_SCHEMA;
  s->id = xstrdup (c->id);
  s->bundle = xstrdup (c->bundle);
  s->rootfs = rp[0] == '/' ? xstrdup (rp) : xasprintf ("%s/%s", c->bundle, rp);
  s->created = rfc3339_now ();
  s->status = xstrdup ("creating");
  s->command = silo_command_line (c->config->process);
  s->systemd_cgroup = c->ctx->systemd_cgroup;
  s->config = steal_pointer (&c->config);
  c->state = s;
  c->config = s->config;
  /* The cgroup paths go to disk before the first mkdir: a create killed half-way through
   * the hierarchies leaves nothing `delete --force` does not know about.  */
  if (c->cgroup != NULL)
    silo_cgroup_paths (c->cgroup, &s->cgroups, &s->n_cgroups);
  if (silo_state_save_config (c->dirfd, s, err) < 0)
    return -1;
  return silo_state_save (c->dirfd, s, err);
}

/* Resolve the cgroup layout and paths; nothing is made yet.  */
/* Whether the config asks for a limit a cgroup would enforce.  Device rules do not
 * count: without privileges the container cannot make device nodes anyway.  */
static bool
asks_for_limits (const oci_config *config)
{
  const oci_resources *r = config->linux_ != NULL ? config->linux_->resources : NULL;

  return r != NULL && (r->memory != NULL || r->cpu != NULL || r->pids != NULL
                       || r->block_io != NULL || r->n_hugepage_limits > 0 || r->network != NULL
                       || r->n_rdma > 0 || r->has_unified);
}

static int
plan_cgroups (struct silo_creation *c, struct silo_error **err)
{
  if (c->ctx->cgroups_disabled && asks_for_limits (c->config))
    return silo_fail (err, EINVAL, "linux.resources: limits need a cgroup, and "
                      "--cgroup-manager disabled makes none (drop the limits or the option)");
  if (c->ctx->cgroups_disabled)
    return 0;
  if (c->ctx->systemd_cgroup)
    return silo_cgroup_plan_systemd (c->id, c->config, &c->cgroup, err);
  return silo_cgroup_plan (c->id, c->config, &c->cgroup, err);
}

/* Rootless, a cgroup the user may not write (not delegated to them) is no reason to fail
 * when nothing asked for limits: the container runs in the caller's cgroup, as with
 * runc and crun.  Returns 1 when the error was taken that way.  */
static int
skip_undelegated_cgroup (struct silo_creation *c, struct silo_error **err)
{
  int e = *err != NULL ? (*err)->errnum : 0;

  if (!c->ctx->rootless || (e != EACCES && e != EPERM && e != EROFS))
    return 0;
  if (asks_for_limits (c->config))
    return silo_wrap (err, "rootless: linux.resources asks for limits, but the cgroup is not "
                      "delegated to uid %u (delegate one, e.g. systemd's Delegate=yes, or drop "
                      "the limits)", (unsigned) geteuid ());
  silo_log_warning ("rootless: running without a cgroup of its own (%s)", (*err)->msg);
  silo_error_freep (err);
  for (size_t i = 0; i < c->state->n_cgroups; i++)
    {
      free (c->state->cgroups[i].controller);
      free (c->state->cgroups[i].path);
    }
  free (c->state->cgroups);
  c->state->cgroups = NULL;
  c->state->n_cgroups = 0;
  return silo_state_save (c->dirfd, c->state, err) < 0 ? -1 : 1;
}

static int
make_cgroups (struct silo_creation *c, struct silo_error **err)
{
  if (c->cgroup == NULL)
    return 0;
  if (silo_cgroup_make (c->cgroup, c->config, err) < 0)
    {
      /* make removed what it made; what it found (another container's cgroup, when
       * cgroupsPath is shared by mistake) must not be destroyed by our undo.  */
      silo_cgroup_free (c->cgroup);
      c->cgroup = NULL;
      return skip_undelegated_cgroup (c, err) > 0 ? 0 : -1;
    }
  return 0;
}

/* ---- create: the sockets -------------------------------------------------------------- */

static int
make_start_socket (struct silo_creation *c, struct silo_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return silo_fail (err, errno, "socket");
  /* Through the directory fd: the state root may be longer than sun_path allows.  */
  snprintf (addr.sun_path, sizeof (addr.sun_path), "/proc/self/fd/%d/start.sock", c->dirfd);
  if (bind (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return silo_fail (err, errno, "bind the start socket in the state directory");
  if (listen (fd, 4) < 0)
    return silo_fail (err, errno, "listen on the start socket");
  c->start_listen = steal_fd (&fd);
  return 0;
}

static int
make_sockets (struct silo_creation *c, struct silo_error **err)
{
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return silo_fail (err, errno, "socketpair");
  c->sync_parent = pair[0];
  c->sync_child = pair[1];
  /* `run` starts the init itself, over the socketpair: nothing else ever will.  */
  return c->run_starts ? 0 : make_start_socket (c, err);
}

/* The init cannot reach host paths once it has pivoted: the connection to the seccomp
 * agent is made here and inherited.  */
static int
connect_seccomp_agent (struct silo_creation *c, struct silo_error **err)
{
  const oci_seccomp *s = c->config->linux_ != NULL ? c->config->linux_->seccomp : NULL;

  if (!silo_seccomp_uses_notify (s))
    return 0;
  c->seccomp_agent = silo_seccomp_agent_connect (s->listener_path, err);
  return c->seccomp_agent;
}

static void
count_listen_fds (struct silo_creation *c)
{
  const char *fds = getenv ("LISTEN_FDS");
  long long n;

  /* systemd socket activation: pass the fds through as runc does (3 .. 3+N-1).  */
  if (fds != NULL && parse_long (fds, &n) == 0 && n > 0 && n < 1024)
    c->listen_fds = (int) n;
}

/* ---- create: clone and the handshake ------------------------------------------------- */

/* Made here, inherited by the init with the clone: it cannot make them itself once in
 * its own user namespace (idmap.h).  Without a mount namespace nothing is mounted.  */
static int
prepare_idmapped_mounts (struct silo_creation *c, struct silo_error **err)
{
  const struct silo_ns_plan *plan = &c->plan;

  if (!plan->new_ns[OCI_NS_MOUNT] && plan->join_fd[OCI_NS_MOUNT] < 0)
    return 0;
  return silo_idmap_prepare (c->config, c->bundle,
                             plan->new_ns[OCI_NS_USER] || plan->join_fd[OCI_NS_USER] >= 0,
                             plan->join_fd[OCI_NS_USER], &c->idmap, err);
}

static int
spawn_init (struct silo_creation *c, struct silo_error **err)
{
  int saved_ns[2];
  int cgroup_fd = c->cgroup != NULL ? silo_cgroup_v2_fd (c->cgroup) : -1;
  int ret;

  /* CVE-2019-5736 / CVE-2016-9962: the init is not dumpable until its execve, so nothing in
   * the container can open /proc/<init>/exe (silo's binary) or its fds.  */
  c->user_maps = c->plan.new_ns[OCI_NS_USER] && geteuid () != 0;
  /* The init the child forks (see fork_real_init) must become ours, not the host's pid 1's,
   * when the intermediate exits.  */
  if (c->plan.child_forks_init && prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  if (!c->user_maps && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl(PR_SET_DUMPABLE)");
  if (silo_ns_parent_prepare (&c->plan, c->config->linux_, saved_ns, err) < 0)
    {
      silo_ns_parent_restore (saved_ns, NULL);
      return -1;
    }
  ret = silo_spawn (c->plan.clone_flags, cgroup_fd, &c->spawn, err);
  if (ret == 0 && c->spawn.pid == 0)
    silo_child_main (c);
  if (c->user_maps && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 && ret == 0)
    ret = silo_fail (err, errno, "prctl(PR_SET_DUMPABLE)");
  if (silo_ns_parent_restore (saved_ns, ret < 0 ? NULL : err) < 0)
    return -1;
  return ret;
}

/* The init's pid and start time, in memory: they reach the disk with "created"
 * (silo_creation_finish), as the init cannot outlive us before (PR_SET_PDEATHSIG until it
 * reports created, and it exits if our socket ends before we answer that).  Until then a
 * lockless reader tells a live create by its lock (silo_state_probe_creator).  */
int
silo_creation_note_pid (struct silo_creation *c, pid_t pid, struct silo_error **err)
{
  uint64_t start_time;

  if (silo_proc_start_time (pid, &start_time) < 0)
    return silo_fail (err, ESRCH, "the container process %d died right after clone", (int) pid);
  c->state->pid = pid;
  c->state->start_time = start_time;
  return 0;
}

/* The pid on disk at once (`restore`: its processes run on their own from the start).  */
int
silo_creation_persist_pid (struct silo_creation *c, pid_t pid, struct silo_error **err)
{
  if (silo_creation_note_pid (c, pid, err) < 0)
    return -1;
  silo_state_record_init_exe (c->state);
  if (silo_state_save_recovery (c->dirfd, c->state, err) < 0)
    return -1;
  c->recovery_saved = true;
  return silo_state_save (c->dirfd, c->state, err);
}

/* linux.netDevices go into the child's network namespace before it runs a thing.  */
static int
move_net_devices (struct silo_creation *c, struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/ns/net", (int) c->spawn.pid);
  _cleanup_close_ int netns = -1;

  if (c->config->linux_ == NULL || c->config->linux_->n_net_devices == 0)
    return 0;
  netns = c->plan.join_fd[OCI_NS_NETWORK] >= 0 ? fcntl (c->plan.join_fd[OCI_NS_NETWORK], F_DUPFD_CLOEXEC, 0)
                                                : open (path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return silo_fail (err, errno, "linux.netDevices: open the container's network namespace");
  return silo_netlink_move_devices (c->config->linux_, netns, err);
}

static int
let_child_go (struct silo_creation *c, struct silo_error **err)
{
  silo_closep (&c->sync_child);
  silo_closep (&c->start_listen);
  silo_closep (&c->seccomp_agent);
  silo_idmap_mounts_close (&c->idmap);
  silo_closep (&c->rootfs_tree);
  if (silo_creation_note_pid (c, c->spawn.pid, err) < 0)
    return -1;
  FAULT_POINT ("create-after-clone");
  if (c->cgroup != NULL && silo_cgroup_enter (c->cgroup, c->spawn.pid, c->spawn.in_cgroup, err) < 0)
    return -1;
  FAULT_POINT ("create-after-enter");   /* with the systemd driver: the scope exists */
  if (c->plan.new_ns[OCI_NS_USER] && !silo_ns_userns_unmapped (c->config->linux_)
      && silo_ns_write_id_maps (c->spawn.pid, c->config->linux_, err) < 0)
    return -1;
  if (move_net_devices (c, err) < 0)
    return -1;
  if (c->resctrl != NULL
      && silo_resctrl_apply (c->resctrl, c->id, c->config->linux_->intel_rdt, c->spawn.pid, err) < 0)
    return -1;
  return silo_sync_send (c->sync_parent, SYNC_GO, 0, NULL, 0, -1, err);
}

char *
silo_hook_state_json (const silo_state *s, const char *status)
{
  oci_state st = {
    .oci_version = s->config->oci_version, .id = s->id, .status = (char *) status,
    .bundle = s->bundle, .pid = s->pid, .annotations = s->config->annotations,
  };
  char *json = NULL;
  size_t len;
  struct silo_error *err = NULL;

  if (oci_state_generate (&st, &json, &len, &err) < 0)
    {
      silo_error_free (err);
      return xstrdup ("{}");
    }
  return json;
}

/* What a seccomp agent gets with the listener: the state as the init will have it when
 * it installs the filter (before `created`, or after `start` with noNewPrivileges).  */
static char *
seccomp_agent_json (const struct silo_creation *c)
{
  const oci_seccomp *s = c->config->linux_ != NULL ? c->config->linux_->seccomp : NULL;
  const silo_state *st = c->state;
  oci_state state = {
    .oci_version = st->config->oci_version, .id = st->id, .bundle = st->bundle, .pid = st->pid,
    .annotations = st->config->annotations,
    .status = (char *) (c->config->process->no_new_privileges ? "created" : "creating"),
  };
  char *json = NULL;
  size_t len;

  if (!silo_seccomp_uses_notify (s)
      || oci_process_state_generate (&state, s->listener_metadata, &json, &len, NULL) < 0)
    return xstrdup ("");
  return json;
}

/* The hook state for STATUS when N hooks will read it, else "": a large annotation is
 * in every such document, so none is made for nobody.  */
static char *
hook_state_for (size_t n, const silo_state *s, const char *status)
{
  return n > 0 ? silo_hook_state_json (s, status) : xstrdup ("");
}

bool
silo_creation_wants_hook_state (const oci_config *config)
{
  const oci_hooks *h = config->hooks;
  const oci_seccomp *s = config->linux_ != NULL ? config->linux_->seccomp : NULL;

  return (h != NULL && (h->n_prestart > 0 || h->n_create_runtime > 0 || h->n_create_container > 0
                        || h->n_start_container > 0))
    || silo_seccomp_uses_notify (s);
}

static int
run_create_hooks (struct silo_creation *c, struct silo_error **err)
{
  const oci_hooks *h = c->config->hooks;
  size_t n_parent = h != NULL ? h->n_prestart + h->n_create_runtime : 0;
  _cleanup_free_ char *json = hook_state_for (n_parent + (h != NULL ? h->n_create_container : 0),
                                              c->state, "creating");
  _cleanup_free_ char *created = hook_state_for (h != NULL ? h->n_start_container : 0, c->state, "created");
  _cleanup_free_ char *agent = seccomp_agent_json (c);
  _cleanup_free_ char *documents = NULL;
  size_t len = strlen (json) + 1 + strlen (created) + 1 + strlen (agent);

  if (h != NULL && silo_hooks_run (h->prestart, h->n_prestart, "prestart", json, err) < 0)
    return -1;
  if (h != NULL && silo_hooks_run (h->create_runtime, h->n_create_runtime, "createRuntime", json, err) < 0)
    return -1;
  /* For the child, NUL-separated: the state for createContainer hooks ("creating"), for
   * startContainer hooks ("created"), and for the seccomp agent; each "" when unused.  */
  documents = xmalloc0 (len + 1);
  memcpy (documents, json, strlen (json));
  memcpy (documents + strlen (json) + 1, created, strlen (created));
  memcpy (documents + strlen (json) + 1 + strlen (created) + 1, agent, strlen (agent));
  return silo_sync_send (c->sync_parent, SYNC_HOOKS_DONE, 0, documents, len, -1, err);
}

/* What the init had got through when it died without a word.  */
static const char *
stage_after (enum silo_sync_type last)
{
  switch (last)
    {
    case SYNC_HOOKS_REQUEST: return "its mounts were done";
    case SYNC_PTY: return "its terminal was set up";
    case SYNC_INIT_PID: return "its pid namespace was made";
    default: return "it reported anything (namespaces, mounts)";
    }
}

/* The init died without reporting an error (killed, or a seccomp filter that kills a
 * system call silo still makes after loading it): say how, and at which stage.  */
static int
explain_silent_death (struct silo_creation *c, enum silo_sync_type last, struct silo_error **err)
{
  struct pollfd pfd = { .fd = c->spawn.pidfd, .events = POLLIN };
  siginfo_t info = { 0 };
  const char *when = last == 0 ? "before" : "after";
  const char *name;

  if (c->spawn.pidfd < 0 || poll (&pfd, 1, 2000) <= 0
      || waitid (P_PID, (id_t) c->spawn.pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0)
    return -1;
  if (info.si_code == CLD_EXITED)
    return silo_wrap (err, "the container's init exited with status %d %s %s", info.si_status,
                      when, stage_after (last));
  name = silo_signal_name (info.si_status);
  if (info.si_status == SIGSYS)
    return silo_wrap (err, "the container's init was killed by SIGSYS %s %s: the seccomp profile "
                      "kills a system call silo makes after loading it (with noNewPrivileges "
                      "false the filter is loaded before silo sets the user and the "
                      "capabilities)", when, stage_after (last));
  return silo_wrap (err, "the container's init was killed by %s %s %s", name != NULL ? name : "a signal",
                    when, stage_after (last));
}

static int
serve_child (struct silo_creation *c, struct silo_error **err)
{
  enum silo_sync_type last = 0;

  for (;;)
    {
      struct silo_sync_msg m;
      int ret = 0;

      if (silo_sync_next (c->sync_parent, c->spawn.pidfd, "the container to be created", &m, err) < 0)
        {
          if ((*err)->errnum == EPIPE || (*err)->errnum == ECHILD)
            explain_silent_death (c, last, err);
          return -1;
        }
      last = m.type;
      switch (m.type)
        {
        case SYNC_HOOKS_REQUEST:
          ret = silo_creation_wants_hook_state (c->config) ? run_create_hooks (c, err) : 0;
          break;
        case SYNC_PTY:
          c->pty_master = steal_fd (&m.fd);
          break;
        case SYNC_INIT_PID:
          ret = silo_creation_note_pid (c, (pid_t) atoi (m.data), err);
          if (ret == 0)
            {
              /* the intermediate child exits once it has reported the init's pid */
              waitpid (c->spawn.pid, NULL, 0);
              silo_closep (&c->spawn.pidfd);
              c->spawn.pid = c->state->pid;
              ret = c->spawn.pidfd = silo_pidfd_open_checked (c->spawn.pid, c->state->start_time, err);
            }
          break;
        case SYNC_CREATED:
          silo_sync_msg_clear (&m);
          return 0;
        default:
          ret = silo_fail (err, EPROTO, "unexpected sync message %d from the container", (int) m.type);
        }
      silo_sync_msg_clear (&m);
      if (ret < 0)
        return -1;
    }
}

int
silo_write_pid_file (const char *path, pid_t pid, struct silo_error **err)
{
  _cleanup_free_ char *dir = xstrdup (path);
  _cleanup_free_ char *text = xasprintf ("%d", (int) pid);
  char *slash = strrchr (dir, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  _cleanup_close_ int dirfd = -1;

  if (slash == dir)
    dirfd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  else if (slash != NULL)
    {
      *slash = '\0';
      dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  else
    dirfd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return silo_fail (err, errno, "--pid-file `%s`: open its directory", path);
  if (write_file_atomic_at (dirfd, name, text, strlen (text), 0644, SILO_VOLATILE, err) < 0)
    return silo_wrap (err, "--pid-file `%s`", path);
  return 0;
}

int
silo_creation_finish (struct silo_creation *c, struct silo_error **err)
{
  if (c->pty_master >= 0 && c->opts->console_socket != NULL)
    {
      if (silo_terminal_send_to_console_socket (c->opts->console_socket, c->pty_master, err) < 0)
        return -1;
      silo_closep (&c->pty_master);
    }
  FAULT_POINT ("create-before-created");
  free (c->state->status);
  c->state->status = xstrdup ("created");
  if (!c->recovery_saved)
    {
      /* The init is still silo's binary: what it runs next tells that it called execve.  */
      silo_state_record_init_exe (c->state);
      if (silo_state_save_recovery (c->dirfd, c->state, err) < 0)
        return -1;
      c->recovery_saved = true;
    }
  if (silo_state_save (c->dirfd, c->state, err) < 0)
    return -1;
  if (c->opts->pid_file != NULL && silo_write_pid_file (c->opts->pid_file, c->state->pid, err) < 0)
    return -1;
  FAULT_POINT ("create-after-created");
  return 0;
}

/* The init may outlive us from here: it is on disk.  `run` answers SYNC_START instead,
 * on the same socket (container-ops.c).  */
static int
release_init (struct silo_creation *c, struct silo_error **err)
{
  if (c->run_starts)
    return 0;
  return silo_sync_send (c->sync_parent, SYNC_RECORDED, 0, NULL, 0, -1, err);
}

/* ---- create: undo ------------------------------------------------------------------- */

static void
undo_creation (struct silo_creation *c)
{
  struct silo_error *err = NULL;

  if (c->spawn.pidfd >= 0)
    {
      silo_pidfd_send_signal (c->spawn.pidfd, SIGKILL, NULL);
      if (c->spawn.pid > 0)
        waitpid (c->spawn.pid, NULL, 0);
    }
  if (c->cgroup != NULL && silo_cgroup_destroy (c->cgroup, &err) < 0)
    {
      silo_log_warning ("%s", err->msg);
      silo_error_freep (&err);
    }
  if (c->resctrl != NULL && silo_resctrl_remove (c->resctrl, c->id, c->config->linux_->intel_rdt, &err) < 0)
    {
      silo_log_warning ("%s", err->msg);
      silo_error_freep (&err);
    }
  if (c->dirfd >= 0 && silo_state_remove_dir (c->ctx->root, c->id, &err) < 0)
    {
      silo_log_warning ("%s", err->msg);
      silo_error_freep (&err);
    }
}

void
silo_creation_release (struct silo_creation *c)
{
  silo_ns_plan_close (&c->plan);
  silo_closep (&c->sync_parent);
  silo_closep (&c->sync_child);
  silo_closep (&c->start_listen);
  silo_closep (&c->spawn.pidfd);
  silo_closep (&c->pty_master);
  silo_closep (&c->dirfd);
  silo_closep (&c->seccomp_agent);
  silo_closep (&c->rootfs_tree);
  silo_idmap_mounts_close (&c->idmap);
  silo_rootfs_plan_release (&c->rootfs_plan);
  silo_seccomp_filter_release (&c->seccomp);
  free (c->resctrl);
  c->resctrl = NULL;
  if (c->cgroup != NULL)
    silo_cgroup_free (c->cgroup);
  c->cgroup = NULL;
  if (c->state != NULL)
    silo_state_free (c->state);
  else
    oci_config_free (c->config);
  c->state = NULL;
  c->config = NULL;
  free (c->bundle);
  c->bundle = NULL;
}

static int
creation_stages (struct silo_creation *c, struct silo_error **err)
{
  if (plan_cgroups (c, err) < 0 || persist_creating (c, err) < 0)
    return -1;
  silo_log_stage ("state");
  FAULT_POINT ("create-after-state");
  if (make_cgroups (c, err) < 0)
    return -1;
  silo_log_stage ("cgroups");
  FAULT_POINT ("create-after-cgroup");
#ifdef SILO_HAVE_CRIU
  /* `restore`: CRIU makes the processes (container-checkpoint.c).  */
  if (c->restore != NULL)
    return silo_restore_processes (c, err);
#endif
  if (make_sockets (c, err) < 0)
    return -1;
  count_listen_fds (c);
  if (connect_seccomp_agent (c, err) < 0 || prepare_idmapped_mounts (c, err) < 0)
    return -1;
  if (spawn_init (c, err) < 0 || let_child_go (c, err) < 0)
    return -1;
  silo_log_stage ("clone");
  if (serve_child (c, err) < 0)
    return -1;
  silo_log_stage ("child-setup");
  if (silo_creation_finish (c, err) < 0 || release_init (c, err) < 0)
    return -1;
  silo_log_stage ("created");
  return 0;
}

int
silo_creation_make (struct silo_creation *c, struct silo_error **err)
{
  if (!c->premade)
    c->dirfd = c->rootfs_tree = -1;
  c->sync_parent = c->sync_child = c->start_listen = c->pty_master = -1;
  c->seccomp_agent = -1;
  c->spawn.pidfd = -1;
  for (int i = 0; i < OCI_NS__COUNT; i++)
    c->plan.join_fd[i] = -1;
  silo_log_stage ("start");
  if (silo_validate_id (c->id, err) < 0)
    return -1;
  int r = load_config (c, err);
  if (r == 0)
    {
      silo_log_stage ("parse");
      r = validate_config (c, err);
    }
  if (r < 0)
    {
      if (c->premade)
        undo_creation (c);   /* removes the state directory quick-run made */
      return -1;
    }
  silo_log_stage ("validate");
  if (!c->premade)
    c->dirfd = silo_state_create_dir (c->ctx->root, c->id, err);
  if (c->dirfd < 0)
    return -1;
  if (creation_stages (c, err) < 0)
    {
      undo_creation (c);
      return -1;
    }
  return 0;
}

int
silo_container_create (const struct silo_context *ctx, const char *id,
                       const struct silo_create_options *opts, struct silo_error **err)
{
  struct silo_creation c = { .ctx = ctx, .opts = opts, .id = id };
  int ret = silo_creation_make (&c, err);

  silo_creation_release (&c);
  if (ret < 0)
    return silo_wrap (err, "create container `%s`", id);
  return 0;
}
