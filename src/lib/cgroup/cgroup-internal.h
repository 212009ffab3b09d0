/* silo cgroup internals: what the files of src/lib/cgroup/ share (and unit tests see).
 *
 *   layout.c             mountinfo -> the mounted hierarchies; cgroupsPath -> relative path
 *   cgroup.c             the public calls: plan, make, create, enter, load, paths, free
 *   lifecycle.c          pids, kill_all, destroy, is_frozen (tree walks, bounded waits)
 *   freeze.c             set_frozen: the v1 freezer and cgroup.freeze, bounded waits
 *   validate.c           silo_cgroup_validate (config only, no host)
 *   resources-convert.c  linux.resources -> file writes per controller and version (pure)
 *   resources.c          checks against the host's layout, the writes, update
 *   v1.c, v2.c           the two drivers
 *   devices-v1.c         linux.resources.devices on the v1 devices controller
 *   devices-ebpf.c       linux.resources.devices as a cgroup2 eBPF program
 *   stats.c              statistics (runc's `events --stats` shape), OOM kill count
 *   container-mount.c    the OCI `cgroup` mount inside the container
 *   systemd.c            the systemd driver: unit names, properties (systemd.h)
 *   systemd-bus.c        the systemd driver's D-Bus calls (libsystemd, dlopen'ed)
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
#include <stdint.h>

#include "cgroup.h"
#include "error.h"
#include "oci.h"

enum cgroup_version { CGROUP_V1 = 1, CGROUP_V2 = 2 };

#define CGROUP_UNIFIED_NAME "unified"

/* The controllers silo writes to or reads statistics from.  */
enum cgroup_controller
{
  CGROUP_CPU,
  CGROUP_CPUACCT,   /* v1 only: usage statistics */
  CGROUP_CPUSET,
  CGROUP_MEMORY,
  CGROUP_PIDS,
  CGROUP_IO,        /* v1 "blkio", v2 "io" */
  CGROUP_HUGETLB,
  CGROUP_NET_CLS,   /* v1 only */
  CGROUP_NET_PRIO,  /* v1 only */
  CGROUP_RDMA,
  CGROUP_MISC,
  CGROUP_N_CONTROLLERS
};
#define CGROUP_MASK(c) (1u << (c))

struct cgroup_hierarchy;
struct cgroup_stats;

/* What an apply (create) or update writes, beyond linux.resources itself.  */
struct cgroup_apply_options
{
  bool update;              /* a live cgroup: only the fields set, in update order */
  unsigned v2_controllers;  /* CGROUP_MASK()s usable in the cgroup2 leaf */
  bool devices_v1;          /* a v1 devices hierarchy enforces linux.resources.devices */
};

struct cgroup_driver
{
  enum cgroup_version version;
  /* A level of the container's path exists (made: by us, just now); ready it before any
   * process enters (v1 cpuset: copy cpus/mems down; v2: enable controllers in the
   * parent).  parent_fd, dir_fd: O_DIRECTORY.  */
  int (*init_level) (const struct cgroup_hierarchy *h, int parent_fd, int dir_fd, bool made,
                     struct silo_error **err);
  /* Whether init_level has anything to do in this hierarchy (NULL: always): where it
   * has not, no level is readied and the hierarchy's root is never opened (a v1 host
   * has ten, each an open and a close per create).  */
  bool (*inits_levels) (const struct cgroup_hierarchy *h);
  /* Whether a cgroup that already existed may become the container's: it holds no
   * processes (in its subtree, where the driver can tell cheaply) and is not frozen;
   * the error says which.  */
  int (*check_unused) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Write linux.resources (r may be NULL) for the controllers of this hierarchy.  */
  int (*apply) (const struct cgroup_hierarchy *h, int dir_fd, const oci_resources *r,
                const struct cgroup_apply_options *o, struct silo_error **err);
  /* NULL where the hierarchy cannot freeze (a v1 hierarchy without the freezer).  */
  int (*set_frozen) (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err);
  int (*is_frozen) (const struct cgroup_hierarchy *h, int dir_fd);   /* 1, 0, -1 unknown */
  /* SIGKILL the whole subtree atomically: 0 done, 1 not available here, -1 error.  */
  int (*kill) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Whether any process is left in the subtree: 1, 0, -1 error.  */
  int (*populated) (const struct cgroup_hierarchy *h, int dir_fd, struct silo_error **err);
  /* Add the statistics of the controllers in `controllers` (CGROUP_MASK()s this
   * hierarchy answers for) to out.  */
  int (*stats) (const struct cgroup_hierarchy *h, int dir_fd, unsigned controllers,
                struct cgroup_stats *out, struct silo_error **err);
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
  char *enable;           /* v2: "+hugetlb +memory" for each parent's cgroup.subtree_control */
};

struct silo_cgroup
{
  struct cgroup_hierarchy *hierarchies;
  size_t n_hierarchies;
  struct cgroup_hierarchy *unified;   /* the cgroup2 one, or NULL */
  struct cgroup_hierarchy *freezer;   /* v1 freezer, else unified (cgroup.freeze), or NULL */
  char *relative;                     /* plan -> make: the path below each root */
  unsigned v2_controllers;            /* plan -> make: CGROUP_MASK()s enabled for the leaf */
  /* The systemd driver (systemd.h); all NULL with cgroupfs.  */
  char *unit;                         /* the scope, "silo-ID.scope" */
  char *slice;                        /* plan -> enter: the scope's slice */
  const oci_resources *resources;     /* make -> enter: the config's, borrowed */
  bool started;                       /* the scope is ours: this create started it, or
                                         it was loaded from a state file */
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

/* Whether a list separated by commas, spaces or newlines (cgroup.controllers) holds name. */
bool cgroup_list_has (const char *list, const char *name);

/* The controller's name in a hierarchy of version v ("blkio" / "io"); NULL: none there.  */
const char *cgroup_controller_name (enum cgroup_controller c, enum cgroup_version v);

/* CGROUP_MASK()s of the known controllers a list names, read as version v names.  */
unsigned cgroup_controllers_mask (const char *list, enum cgroup_version v);

/* ---- cgroup.c / lifecycle.c helpers ------------------------------------------------- */

/* The cgroup object for these mounts (their strings are moved into it); nothing opened. */
struct silo_cgroup *cgroup_from_mounts (struct cgroup_mount *mounts, size_t n, const char *relative);

/* The hierarchy's directory: h->dir_fd, or one opened now into *tmp (checked to be on a
 * cgroup filesystem).  Returns -1 with errno ENOENT (and *err set) when it is gone.  */
int cgroup_hierarchy_dir (const struct cgroup_hierarchy *h, int *tmp, struct silo_error **err);

/* Read a small cgroup file relative to dir_fd (e.g. "cgroup.procs").  */
int cgroup_read (int dir_fd, const char *file, char **out, struct silo_error **err);
int cgroup_write (int dir_fd, const char *file, const char *value, struct silo_error **err);

/* Value of "key N" in a flat keyed file (cgroup.events, memory.events, cpu.stat):
 * 0 and *value set, 1 when the key is missing, -1 when the file cannot be read.  */
int cgroup_read_key (int dir_fd, const char *file, const char *key, uint64_t *value,
                     struct silo_error **err);

/* Processes of dir_fd's subtree, appended to *pids.  */
int cgroup_collect_pids (int dir_fd, pid_t **pids, size_t *n, struct silo_error **err);

/* Sleep for the next step of a bounded back-off (1 ms doubling, capped at 32 ms);
 * false once deadline_ms has passed since *start_ms (0: set now).  */
bool cgroup_backoff (long long *start_ms, unsigned *step, long long deadline_ms);

/* ---- systemd.c: the scope's life ----------------------------------------------------- */

/* enter: StartTransientUnit around pid (cgroup.c then opens the scope and writes the
 * resources, as for a cgroup it made).  */
int cgroup_systemd_start_scope (struct silo_cgroup *cg, pid_t pid, struct silo_error **err);
/* destroy, once the scope is empty: stop the unit (a failure is only warned about: an
 * empty scope is collected by systemd anyway, and `delete` must always finish).  */
void cgroup_systemd_release (const struct silo_cgroup *cg);
/* update: the properties systemd manages, before the files are written.  */
int cgroup_systemd_update (const struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err);

/* ---- freeze.c ----------------------------------------------------------------------- */

int cgroup_v1_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err);
int cgroup_v1_is_frozen (const struct cgroup_hierarchy *h, int dir_fd);
int cgroup_v2_set_frozen (const struct cgroup_hierarchy *h, int dir_fd, bool frozen, struct silo_error **err);
int cgroup_v2_is_frozen (const struct cgroup_hierarchy *h, int dir_fd);

/* ---- resources-convert.c (pure) ----------------------------------------------------- */

enum cgroup_write_flags
{
  CGROUP_WRITE_OPTIONAL = 1 << 0,          /* a missing file is skipped */
  CGROUP_WRITE_OR_NEXT = 1 << 1,           /* missing: write the next entry; else skip it */
  CGROUP_WRITE_RETRY_AFTER_NEXT = 1 << 2,  /* EINVAL: write the next entry, then this again */
  CGROUP_WRITE_CHECK_USAGE = 1 << 3,       /* refuse a value below the file `usage` */
  CGROUP_WRITE_KEEP_QUOTA = 1 << 4,        /* value " PERIOD": cpu.max keeps its quota */
  CGROUP_WRITE_SWAP_MINUS_LIMIT = 1 << 5,  /* value memory+swap: subtract memory.max */
};

/* One write of one value to one file of the container's cgroup.  */
struct cgroup_write
{
  char *field;        /* "linux.resources.memory.limit", for errors */
  char *file;         /* "memory.limit_in_bytes" */
  char *value;
  const char *usage;  /* CGROUP_WRITE_CHECK_USAGE: "memory.usage_in_bytes" */
  const char *hint;   /* appended to an error: what the failure most likely means */
  unsigned flags;
};

struct cgroup_writes
{
  struct cgroup_write *items;
  size_t n;
};

void cgroup_writes_clear (struct cgroup_writes *w);

/* CGROUP_MASK()s of the controllers r sets a value for (unified keys not included).  */
unsigned cgroup_resources_controllers (const oci_resources *r);

/* Append the writes controller c of version v needs for r, in the order the kernel needs
 * them (update: a live cgroup, only what r sets).  Fails on what the version cannot
 * express (v2 swap without a memory limit at create).  */
int cgroup_resource_writes (enum cgroup_controller c, enum cgroup_version v, const oci_resources *r,
                            bool update, struct cgroup_writes *out, struct silo_error **err);

/* linux.resources.unified, key by key (validated by silo_cgroup_validate).  */
void cgroup_unified_writes (const oci_resources *r, struct cgroup_writes *out);

/* The controller a unified key belongs to ("memory" for "memory.high"); NULL for the
 * core "cgroup.*" files.  Caller frees.  */
char *cgroup_unified_key_controller (const char *key);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), the log-scale quadratic of runc 1.3 and
 * crun 1.23 (2 -> 1, 1024 -> 100, 262144 -> 10000); 0 stays 0 (unset).  */
uint64_t cgroup_cpu_shares_to_weight (uint64_t shares);

/* blkio weight (10..1000) -> io.weight (1..10000), linear.  */
uint64_t cgroup_blkio_weight_to_io_weight (uint64_t weight);

/* A huge page size in kB (2048) -> the name the hugetlb files use ("2MB").  */
char *cgroup_hugetlb_size_name (unsigned long kb);

/* ---- resources.c -------------------------------------------------------------------- */

/* Execute the writes in dir_fd (see enum cgroup_write_flags).  */
int cgroup_writes_apply (int dir_fd, const struct cgroup_writes *w, struct silo_error **err);

/* Generate and write the controllers of `mask` for version v.  */
int cgroup_apply_controllers (int dir_fd, enum cgroup_version v, unsigned mask, const oci_resources *r,
                              const struct cgroup_apply_options *o, struct silo_error **err);

/* CGROUP_MASK()s of the controllers the cgroup's v1 hierarchies hold.  */
unsigned cgroup_v1_controllers (const struct silo_cgroup *cg);

/* Check r against the layout before anything is written: each controller r needs is in a
 * v1 hierarchy or in cgroup2 (v2_available: the text of cgroup.controllers, NULL when
 * there is no cgroup2 or it was not read), what cgroup2 cannot do (real-time CPU) and
 * v1 cannot (unified) is refused by field, the conversions are tried, and what is ignored
 * is warned about (kernel memory; swappiness on v2).  Out: the
 * controllers that go to cgroup2 and the unified keys' controllers silo does not know
 * by name ("dmem"), space-separated (both may be NULL).  */
int cgroup_resources_check (const struct silo_cgroup *cg, const oci_resources *r, const char *v2_available,
                            bool update, unsigned *v2_mask, char **v2_extra, struct silo_error **err);

/* "+cpu +memory ..." for cgroup.subtree_control: the v2 names of mask, then the names in
 * extra (space-separated); NULL when that is nothing.  */
char *cgroup_v2_enable_text (unsigned mask, const char *extra);

/* Whether a v1 devices hierarchy enforces the device rules (else cgroup2's eBPF does).  */
bool cgroup_devices_v1 (const struct silo_cgroup *cg);

/* A cgroup file holding one number, "max" read as UINT64_MAX.  */
int cgroup_read_u64 (int dir_fd, const char *file, uint64_t *out, struct silo_error **err);

/* ---- devices-v1.c ------------------------------------------------------------------- */

/* "c 1:3 rwm", "b *:* m", "a": what devices.allow / devices.deny take.  Caller frees.  */
char *cgroup_v1_device_rule (const oci_device_cgroup *d);

/* The rules every container gets after its own (v1 syntax), NULL-terminated.  */
extern const char *const cgroup_default_device_rules[];

int cgroup_v1_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err);
/* The same rules on a live cgroup, with no moment of less access than both lists share.  */
int cgroup_v1_update_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err);

/* ---- devices-ebpf.c ----------------------------------------------------------------- */

struct bpf_insn;

/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (the last matching rule decides,
 * as in the v1 controller's list; then, with_defaults, the default set; else deny).  */
int cgroup_device_program (const oci_device_cgroup *rules, size_t n, bool with_defaults,
                           struct bpf_insn **out, size_t *count, struct silo_error **err);

/* Load the program and attach it to the cgroup2 directory dir_fd; replace: detach the
 * programs attached there before (after the new one is in place).  */
int cgroup_v2_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, bool with_defaults,
                             bool replace, struct silo_error **err);

/* ---- stats.c ------------------------------------------------------------------------ */

struct cgroup_blkio_entry { uint64_t major, minor; char *op; uint64_t value; };
struct cgroup_memory_entry { uint64_t limit, usage, max, failcnt; };
struct cgroup_hugetlb_entry { char *size; uint64_t usage, max, failcnt; };
struct cgroup_raw_entry { char *key; uint64_t value; };

/* runc's libcontainer statistics, the parts `events --stats` shows.  */
struct cgroup_stats
{
  uint64_t cpu_total, cpu_kernel, cpu_user;
  uint64_t *percpu, *percpu_kernel, *percpu_user;
  size_t n_percpu, n_percpu_kernel, n_percpu_user;
  uint64_t periods, throttled_periods, throttled_time;
  uint64_t memory_cache;
  struct cgroup_memory_entry memory_usage, memory_swap, memory_kernel, memory_kernel_tcp;
  struct cgroup_raw_entry *memory_raw;
  size_t n_memory_raw;
  uint64_t pids_current, pids_limit;
  struct cgroup_blkio_entry *service_bytes, *serviced;
  size_t n_service_bytes, n_serviced;
  struct cgroup_hugetlb_entry *hugetlb;
  size_t n_hugetlb;
};

void cgroup_stats_clear (struct cgroup_stats *s);
char *cgroup_stats_json (const struct cgroup_stats *s);

/* Parsers of the kernel's files (pure; unit-tested).  */
void cgroup_parse_raw (const char *text, struct cgroup_raw_entry **out, size_t *n);
void cgroup_parse_blkio_v1 (const char *text, struct cgroup_blkio_entry **out, size_t *n);
void cgroup_parse_io_stat (const char *text, struct cgroup_stats *s);
void cgroup_parse_u64_list (const char *text, uint64_t **out, size_t *n);

int cgroup_v1_stats (const struct cgroup_hierarchy *h, int dir_fd, unsigned controllers,
                     struct cgroup_stats *out, struct silo_error **err);
int cgroup_v2_stats (const struct cgroup_hierarchy *h, int dir_fd, unsigned controllers,
                     struct cgroup_stats *out, struct silo_error **err);

/* ---- validate.c --------------------------------------------------------------------- */

int cgroup_validate_device_rule (const oci_device_cgroup *d, size_t index, struct silo_error **err);
int cgroup_validate_resources (const oci_resources *r, struct silo_error **err);

#endif
