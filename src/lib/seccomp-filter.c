/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seccomp-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

/* Part of every cache key: change it whenever what a cached program means changes (the
 * stub, the file layout).  */
#define PROGRAM_FORMAT "silo-seccomp-program-1"
#define CACHE_MAGIC "SILOBPF1"
#define CACHE_HEADER (sizeof CACHE_MAGIC - 1 + sizeof (uint32_t))
#define STUB_MAX 6

/* x32 system calls on x86-64: the same AUDIT_ARCH, this bit set in the number.  */
#define X32_SYSCALL_BIT 0x40000000U

/* ---- the ENOSYS stub -------------------------------------------------------------- */

/* In front of libseccomp's program: on the native architecture, a system call numbered
 * above `largest` returns ENOSYS.  Jumps are relative, so the program after it is
 * unchanged; every branch that does not return lands on its first instruction.  */
static size_t
enosys_stub (uint32_t arch, uint32_t largest, struct sock_filter *out)
{
  bool x86_64 = arch == SCMP_ARCH_X86_64;
  unsigned char total = x86_64 ? 6 : 5, n = 0;

  out[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch));
  out[n] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, arch, 0, total - n - 1);
  n++;
  out[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr));
  if (x86_64)
    {
      out[n] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, total - n - 1, 0);
      n++;
    }
  out[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, largest, 0, 1);
  out[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  return n;
}

static int
compile_program (const oci_seccomp *s, struct sock_filter **code, size_t *n, struct silo_error **err)
{
  _cleanup_free_ struct sock_filter *program = NULL;
  struct sock_filter stub[STUB_MAX];
  size_t program_len, stub_len = 0;
  int largest = silo_seccomp_largest_syscall (s);

  if (silo_seccomp_build (s, &program, &program_len, err) < 0)
    return -1;
  if (!silo_seccomp_default_lets_through (s) && largest >= 0)
    stub_len = enosys_stub (seccomp_arch_native (), (uint32_t) largest, stub);
  if (program_len + stub_len > BPF_MAXINSNS)
    return silo_fail (err, E2BIG, "linux.seccomp: the filter has %zu instructions, more than "
                      "the kernel's %d", program_len + stub_len, BPF_MAXINSNS);
  *code = xmalloc0 ((program_len + stub_len) * sizeof (struct sock_filter));
  memcpy (*code, stub, stub_len * sizeof (struct sock_filter));
  memcpy (*code + stub_len, program, program_len * sizeof (struct sock_filter));
  *n = program_len + stub_len;
  return 0;
}

/* ---- the cache ------------------------------------------------------------------- */

static void
hash_u64 (struct silo_sha256 *h, uint64_t v)
{
  silo_sha256_update (h, &v, sizeof v);
}

/* Length-prefixed, NULL distinct from "": no two profiles hash the same input.  */
static void
hash_text (struct silo_sha256 *h, const char *s)
{
  hash_u64 (h, s != NULL ? strlen (s) + 1 : 0);
  if (s != NULL)
    silo_sha256_update (h, s, strlen (s) + 1);
}

static void
hash_texts (struct silo_sha256 *h, char *const *v, size_t n)
{
  hash_u64 (h, n);
  for (size_t i = 0; i < n; i++)
    hash_text (h, v[i]);
}

static void
hash_rule (struct silo_sha256 *h, const oci_seccomp_syscall *r)
{
  hash_texts (h, r->names, r->n_names);
  hash_text (h, r->action);
  hash_u64 (h, r->has_errno_ret);
  hash_u64 (h, r->errno_ret);
  hash_u64 (h, r->n_args);
  for (size_t i = 0; i < r->n_args; i++)
    {
      hash_u64 (h, r->args[i].index);
      hash_u64 (h, r->args[i].value);
      hash_u64 (h, r->args[i].has_value_two);
      hash_u64 (h, r->args[i].value_two);
      hash_text (h, r->args[i].op);
    }
}

static void
cache_key (const oci_seccomp *s, char key[2 * SILO_SHA256_DIGEST + 1])
{
  const struct scmp_version *v = seccomp_version ();
  unsigned char digest[SILO_SHA256_DIGEST];
  struct silo_sha256 h;

  silo_sha256_init (&h);
  hash_text (&h, PROGRAM_FORMAT);
  hash_u64 (&h, v->major);
  hash_u64 (&h, v->minor);
  hash_u64 (&h, v->micro);
  hash_u64 (&h, seccomp_arch_native ());
  hash_text (&h, s->default_action);
  hash_u64 (&h, s->has_default_errno_ret);
  hash_u64 (&h, s->default_errno_ret);
  hash_texts (&h, s->architectures, s->n_architectures);
  hash_u64 (&h, s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    hash_rule (&h, &s->syscalls[i]);
  silo_sha256_final (&h, digest);
  silo_sha256_hex (digest, key);
}

/* The cache directory, made when missing, and trusted only when it is ours alone.  */
static int
open_cache_dir (const char *dir)
{
  _cleanup_close_ int fd = -1;

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || silo_check_trusted_fd (fd, "the seccomp cache", dir, NULL) < 0)
    return -1;
  return steal_fd (&fd);
}

/* 0 and the cached program, or -1 when there is none (or none that can be trusted).  */
static int
cache_read (int dirfd, const char *key, struct sock_filter **code, size_t *n)
{
  _cleanup_close_ int fd = openat (dirfd, key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_free_ char *data = NULL;
  size_t len;
  uint32_t count;

  if (fd < 0 || silo_check_trusted_fd (fd, "a cached seccomp program", key, NULL) < 0
      || read_fd_all (fd, &data, &len, NULL) < 0)
    return -1;
  if (len < CACHE_HEADER || memcmp (data, CACHE_MAGIC, sizeof CACHE_MAGIC - 1) != 0)
    return -1;
  memcpy (&count, data + sizeof CACHE_MAGIC - 1, sizeof count);
  if (count == 0 || count > BPF_MAXINSNS || len != CACHE_HEADER + count * sizeof (struct sock_filter))
    return -1;
  *code = xmalloc0 (count * sizeof (struct sock_filter));
  memcpy (*code, data + CACHE_HEADER, count * sizeof (struct sock_filter));
  *n = count;
  return 0;
}

static void
cache_write (int dirfd, const char *key, const struct sock_filter *code, size_t n)
{
  size_t len = CACHE_HEADER + n * sizeof (struct sock_filter);
  _cleanup_free_ char *data = xmalloc0 (len);
  uint32_t count = (uint32_t) n;

  memcpy (data, CACHE_MAGIC, sizeof CACHE_MAGIC - 1);
  memcpy (data + sizeof CACHE_MAGIC - 1, &count, sizeof count);
  memcpy (data + CACHE_HEADER, code, n * sizeof (struct sock_filter));
  /* A cache that cannot be written is only slower: the program is in hand.  */
  (void) write_file_atomic_at (dirfd, key, data, len, 0600, SILO_DURABLE, NULL);
}

/* ---- compile, install ------------------------------------------------------------ */

int
silo_seccomp_compile (const oci_seccomp *s, const char *cache_dir, struct silo_seccomp_filter *out,
                      struct silo_error **err)
{
  _cleanup_close_ int dirfd = -1;
  char key[2 * SILO_SHA256_DIGEST + 1];
  struct sock_filter *code = NULL;
  size_t n = 0;

  *out = (struct silo_seccomp_filter) { 0 };
  if (s == NULL)
    return 0;
  if (cache_dir != NULL)
    {
      cache_key (s, key);
      dirfd = open_cache_dir (cache_dir);
    }
  if (dirfd < 0 || cache_read (dirfd, key, &code, &n) < 0)
    {
      if (compile_program (s, &code, &n, err) < 0)
        return -1;
      if (dirfd >= 0)
        cache_write (dirfd, key, code, n);
    }
  out->code = code;
  out->len = (unsigned short) n;
  out->flags = silo_seccomp_flags (s);
  return 0;
}

void
silo_seccomp_filter_release (struct silo_seccomp_filter *f)
{
  free (f->code);
  *f = (struct silo_seccomp_filter) { 0 };
}

int
silo_seccomp_install (const struct silo_seccomp_filter *f, int *listener, struct silo_error **err)
{
  struct sock_fprog program = { .len = f->len, .filter = f->code };
  long r;

  if (listener != NULL)
    *listener = -1;
  if (f->code == NULL)
    return 0;
  r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &program);
  if (r < 0)
    return silo_fail (err, errno, "linux.seccomp: load the filter%s",
                      errno == EACCES || errno == EPERM ? " (without process.noNewPrivileges this "
                      "needs CAP_SYS_ADMIN: load it before dropping capabilities)" : "");
  if (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    {
      if (listener != NULL)
        *listener = (int) r;
      else
        close ((int) r);
    }
  return 0;
}

int
silo_seccomp_apply (const oci_seccomp *s, struct silo_error **err)
{
  struct silo_seccomp_filter f;
  int r;

  if (s == NULL)
    return 0;
  if (silo_seccomp_uses_notify (s))
    return silo_fail (err, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs an agent to hand the "
                      "listener to");
  if (silo_seccomp_compile (s, NULL, &f, err) < 0)
    return -1;
  r = silo_seccomp_install (&f, NULL, err);
  silo_seccomp_filter_release (&f);
  return r;
}

/* The kernel checks the flags before it reads the program: EFAULT for a NULL program
 * means the flags were accepted.  Nothing is installed.  */
bool
silo_seccomp_flag_supported (unsigned int flag)
{
  if (flag == SILO_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
    flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}
