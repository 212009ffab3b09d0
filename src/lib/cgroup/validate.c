/* silo cgroup validation: what the config asks of cgroups, checked before anything is
 * made.  Until the resources work lands, linux.resources.devices is the one member silo
 * applies; any other member that sets a value is refused by name (an empty object or
 * list asks for nothing and passes).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

static bool
memory_set (const oci_memory *m)
{
  return m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp
         || m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy
         || m->has_check_before_update;
}

static bool
cpu_set (const oci_cpu *c)
{
  return c->has_shares || c->has_quota || c->has_burst || c->has_period || c->has_realtime_runtime
         || c->has_realtime_period || c->has_idle || c->cpus != NULL || c->mems != NULL;
}

static bool
block_io_set (const oci_block_io *b)
{
  return b->has_weight || b->has_leaf_weight || b->n_weight_device > 0 || b->n_throttle_read_bps > 0
         || b->n_throttle_write_bps > 0 || b->n_throttle_read_iops > 0 || b->n_throttle_write_iops > 0;
}

static int
check_unsupported (const oci_resources *r, struct silo_error **err)
{
  const struct { const char *name; bool set; } members[] = {
    { "memory", r->memory != NULL && memory_set (r->memory) },
    { "cpu", r->cpu != NULL && cpu_set (r->cpu) },
    { "pids", r->pids != NULL && r->pids->has_limit },
    { "blockIO", r->block_io != NULL && block_io_set (r->block_io) },
    { "hugepageLimits", r->n_hugepage_limits > 0 },
    { "network", r->network != NULL && (r->network->has_class_id || r->network->n_priorities > 0) },
    { "rdma", r->n_rdma > 0 },
    { "unified", r->has_unified && r->unified.len > 0 },
  };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (members); i++)
    if (members[i].set)
      return silo_fail (err, 0, "linux.resources.%s: not supported by silo yet (cgroup "
                        "resources come with the cgroups work)", members[i].name);
  return 0;
}

/* -1 is runc's wildcard and accepted as such; the kernel reads numbers as u32.  */
static bool
number_ok (bool has, int64_t v)
{
  return !has || (v >= -1 && v <= (int64_t) UINT32_MAX);
}

int
cgroup_validate_device_rule (const oci_device_cgroup *d, size_t index, struct silo_error **err)
{
  if (d->type != NULL && strcmp (d->type, "a") != 0 && strcmp (d->type, "b") != 0
      && strcmp (d->type, "c") != 0)
    return silo_fail (err, 0, "linux.resources.devices[%zu].type: `%s` is not one of a, b, c",
                      index, d->type);
  if (!number_ok (d->has_major, d->major) || !number_ok (d->has_minor, d->minor))
    return silo_fail (err, 0, "linux.resources.devices[%zu].%s: must be 0 to 4294967295 (or "
                      "absent for any)", index, !number_ok (d->has_major, d->major) ? "major" : "minor");
  if (d->access == NULL || d->access[0] == '\0')
    return silo_fail (err, 0, "linux.resources.devices[%zu].access: required, a combination "
                      "of r (read), w (write) and m (mknod)", index);
  if (d->access[strspn (d->access, "rwm")] != '\0')
    return silo_fail (err, 0, "linux.resources.devices[%zu].access: `%s` holds `%c`; use a "
                      "combination of r, w and m", index, d->access, d->access[strspn (d->access, "rwm")]);
  return 0;
}

int
silo_cgroup_validate (const oci_config *c, struct silo_error **err)
{
  const oci_linux *l = c->linux_;
  const oci_resources *r = l != NULL ? l->resources : NULL;

  if (l != NULL && l->cgroups_path != NULL && l->cgroups_path[0] != '\0')
    {
      _cleanup_free_ char *relative = NULL;
      if (cgroup_relative_path (l->cgroups_path, NULL, &relative, err) < 0)
        return -1;
    }
  if (r == NULL)
    return 0;
  if (check_unsupported (r, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_devices; i++)
    if (cgroup_validate_device_rule (&r->devices[i], i, err) < 0)
      return -1;
  return 0;
}
