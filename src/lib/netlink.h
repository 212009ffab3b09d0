/* silo: the little rtnetlink silo needs.
 *
 * silo_netlink_loopback_up: in the container's new network namespace, bring "lo" up
 *   (RTM_NEWLINK with IFF_UP, acknowledged), as runc and crun do, so that 127.0.0.1
 *   works in a container that has no other network configured.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_NETLINK_H
#define SILO_NETLINK_H

#include "error.h"

int silo_netlink_loopback_up (struct silo_error **err);

#endif
