/* silo: the commands that act on a container's cgroups: pause, resume, update, events and
 * the pid list behind `ps`.  Each loads the cgroup paths from the state file (no
 * mountinfo scan) and derives the status live; only `update` writes the state back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container-internal.h"
#include "fault.h"
#include "log.h"
#include "resources-merge.h"
#include "spawn.h"
#include "state.h"
#include "util.h"

/* How often `events` looks at the OOM kill counter: a file read, cheap enough.  */
#define OOM_POLL_MS 100

static bool
state_frozen (const silo_state *s)
{
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  bool frozen;

  if (s->n_cgroups == 0 || silo_cgroup_load (s->cgroups, s->n_cgroups, &cg, &err) < 0)
    {
      silo_error_free (err);
      return false;
    }
  frozen = silo_cgroup_is_frozen (cg);
  silo_cgroup_free (cg);
  return frozen;
}

enum silo_status
silo_container_status (const silo_state *s)
{
  enum silo_status status = silo_state_status_unpaused (s);

  return status == SILO_RUNNING && state_frozen (s) ? SILO_PAUSED : status;
}

/* What every command here holds while it works.  */
struct cgroup_command
{
  int dirfd;
  silo_state *state;
  struct silo_cgroup *cgroup;
};

static void
cgroup_command_release (struct cgroup_command *c)
{
  silo_cgroup_free (c->cgroup);
  silo_state_free (c->state);
  silo_closep (&c->dirfd);
}

#define _cleanup_cgroup_command_ __attribute__ ((cleanup (cgroup_command_release)))

static int
command_open (const struct silo_context *ctx, const char *id, bool lock, struct cgroup_command *c,
              struct silo_error **err)
{
  c->dirfd = silo_container_open (ctx, id, lock, &c->state, err);
  return c->dirfd < 0 ? -1 : 0;
}

static int
command_load_cgroup (struct cgroup_command *c, struct silo_error **err)
{
  if (c->state->n_cgroups == 0)
    return silo_fail (err, 0, "it has no cgroups: it was created with --cgroup-manager disabled, or rootless "
                      "where no cgroup was delegated");
  if (silo_cgroup_load (c->state->cgroups, c->state->n_cgroups, &c->cgroup, err) < 0)
    return -1;
  if (c->state->systemd_cgroup)
    silo_cgroup_use_systemd (c->cgroup);   /* update sets the scope's properties too */
  return 0;
}

/* ---- pause, resume -------------------------------------------------------------------- */

static int
set_frozen (const struct silo_context *ctx, const char *id, bool frozen, struct silo_error **err)
{
  _cleanup_cgroup_command_ struct cgroup_command c = { .dirfd = -1 };
  enum silo_status status, wanted = frozen ? SILO_RUNNING : SILO_PAUSED;

  if (command_open (ctx, id, true, &c, err) < 0)
    return -1;
  status = silo_container_status (c.state);
  if (status != wanted)
    return silo_fail (err, 0, "container `%s` is not %s: it is %s", id,
                      silo_status_name (wanted), silo_status_name (status));
  if (command_load_cgroup (&c, err) < 0)
    return silo_wrap (err, "%s container `%s`", frozen ? "pause" : "resume", id);
  FAULT_POINT (frozen ? "pause-before-freeze" : "resume-before-thaw");
  if (silo_cgroup_set_frozen (c.cgroup, frozen, err) < 0)
    return silo_wrap (err, "%s container `%s`", frozen ? "pause" : "resume", id);
  return 0;
}

int
silo_container_pause (const struct silo_context *ctx, const char *id, struct silo_error **err)
{
  return set_frozen (ctx, id, true, err);
}

int
silo_container_resume (const struct silo_context *ctx, const char *id, struct silo_error **err)
{
  return set_frozen (ctx, id, false, err);
}

/* ---- update --------------------------------------------------------------------------- */

static bool
same_string (const char *a, const char *b)
{
  return a == b || (a != NULL && b != NULL && strcmp (a, b) == 0);
}

/* The container's linux.resources as stored (create's, with every update folded in).  */
static const oci_resources *
stored_resources (const oci_config *config)
{
  return config->linux_ != NULL ? config->linux_->resources : NULL;
}

static bool
same_device_rules (const oci_resources *stored, const oci_resources *r)
{
  if (stored == NULL || stored->n_devices != r->n_devices)
    return false;
  for (size_t i = 0; i < r->n_devices; i++)
    {
      const oci_device_cgroup *a = &stored->devices[i], *b = &r->devices[i];
      if (a->allow != b->allow || !same_string (a->type, b->type) || !same_string (a->access, b->access)
          || a->has_major != b->has_major || (a->has_major && a->major != b->major)
          || a->has_minor != b->has_minor || (a->has_minor && a->minor != b->minor))
        return false;
    }
  return true;
}

/* What `update` writes: r, less the device rules when they are the ones in place
 * (containerd passes the whole linux.resources, devices included, on every update: the
 * cgroup then is not touched), and, as runc does, an unlimited memory limit with no swap
 * value unlimits swap too (v1 refuses memsw below the limit).  */
static void
resources_to_write (const oci_resources *stored, const oci_resources *r, oci_resources *out,
                    oci_memory *memory)
{
  *out = *r;
  if (r->n_devices > 0 && same_device_rules (stored, r))
    {
      silo_log_debug ("update: linux.resources.devices are the rules in place");
      out->devices = NULL;
      out->n_devices = 0;
    }
  if (r->memory != NULL && r->memory->has_limit && r->memory->limit == -1 && !r->memory->has_swap)
    {
      *memory = *r->memory;
      memory->has_swap = true;
      memory->swap = -1;
      out->memory = memory;
    }
}

/* v1 keeps memory <= memory+swap, and v2's memory.swap.max is their difference: a swap
 * value below the limit that will be in place (the update's, else the stored one) is
 * refused here, naming both, before the kernel answers a bare EINVAL.  0 means unset, -1
 * unlimited.  */
static int
check_swap_against_limit (const oci_resources *resources, const oci_memory *update, struct silo_error **err)
{
  const oci_memory *stored = resources != NULL ? resources->memory : NULL;
  int64_t limit = 0, swap = 0;

  if (update == NULL)
    return 0;
  if (stored != NULL && stored->has_limit)
    limit = stored->limit;
  if (stored != NULL && stored->has_swap)
    swap = stored->swap;
  if (update->has_limit && update->limit != 0)
    limit = update->limit;
  if (update->has_swap && update->swap != 0)
    swap = update->swap;
  if (limit > 0 && swap > 0 && swap < limit)
    return silo_fail (err, 0, "linux.resources.memory.swap: %" PRId64 " is below the memory "
                      "limit %" PRId64 " (swap counts memory+swap: set it to the limit or more, "
                      "or -1 for unlimited)", swap, limit);
  return 0;
}

static void
fold_into_config (oci_config *config, const oci_resources *r)
{
  if (config->linux_ == NULL)
    config->linux_ = xmalloc0 (sizeof (*config->linux_));
  if (config->linux_->resources == NULL)
    config->linux_->resources = xmalloc0 (sizeof (*config->linux_->resources));
  silo_resources_merge (config->linux_->resources, r);
}

int
silo_container_update (const struct silo_context *ctx, const char *id, const oci_resources *resources,
                       struct silo_error **err)
{
  _cleanup_cgroup_command_ struct cgroup_command c = { .dirfd = -1 };
  const oci_resources *stored;
  enum silo_status status;
  oci_resources r;
  oci_memory memory;

  if (command_open (ctx, id, true, &c, err) < 0)
    return -1;
  stored = stored_resources (c.state->config);
  status = silo_container_status (c.state);
  if (status == SILO_STOPPED || status == SILO_CREATING)
    return silo_fail (err, 0, "cannot update container `%s`: it is %s", id,
                      silo_status_name (status));
  if (command_load_cgroup (&c, err) < 0)
    return silo_wrap (err, "update container `%s`", id);
  resources_to_write (stored, resources, &r, &memory);
  if (check_swap_against_limit (stored, r.memory, err) < 0)
    return silo_wrap (err, "update container `%s`", id);
  if (silo_cgroup_update (c.cgroup, &r, err) < 0)
    return silo_wrap (err, "update container `%s`", id);
  FAULT_POINT ("update-after-cgroup");
  fold_into_config (c.state->config, &r);
  /* The resources are the config's: stored-config.json alone changes, unless an old (schema 1)
   * state.json embedded the config, which saving the state moves out.  */
  if ((c.state->schema < SILO_STATE_SCHEMA ? silo_state_save (c.dirfd, c.state, err)
       : silo_state_save_config (c.dirfd, c.state, err)) < 0)
    return silo_wrap (err, "update container `%s` (its cgroups have the new values already)", id);
  return 0;
}

/* ---- events --------------------------------------------------------------------------- */

/* One line, as runc's json.Encoder writes it, flushed at once: a reader (containerd)
 * acts on each line as it comes.  `id` passed silo_validate_id: it needs no escaping. */
static int
print_event (const char *type, const char *id, const char *data, struct silo_error **err)
{
  if (data != NULL)
    printf ("{\"type\":\"%s\",\"id\":\"%s\",\"data\":%s}\n", type, id, data);
  else
    printf ("{\"type\":\"%s\",\"id\":\"%s\"}\n", type, id);
  if (fflush (stdout) != 0)
    return silo_fail (err, errno, "write to standard output");
  return 0;
}

static int
print_stats (const struct cgroup_command *c, struct silo_error **err)
{
  _cleanup_free_ char *data = NULL;

  if (silo_cgroup_stats_json (c->cgroup, &data, err) < 0)
    return -1;
  return print_event ("stats", c->state->id, data, err);
}

static long long
monotonic_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* One "oom" line each time the kill counter has grown since the last look.  */
static int
report_oom_kills (const struct cgroup_command *c, uint64_t *seen, struct silo_error **err)
{
  struct silo_error *read_error = NULL;
  uint64_t count;

  if (silo_cgroup_oom_kills (c->cgroup, &count, &read_error) < 0)
    {
      /* The cgroup may go away under us (a `delete --force`): the pidfd tells.  */
      silo_error_free (read_error);
      return 0;
    }
  if (count <= *seen)
    return 0;
  *seen = count;
  return print_event ("oom", c->state->id, NULL, err);
}

/* A stats failure is a warning, as in runc: the stream goes on.  */
static int
stats_or_warning (const struct cgroup_command *c, struct silo_error **err)
{
  struct silo_error *stats_error = NULL;
  _cleanup_free_ char *data = NULL;

  if (silo_cgroup_stats_json (c->cgroup, &data, &stats_error) < 0)
    {
      silo_log_warning ("container `%s`: %s", c->state->id, stats_error->msg);
      silo_error_free (stats_error);
      return 0;
    }
  return print_event ("stats", c->state->id, data, err);
}

/* Until the init exits: its pidfd turns readable then.  */
static int
stream_events (const struct cgroup_command *c, unsigned interval_ms, struct silo_error **err)
{
  _cleanup_close_ int pidfd = silo_pidfd_open_checked (c->state->pid, c->state->start_time, err);
  struct silo_error *ignored = NULL;
  long long next_stats = monotonic_ms () + interval_ms;
  uint64_t oom_kills = 0;
  bool watch_oom;

  if (pidfd < 0)
    return -1;
  watch_oom = silo_cgroup_oom_kills (c->cgroup, &oom_kills, &ignored) == 0;
  silo_error_free (ignored);
  for (;;)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      long long wait_ms = next_stats - monotonic_ms ();
      int ready;

      if (wait_ms < 0)
        wait_ms = 0;
      if (watch_oom && wait_ms > OOM_POLL_MS)
        wait_ms = OOM_POLL_MS;
      ready = poll (&p, 1, (int) wait_ms);
      if (ready < 0 && errno != EINTR)
        return silo_fail (err, errno, "wait for the container's init");
      /* Looked at before leaving too: the init itself may be what the kernel killed.  */
      if (watch_oom && report_oom_kills (c, &oom_kills, err) < 0)
        return -1;
      if (ready > 0)
        return 0;
      if (monotonic_ms () < next_stats)
        continue;
      if (stats_or_warning (c, err) < 0)
        return -1;
      next_stats += interval_ms;
      if (next_stats < monotonic_ms ())
        next_stats = monotonic_ms () + interval_ms;   /* a stalled read: no burst after it */
    }
}

int
silo_container_events (const struct silo_context *ctx, const char *id, bool stats_once,
                       unsigned interval_ms, struct silo_error **err)
{
  _cleanup_cgroup_command_ struct cgroup_command c = { .dirfd = -1 };
  int ret;

  if (interval_ms == 0 && !stats_once)
    return silo_fail (err, 0, "events: the interval must be greater than 0");
  /* No lock: the stream runs as long as the container, and must not block kill or delete. */
  if (command_open (ctx, id, false, &c, err) < 0)
    return -1;
  if (silo_container_status (c.state) == SILO_STOPPED)
    return silo_fail (err, 0, "container `%s` is not running", id);
  if (command_load_cgroup (&c, err) < 0)
    return silo_wrap (err, "events of container `%s`", id);
  silo_closep (&c.dirfd);
  ret = stats_once ? print_stats (&c, err) : stream_events (&c, interval_ms, err);
  if (ret < 0)
    return silo_wrap (err, "events of container `%s`", id);
  return 0;
}

/* ---- ps ------------------------------------------------------------------------------- */

_Static_assert (sizeof (pid_t) == sizeof (int), "pid_t is int on Linux");

int
silo_container_pids (const struct silo_context *ctx, const char *id, int **pids, size_t *n,
                     struct silo_error **err)
{
  _cleanup_cgroup_command_ struct cgroup_command c = { .dirfd = -1 };

  *pids = NULL;
  *n = 0;
  if (command_open (ctx, id, false, &c, err) < 0)
    return -1;
  if (command_load_cgroup (&c, err) < 0 || silo_cgroup_pids (c.cgroup, (pid_t **) pids, n, err) < 0)
    return silo_wrap (err, "processes of container `%s`", id);
  return 0;
}
