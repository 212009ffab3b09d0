/* silo cgroup v2 driver: the one cgroup2 hierarchy (a pure v2 host, or the "unified"
 * mount of a hybrid one).  The core files do the work v1 needs a controller for:
 * cgroup.events tells populated/frozen for the whole subtree, cgroup.freeze freezes
 * (5.2), cgroup.kill kills atomically, forks included (5.14).
 *
 * Not yet: enabling controllers in cgroup.subtree_control down the parent chain and
 * the resource files (they come with the resources work); devices need an eBPF filter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define FREEZE_WAIT_MS 1000

/* Value of "key N" in cgroup.events: 0/1, or -1 when missing (an older kernel).  */
static int
events_value (int dir_fd, const char *key, struct silo_error **err)
{
  _cleanup_free_ char *events = NULL;
  size_t len = strlen (key);

  if (cgroup_read (dir_fd, "cgroup.events", &events, err) < 0)
    return -1;
  for (const char *line = events; line != NULL && *line != '\0';)
    {
      if (strncmp (line, key, len) == 0 && line[len] == ' ')
        return line[len + 1] == '1';
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return silo_fail (err, 0, "no `%s` in cgroup.events", key);
}

static int
v2_check_unused (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  int populated = events_value (dir_fd, "populated", err);

  if (populated < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  if (populated == 1)
    return silo_fail (err, 0, "cgroup `%s` already exists and holds processes: is another "
                      "container using the same linux.cgroupsPath?", h->path);
  return 0;
}

static int
v2_is_frozen (const struct cgroup_hierarchy *h, int dir_fd)
{
  (void) h;
  return events_value (dir_fd, "frozen", NULL);
}

static int
v2_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err)
{
  long long start = 0;
  unsigned step = 0;

  if (cgroup_write (dir_fd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  while (v2_is_frozen (h, dir_fd) != (frozen ? 1 : 0))
    if (!cgroup_backoff (&start, &step, FREEZE_WAIT_MS))
      return silo_fail (err, 0, "cgroup `%s` did not %s within %d ms", h->path,
                        frozen ? "freeze" : "thaw", FREEZE_WAIT_MS);
  return 0;
}

static int
v2_kill (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  _cleanup_close_ int fd = openat (dir_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    return 1;   /* before Linux 5.14 */
  if (fd < 0 || write (fd, "1", 1) != 1)
    return silo_fail (err, errno, "write `1` to `%s/cgroup.kill`", h->path);
  return 0;
}

static int
v2_populated (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err)
{
  int populated = events_value (dir_fd, "populated", err);

  if (populated < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  return populated;
}

const struct cgroup_driver cgroup_driver_v2 = {
  .version = CGROUP_V2,
  .init_level = NULL,
  .check_unused = v2_check_unused,
  .apply = NULL,
  .set_frozen = v2_set_frozen,
  .is_frozen = v2_is_frozen,
  .kill = v2_kill,
  .populated = v2_populated,
  .stats = NULL,
};
