/* silo: where a container process starts (process.cwd) and what it runs (args[0]): each
 * found once inside the container's root, checked, then entered and executed.
 *
 * silo_enter_cwd: process.cwd opened with openat2(rootfd, RESOLVE_IN_ROOT |
 *   RESOLVE_NO_MAGICLINKS) and entered with fchdir(2): a symlink in the image that goes
 *   through /proc/self/fd/N/.. cannot take the process out of the root (CVE-2024-21626).
 *   The result is checked again from the kernel's side: a working directory that
 *   getcwd(2) reports as unreachable from the root is refused.  With `create` a missing
 *   cwd is made (0755, each level inside the root), as runc and crun do for the init.
 * silo_program_resolve: at create time, in the container's mount namespace after the
 *   pivot, before any credential changes and before seccomp is loaded (it needs openat2).
 *   args[0] is looked up like execvp does it (a name with '/' as it is, otherwise each
 *   entry of the PATH in process.env, default SILO_DEFAULT_PATH, an empty entry being the
 *   cwd; missing or non-executable candidates are passed over), but every lookup goes
 *   through openat2(rootfd, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): a symlink in the
 *   image cannot lead out of the root, and no /proc/<pid>/fd or /proc/<pid>/exe magic
 *   link is ever followed (CVE-2024-21626, CVE-2019-5736).  Relative names and PATH
 *   entries are taken from process.cwd, as the kernel will take them.  A candidate must be
 *   a regular file with an execute bit, not on a noexec mount.
 *   Then, as defence in depth for CVE-2019-5736 (the guarantee is exe-seal.h): the file,
 *   every "#!" interpreter down to the kernel's depth of 4, and the PT_INTERP of the ELF
 *   at the end of that chain are each resolved the same way and refused when they are
 *   silo's own binary (`silo_exe`: stat of /proc/self/exe on the host).  A missing
 *   interpreter or ELF loader is reported here, at create, with its name.
 *   The environment is process.env, plus HOME when it has none, as runc and crun do: the
 *   home directory of process.user.uid in the container's /etc/passwd (read through the
 *   same kind of lookup), else "/".
 * silo_program_exec: execve(2) of the path that was found, with args and env.  By path,
 *   not by fd: the kernel then names the process after what was asked for (`sh`, not
 *   `busybox` or the fd number), scripts get a path their interpreter can open, and a
 *   seccomp profile that allows only execve works (docs/security.md).  Returns only on
 *   failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_PROGRAM_H
#define SILO_PROGRAM_H

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"
#include "oci.h"

#define SILO_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct silo_program
{
  char *path;            /* what execve gets: the candidate that was found ("/bin/sh") */
  bool script;           /* starts with "#!" */
  const char *name;      /* args[0], for messages */
  char **argv, **envp;   /* NULL-terminated; the strings belong to the oci_process ... */
  char *home;            /* ... but this one: "HOME=..." added to envp, or NULL */
};

int silo_enter_cwd (int rootfd, const char *cwd, bool create, struct silo_error **err);

int silo_program_resolve (int rootfd, const oci_process *p, const struct stat *silo_exe,
                          struct silo_program *out, struct silo_error **err);
int silo_program_exec (const struct silo_program *prog, struct silo_error **err);
void silo_program_release (struct silo_program *prog);

#endif
