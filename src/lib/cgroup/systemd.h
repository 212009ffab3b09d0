/* silo cgroup, the systemd driver (`--systemd-cgroup`, `--cgroup-manager systemd`).
 *
 * The container's cgroup is a transient scope unit that systemd makes around the init:
 * StartTransientUnit with PIDs=[init], Delegate=yes (the subtree is the container's) and
 * the resources systemd manages as unit properties, so that a `systemctl daemon-reload`
 * or a property change writes the container's limits again, not systemd's defaults.
 * Everything else (hugetlb, rdma, io.max, unified keys, devices) silo writes to the
 * scope's cgroup itself, as the cgroupfs driver does; the properties are written there
 * too, so the files hold exactly the config's values whatever systemd rounds.
 *
 * linux.cgroupsPath is runc's "SLICE:PREFIX:NAME": unit PREFIX-NAME.scope (NAME.scope
 * when PREFIX is empty) in SLICE (system.slice when empty); absent: system.slice:silo:ID.
 * A slice "a-b.slice" lives at a.slice/a-b.slice, so the scope's cgroup is
 * /sys/fs/cgroup/a.slice/a-b.slice/PREFIX-NAME.scope.
 *
 * Pure cgroup v2 only (systemd's unified mode), root only (the system instance), and a
 * running systemd (/run/systemd/system): each is refused with its reason at create.
 * The D-Bus side (systemd-bus.c) loads libsystemd with dlopen at the first use, so a
 * cgroupfs container never maps it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CGROUP_SYSTEMD_H
#define SILO_CGROUP_SYSTEMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* One unit property for StartTransientUnit / SetUnitProperties.  type: 'b' (number 0/1),
 * 't' (number), 's' (text), 'y' (bytes: D-Bus "ay", a CPU or NUMA node bitmask),
 * 'u' (number: D-Bus "au" holding one pid).  */
struct cgroup_unit_property
{
  char *name;
  char type;
  uint64_t number;
  char *text;
  uint8_t *bytes;
  size_t n_bytes;
};

struct cgroup_unit_properties
{
  struct cgroup_unit_property *items;
  size_t n;
};

void cgroup_unit_properties_clear (struct cgroup_unit_properties *p);
void cgroup_unit_property_number (struct cgroup_unit_properties *p, const char *name, char type,
                                  uint64_t number);
void cgroup_unit_property_text (struct cgroup_unit_properties *p, const char *name, const char *text);

/* linux.cgroupsPath (may be NULL) -> the unit ("silo-ID.scope"), its slice and the path
 * below the cgroup2 root ("system.slice/silo-ID.scope").  Fails naming the field on any
 * other shape, on a NAME ending in ".slice" (a slice as the container's own unit) and on
 * a slice or unit name systemd would refuse.  */
int cgroup_systemd_names (const char *cgroups_path, const char *id, char **unit, char **slice,
                          char **relative, struct silo_error **err);

/* "a-b-c.slice" -> "a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "" (the root).  */
int cgroup_systemd_expand_slice (const char *slice, char **out, struct silo_error **err);

/* The unit properties systemd manages that r sets, converted as the cgroup2 files take
 * them (MemoryMax, MemoryLow, MemoryHigh, MemoryMin, MemorySwapMax, CPUWeight,
 * CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, TasksMax, IOWeight, AllowedCPUs,
 * AllowedMemoryNodes), appended to out.  dir_fd: the live cgroup for an update whose
 * value depends on what is in place (a lone period keeps the quota, a lone swap is
 * counted from the memory limit); -1 at create.  */
int cgroup_systemd_resource_properties (const oci_resources *r, bool update, int dir_fd,
                                        struct cgroup_unit_properties *out, struct silo_error **err);

/* ---- systemd-bus.c: the D-Bus calls to systemd's manager -------------------------------- */

/* Start the transient unit with these properties (its Slice, PIDs, Delegate ... included)
 * and wait until its start job is done; the error carries systemd's own reason.  */
int cgroup_systemd_start_unit (const char *unit, const struct cgroup_unit_properties *p,
                               struct silo_error **err);

/* Stop the unit and wait for it; a unit systemd no longer knows is fine.  */
int cgroup_systemd_stop_unit (const char *unit, struct silo_error **err);

/* SetUnitProperties(runtime=true): what `update` changes, for the running unit.  */
int cgroup_systemd_set_properties (const char *unit, const struct cgroup_unit_properties *p,
                                   struct silo_error **err);

#endif
