/* silo: the little rtnetlink silo needs.
 *
 * silo_netlink_loopback_up: in the container's new network namespace, bring "lo" up
 *   (RTM_NEWLINK with IFF_UP, acknowledged), as runc and crun do, so that 127.0.0.1
 *   works in a container that has no other network configured.
 * silo_netlink_validate_devices: linux.netDevices before anything is made: the container
 *   has a network namespace of its own (own_netns), each key names an interface the host
 *   has, each name in the container is a valid interface name, and no two end up with
 *   the same one.
 * silo_netlink_move_devices: from the runtime's network namespace (the parent, before the
 *   child is let go): each host interface of linux.netDevices moved into netns_fd and
 *   renamed to its `name` in the same RTM_NEWLINK request.  When the container's network
 *   namespace goes away the kernel returns physical devices to the initial namespace and
 *   destroys virtual ones (veth, dummy): silo moves nothing back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_NETLINK_H
#define SILO_NETLINK_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

int silo_netlink_loopback_up (struct silo_error **err);
int silo_netlink_validate_devices (const oci_linux *l, bool own_netns, struct silo_error **err);
int silo_netlink_move_devices (const oci_linux *l, int netns_fd, struct silo_error **err);

#endif
