/* silo cgroups: where a process that `exec` starts goes (see cgroup.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static bool
hierarchy_has (const struct cgroup_hierarchy *h, const char *controller)
{
  size_t len = strlen (controller);

  for (const char *p = h->controllers; p != NULL && *p != '\0';)
    {
      const char *end = strchrnul (p, ',');
      if ((size_t) (end - p) == len && strncmp (p, controller, len) == 0)
        return true;
      p = *end == ',' ? end + 1 : end;
    }
  return false;
}

/* --cgroup [CONTROLLER:]PATH: PATH below the container's cgroup, relative, no "..".  */
static int
parse_sub (const char *sub, char **controller, const char **path, struct silo_error **err)
{
  const char *colon = strchr (sub, ':');

  *controller = NULL;
  *path = colon != NULL ? colon + 1 : sub;
  while (**path == '/')
    (*path)++;
  if (**path == '\0' || strstr (*path, "..") != NULL)
    return silo_fail (err, EINVAL, "--cgroup `%s`: give a cgroup below the container's, as "
                      "[CONTROLLER:]PATH without `..`", sub);
  if (colon != NULL)
    *controller = xasprintf ("%.*s", (int) (colon - sub), sub);
  return 0;
}

/* The container's cgroup2 cgroup has become a domain with controllers for its children
 * (a process inside made sub-cgroups): the kernel keeps processes out of it.  runc 1.2
 * then uses the init's own cgroup, and so does silo: its path below the container's,
 * from /proc/PID/cgroup ("0::/rel"), matched against the end of the container's path.  */
static int
init_cgroup2_dir (const struct cgroup_hierarchy *h, pid_t init, struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/cgroup", (int) init), *text = NULL;
  const char *rel;
  size_t len, path_len = strlen (h->path);

  if (read_file_at (AT_FDCWD, path, &text, NULL, err) < 0)
    return -1;
  rel = strstr (text, "0::/");
  if (rel == NULL || (rel != text && rel[-1] != '\n'))
    return silo_fail (err, ENOENT, "`%s` names no cgroup2 cgroup", path);
  rel += 3;
  len = strcspn (rel, "\n");
  for (size_t k = len; k > 0; k--)
    {
      if (rel[k] != '/' && rel[k] != '\n' && k != len)
        continue;
      if (k <= path_len && strncmp (h->path + path_len - k, rel, k) == 0)
        {
          _cleanup_free_ char *dir = xasprintf ("%s%.*s", h->path, (int) (len - k), rel + k);
          int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fd < 0)
            return silo_fail (err, errno, "open the init's cgroup `%s`", dir);
          return fd;
        }
    }
  return silo_fail (err, ENOENT, "the init's cgroup (%.*s) is not below `%s`", (int) len, rel, h->path);
}

static int
enter_one (const struct cgroup_hierarchy *h, pid_t pid, const char *sub, pid_t init,
           struct silo_error **err)
{
  _cleanup_close_ int tmp = -1, subdir = -1, fallback = -1;
  struct silo_error *busy = NULL;
  char value[32];
  int dir = cgroup_hierarchy_dir (h, &tmp, err);

  snprintf (value, sizeof value, "%d", (int) pid);
  if (dir < 0)
    return -1;
  if (sub != NULL)
    {
      subdir = openat (dir, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (subdir < 0)
        return silo_fail (err, errno, "--cgroup: `%s/%s`", h->path, sub);
      return cgroup_write (subdir, "cgroup.procs", value, err);
    }
  if (cgroup_write (dir, "cgroup.procs", value, &busy) == 0)
    return 0;
  if (busy->errnum != EBUSY || h->driver->version != CGROUP_V2)
    {
      *err = busy;
      return -1;
    }
  silo_error_free (busy);
  fallback = init_cgroup2_dir (h, init, err);
  if (fallback < 0)
    return -1;
  return cgroup_write (fallback, "cgroup.procs", value, err);
}

int
silo_cgroup_enter_exec (const struct silo_cgroup *cg, pid_t pid, const char *sub, pid_t init,
                        struct silo_error **err)
{
  _cleanup_free_ char *controller = NULL;
  const char *path = NULL;
  bool used = false;

  if (sub != NULL && parse_sub (sub, &controller, &path, err) < 0)
    return -1;
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    {
      const struct cgroup_hierarchy *h = &cg->hierarchies[i];
      bool here = path != NULL && (controller == NULL || hierarchy_has (h, controller));

      used |= here;
      if (enter_one (h, pid, here ? path : NULL, init, err) < 0)
        return silo_wrap (err, "move process %d into the cgroup of the container (`%s`)", (int) pid,
                          h->path);
    }
  if (path != NULL && !used)
    return silo_fail (err, ENOENT, "--cgroup `%s`: no hierarchy holds `%s`", sub, controller);
  return 0;
}
