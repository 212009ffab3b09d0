/* libocispec: value lists and checks for config.json (see config-check.h).  The lists are
 * those of runtime-spec 1.3.0 (schema/defs-linux.json, config.md, config-linux.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

#include "log.h"

#define OCI_ENUM_DEFINE(id, what_, ...) \
  static const char *const id##_names[] = { __VA_ARGS__, NULL }; \
  const struct oci_enum id = { .what = what_, .names = id##_names }

/* In the order of oci_namespace_type.  */
OCI_ENUM_DEFINE (oci_enum_namespace, "namespace type",
                 "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");
OCI_ENUM_DEFINE (oci_enum_propagation, "propagation",
                 "shared", "slave", "private", "unbindable",
                 "rshared", "rslave", "rprivate", "runbindable");
OCI_ENUM_DEFINE (oci_enum_rlimit, "rlimit type",
                 "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",
                 "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
                 "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO",
                 "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");
OCI_ENUM_DEFINE (oci_enum_device_type, "device type", "c", "b", "u", "p");
OCI_ENUM_DEFINE (oci_enum_cgroup_device_type, "device type", "a", "c", "b");
OCI_ENUM_DEFINE (oci_enum_seccomp_action, "seccomp action",
                 "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                 "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",
                 "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
OCI_ENUM_DEFINE (oci_enum_seccomp_operator, "seccomp operator",
                 "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                 "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
OCI_ENUM_DEFINE (oci_enum_seccomp_arch, "seccomp architecture",
                 "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
                 "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
                 "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
                 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
                 "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
                 "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
                 "SCMP_ARCH_RISCV64");
OCI_ENUM_DEFINE (oci_enum_seccomp_flag, "seccomp flag",
                 "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
OCI_ENUM_DEFINE (oci_enum_scheduler_policy, "scheduler policy",
                 "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO",
                 "SCHED_IDLE", "SCHED_DEADLINE");
OCI_ENUM_DEFINE (oci_enum_scheduler_flag, "scheduler flag",
                 "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
                 "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS",
                 "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");
OCI_ENUM_DEFINE (oci_enum_io_class, "I/O priority class",
                 "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
OCI_ENUM_DEFINE (oci_enum_memory_policy_mode, "memory policy mode",
                 "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
                 "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL");
OCI_ENUM_DEFINE (oci_enum_memory_policy_flag, "memory policy flag",
                 "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");
OCI_ENUM_DEFINE (oci_enum_personality_domain, "personality domain", "LINUX", "LINUX32");

/* ---- strings -------------------------------------------------------------------- */

static bool
only_chars (const char *value, const char *allowed)
{
  return value[strspn (value, allowed)] == '\0';
}

int
oci_check_absolute (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (value[0] != '/')
    return oci_path_fail (path, NULL, err, "must be an absolute path, got `%s`", value);
  return 0;
}

/* One SemVer number: digits, no leading zero.  */
static const char *
semver_number (const char *p, unsigned long *out)
{
  size_t n = strspn (p, "0123456789");

  if (n == 0 || n > 9 || (n > 1 && p[0] == '0'))
    return NULL;
  *out = strtoul (p, NULL, 10);
  return p + n;
}

/* MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] (semver.org), of a spec silo implements: major
 * 1, minor up to OCI_SPEC_VERSION's.  */
int
oci_check_oci_version (const char *value, struct oci_path *path, struct silo_error **err)
{
  unsigned long major, minor, patch, max_minor = strtoul (OCI_SPEC_VERSION + 2, NULL, 10);
  const char *p = semver_number (value, &major);

  p = p != NULL && *p == '.' ? semver_number (p + 1, &minor) : NULL;
  p = p != NULL && *p == '.' ? semver_number (p + 1, &patch) : NULL;
  if (p == NULL || (*p != '\0' && *p != '-' && *p != '+')
      || (*p != '\0' && (p[1] == '\0' || !only_chars (p + 1, "0123456789"
                                                        "abcdefghijklmnopqrstuvwxyz"
                                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-.+"))))
    return oci_path_fail (path, NULL, err, "`%s` is not a version (MAJOR.MINOR.PATCH, semver.org)",
                          value);
  if (major != 1 || minor > max_minor)
    return oci_path_fail (path, NULL, err, "`%s`: silo implements runtime-spec 1.0.0 to %s",
                          value, OCI_SPEC_VERSION);
  return 0;
}

int
oci_check_env (const char *value, struct oci_path *path, struct silo_error **err)
{
  const char *equal = strchr (value, '=');
  if (equal == NULL || equal == value)
    return oci_path_fail (path, NULL, err, "must be NAME=VALUE, got `%s`", value);
  return 0;
}

/* Numbers from the kernel's header, names as runtime-spec writes them (libcap's names in
 * upper case).  silo does not link libcap: a table and a capset(2) replace it.  */
#define CAPABILITY(name) [CAP_##name] = "CAP_" #name
static const char *const capability_names[] = {
  CAPABILITY (CHOWN), CAPABILITY (DAC_OVERRIDE), CAPABILITY (DAC_READ_SEARCH),
  CAPABILITY (FOWNER), CAPABILITY (FSETID), CAPABILITY (KILL), CAPABILITY (SETGID),
  CAPABILITY (SETUID), CAPABILITY (SETPCAP), CAPABILITY (LINUX_IMMUTABLE),
  CAPABILITY (NET_BIND_SERVICE), CAPABILITY (NET_BROADCAST), CAPABILITY (NET_ADMIN),
  CAPABILITY (NET_RAW), CAPABILITY (IPC_LOCK), CAPABILITY (IPC_OWNER), CAPABILITY (SYS_MODULE),
  CAPABILITY (SYS_RAWIO), CAPABILITY (SYS_CHROOT), CAPABILITY (SYS_PTRACE),
  CAPABILITY (SYS_PACCT), CAPABILITY (SYS_ADMIN), CAPABILITY (SYS_BOOT), CAPABILITY (SYS_NICE),
  CAPABILITY (SYS_RESOURCE), CAPABILITY (SYS_TIME), CAPABILITY (SYS_TTY_CONFIG),
  CAPABILITY (MKNOD), CAPABILITY (LEASE), CAPABILITY (AUDIT_WRITE), CAPABILITY (AUDIT_CONTROL),
  CAPABILITY (SETFCAP), CAPABILITY (MAC_OVERRIDE), CAPABILITY (MAC_ADMIN), CAPABILITY (SYSLOG),
  CAPABILITY (WAKE_ALARM), CAPABILITY (BLOCK_SUSPEND), CAPABILITY (AUDIT_READ),
  CAPABILITY (PERFMON), CAPABILITY (BPF), CAPABILITY (CHECKPOINT_RESTORE),
};
#undef CAPABILITY
_Static_assert (sizeof capability_names / sizeof capability_names[0] == CAP_LAST_CAP + 1,
                "a capability of <linux/capability.h> is missing from the table");

int
oci_capability_from_name (const char *name)
{
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (strcmp (capability_names[cap], name) == 0)
      return cap;
  return -1;
}

const char *
oci_capability_name (int cap)
{
  return cap >= 0 && cap <= CAP_LAST_CAP ? capability_names[cap] : NULL;
}

int
oci_check_capability (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (oci_capability_from_name (value) < 0)
    return oci_path_fail (path, NULL, err, "unknown capability %s", value);
  return 0;
}

int
oci_check_cpu_list (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (!only_chars (value, "0123456789, -"))
    return oci_path_fail (path, NULL, err, "must be a CPU list such as `0-3,7`, got `%s`", value);
  return 0;
}

int
oci_check_page_size (const char *value, struct oci_path *path, struct silo_error **err)
{
  size_t digits = strspn (value, "0123456789");
  if (digits == 0 || value[0] == '0' || strchr ("KMG", value[digits]) == NULL
      || value[digits] == '\0' || strcmp (value + digits + 1, "B") != 0)
    return oci_path_fail (path, NULL, err, "must be a page size such as `2MB`, got `%s`", value);
  return 0;
}

int
oci_check_cgroup_access (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (!only_chars (value, "rwm"))
    return oci_path_fail (path, NULL, err, "must be made of r, w and m, got `%s`", value);
  return 0;
}

/* closID names a directory under the resctrl mount: it must not climb out of it.  */
int
oci_check_clos_id (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (strcmp (value, "/") == 0)
    return 0;
  if (value[0] == '\0' || strcmp (value, ".") == 0 || strcmp (value, "..") == 0
      || strpbrk (value, "/\n") != NULL)
    return oci_path_fail (path, NULL, err, "must be `/` or a plain directory name, got `%s`",
                          value);
  return 0;
}

int
oci_check_mem_bw_schema (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (strncmp (value, "MB:", 3) != 0 || strchr (value, '\n') != NULL)
    return oci_path_fail (path, NULL, err, "must start with `MB:` and be a single line");
  return 0;
}

/* Values written as lines of resctrl's schemata file: a newline would inject another.  */
/* sethostname(2) and setdomainname(2) take at most 64 bytes (__NEW_UTS_LEN).  */
int
oci_check_uts_name (const char *value, struct oci_path *path, struct silo_error **err)
{
  size_t len = strlen (value);

  if (len > 64)
    return oci_path_fail (path, NULL, err, "%zu bytes long: the kernel takes at most 64", len);
  return 0;
}

int
oci_check_one_line (const char *value, struct oci_path *path, struct silo_error **err)
{
  if (strchr (value, '\n') != NULL)
    return oci_path_fail (path, NULL, err, "must not contain a newline");
  return 0;
}

int
oci_check_personality_flag (const char *value, struct oci_path *path, struct silo_error **err)
{
  return oci_path_fail (path, NULL, err,
                        "unknown personality flag `%s` (runtime-spec %s defines none)", value,
                        OCI_SPEC_VERSION);
}

/* ---- objects -------------------------------------------------------------------- */

static void
push_element (struct oci_path *path, const char *list, size_t index)
{
  oci_path_push (path, list, strlen (list));
  oci_path_push_index (path, index);
}

int
oci_check_process (void *object, const struct json_value *node, struct oci_path *path,
                   struct silo_error **err)
{
  oci_process *p = object;
  uint32_t seen = 0;

  if (p->n_args == 0)
    return oci_path_fail (path, "args", err, "must name at least the program to run");
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      int type = oci_enum_lookup (&oci_enum_rlimit, p->rlimits[i].type);
      if (seen & (UINT32_C (1) << type))
        {
          push_element (path, "rlimits", i);
          return oci_path_fail (path, "type", err, "%s listed twice", p->rlimits[i].type);
        }
      seen |= UINT32_C (1) << type;
      if (p->rlimits[i].soft > p->rlimits[i].hard)
        {
          push_element (path, "rlimits", i);
          return oci_path_fail (path, NULL, err, "soft limit %" PRIu64 " is above hard limit %"
                                PRIu64, p->rlimits[i].soft, p->rlimits[i].hard);
        }
    }
  return 0;
}

/* Relative destinations are deprecated but allowed, relative to "/": make them absolute
 * here so no later step has to remember.  */
int
oci_check_mount (void *object, const struct json_value *node, struct oci_path *path,
                 struct silo_error **err)
{
  oci_mount *m = object;
  _cleanup_free_ char *where = NULL;
  char *absolute;

  if (m->destination[0] == '/')
    return 0;
  if (m->destination[0] == '\0')
    return oci_path_fail (path, "destination", err, "must not be empty");
  where = oci_path_text (path, "destination");
  silo_log_warning ("%s: relative mount destination `%s` is deprecated, using `/%s`", where,
                    m->destination, m->destination);
  absolute = xasprintf ("/%s", m->destination);
  free (m->destination);
  m->destination = absolute;
  return 0;
}

int
oci_check_linux (void *object, const struct json_value *node, struct oci_path *path,
                 struct silo_error **err)
{
  oci_linux *l = object;
  unsigned seen = 0;

  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      unsigned bit = 1u << l->namespaces[i].type;
      if (seen & bit)
        {
          push_element (path, "namespaces", i);
          return oci_path_fail (path, "type", err, "namespace type `%s` listed twice",
                                oci_namespace_type_name (l->namespaces[i].type));
        }
      seen |= bit;
    }
  return 0;
}

int
oci_check_time_offsets (void *object, const struct json_value *node, struct oci_path *path,
                        struct silo_error **err)
{
  for (size_t i = 0; i < node->len; i++)
    {
      const struct json_member *m = &node->members[i];
      if (strcmp (m->key, "monotonic") != 0 && strcmp (m->key, "boottime") != 0)
        {
          oci_path_push (path, m->key, m->key_len);
          return oci_path_fail (path, NULL, err,
                                "unknown clock (a time namespace offsets monotonic and boottime)");
        }
    }
  return 0;
}

int
oci_check_device (void *object, const struct json_value *node, struct oci_path *path,
                  struct silo_error **err)
{
  oci_device *d = object;
  static const char *const numbers[] = { "major", "minor" };

  if (strcmp (d->type, "p") == 0)
    return 0;
  for (size_t i = 0; i < 2; i++)
    {
      const struct json_value *v = json_object_get (node, numbers[i]);
      if (v == NULL || v->type == JSON_NULL)
        return oci_path_fail (path, numbers[i], err, "required for device type `%s`", d->type);
    }
  return 0;
}

int
oci_memory_swap_check (const char *field, int64_t swap, int64_t limit, const char *limit_what,
                       struct silo_error **err)
{
  if (swap <= 0 || limit <= 0 || swap >= limit)
    return 0;
  return silo_fail (err, 0, "%s: %" PRId64 " is below %s %" PRId64 ": swap counts memory+swap; "
                    "give at least the memory limit, or -1 for no swap limit", field, swap, limit_what,
                    limit);
}

int
oci_check_memory (void *object, const struct json_value *node, struct oci_path *path,
                  struct silo_error **err)
{
  oci_memory *m = object;
  _cleanup_free_ char *field = NULL;

  if (!m->has_swap || !m->has_limit)
    return 0;
  field = oci_path_text (path, "swap");
  return oci_memory_swap_check (field, m->swap, m->limit, "the memory limit", err);
}

int
oci_check_cpu (void *object, const struct json_value *node, struct oci_path *path,
               struct silo_error **err)
{
  oci_cpu *c = object;

  if (c->has_burst && c->has_quota && c->quota > 0 && c->burst > (uint64_t) c->quota)
    return oci_path_fail (path, "burst", err, "%" PRIu64 " is larger than quota %" PRId64,
                          c->burst, c->quota);
  return 0;
}

int
oci_check_weight_device (void *object, const struct json_value *node, struct oci_path *path,
                         struct silo_error **err)
{
  oci_weight_device *w = object;
  if (!w->has_weight && !w->has_leaf_weight)
    return oci_path_fail (path, NULL, err, "needs weight or leafWeight");
  return 0;
}

int
oci_check_rdma (void *object, const struct json_value *node, struct oci_path *path,
                struct silo_error **err)
{
  oci_rdma *r = object;
  if (!r->has_hca_handles && !r->has_hca_objects)
    return oci_path_fail (path, NULL, err, "needs hcaHandles or hcaObjects");
  return 0;
}

static bool
action_takes_errno (const char *action)
{
  return strcmp (action, "SCMP_ACT_ERRNO") == 0 || strcmp (action, "SCMP_ACT_TRACE") == 0;
}

int
oci_check_syscall (void *object, const struct json_value *node, struct oci_path *path,
                   struct silo_error **err)
{
  oci_seccomp_syscall *s = object;

  if (s->n_names == 0)
    return oci_path_fail (path, "names", err, "must list at least one system call");
  if (s->has_errno_ret && !action_takes_errno (s->action))
    return oci_path_fail (path, "errnoRet", err, "only valid with SCMP_ACT_ERRNO or "
                          "SCMP_ACT_TRACE, not %s", s->action);
  return 0;
}

int
oci_check_seccomp (void *object, const struct json_value *node, struct oci_path *path,
                   struct silo_error **err)
{
  oci_seccomp *s = object;
  bool notify = strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0;

  if (s->listener_metadata != NULL && s->listener_path == NULL)
    return oci_path_fail (path, "listenerMetadata", err, "set without listenerPath");
  if (s->has_default_errno_ret && !action_takes_errno (s->default_action))
    return oci_path_fail (path, "defaultErrnoRet", err, "only valid with SCMP_ACT_ERRNO or "
                          "SCMP_ACT_TRACE, not %s", s->default_action);
  for (size_t i = 0; i < s->n_syscalls && !notify; i++)
    notify = strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0;
  /* The notify fd goes to the listener: without one the trapped calls wait forever.  */
  if (notify && s->listener_path == NULL)
    return oci_path_fail (path, "listenerPath", err, "required when SCMP_ACT_NOTIFY is used");
  return 0;
}
