/* exe-seal: silo_exe_seal re-executes the program from a file that can never be opened
 * for writing: a detached read-only mount of the binary, or (where no mount can be made:
 * a user namespace that does not own our mount namespace) a sealed memfd copy.  This
 * program is its own subject: a child calls silo_exe_seal and comes back as
 * `exe-seal.test after-seal MODE`, which checks its own /proc/self/exe and exits 0 when
 * all is as it should be.  */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exe-seal.h"
#include "tap.h"

/* The mount under /proc/self/exe is read-only, and nobody can change that: it belongs to
 * no mount namespace any more.  */
static bool
read_only_for_good (void)
{
  struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };
  struct statfs sfs;
  int fd = open ("/proc/self/exe", O_PATH | O_CLOEXEC);

  if (fd < 0 || statfs ("/proc/self/exe", &sfs) < 0 || !(sfs.f_flags & ST_RDONLY))
    return false;
  if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
    return false;
  if (open_tree (fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC) >= 0)
    return false;
  close (fd);
  return true;
}

/* Run in the re-executed program: 0 when /proc/self/exe is sealed the way MODE says.  */
static int
after_seal (const char *mode, char **argv)
{
  char comm[32] = "";
  int fd, seals;

  if (getenv (SILO_EXE_SEALED_ENV) == NULL)
    return 20;                      /* the marker came through the execve */
  if (silo_exe_seal (argv, NULL) < 0 || silo_exe_is_sealed (NULL) != 1)
    return 21;                      /* sealed now: the call returns at once */
  if (getenv (SILO_EXE_SEALED_ENV) != NULL)
    return 26;                      /* ... and removes the marker */
  prctl (PR_GET_NAME, comm, 0, 0, 0);
  if (strcmp (comm, "exe-seal.test") != 0)
    return 22;                      /* named after argv[0], not after the fd */
  fd = open ("/proc/self/exe", O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    return 23;                      /* ETXTBSY while the test runs it, EROFS after */
  if (strcmp (mode, "mount") == 0)
    return read_only_for_good () ? 0 : 24;
  fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  seals = fd >= 0 ? fcntl (fd, F_GET_SEALS) : -1;
  return seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL) ? 0 : 25;
}

/* A child that seals (in a new user namespace for the memfd) and reports by status.  */
static int
sealed_child (const char *self, const char *mode)
{
  char *argv[] = { (char *) self, (char *) "after-seal", (char *) mode, NULL };
  struct silo_error *err = NULL;
  int status = -1;
  pid_t pid = fork ();

  if (pid == 0)
    {
      if (strcmp (mode, "memfd") == 0 && unshare (CLONE_NEWUSER) < 0)
        _exit (30);
      silo_exe_seal (argv, &err);
      fprintf (stderr, "silo_exe_seal returned: %s\n", err != NULL ? err->msg : "no error");
      _exit (31);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* The marker says we already re-executed, yet nothing is sealed: an error, not a loop.  */
static void
test_loop_guard (char **argv)
{
  struct silo_error *err = NULL;
  char pid[24];
  int r;

  snprintf (pid, sizeof pid, "%d", (int) getpid ());
  setenv (SILO_EXE_SEALED_ENV, pid, 1);
  r = silo_exe_seal (argv, &err);
  ok (r < 0 && err != NULL && strstr (err->msg, "still writable") != NULL,
      "a re-execution that did not seal is an error, not a loop (%s)", err ? err->msg : "no error");
  ok (getenv (SILO_EXE_SEALED_ENV) == NULL, "the marker is removed");
  silo_error_free (err);
}

int
main (int argc, char **argv)
{
  int status;

  if (argc == 3 && strcmp (argv[1], "after-seal") == 0)
    return after_seal (argv[2], argv);
  ok (silo_exe_is_sealed (NULL) == 0, "a binary run from its own writable file is not sealed");
  test_loop_guard (argv);
  if (geteuid () != 0)
    skip ("needs root: a read-only mount of the binary needs CAP_SYS_ADMIN");
  else
    {
      status = sealed_child (argv[0], "mount");
      ok (status == 0, "re-executed from a detached read-only mount that nobody can make "
          "writable, clone or bind (status %d)", status);
    }
  status = sealed_child (argv[0], "memfd");
  if (status == 30)
    skip ("unprivileged user namespaces are not available here");
  else
    ok (status == 0, "without a mount (user namespace): re-executed from a sealed memfd copy "
        "(status %d)", status);
  return tap_done ();
}
