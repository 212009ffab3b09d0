/* silo: the container process's own settings (config `process`): validation, rlimits,
 * oom_score_adj and identity (the program itself: program.h).
 *
 * silo_process_validate: before anything is created: process present, args non-empty,
 *   cwd absolute, every env entry KEY=value, uid, gid and additionalGids at most
 *   2147483647 (setresuid(-1) would leave the process root), rlimits of known types, not
 *   repeated, soft <= hard, umask <= 0777, oomScoreAdj within [-1000, 1000].  Errors name
 *   the field.
 * silo_rlimits_apply: setrlimit for each process.rlimits entry.  Raising a hard limit needs
 *   CAP_SYS_RESOURCE (in the initial user namespace); the error then names the rlimit,
 *   the values asked for and the current ones.
 * silo_oom_score_adj_apply: writes process.oomScoreAdj to <procfd>/self/oom_score_adj
 *   through silo_procfs_write.  Going below silo's own value needs CAP_SYS_RESOURCE.
 * silo_process_set_identity: PR_SET_KEEPCAPS, setgroups(additionalGids), setresgid,
 *   setresuid, PR_SET_KEEPCAPS off, umask (default 0022).  Keepcaps makes the uid change
 *   keep the permitted set, so silo_caps_apply afterwards can still grant what the config
 *   lists.  In a user namespace whose setgroups is "deny", an empty additionalGids is
 *   skipped; a non-empty one is an error.  unmapped (a user namespace without maps, see
 *   silo_ns_userns_unmapped): only ids 0 are accepted, and nothing is changed but umask.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_PROCESS_H
#define SILO_PROCESS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"
#include "oci.h"

int silo_process_validate (const oci_config *c, struct silo_error **err);
int silo_rlimits_apply (const oci_process *p, struct silo_error **err);
int silo_oom_score_adj_apply (const oci_process *p, int procfd, struct silo_error **err);
int silo_process_set_identity (const oci_process *p, bool unmapped, struct silo_error **err);

#endif
