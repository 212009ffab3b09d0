/* silo: the device nodes of a /dev that silo populates: a tmpfs mounted on /dev, or the
 * image's own /dev directory; never a /dev bind-mounted from the host.
 *
 * Created: null, zero, full, random, urandom and tty (0666, unless linux.devices lists the
 * same path), then every linux.devices entry, then the symlinks fd, stdin, stdout, stderr
 * (into /proc/self/fd) and ptmx -> pts/ptmx (the container's devpts, never the host's
 * /dev/ptmx node).  In a new user namespace mknod(2) of a char or block device is
 * impossible: the host's node (checked to be the same device) is bind-mounted onto an
 * empty file instead, and keeps the host's mode and owner.  Paths resolve inside rootfd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_DEVICES_H
#define SILO_DEVICES_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

/* linux_ may be NULL.  Errors name the entry: "linux.devices[2] (/dev/fuse): ...".  */
int silo_devices_create (int rootfd, const oci_linux *linux_, bool userns, struct silo_error **err);

#endif
