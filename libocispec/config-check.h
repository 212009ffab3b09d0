/* libocispec internal: the value lists and the checks the config.json tables (config.c)
 * refer to: enum values, string formats, and the cross-field rules of the runtime-spec
 * that one property's type cannot express.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_OCI_CONFIG_CHECK_H
#define SILO_OCI_CONFIG_CHECK_H

#include "spec.h"

extern const struct oci_enum oci_enum_namespace, oci_enum_propagation, oci_enum_rlimit,
  oci_enum_device_type, oci_enum_cgroup_device_type, oci_enum_seccomp_action,
  oci_enum_seccomp_operator, oci_enum_seccomp_arch, oci_enum_seccomp_flag,
  oci_enum_scheduler_policy, oci_enum_scheduler_flag, oci_enum_io_class,
  oci_enum_memory_policy_mode, oci_enum_memory_policy_flag, oci_enum_personality_domain;

/* Strings.  */
int oci_check_oci_version (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_absolute (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_env (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_capability (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_cpu_list (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_page_size (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_cgroup_access (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_clos_id (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_mem_bw_schema (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_uts_name (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_one_line (const char *value, struct oci_path *path, struct silo_error **err);
int oci_check_personality_flag (const char *value, struct oci_path *path, struct silo_error **err);

/* Objects (run after all their properties are parsed).  */
int oci_check_process (void *object, const struct json_value *node, struct oci_path *path,
                       struct silo_error **err);
int oci_check_mount (void *object, const struct json_value *node, struct oci_path *path,
                     struct silo_error **err);
int oci_check_linux (void *object, const struct json_value *node, struct oci_path *path,
                     struct silo_error **err);
int oci_check_time_offsets (void *object, const struct json_value *node, struct oci_path *path,
                            struct silo_error **err);
int oci_check_device (void *object, const struct json_value *node, struct oci_path *path,
                      struct silo_error **err);
int oci_check_memory (void *object, const struct json_value *node, struct oci_path *path,
                      struct silo_error **err);
int oci_check_cpu (void *object, const struct json_value *node, struct oci_path *path,
                   struct silo_error **err);
int oci_check_weight_device (void *object, const struct json_value *node,
                             struct oci_path *path, struct silo_error **err);
int oci_check_rdma (void *object, const struct json_value *node, struct oci_path *path,
                    struct silo_error **err);
int oci_check_seccomp (void *object, const struct json_value *node, struct oci_path *path,
                       struct silo_error **err);
int oci_check_syscall (void *object, const struct json_value *node, struct oci_path *path,
                       struct silo_error **err);

#endif
