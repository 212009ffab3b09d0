/* silo: CRIU requests through libcriu (see criu.h for what silo hands over, and why).
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
#include "log.h"
#include "rootfs-plan.h"
#include "util.h"

/* The keys under which an external namespace is dumped and found again on restore.  */
#define NETNS_KEY "silo-netns"
#define PIDNS_KEY "silo-pidns"

/* CRIU's own log: 4 is what a failure report needs (each step, each error).  */
#define CRIU_LOG_LEVEL 4

struct criu_request
{
  criu_opts *opts;
  int images, work;            /* directories */
  int inherited[2];            /* copies of the namespace fds criu swrk inherits */
  const char *work_path;       /* for messages */
  const char *log;             /* its name in work */
};

static void
request_release (struct criu_request *r)
{
  if (r->opts != NULL)
    CRIU (criu_local_free_opts) (r->opts);
  r->opts = NULL;
  silo_closep (&r->images);
  silo_closep (&r->work);
  silo_closep (&r->inherited[0]);
  silo_closep (&r->inherited[1]);
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

static int
request_failed (const struct criu_request *r, const char *what, int ret, struct silo_error **err)
{
  _cleanup_free_ char *errors = log_errors (r);

  if (errors[0] == '\0' && (ret == -ECOMM || ret == -EPIPE || ret == -ECONNREFUSED))
    return silo_fail (err, -ret, "CRIU %s: cannot run `criu swrk` (is the criu program "
                      "installed and in PATH?)", what);
  return silo_fail (err, ret == -EBADE ? 0 : -ret, "CRIU %s failed%s (log: %s/%s)", what,
                    errors[0] != '\0' ? errors : " without a logged error", r->work_path, r->log);
}

static enum criu_cg_mode
cgroup_mode (enum silo_criu_cgroup_mode m)
{
  switch (m)
    {
    case SILO_CRIU_CGROUP_SOFT: return CRIU_CG_MODE_SOFT;
    case SILO_CRIU_CGROUP_FULL: return CRIU_CG_MODE_FULL;
    case SILO_CRIU_CGROUP_STRICT: return CRIU_CG_MODE_STRICT;
    case SILO_CRIU_CGROUP_IGNORE: return CRIU_CG_MODE_IGNORE;
    default: return CRIU_CG_MODE_DEFAULT;
    }
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
  if (CRIU (criu_local_init_opts) (&r->opts) < 0)
    return silo_fail (err, ENOMEM, "CRIU: cannot make a request");
  r->images = open_dir (image_path, "image-path", dump, err);
  if (r->images < 0)
    return -1;
  r->work = c->work_path != NULL ? open_dir (c->work_path, "work-path", true, err)
                                 : fcntl (r->images, F_DUPFD_CLOEXEC, 0);
  if (r->work < 0)
    return -1;
  CRIU (criu_local_set_images_dir_fd) (r->opts, r->images);
  CRIU (criu_local_set_work_dir_fd) (r->opts, r->work);
  CRIU (criu_local_set_log_level) (r->opts, CRIU_LOG_LEVEL);
  if (CRIU (criu_local_set_log_file) (r->opts, log) < 0)
    return silo_fail (err, ENOMEM, "CRIU: cannot set the log file");
  CRIU (criu_local_set_tcp_established) (r->opts, c->tcp_established);
  CRIU (criu_local_set_ext_unix_sk) (r->opts, c->ext_unix_sk);
  CRIU (criu_local_set_shell_job) (r->opts, c->shell_job);
  CRIU (criu_local_set_file_locks) (r->opts, c->file_locks);
  CRIU (criu_local_set_auto_dedup) (r->opts, c->auto_dedup);
  /* CRIU cuts a network namespace it dumps or restores off with firewall rules; through
   * nftables (libnftables, linked into criu) rather than CRIU's default, which runs the
   * iptables-restore program that many hosts no longer have.  */
  if (CRIU (criu_local_set_network_lock) (r->opts, CRIU_NETWORK_LOCK_NFTABLES) < 0)
    return silo_fail (err, ENOMEM, "CRIU: network lock");
  CRIU (criu_local_set_manage_cgroups) (r->opts, true);
  if (c->cgroup_mode != SILO_CRIU_CGROUP_DEFAULT)
    CRIU (criu_local_set_manage_cgroups_mode) (r->opts, cgroup_mode (c->cgroup_mode));
  return 0;
}

/* Every bind mount of the config is external: on dump its destination names it in the
 * images; on restore that name maps to the source.  */
static int
add_bind_mounts (criu_opts *o, const struct silo_rootfs_plan *plan, bool dump,
                 struct silo_error **err)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct silo_mount_step *step = &plan->steps[i];
      if (step->kind != SILO_STEP_BIND)
        continue;
      if (CRIU (criu_local_add_ext_mount) (o, step->destination, dump ? step->destination : step->source) < 0)
        return silo_fail (err, ENOMEM, "CRIU: mounts[%zu] (%s) as an external mount", step->index,
                          step->destination);
    }
  return 0;
}

/* "net[4026532008]:silo-netns": the namespace of type `ns` the init is in.  */
static int
add_external_namespace (criu_opts *o, pid_t pid, const char *ns, const char *key,
                        struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/ns/%s", (int) pid, ns);
  _cleanup_free_ char *external = NULL;
  struct stat st;

  if (stat (path, &st) < 0)
    return silo_fail (err, errno, "CRIU: stat %s", path);
  external = xasprintf ("%s[%llu]:%s", ns, (unsigned long long) st.st_ino, key);
  if (CRIU (criu_local_add_external) (o, external) < 0)
    return silo_fail (err, ENOMEM, "CRIU: external namespace %s", external);
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
dump_stdio (const struct criu_request *r, pid_t pid, struct silo_error **err)
{
  oci_json_writer *w = oci_json_writer_new (false);
  _cleanup_free_ char *json = NULL;

  oci_json_begin_array (w);
  for (int fd = 0; fd < 3; fd++)
    {
      _cleanup_free_ char *key = stdio_key (pid, fd);
      if (strncmp (key, "file[", 5) == 0 && CRIU (criu_local_add_external) (r->opts, key) < 0)
        {
          free (oci_json_writer_finish (w, NULL));
          return silo_fail (err, ENOMEM, "CRIU: external file %s", key);
        }
      oci_json_string (w, key);
    }
  oci_json_end_array (w);
  json = oci_json_writer_finish (w, NULL);
  return write_file_atomic_at (r->images, SILO_CRIU_DESCRIPTORS, json, strlen (json), 0600, SILO_DURABLE, err);
}

/* "HOST:PORT" was checked by the command; split it at the last colon.  */
static int
set_page_server (criu_opts *o, const char *page_server, struct silo_error **err)
{
  _cleanup_free_ char *address = xstrdup (page_server);
  char *colon = strrchr (address, ':');
  long long port;

  if (colon == NULL || parse_long (colon + 1, &port) < 0 || port < 1 || port > 65535)
    return silo_fail (err, EINVAL, "--page-server `%s`: expected ADDRESS:PORT", page_server);
  *colon = '\0';
  if (CRIU (criu_local_set_page_server_address_port) (o, address, (int) port) < 0)
    return silo_fail (err, ENOMEM, "--page-server `%s`", page_server);
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

  CRIU (criu_local_set_pid) (r->opts, d->pid);
  CRIU (criu_local_set_leave_running) (r->opts, o->leave_running);
  if (d->freezer != NULL && CRIU (criu_local_set_freeze_cgroup) (r->opts, d->freezer) < 0)
    return silo_fail (err, ENOMEM, "CRIU: freezer cgroup");
  /* A pre-dump records which pages change after it; the dump on top of it needs that.  */
  CRIU (criu_local_set_track_mem) (r->opts, o->pre_dump || o->parent_path != NULL);
  if (o->parent_path != NULL && !parent_exists (r->images, o->parent_path))
    return silo_fail (err, errno, "--parent-path `%s`: no pre-dump directory there (a relative "
                      "path is relative to the image path)", o->parent_path);
  if (o->parent_path != NULL && CRIU (criu_local_set_parent_images) (r->opts, o->parent_path) < 0)
    return silo_fail (err, ENOMEM, "--parent-path");
  if (o->page_server != NULL && set_page_server (r->opts, o->page_server, err) < 0)
    return -1;
  if (d->config->process != NULL && d->config->process->terminal)
    CRIU (criu_local_set_orphan_pts_master) (r->opts, true);
  if (d->external_netns && add_external_namespace (r->opts, d->pid, "net", NETNS_KEY, err) < 0)
    return -1;
  if (d->external_pidns && add_external_namespace (r->opts, d->pid, "pid", PIDNS_KEY, err) < 0)
    return -1;
  return 0;
}

int
silo_criu_dump (const struct silo_criu_dump *d, struct silo_error **err)
{
  const struct silo_checkpoint_options *o = d->opts;
  const char *what = o->pre_dump ? "pre-dump" : "dump";
  _cleanup_free_ char *log = xasprintf ("%s.log", what);
  struct criu_request r = { 0 };
  int ret;

  ret = request_init (&r, &o->criu, log, true, err);
  if (ret == 0)
    ret = dump_options (&r, d, err);
  if (ret == 0)
    ret = add_bind_mounts (r.opts, d->plan, true, err);
  if (ret == 0 && !o->pre_dump)
    ret = dump_stdio (&r, d->pid, err);
  if (ret == 0)
    {
      ret = o->pre_dump ? CRIU (criu_local_pre_dump) (r.opts) : CRIU (criu_local_dump) (r.opts);
      if (ret < 0)
        request_failed (&r, what, ret, err);
    }
  request_release (&r);
  return ret < 0 ? -1 : 0;
}

/* ---- restore -------------------------------------------------------------------------- */

/* A pipe or an outside file the init had as fd 0-2 becomes silo's own fd of that number,
 * so whoever runs `restore` gets the container's input and output.  */
static int
restore_stdio (const struct criu_request *r, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  _cleanup_strv_ char **targets = NULL;
  size_t len;

  if (read_file_at (r->images, SILO_CRIU_DESCRIPTORS, &text, &len, err) < 0)
    return silo_wrap (err, "the checkpoint's %s (made by `silo checkpoint`)", SILO_CRIU_DESCRIPTORS);
  if (oci_json_string_array_parse (text, len, &targets, err) < 0)
    return silo_wrap (err, "the checkpoint's %s", SILO_CRIU_DESCRIPTORS);
  for (int fd = 0; fd < 3 && targets[fd] != NULL; fd++)
    if ((strncmp (targets[fd], "pipe:", 5) == 0 || strncmp (targets[fd], "file[", 5) == 0)
        && CRIU (criu_local_add_inherit_fd) (r->opts, fd, targets[fd]) < 0)
      return silo_fail (err, ENOMEM, "CRIU: inherit fd %d", fd);
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
  if (CRIU (criu_local_add_inherit_fd) (r->opts, r->inherited[slot], key) < 0)
    return silo_fail (err, ENOMEM, "CRIU: inherit %s", key);
  return 0;
}

/* CRIU sends notifications (and with them the orphan pty master) only to a caller that
 * listens.  */
static int
ignore_notification (char *action, criu_notify_arg_t na)
{
  return 0;
}

static int
restore_options (struct criu_request *r, const struct silo_criu_restore *x, struct silo_error **err)
{
  if (CRIU (criu_local_set_root) (r->opts, x->root) < 0)
    return silo_fail (err, ENOMEM, "CRIU: root");
  if (x->cgroup != NULL && CRIU (criu_local_add_cg_root) (r->opts, NULL, x->cgroup) < 0)
    return silo_fail (err, ENOMEM, "CRIU: cgroup root");
  if (x->netns >= 0 && add_inherited (r, 0, x->netns, NETNS_KEY, err) < 0)
    return -1;
  if (x->pidns >= 0 && add_inherited (r, 1, x->pidns, PIDNS_KEY, err) < 0)
    return -1;
  CRIU (criu_local_set_notify_cb) (r->opts, ignore_notification);
  if (x->config->process != NULL && x->config->process->terminal)
    CRIU (criu_local_set_orphan_pts_master) (r->opts, true);
  if (add_bind_mounts (r->opts, x->plan, false, err) < 0)
    return -1;
  return restore_stdio (r, err);
}

int
silo_criu_restore (struct silo_criu_restore *x, struct silo_error **err)
{
  struct criu_request r = { 0 };
  int ret;

  x->pid = 0;
  x->pty_master = -1;
  ret = request_init (&r, &x->opts->criu, "restore.log", false, err);
  if (ret == 0)
    ret = restore_options (&r, x, err);
  if (ret == 0)
    {
      ret = CRIU (criu_local_restore_child) (r.opts);
      if (ret <= 0)
        {
          request_failed (&r, "restore", ret < 0 ? ret : -EBADE, err);
          ret = -1;
        }
      else
        {
          x->pid = (pid_t) ret;
          ret = 0;
          if (x->config->process != NULL && x->config->process->terminal)
            x->pty_master = CRIU (criu_get_orphan_pts_master_fd) ();
        }
    }
  request_release (&r);
  return ret;
}
