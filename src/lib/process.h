/* silo: the container process's own settings (config `process`): validation, rlimits,
 * oom_score_adj, identity and the final exec.
 *
 * silo_process_validate: before anything is created: process present, args non-empty,
 *   cwd absolute, every env entry KEY=value, rlimits of known types, not repeated, soft
 *   <= hard, umask <= 0777, oomScoreAdj within [-1000, 1000].  Errors name the field.
 * silo_rlimits_apply: setrlimit for each process.rlimits entry.  Raising a hard limit needs
 *   CAP_SYS_RESOURCE (in the initial user namespace); the error then names the rlimit,
 *   the values asked for and the current ones.
 * silo_oom_score_adj_apply: writes process.oomScoreAdj to <procfd>/self/oom_score_adj
 *   through silo_procfs_write.  Going below silo's own value needs CAP_SYS_RESOURCE.
 * silo_process_set_identity: PR_SET_KEEPCAPS, setgroups(additionalGids), setresgid,
 *   setresuid, PR_SET_KEEPCAPS off, umask (default 0022).  Keepcaps makes the uid change
 *   keep the permitted set, so silo_caps_apply afterwards can still grant what the config
 *   lists.  In a user namespace whose setgroups is "deny", an empty additionalGids is
 *   skipped; a non-empty one is an error.
 * silo_process_exec_prepare: as the final user, after chdir(cwd): resolve args[0] through
 *   the PATH of process.env (default SILO_DEFAULT_PATH) like execvp, open it O_PATH and
 *   refuse it when it is silo's own binary (`silo_exe`, fstat'ed on the host before
 *   clone), following "#!" interpreter lines to the kernel's depth of 4.  With the
 *   non-dumpable flag the lead sets, this is silo's defence against CVE-2019-5736.
 *   Call it before silo_seccomp_apply, so that a strict seccomp profile only has to allow
 *   the exec itself, and before waiting for `start`, so that a missing program fails
 *   `create` as it does with runc.
 * silo_process_exec_target: the exec itself; returns only on failure ("exec `sh`: No such
 *   file or directory", with a hint for EACCES and for a missing ELF interpreter).
 * silo_process_exec: prepare + exec in one call.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_PROCESS_H
#define SILO_PROCESS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"
#include "oci.h"

#define SILO_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The program to run, resolved and checked.  Release it when the exec is not reached.  */
struct silo_exec_target
{
  int fd;                /* O_PATH, close-on-exec; -1 when empty */
  char *path;            /* the path opened, as found through PATH */
  bool script;           /* starts with "#!" */
  const char *name;      /* args[0], for messages */
  char **argv, **envp;   /* NULL-terminated; the strings belong to the oci_process */
};

int silo_process_validate (const oci_config *c, struct silo_error **err);
int silo_rlimits_apply (const oci_process *p, struct silo_error **err);
int silo_oom_score_adj_apply (const oci_process *p, int procfd, struct silo_error **err);
int silo_process_set_identity (const oci_process *p, struct silo_error **err);

int silo_process_exec_prepare (const oci_process *p, const struct stat *silo_exe,
                               struct silo_exec_target *target, struct silo_error **err);
int silo_process_exec_target (struct silo_exec_target *target, struct silo_error **err);
void silo_exec_target_release (struct silo_exec_target *target);
int silo_process_exec (const oci_process *p, const struct stat *silo_exe, struct silo_error **err);

#endif
