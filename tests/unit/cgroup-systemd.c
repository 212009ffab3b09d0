/* Unit tests for the systemd cgroup driver's pure parts: linux.cgroupsPath
 * ("SLICE:PREFIX:NAME") to unit, slice and cgroup path, slice expansion, and
 * linux.resources to the unit properties systemd manages.  The D-Bus side runs for real
 * in the systemd guest (tests/cgroups-systemd.bats, tests/vm/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "cgroup/systemd.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

static void
check_names (const char *path, const char *unit, const char *slice, const char *relative)
{
  struct silo_error *err = NULL;
  char *u = NULL, *s = NULL, *r = NULL;

  if (cgroup_systemd_names (path, "ctr1", &u, &s, &r, &err) < 0)
    {
      ok (false, "`%s`: %s", path ? path : "(none)", err->msg);
      silo_error_free (err);
      return;
    }
  is_str (u, unit, "`%s`: unit %s", path ? path : "(none)", unit);
  is_str (s, slice, "`%s`: slice %s", path ? path : "(none)", slice);
  is_str (r, relative, "`%s`: cgroup %s", path ? path : "(none)", relative);
  free (u);
  free (s);
  free (r);
}

static void
check_names_refused (const char *path, const char *want)
{
  struct silo_error *err = NULL;
  char *u = NULL, *s = NULL, *r = NULL;
  int ret = cgroup_systemd_names (path, "ctr1", &u, &s, &r, &err);

  ok (ret < 0 && err != NULL && strstr (err->msg, want) != NULL, "`%s` refused, naming `%s`: %s", path,
      want, err != NULL ? err->msg : "(accepted)");
  silo_error_free (err);
  free (u);
  free (s);
  free (r);
}

static void
test_names (void)
{
  check_names (NULL, "silo-ctr1.scope", "system.slice", "system.slice/silo-ctr1.scope");
  check_names ("", "silo-ctr1.scope", "system.slice", "system.slice/silo-ctr1.scope");
  check_names ("machine.slice:libpod:abc", "libpod-abc.scope", "machine.slice", "machine.slice/libpod-abc.scope");
  check_names ("kubepods-besteffort-pod12.slice:cri-containerd:x1", "cri-containerd-x1.scope",
               "kubepods-besteffort-pod12.slice",
               "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/cri-containerd-x1.scope");
  check_names (":silo:x", "silo-x.scope", "system.slice", "system.slice/silo-x.scope");
  check_names ("-.slice::x", "x.scope", "-.slice", "x.scope");
  check_names ("user.slice:a:b_c.d@e", "a-b_c.d@e.scope", "user.slice", "user.slice/a-b_c.d@e.scope");
  check_names_refused ("/kubepods/pod1/ctr", "SLICE:PREFIX:NAME");
  check_names_refused ("system.slice:silo", "SLICE:PREFIX:NAME");
  check_names_refused ("a.slice:b:c:d", "SLICE:PREFIX:NAME");
  check_names_refused ("system.slice:silo:", "NAME");
  check_names_refused ("system.slice:silo:pod.slice", "slice as the container's own unit");
  check_names_refused ("bad-.slice:p:x", "dash");
  check_names_refused ("a--b.slice:p:x", "dash");
  check_names_refused ("-a.slice:p:x", "dash");
  check_names_refused ("machine:p:x", "not a systemd slice name");
  check_names_refused ("a/b.slice:p:x", "not a systemd slice name");
  check_names_refused ("system.slice:p:x/y", "not a valid systemd unit name");
  check_names_refused ("system.slice:p:x y", "not a valid systemd unit name");
}

/* ---- properties ------------------------------------------------------------------------- */

static const struct cgroup_unit_property *
find (const struct cgroup_unit_properties *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->items[i].name, name) == 0)
      return &p->items[i];
  return NULL;
}

static void
properties_of (const char *json, struct cgroup_unit_properties *p)
{
  struct silo_error *err = NULL;
  oci_resources *r = NULL;

  if (oci_resources_parse (json, strlen (json), &r, &err) < 0
      || cgroup_systemd_resource_properties (r, false, -1, p, &err) < 0)
    {
      ok (false, "%s: %s", json, err->msg);
      silo_error_free (err);
    }
  oci_resources_free (r);
}

static void
check_number (const char *json, const char *name, uint64_t want)
{
  struct cgroup_unit_properties p = { NULL, 0 };
  const struct cgroup_unit_property *x;

  properties_of (json, &p);
  x = find (&p, name);
  ok (x != NULL && x->type == 't' && x->number == want, "%s -> %s=%" PRIu64 " (got %s%" PRIu64 ")", json,
      name, want, x == NULL ? "none, " : "", x != NULL ? x->number : 0);
  cgroup_unit_properties_clear (&p);
}

static void
check_absent (const char *json, const char *name)
{
  struct cgroup_unit_properties p = { NULL, 0 };

  properties_of (json, &p);
  ok (find (&p, name) == NULL, "%s: no %s", json, name);
  cgroup_unit_properties_clear (&p);
}

static void
check_bytes (const char *json, const char *name, const uint8_t *want, size_t n)
{
  struct cgroup_unit_properties p = { NULL, 0 };
  const struct cgroup_unit_property *x;

  properties_of (json, &p);
  x = find (&p, name);
  ok (x != NULL && x->type == 'y' && x->n_bytes == n && memcmp (x->bytes, want, n) == 0,
      "%s -> %s, %zu bytes", json, name, n);
  cgroup_unit_properties_clear (&p);
}

static void
test_properties (void)
{
  static const uint8_t cpus[] = { 0x27 }, cpus_high[] = { 0x00, 0x01 }, mems[] = { 0x01 };

  check_number ("{\"memory\":{\"limit\":104857600}}", "MemoryMax", 104857600);
  check_number ("{\"memory\":{\"limit\":-1}}", "MemoryMax", UINT64_MAX);
  check_number ("{\"memory\":{\"reservation\":1048576}}", "MemoryLow", 1048576);
  check_number ("{\"memory\":{\"limit\":104857600,\"swap\":209715200}}", "MemorySwapMax", 104857600);
  check_number ("{\"memory\":{\"limit\":104857600,\"swap\":-1}}", "MemorySwapMax", UINT64_MAX);
  check_number ("{\"cpu\":{\"shares\":1024}}", "CPUWeight", 100);
  check_number ("{\"cpu\":{\"shares\":2}}", "CPUWeight", 1);
  check_number ("{\"cpu\":{\"quota\":50000,\"period\":100000}}", "CPUQuotaPerSecUSec", 500000);
  check_number ("{\"cpu\":{\"quota\":50000,\"period\":100000}}", "CPUQuotaPeriodUSec", 100000);
  check_number ("{\"cpu\":{\"quota\":33333,\"period\":100000}}", "CPUQuotaPerSecUSec", 333330);
  check_number ("{\"cpu\":{\"quota\":1,\"period\":3}}", "CPUQuotaPerSecUSec", 333334);   /* rounded up */
  check_number ("{\"cpu\":{\"quota\":25000}}", "CPUQuotaPerSecUSec", 250000);
  check_absent ("{\"cpu\":{\"quota\":25000}}", "CPUQuotaPeriodUSec");
  check_number ("{\"cpu\":{\"quota\":-1,\"period\":50000}}", "CPUQuotaPerSecUSec", UINT64_MAX);
  check_number ("{\"cpu\":{\"period\":50000}}", "CPUQuotaPeriodUSec", 50000);
  check_bytes ("{\"cpu\":{\"cpus\":\"0-2,5\"}}", "AllowedCPUs", cpus, sizeof (cpus));
  check_bytes ("{\"cpu\":{\"cpus\":\"8\"}}", "AllowedCPUs", cpus_high, sizeof (cpus_high));
  check_bytes ("{\"cpu\":{\"mems\":\"0\"}}", "AllowedMemoryNodes", mems, sizeof (mems));
  check_number ("{\"pids\":{\"limit\":10}}", "TasksMax", 10);
  check_number ("{\"pids\":{\"limit\":-1}}", "TasksMax", UINT64_MAX);
  check_number ("{\"blockIO\":{\"weight\":1000}}", "IOWeight", 10000);
  check_absent ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":500}]}}", "IOWeight");
  check_number ("{\"unified\":{\"memory.high\":\"1000000\"}}", "MemoryHigh", 1000000);
  check_number ("{\"unified\":{\"memory.min\":\"4096\"}}", "MemoryMin", 4096);
  check_number ("{\"unified\":{\"pids.max\":\"max\"}}", "TasksMax", UINT64_MAX);
  check_absent ("{\"unified\":{\"io.max\":\"8:0 rbps=1000\"}}", "IOWeight");
  check_absent ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}", "MemoryMax");
}

static void
test_unit_properties (void)
{
  struct cgroup_unit_properties p = { NULL, 0 };

  cgroup_unit_property_text (&p, "Slice", "machine.slice");
  cgroup_unit_property_number (&p, "Delegate", 'b', 1);
  ok (p.n == 2 && strcmp (p.items[0].text, "machine.slice") == 0 && p.items[1].number == 1,
      "properties keep their order and values");
  cgroup_unit_properties_clear (&p);
  ok (p.n == 0 && p.items == NULL, "cleared");
}

int
main (void)
{
  test_names ();
  test_properties ();
  test_unit_properties ();
  return tap_done ();
}
