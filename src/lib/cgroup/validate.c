/* silo cgroup validation: what the config asks of cgroups, checked before anything is
 * made and without looking at the host.  libocispec already checked types and ranges
 * (memory >= -1, weights 10..1000, swappiness 0..100, page size names); here come the
 * cgroup rules: what no kernel takes (leafWeight), what the kernel would silently change
 * (shares), and what must not become a path (unified keys).  What depends on the host's
 * layout (real-time CPU on v2, unified on v1, net_cls, rdma) is checked by
 * silo_cgroup_plan, still before the first mkdir.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

/* blockIO.leafWeight set the weight of a cgroup's own tasks against its children under
 * CFQ; CFQ left the kernel in 5.0 and no file takes it any more.  */
static int
check_block_io (const oci_block_io *b, struct silo_error **err)
{
  if (b->has_leaf_weight)
    return silo_fail (err, 0, "linux.resources.blockIO.leafWeight: not supported: the kernel has no "
                      "leaf weight since Linux 5.0 (CFQ was removed); use weight");
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const oci_weight_device *d = &b->weight_device[i];
      if (d->has_leaf_weight)
        return silo_fail (err, 0, "linux.resources.blockIO.weightDevice[%zu].leafWeight: not supported: "
                          "the kernel has no leaf weight since Linux 5.0 (CFQ was removed)", i);
      if (d->major < 0 || d->minor < 0)
        return silo_fail (err, 0, "linux.resources.blockIO.weightDevice[%zu]: major and minor must be "
                          ">= 0", i);
    }
  return 0;
}

/* The kernel clamps v1 shares into 2..262144 without a word; runc reads them back and
 * fails, we say so before: 0 is runc's "unset".  */
static int
check_cpu (const oci_cpu *c, struct silo_error **err)
{
  if (c->has_shares && c->shares != 0 && (c->shares < 2 || c->shares > 262144))
    return silo_fail (err, 0, "linux.resources.cpu.shares: %llu is outside 2..262144",
                      (unsigned long long) c->shares);
  if (c->has_idle && c->idle != 0 && c->idle != 1)
    return silo_fail (err, 0, "linux.resources.cpu.idle: must be 0 or 1, not %lld", (long long) c->idle);
  if (c->has_quota && c->quota < -1)
    return silo_fail (err, 0, "linux.resources.cpu.quota: must be -1 (no limit) or positive");
  return 0;
}

/* A value in a kernel list file must stay one token: a space or newline would add one. */
static bool
is_word (const char *s)
{
  return s != NULL && s[0] != '\0' && s[strcspn (s, " \t\n")] == '\0';
}

static int
check_names (const oci_resources *r, struct silo_error **err)
{
  for (size_t i = 0; r->network != NULL && i < r->network->n_priorities; i++)
    if (!is_word (r->network->priorities[i].name))
      return silo_fail (err, 0, "linux.resources.network.priorities[%zu].name: `%s` is not an "
                        "interface name", i, r->network->priorities[i].name);
  for (size_t i = 0; i < r->n_rdma; i++)
    if (!is_word (r->rdma[i].device))
      return silo_fail (err, 0, "linux.resources.rdma: `%s` is not a device name", r->rdma[i].device);
  return 0;
}

/* A unified key names a file of the container's cgroup2 directory: never a path.  */
static int
check_unified (const oci_map *m, struct silo_error **err)
{
  for (size_t i = 0; i < m->len; i++)
    {
      const char *key = m->keys[i];
      if (key[0] == '\0' || strchr (key, '/') != NULL || strcmp (key, ".") == 0 || strcmp (key, "..") == 0)
        return silo_fail (err, 0, "linux.resources.unified: key `%s` is not a file name of the "
                          "container's cgroup", key);
      if (strchr (key, '.') == NULL || key[0] == '.')
        return silo_fail (err, 0, "linux.resources.unified.%s: not a cgroup2 file name "
                          "(CONTROLLER.NAME, such as memory.high)", key);
    }
  return 0;
}

int
cgroup_validate_resources (const oci_resources *r, struct silo_error **err)
{
  const oci_memory *m = r->memory;

  if (r->block_io != NULL && check_block_io (r->block_io, err) < 0)
    return -1;
  if (r->cpu != NULL && check_cpu (r->cpu, err) < 0)
    return -1;
  if (m != NULL && m->has_swap && m->swap > 0 && (!m->has_limit || m->limit == 0))
    return silo_fail (err, 0, "linux.resources.memory.swap: needs memory.limit (swap counts "
                      "memory+swap)");
  if (check_names (r, err) < 0)
    return -1;
  if (r->has_unified && check_unified (&r->unified, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_devices; i++)
    if (cgroup_validate_device_rule (&r->devices[i], i, err) < 0)
      return -1;
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
  return cgroup_validate_resources (r, err);
}
