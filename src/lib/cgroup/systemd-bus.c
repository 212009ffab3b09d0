/* silo cgroup, systemd driver: the D-Bus calls, through libsystemd's sd-bus, which is
 * loaded with dlopen at the first call (a cgroupfs `run` maps one library fewer).
 *
 * The bus: the system bus (dbus-daemon) first, then systemd's own socket
 * /run/systemd/private (root only; there when no dbus-daemon runs).  Jobs: the
 * JobRemoved signal is matched before the call that queues the job, so that a job done
 * before the reply is read is not missed; the wait is bounded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "systemd.h"

#ifdef SILO_HAVE_SYSTEMD

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "util.h"

#define LIBSYSTEMD_SONAME "libsystemd.so.0"
#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_PRIVATE_BUS "unix:path=/run/systemd/private"
#define JOB_WAIT_USEC (30ULL * 1000 * 1000)

#define SDBUS_FUNCTIONS(X) \
  X (sd_bus_open_system) X (sd_bus_new) X (sd_bus_set_address) X (sd_bus_start) \
  X (sd_bus_flush_close_unref) X (sd_bus_call) X (sd_bus_call_method) X (sd_bus_process) \
  X (sd_bus_wait) X (sd_bus_match_signal) X (sd_bus_slot_unref) \
  X (sd_bus_message_new_method_call) X (sd_bus_message_unref) X (sd_bus_message_append) \
  X (sd_bus_message_append_array) X (sd_bus_message_open_container) \
  X (sd_bus_message_close_container) X (sd_bus_message_read) X (sd_bus_error_free) \
  X (sd_bus_error_has_name)

#define SDBUS_DEFINE(name) static __typeof__ (name) *fn_##name;
SDBUS_FUNCTIONS (SDBUS_DEFINE)
#undef SDBUS_DEFINE
#define SD(name) (*fn_##name)

static int
library_load (struct silo_error **err)
{
  static void *library;
  void *handle;

  if (library != NULL)
    return 0;
  handle = dlopen (LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    return silo_fail (err, ENOENT, "systemd cgroup driver: cannot load %s (%s); install "
                      "libsystemd0 or use --cgroup-manager cgroupfs", LIBSYSTEMD_SONAME, dlerror ());
#define SDBUS_RESOLVE(name)                                                                  \
  if ((fn_##name = (__typeof__ (name) *) dlsym (handle, #name)) == NULL)                     \
    {                                                                                        \
      dlclose (handle);                                                                      \
      return silo_fail (err, ENOSYS, "systemd cgroup driver: %s has no `%s` (systemd 246 or " \
                        "later is needed)", LIBSYSTEMD_SONAME, #name);                        \
    }
  SDBUS_FUNCTIONS (SDBUS_RESOLVE)
#undef SDBUS_RESOLVE
  library = handle;
  return 0;
}

/* ---- cleanup ------------------------------------------------------------------------------ */

static void
bus_closep (sd_bus **bus)
{
  if (*bus != NULL)
    SD (sd_bus_flush_close_unref) (*bus);
}

static void
message_unrefp (sd_bus_message **m)
{
  if (*m != NULL)
    SD (sd_bus_message_unref) (*m);
}

static void
slot_unrefp (sd_bus_slot **s)
{
  if (*s != NULL)
    SD (sd_bus_slot_unref) (*s);
}

static void
bus_error_freep (sd_bus_error *e)
{
  if (fn_sd_bus_error_free != NULL)
    SD (sd_bus_error_free) (e);
}

#define _cleanup_bus_ __attribute__ ((cleanup (bus_closep)))
#define _cleanup_message_ __attribute__ ((cleanup (message_unrefp)))
#define _cleanup_slot_ __attribute__ ((cleanup (slot_unrefp)))
#define _cleanup_bus_error_ __attribute__ ((cleanup (bus_error_freep)))

/* A D-Bus error as "Name: message" or the errno's text.  */
static int
bus_fail (struct silo_error **err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
  if (e != NULL && e->name != NULL)
    return silo_fail (err, -r, "systemd: %s `%s`: %s", what, unit,
                      e->message != NULL ? e->message : e->name);
  return silo_fail (err, -r, "systemd: %s `%s`", what, unit);
}

static int
bus_open (sd_bus **out, struct silo_error **err)
{
  sd_bus *bus = NULL;
  int r;

  if (library_load (err) < 0)
    return -1;
  r = SD (sd_bus_open_system) (&bus);
  if (r >= 0)
    {
      *out = bus;
      return 0;
    }
  r = SD (sd_bus_new) (&bus);
  if (r >= 0)
    r = SD (sd_bus_set_address) (bus, SYSTEMD_PRIVATE_BUS);
  if (r >= 0)
    r = SD (sd_bus_start) (bus);
  if (r < 0)
    {
      bus_closep (&bus);
      return silo_fail (err, -r, "systemd cgroup driver: cannot connect to the system bus nor to "
                        "/run/systemd/private: is systemd running (and dbus)?");
    }
  *out = bus;
  return 0;
}

/* ---- jobs ----------------------------------------------------------------------------------- */

struct job_wait
{
  const char *unit;
  char *job;      /* JobRemoved's job path for unit */
  char *result;   /* "done", "failed", "timeout", ... */
};

static void
job_wait_clear (struct job_wait *w)
{
  free (w->job);
  free (w->result);
}

#define _cleanup_job_wait_ __attribute__ ((cleanup (job_wait_clear)))

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *job, *unit, *result;
  uint32_t id;

  (void) ret_error;
  if (SD (sd_bus_message_read) (m, "uoss", &id, &job, &unit, &result) < 0 || strcmp (unit, w->unit) != 0)
    return 0;
  free (w->job);
  free (w->result);
  w->job = xstrdup (job);
  w->result = xstrdup (result);
  return 0;
}

static int
watch_jobs (sd_bus *bus, struct job_wait *w, sd_bus_slot **slot, struct silo_error **err)
{
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = SD (sd_bus_match_signal) (bus, slot, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                    "JobRemoved", on_job_removed, w);

  if (r < 0)
    return bus_fail (err, r, NULL, "watch the jobs of", w->unit);
  /* Job signals reach subscribed clients (and, on the private socket, every client).  */
  r = SD (sd_bus_call_method) (bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "Subscribe", &e,
                               NULL, "");
  if (r < 0)
    return bus_fail (err, r, &e, "subscribe to the jobs of", w->unit);
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Process the bus until JobRemoved for job arrives (bounded); its result must be "done".  */
static int
wait_job (sd_bus *bus, struct job_wait *w, const char *job, const char *what, struct silo_error **err)
{
  uint64_t deadline = now_usec () + JOB_WAIT_USEC;

  while (w->job == NULL || strcmp (w->job, job) != 0)
    {
      uint64_t now = now_usec ();
      int r = SD (sd_bus_process) (bus, NULL);
      if (r < 0)
        return bus_fail (err, r, NULL, what, w->unit);
      if (r > 0)
        continue;
      if (now >= deadline)
        return silo_fail (err, ETIMEDOUT, "systemd: %s `%s`: its job did not finish in %llu s", what,
                          w->unit, (unsigned long long) (JOB_WAIT_USEC / 1000000));
      r = SD (sd_bus_wait) (bus, deadline - now);
      if (r < 0 && r != -EINTR)
        return bus_fail (err, r, NULL, what, w->unit);
    }
  if (strcmp (w->result, "done") != 0)
    return silo_fail (err, EIO, "systemd: %s `%s`: the job ended `%s` (see `journalctl -u %s`)", what,
                      w->unit, w->result, w->unit);
  return 0;
}


/* reply: that of a call that queued a job (StartTransientUnit, StopUnit); wait for it.  */
static int
finish_job (sd_bus *bus, struct job_wait *w, sd_bus_message *reply, const char *what,
            struct silo_error **err)
{
  const char *job;
  int r = SD (sd_bus_message_read) (reply, "o", &job);

  if (r < 0)
    return bus_fail (err, r, NULL, what, w->unit);
  return wait_job (bus, w, job, what, err);
}

/* ---- properties ----------------------------------------------------------------------------- */

static int
append_property (sd_bus_message *m, const struct cgroup_unit_property *p)
{
  int r;

  switch (p->type)
    {
    case 'b': return SD (sd_bus_message_append) (m, "(sv)", p->name, "b", (int) (p->number != 0));
    case 't': return SD (sd_bus_message_append) (m, "(sv)", p->name, "t", p->number);
    case 's': return SD (sd_bus_message_append) (m, "(sv)", p->name, "s", p->text);
    case 'u': return SD (sd_bus_message_append) (m, "(sv)", p->name, "au", 1, (uint32_t) p->number);
    case 'y':
      if ((r = SD (sd_bus_message_open_container) (m, 'r', "sv")) < 0
          || (r = SD (sd_bus_message_append) (m, "s", p->name)) < 0
          || (r = SD (sd_bus_message_open_container) (m, 'v', "ay")) < 0
          || (r = SD (sd_bus_message_append_array) (m, 'y', p->bytes, p->n_bytes)) < 0
          || (r = SD (sd_bus_message_close_container) (m)) < 0)
        return r;
      return SD (sd_bus_message_close_container) (m);
    }
  return -EINVAL;
}

static int
append_properties (sd_bus_message *m, const struct cgroup_unit_properties *p)
{
  int r = SD (sd_bus_message_open_container) (m, 'a', "(sv)");

  for (size_t i = 0; r >= 0 && i < p->n; i++)
    r = append_property (m, &p->items[i]);
  return r < 0 ? r : SD (sd_bus_message_close_container) (m);
}

/* ---- the calls ------------------------------------------------------------------------------ */

int
cgroup_systemd_start_unit (const char *unit, const struct cgroup_unit_properties *p,
                           struct silo_error **err)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  _cleanup_slot_ sd_bus_slot *slot = NULL;
  _cleanup_message_ sd_bus_message *m = NULL, *reply = NULL;
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_job_wait_ struct job_wait w = { .unit = unit };
  int r;

  if (bus_open (&bus, err) < 0 || watch_jobs (bus, &w, &slot, err) < 0)
    return -1;
  r = SD (sd_bus_message_new_method_call) (bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "StartTransientUnit");
  if (r >= 0)
    r = SD (sd_bus_message_append) (m, "ss", unit, "fail");
  if (r >= 0)
    r = append_properties (m, p);
  if (r >= 0)
    r = SD (sd_bus_message_append) (m, "a(sa(sv))", 0);   /* no auxiliary units */
  if (r < 0)
    return bus_fail (err, r, NULL, "build the StartTransientUnit call for", unit);
  r = SD (sd_bus_call) (bus, m, 0, &e, &reply);
  if (r < 0)
    return bus_fail (err, r, &e, "start the transient unit", unit);
  return finish_job (bus, &w, reply, "start", err);
}

int
cgroup_systemd_stop_unit (const char *unit, struct silo_error **err)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  _cleanup_slot_ sd_bus_slot *slot = NULL;
  _cleanup_message_ sd_bus_message *reply = NULL;
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_job_wait_ struct job_wait w = { .unit = unit };
  int r;

  if (bus_open (&bus, err) < 0 || watch_jobs (bus, &w, &slot, err) < 0)
    return -1;
  r = SD (sd_bus_call_method) (bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "StopUnit", &e,
                               &reply, "ss", unit, "replace");
  if (r < 0 && SD (sd_bus_error_has_name) (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    return 0;   /* gone already: systemd collects a scope once it is empty */
  if (r < 0)
    return bus_fail (err, r, &e, "stop", unit);
  return finish_job (bus, &w, reply, "stop", err);
}

int
cgroup_systemd_set_properties (const char *unit, const struct cgroup_unit_properties *p,
                               struct silo_error **err)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  _cleanup_message_ sd_bus_message *m = NULL;
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;

  if (p->n == 0)
    return 0;
  if (bus_open (&bus, err) < 0)
    return -1;
  r = SD (sd_bus_message_new_method_call) (bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "SetUnitProperties");
  if (r >= 0)
    r = SD (sd_bus_message_append) (m, "sb", unit, 1);
  if (r >= 0)
    r = append_properties (m, p);
  if (r < 0)
    return bus_fail (err, r, NULL, "build the SetUnitProperties call for", unit);
  r = SD (sd_bus_call) (bus, m, 0, &e, NULL);
  if (r < 0)
    return bus_fail (err, r, &e, "set the properties of", unit);
  return 0;
}

#else /* !SILO_HAVE_SYSTEMD: silo_cgroup_plan_systemd refuses first; these say why too.  */

#include <errno.h>

static int
not_built (const char *unit, struct silo_error **err)
{
  return silo_fail (err, ENOTSUP, "systemd scope `%s`: this silo was built without the systemd "
                    "cgroup driver (configure found no libsystemd-dev)", unit);
}

int
cgroup_systemd_start_unit (const char *unit, const struct cgroup_unit_properties *p,
                           struct silo_error **err)
{
  (void) p;
  return not_built (unit, err);
}

int
cgroup_systemd_stop_unit (const char *unit, struct silo_error **err)
{
  return not_built (unit, err);
}

int
cgroup_systemd_set_properties (const char *unit, const struct cgroup_unit_properties *p,
                               struct silo_error **err)
{
  (void) p;
  return not_built (unit, err);
}

#endif
