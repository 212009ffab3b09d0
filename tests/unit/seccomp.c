/* linux.seccomp: validation of actions, errnos, architectures, flags, arguments and
 * syscall names, then a filter loaded in a child and observed from there.  */
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp.h"
#include "tap.h"

#ifdef SILO_SANITIZERS
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

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
test_notify_validation (oci_seccomp *s, oci_seccomp_syscall *rule)
{
  char *write_names[] = { (char *) "write" };
  char *killable[] = { (char *) "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
  char *unknown_here[] = { (char *) "SCMP_ARCH_X86_64", (char *) "SCMP_ARCH_LOONGARCH64" };
  char **names = rule->names;
  char **flags = s->flags;
  size_t n_flags = s->n_flags;

  s->default_action = (char *) "SCMP_ACT_NOTIFY";
  refused (s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: every "
           "system call silo makes after loading the filter would wait for an agent that has not "
           "got the listener yet", "notify as the default action");
  s->default_action = (char *) "SCMP_ACT_ERRNO";
  rule->action = (char *) "SCMP_ACT_NOTIFY";
  refused (s, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY rules",
           "notify without a listenerPath");
  s->listener_path = (char *) "agent.sock";
  refused (s, "linux.seccomp.listenerPath: `agent.sock` must be an absolute path",
           "a relative listenerPath");
  s->listener_path = (char *) "/run/agent.sock";
  accepted (s, "notify with a listenerPath");
  rule->names = write_names;
  refused (s, "linux.seccomp.syscalls[0].names[0]: SCMP_ACT_NOTIFY cannot be used for the write "
           "syscall: it would deadlock, as silo needs it to send the listener to the agent",
           "notify on write");
  rule->names = names;
  s->flags = killable;
  s->n_flags = 1;
  accepted (s, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with notify rules");
  rule->action = (char *) "SCMP_ACT_ALLOW";
  s->listener_path = NULL;
  refused (s, "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs "
           "SCMP_ACT_NOTIFY rules (it says how a notified call waits)",
           "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without notify rules");
  s->flags = flags;
  s->n_flags = n_flags;
  s->architectures = unknown_here;
  s->n_architectures = 2;
  accepted (s, "an architecture of the spec libseccomp does not know is skipped with a warning");
  s->n_architectures = 0;
}

static void
test_validation (void)
{
  char *arches[] = { (char *) "SCMP_ARCH_X86_64", (char *) "SCMP_ARCH_X86", (char *) "SCMP_ARCH_AARCH64" };
  char *bad_arch[] = { (char *) "SCMP_ARCH_Z80" };
  char *flags[] = { (char *) "SECCOMP_FILTER_FLAG_LOG", (char *) "SECCOMP_FILTER_FLAG_SPEC_ALLOW" };
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

  test_notify_validation (&s, &rule);
  rule.action = (char *) "SCMP_ACT_BOGUS";
  refused (&s, "linux.seccomp.syscalls[0].action: unknown action `SCMP_ACT_BOGUS`", "unknown action");
  rule.action = (char *) "SCMP_ACT_ALLOW";
  rule.has_errno_ret = true;
  refused (&s, "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take "
           "an errno, not SCMP_ACT_ALLOW", "errnoRet with allow");
  rule.has_errno_ret = false;
  s.architectures = bad_arch;
  s.n_architectures = 1;
  char *arch_msg = validate (&s);
  ok (arch_msg != NULL, "an unknown architecture is refused");
  free (arch_msg);
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
  /* Found by tests/fuzz/seccomp.c: an empty name after an unknown one never returned.  A
   * hang is a failure: SIGALRM ends the test.  */
  char *empty_after_unknown[] = { (char *) "no_such_syscall_xyz", (char *) "" };
  rule.names = empty_after_unknown;
  alarm (10);
  accepted (&s, "an empty name after an unknown one is left to the default too");
  alarm (0);
  rule.names = names;
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

/* Default EPERM, a few calls allowed, getppid the highest the profile names: a call
 * numbered above it gets ENOSYS (libc falls back as on an older kernel), one below it
 * that the profile does not allow gets EPERM.  */
static int
enosys_child (void)
{
  char *names[] = { (char *) "exit_group", (char *) "exit", (char *) "getppid" };
  oci_seccomp_syscall rule = { .names = names, .n_names = 3, .action = (char *) "SCMP_ACT_ALLOW" };
  oci_seccomp s = { .default_action = (char *) "SCMP_ACT_ERRNO", .syscalls = &rule, .n_syscalls = 1 };
  long newer = SYS_getppid + 300, older = SYS_getppid - 1;

  if (silo_seccomp_apply (&s, NULL) < 0)
    return 10;
  if (syscall (newer, 0, 0, 0) != -1 || errno != ENOSYS)
    return 11;
  if (syscall (older, 0, 0, 0) != -1 || errno != EPERM)
    return 12;
  return syscall (SYS_getppid) > 0 ? 0 : 13;
}

/* room for the "/c" appended below */
static char cache_dir[64] = "/tmp/silo-seccomp-cache.XXXXXX";

/* The one file in the cache directory, or NULL.  */
static char *
cached_file (void)
{
  DIR *d = opendir (cache_dir);
  struct dirent *e;
  char *path = NULL;

  while (d != NULL && (e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      {
        free (path);
        if (asprintf (&path, "%s/%s", cache_dir, e->d_name) < 0)
          path = NULL;
      }
  if (d != NULL)
    closedir (d);
  return path;
}

static bool
same_program (const struct silo_seccomp_filter *a, const struct silo_seccomp_filter *b)
{
  return a->len == b->len && a->flags == b->flags
         && memcmp (a->code, b->code, a->len * sizeof (struct sock_filter)) == 0;
}

static void
test_cache (void)
{
  char *names[] = { (char *) "read", (char *) "write" };
  oci_seccomp_syscall rule = { .names = names, .n_names = 2, .action = (char *) "SCMP_ACT_ALLOW" };
  oci_seccomp s = { .default_action = (char *) "SCMP_ACT_ERRNO", .syscalls = &rule, .n_syscalls = 1 };
  struct silo_seccomp_filter first, again, plain;
  char dir[sizeof cache_dir], *file;
  struct stat st;

  if (mkdtemp (cache_dir) == NULL)
    return;
  memcpy (dir, cache_dir, sizeof dir);
  strcat (cache_dir, "/c");
  ok (silo_seccomp_compile (&s, cache_dir, &first, NULL) == 0 && (file = cached_file ()) != NULL,
      "a compiled program is kept in the cache directory");
  ok (stat (cache_dir, &st) == 0 && (st.st_mode & 07777) == 0700, "the cache directory is 0700");
  ok (silo_seccomp_compile (&s, cache_dir, &again, NULL) == 0 && same_program (&first, &again),
      "the same profile comes back from the cache unchanged");
  silo_seccomp_filter_release (&again);
  ok (silo_seccomp_compile (&s, NULL, &plain, NULL) == 0 && same_program (&first, &plain),
      "and equals a program compiled without the cache");
  chmod (file, 0666);
  ok (silo_seccomp_compile (&s, cache_dir, &again, NULL) == 0 && same_program (&first, &again)
      && stat (file, &st) == 0 && (st.st_mode & 07777) == 0600,
      "an entry others could have written is not used but compiled again and replaced");
  silo_seccomp_filter_release (&again);
  ok (truncate (file, 20) == 0 && silo_seccomp_compile (&s, cache_dir, &again, NULL) == 0
      && same_program (&first, &again) && stat (file, &st) == 0 && st.st_size > 20,
      "a damaged entry is compiled again and replaced");
  silo_seccomp_filter_release (&again);
  rule.action = (char *) "SCMP_ACT_LOG";
  ok (silo_seccomp_compile (&s, cache_dir, &again, NULL) == 0 && !same_program (&first, &again),
      "another profile has another entry");
  silo_seccomp_filter_release (&again);
  silo_seccomp_filter_release (&first);
  silo_seccomp_filter_release (&plain);
  char command[128];
  snprintf (command, sizeof command, "rm -rf '%s'", dir);
  if (system (command) != 0)
    fprintf (stderr, "cannot remove %s\n", dir);
  free (file);
}

/* FN loads a filter in a child: without no_new_privs that takes CAP_SYS_ADMIN.  */
static void
in_child (int (*fn) (void), const char *what)
{
  int status = -1;
  pid_t pid;

  if (!tap_has_capability (CAP_SYS_ADMIN) && prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
    {
      skip ("needs root: loading a filter without no_new_privs needs CAP_SYS_ADMIN (%s)", what);
      return;
    }
  pid = fork ();
  if (pid == 0)
    _exit (fn ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
      && WEXITSTATUS (status) == 0, "%s (child status %d)", what, status);
}

int
main (void)
{
  test_validation ();
  ok (silo_seccomp_apply (NULL, NULL) == 0, "no seccomp: nothing to load");
  in_child (filtered_child, "a loaded filter denies what it lists");
  /* ASan's runtime makes calls of its own, which a profile that allows three refuses */
  if (SANITIZED)
    skip ("calls newer than the profile get ENOSYS: not under the sanitizers");
  else
    in_child (enosys_child, "calls newer than the profile get ENOSYS, older ones the default action");
  test_cache ();
  return tap_done ();
}
