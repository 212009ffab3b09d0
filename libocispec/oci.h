/* libocispec: typed model of the OCI runtime-spec 1.3.0 documents silo reads and writes
 * (config.json for Linux, the runtime state, features.json) and silo's own state file.
 *
 * Conventions, everywhere in this header:
 *  - a string is `char *`, NULL when the property is absent;
 *  - an array is a pointer plus a `size_t n_<name>` count;
 *  - an optional number or bool has a `bool has_<name>` flag beside it;
 *  - an optional object is a pointer, NULL when absent;
 *  - a JSON object of strings (annotations, sysctl, unified) is an `oci_map`.
 * Everything is owned by the enclosing document and freed by its *_free function.
 * This is the only header of libocispec that other code includes; yajl stays inside.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_OCI_H
#define SILO_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../src/lib/error.h"

#define OCI_SPEC_VERSION "1.3.0"

typedef struct { char **keys; char **values; size_t len; } oci_map;

/* ---- process ----------------------------------------------------------------- */

typedef struct { uint32_t uid, gid; bool has_umask; uint32_t umask;
                 uint32_t *additional_gids; size_t n_additional_gids; char *username; } oci_user;

typedef struct { char **bounding, **effective, **inheritable, **permitted, **ambient;
                 size_t n_bounding, n_effective, n_inheritable, n_permitted, n_ambient; } oci_capabilities;

typedef struct { char *type; uint64_t soft, hard; } oci_rlimit;   /* type: "RLIMIT_NOFILE" … */

typedef struct { char *policy; int32_t nice, priority; char **flags; size_t n_flags;
                 bool has_nice, has_priority, has_runtime, has_deadline, has_period;
                 uint64_t runtime, deadline, period; } oci_scheduler;

typedef struct { char *class_; int32_t priority; } oci_io_priority;   /* IOPRIO_CLASS_* */

typedef struct { char *initial, *final; } oci_exec_cpu_affinity;

typedef struct
{
  bool terminal;
  bool has_console_size; uint32_t console_height, console_width;
  oci_user user;
  char **args; size_t n_args;
  char **env; size_t n_env;
  char *cwd;
  oci_capabilities *capabilities;
  oci_rlimit *rlimits; size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj; int32_t oom_score_adj;
  char *selinux_label;
  oci_scheduler *scheduler;
  oci_io_priority *io_priority;
  oci_exec_cpu_affinity *exec_cpu_affinity;
} oci_process;

/* ---- root, mounts, hooks -------------------------------------------------------- */

typedef struct { char *path; bool readonly; } oci_root;

typedef struct { uint32_t container_id, host_id, size; } oci_id_mapping;

typedef struct
{
  char *destination;   /* required, absolute */
  char *source;
  char *type;
  char **options; size_t n_options;
  oci_id_mapping *uid_mappings; size_t n_uid_mappings;
  oci_id_mapping *gid_mappings; size_t n_gid_mappings;
} oci_mount;

typedef struct { char *path; char **args; size_t n_args; char **env; size_t n_env;
                 bool has_timeout; int32_t timeout; } oci_hook;

typedef struct
{
  oci_hook *prestart; size_t n_prestart;
  oci_hook *create_runtime; size_t n_create_runtime;
  oci_hook *create_container; size_t n_create_container;
  oci_hook *start_container; size_t n_start_container;
  oci_hook *poststart; size_t n_poststart;
  oci_hook *poststop; size_t n_poststop;
} oci_hooks;

/* ---- linux: namespaces, devices ------------------------------------------------- */

typedef enum { OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_MOUNT, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_USER,
               OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS__COUNT } oci_namespace_type;

typedef struct { oci_namespace_type type; char *path; } oci_namespace;

typedef struct { bool has_secs; int64_t secs; bool has_nanosecs; uint32_t nanosecs; } oci_time_offset;

typedef struct
{
  char *type;          /* "c", "b", "u" or "p" */
  char *path;
  int64_t major, minor;
  bool has_file_mode; uint32_t file_mode;
  bool has_uid; uint32_t uid;
  bool has_gid; uint32_t gid;
} oci_device;

typedef struct { char *key; char *name; } oci_net_device;   /* key: host name; name: in container */

/* ---- linux.resources ------------------------------------------------------------ */

typedef struct { bool allow; char *type; bool has_major; int64_t major;
                 bool has_minor; int64_t minor; char *access; } oci_device_cgroup;

typedef struct
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness,
       has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
  int64_t limit, reservation, swap, kernel, kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer, use_hierarchy, check_before_update;
} oci_memory;

typedef struct
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
       has_realtime_period, has_idle;
  uint64_t shares, period, realtime_period, burst;
  int64_t quota, realtime_runtime, idle;
  char *cpus, *mems;
} oci_cpu;

typedef struct { bool has_limit; int64_t limit; } oci_pids;

typedef struct { int64_t major, minor; bool has_weight; uint16_t weight;
                 bool has_leaf_weight; uint16_t leaf_weight; } oci_weight_device;
typedef struct { int64_t major, minor; uint64_t rate; } oci_throttle_device;

typedef struct
{
  bool has_weight; uint16_t weight;
  bool has_leaf_weight; uint16_t leaf_weight;
  oci_weight_device *weight_device; size_t n_weight_device;
  oci_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
                      *throttle_write_iops;
  size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;
} oci_block_io;

typedef struct { char *page_size; uint64_t limit; } oci_hugepage_limit;

typedef struct { char *name; uint32_t priority; } oci_net_priority;
typedef struct { bool has_class_id; uint32_t class_id;
                 oci_net_priority *priorities; size_t n_priorities; } oci_network;

typedef struct { char *device; bool has_hca_handles; uint32_t hca_handles;
                 bool has_hca_objects; uint32_t hca_objects; } oci_rdma;

typedef struct
{
  oci_device_cgroup *devices; size_t n_devices;
  oci_memory *memory;
  oci_cpu *cpu;
  oci_pids *pids;
  oci_block_io *block_io;
  oci_hugepage_limit *hugepage_limits; size_t n_hugepage_limits;
  oci_network *network;
  oci_rdma *rdma; size_t n_rdma;
  oci_map unified; bool has_unified;
} oci_resources;

/* ---- linux.seccomp -------------------------------------------------------------- */

typedef struct { uint32_t index; uint64_t value; bool has_value_two; uint64_t value_two;
                 char *op; } oci_seccomp_arg;   /* op: "SCMP_CMP_EQ" … */

typedef struct { char **names; size_t n_names; char *action;
                 bool has_errno_ret; uint32_t errno_ret;
                 oci_seccomp_arg *args; size_t n_args; } oci_seccomp_syscall;

typedef struct
{
  char *default_action;
  bool has_default_errno_ret; uint32_t default_errno_ret;
  char **architectures; size_t n_architectures;
  char **flags; size_t n_flags;
  char *listener_path, *listener_metadata;
  oci_seccomp_syscall *syscalls; size_t n_syscalls;
} oci_seccomp;

/* ---- the rest of linux.* -------------------------------------------------------- */

typedef struct { char *clos_id, *l3_cache_schema, *mem_bw_schema; char **schemata; size_t n_schemata;
                 bool enable_monitoring; } oci_intel_rdt;

typedef struct { char *domain; char **flags; size_t n_flags; } oci_personality;

typedef struct { char *mode, *nodes; char **flags; size_t n_flags; } oci_memory_policy;

typedef struct
{
  oci_namespace *namespaces; size_t n_namespaces;
  oci_id_mapping *uid_mappings; size_t n_uid_mappings;
  oci_id_mapping *gid_mappings; size_t n_gid_mappings;
  bool has_time_offsets; oci_time_offset monotonic, boottime;
  oci_device *devices; size_t n_devices;
  oci_net_device *net_devices; size_t n_net_devices;
  char *cgroups_path;
  oci_resources *resources;
  char *rootfs_propagation;   /* "shared", "slave", "private", "unbindable", r* variants */
  oci_map sysctl;
  oci_seccomp *seccomp;
  char **masked_paths; size_t n_masked_paths; bool has_masked_paths;
  char **readonly_paths; size_t n_readonly_paths; bool has_readonly_paths;
  char *mount_label;
  oci_intel_rdt *intel_rdt;
  oci_personality *personality;
  oci_memory_policy *memory_policy;
} oci_linux;

typedef struct
{
  char *oci_version;   /* required */
  oci_root *root;      /* required on Linux */
  oci_mount *mounts; size_t n_mounts;
  oci_process *process;
  char *hostname, *domainname;
  oci_hooks *hooks;
  oci_map annotations;
  oci_linux *linux_;
} oci_config;

/* ---- parse / validate / generate ------------------------------------------------- */

/* Parse config.json text.  Errors name the JSON path:
 *   "linux.resources.memory.limit: expected an integer, got a string".
 * Unknown properties are ignored.  Types, ranges and enum values are checked here
 * (namespace type, propagation, seccomp action/operator, rlimit type, device type…), as
 * are cross-field rules of the spec (namespace listed twice, relative mount destination). */
int oci_config_parse (const char *json, size_t len, oci_config **out, struct silo_error **err);
int oci_config_parse_file (const char *path, oci_config **out, struct silo_error **err);

/* Canonical JSON text of a config (parse(generate(c)) == c).  Caller frees.  */
int oci_config_generate (const oci_config *c, char **json, size_t *len, struct silo_error **err);

/* A runtime-spec `process` object on its own (`exec --process FILE`), checked as in a
 * config; a deep copy; freeing.  */
int oci_process_parse (const char *json, size_t len, oci_process **out, struct silo_error **err);
int oci_process_parse_file (const char *path, oci_process **out, struct silo_error **err);
oci_process *oci_process_copy (const oci_process *p);
void oci_process_free (oci_process *p);

void oci_config_free (oci_config *c);
void oci_config_freep (oci_config **c);
#define _cleanup_oci_config_ __attribute__ ((cleanup (oci_config_freep)))

/* Parse `linux.resources` alone (for `update --resources FILE`).  */
int oci_resources_parse (const char *json, size_t len, oci_resources **out, struct silo_error **err);
void oci_resources_free (oci_resources *r);

const char *oci_namespace_type_name (oci_namespace_type t);   /* "pid", "network", … */

/* Capability names ("CAP_CHOWN"), those of the kernel headers silo was built with.
 * from_name: the number, or -1 for an unknown name (only the canonical spelling);
 * oci_capability_name: the name, or NULL for a number past the table.  */
int oci_capability_from_name (const char *name);
const char *oci_capability_name (int cap);

/* The runtime-spec's rule for linux.resources.memory: swap counts memory+swap, so a swap
 * limit below the memory limit (the configured one, or the one in place for an update,
 * as LIMIT_WHAT says) cannot be set; 0 and -1 ("unset", "unlimited") pass.  The one check
 * and message for it, wherever the two values meet.  */
int oci_memory_swap_check (const char *field, int64_t swap, int64_t limit, const char *limit_what,
                           struct silo_error **err);

/* ---- runtime state (what `silo state` prints, as runc prints it) ------------------ */

typedef struct
{
  char *oci_version, *id, *status, *bundle, *rootfs, *created, *owner;
  int pid;
  oci_map annotations;
} oci_state;

int oci_state_generate (const oci_state *s, char **json, size_t *len, struct silo_error **err);
/* runtime-spec's ContainerProcessState for a seccomp agent: {ociVersion, fds:
 * ["seccompFd"], pid, metadata (when not NULL), state: {ociVersion, id, status, pid,
 * bundle, annotations}}, compact.  */
int oci_process_state_generate (const oci_state *s, const char *metadata, char **json, size_t *len,
                                struct silo_error **err);

/* ---- silo's per-container state file (<root>/<id>/state.json) ------------------- */

/* Schema 2 keeps the config in a file of its own (config.json, beside state.json), so that
 * `list` reads a few hundred bytes per container; schema 1 embedded it in the state and
 * is still read (its config comes with it).  */
#define SILO_STATE_SCHEMA 2
#define SILO_STATE_SCHEMA_EMBEDDED_CONFIG 1

typedef struct { char *controller; char *path; } silo_cgroup_path;   /* "memory", "unified" … */

typedef struct
{
  int schema;                /* SILO_STATE_SCHEMA */
  char *id, *bundle, *rootfs, *created;
  char *owner;               /* read from old files, no longer written: the owner is silo's euid */
  char *command;             /* process.args joined, for `list` (which reads no config) */
  char *status;              /* "creating" or "created": the rest is derived live */
  int pid;                   /* 0 until the init exists */
  uint64_t start_time;       /* /proc/PID/stat field 22 of the init */
  bool started;              /* `start` released the init */
  uint64_t init_exe_dev, init_exe_ino;   /* the init's /proc/PID/exe before execve (silo) */
  bool systemd_cgroup;
  silo_cgroup_path *cgroups; size_t n_cgroups;
  char **namespace_paths; size_t n_namespace_paths;   /* "type:path" of joined namespaces */
  oci_config *config;        /* the resolved config: later commands never re-read the bundle;
                                NULL until read from its own file (schema 2) */
  bool creator_alive;        /* not stored: a "creating" state's lock is held (state.h) */
} silo_state;

/* Parse schema 1 or 2; generate always writes schema 2, without the config.  */
int silo_state_parse (const char *json, size_t len, silo_state **out, struct silo_error **err);
int silo_state_generate (const silo_state *s, char **json, size_t *len, struct silo_error **err);
/* The stored config (config.json of the state directory): the resolved config as silo
 * wrote it, read back without the bundle's checks (they passed at create).  */
int silo_stored_config_parse (const char *json, size_t len, oci_config **out, struct silo_error **err);
char *silo_stored_config_generate (const oci_config *config, size_t *len);
void silo_state_free (silo_state *s);
void silo_state_freep (silo_state **s);
#define _cleanup_silo_state_ __attribute__ ((cleanup (silo_state_freep)))

/* ---- features.json ------------------------------------------------------------- */

typedef struct
{
  const char *oci_version_min, *oci_version_max;
  const char *const *hooks, *const *mount_options, *const *namespaces, *const *capabilities;
  bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
  bool seccomp_enabled;
  const char *const *seccomp_actions, *const *seccomp_operators, *const *seccomp_archs,
                    *const *seccomp_known_flags, *const *seccomp_supported_flags;
  bool apparmor_enabled, selinux_enabled, intel_rdt_enabled, idmap_enabled, net_devices_enabled;
  const char *const *annotation_keys, *const *annotation_values;   /* NULL-terminated pairs */
  const char *const *potentially_unsafe_annotations;
} oci_features;   /* every list is NULL-terminated */

int oci_features_generate (const oci_features *f, char **json, size_t *len, struct silo_error **err);

/* ---- small JSON writer for the CLI's own output (list -f json, log lines) ---------- */

typedef struct oci_json_writer oci_json_writer;
oci_json_writer *oci_json_writer_new (bool pretty);
void oci_json_begin_object (oci_json_writer *w);
void oci_json_end_object (oci_json_writer *w);
void oci_json_begin_array (oci_json_writer *w);
void oci_json_end_array (oci_json_writer *w);
void oci_json_key (oci_json_writer *w, const char *key);
void oci_json_string (oci_json_writer *w, const char *s);   /* NULL writes null */
void oci_json_int (oci_json_writer *w, long long v);
void oci_json_bool (oci_json_writer *w, bool v);
/* Finish and hand over the text (caller frees); frees the writer.  */
char *oci_json_writer_finish (oci_json_writer *w, size_t *len);

/* A JSON array of strings (what the writer made of a list) as a NULL-terminated vector;
 * an item that is not a string reads as "".  Caller frees (silo_strv_free).  */
int oci_json_string_array_parse (const char *text, size_t len, char ***out, struct silo_error **err);

#endif
