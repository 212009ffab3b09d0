/* idmap-probe: can this kernel ID-map a bind mount of PATH?  Independent of silo, so that
 * a test can tell "the filesystem cannot" (skip) from "silo got it wrong" (fail).
 *
 *   idmap-probe PATH
 *
 * Makes a user namespace (0 -> 100000, 65536 ids), a detached clone of the mount at PATH
 * and sets MOUNT_ATTR_IDMAP on it; the clone is never attached, so nothing stays mounted.
 * Exit 0: it can; 1: it cannot (the reason on stderr); 2: usage or setup failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int
write_text (pid_t pid, const char *file, const char *text)
{
  char path[64];
  int fd, r;

  snprintf (path, sizeof (path), "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  r = write (fd, text, strlen (text)) == (ssize_t) strlen (text) ? 0 : -1;
  close (fd);
  return r;
}

/* A child in a new user namespace with the test's mapping; returns an fd of it.  */
static int
user_namespace (void)
{
  int ready[2], done[2], fd = -1;
  char path[64], c;
  pid_t pid;

  if (pipe (ready) < 0 || pipe (done) < 0)
    return -1;
  pid = fork ();
  if (pid == 0)
    {
      close (done[1]);
      c = unshare (CLONE_NEWUSER) == 0 ? 'y' : 'n';
      if (write (ready[1], &c, 1) != 1 || read (done[0], &c, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (ready[1]);
  close (done[0]);
  if (pid > 0 && read (ready[0], &c, 1) == 1 && c == 'y'
      && write_text (pid, "uid_map", "0 100000 65536\n") == 0
      && write_text (pid, "gid_map", "0 100000 65536\n") == 0)
    {
      snprintf (path, sizeof (path), "/proc/%d/ns/user", (int) pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
    }
  close (done[1]);
  close (ready[0]);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return fd;
}

int
main (int argc, char **argv)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
  int userns, tree;

  if (argc != 2)
    {
      fprintf (stderr, "usage: idmap-probe PATH\n");
      return 2;
    }
  userns = user_namespace ();
  if (userns < 0)
    {
      perror ("idmap-probe: a user namespace");
      return 2;
    }
  tree = open_tree (AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    {
      fprintf (stderr, "idmap-probe: open_tree %s: %s\n", argv[1], strerror (errno));
      return 2;
    }
  attr.userns_fd = (unsigned) userns;
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &attr, sizeof (attr)) < 0)
    {
      fprintf (stderr, "idmap-probe: %s cannot be ID-mapped: %s\n", argv[1], strerror (errno));
      return 1;
    }
  return 0;
}
