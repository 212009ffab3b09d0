/* silo: the overlay root of a quick-run container (`silo run --rootfs DIR`).
 *
 * DIR is the overlay's only lower layer and is never written: the upper and work layers
 * are directories in the container's state directory, so that deleting the container
 * (`--rm`, `rm`, `delete`) takes every write with it.  The overlay is made by silo before
 * the clone as a detached mount (fsopen/fsmount: it is attached nowhere on the host) and
 * attached by the init in its own mount namespace (rootfs.c), so that no mount is ever
 * left on the host, even when silo is killed.
 *
 * Each layer reaches the kernel as "/proc/self/fd/N" of a directory fd silo opened and
 * checked: a path with ',' ':' or '\' could not be given to overlayfs as text, and no path
 * is resolved twice.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_OVERLAY_H
#define SILO_OVERLAY_H

#include "error.h"

/* Open DIR (the lower layer): a directory, not the host's root.  `what` names it in
 * errors ("--rootfs").  Returns an O_PATH fd.  */
int silo_overlay_open_lower (const char *path, const char *what, struct silo_error **err);

/* In statedir: `upper` (owner and mode of the lower layer's root, so that the
 * container's "/" looks like DIR's) and `work`, made fresh, and the overlay of the three,
 * detached.  The state directory may not lie inside the lower layer (the container would
 * see its own upper layer, and could change silo's state).  Returns the mount fd.  */
int silo_overlay_make (int lowerfd, int statedir, const char *upper, const char *work,
                       struct silo_error **err);

#endif
