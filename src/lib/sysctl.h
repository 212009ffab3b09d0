/* silo: linux.sysctl, the kernel parameters set inside the container.
 *
 * silo_sysctl_validate: before anything is created.  A key is dotted ("net.ipv4.ip_forward");
 *   one with '/' or an empty component ("net..x", ".net", "net.") is refused.  Only keys
 *   that the container's own namespaces isolate are allowed, so that a config can never
 *   change the host:
 *     kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall,
 *     kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*   ipc namespace
 *     net.*                                        network namespace, not silo's own
 *     kernel.hostname, kernel.domainname           uts namespace
 *   A namespace counts whether it is new or joined by path, except that a network
 *   namespace joined by a path that is silo's own network namespace does not.
 *   Errors name the key ("linux.sysctl.net.ipv4.ip_forward: ...") and what is missing.
 * silo_sysctl_apply: in the container's namespaces, writes each value to
 *   <procfd>/sys/<key with '.' -> '/'> through silo_procfs_write (no symlink is followed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SYSCTL_H
#define SILO_SYSCTL_H

#include "error.h"
#include "oci.h"

int silo_sysctl_validate (const oci_config *c, struct silo_error **err);
int silo_sysctl_apply (const oci_config *c, int procfd, struct silo_error **err);

#endif
