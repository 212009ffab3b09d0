/* silo-probe: asserts from inside a container what busybox cannot express.
 *
 *   silo-probe fds                 the open fds, one line, space separated (its own
 *                                  directory fd left out)
 *   silo-probe open-write PATH     open(PATH, O_WRONLY)
 *   silo-probe path-reopen PATH [WAIT-FILE]
 *                                  open(PATH, O_PATH), print `opened`, wait until
 *                                  WAIT-FILE exists (if given), then reopen that fd for
 *                                  writing through /proc/self/fd: the CVE-2019-5736 route
 *                                  to a runtime binary once it no longer executes
 *   silo-probe syscall NR [syscall NR ...]
 *                                  make system call NR with zero arguments and print
 *                                  `syscall NR: ok` or `syscall NR: ENAME` (the errno)
 *   silo-probe unwrap PATH [WAIT-FILE]
 *                                  as path-reopen, then every other way a privileged
 *                                  process could try to get write access to that file,
 *                                  one line each: make its mount read-write
 *                                  (mount_setattr, remount), clone or bind its mount
 *                                  elsewhere (under /tmp), open it by file handle, hard
 *                                  link it (/tmp)
 *
 * The open commands print `ok DEV:INO` (the opened file's st_dev and st_ino in decimal, as
 * `stat -c %d:%i` prints them, so that the test can tell the runtime binary from a copy)
 * or `denied: <errno text>`, and exit 0 when the file could be opened for writing, 1 when
 * not, 2 on a usage error.  Linked statically so that it
 * runs in the busybox rootfs; built by tests/helpers/common.bash.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int
list_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  const char *separator = "";

  if (dir == NULL)
    {
      perror ("silo-probe: opendir /proc/self/fd");
      return 2;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      if (entry->d_name[0] == '.' || atoi (entry->d_name) == dirfd (dir))
        continue;
      printf ("%s%s", separator, entry->d_name);
      separator = " ";
    }
  printf ("\n");
  closedir (dir);
  return 0;
}

static int
report (int fd, const char *step)
{
  struct stat st;

  if (fd < 0)
    {
      printf ("denied: %s: %s\n", step, strerror (errno));
      return 1;
    }
  if (fstat (fd, &st) < 0)
    st.st_dev = st.st_ino = 0;
  printf ("ok %ju:%ju\n", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
  close (fd);
  return 0;
}

static int
reopen_for_writing (int fd, const char *step)
{
  char proc_path[64];

  snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  return report (open (proc_path, O_WRONLY | O_CLOEXEC), step);
}

/* Make the mount that fd is on read-write, then reopen fd for writing.  */
static int
try_mount_setattr (int fd, const char *step)
{
  struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };

  if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return report (-1, step);
  return reopen_for_writing (fd, step);
}

static int
try_remount (int fd)
{
  char proc_path[64];

  snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (mount (NULL, proc_path, NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
    return report (-1, "remount read-write");
  return reopen_for_writing (fd, "remount read-write");
}

static int
try_clone (int fd)
{
  int tree = open_tree (fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (tree < 0)
    return report (-1, "open_tree clone");
  return try_mount_setattr (tree, "open_tree clone, then read-write");
}

static int
try_bind (int fd)
{
  char proc_path[64];
  const char *target = "/tmp/silo-probe-bind";
  int made = open (target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  if (made >= 0)
    close (made);
  snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (mount (proc_path, target, NULL, MS_BIND, NULL) < 0)
    return report (-1, "bind mount elsewhere");
  return report (open (target, O_WRONLY | O_CLOEXEC), "bind mount elsewhere");
}

static int
try_handle (int fd)
{
  struct { struct file_handle h; unsigned char bytes[MAX_HANDLE_SZ]; } handle;
  int mount_id;

  handle.h.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at (fd, "", &handle.h, &mount_id, AT_EMPTY_PATH) < 0)
    return report (-1, "name_to_handle_at");
  return report (open_by_handle_at (fd, &handle.h, O_WRONLY | O_CLOEXEC), "open_by_handle_at");
}

static int
try_link (int fd)
{
  const char *link = "/tmp/silo-probe-link";

  unlink (link);
  if (linkat (fd, "", AT_FDCWD, link, AT_EMPTY_PATH) < 0)
    return report (-1, "hard link");
  return report (open (link, O_WRONLY | O_CLOEXEC), "hard link");
}

static int
path_reopen (const char *path, const char *wait_file, bool unwrap)
{
  int path_fd = open (path, O_PATH | O_CLOEXEC), failures = 0;

  if (path_fd < 0)
    return report (-1, "open O_PATH");
  printf ("opened\n");
  fflush (stdout);
  /* The test makes the runtime exec the user program, then creates WAIT-FILE.  */
  for (int i = 0; wait_file != NULL && access (wait_file, F_OK) < 0 && i < 600; i++)
    usleep (100 * 1000);
  failures += reopen_for_writing (path_fd, "reopen for writing");
  if (!unwrap)
    return failures;
  failures += try_mount_setattr (path_fd, "mount_setattr read-write");
  failures += try_remount (path_fd);
  failures += try_clone (path_fd);
  failures += try_bind (path_fd);
  failures += try_handle (path_fd);
  failures += try_link (path_fd);
  return failures == 7 ? 1 : 0;
}

static int
make_syscalls (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i += 2)
    {
      long nr = atol (argv[i + 1]);
      long r = syscall (nr, 0, 0, 0, 0, 0, 0);

      if (r < 0)
        printf ("syscall %ld: %s\n", nr, strerrorname_np (errno));
      else
        printf ("syscall %ld: ok\n", nr);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 3 && argc % 2 == 1 && strcmp (argv[1], "syscall") == 0)
    return make_syscalls (argc, argv);
  if (argc == 2 && strcmp (argv[1], "fds") == 0)
    return list_fds ();
  if (argc == 3 && strcmp (argv[1], "open-write") == 0)
    return report (open (argv[2], O_WRONLY | O_CLOEXEC), "open for writing");
  if ((argc == 3 || argc == 4) && strcmp (argv[1], "path-reopen") == 0)
    return path_reopen (argv[2], argc == 4 ? argv[3] : NULL, false);
  if ((argc == 3 || argc == 4) && strcmp (argv[1], "unwrap") == 0)
    return path_reopen (argv[2], argc == 4 ? argv[3] : NULL, true);
  fprintf (stderr, "usage: silo-probe fds | open-write PATH | path-reopen PATH [WAIT-FILE] | "
           "unwrap PATH [WAIT-FILE] | syscall NR...\n");
  return 2;
}
