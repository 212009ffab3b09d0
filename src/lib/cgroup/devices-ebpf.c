/* silo cgroup2 device filter: linux.resources.devices as a BPF_PROG_TYPE_CGROUP_DEVICE
 * program, for hosts where no v1 devices hierarchy enforces the rules (pure v2).
 *
 * cgroup2 has no devices controller: the kernel runs the programs attached to the
 * cgroup (and its ancestors) on every open and mknod of a device node, with the type,
 * the access asked and the numbers, and refuses with EPERM when one returns 0.
 *
 * The program is the rule list read backwards, as the v1 exception list behaves: the
 * last rule that matches decides.  The default set (devices-v1.c) comes after the
 * config's rules, so it always wins, and an unmatched request is denied.  A rule
 * matches its type, numbers (absent or -1: any) and access: an allow rule must grant
 * every access asked (r, w, m), a deny rule refuses when it names any of them, so that
 * "allow rw, then deny w" refuses an O_RDWR open as v1 would.  Type "a" matches any
 * device and access, as in v1.  The verifier rejects unreachable code, so nothing is
 * emitted after a rule that always matches.
 *
 * The program is attached with BPF_F_ALLOW_MULTI, beside whatever the host's manager
 * attached above; an update attaches the new program before it detaches the old ones,
 * so that there is no moment without a filter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "util.h"

#define ACCESS_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define MAX_OLD_PROGRAMS 64

/* Registers of the program: the context's fields, loaded once.  */
enum { R_CTX = 1, R_TYPE = 2, R_ACCESS = 3, R_MAJOR = 4, R_MINOR = 5, R_SCRATCH = 1 };

struct device_rule
{
  bool allow;
  char type;              /* 'a', 'b', 'c' */
  int64_t major, minor;   /* -1: any */
  unsigned access;        /* BPF_DEVCG_ACC_* */
};

struct program
{
  struct bpf_insn *insns;
  size_t n;
  bool complete;   /* an unconditional rule ended it */
};

/* ---- rules ------------------------------------------------------------------------------ */

static unsigned
access_bits (const char *access)
{
  unsigned bits = 0;

  if (access == NULL)
    return ACCESS_ALL;
  for (const char *p = access; *p != '\0'; p++)
    bits |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : *p == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return bits;
}

static struct device_rule
rule_from_config (const oci_device_cgroup *d)
{
  struct device_rule r = { .allow = d->allow, .type = 'a', .major = -1, .minor = -1 };

  if (d->type != NULL && d->type[0] != '\0')
    r.type = d->type[0];
  if (d->has_major && d->major >= 0)
    r.major = d->major;
  if (d->has_minor && d->minor >= 0)
    r.minor = d->minor;
  r.access = access_bits (d->access);
  return r;
}

/* "c 1:3 rwm", "b *:* m": the v1 syntax of the default rules.  */
static struct device_rule
rule_from_v1_text (const char *text)
{
  struct device_rule r = { .allow = true, .type = text[0], .major = -1, .minor = -1 };
  char *end;

  if (r.type == 'a')
    return r;
  text += 2;
  if (*text != '*')
    r.major = strtoll (text, &end, 10), text = end;
  else
    text++;
  text++;   /* ':' */
  if (*text != '*')
    r.minor = strtoll (text, &end, 10), text = end;
  else
    text++;
  r.access = access_bits (text + 1);
  return r;
}

/* ---- the program ------------------------------------------------------------------------ */

static void
emit (struct program *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  p->insns = xrealloc (p->insns, (p->n + 1) * sizeof (*p->insns));
  p->insns[p->n++] = (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

static void
emit_prologue (struct program *p)
{
  emit (p, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, R_CTX, offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  emit (p, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
  emit (p, BPF_LDX | BPF_MEM | BPF_W, R_ACCESS, R_CTX, offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  emit (p, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
  emit (p, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, R_CTX, offsetof (struct bpf_cgroup_dev_ctx, major), 0);
  emit (p, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, R_CTX, offsetof (struct bpf_cgroup_dev_ctx, minor), 0);
}

static void
emit_return (struct program *p, bool allow)
{
  emit (p, BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, allow ? 1 : 0);
  emit (p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* One rule: each test jumps past the block when it fails; the block ends returning the
 * rule's verdict.  */
static void
emit_rule (struct program *p, const struct device_rule *r)
{
  bool any = r->type == 'a';
  bool type = !any, major = !any && r->major >= 0, minor = !any && r->minor >= 0;
  bool access = !any && (r->allow ? r->access != ACCESS_ALL : (r->access & ACCESS_ALL) != ACCESS_ALL);
  size_t end = p->n + type + 3 * access + major + minor + 2;   /* the next rule's first */

#define SKIP ((int16_t) (end - p->n - 1))
  if (type)
    emit (p, BPF_JMP32 | BPF_JNE | BPF_K, R_TYPE, 0, SKIP, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (access)
    {
      emit (p, BPF_ALU | BPF_MOV | BPF_X, R_SCRATCH, R_ACCESS, 0, 0);
      /* allow: something asked that the rule does not grant; deny: nothing it names. */
      emit (p, BPF_ALU | BPF_AND | BPF_K, R_SCRATCH, 0, 0,
            (int32_t) (r->allow ? ~r->access & ACCESS_ALL : r->access & ACCESS_ALL));
      emit (p, BPF_JMP32 | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R_SCRATCH, 0, SKIP, 0);
    }
  if (major)
    emit (p, BPF_JMP32 | BPF_JNE | BPF_K, R_MAJOR, 0, SKIP, (int32_t) (uint32_t) r->major);
  if (minor)
    emit (p, BPF_JMP32 | BPF_JNE | BPF_K, R_MINOR, 0, SKIP, (int32_t) (uint32_t) r->minor);
#undef SKIP
  emit_return (p, r->allow);
  p->complete = !type && !access && !major && !minor;
}

int
cgroup_device_program (const oci_device_cgroup *rules, size_t n, bool with_defaults,
                       struct bpf_insn **out, size_t *count, struct silo_error **err)
{
  struct program p = { NULL, 0, false };
  size_t n_defaults = 0;

  (void) err;
  while (with_defaults && cgroup_default_device_rules[n_defaults] != NULL)
    n_defaults++;
  emit_prologue (&p);
  for (size_t i = n_defaults; i > 0 && !p.complete; i--)
    {
      struct device_rule r = rule_from_v1_text (cgroup_default_device_rules[i - 1]);
      emit_rule (&p, &r);
    }
  for (size_t i = n; i > 0 && !p.complete; i--)
    {
      struct device_rule r = rule_from_config (&rules[i - 1]);
      emit_rule (&p, &r);
    }
  if (!p.complete)
    emit_return (&p, false);
  *out = p.insns;
  *count = p.n;
  return 0;
}

/* ---- load and attach -------------------------------------------------------------------- */

static int
bpf_call (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof (*attr));
}

static int
load_program (const struct bpf_insn *insns, size_t count, struct silo_error **err)
{
  union bpf_attr attr;
  _cleanup_free_ char *log = NULL;
  int fd, saved;

  memset (&attr, 0, sizeof (attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) count;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  fd = bpf_call (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  saved = errno;
  if (saved == EPERM || saved == ENOSYS)
    return silo_fail (err, saved, "load the cgroup2 device filter (eBPF); it needs CAP_SYS_ADMIN "
                      "(or CAP_BPF) and a kernel with CONFIG_BPF_SYSCALL and CONFIG_CGROUP_BPF");
  /* Again with the verifier's log, for the error.  */
  log = xmalloc0 (16384);
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = 16384;
  attr.log_level = 1;
  fd = bpf_call (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  /* The verifier's reason is at the end of its log.  */
  return silo_fail (err, saved, "load the cgroup2 device filter (eBPF, %zu instructions): verifier "
                    "says: %s", count, log + (strlen (log) > 300 ? strlen (log) - 300 : 0));
}

static int
attached_programs (int dir_fd, uint32_t *ids, uint32_t *n, struct silo_error **err)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof (attr));
  attr.query.target_fd = (uint32_t) dir_fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = *n;
  if (bpf_call (BPF_PROG_QUERY, &attr) < 0)
    return silo_fail (err, errno, "list the device filters attached to the cgroup");
  *n = attr.query.prog_cnt < *n ? attr.query.prog_cnt : *n;
  return 0;
}

static int
detach_program (int dir_fd, uint32_t id, struct silo_error **err)
{
  union bpf_attr attr;
  _cleanup_close_ int fd = -1;

  memset (&attr, 0, sizeof (attr));
  attr.prog_id = id;
  fd = bpf_call (BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0 && errno == ENOENT)
    return 0;   /* gone meanwhile */
  if (fd < 0)
    return silo_fail (err, errno, "open the old device filter (eBPF program %u)", id);
  memset (&attr, 0, sizeof (attr));
  attr.target_fd = (uint32_t) dir_fd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (bpf_call (BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
    return silo_fail (err, errno, "detach the old device filter (eBPF program %u)", id);
  return 0;
}

static int
attach_program (int dir_fd, int program_fd, struct silo_error **err)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof (attr));
  attr.target_fd = (uint32_t) dir_fd;
  attr.attach_bpf_fd = (uint32_t) program_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf_call (BPF_PROG_ATTACH, &attr) < 0)
    return silo_fail (err, errno, "attach the device filter (eBPF) to the cgroup");
  return 0;
}

int
cgroup_v2_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, bool with_defaults,
                         bool replace, struct silo_error **err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  _cleanup_close_ int program = -1;
  uint32_t old[MAX_OLD_PROGRAMS], n_old = replace ? MAX_OLD_PROGRAMS : 0;
  size_t count = 0;

  if (cgroup_device_program (rules, n, with_defaults, &insns, &count, err) < 0
      || (program = load_program (insns, count, err)) < 0
      || (replace && attached_programs (dir_fd, old, &n_old, err) < 0)
      || attach_program (dir_fd, program, err) < 0)
    return silo_wrap (err, "linux.resources.devices");
  for (uint32_t i = 0; i < n_old; i++)
    if (detach_program (dir_fd, old[i], err) < 0)
      return silo_wrap (err, "linux.resources.devices");
  return 0;
}
