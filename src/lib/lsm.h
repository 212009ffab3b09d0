/* silo: Linux security module labels.
 *
 *   process.apparmorProfile  AppArmor profile the process runs under after its execve
 *   process.selinuxLabel     SELinux context of the process after its execve
 *   linux.mountLabel         SELinux context of the filesystems silo mounts (context=)
 *
 * The spec asks the runtime to apply each; a host that does not run the module cannot,
 * so the field is an error there that names it (runc 1.1.5 fails the same way; crun
 * ignores a mount label: silo never ignores a field).  These machines run neither module.
 *
 * silo_lsm_validate: before anything is made.
 * silo_lsm_apply_exec_labels: in the child, before the capabilities are dropped: the
 *   labels go to the process's own attr files for its next execve (AppArmor's
 *   attr/apparmor/exec where the kernel has it, "exec PROFILE"; SELinux's attr/exec),
 *   through a procfs instance silo mounts itself (pathsafe.h).
 * silo_lsm_mount_data: the mount data with the SELinux context added, for a filesystem
 *   that takes one (not proc, sysfs, cgroup or a bind); NULL when nothing changes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_LSM_H
#define SILO_LSM_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

bool silo_apparmor_enabled (void);
bool silo_selinux_enabled (void);
int silo_lsm_validate (const oci_process *p, const oci_linux *l, struct silo_error **err);
int silo_lsm_apply_exec_labels (const oci_process *p, struct silo_error **err);
char *silo_lsm_mount_data (const char *mount_label, const char *type, const char *data);

#endif
