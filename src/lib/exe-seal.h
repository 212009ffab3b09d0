/* silo: keep silo's on-disk binary out of every container's reach (CVE-2019-5736).
 *
 * A container's init is a clone of `silo create`, so until its execve its
 * /proc/PID/exe is the binary silo runs from; a foreground `run` keeps running it, and a
 * container program can be made to exec it (`#!/proc/self/exe`).  A container process
 * that opens that magic link (with CAP_SYS_PTRACE, or once the process is dumpable)
 * holds the binary, and once nothing executes it any more, the kernel lets it be opened
 * for writing: the next `silo` anyone runs is the container's.
 *
 * So the commands that put processes into containers (create, run) first re-execute
 * silo from a file the kernel will never open for writing: a detached, read-only bind
 * mount of the binary (open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_RDONLY),
 * executed through its fd).  Once that fd closes at the execve, the mount is dissolved:
 * it belongs to no mount namespace, so nobody can remount it read-write, clone it, or
 * bind it anywhere, and every open of /proc/PID/exe that asks for write access fails
 * with EROFS.  No byte is copied, and nothing is charged to any memory cgroup.  Where a
 * mount cannot be made (no CAP_SYS_ADMIN over our mount namespace), the fallback is a
 * sealed memfd copy (F_SEAL_WRITE|SHRINK|GROW|SEAL), which costs the binary's size in
 * memory, charged to the caller.  docs/security.md has the reasoning.
 *
 * silo_exe_seal: when /proc/self/exe is not sealed yet, re-execute argv from a sealed
 *   file (does not return on success).  When it already is (a binary on a read-only
 *   mount counts), returns 0 at once.  The environment variable SILO_EXE_SEALED guards
 *   against a loop: it is set to our pid for the re-execution and removed after.
 * silo_exe_is_sealed: 1 when /proc/self/exe can never be opened for writing, 0 when it
 *   can, -1 with *err on failure to tell.  create refuses to spawn unless it is 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_EXE_SEAL_H
#define SILO_EXE_SEAL_H

#include "error.h"

#define SILO_EXE_SEALED_ENV "SILO_EXE_SEALED"

int silo_exe_seal (char **argv, struct silo_error **err);
int silo_exe_is_sealed (struct silo_error **err);

#endif
