/* linux.seccomp: validation of actions, errnos, architectures, flags, arguments and
 * syscall names, then a filter loaded in a child and observed from there.  */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp.h"
#include "tap.h"

static char *
validate (const oci_seccomp *s)
{
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (silo_seccomp_validate (s, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

static void
refused (const oci_seccomp *s, const char *want, const char *what)
{
  char *msg = validate (s);
  is_str (msg, want, "%s", what);
  free (msg);
}

static void
accepted (const oci_seccomp *s, const char *what)
{
  char *msg = validate (s);
  ok (msg == NULL, "%s%s%s", what, msg ? ": " : "", msg ? msg : "");
  free (msg);
}

static void
test_validation (void)
{
  char *arches[] = { (char *) "SCMP_ARCH_X86_64", (char *) "SCMP_ARCH_X86", (char *) "SCMP_ARCH_AARCH64" };
  char *bad_arch[] = { (char *) "SCMP_ARCH_Z80" };
  char *flags[] = { (char *) "SECCOMP_FILTER_FLAG_LOG", (char *) "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
  char *bad_flag[] = { (char *) "SECCOMP_FILTER_FLAG_NEW_LISTENER" };
  char *names[] = { (char *) "read", (char *) "no_such_syscall_xyz" };
  oci_seccomp_arg args[] = { { .index = 6, .op = (char *) "SCMP_CMP_EQ" } };
  oci_seccomp_syscall rule = { .names = names, .n_names = 1, .action = (char *) "SCMP_ACT_ALLOW" };
  oci_seccomp s = { .default_action = (char *) "SCMP_ACT_ERRNO" };

  ok (silo_seccomp_validate (NULL, NULL) == 0, "no seccomp: nothing to check");
  accepted (&s, "a bare default action");
  s.architectures = arches;
  s.n_architectures = 3;
  s.flags = flags;
  s.n_flags = 2;
  s.syscalls = &rule;
  s.n_syscalls = 1;
  accepted (&s, "architectures, known flags and a rule");

  s.listener_path = (char *) "/run/x.sock";
  refused (&s, "linux.seccomp.listenerPath: seccomp notify is not supported by silo yet", "listenerPath");
  s.listener_path = NULL;
  s.default_action = (char *) "SCMP_ACT_NOTIFY";
  refused (&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY: seccomp notify is not supported "
           "by silo yet", "notify as the default action");
  s.default_action = (char *) "SCMP_ACT_ERRNO";
  rule.action = (char *) "SCMP_ACT_NOTIFY";
  refused (&s, "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY: seccomp notify is not supported "
           "by silo yet", "notify in a rule");
  rule.action = (char *) "SCMP_ACT_BOGUS";
  refused (&s, "linux.seccomp.syscalls[0].action: unknown action `SCMP_ACT_BOGUS`", "unknown action");
  rule.action = (char *) "SCMP_ACT_ALLOW";
  rule.has_errno_ret = true;
  refused (&s, "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take "
           "an errno, not SCMP_ACT_ALLOW", "errnoRet with allow");
  rule.has_errno_ret = false;
  s.architectures = bad_arch;
  s.n_architectures = 1;
  ok (validate (&s) != NULL, "an unknown architecture is refused");
  s.n_architectures = 0;
  s.flags = bad_flag;
  s.n_flags = 1;
  refused (&s, "linux.seccomp.flags[0]: unknown flag `SECCOMP_FILTER_FLAG_NEW_LISTENER`", "unknown flag");
  s.n_flags = 0;
  rule.args = args;
  rule.n_args = 1;
  refused (&s, "linux.seccomp.syscalls[0].args[0].index: 6 is above the last argument (5)",
           "argument index 6");
  args[0] = (oci_seccomp_arg) { .index = 0, .op = (char *) "SCMP_CMP_APPROX" };
  refused (&s, "linux.seccomp.syscalls[0].args[0].op: unknown operator `SCMP_CMP_APPROX`",
           "unknown operator");
  rule.n_args = 0;

  rule.n_names = 2;
  accepted (&s, "an unknown syscall allowed under an errno default is left to the default");
  s.default_action = (char *) "SCMP_ACT_ALLOW";
  rule.action = (char *) "SCMP_ACT_ERRNO";
  char *msg = validate (&s);
  ok (msg != NULL && strstr (msg, "linux.seccomp.syscalls[0].names[1]: `no_such_syscall_xyz` is "
                                  "not a system call libseccomp") != NULL,
      "an unknown syscall denied under an allow default is refused (%s)", msg ? msg : "accepted");
  free (msg);
}

/* In a child: uname fails with errno 42, kill(self, 0) and kill(self, SIGCONT) with 77 (two
 * conditions on one argument: either matches), getppid is untouched.  */
static int
filtered_child (void)
{
  char *uname_names[] = { (char *) "uname" }, *kill_names[] = { (char *) "kill" };
  char *getpid_names[] = { (char *) "getppid" };
  oci_seccomp_arg kill_args[] = { { .index = 1, .value = 0, .op = (char *) "SCMP_CMP_EQ" },
                                  { .index = 1, .value = SIGCONT, .op = (char *) "SCMP_CMP_EQ" } };
  oci_seccomp_syscall rules[] = {
    { .names = uname_names, .n_names = 1, .action = (char *) "SCMP_ACT_ERRNO",
      .has_errno_ret = true, .errno_ret = 42 },
    { .names = kill_names, .n_names = 1, .action = (char *) "SCMP_ACT_ERRNO",
      .has_errno_ret = true, .errno_ret = 77, .args = kill_args, .n_args = 2 },
    { .names = getpid_names, .n_names = 1, .action = (char *) "SCMP_ACT_ALLOW" },  /* = default */
  };
  oci_seccomp s = { .default_action = (char *) "SCMP_ACT_ALLOW", .syscalls = rules, .n_syscalls = 3 };
  struct utsname u;

  if (silo_seccomp_apply (&s, NULL) < 0)
    return 10;
  if (uname (&u) == 0 || errno != 42)
    return 11;
  if (kill (getpid (), 0) == 0 || errno != 77)
    return 12;
  if (kill (getpid (), SIGCONT) == 0 || errno != 77)
    return 13;
  if (kill (getpid (), SIGWINCH) != 0)
    return 14;
  return getppid () > 0 ? 0 : 15;
}

int
main (void)
{
  int status = -1;
  pid_t pid;

  test_validation ();
  ok (silo_seccomp_apply (NULL, NULL) == 0, "no seccomp: nothing to load");
  pid = fork ();
  if (pid == 0)
    _exit (filtered_child ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
      && WEXITSTATUS (status) == 0, "a loaded filter denies what it lists (child status %d)", status);
  return tap_done ();
}
