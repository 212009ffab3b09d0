/* bench/floor: the least a runtime must do to start /bin/true in a container, so that
 * every figure of bench/ also reads as "x floor".
 *
 *   floor [-c] ROOTFS PROGRAM [ARG...]
 *
 * clone with new mount, pid, ipc, uts, network and cgroup namespaces; in the child: the
 * mounts private, ROOTFS bound on itself, pivot_root, the old root detached, a fresh /proc,
 * execve; the parent waits and exits with the child's status.  With -c the child is first
 * placed in a cgroup of its own in every hierarchy mounted on the host (v1 and v2), which
 * is removed after it exits: "floor+cgroups".  No config parsing, no state, no seccomp, no
 * capabilities, no error messages beyond the failing call: a floor, not a runtime.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HIERARCHIES 32

static char *cgroup_dirs[MAX_HIERARCHIES];
static int n_cgroup_dirs;

static void remove_cgroups (void);

static void
die (const char *what)
{
  fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
  remove_cgroups ();
  exit (125);
}

/* A v1 cpuset group starts with no cpus and no memory nodes: copy its parent's, as the
 * runtimes do, or no task may join it.  */
static void
copy_from_parent (const char *mnt, const char *dir, const char *file)
{
  char path[1400], value[256];
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "%s/%s", mnt, file);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  n = read (fd, value, sizeof value);
  close (fd);
  snprintf (path, sizeof path, "%s/%s", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (n <= 0 || fd < 0 || write (fd, value, (size_t) n) < 0)
    die (path);
  close (fd);
}

/* The mount points of every cgroup and cgroup2 filesystem, from /proc/self/mountinfo
 * (field 5 the mount point, after " - " the type).  */
static void
make_cgroups (pid_t pid)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[4096];

  if (f == NULL)
    die ("open /proc/self/mountinfo");
  while (fgets (line, sizeof line, f) != NULL && n_cgroup_dirs < MAX_HIERARCHIES)
    {
      char mnt[1024], type[64];
      const char *sep = strstr (line, " - ");
      char path[1200], procs[1300], text[32];
      int fd;

      if (sep == NULL || sscanf (sep + 3, "%63s", type) != 1
          || (strcmp (type, "cgroup") != 0 && strcmp (type, "cgroup2") != 0)
          || sscanf (line, "%*s %*s %*s %*s %1023s", mnt) != 1)
        continue;
      snprintf (path, sizeof path, "%s/silo-bench-floor-%d", mnt, (int) getpid ());
      if (mkdir (path, 0755) < 0)
        die (path);
      cgroup_dirs[n_cgroup_dirs++] = strdup (path);
      copy_from_parent (mnt, path, "cpuset.cpus");
      copy_from_parent (mnt, path, "cpuset.mems");
      snprintf (procs, sizeof procs, "%s/cgroup.procs", path);
      snprintf (text, sizeof text, "%d", (int) pid);
      fd = open (procs, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, text, strlen (text)) < 0)
        die (procs);
      close (fd);
    }
  fclose (f);
}

static void
remove_cgroups (void)
{
  for (int i = n_cgroup_dirs - 1; i >= 0; i--)
    if (rmdir (cgroup_dirs[i]) < 0)
      fprintf (stderr, "floor: rmdir %s: %s\n", cgroup_dirs[i], strerror (errno));
}

static void
child (const char *rootfs, char **argv, int go)
{
  char c;

  if (read (go, &c, 1) != 1)
    _exit (125);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die ("make / private");
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir (rootfs) < 0)
    die ("bind the rootfs");
  if (syscall (SYS_pivot_root, ".", ".") < 0 || umount2 (".", MNT_DETACH) < 0 || chdir ("/") < 0)
    die ("pivot_root");
  mkdir ("/proc", 0555);
  if (mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    die ("mount /proc");
  execv (argv[0], argv);
  die (argv[0]);
}

int
main (int argc, char **argv)
{
  int with_cgroups = argc > 1 && strcmp (argv[1], "-c") == 0;
  int status, go[2];
  pid_t pid;

  argv += 1 + with_cgroups;
  argc -= 1 + with_cgroups;
  if (argc < 2)
    {
      fprintf (stderr, "usage: floor [-c] ROOTFS PROGRAM [ARG...]\n");
      return 125;
    }
  if (pipe2 (go, O_CLOEXEC) < 0)
    die ("pipe");
  pid = (pid_t) syscall (SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
                         | CLONE_NEWNET | CLONE_NEWCGROUP | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    die ("clone");
  if (pid == 0)
    {
      close (go[1]);
      child (argv[0], argv + 1, go[0]);
    }
  close (go[0]);
  if (with_cgroups)
    make_cgroups (pid);
  if (write (go[1], "g", 1) != 1)
    die ("let the child go");
  if (waitpid (pid, &status, 0) < 0)
    die ("waitpid");
  remove_cgroups ();
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
