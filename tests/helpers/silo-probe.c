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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
path_reopen (const char *path, const char *wait_file)
{
  char proc_path[64];
  int path_fd = open (path, O_PATH | O_CLOEXEC);

  if (path_fd < 0)
    return report (-1, "open O_PATH");
  printf ("opened\n");
  fflush (stdout);
  /* The test makes the runtime exec the user program, then creates WAIT-FILE.  */
  for (int i = 0; wait_file != NULL && access (wait_file, F_OK) < 0 && i < 600; i++)
    usleep (100 * 1000);
  snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", path_fd);
  return report (open (proc_path, O_WRONLY | O_CLOEXEC), "reopen for writing");
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "fds") == 0)
    return list_fds ();
  if (argc == 3 && strcmp (argv[1], "open-write") == 0)
    return report (open (argv[2], O_WRONLY | O_CLOEXEC), "open for writing");
  if ((argc == 3 || argc == 4) && strcmp (argv[1], "path-reopen") == 0)
    return path_reopen (argv[2], argc == 4 ? argv[3] : NULL);
  fprintf (stderr, "usage: silo-probe fds | open-write PATH | path-reopen PATH [WAIT-FILE]\n");
  return 2;
}
