/* silo: fold an `update` into the stored linux.resources.
 *
 * silo_resources_merge copies every member set in `from` into `into` (deep copies: `into`
 * owns what it gets and is freed by oci_config_free), leaving the members `from` does not
 * set as they were.  The lists are merged by key, as the kernel applies them: a device
 * weight or throttle by major:minor, a hugepage limit by page size, an rdma limit by
 * device, a network priority by interface name, a unified entry by file name.
 * linux.resources.devices, an ordered list, is replaced whole when `from` has rules.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_RESOURCES_MERGE_H
#define SILO_RESOURCES_MERGE_H

#include "oci.h"

void silo_resources_merge (oci_resources *into, const oci_resources *from);

#endif
