/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "seccomp-internal.h"
#include "util.h"

#define SECCOMP_MAX_ARGUMENT 6

/* How much an action lets through, to tell whether leaving a rule out (its syscall then
 * meets the default action) can only make the filter stricter.  */
enum action_strictness { LETS_THROUGH, LOGS, DENIES, KILLS };

struct action_name
{
  const char *name;
  uint32_t action;
  bool takes_errno;
  enum action_strictness strictness;
};

static const struct action_name action_names[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false, KILLS },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false, KILLS },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false, KILLS },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false, DENIES },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true, DENIES },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true, DENIES },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false, LOGS },
  /* the agent decides; leaving such a rule out must not let a call through either */
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false, DENIES },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false, LETS_THROUGH },
};

static const struct { const char *name; enum scmp_compare op; } operator_names[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The flags of seccomp(2) that the spec lists; silo loads the filter itself and passes
 * them on.  */
static const struct { const char *name; unsigned int flag; } flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SILO_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
};

/* Architectures of runtime-spec 1.3.0 that libseccomp 2.5 does not know yet: a profile
 * may list them for other machines; they are skipped with a warning.  */
static const char *const architectures_unknown_here[] = {
  "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

/* System calls silo itself makes between loading a filter and handing its listener to
 * the agent: a notify rule on them would wait for an agent that cannot answer yet.  */
/* What silo calls between loading the filter and handing the listener to the agent: a
 * notification there would wait for an agent that cannot have the listener yet.  */
static const char *const notify_deadlocks[] = { "write", "sendmsg", "sendto" };

struct resolved_action
{
  uint32_t action;
  enum action_strictness strictness;
};

static void
seccomp_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx != NULL)
    seccomp_release (*ctx);
}

/* `field` is the JSON path of the action, `errno_field` that of its errnoRet.  */
static int
resolve_action (const char *field, const char *errno_field, const char *name, bool has_errno,
                uint32_t errno_ret, struct resolved_action *out, struct silo_error **err)
{
  for (size_t i = 0; name != NULL && i < SILO_ARRAY_SIZE (action_names); i++)
    {
      const struct action_name *a = &action_names[i];

      if (strcmp (name, a->name) != 0)
        continue;
      if (has_errno && !a->takes_errno)
        return silo_fail (err, 0, "%s: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, "
                          "not %s", errno_field, name);
      out->action = a->takes_errno ? a->action | ((has_errno ? errno_ret : EPERM) & 0xffff)
                                   : a->action;
      out->strictness = a->strictness;
      return 0;
    }
  return silo_fail (err, 0, "%s: unknown action `%s`", field, name != NULL ? name : "");
}

static int
resolve_default_action (const oci_seccomp *s, struct resolved_action *out, struct silo_error **err)
{
  return resolve_action ("linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet",
                         s->default_action, s->has_default_errno_ret, s->default_errno_ret, out,
                         err);
}

static int
resolve_syscall_action (const oci_seccomp_syscall *sc, size_t i, struct resolved_action *out,
                        struct silo_error **err)
{
  char field[64], errno_field[64];

  snprintf (field, sizeof field, "linux.seccomp.syscalls[%zu].action", i);
  snprintf (errno_field, sizeof errno_field, "linux.seccomp.syscalls[%zu].errnoRet", i);
  return resolve_action (field, errno_field, sc->action, sc->has_errno_ret, sc->errno_ret, out,
                         err);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64".  */
static uint32_t
resolve_architecture (const char *name)
{
  char lower[32];
  size_t i;

  if (name == NULL || strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof lower)
    return 0;
  for (i = 0; name[10 + i] != '\0'; i++)
    lower[i] = (char) tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

static bool
architecture_unknown_here (const char *name)
{
  for (size_t i = 0; name != NULL && i < SILO_ARRAY_SIZE (architectures_unknown_here); i++)
    if (strcmp (name, architectures_unknown_here[i]) == 0)
      return true;
  return false;
}

static int
resolve_flag (const char *name, size_t i, unsigned int *flag, struct silo_error **err)
{
  for (size_t j = 0; name != NULL && j < SILO_ARRAY_SIZE (flag_names); j++)
    if (strcmp (name, flag_names[j].name) == 0)
      {
        *flag = flag_names[j].flag;
        return 0;
      }
  return silo_fail (err, 0, "linux.seccomp.flags[%zu]: unknown flag `%s`", i,
                    name != NULL ? name : "");
}

static int
resolve_argument (const oci_seccomp_arg *a, size_t i, size_t j, struct scmp_arg_cmp *out,
                  struct silo_error **err)
{
  if (a->index >= SECCOMP_MAX_ARGUMENT)
    return silo_fail (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].index: %u is above the "
                      "last argument (%d)", i, j, a->index, SECCOMP_MAX_ARGUMENT - 1);
  for (size_t k = 0; a->op != NULL && k < SILO_ARRAY_SIZE (operator_names); k++)
    if (strcmp (a->op, operator_names[k].name) == 0)
      {
        /* MASKED_EQ compares (arg & value) with valueTwo; the others use value alone.  */
        *out = (struct scmp_arg_cmp) { .arg = a->index, .op = operator_names[k].op,
                                       .datum_a = a->value, .datum_b = a->value_two };
        return 0;
      }
  return silo_fail (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator `%s`",
                    i, j, a->op != NULL ? a->op : "");
}

/* Is name one of the names in list ("a, b")?  An empty name is in none: strstr finds ""
 * at every position, and the scan below would never advance.  */
static bool
list_contains (const char *list, const char *name)
{
  size_t len = strlen (name);

  if (len == 0)
    return false;
  for (const char *p = list; p != NULL && (p = strstr (p, name)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
      return true;
  return false;
}

/* Names libseccomp does not know go to `unknown` ("a, b") when leaving them out is safe.  */
static int
validate_syscall (const oci_seccomp_syscall *sc, size_t i, const struct resolved_action *fallback,
                  char **unknown, struct silo_error **err)
{
  const struct scmp_version *v = seccomp_version ();
  struct resolved_action action;
  struct scmp_arg_cmp cmp;

  if (resolve_syscall_action (sc, i, &action, err) < 0)
    return -1;
  for (size_t j = 0; j < sc->n_args; j++)
    if (resolve_argument (&sc->args[j], i, j, &cmp, err) < 0)
      return -1;
  for (size_t j = 0; j < sc->n_names; j++)
    {
      const char *name = sc->names[j];

      if (seccomp_syscall_resolve_name (name) != __NR_SCMP_ERROR)
        continue;
      if (fallback->strictness < action.strictness)
        return silo_fail (err, 0, "linux.seccomp.syscalls[%zu].names[%zu]: `%s` is not a system "
                          "call libseccomp %u.%u.%u knows, and without its rule the less strict "
                          "defaultAction would apply", i, j, name, v->major, v->minor, v->micro);
      if (list_contains (*unknown, name))
        continue;
      char *longer = *unknown == NULL ? xstrdup (name) : xasprintf ("%s, %s", *unknown, name);
      free (*unknown);
      *unknown = longer;
    }
  return 0;
}

static bool
is_notify (const char *action)
{
  return action != NULL && strcmp (action, "SCMP_ACT_NOTIFY") == 0;
}

const char *
silo_seccomp_flag_name (size_t i, unsigned int *flag)
{
  if (i >= SILO_ARRAY_SIZE (flag_names))
    return NULL;
  *flag = flag_names[i].flag;
  return flag_names[i].name;
}

bool
silo_seccomp_uses_notify (const oci_seccomp *s)
{
  for (size_t i = 0; s != NULL && i < s->n_syscalls; i++)
    if (is_notify (s->syscalls[i].action))
      return true;
  return false;
}

/* SCMP_ACT_NOTIFY: never the default, never on what silo needs to hand the listener over,
 * always with somewhere to send it.  */
static int
validate_notify (const oci_seccomp *s, struct silo_error **err)
{
  bool notify = silo_seccomp_uses_notify (s);

  if (is_notify (s->default_action))
    return silo_fail (err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
                      "action: every system call silo makes after loading the filter would wait "
                      "for an agent that has not got the listener yet");
  for (size_t i = 0; i < s->n_syscalls; i++)
    for (size_t j = 0; is_notify (s->syscalls[i].action) && j < s->syscalls[i].n_names; j++)
      for (size_t k = 0; k < SILO_ARRAY_SIZE (notify_deadlocks); k++)
        if (strcmp (s->syscalls[i].names[j], notify_deadlocks[k]) == 0)
          return silo_fail (err, 0, "linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY "
                            "cannot be used for the %s syscall: it would deadlock, as silo "
                            "needs it to send the listener to the agent", i, j, notify_deadlocks[k]);
  if (notify && s->listener_path == NULL)
    return silo_fail (err, 0, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY rules");
  if (notify && s->listener_path[0] != '/')
    return silo_fail (err, 0, "linux.seccomp.listenerPath: `%s` must be an absolute path",
                      s->listener_path);
  return 0;
}

static int
validate_flags (const oci_seccomp *s, struct silo_error **err)
{
  unsigned int flag;

  for (size_t i = 0; i < s->n_flags; i++)
    {
      if (resolve_flag (s->flags[i], i, &flag, err) < 0)
        return -1;
      if (flag == SILO_SECCOMP_FLAG_WAIT_KILLABLE_RECV && !silo_seccomp_uses_notify (s))
        return silo_fail (err, 0, "linux.seccomp.flags[%zu]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
                          "needs SCMP_ACT_NOTIFY rules (it says how a notified call waits)", i);
    }
  return 0;
}

static int
validate_architectures (const oci_seccomp *s, struct silo_error **err)
{
  const struct scmp_version *v = seccomp_version ();

  for (size_t i = 0; i < s->n_architectures; i++)
    {
      if (resolve_architecture (s->architectures[i]) != 0)
        continue;
      if (!architecture_unknown_here (s->architectures[i]))
        return silo_fail (err, 0, "linux.seccomp.architectures[%zu]: `%s` is not an architecture "
                          "libseccomp %u.%u.%u knows", i, s->architectures[i], v->major, v->minor,
                          v->micro);
      silo_log_warning ("linux.seccomp.architectures[%zu]: libseccomp %u.%u.%u does not know %s; "
                        "skipped", i, v->major, v->minor, v->micro, s->architectures[i]);
    }
  return 0;
}

int
silo_seccomp_validate (const oci_seccomp *s, struct silo_error **err)
{
  const struct scmp_version *v = seccomp_version ();
  _cleanup_free_ char *unknown = NULL;
  struct resolved_action fallback;

  if (s == NULL)
    return 0;
  if (resolve_default_action (s, &fallback, err) < 0 || validate_notify (s, err) < 0)
    return -1;
  if (validate_architectures (s, err) < 0 || validate_flags (s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (validate_syscall (&s->syscalls[i], i, &fallback, &unknown, err) < 0)
      return -1;
  if (unknown != NULL)
    silo_log_warning ("linux.seccomp: libseccomp %u.%u.%u does not know %s; the default action "
                      "applies to them", v->major, v->minor, v->micro, unknown);
  return 0;
}

/* ---- building the filter --------------------------------------------------------- */

static bool
has_repeated_argument (const struct scmp_arg_cmp *cmp, size_t n)
{
  for (size_t j = 1; j < n; j++)
    for (size_t k = 0; k < j; k++)
      if (cmp[j].arg == cmp[k].arg)
        return true;
  return false;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *cmp,
          size_t n_cmp, bool one_rule_each)
{
  int r;

  if (!one_rule_each)
    return seccomp_rule_add_array (ctx, action, nr, (unsigned int) n_cmp, cmp);
  for (size_t j = 0; j < n_cmp; j++)
    if ((r = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[j])) < 0)
      return r;
  return 0;
}

static int
add_syscall_rules (scmp_filter_ctx ctx, const oci_seccomp_syscall *sc, size_t i,
                   uint32_t default_action, struct silo_error **err)
{
  _cleanup_free_ struct scmp_arg_cmp *cmp = xmalloc0 ((sc->n_args + 1) * sizeof (*cmp));
  struct resolved_action action;
  bool one_rule_each;

  if (resolve_syscall_action (sc, i, &action, err) < 0)
    return -1;
  if (action.action == default_action)
    return 0;
  for (size_t j = 0; j < sc->n_args; j++)
    if (resolve_argument (&sc->args[j], i, j, &cmp[j], err) < 0)
      return -1;
  /* libseccomp ANDs the conditions of one rule; several on the same argument can only be
   * meant as alternatives, so each gets its own rule.  */
  one_rule_each = has_repeated_argument (cmp, sc->n_args);
  for (size_t j = 0; j < sc->n_names; j++)
    {
      int nr = seccomp_syscall_resolve_name (sc->names[j]), r;

      if (nr == __NR_SCMP_ERROR)
        continue;   /* validation warned about it */
      r = add_rule (ctx, action.action, nr, cmp, sc->n_args, one_rule_each);
      if (r < 0)
        return silo_fail (err, -r, "linux.seccomp.syscalls[%zu]: add the rule for `%s`", i,
                          sc->names[j]);
    }
  return 0;
}

static int
configure_filter (scmp_filter_ctx ctx, const oci_seccomp *s, struct silo_error **err)
{
  int r;

  /* silo exports the program and loads it with seccomp(2) itself: no_new_privs and the
   * filter flags are applied there, not by libseccomp.  */
  if ((r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
    return silo_fail (err, -r, "linux.seccomp: set up the filter");
  for (size_t i = 0; i < s->n_architectures; i++)
    {
      uint32_t arch = resolve_architecture (s->architectures[i]);

      if (arch == 0)
        continue;   /* validation warned about it */
      r = seccomp_arch_add (ctx, arch);
      /* One filter holds one byte order: a big-endian arch on a little-endian host (or the
       * reverse) could never run here anyway.  */
      if (r == -EDOM)
        {
          silo_log_warning ("linux.seccomp.architectures[%zu]: %s has the other byte order "
                            "than this host; skipped", i, s->architectures[i]);
          continue;
        }
      if (r < 0 && r != -EEXIST)
        return silo_fail (err, -r, "linux.seccomp.architectures[%zu]: add %s", i,
                          s->architectures[i]);
    }
  return 0;
}

/* The program libseccomp generates, read back through a memfd (2.5 has no export to
 * memory).  */
static int
export_program (scmp_filter_ctx ctx, struct sock_filter **code, size_t *n, struct silo_error **err)
{
  _cleanup_close_ int fd = memfd_create ("silo-seccomp", MFD_CLOEXEC);
  _cleanup_free_ struct sock_filter *program = NULL;
  off_t size;
  int r;

  if (fd < 0)
    return silo_fail (err, errno, "linux.seccomp: memfd_create");
  if ((r = seccomp_export_bpf (ctx, fd)) < 0)
    return silo_fail (err, -r, "linux.seccomp: export the filter");
  size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % (off_t) sizeof (struct sock_filter) != 0
      || size / (off_t) sizeof (struct sock_filter) > BPF_MAXINSNS)
    return silo_fail (err, EINVAL, "linux.seccomp: the exported filter has %lld bytes",
                      (long long) size);
  program = xmalloc0 ((size_t) size);
  if (pread (fd, program, (size_t) size, 0) != (ssize_t) size)
    return silo_fail (err, errno ? errno : EIO, "linux.seccomp: read the exported filter");
  *n = (size_t) size / sizeof (struct sock_filter);
  *code = steal_pointer (&program);
  return 0;
}

int
silo_seccomp_build (const oci_seccomp *s, struct sock_filter **code, size_t *n,
                    struct silo_error **err)
{
  __attribute__ ((cleanup (seccomp_releasep))) scmp_filter_ctx ctx = NULL;
  struct resolved_action fallback;

  if (resolve_default_action (s, &fallback, err) < 0)
    return -1;
  ctx = seccomp_init (fallback.action);
  if (ctx == NULL)
    return silo_fail (err, ENOMEM, "linux.seccomp: create the filter");
  if (configure_filter (ctx, s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (add_syscall_rules (ctx, &s->syscalls[i], i, fallback.action, err) < 0)
      return -1;
  return export_program (ctx, code, n, err);
}

unsigned int
silo_seccomp_flags (const oci_seccomp *s)
{
  unsigned int flags = 0, flag;

  for (size_t i = 0; i < s->n_flags; i++)
    if (resolve_flag (s->flags[i], i, &flag, NULL) == 0)
      flags |= flag;
  if (silo_seccomp_uses_notify (s))
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER | ((flags & SECCOMP_FILTER_FLAG_TSYNC)
                                                 ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0);
  return flags;
}

bool
silo_seccomp_default_lets_through (const oci_seccomp *s)
{
  struct resolved_action fallback;

  if (resolve_default_action (s, &fallback, NULL) < 0)
    return true;
  return fallback.strictness <= LOGS || (fallback.action & 0xffff0000U) == SCMP_ACT_TRACE (0);
}

int
silo_seccomp_largest_syscall (const oci_seccomp *s)
{
  int largest = -1;

  for (size_t i = 0; i < s->n_syscalls; i++)
    for (size_t j = 0; j < s->syscalls[i].n_names; j++)
      {
        int nr = seccomp_syscall_resolve_name (s->syscalls[i].names[j]);
        if (nr > largest)
          largest = nr;
      }
  return largest;
}
