/* silo cgroup lifecycle: the container's processes (pids, kill_all), whether it is frozen,
 * and its removal (destroy).  Every wait here is bounded: a command never hangs on a
 * process stuck in the kernel, it reports it.
 *
 * One hierarchy answers "which processes": the cgroup2 one where there is one (clone3
 * put the init there first), else the v1 freezer (the one kill_all freezes), else any.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define DESTROY_WAIT_MS 2000
#define RMDIR_BUSY_WAIT_MS 500

bool
cgroup_backoff (long long *start_ms, unsigned *step, long long deadline_ms)
{
  struct timespec now, delay;
  long long now_ms, sleep_ms;

  clock_gettime (CLOCK_MONOTONIC, &now);
  now_ms = (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000;
  if (*start_ms == 0)
    *start_ms = now_ms;
  if (now_ms - *start_ms >= deadline_ms)
    return false;
  sleep_ms = 1LL << (*step < 5 ? *step : 5);
  (*step)++;
  delay.tv_sec = 0;
  delay.tv_nsec = (long) sleep_ms * 1000000L;
  nanosleep (&delay, NULL);
  return true;
}

static const struct cgroup_hierarchy *
reference_hierarchy (const struct silo_cgroup *cg)
{
  if (cg->unified != NULL)
    return cg->unified;
  if (cg->freezer != NULL)
    return cg->freezer;
  return cg->n_hierarchies > 0 ? &cg->hierarchies[0] : NULL;
}

/* ---- pids ------------------------------------------------------------------------------- */

static int
parse_procs (const char *text, pid_t **pids, size_t *n)
{
  for (const char *p = text; *p != '\0';)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (v > 0)
        {
          *pids = xrealloc (*pids, (*n + 1) * sizeof (**pids));
          (*pids)[(*n)++] = (pid_t) v;
        }
      p = end;
      while (*p == '\n')
        p++;
    }
  return 0;
}

int
cgroup_collect_pids (int dir_fd, pid_t **pids, size_t *n, struct silo_error **err)
{
  _cleanup_free_ char *procs = NULL;
  int list_fd;
  DIR *dir;
  struct dirent *de;
  int ret = 0;

  if (cgroup_read (dir_fd, "cgroup.procs", &procs, err) < 0)
    return -1;
  parse_procs (procs, pids, n);
  /* A fresh open: a dup would share (and move) dir_fd's directory offset.  */
  list_fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (list_fd < 0 || (dir = fdopendir (list_fd)) == NULL)
    {
      int saved = errno;
      if (list_fd >= 0)
        close (list_fd);
      return silo_fail (err, saved, "list cgroup directory");
    }
  while (ret == 0 && (de = readdir (dir)) != NULL)
    {
      _cleanup_close_ int child = -1;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = openat (dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0 && errno == ENOENT)
        continue;   /* removed meanwhile */
      if (child < 0)
        ret = silo_fail (err, errno, "open cgroup `%s`", de->d_name);
      else if (cgroup_collect_pids (child, pids, n, err) < 0)
        ret = silo_wrap (err, "%s", de->d_name);
    }
  closedir (dir);
  return ret;
}

int
silo_cgroup_pids (const struct silo_cgroup *cg, pid_t **pids, size_t *n, struct silo_error **err)
{
  const struct cgroup_hierarchy *h = reference_hierarchy (cg);
  _cleanup_close_ int tmp = -1;
  int dir;

  *pids = NULL;
  *n = 0;
  if (h == NULL)
    return 0;
  dir = cgroup_hierarchy_dir (h, &tmp, err);
  if (dir < 0 || cgroup_collect_pids (dir, pids, n, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return silo_wrap (err, "list the processes of cgroup `%s`", h->path);
    }
  return 0;
}

/* ---- kill_all --------------------------------------------------------------------------- */

static int
signal_subtree (int dir_fd, int sig, struct silo_error **err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  if (cgroup_collect_pids (dir_fd, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return silo_fail (err, errno, "send signal %d to process %d", sig, (int) pids[i]);
  return 0;
}

/* Freeze so that nothing forks past the signal, signal, thaw.  A container that was
 * paused stays paused, unless the signal is SIGKILL (frozen v1 tasks die only on thaw).  */
static int
kill_frozen (const struct cgroup_hierarchy *h, int dir, int sig, struct silo_error **err)
{
  bool was_frozen = h->driver->is_frozen (h, dir) == 1;
  int ret;

  if (!was_frozen)
    {
      struct silo_error *freeze_err = NULL;
      if (h->driver->set_frozen (h, dir, true, &freeze_err) < 0)
        {
          silo_log_warning ("%s; signalling the processes unfrozen", freeze_err->msg);
          silo_error_free (freeze_err);
        }
    }
  ret = signal_subtree (dir, sig, err);
  if ((!was_frozen || sig == SIGKILL) && h->driver->set_frozen (h, dir, false, err) < 0)
    ret = -1;
  return ret;
}

/* After a cgroup.kill: a v1 freezer holding the tasks would keep them from dying.  */
static int
thaw_if_frozen (const struct silo_cgroup *cg, struct silo_error **err)
{
  const struct cgroup_hierarchy *h = cg->freezer;
  _cleanup_close_ int tmp = -1;
  int dir;

  if (h == NULL || h->driver->version != CGROUP_V1)
    return 0;
  dir = cgroup_hierarchy_dir (h, &tmp, NULL);
  if (dir < 0 || h->driver->is_frozen (h, dir) != 1)
    return 0;
  return h->driver->set_frozen (h, dir, false, err);
}

static int
kill_all (const struct silo_cgroup *cg, int sig, struct silo_error **err)
{
  const struct cgroup_hierarchy *h;
  _cleanup_close_ int tmp = -1;
  int dir, r;

  if (sig == SIGKILL && cg->unified != NULL && cg->unified->driver->kill != NULL)
    {
      dir = cgroup_hierarchy_dir (cg->unified, &tmp, err);
      if (dir < 0)
        return -1;
      r = cg->unified->driver->kill (cg->unified, dir, err);
      if (r <= 0)
        return r < 0 ? -1 : thaw_if_frozen (cg, err);
      silo_closep (&tmp);
    }
  if (cg->freezer != NULL && cg->freezer->driver->version == CGROUP_V1)
    {
      dir = cgroup_hierarchy_dir (cg->freezer, &tmp, err);
      return dir < 0 ? -1 : kill_frozen (cg->freezer, dir, sig, err);
    }
  h = reference_hierarchy (cg);
  dir = h != NULL ? cgroup_hierarchy_dir (h, &tmp, err) : -1;
  return dir < 0 ? (h == NULL ? 0 : -1) : signal_subtree (dir, sig, err);
}

int
silo_cgroup_kill_all (const struct silo_cgroup *cg, int sig, struct silo_error **err)
{
  if (kill_all (cg, sig, err) < 0)
    return silo_wrap (err, "signal the processes of the container's cgroup");
  return 0;
}

bool
silo_cgroup_is_frozen (const struct silo_cgroup *cg)
{
  const struct cgroup_hierarchy *h = cg != NULL ? cg->freezer : NULL;
  _cleanup_close_ int tmp = -1;
  int dir;

  if (h == NULL)
    return false;
  dir = cgroup_hierarchy_dir (h, &tmp, NULL);
  return dir >= 0 && h->driver->is_frozen (h, dir) == 1;
}

/* ---- destroy ---------------------------------------------------------------------------- */

static char *
format_pids (const pid_t *pids, size_t n)
{
  char *text = xstrdup ("");

  for (size_t i = 0; i < n && i < 16; i++)
    {
      char *next = xasprintf ("%s%s%d", text, i > 0 ? " " : "", (int) pids[i]);
      free (text);
      text = next;
    }
  if (n > 16)
    {
      char *next = xasprintf ("%s ...", text);
      free (text);
      text = next;
    }
  return text;
}

/* SIGKILL what is left and wait for the reference hierarchy to empty.  */
static int
kill_and_wait (const struct silo_cgroup *cg, struct silo_error **err)
{
  const struct cgroup_hierarchy *h = reference_hierarchy (cg);
  _cleanup_close_ int tmp = -1;
  long long start = 0;
  unsigned step = 0;
  int dir, populated;

  if (h == NULL)
    return 0;
  dir = cgroup_hierarchy_dir (h, &tmp, NULL);
  if (dir < 0 && errno == ENOENT)
    return 0;   /* gone (or never made): nothing can live in it */
  if (dir < 0)
    return silo_fail (err, errno, "open cgroup `%s`", h->path);
  populated = h->driver->populated (h, dir, err);
  if (populated == 1 && kill_all (cg, SIGKILL, err) < 0)
    return -1;
  while (populated == 1 && cgroup_backoff (&start, &step, DESTROY_WAIT_MS))
    populated = h->driver->populated (h, dir, err);
  if (populated == 1)
    {
      _cleanup_free_ pid_t *pids = NULL;
      _cleanup_free_ char *list = NULL;
      size_t n = 0;
      cgroup_collect_pids (dir, &pids, &n, NULL);
      list = format_pids (pids, n);
      return silo_fail (err, 0, "processes %s of cgroup `%s` did not exit within %d ms of "
                        "SIGKILL (blocked in the kernel?)", list, h->path, DESTROY_WAIT_MS);
    }
  if (populated < 0 && err != NULL && *err != NULL && (*err)->errnum == ENOENT)
    {
      silo_error_freep (err);   /* removed meanwhile (systemd collects an empty scope) */
      return 0;
    }
  return populated < 0 ? -1 : 0;
}

static int
rmdir_retry (int dir_fd, const char *name, const char *shown, struct silo_error **err)
{
  long long start = 0;
  unsigned step = 0;

  for (;;)
    {
      if (unlinkat (dir_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY || !cgroup_backoff (&start, &step, RMDIR_BUSY_WAIT_MS))
        return silo_fail (err, errno, "remove cgroup `%s`", shown);
    }
}

/* Remove every cgroup below dir_fd, deepest first (a container may have made its own).  */
static int
remove_children (int dir_fd, const char *shown, struct silo_error **err)
{
  int list_fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  struct dirent *de;
  int ret = 0;

  if (dir == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      return silo_fail (err, errno, "list cgroup `%s`", shown);
    }
  while ((de = readdir (dir)) != NULL)
    {
      _cleanup_free_ char *child_shown = NULL;
      _cleanup_close_ int child = -1;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child_shown = xasprintf ("%s/%s", shown, de->d_name);
      child = openat (dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0 && errno == ENOENT)
        continue;
      if (child < 0)
        ret = silo_fail (err, errno, "open cgroup `%s`", child_shown);
      else if (remove_children (child, child_shown, err) < 0
               || rmdir_retry (dir_fd, de->d_name, child_shown, err) < 0)
        ret = -1;
    }
  closedir (dir);
  return ret;
}

/* One rmdir per hierarchy in the common case (v1 has ten or so): the directory is opened
 * (and checked to be a cgroup) only when it is busy, to remove the cgroups a container
 * made below it.  rmdir removes nothing but an empty directory, whatever the path.  */
static int
hierarchy_remove (struct cgroup_hierarchy *h, struct silo_error **err)
{
  _cleanup_close_ int tmp = -1;
  int dir;

  if (unlinkat (AT_FDCWD, h->path, AT_REMOVEDIR) == 0 || errno == ENOENT)
    {
      silo_closep (&h->dir_fd);
      return 0;   /* removed, or already gone */
    }
  if (errno != EBUSY)
    return silo_fail (err, errno, "remove cgroup `%s`", h->path);
  dir = cgroup_hierarchy_dir (h, &tmp, NULL);
  if (dir < 0 && errno == ENOENT)
    return 0;
  if (dir < 0)
    return silo_fail (err, errno, "open cgroup `%s`", h->path);
  if (remove_children (dir, h->path, err) < 0 || rmdir_retry (AT_FDCWD, h->path, h->path, err) < 0)
    return -1;
  silo_closep (&h->dir_fd);
  return 0;
}

int
silo_cgroup_destroy (struct silo_cgroup *cg, struct silo_error **err)
{
  int ret = 0;

  /* systemd refused the scope (another container's unit of the same name) or was never
   * asked: nothing here is ours to kill or remove.  */
  if (cg->unit != NULL && !cg->started)
    return 0;
  /* Processes left: every rmdir would fail busy; report them instead.  */
  if (kill_and_wait (cg, err) < 0)
    return silo_wrap (err, "remove the container's cgroup");
  if (cg->unit != NULL)
    cgroup_systemd_release (cg);
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (hierarchy_remove (&cg->hierarchies[i], err) < 0)
      ret = -1;
  if (ret < 0)
    return silo_wrap (err, "remove the container's cgroup");
  return 0;
}
