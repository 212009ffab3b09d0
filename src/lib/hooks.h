/* silo: OCI hooks (config `hooks`).
 *
 * silo_hooks_run: runs hooks[0..n) in order, in the calling process's namespaces, and stops
 *   at the first failure.  `stage` is the hooks' JSON name ("prestart", "createRuntime",
 *   "createContainer", "startContainer", "poststart", "poststop"); messages use it:
 *     "prestart hook `/usr/bin/x` (hooks.prestart[0]) exited with status 3: <its last output>"
 *   Each hook: execve(path, args (args[0] is argv[0]; argv[0] = path when args is
 *   empty), env (empty when absent)), in a process group of its own, with every signal
 *   unblocked and at its default disposition, stdin a pipe holding `state_json` (written
 *   before the hook starts, so a hook that never reads it cannot block silo or make it
 *   take SIGPIPE), stdout and stderr a pipe that silo copies to its own stderr while
 *   keeping the last lines for the error message, and no other fd.  A hook that outlives
 *   its `timeout` (seconds, > 0) is killed with its process group and is an error, as is
 *   any exit status but 0.  Output that background children write after the hook exits
 *   is not waited for.  The caller must not reap children behind silo's back
 *   (SIGCHLD ignored, waitpid(-1)) while this runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_HOOKS_H
#define SILO_HOOKS_H

#include <stddef.h>

#include "error.h"
#include "oci.h"

int silo_hooks_run (const oci_hook *hooks, size_t n, const char *stage, const char *state_json,
                    struct silo_error **err);

/* Every hook runs even when an earlier one fails; failures are logged as warnings
 * (runtime-spec: poststop).  */
void silo_hooks_run_all (const oci_hook *hooks, size_t n, const char *stage, const char *state_json);

#endif
