/* silo: process.capabilities.
 *
 * silo_caps_validate: before anything is created.  A capability this kernel does not know
 *   (above /proc/sys/kernel/cap_last_cap) is removed from its list with a warning, as runc
 *   does, so that one config serves old and new kernels.  Without a user namespace, a
 *   capability outside silo's own bounding set cannot be granted at all and is an error
 *   ("process.capabilities.bounding: CAP_SYS_RESOURCE is not in silo's own bounding set");
 *   a user namespace (new or joined) starts with a full bounding set, so
 *   `user_namespace` skips that check.  Cross-set rules the kernel would enforce later
 *   with a bare EPERM are checked here with names: effective must be within permitted
 *   (error); an ambient capability must be in both permitted and inheritable (removed;
 *   a warning when the process's user is not root (`root_user` false), who would lose it
 *   at exec, else a debug line: `crun spec` writes such a config).  Unknown names were
 *   already rejected by libocispec.
 * silo_caps_drop_bounding: in the child, before set_identity: PR_CAPBSET_DROP every
 *   capability that caps->bounding does not list (NULL caps drops them all).
 * silo_caps_apply: after silo_process_set_identity: sets effective, permitted and
 *   inheritable in one capset(2), then raises the ambient ones.  Inheritable and
 *   ambient stay empty unless listed.  NULL caps leaves the process with none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CAPS_H
#define SILO_CAPS_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

int silo_caps_validate (oci_capabilities *caps, bool user_namespace, bool root_user,
                        struct silo_error **err);
/* The number of the kernel's last capability (/proc/sys/kernel/cap_last_cap, probed with
 * prctl, at most 63); computed once per process, and kept by the clone of the child.  */
int silo_caps_last (void);
int silo_caps_drop_bounding (const oci_capabilities *caps, struct silo_error **err);
int silo_caps_apply (const oci_capabilities *caps, struct silo_error **err);

#endif
