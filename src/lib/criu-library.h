/* silo: libcriu, loaded with dlopen at the first checkpoint or restore.
 *
 * Linked at start-up, libcriu and the protobuf-c library under it were mapped and
 * relocated by every silo process (and twice per create: silo re-executes itself sealed,
 * see exe-seal.h) for the two commands that use them: about 40 system calls and their
 * page faults per `run`.  criu.c calls through CRIU (name), a pointer of the function's
 * own type, set by silo_criu_library_load.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CRIU_LIBRARY_H
#define SILO_CRIU_LIBRARY_H

#include <criu/criu.h>

#include "error.h"

/* libcriu's soname since CRIU 3.x (Debian 12: criu 3.17).  */
#define SILO_LIBCRIU_SONAME "libcriu.so.2"

#define SILO_CRIU_FUNCTIONS(X) \
  X (criu_get_orphan_pts_master_fd) \
  X (criu_local_add_cg_root) \
  X (criu_local_add_ext_mount) \
  X (criu_local_add_external) \
  X (criu_local_add_inherit_fd) \
  X (criu_local_dump) \
  X (criu_local_free_opts) \
  X (criu_local_init_opts) \
  X (criu_local_pre_dump) \
  X (criu_local_restore_child) \
  X (criu_local_set_auto_dedup) \
  X (criu_local_set_ext_unix_sk) \
  X (criu_local_set_file_locks) \
  X (criu_local_set_freeze_cgroup) \
  X (criu_local_set_images_dir_fd) \
  X (criu_local_set_leave_running) \
  X (criu_local_set_log_file) \
  X (criu_local_set_log_level) \
  X (criu_local_set_manage_cgroups) \
  X (criu_local_set_manage_cgroups_mode) \
  X (criu_local_set_network_lock) \
  X (criu_local_set_notify_cb) \
  X (criu_local_set_orphan_pts_master) \
  X (criu_local_set_page_server_address_port) \
  X (criu_local_set_parent_images) \
  X (criu_local_set_pid) \
  X (criu_local_set_root) \
  X (criu_local_set_shell_job) \
  X (criu_local_set_tcp_established) \
  X (criu_local_set_track_mem) \
  X (criu_local_set_work_dir_fd) \

#define SILO_CRIU_DECLARE(name) extern __typeof__ (name) *silo_criu_fn_##name;
SILO_CRIU_FUNCTIONS (SILO_CRIU_DECLARE)
#undef SILO_CRIU_DECLARE

#define CRIU(name) (*silo_criu_fn_##name)

/* Load libcriu and resolve every function above; once per process.  Fails naming the
 * library and what to install.  */
int silo_criu_library_load (struct silo_error **err);

#endif
