/* libocispec: config.json.  The tables below are the whole of what silo reads from a
 * config for Linux (runtime-spec 1.3.0): property names, C members, types, ranges,
 * allowed values and checks.  Properties are generated in table order.  Objects of other
 * platforms (windows, solaris, vm, zos, freebsd) are unknown properties, hence ignored.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-check.h"

#include <fcntl.h>
#include <stdlib.h>

_Static_assert (sizeof (oci_namespace_type) == sizeof (int), "OCI_ENUM stores an int");

#define STRINGS_OF(T, json, member, ...) \
  OCI_FIELD (T, json, OCI_STRINGS, member, OCI_COUNT (T, n_##member), __VA_ARGS__)
#define OBJECTS_OF(T, json, member, spec_) \
  OCI_FIELD (T, json, OCI_OBJECTS, member, OCI_COUNT (T, n_##member), .spec = &spec_)
#define OPTIONAL(T, json, kind, member, ...) \
  OCI_FIELD (T, json, kind, member, OCI_HAS (T, has_##member), __VA_ARGS__)
#define INLINE_VIEW(T, json, has_member, spec_) \
  { .name = json, .kind = OCI_INLINE, .offset = 0, OCI_HAS (T, has_member), .spec = &spec_ }

/* ---- process ------------------------------------------------------------------ */

static const struct oci_field user_fields[] = {
  OCI_FIELD (oci_user, "uid", OCI_U32, uid),
  OCI_FIELD (oci_user, "gid", OCI_U32, gid),
  OPTIONAL (oci_user, "umask", OCI_U32, umask),
  OCI_FIELD (oci_user, "additionalGids", OCI_U32S, additional_gids,
             OCI_COUNT (oci_user, n_additional_gids)),
  OCI_FIELD (oci_user, "username", OCI_STRING, username),
};
static const struct oci_spec user_spec = OCI_SPEC (oci_user, user_fields);

static const struct oci_field capabilities_fields[] = {
  STRINGS_OF (oci_capabilities, "bounding", bounding, .check = oci_check_capability),
  STRINGS_OF (oci_capabilities, "effective", effective, .check = oci_check_capability),
  STRINGS_OF (oci_capabilities, "inheritable", inheritable, .check = oci_check_capability),
  STRINGS_OF (oci_capabilities, "permitted", permitted, .check = oci_check_capability),
  STRINGS_OF (oci_capabilities, "ambient", ambient, .check = oci_check_capability),
};
static const struct oci_spec capabilities_spec = OCI_SPEC (oci_capabilities, capabilities_fields);

static const struct oci_field rlimit_fields[] = {
  OCI_FIELD (oci_rlimit, "type", OCI_STRING, type, OCI_REQUIRED, .values = &oci_enum_rlimit),
  OCI_FIELD (oci_rlimit, "soft", OCI_U64, soft, OCI_REQUIRED),
  OCI_FIELD (oci_rlimit, "hard", OCI_U64, hard, OCI_REQUIRED),
};
static const struct oci_spec rlimit_spec = OCI_SPEC (oci_rlimit, rlimit_fields);

static const struct oci_field scheduler_fields[] = {
  OCI_FIELD (oci_scheduler, "policy", OCI_STRING, policy, OCI_REQUIRED,
             .values = &oci_enum_scheduler_policy),
  OPTIONAL (oci_scheduler, "nice", OCI_I32, nice),
  OPTIONAL (oci_scheduler, "priority", OCI_I32, priority),
  STRINGS_OF (oci_scheduler, "flags", flags, .values = &oci_enum_scheduler_flag),
  OPTIONAL (oci_scheduler, "runtime", OCI_U64, runtime),
  OPTIONAL (oci_scheduler, "deadline", OCI_U64, deadline),
  OPTIONAL (oci_scheduler, "period", OCI_U64, period),
};
static const struct oci_spec scheduler_spec = OCI_SPEC (oci_scheduler, scheduler_fields);

static const struct oci_field io_priority_fields[] = {
  OCI_FIELD (oci_io_priority, "class", OCI_STRING, class_, OCI_REQUIRED,
             .values = &oci_enum_io_class),
  OCI_FIELD (oci_io_priority, "priority", OCI_I32, priority, OCI_RANGE (0, 7)),
};
static const struct oci_spec io_priority_spec = OCI_SPEC (oci_io_priority, io_priority_fields);

static const struct oci_field exec_cpu_affinity_fields[] = {
  OCI_FIELD (oci_exec_cpu_affinity, "initial", OCI_STRING, initial, .check = oci_check_cpu_list),
  OCI_FIELD (oci_exec_cpu_affinity, "final", OCI_STRING, final, .check = oci_check_cpu_list),
};
static const struct oci_spec exec_cpu_affinity_spec
  = OCI_SPEC (oci_exec_cpu_affinity, exec_cpu_affinity_fields);

/* consoleSize's members live in oci_process itself.  */
static const struct oci_field console_size_fields[] = {
  OCI_FIELD (oci_process, "height", OCI_U32, console_height, OCI_REQUIRED),
  OCI_FIELD (oci_process, "width", OCI_U32, console_width, OCI_REQUIRED),
};
static const struct oci_spec console_size_spec = OCI_SPEC (oci_process, console_size_fields);

static const struct oci_field process_fields[] = {
  OCI_FIELD (oci_process, "terminal", OCI_BOOL, terminal),
  INLINE_VIEW (oci_process, "consoleSize", has_console_size, console_size_spec),
  OCI_FIELD (oci_process, "user", OCI_INLINE, user, .spec = &user_spec),
  STRINGS_OF (oci_process, "args", args, OCI_REQUIRED),
  STRINGS_OF (oci_process, "env", env, .check = oci_check_env),
  OCI_FIELD (oci_process, "cwd", OCI_STRING, cwd, OCI_REQUIRED, .check = oci_check_absolute),
  OCI_FIELD (oci_process, "capabilities", OCI_OBJECT, capabilities, .spec = &capabilities_spec),
  OBJECTS_OF (oci_process, "rlimits", rlimits, rlimit_spec),
  OCI_FIELD (oci_process, "noNewPrivileges", OCI_BOOL, no_new_privileges),
  OCI_FIELD (oci_process, "apparmorProfile", OCI_STRING, apparmor_profile),
  OPTIONAL (oci_process, "oomScoreAdj", OCI_I32, oom_score_adj, OCI_RANGE (-1000, 1000)),
  OCI_FIELD (oci_process, "selinuxLabel", OCI_STRING, selinux_label),
  OCI_FIELD (oci_process, "scheduler", OCI_OBJECT, scheduler, .spec = &scheduler_spec),
  OCI_FIELD (oci_process, "ioPriority", OCI_OBJECT, io_priority, .spec = &io_priority_spec),
  OCI_FIELD (oci_process, "execCPUAffinity", OCI_OBJECT, exec_cpu_affinity,
             .spec = &exec_cpu_affinity_spec),
};
static const struct oci_spec process_spec
  = OCI_SPEC (oci_process, process_fields, .check = oci_check_process);

/* ---- root, mounts, hooks -------------------------------------------------------- */

static const struct oci_field root_fields[] = {
  OCI_FIELD (oci_root, "path", OCI_STRING, path, OCI_REQUIRED),
  OCI_FIELD (oci_root, "readonly", OCI_BOOL, readonly),
};
static const struct oci_spec root_spec = OCI_SPEC (oci_root, root_fields);

static const struct oci_field id_mapping_fields[] = {
  OCI_FIELD (oci_id_mapping, "containerID", OCI_U32, container_id, OCI_REQUIRED),
  OCI_FIELD (oci_id_mapping, "hostID", OCI_U32, host_id, OCI_REQUIRED),
  OCI_FIELD (oci_id_mapping, "size", OCI_U32, size, OCI_REQUIRED),
};
static const struct oci_spec id_mapping_spec = OCI_SPEC (oci_id_mapping, id_mapping_fields);

static const struct oci_field mount_fields[] = {
  OCI_FIELD (oci_mount, "destination", OCI_STRING, destination, OCI_REQUIRED),
  OCI_FIELD (oci_mount, "type", OCI_STRING, type),
  OCI_FIELD (oci_mount, "source", OCI_STRING, source),
  STRINGS_OF (oci_mount, "options", options),
  OBJECTS_OF (oci_mount, "uidMappings", uid_mappings, id_mapping_spec),
  OBJECTS_OF (oci_mount, "gidMappings", gid_mappings, id_mapping_spec),
};
static const struct oci_spec mount_spec
  = OCI_SPEC (oci_mount, mount_fields, .check = oci_check_mount);

static const struct oci_field hook_fields[] = {
  OCI_FIELD (oci_hook, "path", OCI_STRING, path, OCI_REQUIRED, .check = oci_check_absolute),
  STRINGS_OF (oci_hook, "args", args),
  STRINGS_OF (oci_hook, "env", env),
  OPTIONAL (oci_hook, "timeout", OCI_I32, timeout, OCI_RANGE (1, INT32_MAX)),
};
static const struct oci_spec hook_spec = OCI_SPEC (oci_hook, hook_fields);

static const struct oci_field hooks_fields[] = {
  OBJECTS_OF (oci_hooks, "prestart", prestart, hook_spec),
  OBJECTS_OF (oci_hooks, "createRuntime", create_runtime, hook_spec),
  OBJECTS_OF (oci_hooks, "createContainer", create_container, hook_spec),
  OBJECTS_OF (oci_hooks, "startContainer", start_container, hook_spec),
  OBJECTS_OF (oci_hooks, "poststart", poststart, hook_spec),
  OBJECTS_OF (oci_hooks, "poststop", poststop, hook_spec),
};
static const struct oci_spec hooks_spec = OCI_SPEC (oci_hooks, hooks_fields);

/* ---- linux: namespaces, devices ------------------------------------------------- */

static const struct oci_field namespace_fields[] = {
  OCI_FIELD (oci_namespace, "type", OCI_ENUM, type, OCI_REQUIRED, .values = &oci_enum_namespace),
  OCI_FIELD (oci_namespace, "path", OCI_STRING, path),
};
static const struct oci_spec namespace_spec = OCI_SPEC (oci_namespace, namespace_fields);

static const struct oci_field time_offset_fields[] = {
  OPTIONAL (oci_time_offset, "secs", OCI_I64, secs),
  OPTIONAL (oci_time_offset, "nanosecs", OCI_U32, nanosecs, OCI_RANGE (0, 999999999)),
};
static const struct oci_spec time_offset_spec = OCI_SPEC (oci_time_offset, time_offset_fields);

/* timeOffsets' clocks live in oci_linux itself.  */
static const struct oci_field time_offsets_fields[] = {
  OCI_FIELD (oci_linux, "monotonic", OCI_INLINE, monotonic, .spec = &time_offset_spec),
  OCI_FIELD (oci_linux, "boottime", OCI_INLINE, boottime, .spec = &time_offset_spec),
};
static const struct oci_spec time_offsets_spec
  = OCI_SPEC (oci_linux, time_offsets_fields, .check = oci_check_time_offsets);

static const struct oci_field device_fields[] = {
  OCI_FIELD (oci_device, "type", OCI_STRING, type, OCI_REQUIRED, .values = &oci_enum_device_type),
  OCI_FIELD (oci_device, "path", OCI_STRING, path, OCI_REQUIRED, .check = oci_check_absolute),
  OCI_FIELD (oci_device, "major", OCI_I64, major),
  OCI_FIELD (oci_device, "minor", OCI_I64, minor),
  OPTIONAL (oci_device, "fileMode", OCI_U32, file_mode, OCI_RANGE (0, 0177777)),
  OPTIONAL (oci_device, "uid", OCI_U32, uid),
  OPTIONAL (oci_device, "gid", OCI_U32, gid),
};
static const struct oci_spec device_spec
  = OCI_SPEC (oci_device, device_fields, .check = oci_check_device);

static const struct oci_field net_device_fields[] = {
  OCI_FIELD (oci_net_device, "name", OCI_STRING, name),
};
static const struct oci_spec net_device_spec
  = OCI_SPEC (oci_net_device, net_device_fields, .key_offset = offsetof (oci_net_device, key));

/* ---- linux.resources ------------------------------------------------------------ */

static const struct oci_field device_cgroup_fields[] = {
  OCI_FIELD (oci_device_cgroup, "allow", OCI_BOOL, allow, OCI_REQUIRED),
  OCI_FIELD (oci_device_cgroup, "type", OCI_STRING, type, .values = &oci_enum_cgroup_device_type),
  OPTIONAL (oci_device_cgroup, "major", OCI_I64, major),
  OPTIONAL (oci_device_cgroup, "minor", OCI_I64, minor),
  OCI_FIELD (oci_device_cgroup, "access", OCI_STRING, access, .check = oci_check_cgroup_access),
};
static const struct oci_spec device_cgroup_spec
  = OCI_SPEC (oci_device_cgroup, device_cgroup_fields);

/* Byte counts, or -1 for unlimited.  */
#define MEMORY_LIMIT(json, member) \
  OPTIONAL (oci_memory, json, OCI_I64, member, OCI_RANGE (-1, INT64_MAX))

static const struct oci_field memory_fields[] = {
  MEMORY_LIMIT ("limit", limit),
  MEMORY_LIMIT ("reservation", reservation),
  MEMORY_LIMIT ("swap", swap),
  MEMORY_LIMIT ("kernel", kernel),
  MEMORY_LIMIT ("kernelTCP", kernel_tcp),
  OPTIONAL (oci_memory, "swappiness", OCI_U64, swappiness, OCI_RANGE (0, 100)),
  OPTIONAL (oci_memory, "disableOOMKiller", OCI_BOOL, disable_oom_killer),
  OPTIONAL (oci_memory, "useHierarchy", OCI_BOOL, use_hierarchy),
  OPTIONAL (oci_memory, "checkBeforeUpdate", OCI_BOOL, check_before_update),
};
static const struct oci_spec memory_spec
  = OCI_SPEC (oci_memory, memory_fields, .check = oci_check_memory);

static const struct oci_field cpu_fields[] = {
  OPTIONAL (oci_cpu, "shares", OCI_U64, shares),
  OPTIONAL (oci_cpu, "quota", OCI_I64, quota),
  OPTIONAL (oci_cpu, "burst", OCI_U64, burst),
  OPTIONAL (oci_cpu, "period", OCI_U64, period),
  OPTIONAL (oci_cpu, "realtimeRuntime", OCI_I64, realtime_runtime),
  OPTIONAL (oci_cpu, "realtimePeriod", OCI_U64, realtime_period),
  OCI_FIELD (oci_cpu, "cpus", OCI_STRING, cpus),
  OCI_FIELD (oci_cpu, "mems", OCI_STRING, mems),
  OPTIONAL (oci_cpu, "idle", OCI_I64, idle),
};
static const struct oci_spec cpu_spec = OCI_SPEC (oci_cpu, cpu_fields, .check = oci_check_cpu);

static const struct oci_field pids_fields[] = {
  OPTIONAL (oci_pids, "limit", OCI_I64, limit, OCI_REQUIRED, OCI_RANGE (-1, INT64_MAX)),
};
static const struct oci_spec pids_spec = OCI_SPEC (oci_pids, pids_fields);

/* blkio weights: the kernel takes 10 to 1000.  */
#define BLKIO_WEIGHT(T, json, member) OPTIONAL (T, json, OCI_U16, member, OCI_RANGE (10, 1000))

static const struct oci_field weight_device_fields[] = {
  OCI_FIELD (oci_weight_device, "major", OCI_I64, major, OCI_REQUIRED),
  OCI_FIELD (oci_weight_device, "minor", OCI_I64, minor, OCI_REQUIRED),
  BLKIO_WEIGHT (oci_weight_device, "weight", weight),
  BLKIO_WEIGHT (oci_weight_device, "leafWeight", leaf_weight),
};
static const struct oci_spec weight_device_spec
  = OCI_SPEC (oci_weight_device, weight_device_fields, .check = oci_check_weight_device);

static const struct oci_field throttle_device_fields[] = {
  OCI_FIELD (oci_throttle_device, "major", OCI_I64, major, OCI_REQUIRED),
  OCI_FIELD (oci_throttle_device, "minor", OCI_I64, minor, OCI_REQUIRED),
  OCI_FIELD (oci_throttle_device, "rate", OCI_U64, rate, OCI_REQUIRED),
};
static const struct oci_spec throttle_device_spec
  = OCI_SPEC (oci_throttle_device, throttle_device_fields);

static const struct oci_field block_io_fields[] = {
  BLKIO_WEIGHT (oci_block_io, "weight", weight),
  BLKIO_WEIGHT (oci_block_io, "leafWeight", leaf_weight),
  OBJECTS_OF (oci_block_io, "weightDevice", weight_device, weight_device_spec),
  OBJECTS_OF (oci_block_io, "throttleReadBpsDevice", throttle_read_bps, throttle_device_spec),
  OBJECTS_OF (oci_block_io, "throttleWriteBpsDevice", throttle_write_bps, throttle_device_spec),
  OBJECTS_OF (oci_block_io, "throttleReadIOPSDevice", throttle_read_iops, throttle_device_spec),
  OBJECTS_OF (oci_block_io, "throttleWriteIOPSDevice", throttle_write_iops, throttle_device_spec),
};
static const struct oci_spec block_io_spec = OCI_SPEC (oci_block_io, block_io_fields);

static const struct oci_field hugepage_limit_fields[] = {
  OCI_FIELD (oci_hugepage_limit, "pageSize", OCI_STRING, page_size, OCI_REQUIRED,
             .check = oci_check_page_size),
  OCI_FIELD (oci_hugepage_limit, "limit", OCI_U64, limit, OCI_REQUIRED),
};
static const struct oci_spec hugepage_limit_spec
  = OCI_SPEC (oci_hugepage_limit, hugepage_limit_fields);

static const struct oci_field net_priority_fields[] = {
  OCI_FIELD (oci_net_priority, "name", OCI_STRING, name, OCI_REQUIRED),
  OCI_FIELD (oci_net_priority, "priority", OCI_U32, priority, OCI_REQUIRED),
};
static const struct oci_spec net_priority_spec = OCI_SPEC (oci_net_priority, net_priority_fields);

static const struct oci_field network_fields[] = {
  OPTIONAL (oci_network, "classID", OCI_U32, class_id),
  OBJECTS_OF (oci_network, "priorities", priorities, net_priority_spec),
};
static const struct oci_spec network_spec = OCI_SPEC (oci_network, network_fields);

static const struct oci_field rdma_fields[] = {
  OPTIONAL (oci_rdma, "hcaHandles", OCI_U32, hca_handles),
  OPTIONAL (oci_rdma, "hcaObjects", OCI_U32, hca_objects),
};
static const struct oci_spec rdma_spec = OCI_SPEC (oci_rdma, rdma_fields,
                                                   .key_offset = offsetof (oci_rdma, device),
                                                   .check = oci_check_rdma);

static const struct oci_field resources_fields[] = {
  OBJECTS_OF (oci_resources, "devices", devices, device_cgroup_spec),
  OCI_FIELD (oci_resources, "memory", OCI_OBJECT, memory, .spec = &memory_spec),
  OCI_FIELD (oci_resources, "cpu", OCI_OBJECT, cpu, .spec = &cpu_spec),
  OCI_FIELD (oci_resources, "pids", OCI_OBJECT, pids, .spec = &pids_spec),
  OCI_FIELD (oci_resources, "blockIO", OCI_OBJECT, block_io, .spec = &block_io_spec),
  OBJECTS_OF (oci_resources, "hugepageLimits", hugepage_limits, hugepage_limit_spec),
  OCI_FIELD (oci_resources, "network", OCI_OBJECT, network, .spec = &network_spec),
  OCI_FIELD (oci_resources, "rdma", OCI_KEYED, rdma, OCI_COUNT (oci_resources, n_rdma),
             .spec = &rdma_spec),
  OPTIONAL (oci_resources, "unified", OCI_MAP, unified),
};
static const struct oci_spec resources_spec = OCI_SPEC (oci_resources, resources_fields);

/* ---- linux.seccomp -------------------------------------------------------------- */

static const struct oci_field seccomp_arg_fields[] = {
  OCI_FIELD (oci_seccomp_arg, "index", OCI_U32, index, OCI_REQUIRED),
  OCI_FIELD (oci_seccomp_arg, "value", OCI_U64, value, OCI_REQUIRED),
  OPTIONAL (oci_seccomp_arg, "valueTwo", OCI_U64, value_two),
  OCI_FIELD (oci_seccomp_arg, "op", OCI_STRING, op, OCI_REQUIRED,
             .values = &oci_enum_seccomp_operator),
};
static const struct oci_spec seccomp_arg_spec = OCI_SPEC (oci_seccomp_arg, seccomp_arg_fields);

static const struct oci_field seccomp_syscall_fields[] = {
  STRINGS_OF (oci_seccomp_syscall, "names", names, OCI_REQUIRED),
  OCI_FIELD (oci_seccomp_syscall, "action", OCI_STRING, action, OCI_REQUIRED,
             .values = &oci_enum_seccomp_action),
  OPTIONAL (oci_seccomp_syscall, "errnoRet", OCI_U32, errno_ret),
  OBJECTS_OF (oci_seccomp_syscall, "args", args, seccomp_arg_spec),
};
static const struct oci_spec seccomp_syscall_spec
  = OCI_SPEC (oci_seccomp_syscall, seccomp_syscall_fields, .check = oci_check_syscall);

static const struct oci_field seccomp_fields[] = {
  OCI_FIELD (oci_seccomp, "defaultAction", OCI_STRING, default_action, OCI_REQUIRED,
             .values = &oci_enum_seccomp_action),
  OPTIONAL (oci_seccomp, "defaultErrnoRet", OCI_U32, default_errno_ret),
  STRINGS_OF (oci_seccomp, "architectures", architectures, .values = &oci_enum_seccomp_arch),
  STRINGS_OF (oci_seccomp, "flags", flags, .values = &oci_enum_seccomp_flag),
  OCI_FIELD (oci_seccomp, "listenerPath", OCI_STRING, listener_path),
  OCI_FIELD (oci_seccomp, "listenerMetadata", OCI_STRING, listener_metadata),
  OBJECTS_OF (oci_seccomp, "syscalls", syscalls, seccomp_syscall_spec),
};
static const struct oci_spec seccomp_spec
  = OCI_SPEC (oci_seccomp, seccomp_fields, .check = oci_check_seccomp);

/* ---- the rest of linux.* -------------------------------------------------------- */

static const struct oci_field intel_rdt_fields[] = {
  OCI_FIELD (oci_intel_rdt, "closID", OCI_STRING, clos_id, .check = oci_check_clos_id),
  OCI_FIELD (oci_intel_rdt, "l3CacheSchema", OCI_STRING, l3_cache_schema,
             .check = oci_check_one_line),
  OCI_FIELD (oci_intel_rdt, "memBwSchema", OCI_STRING, mem_bw_schema,
             .check = oci_check_mem_bw_schema),
  STRINGS_OF (oci_intel_rdt, "schemata", schemata, .check = oci_check_one_line),
  OCI_FIELD (oci_intel_rdt, "enableMonitoring", OCI_BOOL, enable_monitoring),
};
static const struct oci_spec intel_rdt_spec = OCI_SPEC (oci_intel_rdt, intel_rdt_fields);

static const struct oci_field personality_fields[] = {
  OCI_FIELD (oci_personality, "domain", OCI_STRING, domain, OCI_REQUIRED,
             .values = &oci_enum_personality_domain),
  STRINGS_OF (oci_personality, "flags", flags, .check = oci_check_personality_flag),
};
static const struct oci_spec personality_spec = OCI_SPEC (oci_personality, personality_fields);

static const struct oci_field memory_policy_fields[] = {
  OCI_FIELD (oci_memory_policy, "mode", OCI_STRING, mode, OCI_REQUIRED,
             .values = &oci_enum_memory_policy_mode),
  OCI_FIELD (oci_memory_policy, "nodes", OCI_STRING, nodes),
  STRINGS_OF (oci_memory_policy, "flags", flags, .values = &oci_enum_memory_policy_flag),
};
static const struct oci_spec memory_policy_spec
  = OCI_SPEC (oci_memory_policy, memory_policy_fields);

static const struct oci_field linux_fields[] = {
  OBJECTS_OF (oci_linux, "namespaces", namespaces, namespace_spec),
  OBJECTS_OF (oci_linux, "uidMappings", uid_mappings, id_mapping_spec),
  OBJECTS_OF (oci_linux, "gidMappings", gid_mappings, id_mapping_spec),
  INLINE_VIEW (oci_linux, "timeOffsets", has_time_offsets, time_offsets_spec),
  OBJECTS_OF (oci_linux, "devices", devices, device_spec),
  OCI_FIELD (oci_linux, "netDevices", OCI_KEYED, net_devices, OCI_COUNT (oci_linux, n_net_devices),
             .spec = &net_device_spec),
  OCI_FIELD (oci_linux, "cgroupsPath", OCI_STRING, cgroups_path),
  OCI_FIELD (oci_linux, "resources", OCI_OBJECT, resources, .spec = &resources_spec),
  OCI_FIELD (oci_linux, "rootfsPropagation", OCI_STRING, rootfs_propagation,
             .values = &oci_enum_propagation),
  OCI_FIELD (oci_linux, "sysctl", OCI_MAP, sysctl),
  OCI_FIELD (oci_linux, "seccomp", OCI_OBJECT, seccomp, .spec = &seccomp_spec),
  STRINGS_OF (oci_linux, "maskedPaths", masked_paths, OCI_HAS (oci_linux, has_masked_paths),
              .check = oci_check_absolute),
  STRINGS_OF (oci_linux, "readonlyPaths", readonly_paths, OCI_HAS (oci_linux, has_readonly_paths),
              .check = oci_check_absolute),
  OCI_FIELD (oci_linux, "mountLabel", OCI_STRING, mount_label),
  OCI_FIELD (oci_linux, "intelRdt", OCI_OBJECT, intel_rdt, .spec = &intel_rdt_spec),
  OCI_FIELD (oci_linux, "personality", OCI_OBJECT, personality, .spec = &personality_spec),
  OCI_FIELD (oci_linux, "memoryPolicy", OCI_OBJECT, memory_policy, .spec = &memory_policy_spec),
};
static const struct oci_spec linux_spec
  = OCI_SPEC (oci_linux, linux_fields, .check = oci_check_linux);

/* ---- the document --------------------------------------------------------------- */

static const struct oci_field config_fields[] = {
  OCI_FIELD (oci_config, "ociVersion", OCI_STRING, oci_version, OCI_REQUIRED,
             .check = oci_check_oci_version),
  OCI_FIELD (oci_config, "root", OCI_OBJECT, root, OCI_REQUIRED, .spec = &root_spec),
  OBJECTS_OF (oci_config, "mounts", mounts, mount_spec),
  OCI_FIELD (oci_config, "process", OCI_OBJECT, process, .spec = &process_spec),
  OCI_FIELD (oci_config, "hostname", OCI_STRING, hostname, .check = oci_check_uts_name),
  OCI_FIELD (oci_config, "domainname", OCI_STRING, domainname, .check = oci_check_uts_name),
  OCI_FIELD (oci_config, "linux", OCI_OBJECT, linux_, .spec = &linux_spec),
  OCI_FIELD (oci_config, "hooks", OCI_OBJECT, hooks, .spec = &hooks_spec),
  OCI_FIELD (oci_config, "annotations", OCI_MAP, annotations),
};
const struct oci_spec oci_config_spec = OCI_SPEC (oci_config, config_fields);

int
oci_config_parse (const char *json, size_t len, oci_config **out, struct silo_error **err)
{
  void *config = NULL;
  int ret = oci_spec_parse_document (&oci_config_spec, json, len, true, &config, err);
  *out = config;
  return ret;
}

int
oci_config_parse_file (const char *path, oci_config **out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;

  *out = NULL;
  if (read_file_at (AT_FDCWD, path, &text, &len, err) < 0)
    return -1;
  if (oci_config_parse (text, len, out, err) < 0)
    return silo_wrap (err, "`%s`", path);
  return 0;
}

int
oci_config_generate (const oci_config *c, char **json, size_t *len, struct silo_error **err)
{
  *json = oci_spec_generate_document (&oci_config_spec, c, len);
  return 0;
}

void
oci_config_free (oci_config *c)
{
  oci_spec_free_document (&oci_config_spec, c);
}

void
oci_config_freep (oci_config **c)
{
  oci_config_free (*c);
  *c = NULL;
}

int
oci_process_parse (const char *json, size_t len, oci_process **out, struct silo_error **err)
{
  void *process = NULL;
  int ret = oci_spec_parse_document (&process_spec, json, len, true, &process, err);

  *out = process;
  return ret;
}

int
oci_process_parse_file (const char *path, oci_process **out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;

  *out = NULL;
  if (read_file_at (AT_FDCWD, path, &text, &len, err) < 0)
    return -1;
  if (oci_process_parse (text, len, out, err) < 0)
    return silo_wrap (err, "`%s`", path);
  return 0;
}

oci_process *
oci_process_copy (const oci_process *p)
{
  size_t len = 0;
  _cleanup_free_ char *json = oci_spec_generate_document (&process_spec, p, &len);
  oci_process *copy = NULL;
  struct silo_error *err = NULL;

  /* What was generated from a parsed process always parses again.  */
  if (oci_process_parse (json, len, &copy, &err) < 0)
    abort ();
  return copy;
}

void
oci_process_free (oci_process *p)
{
  oci_spec_free_document (&process_spec, p);
}

int
oci_resources_parse (const char *json, size_t len, oci_resources **out, struct silo_error **err)
{
  void *resources = NULL;
  int ret = oci_spec_parse_document (&resources_spec, json, len, true, &resources, err);
  *out = resources;
  return ret;
}

void
oci_resources_free (oci_resources *r)
{
  oci_spec_free_document (&resources_spec, r);
}

const char *
oci_namespace_type_name (oci_namespace_type t)
{
  if ((unsigned) t >= OCI_NS__COUNT)
    return NULL;
  return oci_enum_namespace.names[t];
}
