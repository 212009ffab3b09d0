/* silo cgroup freezing: `pause` and `resume`, and the freeze kill_all puts around its
 * signals on v1.
 *
 * v1: freezer.state takes FROZEN or THAWED and reads FREEZING until every task has
 * stopped.  A task can refuse for a while (a vfork parent waits for its child; a task
 * in some uninterruptible sleeps); writing FROZEN again retries the stragglers, and a
 * thaw followed by a fresh freeze now and then gets a freezer out of a stuck FREEZING,
 * which is what runc does too.
 * v2: cgroup.freeze takes 1 or 0 and cgroup.events says "frozen 1" once every task is
 * stopped (5.2).
 * Every wait is bounded; a freeze that does not complete is undone (thawed) before the
 * error is returned, so that a failed `pause` never leaves a half-frozen container.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define FREEZE_WAIT_MS 2000
#define FREEZE_RESTART_EVERY 8   /* back-off steps between a thaw and a fresh freeze */

/* ---- v1 --------------------------------------------------------------------------------- */

int
cgroup_v1_is_frozen (const struct cgroup_hierarchy *h, int dir_fd)
{
  _cleanup_free_ char *state = NULL;

  if (!cgroup_has_controller (h->controllers, "freezer") || cgroup_read (dir_fd, "freezer.state", &state, NULL) < 0)
    return -1;
  return strncmp (state, "FROZEN", 6) == 0;
}

static void
v1_thaw_quietly (const struct cgroup_hierarchy *h, int dir_fd)
{
  struct silo_error *e = NULL;

  if (cgroup_write (dir_fd, "freezer.state", "THAWED", &e) < 0)
    {
      silo_log_warning ("thaw cgroup `%s` after a failed freeze: %s", h->path, e->msg);
      silo_error_free (e);
    }
}

int
cgroup_v1_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err)
{
  long long start = 0;
  unsigned step = 0;

  if (!frozen)
    {
      if (cgroup_write (dir_fd, "freezer.state", "THAWED", err) < 0)
        return silo_wrap (err, "cgroup `%s`", h->path);
      return 0;
    }
  for (;;)
    {
      if (cgroup_write (dir_fd, "freezer.state", "FROZEN", err) < 0)
        {
          v1_thaw_quietly (h, dir_fd);
          return silo_wrap (err, "cgroup `%s`", h->path);
        }
      if (cgroup_v1_is_frozen (h, dir_fd) == 1)
        return 0;
      if (!cgroup_backoff (&start, &step, FREEZE_WAIT_MS))
        break;
      if (step % FREEZE_RESTART_EVERY == 0)
        v1_thaw_quietly (h, dir_fd);
    }
  v1_thaw_quietly (h, dir_fd);
  return silo_fail (err, 0, "cgroup `%s` did not freeze within %d ms (a task stuck in the kernel?); "
                    "thawed it again", h->path, FREEZE_WAIT_MS);
}

/* ---- v2 --------------------------------------------------------------------------------- */

int
cgroup_v2_is_frozen (const struct cgroup_hierarchy *h, int dir_fd)
{
  uint64_t frozen;

  (void) h;
  if (cgroup_read_key (dir_fd, "cgroup.events", "frozen", &frozen, NULL) != 0)
    return -1;
  return frozen != 0;
}

int
cgroup_v2_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err)
{
  long long start = 0;
  unsigned step = 0;

  if (cgroup_write (dir_fd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return silo_wrap (err, "cgroup `%s`", h->path);
  while (cgroup_v2_is_frozen (h, dir_fd) != (frozen ? 1 : 0))
    if (!cgroup_backoff (&start, &step, FREEZE_WAIT_MS))
      {
        if (frozen)
          cgroup_write (dir_fd, "cgroup.freeze", "0", NULL);
        return silo_fail (err, 0, "cgroup `%s` did not %s within %d ms%s", h->path,
                          frozen ? "freeze" : "thaw", FREEZE_WAIT_MS, frozen ? "; thawed it again" : "");
      }
  return 0;
}

/* ---- the public call -------------------------------------------------------------------- */

int
silo_cgroup_set_frozen (const struct silo_cgroup *cg, bool frozen, struct silo_error **err)
{
  const struct cgroup_hierarchy *h = cg->freezer;
  _cleanup_close_ int tmp = -1;
  int dir;

  if (h == NULL || h->driver->set_frozen == NULL)
    return silo_fail (err, 0, "cannot %s the container: this host has neither a cgroup v1 freezer "
                      "hierarchy nor cgroup2", frozen ? "pause" : "resume");
  dir = cgroup_hierarchy_dir (h, &tmp, err);
  if (dir < 0 || h->driver->set_frozen (h, dir, frozen, err) < 0)
    return silo_wrap (err, "%s the container's cgroup", frozen ? "freeze" : "thaw");
  return 0;
}
