/* silo: what seccomp.c (validation, libseccomp) and seccomp-filter.c (the program, its
 * cache, seccomp(2)) share.  Not an interface for anything else.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SECCOMP_INTERNAL_H
#define SILO_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
# define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
/* Linux 5.19; Debian 12's headers (6.1) have it, older ones may not.  */
#define SILO_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1UL << 5)

/* libseccomp's program for the profile (no ENOSYS stub yet).  */
int silo_seccomp_build (const oci_seccomp *s, struct sock_filter **code, size_t *n,
                        struct silo_error **err);
/* SECCOMP_FILTER_FLAG_* for seccomp(2): the profile's flags, NEW_LISTENER with notify
 * rules (and TSYNC_ESRCH when both it and TSYNC are asked for).  */
unsigned int silo_seccomp_flags (const oci_seccomp *s);
/* The default action lets unknown system calls through (allow, log, trace): no stub.  */
bool silo_seccomp_default_lets_through (const oci_seccomp *s);
/* The highest native system call number the profile names, -1 when none.  */
int silo_seccomp_largest_syscall (const oci_seccomp *s);

#endif
