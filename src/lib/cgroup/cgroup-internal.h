/* silo cgroup internals: what the files of src/lib/cgroup/ share (and unit tests see).
 *
 *   layout.c      mountinfo -> the mounted hierarchies; cgroupsPath -> relative path
 *   cgroup.c      the public calls: create, enter, load, paths, free
 *   lifecycle.c   pids, kill_all, destroy, is_frozen (tree walks, bounded waits)
 *   validate.c    silo_cgroup_validate
 *   v1.c, v2.c    the two drivers
 *   devices-v1.c  linux.resources.devices on the v1 devices controller
 *   mount.c       the OCI `cgroup` mount inside the container
 *
 * The driver interface.  A container's cgroup is one directory per mounted hierarchy;
 * each hierarchy is driven by the driver of its version, so a hybrid host is simply
 * v1 hierarchies and one v2 hierarchy side by side, and each resource goes to the
 * hierarchy that holds its controller (hugetlb may be in cgroup2 while memory is v1).
 * Operations a driver cannot do (v1 has no atomic kill) are NULL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CGROUP_INTERNAL_H
#define SILO_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "error.h"
#include "oci.h"

enum cgroup_version { CGROUP_V1 = 1, CGROUP_V2 = 2 };

#define CGROUP_UNIFIED_NAME "unified"

struct cgroup_hierarchy;
struct silo_cgroup_stats;   /* comes with the resources work */

struct cgroup_driver
{
  enum cgroup_version version;
  /* A level of the container's path exists (made: by us, just now); ready it before any
   * process enters (v1 cpuset: copy cpus/mems down).  parent_fd, dir_fd: O_DIRECTORY.  */
  int (*init_level) (const struct cgroup_hierarchy *h, int parent_fd, int dir_fd, bool made,
                     struct silo_error **err);
  /* Whether a cgroup that already existed holds processes (in its subtree, where the
   * driver can tell cheaply); the error names them.  */
  int (*check_unused) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Write linux.resources (r may be NULL) for the controllers of this hierarchy.  */
  int (*apply) (const struct cgroup_hierarchy *h, int dir_fd, const oci_resources *r,
                struct silo_error **err);
  /* NULL where the hierarchy cannot freeze (a v1 hierarchy without the freezer).  */
  int (*set_frozen) (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err);
  int (*is_frozen) (const struct cgroup_hierarchy *h, int dir_fd);   /* 1, 0, -1 unknown */
  /* SIGKILL the whole subtree atomically: 0 done, 1 not available here, -1 error.  */
  int (*kill) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Whether any process is left in the subtree: 1, 0, -1 error.  */
  int (*populated) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Later: update (= apply on a live cgroup), stats, events.  */
  int (*stats) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_cgroup_stats *out,
                struct silo_error **err);
};

extern const struct cgroup_driver cgroup_driver_v1;
extern const struct cgroup_driver cgroup_driver_v2;

/* One mounted hierarchy, as /proc/self/mountinfo shows it.  */
struct cgroup_mount
{
  enum cgroup_version version;
  char *controllers;   /* "cpu,cpuacct", "name=systemd"; "unified" for cgroup2 */
  char *mount_point;   /* "/sys/fs/cgroup/cpu,cpuacct" */
};

/* The container's cgroup in one hierarchy.  */
struct cgroup_hierarchy
{
  const struct cgroup_driver *driver;
  char *controllers;
  char *mount_point;      /* NULL after silo_cgroup_load */
  char *path;             /* absolute directory on the host */
  int dir_fd;             /* O_DIRECTORY of path, or -1: opened on demand */
  size_t made_levels;     /* trailing levels of path this create made (undo on failure) */
};

struct silo_cgroup
{
  struct cgroup_hierarchy *hierarchies;
  size_t n_hierarchies;
  struct cgroup_hierarchy *unified;   /* the cgroup2 one, or NULL */
  struct cgroup_hierarchy *freezer;   /* v1 freezer, else unified (cgroup.freeze), or NULL */
};

/* ---- layout.c ----------------------------------------------------------------------- */

/* Parse mountinfo text: every cgroup/cgroup2 mount, first mount of each hierarchy only, in
 * mountinfo order.  *n may be 0 (no cgroups mounted).  */
int cgroup_layout_parse (const char *mountinfo, struct cgroup_mount **out, size_t *n,
                         struct silo_error **err);
void cgroup_mounts_free (struct cgroup_mount *m, size_t n);

/* linux.cgroupsPath (may be NULL) -> the path below each hierarchy's root, without a
 * leading '/', "." and empty components dropped: "a/b".  Fails on ".." or on the root.  */
int cgroup_relative_path (const char *cgroups_path, const char *id, char **out, struct silo_error **err);

/* Whether the comma list holds name ("cpu" in "cpu,cpuacct").  */
bool cgroup_has_controller (const char *controllers, const char *name);

/* ---- cgroup.c / lifecycle.c helpers ------------------------------------------------- */

/* The hierarchy's directory: h->dir_fd, or one opened now into *tmp (checked to be on a
 * cgroup filesystem).  Returns -1 with errno ENOENT (and *err set) when it is gone.  */
int cgroup_hierarchy_dir (const struct cgroup_hierarchy *h, int *tmp, struct silo_error **err);

/* Read a small cgroup file relative to dir_fd (e.g. "cgroup.procs").  */
int cgroup_read (int dir_fd, const char *file, char **out, struct silo_error **err);
int cgroup_write (int dir_fd, const char *file, const char *value, struct silo_error **err);

/* Processes of dir_fd's subtree, appended to *pids.  */
int cgroup_collect_pids (int dir_fd, pid_t **pids, size_t *n, struct silo_error **err);

/* Sleep for the next step of a bounded back-off (1 ms doubling, capped at 32 ms);
 * false once deadline_ms has passed since *start_ms (0: set now).  */
bool cgroup_backoff (long long *start_ms, unsigned *step, long long deadline_ms);

/* ---- devices-v1.c ------------------------------------------------------------------- */

/* "c 1:3 rwm", "b *:* m", "a": what devices.allow / devices.deny take.  Caller frees.  */
char *cgroup_v1_device_rule (const oci_device_cgroup *d);

/* The rules every container gets after its own (v1 syntax), NULL-terminated.  */
extern const char *const cgroup_default_device_rules[];

int cgroup_v1_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err);

/* ---- validate.c --------------------------------------------------------------------- */

int cgroup_validate_device_rule (const oci_device_cgroup *d, size_t index, struct silo_error **err);

#endif
