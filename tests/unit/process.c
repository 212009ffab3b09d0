/* process: validation rules, rlimits, and the program's lookup inside a root (no magic
 * link followed: CVE-2024-21626) and refusal of silo's own binary (CVE-2019-5736),
 * directly, through "#!" interpreters and as an ELF loader.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "program.h"
#include "seccomp.h"
#include "tap.h"

static char dir[] = "/tmp/silo-process-test.XXXXXX";

static char *
check (const oci_config *c)
{
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (silo_process_validate (c, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

static void
refused (const oci_config *c, const char *needle, const char *what)
{
  char *msg = check (c);
  ok (msg != NULL && strstr (msg, needle) != NULL, "%s (%s)", what, msg ? msg : "accepted");
  free (msg);
}

static void
test_validation (void)
{
  char *args[] = { (char *) "sh" }, *env[] = { (char *) "PATH=/bin", (char *) "NOEQUALS" };
  oci_rlimit rlimits[] = { { (char *) "RLIMIT_NOFILE", 10, 20 }, { (char *) "RLIMIT_NOFILE", 1, 2 } };
  oci_process p = { .args = args, .n_args = 1, .cwd = (char *) "/", .env = env, .n_env = 1 };
  oci_config c = { .process = &p };
  char *msg;

  msg = check (&c);
  ok (msg == NULL, "a minimal process is accepted");
  free (msg);
  refused (&(oci_config) { 0 }, "process: required", "no process");
  p.n_args = 0;
  refused (&c, "process.args: needs at least one entry", "empty args");
  p.n_args = 1;
  p.cwd = (char *) "relative";
  refused (&c, "process.cwd: must be an absolute path, got `relative`", "relative cwd");
  p.cwd = (char *) "/";
  p.n_env = 2;
  refused (&c, "process.env[1]: `NOEQUALS` is not of the form KEY=value", "env entry without =");
  p.n_env = 1;
  p.rlimits = rlimits;
  p.n_rlimits = 2;
  refused (&c, "process.rlimits[1].type: RLIMIT_NOFILE is already set by process.rlimits[0]",
           "repeated rlimit");
  rlimits[1] = (oci_rlimit) { (char *) "RLIMIT_CORE", 5, 1 };
  refused (&c, "process.rlimits[1]: the soft limit of RLIMIT_CORE (5) is above its hard limit (1)",
           "soft above hard");
  rlimits[1] = (oci_rlimit) { (char *) "RLIMIT_BOGUS", 1, 1 };
  refused (&c, "unknown rlimit `RLIMIT_BOGUS`", "unknown rlimit");
  p.n_rlimits = 0;
  p.has_oom_score_adj = true;
  p.oom_score_adj = 1001;
  refused (&c, "process.oomScoreAdj: 1001 is outside [-1000, 1000]", "oomScoreAdj range");
  p.has_oom_score_adj = false;
  p.user.has_umask = true;
  p.user.umask = 01000;
  refused (&c, "process.user.umask", "umask above 0777");
  p.user.has_umask = false;
  p.user.uid = 4294967295u;
  refused (&c, "process.user.uid: 4294967295 is out of range: uids and gids must be in range "
           "0-2147483647", "uid -1 (setresuid would keep root)");
  p.user.uid = 2147483648u;
  refused (&c, "process.user.uid: 2147483648 is out of range", "uid 2^31");
  p.user.uid = 0;
  p.user.gid = 4294967295u;
  refused (&c, "process.user.gid: 4294967295 is out of range", "gid -1");
  p.user.gid = 0;
  uint32_t groups[] = { 5, 4294967295u };
  p.user.additional_gids = groups;
  p.user.n_additional_gids = 2;
  refused (&c, "process.user.additionalGids[1]: 4294967295 is out of range", "additional gid -1");
  p.user.n_additional_gids = 0;
  p.user.uid = 2147483647u;
  msg = check (&c);
  ok (msg == NULL, "uid 2147483647 is accepted%s%s", msg ? ": " : "", msg ? msg : "");
  free (msg);
}

static int
rlimits_in_child (void)
{
  struct rlimit now;
  oci_rlimit lower[] = { { (char *) "RLIMIT_NOFILE", 100, 200 }, { (char *) "RLIMIT_CORE", 0, 0 } };
  oci_rlimit higher[] = { { (char *) "RLIMIT_NOFILE", 100, 300 } };
  oci_process p = { .rlimits = lower, .n_rlimits = 2 };
  struct silo_error *err = NULL;

  if (silo_rlimits_apply (&p, NULL) < 0 || getrlimit (RLIMIT_NOFILE, &now) < 0
      || now.rlim_cur != 100 || now.rlim_max != 200)
    return 10;
  if (prctl (PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1)
    return 0;   /* with CAP_SYS_RESOURCE raising works: nothing more to see */
  p = (oci_process) { .rlimits = higher, .n_rlimits = 1 };
  if (silo_rlimits_apply (&p, &err) == 0 || err == NULL)
    return 11;
  if (strcmp (err->msg, "process.rlimits: RLIMIT_NOFILE: cannot set soft 100, hard 300: the "
              "current hard limit is 200 and raising it needs CAP_SYS_RESOURCE (and at most "
              "/proc/sys/fs/nr_open): Operation not permitted") != 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return 12;
    }
  silo_error_free (err);
  return 0;
}

static void
write_file (const char *name, const char *text, mode_t mode)
{
  char path[256];
  int fd;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd >= 0)
    {
      if (write (fd, text, strlen (text)) < 0)
        perror ("write");
      close (fd);
    }
}

/* Resolve args[0] with `path_env`, cwd `dir`, the host's / as the root and `silo` standing
 * for silo's binary; returns the error text or NULL.  */
static char *
prepare (const char *program, const char *path_env, const char *silo, bool *script)
{
  char *args[] = { (char *) program }, *env[] = { (char *) path_env };
  oci_process p = { .args = args, .n_args = 1, .env = env, .n_env = path_env != NULL, .cwd = dir };
  struct silo_program target;
  struct silo_error *err = NULL;
  struct stat silo_exe;
  char *msg = NULL;
  int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (stat (silo, &silo_exe) < 0 || rootfd < 0)
    return strdup ("stat or open failed");
  if (silo_program_resolve (rootfd, &p, &silo_exe, &target, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  else
    {
      if (script != NULL)
        *script = target.script;
      silo_program_release (&target);
    }
  close (rootfd);
  silo_error_free (err);
  return msg;
}

/* A copy of a dynamically linked host program whose PT_INTERP names `loader` (at most as
 * long as the original).  */
static bool
write_with_loader (const char *name, const char *loader)
{
  static const char original[] = "/lib64/ld-linux-x86-64.so.2";
  char path[256], *data = NULL, *at;
  size_t size = 0;
  FILE *in = fopen ("/bin/true", "re"), *out;
  bool done = false;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  if (in == NULL)
    return false;
  data = malloc (1 << 20);
  if (data != NULL)
    size = fread (data, 1, 1 << 20, in);
  fclose (in);
  at = data != NULL ? memmem (data, size, original, sizeof original) : NULL;
  if (at != NULL && strlen (loader) < sizeof original && (out = fopen (path, "we")) != NULL)
    {
      memset (at, 0, sizeof original);
      memcpy (at, loader, strlen (loader));
      done = fwrite (data, 1, size, out) == size;
      fclose (out);
      chmod (path, 0755);
    }
  free (data);
  return done;
}

static void
test_magic_links (void)
{
  char path_env[512], link[512], target[64];
  char *msg;

  msg = prepare ("/proc/self/exe", NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "magic link") != NULL, "args[0] /proc/self/exe is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  snprintf (target, sizeof target, "/proc/%d/exe", (int) getpid ());
  msg = prepare (target, NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "magic link") != NULL, "args[0] /proc/PID/exe is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  /* an image symlink through an fd of ours: /proc/self/fd/N/../../.. */
  int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  snprintf (link, sizeof link, "%s/escape", dir);
  snprintf (target, sizeof target, "/proc/self/fd/%d/../../../..", fd);
  ok (symlink (target, link) == 0, "made %s -> %s", link, target);
  snprintf (path_env, sizeof path_env, "PATH=%s/escape/bin", dir);
  msg = prepare ("true", path_env, "/bin/sh", NULL);
  ok (msg != NULL && strstr (msg, "magic link") != NULL,
      "a PATH entry through /proc/self/fd/N is refused (%s)", msg ? msg : "accepted");
  free (msg);
  snprintf (link, sizeof link, "%s/escape/bin/true", dir);
  msg = prepare (link, NULL, "/bin/sh", NULL);
  ok (msg != NULL && strstr (msg, "magic link") != NULL,
      "a program path through /proc/self/fd/N is refused (%s)", msg ? msg : "accepted");
  free (msg);
  close (fd);
}

static void
test_elf_loader (void)
{
  char program[512];
  char *msg;

  if (!write_with_loader ("self-loader", "/proc/self/exe") || !write_with_loader ("lost-loader", "/nonexistent/ld.so"))
    {
      skip ("/bin/true is not an x86-64 program with /lib64/ld-linux-x86-64.so.2 as its loader");
      skip ("(same)");
      skip ("(same)");
      return;
    }
  snprintf (program, sizeof program, "%s/self-loader", dir);
  msg = prepare (program, NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "the ELF interpreter `/proc/self/exe`") != NULL
      && strstr (msg, "magic link") != NULL, "an ELF whose PT_INTERP is /proc/self/exe is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  snprintf (program, sizeof program, "%s/lost-loader", dir);
  msg = prepare (program, NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "the ELF interpreter `/nonexistent/ld.so`") != NULL
      && strstr (msg, "No such file") != NULL, "a missing ELF loader is named at create (%s)",
      msg ? msg : "accepted");
  free (msg);
  msg = prepare ("/bin/true", NULL, "/lib64/ld-linux-x86-64.so.2", NULL);
  ok (msg != NULL && strstr (msg, "is silo's own binary") != NULL,
      "a program whose loader is silo's binary is refused (%s)", msg ? msg : "accepted");
  free (msg);
}

static void
test_exec_checks (void)
{
  char path_env[512], program[512];
  bool script = true;
  char *msg;

  snprintf (path_env, sizeof path_env, "PATH=/nonexistent:%s", dir);
  write_file ("plain", "\177ELF not really", 0755);
  write_file ("viatrue", "#!/bin/true\n", 0755);
  write_file ("nested", "#! ./viatrue -x\n", 0755);
  write_file ("self", "#!/proc/self/exe\n", 0755);
  write_file ("noexec", "#!/bin/sh\n", 0644);
  write_file ("missing-interpreter", "#!/nonexistent/sh\n", 0755);

  msg = prepare ("plain", path_env, "/bin/sh", &script);
  ok (msg == NULL && !script, "found through PATH, not a script%s%s", msg ? ": " : "", msg ? msg : "");
  free (msg);
  msg = prepare ("viatrue", path_env, "/bin/sh", &script);
  ok (msg == NULL && script, "a script whose interpreter is not silo is accepted");
  free (msg);

  msg = prepare ("/bin/true", NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "silo's own binary") != NULL, "silo's own binary is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  msg = prepare ("viatrue", path_env, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "`/bin/true` is silo's own binary") != NULL,
      "a #! line naming silo's binary is refused (%s)", msg ? msg : "accepted");
  free (msg);
  msg = prepare ("./nested", NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "silo's own binary") != NULL,
      "silo's binary two #! levels down, relative to the cwd, is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  msg = prepare ("self", path_env, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "the #! interpreter `/proc/self/exe`") != NULL
      && strstr (msg, "magic link") != NULL, "#!/proc/self/exe is refused (%s)",
      msg ? msg : "accepted");
  free (msg);

  msg = prepare ("nonexistent-program", path_env, "/bin/true", NULL);
  snprintf (program, sizeof program, "exec `nonexistent-program`: not found in PATH `/nonexistent:%s`: "
            "No such file or directory", dir);
  is_str (msg, program, "a program missing from PATH");
  free (msg);
  msg = prepare ("noexec", path_env, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "found in PATH") != NULL && strstr (msg, "Permission denied"),
      "a file without the execute bit (%s)", msg ? msg : "accepted");
  free (msg);
  msg = prepare ("/nonexistent/x", NULL, "/bin/true", NULL);
  is_str (msg, "exec `/nonexistent/x`: No such file or directory", "a missing absolute path");
  free (msg);
  msg = prepare (dir, NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "must be a regular file") != NULL, "a directory is refused (%s)",
      msg ? msg : "accepted");
  free (msg);
  snprintf (program, sizeof program, "%s/missing-interpreter", dir);
  msg = prepare (program, NULL, "/bin/true", NULL);
  ok (msg != NULL && strstr (msg, "interpreter `/nonexistent/sh`") != NULL,
      "a missing interpreter is named (%s)", msg ? msg : "accepted");
  free (msg);
}

/* A filter written for runtimes that exec by path: execveat is refused with EPERM (silo
 * never calls it for the container's program).  */
static int
deny_execveat (void)
{
  char *names[] = { (char *) "execveat" };
  oci_seccomp_syscall rule = { .names = names, .n_names = 1, .action = (char *) "SCMP_ACT_ERRNO" };
  oci_seccomp s = { .default_action = (char *) "SCMP_ACT_ALLOW", .syscalls = &rule, .n_syscalls = 1 };

  return silo_seccomp_apply (&s, NULL);
}

/* Exec for real in a child: a binary and a script, by path, both writing a file.  */
static int
exec_in_child (const char *program, const char *out, bool without_execveat)
{
  char command[512];
  char *args[] = { (char *) program, (char *) "-c", command };
  char *env[] = { (char *) "PATH=/usr/bin:/bin", (char *) "GREETING=hello" };
  oci_process p = { .args = args, .n_args = 3, .env = env, .n_env = 2, .cwd = (char *) "/" };
  struct silo_program target;
  struct stat silo_exe;
  int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  snprintf (command, sizeof command, "echo \"$GREETING $0\" > %s", out);
  if (stat ("/proc/self/exe", &silo_exe) < 0 || rootfd < 0)
    return 10;
  if (silo_program_resolve (rootfd, &p, &silo_exe, &target, NULL) < 0)
    return 13;
  if (without_execveat && deny_execveat () < 0)
    return 12;
  silo_program_exec (&target, NULL);
  return 11;
}

static void
test_exec (void)
{
  char out[512], wrapper[512], text[512] = "";
  int status = -1, fd;
  pid_t pid;

  snprintf (out, sizeof out, "%s/out", dir);
  for (int without_execveat = 0; without_execveat <= 1; without_execveat++)
    {
      if (without_execveat && !tap_has_capability (CAP_SYS_ADMIN)
          && prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        {
          skip ("needs root: loading a filter without no_new_privs needs CAP_SYS_ADMIN (exec "
                "through PATH under a filter that refuses execveat)");
          continue;
        }
      memset (text, 0, sizeof text);
      unlink (out);
      pid = fork ();
      if (pid == 0)
        _exit (exec_in_child ("sh", out, without_execveat));
      waitpid (pid, &status, 0);
      fd = open (out, O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && read (fd, text, sizeof text - 1) < 0)
        text[0] = '\0';
      if (fd >= 0)
        close (fd);
      ok (WIFEXITED (status) && WEXITSTATUS (status) == 0 && strcmp (text, "hello sh\n") == 0,
          "exec through PATH with the given env and argv[0]%s (status %d, `%.*s`)",
          without_execveat ? ", under a filter that refuses execveat" : "", status,
          (int) strcspn (text, "\n"), text);
    }

  /* A script runs by path: its interpreter gets the script's path, then the args.  */
  snprintf (wrapper, sizeof wrapper, "%s/wrapper", dir);
  write_file ("wrapper", "#!/bin/sh\nexec /bin/sh \"$@\"\n", 0755);
  memset (text, 0, sizeof text);
  pid = fork ();
  if (pid == 0)
    _exit (exec_in_child (wrapper, out, false));
  waitpid (pid, &status, 0);
  fd = open (out, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && read (fd, text, sizeof text - 1) < 0)
    text[0] = '\0';
  if (fd >= 0)
    close (fd);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0 && strncmp (text, "hello ", 6) == 0,
      "a #! script runs (status %d, `%.*s`)", status, (int) strcspn (text, "\n"), text);
}

int
main (void)
{
  int status = -1;
  pid_t pid;

  if (mkdtemp (dir) == NULL)
    return 99;
  test_validation ();
  pid = fork ();
  if (pid == 0)
    _exit (rlimits_in_child ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
      && WEXITSTATUS (status) == 0, "rlimits set, and a refused raise names the limit (status %d)",
      status);
  test_exec_checks ();
  test_magic_links ();
  test_elf_loader ();
  test_exec ();
  {
    char command[600];
    snprintf (command, sizeof command, "rm -rf '%s'", dir);
    if (system (command) != 0)
      fprintf (stderr, "cleanup of %s failed\n", dir);
  }
  return tap_done ();
}
