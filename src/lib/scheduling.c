/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scheduling.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <linux/sched.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
# define MPOL_WEIGHTED_INTERLEAVE 6   /* Linux 6.9 */
#endif
#define MAX_NUMA_NODES 1024

/* sched_setattr(2)'s argument; <linux/sched/types.h> would clash with glibc's sched_param.  */
struct sched_attr
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

struct name_value
{
  const char *name;
  unsigned long value;
};

static const struct name_value policies[] = {
  { "SCHED_OTHER", SCHED_NORMAL }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct name_value scheduler_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK }, { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN }, { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
};

static const struct name_value io_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT }, { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

static const struct name_value memory_modes[] = {
  { "MPOL_DEFAULT", MPOL_DEFAULT }, { "MPOL_BIND", MPOL_BIND },
  { "MPOL_INTERLEAVE", MPOL_INTERLEAVE }, { "MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE },
  { "MPOL_PREFERRED", MPOL_PREFERRED }, { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY },
  { "MPOL_LOCAL", MPOL_LOCAL },
};

static const struct name_value memory_flags[] = {
  { "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING },
  { "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
  { "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
};

/* -1 for a name the table does not have (libocispec checked the spec's list already;
 * what is left is what Linux itself lacks, SCHED_ISO).  */
static long
lookup (const struct name_value *table, size_t n, const char *name)
{
  for (size_t i = 0; name != NULL && i < n; i++)
    if (strcmp (table[i].name, name) == 0)
      return (long) table[i].value;
  return -1;
}

#define LOOKUP(table, name) lookup (table, SILO_ARRAY_SIZE (table), name)

/* ---- process.scheduler ------------------------------------------------------------ */

static int
scheduler_attributes (const oci_scheduler *s, struct sched_attr *attr, struct silo_error **err)
{
  long policy = LOOKUP (policies, s->policy);

  if (policy < 0)
    return silo_fail (err, EINVAL, "process.scheduler.policy: %s is not a Linux scheduling policy",
                      s->policy);
  *attr = (struct sched_attr) { .size = sizeof (struct sched_attr), .sched_policy = (uint32_t) policy };
  for (size_t i = 0; i < s->n_flags; i++)
    {
      long flag = LOOKUP (scheduler_flags, s->flags[i]);
      if (flag < 0)
        return silo_fail (err, EINVAL, "process.scheduler.flags[%zu]: unknown `%s`", i, s->flags[i]);
      attr->sched_flags |= (uint64_t) flag;
    }
  if (s->has_nice)
    attr->sched_nice = s->nice;
  if (s->has_priority)
    attr->sched_priority = (uint32_t) s->priority;
  attr->sched_runtime = s->runtime;
  attr->sched_deadline = s->deadline;
  attr->sched_period = s->period;
  return 0;
}

/* What the kernel would refuse with a bare EINVAL, said with the field.  */
static int
validate_scheduler (const oci_scheduler *s, struct silo_error **err)
{
  struct sched_attr a;
  bool realtime;

  if (scheduler_attributes (s, &a, err) < 0)
    return -1;
  realtime = a.sched_policy == SCHED_FIFO || a.sched_policy == SCHED_RR;
  if (realtime && (!s->has_priority || s->priority < 1 || s->priority > 99))
    return silo_fail (err, EINVAL, "process.scheduler.priority: %s needs a priority from 1 to 99",
                      s->policy);
  if (!realtime && s->has_priority && s->priority != 0)
    return silo_fail (err, EINVAL, "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take "
                      "one (%s: 0)", s->policy);
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return silo_fail (err, EINVAL, "process.scheduler.nice: %d is outside -20..19", s->nice);
  if (a.sched_policy != SCHED_DEADLINE)
    return (s->has_runtime || s->has_deadline || s->has_period)
      ? silo_fail (err, EINVAL, "process.scheduler: runtime, deadline and period are for "
                   "SCHED_DEADLINE only") : 0;
  if (a.sched_runtime < 1024 || a.sched_deadline == 0)
    return silo_fail (err, EINVAL, "process.scheduler: SCHED_DEADLINE needs a runtime of at least "
                      "1024 ns and a deadline");
  if (a.sched_runtime > a.sched_deadline || (a.sched_period != 0 && a.sched_deadline > a.sched_period))
    return silo_fail (err, EINVAL, "process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= "
                      "period (%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")", (uint64_t) a.sched_runtime,
                      (uint64_t) a.sched_deadline, (uint64_t) a.sched_period);
  return 0;
}

/* ---- linux.memoryPolicy ---------------------------------------------------------- */

static int
parse_nodes (const char *list, unsigned long mask[MAX_NUMA_NODES / (8 * sizeof (long))],
             struct silo_error **err)
{
  const char *p = list;

  memset (mask, 0, MAX_NUMA_NODES / 8);
  while (*p != '\0')
    {
      char *end;
      unsigned long first = strtoul (p, &end, 10), last = first;

      if (end == p)
        break;
      if (*end == '-')
        {
          p = end + 1;
          last = strtoul (p, &end, 10);
          if (end == p || last < first)
            break;
        }
      if (last >= MAX_NUMA_NODES)
        return silo_fail (err, EINVAL, "linux.memoryPolicy.nodes: node %lu is above %d", last,
                          MAX_NUMA_NODES - 1);
      for (unsigned long n = first; n <= last; n++)
        mask[n / (8 * sizeof (long))] |= 1UL << (n % (8 * sizeof (long)));
      if (*end == '\0')
        return 0;
      if (*end != ',')
        break;
      p = end + 1;
    }
  return silo_fail (err, EINVAL, "linux.memoryPolicy.nodes: `%s` is not a node list (like 0-1,3)", list);
}

static int
memory_policy (const oci_memory_policy *m, int *mode, unsigned long *mask, struct silo_error **err)
{
  long value = LOOKUP (memory_modes, m->mode);
  bool empty = m->nodes == NULL || m->nodes[0] == '\0';
  bool needs_nodes = value == MPOL_BIND || value == MPOL_INTERLEAVE
                     || value == MPOL_WEIGHTED_INTERLEAVE || value == MPOL_PREFERRED_MANY;
  long flags = 0;

  if (value < 0)
    return silo_fail (err, EINVAL, "linux.memoryPolicy.mode: unknown `%s`", m->mode);
  if (needs_nodes && empty)
    return silo_fail (err, EINVAL, "linux.memoryPolicy.nodes: %s needs nodes", m->mode);
  if ((value == MPOL_DEFAULT || value == MPOL_LOCAL) && !empty)
    return silo_fail (err, EINVAL, "linux.memoryPolicy.nodes: %s takes none", m->mode);
  for (size_t i = 0; i < m->n_flags; i++)
    flags |= LOOKUP (memory_flags, m->flags[i]);
  if ((flags & MPOL_F_STATIC_NODES) && (flags & MPOL_F_RELATIVE_NODES))
    return silo_fail (err, EINVAL, "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and "
                      "MPOL_F_RELATIVE_NODES exclude each other");
  if ((flags & MPOL_F_NUMA_BALANCING) && value != MPOL_BIND)
    return silo_fail (err, EINVAL, "linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING is for MPOL_BIND only");
  *mode = (int) (value | flags);
  memset (mask, 0, MAX_NUMA_NODES / 8);
  return empty ? 0 : parse_nodes (m->nodes, mask, err);
}

/* ---- the interface ---------------------------------------------------------------- */

int
silo_sched_validate (const oci_process *p, const oci_linux *l, struct silo_error **err)
{
  unsigned long mask[MAX_NUMA_NODES / (8 * sizeof (long))];
  int mode;

  if (p != NULL && p->scheduler != NULL && validate_scheduler (p->scheduler, err) < 0)
    return -1;
  if (p != NULL && p->io_priority != NULL && LOOKUP (io_classes, p->io_priority->class_) < 0)
    return silo_fail (err, EINVAL, "process.ioPriority.class: unknown `%s`", p->io_priority->class_);
  if (l != NULL && l->memory_policy != NULL && memory_policy (l->memory_policy, &mode, mask, err) < 0)
    return -1;
  return 0;
}

int
silo_sched_apply (const oci_process *p, const oci_linux *l, struct silo_error **err)
{
  unsigned long mask[MAX_NUMA_NODES / (8 * sizeof (long))];
  struct sched_attr attr;
  int mode;

  if (p->scheduler != NULL && scheduler_attributes (p->scheduler, &attr, err) < 0)
    return -1;
  if (p->scheduler != NULL && syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return silo_fail (err, errno, "process.scheduler: sched_setattr %s%s", p->scheduler->policy,
                      errno == EPERM && (attr.sched_policy == SCHED_FIFO || attr.sched_policy == SCHED_RR)
                      ? " (a realtime policy needs CAP_SYS_NICE and, where cgroup v1 schedules "
                        "realtime groups, linux.resources.cpu.realtimeRuntime)" : "");
  if (p->io_priority != NULL)
    {
      long class = LOOKUP (io_classes, p->io_priority->class_);
      if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
                   IOPRIO_PRIO_VALUE (class, p->io_priority->priority)) < 0)
        return silo_fail (err, errno, "process.ioPriority: ioprio_set %s %d", p->io_priority->class_,
                          p->io_priority->priority);
    }
  if (l != NULL && l->personality != NULL
      && personality (strcmp (l->personality->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX) < 0)
    return silo_fail (err, errno, "linux.personality: %s", l->personality->domain);
  if (l != NULL && l->memory_policy != NULL)
    {
      if (memory_policy (l->memory_policy, &mode, mask, err) < 0)
        return -1;
      if (syscall (SYS_set_mempolicy, mode, mask, MAX_NUMA_NODES) < 0)
        return silo_fail (err, errno, "linux.memoryPolicy: set_mempolicy %s%s", l->memory_policy->mode,
                          errno == EINVAL ? " (a node this machine does not have?)" : "");
    }
  return 0;
}
