/* silo cgroup resources, the pure half: linux.resources -> the files each controller
 * takes and the values written there, per cgroup version, in the order the kernel needs
 * them.  No system call here: tests/cgroup-resources.tsv checks these conversions through
 * tests/unit/cgroup-table.c, and the live code only executes the list (resources.c).
 *
 * Where the spec (written against v1) and v2 differ:
 *   memory.swap is memory+swap; v2's memory.swap.max is swap alone: swap - limit;
 *   cpu.shares (2..262144) -> cpu.weight (1..10000) on a log scale (see below);
 *   blockIO weights (10..1000) -> io.weight (1..10000) linearly, unless bfq's own
 *   io.bfq.weight (the v1 scale) is there;
 *   a throttle rate of 0 means "no limit" in v1; v2's io.max says "max" (it refuses 0);
 *   -1 ("unlimited") is "max" in every v2 file.
 * As in runc, 0 means "unset" for the memory limit, swap and reservation, shares, quota,
 * period and the real-time values: no container could run with a zero there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LN2 0.693147180559945309417232121458176568
#define LN10 2.302585092994045684017991454684364208

void
cgroup_writes_clear (struct cgroup_writes *w)
{
  for (size_t i = 0; i < w->n; i++)
    {
      free (w->items[i].field);
      free (w->items[i].file);
      free (w->items[i].value);
    }
  free (w->items);
  w->items = NULL;
  w->n = 0;
}

/* Append a write; takes value (allocated).  field is below "linux.resources.".  */
static struct cgroup_write *
add (struct cgroup_writes *w, char *field, char *file, char *value)
{
  struct cgroup_write *item;

  w->items = xrealloc (w->items, (w->n + 1) * sizeof (*w->items));
  item = &w->items[w->n++];
  *item = (struct cgroup_write) { .field = xasprintf ("linux.resources.%s", field), .file = file,
                                  .value = value };
  free (field);
  return item;
}

#define ADD(w, field, file, value) add (w, xstrdup (field), xstrdup (file), value)

static char *
text_i64 (int64_t v)
{
  return xasprintf ("%" PRId64, v);
}

static char *
text_u64 (uint64_t v)
{
  return xasprintf ("%" PRIu64, v);
}

/* v2 files take "max" for no limit, where the spec says -1.  */
static char *
text_max (int64_t v)
{
  return v < 0 ? xstrdup ("max") : text_i64 (v);
}

/* ---- conversions ---------------------------------------------------------------------- */

/* ln(x) for x in [1, 2): 2 atanh ((x - 1) / (x + 1)), a series in t^2 < 1/9.  Written
 * here rather than taken from libm, which silo does not otherwise link; the table test
 * compares it with libm over the whole range of shares.  */
static double
log_of_mantissa (double x)
{
  double t = (x - 1) / (x + 1), t2 = t * t, term = t, sum = 0;

  for (int k = 1; k < 64; k += 2)
    {
      sum += term / k;
      term *= t2;
    }
  return 2 * sum;
}

static double
log2_of (uint64_t v)
{
  int exponent = 63 - __builtin_clzll (v);

  return exponent + log_of_mantissa ((double) v / (double) (1ULL << exponent)) / LN2;
}

/* 10^x for x in [0, 4]: the integer part exactly, the fraction as a Taylor series of e^y,
 * y < ln 10.  */
static double
pow10_of (double x)
{
  int whole = (int) x;
  double y = (x - whole) * LN10, sum = 1, term = 1, scale = 1;

  for (int k = 1; k < 48; k++)
    {
      term *= y / k;
      sum += term;
    }
  for (int i = 0; i < whole; i++)
    scale *= 10;
  return scale * sum;
}

/* A quadratic in log2(shares) through the three points that matter: the minimum
 * (2 -> 1), the default (1024 -> 100) and the maximum (262144 -> 10000), so that the
 * default stays the default, which the old linear formula broke (1024 -> 39).  */
uint64_t
cgroup_cpu_shares_to_weight (uint64_t shares)
{
  double l, exponent, weight;

  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = log2_of (shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  weight = pow10_of (exponent);
  return (uint64_t) weight + ((double) (uint64_t) weight < weight ? 1 : 0);
}

uint64_t
cgroup_blkio_weight_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    return 1;
  return 1 + (weight - 10) * 9999 / 990;
}

char *
cgroup_hugetlb_size_name (unsigned long kb)
{
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
    return xasprintf ("%luGB", kb / (1024 * 1024));
  if (kb >= 1024 && kb % 1024 == 0)
    return xasprintf ("%luMB", kb / 1024);
  return xasprintf ("%luKB", kb);
}

char *
cgroup_unified_key_controller (const char *key)
{
  size_t len = strcspn (key, ".");

  if (len == strlen ("cgroup") && strncmp (key, "cgroup", len) == 0)
    return NULL;
  return xasprintf ("%.*s", (int) len, key);
}

/* ---- which controllers ------------------------------------------------------------- */

static bool
memory_set (const oci_memory *m)
{
  return (m->has_limit && m->limit != 0) || (m->has_swap && m->swap != 0)
         || (m->has_reservation && m->reservation != 0) || m->has_swappiness
         || m->has_disable_oom_killer || m->has_use_hierarchy
         || (m->has_kernel_tcp && m->kernel_tcp != 0);
}

static bool
cpu_set (const oci_cpu *c)
{
  return (c->has_shares && c->shares != 0) || (c->has_quota && c->quota != 0)
         || (c->has_period && c->period != 0) || c->has_burst || c->has_idle
         || (c->has_realtime_runtime && c->realtime_runtime != 0)
         || (c->has_realtime_period && c->realtime_period != 0);
}

static bool
io_set (const oci_block_io *b)
{
  return (b->has_weight && b->weight != 0) || b->n_weight_device > 0 || b->n_throttle_read_bps > 0
         || b->n_throttle_write_bps > 0 || b->n_throttle_read_iops > 0 || b->n_throttle_write_iops > 0;
}

unsigned
cgroup_resources_controllers (const oci_resources *r)
{
  unsigned mask = 0;

  if (r == NULL)
    return 0;
  if (r->memory != NULL && memory_set (r->memory))
    mask |= CGROUP_MASK (CGROUP_MEMORY);
  if (r->cpu != NULL && cpu_set (r->cpu))
    mask |= CGROUP_MASK (CGROUP_CPU);
  if (r->cpu != NULL && ((r->cpu->cpus != NULL && r->cpu->cpus[0] != '\0')
                         || (r->cpu->mems != NULL && r->cpu->mems[0] != '\0')))
    mask |= CGROUP_MASK (CGROUP_CPUSET);
  if (r->pids != NULL && r->pids->has_limit)
    mask |= CGROUP_MASK (CGROUP_PIDS);
  if (r->block_io != NULL && io_set (r->block_io))
    mask |= CGROUP_MASK (CGROUP_IO);
  if (r->n_hugepage_limits > 0)
    mask |= CGROUP_MASK (CGROUP_HUGETLB);
  if (r->network != NULL && r->network->has_class_id)
    mask |= CGROUP_MASK (CGROUP_NET_CLS);
  if (r->network != NULL && r->network->n_priorities > 0)
    mask |= CGROUP_MASK (CGROUP_NET_PRIO);
  if (r->n_rdma > 0)
    mask |= CGROUP_MASK (CGROUP_RDMA);
  return mask;
}

/* ---- memory ------------------------------------------------------------------------- */

static void
memory_v1 (const oci_memory *m, bool update, struct cgroup_writes *w)
{
  bool limit = m->has_limit && m->limit != 0, swap = m->has_swap && m->swap != 0;
  struct cgroup_write *x;

  if (limit)
    {
      x = ADD (w, "memory.limit", "memory.limit_in_bytes", text_i64 (m->limit));
      /* The kernel keeps limit <= memsw at every step: raising both, memsw must go
       * first; lowering, the limit must.  Limit first, and memsw first on EINVAL.  */
      if (swap)
        x->flags |= CGROUP_WRITE_RETRY_AFTER_NEXT;
      if (update && m->has_check_before_update && m->check_before_update)
        x->flags |= CGROUP_WRITE_CHECK_USAGE, x->usage = "memory.usage_in_bytes";
    }
  if (swap)
    ADD (w, "memory.swap", "memory.memsw.limit_in_bytes", text_i64 (m->swap))->hint
      = "no swap accounting in this kernel (CONFIG_MEMCG_SWAP, swapaccount=1)?";
  if (m->has_reservation && m->reservation != 0)
    ADD (w, "memory.reservation", "memory.soft_limit_in_bytes", text_i64 (m->reservation));
  if (m->has_swappiness)
    ADD (w, "memory.swappiness", "memory.swappiness", text_u64 (m->swappiness));
  if (m->has_disable_oom_killer && (m->disable_oom_killer || update))
    ADD (w, "memory.disableOOMKiller", "memory.oom_control", xstrdup (m->disable_oom_killer ? "1" : "0"));
  if (m->has_use_hierarchy)
    ADD (w, "memory.useHierarchy", "memory.use_hierarchy", xstrdup (m->use_hierarchy ? "1" : "0"))->hint
      = "memory cgroups are always hierarchical since Linux 5.11: false cannot be set";
  /* Kernel TCP buffer accounting is still there in v1 (crun writes it too); a kernel
   * built without it has no file, and the field then means nothing.  */
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    ADD (w, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", text_i64 (m->kernel_tcp))->flags
      |= CGROUP_WRITE_OPTIONAL;
}

static int
memory_v2_swap (const oci_memory *m, bool update, struct cgroup_writes *w, struct silo_error **err)
{
  bool limit = m->has_limit && m->limit != 0;

  if (m->swap == -1)
    ADD (w, "memory.swap", "memory.swap.max", xstrdup ("max"));
  else if (limit && m->limit > 0)
    {
      if (oci_memory_swap_check ("linux.resources.memory.swap", m->swap, m->limit, "the memory limit",
                                 err) < 0)
        return -1;
      ADD (w, "memory.swap", "memory.swap.max", text_i64 (m->swap - m->limit));
    }
  else if (limit)
    ADD (w, "memory.swap", "memory.swap.max", text_i64 (m->swap));   /* unlimited memory */
  else if (update)
    ADD (w, "memory.swap", "memory.swap.max", text_i64 (m->swap))->flags |= CGROUP_WRITE_SWAP_MINUS_LIMIT;
  else
    return silo_fail (err, 0, "linux.resources.memory.swap: needs memory.limit on cgroup v2 (swap "
                      "counts memory+swap; memory.swap.max takes their difference)");
  return 0;
}

static int
memory_v2 (const oci_memory *m, bool update, struct cgroup_writes *w, struct silo_error **err)
{
  struct cgroup_write *x;

  if (m->has_swap && m->swap != 0 && memory_v2_swap (m, update, w, err) < 0)
    return -1;
  if (m->has_limit && m->limit != 0)
    {
      x = ADD (w, "memory.limit", "memory.max", text_max (m->limit));
      if (update && m->has_check_before_update && m->check_before_update)
        x->flags |= CGROUP_WRITE_CHECK_USAGE, x->usage = "memory.current";
    }
  if (m->has_reservation && m->reservation != 0)
    ADD (w, "memory.reservation", "memory.low", text_max (m->reservation));
  return 0;
}

/* ---- cpu, cpuset, pids -------------------------------------------------------------- */

static void
cpu_v1 (const oci_cpu *c, struct cgroup_writes *w)
{
  bool quota = c->has_quota && c->quota != 0;
  bool runtime = c->has_realtime_runtime && c->realtime_runtime != 0;

  if (c->has_shares && c->shares != 0)
    ADD (w, "cpu.shares", "cpu.shares", text_u64 (c->shares));
  /* A shorter period can be refused while the old quota is in place (the quota/period
   * ratio would exceed the parent's): then quota first, period again.  */
  if (c->has_period && c->period != 0)
    ADD (w, "cpu.period", "cpu.cfs_period_us", text_u64 (c->period))->flags
      |= quota ? CGROUP_WRITE_RETRY_AFTER_NEXT : 0;
  if (quota)
    ADD (w, "cpu.quota", "cpu.cfs_quota_us", text_i64 (c->quota));
  if (c->has_burst)
    ADD (w, "cpu.burst", "cpu.cfs_burst_us", text_u64 (c->burst));
  /* Same for real time: runtime must stay <= period.  */
  if (c->has_realtime_period && c->realtime_period != 0)
    ADD (w, "cpu.realtimePeriod", "cpu.rt_period_us", text_u64 (c->realtime_period))->flags
      |= runtime ? CGROUP_WRITE_RETRY_AFTER_NEXT : 0;
  if (runtime)
    ADD (w, "cpu.realtimeRuntime", "cpu.rt_runtime_us", text_i64 (c->realtime_runtime));
  /* After the shares: the kernel refuses shares for an idle group.  */
  if (c->has_idle)
    ADD (w, "cpu.idle", "cpu.idle", text_i64 (c->idle));
}

static void
cpu_v2 (const oci_cpu *c, bool update, struct cgroup_writes *w)
{
  bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
  _cleanup_free_ char *quota_text = quota ? text_max (c->quota) : NULL;

  if (c->has_shares && c->shares != 0)
    ADD (w, "cpu.shares", "cpu.weight", text_u64 (cgroup_cpu_shares_to_weight (c->shares)));
  /* cpu.max is "QUOTA [PERIOD]": a lone quota keeps the period; a lone period must
   * restate the quota, which on a live cgroup is the one in place.  */
  if (quota && period)
    ADD (w, "cpu.quota", "cpu.max", xasprintf ("%s %" PRIu64, quota_text, c->period));
  else if (quota)
    ADD (w, "cpu.quota", "cpu.max", steal_pointer (&quota_text));
  else if (period && update)
    ADD (w, "cpu.period", "cpu.max", xasprintf (" %" PRIu64, c->period))->flags |= CGROUP_WRITE_KEEP_QUOTA;
  else if (period)
    ADD (w, "cpu.period", "cpu.max", xasprintf ("max %" PRIu64, c->period));
  if (c->has_burst)
    ADD (w, "cpu.burst", "cpu.max.burst", text_u64 (c->burst));
  if (c->has_idle)
    ADD (w, "cpu.idle", "cpu.idle", text_i64 (c->idle));
}

static void
cpuset_any (const oci_cpu *c, struct cgroup_writes *w)
{
  if (c->cpus != NULL && c->cpus[0] != '\0')
    ADD (w, "cpu.cpus", "cpuset.cpus", xstrdup (c->cpus));
  if (c->mems != NULL && c->mems[0] != '\0')
    ADD (w, "cpu.mems", "cpuset.mems", xstrdup (c->mems));
}

/* -1 and 0 both mean no limit, as in runc (0 would forbid even the init).  */
static void
pids_any (const oci_pids *p, struct cgroup_writes *w)
{
  if (p->has_limit)
    ADD (w, "pids.limit", "pids.max", p->limit > 0 ? text_i64 (p->limit) : xstrdup ("max"));
}

/* ---- block I/O ---------------------------------------------------------------------- */

struct throttle_list
{
  const char *field, *v1_file, *v2_key;
  const oci_throttle_device *devices;
  size_t n;
};

static void
throttles (const oci_block_io *b, enum cgroup_version v, struct cgroup_writes *w)
{
  const struct throttle_list lists[] = {
    { "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps", b->throttle_read_bps, b->n_throttle_read_bps },
    { "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps", b->throttle_write_bps, b->n_throttle_write_bps },
    { "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops", b->throttle_read_iops, b->n_throttle_read_iops },
    { "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops", b->throttle_write_iops, b->n_throttle_write_iops },
  };

  for (size_t l = 0; l < SILO_ARRAY_SIZE (lists); l++)
    for (size_t i = 0; i < lists[l].n; i++)
      {
        const oci_throttle_device *d = &lists[l].devices[i];
        char *field = xasprintf ("blockIO.%s[%zu]", lists[l].field, i), *value;
        if (v == CGROUP_V1)
          value = xasprintf ("%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate);
        else if (d->rate == 0)
          value = xasprintf ("%" PRId64 ":%" PRId64 " %s=max", d->major, d->minor, lists[l].v2_key);
        else
          value = xasprintf ("%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor, lists[l].v2_key, d->rate);
        add (w, field, xstrdup (v == CGROUP_V1 ? lists[l].v1_file : "io.max"), value);
      }
}

/* A weight goes to bfq's file where the device's scheduler is bfq (the only v1 weight
 * left since Linux 5.0 dropped CFQ), else to the generic one (v2 io.weight, own scale). */
static void
weights (const oci_block_io *b, enum cgroup_version v, struct cgroup_writes *w)
{
  const char *bfq = v == CGROUP_V1 ? "blkio.bfq.weight" : "io.bfq.weight";
  const char *generic = v == CGROUP_V1 ? "blkio.weight" : "io.weight";
  const char *hint = "per-device weights need the bfq I/O scheduler on the device "
                     "(/sys/block/DEV/queue/scheduler)";

  if (b->has_weight && b->weight != 0)
    {
      ADD (w, "blockIO.weight", bfq, text_u64 (b->weight))->flags |= CGROUP_WRITE_OR_NEXT;
      ADD (w, "blockIO.weight", generic,
           text_u64 (v == CGROUP_V1 ? b->weight : cgroup_blkio_weight_to_io_weight (b->weight)));
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const oci_weight_device *d = &b->weight_device[i];
      uint64_t generic_weight = v == CGROUP_V1 ? d->weight : cgroup_blkio_weight_to_io_weight (d->weight);
      struct cgroup_write *x;
      if (!d->has_weight)
        continue;
      x = add (w, xasprintf ("blockIO.weightDevice[%zu]", i),
               xasprintf ("%s%s", bfq, v == CGROUP_V1 ? "_device" : ""),
               xasprintf ("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight));
      x->flags |= CGROUP_WRITE_OR_NEXT, x->hint = hint;
      add (w, xasprintf ("blockIO.weightDevice[%zu]", i),
           xasprintf ("%s%s", generic, v == CGROUP_V1 ? "_device" : ""),
           xasprintf ("%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, generic_weight))->hint = hint;
    }
}

/* ---- hugetlb, network, rdma --------------------------------------------------------- */

static void
hugetlb_any (const oci_resources *r, enum cgroup_version v, struct cgroup_writes *w)
{
  const char *hint = "not a huge page size of this host? see /sys/kernel/mm/hugepages";

  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const oci_hugepage_limit *l = &r->hugepage_limits[i];
      const char *suffix = v == CGROUP_V1 ? "limit_in_bytes" : "max";
      add (w, xasprintf ("hugepageLimits[%zu]", i), xasprintf ("hugetlb.%s.%s", l->page_size, suffix),
           text_u64 (l->limit))->hint = hint;
      /* Reservations (5.7) are charged apart: limit them alike, or a reserved mapping
       * escapes the limit.  */
      if (v == CGROUP_V2)
        add (w, xasprintf ("hugepageLimits[%zu]", i), xasprintf ("hugetlb.%s.rsvd.max", l->page_size),
             text_u64 (l->limit))->flags |= CGROUP_WRITE_OPTIONAL;
    }
}

static void
network_v1 (const oci_network *n, enum cgroup_controller c, struct cgroup_writes *w)
{
  if (c == CGROUP_NET_CLS && n->has_class_id)
    ADD (w, "network.classID", "net_cls.classid", xasprintf ("%u", (unsigned) n->class_id));
  if (c == CGROUP_NET_PRIO)
    for (size_t i = 0; i < n->n_priorities; i++)
      add (w, xasprintf ("network.priorities[%zu]", i), xstrdup ("net_prio.ifpriomap"),
           xasprintf ("%s %u", n->priorities[i].name, (unsigned) n->priorities[i].priority));
}

static void
rdma_any (const oci_resources *r, struct cgroup_writes *w)
{
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const oci_rdma *d = &r->rdma[i];
      _cleanup_free_ char *handles = d->has_hca_handles ? xasprintf (" hca_handle=%u", (unsigned) d->hca_handles)
                                                        : xstrdup ("");
      _cleanup_free_ char *objects = d->has_hca_objects ? xasprintf (" hca_object=%u", (unsigned) d->hca_objects)
                                                        : xstrdup ("");
      add (w, xasprintf ("rdma.%s", d->device), xstrdup ("rdma.max"),
           xasprintf ("%s%s%s", d->device, handles, objects));
    }
}

/* ---- dispatch ----------------------------------------------------------------------- */

int
cgroup_resource_writes (enum cgroup_controller c, enum cgroup_version v, const oci_resources *r,
                        bool update, struct cgroup_writes *out, struct silo_error **err)
{
  if (r == NULL || !(cgroup_resources_controllers (r) & CGROUP_MASK (c)))
    return 0;
  switch (c)
    {
    case CGROUP_MEMORY:
      if (v == CGROUP_V2)
        return memory_v2 (r->memory, update, out, err);
      memory_v1 (r->memory, update, out);
      break;
    case CGROUP_CPU:
      if (v == CGROUP_V2)
        cpu_v2 (r->cpu, update, out);
      else
        cpu_v1 (r->cpu, out);
      break;
    case CGROUP_CPUSET:
      cpuset_any (r->cpu, out);
      break;
    case CGROUP_PIDS:
      pids_any (r->pids, out);
      break;
    case CGROUP_IO:
      weights (r->block_io, v, out);
      throttles (r->block_io, v, out);
      break;
    case CGROUP_HUGETLB:
      hugetlb_any (r, v, out);
      break;
    case CGROUP_NET_CLS:
    case CGROUP_NET_PRIO:
      if (v == CGROUP_V1)
        network_v1 (r->network, c, out);
      break;
    case CGROUP_RDMA:
      rdma_any (r, out);
      break;
    default:
      break;
    }
  return 0;
}

void
cgroup_unified_writes (const oci_resources *r, struct cgroup_writes *out)
{
  if (r == NULL || !r->has_unified)
    return;
  for (size_t i = 0; i < r->unified.len; i++)
    add (out, xasprintf ("unified.%s", r->unified.keys[i]), xstrdup (r->unified.keys[i]),
         xstrdup (r->unified.values[i]));
}
