/* silo cgroup: planning the container's cgroups (one mountinfo read; cgroup2's
 * cgroup.controllers only when something may come from it; the resources checked against
 * the layout), making them (per hierarchy a mkdirat and an open per path level, its root
 * opened only where a level needs readying, then the resources), entering them, and the
 * state file's view of them (paths out, load back).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "systemd.h"
#include "util.h"

/* ---- the container's cgroup object ---------------------------------------------------- */

static void
set_roles (struct silo_cgroup *cg)
{
  cg->unified = NULL;
  cg->freezer = NULL;
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      struct cgroup_hierarchy *h = &cg->hierarchies[i];
      if (h->driver->version == CGROUP_V2 && cg->unified == NULL)
        cg->unified = h;
      if (h->driver->version == CGROUP_V1 && cgroup_has_controller (h->controllers, "freezer"))
        cg->freezer = h;
    }
  if (cg->freezer == NULL)
    cg->freezer = cg->unified;
}

static struct silo_cgroup *
cgroup_new (size_t n)
{
  struct silo_cgroup *cg = xmalloc0 (sizeof (*cg));

  cg->hierarchies = xmalloc0 (n * sizeof (*cg->hierarchies));
  cg->n_hierarchies = n;
  for (size_t i = 0; i < n; i++)
    cg->hierarchies[i].dir_fd = -1;
  return cg;
}

void
silo_cgroup_free (struct silo_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      struct cgroup_hierarchy *h = &cg->hierarchies[i];
      silo_closep (&h->dir_fd);
      free (h->controllers);
      free (h->mount_point);
      free (h->path);
      free (h->enable);
    }
  free (cg->hierarchies);
  free (cg->relative);
  free (cg->unit);
  free (cg->slice);
  free (cg);
}

/* ---- create ----------------------------------------------------------------------------- */

/* Make (or find) each level of relative below the hierarchy's root, readying each level
 * with the driver, and keep the leaf open.  found_ok: the leaf may exist and hold
 * processes (systemd made it around the init).  */
static int
hierarchy_make (struct cgroup_hierarchy *h, const char *relative, bool found_ok, struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (relative);
  const char *root = strcmp (h->mount_point, "/") == 0 ? "" : h->mount_point;
  bool init = h->driver->init_level != NULL
              && (h->driver->inits_levels == NULL || h->driver->inits_levels (h));
  /* The level above; the root only when a driver readies levels (it reads the parent).
   * Otherwise the first level is reached by its path: a cgroup filesystem holds no
   * symlink, and every deeper level is relative to the one above.  */
  _cleanup_close_ int fd = init ? open (h->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  char *save = NULL;
  bool made = false;

  if (init && fd < 0)
    return silo_fail (err, errno, "open cgroup hierarchy `%s`", h->mount_point);
  for (char *c = strtok_r (copy, "/", &save); c != NULL; c = strtok_r (NULL, "/", &save))
    {
      _cleanup_close_ int next = -1;
      _cleanup_free_ char *first = fd < 0 ? xasprintf ("%s/%s", root, c) : NULL;
      int at = fd >= 0 ? fd : AT_FDCWD;
      const char *name = fd >= 0 ? c : first;

      made = mkdirat (at, name, 0755) == 0;
      if (!made && errno != EEXIST)
        return silo_fail (err, errno, "mkdir `%s/%s`", h->mount_point, relative);
      if (made || h->made_levels > 0)
        h->made_levels++;
      next = openat (at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return silo_fail (err, errno, "open `%s/%s`", h->mount_point, relative);
      if (init && h->driver->init_level (h, fd, next, made, err) < 0)
        return -1;
      silo_closep (&fd);
      fd = steal_fd (&next);
    }
  if (fd < 0 && (fd = open (h->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return silo_fail (err, errno, "open cgroup hierarchy `%s`", h->mount_point);   /* no level */
  if (!made && !found_ok && h->driver->check_unused (h, fd, err) < 0)
    return -1;
  h->dir_fd = steal_fd (&fd);
  return 0;
}

/* Remove the levels create made, deepest first; what someone else put there stays.  */
static void
hierarchy_unmake (struct cgroup_hierarchy *h)
{
  _cleanup_free_ char *path = xstrdup (h->path);

  silo_closep (&h->dir_fd);
  for (; h->made_levels > 0; h->made_levels--)
    {
      char *slash = strrchr (path, '/');
      if (rmdir (path) < 0 && errno != ENOENT)
        silo_log_warning ("remove cgroup `%s` after a failed create: %s", path, strerror (errno));
      if (slash == NULL || slash == path)
        break;
      *slash = '\0';
    }
}

struct silo_cgroup *
cgroup_from_mounts (struct cgroup_mount *mounts, size_t n, const char *relative)
{
  struct silo_cgroup *cg = cgroup_new (n);

  cg->relative = xstrdup (relative);
  for (size_t i = 0; i < n; i++)
    {
      struct cgroup_hierarchy *h = &cg->hierarchies[i];
      h->driver = mounts[i].version == CGROUP_V2 ? &cgroup_driver_v2 : &cgroup_driver_v1;
      h->controllers = steal_pointer (&mounts[i].controllers);
      h->mount_point = steal_pointer (&mounts[i].mount_point);
      h->path = xasprintf ("%s/%s", strcmp (h->mount_point, "/") == 0 ? "" : h->mount_point, relative);
    }
  set_roles (cg);
  return cg;
}

/* What cgroup2 has to offer, read only when something may come from it: on a pure v2 host
 * always, else when the resources name a controller no v1 hierarchy holds, or unified
 * keys.  Enabled down the path: what the resources need and, on a pure v2 host, the
 * controllers `events --stats` reads (cpu, memory, pids, io) where available; anything
 * else a later update needs is enabled then.  */
static int
plan_v2 (struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err)
{
  struct cgroup_hierarchy *h = cg->unified;
  unsigned v1 = cgroup_v1_controllers (cg), mask = 0;
  _cleanup_free_ char *available = NULL, *extra = NULL, *file = NULL;
  bool pure = v1 == 0;

  if (h != NULL && (pure || (cgroup_resources_controllers (r) & ~v1) != 0
                    || (r != NULL && r->has_unified && r->unified.len > 0)))
    {
      file = xasprintf ("%s/cgroup.controllers", h->mount_point);
      if (cgroup_read (AT_FDCWD, file, &available, err) < 0)
        return -1;
    }
  if (cgroup_resources_check (cg, r, available, false, &mask, &extra, err) < 0)
    return -1;
  if (h == NULL)
    return 0;
  if (pure)
    mask |= cgroup_controllers_mask (available, CGROUP_V2)
            & (CGROUP_MASK (CGROUP_CPU) | CGROUP_MASK (CGROUP_MEMORY) | CGROUP_MASK (CGROUP_PIDS) | CGROUP_MASK (CGROUP_IO));
  cg->v2_controllers = mask;
  h->enable = cgroup_v2_enable_text (mask, extra);
  return 0;
}

/* The mounted cgroup hierarchies, from mountinfo; at least one.  */
static int
plan_layout (const char *id, struct cgroup_mount **mounts, size_t *n, struct silo_error **err)
{
  _cleanup_free_ char *mountinfo = NULL;

  if (read_file_at (AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0
      || cgroup_layout_parse (mountinfo, mounts, n, err) < 0)
    return silo_wrap (err, "cgroup of container `%s`", id);
  if (*n == 0)
    return silo_fail (err, 0, "cgroup of container `%s`: no cgroup filesystem is mounted "
                      "(see /proc/self/mountinfo); mount one or use --cgroup-manager disabled", id);
  return 0;
}

static int
plan_finish (const char *id, const oci_config *c, struct cgroup_mount *mounts, size_t n,
             const char *relative, struct silo_cgroup **out, struct silo_error **err)
{
  const oci_linux *l = c != NULL ? c->linux_ : NULL;
  struct silo_cgroup *cg = cgroup_from_mounts (mounts, n, relative);

  cgroup_mounts_free (mounts, n);
  if (plan_v2 (cg, l != NULL ? l->resources : NULL, err) < 0)
    {
      silo_cgroup_free (cg);
      return silo_wrap (err, "cgroup of container `%s`", id);
    }
  *out = cg;
  return 0;
}

int
silo_cgroup_plan (const char *id, const oci_config *c, struct silo_cgroup **out, struct silo_error **err)
{
  const oci_linux *l = c != NULL ? c->linux_ : NULL;
  _cleanup_free_ char *relative = NULL;
  struct cgroup_mount *mounts = NULL;
  size_t n = 0;

  if (cgroup_relative_path (l != NULL ? l->cgroups_path : NULL, id, &relative, err) < 0)
    return silo_wrap (err, "cgroup of container `%s`", id);
  if (plan_layout (id, &mounts, &n, err) < 0)
    return -1;
  return plan_finish (id, c, mounts, n, relative, out, err);
}

/* What the systemd driver needs of the host, checked before anything is asked of systemd. */
static int
systemd_host_check (struct cgroup_mount *mounts, size_t n, struct silo_error **err)
{
  struct stat st;

#ifndef SILO_HAVE_SYSTEMD
  return silo_fail (err, 0, "this silo was built without the systemd cgroup driver "
                    "(configure found no libsystemd-dev): use --cgroup-manager cgroupfs");
#endif
  if (geteuid () != 0)
    return silo_fail (err, 0, "the systemd cgroup driver needs root (systemd's user "
                      "instance is not supported): use --cgroup-manager cgroupfs");
  if (stat ("/run/systemd/system", &st) < 0 || !S_ISDIR (st.st_mode))
    return silo_fail (err, 0, "the systemd cgroup driver needs systemd as the host's init "
                      "(there is no /run/systemd/system): use --cgroup-manager cgroupfs");
  if (n != 1 || mounts[0].version != CGROUP_V2)
    return silo_fail (err, 0, "the systemd cgroup driver needs a pure cgroup v2 host "
                      "(systemd.unified_cgroup_hierarchy=1); this one has cgroup v1 hierarchies: "
                      "use --cgroup-manager cgroupfs");
  return 0;
}

int
silo_cgroup_plan_systemd (const char *id, const oci_config *c, struct silo_cgroup **out,
                          struct silo_error **err)
{
  const oci_linux *l = c != NULL ? c->linux_ : NULL;
  _cleanup_free_ char *relative = NULL, *unit = NULL, *slice = NULL;
  struct cgroup_mount *mounts = NULL;
  size_t n = 0;

  if (cgroup_systemd_names (l != NULL ? l->cgroups_path : NULL, id, &unit, &slice, &relative, err) < 0)
    return silo_wrap (err, "cgroup of container `%s`", id);
  if (plan_layout (id, &mounts, &n, err) < 0)
    return -1;
  if (systemd_host_check (mounts, n, err) < 0)
    {
      cgroup_mounts_free (mounts, n);
      return -1;
    }
  if (plan_finish (id, c, mounts, n, relative, out, err) < 0)
    return -1;
  (*out)->unit = steal_pointer (&unit);
  (*out)->slice = steal_pointer (&slice);
  return 0;
}

void
silo_cgroup_use_systemd (struct silo_cgroup *cg)
{
  const char *base;

  if (cg->unified == NULL || cg->unit != NULL)
    return;
  base = strrchr (cg->unified->path, '/');
  cg->unit = xstrdup (base != NULL ? base + 1 : cg->unified->path);
  cg->started = true;
}

bool
silo_cgroup_is_systemd (const struct silo_cgroup *cg)
{
  return cg != NULL && cg->unit != NULL;
}

static int
make_and_apply (struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err)
{
  struct cgroup_apply_options o = { .update = false, .v2_controllers = cg->v2_controllers,
                                    .devices_v1 = cgroup_devices_v1 (cg) };

  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (hierarchy_make (&cg->hierarchies[i], cg->relative, cg->unit != NULL, err) < 0)
      return -1;
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      struct cgroup_hierarchy *h = &cg->hierarchies[i];
      if (h->driver->apply (h, h->dir_fd, r, &o, err) < 0)
        return silo_wrap (err, "cgroup `%s`", h->path);
    }
  if (!o.devices_v1 && cg->unified == NULL && r != NULL && r->n_devices > 0)
    silo_log_warning ("linux.resources.devices: not enforced on this host (neither a cgroup v1 "
                      "devices controller nor cgroup2)");
  return 0;
}

int
silo_cgroup_make (struct silo_cgroup *cg, const oci_config *c, struct silo_error **err)
{
  const oci_linux *l = c != NULL ? c->linux_ : NULL;

  if (cg->relative == NULL)
    return silo_fail (err, EINVAL, "cgroup: make needs a planned cgroup, not a loaded one");
  if (cg->unit != NULL)
    {
      /* systemd makes the scope around the init: silo_cgroup_enter.  */
      cg->resources = l != NULL ? l->resources : NULL;
      return 0;
    }
  if (make_and_apply (cg, l != NULL ? l->resources : NULL, err) < 0)
    {
      for (size_t i = 0; i < cg->n_hierarchies; i++)
        hierarchy_unmake (&cg->hierarchies[i]);
      return -1;
    }
  return 0;
}

int
silo_cgroup_create (const char *id, const oci_config *c, struct silo_cgroup **out,
                    struct silo_error **err)
{
  struct silo_cgroup *cg = NULL;

  if (silo_cgroup_plan (id, c, &cg, err) < 0)
    return -1;
  if (silo_cgroup_make (cg, c, err) < 0)
    {
      silo_cgroup_free (cg);
      return silo_wrap (err, "cgroup of container `%s`", id);
    }
  *out = cg;
  return 0;
}

/* ---- use -------------------------------------------------------------------------------- */

int
silo_cgroup_v2_fd (const struct silo_cgroup *cg)
{
  return cg != NULL && cg->unified != NULL ? cg->unified->dir_fd : -1;
}

const char *
silo_cgroup_freezer_dir (const struct silo_cgroup *cg)
{
  return cg != NULL && cg->freezer != NULL ? cg->freezer->path : NULL;
}

const char *
silo_cgroup_relative_path (const struct silo_cgroup *cg)
{
  return cg != NULL ? cg->relative : NULL;
}

int
silo_cgroup_enter (struct silo_cgroup *cg, pid_t pid, bool v2_done, struct silo_error **err)
{
  char value[32];

  if (cg->unit != NULL && cg->slice != NULL && cg->unified != NULL && cg->unified->dir_fd < 0)
    {
      /* Delegated: the levels exist (systemd made them); open them, pass down what
       * systemd does not enable itself (hugetlb, rdma, misc) and write every resource.  */
      if (cgroup_systemd_start_scope (cg, pid, err) < 0)
        return -1;
      if (make_and_apply (cg, cg->resources, err) < 0)
        return silo_wrap (err, "systemd scope `%s`", cg->unit);
      v2_done = true;   /* systemd put it there */
    }
  snprintf (value, sizeof (value), "%d", (int) pid);
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      const struct cgroup_hierarchy *h = &cg->hierarchies[i];
      _cleanup_close_ int tmp = -1;
      int dir;

      if (v2_done && h == cg->unified)
        continue;
      dir = cgroup_hierarchy_dir (h, &tmp, err);
      if (dir < 0 || cgroup_write (dir, "cgroup.procs", value, err) < 0)
        return silo_wrap (err, "move process %d into cgroup `%s`", (int) pid, h->path);
    }
  return 0;
}

void
silo_cgroup_paths (const struct silo_cgroup *cg, silo_cgroup_path **out, size_t *n)
{
  silo_cgroup_path *paths = xmalloc0 (cg->n_hierarchies * sizeof (*paths));

  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      paths[i].controller = xstrdup (cg->hierarchies[i].controllers);
      paths[i].path = xstrdup (cg->hierarchies[i].path);
    }
  *out = paths;
  *n = cg->n_hierarchies;
}

static bool
has_dotdot (const char *path)
{
  for (const char *p = strstr (path, ".."); p != NULL; p = strstr (p + 1, ".."))
    if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
      return true;
  return false;
}

int
silo_cgroup_load (const silo_cgroup_path *paths, size_t n, struct silo_cgroup **out,
                  struct silo_error **err)
{
  struct silo_cgroup *cg;

  for (size_t i = 0; i < n; i++)
    if (paths[i].controller == NULL || paths[i].controller[0] == '\0' || paths[i].path == NULL
        || paths[i].path[0] != '/' || has_dotdot (paths[i].path))
      return silo_fail (err, 0, "state file: cgroups[%zu]: not a controller and an absolute "
                        "cgroup path", i);
  cg = cgroup_new (n);
  for (size_t i = 0; i < n; i++)
    {
      struct cgroup_hierarchy *h = &cg->hierarchies[i];
      bool unified = strcmp (paths[i].controller, CGROUP_UNIFIED_NAME) == 0;
      h->driver = unified ? &cgroup_driver_v2 : &cgroup_driver_v1;
      h->controllers = xstrdup (paths[i].controller);
      h->path = xstrdup (paths[i].path);
    }
  set_roles (cg);
  *out = cg;
  return 0;
}
