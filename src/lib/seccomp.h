/* silo: linux.seccomp: validated, compiled into a BPF program for this kernel's
 * architecture, loaded with seccomp(2).
 *
 * silo_seccomp_validate: before anything is created.  Checks every action (errnoRet only
 *   with SCMP_ACT_ERRNO or SCMP_ACT_TRACE), architecture, flag and argument.  A syscall
 *   name libseccomp does not know (one newer than the library) is left to the default
 *   action: allowed with one warning when that default is at least as strict as the rule
 *   (an allow rule under an errno default), an error naming
 *   linux.seccomp.syscalls[i].names[j] when leaving it out would let it through.  A name
 *   that exists but not on one of the architectures is skipped there by libseccomp, as
 *   runc does.  Architectures of the spec that libseccomp 2.5 does not know (loongarch64,
 *   m68k, sh, sheb) are skipped with a warning.  SCMP_ACT_NOTIFY needs an absolute
 *   listenerPath, and is refused as the default action and on the calls silo needs to
 *   hand the listener over (write, sendmsg, sendto, close): both would deadlock.  Flags:
 *   SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW, and _WAIT_KILLABLE_RECV (only with
 *   notify rules); any other is an error.
 * silo_seccomp_compile: the program, from libseccomp (rules whose action is the default
 *   are dropped; several conditions on one argument become one rule each, OR, as in
 *   docker's profiles; others are ANDed), with runc's ENOSYS rule in front when the
 *   default action denies: a native system call numbered above every one the profile
 *   names returns ENOSYS, so that a libc newer than the profile falls back as it would
 *   on an older kernel (x32 calls on x86-64 go to the filter as they are).  With a cache
 *   directory (NULL: none), the program is kept there under the SHA-256 of everything
 *   it depends on (silo's program format, libseccomp's version, the native
 *   architecture, the profile): compiling podman's default profile takes libseccomp
 *   about 20 ms, reading it back a fraction of one.  The directory is made 0700; it and
 *   every file read from it must belong to silo's euid and not be writable by others,
 *   or the cache is not used.  A damaged entry is compiled again and replaced.
 * silo_seccomp_install: seccomp(SECCOMP_SET_MODE_FILTER) with the profile's flags; with
 *   notify rules *listener gets the listener fd (else -1).  Without no_new_privs this
 *   needs CAP_SYS_ADMIN: install before the capabilities are dropped.
 * silo_seccomp_apply: compile without a cache and install; refuses notify rules (there
 *   is nobody to hand the listener to).
 *
 * seccomp-notify.c, the agent at linux.seccomp.listenerPath:
 * silo_seccomp_agent_connect: a SOCK_STREAM connection to listenerPath, made by `create`
 *   before the clone (the init cannot reach host paths after the pivot).
 * silo_seccomp_agent_send: one message, runtime-spec's ContainerProcessState JSON with the
 *   listener fd as SCM_RIGHTS (runc's seccompagent protocol), before the container's
 *   process runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SECCOMP_H
#define SILO_SECCOMP_H

#include <stdbool.h>

#include "error.h"
#include "oci.h"

struct sock_filter;

struct silo_seccomp_filter
{
  struct sock_filter *code;   /* owned; NULL: no filter */
  unsigned short len;
  unsigned int flags;         /* SECCOMP_FILTER_FLAG_* */
};

int silo_seccomp_validate (const oci_seccomp *s, struct silo_error **err);
/* The i-th flag silo knows ("SECCOMP_FILTER_FLAG_LOG") and its bit; NULL past the end.
 * silo_seccomp_flag_supported: whether this kernel takes it (nothing is installed).  */
const char *silo_seccomp_flag_name (size_t i, unsigned int *flag);
bool silo_seccomp_flag_supported (unsigned int flag);
bool silo_seccomp_uses_notify (const oci_seccomp *s);
int silo_seccomp_compile (const oci_seccomp *s, const char *cache_dir, struct silo_seccomp_filter *out,
                          struct silo_error **err);
int silo_seccomp_install (const struct silo_seccomp_filter *f, int *listener, struct silo_error **err);
void silo_seccomp_filter_release (struct silo_seccomp_filter *f);
int silo_seccomp_apply (const oci_seccomp *s, struct silo_error **err);

int silo_seccomp_agent_connect (const char *listener_path, struct silo_error **err);
int silo_seccomp_agent_send (int agent, const char *state_json, int listener, struct silo_error **err);

#endif
