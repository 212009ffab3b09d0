/* silo: linux.seccomp, built with libseccomp.
 *
 * silo_seccomp_validate: before anything is created.  Checks every action (errnoRet only
 *   with SCMP_ACT_ERRNO or SCMP_ACT_TRACE), architecture, flag and argument.  A syscall
 *   name libseccomp does not know (one newer than the library) is left to the default
 *   action: allowed with one warning when that default is at least as strict as the rule
 *   (an allow rule under an errno default), an error naming
 *   linux.seccomp.syscalls[i].names[j] when leaving it out would let it through.  A name
 *   that exists but not on one of the architectures is skipped there by libseccomp, as
 *   runc does.  Seccomp notify (SCMP_ACT_NOTIFY, listenerPath) is refused: "not
 *   supported by silo yet".  Flags: SECCOMP_FILTER_FLAG_TSYNC, _LOG and _SPEC_ALLOW map to
 *   libseccomp attributes; _WAIT_KILLABLE_RECV only changes how a notify listener waits,
 *   so without one it has nothing to do; any other flag is an error.
 * silo_seccomp_apply: builds and loads the filter (NULL: nothing to do).  Rules whose
 *   action is the default one are dropped (libseccomp refuses them); several conditions
 *   on the same argument become one rule each (OR), as in docker's profiles, others are
 *   ANDed in one rule.  The filter does not set no_new_privs itself: that is
 *   process.noNewPrivileges' business, and without it the load needs CAP_SYS_ADMIN, so
 *   it must come before capabilities are dropped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SECCOMP_H
#define SILO_SECCOMP_H

#include "error.h"
#include "oci.h"

int silo_seccomp_validate (const oci_seccomp *s, struct silo_error **err);
int silo_seccomp_apply (const oci_seccomp *s, struct silo_error **err);

#endif
