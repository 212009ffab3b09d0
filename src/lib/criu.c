/* silo: CRIU requests, as CRIU's RPC messages (see criu.h for what silo hands over, and
 * why; criu-rpc.h for how they travel).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "criu-library.h"
#include "criu-rpc.h"
#include "log.h"
#include "rootfs-plan.h"
#include "util.h"

/* The keys under which an external namespace is dumped and found again on restore.  */
#define NETNS_KEY "silo-netns"
#define PIDNS_KEY "silo-pidns"

/* CRIU's own log: 4 is what a failure report needs (each step, each error).  */
#define CRIU_LOG_LEVEL 4

/* The request's options; every string and list in them is the request's own, freed by
 * request_release.  */
struct criu_request
{
  CriuOpts opts;
  CriuPageServerInfo page_server;
  int images, work;            /* directories */
  int inherited[2];            /* copies of the namespace fds criu swrk inherits */
  const char *work_path;       /* for messages */
  const char *log;             /* its name in work */
};

static void
request_release (struct criu_request *r)
{
  CriuOpts *o = &r->opts;

  for (size_t i = 0; i < o->n_ext_mnt; i++)
    {
      free (o->ext_mnt[i]->key);
      free (o->ext_mnt[i]->val);
      free (o->ext_mnt[i]);
    }
  for (size_t i = 0; i < o->n_inherit_fd; i++)
    {
      free (o->inherit_fd[i]->key);
      free (o->inherit_fd[i]);
    }
  for (size_t i = 0; i < o->n_cg_root; i++)
    {
      free (o->cg_root[i]->path);
      free (o->cg_root[i]);
    }
  for (size_t i = 0; i < o->n_external; i++)
    free (o->external[i]);
  free (o->ext_mnt);
  free (o->inherit_fd);
  free (o->cg_root);
  free (o->external);
  free (o->log_file);
  free (o->freeze_cgroup);
  free (o->parent_img);
  free (o->root);
  free (r->page_server.address);
  memset (o, 0, sizeof (*o));
  memset (&r->page_server, 0, sizeof (r->page_server));
  silo_closep (&r->images);
  silo_closep (&r->work);
  silo_closep (&r->inherited[0]);
  silo_closep (&r->inherited[1]);
}

/* ---- the repeated fields of CriuOpts ------------------------------------------------------ */

static void
add_ext_mount (CriuOpts *o, const char *key, const char *value)
{
  ExtMountMap *m = xmalloc0 (sizeof (*m));

  CRIU (ext_mount_map__init) (m);
  m->key = xstrdup (key);
  m->val = xstrdup (value);
  o->ext_mnt = xrealloc (o->ext_mnt, (o->n_ext_mnt + 1) * sizeof (*o->ext_mnt));
  o->ext_mnt[o->n_ext_mnt++] = m;
}

static void
add_external (CriuOpts *o, const char *external)
{
  o->external = xrealloc (o->external, (o->n_external + 1) * sizeof (*o->external));
  o->external[o->n_external++] = xstrdup (external);
}

static void
add_inherit_fd (CriuOpts *o, int fd, const char *key)
{
  InheritFd *i = xmalloc0 (sizeof (*i));

  CRIU (inherit_fd__init) (i);
  i->fd = fd;
  i->key = xstrdup (key);
  o->inherit_fd = xrealloc (o->inherit_fd, (o->n_inherit_fd + 1) * sizeof (*o->inherit_fd));
  o->inherit_fd[o->n_inherit_fd++] = i;
}

/* Every controller's root (ctrl left out).  */
static void
add_cgroup_root (CriuOpts *o, const char *path)
{
  CgroupRoot *c = xmalloc0 (sizeof (*c));

  CRIU (cgroup_root__init) (c);
  c->path = xstrdup (path);
  o->cg_root = xrealloc (o->cg_root, (o->n_cg_root + 1) * sizeof (*o->cg_root));
  o->cg_root[o->n_cg_root++] = c;
}

static int
open_dir (const char *path, const char *option, bool create, struct silo_error **err)
{
  int fd;

  if (create && mkdir_p_at (AT_FDCWD, path, 0700, err) < 0)
    return silo_wrap (err, "--%s `%s`", option, path);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return silo_fail (err, errno, "--%s `%s`%s", option, path,
                      errno == ENOENT ? ": no such directory (are the images there?)" : "");
  return fd;
}

/* Lines CRIU logs as errors on the way that are not why it failed: probes for optional
 * programs (iptables-save) and the exit status of such a probe.  */
static bool
log_noise (const char *msg)
{
  return strncmp (msg, "execvp(", 7) == 0 || strncmp (msg, "exited, status=", 15) == 0
         || strstr (msg, " -V failed") != NULL;
}

/* CRIU reports failures in its log: "(00.123456) Error (criu/mount.c:12): what failed".
 * The last three (the cause comes just before "Dumping FAILED."), without their prefixes,
 * make the message.  */
static char *
log_errors (const struct criu_request *r)
{
  _cleanup_free_ char *text = NULL;
  struct silo_error *ignored = NULL;
  const char *last[3] = { NULL, NULL, NULL };
  char *save = NULL;

  if (read_file_at (r->work, r->log, &text, NULL, &ignored) < 0)
    {
      silo_error_free (ignored);
      return xstrdup ("");
    }
  for (char *line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char *e = strstr (line, "Error (");
      char *msg = e != NULL ? strstr (e, "): ") : NULL;
      if (msg == NULL || log_noise (msg + 3))
        continue;
      last[0] = last[1];
      last[1] = last[2];
      last[2] = msg + 3;
    }
  for (int i = 0; i < 3; i++)
    if (last[i] != NULL)
      return xasprintf (": %s%s%s%s%s", last[i], i < 2 ? "; " : "", i < 2 ? last[i + 1] : "",
                        i < 1 ? "; " : "", i < 1 ? last[2] : "");
  return xstrdup ("");
}

/* A request CRIU answered with success false (or without an answer to a restore).  */
static int
request_failed (const struct criu_request *r, const char *what, const CriuResp *resp,
                struct silo_error **err)
{
  _cleanup_free_ char *errors = log_errors (r);
  int errnum = resp != NULL && resp->has_cr_errno ? resp->cr_errno : 0;

  /* CRIU's own summary, when its log has no error line.  */
  if (errors[0] == '\0' && resp != NULL && resp->cr_errmsg != NULL)
    {
      free (errors);
      errors = xasprintf (": %s", resp->cr_errmsg);
    }
  return silo_fail (err, errnum, "CRIU %s failed%s (log: %s/%s)", what,
                    errors[0] != '\0' ? errors : " without a logged error", r->work_path, r->log);
}

static CriuCgMode
cgroup_mode (enum silo_criu_cgroup_mode m)
{
  switch (m)
    {
    case SILO_CRIU_CGROUP_SOFT: return CRIU_CG_MODE__SOFT;
    case SILO_CRIU_CGROUP_FULL: return CRIU_CG_MODE__FULL;
    case SILO_CRIU_CGROUP_STRICT: return CRIU_CG_MODE__STRICT;
    case SILO_CRIU_CGROUP_IGNORE: return CRIU_CG_MODE__IGNORE;
    default: return CRIU_CG_MODE__DEFAULT;
    }
}

#define SET(o, field, value) ((o)->has_##field = true, (o)->field = (value))

static void
set_shared_flags (CriuOpts *o, const struct silo_criu_options *c)
{
  SET (o, log_level, CRIU_LOG_LEVEL);
  SET (o, tcp_established, c->tcp_established);
  SET (o, ext_unix_sk, c->ext_unix_sk);
  SET (o, shell_job, c->shell_job);
  SET (o, file_locks, c->file_locks);
  SET (o, auto_dedup, c->auto_dedup);
  /* CRIU cuts a network namespace it dumps or restores off with firewall rules; through
   * nftables (libnftables, linked into criu) rather than CRIU's default, which runs the
   * iptables-restore program that many hosts no longer have.  */
  SET (o, network_lock, CRIU_NETWORK_LOCK_METHOD__NFTABLES);
  SET (o, manage_cgroups, true);
  if (c->cgroup_mode != SILO_CRIU_CGROUP_DEFAULT)
    SET (o, manage_cgroups_mode, cgroup_mode (c->cgroup_mode));
  if (c->lazy_pages)
    SET (o, lazy_pages, true);
  /* The action scripts' notifications: the restored terminal's master comes with one,
   * a lazy dump's readiness with another (criu-rpc.h).  */
  SET (o, notify_scripts, true);
}

/* Directories, log and the flags dump and restore share.  */
static int
request_init (struct criu_request *r, const struct silo_criu_options *c, const char *log,
              bool dump, struct silo_error **err)
{
  const char *image_path = c->image_path != NULL ? c->image_path : "checkpoint";

  r->images = r->work = r->inherited[0] = r->inherited[1] = -1;
  r->log = log;
  r->work_path = c->work_path != NULL ? c->work_path : image_path;
  if (silo_criu_library_load (err) < 0)
    return -1;
  CRIU (criu_opts__init) (&r->opts);
  CRIU (criu_page_server_info__init) (&r->page_server);
  r->images = open_dir (image_path, "image-path", dump, err);
  if (r->images < 0)
    return -1;
  r->work = c->work_path != NULL ? open_dir (c->work_path, "work-path", true, err)
                                 : fcntl (r->images, F_DUPFD_CLOEXEC, 0);
  if (r->work < 0)
    return -1;
  /* Numbers in silo's table: CRIU opens them through /proc/SILO/fd.  */
  r->opts.images_dir_fd = r->images;
  SET (&r->opts, work_dir_fd, r->work);
  r->opts.log_file = xstrdup (log);
  set_shared_flags (&r->opts, c);
  return 0;
}

/* Every bind mount of the config is external: on dump its destination names it in the
 * images; on restore that name maps to the source.  */
static void
add_bind_mounts (CriuOpts *o, const struct silo_rootfs_plan *plan, bool dump)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct silo_mount_step *step = &plan->steps[i];
      if (step->kind != SILO_STEP_BIND)
        continue;
      add_ext_mount (o, step->destination, dump ? step->destination : step->source);
    }
}

/* "net[4026532008]:silo-netns": the namespace of type `ns` the init is in.  */
static int
add_external_namespace (CriuOpts *o, pid_t pid, const char *ns, const char *key,
                        struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/ns/%s", (int) pid, ns);
  _cleanup_free_ char *external = NULL;
  struct stat st;

  if (stat (path, &st) < 0)
    return silo_fail (err, errno, "CRIU: stat %s", path);
  external = xasprintf ("%s[%llu]:%s", ns, (unsigned long long) st.st_ino, key);
  add_external (o, external);
  return 0;
}

/* Whether mount mnt_id is in the mount namespace of pid (a line of its mountinfo starts
 * with that id).  */
static bool
mount_in_namespace (pid_t pid, int mnt_id)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/mountinfo", (int) pid);
  _cleanup_free_ char *text = NULL;
  struct silo_error *ignored = NULL;
  char *save = NULL;

  if (read_file_at (AT_FDCWD, path, &text, NULL, &ignored) < 0)
    {
      silo_error_free (ignored);
      return false;
    }
  for (char *line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    if (atoi (line) == mnt_id)
      return true;
  return false;
}

/* What CRIU knows the init's stdio fd by: a pipe by "pipe:[INODE]"; a file or device on
 * a mount outside the container's mount namespace (silo's caller's /dev/null, a log file)
 * by "file[MNT_ID:INODE]" in hex, which the dump declares external; anything else by its
 * path (nothing to do).  */
static char *
stdio_key (pid_t pid, int fd)
{
  _cleanup_free_ char *link = xasprintf ("/proc/%d/fd/%d", (int) pid, fd);
  _cleanup_free_ char *fdinfo = xasprintf ("/proc/%d/fdinfo/%d", (int) pid, fd);
  _cleanup_free_ char *info = NULL;
  struct silo_error *ignored = NULL;
  char target[PATH_MAX];
  ssize_t n = readlink (link, target, sizeof (target) - 1);
  const char *mnt;
  struct stat st;

  target[n > 0 ? n : 0] = '\0';
  if (target[0] != '/' || stat (link, &st) < 0
      || read_file_at (AT_FDCWD, fdinfo, &info, NULL, &ignored) < 0
      || (mnt = strstr (info, "mnt_id:")) == NULL)
    {
      silo_error_free (ignored);
      return xstrdup (target);
    }
  int mnt_id = atoi (mnt + strlen ("mnt_id:"));
  if (mount_in_namespace (pid, mnt_id))
    return xstrdup (target);
  return xasprintf ("file[%x:%llx]", (unsigned) mnt_id, (unsigned long long) st.st_ino);
}

/* descriptors.json: the keys of fds 0-2; the files outside become external.  */
static int
dump_stdio (struct criu_request *r, pid_t pid, struct silo_error **err)
{
  oci_json_writer *w = oci_json_writer_new (false);
  _cleanup_free_ char *json = NULL;

  oci_json_begin_array (w);
  for (int fd = 0; fd < 3; fd++)
    {
      _cleanup_free_ char *key = stdio_key (pid, fd);
      if (strncmp (key, "file[", 5) == 0)
        add_external (&r->opts, key);
      oci_json_string (w, key);
    }
  oci_json_end_array (w);
  json = oci_json_writer_finish (w, NULL);
  return write_file_atomic_at (r->images, SILO_CRIU_DESCRIPTORS, json, strlen (json), 0600, SILO_DURABLE, err);
}

/* "HOST:PORT" was checked by the command; split it at the last colon.  */
static int
set_page_server (struct criu_request *r, const char *page_server, struct silo_error **err)
{
  _cleanup_free_ char *address = xstrdup (page_server);
  char *colon = strrchr (address, ':');
  long long port;

  if (colon == NULL || parse_long (colon + 1, &port) < 0 || port < 1 || port > 65535)
    return silo_fail (err, EINVAL, "--page-server `%s`: expected ADDRESS:PORT", page_server);
  *colon = '\0';
  r->page_server.address = steal_pointer (&address);
  SET (&r->page_server, port, (int32_t) port);
  r->opts.ps = &r->page_server;
  return 0;
}

/* CRIU reads the parent images relative to the image directory.  */
static bool
parent_exists (int images, const char *parent)
{
  struct stat st;

  if (fstatat (images, parent, &st, 0) < 0)
    return false;
  errno = ENOTDIR;
  return S_ISDIR (st.st_mode);
}

static int
dump_options (struct criu_request *r, const struct silo_criu_dump *d, struct silo_error **err)
{
  const struct silo_checkpoint_options *o = d->opts;
  CriuOpts *opts = &r->opts;

  SET (opts, pid, d->pid);
  SET (opts, leave_running, o->leave_running);
  opts->freeze_cgroup = xstrdup (d->freezer);
  /* A pre-dump records which pages change after it; the dump on top of it needs that.  */
  SET (opts, track_mem, o->pre_dump || o->parent_path != NULL);
  if (o->parent_path != NULL && !parent_exists (r->images, o->parent_path))
    return silo_fail (err, errno, "--parent-path `%s`: no pre-dump directory there (a relative "
                      "path is relative to the image path)", o->parent_path);
  opts->parent_img = xstrdup (o->parent_path);
  if (o->page_server != NULL && set_page_server (r, o->page_server, err) < 0)
    return -1;
  if (d->config->process != NULL && d->config->process->terminal)
    SET (opts, orphan_pts_master, true);
  if (d->external_netns && add_external_namespace (opts, d->pid, "net", NETNS_KEY, err) < 0)
    return -1;
  if (d->external_pidns && add_external_namespace (opts, d->pid, "pid", PIDNS_KEY, err) < 0)
    return -1;
  add_bind_mounts (opts, d->plan, true);
  return 0;
}

/* Send the request; a failure's message comes from CRIU's log.  */
static int
request_send (struct criu_request *r, CriuReqType type, const char *what,
              struct silo_criu_call *call, CriuResp **resp, struct silo_error **err)
{
  CriuReq req;

  CRIU (criu_req__init) (&req);
  req.type = type;
  req.opts = &r->opts;
  if (silo_criu_rpc_call (&req, call, resp, err) < 0)
    return silo_wrap (err, "CRIU %s (log: %s/%s)", what, r->work_path, r->log);
  if (!(*resp)->success || (*resp)->type != type)
    {
      request_failed (r, what, *resp, err);
      CRIU (criu_resp__free_unpacked) (*resp, NULL);
      *resp = NULL;
      silo_closep (&call->pty_master);
      return -1;
    }
  return 0;
}

int
silo_criu_dump (const struct silo_criu_dump *d, struct silo_error **err)
{
  const struct silo_checkpoint_options *o = d->opts;
  const char *what = o->pre_dump ? "pre-dump" : "dump";
  _cleanup_free_ char *log = xasprintf ("%s.log", what);
  /* A lazy dump's page server is ready: tell the caller, as runc does.  */
  struct silo_criu_call call = { .status_fd = o->criu.lazy_pages ? o->status_fd : -1 };
  struct criu_request r = { 0 };
  CriuResp *resp = NULL;
  int ret;

  ret = request_init (&r, &o->criu, log, true, err);
  if (ret == 0)
    ret = dump_options (&r, d, err);
  if (ret == 0 && !o->pre_dump)
    ret = dump_stdio (&r, d->pid, err);
  if (ret == 0)
    ret = request_send (&r, o->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP, what,
                        &call, &resp, err);
  if (resp != NULL)
    CRIU (criu_resp__free_unpacked) (resp, NULL);
  silo_closep (&call.pty_master);
  request_release (&r);
  return ret < 0 ? -1 : 0;
}

/* Lazy pages need userfaultfd, non-cooperative (CONFIG_USERFAULTFD, Linux 4.11 or
 * later): asked of CRIU before a lazy dump, which would otherwise fail half-way.  */
int
silo_criu_check_lazy_pages (struct silo_error **err)
{
  struct silo_criu_call call = { .status_fd = -1 };
  CriuFeatures features;
  CriuResp *resp = NULL;
  CriuReq req;
  bool supported;

  if (silo_criu_library_load (err) < 0)
    return -1;
  CRIU (criu_features__init) (&features);
  features.has_lazy_pages = true;
  features.lazy_pages = true;
  CRIU (criu_req__init) (&req);
  req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
  req.features = &features;
  if (silo_criu_rpc_call (&req, &call, &resp, err) < 0)
    return silo_wrap (err, "--lazy-pages: ask CRIU whether the kernel can");
  supported = resp->success && resp->features != NULL && resp->features->has_lazy_pages
              && resp->features->lazy_pages;
  CRIU (criu_resp__free_unpacked) (resp, NULL);
  silo_closep (&call.pty_master);
  if (!supported)
    return silo_fail (err, ENOTSUP, "--lazy-pages: CRIU cannot serve lazy pages on this kernel "
                      "(it needs userfaultfd with non-cooperative events: CONFIG_USERFAULTFD, "
                      "Linux 4.11 or later)");
  return 0;
}

/* ---- restore -------------------------------------------------------------------------- */

/* A pipe or an outside file the init had as fd 0-2 becomes silo's own fd of that number,
 * so whoever runs `restore` gets the container's input and output.  */
static int
restore_stdio (struct criu_request *r, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  _cleanup_strv_ char **targets = NULL;
  size_t len;

  if (read_file_at (r->images, SILO_CRIU_DESCRIPTORS, &text, &len, err) < 0)
    return silo_wrap (err, "the checkpoint's %s (made by `silo checkpoint`)", SILO_CRIU_DESCRIPTORS);
  if (oci_json_string_array_parse (text, len, &targets, err) < 0)
    return silo_wrap (err, "the checkpoint's %s", SILO_CRIU_DESCRIPTORS);
  for (int fd = 0; fd < 3 && targets[fd] != NULL; fd++)
    if (strncmp (targets[fd], "pipe:", 5) == 0 || strncmp (targets[fd], "file[", 5) == 0)
      add_inherit_fd (&r->opts, fd, targets[fd]);
  return 0;
}

/* criu swrk takes an inherited fd by its number in its own table: it must survive the
 * exec, so it is a copy without O_CLOEXEC, closed after the request.  */
static int
add_inherited (struct criu_request *r, int slot, int fd, const char *key, struct silo_error **err)
{
  r->inherited[slot] = fcntl (fd, F_DUPFD, 3);
  if (r->inherited[slot] < 0)
    return silo_fail (err, errno, "CRIU: pass on the %s namespace", key);
  add_inherit_fd (&r->opts, r->inherited[slot], key);
  return 0;
}

static int
restore_options (struct criu_request *r, const struct silo_criu_restore *x, struct silo_error **err)
{
  r->opts.root = xstrdup (x->root);
  if (x->cgroup != NULL)
    add_cgroup_root (&r->opts, x->cgroup);
  if (x->netns >= 0 && add_inherited (r, 0, x->netns, NETNS_KEY, err) < 0)
    return -1;
  if (x->pidns >= 0 && add_inherited (r, 1, x->pidns, PIDNS_KEY, err) < 0)
    return -1;
  if (x->config->process != NULL && x->config->process->terminal)
    SET (&r->opts, orphan_pts_master, true);
  /* The restored init is forked as our child (a sibling of criu swrk), not criu's.  */
  SET (&r->opts, rst_sibling, true);
  add_bind_mounts (&r->opts, x->plan, false);
  return restore_stdio (r, err);
}

int
silo_criu_restore (struct silo_criu_restore *x, struct silo_error **err)
{
  struct silo_criu_call call = { .status_fd = -1 };
  struct criu_request r = { 0 };
  CriuResp *resp = NULL;
  int ret;

  x->pid = 0;
  x->pty_master = -1;
  ret = request_init (&r, &x->opts->criu, "restore.log", false, err);
  if (ret == 0)
    ret = restore_options (&r, x, err);
  if (ret == 0)
    ret = request_send (&r, CRIU_REQ_TYPE__RESTORE, "restore", &call, &resp, err);
  if (ret == 0 && (resp->restore == NULL || resp->restore->pid <= 0))
    ret = silo_fail (err, EBADMSG, "CRIU restore answered without the restored process's pid "
                     "(log: %s/%s)", r.work_path, r.log);
  if (ret == 0)
    {
      x->pid = (pid_t) resp->restore->pid;
      x->pty_master = steal_fd (&call.pty_master);
    }
  if (resp != NULL)
    CRIU (criu_resp__free_unpacked) (resp, NULL);
  silo_closep (&call.pty_master);
  request_release (&r);
  return ret;
}
